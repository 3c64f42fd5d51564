"""A cheap text pre-filter: which files can define models (or app configs, or settings).

It reads class headers with a regex, builds the name-level graph "class -> base names" over the
whole tree, and keeps the files holding a class whose bases reach ``Model``/``AppConfig`` (or a
Django model base) by name. It over-approximates; imported modules are parsed on demand later.
"""

from __future__ import annotations

import re
from collections import defaultdict

_CLASS = re.compile(rb"^[ \t]*class[ \t]+([\w\x80-\xff]+)[ \t]*\(([^)]*)\)", re.MULTILINE)
_ALIAS = re.compile(rb"^(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*([\w.]+)[ \t]*$", re.MULTILINE)
_SETTINGS = re.compile(rb"^[ \t]*INSTALLED_APPS[ \t]*(?::[^=\n]*)?\+?=", re.MULTILINE)
_AS = re.compile(rb"([\w.]+)[ \t]+as[ \t]+(\w+)")
# Fast equivalents of the MULTILINE patterns above (same matches, measured on both corpora):
# ``re`` tries a ``^``-anchored pattern at every byte, so search a literal prefix instead.
_ALIAS_NL = re.compile(rb"\n(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*([\w.]+)[ \t]*$", re.MULTILINE)
_AS_TAIL = re.compile(rb"as[ \t]+(\w+)")
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_BLANK = frozenset(b" \t")
#: A base's dotted head (non-ASCII names too); group 1 is its last part.
_NAME = rb"[A-Za-z_\x80-\xff][\w\x80-\xff]*"
_HEAD = re.compile(rb"\s*(?:" + _NAME + rb"\s*\.\s*)*(" + _NAME + rb")")
_KEYWORD = re.compile(rb"\s*=")
#: An innermost subscript, removed until none is left.
_SUBSCRIPT = re.compile(rb"\[[^\[\]]*\]")

#: Base names ending in "Model" that are never Django's when not defined in the tree (pydantic).
_NOT_DJANGO = frozenset({b"BaseModel", b"RootModel", b"GenericModel"})

#: Prefix marking an alias entry in the headers.
ALIAS = b"="

#: Class names that make a subclass a model or an app config candidate.
SEEDS = frozenset(
    {
        b"Model",
        b"AppConfig",
        b"AbstractUser",
        b"AbstractBaseUser",
        b"PermissionsMixin",
        b"AbstractBaseSession",
        b"Site",
        b"ContentType",
        b"Group",
        b"Permission",
        b"User",
    }
)


def scan_headers(data: bytes) -> tuple[list[tuple[bytes, list[bytes]]], bool]:
    """Class headers ``(name, [base identifiers])`` and a settings flag.

    Aliases (``X = Y``, ``import Y as X``) are included with their name prefixed by ``=``: they
    carry reachability by name but never make their file a candidate by themselves.
    """
    # ``find`` rather than ``in`` throughout: ``bytes.__contains__`` first tries the needle as
    # an int, and the TypeError it formats costs more than the search (measured).
    headers: list[tuple[bytes, list[bytes]]] = []
    if data.find(b"class") >= 0:
        for name, bases in _class_headers(data):
            headers.append((name, base_heads(bases)))
    if data.find(b"=") >= 0:
        for name, value in _aliases(data):
            target = value.rsplit(b".", 1)[-1]
            if target and not target[:1].isdigit() and target not in (b"None", b"True", b"False"):
                headers.append((ALIAS + name, [target]))
    if data.find(b" as ") >= 0:
        for dotted, alias in _as_names(data):
            headers.append((ALIAS + alias, [dotted.rsplit(b".", 1)[-1]]))
    return headers, bool(data.find(b"INSTALLED_APPS") >= 0 and _SETTINGS.search(data))


def base_heads(bases: bytes) -> list[bytes]:
    """The names a class inherits from, by the last part of each base's dotted head:
    ``models.Model, Generic[T], metaclass=M`` → ``[b"Model", b"Generic"]``. Names inside a
    subscript or call (``ModelObjectType[models.Order]``) and keyword arguments are no bases."""
    while bases.find(b"[") >= 0:  # ``find``: see ``scan_headers``
        inner = _SUBSCRIPT.sub(b"", bases)
        if inner == bases:  # unclosed (the header was cut at its first ")")
            inner = bases[: bases.index(b"[")]
        bases = inner
    call = bases.find(b"(")
    if call >= 0:
        bases = bases[:call]
    out = []
    for part in bases.split(b","):
        m = _HEAD.match(part)
        if m is not None and not _KEYWORD.match(part, m.end()):
            out.append(m.group(1))
    return out


def _class_headers(data: bytes) -> list[tuple[bytes, bytes]]:
    """``_CLASS.finditer`` as (name, bases text), found from each literal ``class``."""
    out = []
    pos = 0
    find, rfind, match = data.find, data.rfind, _CLASS.match
    while True:
        i = find(b"class", pos)
        if i < 0:
            return out
        start = rfind(b"\n", 0, i) + 1
        if start >= pos and not data[start:i].strip(b" \t"):
            m = match(data, start)
            if m is not None:
                out.append((m.group(1), m.group(2)))
                pos = m.end()
                continue
        pos = i + 5


def _aliases(data: bytes) -> list[tuple[bytes, bytes]]:
    """``_ALIAS.finditer`` as (name, dotted value)."""
    out = []
    pos = 0
    m = _ALIAS.match(data, 0)
    if m is not None:
        out.append((m.group(1), m.group(2)))
        pos = m.end()
    for m in _ALIAS_NL.finditer(data, pos):
        out.append((m.group(1), m.group(2)))
    return out


def _as_names(data: bytes) -> list[tuple[bytes, bytes]]:
    """``_AS.finditer`` as (dotted, alias), found from each literal ``as``."""
    out = []
    pos = floor = 0  # floor: where the last pair ended (a dotted name starts after it)
    word, blank, search = _WORD, _BLANK, _AS_TAIL.search
    while True:
        m = search(data, pos)
        if m is None:
            return out
        i = m.start()
        s = i
        while s > floor and data[s - 1] in blank:
            s -= 1
        b = s
        if s < i:
            while b > floor and data[b - 1] in word:
                b -= 1
        if b < s:
            out.append((data[b:s], m.group(1)))
            pos = floor = m.end()
        else:
            pos = i + 1


def candidates(headers: dict[str, list[tuple[bytes, list[bytes]]]], settings: set[str]) -> set[str]:
    """Paths whose classes may be models/app configs by name, plus settings files."""
    return candidates_and_reach(headers, settings)[0]


def candidates_and_reach(
    headers: dict[str, list[tuple[bytes, list[bytes]]]], settings: set[str]
) -> tuple[set[str], set[bytes]]:
    """``candidates`` and the names that reach a model/app config base by name."""
    defined: set[bytes] = set()
    children: dict[bytes, set[bytes]] = defaultdict(set)
    for items in headers.values():
        for name, bases in items:
            name = name.removeprefix(ALIAS)
            defined.add(name)
            for base in bases:
                children[base].add(name)
    reach: set[bytes] = set()
    todo = [s for s in SEEDS]
    # Bases never defined in the tree that look like models (third-party model bases).
    todo.extend(
        b
        for b in children
        if b not in defined and b.endswith((b"Model", b"AppConfig")) and b not in _NOT_DJANGO
    )
    while todo:
        name = todo.pop()
        if name in reach:
            continue
        reach.add(name)
        todo.extend(children.get(name, ()))
    out = set(settings)
    for path, items in headers.items():
        for name, bases in items:
            if not name.startswith(ALIAS) and any(b in reach for b in bases):
                out.add(path)
                break
    return out, reach
