"""``djatlas check PATH``: static checks of the models, for terminals, CI and code scanning."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from djatlas.checks import run_checks, select_rules
from djatlas.checks.config import ConfigError, load_config
from djatlas.checks.output import (
    FORMATS,
    render_github,
    render_json,
    render_sarif,
    render_text,
)
from djatlas.checks.registry import all_rules
from djatlas.commands.files import InputError, output_problem, read_report, write_output
from djatlas.commands.treeopts import add_tree_options, load_tree, scan_options
from djatlas.keys import check_inputs, git_prefix

#: the rule that reads the migrations (its answer is cached per tree, see migrations.drift)
MIGRATION_RULE = "DJ027"


def _codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="static checks of the models (missing on_delete, clashes, mutable defaults, ...)",
        description=(
            "Run static checks over the models of PATH (a directory, or a JSON report written by "
            "`djatlas scan --format json`). Options come from [tool.djatlas] in pyproject.toml; "
            "silence one line with `# djatlas: ignore[CODE]`. Exit 1 when findings remain."
        ),
    )
    parser.add_argument("path", metavar="PATH", nargs="?", default=".", help="default: .")
    parser.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="rule codes or prefixes to run, comma-separated (ALL for every rule)",
    )
    parser.add_argument(
        "--extend-select",
        action="append",
        metavar="CODES",
        help="rule codes or prefixes to run in addition to the selected ones (e.g. DJ010)",
    )
    parser.add_argument(
        "--ignore", action="append", metavar="CODES", help="rule codes or prefixes to skip"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument(
        "--config", metavar="PYPROJECT", help="pyproject.toml to read (default: nearest one)"
    )
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--explain", metavar="CODE", help="show a rule's documentation and exit")
    add_tree_options(parser)
    parser.set_defaults(run=run)


def _error(message: str) -> int:
    print(f"djatlas: error: {message}", file=sys.stderr)
    return 2


def _load(path: Path, args: argparse.Namespace) -> tuple[dict[str, Any], Path | None]:
    """The report for ``path`` and the directory its file paths are relative to."""
    if path.is_file():
        try:
            doc = read_report(str(path))
        except InputError as exc:
            raise ValueError(f"{exc} (give a folder to scan or a report file)") from None
        scanned = (doc.get("metadata") or {}).get("path")
        root = None
        for candidate in (Path(scanned) if scanned else None, path.parent / (scanned or "")):
            if candidate is not None and candidate.is_dir():
                root = candidate
                break
        return doc, root
    if not path.is_dir():
        raise ValueError(f"{path}: no such file or directory")
    return load_tree(str(path), args), path


def run(args: argparse.Namespace) -> int:
    rules_by_code = all_rules()
    if args.list_rules:
        for rule in rules_by_code.values():
            flag = "" if rule.default else "  (off by default)"
            print(f"{rule.code}  {rule.severity:<7}  {rule.name}: {rule.summary}{flag}")
        return 0
    if args.explain:
        rule = rules_by_code.get(args.explain.strip().upper())
        if rule is None:
            return _error(f"unknown rule {args.explain!r}")
        from djatlas.checks.output import rule_help_markdown

        print(f"{rule.code} {rule.name} ({rule.severity}): {rule.summary}\n")
        print(rule_help_markdown(rule))
        return 0

    path = Path(args.path)
    problem = output_problem(args.output)
    if problem:
        return _error(problem)
    try:
        config = load_config(path, Path(args.config) if args.config else None)
    except ConfigError as exc:
        return _error(str(exc))
    for warning in config.warnings:
        print(f"djatlas: warning: {warning}", file=sys.stderr)
    select = _codes(args.select) if args.select else config.select
    ignore = config.ignore + (_codes(args.ignore) or [])
    extend = config.extend_select + (_codes(args.extend_select) or [])
    try:
        rules = select_rules(select, ignore, extend)
    except ValueError as exc:
        return _error(str(exc))
    try:
        if path.is_dir():
            exclude = _exclude(config, path)
            summary, body = _check_tree(path, args, rules, exclude, bool(config.warnings))
        else:
            doc, root = _load(path, args)
            drift = _drift(root, doc, args, rules)
            summary, body = _check(doc, rules, root, _exclude(config, root), args.format, drift)
    except ValueError as exc:
        return _error(str(exc))
    except Exception as exc:  # noqa: BLE001 - a one-line message, never a traceback
        return _error(f"scanning {path} failed: {type(exc).__name__}: {exc}")
    if args.output:
        problem = write_output(args.output, body)
        if problem:
            return _error(problem)
        if args.format != "text":
            sys.stderr.write(summary["line"] + "\n")
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    if args.exit_zero:
        return 0
    return 1 if summary["findings"] else 0


def _exclude(config: Any, root: Path | None) -> list[str]:
    """The config's exclude patterns, made relative to the scanned root."""
    exclude = list(config.exclude)
    if config.path is not None and root is not None:
        # Exclude patterns are relative to the pyproject.toml; findings to the scanned root.
        try:
            offset = root.resolve().relative_to(config.path.parent.resolve()).as_posix()
        except ValueError:
            offset = "."
        if offset != ".":
            exclude = [p[len(offset) + 1 :] if p.startswith(offset + "/") else p for p in exclude]
    return exclude


def _check(
    doc: dict[str, Any],
    rules: list[Any],
    root: Path | None,
    exclude: list[str],
    fmt: str,
    drift: Any = None,
) -> tuple[dict[str, Any], bytes]:
    """``({"findings": count, "line": the text summary line}, output)`` of the checks."""
    result = run_checks(doc, rules, root=root, exclude=exclude, migrations=drift)
    if fmt == "sarif":
        text = render_sarif(result, git_prefix(str(root)) if root is not None else "")
    elif fmt == "github":
        text = render_github(result, git_prefix(str(root)) if root is not None else "")
    elif fmt == "json":
        text = render_json(result)
    else:
        text = render_text(result)
    summary = {"findings": len(result.findings), "line": render_text(result).splitlines()[-1]}
    return summary, text.encode("utf-8", "backslashreplace")


def _check_tree(
    path: Path, args: argparse.Namespace, rules: list[Any], exclude: list[str], warned: bool
) -> tuple[dict[str, Any], bytes]:
    """``_check`` of a folder's report; both are cached for an unchanged tree (and, when the
    config gave no warnings, found again from the command line by ``fastpath.check_from_cache``
    without loading the rules or the config)."""
    from djatlas.scan import scan_view

    root = path
    prefix = git_prefix(str(root)) if args.format in ("sarif", "github") else ""
    view = [args.format, [r.code for r in rules], exclude, str(root.resolve()), prefix]
    inputs = None
    if _reads_migrations(rules):
        view.append(_migrations_stamp(path, args))
    elif not warned:  # what fastpath.check_from_cache finds it by (not with DJ027: migrations)
        given = (args.select, args.ignore, args.extend_select)
        inputs = check_inputs(str(path), args.format, *given, args.config)
    return scan_view(
        str(path),
        scan_options(args),
        f"check-{args.format}",
        view,
        lambda doc: _check(doc, rules, root, exclude, args.format, _drift(root, doc, args, rules)),
        inputs,
    )


def _reads_migrations(rules: list[Any]) -> bool:
    return any(r.code == MIGRATION_RULE for r in rules)


def _cache_folder(root: Path, args: argparse.Namespace) -> str | None:
    if getattr(args, "no_cache", False):
        return None
    from djatlas.keys import cache_folder

    return cache_folder(str(root), getattr(args, "cache_dir", None))


def _drift(root: Path | None, doc: dict[str, Any], args: argparse.Namespace, rules: list[Any]):
    """The drift check's answer for DJ027, computed when the rule first asks (None: no rule
    needs it, or no tree to read the migrations from)."""
    if root is None or not _reads_migrations(rules):
        return None
    from djatlas.migrations.drift import drift_document

    include, exclude = getattr(args, "include", None), getattr(args, "exclude", None)
    return lambda: drift_document(str(root), doc, include, exclude, _cache_folder(root, args))


def _migrations_stamp(path: Path, args: argparse.Namespace) -> str | None:
    """The stats of the migration files the cached drift answer read (the check's cached
    output depends on them, and default scans do not read them)."""
    from djatlas.migrations.drift import tree_stamp

    folder = _cache_folder(path, args)
    report = lambda: load_tree(str(path), args)  # noqa: E731
    return tree_stamp(str(path), args.include, args.exclude, folder, report)
