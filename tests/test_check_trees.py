"""Each rule on a failing and a passing source tree, scanned for real (fixtures/check_trees)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from djatlas.checks.registry import all_rules
from djatlas.cli import main

TREES = Path(__file__).parent / "fixtures" / "check_trees"
RULES = sorted(all_rules())

pytest.importorskip("djatlas.scan")


def found(path: Path, code: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    rc = main(["check", str(path), "--select", code, "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == (1 if out["findings"] else 0)
    return out["findings"]


def test_every_rule_has_trees() -> None:
    assert sorted(p.name for p in TREES.iterdir() if p.name.startswith("DJ")) == RULES


@pytest.mark.parametrize("code", RULES)
def test_rule_fails(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    findings = found(TREES / code / "fail", code, capsys)
    assert findings and {f["code"] for f in findings} == {code}
    source = (TREES / code / "fail" / "shop" / "models.py").read_text().splitlines()
    for f in findings:
        assert f["file"] == "shop/models.py"
        assert 1 <= f["line"] <= len(source)


@pytest.mark.parametrize("code", RULES)
def test_rule_passes(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert found(TREES / code / "pass", code, capsys) == []


def test_ignore_comments_in_a_scanned_tree(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["check", str(TREES / "ignore_comments"), "--format", "json", "--select", "ALL"])
    out = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["field"]) for f in out["findings"]] == [("DJ003", "other")]
    assert out["summary"]["suppressed"] == 3
    assert rc == 1
