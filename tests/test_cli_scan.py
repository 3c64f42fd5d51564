"""``djatlas scan`` from the command line: formats, output file, labels, determinism, file
selection (defaults, --include/--exclude, .gitignore) and usage errors.

In-process through ``djatlas.cli.main([...])`` and, where the process boundary matters (stdout
bytes, exit codes, stderr), through a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from treeutil import write_tree

from djatlas.cli import main

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "src/djatlas/schema/report.schema.json").read_text()
)

TREE = {
    "settings.py": 'INSTALLED_APPS = ["shop"]\n',
    "shop/__init__.py": "",
    "shop/models.py": '''
        from django.db import models


        class Product(models.Model):
            """商品。"""
            name = models.CharField("名称", max_length=20, help_text="a | b")
            price = models.DecimalField(max_digits=8, decimal_places=2)


        class Order(models.Model):
            product = models.ForeignKey(Product, models.CASCADE, related_name="orders")
    ''',
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": "x = 1\n",
    "shop/scratch_tmp.py": "x = 1\n",
    "docs/conf.py": "x = 1\n",
    ".git/hook.py": "x = 1\n",
    "venv/pyvenv.cfg": "home = /usr\n",
    "venv/lib/site.py": "x = 1\n",
    "node_modules/pkg/a.py": "x = 1\n",
    "build/b.py": "x = 1\n",
    "generated/models.py": """
        from django.db import models

        class Gen(models.Model):
            pass
    """,
    ".gitignore": "generated/\n*_tmp.py\n",
    "README.txt": "not python\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", TREE)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``djatlas`` in-process; (exit code, stdout, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m djatlas`` in a subprocess, bytes out."""
    proc = subprocess.run(
        [sys.executable, "-m", "djatlas", *args],
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert b"Traceback" not in proc.stderr
    return proc


def scan_json(capsys, path: Path, *args: str) -> dict:
    code, out, err = cli(
        capsys, "scan", str(path), "--format", "json", "--no-timing", "--no-cache", *args
    )
    assert code == 0, err
    return json.loads(out)


def files(doc: dict) -> dict[str, tuple[str, str | None]]:
    return {f["path"]: (f["status"], f["reason"]) for f in doc["files"]}


# --------------------------------------------------------------------------- formats


def test_json_validates_against_schema(tree, capsys):
    doc = scan_json(capsys, tree)
    jsonschema.validate(doc, SCHEMA)
    assert doc["format"] == "djatlas-report" and doc["schema_version"] == 1
    assert [m["label"] for m in doc["models"]] == ["shop.Product", "shop.Order"]
    assert doc["metadata"]["scanned_at"] is None and doc["metadata"]["duration_ms"] is None
    assert doc["metadata"]["settings_module"] == "settings"
    summary = doc["summary"]
    assert (summary["models"], summary["fields"], summary["relationships"]) == (2, 4, 1)
    assert (summary["files_parsed"], summary["files_not_needed"]) == (2, 2)


def test_json_with_timing_validates(tree, capsys):
    code, out, _ = cli(capsys, "scan", str(tree), "-f", "json", "--no-cache")
    assert code == 0
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert isinstance(doc["metadata"]["scanned_at"], str)
    assert isinstance(doc["metadata"]["duration_ms"], (int, float))


def test_yaml_is_the_same_data_as_json(tree, capsys):
    doc = scan_json(capsys, tree)
    code, out, _ = cli(capsys, "scan", str(tree), "--format", "yaml", "--no-timing", "--no-cache")
    assert code == 0
    assert yaml.safe_load(out) == doc
    assert "商品。" in out and "\\u" not in out


def test_markdown_default_format(tree, capsys):
    code, out, _ = cli(capsys, "scan", str(tree), "--no-timing", "--no-cache")
    assert code == 0
    assert out.startswith("# Django Models Analysis\n")
    headings = ("## Metadata", "## Summary", "## Results", "### Product (shop)", "### Order (shop)")
    for heading in headings:
        assert f"\n{heading}\n" in out, heading
    assert "`shop/models.py:4`" in out
    assert "商品。" in out
    assert "a \\| b" in out  # a pipe in a help_text cannot break the table


def test_title_option(tree, capsys):
    code, out, _ = cli(capsys, "scan", str(tree), "--title", "Shop atlas", "--no-cache")
    assert code == 0 and out.startswith("# Shop atlas\n")
    doc = scan_json(capsys, tree, "--title", "Shop atlas")
    assert doc["metadata"]["title"] == "Shop atlas"


def test_language_zh(tree, capsys):
    code, out, _ = cli(capsys, "scan", str(tree), "--language", "zh", "--no-timing", "--no-cache")
    assert code == 0
    labels = ("## 元数据", "## 摘要", "## 结果", "**标签**: `shop.Product`", "**描述**: 商品。")
    for label in labels:
        assert label in out, label
    assert "## Metadata" not in out and "## Summary" not in out
    assert "\\u" not in out


def test_json_keeps_non_ascii_unescaped(tree):
    proc = run("scan", str(tree), "--format", "json", "--no-timing", "--no-cache")
    assert proc.returncode == 0
    text = proc.stdout.decode("utf-8")
    assert "商品。" in text and "名称" in text
    assert "\\u" not in text
    assert json.loads(text)["models"][0]["docstring"] == "商品。"


def test_output_file(tree, tmp_path, capsys):
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    code, out, err = cli(
        capsys, "scan", str(tree), "-f", "json", "-o", str(target), "--no-timing", "--no-cache"
    )
    assert code == 0 and out == ""
    assert err.count("\n") == 1 and str(target) in err and "2 models" in err
    assert json.loads(target.read_text(encoding="utf-8")) == scan_json(capsys, tree)
    code, out, err = cli(capsys, "scan", str(tree), "-o", str(target), "-q", "--no-cache")
    assert code == 0 and out == "" and err == ""
    assert target.read_text(encoding="utf-8").startswith("# Django Models Analysis")


@pytest.mark.parametrize("fmt", ["json", "markdown", "yaml"])
def test_no_timing_is_byte_identical(tree, fmt):
    first = run("scan", str(tree), "-f", fmt, "--no-timing", "--no-cache")
    second = run("scan", str(tree), "-f", fmt, "--no-timing", "--no-cache")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and first.stdout


# --------------------------------------------------------------------------- file selection


def test_default_excludes_and_gitignore_records(tree, capsys):
    recorded = files(scan_json(capsys, tree))
    assert recorded == {
        ".git/": ("skipped", "default exclude: .git"),
        "build/": ("skipped", "default exclude: build"),
        "docs/conf.py": ("not_needed", None),
        "generated/": ("skipped", ".gitignore"),
        "node_modules/": ("skipped", "default exclude: node_modules"),
        "settings.py": ("parsed", None),
        "shop/__init__.py": ("not_needed", None),
        "shop/migrations/": ("skipped", "default exclude: migrations"),
        "shop/models.py": ("parsed", None),
        "shop/scratch_tmp.py": ("skipped", ".gitignore"),
        "venv/": ("skipped", "default exclude: virtualenv (pyvenv.cfg)"),
    }


def test_no_default_excludes(tree, capsys):
    recorded = files(scan_json(capsys, tree, "--no-default-excludes"))
    for path in (
        ".git/hook.py",
        "build/b.py",
        "node_modules/pkg/a.py",
        "venv/lib/site.py",
        "shop/migrations/0001_initial.py",
        "shop/migrations/__init__.py",
    ):
        assert recorded[path] == ("not_needed", None), path
    # .gitignore still applies
    assert recorded["generated/"] == ("skipped", ".gitignore")


def test_no_gitignore(tree, capsys):
    doc = scan_json(capsys, tree, "--no-gitignore")
    recorded = files(doc)
    assert recorded["generated/models.py"] == ("parsed", None)
    assert recorded["shop/scratch_tmp.py"] == ("not_needed", None)
    assert "Gen" in {m["name"] for m in doc["models"]}


def test_exclude_glob(tree, capsys):
    doc = scan_json(capsys, tree, "--exclude", "docs", "--exclude", "*_tmp.py", "--no-gitignore")
    recorded = files(doc)
    assert recorded["docs/"] == ("skipped", "--exclude docs")
    assert recorded["shop/scratch_tmp.py"] == ("skipped", "--exclude *_tmp.py")
    assert recorded["generated/models.py"] == ("parsed", None)


def test_include_glob(tree, capsys):
    doc = scan_json(capsys, tree, "--include", "shop")
    recorded = files(doc)
    assert recorded["docs/conf.py"] == ("skipped", "not matched by --include")
    assert recorded["settings.py"] == ("skipped", "not matched by --include")
    assert recorded["shop/models.py"] == ("parsed", None)
    assert [m["label"] for m in doc["models"]] == ["shop.Product", "shop.Order"]
    assert doc["summary"]["files_skipped"] == sum(
        1 for f in doc["files"] if f["status"] == "skipped"
    )


def test_single_file_path(tree, capsys):
    doc = scan_json(capsys, tree / "shop" / "models.py")
    assert [m["name"] for m in doc["models"]] == ["Product", "Order"]
    assert [(f["path"], f["status"]) for f in doc["files"]] == [("models.py", "parsed")]
    assert doc["models"][0]["line"] == 4
    assert doc["models"][1]["fields"][1]["relation"]["target"].endswith(".Product")


def test_max_file_size_reports_failed_files(tree, capsys):
    code, out, err = cli(
        capsys,
        "scan",
        str(tree),
        "-f",
        "json",
        "--no-cache",
        "--no-timing",
        "--max-file-size",
        "100",
    )
    assert code == 0
    doc = json.loads(out)
    status, reason = files(doc)["shop/models.py"]
    assert status == "failed" and reason.startswith("too large: ")
    assert "limit 100" in reason
    assert doc["summary"]["files_failed"] == 1
    assert "could not be analysed" in err
    code, _, _ = cli(
        capsys, "scan", str(tree), "--no-cache", "--max-file-size", "100", "--strict", "-q"
    )
    assert code == 1
    code, _, _ = cli(capsys, "scan", str(tree), "--no-cache", "--max-file-size", "1k", "-q")
    assert code == 0


# --------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    "args,message",
    [
        (["scan", "{missing}"], "djatlas: error: path not found: {missing}"),
        (["scan", "{tree}", "--bogus"], "djatlas: error: unrecognized arguments: --bogus"),
        (
            ["scan", "{tree}", "--max-file-size", "abc"],
            "djatlas: error: argument --max-file-size: not a size: 'abc'",
        ),
        (["scan"], "djatlas: error: the following arguments are required: PATH"),
        (
            ["scan", "{tree}/README.txt"],
            "djatlas: error: not a Python file or folder: {tree}/README.txt",
        ),
    ],
)
def test_usage_errors_in_process(tree, capsys, args, message):
    subst = {"missing": str(tree / "nope"), "tree": str(tree)}
    code, out, err = cli(capsys, *[a.format(**subst) for a in args])
    assert code == 2
    assert out == ""
    assert err == message.format(**subst) + "\n"


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "does-not-exist"],
        ["scan", ".", "--unknown-option"],
        ["scan", ".", "--max-file-size", "-"],
        ["scan", ".", "--format", "nope"],
    ],
)
def test_usage_errors_subprocess(tree, args):
    proc = run(*args, cwd=tree)
    assert proc.returncode == 2
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert err.startswith("djatlas: error: ") and err.count("\n") == 1


def test_no_traceback_on_unreadable_tree(tmp_path):
    write_tree(
        tmp_path,
        {"app/__init__.py": "", "app/models.py": "class (:\n", "app/bad.py": "x = 1\x00\n"},
    )
    proc = run("scan", str(tmp_path), "-f", "json", "--no-timing", "--no-cache")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    status, reason = files(doc)["app/models.py"]
    assert status == "failed" and reason.startswith("syntax error")
    assert files(doc)["app/bad.py"] == ("failed", "NUL bytes in file")
    assert doc["summary"]["files_failed"] == 2
    assert b"2 file(s) could not be analysed" in proc.stderr
    assert run("scan", str(tmp_path), "--strict", "-q", "--no-cache").returncode == 1


def test_json_without_cache_is_the_cached_scans_json(tree, tmp_path, capsys):
    # Without a cache the JSON is written from the typed report, with it from the plain copy.
    cold = cli(capsys, "scan", str(tree), "-f", "json", "--no-timing", "--no-cache")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    cached = cli(capsys, "scan", str(tree), "-f", "json", "--no-timing", *cache)
    assert cold[0] == cached[0] == 0
    assert cold[1] == cached[1]
    assert json.loads(cold[1])["models"]
