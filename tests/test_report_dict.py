"""``Report.to_dict``: what ``asdict`` (djatlas.records, as ``dataclasses.asdict``) gives, key
order included, with fresh containers (the fast forms of graph/types.py's ``plain`` must not
change the document)."""

from __future__ import annotations

import json
from collections import OrderedDict, namedtuple

import pytest

from djatlas.graph.types import (
    App,
    Base,
    Diagnostic,
    Field,
    FileEntry,
    Model,
    Project,
    Relation,
    Report,
)
from djatlas.records import asdict

Pair = namedtuple("Pair", "a b")


def _field(name: str, **params: object) -> Field:
    relation = Relation("ForeignKey", "shop.Order", "shop/models.py", target_id="shop.models.Order")
    return Field(
        name,
        "models.ForeignKey" if params else "models.CharField",
        None,
        None,
        3,
        "declared",
        "shop.models.Item",
        dict(params),
        name,
        False,
        False,
        False,
        None,
        relation if params else None,
        known_params={"choices": [("a", "A"), ("b", "B")]} if params else {},
    )


def _report() -> Report:
    base = Base("models.Model", "django.db.models.Model", "knowledge")
    model = Model(
        id="shop.models.Item",
        name="Item",
        label="shop.Item",
        app_label="shop",
        module="shop.models",
        file="shop/models.py",
        line=1,
        docstring="An item.",
        bases=[base],
        abstract=False,
        proxy=False,
        parents=[],
        concrete_model="shop.Item",
        db_table="shop_item",
        meta={"ordering": ["-id"], "indexes": [{"$expr": "Index(fields=['x'])"}], 3: 1.5},
        meta_inherited_from=None,
        methods=["__str__", "save"],
        has_str=True,
        fields=[
            _field("name"),
            _field("order", to={"$expr": "Order"}, on_delete=Pair("CASCADE", None)),
        ],
    )
    model.project = "shop"  # set after __init__, as the report stage does
    odd = _field("odd")
    odd.note = "not a field"  # an attribute that is not a field: left out
    model.fields.append(odd)
    meta = OrderedDict([("b", 1), ("a", (1, [2]))])
    model.meta["ordered"] = meta
    return Report(
        {"settings_module": "shop.settings", "notes": []},
        {"models": 1},
        [App("shop", "shop", None, ["shop.Item"], ["shop.models.Item"])],
        [model],
        [FileEntry("shop/models.py", "shop.models", "parsed", None, None)],
        [Diagnostic("warning", "DJA111", "x", "shop/models.py", 2)],
        "1.0",
        [Project("shop", ".", "shop.settings", "django.db.models.AutoField", "auth.User", [])],
    )


def test_to_dict_is_asdict_in_the_same_order() -> None:
    report = _report()
    doc = report.to_dict()
    for key in ("projects", "apps", "models", "files", "diagnostics"):
        expected = [asdict(item) for item in getattr(report, key)]
        assert json.dumps(doc[key]) == json.dumps(expected)
        assert doc[key] == expected
    assert "note" not in doc["models"][0]["fields"][2]
    assert type(doc["models"][0]["meta"]["ordered"]) is OrderedDict
    assert doc["models"][0]["fields"][1]["params"]["on_delete"] == Pair("CASCADE", None)


def test_to_dict_copies_every_container() -> None:
    report = _report()
    doc = report.to_dict()
    model = report.models[0]
    shown = doc["models"][0]
    assert shown["methods"] == model.methods and shown["methods"] is not model.methods
    assert shown["meta"] is not model.meta
    assert shown["meta"]["ordering"] is not model.meta["ordering"]
    assert shown["fields"][1]["params"]["to"] is not model.fields[1].params["to"]
    shown["fields"][1]["known_params"]["choices"].append("c")
    assert model.fields[1].known_params["choices"] == [("a", "A"), ("b", "B")]


def test_json_of_the_typed_document_is_the_json_of_to_dict() -> None:
    from djatlas.render import RenderOptions
    from djatlas.render.jsonout import dumps, render

    report = _report()
    expected = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    assert dumps(report.document()) == expected
    assert render(report.document(), RenderOptions()) == expected.encode("utf-8")
    report.models[0].docstring = "lone \udc80 surrogate"
    escaped = dumps(report.to_dict()).encode("utf-8")
    assert b"\\udc80" in escaped
    assert render(report.document(), RenderOptions()) == escaped


def test_the_typed_document_dumps_as_to_dict() -> None:
    """The cache writes a report from ``Report.document()`` with ``fields_of`` as
    ``json.dumps``'s default: the same bytes as from ``to_dict``."""
    from djatlas.graph.types import fields_of

    report = _report()
    report.models[0].note = "not a field"  # an attribute besides the fields: left out
    compact = {"ensure_ascii": True, "separators": (",", ":")}
    typed = json.dumps(report.document(), default=fields_of, **compact)
    assert typed == json.dumps(report.to_dict(), **compact)
    with pytest.raises(TypeError):
        json.dumps({"x": object()}, default=fields_of)
