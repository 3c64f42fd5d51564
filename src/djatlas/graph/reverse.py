"""Reverse relations as Django's ``_meta.get_fields()`` lists them.

- A relation adds a reverse relation to the model it points at: its ``related_name``, else
  ``<model>_set`` (``<model>`` for a one-to-one field), ``+`` hidden; a generic relation's is
  its ``related_query_name`` or ``+``. A generic relation a multi-table child or a proxy
  inherits is a copy of the parent's with ``+`` (``mti_inherited``): one hidden reverse
  relation more per copy, which names the ancestor that declares the original (the copy keeps
  its original's cached ``related_model``).
- Django keys its relation tree by concrete model (``_populate_directed_relation_graph``): a
  relation to a proxy, or to its concrete model, is a reverse relation of the concrete model
  and of every proxy of it.
- ``get_fields()`` adds each multi-table parent's reverse relations (``include_parents``),
  recursively, but a parent link's (a child's ``<parent>_ptr``): those only on the parent's
  proxies.

An entry names the model holding the relation (``model``, ``field``), and ``via`` the model it
points at when that is not the model listing it (another of its family, or an ancestor).
"""

from __future__ import annotations

from operator import attrgetter

from djatlas.graph.types import Model, Reverse
from djatlas.records import replace

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from djatlas.graph.build import ProjectLabels

_by_model_field = attrgetter("model", "field")


class ReverseRelations:
    """Adds each model's relations to the models they point at, then shares them out."""

    def __init__(self, labels: ProjectLabels) -> None:
        self.labels = labels
        #: id(entry) -> the model its relation points at.
        self._target: dict[int, Model] = {}
        #: ids of the entries of parent links.
        self._links: set[int] = set()

    def add(self, model: Model) -> None:
        """The reverse relations ``model``'s relations add to the models they point at."""
        if model.abstract:
            return
        for f in model.fields:  # (a proxy's own: its generic relations)
            rel = f.relation
            if rel is None or rel.target is None or rel.kind == "GenericForeignKey":
                continue
            if f.origin == "parent" and rel.kind != "GenericRelation":
                continue  # held by the parent's table: the parent's relation
            target = self.labels.get(rel.target, model.project)
            if target is None:
                continue
            if rel.kind == "GenericRelation":
                name = rel.related_query_name or "+"  # GenericRel: related_query_name or "+"
            elif rel.related_name:
                name = rel.related_name
            elif rel.kind == "OneToOneField":
                name = model.name.lower()
            else:
                name = f"{model.name.lower()}_set"
            holder = model
            if f.origin == "parent":  # a copy: Django's keeps its original's related model
                holder = self._declaring(model, f.name) or model
            entry = Reverse(name, holder.label, f.name, rel.kind, name.endswith("+"))
            target.reverse_relations.append(entry)
            self._target[id(entry)] = target
            if rel.parent_link:
                self._links.add(id(entry))

    def _declaring(self, model: Model, name: str, depth: int = 0) -> Model | None:
        """The concrete ancestor whose own generic relation ``name`` is (a parent's copy
        named the same comes from further up)."""
        for label in model.parents:
            parent = self.labels.get(label, model.project)
            if parent is None or parent is model or depth > 50:
                continue
            for f in parent.fields:
                if f.name == name and f.relation is not None:
                    if f.origin != "parent":
                        return parent
                    return self._declaring(parent, name, depth + 1)
        return None

    def share(self, models: list[Model]) -> None:
        """Give every model the reverse relations ``get_fields()`` lists, sorted."""
        family: dict[int, list[Reverse]] = {}
        for m in models:
            if not m.abstract:
                family.setdefault(id(self._concrete(m)), []).extend(m.reverse_relations)
        listed: dict[int, list[Reverse]] = {}
        for m in models:
            if not m.abstract:
                self._listed(m, family, listed)
        for m in models:
            if not m.abstract:
                entries = [self._seen_from(e, m) for e in listed[id(m)]]
                m.reverse_relations = sorted(entries, key=_by_model_field)

    def _listed(
        self, m: Model, family: dict[int, list[Reverse]], listed: dict[int, list[Reverse]]
    ) -> list[Reverse]:
        """``m``'s entries: its parents' (not their parent links, but on a proxy), then its
        concrete family's (a proxy's come through its concrete parent)."""
        found = listed.get(id(m))
        if found is not None:
            return found
        listed[id(m)] = []  # (a cycle of parents adds nothing)
        concrete = self._concrete(m)
        out: list[Reverse] = []
        seen: set[int] = set()
        for label in m.parents:
            parent = self.labels.get(label, m.project)
            if parent is None or parent is m:
                continue
            for e in self._listed(parent, family, listed):
                if id(e) in self._links and self._target[id(e)] is not concrete:
                    continue
                if id(e) not in seen:
                    seen.add(id(e))
                    out.append(e)
        if not m.proxy:
            out += [e for e in family.get(id(concrete), ()) if id(e) not in seen]
        listed[id(m)] = out
        return out

    def _concrete(self, m: Model) -> Model:
        if m.concrete_model is None or m.concrete_model == m.label:
            return m
        return self.labels.get(m.concrete_model, m.project) or m

    def _seen_from(self, entry: Reverse, m: Model) -> Reverse:
        """The entry as ``m`` lists it: ``via`` the model it points at, when another."""
        target = self._target.get(id(entry), m)
        return entry if target is m else replace(entry, via=target.label)
