"""The warm fast path of ``djatlas scan``.

A rescan of an unchanged tree is answered from the cached rendering (``render-<fmt>.txt``)
before argparse, the pipeline or json are imported: this module imports only what the
interpreter has already loaded (``os``, ``sys``, ``time``) and two C modules (``_json``,
``_blake2``). It validates exactly what ``scan_rendered`` validates on a cache hit — the code
stamp, the options key, every stat of the last walk (``tree.json``), the rendering's key, the
environment files' stats, its length and digest — and returns ``None`` (the caller then runs the
normal path) on any doubt: an option it does not handle, a missing or unreadable cache file, a
changed stat. It never writes to the cache.

The values both paths compute (code stamp, cache folder, options key, metadata, the JSON
encoding of metadata values, the closing notes on stderr) live in ``djatlas.keys``.
"""

from __future__ import annotations

import os
import sys
import time

from djatlas.keys import (
    DEFAULT_MAX_FILE_SIZE,
    SCAN_FORMATS,
    cache_folder,
    closing_notes,
    fill,
    git_commit,
    metadata,
    options_key,
    read_framed,
    rendering_key,
    snapshot_key,
)

# -- the fast path ------------------------------------------------------------------------------
_VALUE_OPTS = {
    "--format": "format",
    "-f": "format",
    "-o": "output",
    "--output": "output",
    "--cache-dir": "cache_dir",
    "--title": "title",
    "--language": "language",
}
_FLAG_OPTS = {
    "-q": "quiet",
    "--quiet": "quiet",
    "--no-timing": "no_timing",
    "--strict": "strict",
    "--diagram": "diagram",
}
#: What argparse accepts for the value options that have choices.
_CHOICES = {"format": SCAN_FORMATS, "language": frozenset({"en", "zh"})}


def _parse(argv: list[str]) -> dict[str, object] | None:
    """The options of ``scan`` this path handles, exactly as argparse would read them; None for
    anything else (abbreviations, repeated options, attached short values, ``--``, ...)."""
    opts: dict[str, object] = {}
    i, n = 0, len(argv)
    while i < n:
        tok = argv[i]
        i += 1
        if not tok.startswith("-"):
            if "path" in opts or not tok:
                return None
            opts["path"] = tok
            continue
        name, eq, value = tok.partition("=") if tok.startswith("--") else (tok, "", "")
        dest = _VALUE_OPTS.get(name)
        if dest is not None:
            if not eq:
                if i >= n:
                    return None
                value = argv[i]
                i += 1
                if value.startswith("-"):
                    return None
            if not value or dest in opts or value not in _CHOICES.get(dest, (value,)):
                return None
            opts[dest] = value
            continue
        dest = _FLAG_OPTS.get(tok)
        if dest is None or dest in opts:
            return None
        opts[dest] = True
    return opts if "path" in opts else None


def _render_values(opts: dict[str, object]) -> list[object]:
    """``RENDER_FIELDS`` as ``djatlas scan`` sets them from these options (the others at their
    defaults)."""
    return [
        opts.get("title"),
        opts.get("language", "en"),
        bool(opts.get("diagram")),
        [],
        None,
        1,
        [],
        False,
        False,
        False,
        [],
        False,
        False,
        None,
        False,
        True,
    ]


def _cached(path: str, opts: dict[str, object], meta: dict[str, object]) -> tuple | None:
    """(body, summary, substitutions) of the cached rendering the normal path would use."""
    folder = cache_folder(path, opts.get("cache_dir"))  # type: ignore[arg-type]
    from djatlas.resolve.environment import select

    env = select(None, path).key()
    okey = options_key(path, [], [], True, True, DEFAULT_MAX_FILE_SIZE, None, env)
    key = snapshot_key(folder, path, okey)
    if key is None:
        return None
    fmt = str(opts.get("format", "markdown"))
    rendering = rendering_key(fmt, _render_values(opts), meta)
    framed = read_framed(os.path.join(folder, f"render-{fmt}.txt"), key, rendering)
    if framed is None:
        return None
    head, body = framed
    summary, subs = head.get("summary"), head.get("subs")
    if not isinstance(summary, dict) or not isinstance(subs, list):
        return None
    return body, summary, subs


def scan_from_cache(argv: list[str]) -> int | None:
    """Run ``djatlas scan`` (``argv`` after "scan") from the cache, or None: not answered here,
    nothing written."""
    started = time.perf_counter()
    opts = _parse(argv)
    if opts is None:
        return None
    path = opts["path"]
    assert isinstance(path, str)
    try:
        if not os.path.isdir(path):
            return None
        title, timing = opts.get("title"), not opts.get("no_timing")
        meta = metadata(title, path, git_commit(path), started, timing)  # type: ignore[arg-type]
        hit = _cached(path, opts, meta)
        if hit is None:
            return None
        body, summary, subs = hit
        for k in ("models", "fields", "relationships", "files_parsed", "files_failed"):
            if k not in summary:
                return None
        meta = metadata(title, path, meta["git_commit"], started, timing)  # type: ignore[arg-type]
        body = fill(body, str(opts.get("format", "markdown")), subs, meta)
    except Exception:  # anything unexpected: the normal path decides
        return None
    output = opts.get("output")
    if output:
        try:
            fh = open(output, "wb")  # noqa: SIM115
        except OSError:
            return None  # the normal path reports it
        with fh:
            fh.write(body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return closing_notes(summary, output, bool(opts.get("quiet")), bool(opts.get("strict")))
