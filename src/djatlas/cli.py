"""Thin command-line front end: parse arguments, dispatch to a command module."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from djatlas import __version__

# Each command lives in ``djatlas.commands.<name>`` and provides
# ``add_parser(subparsers) -> None`` and ``run(args) -> int``.
COMMANDS: tuple[str, ...] = ("scan", "diff", "check", "verify")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"djatlas: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser; ``only`` registers just that command (start-up: each command module
    imports its own dependencies)."""
    parser = _Parser(prog="djatlas", description="A static atlas of a Django data model.")
    parser.add_argument("--version", action="version", version=f"djatlas {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS if only is None else (only,):
        try:
            module = importlib.import_module(f"djatlas.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"djatlas.commands.{name}":
                raise
            continue
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("djatlas: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
