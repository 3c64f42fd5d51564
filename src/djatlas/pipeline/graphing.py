"""Graph stage: settings, the app registry and the typed model graph from the loaded modules."""

from __future__ import annotations

import re
from collections.abc import Callable

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.graph.apps import EntryPoints
    from djatlas.graph.types import Diagnostic
    from djatlas.resolve.index import LoadedModule, ProjectIndex


def build_graph(
    index: ProjectIndex,
    modules: list[LoadedModule],
    settings_name: str | None,
    hints: EntryPoints,
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


# ``environ.setdefault("DJANGO_SETTINGS_MODULE", "x")``, ``environ[...] = "x"``, ``{...: "x"}``
_NAMED = rb"['\"]\s*(?:,|\]\s*=|:)\s*['\"]([\w.]+)['\"]"
_DSM = re.compile(rb"DJANGO_SETTINGS_MODULE" + _NAMED)
_DCONF = re.compile(rb"DJANGO_CONFIGURATION" + _NAMED)
#: Entry points, in the order their choice counts: manage.py is what a developer runs.
_ENTRY_POINTS = ("manage.py", "wsgi.py", "asgi.py")


def settings_hints(relpaths: list[str], read: Callable[[str], bytes]) -> EntryPoints:
    """Settings modules (and django-configurations classes) that manage.py / wsgi.py / asgi.py
    name in DJANGO_SETTINGS_MODULE (DJANGO_CONFIGURATION), manage.py's first."""
    from djatlas.graph.apps import EntryPoints

    found = EntryPoints()
    entries = [r for r in relpaths if r.rsplit("/", 1)[-1] in _ENTRY_POINTS]
    for rel in sorted(entries, key=lambda r: (_ENTRY_POINTS.index(r.rsplit("/", 1)[-1]), r)):
        try:
            data = read(rel)
        except OSError:
            continue
        for m in _DSM.finditer(data):
            named = (m.group(1).decode("ascii", "replace"), rel)
            if named not in found.named:
                found.named.append(named)
        conf = _DCONF.search(data)
        if conf is not None:
            found.configurations[rel] = conf.group(1).decode("ascii", "replace")
    return found
