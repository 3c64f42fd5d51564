"""Shared model filters used by every diagram format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from djatlas.render import RenderOptions
from djatlas.render.filters import FilterError, find_model, select

SAMPLE = Path(__file__).parent / "fixtures" / "reports" / "sample.json"


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(SAMPLE.read_text("utf-8"))


def labels(doc: dict, **kw) -> list[str]:
    return select(doc, RenderOptions(**kw)).labels


def test_no_filter_keeps_everything_in_report_order(doc):
    assert labels(doc) == [m["label"] for m in doc["models"]]


def test_app_filter_is_repeatable(doc):
    assert set(labels(doc, apps=["shop"])) == {
        "shop.Category",
        "shop.Tag",
        "shop.Product",
        "shop.LiveProduct",
        "shop.Order",
        "shop.OrderLine",
    }
    assert {m.split(".")[0] for m in labels(doc, apps=["shop", "core"])} == {"shop", "core"}


def test_unknown_app_is_a_clear_error(doc):
    with pytest.raises(FilterError, match="no app 'nope'"):
        select(doc, RenderOptions(apps=["nope"]))


def test_model_neighbourhood_by_depth(doc):
    assert set(labels(doc, model="Category", depth=1)) == {"shop.Category", "shop.Product"}
    depth2 = set(labels(doc, model="Category", depth=2))
    assert {
        "shop.Tag",
        "shop.OrderLine",
        "core.Item",
        "shop.LiveProduct",
        "core.TimeStamped",
        "shop.Order",
    } <= depth2
    assert "accounts.Profile" not in depth2
    assert labels(doc, model="shop.Category", depth=0) == ["shop.Category"]


def test_model_lookup(doc):
    assert find_model(doc, "shop.Order")["label"] == "shop.Order"
    assert find_model(doc, "café")["label"] == "évènements.Café"
    with pytest.raises(FilterError, match="ambiguous"):
        find_model(doc, "Order")
    with pytest.raises(FilterError, match="did you mean"):
        find_model(doc, "shop.Prod")


def test_exclude_glob_matches_label_or_name(doc):
    kept = labels(doc, exclude_models=["shop.Order*", "Tag"])
    assert "shop.Order" not in kept and "shop.OrderLine" not in kept and "shop.Tag" not in kept
    assert "évènements.Order" in kept


def test_hide_abstract_and_inherited(doc):
    view = select(doc, RenderOptions(hide_abstract=True, hide_inherited=True))
    assert "core.TimeStamped" not in view.labels
    product = view.by_label["shop.Product"]
    assert "created" not in [f["name"] for f in view.fields(product)]
    assert all(e.kind != "abstract" for e in view.edges)


def test_no_fields(doc):
    view = select(doc, RenderOptions(no_fields=True))
    assert all(view.fields(m) == [] for m in view.models)


def test_edges_only_between_selected_models(doc):
    view = select(doc, RenderOptions(apps=["shop"]))
    label = {m["id"]: m["label"] for m in doc["models"]}  # edges join model ids
    assert {(label[e.source], label[e.target], e.kind) for e in view.edges} >= {
        ("shop.Product", "shop.Category", "ForeignKey"),
        ("shop.Product", "shop.Tag", "ManyToManyField"),
        ("shop.Category", "shop.Category", "ForeignKey"),
        ("shop.LiveProduct", "shop.Product", "proxy"),
    }
    assert all(e.target in view.ids for e in view.edges)
    full = select(doc, RenderOptions())
    kinds = {(label[e.source], label[e.target]): e.kind for e in full.edges}
    assert kinds[("shop.Product", "core.Item")] == "parent"
    assert kinds[("shop.Product", "core.TimeStamped")] == "abstract"
    assert kinds[("accounts.Profile", "accounts.User")] == "OneToOneField"
    product = full.by_label["shop.Product"]
    assert "sku" not in [f["name"] for f in full.fields(product)]  # drawn in core.Item's box
