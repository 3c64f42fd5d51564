"""Build the djatlas JSON report from a booted Django project's model registry.

Only concrete and proxy models are reported: abstract models never reach Django's app registry.
Fields are the forward fields of ``_meta.get_fields()`` in Django's order: a multi-table child
lists its parents' fields first (``origin: "parent"``), a proxy the fields of the concrete model it
proxies. ``parents`` follows ``_meta.parents`` (a proxy's concrete parent included). Reverse
relations are those ``_meta.get_fields(include_hidden=True)`` lists (shared by a proxy and its
concrete model, a multi-table child's parents' included), ``via`` the model a relation names when
it is another.
"""

from __future__ import annotations

import ast
import datetime as _dt
import decimal
import enum
import inspect
import os
import re
import sys
import textwrap
import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import models
from django.db.models import ForeignObjectRel
from django.utils.functional import Promise

from djatlas.graph.identity import ensure_ids

FORMAT = "djatlas-report"
SCHEMA_VERSION = 1
RELATION_KINDS = (
    "OneToOneField",
    "ForeignKey",
    "ManyToManyField",
    "GenericForeignKey",
    "GenericRelation",
)
_SCALARS = (str, int, float, bool, type(None))


def _tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("djatlas")
    except Exception:  # pragma: no cover - not installed as a distribution
        return "0.0.0"


def dotted(obj: Any) -> str:
    """``module.qualname`` of a class or function; a builtin method bound to a class
    (``datetime.date.today``) by its class's."""
    module = getattr(obj, "__module__", None)
    owner = getattr(obj, "__self__", None)
    if module is None and isinstance(owner, type):
        return f"{owner.__module__}.{obj.__qualname__}"
    return f"{module}.{obj.__qualname__}"


def encode(value: Any) -> Any:
    """Encode a runtime value like the static report encodes a source literal."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [encode(v) for v in items]
    if isinstance(value, dict):
        return {k if isinstance(k, str) else repr(k): encode(v) for k, v in value.items()}
    if inspect.isclass(value) and issubclass(value, models.Model):
        return value._meta.label
    if value is models.NOT_PROVIDED:
        return None
    if callable(value) and getattr(value, "__module__", "") == "django.db.models.deletion":
        return {"$expr": f"models.{value.__name__}"}
    if inspect.isfunction(value) or inspect.isclass(value) or inspect.isbuiltin(value):
        return {"$expr": dotted(value)}
    if isinstance(value, (decimal.Decimal, _dt.date, _dt.time, _dt.timedelta, uuid.UUID)):
        return {"$expr": repr(value)}
    return {"$expr": _ADDRESS.sub("", repr(value))}


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def on_delete_name(on_delete: Any) -> str | None:
    """``CASCADE``, ``SET_NULL``, ...: ``SET(...)`` is ``SET``; wrappers (django-polymorphic's
    ``PolymorphicGuard``) are unwrapped through their ``action``."""
    if on_delete is None:
        return None
    action = getattr(on_delete, "action", None)
    if action is not None and not hasattr(on_delete, "__name__"):
        on_delete = action
    name = getattr(on_delete, "__name__", None) or type(on_delete).__name__
    return "SET" if name == "set_on_delete" else name


# --------------------------------------------------------------------------- source locations


@cache
def _class_source(cls: type) -> tuple[str | None, int | None, ast.ClassDef | None]:
    """(source file, first line of the extracted source, parsed class) or Nones."""
    try:
        path = inspect.getsourcefile(cls)
        lines, start = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return None, None, None
    try:
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except SyntaxError:
        return path, None, None
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef)), None)
    return path, start, node


def class_line(cls: type) -> int | None:
    """Line of the ``class`` statement (decorators excluded)."""
    _, start, node = _class_source(cls)
    return start + node.lineno - 1 if start is not None and node is not None else None


def class_methods(cls: type) -> list[str]:
    """Names of the functions defined in the class body, sorted."""
    _, _, node = _class_source(cls)
    if node is not None:
        names = {
            n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        return sorted(names)
    prefix = cls.__qualname__ + "."
    found = set()
    for name, value in vars(cls).items():
        func = getattr(value, "__func__", None) or getattr(value, "fget", None) or value
        if inspect.isfunction(func) and func.__qualname__.startswith(prefix):
            found.add(name)
    return sorted(found)


def attribute_line(cls: type, name: str) -> int | None:
    """Line where ``name`` is assigned in the class body of ``cls``."""
    _, start, node = _class_source(cls)
    if start is None or node is None:
        return None
    found: int | None = None
    for stmt in _class_statements(node.body):
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        for target in targets:
            elts = target.elts if isinstance(target, ast.Tuple) else [target]
            if any(isinstance(t, ast.Name) and t.id == name for t in elts):
                found = start + stmt.lineno - 1
    return found


def _class_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Class-body statements, including those inside ``if``/``try`` blocks (last one wins)."""
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.If):
            out += _class_statements(stmt.body) + _class_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            out += _class_statements(stmt.body)
        else:
            out.append(stmt)
    return out


def relative_path(path: str | None, root: str | None) -> str | None:
    """POSIX path of ``path`` relative to ``root`` when inside it, else absolute."""
    if path is None:
        return None
    absolute = Path(path).resolve()
    if root:
        try:
            return absolute.relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return absolute.as_posix()


def _inside(path: str | None, root: str | None) -> bool:
    if not path or not root:
        return False
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- fields


def django_builtin(cls: type) -> type | None:
    """Nearest ancestor of a field class that Django itself defines."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("django.") and klass.__name__[0].isupper():
            if klass.__name__.endswith("Mixin"):
                continue
            return klass
    return None


def relation_kind(field: Any) -> str | None:
    """The Django relation class ``field`` is or subclasses, by name."""
    if not getattr(field, "is_relation", False):
        return None
    names = {k.__name__ for k in type(field).__mro__ if k.__module__.startswith("django.")}
    for kind in RELATION_KINDS:
        if kind in names:
            return kind
    builtin = django_builtin(type(field))
    return builtin.__name__ if builtin else type(field).__name__


def forward_fields(model: type[models.Model]) -> list[Any]:
    """Forward fields as ``_meta.get_fields()`` orders them (multi-table parents' included)."""
    return [f for f in model._meta.get_fields() if not isinstance(f, ForeignObjectRel)]


def is_own(field: Any, model: type[models.Model]) -> bool:
    """True for a field stored with ``model`` itself, not in a parent's table."""
    return field.model is model and not getattr(field, "mti_inherited", False)


def _parent_field(field: Any, model: type[models.Model]) -> Any:
    """The original of a private field that Django copied from a concrete parent."""
    for base in model.__mro__[1:]:
        meta = getattr(base, "_meta", None)
        if meta is None or meta.abstract:
            continue
        for other in meta.private_fields:
            if other.name == field.name and not getattr(other, "mti_inherited", False):
                return other
    return field


def _abstract_definer(field: Any) -> type | None:
    """The abstract base (deepest in the MRO) that declared an inherited field."""
    owner = field.model
    found = None
    for base in owner.__mro__[1:]:
        meta = getattr(base, "_meta", None)
        if meta is None or not meta.abstract:
            continue
        for other in (*meta.local_fields, *meta.local_many_to_many, *meta.private_fields):
            # Copies keep the creation counter (GenericForeignKey on Django < 5.1 has none).
            counter = getattr(field, "creation_counter", None)
            if (
                other.name == field.name
                and type(other) is type(field)
                and getattr(other, "creation_counter", None) == counter
            ):
                found = base
    return found


def _declared(field: Any) -> bool:
    """Whether a class body assigns the field (``auto_created=True`` written out, as migrations
    write an ``id`` or a ``<parent>_ptr``), rather than Django creating it."""
    owner = _abstract_definer(field) or field.model
    return attribute_line(owner, field.name) is not None


def field_params(field: Any) -> dict[str, Any]:
    """The field's non-default keyword arguments, from ``deconstruct()``."""
    try:
        _, _, args, kwargs = field.deconstruct()
    except Exception:  # GenericForeignKey on Django < 5.1 has no deconstruct
        return {}
    params = {f"${i}": encode(a) for i, a in enumerate(args)}
    params.update({k: encode(v) for k, v in kwargs.items()})
    return params


def export_field(field: Any, model: type[models.Model]) -> dict[str, Any]:
    """One Field entry of ``model``'s report."""
    cls = type(field)
    builtin = django_builtin(cls)
    parent_link = getattr(getattr(field, "remote_field", None), "parent_link", False)
    is_relation = getattr(field, "is_relation", False)
    implicit = (
        getattr(field, "auto_created", False)
        and (not is_relation or parent_link)
        and not _declared(field)
    )
    definer: type | None
    if not is_own(field, model):
        origin = "parent"
        original = _parent_field(field, model) if field.model is model else field
        definer = None if implicit else _abstract_definer(original) or original.model
    elif implicit:
        origin, definer = "implicit", None
    else:
        definer = _abstract_definer(field)
        origin = "inherited" if definer is not None else "declared"
        definer = definer or field.model
    kind = relation_kind(field)
    concrete = getattr(field, "concrete", False)
    column = field.column if concrete and not getattr(field, "many_to_many", False) else None
    return {
        "name": field.name,
        "type": cls.__name__,
        "resolved_type": dotted(cls),
        "django_type": builtin.__name__ if builtin else None,
        "line": attribute_line(definer, field.name) if definer else None,
        "origin": origin,
        "defined_in": dotted(definer) if definer else None,
        "params": field_params(field),
        "column": column,
        "null": bool(getattr(field, "null", False)),
        "unique": bool(getattr(field, "unique", False)),
        "primary_key": bool(getattr(field, "primary_key", False)),
        "max_length": getattr(field, "max_length", None),
        "relation": export_relation(field, kind) if kind else None,
    }


def export_relation(field: Any, kind: str) -> dict[str, Any]:
    """The ``relation`` object of a relation field."""
    remote = getattr(field, "remote_field", None)
    target = field.related_model
    target_label = target._meta.label if inspect.isclass(target) else None
    on_delete = getattr(remote, "on_delete", None)
    through = getattr(remote, "through", None)
    auto_through = through is not None and through._meta.auto_created
    try:
        to_field = field.deconstruct()[3].get("to_field")
    except Exception:
        to_field = None
    m2m_db_table = None
    if auto_through and hasattr(field, "m2m_db_table"):
        m2m_db_table = field.m2m_db_table()
    return {
        "kind": kind,
        "target": target_label,
        "target_raw": None,
        "related_name": getattr(remote, "related_name", None),
        "related_query_name": getattr(remote, "related_query_name", None),
        "on_delete": on_delete_name(on_delete),
        "through": through._meta.label if through is not None and not auto_through else None,
        "to_field": to_field,
        "parent_link": bool(getattr(remote, "parent_link", False)),
        "m2m_db_table": m2m_db_table,
    }


# --------------------------------------------------------------------------- models


def _docstring(model: type[models.Model]) -> str | None:
    doc = model.__dict__.get("__doc__")
    if not doc:
        return None
    # Django writes "Name(field, ...)" when the class has none, from the fields known at that
    # moment: fields added later at class creation (django-mptt's) are not in it.
    names = {f.name for f in model._meta.fields}
    head, _, rest = doc.partition("(")
    if head == model.__name__ and rest.endswith(")"):
        listed = [n.strip() for n in rest[:-1].split(",") if n.strip()]
        if set(listed) <= names:
            return None
    return inspect.cleandoc(doc)


def _meta_options(model: type[models.Model]) -> tuple[dict[str, Any], str | None]:
    opts = model._meta
    meta = {k: encode(v) for k, v in opts.original_attrs.items() if k != "abstract" or v}
    # Django pops a concrete model's own Meta; what getattr finds is an abstract ancestor's.
    inherited_meta = getattr(model, "Meta", None)
    _, _, node = _class_source(model)
    if node is not None:
        declared = any(isinstance(n, ast.ClassDef) and n.name == "Meta" for n in node.body)
    else:
        declared = inherited_meta is None or any(
            getattr(inherited_meta, k, None) != v for k, v in opts.original_attrs.items()
        )
    if declared:  # ``class Meta(Parent.Meta)``: the parent whose Meta it extends
        return meta, _extended_meta_owner(model, node)
    if inherited_meta is None:
        return meta, None
    owner = inherited_meta.__qualname__.rpartition(".")[0]
    return meta, f"{inherited_meta.__module__}.{owner}"


def _extended_meta_owner(model: type[models.Model], node: ast.ClassDef | None) -> str | None:
    """The dotted path of the class whose Meta the model's declared Meta subclasses (its first
    base written ``Parent.Meta``), looked up in the model's module (Django keeps no Meta)."""
    body = node.body if node is not None else []
    meta = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
    for base in meta.bases if meta is not None else []:
        if isinstance(base, ast.Attribute) and base.attr == "Meta":
            owner: Any = sys.modules.get(model.__module__)
            for part in ast.unparse(base.value).split("."):
                owner = getattr(owner, part, None)
            if isinstance(owner, type):
                return f"{owner.__module__}.{owner.__qualname__}"
    return None


def _base_origin(base: type, root: str | None) -> str:
    path, _, _ = _class_source(base)
    if _inside(path, root):
        return "tree"
    return "environment"  # (Django's own too, read from where it is installed)


def export_model(model: type[models.Model], root: str | None) -> dict[str, Any]:
    """One models[] entry (``reverse_relations`` is filled in by :func:`build_report`)."""
    opts = model._meta
    path, _, _ = _class_source(model)
    meta, meta_inherited_from = _meta_options(model)
    ignore = (models.Model, object)
    return {
        "name": model.__name__,
        "label": opts.label,
        "app_label": opts.app_label,
        "module": model.__module__,
        "file": relative_path(path, root),
        "line": class_line(model),
        "docstring": _docstring(model),
        "bases": [
            {"name": b.__name__, "resolved": dotted(b), "origin": _base_origin(b, root)}
            for b in model.__bases__
        ],
        "abstract": bool(opts.abstract),
        "proxy": bool(opts.proxy),
        "parents": [p._meta.label for p in opts.parents],
        "concrete_model": opts.concrete_model._meta.label,
        "db_table": opts.db_table,
        "meta": meta,
        "meta_inherited_from": meta_inherited_from,
        "methods": class_methods(model),
        "has_str": any("__str__" in vars(k) for k in model.__mro__ if k not in ignore),
        "fields": [export_field(f, model) for f in forward_fields(model)],
        "reverse_relations": [],
    }


def _reverse_entries(model_list: list[type[models.Model]]) -> dict[str, list[dict[str, Any]]]:
    """Reverse accessors as ``_meta.get_fields(include_hidden=True)`` lists them (a proxy and
    its concrete model share theirs; a multi-table child lists its parents'), but those of
    auto-created many-to-many intermediary models; keyed by the model's label. ``via``: the
    model the relation names, when it is not that model."""
    reverse: dict[str, list[dict[str, Any]]] = {}
    for model in model_list:
        entries = reverse.setdefault(model._meta.label, [])
        for rel in model._meta.get_fields(include_hidden=True):
            if not isinstance(rel, ForeignObjectRel):
                continue
            holder, target = rel.related_model, rel.model
            if not inspect.isclass(holder) or holder._meta.auto_created:
                continue
            name = rel.get_accessor_name() or rel.related_name
            entry = {
                "name": name,
                "model": holder._meta.label,
                "field": rel.field.name,
                "kind": relation_kind(rel.field),
                # As ForeignObjectRel.is_hidden(): a GenericRel's related_name is its query
                # name or "+".
                "hidden": bool(name) and name.endswith("+"),
                "via": None,
            }
            if inspect.isclass(target) and target is not model:
                entry["via"] = target._meta.label
            entries.append(entry)
    for entries in reverse.values():
        entries.sort(key=lambda e: (e["model"], e["field"]))
    return reverse


def _app_entry(config: AppConfig) -> dict[str, Any]:
    cls = type(config)
    return {
        "label": config.label,
        "name": config.name,
        "config": None if cls is AppConfig else dotted(cls),
        "models": sorted(m._meta.label for m in config.get_models()),
    }


def build_report(
    root: str | None = None, title: str | None = None, timing: bool = True
) -> dict[str, Any]:
    """The whole report for the current (already set up) Django project."""
    started = time.perf_counter()
    model_list = list(apps.get_models(include_auto_created=False))
    entries = [export_model(m, root) for m in model_list]
    reverse = _reverse_entries(model_list)
    for entry in entries:
        entry["reverse_relations"] = reverse.get(entry["label"], [])
    entries.sort(key=lambda e: (e["module"], e["line"] or 0, e["label"]))
    fields = [f for e in entries for f in e["fields"]]
    relationships = sum(1 for f in fields if f["relation"])
    app_entries = sorted((_app_entry(c) for c in apps.get_app_configs()), key=lambda a: a["label"])
    user_model = getattr(settings, "AUTH_USER_MODEL", "auth.User")
    doc = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "djatlas", "version": _tool_version()},
        "metadata": {
            "title": title or "djatlas runtime report",
            "path": root if root is not None else os.getcwd(),
            "source": "runtime",
            "git_commit": None,
            "scanned_at": (
                _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                if timing
                else None
            ),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if timing else None,
            "settings_module": os.environ.get("DJANGO_SETTINGS_MODULE"),
            "default_auto_field": getattr(
                settings, "DEFAULT_AUTO_FIELD", "django.db.models.AutoField"
            ),
            "auth_user_model": user_model,
        },
        "summary": {
            "files_discovered": 0,
            "files_parsed": 0,
            "files_not_needed": 0,
            "files_skipped": 0,
            "files_failed": 0,
            "apps": len(app_entries),
            "models": len(entries),
            "concrete_models": sum(1 for e in entries if not e["proxy"]),
            "abstract_models": 0,
            "proxy_models": sum(1 for e in entries if e["proxy"]),
            "fields": len(fields) - relationships,
            "relationships": relationships,
        },
        "apps": app_entries,
        "models": entries,
        "files": [],
        "diagnostics": [],
    }
    return ensure_ids(doc)
