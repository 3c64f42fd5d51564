"""Models outside the tree (JSON ``external: true`` with an ``origin``) are drawn apart from the
tree's own in every diagram format and the HTML atlas: grey, dashed, their origin named, and a
legend line where the format has one."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from treeutil import write_tree

from djatlas.render import RenderOptions, get_renderer
from djatlas.render.d2 import text as d2_text
from djatlas.render.html import atlas_data
from djatlas.render.mermaid import entity_id
from djatlas.render.style import EXTERNAL_LEGEND
from djatlas.scan import scan_path

TREE = {
    "settings.py": 'INSTALLED_APPS = ["django.contrib.auth", "crew"]\n',
    "crew/__init__.py": "",
    "crew/models.py": """
        from django.contrib.auth.models import Group
        from django.db import models

        class Team(models.Model):
            group = models.ForeignKey(Group, on_delete=models.CASCADE)
            name = models.CharField(max_length=20)
    """,
}
DASHED_CELL = 'STYLE="dashed" COLOR="#9ca3af"'


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = write_tree(tmp_path_factory.mktemp("external"), TREE)
    return scan_path(str(root), timing=False, use_cache=False)


@pytest.fixture(scope="module")
def outside(doc: dict) -> list[dict]:
    models = [m for m in doc["models"] if m.get("external")]
    assert {m["label"] for m in models} >= {"auth.Group", "auth.Permission"}
    assert all(m["origin"] for m in models)
    return models


def draw(doc: dict, fmt: str, **options) -> str:
    source = get_renderer(fmt)(doc, RenderOptions(**options))
    assert source == get_renderer(fmt)(doc, RenderOptions(**options))  # deterministic
    return source


def own_only(doc: dict) -> dict:
    return {**doc, "models": [m for m in doc["models"] if not m.get("external")]}


def test_mermaid_class(doc: dict, outside: list[dict]) -> None:
    lines = draw(doc, "mermaid").splitlines()
    ids = [entity_id(m["label"]) for m in doc["models"] if m.get("external")]
    assert lines[-3:] == [
        f"    %% {EXTERNAL_LEGEND}",
        "    classDef external fill:#f3f4f6,stroke:#9ca3af,stroke-dasharray:5 3,color:#6b7280",
        f"    class {','.join(ids)} external",
    ]
    assert "crew__Team" not in lines[-1]
    assert "classDef" not in draw(own_only(doc), "mermaid")


def _dot_node(source: str, model: dict) -> str:
    return next(line for line in source.splitlines() if line.startswith(f'    "{model["id"]}" '))


def test_dot_dashed_grey_with_origin_and_legend(doc: dict, outside: list[dict]) -> None:
    source = draw(doc, "dot")
    for model in outside:
        node = _dot_node(source, model)
        assert f'<TD BGCOLOR="#f3f4f6" COLSPAN="2" {DASHED_CELL}>' in node
        assert f"«external ({model['origin']})»" in node
        assert node.count(DASHED_CELL) == 1 + 2 * len(model["fields"])
    team = next(m for m in doc["models"] if m["label"] == "crew.Team")
    assert DASHED_CELL not in _dot_node(source, team) and "external" not in _dot_node(source, team)
    legend = [line for line in source.splitlines() if '"djatlas:legend"' in line]
    assert len(legend) == 1 and EXTERNAL_LEGEND in legend[0] and DASHED_CELL in legend[0]
    assert "djatlas:legend" not in draw(own_only(doc), "dot")
    if shutil.which("dot"):
        proc = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True)
        assert proc.returncode == 0 and not proc.stderr, proc.stderr.decode()


def test_plantuml_stereotype_colours_and_legend(doc: dict, outside: list[dict]) -> None:
    source = draw(doc, "plantuml")
    for model in outside:
        head = (
            f'  entity "{model["label"]}" as {entity_id(model["label"])} <<external>> '
            f"<<{model['origin']}>> #back:f3f4f6;line:9ca3af;line.dashed;text:6b7280 {{"
        )
        assert head in source.splitlines()
    assert '  entity "crew.Team" as crew__Team {' in source.splitlines()
    assert f"legend right\n  {EXTERNAL_LEGEND}\nendlegend\n" in source
    assert "legend" not in draw(own_only(doc), "plantuml")


def test_d2_style_and_legend(doc: dict, outside: list[dict]) -> None:
    source = draw(doc, "d2")
    for model in outside:
        key = entity_id(model["label"])
        block = source[source.index(f"  {key}: {{") :]
        block = block[: block.index("\n  }")]
        assert f"«external ({model['origin']})» ({model['label']})" in block
        for line in (
            "style.stroke-dash: 4",
            'style.fill: "#f3f4f6"',
            'style.stroke: "#9ca3af"',
            'style.font-color: "#6b7280"',
        ):
            assert f"\n    {line}" in block
    team = source[source.index("  crew__Team: {") :]
    assert "style." not in team[: team.index("\n  }")]
    assert f"djatlas_legend: {d2_text(EXTERNAL_LEGEND)} {{\n  near: bottom-center\n" in source
    assert "djatlas_legend" not in draw(own_only(doc), "d2")


def test_html_atlas_marks_external_models(doc: dict, outside: list[dict]) -> None:
    data = atlas_data(doc, RenderOptions())
    flagged = {m["label"]: m.get("origin") for m in data["models"] if m.get("external")}
    assert flagged == {m["label"]: m["origin"] for m in outside}
    page = draw(doc, "html")
    assert ".badge.external{background:#f3f4f6;color:#6b7280;border:1px dashed #9ca3af}" in page
    assert re.search(r"selector: 'node\.outside', style: \{[^}]*'border-style': 'double'", page)
    assert "class: 'badge external'" in page and "id: 'diagram-legend'" in page
    script = page[page.index('id="djatlas-data">') :]
    payload = json.loads(script[len('id="djatlas-data">') : script.index("</script>")])
    assert payload["models"] == data["models"]


def test_markup_in_every_format_only_with_external_models(doc: dict) -> None:
    for fmt in ("mermaid", "dot", "plantuml", "d2"):
        assert "9ca3af" in draw(doc, fmt), fmt
        assert "9ca3af" not in draw(own_only(doc), fmt), fmt
