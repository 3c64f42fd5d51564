"""Report stage: the typed Report from the model graph and every file's record."""

from __future__ import annotations

from collections import Counter
from operator import attrgetter

from djatlas import __version__
from djatlas.graph.apps import project_for, projects_of
from djatlas.graph.identity import assign as assign_ids
from djatlas.graph.types import App, Diagnostic, Project, Report

#: Not looked up yet (None is an answer).
_UNSET = object()


def assemble_report(models, records, discovery, registry, settings, diagnostics) -> Report:
    """The Report: apps, models, every file's record, sorted diagnostics and the summary."""
    projects = projects_of(settings)
    by_file: dict[str | None, str | None] = {}  # a file's models share its project
    for m in models:
        name = by_file.get(m.file, _UNSET)
        if name is _UNSET:
            project = project_for(projects, m.file)
            name = by_file[m.file] = project.name if project is not None else None
        m.project = name
    assign_ids(models, diagnostics)
    apps = _apps(models, registry)
    _mark_installed(apps.values(), projects, settings)
    all_records = list(records.values()) + discovery.records
    entries = sorted(all_records, key=attrgetter("path"))  # FileRecords are FileEntries
    count = Counter(map(attrgetter("status"), entries))  # one pass, at C speed
    if count["failed"]:  # (rare: the records are not gone through one by one for them)
        for r in all_records:
            if r.status == "failed":
                diagnostics.append(
                    Diagnostic("error", "DJA110", f"{r.path}: {r.reason}", r.path, r.line)
                )
    if not models:
        diagnostics.append(Diagnostic("info", "DJA130", "no Django models found"))
    diagnostics = sorted(
        {(d.file or "", d.line or 0, d.code, d.message): d for d in diagnostics}.values(),
        key=lambda d: (d.file or "", d.line or 0, d.code, d.message),
    )
    metadata = {
        "settings_module": settings.module,
        "settings_chosen_by": settings.chosen_by,
        "settings_notes": settings.notes,
        "default_auto_field": settings.default_auto_field,
        "auth_user_model": settings.auth_user_model,
        "database_engines": settings.database_engines,
    }
    return Report(
        metadata,
        _summary(
            models, count, records, discovery, sum(1 for a in apps.values() if not a.external)
        ),
        sorted(apps.values(), key=lambda a: (a.label, a.name, a.project or "")),
        models,
        entries,
        diagnostics,
        __version__,
        _projects(projects, apps.values(), models),
    )


def syntax_diagnostics(loaded) -> list[Diagnostic]:
    """One DJA111 warning per syntax error recovered from in a tree file (``loaded``: the
    index's relpath -> LoadedModule)."""
    out = []
    for rel, module in sorted(loaded.items()):
        if module is None:
            continue
        for issue in module.summary.syntax_errors:
            if issue.skipped is None:
                cost = "read anyway"
            elif issue.skipped[0] == issue.skipped[1]:
                cost = f"line {issue.skipped[0]} skipped"
            else:
                cost = f"lines {issue.skipped[0]}-{issue.skipped[1]} skipped"
            message = f"{rel}:{issue.line}: {issue.describe()}; {cost}"
            out.append(Diagnostic("warning", "DJA111", message, rel, issue.line))
    return out


def _projects(projects, apps, models) -> list[Project]:
    """The report's projects[] entries."""
    return [
        Project(
            p.name,
            p.root,
            p.settings.module,
            p.settings.default_auto_field,
            p.settings.auth_user_model,
            p.settings.database_engines,
            sorted({a.label for a in apps if a.project == p.name}),
            sum(1 for m in models if m.project == p.name),
        )
        for p in projects
    ]


def _mark_installed(apps, projects, settings) -> None:
    """Each app's ``installed``: its package or AppConfig is in its project's INSTALLED_APPS."""
    by_name = {p.name: p.settings for p in projects}
    for app in apps:
        own = by_name.get(app.project or "") or (settings if settings.module else None)
        if own is None or not own.installed_apps:
            continue
        app.installed = app.name in own.installed_apps or app.config in own.installed_apps


def _apps(models, registry) -> dict[tuple[str, str, str], App]:
    """The apps holding the models, by (project, label, package name)."""
    # Two projects of a monorepo may both have a "vendor" app.
    apps: dict[tuple[str, str, str], App] = {}
    for m in models:
        own = registry.for_file(m.file)
        info = own.app_for(m.module)
        if info is None or info.label != m.app_label:  # Meta.app_label naming another app
            info = next((a for a in own.apps.values() if a.label == m.app_label), info)
        if info is not None and info.label == m.app_label:
            name, config = info.name, info.config
        else:
            parts = m.module.split(".")
            cut = parts.index("models", 1) if "models" in parts[1:] else len(parts) - 1
            name, config = ".".join(parts[:cut]) or m.module, None
        key = (m.project or "", m.app_label, name)
        app = apps.get(key)
        if app is None:
            app = apps[key] = App(m.app_label, name, config, project=m.project, external=m.external)
        app.models.append(m.label)
        app.external = app.external and m.external
        app.model_ids.append(m.id)
    return apps


def _summary(models, count: Counter, records, discovery, n_apps: int) -> dict[str, int]:
    """The report's counts of files, apps, models, fields and relationships (``count``: the
    files' entries by status)."""
    external = [m for m in models if m.external]
    models = [m for m in models if not m.external]  # the counts are of the tree's models
    # The models' own fields (not a parent's copies), counted at C speed: a report's models
    # hold ~10K fields (netbox: two generator passes, ~56K bytecodes).
    own = [f for m in models for f in m.fields if f.origin != "parent"]
    all_fields = len(own)
    rel_fields = all_fields - list(map(attrgetter("relation"), own)).count(None)
    summary = {
        "files_discovered": len(records)
        + sum(1 for r in discovery.records if r.status == "failed" and not r.path.endswith("/")),
        "files_parsed": count["parsed"],
        "files_not_needed": count["not_needed"],
        "files_skipped": count["skipped"],
        "files_failed": count["failed"],
        "apps": n_apps,
        "models": len(models),
        "concrete_models": sum(1 for m in models if not m.abstract and not m.proxy),
        "abstract_models": sum(1 for m in models if m.abstract),
        "proxy_models": sum(1 for m in models if m.proxy),
        "fields": all_fields - rel_fields,
        "relationships": rel_fields,
        "external_models": len(external),
    }
    return summary
