"""Models outside the tree in the browser: Mermaid (tools/node_modules/mermaid) styles them with
the ``external`` class; the HTML atlas gives them a badge, a diagram style and a legend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import MERMAID_JS
from test_atlas_browser import open_atlas, wait_diagram, write_atlas
from treeutil import write_tree

from djatlas.render import RenderOptions
from djatlas.render.mermaid import render
from djatlas.scan import scan_path

TREE = {
    "settings.py": 'INSTALLED_APPS = ["django.contrib.auth", "crew"]\n',
    "crew/__init__.py": "",
    "crew/models.py": """
        from django.contrib.auth.models import Group
        from django.db import models

        class Team(models.Model):
            group = models.ForeignKey(Group, on_delete=models.CASCADE)
    """,
}


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = write_tree(tmp_path_factory.mktemp("external"), TREE)
    return scan_path(str(root), timing=False, use_cache=False)


def test_mermaid_renders_the_external_class(browser: Any, doc: dict) -> None:
    if not MERMAID_JS.exists():
        pytest.skip("mermaid is not installed (run .ci/install-tools: npm ci in tools/)")
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(path=str(MERMAID_JS))
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    result = page.evaluate(
        """async (src) => {
          await mermaid.parse(src);
          const { svg } = await mermaid.render('d1', src);
          const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
          return [...doc.querySelectorAll('g.external')].map((g) => g.textContent);
        }""",
        render(doc, RenderOptions()),
    )
    page.close()
    outside = [m["label"] for m in doc["models"] if m.get("external")]
    assert len(result) == len(outside)
    assert all(any(label in text for text in result) for label in outside)
    assert not any("crew.Team" in text for text in result)


def test_atlas_badge_style_and_legend(probe: Any, tmp_path: Path, doc: dict) -> None:
    page = open_atlas(probe, write_atlas(tmp_path, doc))
    group = next(m for m in doc["models"] if m["label"] == "auth.Group")
    page.goto(page.url.split("#")[0] + "#/model/auth.Group")
    page.wait_for_selector("#model-title[data-label='auth.Group']")
    badge = page.locator("#main .badge.external")
    assert badge.inner_text() == f"external · {group['origin']}"
    assert "outside the tree" in badge.get_attribute("title")
    assert page.locator("#main .sub .mono").inner_text() == f"outside the tree ({group['origin']})"
    page.goto(page.url.split("#")[0] + "#/diagram/all")
    wait_diagram(page)
    classes = page.evaluate(
        "Object.fromEntries(window.djatlas.cy.nodes().map((n) => [n.id(), n.classes()]))"
    )
    outside = {m["id"] for m in doc["models"] if m.get("external")}
    assert {i for i, c in classes.items() if "outside" in c} == outside
    style = page.evaluate(
        f"window.djatlas.cy.getElementById({group['id']!r}).style('border-style')"
    )
    assert style == "double"
    legend = page.locator("#diagram-legend")
    assert legend.is_visible() and "outside the tree" in legend.inner_text()
    team = next(m for m in doc["models"] if m["label"] == "crew.Team")
    page.goto(page.url.split("#")[0] + "#/diagram/app/crew")
    wait_diagram(page)
    assert page.evaluate("window.djatlas.cy.nodes().map((n) => n.id())") == [team["id"]]
    assert not page.locator("#diagram-legend").is_visible()
    probe.assert_clean()
