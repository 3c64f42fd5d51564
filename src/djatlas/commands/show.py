"""``djatlas show MODEL``: one model — file:line, bases, fields, relations both ways, Meta."""

from __future__ import annotations

import argparse

from djatlas.query.cli import add_query_options, emit, fail, load_atlas, to_json


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "show",
        help="one model: file:line, bases, fields, relations both ways, Meta, table",
        description="Show one model of the tree. MODEL is a label (shop.Product), a class "
        "name (ambiguity listed) or a model id.",
    )
    p.add_argument("model", metavar="MODEL", help="label, class name or id")
    add_query_options(p, ("text", "json"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from djatlas.query import QueryError
    from djatlas.query.show import show
    from djatlas.query.text import show_text

    try:
        atlas = load_atlas(args)
        answer = show(atlas, atlas.resolve(args.model))
    except QueryError as exc:
        return fail(str(exc))
    emit(to_json(answer) if args.format == "json" else show_text(answer), args)
    return 0
