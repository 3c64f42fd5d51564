"""PEP 696 type parameter defaults (Python 3.13), which tree-sitter-python 0.25 does not read.

``class Box[T: int = bool](models.Model)``, ``def pick[**P = ...]()``, ``type Pair[T = str] =
...``: the grammar knows type parameters (PEP 695) but not their defaults, and its error
recovery around one can take the rest of the statement with it (a class would be lost). The
defaults do not matter to djatlas, so before a file with errors is recovered, each valid one is
blanked: replaced by spaces (its newlines kept), so that every other byte, line and column of
the file stays where it was. A default is valid when the list parses clean without the
defaults and the defaults parse clean as the items of a list display (``*tuple[int]`` and
``[int, str]`` are items there too); an invalid one is left for ``recover`` to report.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    Node = Any

#: A definition's name followed by its type parameters' bracket. Serves files with errors only:
#: compiled on first use (``re``'s own cache), not at import.
_HEADER = rb"(?m)^[ \t]*(?:(?:async[ \t]+)?def|class|type)[ \t]+\w+[ \t]*\["
_QUOTES = (b"'''", b'"""', b"'", b'"')
_OPEN, _CLOSE = frozenset(b"([{"), frozenset(b")]}")
_HASH, _NEWLINE, _BACKSLASH = ord("#"), ord("\n"), ord("\\")
_COMMA, _EQUALS = ord(","), ord("=")
#: Before ``=``: it is part of ``==``, ``<=``, ``>=``, ``!=`` or ``:=``.
_OPERATOR = frozenset(b"=<>!:")


def blank_type_defaults(source: bytes, root: Node, parse: Callable[[bytes], Node]) -> bytes:
    """``source`` (whose tree is ``root``) with each valid PEP 696 default blanked (``source``
    itself when none is)."""
    if source.find(b"[") < 0:
        return source
    out: bytearray | None = None
    for match in re.finditer(_HEADER, source):
        if _in_string(root, match.end() - 1):
            continue  # a docstring's example
        parts = _parameters(source, match.end())
        if parts and _valid(source, parts, parse):
            if out is None:
                out = bytearray(source)
            for _, equals, end in parts:
                if equals >= 0:
                    out[equals:end] = re.sub(rb"[^\n]", b" ", source[equals:end])
    return source if out is None else bytes(out)


def _in_string(root: Node, at: int) -> bool:
    """Whether byte ``at`` lies in a string or a comment of the tree ``root``."""
    node = root.descendant_for_byte_range(at, at + 1)
    while node is not None:
        if node.type in ("string", "comment"):
            return True
        node = node.parent
    return False


#: One type parameter: where it starts, where its default's ``=`` is (-1: none), where it ends.
_Part = tuple[int, int, int]


def _parameters(source: bytes, lo: int) -> list[_Part]:
    """The parameters of the type parameter list that starts at ``lo`` (just after its
    ``[``); none when it has no default, is not closed, or a parameter has two ``=``."""
    commas, equals, close = _top_level(source, lo)
    if close < 0 or not equals:
        return []
    parts = []
    bounds = [lo, *(c + 1 for c in commas), close + 1]
    for start, end in zip(bounds, bounds[1:]):
        inside = [e for e in equals if start <= e < end - 1]
        if len(inside) > 1:
            return []  # two defaults: an error for ``recover``
        parts.append((start, inside[0] if inside else -1, end - 1))
    return parts


def _top_level(source: bytes, lo: int) -> tuple[list[int], list[int], int]:
    """From ``lo``, inside an opening bracket: the positions of the commas and ``=`` signs at
    its level (outside strings, comments and inner brackets) and of its closing bracket (-1
    when there is none)."""
    commas: list[int] = []
    equals: list[int] = []
    depth, i, end = 0, lo, len(source)
    while i < end:
        c = source[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            if not depth:
                return commas, equals, i
            depth -= 1
        elif c == _HASH:
            i = source.find(b"\n", i)
            if i < 0:
                break
        elif c in (39, 34):  # a quote: skip the string
            quote = next(q for q in _QUOTES if source.startswith(q, i))
            i = _string_end(source, i + len(quote), quote)
            if i < 0:
                break
            continue
        elif not depth and c == _COMMA:
            commas.append(i)
        elif (
            not depth
            and c == _EQUALS
            and source[i + 1 : i + 2] != b"="
            and source[i - 1] not in _OPERATOR
        ):
            equals.append(i)
        i += 1
    return commas, equals, -1


def _string_end(source: bytes, i: int, quote: bytes) -> int:
    """The position after the string closing at ``quote`` from ``i`` (-1 when unclosed)."""
    while True:
        found = source.find(quote, i)
        if found < 0:
            return -1
        slashes = 0
        while source[found - 1 - slashes] == _BACKSLASH:
            slashes += 1
        if slashes % 2 == 0:
            return found + len(quote)
        i = found + 1


def _valid(source: bytes, parts: list[_Part], parse: Callable[[bytes], Node]) -> bool:
    """Whether the parameters without their defaults, and the defaults alone, parse clean, one
    a line (a comment ending one cannot hide the comma after it); a parameter with a default
    must have a name and a default."""
    names, defaults = [], []
    for start, equals, end in parts:
        if equals < 0:
            names.append(source[start:end])
            continue
        name, default = source[start:equals], source[equals + 1 : end]
        if not name.strip() or not default.strip():
            return False
        names.append(name)
        defaults.append(default)
    probe = b"class _[%s\n]: pass\n_ = [%s\n]\n" % (b",\n".join(names), b",\n".join(defaults))
    return not parse(probe).has_error
