"""The Markdown report: unique headings and anchors, inherited fields' files, Django types, Meta
sources, field counts, grouped files and diagnostics, Results in Contents order, translation,
and a clean pymarkdown lint."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.render import RenderOptions
from djatlas.render.markdown import render
from djatlas.scan import scan_path

ROOT = Path(__file__).resolve().parents[1]

TREE = {
    "settings.py": 'INSTALLED_APPS = ["core", "shop", "blog", "legacy.shop"]\n',
    "core/__init__.py": "",
    "core/models.py": """
        from django.db import models

        class Audited(models.Model):
            created = models.DateTimeField(auto_now_add=True)
            updated = models.DateTimeField(auto_now=True)

            class Meta:
                abstract = True
                ordering = ["-created"]
                get_latest_by = "created"

        class ColorField(models.CharField):
            pass
    """,
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models
        import oddfields
        from core.models import Audited, ColorField

        class Tag(Audited):
            label = models.CharField(max_length=20)
            colour = ColorField(max_length=7)
            extra = oddfields.OddField(default=dict)

            class Meta(Audited.Meta):
                db_table = "shop_tags"

        class Item(Audited):
            name = models.CharField(max_length=20)
            tag = models.ForeignKey("Tag", on_delete=models.CASCADE)
            data = oddfields.OddField(default=dict)
    """,
    "shop/migrations/__init__.py": "",
    "blog/__init__.py": "",
    "blog/models.py": """
        from django.db import models
        import oddfields

        class Tag(models.Model):
            word = models.CharField(max_length=20)
            data = oddfields.OddField(default=dict)
    """,
    "blog/migrations/__init__.py": "",
    "legacy/__init__.py": "",
    "legacy/shop/__init__.py": "",
    "legacy/shop/models.py": """
        from django.db import models

        class Tag(models.Model):
            old = models.CharField(max_length=20)
    """,
}
for n in range(8):
    TREE[f"app{n}/migrations/0001_initial.py"] = "x = 1\n"


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = write_tree(tmp_path_factory.mktemp("md"), TREE)
    return scan_path(str(root), timing=False, use_cache=False)


@pytest.fixture(scope="module")
def md(doc: dict) -> str:
    return render(doc, RenderOptions())


def github_slug(heading: str) -> str:
    """GitHub's anchor of a heading (before de-duplication)."""
    text = heading.lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(text: str) -> list[str]:
    """Every heading's anchor in document order, numbered as GitHub numbers repeats."""
    seen: Counter[str] = Counter()
    out = []
    for line in text.splitlines():
        m = re.match(r"#{1,6} (.*)", line)
        if m:
            slug = github_slug(m.group(1))
            out.append(slug if not seen[slug] else f"{slug}-{seen[slug]}")
            seen[slug] += 1
    return out


def model_sections(text: str) -> dict[str, str]:
    parts = re.split(r"^### ", text, flags=re.M)[1:]
    return {p.split("\n", 1)[0]: p for p in parts}


def test_headings_unique_start_with_class_name_and_links_resolve(doc: dict, md: str) -> None:
    heads = [line[4:] for line in md.splitlines() if line.startswith("### ")]
    model_heads = [h for h in heads if h.split(" ", 1)[0] in {m["name"] for m in doc["models"]}]
    assert len(model_heads) == len(doc["models"]) and len(set(heads)) == len(heads)
    assert "Tag (blog)" in heads
    # Two models labelled shop.Tag (shop/ and legacy/shop/): the module tells them apart.
    assert "Tag (shop, shop.models)" in heads and "Tag (shop, legacy.shop.models)" in heads
    all_anchors = anchors(md)
    assert len(set(all_anchors)) == len(all_anchors)
    links = re.findall(r"\]\(#([^)]+)\)", md)
    assert len(links) == len(doc["models"]) and set(links) <= set(all_anchors)


def test_results_follow_contents(md: str) -> None:
    contents = md.split("## Contents", 1)[1].split("## Results", 1)[0]
    linked = re.findall(r"\]\(#([^)]+)\)", contents)
    order = [a for a in anchors(md.split("## Results", 1)[1]) if a in set(linked)]
    assert order == linked


def test_model_properties_and_fields(md: str) -> None:
    tag = model_sections(md)["Tag (shop, shop.models)"]
    assert "**File**: `shop/models.py:5`" in tag and "**Line**" not in tag
    # Inherited from core/models.py: the row names that file with the line.
    assert re.search(
        r"\| created \*\(inherited: core\.Audited\)\* \| .* \| `core/models\.py:4` \|", tag
    )
    assert "| `ColorField` (`CharField`) |" in tag
    assert "| `models.CharField` |" in tag  # no repeat when the class is the Django one


def test_meta_marks_only_inherited_options(md: str) -> None:
    tag = model_sections(md)["Tag (shop, shop.models)"].split("#### Meta Options", 1)[1]
    assert tag.startswith("\n")  # not "(inherited from ...)" for the whole table
    assert "| db_table | " in tag and "| ordering *(inherited from core.Audited)* |" in tag
    item = model_sections(md)["Item (shop)"]
    assert "#### Meta Options (inherited from `core.Audited`)" in item


def test_field_counts_are_defined(doc: dict, md: str) -> None:
    s = doc["summary"]
    assert f"- **Total Fields**: {s['fields']} (" in md
    declared = sum(
        f["origin"] == "declared" and not f["relation"] for m in doc["models"] for f in m["fields"]
    )
    assert f"- **Declared Fields**: {declared} (" in md
    assert f"- **All Fields**: {s['fields'] + s['relationships']} (" in md
    assert "inherited from abstract bases" in md


def test_legend_explains_the_arrow(md: str) -> None:
    assert '`shop.Tag` ← `"Tag"`' in md or "`shop.Tag` ← `'Tag'`" in md
    assert "Legend:" in md and "←" in md.split("Legend:", 1)[1].split("\n", 1)[0]


def test_skipped_folders_and_diagnostics_grouped(doc: dict, md: str) -> None:
    files = md.split("## Files Not Analysed", 1)[1].split("## Diagnostics", 1)[0]
    rows = [r for r in files.splitlines() if r.startswith("| default exclude: migrations")]
    skipped = [f for f in doc["files"] if f["reason"] == "default exclude: migrations"]
    assert len(skipped) == 10 and len(rows) == 1 and "| 10 |" in rows[0]
    assert "and 5 more" in rows[0]
    diag = md.split("## Diagnostics", 1)[1]
    json_rows = [r for r in diag.splitlines() if "oddfields.OddField not found" in r]
    assert len(json_rows) == 1 and "| 3 |" in json_rows[0]
    assert "`shop/models.py`: 8, 16" in json_rows[0] and "`blog/models.py`: 6" in json_rows[0]


def test_chinese_title_and_labels(doc: dict) -> None:
    zh = render(doc, RenderOptions(language="zh"))
    assert zh.startswith("# Django 模型分析\n") and "## 元数据" in zh and "#### 字段" in zh
    assert render(doc, RenderOptions(language="zh", title="Mine")).startswith("# Mine\n")


def _pymarkdown(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pymarkdown",
            "--disable-rules",
            "md013",
            "--set",
            "plugins.md024.siblings_only=$!True",
            "scan",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("source", ["fixture", "example"])
def test_pymarkdown_clean(source: str, md: str, tmp_path: Path) -> None:
    pytest.importorskip("pymarkdown")
    if source == "example":
        text = render(
            scan_path(str(ROOT / "examples" / "shop"), timing=False), RenderOptions(diagram=True)
        )
    else:
        text = md
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    result = _pymarkdown(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_typed_report_renders_as_its_plain_document(tmp_path: Path, language: str) -> None:
    """A cold scan renders Markdown from ``Report.document()`` (typed entries, no plain copy):
    the same text as from ``to_dict``."""
    from djatlas.scan import ScanOptions, scan

    report = scan(str(write_tree(tmp_path, TREE)), ScanOptions(timing=False, use_cache=False))
    options = RenderOptions(language=language)
    assert render(report.document(), options) == render(report.to_dict(), options)
    model = report.models[0]
    assert model["fields"] is model.fields and model.get("nothing", 1) == 1
