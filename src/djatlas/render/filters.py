"""Model selection shared by the diagram renderers.

Every diagram format (and the HTML atlas) applies the same filters from ``RenderOptions``:
``--app LABEL`` (repeatable), ``--model NAME`` with ``--depth N`` (the neighbourhood of one
model), ``--exclude-model GLOB``, ``--hide-abstract``, ``--hide-inherited`` and ``--no-fields``.
The result is a :class:`View`: the selected models, the fields to show for each and the edges
(relations and inheritance) between selected models.
"""

from __future__ import annotations

import fnmatch
from collections import Counter, deque
from collections.abc import Callable, Iterable
from typing import Any

from djatlas.graph.identity import ensure_ids
from djatlas.records import dataclass, field
from djatlas.render import RenderOptions, filtering

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
    ``source`` and ``target`` are model ids (see graph/identity.py).
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
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per model id of the whole report: its label, or its label and module when two models
    #: share the label (what a diagram shows as the box's name).
    titles: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_label = {m["label"]: m for m in self.models}
        self.by_id = {m["id"]: m for m in self.models}
        self.titles = model_titles(self.doc.get("models") or [])

    @property
    def labels(self) -> list[str]:
        return [m["label"] for m in self.models]

    @property
    def ids(self) -> list[str]:
        return [m["id"] for m in self.models]

    def title(self, model: dict[str, Any]) -> str:
        return self.titles.get(model["id"]) or model["label"]

    def node_ids(self, token: Callable[[str], str]) -> dict[str, str]:
        """``token(key)`` per model id of the report, made unique (a short hash of the id is
        added on a clash); the key is the label, or the id for models sharing a label."""
        out: dict[str, str] = {}
        taken: set[str] = set()
        for m in self.doc.get("models") or []:
            key = m["label"] if self.titles.get(m["id"]) == m["label"] else m["id"]
            name = token(key)
            if name in taken:
                from hashlib import sha1  # only for clashing names (OpenSSL loads slowly)

                name = token(key + "_" + sha1(m["id"].encode()).hexdigest()[:8])
            taken.add(name)
            out[m["id"]] = name
        return out

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
        """Selected models grouped by app label, apps in report order (an app label that
        several projects of the tree use is named ``label (project)``)."""
        order = [a["label"] for a in self.doc.get("apps") or []]
        projects: dict[str, set[str | None]] = {}
        for m in self.doc.get("models") or []:
            projects.setdefault(m["app_label"], set()).add(m.get("project"))
        groups: dict[str, list[dict[str, Any]]] = {}
        for m in self.models:
            app = m["app_label"]
            if len(projects.get(app, ())) > 1:
                app = f"{app} ({m.get('project') or '-'})"
            groups.setdefault(app, []).append(m)

        def rank(a: str) -> tuple[int, str]:
            label = a.split(" (", 1)[0]
            return (order.index(label) if label in order else len(order), a)

        ranked = sorted(groups, key=rank)
        return [(a, groups[a]) for a in ranked]


def model_titles(models: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Per model id: its label, or ``label (module)`` when other models share the label."""
    models = list(models)
    count = Counter(m["label"] for m in models)
    return {
        m["id"]: m["label"] if count[m["label"]] == 1 else f"{m['label']} ({_where(m)})"
        for m in models
    }


def _where(m: dict[str, Any]) -> str:
    suffix = "." + m["name"]
    return m["id"][: -len(suffix)] if m["id"].endswith(suffix) else m["id"]


def dotted_paths(doc: dict[str, Any]) -> dict[str, str]:
    """Map each model's dotted class path (``module.Name``) to its id."""
    return {f"{m['module']}.{m['name']}": m["id"] for m in doc.get("models") or []}


def all_edges(doc: dict[str, Any], models: Iterable[dict[str, Any]]) -> list[Edge]:
    """Relation and inheritance edges declared by ``models`` (targets may be anywhere)."""
    ensure_ids(doc)
    by_id = {m["id"]: m for m in doc.get("models") or []}
    edges: list[Edge] = []
    for m in models:
        parent_links = set()
        parents = m.get("parent_ids") or []
        for f in m.get("fields") or []:
            rel = f.get("relation")
            if not rel or rel.get("kind") not in RELATION_KINDS or not rel.get("target_id"):
                continue
            if f.get("origin") == "parent":  # drawn from the parent that declares it
                continue
            target = rel["target_id"]
            if rel.get("parent_link") and target in parents:
                parent_links.add(target)
                edges.append(Edge(m["id"], target, "parent", f["name"], field=f))
                continue
            edges.append(
                Edge(
                    m["id"],
                    target,
                    rel["kind"],
                    f["name"],
                    bool(f.get("null")),
                    rel.get("through"),
                    f,
                )
            )
        for parent in [] if m.get("proxy") else parents:
            if parent not in parent_links:
                edges.append(Edge(m["id"], parent, "parent"))
        concrete = m.get("concrete_model_id")
        if m.get("proxy") and concrete and concrete != m["id"]:
            target = concrete
            for b in m.get("bases") or []:  # the proxied class itself, if it is a model
                if b.get("model_id") in by_id:
                    target = b["model_id"]
                    break
            edges.append(Edge(m["id"], target, "proxy"))
        for b in m.get("bases") or []:
            base = by_id.get(b.get("model_id") or "")
            if base is not None and base.get("abstract"):
                edges.append(Edge(m["id"], base["id"], "abstract"))
    return edges


def find_model(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """The model named ``name``: an id, a unique label (``shop.Product``) or a unique class
    name."""
    ensure_ids(doc)
    models = doc.get("models") or []
    for m in models:
        if m["id"] == name:
            return m
    lower = name.lower()
    hits = (
        [m for m in models if m["label"] == name]
        or [m for m in models if m["name"] == name]
        or [m for m in models if m["name"].lower() == lower or m["label"].lower() == lower]
    )
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise FilterError(
            f"model {name!r} is ambiguous: " + ", ".join(sorted(m["id"] for m in hits))
        )
    close = sorted(m["label"] for m in models if name.lower() in m["label"].lower())[:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise FilterError(f"no model {name!r} in the report{hint}")


def _excluded(model: dict[str, Any], globs: list[str]) -> bool:
    return any(
        fnmatch.fnmatchcase(model["label"], g) or fnmatch.fnmatchcase(model["name"], g)
        for g in globs
    )


def _installed(doc: dict[str, Any], model: dict[str, Any]) -> bool:
    """The model's app is in its project's INSTALLED_APPS (``apps[].installed``)."""
    for app in doc.get("apps") or []:
        if model["id"] in _app_model_ids(app) and app.get("project") == model.get("project"):
            return app.get("installed") is True
    return False


def _app_model_ids(app: dict[str, Any]) -> list[str]:
    """An app's model ids (its model labels in a report written before ids)."""
    ids = app.get("model_ids")
    return list(ids) if ids is not None else list(app.get("models") or [])


def select(doc: dict[str, Any], options: RenderOptions | None = None) -> View:
    """Apply the shared filters to ``doc`` and return the :class:`View` to draw."""
    options = options or RenderOptions()
    ensure_ids(doc)
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
    if options.include_models:
        models = [m for m in models if _excluded(m, options.include_models)]
    if options.installed_only:
        models = [m for m in models if _installed(doc, m)]
    if options.apps:
        models = [m for m in models if m["app_label"] in options.apps]
    if options.model:
        centre = find_model(doc, options.model)
        pool = {m["id"] for m in models}
        if centre["id"] not in pool:
            raise FilterError(f"model {centre['label']!r} is excluded by the other filters")
        adjacent: dict[str, set[str]] = {key: set() for key in pool}
        for e in all_edges(doc, models):
            if e.source in pool and e.target in pool:
                adjacent[e.source].add(e.target)
                adjacent[e.target].add(e.source)
        depth = max(0, options.depth)
        seen = {centre["id"]: 0}
        queue = deque([centre["id"]])
        while queue:
            key = queue.popleft()
            if seen[key] >= depth:
                continue
            for nxt in sorted(adjacent[key]):
                if nxt not in seen:
                    seen[nxt] = seen[key] + 1
                    queue.append(nxt)
        models = [m for m in models if m["id"] in seen]
    chosen = {m["id"] for m in models}
    edges = [e for e in all_edges(doc, models) if e.target in chosen]
    return View(doc=doc, models=models, edges=edges, options=options)


def filter_document(doc: dict[str, Any], options: RenderOptions) -> dict[str, Any]:
    """The report document restricted to the models ``options`` select (the formats that
    render the whole document: Markdown, JSON, YAML). Selected models keep every field and
    reverse relation, also those to models left out; ``metadata.filter`` says what was
    selected and names those models (``related_outside``). Counts in ``summary`` are those of
    the selected models; ``files`` still accounts for the whole scan."""
    if not filtering(options):
        return doc
    view = select(doc, options)
    models = [m for m in doc.get("models") or [] if m["id"] in view.by_id]
    keep = {m["id"] for m in models} | {m["label"] for m in models}
    apps = [_app_part(a, keep) for a in doc.get("apps") or []]
    apps = [a for a in apps if a["label"] in options.apps or a["models"]]
    out = dict(doc)
    out["models"], out["apps"] = models, apps
    out["diagnostics"] = [
        d
        for d in doc.get("diagnostics") or []
        if not d.get("model") or (d.get("model_id") or d["model"]) in keep
    ]
    out["summary"] = {**(doc.get("summary") or {}), **_model_counts(models), "apps": len(apps)}
    out["metadata"] = {
        **(doc.get("metadata") or {}),
        "filter": {
            "apps": list(options.apps),
            "model": options.model,
            "depth": options.depth if options.model else None,
            "exclude_models": list(options.exclude_models),
            "include_models": list(options.include_models),
            "installed_only": options.installed_only,
            "hide_abstract": options.hide_abstract,
            "models_total": len(doc.get("models") or []),
            "related_outside": _outside(models, keep),
        },
    }
    return out


def _app_part(app: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    """An apps[] entry with only the kept models (by id; by label in a report without ids)."""
    labels, ids = app.get("models") or [], app.get("model_ids")
    if ids is None or len(ids) != len(labels):
        return {**app, "models": [label for label in labels if label in keep]}
    pairs = [(label, i) for label, i in zip(labels, ids) if i in keep]
    return {**app, "models": [p[0] for p in pairs], "model_ids": [p[1] for p in pairs]}


def _model_counts(models: list[dict[str, Any]]) -> dict[str, int]:
    fields = [f for m in models for f in m.get("fields") or [] if f.get("origin") != "parent"]
    return {
        "models": len(models),
        "concrete_models": sum(1 for m in models if not m.get("abstract") and not m.get("proxy")),
        "abstract_models": sum(1 for m in models if m.get("abstract")),
        "proxy_models": sum(1 for m in models if m.get("proxy")),
        "fields": sum(1 for f in fields if not f.get("relation")),
        "relationships": sum(1 for f in fields if f.get("relation")),
    }


def _outside(models: list[dict[str, Any]], keep: set[str]) -> list[str]:
    """Labels of left-out models the selected ones relate to (either way) or inherit from
    (``keep``: the selected models' ids and labels; a model is matched by id when it has one)."""
    found: set[str] = set()
    for m in models:
        named: list[tuple[str | None, str | None]] = []
        for f in m.get("fields") or []:
            rel = f.get("relation") or {}
            named += [(rel.get("target"), rel.get("target_id"))]
            named += [(rel.get("through"), rel.get("through_id"))]
        named += [(r["model"], r.get("model_id")) for r in m.get("reverse_relations") or []]
        parents, parent_ids = m.get("parents") or [], m.get("parent_ids") or []
        pairs = zip(parents, parent_ids) if len(parent_ids) == len(parents) else []
        named += list(pairs) or [(p, None) for p in parents]
        found.update(label for label, i in named if label and (i or label) not in keep)
    return sorted(found)
