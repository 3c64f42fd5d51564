"""DJM116: a migration that existed at the ``--since`` revision whose operations changed since.
Django records applied migrations by name, so databases that applied it never see the edit."""

from __future__ import annotations

from typing import Any

from djatlas.discover.gitsource import GitError
from djatlas.migrations.lint.review import Finding, Review
from djatlas.migrations.lint.since import Revision
from djatlas.migrations.project import MigrationProject
from djatlas.migrations.reader import read_migration
from djatlas.parse.reader import ReadError


def edited_migrations(project: MigrationProject, revision: Revision, review: Review) -> None:
    for mf in project.loaded.files:
        if not mf.in_tree or mf.error or mf.path not in revision.changed:
            continue
        try:
            old = read_migration(revision.read(mf.path), mf.module)
        except (GitError, ReadError):
            continue  # unreadable then: nothing to compare
        before = _without_lines(old.get("attrs", {}).get("operations"))
        if before == _without_lines(mf.attrs.get("operations")):
            continue  # formatting, comments, code of functions: not the operations
        message = f"{mf.app_label}.{mf.name} existed at {revision.rev} and its operations changed"
        line = mf.lines.get("operations") or mf.line
        review.findings.append(
            Finding(
                "DJM116",
                mf.app_label,
                mf.name,
                mf.path,
                line,
                "Migration",
                "operations",
                None,
                None,
                message,
                [],
                project.prefix,
            )  # fmt: skip
        )


def _without_lines(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_lines(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_lines(v) for k, v in value.items() if k != "line"}
    return value
