"""What the query commands (``show``, ``find``, ``impact``, ``path``) share: options, loading the
report (a tree through the scan pipeline and its cache, or a saved JSON report) and output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from djatlas.commands.treeopts import add_tree_options, check_tree_path, load_tree
from djatlas.query import QueryError
from djatlas.query.atlas import Atlas


def add_query_options(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """``--path``, ``--format``, ``-o`` and the shared tree options."""
    p.add_argument(
        "--path",
        default=".",
        metavar="PATH",
        help="the tree to read (default: the current folder), or a saved JSON report",
    )
    p.add_argument(
        "--format", "-f", default="text", choices=formats, help="output format (default: text)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    add_tree_options(p)


def load_atlas(args: argparse.Namespace) -> Atlas:
    """The :class:`Atlas` of ``--path``; raises QueryError with a one-line reason."""
    path = args.path
    if path.endswith(".json"):
        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as exc:
            raise QueryError(f"cannot read report {path}: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
            raise QueryError(f"not a djatlas JSON report: {path}")
        return Atlas(doc)
    problem = check_tree_path(path)
    if problem:
        raise QueryError(problem)
    return Atlas(load_document(path, args)[1])


def load_document(path: str, args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """``(digest, report document)`` of the tree at ``path``. An unchanged tree is answered
    from the cached JSON rendering (revalidated by stat), which is faster than re-reading the
    cached report; ``digest`` tells whether the document changed since the last call."""
    import hashlib
    import os

    if getattr(args, "no_cache", False) or not os.path.isdir(path):
        doc = load_tree(path, args, timing=False)
        return "", doc
    from djatlas.commands.treeopts import scan_options
    from djatlas.keys import RENDER_FIELDS
    from djatlas.render import RenderOptions, get_renderer
    from djatlas.scan import scan_rendered

    render, defaults = get_renderer("json"), RenderOptions()
    options = scan_options(args, timing=False)
    options.progress = False
    values = [getattr(defaults, name) for name in RENDER_FIELDS]  # as `scan --format json`
    _, data = scan_rendered(path, options, "json", lambda d: render(d, defaults), values)
    cached = _DOCS.get(path)
    if cached is not None and cached[0] == data:  # unchanged: one memory comparison
        return cached[1], cached[2]
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    _DOCS[path] = (data, digest, json.loads(data))
    return digest, _DOCS[path][2]


#: the last document read per path (the MCP server asks many times)
_DOCS: dict[str, tuple[bytes, str, dict[str, Any]]] = {}


def emit(text: str, args: argparse.Namespace) -> None:
    """Write the answer to ``-o FILE`` or stdout."""
    data = text.encode("utf-8", "backslashreplace")
    if args.output:
        with open(args.output, "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def to_json(value: Any) -> str:
    """Indented, key order kept, non-ASCII kept."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def fail(message: str) -> int:
    """One line on stderr, exit status 2."""
    print(f"djatlas: error: {message}", file=sys.stderr)
    return 2
