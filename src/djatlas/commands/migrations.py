"""``djatlas migrations PATH``: the migration graph per app and its problems; ``--check``: what
``makemigrations`` would write; ``--lint [--since REV]``: deploy-safety review of the migrations."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from djatlas.commands.treeopts import add_tree_options, check_tree_path, load_tree, scan_options

FORMATS = ("text", "json", "sarif", "github")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "migrations",
        help="migration graph and drift check (--check): read statically, nothing booted",
        description=(
            "Read every app's migrations statically: the graph per app and its problems "
            "(conflicts, missing dependencies). --check: compare the migrations' state with the "
            "models as makemigrations does (exit 1 on drift). --lint: review the migrations' "
            "operations for deploy safety (exit 1 on findings)."
        ),
    )
    p.add_argument("path", metavar="PATH", nargs="?", default=".", help="default: .")
    p.add_argument("--check", action="store_true", help="report model changes without migration")
    p.add_argument("--lint", action="store_true", help="review migrations for deploy safety")
    p.add_argument(
        "--since",
        metavar="REV",
        help="with --lint: only the migrations added since git revision REV (and those whose "
        "operations changed since)",
    )
    p.add_argument(
        "--ignore",
        metavar="CODES",
        action="append",
        default=[],
        help="with --lint: leave out these rules (comma-separated, e.g. DJM102,DJM110)",
    )
    p.add_argument("--baseline", metavar="FILE", help="with --lint: leave out findings in FILE")
    p.add_argument(
        "--write-baseline", metavar="FILE", help="with --lint: write the findings to FILE"
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="with --check: list each field or option that cannot be known statically",
    )
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="default: text")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    add_tree_options(p)
    p.set_defaults(run=run)


def _error(message: str) -> int:
    print(f"djatlas: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    problem = check_tree_path(args.path)
    if problem:
        return _error(problem)
    problem = _option_problem(args)
    if problem:
        return _error(problem)
    if args.lint:
        return _run_lint(args)
    try:
        text, code = _uncached(args) if args.no_cache else _cached(args)
    except ValueError as exc:
        return _error(str(exc))
    return _emit(args, text, code)


def _option_problem(args: argparse.Namespace) -> str | None:
    if args.lint and args.check:
        return "--lint and --check cannot be combined"
    for name in ("since", "baseline", "write_baseline", "ignore"):
        if getattr(args, name) not in (None, []) and not args.lint:
            return f"--{name.replace('_', '-')} needs --lint"
    if args.lint:
        from djatlas.migrations.lint.rules import RULES

        args.ignore = sorted(
            {c.strip().upper() for v in args.ignore for c in v.split(",") if c.strip()}
        )
        unknown = [c for c in args.ignore if c not in RULES]
        if unknown:
            return f"--ignore: unknown rule code {unknown[0]} (DJM101..DJM{max(RULES)[3:]})"
    if args.format in ("sarif", "github") and not (args.check or args.lint):
        return f"--format {args.format} needs --check or --lint"
    return None


def _run_lint(args: argparse.Namespace) -> int:
    """``--lint``: review the migrations (not cached: the answer depends on the revision)."""
    from djatlas.migrations.lint.suppress import BaselineError, baseline_text, read_baseline
    from djatlas.migrations.lint.view import lint, lint_view
    from djatlas.migrations.project import analyse

    revision = baseline = None
    try:
        if args.since is not None:
            from djatlas.discover.gitsource import GitError
            from djatlas.migrations.lint.since import Revision

            try:
                revision = Revision(args.path, args.since)
            except GitError as exc:
                return _error(f"--since: {exc}")
        if args.baseline and not args.write_baseline:
            baseline = read_baseline(args.baseline)
    except BaselineError as exc:
        return _error(str(exc))
    doc = load_tree(args.path, args)
    folder = None
    if not args.no_cache:
        from djatlas.cache import cache_folder

        folder = cache_folder(args.path, args.cache_dir)
    projects = analyse(args.path, doc, args.include, args.exclude, folder)
    base = args.path if os.path.isdir(args.path) else os.path.dirname(args.path)
    result = lint(projects, base, revision, baseline, set(args.ignore))
    result.since = args.since
    if args.write_baseline:
        try:
            with open(args.write_baseline, "w", encoding="utf-8") as fh:
                fh.write(baseline_text(result.findings))
        except OSError as exc:
            return _error(f"cannot write {args.write_baseline}: {exc.strerror}")
        if not args.quiet:
            n = len(result.findings)
            print(f"djatlas: wrote {n} finding(s) to {args.write_baseline}", file=sys.stderr)
        return 0
    text, code = lint_view(result, args.format, _repo_prefix(args))
    return _emit(args, text, code)


def _repo_prefix(args: argparse.Namespace) -> str:
    """The tree's folder in its git repository (``a/b/``; ``""`` at the top or outside a
    repository): SARIF and annotation paths are relative to the repository root."""
    if args.format not in ("sarif", "github"):
        return ""
    from djatlas.keys import git_prefix

    return git_prefix(args.path if os.path.isdir(args.path) else os.path.dirname(args.path))


def _emit(args: argparse.Namespace, text: str, code: int) -> int:
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            return _error(f"cannot write {args.output}: {exc.strerror}")
    else:
        sys.stdout.write(text)
    return code


def _uncached(args: argparse.Namespace) -> tuple[str, int]:
    ahead = _read_ahead(args, None)
    try:
        text, code, _ = _compute(args, load_tree(args.path, args), None, ahead)
    finally:
        if ahead is not None:
            ahead.close()
    return text, code


def _cached(args: argparse.Namespace) -> tuple[str, int]:
    """The output as a view of the cached report: an unchanged tree whose migration files did
    not change is answered without loading the report or reading a migration."""
    from djatlas.cache import cache_folder
    from djatlas.migrations.resultcache import fresh, summary
    from djatlas.scan import scan_view

    folder = cache_folder(args.path, args.cache_dir)
    ahead = _read_ahead(args, folder)

    def compute(doc: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        text, code, deps = _compute(args, doc, folder, ahead)
        return summary(code, deps), text.encode("utf-8", "surrogatepass")

    view = [
        args.check,
        args.format,
        args.verbose,
        args.include,
        args.exclude,
        os.path.realpath(args.path),
    ]
    view.append(_repo_prefix(args))
    try:
        cached, body = scan_view(
            args.path, scan_options(args), "migrations", view, compute, fresh=fresh
        )
    finally:
        if ahead is not None:
            ahead.close()
    return body.decode("utf-8", "surrogatepass"), cached["code"]


def _read_ahead(args: argparse.Namespace, folder: str | None):
    """Read the tree's migration files in another process while the scan runs, unless the
    per-file cache already holds them."""
    if folder is not None and os.path.exists(os.path.join(folder, "migrations.json")):
        return None
    from djatlas.migrations.prefetch import Prefetch

    return Prefetch(args.path)


def _compute(args: argparse.Namespace, doc: dict[str, Any], folder: str | None, ahead=None):
    """(output, exit code, files the answer depends on), with the cyclic GC paused as in the
    scan: the analysis keeps its objects to the end, and the report is large, so collections
    would only rescan them."""
    import gc

    from djatlas.migrations.project import analyse

    enabled = gc.isenabled()
    gc.disable()
    try:
        projects = analyse(args.path, doc, args.include, args.exclude, folder, ahead)
        if args.check:
            from djatlas.migrations.views import check_view

            text, code = check_view(projects, args.format, _repo_prefix(args), args.verbose)
        else:
            from djatlas.migrations.views import graph_view

            text, code = graph_view(projects, args.format)
        return text, code, _dependencies(projects)
    finally:
        if enabled:
            gc.enable()


def _dependencies(projects) -> list[str]:
    """Migration files and folders, model files and apps.py files the answer was read from."""
    from djatlas.migrations.project import read_paths

    migrations, models = read_paths(projects)
    return migrations + models
