"""Thin command-line front end: parse arguments, dispatch to a command module.

Start-up matters (a warm ``djatlas scan`` takes a few tens of milliseconds): this module imports
nothing at load time beyond ``sys``; ``djatlas scan`` and ``djatlas check`` first try
``djatlas.fastpath``, which answers an unchanged tree from the cache without argparse, the
pipeline or the check rules.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs milliseconds of start-up
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

# Each command lives in ``djatlas.commands.<name>`` and provides
# ``add_parser(subparsers) -> None`` and ``run(args) -> int``.
COMMANDS: tuple[str, ...] = (
    "scan",
    "diff",
    "check",
    "verify",
    "migrations",
    "show",
    "find",
    "impact",
    "path",
    "mcp",
)

_parser_class: list[type] = []


def _parser_type() -> type[argparse.ArgumentParser]:
    """ArgumentParser whose errors are one line on stderr and exit code 2 (made on first use)."""
    if not _parser_class:
        import argparse

        class _Formatter(argparse.HelpFormatter):
            """HelpFormatter without ``shutil`` (with zlib, bz2, lzma) at start-up: argparse
            makes one per ``add_argument``; the width is ``shutil.get_terminal_size``'s."""

            def __init__(
                self, prog: str, indent: int = 2, position: int = 24, width: int | None = None
            ) -> None:
                width = _terminal_columns() - 2 if width is None else width
                super().__init__(prog, indent, position, width)

        class _Parser(argparse.ArgumentParser):
            def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
                kwargs.setdefault("formatter_class", _Formatter)
                super().__init__(*args, **kwargs)

            def error(self, message: str) -> None:  # type: ignore[override]
                self.exit(2, f"djatlas: error: {message}\n")

        _parser_class.append(_Parser)
    return _parser_class[0]


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: ``$COLUMNS``, else the terminal's, else 80."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI parser; ``only`` registers just that command (start-up: each command module
    imports its own dependencies)."""
    from djatlas import __version__

    parser_type = _parser_type()
    parser = parser_type(prog="djatlas", description="A static atlas of a Django data model.")
    parser.add_argument("--version", action="version", version=f"djatlas {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_type)
    for name in COMMANDS if only is None else (only,):
        qualified = f"djatlas.commands.{name}"
        try:  # ``__import__``: ``importlib`` (with ``warnings``) is not imported for it
            __import__(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
            continue
        sys.modules[qualified].add_parser(subparsers)
    return parser


#: Commands that analyse one tree and end: their objects live to the end of the process.
ONE_SHOT = ("scan", "check")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; ``argv`` None: this process's command line (the process is the command)."""
    if argv is None:
        return _as_process(sys.argv[1:])
    return _run(list(argv))


def _as_process(argv: list[str]) -> int:
    """``_run`` as a whole process: a one-shot command runs without the cyclic GC (what it builds
    lives to the end, so collections would only rescan it) and ends the process without the
    interpreter's teardown (``_end``); for the others what is left at exit is frozen, so the
    interpreter's final collection does not traverse it (measured: 30-50 ms a scan)."""
    import gc

    one_shot = bool(argv[:1]) and argv[0] in ONE_SHOT
    if one_shot:
        from djatlas import lifetime

        gc.disable()
        lifetime.one_shot()
    code = _run(argv)
    if one_shot:
        _end(code)
    gc.freeze()
    return code


def _end(code: int) -> None:
    """End the process now, its output flushed: the interpreter's teardown would only free, one
    by one, what the command built (measured: 9-11 ms of CPU after a cold scan of saleor,
    blueking-paas or netbox). A command that opens files closes them itself; djatlas registers
    no ``atexit`` handler. What the command kept (``lifetime``) is not freed; the children it
    ended are waited for here, after the output (``lifetime.reap``)."""
    from djatlas import lifetime

    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 - ``contextlib`` is not imported for it (start-up)
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``) or stream: nothing to add
            pass
    lifetime.reap_all()
    os._exit(code)


def _run(argv: list[str]) -> int:
    if argv[:1] == ["scan"] and "--no-cache" in argv:  # a cold scan: its walk starts now
        from djatlas.discover import ahead

        ahead.start(argv[1:])
        try:
            return _command(argv)
        finally:
            ahead.drop()  # a walk the scan did not take
    return _command(argv)


def _command(argv: list[str]) -> int:
    if argv[:1] == ["scan"] or argv[:1] == ["check"]:
        from djatlas import fastpath

        answer = fastpath.scan_from_cache if argv[0] == "scan" else fastpath.check_from_cache
        try:
            code = answer(argv[1:])
        except KeyboardInterrupt:
            print("djatlas: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            return 0
        if code is not None:
            return code
        args = fastpath.scan_args(argv[1:]) if argv[0] == "scan" else None
        if args is not None:  # read as argparse reads it, without argparse
            return _call(args)
    if argv == ["--version"]:  # argparse's answer without importing every command for it
        from djatlas import __version__

        print(f"djatlas {__version__}")
        return 0
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    return _call(args)


def _call(args: argparse.Namespace) -> int:
    """Run the command ``args`` names."""
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("djatlas: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
