"""The MCP server's ``drift`` tool (registered through ``query.server.TOOL_PROVIDERS``): what
``makemigrations`` would write for the tree, per app, read statically and read-only.

No ``from __future__ import annotations`` here: the SDK reads the hints at run time.
"""

import os
from typing import Any


def drift_answer(session: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(report document, drift answer)`` of the session's tree (both cached per tree)."""
    from djatlas.migrations.drift import drift_document
    from djatlas.query.cli import load_document

    _, doc = load_document(session.path, session.args)
    args = session.args
    folder = None
    if not getattr(args, "no_cache", False) and os.path.isdir(session.path):
        from djatlas.keys import cache_folder

        folder = cache_folder(session.path, getattr(args, "cache_dir", None))
    include, exclude = getattr(args, "include", None), getattr(args, "exclude", None)
    return doc, drift_document(session.path, doc, include, exclude, folder)


def drift_tool(doc: dict[str, Any], answer: dict[str, Any], app: Any = None) -> dict[str, Any]:
    """The tool's answer: per app the operations (each with the model's ``file:line``), the
    notes (what cannot be known statically) and the graph problems."""
    from djatlas.migrations.drift import find_model
    from djatlas.query import QueryError

    check = answer.get("check", {})
    checked = check.get("apps_checked", [])
    if app is not None and app not in {a.rsplit(":", 1)[-1] for a in checked}:
        raise QueryError(
            f"no app {app!r} with migrations (apps checked: {', '.join(checked) or 'none'})"
        )
    apps = []
    for group in check.get("changes", []):
        if app is not None and group["app_label"] != app:
            continue
        ops = []
        for op in group["operations"]:
            model = find_model(doc, op["app_label"], op["model"], group.get("project"))
            ops.append({**op, "location": _location(model, op.get("field"))})
        apps.append({**group, "operations": ops})
    return {
        "drift": bool(apps),
        "apps_checked": checked if app is None else [a for a in checked if a.endswith(app)],
        "apps": apps,
        "notes": [n for n in check.get("notes", []) if app is None or n["app_label"] == app],
        "problems": [p for p in check.get("problems", []) if app is None or p["app_label"] == app],
    }


def _location(model: Any, field: Any) -> Any:
    if model is None:
        return None
    line = model.get("line")
    for f in model.get("fields") or []:
        if f["name"] == field and f.get("origin") == "declared" and f.get("line"):
            line = f["line"]
    return f"{model.get('file')}:{line}" if line else model.get("file")


def register(server: Any, session: Any) -> None:
    """Add the ``drift`` tool to ``server`` (a ``query.server`` MCPServer)."""
    from djatlas.query import QueryError
    from djatlas.query.server import _read_only, _tool_error

    def drift(app: str | None = None) -> dict[str, Any]:
        """What `makemigrations` would write for the tree (models changed without a
        migration), read statically: per app the operations in Django's vocabulary (op,
        model, field, details, the model's file:line), notes for what cannot be known
        statically, graph problems. Only apps whose migrations are in the tree are checked;
        `app` restricts the answer to one app label."""
        try:
            doc, answer = drift_answer(session)
            return drift_tool(doc, answer, app)
        except QueryError as exc:
            raise _tool_error(exc) from None

    server.add_tool(
        drift,
        name="drift",
        description=drift.__doc__,
        annotations=_read_only(),
        structured_output=True,
    )
