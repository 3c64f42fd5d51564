"""Outputs of ``djatlas migrations``: the graph per app, the drift check (text, JSON, SARIF,
GitHub annotations). Every list is sorted: the same tree gives the same bytes."""

from __future__ import annotations

import json
import os
from typing import Any

from djatlas.migrations.autodetect import Change, Note, detect
from djatlas.migrations.project import MigrationProject


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False, default=str) + "\n"


def graph_doc(projects: list[MigrationProject]) -> dict[str, Any]:
    apps: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    notes: set[str] = set()
    for project in projects:
        apps += _graph_apps(project)
        problems += [p.__dict__ for p in _problems(project)]
        notes |= set(project.graph.notes)
    return {"format": "djatlas-migrations", "apps": apps, "problems": problems,
            "notes": sorted(notes)}  # fmt: skip


def _graph_apps(project: MigrationProject) -> list[dict[str, Any]]:
    graph = project.graph
    apps = []
    for label in project.tree_apps:
        nodes = graph.app_nodes(label)
        apps.append(
            {
                "app_label": label,
                "folder": project.loaded.packages[label].folder,
                "migrations": [
                    {
                        "name": k[1],
                        "file": graph.nodes[k].path,
                        "initial": graph.nodes[k].attrs.get("initial") is True,
                        "dependencies": sorted(f"{p[0]}.{p[1]}" for p in graph.parents.get(k, ())),
                        "replaces": [f"{a}.{n}" for a, n in graph.replacements.get(k, [])],
                        "operations": [op.op for op in project.operations.get(k, [])],
                    }
                    for k in nodes
                ],
                "leaves": [k[1] for k in graph.leaf_nodes(label)],
            }
        )
    return apps


def _problems(project: MigrationProject):
    tree = set(project.tree_apps) | {
        p.app_label for p in project.graph.problems if p.file and not p.file.startswith("/")
    }
    return sorted(
        (p for p in project.graph.problems if p.app_label in tree),
        key=lambda p: (p.file or "", p.line or 0, p.code, p.message),
    )


def graph_view(projects: list[MigrationProject], fmt: str) -> tuple[str, int]:
    doc = graph_doc(projects)
    code = 1 if doc["problems"] else 0
    if fmt == "json":
        return dumps(doc), code
    lines = []
    for app in doc["apps"]:
        migs = app["migrations"]
        squashed = sum(1 for m in migs if m["replaces"])
        extra = f", {squashed} squashed" if squashed else ""
        lines.append(
            f"{app['app_label']} ({app['folder']}): {len(migs)} migrations{extra}, "
            f"leaf {', '.join(app['leaves']) or '-'}"
        )
    if not doc["apps"]:
        lines.append("no migrations found")
    for p in doc["problems"]:
        where = f"{p['file']}:{p['line'] or 1}" if p["file"] else p["app_label"]
        lines.append(f"{where}: {p['code']}: {p['message']}")
    for note in doc["notes"]:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n", code


def project_changes(project: MigrationProject) -> tuple[list[Change], list[Note]]:
    """What makemigrations would write for one project's apps, and the notes."""
    from djatlas.migrations.guards import SourceGuard
    from djatlas.migrations.patches import find_patches

    patches = find_patches(project.root, project.doc)
    folders = {
        label: pkg.folder.rsplit("/", 1)[0] if "/" in pkg.folder else ""
        for label, pkg in project.loaded.packages.items()
        if pkg.in_tree
    }
    guard = SourceGuard(project.root, project.doc, folders)
    changes, notes = detect(project.doc, project.state, project.tree_apps, patches, guard)
    return changes, [Note("", None, None, n) for n in patches.notes] + notes


def check_doc(projects: list[MigrationProject]):
    """The --check document, and per change the project it belongs to."""
    groups: list[dict[str, Any]] = []
    located: list[tuple[MigrationProject, Change]] = []
    notes: list[Note] = []
    problems: list[dict[str, Any]] = []
    checked: list[str] = []
    for project in projects:
        changes, project_notes = project_changes(project)
        notes += project_notes
        problems += [p.__dict__ for p in _problems(project)]
        where = f"{project.prefix}:" if project.prefix and len(projects) > 1 else ""
        checked += [f"{where}{app}" for app in project.tree_apps]
        by_app: dict[str, list[dict[str, Any]]] = {}
        for c in changes:
            by_app.setdefault(c.app_label, []).append(c.to_json())
            located.append((project, c))
        for app in sorted(by_app):
            group = {"app_label": app, "operations": by_app[app]}
            if len(projects) > 1:
                group = {"app_label": app, "project": project.prefix, "operations": by_app[app]}
            groups.append(group)
    doc = {
        "format": "djatlas-migrations-check",
        "drift": bool(located),
        "apps_checked": checked,
        "changes": groups,
        "notes": [n.to_json() for n in notes],
        "problems": problems,
    }
    return doc, located, notes


def _model_location(project: MigrationProject, change: Change) -> tuple[str | None, int | None]:
    for m in project.doc.get("models", []):
        if m.get("app_label") == change.app_label and m["name"].lower() == change.model:
            line = m.get("line")
            for f in m.get("fields", []):
                if f["name"] == change.field and f.get("line") and f.get("origin") == "declared":
                    line = f["line"]
            return m.get("file"), line
    node = project.state.models.get((change.app_label, change.model))
    if node is not None and node.last and node.last in project.graph.nodes:
        return project.graph.nodes[node.last].path, None
    return None, None


def _describe(c: Change) -> str:
    target = c.model + (f".{c.field}" if c.field else "")
    return f"{c.app_label}: {c.op} {target}"


def check_view(
    projects: list[MigrationProject], fmt: str, prefix: str = "", verbose: bool = False
) -> tuple[str, int]:
    """The drift check's output; ``prefix`` (the tree's folder in its repository, see
    ``keys.git_prefix``) makes SARIF and annotation paths relative to the repository root; text
    lists each "cannot know statically" note only when ``verbose`` (otherwise one summary line),
    JSON always holds them all."""
    doc, located, notes = check_doc(projects)
    code = 1 if located else 0
    if fmt == "json":
        return dumps(doc), code
    if fmt == "sarif":
        return dumps(_sarif(located, prefix)), code
    if fmt == "github":
        out = []
        for project, c in located:
            file, line = _model_location(project, c)
            loc = f" file={repo_path(file, prefix)},line={line or 1}" if file else ""
            out.append(f"::error{loc},title=djatlas migrations::{_describe(c)} (no migration)")
        return "\n".join(out) + ("\n" if out else ""), code
    lines = []
    for group in doc["changes"]:
        where = f" ({group['project']})" if group.get("project") else ""
        lines.append(f"Migrations for '{group['app_label']}'{where}:")
        for op in group["operations"]:
            target = op["model"] + (f".{op['field']}" if op["field"] else "")
            lines.append(f"  - {op['op']} {target}")
    lines += _note_lines(notes, verbose)
    for p in doc["problems"]:
        lines.append(f"{p['file']}:{p['line'] or 1}: {p['code']}: {p['message']}")
    if not located:
        lines.append(f"No changes detected ({len(doc['apps_checked'])} apps checked)")
    return "\n".join(lines) + "\n", code


def _note_lines(notes: list, verbose: bool) -> list[str]:
    """Each note (verbose), or one line counting the fields and models they concern."""
    if verbose:
        out = []
        for n in notes:
            target = ".".join(x for x in (n.model, n.field) if x)
            out.append(f"note: {n.app_label}{'.' + target if target else ''}: {n.message}")
        return out
    if not notes:
        return []
    fields = {(n.app_label, n.model, n.field) for n in notes if n.field}
    models = {(n.app_label, n.model) for n in notes if not n.field}
    parts = [f"{len(fields)} field(s)"] if fields else []
    parts += [f"{len(models)} model(s)"] if models else []
    return [
        f"note: {' and '.join(parts)} partly not compared (cannot know statically); "
        "--verbose lists them"
    ]


def repo_path(path: str, prefix: str) -> str:
    """A tree-relative path made relative to the repository root (absolute ones, files of the
    environment, stay as they are)."""
    return path if os.path.isabs(path) else prefix + path


def sarif_location(path: str, line: int | None, prefix: str) -> dict[str, Any]:
    """A SARIF location: relative to the repository root (``%SRCROOT%``), as code scanning
    expects; an absolute path (a file of the environment) without a base."""
    artifact: dict[str, Any] = {"uri": repo_path(path, prefix)}
    if not os.path.isabs(path):
        artifact["uriBaseId"] = "%SRCROOT%"
    region = {"startLine": line or 1}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _sarif(located: list[tuple[MigrationProject, Change]], prefix: str) -> dict[str, Any]:
    from djatlas import __version__

    results = []
    for project, c in located:
        file, line = _model_location(project, c)
        result: dict[str, Any] = {
            "ruleId": "DJM001",
            "level": "error",
            "message": {"text": f"{_describe(c)}: the models changed without a migration"},
        }
        if file:
            result["locations"] = [sarif_location(file, line, prefix)]
        results.append(result)
    rule = {
        "id": "DJM001",
        "name": "missing-migration",
        "shortDescription": {"text": "Model changes without a migration"},
        "help": {"text": "Run `python manage.py makemigrations` and commit the migration."},
    }
    return sarif_log([rule], results, __version__)


def sarif_log(rules: list[dict[str, Any]], results: list[dict[str, Any]], version: str):
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "djatlas",
                        "version": version,
                        "informationUri": "https://github.com/djatlas/djatlas",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
