"""The text pre-filter: a class is a candidate by the heads of its bases, not by names used
inside a subscript or a keyword argument."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from treeutil import write_tree

from djatlas.resolve.prefilter import base_heads
from djatlas.scan import scan_path


def test_base_heads() -> None:
    assert base_heads(b"models.Model") == [b"Model"]
    assert base_heads(b"DataLoader[tuple[int, str], T]") == [b"DataLoader"]
    assert base_heads(b"ModelObjectType[models.Order], Foo") == [b"ModelObjectType", b"Foo"]
    assert base_heads(b"Base, metaclass=Meta") == [b"Base"]
    assert base_heads(b"Generic[T],\n    m.Model") == [b"Generic", b"Model"]
    assert base_heads(b"Base, Other[") == [b"Base", b"Other"]  # header cut at its first ")"
    assert base_heads(b"x.y.Z, make(a") == [b"Z", b"make"]
    assert base_heads("Modèle".encode()) == ["Modèle".encode()]


def test_a_class_parameterised_by_a_model_is_not_parsed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/models.py": """
                from typing import Generic, TypeVar
                from django.db import models
                T = TypeVar("T")

                class Base(Generic[T], models.Model):
                    class Meta:
                        abstract = True

                class Order(Base[int]):
                    total = models.IntegerField()
            """,
            "shop/types.py": """
                from shop.models import Order

                class OrderType(ObjectType[Order], metaclass=Order):
                    pass
            """,
        },
    )
    doc = scan_path(str(tmp_path))
    assert [m["name"] for m in doc["models"]] == ["Base", "Order"]
    status = {f["path"]: f["status"] for f in doc["files"]}
    assert status["shop/types.py"] == "not_needed"


def test_as_names_take_the_whole_dotted_name() -> None:
    from djatlas.resolve.prefilter import _AS, _as_names

    src = (
        b"import alias as x\nimport pandas as pd\nfrom a import bas as c, d as e\n"
        b"y = alias  as   z\nwith open(f) as fh:\n    import a.b.c as d\n"
    )
    assert _as_names(src) == [(m.group(1), m.group(2)) for m in re.finditer(_AS, src)]
    assert (b"pandas", b"pd") in _as_names(src)


def _statuses(tmp_path: Path, files: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    write_tree(tmp_path, files)
    doc = scan_path(str(tmp_path))
    return {f["path"]: f["status"] for f in doc["files"]}, [m["name"] for m in doc["models"]]


_SHOP = {
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models

        class Order(models.Model):
            total = models.IntegerField()

        class OrderMixin(models.Model):
            class Meta:
                abstract = True
    """,
    "shop/base.py": """
        from django.db import models

        class TimeStamped(models.Model):
            class Meta:
                abstract = True
    """,
    "shop/forms_base.py": """
        from django import forms

        class OrderMixin(forms.Form):
            pass
    """,
}


def test_a_local_class_shadows_a_model_name(tmp_path: Path) -> None:
    status, models = _statuses(
        tmp_path,
        _SHOP
        | {
            "shop/graphql.py": """
                import graphene

                class Order(graphene.ObjectType):
                    pass

                class OrderDetail(Order):
                    pass
            """,
            "shop/late.py": """
                class Late(Order):  # Order is not bound here yet: the global name decides
                    pass

                class Order:
                    pass
            """,
            "shop/nested.py": """
                class Outer:
                    class Order:  # binds Outer.Order, not the module's Order
                        pass

                class Detail(Order):
                    pass
            """,
        },
    )
    assert status["shop/graphql.py"] == "not_needed"
    assert status["shop/late.py"] == "parsed"
    assert status["shop/nested.py"] == "parsed"
    assert sorted(models) == ["Order", "OrderMixin", "TimeStamped"]


def test_an_imported_base_is_the_imported_module_s_class(tmp_path: Path) -> None:
    status, models = _statuses(
        tmp_path,
        _SHOP
        | {
            "shop/forms.py": """
                from shop.forms_base import OrderMixin
                from .forms_base import OrderMixin as Mixin

                class OrderForm(OrderMixin):
                    pass

                class OtherForm(Mixin):
                    pass
            """,
            "shop/star.py": """
                from shop.forms_base import *

                class StarForm(OrderMixin):
                    pass
            """,
            "shop/proxies.py": """
                from shop.models import Order as BaseOrder

                class SpecialOrder(BaseOrder):
                    class Meta:
                        proxy = True
            """,
            "shop/aliased.py": """
                from shop import models as m
                Base = m.Order

                class AliasedOrder(Base):
                    class Meta:
                        proxy = True
            """,
            "shop/conditional.py": """
                try:
                    from shop.forms_base import OrderMixin
                except ImportError:
                    OrderMixin = None

                class MaybeForm(OrderMixin):
                    pass
            """,
        },
    )
    assert status["shop/forms.py"] == "not_needed"
    assert status["shop/star.py"] == "not_needed"
    assert status["shop/proxies.py"] == "parsed"
    assert status["shop/aliased.py"] == "parsed"
    assert status["shop/conditional.py"] == "parsed"
    assert {"SpecialOrder", "AliasedOrder"} <= set(models)


def test_a_model_on_a_local_abstract_model_is_found(tmp_path: Path) -> None:
    status, models = _statuses(
        tmp_path,
        _SHOP
        | {
            "shop/notes.py": """
                from shop.base import TimeStamped
                from django.db import models

                class Local(TimeStamped):
                    class Meta:
                        abstract = True

                class Note(Local):
                    text = models.TextField()
            """,
        },
    )
    assert status["shop/notes.py"] == "parsed"
    assert "Note" in models


def _sites(src: str, name: str) -> list[tuple[str, bool]] | None:
    from djatlas.resolve.scoping import FileScope

    sites = FileScope(textwrap.dedent(src).encode()).sites(name.encode())
    return None if sites is None else [(s.kind, s.final) for s in sites]


def test_binding_sites() -> None:
    assert _sites("class B(A):\n    pass\n", "B") == [("class", True)]
    assert _sites("from m import B\n", "B") == [("from", True)]
    assert _sites("if x:\n    from m import B\n", "B") == [("from", False)]
    assert _sites("from m import (\n    A,\n    B,\n)\n", "B") == [("from", True)]
    assert _sites("from m import *\n", "B") == [("star", False)]
    assert _sites("from m import C, \\\n    B as D, B\n", "B") == [("from", True)]
    assert _sites("from m import C, \\\n    B as D, B\n", "D") == [("from", True)]
    assert _sites("@register\nclass B(A):\n    pass\n", "B") is None
    assert _sites("x = f(B)\ny = B.objects\nclass C(B):\n    pass\n", "B") == []
    assert _sites("s = '''\nclass B(A):\n'''  # B = 1\n", "B") == []
    for binding in (
        "B = Foo",
        "A, B = x",
        "[A,\n B] = x",
        "for B in x:\n    pass",
        "with f() as B:\n    pass",
        "import B",
        "import m as B",
        "def f():\n    global B\n    B = 1",
        "if (B := f()):\n    pass",
        "if x:\n    class B:\n        pass",
        "B: int = 1",
        "B += 1",
        "try:\n    pass\nexcept E as B:\n    pass",
        "x = 1; B = 2",
        "if x: B = 2",
        "globals()['B'] = 1",
        "def B():\n    pass",
        "match x:\n    case B:\n        pass",
        "x = [\n    1,\n]; B = 2",
        "x = 1 + \\\n    2; B = 3",
    ):
        assert _sites(binding + "\n", "B") is None, binding


def test_fast_scans_equal_the_reference_patterns() -> None:
    """The header, alias and ``as`` scans find what ``_CLASS``, ``_ALIAS`` and ``_AS`` find,
    on texts made to trip their short cuts (tabs, CRLF, a multi-line header holding an alias
    line, a header at the end, ``==``, a chained assignment, a first-line alias)."""
    from djatlas.resolve.prefilter import (
        _ALIAS,
        _AS,
        _CLASS,
        _aliases,
        _as_names,
        _class_headers,
        base_heads,
    )

    texts = [
        b"X = y.z\nclass A(models.Model): pass\n@classmethod\nclass\tB (C) :\n",
        b"class A(\nX: f() = b\n)\nk: int = v.w  \nclass = Foo\na = b = c\nd == e\n",
        b"a = b\r\nc = d\n  class E(F)\nclass G(H, metaclass=M)\nimport x.y as\tz\nclass",
        b"import alias as x\nfrom a import b as c\n  with f() as g:\nx\tas y\nclasses = a.b",
        b"class A(B[C], D.E , F=1)\nclass B( x.y )\nclass C(x.)\nclass D(1a)\nend = 1",
        b"import a.b as c\nfrom x import (y as z, w  as v)\nwith open(p) as f, q as  r:\n as s",
        # a ``class`` passed over (no header, or not after a blank) before one on its line;
        # a header whose bases end on the line of the next ``class``; ``subclass``, ``.class``
        b"x.class A(B): class C(D)\nclass E(\nF): class G(H)\nsubclass I(J)\n class K(L)\n",
        b"class(M)\nclass N(O) class P(Q)\n\tclass R(S)\nclassclass T(U)\n",
    ]
    for text in texts:
        reference = [(m.group(1), m.group(2)) for m in re.finditer(_CLASS, text)]
        assert [(name, bases) for name, _, bases in _class_headers(text)] == reference
        for _, head, bases in _class_headers(text):
            assert head is None or [head] == base_heads(bases)
        assert _aliases(text) == [(m.group(1), m.group(2)) for m in _ALIAS.finditer(text)]
        pairs = [(m.group(1), m.group(2)) for m in re.finditer(_AS, text)]
        assert _as_names(text) == pairs
        if b"\t" not in text and b" as " in text:
            assert _as_names(text, text.find(b" as ")) == pairs


def test_the_strip_pattern_removes_what_the_per_byte_one_removes() -> None:
    """``FileScope``'s comments-and-strings pattern (string bodies matched by runs) removes
    exactly what a per-byte alternation removes: escapes, lone and unterminated quotes,
    quotes running on past a triple one, a backslash at the end."""
    from djatlas.resolve.scoping import _STRIP

    reference = re.compile(
        rb"#[^\n]*"
        rb"|'''(?:[^'\\]|\\.|'(?!''))*'''"
        rb'|"""(?:[^"\\]|\\.|"(?!""))*"""'
        rb"|'(?:[^'\\\n]|\\.)*'"
        rb'|"(?:[^"\\\n]|\\.)*"',
        re.S,
    )
    texts = [
        b"'''a''''",
        b"'a\\",
        b"'''x\\",
        b'"""a""""',
        b"'\\''",
        b"''''''",
        b"'a\\\nb'",
        b'"a\\"b" #c\n\'',
        b"'''a\\'''b'''",
        b"'''",
        b"''",
        b'x = "a # b" # c "d"\ny = \'e\'\'f\'\n"""g\n\'h\' "" i"""\nj("k\\\\")\n',
        b"'unterminated\nx = '''a '' b \\''' c'''\n# '\n\"\"\"",
    ]
    for text in texts:
        assert _STRIP.sub(b"", text) == reference.sub(b"", text), text
