"""Why a statement does not parse: Python 2 syntax, or syntax of a Python newer than the grammar.

tree-sitter-python reads every Python 3 syntax up to 3.14 (PEP 695 generics and ``type``
aliases, PEP 701 f-strings, PEP 750 t-strings, PEP 758 ``except A, B:``, ``match``, ``except*``)
except PEP 696 type parameter defaults (``typedefaults`` blanks the valid ones). It also reads
most Python 2 statements without an error: ``python2_issues`` finds those in the tree, so a
Python 2 file is reported as such while its classes are still read.
"""

from __future__ import annotations

import re

from djatlas.parse.summary import SyntaxIssue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    Node = Any

PY2 = "looks like Python 2"

#: Python 2 only, in a statement's text (a broken statement, where no tree can be trusted).
#: _PY2_TEXT, _NEWER_TEXT and _STRINGS serve broken statements only: compiled on first use
#: (``re``'s own cache), not at import.
_PY2_TEXT = (
    rb"(?m)^[ \t]*(?:print[ \t]+(?:[\"'\w]|>>)|exec[ \t]+[\"'\w])"
    rb"|^[ \t]*except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:"
    rb"|^[ \t]*raise[ \t]+[\w.]+[ \t]*,"
    rb"|<>|`|\b[uU][rR][\"']|(?<![\w.])0[0-7]+\b|(?<![\w.])\d+[lL]\b"
)
#: Newer syntax the grammar does not read: (pattern, hint).
_NEWER_TEXT = (
    (
        rb"(?m)^[ \t]*(?:class|(?:async[ \t]+)?def|type)[ \t]+\w+[ \t]*\[[^\]]*=",
        "PEP 696 type parameter defaults, Python 3.13",
    ),
)


def hint_for(statement: bytes, problem: Node) -> str:
    """The hint for a statement that does not parse because of ``problem``, or ''."""
    node = problem
    for _ in range(4):
        node = node.parent
        if node is None:
            break
        if node.type == "type_parameter":
            for pattern, hint in _NEWER_TEXT:
                if re.search(pattern, statement):
                    return hint
    if re.search(_PY2_TEXT, _without_strings(statement)):
        return PY2
    return ""


_STRINGS = rb"(?s)#[^\n]*|'''.*?'''|\"\"\".*?\"\"\"|'[^'\n]*'|\"[^\"\n]*\""


def _without_strings(text: bytes) -> bytes:
    """``text`` with comments and string bodies removed (prefixes and quotes kept)."""
    return re.sub(_STRINGS, lambda m: m.group(0)[:1] * 2 if m.group(0)[:1] != b"#" else b"", text)


#: Where Python 2 syntax may be (each hit is checked in the tree): a keyword found with
#: ``bytes.find`` (faster than the regex engine's own scan), then its pattern matched there.
_PY2_PATTERNS = tuple(
    (keyword, re.compile(keyword + rest))
    for keyword, rest in (
        (b"print", rb"[ \t]+[^ \t(=\n]"),
        (b"exec", rb"[ \t]+[^ \t(=\n]"),
        (b"except", rb"\b[^:\n]*,"),
        (b"raise", rb"\b[^\n]*,"),
    )
)
_PY2_BYTES = (b"`",)
#: ``ur"..."`` prefixes, found in the lower-cased source (two searches instead of one per case).
_UR = (b"ur'", b'ur"')


def _candidates(source: bytes) -> list[int]:
    out: list[int] = []
    for keyword, pattern in _PY2_PATTERNS:
        at = source.find(keyword)
        while at >= 0:
            if pattern.match(source, at):
                out.append(at)
            at = source.find(keyword, at + 1)
    _find_all(source, _PY2_BYTES, out)
    _find_pairs(source, out)
    _find_all(source.lower(), _UR, out)
    return sorted(out)


def _find_all(source: bytes, needles: tuple[bytes, ...], out: list[int]) -> None:
    for needle in needles:
        at = source.find(needle)
        while at >= 0:
            out.append(at)
            at = source.find(needle, at + 1)


def _find_pairs(source: bytes, out: list[int]) -> None:
    """Where ``<>`` is, found by its rare ``<`` (a one-byte ``find`` is a ``memchr``, several
    times faster than a two-byte search): ``_candidates`` on the parsed files of blueking-paas
    25.9M -> 23.5M instructions, saleor 13.3M -> 11.9M, netbox 28.3M -> 25.4M."""
    find = source.find
    at = find(b"<")
    while at >= 0:
        if source[at + 1 : at + 2] == b">":
            out.append(at)
        at = find(b"<", at + 1)


def python2_issues(source: bytes, root: Node) -> list[SyntaxIssue]:
    """Python 2 syntax that tree-sitter read without an error (nothing is lost by it).

    A candidate inside the leaf the previous one fell in (backquotes in a docstring) would
    find the same node again: it is skipped.
    """
    issues: dict[int, SyntaxIssue] = {}
    leaf_start = leaf_end = -1
    for at in _candidates(source):
        if leaf_start <= at and at < leaf_end:
            continue
        node = root.descendant_for_byte_range(at, at + 1)
        if node is None:
            continue
        if node.child_count == 0:
            leaf_start, leaf_end = node.start_byte, node.end_byte
        else:
            leaf_start = leaf_end = -1
        found = _python2(node, source)
        if found is not None:
            line = found[0].start_point[0] + 1
            issues.setdefault(line, SyntaxIssue(line, found[1], PY2))
    return [issues[k] for k in sorted(issues)]


def _python2(node: Node, source: bytes) -> tuple[Node, str] | None:
    """(statement, message) when ``node`` is part of Python 2 only syntax."""
    kind = node.type
    if kind == "string_start":
        start = (node.text or b"").lower()
        if start == b"`":
            return node, "backquotes: use repr()"
        if start.startswith(b"ur"):
            return node, "invalid string prefix `ur`"
        return None
    if kind == "<>":
        return node, "`<>`: use `!=`"
    if kind == "integer":
        text = node.text or b""
        if text[-1:] in (b"l", b"L"):
            return node, "long integer suffix `L`"
        if len(text) > 1 and text[:1] == b"0" and text[1:2].isdigit() and text.strip(b"0"):
            return node, "leading zeros in decimal integer literals are not permitted"
        return None
    for _ in range(6):  # the keyword's statement is at most a few levels up
        if node is None:
            return None
        kind = node.type
        if kind == "print_statement":
            return node, "Missing parentheses in call to 'print'"
        if kind == "exec_statement":
            return node, "Missing parentheses in call to 'exec'"
        if kind == "raise_statement":
            if any(c.type == "expression_list" for c in node.children):
                return node, "`raise E, message`: use `raise E(message)`"
            return None
        if kind == "except_clause":
            return (node, "`except E, name:`: use `except E as name:`") if _binds(node) else None
        if kind in ("block", "module"):
            return None
        node = node.parent
    return None


def _binds(clause: Node) -> bool:
    """``except E, name:`` whose handler uses ``name``: Python 2's binding, not PEP 758."""
    children = clause.children
    kinds = [c.type for c in children]
    if "as" in kinds or kinds.count(",") != 1 or "block" not in kinds:
        return False
    comma = kinds.index(",")
    name = children[comma + 1] if comma + 1 < len(children) else None
    if name is None or name.type != "identifier":
        return False
    body = children[kinds.index("block")]
    word = re.escape(name.text or b"")
    return re.search(rb"(?<![\w.])" + word + rb"\b", body.text or b"") is not None
