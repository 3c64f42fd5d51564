"""Graphviz output, checked with the real `dot` program when it is installed."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from treeutil import corpus

from djatlas.render import RenderOptions, get_renderer
from djatlas.render import graphviz as gv
from djatlas.render.dot import render

SAMPLE = Path(__file__).parent / "fixtures" / "reports" / "sample.json"
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (.ci/install-tools)"
)


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(SAMPLE.read_text("utf-8"))


def run_dot(src: str) -> ET.Element:
    proc = subprocess.run(["dot", "-Tsvg"], input=src.encode(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr.decode().strip() == "", proc.stderr.decode()  # no warnings either
    return ET.fromstring(proc.stdout)


def graph_items(svg: ET.Element, cls: str) -> list[str]:
    return [g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g") if g.get("class") == cls]


def test_source_shape(doc):
    src = render(doc, RenderOptions())
    assert src.startswith("digraph djatlas {") and src.rstrip().endswith("}")
    assert 'subgraph "cluster_évènements"' in src
    assert "&lt;shop&gt; &amp;" not in src.splitlines()[1]  # graph label is a quoted string
    assert 'label="Sample <shop> & \\"friends\\""' in src


@needs_dot
def test_dot_accepts_full_diagram(doc):
    svg = run_dot(render(doc, RenderOptions()))
    assert sorted(graph_items(svg, "node")) == sorted(m["id"] for m in doc["models"])
    ids = {m["label"]: m["id"] for m in doc["models"]}
    edge = f"{ids['shop.Product']}->{ids['shop.Category']}"
    edges = graph_items(svg, "edge")
    assert edge.replace("->", "&#45;&gt;") in edges or edge in edges
    texts = "".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "naïve_ünïcode" in texts and "Café" in texts


@needs_dot
@pytest.mark.parametrize(
    "kw",
    [
        {"no_fields": True},
        {"apps": ["shop"]},
        {"model": "Product", "depth": 1},
        {"hide_abstract": True, "hide_inherited": True},
        {"exclude_models": ["*Order*"]},
    ],
)
def test_dot_accepts_filtered_diagrams(doc, kw):
    view_src = render(doc, RenderOptions(**kw))
    svg = run_dot(view_src)
    assert graph_items(svg, "node")


@needs_dot
def test_hostile_names_stay_escaped():
    bad = 'A"b\\<i>&</i>\n{}'
    model = {
        "name": "X",
        "label": "a.X",
        "app_label": "a",
        "module": "a.models",
        "abstract": False,
        "proxy": False,
        "parents": [],
        "bases": [],
        "fields": [
            {
                "name": bad,
                "type": bad,
                "django_type": None,
                "null": False,
                "primary_key": False,
                "unique": False,
                "relation": None,
            }
        ],
    }
    doc = {"metadata": {"title": bad}, "apps": [{"label": "a"}], "models": [model]}
    svg = run_dot(render(doc, RenderOptions()))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert any(t and "<i>&</i>" in t for t in texts)


@needs_dot
def test_svg_and_png_formats(doc):
    svg = get_renderer("svg")(doc, RenderOptions(apps=["shop"]))
    assert isinstance(svg, str) and "<svg" in svg
    png = get_renderer("png")(doc, RenderOptions(apps=["shop"]))
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")


def test_missing_dot_says_how_to_install(doc, monkeypatch):
    monkeypatch.delenv("DJATLAS_DOT", raising=False)
    monkeypatch.setattr(gv.shutil, "which", lambda name: None)
    with pytest.raises(gv.GraphvizError, match="apt-get install graphviz"):
        gv.render_svg(doc, RenderOptions())


CORPUS = corpus("blueking-paas")


@needs_dot
@pytest.mark.skipif(CORPUS is None, reason="blueking-paas is not under $DJATLAS_CORPORA")
def test_dot_lays_out_a_real_project():
    """Clusters plus cross-app edges once made Graphviz fail ('trouble in init_rank')."""
    scan_path = pytest.importorskip("djatlas.scan").scan_path
    svg = run_dot(render(scan_path(str(CORPUS)), RenderOptions()))
    assert len(graph_items(svg, "node")) > 100
