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
    CACHED_FORMATS,
    DEFAULT_MAX_FILE_SIZE,
    blake2b,
    cache_folder,
    closing_notes,
    code_stamp,
    encode_basestring_ascii,
    env_unchanged,
    git_commit,
    loads,
    metadata,
    options_key,
    value_json,
)

# -- the fast path ------------------------------------------------------------------------------
_VALUE_OPTS = {
    "--format": "format",
    "-f": "format",
    "-o": "output",
    "--output": "output",
    "--cache-dir": "cache_dir",
    "--title": "title",
}
_FLAG_OPTS = {"-q": "quiet", "--quiet": "quiet", "--no-timing": "no_timing", "--strict": "strict"}


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
            if not value or dest in opts:
                return None
            opts[dest] = value
            continue
        dest = _FLAG_OPTS.get(tok)
        if dest is None or dest in opts:
            return None
        opts[dest] = True
    if "path" not in opts or opts.get("format", "markdown") not in CACHED_FORMATS:
        return None
    return opts


def _cached(path: str, fmt: str, cache_dir: str | None) -> tuple[bytes, dict, dict] | None:
    """(body, summary, tokens) of the cached rendering, when the normal path would use it."""
    folder = cache_folder(path, cache_dir)
    with open(os.path.join(folder, "tree.json"), "rb") as fh:
        doc = loads(fh.read())
    okey = options_key(path, [], [], True, True, DEFAULT_MAX_FILE_SIZE, None)
    if not isinstance(doc, dict) or doc.get("stamp") != code_stamp() or doc.get("options") != okey:
        return None
    key = doc.get("key")
    if not isinstance(key, str) or not key:
        return None
    stat, join = os.stat, os.path.join
    for p, (mtime, size) in doc["stats"].items():
        st = stat(join(path, p) if p else path)
        if st.st_mtime_ns != mtime or st.st_size != size:
            return None
    for rel, size, mtime in doc["files"]:
        st = stat(join(path, rel))
        if st.st_mtime_ns != mtime or st.st_size != size:
            return None
    with open(os.path.join(folder, f"render-{fmt}.txt"), "rb") as fh:
        head = loads(fh.readline())
        if (
            not isinstance(head, dict)
            or head.get("stamp") != code_stamp()
            or head.get("key") != key
            or not env_unchanged(head.get("env"))
        ):
            return None
        body = fh.read()
    if len(body) != head.get("length") or blake2b(body, digest_size=16).hexdigest() != head.get(
        "digest"
    ):
        return None
    summary, tokens = head.get("summary"), head.get("tokens")
    if (
        not isinstance(summary, dict)
        or not isinstance(tokens, dict)
        or not all(isinstance(v, str) for v in tokens.values())
    ):
        return None
    body.decode("utf-8")  # what the normal path checks (UnicodeError: not ours)
    return body, summary, tokens


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
        hit = _cached(path, str(opts["format"]), opts.get("cache_dir"))  # type: ignore[arg-type]
        if hit is None:
            return None
        body, summary, tokens = hit
        for k in ("models", "fields", "relationships", "files_parsed", "files_failed"):
            if k not in summary:
                return None
        meta = metadata(
            opts.get("title"),
            path,
            git_commit(path),
            started,  # type: ignore[arg-type]
            not opts.get("no_timing"),
        )
        if any(k not in meta for k in tokens):
            return None
        for k, token in tokens.items():
            body = body.replace(
                encode_basestring_ascii(token).encode("ascii"),
                value_json(meta[k]).encode("utf-8"),
                1,
            )
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
