"""Scope stage: the files Django would import for the project, when its settings are known.

``django.setup()`` imports each ``INSTALLED_APPS`` entry's package (and the module of an
AppConfig path), its ``apps`` and ``models`` modules, and whatever those import, transitively;
a model defined anywhere else is never registered. When ``manage.py`` / ``wsgi.py`` /
``asgi.py`` or ``--settings`` name a settings module of the tree, this stage follows that
closure (per settings module; a tree may hold several projects) from the settings' own imports
and the installed apps, finding imports with a regex (an over-approximation: every ``import``
line counts, at any depth), and only those files are read. Without such a settings module the
whole tree is read, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from djatlas.discover.finder import is_models_module

if TYPE_CHECKING:
    from djatlas.discover.finder import FileRecord, SourceFile
    from djatlas.resolve.index import ProjectIndex
    from djatlas.resolve.layout import Layout

#: The reason given to the files outside the closure.
OUTSIDE = "not imported by the project"

# Searched from a literal newline (``re`` would try a ``^``-anchored pattern at every byte).
_IMPORT = re.compile(
    rb"\n[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]*))"
)
_COMMENT = re.compile(rb"#[^\n]*")


def imported_names(data: bytes, module: str, is_package: bool) -> list[str]:
    """Dotted names an ``import`` line of ``data`` may load (``from a import b``: ``a`` and
    ``a.b``); relative imports resolved against ``module``."""
    if b"import" not in data:
        return []
    if b"\\\n" in data:
        data = data.replace(b"\\\n", b" ")
    out: list[str] = []
    for m in _IMPORT.finditer(b"\n" + data):
        plain = m.group(3)
        if plain is not None:
            out.extend(_names(plain))
            continue
        base = _absolute(m.group(1).decode("ascii", "replace"), module, is_package)
        if base is None:
            continue
        out.append(base)
        out.extend(f"{base}.{name}" if base else name for name in _names(m.group(2)))
    return out


def _names(text: bytes) -> list[str]:
    """``a.b as c, d`` (parentheses, comments and ``;`` tails allowed) → ``["a.b", "d"]``."""
    text = _COMMENT.sub(b"", text).split(b";", 1)[0].strip(b" \t()")
    out = []
    for part in text.replace(b"\n", b" ").split(b","):
        words = part.split()
        if words and words[0] != b"*":
            out.append(words[0].strip(b"()").decode("ascii", "replace"))
    return out


def _absolute(base: str, module: str, is_package: bool) -> str | None:
    """``from <base> import``: the absolute module name (None above the top package)."""
    dots = len(base) - len(base.lstrip("."))
    if not dots:
        return base
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if dots - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (dots - 1)]
    rest = base[dots:]
    return ".".join(parts + ([rest] if rest else []))


class Closure:
    """The tree files reachable from a settings module, as Django would import them."""

    def __init__(self, layout: Layout, read: Callable[[str], bytes]) -> None:
        self.layout = layout
        self.read = read
        self.files: set[str] = set()
        self._candidates: dict[str, list[str]] = {}
        self._reached: dict[str, list[str]] = {}
        #: Bytes read while following imports (the reading stage reuses them).
        self.contents: dict[str, bytes] = {}

    def narrow(self, files: list[SourceFile], records: dict[str, FileRecord]) -> list[SourceFile]:
        """The files of the closure, and every models module (always parsed, so that an error
        there is reported); the others are recorded as not imported by the project."""
        inside = self.files | {f.relpath for f in files if is_models_module(f.relpath)}
        for f in files:
            if f.relpath not in inside:
                records[f.relpath].reason = OUTSIDE
        return [f for f in files if f.relpath in inside]

    def reader(self, read: Callable[[str], bytes]) -> Callable[[str], bytes]:
        """``read``, answering first (once) with the bytes read while following imports."""
        contents = self.contents

        def read_again(rel: str) -> bytes:
            data = contents.pop(rel, None)
            return read(rel) if data is None else data

        return read_again

    def add_module(self, name: str, near: str | None = None) -> str | None:
        """Reach the module ``name`` (and its packages) and its imports; its file, if any."""
        rel = None
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c imports a and a.b first
            found = self._lookup(".".join(parts[:i]), near)
            if found is not None:
                rel = found
                self._follow(found)
        return rel if rel is not None and self.layout.module_of[rel] == name else None

    def add_app(self, entry: str, near: str | None = None) -> None:
        """An ``INSTALLED_APPS`` entry: its package (or its AppConfig's module and package),
        and the package's ``apps`` and ``models`` modules."""
        package = entry
        if self.add_module(entry, near) is None and "." in entry:  # a.apps.Config
            module = entry.rsplit(".", 1)[0]
            self.add_module(module, near)
            package = module.rsplit(".", 1)[0] if module.endswith(".apps") else module
        for name in (package, f"{package}.apps", f"{package}.models"):
            self.add_module(name, near)

    def _lookup(self, name: str, near: str | None) -> str | None:
        """``Layout.lookup``, remembering each name's candidate files (names recur a lot)."""
        files = self._candidates.get(name)
        if files is None:
            files = self._candidates[name] = self.layout.candidates(name)
        if len(files) < 2:
            return files[0] if files else None
        return self.layout.lookup(name, near)

    def _reach(self, name: str, near: str) -> list[str]:
        """The files importing ``name`` from ``near`` loads (its packages first)."""
        known = self._reached.get(name)
        if known is not None:
            return known
        parts = name.split(".")
        rels, ambiguous = [], False
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            files = self._candidates.get(prefix)
            if files is None:
                files = self._candidates[prefix] = self.layout.candidates(prefix)
            if len(files) > 1:
                ambiguous = True
                rels.append(self.layout.lookup(prefix, near))
            elif files:
                rels.append(files[0])
        if not ambiguous:
            self._reached[name] = rels
        return rels

    def _follow(self, rel: str) -> None:
        todo = [rel]
        module_of, is_package = self.layout.module_of, self.layout.is_package
        while todo:
            rel = todo.pop()
            if rel in self.files:
                continue
            self.files.add(rel)
            try:
                data = self.read(rel)
            except OSError:
                continue  # the reading stage reports it
            self.contents[rel] = data
            for name in imported_names(data, module_of[rel], is_package(rel)):
                todo.extend(self._reach(name, rel))


def project_scope(
    index: ProjectIndex, hints: list[str], wanted: str | None, read: Callable[[str], bytes]
) -> Closure | None:
    """The closure of every settings module named by ``--settings`` (else by the entry points)
    that is a tree file, or None when there is none (then the whole tree is read)."""
    from djatlas.graph.apps import read_settings

    closure = Closure(index.layout, read)
    found = False
    for name in [wanted] if wanted else hints:
        rel = index.layout.lookup(name)
        if rel is None or index.load_path(rel) is None:
            continue
        settings = read_settings(index, [], name, [], None)
        if not settings.installed_apps:  # not evaluated statically: Django's view unknown
            return None
        found = True
        closure.add_module(name)
        for entry in settings.installed_apps:
            closure.add_app(entry, rel)
        if "." in settings.default_auto_field:
            closure.add_module(settings.default_auto_field.rsplit(".", 1)[0], rel)
    return closure if found else None


def in_project(
    files: list[SourceFile],
    read: Callable[[str], bytes],
    records: dict[str, FileRecord],
    index: ProjectIndex,
    hints: list[str],
    settings: str | None,
) -> tuple[list[SourceFile], Callable[[str], bytes]]:
    """``(files, read)`` narrowed to the project's import closure when there is one (the other
    files are recorded as not imported by the project), else unchanged."""
    closure = project_scope(index, hints, settings, read)
    if closure is None:
        return files, read
    return closure.narrow(files, records), closure.reader(read)
