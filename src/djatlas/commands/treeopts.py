"""The tree options every command that reads a tree shares (``scan``, ``check``, ``diff``,
``verify``, ``migrations``, ``show``/``find``/``impact``/``path``, ``mcp``): what to read, with
which settings and environment, and how to cache it."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    import argparse  # (imported by the parser that calls the types below)
    from typing import Any


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    import argparse

    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return n


def size(text: str) -> int:
    """argparse type: a byte count with optional k/M/G suffix."""
    import argparse

    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    t = text.strip().lower().rstrip("b")
    try:
        if t and t[-1] in units:
            return int(float(t[:-1]) * units[t[-1]])
        return int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}") from None


def python_environment(text: str) -> str:
    """argparse type: an interpreter or a virtualenv/conda folder (checked statically)."""
    import argparse

    from djatlas.resolve.environment import EnvironmentError_, from_option

    try:
        from_option(text)
    except EnvironmentError_ as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--python: ")) from None
    return text


def add_tree_options(p: argparse.ArgumentParser) -> None:
    """Register the shared tree options on one command's parser."""
    g = p.add_argument_group("tree options")
    g.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only consider files matching GLOB (repeatable)",
    )
    g.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files/folders matching GLOB (repeatable)",
    )
    g.add_argument(
        "--no-default-excludes",
        action="store_true",
        help="also scan .git, virtualenvs, node_modules, build, dist, migrations, ...",
    )
    g.add_argument("--no-gitignore", action="store_true", help="do not honour .gitignore files")
    g.add_argument(
        "--max-file-size",
        type=size,
        default=None,
        metavar="BYTES",
        help="skip (and report) files larger than this (default 5 MB; k/M suffixes)",
    )
    g.add_argument(
        "--all-files",
        action="store_true",
        help="read every file of the tree, not only those the project's settings import "
        "(its INSTALLED_APPS' models and apps modules and what they import)",
    )
    g.add_argument(
        "--settings", metavar="DOTTED", help="settings module to read INSTALLED_APPS etc. from"
    )
    g.add_argument(
        "--python",
        type=python_environment,
        metavar="PATH",
        help="the project's environment: an interpreter or a virtualenv/conda folder "
        "whose installed packages are read (default: $VIRTUAL_ENV, a .venv/venv "
        "folder in or above PATH, then djatlas's own)",
    )
    g.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="cache folder (default: $XDG_CACHE_HOME/djatlas or ~/.cache/djatlas)",
    )
    g.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    g.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        default=None,
        metavar="N",
        help="parse with N processes (1: one process, no forked helper at all; default: automatic)",
    )
    g.add_argument("-q", "--quiet", action="store_true", help="no progress or notes on stderr")


def scan_options(args: argparse.Namespace, **extra: Any) -> Any:
    """The ScanOptions the shared tree options describe (``extra`` sets the others)."""
    from djatlas.scan import ScanOptions

    options = ScanOptions(
        include=list(getattr(args, "include", []) or []),
        exclude=list(getattr(args, "exclude", []) or []),
        default_excludes=not getattr(args, "no_default_excludes", False),
        gitignore=not getattr(args, "no_gitignore", False),
        settings=getattr(args, "settings", None),
        all_files=getattr(args, "all_files", False),
        python=getattr(args, "python", None),
        cache_dir=getattr(args, "cache_dir", None),
        use_cache=not getattr(args, "no_cache", False),
        jobs=getattr(args, "jobs", None),
        progress=not getattr(args, "quiet", False),
        **extra,
    )
    if getattr(args, "max_file_size", None) is not None:
        options.max_file_size = args.max_file_size
    return options


def check_tree_path(path: str) -> str | None:
    """A one-line usage error for a PATH that cannot be scanned, else None."""
    if not os.path.exists(path):
        return f"path not found: {path}"
    if os.path.isfile(path) and not path.endswith(".py"):
        return f"not a Python file or folder: {path}"
    return None


def load_tree(path: str, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    """The report document of the tree at ``path`` with the shared options (from the cache when
    the tree is unchanged)."""
    from djatlas.scan import scan_document

    return scan_document(path, scan_options(args, **extra))
