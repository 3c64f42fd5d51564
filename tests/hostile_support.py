"""Helpers shared by the robustness, determinism, property and fuzz tests."""

from __future__ import annotations

import json
import os
import re
from typing import Any

#: Parses and scans these many examples per hypothesis test unless DJATLAS_FUZZ_EXAMPLES says more.
EXAMPLES = int(os.environ.get("DJATLAS_FUZZ_EXAMPLES", "0") or 0)


def examples(default: int) -> int:
    """Number of hypothesis examples: ``default`` in CI, DJATLAS_FUZZ_EXAMPLES for a long run."""
    return EXAMPLES or default


def py_files_on_disk(root: str) -> list[str]:
    """Every ``*.py`` entry under root (symlinks listed, not followed), POSIX relative paths."""
    out = []
    for here, dirs, files in os.walk(root, followlinks=False):
        rel = os.path.relpath(here, root).replace(os.sep, "/")
        for name in files + [d for d in dirs if os.path.islink(os.path.join(here, d))]:
            if name.endswith(".py"):
                out.append(name if rel == "." else f"{rel}/{name}")
    return sorted(out)


def unaccounted(root: str, doc: dict[str, Any]) -> list[str]:
    """Python files under root that the report's files[] neither lists nor covers by a folder."""
    listed = {f["path"] for f in doc["files"]}
    folders = tuple(p for p in listed if p.endswith("/"))
    return [p for p in py_files_on_disk(root) if p not in listed and not p.startswith(folders)]


def check_accounting(doc: dict[str, Any]) -> None:
    """files[] is consistent: known statuses, reasons where needed, summary counts match."""
    statuses = {"parsed": 0, "not_needed": 0, "skipped": 0, "failed": 0}
    for f in doc["files"]:
        assert f["status"] in statuses, f
        statuses[f["status"]] += 1
        if f["status"] in ("skipped", "failed"):
            assert f["reason"], f
    s = doc["summary"]
    assert (s["files_parsed"], s["files_not_needed"], s["files_skipped"], s["files_failed"]) == (
        statuses["parsed"],
        statuses["not_needed"],
        statuses["skipped"],
        statuses["failed"],
    )
    failed = {f["path"] for f in doc["files"] if f["status"] == "failed"}
    reported = {d["file"] for d in doc["diagnostics"] if d["code"] == "DJA110"}
    assert failed == reported


_CELL = re.compile(r"(?:\\.|[^|\\])*")


def gfm_cells(row: str) -> list[str]:
    """Split a GFM table row the way cmark-gfm does: ``\\x`` pairs are escapes, ``|`` splits."""
    body = row.strip()
    assert body.startswith("|") and body.endswith("|"), row
    cells, pos = [], 1
    while pos < len(body):
        m = _CELL.match(body, pos)
        cells.append(m.group(0))
        pos = m.end() + 1
    return cells


def check_markdown_tables(md: str) -> None:
    """Every table row has as many cells as its header, and no cell holds a stray backtick run."""
    lines = md.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            width = len(gfm_cells(lines[i]))
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                cells = gfm_cells(lines[i])
                assert len(cells) == width, lines[i]
                for cell in cells:
                    _check_code_spans(cell, lines[i])
                i += 1
        else:
            i += 1


def _check_code_spans(cell: str, row: str) -> None:
    """Backtick runs pair up (each opening run is closed by a run of the same length)."""
    runs = [m.group(0) for m in re.finditer(r"`+", cell)]
    while runs:
        opening = runs.pop(0)
        assert opening in runs, f"unclosed code span in {row!r}"
        runs = runs[runs.index(opening) + 1 :]


def roundtrip_json(text: str) -> Any:
    """Parse JSON strictly (no NaN) and check it re-encodes."""

    def no_constants(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    doc = json.loads(text, parse_constant=no_constants)
    json.dumps(doc)
    return doc
