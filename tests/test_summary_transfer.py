"""Module summaries crossing between processes (``parse.summary``'s pickled form): a summary a
worker or the examining child sends is loaded equal to the one the caller would have made."""

from __future__ import annotations

import copy
import copyreg
import os
import pickle
import pickletools
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas import parallel
from djatlas.parse import summary as S
from djatlas.records import dataclass, field, fields

#: Source using every summary record: imports, assignments, a model with a Meta, a nested
#: class, an ``__init__`` with keyword handling, a function with locals and a class, calls with
#: literal, reference and call arguments, a tuple of references, and a syntax error recovered.
SOURCE = textwrap.dedent(
    """
    from django.db import models
    from django.conf import settings
    import shop.base as base
    from .consts import *

    __all__ = ["Product", "make_field"]
    LIMIT = 10
    BASES = (base.Stamped, models.Model)
    CHOICES = [("a", "A"), ("b", {"x": [1, 2.5, None, True]})]

    class Product(base.Stamped):
        '''A product.'''

        name = models.CharField(max_length=LIMIT, default="n", choices=CHOICES)
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        price = base.money(models.DecimalField(max_digits=10), -1)
        tags = None

        class Kind(models.TextChoices):
            A = "a"

        class Meta(base.Stamped.Meta):
            ordering = ["-name"]
            verbose_name = LIMIT

        def __init__(self, size, *args, **kwargs):
            kwargs["editable"] = False
            kwargs.setdefault("blank", True)
            super().__init__(*args, unique=True, **kwargs)

        def save(self):
            pass

    def make_field(kind, **kwargs):
        kwargs.setdefault("null", True)
        field = models.IntegerField(**kwargs)

        class Local(models.Model):
            pass

        return field

    broken = (
    """
)


def _summary(source: str = SOURCE) -> S.ModuleSummary:
    from djatlas.parse.reader import parse
    from djatlas.parse.visitor import summarize

    parsed = parse(source.encode(), "shop/models.py")
    return summarize(parsed.tree, parsed.text, "shop.models", "shop/models.py", False)


def _records(value: object) -> list[object]:
    """Every summary record in ``value``, depth first."""
    out: list[object] = []
    if hasattr(type(value), "__record_fields__"):
        out.append(value)
        value = [getattr(value, f.name) for f in fields(value)]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            out.extend(_records(item))
    return out


def test_a_summary_is_loaded_equal_record_by_record() -> None:
    summary = _summary()
    kinds = {type(r).__name__ for r in _records(summary)}
    assert kinds == {
        "ModuleSummary", "ImportRef", "Expr", "Call", "Arg", "Member", "MetaSummary",
        "ClassSummary", "FunctionSummary", "SyntaxIssue",
    }  # fmt: skip
    loaded = pickle.loads(pickle.dumps(summary, pickle.HIGHEST_PROTOCOL))
    assert loaded == summary
    pairs = list(zip(_records(loaded), _records(summary), strict=True))
    assert all(type(a) is type(b) and vars(a) == vars(b) for a, b in pairs)
    assert loaded.to_dict() == summary.to_dict()


def test_a_record_is_pickled_as_a_call_of_its_class() -> None:
    """The caller's loading makes each record with its class's ``__init__`` (cheaper than the
    default form: no ``__dict__`` set key by key), from its fields' values in order."""
    arg = S.Arg([1, {"a": "b"}], ref="x.y", call=None)
    reduce = copyreg.dispatch_table
    assert reduce[S.Arg](arg) == (S.Arg, ([1, {"a": "b"}], "x.y", None))
    summary = _summary()
    maker, values = reduce[S.ModuleSummary](summary)
    assert maker is S.ModuleSummary and values == tuple(vars(summary).values())
    ops = {op.name for op, _, _ in pickletools.genops(pickle.dumps(summary, 5))}
    assert "REDUCE" in ops and "BUILD" not in ops and "NEWOBJ" not in ops
    assert copy.copy(arg) == arg and copy.deepcopy(summary) == summary


def test_a_subclass_of_a_summary_record_keeps_the_default_form() -> None:
    @dataclass
    class Located(S.ImportRef):
        line: int = 0

    here = Located("django.db", "models", line=3)
    globals()["Located"] = Located  # picklable by name
    Located.__qualname__ = "Located"
    try:
        loaded = pickle.loads(pickle.dumps(here, pickle.HIGHEST_PROTOCOL))
    finally:
        del globals()["Located"]
    assert type(loaded) is Located and vars(loaded) == vars(here)


def test_only_a_record_of_positional_fields_is_pickled_as_a_call() -> None:
    @dataclass
    class Marked:
        line: int
        name: str = field(default="", kw_only=True)

    with pytest.raises(TypeError, match="positional"):
        S._pickled_as_call(Marked)


@pytest.mark.skipif(
    not hasattr(os, "fork") or not sys.platform.startswith("linux"), reason="no fork here"
)
def test_workers_answer_the_summaries_parsed_in_process(tmp_path: Path, monkeypatch) -> None:
    files = {f"app{i}/models.py": SOURCE.replace("Product", f"Product{i}") for i in range(4)}
    root = write_tree(tmp_path / "proj", files)
    items = [(rel, None, rel[:-3].replace("/", "."), False) for rel in sorted(files)]
    here = parallel.parse_items(items, str(root))
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)
    answered = list(parallel.parse_many(items, str(root), 3))
    assert sorted(answered, key=lambda a: a[0]) == here
    assert all(isinstance(s, S.ModuleSummary) and s.syntax_errors for _, s in here)


@pytest.mark.skipif(
    not hasattr(os, "fork") or not sys.platform.startswith("linux"), reason="no fork here"
)
def test_a_cold_scan_loads_the_answers_without_the_pickle_module(tmp_path: Path) -> None:
    """The caller unpickles the examining child's answers with ``_pickle`` alone."""
    files = {f"app{i}/models.py": SOURCE.replace("Product", f"Product{i}") for i in range(45)}
    root = write_tree(tmp_path / "proj", files)
    probe = (
        "import os, sys\n"
        "os.sched_getaffinity = lambda pid: {0, 1}\n"
        "from djatlas import parallel, scan\n"
        "parallel._can_fork = lambda: True\n"
        "real, loaded = parallel.unpickled, []\n"
        "parallel.unpickled = lambda data: loaded.append(1) or real(data)\n"
        f"scan.scan_path({str(root)!r}, use_cache=False, timing=False)\n"
        "print(bool(loaded), 'pickle' in sys.modules)\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert p.stdout.split() == ["True", "False"]
