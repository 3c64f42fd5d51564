"""``djatlas migrations --lint``: which migrations to review, the findings left after ignore
comments and the baseline, and their outputs (text, JSON, SARIF, GitHub annotations). Sorted
throughout: the same tree gives the same bytes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from djatlas.migrations.graph import Key
from djatlas.migrations.lint.edited import edited_migrations
from djatlas.migrations.lint.review import Finding, Review, review_project
from djatlas.migrations.lint.rules import RULES
from djatlas.migrations.lint.since import Revision
from djatlas.migrations.lint.suppress import without_ignored
from djatlas.migrations.project import MigrationProject
from djatlas.migrations.views import dumps, repo_path, sarif_location, sarif_log
from djatlas.records import dataclass, field


@dataclass
class LintResult:
    findings: list[Finding]
    reviewed: int
    notes: list[str]
    since: str | None = None
    suppressed: int = 0
    baselined: int = 0
    stale: list[str] = field(default_factory=list)  # baseline keys that no longer match
    ignored_rules: list[str] = field(default_factory=list)  # --ignore


def lint(
    projects: list[MigrationProject],
    root: str,
    revision: Revision | None = None,
    baseline: set[str] | None = None,
    ignore: set[str] | None = None,
) -> LintResult:
    """Review every tree migration, or (``revision``: ``--since``) the ones whose file did not
    exist at the revision, and those that existed but whose operations changed; drop ignored
    and baselined findings."""
    review = Review()
    for project in projects:
        if revision is None:
            selected = None
            review.notes += [
                f"{mf.path}: not reviewed: {mf.error}"
                for mf in project.loaded.files
                if mf.in_tree and mf.error
            ]
        else:
            selected = _new_keys(project, revision.paths, review.notes)
            edited_migrations(project, revision, review)
        review_project(project, selected, review)
    ignore = ignore or set()
    findings = sorted(
        (f for f in review.findings if f.code not in ignore),
        key=lambda f: (f.file, f.line or 0, f.code, f.op_index),
    )
    findings, suppressed = without_ignored(findings, root)
    baselined = 0
    stale: list[str] = []
    if baseline is not None:
        keys = {f.key for f in findings}
        baselined = sum(1 for f in findings if f.key in baseline)
        findings = [f for f in findings if f.key not in baseline]
        stale = sorted(baseline - keys)
    notes = sorted(set(review.notes))
    result = LintResult(findings, review.reviewed, notes, None, suppressed, baselined, stale)
    result.ignored_rules = sorted(ignore)
    return result


def _new_keys(project: MigrationProject, old_paths: set[str], notes: list[str]) -> set[Key]:
    """Migrations whose file did not exist at the revision. A new squashed migration whose
    replaced migrations all existed is not reviewed: databases that applied those never run
    its operations."""
    paths = {mf.key: mf.path for mf in project.loaded.files if mf.in_tree}
    out: set[Key] = set()
    for mf in project.loaded.files:
        if not mf.in_tree or mf.path in old_paths:
            continue
        if mf.error:
            notes.append(f"{mf.path}: not reviewed: {mf.error}")
            continue
        replaced = project.graph.replacements.get(mf.key, [])
        if replaced and all(paths.get(tuple(k)) in old_paths for k in replaced):  # type: ignore[arg-type]
            notes.append(f"{mf.path}: squashes migrations that existed already (not reviewed)")
            continue
        out.add(mf.key)
    return out


def finding_json(f: Finding) -> dict[str, Any]:
    rule = RULES[f.code]
    out: dict[str, Any] = {
        "file": f.file, "line": f.line, "code": f.code, "rule": rule.name,
        "severity": rule.severity, "app_label": f.app_label, "migration": f.migration,
        "operation": f.op, "operation_index": f.op_index, "model": f.model, "field": f.field,
        "message": f.message, "why": rule.why, "fix": rule.fix, "key": f.key,
    }  # fmt: skip
    if f.project:
        out["project"] = f.project
    return out


def lint_doc(result: LintResult) -> dict[str, Any]:
    counts = Counter(f.code for f in result.findings)
    return {
        "format": "djatlas-migrations-lint",
        "since": result.since,
        "migrations_reviewed": result.reviewed,
        "findings": [finding_json(f) for f in result.findings],
        "counts": {code: counts[code] for code in sorted(counts)},
        "suppressed": result.suppressed,
        "baselined": result.baselined,
        "baseline_unmatched": result.stale,
        "rules_ignored": result.ignored_rules,
        "notes": result.notes,
    }


def lint_view(result: LintResult, fmt: str, prefix: str = "") -> tuple[str, int]:
    """The review's output; ``prefix`` (the tree's folder in its repository) makes SARIF and
    annotation paths relative to the repository root."""
    code = 1 if result.findings else 0
    if fmt == "json":
        return dumps(lint_doc(result)), code
    if fmt == "sarif":
        return dumps(_sarif(result, prefix)), code
    if fmt == "github":
        return "".join(_annotation(f, prefix) + "\n" for f in result.findings), code
    return _text(result), code


def _text(result: LintResult) -> str:
    lines = []
    for f in result.findings:
        rule = RULES[f.code]
        lines.append(f"{f.file}:{f.line or 1}: {f.code} {rule.name}: {f.message}")
        lines.append(f"    why: {rule.why}")
        lines.append(f"    fix: {rule.fix}")
    for note in result.notes:
        lines.append(f"note: {note}")
    scope = f" new since {result.since}" if result.since else ""
    counts = Counter(f.code for f in result.findings)
    summary = ", ".join(f"{c} {counts[c]}" for c in sorted(counts))
    line = f"{len(result.findings)} finding(s){' (' + summary + ')' if summary else ''} in "
    line += f"{result.reviewed} migration(s) reviewed{scope}"
    extra = [f"{result.suppressed} ignored by comments"] if result.suppressed else []
    extra += [f"{result.baselined} in the baseline"] if result.baselined else []
    return "\n".join([*lines, line + (f"; {', '.join(extra)}" if extra else "")]) + "\n"


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _annotation(f: Finding, prefix: str) -> str:
    rule = RULES[f.code]
    props = f"file={_escape(repo_path(f.file, prefix), True)},line={f.line or 1}"
    props += f",title={_escape(f'djatlas {f.code} {rule.name}', True)}"
    body = _escape(f"{f.message}\nWhy: {rule.why}\nFix: {rule.fix}")
    return f"::{rule.severity} {props}::{body}"


def _sarif(result: LintResult, prefix: str) -> dict[str, Any]:
    from djatlas import __version__

    rules = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.why},
            "help": {"text": r.fix},
            "defaultConfiguration": {"level": r.severity},
        }
        for r in RULES.values()
    ]
    results = []
    for f in result.findings:
        rule = RULES[f.code]
        results.append(
            {
                "ruleId": f.code,
                "level": rule.severity,
                "message": {"text": f"{f.message}. {rule.fix}"},
                "locations": [sarif_location(f.file, f.line, prefix)],
                "partialFingerprints": {"djatlasMigrationLint/v1": f.key},
            }
        )
    return sarif_log(rules, results, __version__)
