"""The database engines a settings module names, read from its source text.

An ``"ENGINE": "django.db.backends.postgresql"`` (any ``*.db.backends.*`` path: PostGIS,
django-prometheus' wrappers), or a database URL's scheme (``dj_database_url.config(default=
"postgres://...")``, django-environ's ``env.db(default=...)``), in the settings module or a
tree module it star-imports (``from .base import *``), wherever it is written (a dict, an
``update``, a branch; not a comment line). That is what the settings can choose from, not which
one a run uses (``djatlas check`` stands down on DJ002, which Django does not apply on
PostgreSQL, when every engine named is PostgreSQL's).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable

    from djatlas.resolve.index import LoadedModule, ProjectIndex

_ENGINE = re.compile(rb"""["']((?:[A-Za-z_]\w*\.)+db\.backends\.[A-Za-z_][\w.]*)["']""")
_URL = re.compile(rb"""["']([a-z][a-z0-9+-]*)://""")
_COMMENT_LINE = re.compile(rb"(?m)^[ \t]*#.*$")
_GIS = "django.contrib.gis.db.backends."
#: Database URL schemes (dj-database-url's and django-environ's) and the engine each means.
SCHEMES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
    "psql": "django.db.backends.postgresql",
    "postgis": _GIS + "postgis",
    "mysql": "django.db.backends.mysql",
    "mysql2": "django.db.backends.mysql",
    "mysqlgis": _GIS + "mysql",
    "sqlite": "django.db.backends.sqlite3",
    "spatialite": _GIS + "spatialite",
    "oracle": "django.db.backends.oracle",
    "oraclegis": _GIS + "oracle",
}


def database_engines(index: ProjectIndex, settings: LoadedModule) -> list[str]:
    """The engines named in ``settings``'s source and the tree modules it star-imports, sorted."""
    found: set[str] = set()
    _named(index, settings, found, set(), 0)
    return sorted(found)


def _named(
    index: ProjectIndex, mod: LoadedModule, found: set[str], seen: set[str], depth: int
) -> None:
    if mod.relpath is None or mod.relpath in seen or depth > 5:
        return
    seen.add(mod.relpath)
    found.update(engines_in(_source(index.source, mod.relpath)))
    for star in mod.summary.star_imports:
        target = index.module(star, mod.relpath)
        if target is not None and target.origin == "tree":
            _named(index, target, found, seen, depth + 1)


def _source(read: Callable[[str], bytes], relpath: str) -> bytes:
    try:
        return read(relpath)
    except OSError:
        return b""


def engines_in(source: bytes) -> set[str]:
    """The engines a module's source names: ``*.db.backends.*`` paths, database URLs' schemes
    (not in a comment line: a configuration left commented out)."""
    if source.find(b"#") >= 0:
        source = _COMMENT_LINE.sub(b"", source)
    out = {m.decode("ascii", "replace") for m in _ENGINE.findall(source)}
    for scheme in _URL.findall(source):
        engine = SCHEMES.get(scheme.decode("ascii"))
        if engine is not None:
            out.add(engine)
    return out
