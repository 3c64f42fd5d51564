"""``djatlas verify STATIC.json RUNTIME.json``: compare a static report with the runtime oracle."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from typing import Any

from djatlas.commands.files import InputError, error, read_report
from djatlas.verify import check_database, compare, outside_tree, summarize, tree_apps


def add_parser(subparsers: Any) -> None:
    """Register the ``verify`` sub-command."""
    parser = subparsers.add_parser(
        "verify",
        help="compare a static report with a runtime one (python manage.py djatlas)",
        description=(
            "Compare a static djatlas JSON report with the runtime report written by "
            "'python manage.py djatlas'. Prints every disagreement; exit status 1 if any."
        ),
    )
    parser.add_argument("static", metavar="STATIC.json", help="report from 'djatlas scan'")
    parser.add_argument("runtime", metavar="RUNTIME.json", help="report from 'manage.py djatlas'")
    parser.add_argument(
        "--app",
        action="append",
        dest="apps",
        metavar="LABEL",
        help="compare only this app label (repeatable)",
    )
    parser.add_argument(
        "--installed-only",
        action="store_true",
        help="compare only the apps that the runtime report lists",
    )
    parser.add_argument(
        "--in-tree",
        action="store_true",
        help="compare only the apps whose runtime models lie under the exporter's --root",
    )
    parser.add_argument(
        "--db", metavar="SQLITE", help="also check the static tables and columns in this database"
    )
    parser.add_argument("--json", action="store_true", help="print the disagreements as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the disagreements; 0 when there are none, 1 otherwise, 2 on unreadable input."""
    try:
        static_doc, runtime_doc = read_report(args.static), read_report(args.runtime)
    except InputError as exc:
        return error(str(exc))
    apps: set[str] | None = set(args.apps) if args.apps else None
    if args.installed_only:
        installed = {a["label"] for a in runtime_doc.get("apps", [])}
        apps = installed if apps is None else apps & installed
    if args.in_tree:
        inside = tree_apps(runtime_doc)
        if not inside:
            return error(
                f"--in-tree: no model of {args.runtime} lies under the exporter's --root "
                "(export with 'python manage.py djatlas --root PATH')"
            )
        apps = inside if apps is None else apps & inside
    found = compare(static_doc, runtime_doc, apps=apps)
    if args.db:
        try:
            found += check_database(static_doc, args.db, apps=apps)
        except (OSError, sqlite3.Error) as exc:
            print(f"djatlas: error: {exc}", file=sys.stderr)
            return 2
    stats = summarize(static_doc, runtime_doc, found, apps=apps)
    skipped = outside_tree(static_doc, runtime_doc, apps)
    if args.json:
        report = {"summary": stats, "disagreements": [d.to_dict() for d in found]}
        print(json.dumps({**report, "outside_tree": skipped}))
    else:
        for item in found:
            print(item)
        if skipped:
            print(
                f"not compared: {len(skipped)} runtime model(s) outside the scanned tree that "
                f"the static report does not list: {', '.join(skipped)}"
            )
        print(
            f"{stats['models_agreeing']}/{stats['models_compared']} models and "
            f"{stats['fields_agreeing']}/{stats['fields_compared']} fields agree; "
            f"{len(found)} disagreement(s)"
        )
    return 1 if found else 0
