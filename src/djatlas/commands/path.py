"""``djatlas path A B``: ORM lookup paths from model A to model B, shortest first."""

from __future__ import annotations

import argparse

from djatlas.commands.treeopts import positive_int
from djatlas.query.cli import add_query_options, emit, fail, load_atlas, to_json


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "path",
        help="ORM lookup paths from one model to another (order__lines__product)",
        description="The lookups that lead from SOURCE to TARGET in a queryset filter, "
        "shortest first, with the cardinality of each step.",
    )
    p.add_argument("source", metavar="SOURCE", help="label, class name or id")
    p.add_argument("target", metavar="TARGET", help="label, class name or id")
    p.add_argument(
        "--max-steps",
        type=positive_int,
        default=4,
        metavar="N",
        help="longest lookup considered (default 4)",
    )
    p.add_argument(
        "--limit", type=positive_int, default=10, metavar="N", help="at most N paths (default 10)"
    )
    add_query_options(p, ("text", "json"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from djatlas.query import QueryError
    from djatlas.query.paths import lookup_paths, paths_json
    from djatlas.query.text import path_text

    try:
        atlas = load_atlas(args)
        source, target = atlas.resolve(args.source), atlas.resolve(args.target)
        found = lookup_paths(atlas, source, target, args.max_steps, args.limit)
    except QueryError as exc:
        return fail(str(exc))
    answer = paths_json(source, target, found)
    emit(to_json(answer) if args.format == "json" else path_text(answer), args)
    return 0
