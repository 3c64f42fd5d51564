"""A cheap text pre-filter: which files can define models (or app configs, or settings).

It reads class headers with a regex, builds the name-level graph "class -> base names" over the
whole tree, and keeps the files holding a class whose bases reach ``Model``/``AppConfig`` (or a
Django model base) by name. It over-approximates; imported modules are parsed on demand later.
"""

from __future__ import annotations

import re
from collections import defaultdict

_CLASS = re.compile(rb"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.MULTILINE)
_ALIAS = re.compile(rb"^(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*([\w.]+)[ \t]*$", re.MULTILINE)
_SETTINGS = re.compile(rb"^[ \t]*INSTALLED_APPS[ \t]*(?::[^=\n]*)?\+?=", re.MULTILINE)
_AS = re.compile(rb"([\w.]+)[ \t]+as[ \t]+(\w+)")
_IDENT = re.compile(rb"[A-Za-z_]\w*")

#: Class names that make a subclass a model or an app config candidate.
SEEDS = frozenset(
    {b"Model", b"AppConfig", b"AbstractUser", b"AbstractBaseUser", b"PermissionsMixin",
     b"AbstractBaseSession", b"Site", b"ContentType", b"Group", b"Permission", b"User"}
)


def scan_headers(data: bytes) -> tuple[list[tuple[bytes, list[bytes]]], bool]:
    """Class headers ``(name, [base identifiers])`` (aliases included) and a settings flag."""
    headers: list[tuple[bytes, list[bytes]]] = []
    if b"class" in data:
        for m in _CLASS.finditer(data):
            headers.append((m.group(1), _IDENT.findall(m.group(2))))
    if b"=" in data:
        for m in _ALIAS.finditer(data):
            target = m.group(2).rsplit(b".", 1)[-1]
            if target and not target[:1].isdigit() and target not in (b"None", b"True", b"False"):
                headers.append((m.group(1), [target]))
    if b" as " in data:
        for m in _AS.finditer(data):
            headers.append((m.group(2), [m.group(1).rsplit(b".", 1)[-1]]))
    return headers, bool(b"INSTALLED_APPS" in data and _SETTINGS.search(data))


def candidates(headers: dict[str, list[tuple[bytes, list[bytes]]]], settings: set[str]) -> set[str]:
    """Paths whose classes may be models/app configs by name, plus settings files."""
    defined: set[bytes] = set()
    children: dict[bytes, set[bytes]] = defaultdict(set)
    for items in headers.values():
        for name, bases in items:
            defined.add(name)
            for base in bases:
                children[base].add(name)
    reach: set[bytes] = set()
    todo = [s for s in SEEDS]
    # Bases never defined in the tree that look like models (third-party model bases).
    todo.extend(b for b in children if b not in defined and b.endswith(b"Model"))
    while todo:
        name = todo.pop()
        if name in reach:
            continue
        reach.add(name)
        todo.extend(children.get(name, ()))
    out = set(settings)
    for path, items in headers.items():
        for name, bases in items:
            if any(b in reach for b in bases):
                out.add(path)
                break
    return out
