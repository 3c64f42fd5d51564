"""Diagram options shared by every format: --include-model, --installed-only, --verbose-names,
--rankdir, --color-on-delete, --no-edge-labels; PDF output; the D2 format (compiled by D2 itself
when tools/ has it, else checked line by line)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.cli import main
from djatlas.render import RenderOptions, get_renderer
from djatlas.render.style import ON_DELETE_COLOURS
from djatlas.scan import scan_path

ROOT = Path(__file__).resolve().parents[1]
D2_VALIDATOR = ROOT / "tools" / "validate-d2.mjs"
HAS_D2 = (ROOT / "tools" / "node_modules" / "@terrastruct" / "d2").is_dir() and bool(
    shutil.which("node")
)
DIAGRAMS = ("mermaid", "dot", "plantuml", "d2")

TREE = {
    "settings.py": 'INSTALLED_APPS = ["shop", "django.contrib.auth"]\n',
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models

        class Category(models.Model):
            title = models.CharField("heading", max_length=20)

            class Meta:
                verbose_name = "product family"

        class Product(models.Model):
            category = models.ForeignKey(Category, on_delete=models.CASCADE)
            maker = models.ForeignKey("Maker", on_delete=models.PROTECT, null=True)
            label = models.CharField(max_length=10)

        class Maker(models.Model):
            style = models.CharField(max_length=5)

        class OrderLine(models.Model):
            product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True)
    """,
    "shop_tests/__init__.py": "",
    "shop_tests/models.py": """
        from django.db import models

        class Fixture(models.Model):
            product = models.ForeignKey("shop.Product", on_delete=models.CASCADE)
    """,
}


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = write_tree(tmp_path_factory.mktemp("opts"), TREE)
    return scan_path(str(root), timing=False, use_cache=False)


def draw(doc: dict, fmt: str, **options) -> str:
    return get_renderer(fmt)(doc, RenderOptions(**options))


@pytest.mark.parametrize("fmt", DIAGRAMS)
def test_include_model_and_installed_only(doc: dict, fmt: str) -> None:
    every = draw(doc, fmt, no_fields=True)
    assert "Fixture" in every
    only = draw(doc, fmt, no_fields=True, include_models=["shop.Pro*", "Category"])
    assert "Product" in only and "Category" in only
    assert "Maker" not in only and "OrderLine" not in only and "Fixture" not in only
    installed = draw(doc, fmt, no_fields=True, installed_only=True)
    assert "Fixture" not in installed and "OrderLine" in installed


@pytest.mark.parametrize("fmt", DIAGRAMS)
def test_verbose_names(doc: dict, fmt: str) -> None:
    plain = draw(doc, fmt)
    verbose = draw(doc, fmt, verbose_names=True)
    assert "product family" not in plain and "product family" in verbose
    assert "order line" in verbose  # Django's default verbose_name of OrderLine
    assert "heading" in verbose  # the field's positional verbose_name


@pytest.mark.parametrize("fmt", DIAGRAMS)
def test_color_on_delete_and_edge_labels(doc: dict, fmt: str) -> None:
    coloured = draw(doc, fmt, color_on_delete=True)
    plain = draw(doc, fmt)
    if fmt == "mermaid":  # ER diagrams cannot colour an edge: the caption says it
        assert '"category (CASCADE)"' in coloured and '"maker (PROTECT)"' in coloured
    else:
        for name in ("CASCADE", "PROTECT", "SET_NULL"):
            assert ON_DELETE_COLOURS[name] in coloured and ON_DELETE_COLOURS[name] not in plain
    caption = {
        "mermaid": ': "category"',
        "dot": 'label="category"',
        "plantuml": "shop__Category : category",
        "d2": ': "category" {',
    }[fmt]
    assert caption in plain and caption not in draw(doc, fmt, edge_labels=False)


def test_rankdir_in_every_format(doc: dict) -> None:
    assert "rankdir=TB" in draw(doc, "dot", rankdir="TB") and "rankdir=LR" in draw(doc, "dot")
    assert "\n    direction BT\n" in draw(doc, "mermaid", rankdir="BT")
    assert "direction" not in draw(doc, "mermaid")
    assert "left to right direction" in draw(doc, "plantuml", rankdir="LR")
    assert "left to right direction" not in draw(doc, "plantuml", rankdir="TB")
    assert draw(doc, "d2", rankdir="RL").startswith("direction: left\n")


def test_cli_options(doc: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path / "p", TREE)
    args = ["scan", str(root), "-q", "--no-cache", "-f", "dot", "--rankdir", "BT"]
    args += ["--include-model", "shop.*", "--installed-only", "--verbose-names"]
    args += ["--color-on-delete", "--no-edge-labels"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "rankdir=BT" in out and "product family" in out and "Fixture" not in out
    with pytest.raises(SystemExit) as exc:
        main(["scan", str(root), "-f", "dot", "--rankdir", "XY"])
    assert exc.value.code == 2


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz dot not installed")
def test_pdf(doc: dict) -> None:
    pdf = draw(doc, "pdf", color_on_delete=True)
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")


NASTY = {
    "settings.py": 'INSTALLED_APPS = ["weird"]\n',
    "weird/__init__.py": "",
    "weird/models.py": '''
        from django.db import models

        class Ünïcode(models.Model):
            """A "quoted" \\\\ docstring."""
            label = models.CharField("say \\"hi\\" {x}", max_length=3)
            shape = models.IntegerField()
            style = models.TextField()
            near = models.ForeignKey("self", on_delete=models.CASCADE, related_name="+")

            class Meta:
                verbose_name = 'a "b" \\\\ {c}: d'
    ''',
}


def _d2_lines_ok(source: str) -> None:
    """Without the D2 compiler: braces balance, every string is a well-escaped D2 string."""
    depth = 0
    for line in source.splitlines():
        stripped = re.sub(r'"(?:[^"\\]|\\.)*"', "S", line)
        assert '"' not in stripped, line
        depth += stripped.count("{") - stripped.count("}")
        assert depth >= 0, line
    assert depth == 0


def test_d2_is_valid(doc: dict, tmp_path: Path) -> None:
    """Fixture, hostile names and the example project: line checks always; then D2's own compiler
    (one process for the three: loading its WASM build costs seconds)."""
    docs = [
        doc,
        scan_path(str(write_tree(tmp_path, NASTY)), timing=False, use_cache=False),
        scan_path(str(ROOT / "examples" / "shop"), timing=False),
    ]
    sources = [
        draw(d, "d2", color_on_delete=True, verbose_names=i == 1) for i, d in enumerate(docs)
    ]
    for source in sources:
        _d2_lines_ok(source)
    if not HAS_D2:
        pytest.skip("@terrastruct/d2 not installed in tools/ (bash .ci/install-tools)")
    proc = subprocess.run(
        ["node", str(D2_VALIDATOR)],
        input="\0".join(sources),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    for data, summary in zip(docs, json.loads(proc.stdout)):
        tables = [s for s in summary["shapes"] if s["type"] == "sql_table"]
        assert len(tables) == len(data["models"])
        assert all(any(m["label"] in t["label"] for t in tables) for m in data["models"])
        assert summary["connections"]
