"""``djatlas scan PATH``: analyse a tree and write the report."""

from __future__ import annotations

import argparse
import os
import sys

from djatlas.fastpath import closing_notes
from djatlas.render import FORMATS, RenderOptions, get_renderer


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "scan",
        help="statically analyse a Django codebase and report its models",
        description="Statically analyse PATH (a folder or one file) and write "
        "a report of every Django model. Nothing from PATH is imported or run.",
    )
    p.add_argument("path", metavar="PATH", help="folder (or single .py file) to scan")
    p.add_argument(
        "--format",
        "-f",
        default="markdown",
        choices=sorted(FORMATS),
        help="output format (default: markdown)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--title", help="report title")
    p.add_argument("--language", choices=("en", "zh"), default="en", help="report labels language")
    p.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only consider files matching GLOB (repeatable)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files/folders matching GLOB (repeatable)",
    )
    p.add_argument(
        "--no-default-excludes",
        action="store_true",
        help="also scan .git, virtualenvs, node_modules, build, dist, migrations, ...",
    )
    p.add_argument("--no-gitignore", action="store_true", help="do not honour .gitignore files")
    p.add_argument(
        "--max-file-size",
        type=_size,
        default=None,
        metavar="BYTES",
        help="skip (and report) files larger than this (default 5 MB; k/M suffixes)",
    )
    p.add_argument(
        "--settings", metavar="DOTTED", help="settings module to read INSTALLED_APPS etc. from"
    )
    p.add_argument(
        "--no-timing",
        action="store_true",
        help="omit scan time and duration (byte-identical output for the same tree)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when any file failed to parse")
    p.add_argument(
        "--diagram",
        action="store_true",
        help="markdown: embed Mermaid ER diagrams (one per app, one for cross-app relations)",
    )
    p.add_argument(
        "--app",
        action="append",
        default=[],
        metavar="LABEL",
        help="diagrams: only this app (repeatable)",
    )
    p.add_argument("--model", metavar="NAME", help="diagrams: the neighbourhood of one model")
    p.add_argument("--depth", type=int, default=1, help="diagrams: neighbourhood depth for --model")
    p.add_argument(
        "--exclude-model",
        action="append",
        default=[],
        metavar="GLOB",
        help="diagrams: leave out models matching GLOB (repeatable)",
    )
    p.add_argument("--no-fields", action="store_true", help="diagrams: boxes only")
    p.add_argument("--hide-inherited", action="store_true", help="diagrams: hide inherited fields")
    p.add_argument("--hide-abstract", action="store_true", help="diagrams: hide abstract models")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress or notes on stderr")
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="cache folder (default: $XDG_CACHE_HOME/djatlas or ~/.cache/djatlas)",
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help="parse with N processes (1: in-process; default: automatic by the amount to parse)",
    )
    p.set_defaults(run=run)


def _size(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    t = text.strip().lower().rstrip("b")
    try:
        if t and t[-1] in units:
            return int(float(t[:-1]) * units[t[-1]])
        return int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None


class _RenderError(Exception):
    """A renderer's one-line failure (missing tool, bad filter)."""


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a positive number of jobs: {text!r}")
    return n


def run(args: argparse.Namespace) -> int:
    from djatlas.scan import ScanOptions, scan_rendered

    if not os.path.exists(args.path):
        print(f"djatlas: error: path not found: {args.path}", file=sys.stderr)
        return 2
    if os.path.isfile(args.path) and not args.path.endswith(".py"):
        print(f"djatlas: error: not a Python file or folder: {args.path}", file=sys.stderr)
        return 2
    options = ScanOptions(
        include=args.include,
        exclude=args.exclude,
        default_excludes=not args.no_default_excludes,
        gitignore=not args.no_gitignore,
        settings=args.settings,
        title=args.title,
        timing=not args.no_timing,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        jobs=args.jobs,
        progress=not args.quiet,
    )
    if args.max_file_size is not None:
        options.max_file_size = args.max_file_size
    render_options = RenderOptions(
        title=args.title,
        language=args.language,
        diagram=args.diagram,
        apps=args.app,
        model=args.model,
        depth=args.depth,
        exclude_models=args.exclude_model,
        no_fields=args.no_fields,
        hide_inherited=args.hide_inherited,
        hide_abstract=args.hide_abstract,
    )
    renderer = get_renderer(args.format)

    def render(doc: dict) -> str:
        try:
            return renderer(doc, render_options)
        except (RuntimeError, ValueError) as exc:  # FilterError, GraphvizError: one line
            raise _RenderError(str(exc)) from exc

    try:
        summary, output = scan_rendered(args.path, options, args.format, render)
    except _RenderError as exc:
        print(f"djatlas: error: {exc}", file=sys.stderr)
        return 2
    _write(output, args.output)
    return closing_notes(summary, args.output, args.quiet, args.strict)


def _write(output: str | bytes, path: str | None) -> None:
    data = output.encode("utf-8", "backslashreplace") if isinstance(output, str) else output
    if path:
        with open(path, "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
