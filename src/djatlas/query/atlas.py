"""An index over one report document: models by key, id and class name, and every relation
field by the model it points at (including models outside the tree and auto-created M2M
through models, which the report does not list as models).

A model's key is its label when no other model of the report has that label, else its id (two
Django projects of a monorepo may both have ``vendor.Tag``): a tree without such twins is
answered in labels, as before, and twins are never merged. Relations, parents and concrete
models are followed by id."""

from __future__ import annotations

from collections import Counter
from typing import Any

from djatlas.graph.identity import ensure_ids, model_id
from djatlas.query import QueryError
from djatlas.records import dataclass, field

#: relation kinds that are a column (many-to-one / one-to-one)
COLUMN_KINDS = ("ForeignKey", "OneToOneField")


@dataclass(frozen=True)
class Relation:
    """One relation field, as Django's ``_meta`` has it on the model whose table holds it.

    ``model`` is that model's key (a label unless twins share it; for an auto-created M2M
    through model, its Django name, ``auth.User_groups``), ``target`` the key pointed at,
    ``field`` the report's field object (None for a through model's foreign keys).
    """

    model: str
    name: str
    kind: str
    target: str
    on_delete: str | None
    related_name: str | None = None
    related_query_name: str | None = None
    parent_link: bool = False
    null: bool = False
    auto_created: bool = False
    field: dict[str, Any] | None = None

    @property
    def qualified(self) -> str:
        """``app_label.Model.field``."""
        return f"{self.model}.{self.name}"


@dataclass
class Atlas:
    """The report's models and relations, indexed for questions."""

    doc: dict[str, Any]
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    incoming: dict[str, list[Relation]] = field(default_factory=dict)
    through: dict[str, Relation] = field(default_factory=dict)
    held: dict[str, list[Relation]] = field(default_factory=dict)
    #: answers worth keeping while the atlas lives (lookup steps, ...)
    memo: dict[str, Any] = field(default_factory=dict)
    #: model id -> key (its label, or its id when other models share the label)
    keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        models = ensure_ids(self.doc).get("models") or []
        count = Counter(m["label"] for m in models)
        for m in models:
            key = m["label"] if count[m["label"]] == 1 else model_id(m)
            self.keys[model_id(m)] = key
            self.models.setdefault(key, m)
        for m in models:
            if m.get("abstract") or m.get("proxy"):
                continue
            for f in m.get("fields") or []:
                if f.get("origin") != "parent":  # held by the parent's table
                    self._add_field(m, f)
        self.relations.sort(key=lambda r: (r.model, r.name))
        for r in self.relations:
            self.incoming.setdefault(self.concrete(r.target), []).append(r)
            self.held.setdefault(r.model, []).append(r)

    def key(self, m: dict[str, Any]) -> str:
        """A report model's key."""
        return self.keys.get(model_id(m), m["label"])

    def ref(self, label: str | None, id_: str | None) -> str | None:
        """The key of a model named by a label-valued key and its id-valued companion (the
        label itself for a model the report does not list)."""
        return self.keys.get(id_ or "", label) if id_ else label

    def _add_field(self, m: dict[str, Any], f: dict[str, Any]) -> None:
        rel = f.get("relation") or {}
        target = self.ref(rel.get("target"), rel.get("target_id"))
        if not target:
            return
        kind = rel.get("kind") or ""
        self.relations.append(
            Relation(
                self.key(m),
                f["name"],
                kind,
                target,
                rel.get("on_delete"),
                rel.get("related_name"),
                rel.get("related_query_name"),
                bool(rel.get("parent_link")) and target in self.parent_keys(m),
                bool(f.get("null")),
                False,
                f,
            )
        )
        if kind == "ManyToManyField" and not rel.get("through"):
            self._add_through(m, f["name"], target)

    def _add_through(self, m: dict[str, Any], name: str, target: str) -> None:
        """The foreign keys of the M2M through model Django creates (``auth.User_groups``)."""
        key = self.key(m)
        label = f"{key}_{name}"
        source_name = m["name"].lower()
        target_name = target.rpartition(".")[2].lower()
        if source_name == target_name:
            source_name, target_name = f"from_{source_name}", f"to_{target_name}"
        for column, to in ((source_name, key), (target_name, target)):
            r = Relation(
                label,
                column,
                "ForeignKey",
                to,
                "CASCADE",
                f"{label.rpartition('.')[2]}+",
                None,
                auto_created=True,
            )
            self.relations.append(r)
        self.through[label] = self.relations[-1]

    # -- models --------------------------------------------------------------------------
    def concrete(self, label: str) -> str:
        """The key of the model owning ``label``'s table (a proxy's concrete model)."""
        m = self.models.get(label)
        if not m:
            return label
        return self.ref(m.get("concrete_model"), m.get("concrete_model_id")) or label

    def parent_keys(self, m: dict[str, Any]) -> list[str]:
        """The keys of a model's ``parents``."""
        labels, ids = m.get("parents") or [], m.get("parent_ids") or []
        if len(ids) == len(labels):
            return [self.ref(label, i) or label for label, i in zip(labels, ids)]
        return list(labels)

    def parents(self, label: str) -> list[tuple[str, Relation | None]]:
        """Direct multi-table parents of ``label`` with the parent link field (when listed)."""
        m = self.models.get(label)
        if not m or m.get("proxy"):
            return []
        links = {r.target: r for r in self.outgoing(label) if r.parent_link}
        return [(p, links.get(p)) for p in self.parent_keys(m)]

    def ancestors(self, label: str) -> list[str]:
        """``label``'s multi-table ancestors, nearest first, each once."""
        seen: list[str] = []
        todo = [p for p, _ in self.parents(label)]
        while todo:
            p = todo.pop(0)
            if p not in seen:
                seen.append(p)
                todo.extend(q for q, _ in self.parents(p))
        return seen

    def outgoing(self, label: str) -> list[Relation]:
        """Relation fields held by ``label``'s own table."""
        return self.held.get(label, [])

    def known(self, label: str) -> bool:
        """Whether ``label`` is a model of the report or a relation target outside it."""
        return label in self.models or label in self.incoming or label in self.through

    def resolve(self, text: str) -> str:
        """The label a MODEL argument names: a label, a unique id, a class name (ambiguity
        listed), case-insensitively as a last resort; a label outside the tree that relations
        point at (``auth.User``) is accepted too."""
        if text in self.models:
            return text
        if text in self.keys:
            return self.keys[text]
        twins = [key for key, m in self.models.items() if m["label"] == text]
        if len(twins) > 1:
            raise QueryError(f"model {text!r} is ambiguous: {', '.join(sorted(twins))}")
        if text in self.incoming:
            return text
        hits = [label for label, m in self.models.items() if m["name"] == text]
        if not hits:
            low = text.lower()
            hits = [
                label
                for label, m in self.models.items()
                if m["name"].lower() == low or label.lower() == low
            ] or [label for label in self.incoming if label.lower() == low]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise QueryError(f"model {text!r} is ambiguous: {', '.join(sorted(hits))}")
        close = sorted(label for label in self.models if text.lower() in label.lower())[:5]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        if "." in text and not close:
            hint = " and no relation of the tree points at it"
        raise QueryError(f"no model {text!r} in the report{hint}")

    def location(self, m: dict[str, Any], f: dict[str, Any] | None = None) -> str | None:
        """``file:line`` of a model, or of one of its fields (where the field is written: an
        abstract base's file for an inherited field)."""
        file, line = m.get("file"), m.get("line")
        if f is not None:
            line = f.get("line")
            owner = self._classes().get(f.get("defined_in") or "")
            if owner is not None:
                file = owner.get("file")
        if not file:
            return None
        return f"{file}:{line}" if line else file

    def _classes(self) -> dict[str, dict[str, Any]]:
        if not hasattr(self, "_by_path"):
            self._by_path = {
                f"{m.get('module')}.{m['name']}": m for m in self.doc.get("models") or []
            }
        return self._by_path

    def model_info(self, label: str) -> dict[str, Any]:
        """The report's model object, or a stub for a model known only as a relation target."""
        m = self.models.get(label)
        if m is not None:
            return m
        app, _, name = label.rpartition(".")
        return {"label": label, "name": name, "app_label": app, "external": True}
