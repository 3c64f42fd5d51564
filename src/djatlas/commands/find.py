"""``djatlas find PATTERN``: models, fields, tables, columns and apps by name or glob."""

from __future__ import annotations

import argparse

from djatlas.query.cli import add_query_options, emit, fail, load_atlas, to_json


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from djatlas.query.find import KINDS

    p = subparsers.add_parser(
        "find",
        help="models, fields, tables, columns and apps matching a name or glob",
        description="Find names in the tree's data model. PATTERN is a name or a glob "
        "(*, ?, [...]), matched case-insensitively.",
    )
    p.add_argument("pattern", metavar="PATTERN")
    p.add_argument(
        "--kind",
        action="append",
        default=[],
        choices=KINDS,
        help="only this kind of name (repeatable)",
    )
    p.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="FIELD_TYPE",
        help="fields of this type (ForeignKey, CharField, a project class; repeatable)",
    )
    p.add_argument(
        "--app", action="append", default=[], metavar="LABEL", help="only in this app (repeatable)"
    )
    null = p.add_mutually_exclusive_group()
    null.add_argument(
        "--null",
        dest="null",
        action="store_const",
        const=True,
        default=None,
        help="nullable fields only",
    )
    null.add_argument(
        "--not-null", dest="null", action="store_const", const=False, help="NOT NULL fields only"
    )
    p.add_argument(
        "--unique",
        dest="unique",
        action="store_const",
        const=True,
        default=None,
        help="unique fields only",
    )
    p.add_argument("--target", metavar="MODEL", help="relation fields pointing at MODEL")
    add_query_options(p, ("text", "json"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from djatlas.query import QueryError
    from djatlas.query.find import Filters, find
    from djatlas.query.text import find_text

    filters = Filters(args.kind, args.type, args.app, args.null, args.unique, args.target)
    try:
        atlas = load_atlas(args)
        hits = find(atlas, args.pattern, filters)
    except QueryError as exc:
        return fail(str(exc))
    if args.format == "json":
        emit(to_json({"pattern": args.pattern, "results": hits}), args)
    else:
        emit(find_text(hits), args)
    return 0
