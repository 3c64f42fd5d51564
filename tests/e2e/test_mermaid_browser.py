"""Mermaid output parsed and rendered by Mermaid itself (tools/node_modules/mermaid) in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from support import MERMAID_JS, sample_doc

from djatlas.render import RenderOptions
from djatlas.render.mermaid import mermaid_blocks, render

TRICKY = [
    "end",
    "class_",
    "graph",
    "erDiagram",
    "style",
    "PK",
    "FK",
    "UK",
    "_",
    "__x",
    "x_1",
    "Ω",
    "日本",
    "ǅungla",
    "naïve_ünïcode",
    "A" * 60,
    "classDef",
    "subgraph",
]


@pytest.fixture(scope="module")
def mermaid(browser: Any) -> Any:
    if not MERMAID_JS.exists():
        pytest.skip("mermaid is not installed (run .ci/install-tools: npm ci in tools/)")
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(path=str(MERMAID_JS))
    page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    yield page
    page.close()


def check(page: Any, src: str) -> str:
    """Parse and render ``src`` with Mermaid; return the SVG's text content."""
    result = page.evaluate(
        """async (src) => {
          try {
            await mermaid.parse(src);
            const id = 'd' + Math.random().toString(36).slice(2);
            const { svg } = await mermaid.render(id, src);
            const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
            return { ok: true, text: doc.documentElement.textContent };
          } catch (e) { return { ok: false, error: String(e && e.message || e) }; }
        }""",
        src,
    )
    assert result["ok"], f"{result.get('error')}\n{src}"
    return result["text"]


def test_sample_full_diagram(mermaid):
    doc = sample_doc()
    text = check(mermaid, render(doc, RenderOptions()))
    for m in doc["models"]:
        assert m["label"] in text
    assert "category" in text and "naïve_ünïcode" in text


@pytest.mark.parametrize(
    "kw",
    [
        {"no_fields": True},
        {"apps": ["shop"]},
        {"model": "shop.Product", "depth": 2},
        {"hide_abstract": True, "hide_inherited": True},
    ],
)
def test_sample_filtered(mermaid, kw):
    check(mermaid, render(sample_doc(), RenderOptions(**kw)))


def test_markdown_blocks(mermaid):
    for _title, src in mermaid_blocks(sample_doc(), RenderOptions()):
        check(mermaid, src)


def test_tricky_identifiers(mermaid):
    models = []
    for i, name in enumerate(TRICKY):
        app = TRICKY[-1 - i]
        label = f"{app}.{name}"
        models.append(
            {
                "name": name,
                "label": label,
                "app_label": app,
                "module": f"{app}.models",
                "abstract": False,
                "proxy": False,
                "parents": [],
                "bases": [],
                "fields": [
                    {
                        "name": n,
                        "type": f"x.{n}",
                        "django_type": None,
                        "null": False,
                        "unique": False,
                        "primary_key": n == "PK",
                        "relation": None,
                    }
                    for n in TRICKY
                ]
                + [
                    {
                        "name": "to_" + name,
                        "type": "models.ForeignKey",
                        "django_type": "ForeignKey",
                        "null": True,
                        "unique": False,
                        "primary_key": False,
                        "relation": {
                            "kind": "ForeignKey",
                            "target": models[-1]["label"] if models else label,
                            "through": None,
                        },
                    }
                ],
            }
        )
    doc = {"apps": [], "models": models}
    text = check(mermaid, render(doc, RenderOptions()))
    for m in models:
        assert m["label"] in text
