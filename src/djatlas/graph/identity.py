"""Model identity: an id unique in the report, and label → id lookups.

A label (``app_label.Model``) is the human name of a model, but it is not unique in a tree: two
abstract ``utils.AuditedModel`` in two packages, or two Django projects of a monorepo that both
have a ``vendor.Tag``. The id is ``module.Class`` (what ``Model.__module__`` and ``__name__``
say at run time, so static and runtime reports agree); when two files define the same module
(the same package name in two source roots of a monorepo) the source root is put in front
(``svc-mysql/svc.models.Instance``), and if that still collides, the file (``path.py:Class``).

Label-valued keys (``parents``, relation ``target``, ...) get id-valued companions: a label is
looked up among the models of the same Django project first, concrete models before abstract
ones, then the file nearest to the referring one. ``ensure_ids`` fills the ids into a report
document written before they existed.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable

from djatlas.records import dataclass

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


def source_root(file: str | None, module: str) -> str | None:
    """The folder ``module``'s import path starts from, given the file that defines it."""
    if not file or not file.endswith(".py"):
        return None
    parts = file[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    mod = module.split(".")
    if len(mod) <= len(parts) and parts[len(parts) - len(mod) :] == mod:
        return "/".join(parts[: len(parts) - len(mod)])
    return os.path.dirname(file)


def unique_ids(entries: list[tuple[str, str, str | None]]) -> list[str]:
    """One id per ``(module, name, file)``, unique over the list and deterministic."""
    ids = [f"{module}.{name}" for module, name, _ in entries]
    for _round in range(2):
        count: dict[str, int] = defaultdict(int)
        for i in ids:
            count[i] += 1
        if all(n == 1 for n in count.values()):
            break
        for k, (module, name, file) in enumerate(entries):
            if count[ids[k]] < 2:
                continue
            if _round == 0:
                root = source_root(file, module)
                ids[k] = f"{root}/{module}.{name}" if root else f"{module}.{name}"
            else:
                ids[k] = f"{file}:{name}" if file else f"{module}.{name}#{k}"
    return ids


@dataclass(frozen=True, eq=False, repr=False)
class Entry:
    """What the lookups need to know of one model."""

    id: str
    label: str
    path: str  # module.Class
    project: str | None
    abstract: bool
    file: str | None


class Lookup:
    """label → id and dotted class path → id, from the point of view of a referring model."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.by_label: dict[str, list[Entry]] = defaultdict(list)
        self.by_label_ci: dict[str, list[Entry]] = defaultdict(list)
        self.by_path: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            self.by_label[e.label].append(e)
            self.by_label_ci[e.label.lower()].append(e)
            self.by_path[e.path].append(e)
        #: The labels of one model each (most): their id, wherever the reference is from.
        self.unique = {k: v[0].id for k, v in self.by_label.items() if len(v) == 1}

    def label(self, label: str | None, project: str | None, file: str | None) -> str | None:
        if not label:
            return None
        got = self.unique.get(label)
        if got is not None:
            return got
        hits = self.by_label.get(label) or self.by_label_ci.get(label.lower()) or []
        concrete = [e for e in hits if not e.abstract]
        return _best(concrete or hits, project, file)

    def path(self, path: str | None, project: str | None, file: str | None) -> str | None:
        return _best(self.by_path.get(path or "") or [], project, file) if path else None


def _best(hits: list[Entry], project: str | None, file: str | None) -> str | None:
    if len(hits) > 1:
        same = [e for e in hits if e.project == project]
        hits = same or hits
    if len(hits) > 1 and file:
        hits = sorted(hits, key=lambda e: (-_shared(e.file or "", file), e.id))
    return hits[0].id if hits else None


def _shared(a: str, b: str) -> int:
    """How many leading folders two paths share."""
    n = 0
    for x, y in zip(a.split("/")[:-1], b.split("/")[:-1]):
        if x != y:
            break
        n += 1
    return n


# -- the typed graph ----------------------------------------------------------------------
def assign(models: list[Any], diagnostics: list[Any]) -> None:
    """Set ids and every id-valued key on the typed graph (``graph.types``)."""
    ids = unique_ids([(m.module, m.name, m.file) for m in models])
    for m, i in zip(models, ids):
        m.id = i
    lookup = Lookup(
        Entry(m.id, m.label, f"{m.module}.{m.name}", m.project, m.abstract, m.file) for m in models
    )
    label = lookup.label
    for m in models:
        project, file = m.project, m.file
        m.parent_ids = [x for x in (label(p, project, file) for p in m.parents) if x]
        m.concrete_model_id = (
            m.id if m.concrete_model == m.label else label(m.concrete_model, project, file)
        )
        for b in m.bases:
            b.model_id = lookup.path(b.resolved, project, file)
        for f in m.fields:
            rel = f.relation
            if rel is not None:  # (``label`` of no label is None: most relations' through)
                rel.target_id = label(rel.target, project, file) if rel.target else None
                rel.through_id = label(rel.through, project, file) if rel.through else None
        for r in m.reverse_relations:
            r.model_id = label(r.model, project, file)
            if r.via is not None:
                r.via_id = label(r.via, project, file)
    by_file_label = {(m.file, m.label): m for m in models}
    for d in diagnostics:
        if d.model:
            hit = by_file_label.get((d.file, d.model))
            d.model_id = hit.id if hit is not None else lookup.label(d.model, None, d.file)


# -- report documents ---------------------------------------------------------------------
def ensure_ids(doc: dict[str, Any]) -> dict[str, Any]:
    """Fill ids into a report document that has none (written before ids existed, or by
    hand); a document whose models all have ids is returned unchanged. Works in place."""
    models = [m for m in doc.get("models") or [] if isinstance(m, dict)]
    if all(m.get("id") for m in models):
        return doc
    ids = unique_ids([(str(m.get("module")), str(m.get("name")), m.get("file")) for m in models])
    for m, i in zip(models, ids):
        m["id"] = i
    lookup = Lookup(
        Entry(
            m["id"],
            str(m.get("label")),
            f"{m.get('module')}.{m.get('name')}",
            m.get("project"),
            bool(m.get("abstract")),
            m.get("file"),
        )
        for m in models
    )
    for m in models:
        where = (m.get("project"), m.get("file"))
        parents = [lookup.label(p, *where) for p in m.get("parents") or []]
        m["parent_ids"] = [x for x in parents if x]
        cm = m.get("concrete_model")
        m["concrete_model_id"] = m["id"] if cm == m.get("label") else lookup.label(cm, *where)
        for b in m.get("bases") or []:
            b["model_id"] = lookup.path(b.get("resolved"), *where)
        for f in m.get("fields") or []:
            rel = f.get("relation")
            if isinstance(rel, dict):
                rel["target_id"] = lookup.label(rel.get("target"), *where)
                rel["through_id"] = lookup.label(rel.get("through"), *where)
        for r in m.get("reverse_relations") or []:
            r["model_id"] = lookup.label(r.get("model"), *where)
            if r.get("via") is not None:
                r["via_id"] = lookup.label(r.get("via"), *where)
    return doc


def model_id(model: dict[str, Any]) -> str:
    """A model document's id (``module.Class`` for a document without ids)."""
    return model.get("id") or f"{model.get('module')}.{model.get('name')}"
