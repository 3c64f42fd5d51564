"""`djatlas check`: every rule on a failing and a passing report, selection, config, comments."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from djatlas.checks import run_checks, select_rules
from djatlas.checks.config import is_excluded, load_config, suppressed_codes
from djatlas.checks.docs import render_rules_markdown
from djatlas.checks.registry import all_rules
from djatlas.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "reports_check"
BAD = FIXTURES / "bad.json"
GOOD = FIXTURES / "good.json"
RULES = all_rules()


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def codes(doc: dict[str, Any], select: list[str] | None = None) -> list[str]:
    return [f.code for f in run_checks(doc, select_rules(select or ["ALL"], None)).findings]


#: rules that read more than the report (DJ027: the migrations; tests/test_check_migrations.py)
BEYOND_REPORT = {"DJ027"}


@pytest.mark.parametrize("code", sorted(c for c in RULES if c not in BEYOND_REPORT))
def test_rule_fails_on_bad_report(code: str) -> None:
    assert code in codes(load(BAD), [code])


@pytest.mark.parametrize("code", sorted(c for c in RULES if c != "DJ025"))
def test_rule_passes_on_good_report(code: str) -> None:
    assert codes(load(GOOD), [code]) == []


def test_dj025_passes_without_unique_together() -> None:
    doc = load(GOOD)
    for model in doc["models"]:
        model["meta"].pop("unique_together", None)
    assert codes(doc, ["DJ025"]) == []


def test_every_rule_is_documented() -> None:
    for rule in RULES.values():
        assert rule.code.startswith("DJ") and len(rule.code) == 5
        assert rule.why and rule.fix and rule.summary and rule.bad and rule.good
        assert rule.severity in ("error", "warning", "info")
    names = [r.name for r in RULES.values()]
    assert len(set(names)) == len(names)


def test_docs_checks_md_is_generated_from_the_registry() -> None:
    """docs/checks.md == `python -m djatlas.checks.docs`; regenerate it when rules change."""
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == render_rules_markdown()


def test_pre_commit_hook() -> None:
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "djatlas-check")
    assert hook["entry"] == "djatlas check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False


# -- decidability: rules stay silent when the report cannot prove the problem -----------------


def _product(doc: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in doc["models"] if m["label"] == "shop.Product")


def _field(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in _product(doc)["fields"] if f["name"] == name)


def test_kwargs_splat_makes_absent_params_undecidable() -> None:
    doc = load(BAD)
    _field(doc, "owner")["params"]["**"] = {"$expr": "common"}
    _field(doc, "name")["params"]["**"] = {"$expr": "opts"}
    assert "DJ001" not in codes(doc, ["DJ001"])
    assert codes(doc, ["DJ002"]) == []


def test_project_field_subclass_is_not_checked_for_missing_params() -> None:
    doc = load(BAD)
    field = _field(doc, "name")
    field.update(type="BkCharField", resolved_type="shop.fields.BkCharField")
    assert codes(doc, ["DJ002"]) == []


def test_charfield_without_max_length_is_fine_on_postgresql_only() -> None:
    """Django 4.2+ accepts it on PostgreSQL (fields.E120 is not raised there): DJ002 stands down
    when the settings name only PostgreSQL engines, for the model's project or the report."""
    doc = load(BAD)
    doc["metadata"]["database_engines"] = ["django.contrib.gis.db.backends.postgis"]
    assert codes(doc, ["DJ002"]) == []
    doc["metadata"]["database_engines"] = [
        "django.db.backends.postgresql",
        "django_prometheus.db.backends.postgresql",
    ]
    assert codes(doc, ["DJ002"]) == []
    doc["metadata"]["database_engines"] = [
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ]
    assert codes(doc, ["DJ002"]) == ["DJ002"]
    doc["metadata"]["database_engines"] = []  # none read: Django may refuse it
    assert codes(doc, ["DJ002"]) == ["DJ002"]
    _product(doc)["project"] = "shop"  # the model's own project's engines
    doc["projects"] = [{"name": "shop", "database_engines": ["django.db.backends.postgresql"]}]
    doc["metadata"]["database_engines"] = ["django.db.backends.mysql"]
    assert codes(doc, ["DJ002"]) == []
    doc["projects"][0]["database_engines"] = ["django.db.backends.mysql"]
    assert codes(doc, ["DJ002"]) == ["DJ002"]


def test_str_rule_skips_models_with_third_party_bases() -> None:
    doc = load(BAD)
    _product(doc)["bases"] = [
        {"name": "TimeStamped", "resolved": "model_utils.TimeStampedModel", "origin": "environment"}
    ]
    assert codes(doc, ["DJ010"]) == []


def test_str_rule_follows_tree_bases() -> None:
    doc = load(BAD)
    _product(doc)["bases"] = [{"name": "Base", "resolved": "shop.models.Tag", "origin": "tree"}]
    assert codes(doc, ["DJ010"]) == ["DJ010"]


def test_reverse_clash_ignores_hidden_and_symmetrical() -> None:
    doc = load(BAD)
    _field(doc, "editor")["relation"]["related_name"] = "+"
    assert codes(doc, ["DJ005"]) == []
    doc = load(GOOD)
    tag = next(m for m in doc["models"] if m["label"] == "shop.Tag")
    for name in ("a", "b"):
        tag["fields"].append(
            copy.deepcopy(_field(doc, "tags"))
            | {
                "name": name,
                "params": {"to": "self"},
                "relation": {"kind": "ManyToManyField", "target": "shop.Tag"},
            }
        )
    assert codes(doc, ["DJ005"]) == []  # symmetrical self-relations have no reverse accessor
    for f in tag["fields"][-2:]:
        f["params"] = {"to": "shop.Tag"}  # Django: symmetrical only for the literal 'self'
    assert "DJ005" in codes(doc, ["DJ005"])


def test_reverse_clash_from_abstract_base_with_fixed_related_name() -> None:
    doc = load(GOOD)
    fk = _field(doc, "owner")
    for label in ("shop.Team", "shop.Plan"):
        model = next(m for m in doc["models"] if m["label"] == label)
        inherited = copy.deepcopy(fk) | {"origin": "inherited", "defined_in": "shop.models.Base"}
        inherited["relation"] = dict(inherited["relation"], related_name="things")
        model["fields"].append(inherited)
    found = run_checks(doc, select_rules(["DJ005"], None)).findings
    # One line of the abstract base causes both: reported once, naming the other model.
    assert [f.code for f in found] == ["DJ005"]
    assert "shop.Plan.owner" in found[0].message
    # With %(class)s the names differ.
    for model in doc["models"]:
        for field in model["fields"]:
            if field.get("origin") == "inherited":
                field["relation"]["related_name"] = "%(class)s_things"
    assert codes(doc, ["DJ005"]) == []


def test_ordering_accepts_reverse_query_names_and_lookups() -> None:
    doc = load(GOOD)
    team = next(m for m in doc["models"] if m["label"] == "shop.Team")
    team["meta"]["ordering"] = ["members", "-member", "member__lower", "id", {"$expr": "F('x')"}]
    assert codes(doc, ["DJ008"]) == []
    team["meta"]["ordering"] = ["membres"]
    assert codes(doc, ["DJ008"]) == ["DJ008"]


# -- selection and configuration ----------------------------------------------------------------


def test_select_and_ignore() -> None:
    default = {r.code for r in select_rules(None, None)}
    assert "DJ025" not in default and "DJ001" in default
    assert [r.code for r in select_rules(["DJ00"], ["DJ001"])] == [f"DJ00{i}" for i in range(2, 10)]
    assert {r.code for r in select_rules(["ALL"], None)} == set(RULES)
    with pytest.raises(ValueError, match="unknown rule"):
        select_rules(["XX1"], None)


def test_suppressed_codes() -> None:
    assert suppressed_codes("x = 1") is None
    assert suppressed_codes("x = f()  # djatlas: ignore[DJ001]") == {"DJ001"}
    assert suppressed_codes("x  #djatlas:ignore[dj001, DJ002]") == {"DJ001", "DJ002"}
    assert suppressed_codes("x  # djatlas: ignore") == {"*"}


def test_is_excluded() -> None:
    assert is_excluded("legacy/models.py", ["legacy"])
    assert is_excluded("a/tests/models.py", ["tests"])
    assert is_excluded("legacy/sub/models.py", ["legacy/*"])
    assert is_excluded("legacy/sub/models.py", ["./legacy/"])
    assert not is_excluded("shop/models.py", ["legacy", "*.txt"])


def _write_tree(tmp_path: Path, pyproject: str = "") -> Path:
    """A directory holding bad.json (pointing at itself) and shop/models.py source lines."""
    doc = load(BAD)
    doc["metadata"]["path"] = str(tmp_path)
    (tmp_path / "report.json").write_text(json.dumps(doc))
    lines = [""] * 90
    lines[10] = "    name = models.CharField()  # djatlas: ignore[DJ002]"
    lines[11] = "    nickname = models.CharField(  # djatlas: ignore[DJ003]"
    lines[12] = "    data = models.JSONField(default={})  # djatlas: ignore"
    lines[13] = "    owner = models.ForeignKey(User)  # djatlas: ignore[DJ005]"
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "models.py").write_text("\n".join(lines) + "\n")
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    return tmp_path / "report.json"


def _run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    rc = main(["check", *argv, "--format", "json"])
    return rc, json.loads(capsys.readouterr().out)


def test_ignore_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _write_tree(tmp_path)
    rc, out = _run_json([str(report)], capsys)
    found = {(f["code"], f["line"]) for f in out["findings"]}
    assert rc == 1
    assert ("DJ002", 11) not in found  # ignore[DJ002]
    assert ("DJ003", 12) not in found  # comment on the first line of the statement
    assert ("DJ004", 13) not in found  # bare ignore
    assert ("DJ001", 14) in found  # ignore[DJ005] keeps DJ001 ...
    assert ("DJ005", 14) not in found  # ... and silences DJ005
    assert ("DJ005", 15) in found
    assert out["summary"]["suppressed"] == 4


def test_pyproject_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _write_tree(
        tmp_path, '[tool.djatlas]\nselect = ["DJ00"]\nignore = ["DJ001"]\nexclude = []\n'
    )
    rc, out = _run_json([str(report)], capsys)
    assert set(out["summary"]["by_rule"]) == {"DJ005", "DJ006", "DJ007", "DJ008", "DJ009"}
    # The command line replaces select and adds to ignore.
    rc, out = _run_json([str(report), "--select", "DJ01", "--ignore", "DJ010,DJ011"], capsys)
    assert "DJ010" not in out["summary"]["by_rule"] and "DJ012" in out["summary"]["by_rule"]
    assert "DJ001" not in out["summary"]["by_rule"]


def test_pyproject_exclude(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _write_tree(tmp_path, '[tool.djatlas]\nexclude = ["shop/*"]\n')
    rc, out = _run_json([str(report)], capsys)
    assert rc == 0 and out["findings"] == [] and out["summary"]["excluded"] > 0


def test_bad_config_and_codes_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _write_tree(tmp_path, "[tool.djatlas]\nselect = 3\n")
    assert main(["check", str(report)]) == 2
    assert "select must be a list" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").write_text("[tool.djatlas\n")
    assert main(["check", str(report)]) == 2
    assert "invalid TOML" in capsys.readouterr().err
    assert main(["check", str(BAD), "--select", "NOPE"]) == 2
    assert capsys.readouterr().err.strip() == "djatlas: error: unknown rule code or prefix 'NOPE'"
    assert main(["check", str(tmp_path / "missing")]) == 2
    isolated = tmp_path / "iso"
    (isolated / ".git").mkdir(parents=True)  # the search for pyproject.toml stops at a repo root
    assert load_config(isolated).select is None


def test_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(BAD)]) == 1
    assert main(["check", str(BAD), "--exit-zero"]) == 0
    assert main(["check", str(GOOD)]) == 0
    out = tmp_path / "out.sarif"
    assert main(["check", str(BAD), "--format", "sarif", "-o", str(out)]) == 1
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert "Found" in capsys.readouterr().err


def test_list_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--list-rules"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(RULES)
    assert main(["check", "--explain", "dj005"]) == 0
    assert "related_name" in capsys.readouterr().out
    assert main(["check", "--explain", "DJ999"]) == 2


def test_factory_made_fields_are_undecidable() -> None:
    """`tenant = tenant_field()`: the report shows the factory's arguments, not the field's."""
    doc = load(BAD)
    field = _field(doc, "name")
    field["type"] = "make_name_field"
    assert codes(doc, ["DJ002"]) == []


def test_same_label_twice_is_a_monorepo_not_a_clash() -> None:
    doc = load(BAD)
    legacy = next(m for m in doc["models"] if m["label"] == "shop.Legacy")
    legacy["db_table"] = "other"
    twin = copy.deepcopy(_product(doc)) | {"file": "other_project/shop/models.py"}
    doc["models"].append(twin)
    assert codes(doc, ["DJ020"]) == []
    assert codes(doc, ["DJ005"]) == ["DJ005", "DJ005", "DJ005", "DJ005"]  # real clash, 2 files
    for model in (twin, _product(doc)):
        next(f for f in model["fields"] if f["name"] == "editor")["relation"]["related_name"] = "x"
    assert codes(doc, ["DJ005"]) == []


def test_multi_table_parent_fields_are_the_parents() -> None:
    """A child of a concrete model lists its parent's fields (origin "parent"): no clash."""
    doc = load(GOOD)
    parent = _product(doc)
    child = copy.deepcopy(parent) | {"name": "Digital", "label": "shop.Digital", "line": 90}
    child["db_table"] = "shop_digital"
    child["parents"] = ["shop.Product"]
    for field in child["fields"]:
        field["origin"] = "parent"
    doc["models"].append(child)
    assert codes(doc, ["DJ005", "DJ006"]) == []


def test_str_rule_is_opt_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DJ010 runs only when asked for: --extend-select, extend-select in the config, select."""
    assert not RULES["DJ010"].default
    assert "DJ010" not in [r.code for r in select_rules(None, None)]
    assert "DJ010" in [r.code for r in select_rules(None, None, ["DJ010"])]
    report = _write_tree(tmp_path)
    rc, out = _run_json([str(report)], capsys)
    assert "DJ010" not in out["summary"]["by_rule"] and "DJ001" in out["summary"]["by_rule"]
    rc, out = _run_json([str(report), "--extend-select", "DJ010"], capsys)
    assert {"DJ010", "DJ001"} <= set(out["summary"]["by_rule"])
    (tmp_path / "pyproject.toml").write_text('[tool.djatlas]\nextend-select = ["DJ010"]\n')
    rc, out = _run_json([str(report)], capsys)
    assert "DJ010" in out["summary"]["by_rule"]
    assert "--extend-select DJ010" in (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")


def _dj003_message(params: dict[str, Any]) -> str:
    doc = load(BAD)
    model = _product(doc)
    field = {
        "name": "nickname",
        "type": "models.CharField",
        "django_type": "CharField",
        "line": 30,
        "origin": "declared",
        "params": {"max_length": 20, "null": True, **params},
        "relation": None,
        "primary_key": False,
    }
    model["fields"] = [field]
    found = run_checks(doc, select_rules(["DJ003"], None)).findings
    return next(f.message for f in found if f.field == "nickname")


def test_null_string_advice_fits_the_field() -> None:
    with_blank = _dj003_message({"blank": True})
    assert "blank=True is already set" in with_blank and "use blank=True" not in with_blank
    without = _dj003_message({})
    assert "add blank=True" in without
    assert all("existing NULLs" in m for m in (with_blank, without))
    assert "RunPython" in RULES["DJ003"].fix or "update(" in RULES["DJ003"].fix
