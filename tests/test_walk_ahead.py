"""The cold scan's walk started with the command line (``discover.ahead``): which command lines
start it, that the scan takes it only for its own tree and options, and that an unused walk is
ended."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.cli import build_parser, main
from djatlas.discover import ahead
from djatlas.discover.finder import DiscoverOptions, discover, discover_ahead


def _scan_parser() -> argparse.ArgumentParser:
    sub = next(
        a for a in build_parser("scan")._actions if isinstance(a, argparse._SubParsersAction)
    )
    return sub.choices["scan"]


def test_option_tables_match_the_scan_parser() -> None:
    """Every option of ``djatlas scan`` is known to the early parse, with its arity (but
    --max-file-size and --help, which leave the walk to the scan)."""
    flags, values = set(), set()
    for action in _scan_parser()._actions:
        for opt in action.option_strings:
            (flags if action.nargs == 0 else values).add(opt)
    assert values - {"--max-file-size"} == ahead._VALUES
    assert flags - {"-h", "--help"} == ahead._FLAGS


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["T", "--no-cache"], ("T", [], [], True, True)),
        (
            ["--format=json", "T", "-o", "x", "--no-cache", "--include", "a", "--include=b"],
            ("T", ["a", "b"], [], True, True),
        ),
        (
            ["T", "--no-cache", "--exclude", "e", "--no-gitignore", "--no-default-excludes"],
            ("T", [], ["e"], False, False),
        ),
        (["T"], None),  # the cache may answer
        (["T", "--no-cache", "--no-cach"], None),  # an abbreviation: argparse's business
        (["T", "--no-cache", "-qj2"], None),
        (["T", "--no-cache", "--max-file-size", "1k"], None),
        (["T", "U", "--no-cache"], None),
        (["T", "--no-cache", "--jobs", "0"], None),
        (["T", "--no-cache", "-o"], None),
        (["T", "--no-cache", "--", "x"], None),
    ],
)
def test_which_command_lines_start_a_walk(argv: list[str], key: tuple | None) -> None:
    found = ahead._cold_scan(argv)
    assert (found[0][:5] if found else None) == key


def _shape(found) -> tuple:  # type: ignore[no-untyped-def]
    return (
        [(f.relpath, f.size, f.mtime_ns) for f in found.files],
        [(r.path, r.status, r.reason) for r in found.records],
        sorted(found.packages),
        found.stats,
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {"a/__init__.py": "", "a/models.py": "", "b/x.py": "", "c.txt": ""})


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_the_scan_takes_only_its_own_walk(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("djatlas.parallel.spare_core", lambda jobs: True)
    ahead.start([str(tree), "--no-cache", "--exclude", "b"])
    assert len(ahead._started) == 1
    options = DiscoverOptions(exclude=["b"], watched=False)  # a scan without cache
    assert _shape(discover_ahead(str(tree), options)) == _shape(discover(str(tree), options))
    assert not ahead._started  # taken
    ahead.start([str(tree), "--no-cache"])
    pid = ahead._started[0][1][0]
    assert ahead.take(str(tree), DiscoverOptions(gitignore=False)) is None  # other options
    assert not ahead._started
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # ended and reaped


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_a_usage_error_ends_the_walk(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):  # argparse's exit 2, after the walk started
        main(["scan", str(tree), "--no-cache", "--format", "nope"])
    assert not ahead._started
    assert main(["scan", str(tree), "--no-cache", "-q", "--format", "json"]) == 0
    assert not ahead._started
    assert '"models"' in capsys.readouterr().out


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_steps_meanwhile_stop_once_the_walk_child_is_done(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first step always runs; the others only while the child is still walking (once it
    is done, they are left to the caller)."""
    import select

    monkeypatch.setattr("djatlas.parallel.spare_core", lambda jobs: True)
    ran: list[str] = []

    def until_done() -> None:
        ran.append("first")
        select.select([found._child[1]], [], [])  # the child's answer is there

    options = DiscoverOptions(watched=False)
    steps = [until_done, lambda: ran.append("second"), lambda: ran.append("third")]
    found = discover_ahead(str(tree), options, steps)
    assert _shape(found) == _shape(discover(str(tree), options))
    assert ran == ["first"]
