"""Walk the migration plan with the replayed state as context and review the database side of
each operation of the migrations under review (all of the tree's, or those new since a git
revision): earlier migrations, reviewed or not, still say which table exists and how each
column is defined."""

from __future__ import annotations

from djatlas.migrations.graph import Key
from djatlas.migrations.lint.checks import Result, Scope, check_operation, check_state_only
from djatlas.migrations.operations import Operation
from djatlas.migrations.project import MigrationProject, django_types
from djatlas.migrations.state import Context, ProjectState, apply
from djatlas.records import dataclass, field


@dataclass
class Finding:
    code: str
    app_label: str
    migration: str
    file: str
    line: int | None
    op: str  # Django's operation class name
    op_index: str  # "3", or "3.database_operations.0" inside SeparateDatabaseAndState
    model: str | None
    field: str | None
    message: str
    #: lines of the enclosing operations (outermost first), for ignore comments on them.
    outer_lines: list[int] = field(default_factory=list)
    project: str = ""

    @property
    def key(self) -> str:
        """Stable across edits that move lines: project, app, migration, code, operation."""
        head = f"{self.project}:" if self.project else ""
        return f"{head}{self.app_label}/{self.migration}/{self.code}/{self.op_index}"


@dataclass
class Review:
    findings: list[Finding] = field(default_factory=list)
    reviewed: int = 0
    notes: list[str] = field(default_factory=list)


def review_project(project: MigrationProject, selected: set[Key] | None, review: Review) -> None:
    """Review the tree's migrations of one project (``selected``: only these; None: all)."""
    graph = project.graph
    auth = (project.doc.get("metadata") or {}).get("auth_user_model") or "auth.User"
    types = django_types(project.doc)
    state = ProjectState()
    fresh: set[tuple[str, str]] = set()  # tables created by migrations under review
    initial: set[tuple[str, str]] = set()  # tables created by initial migrations
    #: fields whose definition has a db_default (normalised definitions drop db_default=False)
    db_defaults: set[tuple[str, str, str]] = set()
    remounted = _state_only_additions(project)
    for key in graph.full_plan():
        mf = graph.nodes[key]
        ops = project.operations.get(key, [])
        ctx = Context(key[0], auth, types, key, mf.path)
        checked = mf.in_tree and (selected is None or key in selected)
        if mf.attrs.get("initial") is True:
            initial |= _created(key[0], ops)
        if checked and selected is None and mf.attrs.get("replaces"):
            review.notes.append(f"{mf.path}: replaces earlier migrations, not reviewed "
                                "(databases that applied those never run it)")  # fmt: skip
            checked = False
        if checked:
            review.reviewed += 1
            if selected is None:
                fresh = set()  # all migrations: only the same migration's tables are new
            if not isinstance(mf.attrs.get("operations"), list):
                review.notes.append(f"{mf.path}: operations not readable statically (not reviewed)")
            scope = Scope(ctx, mf.attrs.get("atomic", True), fresh, _deleted(key[0], ops))
            scope.db_defaults = db_defaults
            scope.remounted = remounted
            scope.after_deploy = _after_deploy(mf.attrs.get("safe"))
            if mf.attrs.get("initial") is True:
                scope.initial = frozenset(k for k in initial if k[0] == key[0])
        for i, op in enumerate(ops):
            if checked:
                _review_op(op, str(i), [], state, scope, project, review)
            apply(state, op, ctx)
            _track_db_defaults(op, key[0], db_defaults)


def _review_op(
    op: Operation,
    index: str,
    outer: list[int],
    state: ProjectState,
    scope: Scope,
    project: MigrationProject,
    review: Review,
) -> None:
    if op.op == "SeparateDatabaseAndState" and op.known:
        for j, inner in enumerate(op.database):  # the state side never touches the database
            where = f"{index}.database_operations.{j}"
            _review_op(inner, where, [*outer, op.line or 0], state, scope, project, review)
        for j, inner in enumerate(op.state):
            results = check_state_only(inner, op, state, scope)
            where = f"{index}.state_operations.{j}"
            _add(review, results, inner, where, [*outer, op.line or 0], scope, project)
        return
    if not op.known:
        line = f":{op.line}" if op.line else ""
        what = op.path if len(op.path) <= 80 else op.path[:77] + "..."
        review.notes.append(f"{scope.ctx.where}{line}: {what} is not reviewed (not a Django "
                            "operation)")  # fmt: skip
        return
    _add(review, check_operation(op, state, scope), op, index, outer, scope, project)


def _add(
    review: Review,
    results: list[Result],
    op: Operation,
    index: str,
    outer: list[int],
    scope: Scope,
    project: MigrationProject,
) -> None:
    key = scope.ctx.migration
    for code, model, fld, message in results:
        review.findings.append(
            Finding(
                code,
                key[0],
                key[1],
                scope.ctx.where,
                op.line,
                op.op,
                index,
                model,
                fld,
                message,
                [x for x in outer if x],
                project.prefix,
            )  # fmt: skip
        )


def _state_only_additions(project: MigrationProject) -> set[tuple[str, str, str]]:
    """Fields some migration adds to the state only (a column that stays while its field is
    remounted, e.g. on a model moved to another app)."""
    out: set[tuple[str, str, str]] = set()
    for key, ops in project.operations.items():
        for op in ops:
            if op.op != "SeparateDatabaseAndState":
                continue
            for inner in op.state:
                if inner.op == "AddField" and inner.model:
                    out.add((key[0], inner.model, str(inner.args.get("name"))))
    return out


def _track_db_defaults(op: Operation, app: str, out: set[tuple[str, str, str]]) -> None:
    """Follow the state side: which fields are defined with a ``db_default``."""
    if op.op in ("SeparateDatabaseAndState", "RunSQL"):
        for inner in op.state:
            _track_db_defaults(inner, app, out)
    elif op.op in ("AddField", "AlterField") and isinstance(op.args.get("name"), str):
        key = (app, op.model or "", op.args["name"])
        (out.add if _has_db_default(op.args.get("field")) else out.discard)(key)
    elif op.op == "CreateModel" and op.model:
        for item in op.args.get("fields") or []:
            if isinstance(item, list) and len(item) == 2 and _has_db_default(item[1]):
                out.add((app, op.model, str(item[0])))
    elif op.op == "RenameField" and op.model:
        old = (app, op.model, str(op.args.get("old_name")))
        if old in out:
            out.discard(old)
            out.add((app, op.model, str(op.args.get("new_name"))))


def _has_db_default(value: object) -> bool:
    kwargs = value.get("kwargs") if isinstance(value, dict) else None
    return isinstance(kwargs, dict) and "db_default" in kwargs


def _after_deploy(value: object) -> bool:
    """django-safemigrate's ``Safe.after_deploy()`` (or the older ``Safe.after_deploy``)."""
    path = value.get("$call") or value.get("$ref") if isinstance(value, dict) else None
    return isinstance(path, str) and path.endswith("Safe.after_deploy")


def _database_side(ops: list[Operation], name: str, app_label: str) -> set[tuple[str, str]]:
    """Models the database side of these operations acts on with operation ``name``."""
    out: set[tuple[str, str]] = set()
    for op in ops:
        inner = op.database if op.op == "SeparateDatabaseAndState" else [op]
        for o in inner:
            if o.op == name and o.model:
                out.add((app_label, o.model))
    return out


def _deleted(app_label: str, ops: list[Operation]) -> set[tuple[str, str]]:
    """Models this migration drops (its RemoveFields on them are part of the drop)."""
    return _database_side(ops, "DeleteModel", app_label)


def _created(app_label: str, ops: list[Operation]) -> set[tuple[str, str]]:
    return _database_side(ops, "CreateModel", app_label)
