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
from bisect import bisect_left
from collections.abc import Callable
from operator import itemgetter

from djatlas.discover.finder import is_models_module
from djatlas.rx import possessive

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from djatlas.discover.finder import FileRecord, SourceFile
    from djatlas.resolve.index import ProjectIndex
    from djatlas.resolve.layout import Layout

#: The reason given to the files outside the closure.
OUTSIDE = "not imported by the project"


#: One import statement's line from its indentation: ``from <base> import <names>`` or
#: ``<plain>`` (``import`` and what follows). A base's characters are listed (what ``[\w.]``
#: means in a bytes pattern): ``re`` tests a plain set of bytes faster than a category. The
#: repeats are possessive (``*+``) where giving back a byte could not make a match (what
#: follows each one cannot start with a byte it takes), which spares ``re`` its backtracking
#: bookkeeping (saleor's closure: ``import_statements`` 97.3M -> 93.4M instructions);
#: ``from[ \t]+`` stays greedy: ``from  import x`` matches by giving a blank back.
_IMPORT = possessive(
    rb"(?:from[ \t]+(\.*+[0-9A-Za-z_.]*+)[ \t]+import[ \t]*+(\([^)]*+\)|[^\n]*+)"
    rb"|(import[ \t]++[^\n]*+))"
)
_LINE = possessive(rb"[ \t]*+") + _IMPORT
#: ``_LINE`` or a PEP 810 ``lazy`` import (Python 3.15), an import like the others: tried only
#: on the lines where ``_LINE`` finds none and that start with the word (rare), as the prefix
#: would cost every line's match (saleor: +2.2M instructions).
_LAZY_LINE = possessive(rb"[ \t]*+(?:lazy[ \t]++)?+") + _IMPORT
#: One import statement, from a literal newline (``re`` would try a ``^``-anchored pattern at
#: every byte).
_STATEMENT = rb"\n" + _LINE
#: A run of statements on consecutive lines from a newline: ``findall`` gives each one's
#: ``(text, base, names, plain)`` (``b""`` for a part it lacks), then one tuple of empty parts
#: for the rest of the buffer, whatever it holds (``.+`` ends the search: no byte is tried
#: after the run, and the dot skips to the end at once).
_RUN = re.compile(rb"(" + _STATEMENT + rb")|(?s:.+)")
#: ``_RUN`` of ``_LAZY_LINE``, compiled when first used (``re``'s own cache: lazy imports are rare).
_LAZY_RUN = rb"(\n" + _LAZY_LINE + rb")|(?s:.+)"
_COMMENT = re.compile(rb"#[^\n]*")
_TEXT = itemgetter(0)  # a statement's text, in C (``map``)
#: The parts of one statement: its text, ``from`` base and names, or ``import ...`` text.
Parts = tuple[bytes, bytes, bytes, bytes]


def imported_names(data: bytes, module: str, is_package: bool, functions: bool = True) -> list[str]:
    """Dotted names an ``import`` line of ``data`` may load (``from a import b``: ``a`` and
    ``a.b``); relative imports resolved against ``module``. Without ``functions``, only those
    of the lines that run when the module is imported (``statements``)."""
    out: list[str] = []
    for parts in statements(data, functions)[0]:
        out.extend(statement_names(parts, module, is_package))
    return out


def import_statements(data: bytes) -> list[Parts]:
    """The matches of ``_STATEMENT`` in ``b"\n" + data`` (line continuations joined first), as
    ``(text, base, names, plain)`` (``b""`` for a group that did not match)."""
    return statements(data)[0]


def statements(data: bytes, functions: bool = True) -> tuple[list[Parts], bool]:
    """``import_statements``, and whether a ``;`` lies between the first one's start and the
    last one's end: the closure looks for one in each statement only then (a license header's
    ``;`` comes before: blueking-paas has one in 820 of the 829 files it reads). Without
    ``functions``, only the statements that run when the module is imported: not those in a
    function's body, but for an AppConfig's ``ready`` (``_Blocks``).

    Found from each literal ``import``: a match lies on lines holding one, so only their starts
    are tried (``re`` would try every newline: 8x the time on saleor). Statements come in runs
    on consecutive lines: a run is matched by one ``findall`` (``_RUN``), in C rather than a
    loop here, and gives each statement's parts at once (matching a text again costs more)."""
    if data.find(b"import") < 0:  # ``find``: faster than ``in`` (see ``Closure._statement``)
        return [], False
    if data.find(b"\\") >= 0 and data.find(b"\\\n") >= 0:  # memchr first: the pair is 7x slower
        data = data.replace(b"\\\n", b" ")
    find, rfind, run = data.find, data.rfind, _RUN.findall
    out: list[Parts] = []
    pos = 0  # where the last match ended: the next one starts at a newline from here
    begin = -1  # where the first match starts
    blocks: _Blocks | None = None  # the file's blocks, once an indented statement comes
    i = find(b"import")
    if rfind(b"\n", 0, i) < 0:  # on the first line (``data`` is not copied behind a newline)
        first = (_FIRST or _first()).match(data)
        if first is None and data[:i].lstrip(b" \t").startswith(b"lazy"):
            first = re.match(_LAZY_LINE, data)
        if first is not None:
            out.append((b"\n" + first[0], *first.groups(b"")))
            pos, begin = first.end(), 0
            i = find(b"import", pos)
    while i >= 0:
        start = rfind(b"\n", pos, i)
        found = run(data, start) if start >= 0 else None
        if found and not found[-1][0]:
            found.pop()  # the rest of the buffer
        if not found and start >= 0 and data[start + 1 : i].lstrip(b" \t").startswith(b"lazy"):
            found = re.compile(_LAZY_RUN).findall(data, start)
            if found and not found[-1][0]:
                found.pop()
        if found:
            # the run is contiguous: its end is its texts' joined length (a join costs less than
            # ``sum(map(len, ...))``: closure saleor 173.5M -> 173.0M, blueking-paas 94.2M -> 93.6M)
            pos = start + len(b"".join(map(_TEXT, found)))
            if begin < 0:
                begin = start
            if not functions and (found[0][0][1] in _BLANKS or found[-1][0][1] in _BLANKS):
                blocks = blocks or _Blocks(data)
                found = blocks.on_import(start, found)
            out += found
            i = find(b"import", pos)
        else:  # no statement starts on this line: go to the next one
            i = find(b"\n", i)
            if i >= 0:
                i = find(b"import", i)
    return out, begin >= 0 and data.find(b";", begin, pos) >= 0


#: A space and a tab: a statement's text whose second byte is one (after its newline) is
#: indented (in a block: a function's body, or a module-level ``if``/``try``/class body).
_BLANKS = (32, 9)
#: By indentation width: the start of a statement's line at most that indented (not a blank
#: line, a comment, or a closing bracket, as a multi-line header's ``) -> T:`` line).
_DEDENTS: dict[int, re.Pattern] = {}
#: From a line's start, the lines that open a block whose statements do not run when the
#: module is imported, by the word looked for: a function's header (its indentation, the word,
#: its name), ``if TYPE_CHECKING:`` (its indentation, the word, no name: empty).
_OPENERS = (
    (b"def", re.compile(rb"([ \t]*)(?:async[ \t]+)?(def)[ \t]+([0-9A-Za-z_]*)")),
    (b"TYPE_CHECKING", re.compile(rb"([ \t]*)if[ \t]+(?:typing\.)?(TYPE_CHECKING)[ \t]*:()")),
)


#: How many lines holding the word ``_Blocks`` looks at from a statement up before indexing the
#: file's openers once (a search per statement through a long class's methods is quadratic).
_TRIES = 32


def _openers_of(
    data: bytes, word: bytes, opener: re.Pattern
) -> dict[int, tuple[list[int], list[bytes]]]:
    """Every line of ``data`` that ``opener`` matches, found by its ``word``: by indentation,
    (each line's newline, a function's name), in the order of the file."""
    out: dict[int, tuple[list[int], list[bytes]]] = {}
    i = data.find(word)
    while i >= 0:
        line = data.rfind(b"\n", 0, i)
        head = opener.match(data, line + 1)
        if head is not None and head.start(2) == i:
            lines, names = out.setdefault(len(head[1]), ([], []))
            lines.append(line)
            names.append(head[3])
        nxt = data.find(b"\n", i)
        i = data.find(word, nxt) if nxt >= 0 else -1
    return out


class _Blocks:
    """Tells an indented import statement of a file that runs when the module is imported (in
    a module-level ``if``/``try``/``with`` block or a class body) from one in a function's body,
    which runs when the function is called, or under ``if TYPE_CHECKING:``, never: Django's
    setup imports the installed apps' modules and runs each AppConfig's ``ready``, so a
    ``ready`` method's imports count, and a module imported only by other functions is not
    imported by the project (a model defined there is not registered by ``django.setup()``).

    The blocks are found from the statement up (``rfind``, in C): the nearest ``def`` (then
    ``if TYPE_CHECKING:``) line less indented, then whether a line as little indented comes
    between (the block ended there). A text heuristic: a line of a multi-line string read as a
    statement ends a block early, so the statement counts (an import too many, never one too
    few)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        #: By word, once a search went through many lines holding it that open no block less
        #: indented (a long class's methods above a module-level ``try``): each indentation's
        #: openers, (line's newline, name) by position (``_indexed``).
        self._index: dict[bytes, dict[int, tuple[list[int], list[bytes]]]] = {}
        #: By an opener's line: where the first line as little indented after it starts (the
        #: block's end; the file's length when none), found once per block (``_ended``).
        self._ends: dict[int, int] = {}

    def on_import(self, start: int, run: list[Parts]) -> list[Parts]:
        """The statements of ``run`` (consecutive lines from the newline at ``start``) that run
        when the module is imported."""
        out = []
        for parts in run:
            text = parts[0]
            width = len(text) - len(text[1:].lstrip(b" \t")) - 1
            if not width or self.runs(start, width):
                out.append(parts)
            start += len(text)
        return out

    def runs(self, at: int, width: int) -> bool:
        """Whether the statement on the line from newline ``at``, indented ``width``, runs when
        the module is imported: in no function's body (nor ``TYPE_CHECKING`` block), or in a
        ``ready`` method's."""
        for word, opener in _OPENERS:
            end, limit = at, width
            while limit:
                found = self._opener(word, opener, end, limit)
                if found is None:
                    break
                end, indent, name = found
                if not self._ended(end, indent, at):  # the block holds the statement
                    return name == b"ready"
                limit = indent  # it ended: only a block less indented may hold the statement
        return True

    def _opener(
        self, word: bytes, opener: re.Pattern, end: int, limit: int
    ) -> tuple[int, int, bytes] | None:
        """(its line's newline, its indentation, a function's name) of the nearest line before
        ``end`` that ``opener`` matches, indented less than ``limit``, found by its ``word``."""
        if word in self._index:
            return self._indexed(self._index[word], end, limit)
        data = self.data
        i = data.rfind(word, 0, end)
        tries = 0
        while i >= 0:
            line = data.rfind(b"\n", 0, i)
            head = opener.match(data, line + 1)
            if head is not None and head.start(2) == i and len(head[1]) < limit:
                return line, len(head[1]), head[3]
            tries += 1
            if tries > _TRIES:  # many lines to go through, maybe for each statement: index them
                self._index[word] = _openers_of(data, word, opener)
                return self._indexed(self._index[word], end, limit)
            i = data.rfind(word, 0, line) if line > 0 else -1
        return None

    @staticmethod
    def _indexed(
        index: dict[int, tuple[list[int], list[bytes]]], end: int, limit: int
    ) -> tuple[int, int, bytes] | None:
        """``_opener``'s answer from the file's openers by indentation: the nearest one before
        ``end`` among those indented less than ``limit`` (one bisection per indentation)."""
        best: tuple[int, int, bytes] | None = None
        for indent, (lines, names) in index.items():
            if indent >= limit:
                continue
            k = bisect_left(lines, end) - 1
            if k >= 0 and (best is None or lines[k] > best[0]):
                best = (lines[k], indent, names[k])
        return best

    def _ended(self, head: int, indent: int, at: int) -> bool:
        """Whether a statement's line at most ``indent`` indented comes between the block opened
        on the line from newline ``head`` and newline ``at`` (the block's end found once: a
        long function holding many imports is searched once, not up to each)."""
        end = self._ends.get(head)
        if end is None:
            dedent = _DEDENTS.get(indent)
            if dedent is None:
                pattern = rb"\n[ \t]{0,%d}[^ \t\r\n#)\]}]" % indent
                dedent = _DEDENTS[indent] = re.compile(pattern)
            found = dedent.search(self.data, head + 1)
            end = self._ends[head] = found.start() if found is not None else len(self.data)
        return end < at


#: ``_LINE`` compiled, when a first file has an import on its first line: not at start-up (a
#: process that reads none does not pay), and not by ``re.match`` each time (saleor: 950 of
#: the closure's 1046 files, each paying ``re``'s cache lookup; ``statements`` in its closure
#: 92.1M -> 89.6M instructions).
_FIRST: re.Pattern | None = None


def _first() -> re.Pattern:
    global _FIRST
    _FIRST = re.compile(_LINE)
    return _FIRST


def statement_names(parts: Parts, module: str, is_package: bool) -> list[str]:
    """The dotted names one ``import_statements`` statement may load, with those of further
    imports after a ``;`` on its line."""
    text, base, names, plain = parts
    later = _after_semicolon(plain or names, module, is_package)
    if plain:
        return _names(plain[6:]) + later
    found = absolute(base.decode("ascii", "replace"), package_of(module, is_package))
    if found is None:
        return later
    return [found] + [f"{found}.{word}" if found else word for word in _names(names)] + later


def _after_semicolon(text: bytes, module: str, is_package: bool) -> list[str]:
    """What further imports on the same line load (``import e; import f``)."""
    if b";" not in text:
        return []
    tail = text.split(b"#", 1)[0].split(b";", 1)[1] if b"#" in text else text.split(b";", 1)[1]
    out: list[str] = []
    for parts in import_statements(tail):
        out.extend(statement_names(parts, module, is_package))
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
        #: Names whose files (their packages' first) are queued or read: importing them again
        #: adds nothing (what names an ambiguous module, ``Layout.lookup`` picking by the
        #: importer, never is).
        self._done: set[str] = set()
        #: Import statements (by text) whose names are all ``_done``, in the whole tree (a
        #: relative one is remembered per package, in ``_Package.seen``), and ``from`` imports
        #: by absolute module and names' text (the same import written relatively in several
        #: packages is resolved once).
        self._seen: set[bytes] = set()
        self._packages: dict[str, _Package] = {}
        self._from: set[tuple[str, bytes]] = set()
        self._words: dict[bytes, list[str]] = {}  # ``_names``' answers for ``from`` imports
        #: Bytes read while following imports (the reading stage reuses them).
        self.contents: dict[str, bytes] = {}
        #: The submodules ``autodiscover_modules(...)`` imports from every installed app,
        #: called where it runs at setup (``autodiscovered``), in the order first seen.
        self.discovered: list[str] = []

    def narrow(self, files: list[SourceFile], records: dict[str, FileRecord]) -> list[SourceFile]:
        """The files of the closure, and every models module (always parsed, so that an error
        there is reported); the others are recorded as not imported by the project."""
        inside, kept = self.files, []
        for f in files:  # one pass; ``is_models_module`` only for paths naming ``models``
            rel = f.relpath
            if rel in inside or ("models" in rel and is_models_module(rel)):
                kept.append(f)
            else:
                records[rel].reason = OUTSIDE
        return kept

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

    def add_app(self, entry: str, near: str | None = None, more: tuple[str, ...] = ()) -> None:
        """An ``INSTALLED_APPS`` entry: its package (or its AppConfig's module and package),
        the package's ``apps`` and ``models`` modules, and its ``more`` submodules (those an
        installed app's ``ready`` imports from every app: ``autodiscover``'s)."""
        package = entry
        if self.add_module(entry, near) is None and "." in entry:  # a.apps.Config
            module = entry.rsplit(".", 1)[0]
            self.add_module(module, near)
            package = module.rsplit(".", 1)[0] if module.endswith(".apps") else module
        for name in (package, f"{package}.apps", f"{package}.models"):
            self.add_module(name, near)
        for name in more:
            self.add_module(f"{package}.{name}", near)

    def _lookup(self, name: str, near: str | None) -> str | None:
        """``Layout.lookup``, remembering each name's candidate files (names recur a lot)."""
        files = self._candidates.get(name)
        if files is None:
            files = self._candidates[name] = self.layout.candidates(name)
        if len(files) < 2:
            return files[0] if files else None
        return self.layout.lookup(name, near)

    def _reach(self, name: str, near: str, out: list[str]) -> bool:
        """Queue on ``out`` the files importing ``name`` from ``near`` loads that are not on
        the way yet (its parent package's, then its own); whether they no longer depend on
        ``near``."""
        if name in self._done:
            return True
        parent, dot, _ = name.rpartition(".")
        clear = parent in self._done or self._reach(parent, near, out) if dot else True
        files = self._candidates.get(name)
        if files is None:
            files = self._candidates[name] = self.layout.candidates(name)
        if len(files) > 1:
            clear = False
            out.append(self.layout.lookup(name, near))
        elif files:
            out.append(files[0])
        if clear:
            self._done.add(name)
        return clear

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
            imports(data, rel, todo)
            if data.find(b"autodiscover_modules") >= 0:
                self._autodiscovered(data, rel)

    def _autodiscovered(self, data: bytes, rel: str) -> None:
        """Remember the submodules an ``autodiscover_modules("signals", ...)`` call of ``rel``
        imports from every installed app, if it runs at setup: in an ``apps`` module (an
        AppConfig's ``ready`` and the methods it calls), or at module level elsewhere."""
        in_apps = self.layout.module_of[rel].rpartition(".")[2] == "apps"
        for indent, args in _AUTODISCOVER.findall(data):
            if indent and not in_apps:
                continue  # in a function's body (or a block: not told apart here)
            for name in _LITERAL_NAME.findall(args.partition(b"register_to")[0]):
                found = name.decode()
                if found not in self.discovered:
                    self.discovered.append(found)

    def _imports(self, data: bytes, rel: str, out: list[str]) -> None:
        """Queue on ``out`` the files the import statements of ``rel`` (its bytes ``data``)
        load. Most statements recur: one seen before (in the whole tree, or in ``rel``'s
        package for a relative one) whose files are on the way is skipped.

        ``from`` imports (most statements) are resolved here, inline: a relative base from
        its package's prefixes (``_Package``), and the common case, a module without
        submodules (``_from_import``'s first case), without a call to ``_from_import``
        (saleor's closure: 177.2M -> 174.2M instructions, blueking-paas 96.4M -> 94.6M)."""
        module = self.layout.module_of[rel]
        package = package_of(module, self.layout.is_package(rel))
        where = self._packages.get(package)
        if where is None:
            where = self._packages[package] = _Package(package)
        seen, here, done = self._seen, where.seen, self._done
        prefixes, above = where.prefixes, len(where.prefixes)
        kids = self.layout.children_index()
        # An ``apps`` module's functions count: an AppConfig's methods that ``ready`` calls.
        found, semi = statements(data, module.rpartition(".")[2] == "apps")
        for text, base, names, plain in found:
            if text in seen or text in here:
                continue
            if not base or (semi and text.find(b";") >= 0):  # ``import ...``, or after a ";"
                self._statement((text, base, names, plain), where, rel, out)
                continue
            if base[0] != 46:  # absolute (46: "."; a base is ASCII: ``[\w.]``)
                module, remember = base.decode(), seen
            else:
                rest = base.lstrip(b".")
                up = len(base) - len(rest)  # 1: this package
                if up > above:  # above the top package: nothing
                    here.add(text)
                    continue
                module = prefixes[up - 1] + rest.decode() if rest else where.bare[up - 1]
                remember = here
            # ``partition`` (one argument) costs less than ``find``, which parses a tuple of them
            # (with the ``;`` looked for only in a file that may have one: saleor's closure
            # 184.1M -> 177.2M instructions, blueking-paas 97.9M -> 96.4M)
            if module and module not in kids and not names.partition(b".")[1]:
                if module in done or self._reach(module, rel, out):
                    remember.add(text)
            elif self._from_import(module, names, rel, out):
                remember.add(text)

    def _statement(self, parts: Parts, where: _Package, rel: str, out: list[str]) -> None:
        """Queue on ``out`` the files an ``import`` statement of ``rel`` (in package
        ``where``), or one with more statements after a ``;`` (rare, maybe relative), loads;
        the statement is remembered as done (in the package for the latter) unless what it
        names is ambiguous."""
        text, _, _, plain = parts
        if text.find(b";") >= 0:
            module, is_package = self.layout.module_of[rel], self.layout.is_package(rel)
            if self._reach_all(statement_names(parts, module, is_package), rel, out):
                where.seen.add(text)
        elif self._reach_all(_names(plain[6:]), rel, out):
            self._seen.add(text)

    def _from_import(self, module: str, names: bytes, rel: str, out: list[str]) -> bool:
        """``from <module> import <names>``: queue the files of ``module`` and of the names
        that are its submodules (``Layout.children``; the text is split only when there are
        some); whether that no longer depends on ``rel``."""
        kids = self.layout.children(module) if module else None
        if kids is not None and not kids and not names.partition(b".")[1]:
            return module in self._done or self._reach(module, rel, out)
        key = (module, names)
        if key in self._from:
            return True
        words = self._words.get(names)
        if words is None:
            words = self._words[names] = _names(names)
        if kids is not None:
            words = [w for w in words if w in kids or "." in w]
        dotted = [module] + [f"{module}.{w}" if module else w for w in words]
        if not self._reach_all(dotted, rel, out):
            return False
        self._from.add(key)
        return True

    def _reach_all(self, names: list[str], rel: str, out: list[str]) -> bool:
        """``_reach`` of each name (all of them, even after an ambiguous one)."""
        clear, done = True, self._done
        for name in names:  # (a reached name, most of them, without the call)
            if name not in done:
                clear = self._reach(name, rel, out) and clear
        return clear


class _Package:
    """What the closure remembers per package: the relative statements done there, and the
    module name prefixes relative bases start from."""

    __slots__ = ("seen", "prefixes", "bare")

    def __init__(self, name: str) -> None:
        self.seen: set[bytes] = set()
        parts = name.split(".") if name else []
        #: By the number of dots less one: the package ``from <dots>`` names, without and
        #: with a trailing dot (``""`` at the top: ``from ..x`` in ``a.b`` is ``x``).
        self.bare = [".".join(parts[: len(parts) - up]) for up in range(len(parts) + 1)]
        self.prefixes = [f"{bare}." if bare else "" for bare in self.bare]


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
        # the children's index, which the closure needs, made before the settings are read:
        # their look-ups use it too, instead of finding a name's children alone
        # (``Layout.children``: netbox made both)
        index.layout.children_index()
        settings = read_settings(index, [], name, [], None)
        if not settings.installed_apps:  # not evaluated statically: Django's view unknown
            return None
        found = True
        closure.add_module(name)
        more = autodiscover(settings.installed_apps)
        for entry in settings.installed_apps:
            closure.add_app(entry, rel, more)
        _add_discovered(closure, settings.installed_apps, rel, set(more))
        if "." in settings.default_auto_field:
            closure.add_module(settings.default_auto_field.rsplit(".", 1)[0], rel)
    return closure if found else None


#: An ``autodiscover_modules(...)`` call (Django's ``module_loading``): its line's indent and
#: its arguments (to the first closing bracket: literal names hold none).
_AUTODISCOVER = re.compile(rb"(?m)^([ \t]*)(?:[\w.]+\.)?autodiscover_modules\(([^)]*)\)")
_LITERAL_NAME = re.compile(rb"""[rRuU]?["']([A-Za-z_][\w.]*)["']""")


def autodiscover(installed_apps: list[str]) -> tuple[str, ...]:
    """The submodules of every installed app that an installed app's ``ready`` imports:
    ``admin`` when the admin's AppConfig is ``AdminConfig`` (``django.contrib.admin``, or an
    AppConfig named like a subclass of it), not ``SimpleAdminConfig``: its ``ready`` calls
    ``admin.autodiscover()``, so a model (a proxy, most often) defined in an ``admin`` module is
    registered by ``django.setup()``; ``translation`` with django-modeltranslation, whose
    ``ready`` imports every app's (where it registers the fields it adds to models)."""
    found = []
    for entry in installed_apps:
        if entry == "django.contrib.admin" or (
            entry.endswith("AdminConfig") and not entry.endswith("SimpleAdminConfig")
        ):
            found.append("admin")
        elif entry.partition(".")[0] == "modeltranslation":
            found.append("translation")
    return tuple(dict.fromkeys(found))


def _add_discovered(closure: Closure, installed: list[str], near: str, done: set[str]) -> None:
    """Every installed app's submodules the closure's ``autodiscover_modules`` calls import
    (until the modules they bring call no other)."""
    while True:
        new = tuple(n for n in closure.discovered if n not in done)
        if not new:
            return
        done.update(new)
        for entry in installed:
            closure.add_app(entry, near, new)


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
