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
    CHECK_FORMATS,
    DEFAULT_MAX_FILE_SIZE,
    SCAN_FLAGS,
    SCAN_FORMATS,
    cache_folder,
    check_inputs,
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
#: The options of ``djatlas check`` this path handles (those in ``_LISTS`` may repeat).
_CHECK_VALUE_OPTS = {
    "--format": "format",
    "-o": "output",
    "--output": "output",
    "--cache-dir": "cache_dir",
    "--config": "config",
    "--select": "select",
    "--ignore": "ignore",
    "--extend-select": "extend_select",
}
_CHECK_FLAG_OPTS = {"-q": "quiet", "--quiet": "quiet", "--exit-zero": "exit_zero"}
_CHECK_CHOICES = {"format": frozenset(CHECK_FORMATS)}
_LISTS = frozenset({"select", "ignore", "extend_select"})


def _parse(
    argv: list[str],
    values: dict[str, str] = _VALUE_OPTS,
    flags: dict[str, str] = _FLAG_OPTS,
    choices: dict[str, frozenset[str]] = _CHOICES,
    lists: frozenset[str] = _LISTS,
) -> dict[str, object] | None:
    """The options this path handles, exactly as argparse would read them; None for anything
    else (abbreviations, repeated options, attached short values, ``--``, ...)."""
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
        dest = values.get(name)
        if dest is not None:
            if not eq:
                if i >= n:
                    return None
                value = argv[i]
                i += 1
                if value.startswith("-"):
                    return None
            if not value or value not in choices.get(dest, (value,)):
                return None
            if dest in lists:
                opts.setdefault(dest, []).append(value)  # type: ignore[union-attr]
            elif dest in opts:
                return None
            else:
                opts[dest] = value
            continue
        dest = flags.get(tok)
        if dest is None or dest in opts:
            return None
        opts[dest] = True
    return opts


# -- the command line of ``djatlas scan`` without argparse ------------------------------------
#: The options of ``djatlas scan`` ``scan_args`` reads (those in ``_SCAN_LISTS`` may repeat);
#: options with a type (``--depth``, ``--jobs``, ``--max-file-size``, ``--python``) are left to
#: argparse.
_SCAN_VALUE_OPTS = {
    **_VALUE_OPTS,
    "--settings": "settings",
    "--model": "model",
    "--rankdir": "rankdir",
    "--app": "app",
    "--exclude-model": "exclude_model",
    "--include-model": "include_model",
    "--include": "include",
    "--exclude": "exclude",
}
_SCAN_FLAG_OPTS = {**_FLAG_OPTS, **{f: f[2:].replace("-", "_") for f in SCAN_FLAGS}}
_SCAN_CHOICES = {**_CHOICES, "rankdir": frozenset({"TB", "BT", "LR", "RL"})}
_SCAN_LISTS = frozenset({"app", "exclude_model", "include_model", "include", "exclude"})
#: What argparse's Namespace holds for ``djatlas scan`` before it reads the command line
#: (tests/test_fastpath.py checks it against the parser).
_SCAN_DEFAULTS: dict[str, object] = {
    "command": "scan",
    "format": "markdown",
    "output": None,
    "title": None,
    "language": "en",
    "model": None,
    "depth": 1,
    "rankdir": None,
    "max_file_size": None,
    "settings": None,
    "python": None,
    "cache_dir": None,
    "jobs": None,
    **dict.fromkeys(_SCAN_FLAG_OPTS.values(), False),
}  # and an empty list for each of ``_SCAN_LISTS`` (a new one each time: ``scan_args``)


def scan_args(argv: list[str]):  # type: ignore[no-untyped-def]
    """The arguments argparse would read from ``djatlas scan`` ``argv`` (after "scan"), as
    attributes, when ``_parse`` reads the command line surely (the common options: no
    abbreviation, no option given twice, no typed option); else None. A scan read this way
    does not import argparse (with gettext and locale) nor build the parser: ~5 ms of a cold
    scan's start."""
    opts = _parse(argv, _SCAN_VALUE_OPTS, _SCAN_FLAG_OPTS, _SCAN_CHOICES, _SCAN_LISTS)
    if opts is None or "path" not in opts:
        return None
    from types import SimpleNamespace

    from djatlas.commands.scan import run

    args = {**_SCAN_DEFAULTS, **{name: [] for name in _SCAN_LISTS}, **opts, "run": run}
    return SimpleNamespace(**args)


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


def _report_key(path: str, opts: dict[str, object]) -> tuple[str, str] | None:
    """(cache folder, report key) of the tree's last walk with the default tree options, when
    nothing it depended on changed."""
    folder = cache_folder(path, opts.get("cache_dir"))  # type: ignore[arg-type]
    from djatlas.resolve.environment import select

    env = select(None, path).key()
    okey = options_key(path, [], [], True, True, DEFAULT_MAX_FILE_SIZE, None, env)
    key = snapshot_key(folder, path, okey)
    return None if key is None else (folder, key)


def _cached(path: str, opts: dict[str, object], meta: dict[str, object]) -> tuple | None:
    """(body, summary, substitutions) of the cached rendering the normal path would use."""
    found = _report_key(path, opts)
    if found is None:
        return None
    folder, key = found
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
    if opts is None or "path" not in opts:
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
    if not _emit(body, output):
        return None  # the normal path reports it
    return closing_notes(summary, output, bool(opts.get("quiet")), bool(opts.get("strict")))


def check_from_cache(argv: list[str]) -> int | None:
    """Run ``djatlas check`` (``argv`` after "check") on an unchanged folder from its cached
    output, or None: not answered here, nothing written. The cached output is keyed by the
    command line as given (``keys.check_inputs``): no rule or config is loaded."""
    opts = _parse(argv, _CHECK_VALUE_OPTS, _CHECK_FLAG_OPTS, _CHECK_CHOICES)
    if opts is None:
        return None
    path = str(opts.get("path", "."))
    fmt = str(opts.get("format", "text"))
    try:
        if not os.path.isdir(path):
            return None
        given = [opts.get(k) for k in ("select", "ignore", "extend_select", "config")]
        inputs = check_inputs(path, fmt, *given)  # type: ignore[arg-type]
        found = None if inputs is None else _report_key(path, opts)
        if found is None:
            return None
        folder, key = found
        framed = read_framed(os.path.join(folder, f"check-{fmt}.txt"), key, inputs, "inputs")
        if framed is None:
            return None
        summary = framed[0].get("summary")
        if not isinstance(summary, dict) or not isinstance(summary.get("line"), str):
            return None
        findings = summary.get("findings")
        if not isinstance(findings, int):
            return None
    except Exception:  # anything unexpected: the normal path decides
        return None
    output = opts.get("output")
    if not _emit(framed[1], None if output == "-" else output):
        return None  # the normal path reports it
    if output and fmt != "text":
        sys.stderr.write(summary["line"] + "\n")
    return 0 if opts.get("exit_zero") else 1 if findings else 0


def _emit(body: bytes, output: object) -> bool:
    """Write ``body`` to the file ``output`` (or stdout); False when the file cannot be opened."""
    if output:
        try:
            fh = open(str(output), "wb")  # noqa: SIM115
        except OSError:
            return False
        with fh:
            fh.write(body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return True
