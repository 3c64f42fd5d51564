"""The migrations view of one tree: load the files, build the graph, replay the state."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from djatlas.migrations.graph import Key, MigrationGraph, build_graph
from djatlas.migrations.loader import LoadResult, load
from djatlas.migrations.operations import Operation
from djatlas.migrations.state import ProjectState, replay


@dataclass
class MigrationProject:
    root: str
    doc: dict[str, Any]
    loaded: LoadResult
    graph: MigrationGraph
    state: ProjectState
    operations: dict[Key, list[Operation]]

    @property
    def tree_apps(self) -> list[str]:
        """Apps of the tree that have a migrations package (and at least one migration)."""
        return sorted(
            label
            for label, pkg in self.loaded.packages.items()
            if pkg.in_tree and any(k[0] == label for k in self.graph.nodes)
        )


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
) -> MigrationProject:
    auth = (doc.get("metadata") or {}).get("auth_user_model") or "auth.User"
    loaded = load(root, doc, include or [], exclude or [], cache_folder)
    graph = build_graph(loaded.files, auth)
    state, ops = replay(graph, auth, django_types(doc))
    return MigrationProject(
        root if os.path.isdir(root) else os.path.dirname(root), doc, loaded, graph, state, ops
    )
