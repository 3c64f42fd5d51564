"""``djatlas migrations PATH``: the migration graph per app and its problems; ``--check``: what
``makemigrations`` would write."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from djatlas.commands.treeopts import add_tree_options, check_tree_path, load_tree

FORMATS = ("text", "json", "sarif", "github")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "migrations",
        help="migration graph and drift check (--check): read statically, nothing booted",
        description=(
            "Read every app's migrations statically: the graph per app and its problems "
            "(conflicts, missing dependencies). --check: compare the migrations' state with the "
            "models as makemigrations does (exit 1 on drift)."
        ),
    )
    p.add_argument("path", metavar="PATH", nargs="?", default=".", help="default: .")
    p.add_argument("--check", action="store_true", help="report model changes without migration")
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
    if args.format in ("sarif", "github") and not args.check:
        return _error(f"--format {args.format} needs --check")
    doc = load_tree(args.path, args)
    folder = None
    if not args.no_cache:
        from djatlas.cache import cache_folder

        folder = cache_folder(args.path, args.cache_dir)
    results = _result_cache(folder, args, doc)
    cached = results.get() if results is not None else None
    if cached is not None:
        text, code = cached
    else:
        try:
            text, code, deps = _compute(args, doc, folder)
        except ValueError as exc:
            return _error(str(exc))
        if results is not None:
            results.put(text, code, deps)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            return _error(f"cannot write {args.output}: {exc.strerror}")
    else:
        sys.stdout.write(text)
    return code


def _result_cache(folder: str | None, args: argparse.Namespace, doc: dict[str, Any]):
    """The per-tree result cache."""
    if folder is None:
        return None
    from djatlas.migrations.resultcache import ResultCache

    options = [args.check, args.format, args.include, args.exclude, os.path.realpath(args.path)]
    return ResultCache(folder, options, doc)


def _compute(args: argparse.Namespace, doc: dict[str, Any], folder: str | None):
    """(output, exit code, files the answer depends on)."""
    from djatlas.migrations.project import analyse

    projects = analyse(args.path, doc, args.include, args.exclude, folder)
    if args.check:
        from djatlas.migrations.views import check_view

        text, code = check_view(projects, args.format)
    else:
        from djatlas.migrations.views import graph_view

        text, code = graph_view(projects, args.format)
    return text, code, _dependencies(projects)


def _dependencies(projects) -> list[str]:
    """Migration files and folders, model files and apps.py files the answer was read from."""
    out: list[str] = []
    for project in projects:
        for pkg in project.loaded.packages.values():
            out.append(os.path.join(project.root, pkg.folder) if pkg.in_tree else pkg.folder)
        for mf in project.loaded.files:
            out.append(os.path.join(project.root, mf.path) if mf.in_tree else mf.path)
        for rec in project.doc.get("files", []):
            path = rec.get("path", "")
            if rec.get("status") == "parsed" or path.endswith("apps.py"):
                out.append(os.path.join(project.root, path))
    return out
