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

from djatlas.discover.finder import is_models_module

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
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
    out: list[str] = []
    for m in import_statements(data):
        out.extend(statement_names(m, module, is_package))
    return out


def import_statements(data: bytes) -> list[re.Match[bytes]]:
    """The matches of ``_IMPORT.finditer(b"\n" + data)`` (line continuations joined first).

    Found from each literal ``import``: a match lies on lines holding one, so only their starts
    are tried (``re`` would try every newline: 8x the time on saleor)."""
    if data.find(b"import") < 0:  # ``find``: faster than ``in`` (see ``Closure._statement``)
        return []
    if data.find(b"\\") >= 0 and data.find(b"\\\n") >= 0:  # memchr first: the pair is 7x slower
        data = data.replace(b"\\\n", b" ")
    buf = b"\n" + data
    find, rfind, match = buf.find, buf.rfind, _IMPORT.match
    out = []
    pos = 0  # where the last match ended: the next one starts at a newline from here
    i = find(b"import")
    while i >= 0:
        start = rfind(b"\n", pos, i)
        m = match(buf, start) if start >= 0 else None
        if m is not None:
            out.append(m)
            pos = m.end()
            i = find(b"import", pos)
        else:  # no statement starts on this line: go to the next one
            i = find(b"\n", i)
            if i >= 0:
                i = find(b"import", i)
    return out


def statement_names(
    m: re.Match[bytes], module: str, is_package: bool, keep: Callable[[str], bool] | None = None
) -> list[str]:
    """The dotted names one ``import_statements`` match may load, with those of further imports
    after a ``;`` on its line. ``keep`` filters the ``b`` of ``from a import b`` (``a`` itself
    is always there)."""
    plain = m.group(3)
    text = plain if plain is not None else m.group(2)
    later = _after_semicolon(text, module, is_package, keep)
    if plain is not None:
        return _names(plain) + later
    base = absolute(m.group(1).decode("ascii", "replace"), package_of(module, is_package))
    if base is None:
        return later
    words = _names(text)
    if keep is not None:
        words = [w for w in words if keep(w)]
    return [base] + [f"{base}.{word}" if base else word for word in words] + later


def _after_semicolon(
    text: bytes, module: str, is_package: bool, keep: Callable[[str], bool] | None
) -> list[str]:
    """What further imports on the same line load (``import e; import f``)."""
    if b";" not in text:
        return []
    tail = text.split(b"#", 1)[0].split(b";", 1)[1] if b"#" in text else text.split(b";", 1)[1]
    out: list[str] = []
    for m in import_statements(tail):
        out.extend(statement_names(m, module, is_package, keep))
    return out


def _names(text: bytes) -> list[str]:
    """``a.b as c, d`` (parentheses, comments and ``;`` tails allowed) → ``["a.b", "d"]``."""
    if text.find(b"#") >= 0:  # ``find``: faster than ``in`` (see ``_statement``)
        text = _COMMENT.sub(b"", text)
    if text.find(b";") >= 0:
        text = text.split(b";", 1)[0]
    out = []
    for part in text.strip(b" \t()").split(b","):
        words = part.split(None, 1)  # the first word (newlines are whitespace too)
        if words and words[0] != b"*":
            out.append(words[0].strip(b"()").decode("ascii", "replace"))
    return out


def package_of(module: str, is_package: bool) -> str:
    """The package relative imports of ``module`` start from ("" for a top-level module)."""
    return module if is_package else module.rpartition(".")[0]


def absolute(base: str, package: str) -> str | None:
    """``from <base> import`` in ``package``: the absolute module name (None above the top
    package)."""
    dots = len(base) - len(base.lstrip("."))
    if not dots:
        return base
    parts = package.split(".") if package else []
    if dots - 1 > len(parts):
        return None
    rest = base[dots:]
    return ".".join(parts[: len(parts) - (dots - 1)] + ([rest] if rest else []))


class Closure:
    """The tree files reachable from a settings module, as Django would import them."""

    def __init__(
        self,
        layout: Layout,
        read: Callable[[str], bytes],
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.layout = layout
        self.read = read
        #: Called with each file read (``examining.Examiner.send``).
        self.notify = notify
        self.files: set[str] = set()
        self._candidates: dict[str, list[str]] = {}
        self._reached: dict[str, list[str]] = {}
        #: An import statement's files, by its text: in the whole tree, or per package
        #: (relative ones), and a ``from`` import's by its absolute module and names' text.
        self._statements: dict[bytes, list[str]] = {}
        self._in_package: dict[str, dict[bytes, list[str]]] = {}
        self._from: dict[tuple[str, bytes], list[str]] = {}
        self._bases: dict[tuple[bytes, str], str | None] = {}  # ``absolute``'s answers
        self._imported: dict[bytes, list[str]] = {}  # ``_words``'s answers
        self._stems: set[str] | None = None  # ``Layout.stems``, once there is a ``from`` import
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
        """The files importing ``name`` from ``near`` loads (its packages first): its parent
        package's, then its own."""
        known = self._reached.get(name)
        if known is not None:
            return known
        parent, dot, _ = name.rpartition(".")
        rels = list(self._reach(parent, near)) if dot else []
        ambiguous = bool(dot) and parent not in self._reached
        files = self._candidates.get(name)
        if files is None:
            files = self._candidates[name] = self.layout.candidates(name)
        if len(files) > 1:
            ambiguous = True
            rels.append(self.layout.lookup(name, near))
        elif files:
            rels.append(files[0])
        if not ambiguous:
            self._reached[name] = rels
        return rels

    def _follow(self, rel: str) -> None:
        todo = [rel]
        files, contents, read, imports = self.files, self.contents, self.read, self._imports
        notify = self.notify
        while todo:
            rel = todo.pop()
            if rel in files:
                continue
            files.add(rel)
            try:
                data = read(rel)
            except OSError:
                continue  # the reading stage reports it
            contents[rel] = data
            if notify is not None:
                notify(rel)
            todo.extend(imports(data, rel))

    def _imports(self, data: bytes, rel: str) -> list[str]:
        """The files the import statements of ``rel`` (its bytes ``data``) load. A statement's
        files are remembered by its text (most recur): in the whole tree, or in ``rel``'s
        package for a relative one."""
        out: list[str] = []
        package = package_of(self.layout.module_of[rel], self.layout.is_package(rel))
        known = self._statements
        here = self._in_package.get(package)
        if here is None:
            here = self._in_package[package] = {}
        for m in import_statements(data):
            text = m.group(0)
            rels = known.get(text)
            if rels is None:
                rels = here.get(text)
                if rels is None:
                    rels = self._statement(m, package, rel)
            out.extend(rels)
        return out

    def _statement(self, m: re.Match[bytes], package: str, rel: str) -> list[str]:
        """The files one statement of ``rel`` (in ``package``) loads, remembered under its text
        (in the package when it may hold a relative import). A ``from`` import is remembered
        by its absolute module and the text of the names it imports too, so that the same
        import written relatively in several packages is resolved once. What names an
        ambiguous module (several files: ``Layout.lookup`` picks by ``rel``) is not."""
        text, base, names, plain = m.group(0, 1, 2, 3)
        # ``bytes.find``, not ``in``: ``in`` first tries the needle as an int (a TypeError)
        semicolon = text.find(b";") >= 0
        remember = self._in_package[package] if semicolon else self._statements
        if semicolon:  # more statements after a ";" (rare), maybe relative
            module, is_package = self.layout.module_of[rel], self.layout.is_package(rel)
            dotted = statement_names(m, module, is_package, self._may_be_module)
        elif plain is not None:
            dotted = _names(plain)
        else:
            relative = base[:1] == b"."
            absolute = (
                self._absolute(base, package) if relative else base.decode("ascii", "replace")
            )
            if absolute is None:  # above the top package
                self._in_package[package][text] = []
                return []
            if relative:
                remember = self._in_package[package]
            found = self._from.get((absolute, names))
            if found is not None:
                remember[text] = found
                return found
            words = self._words(names)
            dotted = [absolute] + [f"{absolute}.{w}" if absolute else w for w in words]
        rels: list[str] = []
        ambiguous = False
        for name in dotted:
            rels.extend(self._reach(name, rel))
            ambiguous = ambiguous or name not in self._reached
        if not ambiguous:
            remember[text] = rels
            if not semicolon and plain is None:
                self._from[(absolute, names)] = rels
        return rels

    def _absolute(self, base: bytes, package: str) -> str | None:
        """``absolute`` of a relative ``base`` in ``package``, remembered: the pairs recur."""
        key = (base, package)
        if key not in self._bases:
            self._bases[key] = absolute(base.decode("ascii", "replace"), package)
        return self._bases[key]

    def _words(self, names: bytes) -> list[str]:
        """The names of ``from a import <names>`` that may be modules (``_may_be_module``)."""
        words = self._imported.get(names)
        if words is None:
            keep = self._may_be_module
            words = self._imported[names] = [w for w in _names(names) if keep(w)]
        return words

    def _may_be_module(self, word: str) -> bool:
        """Whether ``b`` of ``from a import b`` may name a file: a ``b`` no module name ends
        with reaches only what ``a`` reaches."""
        if self._stems is None:
            self._stems = self.layout.stems()
        return word in self._stems or "." in word


def project_scope(
    index: ProjectIndex,
    hints: list[str],
    wanted: str | None,
    read: Callable[[str], bytes],
    notify: Callable[[str], None] | None = None,
) -> Closure | None:
    """The closure of every settings module named by ``--settings`` (else by the entry points)
    that is a tree file, or None when there is none (then the whole tree is read). ``notify``
    is called with each file it reads."""
    from djatlas.graph.apps import read_settings

    closure = Closure(index.layout, read, notify)
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
    notify: Callable[[str], None] | None = None,
) -> tuple[list[SourceFile], Callable[[str], bytes]]:
    """``(files, read)`` narrowed to the project's import closure when there is one (the other
    files are recorded as not imported by the project), else unchanged. ``notify`` is called
    with each file the closure reads."""
    closure = project_scope(index, hints, settings, read, notify)
    if closure is None:
        return files, read
    return closure.narrow(files, records), closure.reader(read)
