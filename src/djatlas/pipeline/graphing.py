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


def _entry_points(relpaths: list[str]) -> list[str]:
    """The paths named like an entry point, by ``_ENTRY_POINTS``' order then path: found in
    the paths joined by NULs (a character no file name holds) by ``str.find``, in C, rather
    than by a split of every path (saleor: ``settings_hints`` 6.9M -> 1.7M instructions)."""
    joined = "\0" + "\0".join(relpaths) + "\0"
    out = []
    for name in _ENTRY_POINTS:
        needle, size, found = name + "\0", len(name), []
        i = joined.find(needle, 1)
        while i >= 0:
            if joined[i - 1] in "\0/":  # the whole file name
                found.append(joined[joined.rfind("\0", 0, i) + 1 : i + size])
            i = joined.find(needle, i + size)
        out += sorted(found)
    return out


def _commented(data: bytes, at: int) -> bool:
    """Whether position ``at`` is in a comment (a ``#`` before it on its line): Django's old
    ``wsgi.py`` template names the settings in a commented-out line too."""
    return data.find(b"#", data.rfind(b"\n", 0, at) + 1, at) >= 0


def settings_hints(relpaths: list[str], read: Callable[[str], bytes]) -> EntryPoints:
    """Settings modules (and django-configurations classes) that manage.py / wsgi.py / asgi.py
    name in DJANGO_SETTINGS_MODULE (DJANGO_CONFIGURATION), manage.py's first."""
    from djatlas.graph.apps import EntryPoints

    found = EntryPoints()
    for rel in _entry_points(relpaths):
        try:
            data = read(rel)
        except OSError:
            continue
        found.read.append(rel)
        for m in _DSM.finditer(data):
            named = (m.group(1).decode("ascii", "replace"), rel)
            if named not in found.named and not _commented(data, m.start()):
                found.named.append(named)
        conf = next((c for c in _DCONF.finditer(data) if not _commented(data, c.start())), None)
        if conf is not None:
            found.configurations[rel] = conf.group(1).decode("ascii", "replace")
    return found
