"""``djatlas scan PATH``: analyse a tree and write the report."""

from __future__ import annotations

import os
import sys

from djatlas.commands.files import error, output_problem, write_output
from djatlas.commands.treeopts import add_tree_options, check_tree_path, scan_options
from djatlas.keys import RENDER_FIELDS, closing_notes
from djatlas.render import FORMATS, RenderOptions, filtering, get_renderer, takes_typed

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    import argparse  # (a cold scan reads its command line without it: ``fastpath.scan_args``)
    from typing import Any

#: formats that render the whole report document (the others draw a selection of models)
DOCUMENT_FORMATS = ("markdown", "json", "yaml", "html")


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
        help="only this app (repeatable)",
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        help="only the neighbourhood of one model (label, class name or id)",
    )
    p.add_argument("--depth", type=int, default=1, help="neighbourhood depth for --model")
    p.add_argument(
        "--exclude-model",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out models matching GLOB (repeatable)",
    )
    p.add_argument(
        "--include-model",
        action="append",
        default=[],
        metavar="GLOB",
        help="diagrams: only models matching GLOB, label or class name (repeatable)",
    )
    p.add_argument(
        "--installed-only",
        action="store_true",
        help="diagrams: only models of apps in INSTALLED_APPS (not test apps, vendored code)",
    )
    p.add_argument(
        "--verbose-names",
        action="store_true",
        help="diagrams: Meta.verbose_name and field verbose_name instead of class and field names",
    )
    p.add_argument(
        "--rankdir",
        choices=("TB", "BT", "LR", "RL"),
        help="diagrams: layout direction (top-bottom, bottom-top, left-right, right-left)",
    )
    p.add_argument(
        "--color-on-delete",
        action="store_true",
        help="diagrams: colour relation edges by on_delete (CASCADE red, PROTECT orange, ...)",
    )
    p.add_argument(
        "--no-edge-labels", action="store_true", help="diagrams: no field names on the edges"
    )
    p.add_argument("--no-fields", action="store_true", help="diagrams: boxes only")
    p.add_argument("--hide-inherited", action="store_true", help="diagrams: hide inherited fields")
    p.add_argument("--hide-abstract", action="store_true", help="leave out abstract models")
    p.add_argument(
        "--migrations",
        action="store_true",
        help="per model, the migration that last touched it (reads every migration file)",
    )
    add_tree_options(p)
    p.set_defaults(run=run)


class _RenderError(Exception):
    """A renderer's one-line failure (missing tool, bad filter)."""


def _with_migrations(render: Any, args: argparse.Namespace, values: list[Any]) -> Any:
    """``render`` of the report with, per model, the migration that last touched it; the
    rendering is keyed by the migration files' stats too (``values``)."""
    from djatlas.commands.treeopts import load_tree
    from djatlas.migrations.drift import annotate_last, drift_document, tree_stamp

    folder = None
    if not args.no_cache:
        from djatlas.keys import cache_folder

        folder = cache_folder(args.path, args.cache_dir)
    include, exclude = args.include, args.exclude
    report = lambda: load_tree(args.path, args)  # noqa: E731
    stamp = tree_stamp(args.path, include, exclude, folder, report, check=False)
    values.append(["migrations", stamp])

    def annotated(doc: dict) -> Any:  # the replayed state only: no drift check
        answer = drift_document(args.path, doc, include, exclude, folder, check=False)
        annotate_last(doc, answer.get("last", {}))
        return render(doc)

    return annotated


def run(args: argparse.Namespace) -> int:
    from djatlas.scan import scan_rendered

    problem = check_tree_path(args.path) or output_problem(args.output)
    if problem:
        return error(problem)
    options = scan_options(args, title=args.title, timing=not args.no_timing)
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
        include_models=args.include_model,
        installed_only=args.installed_only,
        verbose_names=args.verbose_names,
        rankdir=args.rankdir,
        color_on_delete=args.color_on_delete,
        edge_labels=not args.no_edge_labels,
        extra={"jobs": args.jobs},  # --jobs 1: the JSON renderer forks no helper either
    )
    renderer = get_renderer(args.format)
    if args.format == "json":  # its parts are written one after the other: no joined copy
        from djatlas.render import jsonout

        # Without the cache (which stores the whole) the renderer's helper process writes its
        # part itself (``write_output``): it never crosses to this one.
        renderer = jsonout.render_later if args.no_cache else jsonout.render_parts
    # --app/--model/...: the whole-document formats render the selected part of the report
    # (diagram formats select their models themselves); cached under its own render options
    filtered = args.format in DOCUMENT_FORMATS and filtering(render_options)

    def render(doc: dict) -> str | bytes | list[bytes]:
        try:
            if filtered:  # imported only then: the filters cost start-up time
                from djatlas.render.filters import filter_document

                doc = filter_document(doc, render_options)
            return renderer(doc, render_options)
        except (RuntimeError, ValueError) as exc:  # FilterError, GraphvizError: one line
            raise _RenderError(str(exc)) from exc

    values = [getattr(render_options, name) for name in RENDER_FIELDS]
    typed = takes_typed(args.format, render_options) and not filtered
    if args.migrations and os.path.isdir(args.path):
        render, typed = _with_migrations(render, args, values), False
    try:
        summary, output = scan_rendered(args.path, options, args.format, render, values, typed)
    except _RenderError as exc:
        print(f"djatlas: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        from djatlas.graph.apps import SettingsNotFound

        if isinstance(exc, SettingsNotFound):
            return error(str(exc))
        raise
    problem = write_output(args.output, output)
    if problem:
        return error(problem)
    return closing_notes(summary, args.output, args.quiet, args.strict)
