"""The migrations view of one tree: load the files, build the graph, replay the state."""

from __future__ import annotations

import os
from typing import Any

from djatlas.migrations.graph import Key, MigrationGraph, build_graph
from djatlas.migrations.loader import LoadResult, load
from djatlas.migrations.operations import Operation
from djatlas.migrations.state import ProjectState, replay
from djatlas.records import dataclass


@dataclass
class MigrationProject:
    root: str
    doc: dict[str, Any]
    loaded: LoadResult
    graph: MigrationGraph
    state: ProjectState
    operations: dict[Key, list[Operation]]
    #: the source root these apps belong to ("" for the tree root).
    prefix: str = ""

    @property
    def tree_apps(self) -> list[str]:
        """Apps of the tree that have a migrations package (an empty one included: Django's
        ``makemigrations`` then writes the initial migration)."""
        return sorted(label for label, pkg in self.loaded.packages.items() if pkg.in_tree)


def read_paths(projects: list[MigrationProject]) -> tuple[list[str], list[str]]:
    """What an answer was read from: (migration packages and files, model files and apps.py)."""
    migrations: list[str] = []
    models: list[str] = []
    for project in projects:
        for pkg in project.loaded.packages.values():
            migrations.append(os.path.join(project.root, pkg.folder) if pkg.in_tree else pkg.folder)
        for mf in project.loaded.files:
            migrations.append(os.path.join(project.root, mf.path) if mf.in_tree else mf.path)
        for rec in project.doc.get("files", []):
            path = rec.get("path", "")
            if rec.get("status") == "parsed" or path.endswith("apps.py"):
                models.append(os.path.join(project.root, path))
    return migrations, models


def django_types(doc: dict[str, Any]) -> dict[str, str]:
    """Field class name -> nearest Django field class, from the report's fields."""
    out: dict[str, str] = {}
    for m in doc.get("models", []):
        for f in m.get("fields", []):
            path, base = f.get("resolved_type") or f.get("type"), f.get("django_type")
            if path and base:
                out.setdefault(path.rsplit(".", 1)[-1], base)
    return out


def analyse(
    root: str,
    doc: dict[str, Any],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    cache_folder: str | None = None,
    prefetch: Any = None,
) -> list[MigrationProject]:
    """One MigrationProject per source root holding migrations packages (several in a
    monorepo), each with the report's models of that root only. ``prefetch``: migration files
    read ahead (``prefetch.Prefetch``)."""
    from djatlas.migrations.loader import FileCache, model_root, tree_packages

    cache = FileCache(cache_folder)
    cache.ahead = prefetch
    out = []
    if any(m.get("generated_by") for m in doc.get("models", [])):
        # A model a package makes at run time (django-simple-history's) is in the migrations
        # as that package writes it, which djatlas does not model field by field: left out,
        # as for a report without it (the autodetector notes it was not compared).
        doc = {**doc, "models": [m for m in doc["models"] if not m.get("generated_by")]}
    base = root if os.path.isdir(root) else os.path.dirname(root)
    groups = tree_packages(doc)
    for prefix in sorted(groups):
        sub = sub_document(doc, prefix, model_root) if len(groups) > 1 else doc
        auth = (sub.get("metadata") or {}).get("auth_user_model") or "auth.User"
        loaded = load(root, sub, groups[prefix], include or [], exclude or [], cache)
        graph = build_graph(loaded.files, auth)
        state, ops = replay(graph, auth, django_types(sub))
        out.append(MigrationProject(base, sub, loaded, graph, state, ops, prefix))
    cache.save()
    return out


def sub_document(doc: dict[str, Any], prefix: str, model_root) -> dict[str, Any]:
    """The report restricted to the models and files under one source root."""
    under = (prefix + "/") if prefix else ""
    sub = dict(doc)
    sub["models"] = [m for m in doc.get("models", []) if model_root(m) == prefix]
    sub["files"] = [f for f in doc.get("files", []) if f.get("path", "").startswith(under)]
    return sub
