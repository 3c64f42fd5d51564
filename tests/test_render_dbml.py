"""DBML output, parsed by @dbml/core (the dbdiagram.io parser) from tools/ when installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from djatlas.render import RenderOptions
from djatlas.render.dbml import render

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "reports" / "sample.json"
VALIDATOR = ROOT / "tools" / "validate-dbml.js"
needs_dbml = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "tools/node_modules/@dbml/core").is_dir(),
    reason="@dbml/core is not installed (run .ci/install-tools: npm ci in tools/)",
)


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(SAMPLE.read_text("utf-8"))


def parse(src: str) -> dict:
    proc = subprocess.run(
        ["node", str(VALIDATOR)], input=src.encode(), capture_output=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode() + "\n" + src
    return json.loads(proc.stdout)


@needs_dbml
def test_dbml_parses_and_matches_the_model(doc):
    db = parse(render(doc, RenderOptions()))
    tables = {t["name"]: t for t in db["tables"]}
    concrete = {m["db_table"] for m in doc["models"] if not m["abstract"] and not m["proxy"]}
    assert concrete <= set(tables)
    assert {"shop_product_tags", "accounts_user_friends"} <= set(tables)  # auto M2M tables
    assert "core_timestamped" not in tables  # abstract: no table
    product = {f["name"]: f for f in tables["shop_product"]["fields"]}
    assert product["item_ptr_id"]["pk"] and product["name"]["type"] == "varchar(200)"
    assert product["price"]["type"] == "decimal(10,2)"
    assert "sku" not in product  # a multi-table parent's column lives in the parent's table
    assert product["supplier_id"]["not_null"] is False
    assert "</script>" in product["name"]["note"]  # hostile help_text survives as text
    cafe = {f["name"]: f for f in tables["évènements café"]["fields"]}
    assert {"naïve_ünïcode", "owner-id", "class"} <= set(cafe)
    refs = {
        (a["table"], a["fields"][0], a["relation"], b["table"], b["fields"][0])
        for a, b in db["refs"]
    }
    assert ("shop_product", "category_id", "*", "shop_category", "id") in refs
    assert ("accounts_profile", "user_id", "1", "auth_user_custom", "id") in refs
    assert ("shop_category", "parent_id", "*", "shop_category", "id") in refs
    assert ("shop_product", "item_ptr_id", "1", "core_item", "id") in refs
    groups = {g["name"]: g["tables"] for g in db["groups"]}
    assert "shop_product" in groups["shop"]


@needs_dbml
@pytest.mark.parametrize(
    "kw",
    [
        {"no_fields": True},
        {"apps": ["shop"]},
        {"model": "shop.Order", "depth": 1},
        {"hide_inherited": True},
        {"exclude_models": ["accounts.*"]},
    ],
)
def test_dbml_filtered_still_parses(doc, kw):
    parse(render(doc, RenderOptions(**kw)))


def test_abstract_and_proxy_are_not_tables(doc):
    src = render(doc, RenderOptions())
    assert 'Table "core_timestamped"' not in src
    assert src.count('Table "shop_product" {') == 1
