"""Graph stage: settings, the app registry and the typed model graph from the loaded modules."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from djatlas.graph.types import Diagnostic
    from djatlas.resolve.index import LoadedModule, ProjectIndex


def build_graph(
    index: ProjectIndex,
    modules: list[LoadedModule],
    settings_name: str | None,
    hints: list[str],
    diagnostics: list[Diagnostic],
) -> tuple[list[Any], Any, Any]:
    """``(models, registry, settings)``; problems are appended to ``diagnostics``."""
    from djatlas.graph.apps import build_registry, read_settings
    from djatlas.graph.build import GraphBuilder

    settings = read_settings(index, modules, settings_name, diagnostics, hints)
    registry = build_registry(index, modules, settings)
    builder = GraphBuilder(index, registry, diagnostics)
    builder.collect(modules)
    models = builder.build()
    builder.finish(models)
    return models, registry, settings


_DSM = re.compile(rb"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]")
_ENTRY_POINTS = ("manage.py", "wsgi.py", "asgi.py")


def settings_hints(relpaths: list[str], read: Callable[[str], bytes]) -> list[str]:
    """Settings modules named by DJANGO_SETTINGS_MODULE in manage.py / wsgi.py / asgi.py."""
    out: list[str] = []
    for rel in sorted(relpaths):
        if rel.rsplit("/", 1)[-1] in _ENTRY_POINTS:
            try:
                data = read(rel)
            except OSError:
                continue
            for m in _DSM.finditer(data):
                name = m.group(1).decode("ascii", "replace")
                if name not in out:
                    out.append(name)
    return out
