"""Model selection shared by the diagram renderers.

Every diagram format (and the HTML atlas) applies the same filters from ``RenderOptions``:
``--app LABEL`` (repeatable), ``--model NAME`` with ``--depth N`` (the neighbourhood of one
model), ``--exclude-model GLOB``, ``--hide-abstract``, ``--hide-inherited`` and ``--no-fields``.
The result is a :class:`View`: the selected models, the fields to show for each and the edges
(relations and inheritance) between selected models.
"""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from djatlas.render import RenderOptions

RELATION_KINDS = ("ForeignKey", "OneToOneField", "ManyToManyField")


class FilterError(ValueError):
    """A filter option names something the report does not contain."""


@dataclass(frozen=True)
class Edge:
    """A link between two selected models.

    ``kind`` is ``ForeignKey``, ``OneToOneField``, ``ManyToManyField`` (``source`` declares the
    field ``name`` pointing at ``target``), ``parent`` (multi-table inheritance: ``source``'s
    concrete parent is ``target``), ``proxy`` (``source`` proxies ``target``) or ``abstract``
    (``source`` extends the abstract model ``target``).
    """

    source: str
    target: str
    kind: str
    name: str = ""
    null: bool = False
    through: str | None = None
    field: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        """The edge's caption: the field name (with its through model), or the link kind."""
        text = {"parent": "parent", "proxy": "proxy of", "abstract": "extends"}.get(
            self.kind, self.name
        )
        return f"{text} (through {self.through})" if self.through else text


@dataclass
class View:
    """What a diagram shows: models (in report order), their fields and the edges."""

    doc: dict[str, Any]
    models: list[dict[str, Any]]
    edges: list[Edge]
    options: RenderOptions
    by_label: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_label = {m["label"]: m for m in self.models}

    @property
    def labels(self) -> list[str]:
        return [m["label"] for m in self.models]

    def fields(self, model: dict[str, Any]) -> list[dict[str, Any]]:
        """The fields to draw in ``model``'s box ([] with ``--no-fields``)."""
        if self.options.no_fields:
            return []
        # fields of a multi-table parent (origin "parent") live in the parent's box
        fields = [f for f in model.get("fields") or [] if f.get("origin") != "parent"]
        if self.options.hide_inherited:
            fields = [f for f in fields if f.get("origin") != "inherited"]
        return list(fields)

    def apps(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Selected models grouped by app label, apps in report order."""
        order = [a["label"] for a in self.doc.get("apps") or []]
        groups: dict[str, list[dict[str, Any]]] = {}
        for m in self.models:
            groups.setdefault(m["app_label"], []).append(m)
        ranked = sorted(groups, key=lambda a: (order.index(a) if a in order else len(order), a))
        return [(a, groups[a]) for a in ranked]


def dotted_paths(doc: dict[str, Any]) -> dict[str, str]:
    """Map each model's dotted class path (``module.Name``) to its label."""
    return {f"{m['module']}.{m['name']}": m["label"] for m in doc.get("models") or []}


def all_edges(doc: dict[str, Any], models: Iterable[dict[str, Any]]) -> list[Edge]:
    """Relation and inheritance edges declared by ``models`` (targets may be anywhere)."""
    paths = dotted_paths(doc)
    labels = {m["label"]: m for m in doc.get("models") or []}
    edges: list[Edge] = []
    for m in models:
        parent_links = set()
        for f in m.get("fields") or []:
            rel = f.get("relation")
            if not rel or rel.get("kind") not in RELATION_KINDS or not rel.get("target"):
                continue
            if f.get("origin") == "parent":  # drawn from the parent that declares it
                continue
            if rel.get("parent_link") and rel["target"] in (m.get("parents") or []):
                parent_links.add(rel["target"])
                edges.append(Edge(m["label"], rel["target"], "parent", f["name"], field=f))
                continue
            edges.append(Edge(m["label"], rel["target"], rel["kind"], f["name"],
                              bool(f.get("null")), rel.get("through"), f))
        for parent in [] if m.get("proxy") else (m.get("parents") or []):
            if parent not in parent_links:
                edges.append(Edge(m["label"], parent, "parent"))
        if m.get("proxy") and m.get("concrete_model") and m["concrete_model"] != m["label"]:
            target = m["concrete_model"]
            for b in m.get("bases") or []:  # the proxied class itself, if it is a model
                if paths.get(b.get("resolved") or "") in labels:
                    target = paths[b["resolved"]]
                    break
            edges.append(Edge(m["label"], target, "proxy"))
        for b in m.get("bases") or []:
            base = paths.get(b.get("resolved") or "")
            if base and labels[base].get("abstract"):
                edges.append(Edge(m["label"], base, "abstract"))
    return edges


def find_model(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """The model named ``name``: a label (``shop.Product``) or a unique class name."""
    models = doc.get("models") or []
    for m in models:
        if m["label"] == name:
            return m
    hits = [m for m in models if m["name"] == name] or [
        m for m in models if m["name"].lower() == name.lower() or m["label"].lower() == name.lower()
    ]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise FilterError(
            f"model {name!r} is ambiguous: " + ", ".join(sorted(m["label"] for m in hits))
        )
    close = sorted(m["label"] for m in models if name.lower() in m["label"].lower())[:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise FilterError(f"no model {name!r} in the report{hint}")


def _excluded(model: dict[str, Any], globs: list[str]) -> bool:
    return any(
        fnmatch.fnmatchcase(model["label"], g) or fnmatch.fnmatchcase(model["name"], g)
        for g in globs
    )


def select(doc: dict[str, Any], options: RenderOptions | None = None) -> View:
    """Apply the shared filters to ``doc`` and return the :class:`View` to draw."""
    options = options or RenderOptions()
    models = list(doc.get("models") or [])
    known_apps = {a["label"] for a in doc.get("apps") or []} | {m["app_label"] for m in models}
    for app in options.apps:
        if app not in known_apps:
            raise FilterError(
                f"no app {app!r} in the report (apps: {', '.join(sorted(known_apps)) or 'none'})"
            )
    if options.hide_abstract:
        models = [m for m in models if not m.get("abstract")]
    if options.exclude_models:
        models = [m for m in models if not _excluded(m, options.exclude_models)]
    if options.apps:
        models = [m for m in models if m["app_label"] in options.apps]
    if options.model:
        centre = find_model(doc, options.model)
        pool = {m["label"] for m in models}
        if centre["label"] not in pool:
            raise FilterError(f"model {centre['label']!r} is excluded by the other filters")
        adjacent: dict[str, set[str]] = {label: set() for label in pool}
        for e in all_edges(doc, models):
            if e.source in pool and e.target in pool:
                adjacent[e.source].add(e.target)
                adjacent[e.target].add(e.source)
        depth = max(0, options.depth)
        seen = {centre["label"]: 0}
        queue = deque([centre["label"]])
        while queue:
            label = queue.popleft()
            if seen[label] >= depth:
                continue
            for nxt in sorted(adjacent[label]):
                if nxt not in seen:
                    seen[nxt] = seen[label] + 1
                    queue.append(nxt)
        models = [m for m in models if m["label"] in seen]
    chosen = {m["label"] for m in models}
    edges = [e for e in all_edges(doc, models) if e.target in chosen]
    return View(doc=doc, models=models, edges=edges, options=options)
