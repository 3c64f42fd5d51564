"""PlantUML output, checked with the real PlantUML (Debian package) when installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from djatlas.render import RenderOptions
from djatlas.render.plantuml import render

SAMPLE = Path(__file__).parent / "fixtures" / "reports" / "sample.json"
needs_plantuml = pytest.mark.skipif(
    shutil.which("plantuml") is None or shutil.which("java") is None,
    reason="PlantUML is not installed (.ci/install-tools installs Debian's plantuml)",
)


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(SAMPLE.read_text("utf-8"))


def plantuml_svg(src: str) -> str:
    proc = subprocess.run(
        ["plantuml", "-tsvg", "-pipe", "-charset", "UTF-8"],
        input=src.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0 and "Syntax Error" not in out, (proc.stderr.decode(), out[-2000:])
    return out


def test_structure(doc):
    src = render(doc, RenderOptions())
    assert src.startswith("@startuml\n") and src.endswith("@enduml\n")
    assert src.count("entity ") == len(doc["models"])
    assert re.search(r"shop__Product \}o--\|\| shop__Category : category", src)
    assert re.search(r"accounts__Profile \|o--\|\| accounts__User : user", src)
    assert re.search(r"shop__Product \}o--o\{ shop__Tag : tags", src)


@needs_plantuml
def test_plantuml_accepts_sample(doc):
    svg = plantuml_svg(render(doc, RenderOptions()))
    texts = "".join(re.findall(r">([^<]*)</text>", svg))
    for label in ("shop.Product", "évènements.Café", "naïve_ünïcode", "item_ptr"):
        assert label in texts


@needs_plantuml
def test_plantuml_accepts_filtered(doc):
    src = "".join(
        render(doc, RenderOptions(**kw))
        for kw in ({"no_fields": True}, {"model": "Profile", "depth": 2})
    )
    for chunk in src.split("@enduml\n")[:-1]:
        plantuml_svg(chunk + "@enduml\n")
