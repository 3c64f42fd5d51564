"""djatlas runs on Python 3.10 too: its patterns' possessive quantifiers (Python 3.11) go
through ``rx.possessive``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import djatlas
from djatlas.rx import plain

SRC = Path(djatlas.__file__).parent


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (rb"[ \t]*+x", rb"[ \t]*x"),
        (rb"a++b?+c", rb"a+b?c"),
        (rb"(?:ab)++", rb"(?:ab)+"),
        (rb"\++", rb"\++"),  # one or more "+", not possessive
        (rb"\*+", rb"\*+"),
        (rb"[*+]+x", rb"[*+]+x"),  # a class, then a plain repeat
        (rb"[]+]++", rb"[]+]+"),  # "]" first in a class is a member
        (rb"[^]*+]*+", rb"[^]*+]*"),
        (rb"(\.*+[0-9A-Za-z_.]*+)", rb"(\.*[0-9A-Za-z_.]*)"),
    ],
)
def test_plain_makes_possessive_quantifiers_greedy(pattern: bytes, expected: bytes) -> None:
    assert plain(pattern) == expected
    re.compile(expected)


def _possessive_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """The string literals with a possessive quantifier that no ``possessive(...)`` wraps."""
    wrapped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "possessive":
            wrapped.update(id(n) for n in ast.walk(node))
    docs = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
    }
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = node.value if isinstance(node.value, bytes) else node.value.encode()
            if id(node) not in wrapped and id(node) not in docs and plain(text) != text:
                out.append((node.lineno, text.decode("utf-8", "replace")[:60]))
    return out


def test_every_possessive_pattern_is_written_for_python_3_10_too() -> None:
    """A pattern with ``*+``, ``++`` or ``?+`` compiled as written fails on Python 3.10's ``re``
    ("multiple repeat"): each one is given to ``re`` through ``possessive``."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "rx.py":
            continue
        bad = _possessive_literals(ast.parse(path.read_text(encoding="utf-8")))
        if bad:
            found[str(path.relative_to(SRC))] = bad
    assert found == {}


#: Standard-library modules new in Python 3.11 (3.10 has none of them).
NEW_IN_311 = {"tomllib", "wsgiref.types"}


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """The modules ``tree`` imports, but under an ``if sys.version_info ...`` test."""
    out: list[tuple[int, str]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "version_info" in ast.dump(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.lineno, node.module or ""))
        stack.extend(ast.iter_child_nodes(node))
    return out


def test_the_sources_are_python_3_10_syntax_and_library() -> None:
    """``requires-python`` says 3.10: no newer syntax (``except*``, PEP 695 ...) and no module
    of 3.11's library but under a version test."""
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=(3, 10))
        newer = [(line, name) for line, name in _imported(tree) if name in NEW_IN_311]
        assert newer == [], path
