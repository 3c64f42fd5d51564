"""The warm fast path of ``djatlas scan``, and the cache keys it shares with the normal path.

A rescan of an unchanged tree is answered from the cached rendering (``render-<fmt>.txt``)
before argparse, the pipeline or json are imported: this module imports only what the
interpreter has already loaded (``os``, ``sys``, ``time``) and two C modules (``_json``,
``_blake2``). It validates exactly what ``scan_rendered`` validates on a cache hit — the code
stamp, the options key, every stat of the last walk (``tree.json``), the rendering's key, the
environment files' stats, its length and digest — and returns ``None`` (the caller then runs the
normal path) on any doubt: an option it does not handle, a missing or unreadable cache file, a
changed stat. It never writes to the cache.

The functions the normal path uses for the same values (code stamp, cache folder, options key,
metadata, the JSON encoding of metadata values, the closing notes on stderr) live here, so the
two paths cannot drift apart.
"""

from __future__ import annotations

import os
import sys
import time

try:  # the C modules directly: hashlib loads OpenSSL, json loads re (several ms of start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b
try:
    from _json import encode_basestring, encode_basestring_ascii, make_scanner
except ImportError:  # pragma: no cover
    from json.encoder import encode_basestring, encode_basestring_ascii
    from json.scanner import make_scanner

from djatlas import __version__

#: Bump when the layout of the cache files changes.
FORMAT = 1
#: Same as ``djatlas.discover.finder.DEFAULT_MAX_FILE_SIZE`` (a test checks).
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
DEFAULT_TITLE = "Django Models Analysis"
#: Formats whose rendering the cache keeps (see ``scan_rendered``).
CACHED_FORMATS = frozenset({"json"})

_stamp_memo: list[str] = []


def code_stamp() -> str:
    """djatlas version + cache format + a digest of djatlas's own source files' stats.

    The stats make an editable install safe: changing djatlas's code invalidates every cache.
    """
    if _stamp_memo:
        return _stamp_memo[0]
    h = blake2b(digest_size=10)
    h.update(f"{__version__}\0{FORMAT}".encode())
    pkg = os.path.dirname(os.path.abspath(__file__))
    stack = [pkg]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.name.endswith(".py"):
                try:
                    st = e.stat()
                except OSError:
                    continue
                h.update(f"{e.path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            elif e.is_dir() and not e.name.startswith(("_", ".")) and e.name != "assets":
                stack.append(e.path)
    _stamp_memo.append(f"{__version__}/{FORMAT}/{h.hexdigest()}")
    return _stamp_memo[0]


def default_base() -> str:
    """``$XDG_CACHE_HOME/djatlas`` or ``~/.cache/djatlas``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = xdg if xdg and os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "djatlas")


def cache_folder(root: str, base: str | None = None) -> str:
    """The cache folder of one scan root under ``base`` (default: the user cache dir)."""
    absroot = os.path.realpath(root)
    digest = blake2b(absroot.encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()
    return os.path.join(base or default_base(), digest)


def env_stats(paths: list[str]) -> list[list[object]]:
    """``[path, size, mtime_ns]`` of each environment file (``-1`` when it is gone)."""
    out: list[list[object]] = []
    for p in sorted(set(paths)):
        try:
            st = os.stat(p)
            out.append([p, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([p, -1, -1])
    return out


def env_unchanged(saved: object) -> bool:
    if not isinstance(saved, list):
        return False
    try:
        return env_stats([row[0] for row in saved]) == saved
    except (TypeError, IndexError, KeyError):
        return False


# -- a little JSON without the json package ---------------------------------------------------
def compact_json(o: object) -> str:
    """``json.dumps(o, ensure_ascii=True, separators=(",", ":"))`` for str, int, bool, None and
    lists of them (TypeError for anything else)."""
    if isinstance(o, str):
        return encode_basestring_ascii(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, (list, tuple)):
        return "[" + ",".join([compact_json(v) for v in o]) + "]"
    raise TypeError(f"not handled: {type(o).__name__}")


def value_json(o: object) -> str:
    """``json.dumps(o, ensure_ascii=False)`` of a metadata value (str, None, bool, int, finite
    float), lone surrogates backslash-escaped as the output writer would."""
    if isinstance(o, str):
        text = encode_basestring(o)
    elif o is None:
        text = "null"
    elif o is True:
        text = "true"
    elif o is False:
        text = "false"
    elif isinstance(o, int):
        text = int.__repr__(o)
    elif isinstance(o, float) and o - o == 0.0:
        text = float.__repr__(o)
    else:
        raise TypeError(f"not handled: {type(o).__name__}")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class _Ctx:
    """What the C scanner reads from a JSONDecoder (json.loads's defaults)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = None  # NaN / Infinity: a TypeError, i.e. "not ours"
    memo: dict = {}


_scan_once = make_scanner(_Ctx())


def loads(data: bytes) -> object:
    """json.loads of an ASCII cache file (ValueError/StopIteration/TypeError when it is not)."""
    s = data.decode("ascii")
    obj, end = _scan_once(s, 0)
    if s[end:].strip(" \t\n\r"):
        raise ValueError("extra data")
    return obj


# -- keys and metadata, shared with scan.py -------------------------------------------------
def options_key(root: str | None, include: list[str], exclude: list[str], default_excludes: bool,
                gitignore: bool, max_file_size: int, settings: str | None) -> str:
    """What a report depends on besides the tree's files: root, options, environment folders."""
    env: list[list[object]] = []
    for entry in sys.path[1:]:  # where environment modules are found (not the script's folder)
        try:
            env.append([entry, os.stat(entry).st_mtime_ns])
        except OSError:
            env.append([entry, -1])
    parts = [os.path.abspath(root or ""), include, exclude, default_excludes, gitignore,
             max_file_size, settings, env]
    return blake2b(compact_json(parts).encode("ascii"), digest_size=16).hexdigest()


def metadata(title: str | None, shown: str, commit: str | None, started: float,
             timing: bool) -> dict[str, object]:
    """The per-run metadata of a report (the placeholders of a cached rendering)."""
    return {
        "title": title or DEFAULT_TITLE,
        "path": shown,
        "source": "static",
        "git_commit": commit,
        "scanned_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) if timing else None,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if timing else None,
    }


def git_commit(path: str) -> str | None:
    """HEAD commit of the git checkout containing ``path``, read from files (no git process)."""
    here = os.path.abspath(path)
    while True:
        dot = os.path.join(here, ".git")
        if os.path.exists(dot):
            return _read_head(dot)
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _read_head(dot: str) -> str | None:
    try:
        gitdir = dot
        if os.path.isfile(dot):
            with open(dot, encoding="utf-8") as fh:
                line = fh.read().strip()
            if not line.startswith("gitdir:"):
                return None
            gitdir = os.path.normpath(os.path.join(os.path.dirname(dot), line[7:].strip()))
        with open(os.path.join(gitdir, "HEAD"), encoding="utf-8") as fh:
            head = fh.read().strip()
        if not head.startswith("ref:"):
            return head or None
        ref = head[4:].strip()
        common = gitdir
        cfile = os.path.join(gitdir, "commondir")
        if os.path.exists(cfile):
            with open(cfile, encoding="utf-8") as fh:
                common = os.path.normpath(os.path.join(gitdir, fh.read().strip()))
        for base in (gitdir, common):
            p = os.path.join(base, ref)
            if os.path.exists(p):
                with open(p, encoding="utf-8") as fh:
                    return fh.read().strip() or None
        packed = os.path.join(common, "packed-refs")
        if os.path.exists(packed):
            with open(packed, encoding="utf-8") as fh:
                for line in fh:
                    parts = line.split()
                    if len(parts) == 2 and parts[1] == ref:
                        return parts[0]
    except OSError:
        return None
    return None


def closing_notes(summary: dict, output: str | None, quiet: bool, strict: bool) -> int:
    """The notes ``djatlas scan`` prints on stderr after writing; returns the exit code."""
    if not quiet and output:
        print(
            f"djatlas: {summary['models']} models, {summary['fields']} fields, "
            f"{summary['relationships']} relationships from {summary['files_parsed']} parsed files "
            f"-> {output}",
            file=sys.stderr,
        )
    if not quiet and summary["files_failed"]:
        print(
            f"djatlas: {summary['files_failed']} file(s) could not be analysed (see the report)",
            file=sys.stderr,
        )
    if not summary["models"] and not quiet:
        print("djatlas: no Django models found", file=sys.stderr)
    return 1 if (strict and summary["files_failed"]) else 0


# -- the fast path ------------------------------------------------------------------------------
_VALUE_OPTS = {"--format": "format", "-f": "format", "-o": "output", "--output": "output",
               "--cache-dir": "cache_dir", "--title": "title"}
_FLAG_OPTS = {"-q": "quiet", "--quiet": "quiet", "--no-timing": "no_timing",
              "--strict": "strict"}


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
    if (not isinstance(doc, dict) or doc.get("stamp") != code_stamp()
            or doc.get("options") != okey):
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
        if (not isinstance(head, dict) or head.get("stamp") != code_stamp()
                or head.get("key") != key or not env_unchanged(head.get("env"))):
            return None
        body = fh.read()
    if (len(body) != head.get("length")
            or blake2b(body, digest_size=16).hexdigest() != head.get("digest")):
        return None
    summary, tokens = head.get("summary"), head.get("tokens")
    if (not isinstance(summary, dict) or not isinstance(tokens, dict)
            or not all(isinstance(v, str) for v in tokens.values())):
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
        meta = metadata(opts.get("title"), path, git_commit(path), started,  # type: ignore[arg-type]
                        not opts.get("no_timing"))
        if any(k not in meta for k in tokens):
            return None
        for k, token in tokens.items():
            body = body.replace(encode_basestring_ascii(token).encode("ascii"),
                                value_json(meta[k]).encode("utf-8"), 1)
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
