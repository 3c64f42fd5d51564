"""End-to-end tests of the HTML atlas in headless Chromium."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, big_doc, sample_doc

from djatlas.render import RenderOptions
from djatlas.render.html import render

HOSTILE_PROJECT = Path(__file__).parent / "hostile_project"


def write_atlas(tmp_path: Path, doc: dict, **kw: Any) -> str:
    out = tmp_path / "atlas.html"
    out.write_text(render(doc, RenderOptions(**kw)), encoding="utf-8")
    return out.as_uri()


def open_atlas(probe: Any, url: str) -> Any:
    page = probe.page
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    return page


def wait_diagram(page: Any) -> int:
    page.wait_for_selector("body[data-diagram=ready]", timeout=60_000)
    return page.evaluate("window.djatlas.cy.nodes().length")


def scan(path: Path) -> dict:
    try:
        from djatlas.scan import scan_path
    except ImportError:
        pytest.skip("the static core (djatlas.scan.scan_path) is not available")
    return scan_path(str(path))


def test_search_open_follow_and_diagram(probe, tmp_path, artifacts):
    page = open_atlas(probe, write_atlas(tmp_path, sample_doc()))
    assert page.locator("aside .app").count() == 4
    assert page.locator("aside li").count() == 0  # app lists expand lazily

    page.fill("#search", "product")
    page.wait_for_selector("#results")
    page.locator("#results a.model-link", has_text="Product").first.click()
    page.wait_for_selector("#model-title[data-label='shop.Product']")
    assert page.locator("#fields tr[data-field]").count() == 10
    sku = page.locator("#fields tr[data-field='sku'] .badge")
    assert sku.get_attribute("title") == "parent from core.models.Item"
    assert sku.inner_text() == "parent · Item"
    assert page.locator("#fields tr[data-field='status'] td.params").inner_text().count("draft")
    page.screenshot(path=str(artifacts / "atlas-model.png"), full_page=False)

    page.locator("#fields tr[data-field='category'] a.model-link").click()
    page.wait_for_selector("#model-title[data-label='shop.Category']")
    incoming = page.locator("#relations").inner_text()
    assert "shop.Product" in incoming and "shop.Category" in incoming  # both directions
    page.locator("#relations a.model-link", has_text="shop.Product").first.click()
    page.wait_for_selector("#model-title[data-label='shop.Product']")

    page.locator("a.btn", has_text="Neighbourhood diagram").click()
    nodes = wait_diagram(page)
    assert nodes >= 5
    boxes = page.evaluate("""() => window.djatlas.cy.nodes().map(n => {
        const b = n.renderedBoundingBox(); return [n.id(), b.w, b.h, b.x1, b.y1]; })""")
    width, height = page.evaluate("() => [window.djatlas.cy.width(), window.djatlas.cy.height()]")
    for _label, w, h, x1, y1 in boxes:
        assert w > 10 and h > 5 and -5 <= x1 <= width and -5 <= y1 <= height
    pixels = page.evaluate("""() => {
      const c = document.querySelector('#cy canvas[data-id="layer2-node"]')
        || document.querySelectorAll('#cy canvas')[2];
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""")
    assert pixels > 1000, "the node layer drew nothing"
    page.screenshot(path=str(artifacts / "atlas-diagram.png"))

    # click the Category box: it opens that model
    pos = page.evaluate("""() => { const n = window.djatlas.cy.nodes().filter(
        x => x.id() === 'shop.Category' || x.id().endsWith('.Category'))[0];
        const p = n.renderedPosition();
        const r = document.getElementById('cy').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""")
    page.mouse.click(pos[0], pos[1])
    page.wait_for_selector("#model-title[data-label='shop.Category']")
    probe.assert_clean()


def test_app_diagram_and_whole_project(probe, tmp_path, artifacts):
    page = open_atlas(probe, write_atlas(tmp_path, sample_doc()))
    page.click("header nav a[data-view=diagram]")
    nodes = wait_diagram(page)
    assert page.locator("#scope-app").input_value() == "shop"  # the biggest app by default
    assert 6 <= nodes <= 12
    page.select_option("#scope-app", "accounts")
    page.wait_for_function("location.hash.indexOf('accounts') >= 0")
    wait_diagram(page)
    page.click("#scope-all")
    page.wait_for_function("location.hash === '#/diagram/all'")
    assert wait_diagram(page) == len(sample_doc()["models"])
    page.screenshot(path=str(artifacts / "atlas-whole.png"))
    probe.assert_clean()


def test_hostile_strings_do_not_execute(probe, tmp_path):
    page = open_atlas(probe, write_atlas(tmp_path, sample_doc()))
    page.evaluate("location.hash = '#/model/' + encodeURIComponent('évènements.Café')")
    page.wait_for_selector("#model-title[data-label='évènements.Café']")
    doc_text = page.locator(".doc").inner_text()
    assert "<script>window.__pwned = 1" in doc_text  # shown as text
    params = page.locator("#fields").inner_text()
    assert "<img src=x onerror=" in params and "</script><script>" in params
    assert page.evaluate("document.querySelectorAll('img, iframe, svg').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 4
    page.fill("#search", "<script>")  # searching hostile text is harmless too
    page.wait_for_selector("#results")
    probe.assert_clean()


def test_scanned_hostile_project(probe, tmp_path, artifacts):
    doc = scan(HOSTILE_PROJECT)
    labels = {m["label"] for m in doc["models"]}
    assert {"hostile.Victim", "hostile.Attacker"} <= labels
    page = open_atlas(probe, write_atlas(tmp_path, doc))
    page.fill("#search", "Victim")
    page.wait_for_selector("#results a.model-link")
    page.locator("#results a.model-link", has_text="Victim").first.click()
    page.wait_for_selector("#model-title[data-label='hostile.Victim']")
    assert "<script>" in page.locator(".doc").inner_text()
    assert page.evaluate("document.querySelectorAll('img, iframe, svg, b').length") == 0
    page.locator("#relations a.model-link", has_text="hostile.Attacker").first.click()
    page.wait_for_selector("#model-title[data-label='hostile.Attacker']")
    page.locator("a.btn", has_text="Neighbourhood diagram").click()
    assert wait_diagram(page) == 2
    page.screenshot(path=str(artifacts / "atlas-hostile.png"))
    probe.assert_clean()


def test_scanned_example_project(probe, tmp_path, artifacts):
    example = ROOT / "examples" / "shop"
    if not example.is_dir():
        pytest.skip("examples/shop does not exist")
    doc = scan(example)
    assert doc["models"]
    page = open_atlas(probe, write_atlas(tmp_path, doc))
    first = doc["models"][0]
    page.fill("#search", first["name"])
    page.wait_for_selector("#results a.model-link")
    page.locator(f"#results a.model-link[data-label='{first['label']}']").first.click()
    page.wait_for_selector("#model-title")
    page.click("header nav a[data-view=diagram]")
    assert wait_diagram(page) > 0
    page.screenshot(path=str(artifacts / "atlas-example.png"))
    probe.assert_clean()


def test_large_atlas_stays_usable(probe, tmp_path):
    doc = big_doc(apps=30, per_app=20)  # 600 models
    url = write_atlas(tmp_path, doc)
    start = time.perf_counter()
    page = open_atlas(probe, url)
    assert time.perf_counter() - start < 10
    assert page.locator("aside li").count() == 0
    page.fill("#search", "Model0")
    page.wait_for_selector("#results")
    assert page.locator("#results li").count() <= 52  # capped, with a "more" line
    page.click("header nav a[data-view=diagram]")
    start = time.perf_counter()
    nodes = wait_diagram(page)
    assert nodes < 60  # one app and its neighbours, not the whole project
    assert time.perf_counter() - start < 10
    page.click("#scope-all")
    page.wait_for_function("location.hash === '#/diagram/all'")
    start = time.perf_counter()
    assert wait_diagram(page) == 600
    assert time.perf_counter() - start < 45
    probe.assert_clean()
