"""Outputs of `djatlas check`: text grouped by file, JSON, and SARIF 2.1.0 (schema-validated)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from djatlas.checks import CheckResult, run_checks, select_rules
from djatlas.checks.output import render_json, render_sarif, render_text

FIXTURES = Path(__file__).parent / "fixtures" / "reports_check"
SCHEMA = FIXTURES / "sarif-schema-2.1.0.json"  # see SARIF-SCHEMA-SOURCE.txt


def result(name: str, select: list[str] | None = None) -> CheckResult:
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    # A second file, to see the grouping.
    doc["models"][-1]["file"] = "legacy/models.py"
    return run_checks(doc, select_rules(select, None))


def validate_sarif(log: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_text_grouped_by_file() -> None:
    text = render_text(result("bad.json"))
    lines = text.splitlines()
    assert lines[0] == "legacy/models.py"
    assert lines[1].split()[:3] == ["80", "DJ020", "error"]
    assert "shop/models.py" in lines
    assert lines[-1].startswith("Found 26 findings (18 errors, 8 warnings) in 2 files.")


def test_text_all_passed() -> None:
    assert render_text(result("good.json")) == "All checks passed.\n"


def test_json_output() -> None:
    doc = json.loads(render_json(result("bad.json")))
    assert doc["format"] == "djatlas-check"
    assert doc["summary"]["findings"] == len(doc["findings"]) == 26  # DJ010 is opt-in
    assert doc["summary"]["by_rule"]["DJ005"] == 2
    first = doc["findings"][0]
    assert set(first) == {
        "code", "rule", "severity", "message", "file", "line", "model", "model_id", "field"
    }  # fmt: skip
    assert first["model_id"] and "." in first["model_id"]


def test_sarif_validates_against_the_schema() -> None:
    log = json.loads(render_sarif(result("bad.json", ["ALL"]), "src/"))
    validate_sarif(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("src/")
        assert loc["region"]["startLine"] >= 1
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels["DJ001"] == "error" and levels["DJ025"] == "note"


def test_sarif_without_findings_validates() -> None:
    log = json.loads(render_sarif(result("good.json")))
    validate_sarif(log)
    assert log["runs"][0]["results"] == []


def test_schema_rejects_a_broken_log() -> None:
    """The vendored schema really constrains: a wrong level is an error."""
    jsonschema = pytest.importorskip("jsonschema")
    log = json.loads(render_sarif(result("bad.json")))
    log["runs"][0]["results"][0]["level"] = "fatal"
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log))
