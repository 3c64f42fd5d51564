"""Replay migrations into a project state, as Django's ``state_forwards`` does: per model its
fields (as deconstructed definitions), options, bases and managers. ``SeparateDatabaseAndState``
contributes its state side only (its database side is recorded on the operation); ``RunPython``
and ``RunSQL`` change nothing but ``RunSQL``'s ``state_operations``. An operation djatlas cannot
replay (a custom class, an unreadable list) marks the app or model as incomplete instead."""

from __future__ import annotations

from typing import Any

from djatlas.migrations.fields import FieldDef, from_call
from djatlas.migrations.graph import Key, MigrationGraph
from djatlas.migrations.operations import NO_STATE, Operation, operations
from djatlas.records import dataclass, field

#: AlterModelOptions.ALTER_OPTION_KEYS
ALTER_OPTION_KEYS = (
    "base_manager_name", "default_manager_name", "default_related_name", "get_latest_by",
    "managed", "ordering", "permissions", "default_permissions", "select_on_save",
    "verbose_name", "verbose_name_plural",
)  # fmt: skip


@dataclass
class ModelState:
    app_label: str
    name: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    bases: list[Any] = field(default_factory=list)
    managers: list[Any] = field(default_factory=list)
    #: migration that last changed this model: (app_label, name).
    last: Key | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.name.lower())


@dataclass
class ProjectState:
    models: dict[tuple[str, str], ModelState] = field(default_factory=dict)
    #: app label -> why its state is not fully known.
    incomplete: dict[str, list[str]] = field(default_factory=dict)
    #: (app_label, model) -> why its state is not fully known.
    incomplete_models: dict[tuple[str, str], list[str]] = field(default_factory=dict)


@dataclass
class Context:
    app_label: str
    auth_user_model: str
    django_types: dict[str, str]
    migration: Key
    where: str


def replay(graph: MigrationGraph, auth_user_model: str, django_types: dict[str, str]):
    """The project state after applying every migration of the graph in Django's order, and
    the per-migration typed operations (key -> list)."""
    state = ProjectState()
    ops_by_migration: dict[Key, list[Operation]] = {}
    for key in graph.full_plan():
        mf = graph.nodes[key]
        raw = mf.attrs.get("operations", [])
        if not isinstance(raw, list):
            state.incomplete.setdefault(key[0], []).append(
                f"{mf.path}: operations not readable statically"
            )
            ops_by_migration[key] = []
            continue
        ops = operations(raw)
        ops_by_migration[key] = ops
        ctx = Context(key[0], auth_user_model, django_types, key, mf.path)
        for op in ops:
            apply(state, op, ctx)
    return state, ops_by_migration


def apply(state: ProjectState, op: Operation, ctx: Context) -> None:
    """Apply one operation's state side."""
    if op.op in NO_STATE:
        return
    if op.op in ("SeparateDatabaseAndState", "RunSQL"):
        for inner in op.state:
            apply(state, inner, ctx)
        return
    handler = _HANDLERS.get(op.op) if op.known else None
    if handler is None:
        model = op.args.get("model_name") or op.args.get("name")
        why = f"{ctx.where}:{op.line or '?'}: {op.op or op.path} is not replayed statically"
        if isinstance(model, str):
            state.incomplete_models.setdefault((ctx.app_label, model.lower()), []).append(why)
        else:
            state.incomplete.setdefault(ctx.app_label, []).append(why)
        return
    try:
        handler(state, op.args, ctx)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        state.incomplete.setdefault(ctx.app_label, []).append(
            f"{ctx.where}:{op.line or '?'}: {op.op} could not be replayed ({exc.__class__.__name__}"
            f": {exc})"
        )


def field_def(value: Any, ctx: Context) -> FieldDef | None:
    """A migration's field call as a FieldDef with ``to``/``through`` as lower-case labels."""
    if not isinstance(value, dict) or "$call" not in value:
        return None
    path = value["$call"]
    fd = from_call(value, ctx.django_types.get(path.rsplit(".", 1)[-1]))
    if fd is None:
        return None
    for key in ("to", "through"):
        if key in fd.kwargs:
            fd.kwargs[key] = _label(fd.kwargs[key], ctx)
    if isinstance(fd.kwargs.get("through"), str):
        fd.kwargs["through"] = fd.kwargs["through"].lower()
    return fd


def _label(value: Any, ctx: Context) -> Any:
    if isinstance(value, str):
        return (value if "." in value else f"{ctx.app_label}.{value}").lower()
    if isinstance(value, dict) and str(value.get("$ref", "")).endswith("settings.AUTH_USER_MODEL"):
        return ctx.auth_user_model.lower()
    return value


def _model(state: ProjectState, name: Any, ctx: Context) -> ModelState:
    return state.models[(ctx.app_label, str(name).lower())]


def _touch(m: ModelState, ctx: Context) -> None:
    m.last = ctx.migration


def _create_model(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = ModelState(ctx.app_label, str(a["name"]))
    for item in a.get("fields") or []:
        if isinstance(item, list) and len(item) == 2:
            fd = field_def(item[1], ctx)
            if fd is None:
                _unknown_field(state, m, str(item[0]), ctx)
            else:
                m.fields[str(item[0])] = fd
    options = a.get("options") or {}
    m.options = dict(options) if isinstance(options, dict) else {}
    m.bases = list(a.get("bases") or [])
    m.managers = list(a.get("managers") or [])
    _touch(m, ctx)
    state.models[m.key] = m


def _unknown_field(state: ProjectState, m: ModelState, name: str, ctx: Context) -> None:
    state.incomplete_models.setdefault(m.key, []).append(
        f"{ctx.where}: field {name} is not a readable field definition"
    )


def _delete_model(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    del state.models[(ctx.app_label, str(a["name"]).lower())]


def _rename_model(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = state.models.pop((ctx.app_label, str(a["old_name"]).lower()))
    old_label = f"{ctx.app_label}.{m.name}".lower()
    m.name = str(a["new_name"])
    new_label = f"{ctx.app_label}.{m.name}".lower()
    _touch(m, ctx)
    state.models[m.key] = m
    for other in state.models.values():
        for fd in other.fields.values():
            for key in ("to", "through"):
                if fd.kwargs.get(key) == old_label:
                    fd.kwargs[key] = new_label


def _set_option(key: str, arg: str):
    def handler(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
        m = _model(state, a["name"], ctx)
        value = a.get(arg)
        if key in ("unique_together", "index_together"):
            value = normalize_together(value)
        m.options[key] = value
        _touch(m, ctx)

    return handler


def normalize_together(value: Any) -> list[list[str]]:
    """Django's ``normalize_together``: one tuple or a list of tuples -> sorted list of lists."""
    if not value:
        return []
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        value = [value]
    if not isinstance(value, list):
        return value
    return [list(v) for v in sorted({tuple(v) for v in value if isinstance(v, (list, tuple))})]


def _alter_options(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = _model(state, a["name"], ctx)
    new = a.get("options") or {}
    m.options.update(new)
    for key in ALTER_OPTION_KEYS:
        if key not in new:
            m.options.pop(key, None)
    _touch(m, ctx)


def _alter_managers(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = _model(state, a["name"], ctx)
    m.managers = list(a.get("managers") or [])
    _touch(m, ctx)


def _add_field(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = _model(state, a["model_name"], ctx)
    name = str(a["name"])
    fd = field_def(a.get("field"), ctx)
    if fd is None:
        _unknown_field(state, m, name, ctx)
        m.fields.pop(name, None)
        return
    if a.get("preserve_default") is False:
        fd.kwargs.pop("default", None)
    m.fields[name] = fd
    _touch(m, ctx)


def _remove_field(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = _model(state, a["model_name"], ctx)
    m.fields.pop(str(a["name"]), None)
    _touch(m, ctx)


def _rename_field(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = _model(state, a["model_name"], ctx)
    old, new = str(a["old_name"]), str(a["new_name"])
    m.fields = {(new if k == old else k): v for k, v in m.fields.items()}
    for key in ("unique_together", "index_together"):
        if isinstance(m.options.get(key), list):
            m.options[key] = normalize_together(
                [[new if f == old else f for f in group] for group in m.options[key]]
            )
    if m.options.get("order_with_respect_to") == old:
        m.options["order_with_respect_to"] = new
    _touch(m, ctx)


def _add_item(key: str, arg: str):
    def handler(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
        m = _model(state, a["model_name"], ctx)
        m.options[key] = [*m.options.get(key, []), a[arg]]
        _touch(m, ctx)

    return handler


def _remove_item(key: str):
    def handler(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
        m = _model(state, a["model_name"], ctx)
        m.options[key] = [i for i in m.options.get(key, []) if item_name(i) != a["name"]]
        _touch(m, ctx)

    return handler


def item_name(item: Any) -> Any:
    """The ``name`` keyword of an index or constraint call value."""
    return (item.get("kwargs") or {}).get("name") if isinstance(item, dict) else None


def _alter_constraint(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = _model(state, a["model_name"], ctx)
    m.options["constraints"] = [
        a["constraint"] if item_name(i) == a["name"] else i
        for i in m.options.get("constraints", [])
    ]
    _touch(m, ctx)


def _rename_index(state: ProjectState, a: dict[str, Any], ctx: Context) -> None:
    m = _model(state, a["model_name"], ctx)
    if a.get("old_fields"):
        old = list(a["old_fields"])
        m.options["index_together"] = [
            g for g in m.options.get("index_together", []) if list(g) != old
        ]
        index = {"$call": "django.db.models.Index", "args": [], "line": None}
        index["kwargs"] = {"fields": old, "name": a["new_name"]}
        m.options["indexes"] = [*m.options.get("indexes", []), index]
    else:
        renamed = []
        for i in m.options.get("indexes", []):
            if item_name(i) == a.get("old_name"):
                i = {**i, "kwargs": {**i.get("kwargs", {}), "name": a["new_name"]}}
            renamed.append(i)
        m.options["indexes"] = renamed
    _touch(m, ctx)


_HANDLERS = {
    "CreateModel": _create_model,
    "DeleteModel": _delete_model,
    "RenameModel": _rename_model,
    "AlterModelTable": _set_option("db_table", "table"),
    "AlterModelTableComment": _set_option("db_table_comment", "table_comment"),
    "AlterUniqueTogether": _set_option("unique_together", "unique_together"),
    "AlterIndexTogether": _set_option("index_together", "index_together"),
    "AlterOrderWithRespectTo": _set_option("order_with_respect_to", "order_with_respect_to"),
    "AlterModelOptions": _alter_options,
    "AlterModelManagers": _alter_managers,
    "AddField": _add_field,
    "AlterField": _add_field,
    "RemoveField": _remove_field,
    "RenameField": _rename_field,
    "AddIndex": _add_item("indexes", "index"),
    "AddIndexConcurrently": _add_item("indexes", "index"),
    "RemoveIndex": _remove_item("indexes"),
    "RemoveIndexConcurrently": _remove_item("indexes"),
    "RenameIndex": _rename_index,
    "AddConstraint": _add_item("constraints", "constraint"),
    "AddConstraintNotValid": _add_item("constraints", "constraint"),
    "RemoveConstraint": _remove_item("constraints"),
    "AlterConstraint": _alter_constraint,
}
