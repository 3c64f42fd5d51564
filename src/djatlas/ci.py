"""What CI jobs need around djatlas's SARIF outputs (``check``, ``migrations --check``,
``migrations --lint``): a Markdown job summary (the GitHub Action writes it to
``$GITHUB_STEP_SUMMARY``) and a GitLab Code Quality report.

    python -m djatlas.ci summary "check=out/check.sarif:1" "drift=out/drift.sarif:0" ...
    python -m djatlas.ci codequality -o gl-code-quality-report.json out/*.sarif

A step is ``NAME=SARIF:EXIT`` (the command's exit status; a missing SARIF file is a step that
did not run or failed before writing it). Exit 2 with one line on stderr on bad input.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from typing import Any

from djatlas.records import dataclass

#: SARIF level -> GitLab Code Quality severity
_SEVERITY = {"error": "major", "warning": "minor", "note": "info", "none": "info"}
_SHOWN = 50


@dataclass(frozen=True)
class Result:
    rule: str
    level: str
    message: str
    file: str | None
    line: int | None

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


def read_sarif(path: str) -> list[Result]:
    """Every result of a SARIF log, in file order; ValueError when it is no SARIF log."""
    from djatlas.commands.files import InputError, read_json

    try:
        doc = read_json(path, "SARIF file")
    except InputError as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("runs"), list):
        raise ValueError(f"{path}: not a SARIF log (no runs)")
    out = []
    for run in doc["runs"]:
        for r in run.get("results") or []:
            loc = ((r.get("locations") or [{}])[0]).get("physicalLocation") or {}
            out.append(
                Result(
                    str(r.get("ruleId") or "?"),
                    str(r.get("level") or "warning"),
                    str((r.get("message") or {}).get("text") or ""),
                    (loc.get("artifactLocation") or {}).get("uri"),
                    (loc.get("region") or {}).get("startLine"),
                )
            )
    return out


def parse_step(text: str) -> tuple[str, str, int]:
    """``NAME=SARIF:EXIT`` -> (name, path, exit status)."""
    name, eq, rest = text.partition("=")
    path, colon, code = rest.rpartition(":")
    if not eq or not colon or not name or not code.lstrip("-").isdigit():
        raise ValueError(f"bad step {text!r} (expected NAME=SARIF:EXIT)")
    return name, path, int(code)


def _status(code: int, results: list[Result] | None) -> str:
    if results is None or code not in (0, 1):
        return f"error (exit {code})" if code else "not run"
    if not results:
        return "passed" if code == 0 else "failed"
    return f"{len(results)} finding{'s' if len(results) != 1 else ''}"


def summary_markdown(steps: list[tuple[str, str, int]], title: str = "djatlas") -> str:
    """The job summary: one table row per step, then the findings of each (the first 50)."""
    rows, details = [], []
    for name, path, code in steps:
        try:
            results: list[Result] | None = read_sarif(path) if path else None
        except ValueError:
            results = None
        mark = "✅" if code == 0 else ("❌" if code == 1 else "⚠️")
        rows.append(f"| {mark} | {name} | {_status(code, results)} |")
        if results:
            details.append(f"\n### {name}\n")
            for r in results[:_SHOWN]:
                where = f"`{r.where}` " if r.where else ""
                details.append(f"- {where}**{r.rule}** {_md(r.message)}")
            if len(results) > _SHOWN:
                details.append(f"- … and {len(results) - _SHOWN} more (see the SARIF upload)")
    head = [f"## {title}", "", "| | Step | Result |", "|---|---|---|"]
    return "\n".join(head + rows + details) + "\n"


def _md(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")


def codequality(paths: list[str]) -> list[dict[str, Any]]:
    """GitLab Code Quality issues (CodeClimate JSON) of every result of the SARIF files."""
    issues = []
    for path in paths:
        for r in read_sarif(path):
            key = f"{r.rule}\0{r.file}\0{r.line}\0{r.message}".encode()
            issues.append(
                {
                    "description": f"{r.rule}: {r.message}",
                    "check_name": r.rule,
                    "fingerprint": hashlib.blake2b(key, digest_size=16).hexdigest(),
                    "severity": _SEVERITY.get(r.level, "minor"),
                    "location": {"path": r.file or ".", "lines": {"begin": r.line or 1}},
                }
            )
    return issues


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m djatlas.ci", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("summary", help="Markdown job summary of the steps' SARIF files")
    s.add_argument("steps", nargs="+", metavar="NAME=SARIF:EXIT")
    s.add_argument("--title", default="djatlas")
    s.add_argument("-o", "--output", metavar="FILE", help="append to FILE (default: stdout)")
    q = sub.add_parser("codequality", help="GitLab Code Quality report from SARIF files")
    q.add_argument("sarif", nargs="+", metavar="SARIF")
    q.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    args = parser.parse_args(argv)
    try:
        if args.what == "summary":
            text = summary_markdown([parse_step(s) for s in args.steps], args.title)
        else:
            text = json.dumps(codequality(args.sarif), indent=2) + "\n"
    except ValueError as exc:
        print(f"djatlas: error: {exc}", file=sys.stderr)
        return 2
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "a" if args.what == "summary" else "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        print(f"djatlas: error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
