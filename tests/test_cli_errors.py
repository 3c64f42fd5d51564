"""Every command: an unwritable -o target or an input that is not a djatlas JSON report is one
line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import json

import pytest
from treeutil import write_tree

from djatlas.cli import main

TREE = {
    "app/__init__.py": "",
    "app/models.py": """
        from django.db import models

        class Thing(models.Model):
            name = models.CharField(max_length=10)
    """,
}


@pytest.fixture()
def tree(tmp_path):
    return write_tree(tmp_path / "tree", TREE)


@pytest.fixture()
def report(tree, tmp_path):
    path = tmp_path / "report.json"
    assert main(["scan", str(tree), "-f", "json", "-q", "--no-cache", "-o", str(path)]) == 0
    return path


def _one_line_error(capsys, code: int) -> str:
    out = capsys.readouterr()
    assert code == 2
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("djatlas: error: "), out.err
    assert "Traceback" not in out.err
    return lines[0]


def _bad_outputs(tmp_path):
    return [
        str(tmp_path / "no" / "such" / "folder" / "out.txt"),  # missing folder
        str(tmp_path),  # a directory
    ]


@pytest.mark.parametrize("fmt", ["markdown", "json", "mermaid", "html"])
def test_scan_unwritable_output(tree, tmp_path, capsys, fmt):
    for target in _bad_outputs(tmp_path):
        line = _one_line_error(
            capsys, main(["scan", str(tree), "-f", fmt, "-q", "--no-cache", "-o", target])
        )
        assert target in line


def test_scan_unwritable_output_with_a_warm_cache(tree, tmp_path, capsys):
    cache = str(tmp_path / "cache")
    assert main(["scan", str(tree), "-f", "json", "-q", "--cache-dir", cache, "-o", "-"]) == 0
    capsys.readouterr()
    target = str(tmp_path / "missing" / "x.json")
    args = ["scan", str(tree), "-f", "json", "-q", "--cache-dir", cache, "-o", target]
    assert target in _one_line_error(capsys, main(args))


def test_check_unwritable_output(tree, report, tmp_path, capsys):
    for source in (tree, report):
        for target in _bad_outputs(tmp_path):
            _one_line_error(capsys, main(["check", str(source), "--no-cache", "-o", target]))


def test_diff_unwritable_output(tree, report, tmp_path, capsys):
    for target in _bad_outputs(tmp_path):
        _one_line_error(capsys, main(["diff", str(report), str(report), "-o", target]))


def _bad_inputs(tmp_path):
    files = {
        "text.md": "# not json\n",
        "list.json": "[1, 2, 3]\n",
        "other.json": json.dumps({"format": "something-else"}),
        "models.json": json.dumps({"format": "djatlas-report", "models": [1, 2]}),
        "binary.json": b"\xff\xfe\x00garbage",
        "empty.json": "",
    }
    out = []
    for name, content in files.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        out.append(str(path))
    return out + [str(tmp_path / "missing.json")]


def test_check_bad_input(tmp_path, capsys):
    for bad in _bad_inputs(tmp_path):
        assert bad in _one_line_error(capsys, main(["check", bad]))


def test_diff_bad_input(report, tmp_path, capsys):
    for bad in _bad_inputs(tmp_path):
        assert bad in _one_line_error(capsys, main(["diff", bad, str(report)]))
        assert bad in _one_line_error(capsys, main(["diff", str(report), bad]))


def test_verify_bad_input(report, tmp_path, capsys):
    for bad in _bad_inputs(tmp_path) + [str(tmp_path)]:
        assert bad in _one_line_error(capsys, main(["verify", bad, str(report)]))
        assert bad in _one_line_error(capsys, main(["verify", str(report), bad]))


def test_good_output_still_written(tree, report, tmp_path, capsys):
    out = tmp_path / "check.json"
    assert main(["check", str(report), "--format", "json", "-o", str(out), "--exit-zero"]) == 0
    assert json.loads(out.read_text())["format"] == "djatlas-check"


@pytest.mark.parametrize("command", ["scan", "check"])
def test_unknown_settings_module_is_a_usage_error(tree, capsys, command):
    args = [command, str(tree)] + ([str(tree)] if command == "diff" else [])
    code = main(args + ["--settings", "nope.settings", "--no-cache"])
    assert "nope.settings" in _one_line_error(capsys, code)


def test_verify_in_tree_needs_a_runtime_report_with_root(tmp_path, capsys):
    runtime = {
        "format": "djatlas-report",
        "models": [{"label": "a.X", "app_label": "a", "file": "/abs/site/a/models.py"}],
    }
    path = tmp_path / "runtime.json"
    path.write_text(json.dumps(runtime))
    line = _one_line_error(capsys, main(["verify", str(path), str(path), "--in-tree"]))
    assert "--root" in line
