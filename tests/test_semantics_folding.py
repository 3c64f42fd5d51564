"""Computations of constants Django evaluates when a models module is imported: ``db_table =
f"{PREFIX}_item"``, ``related_name=NAME + "s"``, ``max_length=SIZE * 2``, names bound to such
computations in another module. Values as real Django 5.2 reports them: rerun ``python
tests/semantics_oracle.py tests/test_semantics_folding.py`` (with ``semantics_oracle.PYTHON`` an
interpreter that has Django) to see its answer. What is not a computation of constants (a
function's result) is said to be unknown, never guessed. The tests themselves do not need Django.
"""

from __future__ import annotations

from djatlas.graph.constants import UNKNOWN
from djatlas.graph.folding import MAX_TEXT, Unknown, fold

FX_FOLD = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["django.contrib.contenttypes", "shop"]\n',
    "shop/__init__.py": "",
    "shop/consts.py": """
        PREFIX = "shop"
        TABLE = "legacy_table"
        TABLE_BASE = "Mixed_Case"
        LONG = PREFIX + "_long"
        LONGER = LONG + "er"
        SIZE = 16
        SIZES = [(32, "small"), (64, "large")]
        APP = "sh" "op"


        def table_name():
            return "from_function"
    """,
    "shop/models.py": """
        from django.db import models
        from django.utils.translation import gettext_lazy as _

        from . import consts
        from .consts import APP, LONGER, PREFIX, SIZE, SIZES, TABLE, table_name

        NAME = "node"


        class Named(models.Model):
            class Meta:
                db_table = TABLE


        class Formatted(models.Model):
            parent = models.ForeignKey(
                "self", models.CASCADE, null=True, related_name=f"{PREFIX}_children"
            )
            code = models.CharField(max_length=SIZE * 2, db_column=f"{PREFIX}_code")
            size = models.CharField(max_length=SIZES[1][0])
            label = models.CharField(max_length=-(-SIZE // 3) + 2**3)

            class Meta:
                db_table = f"{PREFIX}_{'item'!s:.4}"
                verbose_name = f"{PREFIX!r:>8}"
                verbose_name_plural = _(f"{PREFIX} items")


        class Joined(models.Model):
            peer = models.ForeignKey(Formatted, models.CASCADE, related_name=NAME + "s")

            class Meta:
                db_table = PREFIX + "_order"
                app_label = APP


        class Percent(models.Model):
            class Meta:
                db_table = "%s_%s" % (PREFIX, "log")


        class Method(models.Model):
            class Meta:
                db_table = consts.TABLE_BASE.lower()


        class Bound(models.Model):
            class Meta:
                db_table = LONGER


        class Empty(models.Model):
            class Meta:
                db_table = ""


        class Returned(models.Model):
            class Meta:
                db_table = table_name()


        class Dynamic(models.Model):
            class Meta:
                db_table = "".join(reversed("elbat"))
    """,
}


def test_tables_django_computes(project) -> None:
    s = project(FX_FOLD)
    # Django 5.2, Model._meta.db_table of each
    assert {m["name"]: m["db_table"] for m in s.models if not m.get("external")} == {
        "Named": "legacy_table",
        "Formatted": "shop_item",
        "Joined": "shop_order",
        "Percent": "shop_log",
        "Method": "mixed_case",
        "Bound": "shop_longer",
        "Empty": "shop_empty",
        "Returned": "from_function",
        "Dynamic": None,  # Django: "table", not a computation of constants: not known statically
    }
    assert s.model("Joined")["label"] == "shop.Joined"
    assert s.model("Formatted")["meta"]["verbose_name"] == "  'shop'"
    assert s.model("Formatted")["meta"]["verbose_name_plural"] == "shop items"


def test_a_table_not_known_is_said_so(project) -> None:
    s = project(FX_FOLD)
    dynamic = s.model("Dynamic")
    assert not dynamic["complete"]
    assert dynamic["incomplete_reasons"] == [
        'Meta.db_table "".join(reversed("elbat")) is not known statically'
    ]
    assert all(s.model(n)["complete"] for n in ("Named", "Formatted", "Joined", "Bound"))


def test_field_arguments_django_computes(project) -> None:
    s = project(FX_FOLD)
    # Django 5.2: related_name, column and max_length of each field
    parent = s.field("Formatted", "parent")
    assert parent["relation"]["related_name"] == "shop_children"
    assert s.field("Formatted", "code")["column"] == "shop_code"
    assert s.field("Formatted", "code")["max_length"] == 32
    assert s.field("Formatted", "size")["max_length"] == 64
    assert s.field("Formatted", "label")["max_length"] == 14
    assert s.field("Joined", "peer")["relation"]["related_name"] == "nodes"
    reverse = {r["name"] for r in s.model("Formatted")["reverse_relations"]}
    assert {"shop_children", "nodes"} <= reverse


def names(**values):
    def name_value(dotted):
        if dotted not in values:
            raise Unknown
        return values[dotted]

    return name_value


def value(source, **values):
    try:
        return fold(source, names(**values))
    except Unknown:
        return UNKNOWN


def test_fold_reads_any_python_versions_syntax() -> None:
    """tree-sitter reads the snippet: Python 3.12's f-strings on any Python djatlas runs on."""
    assert value('f"{"a" + "b"}_{f\'{X}\'}"', X=1) == "ab_1"
    assert value(r'rf"\d{X}\n"', X="x") == "\\dx\\n"
    assert value(r'f"{{{X}}}\t"', X="y") == "{y}\t"
    assert value('"a" f"{X:>3}" "c"', X=7) == "a  7c"
    assert value("(X, [Y * 2])", X="a", Y=3) == ["a", [6]]
    assert value('gettext_lazy(X + "s")', X="item") == "items"


def test_fold_refuses_what_is_not_a_constant_computation() -> None:
    for source in (
        "table_name()",
        "X.startswith('a')",
        "[x for x in X]",
        "lambda: X",
        't"{X}"',
        'b"x" + b"y"',
        'f"{X=}"',
        "X if Y else Z",
        '_("a", "b")',
        "_(Y)",
        'gettext(f"{Missing}")',
        "Missing + 1",
        "X[1:]",
    ):
        assert value(source, X="abc", Y=True, Z="z") is UNKNOWN, source


def test_fold_refuses_what_would_be_huge() -> None:
    big = MAX_TEXT + 1
    for source, values in (
        ("X * 100000", {"X": "ab"}),
        ("10 ** 100", {}),
        ("X ** 64", {"X": 1 << 40}),
        ('"%9999d" % 1', {}),
        ('"%*d" % (N, 1)', {"N": 10**8}),
        ('"{:>{}}".format(1, N)', {"N": 10**8}),
        ('f"{1:>{N}}"', {"N": 10**8}),
        ('"x".zfill(N)', {"N": 10**8}),
        ('X.replace("a", Y)', {"X": "a" * 100, "Y": "b" * 100}),
        ('X.replace("", "yy")', {"X": "a" * 3000}),
        ("X + X", {"X": "a" * (big // 2 + 1)}),
    ):
        assert value(source, **values) is UNKNOWN, source
