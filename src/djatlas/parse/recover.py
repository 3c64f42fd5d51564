"""Error recovery: a syntax error costs only the statement it is in.

tree-sitter recovers by itself, but an unclosed bracket can swallow the statements after it,
or the whole module can end up one ERROR node. So djatlas splits the lines into statements by
indentation (the tree tells which lines continue a statement: brackets, strings, ``else:``,
decorators), parses each statement alone until one fails, descends into it when it is a class or
``if``/``try``/``with``/loop (never into a function: a broken function or method is lost whole),
blanks the failing statement (its first line becomes ``pass``, line numbers stay) and parses the
file again, until the tree is clean. Each error is kept as a SyntaxIssue with line and hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from djatlas.parse.hints import hint_for
from djatlas.parse.summary import SyntaxIssue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    Node = Any

#: Parse rounds at most per file; what is still broken after them is skipped by the visitor.
MAX_ROUNDS = 25
_CONTAINERS = frozenset({"module", "block"})
#: Nodes that legitimately carry a statement onto a line no deeper than its first line.
_CONTINUING = frozenset(
    {
        "string",
        "concatenated_string",
        "string_content",
        "decorated_definition",
        "if_statement",
        "try_statement",
        "for_statement",
        "while_statement",
        "with_statement",
        "match_statement",
    }
)
#: _DEF and _CODE serve broken files only: compiled on first use (``re``'s own
#: cache), not at import.
_DEF = rb"[ \t]*(?:async[ \t]+)?def\b"
#: A clause of a compound statement after its first (its body ends before it).
_CLAUSE = rb"[ \t]*(?:elif|else|except|finally)\b"


def first_error(node: Node) -> Node | None:
    """The first ERROR or MISSING node in document order."""
    for child in node.children:
        if child.is_missing:
            return child
        if child.type == "ERROR":
            return child
        if child.has_error:
            found = first_error(child)
            if found is not None:
                return found
    return None


def _indent(line: bytes) -> int | None:
    """Indentation width of a line, None for blank and comment-only lines."""
    stripped = line.lstrip(b" \t\x0c")
    if not stripped or stripped[:1] in (b"#", b"\r", b"\n"):
        return None
    return len(line) - len(stripped)


def _continues(root: Node, row: int, col: int) -> bool:
    """Whether the line starting at (row, col) continues a statement begun earlier: inside a
    string, an ``else:``/``except:``/``finally:`` clause, a decorated definition. (A line no
    deeper than its block inside an earlier bracket is taken as a new statement: that is how
    an unclosed bracket swallows the statements after it.)"""
    node = root.descendant_for_point_range((row, col), (row, col))
    while node is not None and node.type not in _CONTAINERS and node.type != "ERROR":
        if node.start_point[0] < row:
            return node.type in _CONTINUING
        node = node.parent
    return False


def _chunks(lines: list[bytes], lo: int, hi: int, level: int, root: Node) -> list[list[int]]:
    """The statements of lines ``lo..hi`` at indentation ``level``: ``[first, last]`` each."""
    out: list[list[int]] = []
    for row in range(lo, hi + 1):
        width = _indent(lines[row])
        if width is None:
            continue
        starts = (
            not out
            or width <= level
            and lines[row].lstrip()[:1] not in (b")", b"]", b"}")
            and not _continues(root, row, width)
        )
        if starts:
            out.append([row, row])
        else:
            out[-1][1] = row
    return out


def _probe(
    parse: Callable[[bytes], Node], lines: list[bytes], first: int, last: int
) -> Node | None:
    """Parse one statement alone; its first problem node (or its root), None when clean."""
    text = b"".join(lines[first : last + 1])
    wrapped = bool(_indent(lines[first]))
    root = parse(b"if 1:\n" + text if wrapped else text)
    if not root.has_error:
        return None
    problem = first_error(root)
    if problem is None and root.type != "ERROR":
        return None
    return problem if problem is not None else root


def _header_end(lines: list[bytes], first: int, last: int) -> int | None:
    """The line ending a compound statement's header (the ``:`` with brackets closed)."""
    depth = 0
    for row in range(first, last + 1):
        code = _without_strings(lines[row])
        depth += sum(code.count(c) for c in b"([{") - sum(code.count(c) for c in b")]}")
        if depth <= 0 and code.rstrip().endswith(b":"):
            return row
    return None


def _without_strings(line: bytes) -> bytes:
    return re.sub(_CODE, b"", line)


_CODE = rb"#.*|'[^'\n]*'|\"[^\"\n]*\""


def find_broken(
    parse: Callable[[bytes], Node], lines: list[bytes], lo: int, hi: int, level: int, root: Node
) -> tuple[int, int, Node] | None:
    """The first statement of ``lo..hi`` that does not parse on its own, descending into
    classes and ``if``/``try``/``with``/loops but not into functions: (first, last, problem)."""
    for first, last in _chunks(lines, lo, hi, level, root):
        problem = _probe(parse, lines, first, last)
        if problem is None:
            continue
        head = first
        while head < last and lines[head].lstrip().startswith(b"@"):
            head += 1
        if not re.match(_DEF, lines[head]):
            inner = _broken_in_clauses(parse, lines, head, last, root)
            if inner is not None:
                return inner
        return first, last, problem
    return None


def _broken_in_clauses(
    parse: Callable[[bytes], Node], lines: list[bytes], head: int, last: int, root: Node
) -> tuple[int, int, Node] | None:
    """The first broken statement in the bodies of the compound statement whose header starts
    at line ``head`` (and ends by ``last``): each clause's body in turn (``try``, ``except``,
    ``else``, ``finally``; ``if``, ``elif``, ``else``; a class's one), a body ending where the
    next clause starts (a clause's header is not its previous body's statement)."""
    level = _indent(lines[head]) or 0
    while head <= last:
        end = _header_end(lines, head, last)
        if end is None:
            return None
        body = next((r for r in range(end + 1, last + 1) if _indent(lines[r]) is not None), None)
        if body is None or (_indent(lines[body]) or 0) <= level:
            return None
        stop = next((r for r in range(body + 1, last + 1) if _clause(lines, r, level, root)), None)
        inner = find_broken(
            parse, lines, body, last if stop is None else stop - 1, _indent(lines[body]) or 0, root
        )
        if inner is not None or stop is None:
            return inner
        head = stop
    return None


def _clause(lines: list[bytes], row: int, level: int, root: Node) -> bool:
    """Whether line ``row`` starts a clause (``elif``/``else``/``except``/``finally``) of a
    compound statement whose header is at indentation ``level`` (not a string's line)."""
    if _indent(lines[row]) != level or re.match(_CLAUSE, lines[row]) is None:
        return False
    node = root.descendant_for_point_range((row, level), (row, level))
    while node is not None and node.type not in _CONTAINERS:
        if node.type in ("string", "string_content", "comment"):
            return False
        node = node.parent
    return True


def _blank(lines: list[bytes], first: int, last: int) -> list[bytes]:
    """Lines ``first..last`` replaced by one ``pass`` at the first line's indentation."""
    head = lines[first]
    indent = head[: len(head) - len(head.lstrip(b" \t\x0c"))]
    out = list(lines)
    out[first] = indent + b"pass\n"
    for i in range(first + 1, last + 1):
        out[i] = b"\n"
    return out


def _message(problem: Node) -> str:
    if problem.is_missing:
        return f"expected `{problem.type}`"
    text = (problem.text or b"").strip()
    opened = sum(text.count(c) for c in (b"(", b"[", b"{"))
    closed = sum(text.count(c) for c in (b")", b"]", b"}"))
    if opened > closed:
        return "unclosed bracket"
    return "invalid syntax"


def recover(
    parse: Callable[[bytes], Node], source: bytes, root: Node
) -> tuple[bytes, Node, list[SyntaxIssue], bool]:
    """Blank broken statements until the tree parses clean.

    Returns the source and root actually used, the issues, and whether errors remain (too many
    rounds, or no progress: the visitor then skips every statement that still has one).
    """
    issues: list[SyntaxIssue] = []
    lines = source.splitlines(keepends=True)
    for _ in range(MAX_ROUNDS):
        if root.type != "ERROR" and first_error(root) is None:
            return source, root, issues, False
        found = find_broken(parse, lines, 0, len(lines) - 1, 0, root)
        if found is None:
            break  # no single statement is to blame: give up here
        first, last, problem = found
        row = problem.start_point[0] - (1 if _indent(lines[first]) else 0)
        line = min(max(first + row, first), last)
        issues.append(
            SyntaxIssue(
                line + 1,
                _message(problem),
                hint_for(b"".join(lines[first : last + 1]), problem),
                [first + 1, last + 1],
            )
        )
        lines = _blank(lines, first, last)
        source = b"".join(lines)
        root = parse(source)
    return source, root, issues, root.type == "ERROR" or first_error(root) is not None
