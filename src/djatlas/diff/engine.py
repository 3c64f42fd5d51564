"""Compare two djatlas report documents model by model, field by field.

The result is a plain JSON-able dict (the ``djatlas-diff`` document) that every diff renderer
reads; see :func:`diff_reports`.
"""

from __future__ import annotations

import json
from typing import Any

from djatlas.graph.identity import ensure_ids

DIFF_FORMAT = "djatlas-diff"
DIFF_SCHEMA_VERSION = 1

#: Risk codes -> short title. A risk is a change that needs a data migration, or whose
#: migration can fail or break a deployment still running the old code.
RISKS: dict[str, str] = {
    "not-null-no-default": "NOT NULL column without a default on an existing table",
    "type-narrowed": "column type narrowed",
    "type-changed": "column type changed",
    "unique-added": "uniqueness added",
    "table-renamed": "table renamed",
    "fk-target-changed": "relation target changed",
    "column-renamed": "column renamed",
    "column-dropped": "column dropped",
    "table-dropped": "table dropped",
}

# Field attributes compared besides params (effective values from the report).
_EFFECTIVE = ("null", "unique", "primary_key", "max_length", "column")
_RELATION_KEYS = (
    "kind",
    "target",
    "on_delete",
    "related_name",
    "related_query_name",
    "through",
    "to_field",
    "m2m_db_table",
)
_MODEL_ATTRS = ("db_table", "abstract", "proxy", "parents", "concrete_model")
_NO_COLUMN_KINDS = frozenset({"ManyToManyField", "GenericForeignKey", "GenericRelation"})
_STRING_TYPES = frozenset(
    {"CharField", "SlugField", "EmailField", "URLField", "GenericIPAddressField", "FilePathField"}
)

# Integer-like types by width: moving to a lower rank narrows the column.
_INT_RANK = {
    "SmallAutoField": 1,
    "SmallIntegerField": 1,
    "PositiveSmallIntegerField": 1,
    "AutoField": 2,
    "IntegerField": 2,
    "PositiveIntegerField": 2,
    "BigAutoField": 3,
    "BigIntegerField": 3,
    "PositiveBigIntegerField": 3,
}
# (old, new) django types that widen or keep the column: no risk.
_WIDENING = {
    ("CharField", "TextField"),
    ("SlugField", "CharField"),
    ("EmailField", "CharField"),
    ("URLField", "CharField"),
    ("CharField", "SlugField"),
    ("CharField", "EmailField"),
    ("CharField", "URLField"),
    ("SlugField", "TextField"),
    ("EmailField", "TextField"),
    ("URLField", "TextField"),
    ("DateField", "DateTimeField"),
    ("IntegerField", "FloatField"),
    ("IntegerField", "DecimalField"),
    ("FileField", "ImageField"),
    ("ImageField", "FileField"),
    ("JSONField", "JSONField"),
}
# (old, new) django types known to lose data.
_NARROWING = {
    ("TextField", "CharField"),
    ("TextField", "SlugField"),
    ("TextField", "EmailField"),
    ("TextField", "URLField"),
    ("DateTimeField", "DateField"),
    ("FloatField", "IntegerField"),
    ("DecimalField", "IntegerField"),
    ("FloatField", "SmallIntegerField"),
    ("DecimalField", "SmallIntegerField"),
}


def _is_expr(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"$expr"}


def format_value(value: Any) -> str:
    """Source-like text of an encoded report value (``{"$expr": ...}`` shows its source)."""
    if _is_expr(value):
        return str(value["$expr"])
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _kind(field: dict[str, Any]) -> str | None:
    rel = field.get("relation")
    return rel.get("kind") if rel else None


def _has_column(field: dict[str, Any]) -> bool:
    return field.get("column") is not None and _kind(field) not in _NO_COLUMN_KINDS


def _has_default(field: dict[str, Any]) -> bool:
    """True when the field has a default, or when its params cannot tell (``**kwargs``, or a
    field made by a factory function whose own arguments the report does not show)."""
    params = field.get("params") or {}
    if any(key == "**" or key.startswith("$") for key in params):
        return True
    written = str(field.get("type") or "").rsplit(".", 1)[-1]
    if written and not written[0].isupper():
        return True
    return any(key in params for key in ("default", "db_default"))


def field_summary(field: dict[str, Any]) -> str:
    """``CharField(max_length=32, unique=True)``-style one-line description of a field."""
    type_name = field.get("type") or field.get("django_type") or "?"
    params = field.get("params") or {}
    args = ", ".join(f"{k}={format_value(v)}" for k, v in params.items())
    return f"{type_name}({args})"


def _field_signature(model: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two models "the same model under another name": their declared fields."""
    sig = []
    for field in model.get("fields") or []:
        if field.get("origin") == "implicit":
            continue
        rel = field.get("relation") or {}
        sig.append(
            (
                field.get("name"),
                field.get("django_type") or field.get("type"),
                repr(sorted((field.get("params") or {}).items(), key=lambda kv: kv[0])),
                rel.get("target"),
            )
        )
    return tuple(sorted(sig, key=repr))


def _model_ref(model: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": model.get("id"),
        "label": model.get("label"),
        "module": model.get("module"),
        "file": model.get("file"),
        "line": model.get("line"),
        "db_table": model.get("db_table"),
        "abstract": bool(model.get("abstract")),
        "field_count": len(model.get("fields") or []),
    }


class _Differ:
    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old = old
        self.new = new
        self.risks: list[dict[str, Any]] = []
        self.pairs: dict[str, str] = {}  # old label -> new label of renamed/moved models

    # -- risks --------------------------------------------------------------------------
    def risk(
        self, code: str, model: dict[str, Any], field: str | None, message: str, line: Any = None
    ) -> dict[str, Any]:
        item = {
            "code": code,
            "title": RISKS[code],
            "model": model.get("label"),
            "field": field,
            "message": message,
            "file": model.get("file"),
            "line": line if line is not None else model.get("line"),
        }
        self.risks.append(item)
        return item

    # -- models -------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        # Models are matched by id (unique, where a label may repeat in a monorepo); a report
        # written before ids existed gets them (module.Class) first.
        # Models outside the tree (``external``) are context, not part of the change.
        old_models = {
            m["id"]: m for m in ensure_ids(self.old).get("models") or [] if not m.get("external")
        }
        new_models = {
            m["id"]: m for m in ensure_ids(self.new).get("models") or [] if not m.get("external")
        }
        removed = [key for key in old_models if key not in new_models]
        added = [key for key in new_models if key not in old_models]
        entries: list[dict[str, Any]] = []

        pairs: list[tuple[str, str, str]] = []  # (old id, new id, status)
        # Moved to another module or source root: the same label, unique on both sides.
        by_label_old: dict[str, list[str]] = {}
        by_label_new: dict[str, list[str]] = {}
        for key in removed:
            by_label_old.setdefault(old_models[key]["label"], []).append(key)
        for key in added:
            by_label_new.setdefault(new_models[key]["label"], []).append(key)
        same = [(key, key) for key in old_models if key in new_models]
        for label, olds in by_label_old.items():
            news = by_label_new.get(label, [])
            if len(olds) == 1 and len(news) == 1:
                same.append((olds[0], news[0]))
        removed = [key for key in removed if key not in {p[0] for p in same}]
        added = [key for key in added if key not in {p[1] for p in same}]
        # Moved between apps: same class name, unique among the removed and the added.
        by_name_old: dict[str, list[str]] = {}
        by_name_new: dict[str, list[str]] = {}
        for label in removed:
            by_name_old.setdefault(old_models[label]["name"], []).append(label)
        for label in added:
            by_name_new.setdefault(new_models[label]["name"], []).append(label)
        for name, olds in by_name_old.items():
            news = by_name_new.get(name, [])
            if len(olds) == 1 and len(news) == 1:
                pairs.append((olds[0], news[0], "moved"))
        paired_old = {p[0] for p in pairs}
        paired_new = {p[1] for p in pairs}
        # Renamed: another name, the same declared fields; only unambiguous matches.
        sig_old: dict[tuple[Any, ...], list[str]] = {}
        sig_new: dict[tuple[Any, ...], list[str]] = {}
        for label in removed:
            if label not in paired_old:
                sig_old.setdefault(_field_signature(old_models[label]), []).append(label)
        for label in added:
            if label not in paired_new:
                sig_new.setdefault(_field_signature(new_models[label]), []).append(label)
        for sig, olds in sig_old.items():
            news = sig_new.get(sig, [])
            if sig and len(olds) == 1 and len(news) == 1:
                pairs.append((olds[0], news[0], "renamed"))
        paired_old = {p[0] for p in pairs}
        paired_new = {p[1] for p in pairs}
        self.pairs = {old_models[p[0]]["label"]: new_models[p[1]]["label"] for p in pairs}

        for key in removed:
            if key in paired_old:
                continue
            model = old_models[key]
            label = model["label"]
            entry = {
                "status": "removed",
                "old_label": label,
                "new_label": None,
                **_model_ref(model),
            }
            if model.get("db_table") and not model.get("proxy"):
                entry["risks"] = [
                    self.risk(
                        "table-dropped",
                        model,
                        None,
                        f"model {label} removed: table {model['db_table']} is dropped",
                    )
                ]
            entries.append(entry)
        for key in added:
            if key in paired_new:
                continue
            model = new_models[key]
            entries.append(
                {
                    "status": "added",
                    "old_label": None,
                    "new_label": model["label"],
                    **_model_ref(model),
                }
            )
        for old_key, new_key, status in pairs:
            entries.append(self.compare(old_models[old_key], new_models[new_key], status))
        for old_key, new_key in same:
            old_model, new_model = old_models[old_key], new_models[new_key]
            status = "moved" if old_model.get("module") != new_model.get("module") else "changed"
            entry = self.compare(old_model, new_model, status)
            if entry["changes"] or entry["meta"] or any(entry["fields"].values()):
                entries.append(entry)
        order = {"added": 0, "removed": 1, "renamed": 2, "moved": 3, "changed": 4}
        entries.sort(
            key=lambda e: (order[e["status"]], e.get("new_label") or e["old_label"], e["id"])
        )
        return self.document(entries)

    def compare(self, old: dict[str, Any], new: dict[str, Any], status: str) -> dict[str, Any]:
        """Compare two versions of one model (same label, or a rename/move pair)."""
        start = len(self.risks)
        entry: dict[str, Any] = {
            "status": status,
            "old_label": old["label"],
            "new_label": new["label"],
            **_model_ref(new),
            "changes": [],
            "meta": [],
            "fields": {"added": [], "removed": [], "renamed": [], "changed": []},
        }
        # Attributes of the model itself.
        for attr in ("module", *_MODEL_ATTRS):
            if attr == "concrete_model" and (
                old.get(attr) == old["label"] and new.get(attr) == new["label"]
            ):
                continue  # follows the model's own rename
            if old.get(attr) != new.get(attr):
                entry["changes"].append(
                    {"attribute": attr, "old": old.get(attr), "new": new.get(attr)}
                )
        if (
            old.get("db_table")
            and new.get("db_table")
            and old["db_table"] != new["db_table"]
            and not new.get("proxy")
        ):
            self.risk(
                "table-renamed",
                new,
                None,
                f"table {old['db_table']} renamed to {new['db_table']}",
            )
        # Meta options.
        old_meta = old.get("meta") or {}
        new_meta = new.get("meta") or {}
        for key in sorted(set(old_meta) | set(new_meta)):
            if key == "db_table":  # reported through the effective db_table above
                continue
            ov, nv = old_meta.get(key), new_meta.get(key)
            if ov == nv:
                continue
            change: dict[str, Any] = {"option": key, "old": ov, "new": nv}
            if isinstance(ov, list | type(None)) and isinstance(nv, list | type(None)):
                ol, nl = ov or [], nv or []
                change["added"] = [v for v in nl if v not in ol]
                change["removed"] = [v for v in ol if v not in nl]
            entry["meta"].append(change)
            if key == "unique_together" and change.get("added"):
                self.risk(
                    "unique-added",
                    new,
                    None,
                    f"unique_together adds {format_value(change['added'])}",
                )
            if key == "constraints":
                uniq = [c for c in change.get("added", []) if "UniqueConstraint" in format_value(c)]
                if uniq:
                    self.risk(
                        "unique-added", new, None, f"constraint added: {format_value(uniq[0])}"
                    )
        # Fields.
        old_fields = {f["name"]: f for f in old.get("fields") or []}
        new_fields = {f["name"]: f for f in new.get("fields") or []}
        concrete = not new.get("abstract") and not new.get("proxy")
        renames = possible_renames(old_fields, new_fields)
        self.record_renames(entry, renames, old_fields, new_fields, new, concrete)
        for name, field in new_fields.items():
            if name in old_fields or name in renames.values():
                continue
            item = {"name": name, "line": field.get("line"), "summary": field_summary(field)}
            entry["fields"]["added"].append(item)
            if (
                concrete
                and not old.get("abstract")
                and field.get("origin") != "parent"  # the parent's table; flagged there
                and _has_column(field)
                and not field.get("null")
                and not field.get("primary_key")
                and not _has_default(field)
            ):
                self.risk(
                    "not-null-no-default",
                    new,
                    name,
                    f"{new['label']}.{name}: NOT NULL column added without a default; "
                    "existing rows need a value (and old code inserting rows will fail)",
                    field.get("line"),
                )
        for name, field in old_fields.items():
            if name in new_fields or name in renames:
                continue
            entry["fields"]["removed"].append(
                {"name": name, "line": field.get("line"), "summary": field_summary(field)}
            )
            if (
                concrete
                and not old.get("abstract")
                and field.get("origin") != "parent"
                and _has_column(field)
            ):
                self.risk(
                    "column-dropped",
                    new,
                    name,
                    f"{new['label']}.{name}: column {field['column']} dropped; a deployment "
                    "still running the old code reads it",
                )
        for name, field in new_fields.items():
            if name in old_fields:
                changes = self.compare_field(old_fields[name], field, new, concrete)
                if changes:
                    entry["fields"]["changed"].append(
                        {"name": name, "line": field.get("line"), "changes": changes}
                    )
        entry["risks"] = self.risks[start:]
        return entry

    def record_renames(
        self,
        entry: dict[str, Any],
        renames: dict[str, str],
        old_fields: dict[str, dict[str, Any]],
        new_fields: dict[str, dict[str, Any]],
        model: dict[str, Any],
        concrete: bool,
    ) -> None:
        """List each possible rename once (not as removed + added) with makemigrations' question;
        the risk is the renamed column, not a dropped one."""
        for old_name, new_name in renames.items():
            field = new_fields[new_name]
            entry["fields"]["renamed"].append(
                {
                    "old_name": old_name,
                    "name": new_name,
                    "line": field.get("line"),
                    "summary": field_summary(field),
                    "question": f"Was {model['name'].lower()}.{old_name} renamed to "
                    f"{model['name'].lower()}.{new_name} (a {_class_name(field)})? [y/N]",
                }
            )
            old_column = old_fields[old_name].get("column")
            if concrete and _has_column(field) and old_column != field.get("column"):
                self.risk(
                    "column-renamed",
                    model,
                    new_name,
                    f"{model['label']}.{old_name} -> {new_name}: possible rename (makemigrations "
                    f"asks); if so, column {old_column} is renamed to {field.get('column')} and "
                    "a deployment still running the old code reads the old name; if not, the "
                    "column is dropped and a new one added",
                    field.get("line"),
                )

    def compare_field(
        self, old: dict[str, Any], new: dict[str, Any], model: dict[str, Any], concrete: bool
    ) -> list[dict[str, Any]]:
        """Changes between two versions of one field; records the risky ones."""
        changes: list[dict[str, Any]] = []
        label = f"{model['label']}.{new['name']}"
        line = new.get("line")
        old_rel = old.get("relation") or {}
        new_rel = new.get("relation") or {}
        both_rel = bool(old_rel) and bool(new_rel)

        def add(attribute: str, ov: Any, nv: Any) -> None:
            changes.append({"attribute": attribute, "old": ov, "new": nv})

        if old.get("type") != new.get("type"):
            add("type", old.get("type"), new.get("type"))
        elif old.get("resolved_type") != new.get("resolved_type"):
            add("resolved_type", old.get("resolved_type"), new.get("resolved_type"))
        old_params = old.get("params") or {}
        new_params = new.get("params") or {}
        changed_params = set()
        for key in sorted(set(old_params) | set(new_params)):
            if both_rel and key in ("to", "on_delete"):
                continue  # compared through the resolved relation below
            if old_params.get(key, _MISSING) != new_params.get(key, _MISSING):
                changed_params.add(key)
                change: dict[str, Any] = {"attribute": f"params.{key}"}
                if key in old_params:
                    change["old"] = old_params[key]
                if key in new_params:
                    change["new"] = new_params[key]
                changes.append(change)
        for key in _EFFECTIVE:
            if old.get(key) != new.get(key) and key not in changed_params:
                add(key, old.get(key), new.get(key))
        if both_rel:
            for key in _RELATION_KEYS:
                if key == "related_name" and "related_name" in changed_params:
                    continue
                if key == "related_query_name" and "related_query_name" in changed_params:
                    continue
                if old_rel.get(key) != new_rel.get(key):
                    add(f"relation.{key}", old_rel.get(key), new_rel.get(key))
        elif old_rel or new_rel:
            add("relation", old_rel or None, new_rel or None)
        if not changes or not concrete or new.get("origin") == "parent":
            return changes

        # Risks.
        has_column = _has_column(new) and _has_column(old)
        if has_column and old.get("null") and not new.get("null") and not _has_default(new):
            self.risk(
                "not-null-no-default",
                model,
                new["name"],
                f"{label}: becomes NOT NULL without a default; rows holding NULL make the "
                "migration fail (needs a data migration first)",
                line,
            )
        if has_column and new.get("unique") and not old.get("unique"):
            self.risk(
                "unique-added",
                model,
                new["name"],
                f"{label}: unique added; duplicate values make the migration fail",
                line,
            )
        old_t, new_t = old.get("django_type"), new.get("django_type")
        if has_column and old_t and new_t and old_t != new_t:
            if (old_t, new_t) in _NARROWING or (
                old_t in _INT_RANK and new_t in _INT_RANK and _INT_RANK[new_t] < _INT_RANK[old_t]
            ):
                self.risk(
                    "type-narrowed",
                    model,
                    new["name"],
                    f"{label}: {old_t} -> {new_t} narrows the column; values may not fit",
                    line,
                )
            elif (old_t, new_t) not in _WIDENING and not (
                old_t in _INT_RANK and new_t in _INT_RANK
            ):
                self.risk(
                    "type-changed",
                    model,
                    new["name"],
                    f"{label}: {old_t} -> {new_t} changes the column type; existing values "
                    "need a cast or a data migration",
                    line,
                )
        if has_column:
            for param in ("max_length", "max_digits", "decimal_places"):
                ov = old.get(param) if param == "max_length" else old_params.get(param)
                nv = new.get(param) if param == "max_length" else new_params.get(param)
                if isinstance(ov, int) and isinstance(nv, int) and nv < ov:
                    self.risk(
                        "type-narrowed",
                        model,
                        new["name"],
                        f"{label}: {param} decreased from {ov} to {nv}; longer values may not fit",
                        line,
                    )
        if (
            both_rel
            and old_rel.get("target") != new_rel.get("target")
            and self.pairs.get(old_rel.get("target") or "") != new_rel.get("target")
        ):
            self.risk(
                "fk-target-changed",
                model,
                new["name"],
                f"{label}: relation target {old_rel.get('target')} -> {new_rel.get('target')}; "
                "existing ids point at rows of the old table",
                line,
            )
        if (
            has_column
            and old.get("column") != new.get("column")
            and old_rel.get("target") == new_rel.get("target")
        ):
            self.risk(
                "column-renamed",
                model,
                new["name"],
                f"{label}: column {old.get('column')} renamed to {new.get('column')}",
                line,
            )
        return changes

    # -- document -----------------------------------------------------------------------
    def document(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        def side(doc: dict[str, Any]) -> dict[str, Any]:
            meta = doc.get("metadata") or {}
            return {
                "name": meta.get("path"),
                "git_commit": meta.get("git_commit"),
                "models": len(doc.get("models") or []),
            }

        summary = {
            "models_added": 0,
            "models_removed": 0,
            "models_renamed": 0,
            "models_moved": 0,
            "models_changed": 0,
            "fields_added": 0,
            "fields_removed": 0,
            "fields_renamed": 0,
            "fields_changed": 0,
            "risks": len(self.risks),
        }
        for entry in entries:
            summary[f"models_{entry['status']}"] += 1
            fields = entry.get("fields")
            if isinstance(fields, dict):
                for kind in ("added", "removed", "renamed", "changed"):
                    summary[f"fields_{kind}"] += len(fields.get(kind, []))
        changed = bool(entries)
        return {
            "format": DIFF_FORMAT,
            "schema_version": DIFF_SCHEMA_VERSION,
            "old": side(self.old),
            "new": side(self.new),
            "changed": changed,
            "summary": summary,
            "models": entries,
            "risks": self.risks,
        }


#: Field keys that do not take part in makemigrations' rename test (deconstruct() equality).
_RENAME_IGNORED = frozenset({"name", "line", "column", "defined_in", "origin"})


def _class_name(field: dict[str, Any]) -> str:
    return str(field.get("type") or "Field").rsplit(".", 1)[-1]


def _rename_signature(field: dict[str, Any]) -> Any:
    """What must be equal for makemigrations to ask whether a field was renamed: the field class
    and every parameter (its column may differ: a renamed field's default column follows it)."""
    params = dict(field.get("params") or {})
    params.pop("db_column", None)
    relation = field.get("relation") or {}
    return json.dumps(
        [
            field.get("resolved_type") or field.get("type"),
            params,
            {k: relation.get(k) for k in ("kind", "target", "on_delete", "through", "to_field")},
        ],
        sort_keys=True,
        default=str,
    )


def possible_renames(
    old_fields: dict[str, dict[str, Any]], new_fields: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """``{old name: new name}`` for removed fields matching an added field of the same model as
    makemigrations' autodetector pairs them (same class and parameters; each used once; declared
    fields only: an inherited one changes with its base)."""
    removed = [
        f for n, f in old_fields.items() if n not in new_fields and f.get("origin") == "declared"
    ]
    pairs: dict[str, str] = {}
    for name, field in new_fields.items():
        if name in old_fields or field.get("origin") != "declared":
            continue
        signature = _rename_signature(field)
        for candidate in removed:
            if candidate["name"] not in pairs and _rename_signature(candidate) == signature:
                pairs[candidate["name"]] = name
                break
    return pairs


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Compare report ``old`` with report ``new``; return the ``djatlas-diff`` document.

    ``models`` lists one entry per model that differs, with ``status`` one of ``added``,
    ``removed``, ``renamed`` (same declared fields, another name), ``moved`` (same name, another
    app) or ``changed``; ``risks`` lists the changes needing care when deployed.
    """
    return _Differ(old, new).run()
