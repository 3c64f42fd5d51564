"""The checks of one operation's database side against the state before it. Each check returns
``(code, model, field, message)`` tuples; a model or field the state does not know, a model
without a table (proxy, unmanaged) and a table created by a migration under review are left
alone: nothing is reported on parts that are not known."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from djatlas.migrations.fields import FieldDef
from djatlas.migrations.lint.columns import (
    NO_COLUMN,
    RELATIONS,
    column_type,
    describe,
    narrowing,
    rewrites,
)
from djatlas.migrations.operations import Operation
from djatlas.migrations.state import Context, ModelState, ProjectState, field_def
from djatlas.migrations.state import normalize_together as together
from djatlas.records import dataclass, field

Result = tuple[str, "str | None", "str | None", str]
ModelKey = tuple[str, str]

#: Classes whose empty value Django fills in when the column is added (empty_strings_allowed).
_EMPTY_STRINGS = {
    "CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField", "ImageField",
    "FilePathField", "BinaryField", "CommaSeparatedIntegerField", "CICharField", "CITextField",
    "CIEmailField",
}  # fmt: skip
#: Classes whose column is filled without a default, or always nullable.
_FILLED = {"AutoField", "BigAutoField", "SmallAutoField", "GeneratedField", "NullBooleanField"}


@dataclass
class Scope:
    """The migration under review."""

    ctx: Context
    atomic: Any  # the Migration's ``atomic`` attribute (True unless written otherwise)
    fresh: set[ModelKey]  # tables created by migrations under review: empty, nothing to lock
    deleted: set[ModelKey]  # models this migration drops
    #: for an ``initial = True`` migration: tables the app's initial migrations create (they
    #: are applied together on an empty database, e.g. 0001_initial and 0002_initial).
    initial: frozenset[ModelKey] = frozenset()
    #: django-safemigrate's ``safe = Safe.after_deploy()``: the migration runs once the new
    #: code is deployed everywhere, so no old code reads what it drops.
    after_deploy: bool = False
    #: (app, model, field) defined with a db_default, as written
    db_defaults: set[tuple[str, str, str]] = field(default_factory=set)
    #: (app, model, field) some migration adds back to the state only
    remounted: set[tuple[str, str, str]] = field(default_factory=set)


def check_operation(op: Operation, state: ProjectState, scope: Scope) -> list[Result]:
    check = _CHECKS.get(op.op)
    return list(check(op, state, scope)) if check else []


def check_state_only(
    op: Operation, outer: Operation, state: ProjectState, scope: Scope
) -> list[Result]:
    """A field removed from the state only (the first step of a staged drop) stays in the
    table: NOT NULL without a database default, the new code's inserts fail on it. Not when
    the same state side deletes the model (its table moves to another model or stays unused)
    or the database side touches the column."""
    m = _model(op, state, scope) if op.op == "RemoveField" and op.known else None
    name = op.args.get("name")
    if m is None or not isinstance(name, str) or name not in m.fields:
        return []
    if any(o.op == "DeleteModel" and o.model == op.model for o in outer.state):
        return []
    for d in outer.database:
        if d.op == "RunSQL" or (d.model == op.model and d.args.get("name") == name):
            return []
    fd = m.fields[name]
    kw = fd.kwargs
    if fd.custom or fd.cls in NO_COLUMN or fd.cls in _FILLED or kw.get("primary_key") is True:
        return []
    where = (scope.ctx.app_label, op.model or "", name)
    if where in scope.remounted:
        return []  # the column stays for a field added back to the state elsewhere
    if kw.get("null", False) is not False or "db_default" in kw or where in scope.db_defaults:
        return []
    message = f"RemoveField {m.name}.{name} from the state only: the NOT NULL column stays"
    return [("DJM117", op.model, name, message)]


def _model(op: Operation, state: ProjectState, scope: Scope) -> ModelState | None:
    """The operation's model when it has a table that existed before the migrations under
    review (else None: nothing of it can lock, break or lose anything)."""
    key = (scope.ctx.app_label, op.model or "")
    m = state.models.get(key)
    if m is None or key in scope.fresh or key in scope.initial:
        return None
    proxy, managed = m.options.get("proxy", False), m.options.get("managed", True)
    return m if proxy is False and managed is True else None


def _target_pk(fd: FieldDef, state: ProjectState) -> FieldDef | None:
    """The field a foreign key's column copies its type from (the target's primary key or
    ``to_field``)."""
    to = fd.kwargs.get("to")
    if fd.cls not in RELATIONS or not isinstance(to, str) or "." not in to:
        return None
    target = state.models.get(tuple(to.split(".", 1)))  # type: ignore[arg-type]
    if target is None:
        return None
    name = fd.kwargs.get("to_field")
    for fname, f in target.fields.items():
        if fname == name or (name is None and f.kwargs.get("primary_key") is True):
            return f
    return None


def _create_model(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    if op.model:
        scope.fresh.add((scope.ctx.app_label, op.model))
    return iter(())


def _add_field(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    fd = field_def(op.args.get("field"), scope.ctx)
    name = op.args.get("name")
    if m is None or fd is None or fd.cls in NO_COLUMN or not isinstance(name, str):
        return
    kw = {**fd.kwargs, **_written(op)}
    where = f"{m.name}.{name}"
    if not fd.custom and kw.get("null", False) is False and fd.cls not in _FILLED:
        if "db_default" not in kw and "default" not in kw and not _filled_in(fd):
            yield "DJM101", op.model, name, f"AddField {where}: NOT NULL {fd.cls} without a default"
        elif "db_default" not in kw:
            yield ("DJM102", op.model, name,
                   f"AddField {where}: NOT NULL {fd.cls} whose default Django drops from the "
                   "column after filling existing rows")  # fmt: skip
    if kw.get("unique") is True and "default" in kw:
        yield "DJM115", op.model, name, f"AddField {where}: unique with one default for all rows"
    kind = _index_kind(fd)
    if kind:
        yield "DJM110", op.model, name, f"AddField {where}: builds {kind} on {_table(m)}"


def _written(op: Operation) -> dict[str, Any]:
    """The field call's keywords as written (``db_default=False`` counts, though a normalised
    definition leaves it out)."""
    value = op.args.get("field")
    kwargs = value.get("kwargs") if isinstance(value, dict) else None
    return kwargs if isinstance(kwargs, dict) else {}


def _filled_in(fd: FieldDef) -> bool:
    """Django's ``effective_default`` gives existing rows a value: "" for blank text-like
    fields, now() for auto_now/auto_now_add."""
    kw = fd.kwargs
    blank_text = kw.get("blank") is True and fd.cls in _EMPTY_STRINGS
    return blank_text or kw.get("auto_now") is True or kw.get("auto_now_add") is True


def _index_kind(fd: FieldDef) -> str | None:
    kw = fd.kwargs
    if kw.get("primary_key") is True:
        return "a primary key index"
    if kw.get("unique") is True or (fd.cls == "OneToOneField" and not fd.custom):
        return "a unique index"
    if kw.get("db_index") is True:
        return "an index"
    if fd.cls in ("ForeignKey", "SlugField") and not fd.custom and "db_index" not in kw:
        return "a foreign key index" if fd.cls == "ForeignKey" else "an index"
    return None


def _table(m: ModelState) -> str:
    table = m.options.get("db_table")
    return f'table "{table}"' if isinstance(table, str) else f"the {m.name} table"


def _remove_field(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    name = op.args.get("name")
    if m is None or (scope.ctx.app_label, op.model) in scope.deleted or name not in m.fields:
        return  # no table, dropped with its model, or already removed from the state (staged)
    if scope.after_deploy:
        return
    fd = m.fields[name]  # type: ignore[index]
    what = "the many-to-many table" if fd.cls == "ManyToManyField" else "the column"
    yield "DJM103", op.model, name, f"RemoveField {m.name}.{name}: drops {what} of {_table(m)}"


def _delete_model(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    if m is not None and not scope.after_deploy:
        yield "DJM104", op.model, None, f"DeleteModel {m.name}: drops {_table(m)}"


def _rename_field(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    old, new = op.args.get("old_name"), op.args.get("new_name")
    fd = m.fields.get(old) if m is not None and isinstance(old, str) else None
    if m is None or fd is None or "db_column" in fd.kwargs:
        return  # db_column set: the column keeps its name
    if fd.cls == "ManyToManyField":
        if "through" not in fd.kwargs and "db_table" not in fd.kwargs:
            message = f"RenameField {m.name}.{old} -> {new}: renames the many-to-many table"
            yield "DJM106", op.model, old, message
        return
    if fd.cls in NO_COLUMN:
        return
    yield "DJM105", op.model, old, f"RenameField {m.name}.{old} -> {new}: renames the column"


def _rename_model(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    if m is not None and "db_table" not in m.options:
        new = op.args.get("new_name")
        yield "DJM106", op.model, None, f"RenameModel {m.name} -> {new}: renames its table"


def _alter_model_table(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    if m is None:
        return
    default = f"{scope.ctx.app_label}_{m.name.lower()}"
    old, new = m.options.get("db_table") or default, op.args.get("table") or default
    if isinstance(old, str) and isinstance(new, str) and old != new:
        yield "DJM106", op.model, None, f'AlterModelTable {m.name}: "{old}" -> "{new}"'


def _alter_field(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    name = op.args.get("name")
    old = m.fields.get(name) if m is not None and isinstance(name, str) else None
    new = field_def(op.args.get("field"), scope.ctx)
    if m is None or old is None or new is None or {old.cls, new.cls} & NO_COLUMN:
        return
    where = f"AlterField {m.name}.{name}"
    old_column, new_column = _column(old, name), _column(new, name)  # type: ignore[arg-type]
    if old_column != new_column:
        yield "DJM105", op.model, name, f"{where}: column {old_column} -> {new_column}"
    before = column_type(old, _target_pk(old, state))
    after = column_type(new, _target_pk(new, state))
    if before and after:
        lost = narrowing(before, after)
        if lost:
            yield "DJM108", op.model, name, f"{where}: {lost}"
        elif rewrites(before, after):
            yield ("DJM107", op.model, name,
                   f"{where}: column type {describe(before)} -> {describe(after)}")  # fmt: skip
    written = {**new.kwargs, **_written(op)}
    nullable = old.kwargs.get("null") is True or old.cls == "NullBooleanField"
    not_null = written.get("null", False) is False and new.cls != "NullBooleanField"
    if nullable and not_null and "default" not in written and "db_default" not in written:
        yield "DJM109", op.model, name, f"{where}: null=True -> NOT NULL without a default"
    was, now = _index_kind(old), _index_kind(new)
    if now and (not was or (now == "a unique index" and was not in (now, "a primary key index"))):
        yield "DJM110", op.model, name, f"{where}: builds {now} on {_table(m)}"


def _column(fd: FieldDef, name: str) -> object:
    """The column's name (``db_column``, else the field name, ``_id`` added for a relation)."""
    column = fd.kwargs.get("db_column")
    if column is not None:
        return column
    return f"{name}_id" if fd.cls in RELATIONS else name


def _add_index(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    if m is not None:
        name = _item_name(op.args.get("index"))
        yield "DJM110", op.model, None, f"AddIndex {name} on {_table(m)}"


def _add_constraint(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    m = _model(op, state, scope)
    value = op.args.get("constraint")
    cls = str(value.get("$call", "")).rsplit(".", 1)[-1] if isinstance(value, dict) else ""
    if m is None or not cls:
        return
    what = f"AddConstraint {cls} {_item_name(value)} on {_table(m)}"
    if cls == "UniqueConstraint":
        yield "DJM110", op.model, None, f"{what}: builds a unique index"
    elif cls in ("CheckConstraint", "ExclusionConstraint"):
        yield "DJM111", op.model, None, f"{what}: checks every row under an exclusive lock"


def _item_name(value: Any) -> str:
    name = (value.get("kwargs") or {}).get("name") if isinstance(value, dict) else None
    return f'"{name}"' if isinstance(name, str) else "(unnamed)"


def _alter_together(option: str) -> Callable[[Operation, ProjectState, Scope], Iterator[Result]]:
    def check(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
        m = _model(op, state, scope)
        new = together(op.args.get(option))
        old = together(m.options.get(option)) if m is not None else []
        if m is None or not isinstance(new, list) or not isinstance(old, list):
            return
        added = [g for g in new if g not in old]
        if added:
            groups = "; ".join(", ".join(map(str, g)) for g in added)
            kind = "unique index" if option == "unique_together" else "index"
            yield "DJM110", op.model, None, f"{op.op} {m.name}: builds a {kind} on ({groups})"

    return check


def _concurrently(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    if scope.atomic is True:
        yield "DJM112", op.model, None, f"{op.op} in a migration without atomic = False"


def _run_python(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    if op.args.get("reverse_code") is None:
        code = _code_name(op.args.get("code"))
        yield "DJM113", None, None, f"RunPython {code} has no reverse_code"


def _run_sql(op: Operation, state: ProjectState, scope: Scope) -> Iterator[Result]:
    if op.args.get("reverse_sql") is None:
        yield "DJM114", None, None, "RunSQL has no reverse_sql"


def _code_name(value: Any) -> str:
    ref = value.get("$ref") if isinstance(value, dict) else None
    return str(ref).rsplit(".", 1)[-1] if ref else "code"


_CHECKS: dict[str, Callable[[Operation, ProjectState, Scope], Iterator[Result]]] = {
    "CreateModel": _create_model,
    "AddField": _add_field,
    "RemoveField": _remove_field,
    "DeleteModel": _delete_model,
    "RenameField": _rename_field,
    "RenameModel": _rename_model,
    "AlterModelTable": _alter_model_table,
    "AlterField": _alter_field,
    "AddIndex": _add_index,
    "AddConstraint": _add_constraint,
    "AlterUniqueTogether": _alter_together("unique_together"),
    "AlterIndexTogether": _alter_together("index_together"),
    "AddIndexConcurrently": _concurrently,
    "RemoveIndexConcurrently": _concurrently,
    "RunPython": _run_python,
    "RunSQL": _run_sql,
}
