"""``djatlas impact MODEL...``: what deleting one row does, as Django's deletion Collector."""

from __future__ import annotations

import argparse
import sys

from djatlas.commands.treeopts import positive_int
from djatlas.query.cli import add_query_options, emit, fail, load_atlas, to_json


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "impact",
        help="what deleting one row does: cascades, updates, blocking relations",
        description="What deleting one row of MODEL does, transitively, as Django's deletion "
        "Collector would: rows deleted by CASCADE (with the path to each), PROTECT/RESTRICT "
        "relations that block, SET_NULL/SET_DEFAULT/SET(...) updates, DO_NOTHING relations.",
    )
    p.add_argument("models", metavar="MODEL", nargs="*", help="label, class name or id")
    p.add_argument("--all", action="store_true", help="every concrete model of the tree")
    p.add_argument(
        "--depth",
        type=positive_int,
        default=None,
        metavar="N",
        help="follow cascades at most N steps (default: all the way)",
    )
    add_query_options(p, ("text", "json", "mermaid"))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from djatlas.query import QueryError
    from djatlas.query.impact import deletable, impact
    from djatlas.query.mermaid import impact_mermaid
    from djatlas.query.text import impact_text

    if not args.models and not args.all:
        return fail("impact: give MODEL or --all")
    try:
        atlas = load_atlas(args)
        labels = deletable(atlas) if args.all else [atlas.resolve(m) for m in args.models]
        unknown: list[str] = []
        result = {
            label: impact(atlas, label, args.depth, unknown) for label in dict.fromkeys(labels)
        }
    except QueryError as exc:
        return fail(str(exc))
    render = {"json": to_json, "mermaid": impact_mermaid, "text": impact_text}[args.format]
    emit(render(result), args)
    if unknown and not args.quiet:
        print(
            f"djatlas: note: on_delete not known statically for {len(unknown)} relation(s), "
            f"left out: {', '.join(sorted(unknown)[:10])}",
            file=sys.stderr,
        )
    return 0
