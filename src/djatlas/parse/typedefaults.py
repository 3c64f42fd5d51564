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
#: Comments and strings (escapes included): masked before brackets and commas are counted.
_OPAQUE = (
    rb"#[^\n]*|(?s:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\")"
    rb"|'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\""
)
#: What counts at a list's level: brackets, commas, and ``=`` signs.
_MARKS = rb"[][(){},=]"
_OPEN, _CLOSE = frozenset(b"([{"), frozenset(b")]}")
_COMMA = ord(",")


def blank_type_defaults(source: bytes, root: Node, parse: Callable[[bytes], Node]) -> bytes:
    """``source`` (whose tree is ``root``) with each valid PEP 696 default blanked (``source``
    itself when none is)."""
    if source.find(b"[") < 0:
        return source
    out: bytearray | None = None
    masked = b""
    for match in re.finditer(_HEADER, source):
        if _in_string(root, match.end() - 1):
            continue  # a docstring's example
        masked = masked or re.sub(_OPAQUE, lambda m: b"_" * len(m[0]), source)
        parts = _parameters(masked, match.end())
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


def _parameters(masked: bytes, lo: int) -> list[_Part]:
    """The parameters of the type parameter list that starts at ``lo`` (just after its
    ``[``) in the ``_OPAQUE``-masked source; none when it has no default, is not closed, or a
    parameter has two ``=``."""
    commas, equals, close = _top_level(masked, lo)
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


def _top_level(masked: bytes, lo: int) -> tuple[list[int], list[int], int]:
    """From ``lo``, inside an opening bracket of the masked source: the positions of the commas
    and ``=`` signs at its level (not in inner brackets; the ``=`` of ``==``, ``<=``, ``>=``,
    ``!=`` and ``:=`` excepted) and of its closing bracket (-1 when there is none)."""
    commas: list[int] = []
    equals: list[int] = []
    depth = 0
    for mark in re.finditer(_MARKS, masked[lo:]):
        i, c = lo + mark.start(), masked[lo + mark.start()]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            if not depth:
                return commas, equals, i
            depth -= 1
        elif depth:
            continue
        elif c == _COMMA:
            commas.append(i)
        elif masked[i + 1 : i + 2] != b"=" and masked[i - 1 : i] not in (
            b"=",
            b"<",
            b">",
            b"!",
            b":",
        ):
            equals.append(i)
    return commas, equals, -1


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
