"""Python 3.15 syntax the tree-sitter grammar does not read: PEP 810 lazy imports and PEP 798
dict unpacking in comprehensions (``parse.lazyimports``, ``parse.unpacking``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from djatlas.parse.reader import parse
from djatlas.parse.visitor import summarize
from djatlas.pipeline.scope import imported_names
from djatlas.resolve.scoping import _TOKEN, FROM, line_sites
from djatlas.scan import scan_path


def summary(source: str):
    parsed = parse(source.encode(), "app/models.py")
    return summarize(parsed.tree, parsed.text, "app.models", "app/models.py", False)


def scan(tmp_path: Path, files: dict[str, str]) -> dict[str, Any]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return scan_path(str(tmp_path), timing=False, use_cache=False)


def fields(doc: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {
        m["name"]: [(f["name"], f["resolved_type"]) for f in m["fields"]] for m in doc["models"]
    }


def recovered(doc: dict[str, Any]) -> list[str]:
    return [d["message"] for d in doc["diagnostics"] if d["code"] == "DJA111"]


LAZY = '''"""Lazy imports.

lazy import this_line_is_a_docstring
"""
from __future__ import annotations

lazy from django.db import models
lazy import json
lazy from django.db.models import (
    CharField as CF,
)
import typing
if typing.TYPE_CHECKING:
    lazy from django.db.models import IntegerField
with open(__file__):
    lazy import decimal

lazy = 3
lazy_too = lazy


class Shop(models.Model):
    """lazy import also_in_a_docstring"""

    name = CF(max_length=10)
    data = models.JSONField(encoder=json.JSONEncoder)
'''


def test_lazy_imports_python_accepts_are_read_as_imports(tmp_path: Path) -> None:
    doc = scan(tmp_path, {"app/__init__.py": "", "app/models.py": LAZY})
    assert fields(doc) == {
        "Shop": [
            ("id", "django.db.models.fields.AutoField"),
            ("name", "django.db.models.fields.CharField"),
            ("data", "django.db.models.fields.json.JSONField"),
        ]
    }
    assert recovered(doc) == []
    (shop,) = doc["models"]
    assert shop["docstring"] == "lazy import also_in_a_docstring"


def test_lazy_imports_bind_their_names_and_leave_the_text_as_written() -> None:
    s = summary(LAZY)
    assert s.syntax_errors == []
    assert {n: (r.module, r.name) for n, r in s.imports.items() if n != "typing"} == {
        "annotations": ("__future__", "annotations"),
        "models": ("django.db", "models"),
        "json": ("json", None),
        "CF": ("django.db.models", "CharField"),
        "IntegerField": ("django.db.models", "IntegerField"),
        "decimal": ("decimal", None),
    }
    assert parse(LAZY.encode(), "app/models.py").tree.source == LAZY.encode()  # as written
    assert "lazy" in s.assigns and "lazy_too" in s.assigns


REFUSED = {
    "class body": (
        "class Shop(models.Model):\n    lazy import os\n    name = models.CharField()\n",
        "not allowed inside classes",
    ),
    "method": (
        "class Shop(models.Model):\n    name = models.CharField()\n\n"
        "    def f(self):\n        lazy from os import path\n        return path\n",
        "not allowed inside functions",
    ),
    "try body": (
        "try:\n    lazy import ujson as json\nexcept ImportError:\n    import json\n\n"
        "class Shop(models.Model):\n    name = models.CharField()\n",
        "not allowed inside try/except blocks",
    ),
    "finally": (
        "try:\n    pass\nfinally:\n    lazy import json\n\n"
        "class Shop(models.Model):\n    name = models.CharField()\n",
        "not allowed inside try/except blocks",
    ),
    "star": (
        "lazy from os.path import *\n\nclass Shop(models.Model):\n    name = models.CharField()\n",
        "lazy from ... import * is not allowed",
    ),
    "future": (
        "lazy from __future__ import annotations\n\n"
        "class Shop(models.Model):\n    name = models.CharField()\n",
        "lazy from __future__ import is not allowed",
    ),
}


@pytest.mark.parametrize(("source", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_lazy_imports_python_refuses_are_skipped_with_the_reason(source: str, reason: str):
    """A refused lazy import is a syntax error for Python 3.15: its statement is skipped as any
    broken one (a method whole, a class body's line alone), the rest is read."""
    s = summary("from django.db import models\n\n" + source)
    assert [m.name for m in s.classes["Shop"].members] == ["name"]
    (issue,) = s.syntax_errors
    assert issue.hint == f"PEP 810 lazy import, Python 3.15: {reason}"
    assert b"lazy" in (source.splitlines()[issue.line - 3]).encode()


def test_the_closure_follows_lazy_imports(tmp_path: Path) -> None:
    """A base class reached only by a lazy import is in the project's import closure."""
    files = {
        "manage.py": "import os\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_.settings")\n',
        "site_/__init__.py": "",
        "site_/settings.py": 'INSTALLED_APPS = ["shop"]\n',
        "shop/__init__.py": "",
        "shop/models.py": (
            "lazy from shop.bases import Stamped\n\n\n"
            "class Order(Stamped):\n    number = models.CharField(max_length=5)\n"
        ),
        "shop/bases.py": (
            "from django.db import models\n\n\n"
            "class Stamped(models.Model):\n    created = models.DateTimeField()\n\n"
            "    class Meta:\n        abstract = True\n"
        ),
    }
    doc = scan(tmp_path, files)
    assert [f for f, _ in fields(doc)["Order"]] == ["id", "created", "number"]
    status = {f["path"]: f["status"] for f in doc["files"]}
    assert status["shop/bases.py"] == "parsed"


@pytest.mark.parametrize(
    ("data", "names"),
    [
        (b"lazy from a.b import c\nlazy import d.e\nlazy_x = 1\n", ["a.b", "a.b.c", "d.e"]),
        (b"import x\nlazy import y\nimport z\n", ["x", "y", "z"]),
        (b"# c\nlazy import y\nfrom w import (\n  v,\n)\n", ["y", "w", "w.v"]),
        (b"if 1:\n    lazy  from . import q\nlazy = 'import p'\n", ["pkg", "pkg.q"]),
        (b"x = 1\nlazy import last", ["last"]),
    ],
)
def test_lazy_import_lines_for_the_closure(data: bytes, names: list[str]) -> None:
    assert imported_names(data, "pkg.mod", False) == names


def test_lazy_import_lines_for_the_prefilter() -> None:
    sites = line_sites(_TOKEN.findall(b"lazy from m import B as C"), 0, True)
    assert [(name, site.kind) for name, site in sites] == [(b"C", FROM)]


def test_dict_unpacking_in_a_comprehension_is_read_as_written(tmp_path: Path) -> None:
    source = (
        "from django.db import models\n\n"
        "MERGED = {**d for d in [{'a': 1}]}\n"
        "LISTS = [*x for x in [[1], [2]]]\n\n\n"
        "class Shop(models.Model):\n"
        "    data = models.JSONField(default={**d for d in [{}]})\n"
        "    name = models.CharField(max_length=3)\n"
    )
    s = summary(source)
    assert s.syntax_errors == []
    data, name = s.classes["Shop"].members
    assert data.value.call.kwargs["default"].value == {"$expr": "{**d for d in [{}]}"}
    assert name.name == "name"
    assert "MERGED" in s.assigns
    doc = scan(tmp_path, {"app/__init__.py": "", "app/models.py": source})
    assert [f for f, _ in fields(doc)["Shop"]] == ["id", "data", "name"] and not recovered(doc)


def test_a_dict_display_that_is_broken_stays_an_error() -> None:
    s = summary("x = {**a for}\n\nclass A:\n    y = 1\n")
    assert len(s.syntax_errors) == 1 and "A" in s.classes


# -- recovery inside a compound statement's clauses ----------------------------------------
CLAUSES = """from django.db import models

try:
    from fast import loads +
except ImportError:
    from json import loads
else:
    pass
finally:
    x = = 1


class Shop(models.Model):
    if x:
        name = models.CharField(max_length=3)
    else:
        name = models.CharField( = 4)
    size = models.IntegerField()
"""


def test_a_broken_line_in_a_clause_body_loses_that_line_not_the_next_clause() -> None:
    """A clause's header (``except``, ``else``, ``finally``) ends the body before it: recovery
    skips the broken line alone, and the clauses after it are still read."""
    s = summary(CLAUSES)
    assert [(i.line, i.skipped) for i in s.syntax_errors] == [
        (4, [4, 4]),
        (10, [10, 10]),
        (17, [17, 17]),
    ]
    assert s.imports["loads"].module == "json"
    assert [m.name for m in s.classes["Shop"].members] == ["name", "size"]
