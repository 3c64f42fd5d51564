"""Regular expressions written for Python 3.11's ``re``, read by Python 3.10's too.

A few hot patterns use possessive quantifiers (``*+``, ``++``, ``?+``: Python 3.11), which
spare ``re`` its backtracking bookkeeping; Python 3.10 refuses them ("multiple repeat"). They
are written so that a possessive quantifier never gives back what the next item could take,
so the plain quantifier matches the same: on 3.10 ``possessive`` drops the possessive marks.
"""

from __future__ import annotations

import sys

_NATIVE = sys.version_info >= (3, 11)


def possessive(pattern: bytes) -> bytes:
    """``pattern`` for this Python's ``re``: as written on 3.11 and later; without its
    possessive marks (a ``+`` right after a quantifier) on 3.10."""
    return pattern if _NATIVE else plain(pattern)


def plain(pattern: bytes) -> bytes:
    """``pattern`` with each possessive ``*+``, ``++``, ``?+`` made greedy (escapes and character
    classes read as such: ``\\++`` is one or more ``+``, ``[*+]`` a class; ``{m,n}+`` is not
    handled: no pattern uses it)."""
    out = bytearray()
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i : i + 1]
        if c == b"\\":
            out += pattern[i : i + 2]
            i += 2
            continue
        if in_class:
            in_class = c != b"]"
        elif c == b"[":
            in_class = True
            out += c
            i += 1
            if pattern[i : i + 1] == b"^":
                out += b"^"
                i += 1
            if pattern[i : i + 1] == b"]":  # a leading ``]`` is a member
                out += b"]"
                i += 1
            continue
        elif c in (b"*", b"+", b"?") and pattern[i + 1 : i + 2] == b"+" and out[-1:] != b"(":
            out += c  # (``(?+`` would be no quantifier)
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)
