"""The rules. Each reads only the report document (see docs/json-format.md).

Rules about a field look at fields declared in a model body (``origin == "declared"``), so a
field written once in an abstract base is reported once, where it is written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from djatlas.checks.context import Context, expr_text, field_opaque, is_expr
from djatlas.checks.registry import Finding, rule
from djatlas.records import replace

STRING_TYPES = frozenset(
    {"CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField"}
)
INTEGER_TYPES = frozenset(
    {
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
    }
)


def _where(model: dict[str, Any], field: dict[str, Any] | None = None) -> str:
    return f"{model['label']}.{field['name']}" if field else str(model["label"])


def _f(
    code: str,
    model: dict[str, Any],
    field: dict[str, Any] | None,
    message: str,
    file: str | None = None,
) -> Finding:
    return Finding(
        code=code,
        message=message,
        file=file or model.get("file"),
        line=(field.get("line") if field else None) or model.get("line"),
        model=model.get("label"),
        field=field["name"] if field else None,
        model_id=model.get("id"),
    )


def _only_postgresql(engines: list[str]) -> bool:
    """Whether ``engines`` is not empty and each is PostgreSQL's (or built on it: PostGIS,
    django-prometheus' ``postgresql``)."""
    return bool(engines) and all(
        e.rsplit(".", 1)[-1] in ("postgresql", "postgresql_psycopg2", "postgis") for e in engines
    )


def _builtin(field: dict[str, Any], *types: str) -> bool:
    """The field is Django's own class among ``types`` (not a project subclass that may set
    defaults in its ``__init__``)."""
    resolved = field.get("resolved_type") or ""
    return field.get("django_type") in types and resolved.startswith("django.")


def _params(field: dict[str, Any]) -> dict[str, Any]:
    return field.get("params") or {}


def _rel(field: dict[str, Any]) -> dict[str, Any]:
    return field.get("relation") or {}


# --------------------------------------------------------------------------------------------
@rule(
    "DJ001",
    "missing-on-delete",
    "error",
    "ForeignKey or OneToOneField without on_delete",
    django_check="TypeError at import (Django >= 2.0)",
    why="""
Since Django 2.0 `on_delete` is a required argument of `ForeignKey` and `OneToOneField`:
the model module raises `TypeError` when it is imported, so the project does not start.
""",
    fix="""
Say what happens to the rows pointing at a deleted object: `on_delete=models.CASCADE`
(delete them too), `PROTECT` (refuse the delete), `SET_NULL` (with `null=True`), ...
""",
    bad="author = models.ForeignKey(User)",
    good="author = models.ForeignKey(User, on_delete=models.CASCADE)",
)
def missing_on_delete(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        params = _params(field)
        if not _builtin(field, "ForeignKey", "OneToOneField") or field_opaque(field):
            continue
        if "on_delete" not in params:
            yield _f(
                "DJ001",
                model,
                field,
                f"{_where(model, field)}: {field['django_type']} without on_delete",
            )


@rule(
    "DJ002",
    "charfield-max-length",
    "error",
    "CharField without max_length",
    django_check="fields.E120",
    why="""
Most databases need a length for a `varchar` column: Django refuses a `CharField` without
`max_length` (fields.E120), except on PostgreSQL since Django 4.2, where the column becomes an
unbounded `varchar` and the form field stops validating a length. Not reported for a project
whose settings name only PostgreSQL engines (`database_engines` in the report: an `ENGINE` or a
`postgres://` database URL); reported when they name another, or none djatlas can read.
""",
    fix="Give the column a bound: `max_length=255`; use a `TextField` for unbounded text.",
    bad="name = models.CharField()",
    good="name = models.CharField(max_length=100)",
)
def charfield_max_length(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        if _only_postgresql(ctx.database_engines(model)):
            continue
        params = _params(field)
        if not _builtin(field, "CharField") or field_opaque(field):
            continue
        if "max_length" not in params and field.get("max_length") is None:
            yield _f("DJ002", model, field, f"{_where(model, field)}: CharField without max_length")


@rule(
    "DJ003",
    "null-on-string-field",
    "warning",
    "null=True on a string-based field",
    why="""
A string column with `null=True` has two "no data" values, `NULL` and `''`; queries must test
both and forms save `''` anyway. Django's convention is to store the empty string.
""",
    fix="""
Drop `null=True` (with `blank=True` when the field may be left empty in forms, and
`default=''` if existing code omits the value). The migration that drops `null=True` fails on
rows that hold NULL: turn them into `''` first (a `RunPython` or
`Model.objects.filter(field=None).update(field='')` step before the `AlterField`). Keep
`null=True` only with `unique=True` and `blank=True`, where several empty values must not
collide.
""",
    bad="nickname = models.CharField(max_length=50, null=True)",
    good="nickname = models.CharField(max_length=50, blank=True, default='')",
)
def null_on_string_field(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        params = _params(field)
        if field.get("django_type") not in STRING_TYPES or params.get("null") is not True:
            continue
        if params.get("unique") is True and params.get("blank") is True:
            continue
        if field.get("primary_key"):
            continue
        yield _f("DJ003", model, field, _dj003_message(model, field, params))


def _dj003_message(model: dict, field: dict, params: dict) -> str:
    """DJ003's advice for this field: what to change given what it already has."""
    if params.get("blank") is True:
        advice = "drop null=True (blank=True is already set)"
    else:
        advice = "drop null=True, add blank=True if it may be empty"
    return (
        f"{_where(model, field)}: null=True on {field['django_type']}; {advice}, store '' and "
        "migrate existing NULLs to '' first"
    )


_SHARED_DEFAULT = frozenset({"JSONField", "ArrayField", "HStoreField"})
_MUTABLE_CALL = re.compile(r"^(dict|list|set)\(\s*\)$")


@rule(
    "DJ004",
    "mutable-default",
    "warning",
    "mutable default value ({} or [])",
    django_check="fields.E010",
    why="""
A `default={}` or `default=[]` object is created once, when the module loads, and Django's
fields hand that same object to every new instance: changing one instance's value in place
changes the default of all the others (fields.E010). Fields of other packages that copy their
default (such as `jsonfield.JSONField`) are not flagged.
""",
    fix="Pass the callable instead of an instance: `default=dict` or `default=list`.",
    bad="data = models.JSONField(default={})",
    good="data = models.JSONField(default=dict)",
)
def mutable_default(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        params = _params(field)
        if "default" not in params or field.get("relation"):
            continue
        # Django's Field.get_default returns the very object; some third-party fields
        # (jsonfield.JSONField) deep-copy it, so only Django's classes and their subclasses count.
        resolved = field.get("resolved_type") or ""
        if not resolved.startswith("django.") and field.get("django_type") not in _SHARED_DEFAULT:
            continue
        value = params["default"]
        text = expr_text(value)
        if text is not None:
            mutable = bool(_MUTABLE_CALL.match(text.strip()))
        else:
            mutable = isinstance(value, list | dict)
        if not mutable:
            continue
        if text is not None:
            shown, kind = text.strip(), text.strip().split("(", 1)[0]
        else:
            kind = "dict" if isinstance(value, dict) else "list"
            shown = ("{}" if kind == "dict" else "[]") if not value else f"a {kind} literal"
        hint = f"default={kind}" if not value or text is not None else "a function returning it"
        yield _f(
            "DJ004",
            model,
            field,
            f"{_where(model, field)}: mutable default {shown} is shared by all instances; "
            f"pass {hint}",
        )


@rule(
    "DJ005",
    "reverse-accessor-clash",
    "error",
    "two relations give a model the same reverse accessor",
    django_check="fields.E304",
    why="""
Every ForeignKey, OneToOneField and ManyToManyField adds an attribute to its target model
(`<model>_set` by default, or its `related_name`). When two relations to the same model end up
with the same name Django refuses to start (fields.E304).
""",
    fix="""
Give the relations distinct `related_name`s (`related_name="authored_posts"`), or use
`related_name="%(app_label)s_%(class)s_set"` in an abstract base; `"+"` disables the accessor.
""",
    bad="""
class Post(models.Model):
    author = models.ForeignKey(User, on_delete=models.CASCADE)
    editor = models.ForeignKey(User, on_delete=models.CASCADE)
""",
    good="""
class Post(models.Model):
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="posts")
    editor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="edited_posts")
""",
)
def reverse_accessor_clash(ctx: Context) -> Iterator[Finding]:
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for relation in ctx.relations:
        if relation.target and relation.accessor:
            groups[(relation.target, relation.accessor)].append(relation)
    seen: set[tuple[str | None, int | None]] = set()
    for (target, accessor), members in sorted(groups.items()):
        # The same label.field twice is one relation seen in two projects of a monorepo scan.
        if len({(r.model["label"], r.field["name"]) for r in members}) < 2:
            continue
        for relation in members:
            if relation.model.get("external"):
                continue  # reported on the tree's side of the clash
            others = [f"{o.model['label']}.{o.field['name']}" for o in members if o is not relation]
            finding = _f(
                "DJ005",
                relation.model,
                relation.field,
                f"{_where(relation.model, relation.field)}: reverse accessor "
                f"{target}.{accessor} clashes with {', '.join(others)}; set related_name",
                relation.file,
            )
            key = (finding.file, finding.line)
            if key in seen:
                continue  # the same line, inherited by several models
            seen.add(key)
            yield finding


@rule(
    "DJ006",
    "reverse-accessor-field-clash",
    "error",
    "reverse accessor clashes with a field of the target model",
    django_check="fields.E302",
    why="""
A relation adds a reverse accessor to its target model; when the target already has a field of
that name, one hides the other and Django refuses to start (fields.E302).
""",
    fix="Set a `related_name` on the relation that does not collide with the target's fields.",
    bad="""
class Team(models.Model):
    member = models.CharField(max_length=50)
class Member(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="member")
""",
    good="""
class Member(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
""",
)
def reverse_accessor_field_clash(ctx: Context) -> Iterator[Finding]:
    seen: set[tuple[str | None, int | None]] = set()
    for relation in ctx.relations:
        rel = relation.field.get("relation") or {}
        target = ctx.model_for(relation.target, rel.get("target_id"))
        if target is None or not relation.accessor or relation.model.get("external"):
            continue
        names = {f["name"] for f in target.get("fields") or []}
        if relation.accessor in names:
            finding = _f(
                "DJ006",
                relation.model,
                relation.field,
                f"{_where(relation.model, relation.field)}: reverse accessor "
                f"{relation.accessor!r} clashes with field {target['label']}."
                f"{relation.accessor}; set another related_name",
                relation.file,
            )
            if (finding.file, finding.line) not in seen:
                seen.add((finding.file, finding.line))
                yield finding


def _together_groups(value: Any) -> list[list[Any]]:
    if not isinstance(value, list) or not value:
        return []
    if all(isinstance(v, str) for v in value):
        return [value]  # a single tuple of names
    return [v for v in value if isinstance(v, list)]


@rule(
    "DJ007",
    "unique-together-missing-field",
    "error",
    "unique_together or index_together names a field the model lacks",
    django_check="models.E012",
    why="""
Django checks that every name in `unique_together` is a field of the model (models.E012): a
missing one (a typo, or a field that was renamed or removed) stops the project from starting.
""",
    fix="Use the field's current name, or drop the entry.",
    bad="""
    class Meta:
        unique_together = [("owner", "slgu")]
""",
    good="""
    class Meta:
        unique_together = [("owner", "slug")]
""",
)
def unique_together_missing_field(ctx: Context) -> Iterator[Finding]:
    for model in ctx.models:
        if model.get("abstract") or ctx.incomplete(model):
            continue
        meta = model.get("meta") or {}
        names = ctx.field_names(model)
        for option in ("unique_together", "index_together"):
            for group in _together_groups(meta.get(option)):
                for name in group:
                    if isinstance(name, str) and name not in names:
                        yield _f(
                            "DJ007",
                            model,
                            None,
                            f"{model['label']}: Meta.{option} names {name!r}, "
                            "which is not a field of the model",
                        )


@rule(
    "DJ008",
    "ordering-missing-field",
    "error",
    "Meta.ordering names a field the model lacks",
    django_check="models.E015",
    why="""
Every name in `Meta.ordering` must be a field of the model (models.E015); a missing one stops the
project from starting, or once checks are silenced, every query on the model fails.
""",
    fix="Use the field's current name (`-` for descending), or drop the entry.",
    bad="""
    class Meta:
        ordering = ["-created_at"]  # the field is "created"
""",
    good="""
    class Meta:
        ordering = ["-created"]
""",
)
def ordering_missing_field(ctx: Context) -> Iterator[Finding]:
    for model in ctx.models:
        if model.get("abstract") or ctx.incomplete(model):
            continue
        ordering = (model.get("meta") or {}).get("ordering")
        if not isinstance(ordering, list):
            continue
        names = ctx.field_names(model) | ctx.reverse_query_names(model["label"]) | {"pk"}
        for item in ordering:
            if not isinstance(item, str) or item == "?":
                continue
            first = item.lstrip("-+").split("__", 1)[0]
            if first and first not in names:
                yield _f(
                    "DJ008",
                    model,
                    None,
                    f"{model['label']}: Meta.ordering names {item!r}, "
                    "which is not a field of the model",
                )


@rule(
    "DJ009",
    "foreignkey-unique",
    "warning",
    "ForeignKey(unique=True) should be a OneToOneField",
    django_check="fields.W342",
    why="""
A unique ForeignKey is a one-to-one relation, but its reverse accessor still returns a queryset
(`user.profile_set.get()`); Django warns about it (fields.W342).
""",
    fix="Use `models.OneToOneField(...)` (same column, same constraint): `user.profile` works.",
    bad="user = models.ForeignKey(User, on_delete=models.CASCADE, unique=True)",
    good="user = models.OneToOneField(User, on_delete=models.CASCADE)",
)
def foreignkey_unique(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        rel_kind = _rel(field).get("kind")
        if rel_kind == "ForeignKey" and _params(field).get("unique") is True:
            yield _f(
                "DJ009",
                model,
                field,
                f"{_where(model, field)}: ForeignKey(unique=True); use a OneToOneField",
            )


def _str_decidable(ctx: Context, model: dict[str, Any], seen: set[str]) -> bool:
    """True when every base is a tree class or ``models.Model``: ``has_str`` is then exact."""
    if model["label"] in seen:
        return True
    seen.add(model["label"])
    for base in model.get("bases") or []:
        origin = base.get("origin")
        resolved = base.get("resolved") or ""
        if origin == "tree":
            parent = ctx.by_path.get(resolved)
            if parent is not None and not _str_decidable(ctx, parent, seen):
                return False
        elif resolved not in ("django.db.models.Model", "django.db.models.base.Model"):
            return False
    return True


@rule(
    "DJ010",
    "model-without-str",
    "warning",
    "model without __str__",
    default=False,
    why="""
Without `__str__` an object shows as `Product object (42)` in the admin, in form choices, in
logs and in the shell, which makes them hard to read. Off by default (a style choice many
projects make differently, e.g. for through or log tables): enable it with
`--extend-select DJ010` or `extend-select = ["DJ010"]`.
""",
    fix="Define `__str__` returning a short human-readable name, e.g. `return self.name`.",
    bad="""
class Product(models.Model):
    name = models.CharField(max_length=100)
""",
    good="""
class Product(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name
""",
)
def model_without_str(ctx: Context) -> Iterator[Finding]:
    for model in ctx.models:
        if model.get("abstract") or model.get("has_str"):
            continue
        if not _str_decidable(ctx, model, set()):
            continue
        yield _f("DJ010", model, None, f"{model['label']}: model has no __str__ method")


@rule(
    "DJ011",
    "auto-now-with-default",
    "error",
    "auto_now or auto_now_add combined with default",
    django_check="fields.E160",
    why="""
`auto_now`, `auto_now_add` and `default` are mutually exclusive (fields.E160): the automatic
value always wins, so the default is dead code, and Django refuses the combination.
""",
    fix="Keep one: `auto_now_add=True` for a creation time, or `default=timezone.now` if the value "
    "may be set explicitly.",
    bad="created = models.DateTimeField(auto_now_add=True, default=timezone.now)",
    good="created = models.DateTimeField(auto_now_add=True)",
)
def auto_now_with_default(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        params = _params(field)
        auto = [k for k in ("auto_now", "auto_now_add") if params.get(k) is True]
        if auto and "default" in params:
            yield _f(
                "DJ011",
                model,
                field,
                f"{_where(model, field)}: {auto[0]}=True and default are mutually exclusive",
            )


def _on_delete(field: dict[str, Any]) -> str | None:
    rel = _rel(field)
    value = rel.get("on_delete")
    if value:
        return str(value).rsplit(".", 1)[-1]
    text = expr_text(_params(field).get("on_delete"))
    return text.rsplit(".", 1)[-1] if text else None


@rule(
    "DJ012",
    "set-null-without-null",
    "error",
    "on_delete=SET_NULL on a field without null=True",
    django_check="fields.E320",
    why="""
`SET_NULL` writes NULL into the column when the target is deleted; on a NOT NULL column Django
refuses the field (fields.E320), and the delete would fail at the database anyway.
""",
    fix="Add `null=True` (and `blank=True` for forms), or choose another `on_delete`.",
    bad="owner = models.ForeignKey(User, on_delete=models.SET_NULL)",
    good="owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)",
)
def set_null_without_null(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        if _on_delete(field) == "SET_NULL" and not field.get("null"):
            if field_opaque(field) or is_expr(_params(field).get("null")):
                continue
            yield _f(
                "DJ012",
                model,
                field,
                f"{_where(model, field)}: on_delete=SET_NULL but the field is not null=True",
            )


@rule(
    "DJ013",
    "set-default-without-default",
    "error",
    "on_delete=SET_DEFAULT on a field without a default",
    django_check="fields.E321",
    why="""
`SET_DEFAULT` writes the field's default when the target is deleted; without a default Django
refuses the field (fields.E321).
""",
    fix="Add `default=...` naming an existing row, or choose another `on_delete`.",
    bad="plan = models.ForeignKey(Plan, on_delete=models.SET_DEFAULT)",
    good="plan = models.ForeignKey(Plan, on_delete=models.SET_DEFAULT, default=1)",
)
def set_default_without_default(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        params = _params(field)
        if _on_delete(field) == "SET_DEFAULT" and "default" not in params:
            if field_opaque(field):
                continue
            yield _f(
                "DJ013",
                model,
                field,
                f"{_where(model, field)}: on_delete=SET_DEFAULT but the field has no default",
            )


@rule(
    "DJ014",
    "m2m-null",
    "warning",
    "null=True has no effect on a ManyToManyField",
    django_check="fields.W340",
    why="""
A many-to-many relation is a join table, not a column: `null` has no effect (fields.W340) and
suggests the relation is optional when `blank=True` is what makes it optional in forms.
""",
    fix="Remove `null=True`; use `blank=True` to make the relation optional in forms.",
    bad="tags = models.ManyToManyField(Tag, null=True)",
    good="tags = models.ManyToManyField(Tag, blank=True)",
)
def m2m_null(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        if _rel(field).get("kind") == "ManyToManyField" and _params(field).get("null") is True:
            yield _f("DJ014", model, field, f"{_where(model, field)}: null=True has no effect")


@rule(
    "DJ015",
    "decimal-missing-digits",
    "error",
    "DecimalField without max_digits or decimal_places",
    django_check="fields.E130, fields.E132",
    why="""
A `numeric` column needs a precision and a scale: Django refuses a DecimalField without
`max_digits` and `decimal_places` (fields.E130, fields.E132).
""",
    fix="Give both: `models.DecimalField(max_digits=10, decimal_places=2)`.",
    bad="price = models.DecimalField()",
    good="price = models.DecimalField(max_digits=10, decimal_places=2)",
)
def decimal_missing_digits(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        params = _params(field)
        if not _builtin(field, "DecimalField") or field_opaque(field):
            continue
        missing = [k for k in ("max_digits", "decimal_places") if k not in params]
        if missing:
            yield _f(
                "DJ015",
                model,
                field,
                f"{_where(model, field)}: DecimalField without {' and '.join(missing)}",
            )


def _choice_values(choices: Any) -> list[Any] | None:
    """Stored values of a literal choices list (groups flattened); None when not literal."""
    if not isinstance(choices, list):
        return None
    values: list[Any] = []
    for item in choices:
        if not isinstance(item, list) or len(item) != 2:
            return None
        value, label = item
        if isinstance(label, list) and all(isinstance(x, list) and len(x) == 2 for x in label):
            values.extend(x[0] for x in label)  # an optgroup
        else:
            values.append(value)
    return values


@rule(
    "DJ016",
    "choice-longer-than-max-length",
    "error",
    "a choice value is longer than max_length",
    django_check="fields.E009",
    why="""
A stored choice value longer than the column's `max_length` cannot be saved (fields.E009): the
database truncates it or raises an error.
""",
    fix="Raise `max_length` to fit the longest choice value, or shorten the value.",
    bad='status = models.CharField(max_length=4, choices=[("draft", "Draft")])',
    good='status = models.CharField(max_length=10, choices=[("draft", "Draft")])',
)
def choice_longer_than_max_length(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        max_length = field.get("max_length")
        values = _choice_values(_params(field).get("choices"))
        if not isinstance(max_length, int) or not values:
            continue
        longest = max((v for v in values if isinstance(v, str)), key=len, default=None)
        if longest is not None and len(longest) > max_length:
            yield _f(
                "DJ016",
                model,
                field,
                f"{_where(model, field)}: choice {longest!r} is {len(longest)} characters, "
                f"max_length is {max_length}",
            )


_FIXED_NOW = re.compile(r"(^|\.)(now|today|utcnow)\(\s*\)$")


@rule(
    "DJ017",
    "fixed-datetime-default",
    "warning",
    "default is a date or time computed once, at import",
    django_check="fields.W161",
    why="""
`default=timezone.now()` calls the function when the module is imported: every row then gets
the time the server started, not the time it was created (fields.W161).
""",
    fix="Pass the function itself: `default=timezone.now` (no parentheses), or "
    "`auto_now_add=True`.",
    bad="created = models.DateTimeField(default=timezone.now())",
    good="created = models.DateTimeField(default=timezone.now)",
)
def fixed_datetime_default(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        text = expr_text(_params(field).get("default"))
        if text and _FIXED_NOW.search(text.strip()):
            yield _f(
                "DJ017",
                model,
                field,
                f"{_where(model, field)}: default={text} is evaluated once at import; "
                f"pass {text.strip()[:-2].rstrip('(').strip()} without ()",
            )


@rule(
    "DJ018",
    "max-length-ignored",
    "warning",
    "max_length on an integer field is ignored",
    django_check="fields.W122",
    why="""
Integer columns have a fixed size: `max_length` is ignored (fields.W122), so the limit it seems to
set is not enforced.
""",
    fix="Remove `max_length`; use `MaxValueValidator` or a `PositiveSmallIntegerField` to "
    "bound the value.",
    bad="age = models.IntegerField(max_length=3)",
    good="age = models.PositiveSmallIntegerField(validators=[MaxValueValidator(150)])",
)
def max_length_ignored(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        if field.get("django_type") in INTEGER_TYPES and "max_length" in _params(field):
            yield _f(
                "DJ018",
                model,
                field,
                f"{_where(model, field)}: max_length is ignored on {field['django_type']}",
            )


@rule(
    "DJ019",
    "hardcoded-user-model",
    "warning",
    "relation to auth.User instead of settings.AUTH_USER_MODEL",
    why="""
A relation written as `ForeignKey(User)` or `"auth.User"` always points at Django's default user
table; a project (or a reusable app's user) with a custom user model breaks, and switching to
one later means rewriting every such relation.
""",
    fix="Point relations at `settings.AUTH_USER_MODEL` "
    "(import `from django.conf import settings`).",
    bad="owner = models.ForeignKey(User, on_delete=models.CASCADE)",
    good="owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)",
)
def hardcoded_user_model(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        rel = _rel(field)
        if rel.get("target") != "auth.User":
            continue
        raw = str(rel.get("target_raw") or "")
        if "AUTH_USER_MODEL" in raw or "get_user_model" in raw:
            continue
        shown = raw or "auth.User"
        extra = (
            f" (AUTH_USER_MODEL is {ctx.auth_user_model})"
            if ctx.auth_user_model != "auth.User"
            else ""
        )
        yield _f(
            "DJ019",
            model,
            field,
            f"{_where(model, field)}: relation to {shown}; use settings.AUTH_USER_MODEL{extra}",
        )


@rule(
    "DJ020",
    "duplicate-db-table",
    "error",
    "two models use the same db_table",
    django_check="models.E028",
    why="""
Two concrete models mapped to one table write different columns into the same rows, and their
migrations fight over the table (models.E028).
""",
    fix="Give each model its own `Meta.db_table`, or make one a proxy (`proxy = True`) or "
    "`managed = False` view of the other.",
    bad="""
class A(models.Model):
    class Meta:
        db_table = "things"
class B(models.Model):
    class Meta:
        db_table = "things"
""",
    good="""
class B(A):
    class Meta:
        proxy = True
""",
)
def duplicate_db_table(ctx: Context) -> Iterator[Finding]:
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for model in ctx.models:
        if model.get("abstract") or model.get("proxy") or not model.get("db_table"):
            continue
        if (model.get("meta") or {}).get("managed") is False:
            continue
        tables[str(model["db_table"]).lower()].append(model)
    for table, models in sorted(tables.items()):
        # One label twice is the same model in two projects of a monorepo scan, not a clash.
        if len({m["label"] for m in models}) < 2:
            continue
        for model in models:
            others = ", ".join(sorted({m["label"] for m in models if m["label"] != model["label"]}))
            yield _f(
                "DJ020",
                model,
                None,
                f"{model['label']}: db_table {table!r} is also used by {others}",
            )


@rule(
    "DJ021",
    "index-together",
    "warning",
    "Meta.index_together (removed in Django 5.1)",
    why="""
`index_together` was deprecated in Django 4.2 and removed in 5.1: on recent Django versions the
option is rejected and the index is lost.
""",
    fix="Declare the index in `Meta.indexes`: `indexes = [models.Index(fields=['a', 'b'])]` and "
    "run `makemigrations` (it renames the existing index).",
    bad="""
    class Meta:
        index_together = [("owner", "created")]
""",
    good="""
    class Meta:
        indexes = [models.Index(fields=["owner", "created"])]
""",
)
def index_together(ctx: Context) -> Iterator[Finding]:
    for model in ctx.models:
        meta = model.get("meta") or {}
        if meta.get("index_together") and not model.get("meta_inherited_from"):
            yield _f(
                "DJ021",
                model,
                None,
                f"{model['label']}: Meta.index_together is removed in Django 5.1; use Meta.indexes",
            )


@rule(
    "DJ022",
    "invalid-field-name",
    "error",
    "field name ends with '_', contains '__' or is 'pk'",
    django_check="fields.E001, fields.E002, fields.E003",
    why="""
Django's query syntax splits lookups on `__` and reserves `pk`: a field named `pk`, containing
`__` or ending with `_` cannot be queried and Django refuses it.
""",
    fix="Rename the field (keep the column with `db_column=` if the table must not change).",
    bad="order_ = models.IntegerField()",
    good='order = models.IntegerField(db_column="order_")',
)
def invalid_field_name(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        name = field["name"]
        if name == "pk" and field.get("django_type") != "CompositePrimaryKey":  # (named so)
            why = "'pk' is reserved"
        elif "__" in name:
            why = "it contains '__'"
        elif name.endswith("_"):
            why = "it ends with '_'"
        else:
            continue
        yield _f("DJ022", model, field, f"{_where(model, field)}: invalid field name: {why}")


@rule(
    "DJ023",
    "null-boolean-field",
    "error",
    "NullBooleanField (removed in Django 4.0)",
    django_check="fields.E903",
    why="""
`NullBooleanField` was removed in Django 4.0 (fields.E903): only historical migrations may use it.
""",
    fix="Use `models.BooleanField(null=True)`; `makemigrations` writes an AlterField that "
    "keeps the column.",
    bad="active = models.NullBooleanField()",
    good="active = models.BooleanField(null=True)",
)
def null_boolean_field(ctx: Context) -> Iterator[Finding]:
    for model, field in ctx.declared_fields():
        if field.get("django_type") == "NullBooleanField" or str(field.get("type", "")).endswith(
            "NullBooleanField"
        ):
            yield _f(
                "DJ023",
                model,
                field,
                f"{_where(model, field)}: NullBooleanField is removed; use BooleanField(null=True)",
            )


@rule(
    "DJ024",
    "unique-together-m2m",
    "error",
    "unique_together names a ManyToManyField",
    django_check="models.E013",
    why="""
A many-to-many relation has no column in the model's table, so it cannot be part of a unique
constraint: Django refuses it (models.E013).
""",
    fix="Put the constraint on the through model (`UniqueConstraint` over its two foreign keys).",
    bad="""
    tags = models.ManyToManyField(Tag)
    class Meta:
        unique_together = [("name", "tags")]
""",
    good="""
    class Meta:
        unique_together = [("name", "owner")]
""",
)
def unique_together_m2m(ctx: Context) -> Iterator[Finding]:
    for model in ctx.models:
        if model.get("abstract"):
            continue
        m2m = {
            f["name"] for f in model.get("fields") or [] if _rel(f).get("kind") == "ManyToManyField"
        }
        for option in ("unique_together", "index_together"):
            for group in _together_groups((model.get("meta") or {}).get(option)):
                for name in group:
                    if name in m2m:
                        yield _f(
                            "DJ024",
                            model,
                            None,
                            f"{model['label']}: Meta.{option} names ManyToManyField {name!r}",
                        )


@rule(
    "DJ025",
    "unique-together",
    "info",
    "Meta.unique_together instead of a UniqueConstraint",
    default=False,
    why="""
Django's documentation recommends `UniqueConstraint` over `unique_together`, which "may be
deprecated in the future"; constraints can also be named, conditional and deferrable.
""",
    fix="Write `constraints = [models.UniqueConstraint(fields=[...], name='...')]`; "
    "`makemigrations` turns the old constraint into the new one.",
    bad="""
    class Meta:
        unique_together = [("owner", "slug")]
""",
    good="""
    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "slug"], name="uniq_owner_slug")]
""",
)
def unique_together(ctx: Context) -> Iterator[Finding]:
    for model in ctx.models:
        if (model.get("meta") or {}).get("unique_together") and not model.get(
            "meta_inherited_from"
        ):
            yield _f(
                "DJ025",
                model,
                None,
                f"{model['label']}: Meta.unique_together; prefer a UniqueConstraint",
            )


def _quoted(text: Any) -> str | None:
    """The string a ``'app.Model'`` literal (as ``target_raw`` writes it) holds."""
    if isinstance(text, str) and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return None


@rule(
    "DJ026",
    "relation-target-missing",
    "error",
    "relation to a model that does not exist",
    django_check="fields.E300",
    why="""
A `ForeignKey`, `OneToOneField` or `ManyToManyField` names its target as a string
(`"app_label.Model"` or `"Model"` in the same app). When no installed model has that name Django
refuses to start (fields.E300: "Field defines a relation with model '...', which is either not
installed, or is abstract"). Typically a typo, a model that was renamed or deleted, or an app
label that is not the one in the target app's `AppConfig`.
""",
    fix="Name an existing model (`app_label.Model` uses the app's label, not its package "
    "path), or install the app that defines it.",
    bad="""
    customer = models.ForeignKey("shop.Custmer", on_delete=models.CASCADE)
""",
    good="""
    customer = models.ForeignKey("shop.Customer", on_delete=models.CASCADE)
""",
)
def relation_target_missing(ctx: Context) -> Iterator[Finding]:
    failed = [
        f.get("module") or "" for f in ctx.doc.get("files") or [] if f.get("status") == "failed"
    ]
    packages: dict[str, list[str]] = defaultdict(list)
    for app in ctx.doc.get("apps") or []:
        packages[app.get("label")].append(app.get("name") or "")
    seen: set[tuple[str | None, int | None]] = set()
    for model in ctx.models:
        if model.get("abstract") or ctx.incomplete(model):
            continue
        for field in model.get("fields") or []:
            rel = _rel(field)
            if field.get("origin") not in ("declared", "inherited") or rel.get("target"):
                continue
            if rel.get("kind") not in ("ForeignKey", "OneToOneField", "ManyToManyField"):
                continue
            text = _quoted(rel.get("target_raw"))
            if not text or text == "self":
                continue
            app = text.rpartition(".")[0] or model.get("app_label")
            if any(m.startswith(p) for p in packages.get(app) or [""] for m in failed if p):
                continue  # the app has a file that could not be analysed
            finding = _f(
                "DJ026",
                model,
                field,
                f"{_where(model, field)}: relation to {text!r}, which is not a model "
                "(no such model in the app, or no such app label)",
                ctx.field_file(model, field),
            )
            if (finding.file, finding.line) not in seen:
                seen.add((finding.file, finding.line))
                yield finding


@rule(
    "DJ027",
    "missing-migration",
    "error",
    "model changed without a migration (makemigrations would write one)",
    default=False,
    why="""
The models say something the migrations do not: `python manage.py makemigrations` would write
an operation (`AddField`, `AlterField`, `DeleteModel`, `AlterModelOptions`, ...), so the
database the deployed code expects is not the one the migrations build. djatlas replays every
migration statically (`djatlas migrations --check`, nothing imported, no database) and reports
each operation at the model or field it comes from (a field the model's own body declares at
its line, an inherited one at the model's `class` line, a deleted model at the migration that
last touched it). It stands down for apps whose migrations
are not in the tree or the environment, and for fields whose deconstruction cannot be known
statically (a third-party field's own `deconstruct()`, a dynamic default): those are notes of
`djatlas migrations --check`, not findings. Off by default (it reads every migration file;
`djatlas migrations --check` is the same check on its own): enable it with
`--extend-select DJ027`.
""",
    fix="Run `python manage.py makemigrations` and commit the migration it writes (or undo "
    "the model change).",
    bad="""
class Book(models.Model):
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=200, blank=True)  # no migration adds it
""",
    good="""
# books/migrations/0002_book_subtitle.py, written by makemigrations
operations = [
    migrations.AddField("book", "subtitle", models.CharField(blank=True, max_length=200)),
]
""",
)
def missing_migration(ctx: Context) -> Iterator[Finding]:
    answer = ctx.migrations()
    if answer is None:
        return
    from djatlas.migrations.drift import find_model, last_key, model_operations

    for op in model_operations(answer):
        app, name, fname = op["app_label"], op["model"], op.get("field")
        target = f"{app}: {op['op']} {name}" + (f".{fname}" if fname else "")
        message = f"{target}: the models changed without a migration"
        model = find_model(ctx.doc, app, name, op.get("project"))
        if model is None:  # a model only the migrations know (DeleteModel)
            last = answer.get("last", {}).get(last_key(app, name, op.get("project") or ""))
            file = last["file"] if last and not last["file"].startswith("/") else None
            yield Finding("DJ027", message, file, None, f"{app}.{name}", fname)
            continue
        if ctx.incomplete(model):
            continue
        # at the field when the model's own body declares it, else at the model's class line
        # (an inherited field's migration is the concrete model's, not its abstract base's)
        field = next((f for f in model.get("fields") or [] if f["name"] == fname), None)
        declared = field is not None and field.get("origin") == "declared"
        finding = _f("DJ027", model, field if declared else None, message)
        yield replace(finding, field=fname) if fname and not declared else finding
