"""A migration's ``operations`` list as typed operations: Django's class name, the arguments by
parameter name (positional ones mapped with the class's signature), file and line."""

from __future__ import annotations

from typing import Any

from djatlas.records import dataclass, field

#: Parameter order of every operation Django ships (django.db.migrations.operations and
#: django.contrib.postgres.operations).
SIGNATURES: dict[str, tuple[str, ...]] = {
    "CreateModel": ("name", "fields", "options", "bases", "managers"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AlterModelTable": ("name", "table"),
    "AlterModelTableComment": ("name", "table_comment"),
    "AlterUniqueTogether": ("name", "unique_together"),
    "AlterIndexTogether": ("name", "index_together"),
    "AlterOrderWithRespectTo": ("name", "order_with_respect_to"),
    "AlterModelOptions": ("name", "options"),
    "AlterModelManagers": ("name", "managers"),
    "AddField": ("model_name", "name", "field", "preserve_default"),
    "RemoveField": ("model_name", "name"),
    "AlterField": ("model_name", "name", "field", "preserve_default"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "AddIndex": ("model_name", "index"),
    "RemoveIndex": ("model_name", "name"),
    "RenameIndex": ("model_name", "new_name", "old_name", "old_fields"),
    "AddConstraint": ("model_name", "constraint"),
    "RemoveConstraint": ("model_name", "name"),
    "AlterConstraint": ("model_name", "name", "constraint"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
    "RunSQL": ("sql", "reverse_sql", "state_operations", "hints", "elidable"),
    "RunPython": ("code", "reverse_code", "atomic", "hints", "elidable"),
    # django.contrib.postgres.operations
    "CreateExtension": ("name",),
    "BtreeGinExtension": (),
    "BtreeGistExtension": (),
    "CITextExtension": (),
    "CryptoExtension": (),
    "HStoreExtension": (),
    "TrigramExtension": (),
    "UnaccentExtension": (),
    "AddIndexConcurrently": ("model_name", "index"),
    "RemoveIndexConcurrently": ("model_name", "name"),
    "CreateCollation": ("name", "locale", "provider", "deterministic"),
    "RemoveCollation": ("name", "locale", "provider", "deterministic"),
    "AddConstraintNotValid": ("model_name", "constraint"),
    "ValidateConstraint": ("model_name", "name"),
}
#: Operations with no effect on the project state (database side only).
NO_STATE = {
    "RunPython", "CreateExtension", "BtreeGinExtension", "BtreeGistExtension",
    "CITextExtension", "CryptoExtension", "HStoreExtension", "TrigramExtension",
    "UnaccentExtension", "CreateCollation", "RemoveCollation", "ValidateConstraint",
}  # fmt: skip


@dataclass
class Operation:
    """One operation of a migration (nested ones for SeparateDatabaseAndState / RunSQL)."""

    op: str  # Django's class name
    path: str  # dotted as written and resolved through the imports
    args: dict[str, Any]
    line: int | None
    known: bool  # a Django operation whose signature djatlas knows
    database: list[Operation] = field(default_factory=list)
    state: list[Operation] = field(default_factory=list)

    @property
    def model(self) -> str | None:
        name = self.args.get("model_name", self.args.get("name"))
        if self.op in ("RenameModel",):
            name = self.args.get("old_name")
        if self.op in ("CreateExtension", "CreateCollation", "RemoveCollation"):
            return None
        return name.lower() if isinstance(name, str) and self.op in _MODEL_OPS else None


_MODEL_OPS = {k for k, sig in SIGNATURES.items() if sig[:1] in (("name",), ("model_name",))} | {
    "RenameModel"
}


def operation(value: Any) -> Operation:
    """The typed operation of one entry of ``operations`` (reader encoding)."""
    if not isinstance(value, dict) or "$call" not in value:
        text = value.get("$expr") or value.get("$ref") if isinstance(value, dict) else repr(value)
        return Operation("?", str(text), {}, None, False)
    path = value["$call"]
    op = path.rsplit(".", 1)[-1]
    sig = SIGNATURES.get(op)
    args = dict(value.get("kwargs") or {})
    for i, arg in enumerate(value.get("args") or []):
        args.setdefault(sig[i] if sig and i < len(sig) else f"${i}", arg)
    known = sig is not None and (
        path.startswith(("django.db.migrations", "django.contrib.postgres")) or "." not in path
    )
    out = Operation(op, path, args, value.get("line"), known)
    if op == "SeparateDatabaseAndState":
        out.database = operations(args.get("database_operations"))
        out.state = operations(args.get("state_operations"))
    elif op == "RunSQL":
        out.state = operations(args.get("state_operations"))
    return out


def operations(value: Any) -> list[Operation]:
    return [operation(v) for v in value] if isinstance(value, list) else []
