"""``scan --app/--model/--exclude-model/--hide-abstract`` on the whole-document formats
(JSON, YAML, Markdown, HTML): the report is restricted before rendering, relations to models
left out stay visible, and the cached full rendering is never replaced by a filtered one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from djatlas.cli import main

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "src/djatlas/schema/report.schema.json").read_text()
)


def scan(capsys, *argv: str) -> str:
    assert main(["scan", str(SHOP), "-q", *argv]) == 0
    return capsys.readouterr().out


def test_app_filter_on_json(capsys, tmp_path) -> None:
    doc = json.loads(
        scan(capsys, "--format", "json", "--app", "orders", "--cache-dir", str(tmp_path))
    )
    jsonschema.validate(doc, SCHEMA)
    assert {m["app_label"] for m in doc["models"]} == {"orders"}
    assert [a["label"] for a in doc["apps"]] == ["orders"]
    assert doc["summary"]["models"] == len(doc["models"]) == 8
    assert doc["summary"]["apps"] == 1
    flt = doc["metadata"]["filter"]
    # 20 models of the tree + 3 outside it (auth.Group, auth.Permission, contenttypes.ContentType)
    assert flt["apps"] == ["orders"] and flt["models_total"] == 23
    # relations to models left out stay, and are named
    assert "accounts.User" in flt["related_outside"]
    order = next(m for m in doc["models"] if m["label"] == "orders.Order")
    assert {f["relation"]["target"] for f in order["fields"] if f.get("relation")} >= {
        "accounts.User",
        "shop_catalog.Product",
    }
    # the cached full JSON rendering is untouched: an unfiltered scan (fast path) has all
    full = subprocess.run(
        [
            sys.executable,
            "-m",
            "djatlas",
            "scan",
            str(SHOP),
            "--format",
            "json",
            "-q",
            "--cache-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(full.stdout)["models"]) == 23  # 20 of the tree, 3 outside it
    again = json.loads(
        scan(capsys, "--format", "json", "--app", "orders", "--cache-dir", str(tmp_path))
    )
    assert len(again["models"]) == 8


def test_model_filter_on_yaml_markdown_html(capsys) -> None:
    doc = yaml.safe_load(scan(capsys, "--format", "yaml", "--model", "Payment", "--no-cache"))
    assert {m["label"] for m in doc["models"]} == {"orders.Payment", "orders.Order"}
    assert doc["metadata"]["filter"]["depth"] == 1
    text = scan(capsys, "--format", "markdown", "--model", "orders.Payment", "--no-cache")
    assert "### Payment" in text and "### Cart" not in text
    html = scan(capsys, "--format", "html", "--app", "accounts", "--no-cache")
    assert "accounts.Profile" in html and "orders.CartLine" not in html


def test_exclude_and_hide_abstract(capsys) -> None:
    doc = json.loads(
        scan(
            capsys,
            "--format",
            "json",
            "--hide-abstract",
            "--exclude-model",
            "orders.*",
            "--no-cache",
        )
    )
    assert not any(m["abstract"] for m in doc["models"])
    assert not any(m["app_label"] == "orders" for m in doc["models"])


def test_bad_filter_is_a_usage_error(capsys) -> None:
    assert main(["scan", str(SHOP), "--format", "json", "--app", "nope", "--no-cache"]) == 2
    assert capsys.readouterr().err.startswith("djatlas: error: no app 'nope'")
