"""``djatlas mcp [PATH]``: a read-only MCP server over stdio for coding agents."""

from __future__ import annotations

import argparse
import os

from djatlas.commands.treeopts import add_tree_options


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "mcp",
        help="serve the tree's data model to coding agents (Model Context Protocol, stdio)",
        description="Run a read-only Model Context Protocol server over stdio answering about "
        "the Django models of PATH (tools: list_apps, list_models, show_model, find, impact, "
        "path, diagram, summary, drift). Needs the mcp extra: pip install 'djatlas[mcp]'.",
    )
    p.add_argument(
        "path",
        metavar="PATH",
        nargs="?",
        default=None,
        help="the tree (default: --path, else the current folder)",
    )
    p.add_argument(
        "--path", dest="path_option", metavar="PATH", default=None, help=argparse.SUPPRESS
    )
    add_tree_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from djatlas.commands.treeopts import check_tree_path
    from djatlas.query.cli import fail

    path = os.path.abspath(args.path or args.path_option or ".")
    problem = check_tree_path(path)
    if problem:
        return fail(problem)
    import importlib.util

    if importlib.util.find_spec("mcp") is None:
        return fail("the MCP server needs the mcp package: pip install 'djatlas[mcp]'")
    from djatlas.query.server import serve

    args.quiet = True
    serve(path, args)
    return 0
