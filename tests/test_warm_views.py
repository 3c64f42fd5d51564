"""Warm for everything: every format's rendering and ``djatlas check`` are answered from the
cache for an unchanged tree, with the same bytes as a scan without the cache."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_fastpath import TREE, age, fast, run
from treeutil import write_tree

from djatlas import keys, records
from djatlas.render import FORMATS, RenderOptions
from djatlas.scan import ScanOptions, scan_rendered

TEXT_FORMATS = ["markdown", "json", "yaml", "mermaid", "dot", "plantuml", "dbml", "html"]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "proj", TREE)
    age(root)
    return root


def test_keys_know_every_format_and_render_option() -> None:
    assert set(FORMATS) == keys.SCAN_FORMATS
    names = [f.name for f in records.fields(RenderOptions) if f.name != "extra"]
    assert list(keys.RENDER_FIELDS) == names


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_every_format_is_answered_by_the_fast_path(
    tree: Path, tmp_path: Path, capsysbinary, fmt: str
) -> None:
    cache = str(tmp_path / "cache")
    args = [str(tree), "-f", fmt, "--no-timing", "-q"]
    cold = run(capsysbinary, ["scan", *args, "--no-cache"])
    assert fast(capsysbinary, [*args, "--cache-dir", cache])[0] is None  # nothing cached yet
    first = run(capsysbinary, ["scan", *args, "--cache-dir", cache])
    hit = fast(capsysbinary, [*args, "--cache-dir", cache])
    again = run(capsysbinary, ["scan", *args, "--cache-dir", cache])
    assert cold == first == again
    assert hit[0] == cold[0] and hit[1] == cold[1]


@pytest.mark.parametrize("fmt", ["markdown", "html", "yaml", "json"])
def test_timing_shows_this_run_not_the_placeholders(
    tree: Path, tmp_path: Path, capsysbinary, fmt: str
) -> None:
    cache = str(tmp_path / "cache")
    args = [str(tree), "-f", fmt, "-q", "--cache-dir", cache]
    outs = [run(capsysbinary, ["scan", *args])[1]]
    hit = fast(capsysbinary, args)
    assert hit[0] == 0
    outs.append(hit[1])
    for out in outs:
        text = out.decode("utf-8")
        assert "1999-12-31" not in text and "8640000" not in text and "@@djatlas" not in text
        assert re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)


def test_render_options_and_title_are_part_of_the_key(
    tree: Path, tmp_path: Path, capsysbinary
) -> None:
    cache = str(tmp_path / "cache")
    base = [str(tree), "-f", "markdown", "--no-timing", "-q", "--cache-dir", cache]
    for extra in ([], ["--title", "Other"], ["--language", "zh"], ["--diagram"], []):
        out = run(capsysbinary, ["scan", *base, *extra])[1]
        ref = run(capsysbinary, ["scan", *base[:-2], "--no-cache", *extra])[1]
        assert out == ref
        assert fast(capsysbinary, [*base, *extra])[1] == ref
    diagram = ["scan", str(tree), "-f", "mermaid", "--no-timing", "-q"]
    for extra in ([], ["--app", "shop"], ["--model", "Product"], ["--no-fields"], []):
        out = run(capsysbinary, [*diagram, "--cache-dir", cache, *extra])[1]
        assert out == run(capsysbinary, [*diagram, "--no-cache", *extra])[1], extra


def test_a_rendering_whose_metadata_show_otherwise_is_not_cached(
    tree: Path, tmp_path: Path
) -> None:
    def render(doc: dict) -> str:
        meta = doc["metadata"]
        return f"took {meta['duration_ms']:.3f} ms at {meta['scanned_at'][:10]}\n"

    opts = ScanOptions(cache_dir=str(tmp_path / "cache"))
    for _ in range(2):
        _summary, out = scan_rendered(str(tree), opts, "markdown", render)
        text = out.decode()
        assert "8640000" not in text and "1999" not in text
        took = float(text.split()[1])
        assert 0 < took < 60_000
    assert not list((tmp_path / "cache").glob("*/render-markdown.txt"))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_check_reuses_the_cached_report_and_its_findings(
    tree: Path, tmp_path: Path, capsysbinary, fmt: str
) -> None:
    write_tree(
        tree,
        {
            "shop/more.py": """
        from django.db import models

        class Note(models.Model):
            text = models.CharField(max_length=10, null=True)
    """
        },
    )
    age(tree)
    cache = str(tmp_path / "cache")
    args = ["check", str(tree), "--format", fmt, "-q"]
    cold = run(capsysbinary, [*args, "--no-cache"])
    assert cold[0] == 1 and b"more.py" in cold[1]
    assert run(capsysbinary, [*args, "--cache-dir", cache]) == cold
    assert list((tmp_path / "cache").glob(f"*/check-{fmt}.txt"))
    assert run(capsysbinary, [*args, "--cache-dir", cache]) == cold
    other = run(capsysbinary, [*args, "--cache-dir", cache, "--ignore", "DJ003"])
    assert other == run(capsysbinary, [*args, "--no-cache", "--ignore", "DJ003"])
    # A silencing comment is an edit: the cached findings are not used.
    more = tree / "shop" / "more.py"
    text = more.read_text().replace("null=True)", "null=True)  # djatlas: ignore")
    more.write_text(text)
    age(tree, 30)
    after = run(capsysbinary, [*args, "--cache-dir", cache])
    assert after == run(capsysbinary, [*args, "--no-cache"])
    if fmt == "json":
        assert json.loads(after[1]) != json.loads(cold[1])
