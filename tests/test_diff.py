"""`djatlas diff`: the diff engine over report documents, its renderers and the command."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from djatlas.cli import main
from djatlas.diff import diff_reports, render

FIXTURES = Path(__file__).parent / "fixtures" / "reports_diff"
OLD = FIXTURES / "old.json"
NEW = FIXTURES / "new.json"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def diff() -> dict[str, Any]:
    return diff_reports(load(OLD), load(NEW))


def entry(diff: dict[str, Any], label: str) -> dict[str, Any]:
    for item in diff["models"]:
        if label in (item["new_label"], item["old_label"]):
            return item
    raise AssertionError(f"{label} not in diff")


def field_change(diff: dict[str, Any], label: str, name: str) -> dict[str, Any]:
    changes = entry(diff, label)["fields"]["changed"]
    return {c["attribute"]: c for c in next(f for f in changes if f["name"] == name)["changes"]}


def risks(diff: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [r for r in diff["risks"] if r["code"] == code]


def test_identical_reports_have_no_change() -> None:
    doc = load(OLD)
    result = diff_reports(doc, copy.deepcopy(doc))
    assert result["changed"] is False
    assert result["models"] == [] and result["risks"] == []
    assert "No model changes." in render(result, "text")
    assert "No model changes." in render(result, "markdown")


def test_line_moves_alone_are_no_change() -> None:
    old = load(OLD)
    new = copy.deepcopy(old)
    for model in new["models"]:
        model["line"] += 10
        for field in model["fields"]:
            if field["line"]:
                field["line"] += 10
    assert diff_reports(old, new)["changed"] is False


def test_models_added_and_removed(diff: dict[str, Any]) -> None:
    assert entry(diff, "shop.Coupon")["status"] == "added"
    assert entry(diff, "shop.Obsolete")["status"] == "removed"
    assert [r["model"] for r in risks(diff, "table-dropped")] == ["shop.Obsolete"]


def test_model_renamed_same_fields(diff: dict[str, Any]) -> None:
    item = entry(diff, "shop.Label")
    assert item["status"] == "renamed"
    assert item["old_label"] == "shop.Tag"
    assert any(r["model"] == "shop.Label" for r in risks(diff, "table-renamed"))


def test_model_moved_between_apps(diff: dict[str, Any]) -> None:
    item = entry(diff, "billing.Invoice")
    assert item["status"] == "moved"
    assert item["old_label"] == "shop.Invoice"
    assert any("shop_invoice renamed to billing_invoice" in r["message"] for r in diff["risks"])


def test_model_moved_between_modules(diff: dict[str, Any]) -> None:
    item = entry(diff, "shop.Order")
    assert item["status"] == "moved"
    assert item["changes"] == [
        {"attribute": "module", "old": "shop.models", "new": "shop.models.orders"}
    ]
    assert "shop.models -> shop.models.orders" in render(diff, "text")


def test_unchanged_model_not_listed(diff: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        entry(diff, "shop.Unchanged")


def test_fields_added_removed(diff: dict[str, Any]) -> None:
    fields = entry(diff, "shop.Product")["fields"]
    assert {f["name"] for f in fields["added"]} == {"sku", "note"}
    assert {f["name"] for f in fields["removed"]} == {"legacy"}
    assert [r["field"] for r in risks(diff, "column-dropped")] == ["legacy"]


def test_not_null_without_default(diff: dict[str, Any]) -> None:
    flagged = {r["field"] for r in risks(diff, "not-null-no-default")}
    assert "sku" in flagged  # added NOT NULL, no default
    assert "note" not in flagged  # has a default
    assert "price" in flagged  # null=True -> NOT NULL


def test_field_param_changes(diff: dict[str, Any]) -> None:
    changes = field_change(diff, "shop.Product", "name")
    assert changes["params.max_length"] == {
        "attribute": "params.max_length",
        "old": 100,
        "new": 50,
    }
    price = field_change(diff, "shop.Product", "price")
    assert price["params.null"] == {"attribute": "params.null", "old": True}
    assert "params.null: True -> (unset)" in render(diff, "text")


def test_type_narrowed(diff: dict[str, Any]) -> None:
    narrowed = {r["field"]: r["message"] for r in risks(diff, "type-narrowed")}
    assert "max_length decreased from 100 to 50" in narrowed["name"]
    assert "TextField -> CharField" in narrowed["description"]
    assert field_change(diff, "shop.Product", "description")["type"]["new"] == "models.CharField"


def test_unique_added(diff: dict[str, Any]) -> None:
    assert [r["field"] for r in risks(diff, "unique-added")] == ["email"]


def test_relation_changes(diff: dict[str, Any]) -> None:
    changes = field_change(diff, "shop.Product", "category")
    assert changes["relation.target"]["new"] == "shop.Group"
    assert changes["relation.on_delete"] == {
        "attribute": "relation.on_delete",
        "old": "CASCADE",
        "new": "PROTECT",
    }
    assert changes["params.related_name"]["new"] == "items"
    assert "params.to" not in changes  # compared through the resolved target
    assert [r["field"] for r in risks(diff, "fk-target-changed")] == ["category"]


def test_target_renamed_is_not_a_target_change(diff: dict[str, Any]) -> None:
    # Product.tag points at Tag, renamed to Label: reported, but not as a risk.
    assert field_change(diff, "shop.Product", "tag")["relation.target"]["new"] == "shop.Label"
    assert all(r["field"] != "tag" for r in diff["risks"])


def test_meta_changes(diff: dict[str, Any]) -> None:
    meta = {m["option"]: m for m in entry(diff, "shop.Product")["meta"]}
    assert meta["ordering"]["added"] == ["-price"] and meta["ordering"]["removed"] == ["name"]
    assert meta["indexes"]["added"] == [{"$expr": "models.Index(fields=['sku'])"}]


def _with_meta(doc: dict[str, Any], label: str, **meta: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for model in doc["models"]:
        if model["label"] == label:
            model["meta"].update(meta)
    return doc


def test_unique_together_and_constraint_added_are_risks() -> None:
    old = load(OLD)
    new = _with_meta(old, "shop.Category", unique_together=[["title"]])
    result = diff_reports(old, new)
    assert [r["code"] for r in result["risks"]] == ["unique-added"]
    new = _with_meta(
        old,
        "shop.Category",
        constraints=[{"$expr": "models.UniqueConstraint(fields=['title'], name='u')"}],
    )
    assert [r["code"] for r in diff_reports(old, new)["risks"]] == ["unique-added"]


def test_db_table_change_is_table_renamed() -> None:
    old = load(OLD)
    new = copy.deepcopy(old)
    model = next(m for m in new["models"] if m["label"] == "shop.Category")
    model["db_table"] = "categories"
    model["meta"]["db_table"] = "categories"
    result = diff_reports(old, new)
    assert [r["code"] for r in result["risks"]] == ["table-renamed"]
    assert result["models"][0]["changes"][0]["attribute"] == "db_table"


def test_integer_narrowing_and_widening() -> None:
    old = load(OLD)

    def with_type(django_type: str) -> dict[str, Any]:
        doc = copy.deepcopy(old)
        model = next(m for m in doc["models"] if m["label"] == "shop.Unchanged")
        field = next(f for f in model["fields"] if f["name"] == "x")
        field.update(type=f"models.{django_type}", django_type=django_type)
        return doc

    big, small = with_type("BigIntegerField"), with_type("SmallIntegerField")
    assert diff_reports(old, big)["risks"] == []
    assert [r["code"] for r in diff_reports(old, small)["risks"]] == ["type-narrowed"]
    assert [r["code"] for r in diff_reports(old, with_type("UUIDField"))["risks"]] == [
        "type-changed"
    ]


def test_summary_counts(diff: dict[str, Any]) -> None:
    s = diff["summary"]
    assert (s["models_added"], s["models_removed"], s["models_renamed"]) == (2, 1, 1)
    assert (s["models_moved"], s["models_changed"]) == (2, 1)
    assert (s["fields_added"], s["fields_removed"]) == (2, 1)
    assert s["risks"] == len(diff["risks"]) == 10


def test_render_formats(diff: dict[str, Any]) -> None:
    text = render(diff, "text")
    assert "R model shop.Tag -> shop.Label" in text and "[fk-target-changed]" in text
    md = render(diff, "markdown")
    assert "| Risk | Model | Field | Why | Where |" in md
    assert "#### Models renamed (1)" in md and "`shop.Tag -> shop.Label`" in md
    assert json.loads(render(diff, "json")) == json.loads(json.dumps(diff))


# -- command ----------------------------------------------------------------------------------


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["diff", str(OLD), str(OLD)]) == 0
    assert main(["diff", str(OLD), str(NEW)]) == 1
    assert main(["diff", str(OLD), str(NEW), "--exit-zero"]) == 0
    out = tmp_path / "diff.md"
    assert main(["diff", str(OLD), str(NEW), "--format", "markdown", "-o", str(out)]) == 1
    assert out.read_text().startswith("### djatlas: data model changes")
    capsys.readouterr()
    assert main(["diff", str(OLD), str(NEW), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["format"] == "djatlas-diff"


def test_cli_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["diff", str(OLD), "no-such-rev", "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("djatlas: error:") and err.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["diff", str(bad), str(NEW)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    other = tmp_path / "other.json"
    other.write_text('{"format": "something"}')
    assert main(["diff", str(other), str(NEW)]) == 2
    assert "not a djatlas JSON report" in capsys.readouterr().err


def test_factory_field_is_not_flagged_not_null() -> None:
    """A field made by a factory may well have a default the report cannot show."""
    old = load(OLD)
    new = copy.deepcopy(old)
    model = next(m for m in new["models"] if m["label"] == "shop.Category")
    added = copy.deepcopy(model["fields"][-1])
    added.update(name="tenant_id", type="tenant_id_field_factory", params={}, column="tenant_id")
    model["fields"].append(added)
    result = diff_reports(old, new)
    assert result["changed"] and result["risks"] == []


def _renamed_copy(doc: dict[str, Any], label: str, old: str, new: str) -> dict[str, Any]:
    changed = copy.deepcopy(doc)
    model = next(m for m in changed["models"] if m["label"] == label)
    field = next(f for f in model["fields"] if f["name"] == old)
    field["name"], field["line"] = new, (field.get("line") or 0) + 1
    if field.get("column") == old:
        field["column"] = new
    return changed


def test_field_rename_is_a_possible_rename_not_a_drop() -> None:
    """expire_at -> expired_at with the same class and parameters: makemigrations asks."""
    old = load(OLD)
    result = diff_reports(old, _renamed_copy(old, "shop.Order", "total", "grand_total"))
    fields = entry(result, "shop.Order")["fields"]
    assert fields["added"] == [] and fields["removed"] == []
    (item,) = fields["renamed"]
    assert (item["old_name"], item["name"]) == ("total", "grand_total")
    assert item["question"].startswith("Was order.total renamed to order.grand_total (a ")
    assert risks(result, "column-dropped") == []
    (risk,) = risks(result, "column-renamed")
    assert "possible rename" in risk["message"] and risk["field"] == "grand_total"
    assert result["summary"]["fields_renamed"] == 1
    text = render(result, "text")
    assert "R field total -> grand_total" in text and "possibly renamed" in text
    assert "possible rename" in render(result, "markdown")


def test_a_different_field_is_no_rename() -> None:
    old = load(OLD)
    new = _renamed_copy(old, "shop.Order", "total", "grand_total")
    order = next(m for m in new["models"] if m["label"] == "shop.Order")
    field = next(f for f in order["fields"] if f["name"] == "grand_total")
    field["params"] = {**field["params"], "help_text": "another field"}
    result = diff_reports(old, new)
    fields = entry(result, "shop.Order")["fields"]
    assert fields["renamed"] == [] and [f["name"] for f in fields["removed"]] == ["total"]
    assert len(risks(result, "column-dropped")) == 1
