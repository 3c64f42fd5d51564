"""``djatlas check``: static checks over the model graph of a report document.

``run_checks(doc, rules, root=..., exclude=...)`` runs the selected rules and drops findings
silenced by ``# djatlas: ignore[CODE]`` comments (read from the source files under ``root``)
or lying in excluded paths. Rules live in :mod:`djatlas.checks.rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from djatlas.checks.config import LineCache, is_excluded, suppressed_codes
from djatlas.checks.context import Context
from djatlas.checks.registry import Finding, Rule, all_rules, select_rules
from djatlas.graph.identity import ensure_ids
from djatlas.records import replace

__all__ = ["CheckResult", "Finding", "Rule", "all_rules", "run_checks", "select_rules"]


class CheckResult:
    """Findings kept, plus how many were silenced by comments or exclusions."""

    def __init__(
        self, findings: list[Finding], rules: list[Rule], suppressed: int, excluded: int
    ) -> None:
        self.findings = findings
        self.rules = rules
        self.suppressed = suppressed
        self.excluded = excluded


def _statement_lines(cache: LineCache, relpath: str, lineno: int, limit: int = 40) -> list[str]:
    """The flagged line and, when it opens brackets, the lines up to where they close."""
    out: list[str] = []
    depth = 0
    for n in range(lineno, lineno + limit):
        text = cache.line(relpath, n)
        if not text and n > lineno:
            break
        out.append(text)
        code = text.split("#", 1)[0]
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        if depth <= 0:
            break
    return out


def run_checks(
    doc: dict[str, Any],
    rules: list[Rule] | None = None,
    *,
    root: Path | None = None,
    exclude: list[str] | None = None,
    migrations: Callable[[], dict[str, Any] | None] | None = None,
) -> CheckResult:
    """Run ``rules`` (default: the default rule set) over report ``doc``; ``migrations`` gives
    the drift check's answer for the tree (read only when a rule asks for it)."""
    rules = select_rules(None, None) if rules is None else rules
    ctx = Context(ensure_ids(doc), migrations)
    cache = LineCache(root)
    kept: list[Finding] = []
    suppressed = excluded = 0
    seen: set[tuple[Any, ...]] = set()
    for rule in rules:
        for finding in rule.func(ctx):
            finding = replace(finding, severity=rule.severity)
            key = (finding.code, finding.file, finding.line, finding.message)
            if key in seen:
                continue
            seen.add(key)
            if is_excluded(finding.file, exclude or []):
                excluded += 1
                continue
            if finding.file and finding.line:
                codes: set[str] = set()
                for text in _statement_lines(cache, finding.file, finding.line):
                    codes |= suppressed_codes(text) or set()
                if "*" in codes or finding.code in codes:
                    suppressed += 1
                    continue
            kept.append(finding)
    kept.sort(key=Finding.sort_key)
    return CheckResult(kept, rules, suppressed, excluded)
