"""Findings left out on purpose: ``# djatlas: ignore[DJM103]`` comments in the migration file
(on any line of the operation, on the comment lines right above it, or on the first line of an
enclosing ``SeparateDatabaseAndState``), ``# djatlas: ignore-file[DJM103]`` for the whole file,
and a baseline file of accepted findings keyed by app, migration, code and operation index (not
by line: edits elsewhere in the file keep the baseline valid)."""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Iterable

from djatlas.migrations.lint.review import Finding

_LINE = re.compile(r"#\s*djatlas:\s*ignore\[([A-Za-z0-9_, ]+)\]")
_FILE = re.compile(r"#\s*djatlas:\s*ignore-file\[([A-Za-z0-9_, ]+)\]")
BASELINE_FORMAT = "djatlas-migrations-baseline"


class BaselineError(Exception):
    """The baseline file cannot be used; the message is one line for the user."""


def _codes(match: re.Match[str]) -> set[str]:
    return {c.strip().upper() for c in match.group(1).split(",") if c.strip()}


class IgnoreComments:
    """The ignore comments of one migration file."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.file: set[str] = set()
        self.by_line: dict[int, set[str]] = {}
        for number, line in enumerate(self.lines, 1):
            for m in _FILE.finditer(line):
                self.file |= _codes(m)
            for m in _LINE.finditer(line):
                self.by_line.setdefault(number, set()).update(_codes(m))
        self.ends = _call_ends(text) if self.by_line else {}

    def covers(self, finding: Finding) -> bool:
        if finding.code in self.file:
            return True
        if not self.by_line or not finding.line:
            return False
        lines = set(range(finding.line, self.ends.get(finding.line, finding.line) + 1))
        for start in [finding.line, *finding.outer_lines]:
            lines.add(start)
            above = start - 1
            while above >= 1 and self.lines[above - 1].lstrip().startswith("#"):
                lines.add(above)
                above -= 1
        return any(finding.code in self.by_line.get(n, ()) for n in lines)


def _call_ends(text: str) -> dict[int, int]:
    """First line of each call -> its last line (the outermost call starting on that line)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return {}
    ends: dict[int, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.end_lineno:
            ends[node.lineno] = max(ends.get(node.lineno, 0), node.end_lineno)
    return ends


def without_ignored(findings: list[Finding], root: str) -> tuple[list[Finding], int]:
    """(findings no comment suppresses, how many were suppressed)."""
    comments: dict[str, IgnoreComments | None] = {}
    kept: list[Finding] = []
    for f in findings:
        if f.file not in comments:
            comments[f.file] = _read(os.path.join(root, f.file))
        c = comments[f.file]
        if c is None or not c.covers(f):
            kept.append(f)
    return kept, len(findings) - len(kept)


def _read(path: str) -> IgnoreComments | None:
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    return IgnoreComments(text) if "djatlas" in text else None


def read_baseline(path: str) -> set[str]:
    """The finding keys of a baseline file."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError):
        raise BaselineError(f"baseline {path} is not JSON") from None
    entries = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or doc.get("format") != BASELINE_FORMAT:
        raise BaselineError(f"{path} is not a djatlas migrations baseline")
    return {e["key"] for e in entries if isinstance(e, dict) and isinstance(e.get("key"), str)}


def baseline_text(findings: Iterable[Finding]) -> str:
    """A baseline file holding these findings (sorted by key: deterministic)."""
    rows = sorted(
        ({"key": f.key, "file": f.file, "message": f.message} for f in findings),
        key=lambda r: r["key"],
    )
    doc = {"format": BASELINE_FORMAT, "version": 1, "findings": rows}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
