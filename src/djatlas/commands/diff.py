"""``djatlas diff OLD NEW``: what changed in the data model between two trees or revisions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from djatlas.commands.files import InputError, error, output_problem, read_report, write_output
from djatlas.commands.treeopts import add_tree_options, scan_options
from djatlas.diff import FORMATS, diff_reports, render


class SideError(Exception):
    """One side of the diff could not be loaded; the message is one line for the user."""


def load_report_file(path: Path) -> dict[str, Any]:
    """Read a report written by ``djatlas scan --format json``."""
    try:
        return read_report(str(path))
    except InputError as exc:
        raise SideError(str(exc)) from None


def _scan_module() -> Any:
    try:
        from djatlas import scan
    except ImportError as exc:  # pragma: no cover - only while the core is missing
        raise SideError(f"the scanner is not available: {exc}") from exc
    return scan


def load_side(spec: str, repo: str = ".", options: Any = None) -> dict[str, Any]:
    """A report for ``spec``: a JSON report file, a directory to scan, or a git revision
    (``options``: the ScanOptions of a scan, from the shared tree options)."""
    path = Path(spec)
    if path.is_file():
        return load_report_file(path)
    if path.is_dir():
        return _scan_module().scan_document(str(path), options)
    from djatlas.discover.gitsource import GitError, GitSource

    repo_path = Path(repo)
    if not repo_path.is_dir():
        raise SideError(f"{spec!r} is not a file or directory, and --repo {repo!r} is no directory")
    try:
        source = GitSource(repo_path, spec)
    except GitError as exc:
        raise SideError(
            f"{spec!r} is neither a file, a directory nor a git revision of {repo!r} ({exc})"
        ) from exc
    with source:
        doc = _scan_module().scan_document(source, options)
    meta = doc.setdefault("metadata", {})
    meta["path"] = f"{spec}"
    meta["git_commit"] = source.git_commit()
    return doc


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare the data model of two trees, reports or git revisions",
        description=(
            "Compare the data model of OLD and NEW. Each is a directory (scanned), a JSON report "
            "written by `djatlas scan --format json`, or a git revision of the repository at "
            "--repo (read from git objects, no checkout); the tree options apply to the sides "
            "that are scanned. Exit 0: no change; 1: changes; 2: error."
        ),
    )
    parser.add_argument("old", metavar="OLD", help="directory, JSON report or git revision")
    parser.add_argument("new", metavar="NEW", help="directory, JSON report or git revision")
    parser.add_argument(
        "--repo", default=".", metavar="PATH", help="git repository for revisions (default: .)"
    )
    parser.add_argument(
        "--format", choices=sorted(FORMATS), default="text", help="output format (default: text)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when the models changed"
    )
    add_tree_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    problem = output_problem(args.output)
    if problem:
        return error(problem)
    from djatlas.graph.apps import SettingsNotFound

    try:
        old = load_side(args.old, args.repo, scan_options(args))
        new = load_side(args.new, args.repo, scan_options(args))
    except (SideError, SettingsNotFound) as exc:
        print(f"djatlas: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a one-line message, never a traceback
        print(f"djatlas: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    diff = diff_reports(old, new)
    try:
        from djatlas.diff.migrations import annotate

        annotate(diff, args.old, args.new, args.repo, old, new)
    except Exception as exc:  # noqa: BLE001 - the model diff stands; say why migrations do not
        print(
            f"djatlas: warning: migrations not compared: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
    text = render(diff, args.format)
    if args.output:
        problem = write_output(args.output, text)
        if problem:
            return error(problem)
    else:
        sys.stdout.write(text)
    if args.exit_zero:
        return 0
    return 1 if diff["changed"] else 0
