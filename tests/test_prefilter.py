"""The text pre-filter: a class is a candidate by the heads of its bases, not by names used
inside a subscript or a keyword argument."""

from __future__ import annotations

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
    assert _as_names(src) == [(m.group(1), m.group(2)) for m in _AS.finditer(src)]
    assert (b"pandas", b"pd") in _as_names(src)
