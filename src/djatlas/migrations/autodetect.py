"""What ``makemigrations`` would write: the replayed state compared with the model graph (the
report document) the way Django's ``MigrationAutodetector`` compares two project states.

Non-interactive, as ``makemigrations --check``: renames are not recognised (RemoveField +
AddField, CreateModel + DeleteModel). Where a value cannot be known statically, the comparison
says so per field ("notes") instead of reporting drift."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any

from djatlas.migrations.fields import (
    UNKNOWN,
    FieldDef,
    canonical,
    compare,
    from_report_field,
    parse_expr,
    same,
)
from djatlas.migrations.patches import Patches
from djatlas.migrations.state import (
    ALTER_OPTION_KEYS,
    ModelState,
    ProjectState,
    item_name,
    normalize_together,
)

_PATCHES = Patches()

_NOT_STATE_KINDS = {"GenericForeignKey", "GenericRelation"}


@dataclass
class Change:
    app_label: str
    op: str
    model: str
    field: str | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "app_label": self.app_label,
            "op": self.op,
            "model": self.model,
            "field": self.field,
            **self.details,
        }


@dataclass
class Note:
    app_label: str
    model: str | None
    field: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "app_label": self.app_label,
            "model": self.model,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Target:
    """One model of the report, as ``ModelState.from_model`` would see it."""

    name: str
    kind: str  # model | proxy | unmanaged
    fields: dict[str, FieldDef]
    options: dict[str, Any]
    raw: dict[str, Any]


def kind_of(options: dict[str, Any]) -> str:
    if options.get("managed", True) is False:
        return "unmanaged"
    return "proxy" if options.get("proxy") else "model"


def targets(doc: dict[str, Any], app_label: str) -> dict[str, Target]:
    """The concrete models (proxies and unmanaged included) of one app of the report."""
    by_label = {m["label"]: m for m in doc.get("models", [])}
    out: dict[str, Target] = {}
    for m in doc.get("models", []):
        if m.get("app_label") != app_label or m.get("abstract"):
            continue
        label_lower = m["label"].lower()
        fields: dict[str, FieldDef] = {}
        if not m.get("proxy"):
            for f in m.get("fields", []):
                if f.get("origin") == "parent":
                    continue
                rel = f.get("relation") or {}
                if rel.get("kind") in _NOT_STATE_KINDS:
                    continue
                fd = from_report_field(f, label_lower)
                _drop_pk_to_field(fd, by_label)
                fields[f["name"]] = fd
        options = _options(m, by_label)
        out[m["name"].lower()] = Target(m["name"], kind_of(options), fields, options, m)
    return out


def _drop_pk_to_field(fd: FieldDef, by_label: dict[str, Any]) -> None:
    to_field = fd.kwargs.get("to_field")
    target = next((m for lbl, m in by_label.items() if lbl.lower() == fd.kwargs.get("to")), None)
    if isinstance(to_field, str) and target is not None:
        pk = next((f["name"] for f in target.get("fields", []) if f.get("primary_key")), None)
        if pk == to_field:
            del fd.kwargs["to_field"]


def _options(m: dict[str, Any], by_label: dict[str, Any]) -> dict[str, Any]:
    meta = dict(m.get("meta") or {})
    meta.pop("abstract", None)
    parents = list(m.get("parents") or [])
    if m.get("proxy") and m.get("concrete_model"):
        parents.append(m["concrete_model"])
    inherited = []
    for parent_label in parents:  # ordering/get_latest_by of a concrete parent: not in options
        parent = by_label.get(parent_label) or {}
        for key in ("ordering", "get_latest_by"):
            if key in meta and (parent.get("meta") or {}).get(key) == meta[key]:
                inherited.append(key)
    if m.get("proxy"):
        meta["proxy"] = True
    out = {k: _report_value(v) for k, v in meta.items()}
    out["$maybe_inherited"] = inherited
    for key in ("indexes", "constraints"):
        if isinstance(out.get(key), list):
            out[key] = [_interpolate(i, m) for i in out[key]]
    return out


def _interpolate(item: Any, m: dict[str, Any]) -> Any:
    """``%(app_label)s``/``%(class)s`` in an index or constraint name, as Django fills them."""
    kwargs = item.get("kwargs") if isinstance(item, dict) else None
    name = kwargs.get("name") if isinstance(kwargs, dict) else None
    if not isinstance(name, str) or "%(" not in name:
        return item
    filled = name.replace("%(app_label)s", m["app_label"].lower())
    filled = filled.replace("%(class)s", m["name"].lower())
    return {**item, "kwargs": {**kwargs, "name": filled}}


def _report_value(v: Any) -> Any:
    from djatlas.migrations.fields import _from_report_value

    return _from_report_value(v)


def detect(
    doc: dict[str, Any], state: ProjectState, app_labels: list[str], patches: Patches | None = None
) -> tuple[list[Change], list[Note]]:
    global _PATCHES
    _PATCHES = patches or Patches()
    changes: list[Change] = []
    notes: list[Note] = []
    for app in app_labels:
        if app in state.incomplete:
            for why in state.incomplete[app]:
                notes.append(Note(app, None, None, f"not checked: {why}"))
            continue
        old = {k[1]: m for k, m in state.models.items() if k[0] == app}
        new = targets(doc, app)
        _app_changes(app, old, new, state, doc, changes, notes)
    return changes, notes


def _app_changes(app, old, new, state, doc, changes, notes) -> None:
    old_kind = {k: kind_of(m.options) for k, m in old.items()}
    for name in sorted(set(new) - set(old)):
        t = new[name]
        changes.append(Change(app, "CreateModel", name, None, {"fields": list(t.fields)}))
        if t.kind == "model":
            for index in t.options.get("indexes", []) or []:
                changes.append(_item_change(app, "AddIndex", name, index, t, doc))
            for c in t.options.get("constraints", []) or []:
                changes.append(_item_change(app, "AddConstraint", name, c, t, doc))
    for name in sorted(set(old) - set(new)):
        changes.append(Change(app, "DeleteModel", name))
    for name in sorted(set(old) & set(new)):
        o, t = old[name], new[name]
        if (app, name) in state.incomplete_models:
            for why in state.incomplete_models[(app, name)]:
                notes.append(Note(app, name, None, f"not checked: {why}"))
            continue
        if (
            old_kind[name] == "proxy"
            and t.kind != "proxy"
            or old_kind[name] != "proxy"
            and (t.kind == "proxy")
        ):
            changes.append(Change(app, "DeleteModel", name))
            changes.append(Change(app, "CreateModel", name, None, {"fields": list(t.fields)}))
            continue
        if old_kind[name] == "model" and t.kind == "model":
            _field_changes(app, name, o, t, changes, notes)
            _together(app, name, o, t, changes)
            _items(app, name, o, t, doc, changes, notes)
        _option_changes(app, name, o, t, changes, notes)


def _field_changes(app: str, name: str, o: ModelState, t: Target, changes, notes) -> None:
    for fname in t.fields:
        if fname not in o.fields and _virtual(t.raw, fname):
            notes.append(Note(app, name, fname, "not a known Django field class: whether it "
                              "has a column cannot be known statically"))  # fmt: skip
        elif fname not in o.fields:
            changes.append(
                Change(app, "AddField", name, fname, {"definition": t.fields[fname].to_json()})
            )
    for fname in o.fields:
        if fname not in t.fields:
            changes.append(Change(app, "RemoveField", name, fname))
    for fname in o.fields:
        if fname not in t.fields:
            continue
        a, b = _unpatched(o.fields[fname]), _unpatched(t.fields[fname])
        differs, unknown = compare(a, b)
        if differs:
            m2m_a, m2m_b = a.cls == "ManyToManyField", b.cls == "ManyToManyField"
            if m2m_a == m2m_b:
                details = {"definition": b.to_json(), "from": a.to_json()}
                changes.append(Change(app, "AlterField", name, fname, details))
            else:
                changes.append(Change(app, "RemoveField", name, fname))
                changes.append(Change(app, "AddField", name, fname, {"definition": b.to_json()}))
        elif unknown:
            notes.append(Note(app, name, fname, f"cannot know statically: {', '.join(unknown)}"))


def _virtual(model: dict[str, Any], fname: str) -> bool:
    f = next((f for f in model.get("fields", []) if f["name"] == fname), {})
    return f.get("django_type") in (None, "Field") and not f.get("relation")


def _unpatched(fd: FieldDef) -> FieldDef:
    if not _PATCHES.field_kwargs:
        return fd
    kwargs = {k: v for k, v in fd.kwargs.items() if k not in _PATCHES.field_kwargs}
    base = kwargs.get("base_field")
    if isinstance(base, dict) and "$field" in base:
        inner = _unpatched(FieldDef(base["$field"], base.get("kwargs") or {}))
        kwargs["base_field"] = {"$field": inner.cls, "kwargs": inner.kwargs}
    return FieldDef(fd.cls, kwargs, fd.custom, fd.path)


def _together(app: str, name: str, o: ModelState, t: Target, changes) -> None:
    for key, op in (("unique_together", "AlterUniqueTogether"),):
        before = normalize_together(o.options.get(key))
        after = normalize_together(t.options.get(key))
        if [list(x) for x in before] != [list(x) for x in after]:
            changes.append(Change(app, op, name, None, {key: [list(x) for x in after]}))


def _items(app: str, name: str, o: ModelState, t: Target, doc, changes, notes) -> None:
    for key, add, remove in (
        ("indexes", "AddIndex", "RemoveIndex"),
        ("constraints", "AddConstraint", "RemoveConstraint"),
    ):
        before = [_named(i, t, doc) for i in o.options.get(key) or []]
        after = [_named(i, t, doc) for i in t.options.get(key) or []]
        added = [i for i in after if not any(_same_item(i, j) for j in before)]
        removed = [i for i in before if not any(_same_item(i, j) for j in after)]
        unknown = [i for i in after if any(_same_item(i, j) is UNKNOWN for j in before)]
        added = [i for i in added if i not in unknown]
        removed = [i for i in removed if not any(_same_item(i, j) is UNKNOWN for j in after)]
        if key == "indexes":
            for a in list(added):
                for r in list(removed):
                    if _same_but_name(a, r) and a in added and r in removed:
                        added.remove(a)
                        removed.remove(r)
                        changes.append(
                            Change(app, "RenameIndex", name, None,
                                   {"old_name": item_name(r), "new_name": item_name(a)})
                        )  # fmt: skip
        for i in removed:
            changes.append(Change(app, remove, name, None, {"name": item_name(i)}))
        for i in added:
            changes.append(Change(app, add, name, None, {key[:-1] if key == "indexes" else
                                                         "constraint": _item_json(i)}))  # fmt: skip
        for i in unknown:
            notes.append(Note(app, name, None, f"{key[:-1] if key == 'indexes' else 'constraint'}"
                              f" {item_name(i)!r}: cannot know statically"))  # fmt: skip


def _mptt(model: dict[str, Any]) -> bool:
    """django-mptt adds an index on (tree_id, lft) to every MPTTModel at class creation."""
    names = {f["name"] for f in model["fields"]}
    return {"tree_id", "lft", "rght", "level"} <= names


def _index_fields(item: Any) -> Any:
    return (item.get("kwargs") or {}).get("fields") if isinstance(item, dict) else None


def _item_change(app, op, model, item, t, doc) -> Change:
    item = _named(item, t, doc)
    key = "index" if op == "AddIndex" else "constraint"
    return Change(app, op, model, None, {key: _item_json(item)})


def _item_json(item: Any) -> Any:
    return item


def _same_item(a: Any, b: Any) -> Any:
    return same(_strip(a), _strip(b))


def _same_but_name(a: Any, b: Any) -> bool:
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    ka = {k: v for k, v in (a.get("kwargs") or {}).items() if k != "name"}
    kb = {k: v for k, v in (b.get("kwargs") or {}).items() if k != "name"}
    return same({**_strip(a), "kwargs": ka}, {**_strip(b), "kwargs": kb}) is True


def _strip(v: Any) -> Any:
    return canonical(v)


def _named(index: Any, t: Target, doc) -> Any:
    """An index without a name gets Django's generated one (``Index.set_name_with_model``)."""
    if not isinstance(index, dict) or "$call" not in index:
        return index
    kwargs = index.get("kwargs") or {}
    if kwargs.get("name") or not isinstance(kwargs.get("fields"), list):
        return index
    name = _index_name(index["$call"], kwargs["fields"], t.raw)
    if name is None:
        return index
    return {**index, "kwargs": {**kwargs, "name": name}}


_SUFFIXES = {
    "Index": "idx", "BrinIndex": "brin", "BTreeIndex": "btree", "GinIndex": "gin",
    "GistIndex": "gist", "HashIndex": "hash", "SpGistIndex": "spgist", "BloomIndex": "bloom",
}  # fmt: skip


def _index_name(call: str, fields: list[Any], model: dict[str, Any]) -> str | None:
    suffix = _SUFFIXES.get(call.rsplit(".", 1)[-1])
    table = model.get("db_table")
    if not suffix or not table or not fields or not all(isinstance(f, str) for f in fields):
        return None
    columns = {f["name"]: f.get("column") for f in model.get("fields", [])}
    cols, ordered = [], []
    for f in fields:
        desc = f.startswith("-")
        col = columns.get(f.lstrip("-"))
        if not col:
            return None
        cols.append(col)
        ordered.append(("-%s" if desc else "%s") % col)
    table_name = table.split(".")[-1].strip('"')
    h = hashlib.md5(usedforsecurity=False)
    for arg in [table_name, *ordered, suffix]:
        h.update(arg.encode())
    name = f"{table_name[:11]}_{cols[0][:7]}_{h.hexdigest()[:6]}_{suffix}"
    return "D" + name[1:] if name[0] == "_" or name[0].isdigit() else name


def _option_changes(app: str, name: str, o: ModelState, t: Target, changes, notes) -> None:
    for key, op in (
        ("db_table", "AlterModelTable"),
        ("db_table_comment", "AlterModelTableComment"),
        ("order_with_respect_to", "AlterOrderWithRespectTo"),
    ):
        r = same(o.options.get(key), t.options.get(key))
        if r is UNKNOWN:
            notes.append(Note(app, name, None, f"Meta.{key}: cannot know statically"))
        elif not r:
            changes.append(Change(app, op, name, None, {key: t.options.get(key)}))
    keys = [k for k in ALTER_OPTION_KEYS if k not in _PATCHES.option_keys]
    before = {k: o.options[k] for k in keys if k in o.options}
    after = {k: t.options[k] for k in keys if k in t.options}
    for key in t.options.get("$maybe_inherited", []):  # declared, or copied from the parent
        if key not in before:
            after.pop(key, None)
    differs, unknown = False, []
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            differs = True
            continue
        r = same(_norm_option(key, before[key]), _norm_option(key, after[key]))
        if r is UNKNOWN:
            unknown.append(key)
        elif not r:
            differs = True
    if differs:
        changes.append(Change(app, "AlterModelOptions", name, None, {"options": after}))
    elif unknown:
        notes.append(Note(app, name, None, f"Meta {', '.join(unknown)}: cannot know statically"))


def _norm_option(key: str, value: Any) -> Any:
    if key == "default_permissions" and isinstance(value, list):
        return list(value)
    return value


__all__ = ["Change", "Note", "detect", "parse_expr"]
