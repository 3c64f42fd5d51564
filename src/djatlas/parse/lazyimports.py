"""PEP 810 lazy imports (Python 3.15), which tree-sitter-python 0.25 does not read.

``lazy import json`` and ``lazy from x import y`` bind the same names as the eager imports, so
they are what djatlas must follow; the grammar reads ``lazy`` as a stray identifier (an ERROR
node) just before the import statement. Before a file with errors is recovered, the soft
keyword of each lazy import Python accepts is blanked (four spaces: every other byte, line and
column stays where it was) and the import is read as the import it is.

Python refuses ``lazy`` inside a function, a class body or a ``try`` statement (its
``except``, ``else`` and ``finally`` too, ``try*`` alike), and ``lazy from ... import *`` and
``lazy from __future__ import`` anywhere: those stay errors, which ``recover`` skips as any
other broken statement, and ``refused`` tells why (CPython 3.15's reasons), for their hints.
"""

from __future__ import annotations

from collections.abc import Callable

from djatlas.parse.summary import SyntaxIssue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    Node = Any

PEP = "PEP 810 lazy import, Python 3.15"
_IMPORTS = frozenset({"import_statement", "import_from_statement", "future_import_statement"})
#: Scopes and blocks where Python refuses a lazy import, by the innermost one met going up.
_REFUSED = {
    "function_definition": "not allowed inside functions",
    "lambda": "not allowed inside functions",
    "class_definition": "not allowed inside classes",
    "try_statement": "not allowed inside try/except blocks",
}


def blank_lazy_imports(source: bytes, root: Node, parse: Callable[[bytes], Node]) -> bytes:
    """``source`` (whose tree is ``root``) with the ``lazy`` of each lazy import Python
    accepts blanked (``source`` itself when there is none)."""
    if source.find(b"lazy") < 0:
        return source
    out: bytearray | None = None
    for keyword, _, reason in lazy_imports(root):
        if reason is None:
            if out is None:
                out = bytearray(source)
            out[keyword : keyword + 4] = b"    "
    return source if out is None else bytes(out)


def lazy_imports(root: Node) -> list[tuple[int, int, str | None]]:
    """Each lazy import of the tree ``root``: the byte offset of its ``lazy``, its line, and
    why Python refuses it (None: it does not)."""
    found: list[tuple[int, int, str | None]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        for child in reversed(node.children):
            if child.type == "ERROR" and _is_lazy(child):
                statement = _statement_after(child)
                if statement is not None:
                    found.append((child.start_byte, child.start_point[0] + 1, _why(statement)))
                    continue
            if child.has_error:
                stack.append(child)
    found.sort()
    return found


def _is_lazy(error: Node) -> bool:
    """Whether the ERROR node is the word ``lazy`` alone."""
    return (
        error.end_byte - error.start_byte == 4
        and error.named_child_count == 1
        and (
            error.named_children[0].type == "identifier" and error.named_children[0].text == b"lazy"
        )
    )


def _statement_after(error: Node) -> Node | None:
    """The import statement the ``lazy`` of ``error`` belongs to: the next statement (or the
    first of the next block, where the grammar opened one), begun on the same line."""
    after = error.next_sibling
    if after is not None and after.type == "block":
        after = after.named_children[0] if after.named_child_count else None
    if after is None or after.type not in _IMPORTS:
        return None
    if after.start_point[0] != error.end_point[0]:
        return None
    return after


def _why(statement: Node) -> str | None:
    """Why Python refuses the lazy ``statement``, None when it does not: the place first (the
    innermost function, class or ``try`` around it), then the import itself."""
    node = statement.parent
    while node is not None:
        reason = _REFUSED.get(node.type)
        if reason is not None:
            return reason
        node = node.parent
    if statement.type == "future_import_statement":
        return "lazy from __future__ import is not allowed"
    if any(child.type == "wildcard_import" for child in statement.children):
        return "lazy from ... import * is not allowed"
    return None


def explain(issues: list[SyntaxIssue], root: Node) -> list[SyntaxIssue]:
    """``issues`` (recovered from the tree ``root`` was before recovery), each statement skipped
    for a refused lazy import given the reason as its hint."""
    refused = [(line, reason) for _, line, reason in lazy_imports(root) if reason is not None]
    for issue in issues:
        if issue.hint or issue.skipped is None:
            continue
        first, last = issue.skipped
        for line, reason in refused:
            if first <= line <= last:
                issue.hint = f"{PEP}: {reason}"
                break
    return issues
