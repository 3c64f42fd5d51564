"""Outputs of ``djatlas check``: text grouped by file (like ruff), JSON, SARIF 2.1.0 and GitHub
Actions annotations."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from djatlas import __version__
from djatlas.checks import CheckResult
from djatlas.checks.registry import Finding, Rule, all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(result: CheckResult) -> str:
    """Findings grouped by file, then a summary line."""
    out: list[str] = []
    by_file: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_file.setdefault(finding.file or "<no file>", []).append(finding)
    for file, findings in by_file.items():
        out.append(file)
        width = max(len(str(f.line or "")) for f in findings)
        for f in findings:
            out.append(f"  {str(f.line or ''):>{width}}  {f.code}  {f.severity:<7}  {f.message}")
        out.append("")
    if result.findings:
        severities = Counter(f.severity for f in result.findings)
        detail = ", ".join(
            _count(severities[s], s) for s in ("error", "warning", "info") if severities[s]
        )
        out.append(
            f"Found {_count(len(result.findings), 'finding')} ({detail}) "
            f"in {_count(len(by_file), 'file')}."
        )
    else:
        out.append("All checks passed.")
    extra = []
    if result.suppressed:
        extra.append(f"{result.suppressed} silenced by ignore comments")
    if result.excluded:
        extra.append(f"{result.excluded} in excluded paths")
    if extra:
        out[-1] += f" ({'; '.join(extra)})"
    return "\n".join(out) + "\n"


def render_json(result: CheckResult) -> str:
    """A ``djatlas-check`` JSON document: findings and per-rule counts."""
    by_rule = Counter(f.code for f in result.findings)
    doc = {
        "format": "djatlas-check",
        "schema_version": 1,
        "tool": {"name": "djatlas", "version": __version__},
        "summary": {
            "findings": len(result.findings),
            "by_rule": dict(sorted(by_rule.items())),
            "by_severity": dict(sorted(Counter(f.severity for f in result.findings).items())),
            "suppressed": result.suppressed,
            "excluded": result.excluded,
            "rules_run": [r.code for r in result.rules],
        },
        "findings": [
            {
                "code": f.code,
                "rule": all_rules()[f.code].name,
                "severity": f.severity,
                "message": f.message,
                "file": f.file,
                "line": f.line,
                "model": f.model,
                "model_id": f.model_id,
                "field": f.field,
            }
            for f in result.findings
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def rule_help_markdown(rule: Rule) -> str:
    """The rule's documentation entry as Markdown."""
    parts = [f"**Why it matters.** {rule.why}", "", f"**How to fix.** {rule.fix}"]
    if rule.bad:
        parts += ["", "Flagged:", "```python", rule.bad, "```"]
    if rule.good:
        parts += ["", "Fixed:", "```python", rule.good, "```"]
    return "\n".join(parts)


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why.replace("\n", " ")},
        "help": {
            "text": f"{rule.why}\n\nHow to fix: {rule.fix}",
            "markdown": rule_help_markdown(rule),
        },
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"tags": ["django", "models"]},
    }


def render_sarif(result: CheckResult, uri_prefix: str = "") -> str:
    """A SARIF 2.1.0 log for code-scanning uploads.

    ``uri_prefix`` is prepended to file paths so they are relative to the repository root when
    the checked directory is a subdirectory of it.
    """
    rules = sorted({r.code: r for r in result.rules}.values(), key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for f in result.findings:
        item: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
        }
        if f.file:
            location: dict[str, Any] = {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri_prefix + f.file, "uriBaseId": "%SRCROOT%"},
                }
            }
            if f.line:
                location["physicalLocation"]["region"] = {"startLine": f.line}
            if f.model:
                name = f"{f.model}.{f.field}" if f.field else f.model
                location["logicalLocations"] = [
                    {"fullyQualifiedName": name, "kind": "member" if f.field else "type"}
                ]
            item["locations"] = [location]
        item["partialFingerprints"] = {
            "djatlas/v1": f"{f.code}:{f.model or ''}:{f.field or ''}:{f.message}"
        }
        results.append(item)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "djatlas",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_sarif_rule(r) for r in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str, prop: bool = False) -> str:
    """A GitHub workflow command value (``%``, CR, LF; in properties also ``:`` and ``,``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(result: CheckResult, prefix: str = "") -> str:
    """One GitHub Actions annotation (workflow command) per finding, paths from the repository
    root (``prefix``: the scanned folder inside it)."""
    out = []
    for f in result.findings:
        props = []
        if f.file:
            props.append(f"file={_escape(prefix + f.file, True)}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={_escape(f'djatlas {f.code}', True)}")
        out.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape(f.message)}")
    return "".join(line + "\n" for line in out)


FORMATS = ("text", "json", "sarif", "github")
