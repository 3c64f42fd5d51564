"""Static checks of the single-file HTML atlas (the browser tests are in tests/e2e/)."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pytest

from djatlas.render import RenderOptions
from djatlas.render.html import atlas_data, render, script_json

SAMPLE = Path(__file__).parent / "fixtures" / "reports" / "sample.json"
DATA_RE = re.compile(r'<script type="application/json" id="djatlas-data">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(SAMPLE.read_text("utf-8"))


@pytest.fixture(scope="module")
def page(doc) -> str:
    return render(doc, RenderOptions())


def test_self_contained(page):
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<(script|img|link|iframe)[^>]*\s(src|href)\s*=", page, re.I)
    assert "cytoscape" in page and "Cytoscape Consortium" in page  # vendored, with licence


def test_embedded_json_is_inert_and_complete(doc, page):
    blocks = DATA_RE.findall(page)
    assert len(blocks) == 1
    raw = blocks[0]
    for ch in "<>&\u2028\u2029":
        assert ch not in raw
    assert json.loads(raw) == json.loads(json.dumps(atlas_data(doc, RenderOptions())))
    assert page.count("</script") == page.count("<script")


def test_hostile_strings_never_appear_as_markup(page):
    for needle in ("<script>window.__pwned", "<img src=x", "</script><script>", "<b>"):
        assert needle not in page
    assert "<title>Sample &lt;shop&gt; &amp; &quot;friends&quot;</title>" in page


def test_script_json_escapes():
    text = script_json({"a": "</script><!-- & \u2028\u2029 >"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and json.loads(text)["a"].startswith("</script>")


def test_filters_apply(doc):
    data = atlas_data(doc, RenderOptions(apps=["shop"], hide_inherited=True))
    assert {m["app_label"] for m in data["models"]} == {"shop"}
    assert [a["label"] for a in data["apps"]] == ["shop"]
    product = next(m for m in data["models"] if m["name"] == "Product")
    assert "created" not in [f["name"] for f in product["fields"]]


def test_large_report_is_written_quickly_and_lazily():
    sys.path.insert(0, str(Path(__file__).parent / "e2e"))
    from support import big_doc

    doc = big_doc(apps=30, per_app=20)
    start = time.perf_counter()
    page = render(doc, RenderOptions())
    assert time.perf_counter() - start < 5
    assert len(json.loads(DATA_RE.search(page).group(1))["models"]) == 600
    assert page.count("<tr") < 10  # no pre-rendered per-model markup: pages are built on demand
