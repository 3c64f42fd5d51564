"""ORM lookup paths between two models (``order__lines__product``), shortest first.

A step follows a forward relation field by its name, or a reverse relation by its query name
(``related_query_name``, else ``related_name``, else the model name, as Django's
``related_query_name()``). Fields and reverse relations of multi-table ancestors are usable on a
child, as in a queryset; hidden reverse relations (``related_name='+'`` without a
``related_query_name``), auto-created through models and GenericForeignKeys are not lookups.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from djatlas.query.atlas import Atlas, Relation
from djatlas.records import dataclass

_FORWARD = {
    "ForeignKey": "many-to-one",
    "OneToOneField": "one-to-one",
    "ManyToManyField": "many-to-many",
    "GenericRelation": "one-to-many",
    "RelatedField": "many-to-many",
}
_REVERSE = {
    "ForeignKey": "one-to-many",
    "OneToOneField": "one-to-one",
    "ManyToManyField": "many-to-many",
    "GenericRelation": "many-to-one",
    "RelatedField": "many-to-many",
}


@dataclass(frozen=True)
class Step:
    """One ``__`` hop: the lookup name, the model reached, the field and its direction."""

    name: str
    source: str
    target: str
    cardinality: str
    field: str
    reverse: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "lookup": self.name,
            "from": self.source,
            "to": self.target,
            "cardinality": self.cardinality,
            "field": self.field,
            "direction": "reverse" if self.reverse else "forward",
        }


def query_name(r: Relation) -> str | None:
    """The name a reverse relation is queried by, None when it cannot be."""
    if r.kind == "GenericRelation":
        return r.related_query_name
    name = r.related_query_name or r.related_name
    if name and (name.endswith("+") and not r.related_query_name):
        return None
    return name or r.model.rpartition(".")[2].lower()


def steps_from(atlas: Atlas, label: str) -> list[Step]:
    """Every lookup step available on ``label``'s querysets, in a stable order."""
    owners = [atlas.concrete(label), *atlas.ancestors(atlas.concrete(label))]
    steps: list[Step] = []
    for owner in owners:
        for r in atlas.outgoing(owner):
            if r.kind in _FORWARD and not r.auto_created:
                steps.append(
                    Step(
                        r.name,
                        label,
                        atlas.concrete(r.target),
                        _FORWARD[r.kind],
                        r.qualified,
                        False,
                    )
                )
        for r in atlas.incoming.get(owner, []):
            if r.auto_created or r.kind not in _REVERSE or (r.parent_link and owner != owners[0]):
                continue  # a parent's links to its children are not the child's lookups
            name = query_name(r)
            if name:
                steps.append(Step(name, label, r.model, _REVERSE[r.kind], r.qualified, True))
    seen: set[str] = set()
    unique = []
    for s in steps:  # a child's own name wins over an ancestor's
        if s.name not in seen:
            seen.add(s.name)
            unique.append(s)
    return unique


def lookup_paths(
    atlas: Atlas, source: str, target: str, max_steps: int = 4, limit: int = 10
) -> list[list[Step]]:
    """Simple paths (no model twice, except a path back to ``source`` itself) from ``source``
    to ``target``, shortest first, then by lookup string; at most ``limit`` of them, each of at
    most ``max_steps`` steps."""
    goal = atlas.concrete(target)
    start = atlas.concrete(source)
    steps = all_steps(atlas)
    distance = _distances(steps, goal)
    found: list[list[Step]] = []
    queue: deque[tuple[str, list[Step]]] = deque([(start, [])])
    while queue:
        label, path = queue.popleft()
        if path and label == goal:
            found.append(path)
            continue
        if len(found) >= limit and len(path) + 1 > len(found[-1]):
            break
        visited = {start, *(s.target for s in path)} - {goal}
        for s in steps.get(label, []):
            if s.target in visited or len(path) + 1 + distance.get(s.target, max_steps) > max_steps:
                continue
            queue.append((s.target, [*path, s]))
    found.sort(key=lambda p: (len(p), lookup(p)))
    return found[:limit]


def all_steps(atlas: Atlas) -> dict[str, list[Step]]:
    """Every model's lookup steps (computed once per atlas)."""
    cached = atlas.memo.get("steps")
    if cached is None:
        cached = atlas.memo["steps"] = {label: steps_from(atlas, label) for label in _labels(atlas)}
    return cached


def _labels(atlas: Atlas) -> list[str]:
    concrete = {atlas.concrete(label) for label in atlas.models}
    return sorted(concrete | set(atlas.incoming))


def _distances(steps: dict[str, list[Step]], goal: str) -> dict[str, int]:
    """Fewest steps from each model to ``goal`` (breadth-first over the reversed steps)."""
    back: dict[str, set[str]] = {}
    for label, out in steps.items():
        for s in out:
            back.setdefault(s.target, set()).add(label)
    distance = {goal: 0}
    queue = deque([goal])
    while queue:
        label = queue.popleft()
        for prev in sorted(back.get(label, ())):
            if prev not in distance:
                distance[prev] = distance[label] + 1
                queue.append(prev)
    return distance


def lookup(path: list[Step]) -> str:
    """``a__b__c``."""
    return "__".join(s.name for s in path)


def paths_json(source: str, target: str, paths: list[list[Step]]) -> dict[str, Any]:
    """The JSON answer of ``djatlas path``."""
    return {
        "source": source,
        "target": target,
        "paths": [
            {"lookup": lookup(p), "length": len(p), "steps": [s.as_json() for s in p]}
            for p in paths
        ],
    }
