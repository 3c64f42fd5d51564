"""The last output of ``djatlas migrations`` per tree and options, served again when nothing it
depends on changed: the report (its models, apps, files and settings), every migration file and
folder read (size and mtime), the options and djatlas's own code. JSON only, atomic writes."""

from __future__ import annotations

import json
import os
from typing import Any

from djatlas.cache import _read_json, _write_bytes, code_stamp, content_hash
from djatlas.keys import env_stats as stats

_FORMAT = 1
_TIMING = ("scanned_at", "duration_ms")


def doc_digest(doc: dict[str, Any]) -> str:
    metadata = {k: v for k, v in (doc.get("metadata") or {}).items() if k not in _TIMING}
    parts = [doc.get("models"), doc.get("apps"), doc.get("files"), metadata]
    return content_hash(json.dumps(parts, sort_keys=True, default=str).encode())


class ResultCache:
    def __init__(self, folder: str | None, options: list[Any], doc: dict[str, Any]) -> None:
        self.path = os.path.join(folder, "migrations-result.json") if folder else None
        self.key = [code_stamp(), _FORMAT, options, doc_digest(doc)]

    def get(self) -> tuple[str, int] | None:
        if not self.path:
            return None
        entry = _read_json(self.path)
        if not isinstance(entry, dict) or entry.get("key") != self.key:
            return None
        deps = entry.get("deps")
        if not isinstance(deps, list) or stats([d[0] for d in deps]) != deps:
            return None
        text, code = entry.get("text"), entry.get("code")
        return (text, code) if isinstance(text, str) and isinstance(code, int) else None

    def put(self, text: str, code: int, paths: list[str]) -> None:
        if not self.path:
            return
        entry = {"key": self.key, "deps": stats(paths), "text": text, "code": code}
        _write_bytes(self.path, json.dumps(entry, separators=(",", ":")).encode())
