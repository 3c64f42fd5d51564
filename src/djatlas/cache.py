"""Persistent cache of per-file scan results and of whole reports (JSON only, never pickle).

Layout: ``<base>/<blake2b of the absolute scan root>/`` with

- ``files.json``: per relpath ``[size, mtime_ns, hash, heads, settings, bad, parsed]`` — the
  pre-filter headers, the byte checks and (when the file was parsed) its ModuleSummary as a dict
  or its parse failure. An entry is reused as-is when size and mtime_ns are unchanged; otherwise
  the file is read and the entry is reused if its blake2b digest is unchanged.
- ``report.json``: the last report document and the fingerprint it was computed from (every
  discovered file's stat, the options, the environment modules read). A rescan whose
  fingerprint matches returns it without reading any source file.

Both start with a stamp (djatlas version, cache format, a fingerprint of djatlas's own source
files); a corrupt, truncated or mismatching file is ignored and rewritten. Writes go to a
temporary file in the same folder and are moved into place with ``os.replace``, so two scans at
once never read a partial file (the last writer wins).
"""

from __future__ import annotations

import os
import time

try:  # the C module directly: hashlib would load OpenSSL (~10 ms of start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b

# Shared with the warm fast path (which must not import this module's dependencies).
from djatlas.keys import (  # noqa: F401
    FORMAT,
    cache_folder,
    code_stamp,
    compact_json,
    default_base,
    read_framed,
    snapshot_key,
)
from djatlas.keys import env_stats as _env_stats

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

#: Files modified this close (ns) to the moment a cache is written are re-hashed next time
#: (their mtime may not change on a second edit within the filesystem's timestamp granularity).
_RACY_NS = 2_000_000_000


def _json():  # type: ignore[no-untyped-def]
    """The ``json`` package, imported on first use: a cold scan reads and writes no cache file
    (its fingerprint is ``compact_json``'s), so its start-up spares the package (~5M
    instructions)."""
    import json

    return json


def content_hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def _read_json(path: str) -> Any:
    try:
        with open(path, "rb") as fh:
            return _json().loads(fh.read())
    except (OSError, ValueError, RecursionError):
        return None


def _write_json(path: str, doc: Any) -> None:
    """Atomically replace ``path`` with ``doc`` as JSON."""
    _write_bytes(path, _json().dumps(doc, ensure_ascii=True, separators=(",", ":")).encode("ascii"))


def _write_bytes(path: str, data: bytes) -> None:
    """Atomically replace ``path`` (temp file in the same folder + os.replace); errors ignored."""
    folder = os.path.dirname(path)
    tmp = os.path.join(folder, f".tmp-{os.getpid()}-{time.time_ns()}")
    try:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        try:  # noqa: SIM105 - ``contextlib`` is not imported for it (start-up)
            os.unlink(tmp)
        except OSError:
            pass


def _enc(b: bytes) -> str:
    return b.decode("latin-1")


def _dec(s: str) -> bytes:
    return s.encode("latin-1")


class FileEntry:
    """What djatlas knows about one file's bytes (independent of the rest of the tree)."""

    __slots__ = ("size", "mtime_ns", "hash", "heads", "settings", "bad", "parsed", "fresh")

    def __init__(
        self,
        size: int,
        mtime_ns: int,
        digest: str,
        heads: list[tuple[bytes, list[bytes]]],
        settings: bool,
        bad: tuple[str, int | None] | None,
        parsed: dict[str, Any] | None = None,
    ) -> None:
        self.size = size
        self.mtime_ns = mtime_ns
        self.hash = digest
        self.heads = heads
        self.settings = settings
        self.bad = bad
        #: ``{"module", "pkg", "summary"}`` or ``{"module", "pkg", "failure": [reason, line]}``.
        self.parsed = parsed
        #: Set once the entry was checked against the file in this run.
        self.fresh = False

    def to_json(self) -> list[Any]:
        return [
            self.size,
            self.mtime_ns,
            self.hash,
            [[_enc(n), [_enc(b) for b in bases]] for n, bases in self.heads],
            self.settings,
            list(self.bad) if self.bad else None,
            self.parsed,
        ]

    @classmethod
    def from_json(cls, row: list[Any]) -> FileEntry:
        size, mtime, digest, heads, settings, bad, parsed = row
        if not (isinstance(size, int) and isinstance(mtime, int) and isinstance(digest, str)):
            raise ValueError("bad entry")
        if parsed is not None and not isinstance(parsed, dict):
            raise ValueError("bad entry")
        return cls(
            size,
            mtime,
            digest,
            [(_dec(n), [_dec(b) for b in bases]) for n, bases in heads],
            bool(settings),
            (bad[0], bad[1]) if bad else None,
            parsed,
        )


class ScanCache:
    """The per-file and per-report cache of one scan root (``folder=None``: disabled)."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder
        self.entries: dict[str, FileEntry] = {}
        self.dirty = False
        self.stats = {"stat_hits": 0, "hash_hits": 0, "misses": 0, "summary_hits": 0}
        self._loaded = False
        #: Environment (site-packages) files the last analysis read: part of the report's key.
        self.env_files: list[str] = []
        #: Tree files the last analysis never read (outside the settings' import closure, not
        #: loaded on demand): the last walk's snapshot does not watch them (``store_snapshot``).
        self.unread: frozenset[str] = frozenset()

    @classmethod
    def for_root(cls, root: str, base: str | None = None, enabled: bool = True) -> ScanCache:
        return cls(cache_folder(root, base) if enabled else None)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _path(self, name: str) -> str:
        assert self.folder is not None
        return os.path.join(self.folder, name)

    # -- per file -------------------------------------------------------------------------
    def load(self) -> None:
        """Read files.json once; anything unreadable or stale means an empty cache."""
        if self._loaded or self.folder is None:
            return
        self._loaded = True
        doc = _read_json(self._path("files.json"))
        if not isinstance(doc, dict) or doc.get("stamp") != code_stamp():
            return
        files = doc.get("files")
        if not isinstance(files, dict):
            return
        try:
            self.entries = {rel: FileEntry.from_json(row) for rel, row in files.items()}
        except (ValueError, TypeError, IndexError, AttributeError, UnicodeError):
            self.entries = {}

    def lookup(self, relpath: str, size: int, mtime_ns: int) -> FileEntry | None:
        """The entry for a file whose size and mtime are unchanged (no read needed)."""
        e = self.entries.get(relpath)
        if e is not None and e.size == size and e.mtime_ns == mtime_ns:
            e.fresh = True
            self.stats["stat_hits"] += 1
            return e
        return None

    def verify(self, relpath: str, size: int, mtime_ns: int, digest: str) -> FileEntry | None:
        """The entry for a file whose stat changed but whose content hash did not."""
        e = self.entries.get(relpath)
        if e is not None and e.hash == digest and e.size == size:
            e.mtime_ns = mtime_ns
            e.fresh = True
            self.dirty = True
            self.stats["hash_hits"] += 1
            return e
        return None

    def put(self, relpath: str, entry: FileEntry) -> None:
        entry.fresh = True
        self.entries[relpath] = entry
        self.dirty = True
        self.stats["misses"] += 1

    def summary(self, relpath: str, module: str, is_package: bool) -> dict[str, Any] | None:
        """The cached ``parsed`` record of a fresh entry, if made for the same module name."""
        e = self.entries.get(relpath)
        if e is None or not e.fresh or e.parsed is None:
            return None
        p = e.parsed
        if p.get("module") != module or p.get("pkg") != is_package:
            return None
        self.stats["summary_hits"] += 1
        return p

    def store_parsed(self, relpath: str, record: dict[str, Any]) -> None:
        e = self.entries.get(relpath)
        if e is not None and e.fresh:
            e.parsed = record
            self.dirty = True

    def save(self, keep: set[str] | None = None) -> None:
        """Write files.json when anything changed (entries of vanished files are dropped)."""
        if self.folder is None:
            return
        if keep is not None:
            stale = [rel for rel in self.entries if rel not in keep]
            for rel in stale:
                del self.entries[rel]
            self.dirty = self.dirty or bool(stale)
        if not self.dirty:
            return
        racy = time.time_ns() - _RACY_NS
        files = {}
        for rel, e in self.entries.items():
            row = e.to_json()
            if e.mtime_ns > racy:
                row[1] = -1  # recently modified: verify by content next time
            files[rel] = row
        _write_json(self._path("files.json"), {"stamp": code_stamp(), "files": files})
        self.dirty = False

    # -- whole report ---------------------------------------------------------------------
    # report.json and render-<fmt>.txt are framed: one JSON header line (stamp, key, env stats,
    # body length and digest), then the body. A body that does not match its digest (a torn,
    # truncated or edited file) is ignored like any other stale entry.
    def report(self, key: str) -> dict[str, Any] | None:
        """The cached report document computed for fingerprint ``key``."""
        framed = self._read_framed("report.json", key)
        if framed is None:
            return None
        head, body = framed
        try:
            doc = _json().loads(body)
        except (ValueError, RecursionError):
            return None
        if not _plausible_report(doc):
            return None
        self.env_files = [row[0] for row in head["env"]]
        return doc

    def store_report(
        self, key: str, report: dict[str, Any], env_files: list[str], newest_mtime_ns: int
    ) -> None:
        """Keep ``report`` for ``key`` unless a file is too recent to trust its mtime. Its
        entries may be the typed report objects (``Report.document``): written as their
        ``to_dict`` form."""
        if self.folder is None or newest_mtime_ns > time.time_ns() - _RACY_NS:
            return
        from djatlas.graph.types import fields_of

        try:
            body = (
                _json()
                .dumps(report, ensure_ascii=True, separators=(",", ":"), default=fields_of)
                .encode("ascii")
            )
        except (ValueError, TypeError, RecursionError):
            return
        self._write_framed("report.json", {"key": key, "env": _env_stats(env_files)}, body)

    def rendered(
        self, key: str, name: str, rendering: str
    ) -> tuple[bytes, dict[str, Any], list[list[str]]] | None:
        """The cached rendering ``name`` (``render-<format>``, ``check-<format>``) of the report
        ``key``, made for ``rendering`` (see ``keys.rendering_key``): (body with placeholders,
        summary, substitutions)."""
        framed = self._read_framed(f"{name}.txt", key, rendering)
        if framed is None:
            return None
        head, body = framed
        summary, subs = head.get("summary"), head.get("subs")
        if not isinstance(summary, dict) or not _plausible_subs(subs):
            return None
        return body, summary, subs

    def has_field(self, name: str, key: str, field: str, value: str) -> bool:
        """The cached ``name`` of report ``key`` has header ``field`` equal to ``value``."""
        return self._read_framed(f"{name}.txt", key, value, field) is not None

    def store_rendered(
        self,
        key: str,
        name: str,
        rendering: str,
        body: bytes,
        summary: dict[str, Any],
        subs: list[list[str]],
        newest_mtime_ns: int,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Keep a rendering whose per-run metadata are the placeholders ``subs`` names (and
        ``extra`` header fields)."""
        if self.folder is None or newest_mtime_ns > time.time_ns() - _RACY_NS:
            return
        head = {
            "key": key,
            "rendering": rendering,
            "env": _env_stats(self.env_files),
            "summary": summary,
            "subs": subs,
            **(extra or {}),
        }
        self._write_framed(f"{name}.txt", head, body)

    def _write_framed(self, name: str, head: dict[str, Any], body: bytes) -> None:
        head = {
            "stamp": code_stamp(),
            **head,
            "length": len(body),
            "digest": blake2b(body, digest_size=16).hexdigest(),
        }
        _write_bytes(
            self._path(name), _json().dumps(head, ensure_ascii=True).encode("ascii") + b"\n" + body
        )

    def _read_framed(
        self, name: str, key: str, rendering: str | None = None, field: str = "rendering"
    ) -> tuple[dict[str, Any], bytes] | None:
        """(header, body) of a framed file made for ``key`` by this djatlas, intact."""
        if self.folder is None:
            return None
        return read_framed(self._path(name), key, rendering, field)

    # -- the last walk ------------------------------------------------------------------------
    def store_snapshot(
        self, options_key: str, key: str, discovery: Any, unread: frozenset[str] = frozenset()
    ) -> None:
        """Remember what the last discovery depended on (see ``Discovery.stats``), but the
        files of ``unread``: the report does not depend on their content (a file is added or
        removed with its folder's stat), so a rescan does not stat them."""
        if self.folder is None:
            return
        stats = {path: list(v) for path, v in discovery.stats.items()}
        files = [
            [f.relpath, f.size, f.mtime_ns] for f in discovery.files if f.relpath not in unread
        ]
        newest = max([v[0] for v in stats.values()] + [f[2] for f in files], default=0)
        if newest > time.time_ns() - _RACY_NS:
            return
        _write_json(
            self._path("tree.json"),
            {
                "stamp": code_stamp(),
                "options": options_key,
                "key": key,
                "stats": stats,
                "files": files,
            },
        )

    def snapshot_key(self, root: str, options_key: str) -> str | None:
        """The report key of the last walk if nothing it depended on changed (stat only)."""
        if self.folder is None:
            return None
        return snapshot_key(self.folder, root, options_key)


def fingerprint(parts: list[Any]) -> str:
    """A digest of JSON-able parts (options, file stats ...)."""
    h = blake2b(digest_size=16)
    try:  # the usual parts (str, int, lists), written as json.dumps would, without it
        text = compact_json(parts)
    except TypeError:
        text = _json().dumps(parts, ensure_ascii=True, separators=(",", ":"))
    h.update(text.encode("ascii"))
    return h.hexdigest()


def _plausible_report(doc: Any) -> bool:
    """The shape of a report document (what scan_document and the renderers rely on)."""
    if not isinstance(doc, dict) or doc.get("format") != "djatlas-report":
        return False
    if not isinstance(doc.get("metadata"), dict) or not isinstance(doc.get("summary"), dict):
        return False
    for part in ("apps", "models", "files", "diagnostics"):
        items = doc.get(part)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return False
    return True


def _plausible_subs(subs: Any) -> bool:
    """``[[metadata key, placeholder text]]``, as ``keys.template_subs`` makes them."""
    return isinstance(subs, list) and all(
        isinstance(s, list) and len(s) == 2 and all(isinstance(p, str) for p in s) for s in subs
    )
