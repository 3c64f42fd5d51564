"""Keys and metadata shared by the normal scan path and the warm fast path (``fastpath.py``).

The code stamp, the cache folder, the options key, the per-run metadata, the JSON encoding of
metadata values and the closing notes on stderr: both paths use these functions, so they cannot
drift apart. Like the fast path, this module imports only what the interpreter has already
loaded (``os``, ``sys``, ``time``) and two C modules (``_json``, ``_blake2``).
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
from djatlas.flags import SCAN_FLAGS  # noqa: F401 - re-exported (fastpath, tests)

#: Bump when the layout of the cache files changes.
FORMAT = 2
#: Same as ``djatlas.discover.finder.DEFAULT_MAX_FILE_SIZE`` (a test checks).
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
DEFAULT_TITLE = "Django Models Analysis"
#: The formats of ``djatlas scan`` (``render.FORMATS``; a test checks): the cache keeps the last
#: rendering of each (see ``scan_rendered``).
SCAN_FORMATS = frozenset(
    {"markdown", "json", "yaml", "mermaid", "dot", "svg", "png", "pdf", "plantuml", "dbml", "d2"}
    | {"html"}
)
#: The ``RenderOptions`` fields a rendering depends on, in order, the title first (a test
#: checks).
RENDER_FIELDS = (
    "title",
    "language",
    "diagram",
    "apps",
    "model",
    "depth",
    "exclude_models",
    "no_fields",
    "hide_inherited",
    "hide_abstract",
    "include_models",
    "installed_only",
    "verbose_names",
    "rankdir",
    "color_on_delete",
    "edge_labels",
)
#: The formats of ``djatlas check`` (``checks.output.FORMATS``; a test checks).
CHECK_FORMATS = ("text", "json", "sarif", "github")
#: The per-run metadata of a report (``metadata()``).
META_KEYS = ("title", "path", "source", "git_commit", "scanned_at", "duration_ms")
#: Metadata that change on every run: placeholders in the cached rendering of any format.
RUN_KEYS = ("scanned_at", "duration_ms")
#: Their placeholder values (of the real values' type and characters, so every renderer shows
#: them as it shows real ones), and a part any showing of them contains.
PROBES: dict[str, tuple[object, str]] = {
    "scanned_at": ("1999-12-31T23:59:58Z", "1999-12-31"),
    "duration_ms": (86400001.25, "8640000"),
}

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
            if e.name.endswith((".py", ".json")):  # code, schema, bundled knowledge
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
def _scalar(o: object, string) -> str | None:
    """JSON text of a str (encoded by ``string``), None, bool or int; None for anything else."""
    if isinstance(o, str):
        return string(o)
    if o is None or isinstance(o, bool):
        return "null" if o is None else "true" if o else "false"
    if isinstance(o, int):
        return int.__repr__(o)
    return None


def compact_json(o: object) -> str:
    """``json.dumps(o, ensure_ascii=True, separators=(",", ":"))`` for str, int, bool, None and
    lists of them (TypeError for anything else)."""
    text = _scalar(o, encode_basestring_ascii)
    if text is not None:
        return text
    if isinstance(o, (list, tuple)):
        return "[" + ",".join([compact_json(v) for v in o]) + "]"
    raise TypeError(f"not handled: {type(o).__name__}")


def value_json(o: object) -> str:
    """``json.dumps(o, ensure_ascii=False)`` of a metadata value (str, None, bool, int, finite
    float), lone surrogates backslash-escaped as the output writer would."""
    text = _scalar(o, encode_basestring)
    if text is None:
        if not (isinstance(o, float) and o - o == 0.0):
            raise TypeError(f"not handled: {type(o).__name__}")
        text = float.__repr__(o)
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


class _TextCtx(_Ctx):
    """``_Ctx`` with json.loads's reading of ``NaN`` and ``Infinity``."""

    parse_constant = {
        "-Infinity": -float("inf"),
        "Infinity": float("inf"),
        "NaN": float("nan"),
    }.__getitem__


_scan_text = make_scanner(_TextCtx())
_BLANK = " \t\n\r"


def loads_text(s: str) -> object:
    """``json.loads(s)`` of a str, by ``_json``'s C scanner alone: a cold scan reads bundled
    knowledge with it without importing the ``json`` package (its decoder and encoder modules
    and their regexes, ~5M instructions of start-up). Invalid JSON raises ValueError, as
    json.loads's JSONDecodeError is one (with a plainer message)."""
    if s[:1] in _BLANK:
        start = len(s) - len(s.lstrip(_BLANK))
    elif s[:1] == "\ufeff":
        raise ValueError("Unexpected UTF-8 BOM")
    else:
        start = 0
    try:
        obj, end = _scan_text(s, start)
    except StopIteration:
        raise ValueError("Expecting value") from None
    if end != len(s) and s[end:].strip(_BLANK):
        raise ValueError("Extra data")
    return obj


# -- keys and metadata -------------------------------------------------
def options_key(
    root: str | None,
    include: list[str],
    exclude: list[str],
    default_excludes: bool,
    gitignore: bool,
    max_file_size: int,
    settings: str | None,
    env: list[object],
    all_files: bool = False,
) -> str:
    """What a report depends on besides the tree's files: root, options, and the environment
    (``Environment.key()``: which one, its folders and their mtimes)."""
    parts = [
        os.path.abspath(root or ""),
        include,
        exclude,
        default_excludes,
        gitignore,
        max_file_size,
        settings,
        env,
        all_files,
    ]
    return blake2b(compact_json(parts).encode("ascii"), digest_size=16).hexdigest()


def metadata(
    title: str | None, shown: str, commit: str | None, started: float, timing: bool
) -> dict[str, object]:
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


#: What reading a missing, foreign, truncated or hand-edited cache file can raise.
_UNREADABLE = (
    OSError,
    ValueError,
    TypeError,
    LookupError,
    AttributeError,
    StopIteration,
    RecursionError,
)


# -- cached renderings -------------------------------------------------------------------------
def rendering_key(fmt: str, render_values: list[object], meta: dict[str, object]) -> str:
    """What a cached rendering depends on besides the report: the format, the render options
    (``RENDER_FIELDS``) and the metadata that are not placeholders (in JSON all are)."""
    if fmt == "json":  # its title option is the metadata title, a placeholder there
        render_values = render_values[1:]
    parts: list[object] = [fmt, render_values]
    if fmt != "json":
        parts.append([meta[k] for k in META_KEYS if k not in RUN_KEYS])
        parts.append([meta[k] is None for k in RUN_KEYS])
    return blake2b(compact_json(parts).encode("ascii"), digest_size=16).hexdigest()


def placeholders(fmt: str, meta: dict[str, object], key: str) -> dict[str, object]:
    """The metadata values to render a cacheable rendering with: in JSON a unique string for
    every key, in other formats a probe value for each run key that has a value."""
    if fmt == "json":
        return {k: f"{_PLACEHOLDER}{k}-{key}@@" for k in META_KEYS}
    return {k: PROBES[k][0] for k in RUN_KEYS if meta[k] is not None}


def meta_text(fmt: str, key: str, value: object) -> str:
    """How a rendering in ``fmt`` shows a metadata value that was a placeholder."""
    if fmt == "json":
        return value_json(value)
    if key == "duration_ms" and fmt == "markdown":
        return str(round(value))  # type: ignore[call-overload]
    return value if isinstance(value, str) else value_json(value)


#: How every JSON placeholder begins (``placeholders``).
_PLACEHOLDER = "@@djatlas-metadata-"


def template_subs(
    fmt: str, body: bytes | list[bytes], values: dict[str, object]
) -> list[list[str]] | None:
    """``[[metadata key, how its placeholder shows in body]]``; None when a placeholder does not
    show as ``meta_text`` says (that rendering is then not cached). In JSON each must show
    exactly once: found, and (usually the whole check: one pass over the body for all of them)
    the placeholders' common beginning shows once per placeholder. ``body`` may be a rendering
    in parts (``render.jsonout.render_parts``; a placeholder never spans two)."""
    parts = body if isinstance(body, list) else [body]

    def count(text: str) -> int:
        data = text.encode("utf-8")
        first = data[:1]  # (a part without it skipped by memchr: 0.04 ms a megabyte, not 0.27)
        return sum(part.count(data) for part in parts if first in part)

    subs: list[list[str]] = []
    for k, v in values.items():
        shown = meta_text(fmt, k, v)
        if fmt == "json":
            found = any(shown.encode("utf-8") in part for part in parts)
        else:
            found = count(shown) == count(PROBES[k][1])
        if not found:
            return None
        subs.append([k, shown])
    if (
        fmt == "json"
        and count(_PLACEHOLDER) != len(subs)  # it shows elsewhere too:
        and any(count(shown) != 1 for _, shown in subs)  # count each
    ):
        return None
    return subs


def fill(
    body: bytes | list[bytes], fmt: str, subs: list[list[str]], meta: dict[str, object]
) -> bytes | list[bytes]:
    """A cached rendering (or one in parts: each part filled) with this run's metadata in place
    of its placeholders. In JSON, where each shows once (``template_subs``), the parts after
    the one that held the last are not searched."""
    pairs = [
        (shown.encode("utf-8"), meta_text(fmt, k, meta[k]).encode("utf-8")) for k, shown in subs
    ]
    once = fmt == "json"
    if not isinstance(body, list):
        return _filled(body, pairs, once)[0]
    parts = []
    for part in body:
        if pairs:
            part, found = _filled(part, pairs, once)
            if fmt == "json":
                pairs = [pair for pair in pairs if pair not in found]
        parts.append(part)
    return parts


def _filled(body: bytes, pairs: list[tuple[bytes, bytes]], once: bool) -> tuple[bytes, list]:
    """``(body with each pair's old text replaced by its new, the pairs found)``: replaced
    within the span that holds them all (they show near the top), one copy of the body (the
    span joined with views of the rest) instead of one per placeholder. ``once``: each shows at
    most once (JSON: ``template_subs``), so the span ends after the last one found, with no
    search of the rest (``rfind`` of each: ~3 ms over blueking-paas's 1.9 MB)."""
    starts = [body.find(old) for old, _ in pairs]
    found = [(pair, at) for pair, at in zip(pairs, starts) if at >= 0]  # (others: nothing to do)
    pairs = [pair for pair, _ in found]
    if not pairs:
        return body, pairs
    lo = min(at for _, at in found)
    if once:
        hi = max(at + len(old) for (old, _), at in found)
    else:
        hi = max(body.rfind(old) + len(old) for old, _ in pairs)
    span = body[lo:hi]
    for old, new in pairs:
        span = span.replace(old, new)
    view = memoryview(body)
    return b"".join((view[:lo], span, view[hi:])), pairs


def read_framed(
    path: str, key: str, rendering: str | None = None, field: str = "rendering"
) -> tuple[dict, bytes] | None:
    """(header, body) of a framed cache file made by this djatlas for report ``key`` (and
    rendering key, or the header ``field`` given), with unchanged environment files, intact;
    else None."""
    try:
        with open(path, "rb") as fh:
            head = loads(fh.readline())
            if (
                not isinstance(head, dict)
                or head.get("stamp") != code_stamp()
                or head.get("key") != key
                or head.get(field) != rendering
                or not env_unchanged(head.get("env"))
            ):
                return None
            body = fh.read()
    except _UNREADABLE:
        return None
    if len(body) != head.get("length"):
        return None
    if blake2b(body, digest_size=16).hexdigest() != head.get("digest"):
        return None
    return head, body


def snapshot_key(folder: str, root: str, okey: str) -> str | None:
    """The report key of the last walk of ``root`` (``tree.json`` in the cache ``folder``) if
    it was made with options key ``okey`` and nothing it depended on changed (stat only)."""
    try:
        with open(os.path.join(folder, "tree.json"), "rb") as fh:
            doc = loads(fh.read())
        if not isinstance(doc, dict) or doc.get("stamp") != code_stamp():
            return None
        if doc.get("options") != okey:
            return None
        stat, folder = os.stat, os.path.join(root, "")  # (``folder + rel``: no join per path)
        for path, (mtime, size) in doc["stats"].items():
            st = stat(folder + path if path else root)
            if st.st_mtime_ns != mtime or st.st_size != size:
                return None
        for rel, size, mtime in doc["files"]:
            st = stat(folder + rel)
            if st.st_mtime_ns != mtime or st.st_size != size:
                return None
    except _UNREADABLE:
        return None
    key = doc.get("key")
    return key if isinstance(key, str) and key else None


# -- djatlas check -------------------------------------------------------------------------------
def nearest_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml at ``start`` or above, stopping at a repository root."""
    here = os.path.realpath(start)
    if os.path.isfile(here):
        here = os.path.dirname(here)
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        if os.path.exists(os.path.join(here, ".git")):
            return None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def git_prefix(root: str) -> str:
    """``root`` relative to its git work tree, as a URI prefix (``""`` at the top)."""
    here = os.path.realpath(root)
    top = here
    while not os.path.exists(os.path.join(top, ".git")):
        parent = os.path.dirname(top)
        if parent == top:
            return ""
        top = parent
    rel = os.path.relpath(here, top).replace(os.sep, "/")
    return "" if rel == "." else rel + "/"


def check_inputs(
    root: str,
    fmt: str,
    select: list[str] | None,
    ignore: list[str] | None,
    extend: list[str] | None,
    config: str | None,
) -> str | None:
    """What ``djatlas check`` output of an unchanged report depends on, from its command line
    and files alone (the rules come with djatlas's code stamp): the options as given, the
    config file's path and content, the root and its git prefix. None when the config file
    cannot be read (the normal path reports it)."""
    path = os.path.abspath(config) if config else nearest_pyproject(root)
    digest = None
    if path is not None:
        try:
            with open(path, "rb") as fh:
                digest = blake2b(fh.read(), digest_size=16).hexdigest()
        except OSError:
            return None
    parts = [fmt, select, ignore, extend, path, digest, os.path.realpath(root), git_prefix(root)]
    return blake2b(compact_json(parts).encode("ascii"), digest_size=16).hexdigest()
