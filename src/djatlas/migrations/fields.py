"""Field definitions as Django's ``Field.deconstruct()`` gives them, from a migration's field
call or a model field of the report, and their comparison the way the autodetector compares
``deep_deconstruct`` results (with "cannot know statically" instead of a guess).

A definition is ``FieldDef(cls, kwargs, custom)``: ``cls`` the field class name (``CharField``),
``kwargs`` keyword -> value in the reader's encoding, positional arguments mapped to names, the
values Django omits dropped and the values it always writes added; ``custom`` when the class is
not Django's own (its ``__init__``/``deconstruct`` may change what it writes).
"""

from __future__ import annotations

import ast
import functools
from typing import Any

from djatlas.records import dataclass, field

_BASE_POSITIONAL = (
    "verbose_name", "name", "primary_key", "max_length", "unique", "blank", "null", "db_index",
    "rel", "default", "editable", "serialize", "unique_for_date", "unique_for_month",
    "unique_for_year", "choices", "help_text", "db_column", "db_tablespace", "auto_created",
    "validators", "error_messages", "db_comment", "db_default",
)  # fmt: skip
_POSITIONAL = {
    "DecimalField": ("verbose_name", "name", "max_digits", "decimal_places"),
    "ForeignKey": ("to", "on_delete", "related_name", "related_query_name", "limit_choices_to",
                   "parent_link", "to_field", "db_constraint"),
    "OneToOneField": ("to", "on_delete", "to_field"),
    "ManyToManyField": ("to", "related_name", "related_query_name", "limit_choices_to",
                        "symmetrical", "through", "through_fields", "db_constraint", "db_table"),
    "FileField": ("verbose_name", "name", "upload_to", "storage"),
    "ImageField": ("verbose_name", "name", "width_field", "height_field"),
    "DateField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "DateTimeField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "TimeField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "GenericIPAddressField": ("verbose_name", "name", "protocol", "unpack_ipv4"),
    "FilePathField": ("verbose_name", "name", "path", "match", "recursive", "allow_files",
                      "allow_folders"),
    "JSONField": ("verbose_name", "name", "encoder", "decoder"),
    "ArrayField": ("base_field", "size"),
}  # fmt: skip
_BASE_DEFAULTS: dict[str, Any] = {
    "verbose_name": None, "primary_key": False, "max_length": None, "unique": False,
    "blank": False, "null": False, "db_index": False, "editable": True, "serialize": True,
    "unique_for_date": None, "unique_for_month": None, "unique_for_year": None, "choices": None,
    "help_text": "", "db_column": None, "db_comment": None, "db_tablespace": None,
    "auto_created": False, "validators": [], "error_messages": None,
}  # fmt: skip
#: Keyword arguments a class accepts but never writes back.
_NEVER = {"swappable", "symmetrical", "rel", "name", "from_fields", "to_fields"}
_AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}
_RELATED = {"ForeignKey", "OneToOneField", "ManyToManyField"}
_DEFAULTS_BY_CLASS: dict[str, dict[str, Any]] = {
    "CharField": {"db_collation": None},
    "TextField": {"db_collation": None},
    "SlugField": {"max_length": 50, "db_index": True, "allow_unicode": False},
    "URLField": {"max_length": 200},
    "FilePathField": {"path": "", "match": None, "recursive": False, "allow_files": True,
                      "allow_folders": False, "max_length": 100},
    "GenericIPAddressField": {"unpack_ipv4": False, "protocol": "both", "max_length": 39},
    "IPAddressField": {"max_length": 15},
    "UUIDField": {"max_length": 32},
    "FileField": {"max_length": 100, "storage": None},
    "ImageField": {"max_length": 100, "storage": None, "width_field": None, "height_field": None},
    "JSONField": {"encoder": None, "decoder": None},
    "BinaryField": {"editable": False},
    "ForeignKey": {"db_index": True, "db_constraint": True, "parent_link": False,
                   "related_name": None, "related_query_name": None, "limit_choices_to": None,
                   "to_field": None},
    "ManyToManyField": {"db_constraint": True, "related_name": None, "related_query_name": None,
                        "limit_choices_to": None, "through": None, "through_fields": None,
                        "db_table": None},
}  # fmt: skip
_DEFAULTS_BY_CLASS["OneToOneField"] = _DEFAULTS_BY_CLASS["ForeignKey"]
_ALWAYS: dict[str, dict[str, Any]] = {
    "EmailField": {"max_length": 254},
    "FileField": {"upload_to": ""},
    "ImageField": {"upload_to": ""},
    "ArrayField": {"size": None},
    # (Django 5.2's CompositePrimaryKey.__init__ sets them: its deconstruct() writes them)
    "CompositePrimaryKey": {"blank": True, "editable": False, "primary_key": True},
}


@dataclass
class FieldDef:
    cls: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    custom: bool = False
    path: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"class": self.path or self.cls, "kwargs": self.kwargs}


def class_name(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def is_django(path: str) -> bool:
    return path.startswith("django.")


def from_call(call: Any, django_type: str | None = None) -> FieldDef | None:
    """The FieldDef of a migration's ``models.X(...)`` call value (None if it is not a call).
    ``django_type`` is the nearest Django class when the call's class is not Django's own."""
    if not isinstance(call, dict) or "$call" not in call:
        return None
    path = call["$call"]
    cls = class_name(path)
    custom = not is_django(path)
    base = (django_type or cls) if custom else cls
    kwargs = dict(call.get("kwargs") or {})
    names = _POSITIONAL.get(base, _BASE_POSITIONAL)
    args = list(call.get("args") or [])
    if base == "CompositePrimaryKey":  # its positional arguments: the names of its fields
        kwargs.setdefault("field_names", args)
        args = []
    for i, arg in enumerate(args):
        if i < len(names):
            kwargs.setdefault(names[i], arg)
        else:
            kwargs.setdefault(f"${i}", arg)
    return FieldDef(cls, normalize(base, kwargs, custom), custom, path)


def normalize(base: str, kwargs: dict[str, Any], custom: bool = False) -> dict[str, Any]:
    """What ``deconstruct()`` writes for these arguments of a field of Django class ``base``."""
    out = {k: v for k, v in kwargs.items() if k not in _NEVER}
    if base == "ArrayField" and isinstance(out.get("base_field"), dict):
        inner = from_call(out["base_field"])
        if inner is not None:
            out["base_field"] = {"$field": inner.cls, "kwargs": inner.kwargs}
    if out.get("primary_key") is True:
        out["serialize"] = False
    if base in _AUTO:
        out.pop("blank", None)
        out["primary_key"] = True
    if base == "OneToOneField":
        out.pop("unique", None)
    if base in ("DateField", "DateTimeField", "TimeField") and (
        out.get("auto_now") is True or out.get("auto_now_add") is True
    ):
        out.pop("editable", None)
        out.pop("blank", None)
    if base == "NullBooleanField":
        out.pop("null", None)
        out.pop("blank", None)
    for key, value in (_ALWAYS.get(base) or {}).items():
        out.setdefault(key, value)
    class_defaults = _DEFAULTS_BY_CLASS.get(base, {})
    for key in list(out):
        if _omitted(key, out[key], class_defaults):
            del out[key]
    if base == "SlugField" and "db_index" in out and out["db_index"] is not False:
        del out["db_index"]
    return out


def _omitted(key: str, value: Any, class_defaults: dict[str, Any]) -> bool:
    """Whether ``deconstruct()`` leaves this keyword out (its value is the default)."""
    if key in class_defaults:
        return _same_literal(value, class_defaults[key])
    if key in _BASE_DEFAULTS:
        return _same_literal(value, _BASE_DEFAULTS[key])
    return key in ("auto_now", "auto_now_add") and value is False


def _same_literal(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or default is None:
        return value is default
    return type(value) is type(default) and value == default


def from_report_field(f: dict[str, Any], label_lower: str) -> FieldDef:
    """The FieldDef of a model field of the report (``label_lower``: its model's label)."""
    path = f.get("resolved_type") or f.get("type") or ""
    cls = class_name(path)
    custom = not is_django(path)
    base = (f.get("django_type") or cls) if custom else cls
    kwargs = dict(f.get("params") or {})
    kwargs = {k: _from_report_value(v) for k, v in kwargs.items()}
    kwargs.update(f.get("known_params") or {})
    rel = f.get("relation")
    if f.get("origin") == "implicit" and (f.get("primary_key") or (rel or {}).get("parent_link")):
        kwargs["auto_created"] = True
    if f.get("primary_key"):
        kwargs["primary_key"] = True
    if rel and rel.get("kind") in _RELATED:
        target = rel.get("target")
        kwargs["to"] = target.lower() if target else {"$expr": rel.get("target_raw") or "?"}
        if rel.get("on_delete"):
            kwargs["on_delete"] = {"$ref": f"django.db.models.deletion.{rel['on_delete']}"}
        if rel.get("through"):
            kwargs["through"] = rel["through"].lower()
        if rel.get("parent_link"):
            kwargs["parent_link"] = True
    return FieldDef(cls, normalize(base, kwargs, custom), custom, path)


def _from_report_value(value: Any) -> Any:
    """A report value in the reader's encoding: ``$expr`` texts parsed (names as ``$ref``)."""
    if isinstance(value, list):
        return [_from_report_value(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$expr"}:
            return parse_expr(value["$expr"])
        return {k: _from_report_value(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=4096)
def _parse_expr_cached(text: str) -> str:
    import json

    return json.dumps(_parse_expr(text))


def parse_expr(text: str) -> Any:
    """A source expression in the reader's encoding (memoised: the same texts recur)."""
    import json

    return json.loads(_parse_expr_cached(text))


def _parse_expr(text: str) -> Any:
    """A source expression in the reader's encoding, names unresolved (compared by their last
    component)."""
    from djatlas.migrations.reader import _ModuleReader

    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return {"$expr": text}
    reader = _ModuleReader("")
    reader.text = text.strip()
    return _strip_lines(reader.value(node))


def _strip_lines(value: Any) -> Any:
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "line"}
    return value


UNKNOWN = object()


def same(a: Any, b: Any) -> Any:
    """True / False, or UNKNOWN when either side holds an expression djatlas cannot evaluate."""
    if isinstance(a, dict) and isinstance(b, dict):
        if "$expr" in a or "$expr" in b:
            return True if a == b else UNKNOWN
        if "$ref" in a or "$ref" in b:
            if "$ref" in a and "$ref" in b:
                if class_name(a["$ref"]) == class_name(b["$ref"]):
                    return True
                # a bare name may be an alias (``from django.utils.timezone import now as get_now``)
                return False if "." in a["$ref"] and "." in b["$ref"] else UNKNOWN
            # a name against a value (``default=DEFAULT_TIMEOUT`` and the ``timedelta(days=1)``
            # a migration wrote): the constant may be that value
            valued = ("$call", "$timedelta")
            return UNKNOWN if any(k in a or k in b for k in valued) else False
        if "$call" in a or "$call" in b:
            if not ("$call" in a and "$call" in b):
                return False
            if class_name(a["$call"]) != class_name(b["$call"]):
                return False
            r1 = same(a.get("args") or [], b.get("args") or [])
            r2 = same(a.get("kwargs") or {}, b.get("kwargs") or {})
            return UNKNOWN if UNKNOWN in (r1, r2) else (r1 and r2)
        if set(a) != set(b):
            return False
        return _all(same(a[k], b[k]) for k in a)
    if isinstance(a, dict) and ("$expr" in a or "$ref" in a or "$call" in a):
        return UNKNOWN if not isinstance(b, (bool, type(None))) or "$expr" in a else UNKNOWN
    if isinstance(b, dict) and ("$expr" in b or "$ref" in b or "$call" in b):
        return UNKNOWN
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        return _all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b and type(a) is type(b) or (_number(a) and _number(b) and a == b)


_VALUE_CALLS = {"Decimal", "UUID", "datetime", "date", "time", "timedelta", "Q", "F", "Value"}


def _opaque(value: Any) -> bool:
    """An instance of a project class (its own deconstruct() may drop it)."""
    return (
        isinstance(value, dict)
        and class_name(str(value.get("$call", "Decimal"))) not in (_VALUE_CALLS)
        and "$call" in value
    )


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def canonical(value: Any) -> Any:
    """Values as Django deconstructs them: ``Q(a=1)`` is ``Q(("a", 1))``; no source lines."""
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {
        k: canonical(v) if isinstance(v, (list, dict)) else v
        for k, v in value.items()
        if k != "line"
    }
    call = class_name(str(out["$call"])) if "$call" in out else ""
    if call == "timedelta":
        seconds = _timedelta_seconds(out)
        if seconds is not None:
            return {"$timedelta": seconds}
    if call == "Q":
        kwargs = dict(out.get("kwargs") or {})
        flags = {k: kwargs.pop(k) for k in ("_connector", "_negated") if k in kwargs}
        out["args"] = [*(out.get("args") or []), *[[k, kwargs[k]] for k in sorted(kwargs)]]
        out["kwargs"] = flags
    return out


_TIMEDELTA = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
_SECONDS = {"days": 86400, "seconds": 1, "microseconds": 1e-6, "milliseconds": 1e-3,
            "minutes": 60, "hours": 3600, "weeks": 604800}  # fmt: skip


def _timedelta_seconds(call: dict[str, Any]) -> float | None:
    args = dict(zip(_TIMEDELTA, call.get("args") or []))
    args.update(call.get("kwargs") or {})
    if not all(k in _SECONDS and _number(v) for k, v in args.items()):
        return None
    return round(sum(_SECONDS[k] * v for k, v in args.items()), 6)


def _all(results: Any) -> Any:
    unknown = False
    for r in results:
        if r is False:
            return False
        if r is UNKNOWN:
            unknown = True
    return UNKNOWN if unknown else True


def _choice_pairs(choices: Any) -> Any:
    """``choices`` given as a mapping (``{"A": "a", "Group": {"B": "b"}}``) as the list of
    pairs Django's ``normalize_choices`` makes of it (and a migration writes)."""
    if not isinstance(choices, dict) or any(k.startswith("$") for k in choices):
        return choices
    return [[k, _choice_pairs(v)] for k, v in choices.items()]


def compare(old: FieldDef, new: FieldDef) -> tuple[bool, list[str]]:
    """(differs, keywords that cannot be known statically) between two field definitions."""
    if old.cls != new.cls:
        if old.custom or new.custom:
            return False, ["class (a project or library field's deconstruct() path)"]
        return True, []
    unknown: list[str] = []
    differs = False
    for key in sorted(set(old.kwargs) | set(new.kwargs)):
        if key not in old.kwargs or key not in new.kwargs:
            value = old.kwargs.get(key, new.kwargs.get(key))
            if old.custom or new.custom or _opaque(value):
                unknown.append(key)
            else:
                differs = True
            continue
        old_value, new_value = old.kwargs[key], new.kwargs[key]
        if key == "choices":  # (a mapping is deconstructed as its pairs: Django 5.0)
            old_value, new_value = _choice_pairs(old_value), _choice_pairs(new_value)
        r = same(canonical(old_value), canonical(new_value))
        if r is UNKNOWN:
            unknown.append(key)
        elif not r:
            differs = True
    return differs, unknown
