"""Compare a static djatlas report with a runtime one (``manage.py djatlas``).

The runtime report is the oracle: it is what Django's ``_meta`` says after ``django.setup()``.
:func:`compare` lists every way the static report differs from it, model by model and field by
field; :func:`check_database` checks a report's tables and columns against a SQLite database.
Abstract models exist only in static reports and are ignored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

from djatlas.records import asdict, dataclass

Doc = Mapping[str, Any]

MODEL_KEYS = (
    "app_label",
    "module",
    "file",
    "line",
    "docstring",
    "proxy",
    "parents",
    "concrete_model",
    "db_table",
)
FIELD_KEYS = (
    "type",
    "django_type",
    "origin",
    "column",
    "null",
    "unique",
    "primary_key",
    "max_length",
    "line",
    "defined_in",
)
#: What a static report may leave unknown (None) about an external model or its fields.
EXTERNAL_UNKNOWN = ("file", "line", "docstring")
RELATION_KEYS = (
    "kind",
    "target",
    "on_delete",
    "through",
    "to_field",
    "parent_link",
    "m2m_db_table",
)


@dataclass(frozen=True)
class Disagreement:
    """One difference between the static report and the oracle."""

    model: str
    field: str | None
    aspect: str
    static: Any
    runtime: Any
    message: str

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _where(model: str, field: str | None) -> str:
    return f"{model}.{field}" if field else model


def _differ(model: str, field: str | None, aspect: str, static: Any, runtime: Any) -> Disagreement:
    message = f"{_where(model, field)}: {aspect}: static {static!r} != runtime {runtime!r}"
    return Disagreement(model, field, aspect, static, runtime, message)


def field_class(field: Mapping[str, Any]) -> str | None:
    """Bare class name of a field entry (``CharField`` for ``models.CharField``)."""
    dotted = field.get("resolved_type") or field.get("type")
    return dotted.rsplit(".", 1)[-1] if dotted else None


def concrete_models(doc: Doc, apps: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """Non-abstract models of a report by label, limited to ``apps`` labels when given."""
    return {
        m["label"]: m
        for m in doc.get("models", [])
        if not m.get("abstract") and (apps is None or m.get("app_label") in apps)
    }


def tree_modules(static_doc: Doc) -> set[str]:
    """Modules of the Python files a static report lists (its scanned tree)."""
    return {f["module"] for f in static_doc.get("files", []) if f.get("module")}


def outside_tree(
    static_doc: Doc, runtime_doc: Doc, apps: Collection[str] | None = None
) -> list[str]:
    """Labels of runtime models defined outside the scanned tree that the static report does not
    list (Django's contrib, installed packages nothing in the tree refers to), sorted.

    A static report without ``files`` (not from ``djatlas scan``) has no tree: nothing is outside.
    """
    modules = tree_modules(static_doc)
    if not modules:
        return []
    listed = concrete_models(static_doc, apps)
    return sorted(
        label
        for label, model in concrete_models(runtime_doc, apps).items()
        if label not in listed and model.get("module") not in modules
    )


def _scope(
    static_doc: Doc, runtime_doc: Doc, apps: Collection[str] | None
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The static and runtime models compared: runtime models outside the tree are left out."""
    skipped = set(outside_tree(static_doc, runtime_doc, apps))
    r_models = {k: v for k, v in concrete_models(runtime_doc, apps).items() if k not in skipped}
    return concrete_models(static_doc, apps), r_models


def same_file(static: str | None, runtime: str | None) -> bool:
    """Whether two report paths name the same file: equal, or one relative path (to the scanned
    tree) ending the other, absolute one (an export without ``--root``)."""
    if static == runtime:
        return True
    if not static or not runtime:
        return False
    s, r = PurePosixPath(static), PurePosixPath(runtime)
    if s.is_absolute() == r.is_absolute():
        return False
    relative, absolute = (s, r) if r.is_absolute() else (r, s)
    return absolute.parts[-len(relative.parts) :] == relative.parts


def tree_apps(runtime_doc: Doc) -> set[str]:
    """Labels of the apps whose runtime models live under the exporter's ``--root``.

    The exporter writes paths relative to ``--root`` and absolute paths outside it.
    """
    return {
        m["app_label"]
        for m in runtime_doc.get("models", [])
        if m.get("file") and not PurePath(m["file"]).is_absolute()
    }


def _field_value(field: Mapping[str, Any], key: str) -> Any:
    return field_class(field) if key == "type" else field.get(key)


def compare_fields(
    label: str, static: Mapping[str, Any], runtime: Mapping[str, Any], external: bool = False
) -> list[Disagreement]:
    """Differences between two entries for the same field (of an external model when
    ``external``: its line may be unknown)."""
    name = runtime["name"]
    out = []
    for key in FIELD_KEYS:
        s, r = _field_value(static, key), _field_value(runtime, key)
        outside = external or runtime.get("origin") in ("inherited", "parent")
        if key == "line" and s is None and outside:
            continue  # a static scan may not know lines outside the scanned tree
        if s != r:
            out.append(_differ(label, name, key, s, r))
    s_rel, r_rel = static.get("relation"), runtime.get("relation")
    if (s_rel is None) != (r_rel is None):
        out.append(
            _differ(
                label,
                name,
                "relation",
                s_rel and s_rel.get("kind"),
                r_rel and r_rel.get("kind"),
            )
        )
    elif s_rel and r_rel:
        for key in RELATION_KEYS:
            if s_rel.get(key) != r_rel.get(key):
                out.append(_differ(label, name, f"relation.{key}", s_rel.get(key), r_rel.get(key)))
    return out


def _reverse_key(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        entry.get("name"),
        entry.get("model"),
        entry.get("field"),
        bool(entry.get("hidden")),
        entry.get("via"),
    )


def compare_model(static: Mapping[str, Any], runtime: Mapping[str, Any]) -> list[Disagreement]:
    """Differences between two entries for the same model."""
    label = runtime["label"]
    external = bool(static.get("external"))
    generated = bool(static.get("generated_by"))
    out = []
    for key in MODEL_KEYS:
        s, r = static.get(key), runtime.get(key)
        if key == "parents":
            s, r = sorted(s or []), sorted(r or [])
        if external and key in EXTERNAL_UNKNOWN and s is None:
            continue
        if generated and key in ("file", "line") and r is None:
            continue  # a class a package makes with type(): Python has no source for it
        if s != r and not (key == "file" and same_file(s, r)):
            out.append(_differ(label, None, key, s, r))
    s_fields = {f["name"]: f for f in static.get("fields", [])}
    r_fields = {f["name"]: f for f in runtime.get("fields", [])}
    for name, field in r_fields.items():
        if name not in s_fields:
            out.append(
                Disagreement(
                    label,
                    name,
                    "missing_field",
                    None,
                    field_class(field),
                    f"{label}.{name}: field missing from the static report "
                    f"(runtime: {field_class(field)}, {field.get('origin')})",
                )
            )
    for name, field in s_fields.items():
        if name not in r_fields:
            out.append(
                Disagreement(
                    label,
                    name,
                    "extra_field",
                    field_class(field),
                    None,
                    f"{label}.{name}: field not in the runtime report "
                    f"(static: {field_class(field)}, {field.get('origin')})",
                )
            )
    for name, field in r_fields.items():
        if name in s_fields:
            out.extend(compare_fields(label, s_fields[name], field, external))
    s_order = [n for n in s_fields if n in r_fields]
    r_order = [n for n in r_fields if n in s_fields]
    if s_order != r_order:
        out.append(_differ(label, None, "field_order", s_order, r_order))
    return out


def _via(via: str | None) -> str:
    return f", to {via}" if via else ""


def compare_reverse(
    label: str,
    static: Iterable[Mapping[str, Any]],
    runtime: Iterable[Mapping[str, Any]],
    in_scope: Collection[str],
) -> list[Disagreement]:
    """Differences in reverse accessors, counting only relations declared on models in scope."""
    s_keys = {_reverse_key(e) for e in static if e.get("model") in in_scope}
    r_keys = {_reverse_key(e) for e in runtime if e.get("model") in in_scope}
    out = []
    for key in sorted(r_keys - s_keys, key=repr):
        name, model, field, hidden, via = key
        out.append(
            Disagreement(
                label,
                None,
                "missing_reverse",
                None,
                name,
                f"{label}: reverse accessor {name!r} (from {model}.{field}"
                f"{', hidden' if hidden else ''}{_via(via)}) missing from the static report",
            )
        )
    for key in sorted(s_keys - r_keys, key=repr):
        name, model, field, hidden, via = key
        out.append(
            Disagreement(
                label,
                None,
                "extra_reverse",
                name,
                None,
                f"{label}: reverse accessor {name!r} (from {model}.{field}"
                f"{', hidden' if hidden else ''}{_via(via)}) not in the runtime report",
            )
        )
    return out


def compare(
    static_doc: Doc, runtime_doc: Doc, *, apps: Collection[str] | None = None
) -> list[Disagreement]:
    """Every disagreement between a static report and the runtime oracle.

    ``apps`` limits the comparison to those app labels (both sides); by default every model of
    both reports is compared, but for runtime models outside the scanned tree that the static
    report does not list (:func:`outside_tree`).
    """
    s_models, r_models = _scope(static_doc, runtime_doc, apps)
    out: list[Disagreement] = []
    for label, model in r_models.items():
        if label not in s_models:
            out.append(
                Disagreement(
                    label,
                    None,
                    "missing_model",
                    None,
                    label,
                    f"{label}: model missing from the static report ({model.get('module')})",
                )
            )
    for label, model in s_models.items():
        if label not in r_models:
            out.append(
                Disagreement(
                    label,
                    None,
                    "extra_model",
                    label,
                    None,
                    f"{label}: model not in the runtime report ({model.get('module')})",
                )
            )
    in_scope = set(s_models) & set(r_models)
    for label in sorted(in_scope):
        out.extend(compare_model(s_models[label], r_models[label]))
        out.extend(
            compare_reverse(
                label,
                s_models[label].get("reverse_relations", []),
                r_models[label].get("reverse_relations", []),
                in_scope,
            )
        )
    return sorted(out, key=lambda d: (d.model, d.field or "", d.aspect))


def summarize(
    static_doc: Doc,
    runtime_doc: Doc,
    disagreements: Iterable[Disagreement],
    *,
    apps: Collection[str] | None = None,
) -> dict[str, int]:
    """Counts of models and fields compared and of those that agree entirely.

    A model or field on one side only is compared and disagrees: the models compared are those
    of both reports, the fields compared those of either report's entry for each of them.
    """
    s_models, r_models = _scope(static_doc, runtime_doc, apps)
    found = list(disagreements)
    bad_models = {d.model for d in found}
    bad_fields = {(d.model, d.field) for d in found if d.field}
    common = set(s_models) & set(r_models)
    fields = {
        (label, f["name"])
        for models in (s_models, r_models)
        for label, model in models.items()
        for f in model.get("fields", [])
    }
    both = {(label, f["name"]) for label in common for f in r_models[label].get("fields", [])} & {
        (label, f["name"]) for label in common for f in s_models[label].get("fields", [])
    }
    return {
        "runtime_models": len(r_models),
        "static_models": len(s_models),
        "outside_tree": len(outside_tree(static_doc, runtime_doc, apps)),
        "models_compared": len(set(s_models) | set(r_models)),
        "models_agreeing": len(common - bad_models),
        "runtime_fields": sum(len(m.get("fields", [])) for m in r_models.values()),
        "fields_compared": len(fields),
        "fields_agreeing": len(both - bad_fields),
        "disagreements": len(found),
    }


#: ``PRAGMA table_xinfo`` ``hidden`` values of generated columns -> stored (``db_persist``).
_GENERATED = {2: False, 3: True}


def read_schema(database: str) -> dict[str, dict[str, int]]:
    """Tables of a SQLite file -> their columns -> ``hidden`` (0 plain, 1 hidden column of a
    virtual table, 2 VIRTUAL generated, 3 STORED generated). ``PRAGMA table_xinfo`` lists the
    generated columns that ``table_info`` leaves out; every table has the implicit ``rowid``."""
    path = Path(database)
    if not path.is_file():
        raise FileNotFoundError(f"no such database: {database}")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        schema: dict[str, dict[str, int]] = {}
        for table in tables:
            quoted = table.replace('"', '""')
            info = connection.execute(f'PRAGMA table_xinfo("{quoted}")').fetchall()
            schema[table] = {"rowid": 0} | {row[1]: row[6] for row in info}
    finally:
        connection.close()
    return schema


def is_managed(model: Mapping[str, Any], models: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether Django's ``migrate`` creates the model's tables (``Meta.managed``, a proxy's
    concrete model's); a model with ``managed = False`` is not expected in the database."""
    concrete = models.get(model.get("concrete_model") or "", model)
    return (concrete.get("meta") or {}).get("managed", True) is not False


def is_generated(field: Mapping[str, Any]) -> bool:
    """Whether a field entry is a ``GeneratedField`` (or a subclass)."""
    return "GeneratedField" in (field.get("django_type"), field_class(field))


def check_database(
    doc: Doc, database: str, *, apps: Collection[str] | None = None
) -> list[Disagreement]:
    """Check that every table, column and M2M table a report predicts exists in a SQLite file,
    and that generated columns are generated (stored as ``db_persist`` says).

    ``apps`` limits the check to those app labels. The tables of a model with
    ``managed = False`` (its own and its auto-created M2M tables) may be missing.
    """
    schema = read_schema(database)
    models = concrete_models(doc)
    out: list[Disagreement] = []
    for model in concrete_models(doc, apps).values():
        label, table = model["label"], model.get("db_table")
        managed = is_managed(model, models)
        if not table or (table not in schema and not managed):
            continue
        if table not in schema:
            message = f"{label}: table {table!r} not in DB"
            out.append(Disagreement(label, None, "db_table", table, None, message))
            continue
        for field in model.get("fields", []):
            if field.get("origin") != "parent":  # checked with the model that stores it
                out += _check_field(label, table, field, schema, managed)
    return out


def _check_field(
    label: str,
    table: str,
    field: Mapping[str, Any],
    schema: Mapping[str, Mapping[str, int]],
    managed: bool,
) -> list[Disagreement]:
    """A field's column (generated or not) and auto-created M2M table in the database."""
    name, column = field["name"], field.get("column")
    where = f"{label}.{name}"
    out = []
    if column and column not in schema[table]:
        message = f"{where}: column {column!r} not in table {table!r}"
        out.append(Disagreement(label, name, "column", column, None, message))
    elif column:
        out += _check_generated(label, table, field, schema[table][column])
    m2m = (field.get("relation") or {}).get("m2m_db_table")
    if m2m and m2m not in schema and managed:
        message = f"{where}: M2M table {m2m!r} not in DB"
        out.append(Disagreement(label, name, "m2m_db_table", m2m, None, message))
    return out


def _check_generated(
    label: str, table: str, field: Mapping[str, Any], hidden: int
) -> list[Disagreement]:
    """A ``GeneratedField``'s column is generated, STORED when ``db_persist`` is true, VIRTUAL
    when false; any other field's column is not generated."""
    name, column = field["name"], field.get("column")
    stored = _GENERATED.get(hidden)
    where = f"{label}.{name}: column {column!r} in table {table!r}"
    if not is_generated(field):
        if stored is None:
            return []
        message = f"{where} is generated but the field is {field_class(field)}"
        return [Disagreement(label, name, "generated", False, True, message)]
    if stored is None:
        message = f"{where} is not a generated column"
        return [Disagreement(label, name, "generated", True, False, message)]
    persist = (field.get("params") or {}).get("db_persist")
    if isinstance(persist, bool) and persist != stored:
        kind = "STORED" if stored else "VIRTUAL"
        message = f"{where} is {kind}, the field has db_persist={persist}"
        return [Disagreement(label, name, "db_persist", persist, stored, message)]
    return []
