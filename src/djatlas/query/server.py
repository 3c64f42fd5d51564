"""``djatlas mcp``: a read-only Model Context Protocol server over stdio (official ``mcp`` SDK).

Every tool answers from the report document of one tree, read through the scan pipeline and
its cache: an unchanged tree is revalidated by stat and answered from memory; an edited one is
re-read. Answers are structured JSON with ``file:line`` locations; a bad argument (unknown or
ambiguous model, unknown app) is an MCP tool error with a one-line message.

Other parts of djatlas add tools through :data:`TOOL_PROVIDERS`: each module named there (when
importable) has ``register(server, session)``.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from djatlas import __version__
from djatlas.query import QueryError
from djatlas.query.atlas import Atlas

#: modules adding tools (``register(server, session)``), e.g. migration drift once it exists
TOOL_PROVIDERS: tuple[str, ...] = ("djatlas.migrations.mcp",)

INSTRUCTIONS = (
    "Read-only, static answers about the Django data model of one codebase (nothing is "
    "imported or run). Models are named by label (app_label.Model), class name or id. "
    "Start with summary or list_apps; impact says what deleting one row does; path gives "
    "ORM lookups between two models."
)


class Session:
    """The tree the server answers about, re-read only when its files change."""

    def __init__(self, path: str, args: argparse.Namespace) -> None:
        self.path = path
        self.args = args
        self._digest: str | None = None
        self._atlas: Atlas | None = None

    def atlas(self) -> Atlas:
        from djatlas.query.cli import load_document

        digest, doc = load_document(self.path, self.args)
        if self._atlas is None or not digest or digest != self._digest:
            self._atlas, self._digest = Atlas(doc), digest
        return self._atlas


def _tool_error(exc: Exception) -> Exception:
    from mcp.server.mcpserver.exceptions import ToolError

    return ToolError(str(exc))


def build_server(session: Session) -> Any:
    """The MCPServer with every tool registered."""
    from mcp.server import MCPServer

    server = MCPServer(name="djatlas", version=__version__, instructions=INSTRUCTIONS)
    _register_core(server, session)
    for name in TOOL_PROVIDERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        module.register(server, session)
    return server


def _read_only() -> Any:
    from mcp_types import ToolAnnotations

    return ToolAnnotations(
        readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
    )


def _register_core(server: Any, session: Session) -> None:
    from djatlas.query import tools

    for fn in tools.TOOLS:

        def call(*a: Any, _fn: Any = fn, **kw: Any) -> Any:
            try:
                return _fn(session.atlas(), *a, **kw)
            except QueryError as exc:
                raise _tool_error(exc) from None

        server.add_tool(
            _bind(fn, call),
            name=fn.__name__,
            description=fn.__doc__,
            annotations=_read_only(),
            structured_output=True,
        )


def _bind(fn: Any, call: Any) -> Any:
    """``call`` with ``fn``'s signature minus its first (atlas) parameter, for the SDK's
    schema generation."""
    import functools
    import inspect

    sig = inspect.signature(fn)
    params = list(sig.parameters.values())[1:]

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        return call(**kwargs)

    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    annotations = dict(getattr(fn, "__annotations__", {}))
    annotations.pop(params and list(sig.parameters)[0] or "atlas", None)
    annotations.pop("atlas", None)
    wrapper.__annotations__ = annotations
    del wrapper.__wrapped__
    return wrapper


def serve(path: str, args: argparse.Namespace) -> None:
    """Run the server on stdio until the client closes it."""
    server = build_server(Session(path, args))
    server.run("stdio")
