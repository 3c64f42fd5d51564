"""Column types of field definitions (as PostgreSQL stores them), to tell a type change that
rewrites the table from one that does not, and a narrowing that can reject data. Only Django's
own field classes are typed: a project's or library's field may override ``db_type()``."""

from __future__ import annotations

from typing import Any

from djatlas.migrations.fields import FieldDef

#: Column type families; parameters (length, precision) come from the definition.
_SIMPLE = {
    "AutoField": "integer", "BigAutoField": "bigint", "SmallAutoField": "smallint",
    "IntegerField": "integer", "PositiveIntegerField": "integer",
    "BigIntegerField": "bigint", "PositiveBigIntegerField": "bigint",
    "SmallIntegerField": "smallint", "PositiveSmallIntegerField": "smallint",
    "FloatField": "double precision", "BooleanField": "boolean", "NullBooleanField": "boolean",
    "DateField": "date", "DateTimeField": "timestamp with time zone", "TimeField": "time",
    "DurationField": "interval", "UUIDField": "uuid", "BinaryField": "bytea",
    "JSONField": "jsonb", "GenericIPAddressField": "inet", "IPAddressField": "inet",
    "TextField": "text", "CITextField": "citext", "CICharField": "citext",
    "CIEmailField": "citext", "HStoreField": "hstore", "SearchVectorField": "tsvector",
    "IntegerRangeField": "int4range", "BigIntegerRangeField": "int8range",
    "DecimalRangeField": "numrange", "DateTimeRangeField": "tstzrange",
    "DateRangeField": "daterange",
}  # fmt: skip
_VARCHAR = {
    "CharField": None, "SlugField": 50, "EmailField": 254, "URLField": 200, "FileField": 100,
    "ImageField": 100, "FilePathField": 100, "CommaSeparatedIntegerField": None,
}  # fmt: skip
_INT_SIZE = {"smallint": 2, "integer": 4, "bigint": 8}
#: Fields that hold no column (reverse or generic relations, many-to-many).
NO_COLUMN = {"ManyToManyField", "GenericRelation", "GenericForeignKey"}
RELATIONS = {"ForeignKey", "OneToOneField"}

ColumnType = tuple[Any, ...]


def column_type(fd: FieldDef, target_pk: FieldDef | None = None) -> ColumnType | None:
    """``("varchar", 100)``, ``("numeric", 10, 2)``, ``("integer",)``, ... or None when not
    known statically (a custom field class, a foreign key whose target is not known)."""
    if fd.custom:
        return None
    cls, kw = fd.cls, fd.kwargs
    if cls in RELATIONS:
        return column_type(target_pk) if target_pk is not None else None
    if cls in _SIMPLE:
        return (_SIMPLE[cls],)
    if cls in _VARCHAR:
        length = kw.get("max_length", _VARCHAR[cls])
        if length is not None and not isinstance(length, int):
            return None  # a setting or a constant: not known statically
        return ("varchar", length)
    if cls == "DecimalField":
        digits, places = kw.get("max_digits"), kw.get("decimal_places")
        if isinstance(digits, int) and isinstance(places, int):
            return ("numeric", digits, places)
        return None
    if cls == "ArrayField":
        base = kw.get("base_field")
        if isinstance(base, dict) and "$field" in base:
            inner = column_type(FieldDef(base["$field"], base.get("kwargs") or {}))
            return ("array", inner) if inner else None
    return None


def narrowing(old: ColumnType, new: ColumnType) -> str | None:
    """Why the new type cannot hold every value of the old one, or None."""
    if old[0] == "varchar" and new[0] == "varchar":
        if isinstance(old[1], int) and isinstance(new[1], int) and new[1] < old[1]:
            return f"max_length {old[1]} -> {new[1]}"
        if old[1] is None and isinstance(new[1], int):
            return f"unbounded varchar -> varchar({new[1]})"
    if old[0] in ("text", "citext") and new[0] == "varchar" and isinstance(new[1], int):
        return f"{old[0]} -> varchar({new[1]})"
    if old[0] == "numeric" and new[0] == "numeric":
        if new[1] - new[2] < old[1] - old[2]:
            before, after = old[1] - old[2], new[1] - new[2]
            return (
                f"digits before the decimal point {before} -> {after} "
                f"(max_digits, decimal_places {old[1]},{old[2]} -> {new[1]},{new[2]})"
            )
        if new[2] < old[2]:
            return f"decimal_places {old[2]} -> {new[2]} (values are rounded)"
    if old[0] in _INT_SIZE and new[0] in _INT_SIZE and _INT_SIZE[new[0]] < _INT_SIZE[old[0]]:
        return f"{old[0]} -> {new[0]}"
    return None


def rewrites(old: ColumnType, new: ColumnType) -> bool:
    """Whether going from ``old`` to ``new`` changes the stored type (PostgreSQL: a table
    rewrite), leaving out the changes it makes in place: a longer or unbounded varchar, varchar
    to text, a numeric with more digits and the same scale."""
    if old == new:
        return False
    if old[0] == "varchar" and new[0] == "varchar":
        return new[1] is not None and (old[1] is None or new[1] < old[1])
    if old[0] == "varchar" and new[0] == "text":
        return False
    if old[0] == "numeric" and new[0] == "numeric":
        return not (new[2] == old[2] and new[1] >= old[1])
    return True


def describe(t: ColumnType) -> str:
    if t[0] == "varchar":
        return f"varchar({t[1]})" if t[1] is not None else "varchar"
    if t[0] == "numeric":
        return f"numeric({t[1]},{t[2]})"
    if t[0] == "array":
        return f"{describe(t[1])}[]"
    return str(t[0])
