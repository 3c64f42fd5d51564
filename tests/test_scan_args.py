"""``djatlas scan``'s command line read without argparse (``fastpath.scan_args``): the same
arguments as argparse for what it reads, None (argparse decides) for anything else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from djatlas import fastpath
from djatlas.cli import build_parser
from djatlas.keys import SCAN_FLAGS

READ = [
    ["proj"],
    ["proj", "--format", "json", "--no-cache"],
    ["--no-cache", "proj", "-f", "yaml", "-q", "-o", "out.json"],
    ["proj", "--format=html", "--output=o.html", "--title", "T", "--language", "zh"],
    ["proj", "--include", "a/*", "--include=b/**", "--exclude", "c", "--app", "shop"],
    ["proj", "--app", "a", "--app", "b", "--exclude-model", "x*", "--include-model", "Y"],
    ["proj", "--settings", "conf.settings", "--cache-dir", "cache", "--model", "shop.Order"],
    ["proj", "--rankdir", "LR", "--diagram", "--strict", "--no-timing", "--quiet"],
    ["proj", *(flag for flag in SCAN_FLAGS if flag != "--no-cache")],
]
LEFT_TO_ARGPARSE = [
    [],
    ["--no-cache"],
    ["proj", "other"],
    ["proj", "--format", "nope"],  # not a choice
    ["proj", "--rankdir", "XY"],
    ["proj", "--form", "json"],  # an abbreviation
    ["proj", "--format", "json", "--format", "yaml"],  # given twice
    ["proj", "-q", "-q"],
    ["proj", "-fjson"],  # an attached short value
    ["proj", "--title", "-x"],
    ["proj", "--title"],
    ["proj", "--title", ""],
    ["proj", "--", "x"],
    ["proj", "--jobs", "2"],  # typed options
    ["proj", "--depth", "2"],
    ["proj", "--max-file-size", "1k"],
    ["proj", "--python", "/usr/bin/python3"],
    ["proj", "--no-cache=1"],
    ["-1"],
    ["proj", "--unknown"],
]


def _vars(args: object) -> dict[str, object]:
    return {k: v for k, v in vars(args).items() if k != "run"}


@pytest.mark.parametrize("argv", READ)
def test_reads_what_argparse_reads(argv: list[str]) -> None:
    args = fastpath.scan_args(argv)
    assert args is not None
    expected = build_parser("scan").parse_args(["scan", *argv])
    assert _vars(args) == _vars(expected)
    assert args.run is expected.run


@pytest.mark.parametrize("argv", LEFT_TO_ARGPARSE)
def test_leaves_the_rest_to_argparse(argv: list[str]) -> None:
    assert fastpath.scan_args(argv) is None


def test_lists_are_new_each_time() -> None:
    first, second = fastpath.scan_args(["a"]), fastpath.scan_args(["b"])
    assert first is not None and second is not None
    first.include.append("x")
    assert second.include == [] and fastpath.scan_args(["c"]).include == []


def test_a_scan_read_so_imports_no_argparse(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text("X = 1\n")
    code = (
        "import sys\n"
        "from djatlas.cli import main\n"
        f"code = main(['scan', {str(tmp_path)!r}, '--format', 'json', '--no-cache', '-q',"
        f" '-o', {str(tmp_path / 'out.json')!r}])\n"
        "print(code, 'argparse' in sys.modules, 'gettext' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["0", "False", "False"], done.stderr
    assert '"models"' in (tmp_path / "out.json").read_text()
