"""Per-file name scoping for the pre-filter: what a base name of ``class A(B):`` means in A's file.

The pre-filter's name graph is global: ``class A(B)`` reaches ``Model`` when any class or alias
named ``B`` anywhere does. Python looks ``B`` up in A's module globals when a module-level
``class`` statement runs, so when the file binds ``B`` only by module-level classes defined
before ``A``, by ``from m import B`` or by star imports, ``B`` means one of those. This module
finds a name's binding sites in one file's text (strings and comments blanked first, so
brackets and keywords are real), statement by statement of the logical lines that mention it.

It stays an over-approximation: any binding it cannot classify (an assignment, a nested or
conditional class, ``import b as B``, ``global``, a loop target, a match pattern, ``globals()``
or ``exec`` in the file) makes the caller fall back to the global name graph.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from djatlas.rx import possessive

#: Comments and strings (any prefix: only the quotes matter), removed: what is left is code, so
#: brackets and keywords are real. One constant replacement: ``re`` expands no template per match.
#: A string's body is "unrolled": runs of plain bytes counted at once (possessive), an escape
#: or a lone quote between them, rather than one alternation per byte (the same matches: the
#: items cannot overlap, so backtracking into them could never end the string elsewhere;
#: netbox's files: 1245M -> 621M instructions).
_STRIP = re.compile(
    possessive(
        rb"#[^\n]*"
        rb"|'''[^'\\]*+(?:(?:\\.|'(?!''))[^'\\]*+)*+'''"
        rb'|"""[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+"""'
        rb"|'[^'\\\n]*+(?:\\.[^'\\\n]*+)*+'"
        rb'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
    ),
    re.S,
)
_TOKEN = re.compile(
    rb"[\w\x80-\xff]+|:=|==|!=|<=|>=|->|\*\*=|//=|>>=|<<=|\*\*|//|>>|<<|[-+*/%&|^@]=|\S"
)
#: Module-level ``class`` statements (a class statement always starts its logical line).
_CLASS = re.compile(rb"\n([ \t\x0c]*)class[ \t]+([\w\x80-\xff]+)")
_STAR = re.compile(rb"import[ \t]*\(?[ \t]*\*")
#: Every byte but a bracket (``_balanced`` deletes them with ``bytes.translate``).
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"()[]{}")
#: Ways to bind module globals that no statement shows. This pattern and ``_ALL``'s are
#: compiled on first use (``re``'s cache): most scans need neither (start-up, ~0.4 ms).
_DYNAMIC = rb"\b(?:globals|exec|modules)\b|\bvars[ \t]*\([ \t]*\)|\ndef[ \t]+__getattr__\b"
_DYNAMIC_WORDS = (b"globals", b"exec", b"modules", b"vars", b"__getattr__")
#: ``__all__ = ("a", "b")`` at module level, strings only (read from the file's own bytes).
_ALL = (
    rb"\n__all__[ \t]*=[ \t]*[\[(]((?:\s|#[^\n]*|,|'[\w.]*'|\"[\w.]*\")*)[\])][ \t]*(?:#[^\n]*)?\n"
)
_ALL_NAME = rb"['\"]([\w.]*)['\"]"
_OPEN = frozenset((b"(", b"[", b"{"))
_CLOSE = frozenset((b")", b"]", b"}"))
_COMPOUND = frozenset(
    (b"if", b"elif", b"else", b"while", b"for", b"try", b"except", b"finally", b"with")
    + (b"def", b"class", b"async", b"case")
)
_AUGMENTED = frozenset(
    (b"+=", b"-=", b"*=", b"/=", b"//=", b"%=", b"@=", b"&=", b"|=", b"^=", b">>=", b"<<=")
    + (b"**=",)
)
#: Binding kinds: a module-level class, ``from m import n``, ``from m import *``, anything else.
CLASS, FROM, STAR, OTHER = "class", "from", "star", "other"


class Site:
    """One binding of a name: ``kind``, where its logical line starts, and what it binds to
    (the class's base parts for CLASS, ``(module, name)`` for FROM, the module for STAR)."""

    __slots__ = ("kind", "pos", "value", "final")

    def __init__(self, kind: str, pos: int, value: object = None, final: bool = False) -> None:
        self.kind, self.pos, self.value = kind, pos, value
        #: Unconditional at module level: it replaces every binding before it.
        self.final = final


class FileScope:
    """The binding sites of names in one file, found on demand."""

    def __init__(self, data: bytes) -> None:
        if data.find(b"\r") >= 0:  # Python ends a line at "\r" too
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        self.data = data
        self._code: bytes | None = None
        self.dynamic = False
        #: Positions and the bracket depth there, ascending (``_line_start`` starts from one).
        self._marks, self._depths = [0], [0]
        self._lines: dict[int, list[Site]] = {}
        self._stars: list[Site] | None = None

    @property
    def code(self) -> bytes:
        """The text without comments and strings, continuation lines joined, after a newline
        (made on first use: ``exports`` of a star import's module often needs none)."""
        code = self._code
        if code is None:
            code = b"\n" + _STRIP.sub(b"", self.data)
            if code.find(b"\\") >= 0:
                code = code.replace(b"\\\n", b" ")
            self._code = code
            # Unbalanced brackets (a syntax error) would make every logical line wrong.
            self.dynamic = not _balanced(code) or (
                any(code.find(word) >= 0 for word in _DYNAMIC_WORDS)
                and re.search(_DYNAMIC, code) is not None
            )
        return code

    def classes(self) -> list[tuple[int, bool, list[list[bytes]] | None, list[bytes]]]:
        """Every class statement: (position, at module level, base parts, header tokens)."""
        out = []
        for m in _CLASS.finditer(self.code):
            start = m.start() + 1
            tokens = self._tokens(start)
            out.append((start, not m.group(1).strip(b"\x0c"), base_parts(tokens), tokens))
        return out

    def sites(self, name: bytes) -> list[Site] | None:
        """Where ``name`` is bound at module level (star imports bind any name), or None when
        some binding cannot be classified."""
        code = self.code
        if self.dynamic:
            return None
        out: list[Site] = []
        seen: set[int] = set()
        for at in _words(code, name):
            start = self._line_start(at)
            if start in seen:
                continue
            seen.add(start)
            for site_name, site in self._line_sites(start):
                if site_name == name:
                    if site.kind == OTHER:
                        return None
                    out.append(site)
        out.extend(self._star_sites())
        return out

    def exports(self) -> set[bytes] | None:
        """The names of a plain ``__all__`` (what ``import *`` takes), or None."""
        if len(_words(self.data, b"__all__")) != 1:  # none, several, or one in a string
            return None
        m = re.search(_ALL, b"\n" + self.data + b"\n")
        if m is None:
            return None
        return set(re.findall(_ALL_NAME, re.sub(rb"#[^\n]*", b"", m.group(1))))

    def _star_sites(self) -> list[Site]:
        if self._stars is None:
            self._stars = []
            for at in _words(self.code, b"import"):
                if _STAR.match(self.code, at) is None:
                    continue
                for _, site in self._line_sites(self._line_start(at)):
                    if site.kind == STAR:
                        self._stars.append(site)
        return self._stars

    def _line_start(self, pos: int) -> int:
        """Where the logical line holding ``pos`` starts (after its newline)."""
        code = self.code
        marks = self._marks
        i = bisect_right(marks, pos) - 1
        depth = self._depths[i] + _depth(code, marks[i], pos)
        marks.insert(i + 1, pos)
        self._depths.insert(i + 1, depth)
        q = code.rfind(b"\n", 0, pos)
        while q > 0:
            depth -= _depth(code, q, pos)
            pos = q
            if depth <= 0:
                return q + 1
            q = code.rfind(b"\n", 0, q)
        return 1

    def _tokens(self, start: int) -> list[bytes]:
        """The tokens of the logical line starting at ``start``."""
        code = self.code
        end = code.find(b"\n", start)
        while end >= 0 and _depth(code, start, end) > 0:
            end = code.find(b"\n", end + 1)
        return _TOKEN.findall(code, start, len(code) if end < 0 else end)

    def _line_sites(self, start: int) -> list[tuple[bytes, Site]]:
        sites = self._lines.get(start)
        if sites is None:
            tokens = self._tokens(start)
            level = self.code[start : start + 1] not in (b" ", b"\t")  # a form feed is column 0
            decorated = level and tokens[:1] == [b"class"] and self._decorated(start)
            sites = self._lines[start] = line_sites(tokens, start, level, decorated)
        return sites

    def _decorated(self, start: int) -> bool:
        """Whether the statement at ``start`` follows a decorator (which may rebind its name)."""
        code = self.code
        end = start - 1
        while end > 0:
            begin = code.rfind(b"\n", 0, end) + 1
            text = code[begin:end].strip()
            if text:  # not blank (comments are blanked)
                first = self._line_start(begin)
                return code[first : first + 1] == b"@" or text[:1] == b"@"
            end = begin - 1
        return False


_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_WORD_OR_DOT = _WORD | {ord(".")}


def _words(text: bytes, name: bytes) -> list[int]:
    """Where ``name`` stands as a whole word not after a ``.`` (an attribute binds nothing).
    ``bytes.find`` for the literal: a pattern with a look-behind is tried at every byte."""
    out = []
    word, wordot, size, find = _WORD, _WORD_OR_DOT, len(name), text.find
    i = find(name)
    while i >= 0:
        end = i + size
        before, after = text[i - 1] if i else 32, text[end] if end < len(text) else 32
        if before not in wordot and before < 0x80 and after not in word and after < 0x80:
            out.append(i)
        i = find(name, end)
    return out


def _balanced(code: bytes) -> bool:
    """As many closing brackets as opening ones (one pass: the brackets alone are counted)."""
    b = code.translate(None, _NOT_BRACKET)
    c = b.count
    return c(b"(") == c(b")") and c(b"[") == c(b"]") and c(b"{") == c(b"}")


def _depth(code: bytes, start: int, end: int) -> int:
    """Open brackets minus closed ones in ``code[start:end]``."""
    c = code.count
    return (
        c(b"(", start, end)
        + c(b"[", start, end)
        + c(b"{", start, end)
        - c(b")", start, end)
        - c(b"]", start, end)
        - c(b"}", start, end)
    )


def base_parts(tokens: list[bytes]) -> list[list[bytes]] | None:
    """The base expressions of a class header's tokens, each as its tokens (keywords out);
    None when the header is not ``class Name(...)`` or ``class Name:``."""
    if len(tokens) < 3 or tokens[2] != b"(":
        return [] if len(tokens) >= 3 and tokens[2] == b":" else None
    parts: list[list[bytes]] = []
    part: list[bytes] = []
    depth = 0
    for t in tokens[3:]:
        if t in _OPEN:
            depth += 1
        elif t in _CLOSE:
            if depth == 0:
                break
            depth -= 1
        elif t == b"," and depth == 0:
            parts.append(part)
            part = []
            continue
        part.append(t)
    parts.append(part)
    return [p for p in parts if p and not (len(p) > 1 and p[1] == b"=")]


def statements(tokens: list[bytes]) -> list[list[bytes]]:
    """A logical line's simple statements and compound headers (split at ``;`` and at the
    colon ending a compound statement's header)."""
    out = []
    start = depth = 0
    compound = bool(tokens) and tokens[0] in _COMPOUND
    for i, t in enumerate(tokens):
        if t in _OPEN:
            depth += 1
        elif t in _CLOSE:
            depth -= 1
        elif depth == 0 and (t == b";" or (compound and t == b":")):
            out.append(tokens[start:i])
            start = i + 1
            compound = start < len(tokens) and tokens[start] in _COMPOUND
    out.append(tokens[start:])
    return [s for s in out if s]


def line_sites(
    tokens: list[bytes], start: int, level: bool, decorated: bool = False
) -> list[tuple[bytes, Site]]:
    """The names a logical line binds, with how (``level``: it starts at column 0)."""
    out: list[tuple[bytes, Site]] = []
    for i, st in enumerate(statements(tokens)):
        head = st[0]
        if head == b"lazy" and len(st) > 1 and st[1] in (b"from", b"import"):
            st = st[1:]  # a PEP 810 lazy import (Python 3.15) binds as the import does
            head = st[0]
        if head == b"class" and len(st) > 1:
            if level and i == 0 and not decorated:
                out.append((st[1], Site(CLASS, start, base_parts(tokens), True)))
            else:
                out.append((st[1], Site(OTHER, start)))
        elif head == b"from":
            out.extend(_from_sites(st, start, level and i == 0))
        else:
            out.extend((n, Site(OTHER, start)) for n in _bound(st))
        for j in range(1, len(st)):
            if st[j] == b":=":
                out.append((st[j - 1], Site(OTHER, start)))
    return out


def _from_sites(st: list[bytes], start: int, final: bool) -> list[tuple[bytes, Site]]:
    """``from m import a, b as c, *`` → sites of ``a`` and ``c``, and a star site."""
    if b"import" not in st:
        return []
    k = st.index(b"import")
    module = b"".join(st[1:k])
    out: list[tuple[bytes, Site]] = []
    for item in _split(st[k + 1 :]):
        item = [t for t in item if t not in (b"(", b")")]
        if item == [b"*"]:
            out.append((b"*", Site(STAR, start, module)))
        elif len(item) == 1:
            out.append((item[0], Site(FROM, start, (module, item[0]), final)))
        elif len(item) == 3 and item[1] == b"as":
            out.append((item[2], Site(FROM, start, (module, item[0]), final)))
        else:
            out.extend((t, Site(OTHER, start)) for t in item)
    return out


def _split(tokens: list[bytes]) -> list[list[bytes]]:
    out: list[list[bytes]] = [[]]
    for t in tokens:
        if t == b",":
            out.append([])
        else:
            out[-1].append(t)
    return [p for p in out if p]


def _bound(st: list[bytes]) -> list[bytes]:
    """Names a statement (other than ``class``/``from``) may bind: over-approximated."""
    head = st[0]
    if head == b"async" and len(st) > 1:
        st = st[1:]
        head = st[0]
    if head in (b"import", b"global", b"nonlocal", b"del", b"case"):
        return _names(st[1:])
    if head == b"def":
        return st[1:2]
    if head == b"for":
        return _names(st[1 : _top_index(st, b"in")])
    if head in (b"with", b"except"):
        return [st[j + 1] for j in range(len(st) - 1) if st[j] == b"as"] + _as_tuples(st)
    if head in _COMPOUND:
        return []
    for j in range(len(st) - 1, 0, -1):  # the last top-level "=" or augmented assignment
        if (st[j] == b"=" or st[j] in _AUGMENTED) and _depth_at(st, j) == 0:
            return _names(st[:j])
    j = _top_index(st, b":")
    return _names(st[:j]) if j < len(st) else []


def _as_tuples(st: list[bytes]) -> list[bytes]:
    """Names in ``as (a, b)`` targets."""
    out = []
    for j in range(len(st) - 1):
        if st[j] == b"as" and st[j + 1] in _OPEN:
            out.extend(_names(st[j + 1 :]))
    return out


def _top_index(st: list[bytes], token: bytes) -> int:
    depth = 0
    for j, t in enumerate(st):
        if t in _OPEN:
            depth += 1
        elif t in _CLOSE:
            depth -= 1
        elif depth == 0 and t == token:
            return j
    return len(st)


def _depth_at(st: list[bytes], j: int) -> int:
    return sum(1 for t in st[:j] if t in _OPEN) - sum(1 for t in st[:j] if t in _CLOSE)


def _names(tokens: list[bytes]) -> list[bytes]:
    """Identifier tokens not after a ``.`` (attributes bind nothing)."""
    return [
        t
        for j, t in enumerate(tokens)
        if (t[:1].isalpha() or t[:1] == b"_" or t[:1] >= b"\x80")
        and (j == 0 or tokens[j - 1] != b".")
    ]


class Scoper:
    """Whether a file's classes reach a model base once base names are looked up in their own
    module (see the module docstring); ``reach`` (the global name graph's answer) is the
    fallback wherever a binding is not clean, so the answer never drops a candidate that a
    correct lookup would keep."""

    def __init__(
        self,
        reach: set[bytes],
        scope_of: Callable[[str], FileScope | None],
        resolve: Callable[[str, bytes], str | None],
    ) -> None:
        self.reach = reach
        self.scope_of = scope_of
        #: ``(importing file, module text of a from-import)`` -> the tree file it names.
        self.resolve = resolve
        self._done: dict[tuple[str, int | bytes], bool] = {}

    def file_reaches(self, rel: str) -> bool:
        """Whether a class of ``rel`` may be a model or an app config."""
        scope = self.scope_of(rel)
        if scope is None:
            return True
        return any(
            self._class_reaches(rel, scope, pos, level, parts, tokens)
            for pos, level, parts, tokens in scope.classes()
        )

    def _class_reaches(
        self,
        rel: str,
        scope: FileScope,
        pos: int,
        level: bool,
        parts: list[list[bytes]] | None,
        tokens: list[bytes],
    ) -> bool:
        if parts is None:  # an unusual header: any name in it
            return any(t in self.reach for t in tokens)
        return any(self._part_reaches(rel, scope, pos, level, part) for part in parts)

    def _part_reaches(
        self, rel: str, scope: FileScope, pos: int, level: bool, part: list[bytes]
    ) -> bool:
        """One base expression: a plain name (maybe subscripted) is looked up in the module
        for a module-level class; a dotted one by its last name; anything else by any name."""
        reach = self.reach
        n = 1
        while n + 1 < len(part) and part[n] == b"." and _is_name(part[n + 1]):
            n += 2
        if not _is_name(part[0]) or (n < len(part) and part[n] != b"["):
            return any(t in reach for t in part)
        if part[n - 1] not in reach:
            return False
        if n > 1 or not level:
            return True
        return self._local(rel, scope, part[0], pos)

    def _local(self, rel: str, scope: FileScope, name: bytes, pos: int) -> bool:
        """``name`` as a module-level statement at ``pos`` of ``rel`` sees it."""
        sites = scope.sites(name)
        if sites is None:
            return True
        before = [s for s in sites if s.pos < pos]
        if not before:  # bound later (or never): keep the global answer
            return True
        return any(self._site_reaches(rel, scope, s, name) for s in _effective(before))

    def _site_reaches(self, rel: str, scope: FileScope, site: Site, name: bytes) -> bool:
        if site.kind == CLASS:
            key: tuple[str, int | bytes] = (rel, site.pos)
            if key not in self._done:
                self._done[key] = True  # a cycle keeps the global answer
                self._done[key] = self._class_reaches(
                    rel,
                    scope,
                    site.pos,
                    True,
                    site.value,
                    [],  # type: ignore[arg-type]
                )
            return self._done[key]
        if site.kind == FROM:
            module, name = site.value  # type: ignore[misc]
        else:
            module = site.value  # type: ignore[assignment]
        target = self.resolve(rel, module)  # type: ignore[arg-type]
        if target is None:
            return True
        if site.kind == STAR:  # ``import *`` takes only ``__all__`` when there is one
            source = self.scope_of(target)
            exports = source.exports() if source is not None else None
            if exports is not None and name not in exports:
                return False
        return self._export(target, name)

    def _export(self, rel: str, name: bytes) -> bool:
        """What ``from <rel's module> import name`` gives may reach a model base."""
        if name not in self.reach:
            return False
        key: tuple[str, int | bytes] = (rel, name)
        if key not in self._done:
            self._done[key] = True  # a cycle keeps the global answer
            scope = self.scope_of(rel)
            sites = scope.sites(name) if scope is not None else None
            # No binding at all: the name is a submodule or an ImportError, never a class.
            self._done[key] = sites is None or any(
                self._site_reaches(rel, scope, s, name)  # type: ignore[arg-type]
                for s in _effective(sites)
            )
        return self._done[key]


def _effective(sites: list[Site]) -> list[Site]:
    """The sites that may give a name its value after them all: from the last unconditional
    module-level binding on (a star import binds only what its module exports)."""
    sites = sorted(sites, key=lambda s: s.pos)
    for i in range(len(sites) - 1, -1, -1):
        if sites[i].final:
            return sites[i:]
    return sites


def _is_name(token: bytes) -> bool:
    return token[:1].isalpha() or token[:1] == b"_" or token[:1] >= b"\x80"
