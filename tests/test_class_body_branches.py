"""A class or function body's ``if`` runs the branches Python would: conditions the source alone
decides (``True``, ``False``, ``TYPE_CHECKING``, ``not`` of them) choose, others keep all."""

from __future__ import annotations

from djatlas.parse import visitor
from djatlas.parse.reader import parse

SOURCE = """
from typing import TYPE_CHECKING
import typing
from django.db import models


class Shop(models.Model):
    if TYPE_CHECKING:
        checked = models.IntegerField()
    else:
        runtime = models.IntegerField()
    if True:
        taken = models.CharField(max_length=3)
    else:
        never = models.CharField(max_length=3)
    if False:
        dead = models.TextField()
    elif typing.TYPE_CHECKING:
        typed = models.TextField()
    elif (not TYPE_CHECKING):
        alive = models.TextField()
    else:
        after_true = models.TextField()
    if settings.FLAG:
        maybe = models.BooleanField()
    elif 0:
        zero = models.BooleanField()
    else:
        otherwise = models.BooleanField()
    if None:
        nothing = models.BooleanField()


def factory():
    if TYPE_CHECKING:
        return models.IntegerField()
    return models.CharField(max_length=5)


if TYPE_CHECKING:
    from shop.types import Hint
"""


def _summary():
    parsed = parse(SOURCE.encode(), "shop/models.py")
    return visitor.summarize(parsed.tree, parsed.text, "shop.models", "shop/models.py", False)


def test_class_body_branches_known_from_the_source() -> None:
    members = [m.name for m in _summary().classes["Shop"].members]
    assert members == ["runtime", "taken", "alive", "maybe", "otherwise"]


def test_function_body_branches_known_from_the_source() -> None:
    returns = _summary().functions["factory"]
    assert "IntegerField" not in repr(returns) and "CharField" in repr(returns)


def test_module_level_keeps_type_checking_imports() -> None:
    """Names imported for annotations still resolve: module level keeps every branch."""
    assert "Hint" in repr(_summary().imports)


def test_the_former_ast_visitor_reads_the_same_branches() -> None:
    """``scripts/compare_parsers.py`` (tree-sitter vs the former stdlib-``ast`` stage) stays
    importable and gives the same summary for these branches."""
    import sys
    from pathlib import Path

    scripts = str(Path(__file__).resolve().parent.parent / "scripts")
    sys.path.insert(0, scripts)
    try:
        import compare_parsers
    finally:
        sys.path.remove(scripts)
    data = SOURCE.encode()
    assert compare_parsers._old(data, "shop/models.py") == compare_parsers._new(
        data, "shop/models.py"
    )
