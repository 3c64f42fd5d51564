"""What deleting one row does, as Django's deletion ``Collector.collect`` would, model by model.

From the deleted model, every one-to-many / one-to-one relation pointing at it or at one of its
multi-table ancestors (``get_candidate_relations_to_delete``; a parent's links to its other
children excepted) acts by its ``on_delete``: CASCADE collects the related model, which is then
expanded the same way; PROTECT and RESTRICT block (RESTRICT is lifted when its model's rows are
also collected); SET_NULL, SET_DEFAULT and SET(...) update the column; DO_NOTHING is flagged.
Collecting a model collects its multi-table parents' rows too (without expanding them: their
relations are reached through the child's), and its GenericRelations collect the generic rows.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from djatlas.query.atlas import COLUMN_KINDS, Atlas, Relation

#: the impact object's list keys, in output order
CATEGORIES = ("cascade", "set_null", "set_default", "set", "protect", "restrict", "do_nothing")
_UPDATES = {"SET_NULL": "set_null", "SET_DEFAULT": "set_default", "SET": "set"}


def candidates(atlas: Atlas, label: str) -> list[Relation]:
    """The relations Collector acts on when rows of ``label`` (concrete) are deleted."""
    found = [r for r in atlas.incoming.get(label, []) if r.kind in COLUMN_KINDS]
    for parent in atlas.ancestors(label):
        found.extend(
            r
            for r in atlas.incoming.get(parent, [])
            if r.kind in COLUMN_KINDS and not r.parent_link
        )
    return found


def generic_relations(atlas: Atlas, label: str) -> list[Relation]:
    """GenericRelation fields of ``label`` (its parents' included): they collect generic rows."""
    m = atlas.models.get(label) or {}
    found = []
    for f in m.get("fields") or []:
        rel = f.get("relation") or {}
        target = atlas.ref(rel.get("target"), rel.get("target_id"))
        if rel.get("kind") == "GenericRelation" and target:
            found.append(Relation(label, f["name"], "GenericRelation", target, "CASCADE", field=f))
    return found


def impact(
    atlas: Atlas, label: str, depth: int | None = None, unknown: list[str] | None = None
) -> dict[str, Any]:
    """The impact object of deleting one row of ``label`` (README: "Ask it"). Relations
    reached whose ``on_delete`` djatlas could not name are appended to ``unknown``."""
    root = atlas.concrete(label)
    chains: dict[str, list[str]] = {root: []}  # collected model -> steps reaching it
    expanded: set[str] = set()
    entries: dict[str, dict[str, list[str]]] = {c: {} for c in CATEGORIES}
    recollected = False
    queue = deque([(root, True)])
    while queue:
        current, related = queue.popleft()
        chain = chains[current]
        for parent, link in atlas.parents(current):
            if parent not in chains:
                step = link.qualified if link else f"{current} -> {parent}"
                chains[parent] = [*chain, step]
                queue.append((parent, False))
        if not related or current in expanded or (depth is not None and len(chain) >= depth):
            continue
        expanded.add(current)
        generic = generic_relations(atlas, current)
        for r in candidates(atlas, current) + generic:
            steps = [*chain, r.qualified]
            action = r.on_delete or "unknown"
            if action == "CASCADE":
                reached = r.target if r in generic else r.model
                recollected |= reached == root
                if reached not in chains:
                    chains[reached] = steps
                if reached not in expanded:
                    queue.append((reached, True))
                continue
            category = {
                "PROTECT": "protect",
                "RESTRICT": "restrict",
                "DO_NOTHING": "do_nothing",
            }.get(action) or _UPDATES.get(action)
            if category is None:
                if unknown is not None and r.qualified not in unknown:
                    unknown.append(r.qualified)
                continue
            entries[category].setdefault(r.qualified, steps)
    collected = {m for m in chains if m != root}
    result: dict[str, Any] = {}
    paths: dict[str, list[str]] = {}
    for category in CATEGORIES:
        items = {m: chains[m] for m in collected} if category == "cascade" else entries[category]
        if category == "restrict":  # lifted when the same rows are collected anyway
            items = {
                k: v
                for k, v in items.items()
                if k.rpartition(".")[0] not in collected
                and not (k.rpartition(".")[0] == root and recollected)
            }
        result[category] = sorted(items)
        for key in result[category]:
            paths.setdefault(key, items[key])
    result["paths"] = {k: paths[k] for k in sorted(paths)}
    return result


def deletable(atlas: Atlas) -> list[str]:
    """Every concrete model of the report (``impact --all``), in report order."""
    return [
        atlas.key(m)
        for m in atlas.doc.get("models") or []
        if not m.get("abstract") and not m.get("proxy") and not m.get("external")
    ]
