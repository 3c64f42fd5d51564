"""The last output of ``djatlas migrations`` per tree and options, kept in the scan cache as a
view of the report (``scan.scan_view``: keyed by the report key, the options and djatlas's own
code, so an unchanged tree is answered without loading the report) and served again while no
migration file or folder it was read from changed (size and mtime, kept in its summary)."""

from __future__ import annotations

import json
import time
from typing import Any

from djatlas.keys import env_stats as stats

#: Files modified this recently may change again within one mtime tick: not trusted.
_RACY_NS = 2_000_000_000
_TIMING = ("scanned_at", "duration_ms")


def doc_digest(doc: dict[str, Any]) -> str:
    """A digest of what a report says (not when or how fast it was made)."""
    from djatlas.cache import content_hash

    metadata = {k: v for k, v in (doc.get("metadata") or {}).items() if k not in _TIMING}
    parts = [doc.get("models"), doc.get("apps"), doc.get("files"), metadata]
    return content_hash(json.dumps(parts, sort_keys=True, default=str).encode())


def summary(code: int, paths: list[str]) -> dict[str, Any]:
    """The cached summary of an output: its exit code and the stats of what it was read from
    (None when a file is too recent to trust its mtime: the output is then never served)."""
    rows = stats(paths)
    racy = time.time_ns() - _RACY_NS
    deps = None if any(row[2] > racy for row in rows) else rows  # type: ignore[operator]
    return {"code": code, "deps": deps}


def fresh(cached: dict[str, Any]) -> bool:
    """Whether a cached output's migration files and folders are unchanged."""
    deps = cached.get("deps")
    if not isinstance(deps, list) or not isinstance(cached.get("code"), int):
        return False
    try:
        return stats([row[0] for row in deps]) == deps
    except (TypeError, IndexError, KeyError):
        return False
