"""Lookups over a report document shared by the rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from djatlas.records import dataclass

#: Relation kinds that give the target model a reverse accessor.
_REVERSE_KINDS = ("ForeignKey", "OneToOneField", "ManyToManyField")


def is_expr(value: Any) -> bool:
    """True for an ``{"$expr": ...}`` value (source text the scanner could not evaluate)."""
    return isinstance(value, dict) and set(value) == {"$expr"}


def expr_text(value: Any) -> str | None:
    return value["$expr"] if is_expr(value) else None


def params_opaque(params: dict[str, Any]) -> bool:
    """True when the call passes ``**kwargs`` or unnamed positionals: absent keys prove nothing."""
    return any(key == "**" or key.startswith("$") or key.startswith("*") for key in params)


def made_by_factory(field: dict[str, Any]) -> bool:
    """True when the field comes from a function call (``tenant_id = tenant_field()``): the
    report's ``params`` are then the call's arguments, not the field's."""
    written = str(field.get("type") or "").rsplit(".", 1)[-1]
    return bool(written) and not written[0].isupper()


def field_opaque(field: dict[str, Any]) -> bool:
    """The field's params cannot prove that an argument is absent."""
    return params_opaque(field.get("params") or {}) or made_by_factory(field)


@dataclass(frozen=True)
class Relation:
    """A relation field as seen from a concrete model (inherited ones included)."""

    model: dict[str, Any]
    field: dict[str, Any]
    file: str | None
    accessor: str | None  # reverse accessor on the target; None when hidden
    query_name: str | None

    @property
    def target(self) -> str | None:
        return (self.field.get("relation") or {}).get("target")


class Context:
    """The report being checked, with indexes the rules need."""

    def __init__(
        self,
        doc: dict[str, Any],
        migrations: Callable[[], dict[str, Any] | None] | None = None,
    ) -> None:
        self.doc = doc
        #: Every model of the report, those outside the tree (``external``) included.
        self.all_models: list[dict[str, Any]] = list(doc.get("models") or [])
        #: The models rules report on: the tree's own (not those a package makes from them at
        #: run time: django-simple-history's historical models).
        self.models: list[dict[str, Any]] = [
            m for m in self.all_models if not m.get("external") and not m.get("generated_by")
        ]
        self.by_label: dict[str, dict[str, Any]] = {}
        for m in self.all_models:  # a tree model wins over an external one of the same label
            if not m.get("external") or m["label"] not in self.by_label:
                self.by_label[m["label"]] = m
        self.by_id: dict[str, dict[str, Any]] = {m["id"]: m for m in self.all_models if m.get("id")}
        self.by_path: dict[str, dict[str, Any]] = {
            f"{m.get('module')}.{m.get('name')}": m for m in self.all_models
        }
        meta = doc.get("metadata") or {}
        self.auth_user_model: str = meta.get("auth_user_model") or "auth.User"
        self._engines: dict[str | None, list[str]] = {
            p.get("name"): list(p.get("database_engines") or []) for p in doc.get("projects") or []
        }
        self._engines[None] = list(meta.get("database_engines") or [])
        self._migrations = migrations
        self._drift: list[dict[str, Any] | None] = []

    def migrations(self) -> dict[str, Any] | None:
        """The drift check's answer for this tree (``migrations.drift.drift_document``), read
        on first use; None when the migrations cannot be read (a report without its tree)."""
        if not self._drift:
            self._drift.append(self._migrations() if self._migrations is not None else None)
        return self._drift[0]

    def database_engines(self, model: dict[str, Any]) -> list[str]:
        """The database engines the settings of the model's project name (empty: not known)."""
        found = self._engines.get(model.get("project"))
        return found if found is not None else self._engines[None]

    def incomplete(self, model: dict[str, Any]) -> bool:
        """True when a base or field class of the model stayed unresolved: a rule that needs
        the whole field list must stand down."""
        return model.get("complete") is False

    # -- fields -------------------------------------------------------------------------
    def declared_fields(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(model, field) for every field declared in a model body (each reported once)."""
        for model in self.models:
            for field in model.get("fields") or []:
                if field.get("origin") == "declared":
                    yield model, field

    def field_file(self, model: dict[str, Any], field: dict[str, Any]) -> str | None:
        """The file where ``field`` is written (its abstract parent's, when inherited)."""
        if field.get("origin") == "inherited":
            owner = self.by_path.get(field.get("defined_in") or "")
            if owner is not None:
                return owner.get("file")
        return model.get("file")

    def field_names(self, model: dict[str, Any], seen: set[str] | None = None) -> set[str]:
        """Names and attnames (``<fk>_id``) of the model's fields, MTI parents' included."""
        seen = seen if seen is not None else set()
        key = model.get("id") or model["label"]
        if key in seen:
            return set()
        seen.add(key)
        names: set[str] = set()
        for field in model.get("fields") or []:
            names.add(field["name"])
            rel = field.get("relation") or {}
            if rel.get("kind") in ("ForeignKey", "OneToOneField"):
                names.add(f"{field['name']}_id")
                if field.get("column"):
                    names.add(field["column"])
        parents, ids = model.get("parents") or [], model.get("parent_ids") or []
        if len(ids) != len(parents):  # a report written before ids
            ids = [None] * len(parents)
        for parent, parent_id in zip(parents, ids):
            found = self.model_for(parent, parent_id)
            if found is not None:
                names |= self.field_names(found, seen)
        return names

    def model_for(self, label: str | None, id_: str | None) -> dict[str, Any] | None:
        """The model a label-valued key names, by its id-valued companion when there is one."""
        return self.by_id.get(id_ or "") or self.by_label.get(label or "")

    # -- relations ----------------------------------------------------------------------
    @cached_property
    def relations(self) -> list[Relation]:
        """Relation fields of every concrete model (so inherited relations count per child),
        external models' included (their accessors are taken too)."""
        out: list[Relation] = []
        for model in self.all_models:
            if model.get("abstract"):
                continue
            for field in model.get("fields") or []:
                rel = field.get("relation")
                if not rel or rel.get("kind") not in _REVERSE_KINDS:
                    continue
                if field.get("origin") in ("implicit", "parent") or rel.get("parent_link"):
                    continue  # "parent": a multi-table parent's field, counted on the parent
                if model.get("proxy") and field.get("origin") != "declared":
                    continue
                accessor, query = self._reverse_names(model, field, rel)
                out.append(Relation(model, field, self.field_file(model, field), accessor, query))
        return out

    def _reverse_names(
        self, model: dict[str, Any], field: dict[str, Any], rel: dict[str, Any]
    ) -> tuple[str | None, str | None]:
        name = str(model.get("name", "")).lower()
        app = str(model.get("app_label", "")).lower()

        def subst(text: str) -> str:
            return text.replace("%(class)s", name).replace("%(app_label)s", app)

        related_name = rel.get("related_name")
        if related_name is None:
            params = field.get("params") or {}
            raw = params.get("related_name")
            if is_expr(raw) or (raw is None and field_opaque(field)):
                return None, None  # not decidable
        kind = rel.get("kind")
        if kind == "ManyToManyField" and related_name is None and _symmetrical(model, field, rel):
            return None, None  # symmetrical self-relation: no reverse accessor
        if isinstance(related_name, str):
            related_name = subst(related_name)
            if related_name.endswith("+"):
                return None, None
            accessor = related_name
        elif kind == "OneToOneField":
            accessor = name
        else:
            accessor = f"{name}_set"
        rqn = rel.get("related_query_name")
        query = subst(rqn) if isinstance(rqn, str) else (related_name or name)
        return accessor, query

    def reverse_query_names(self, label: str) -> set[str]:
        """Query names other models' relations give model ``label``."""
        return {r.query_name for r in self.relations if r.target == label and r.query_name}


def _symmetrical(model: dict[str, Any], field: dict[str, Any], rel: dict[str, Any]) -> bool:
    """Django makes a ManyToManyField symmetrical for the literal ``'self'`` only, unless
    ``symmetrical`` says otherwise (reports written before djatlas named it ``<name>_rel_+``)."""
    params = field.get("params") or {}
    sym = params.get("symmetrical")
    if isinstance(sym, bool):
        return sym and rel.get("target") == model["label"]
    return params.get("to") == "self"
