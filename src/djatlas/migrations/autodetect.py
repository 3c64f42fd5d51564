"""What ``makemigrations`` would write: the replayed state compared with the model graph (the
report document) the way Django's ``MigrationAutodetector`` compares two project states.

Non-interactive, as ``makemigrations --check``: renames are not recognised (RemoveField +
AddField, CreateModel + DeleteModel). Where a value cannot be known statically, the comparison
says so per field ("notes") instead of reporting drift."""

from __future__ import annotations

import hashlib
from typing import Any

from djatlas import records
from djatlas.migrations.fields import (
    UNKNOWN,
    FieldDef,
    canonical,
    compare,
    from_report_field,
    parse_expr,
    same,
)
from djatlas.migrations.guards import (
    SourceGuard,
    added_by_library,
    history_model,
    translation_field,
)
from djatlas.migrations.patches import Patches
from djatlas.migrations.state import (
    ALTER_OPTION_KEYS,
    ModelState,
    ProjectState,
    item_name,
    normalize_together,
)
from djatlas.records import dataclass

_PATCHES = Patches()
_GUARD: SourceGuard | None = None

_NOT_STATE_KINDS = {"GenericForeignKey", "GenericRelation"}


def _private_field(f: dict[str, Any], rel: dict[str, Any]) -> bool:
    """A private field that is no Django field (no column, relation or Django type: saleor's
    ``MoneyField``): not in the migrations' state."""
    return not rel and f.get("column") is None and f.get("django_type") is None


@dataclass
class Change:
    app_label: str
    op: str
    model: str
    field: str | None = None
    details: dict[str, Any] = records.field(default_factory=dict)

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
    #: bases djatlas could not follow (environment or unresolved): what they add is unknown.
    partial: list[str] = records.field(default_factory=list)
    #: indexes/constraints of abstract ancestors a Meta may extend with (``indexes.extend(...)``).
    maybe: list[Any] = records.field(default_factory=list)
    #: the model and its ancestors in the report (whose class bodies may assign fields).
    lineage: list[dict[str, Any]] = records.field(default_factory=list)


def kind_of(options: dict[str, Any]) -> str:
    if options.get("managed", True) is False:
        return "unmanaged"
    return "proxy" if options.get("proxy") else "model"


def targets(doc: dict[str, Any], app_label: str) -> dict[str, Target]:
    """The concrete models (proxies and unmanaged included) of one app of the report."""
    by_label = _by_label(doc)
    out: dict[str, Target] = {}
    for m in _models_by_app(doc).get(app_label, []):
        if m.get("abstract"):
            continue
        label_lower = m["label"].lower()
        fields: dict[str, FieldDef] = {}
        if not m.get("proxy"):
            for f in m.get("fields", []):
                if f.get("origin") == "parent":
                    continue
                rel = f.get("relation") or {}
                if rel.get("kind") in _NOT_STATE_KINDS or _private_field(f, rel):
                    continue
                fd = from_report_field(f, label_lower)
                _drop_pk_to_field(fd, by_label)
                fields[f["name"]] = fd
        options = _options(m, by_label)
        target = Target(m["name"], kind_of(options), fields, options, m)
        target.partial = _opaque_bases(m, by_label)
        target.maybe = _ancestor_items(m, by_label) + _mptt_index(m)
        target.lineage = [m, *ancestors(m, by_label)]
        out[m["name"].lower()] = target
    return out


def ancestors(m: dict[str, Any], by_label: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's models this model inherits from (through the tree), nearest first."""
    by_dotted = _by_dotted(by_label)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    queue = [b.get("resolved") for b in m.get("bases") or []]
    while queue:
        dotted = queue.pop(0)
        base = by_dotted.get(dotted or "")
        if base is None or dotted in seen:
            continue
        seen.add(dotted)
        out.append(base)
        queue += [b.get("resolved") for b in base.get("bases") or []]
    return out


def _ancestor_items(m: dict[str, Any], by_label: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for base in ancestors(m, by_label):
        if base.get("abstract"):
            for key in ("indexes", "constraints"):
                items = (base.get("meta") or {}).get(key)
                if isinstance(items, list):
                    out += [_interpolate(_report_value(i), m) for i in items]
    return out


def _opaque_bases(m: dict[str, Any], by_label: dict[str, Any]) -> list[str]:
    """Bases (of the model or its ancestors) outside the tree that are not Django's own: their
    fields and Meta are not in the report when they are models."""
    known = {f"{x['module']}.{x['name']}" for x in by_label.values()}
    out = []
    for model in [m, *ancestors(m, by_label)]:
        for base in model.get("bases") or []:
            resolved = base.get("resolved") or base.get("name")
            outside = base.get("origin") not in ("tree", "builtin")
            if outside and resolved not in known and not str(resolved).startswith("django."):
                out.append(resolved)
    return sorted(set(out))


def _by_label(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The report's models by label (memoised in the document, as ``_models_by_app``)."""
    memo = doc.get("$migrations_by_label")
    if memo is None:
        memo = doc["$migrations_by_label"] = {m["label"]: m for m in doc.get("models", [])}
    return memo


#: The last ``by_label`` given to ``_by_dotted`` and its models by dotted path.
_DOTTED: list[Any] = [None, {}]


def _by_dotted(by_label: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if _DOTTED[0] is not by_label:
        _DOTTED[:] = [by_label, {f"{x['module']}.{x['name']}": x for x in by_label.values()}]
    return _DOTTED[1]


def _models_by_app(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    memo = doc.get("$migrations_by_app")
    if memo is None:
        memo = {}
        for m in doc.get("models", []):
            memo.setdefault(m.get("app_label"), []).append(m)
        doc["$migrations_by_app"] = memo
    return memo


def _drop_pk_to_field(fd: FieldDef, by_label: dict[str, Any]) -> None:
    to_field = fd.kwargs.get("to_field")
    if not isinstance(to_field, str):
        return
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
    doc: dict[str, Any],
    state: ProjectState,
    app_labels: list[str],
    patches: Patches | None = None,
    guard: SourceGuard | None = None,
) -> tuple[list[Change], list[Note]]:
    global _PATCHES, _GUARD
    _PATCHES = patches or Patches()
    _GUARD = guard
    changes: list[Change] = []
    notes: list[Note] = []
    for app in app_labels:
        failed = guard.failed_files(app) if guard else []
        if failed:
            why = f"{', '.join(failed)} could not be analysed"
            notes.append(Note(app, None, None, f"not checked: {why}"))
            continue
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
        why = _kept_anyway(app, old[name])
        if why:
            notes.append(Note(app, name, None, f"not compared: {why}"))
        else:
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


def _kept_anyway(app: str, m: ModelState) -> str | None:
    """Why a model of the migrations that the report does not list may still exist."""
    if history_model(set(m.fields)):
        return "a django-simple-history model (generated at run time)"
    found = _GUARD.class_defined(app, m.name) if _GUARD else None
    if found:
        return f"class {m.name} in {found} is not recognised as a model statically"
    return None


def _field_gone(name: str, fname: str, t: Target) -> str | None:
    """Why a field of the migrations that the report does not list may still exist."""
    if t.partial:
        return f"may come from {', '.join(t.partial)}, which djatlas cannot read"
    added = added_by_library(t.raw, fname)
    if added:
        return f"added at class creation by {added}"
    if _GUARD and translation_field(t.raw, fname, _GUARD.doc):
        return "a django-modeltranslation field (registered in translation.py)"
    if _GUARD and any(_GUARD.assigned_in_class(m, fname) for m in t.lineage):
        return "assigned in the class by an expression not recognised as a field"
    prefix = next(
        (p for m in t.lineage if _GUARD and (p := _GUARD.translated_prefix(m, fname))), None
    )
    if prefix:
        return f"a per-language field of {prefix} (a translated-fields wrapper)"
    return None


def _field_changes(app: str, name: str, o: ModelState, t: Target, changes, notes) -> None:
    for fname in t.fields:
        if fname not in o.fields and t.partial and _implicit(t.raw, fname):
            notes.append(Note(app, name, fname, "implicit field; the model inherits from "
                              f"{', '.join(t.partial)}, which djatlas cannot read"))  # fmt: skip
        elif fname not in o.fields and _virtual(t.raw, fname):
            notes.append(Note(app, name, fname, "not a known Django field class: whether it "
                              "has a column cannot be known statically"))  # fmt: skip
        elif fname not in o.fields:
            changes.append(
                Change(app, "AddField", name, fname, {"definition": t.fields[fname].to_json()})
            )
    for fname in o.fields:
        why = None if fname in t.fields else _field_gone(name, fname, t)
        if why:
            notes.append(Note(app, name, fname, f"not compared: {why}"))
        elif fname not in t.fields:
            changes.append(Change(app, "RemoveField", name, fname))
    for fname in o.fields:
        if fname not in t.fields:
            continue
        a, b = _unpatched(o.fields[fname]), _unpatched(t.fields[fname])
        _related_name_forms(a, b, name, fname, t.raw)
        differs, unknown = compare(a, b)
        if differs and t.partial and _implicit(t.raw, fname):  # (a base may declare it)
            unknown, differs = [f"implicit field; the model inherits from {', '.join(t.partial)}"
                                ", which djatlas cannot read"], False  # fmt: skip
        version = _django_defined(t.raw, fname)
        if differs and version:
            unknown, differs = [f"the definition inherited from {version}"], False
            unknown[0] += " depends on the installed Django version"
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


def _django_defined(model: dict[str, Any], fname: str) -> str | None:
    f = next((f for f in model.get("fields", []) if f["name"] == fname), {})
    origin = f.get("defined_in") or ""
    return origin if f.get("origin") == "inherited" and origin.startswith("django.") else None


def _related_name_forms(a: FieldDef, b: FieldDef, model: str, fname: str, raw) -> None:
    """Older Django wrote related_name interpolated (``%(class)s``) and hidden M2M names as
    ``_<model>_<field>_+``: the same field either way."""
    old, new = a.kwargs.get("related_name"), b.kwargs.get("related_name")
    if not (isinstance(old, str) and isinstance(new, str)) or old == new:
        return
    filled = new.replace("%(class)s", model).replace("%(model_name)s", model)
    filled = filled.replace("%(app_label)s", raw["app_label"].lower())
    hidden = new == "+" and old.endswith("+") and old.startswith("_") and fname in old
    if filled == old or hidden:
        b.kwargs["related_name"] = old


def _implicit(model: dict[str, Any], fname: str) -> bool:
    f = next((f for f in model.get("fields", []) if f["name"] == fname), {})
    return f.get("origin") == "implicit"


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
    for key, add, remove, word in (
        ("indexes", "AddIndex", "RemoveIndex", "index"),
        ("constraints", "AddConstraint", "RemoveConstraint", "constraint"),
    ):
        before = [_named(i, t, doc) for i in o.options.get(key) or []]
        after = [_named(i, t, doc) for i in t.options.get(key) or []]
        unknown = [i for i in after if any(_same_item(i, j) is UNKNOWN for j in before)]
        added = [i for i in after if i not in unknown and not _found(i, before)]
        removed = [
            i for i in before if not _found(i, after) and not any(i2 is UNKNOWN for i2 in (
                _same_item(i, j) for j in after))
        ]  # fmt: skip
        removed = [i for i in removed if not _found(i, t.maybe)]
        if key == "indexes" and _mptt(t.raw):
            removed = [i for i in removed if _index_fields(i) != ["tree_id", "lft"]]
        if key == "indexes":
            _renamed_indexes(app, name, added, removed, changes)
        for i in removed:
            changes.append(Change(app, remove, name, None, {"name": item_name(i)}))
        for i in added:
            changes.append(Change(app, add, name, None, {word: i}))
        for i in unknown:
            notes.append(Note(app, name, None, f"{word} {item_name(i)!r}: cannot know statically"))


def _found(item: Any, others: list[Any]) -> bool:
    return any(_same_item(item, j) is True for j in others)


def _renamed_indexes(app: str, name: str, added: list, removed: list, changes) -> None:
    for a in list(added):
        for r in list(removed):
            if a in added and r in removed and _same_but_name(a, r):
                added.remove(a)
                removed.remove(r)
                details = {"old_name": item_name(r), "new_name": item_name(a)}
                changes.append(Change(app, "RenameIndex", name, None, details))


def _mptt(model: dict[str, Any]) -> bool:
    """django-mptt adds an index on (tree_id, lft) to every MPTTModel at class creation."""
    names = {f["name"] for f in model["fields"]}
    return {"tree_id", "lft", "rght", "level"} <= names


def _mptt_index(m: dict[str, Any]) -> list[Any]:
    """django-mptt >= 0.15 appends ``Index(fields=(tree_id, lft))`` named after the model
    unless Meta has one (older versions do not: so it may or may not be there)."""
    if not _mptt(m) or m.get("proxy"):
        return []
    name = truncate_name(f"{m['app_label']}_{m['name'].lower()}_tree_id_lft_idx", 30)
    kwargs = {"fields": ["tree_id", "lft"], "name": name}
    return [{"$call": "django.db.models.Index", "args": [], "kwargs": kwargs}]


def truncate_name(identifier: str, length: int, hash_len: int = 4) -> str:
    """``django.db.backends.utils.truncate_name`` (no namespace)."""
    if len(identifier) <= length:
        return identifier
    digest = hashlib.md5(identifier.encode(), usedforsecurity=False).hexdigest()[:hash_len]
    return identifier[: length - hash_len] + digest


def _index_fields(item: Any) -> Any:
    return (item.get("kwargs") or {}).get("fields") if isinstance(item, dict) else None


def _item_change(app, op, model, item, t, doc) -> Change:
    item = _named(item, t, doc)
    key = "index" if op == "AddIndex" else "constraint"
    return Change(app, op, model, None, {key: item})


def _same_item(a: Any, b: Any) -> Any:
    """Equal indexes/constraints; an index whose name djatlas could not compute matches on
    everything else."""
    if item_name(a) is None or item_name(b) is None:
        return _same_but_name(a, b) or same(_strip(a), _strip(b))
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
        if t.partial and before.get(key) != after.get(key):
            unknown.append(key)
            continue
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
