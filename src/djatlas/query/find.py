"""Names in the report: models, fields, tables, columns and apps matching a name or a glob.

A pattern with ``*``, ``?`` or ``[`` is a glob, anything else a name; both match
case-insensitively. Filters narrow what is returned (a field's Django type, an app, nullability,
uniqueness, a relation's target).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from djatlas.query import QueryError
from djatlas.query.atlas import Atlas
from djatlas.records import dataclass, field

KINDS = ("model", "field", "table", "column", "app")


@dataclass
class Filters:
    """What ``find`` keeps besides the pattern."""

    kinds: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    null: bool | None = None
    unique: bool | None = None
    target: str | None = None
    limit: int | None = None


def matcher(pattern: str):
    """A case-insensitive predicate for ``pattern`` (a glob or a name)."""
    low = pattern.lower()
    if any(c in pattern for c in "*?["):
        return lambda text: bool(text) and fnmatch.fnmatchcase(text.lower(), low)
    return lambda text: bool(text) and text.lower() == low


def find(atlas: Atlas, pattern: str, filters: Filters | None = None) -> list[dict[str, Any]]:
    """Every hit, models in report order, each a JSON object with ``kind`` and ``file:line``."""
    filters = filters or Filters()
    for kind in filters.kinds:
        if kind not in KINDS:
            raise QueryError(f"unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    target = atlas.resolve(filters.target) if filters.target else None
    match = matcher(pattern)
    kinds = set(filters.kinds or KINDS)
    hits: list[dict[str, Any]] = []
    if "app" in kinds and not _field_filters(filters):
        for a in atlas.doc.get("apps") or []:
            if (match(a["label"]) or match(a.get("name") or "")) and _app_ok(a["label"], filters):
                hits.append(
                    {
                        "kind": "app",
                        "name": a["label"],
                        "module": a.get("name"),
                        "models": list(a.get("models") or []),
                    }
                )
    for m in atlas.doc.get("models") or []:
        if not _app_ok(m["app_label"], filters):
            continue
        if not _field_filters(filters):
            if "model" in kinds and (match(m["name"]) or match(m["label"])):
                hits.append(_model_hit(m, "model"))
            if "table" in kinds and match(m.get("db_table") or ""):
                hits.append(_model_hit(m, "table"))
        for f in m.get("fields") or []:
            if not _field_ok(atlas, f, filters, target):
                continue
            if "field" in kinds and match(f["name"]):
                hits.append(_field_hit(atlas, m, f, "field"))
            elif "column" in kinds and match(f.get("column") or ""):
                hits.append(_field_hit(atlas, m, f, "column"))
    return hits[: filters.limit] if filters.limit else hits


def _field_filters(filters: Filters) -> bool:
    return (
        bool(filters.types)
        or filters.null is not None
        or filters.unique is not None
        or bool(filters.target)
    )


def _app_ok(label: str, filters: Filters) -> bool:
    return not filters.apps or label in filters.apps


def _field_ok(atlas: Atlas, f: dict[str, Any], filters: Filters, target: str | None) -> bool:
    if filters.null is not None and bool(f.get("null")) != filters.null:
        return False
    if filters.unique is not None and bool(f.get("unique")) != filters.unique:
        return False
    if filters.types:
        names = {
            (f.get("django_type") or "").lower(),
            (f.get("type") or "").lower(),
            (f.get("type") or "").rpartition(".")[2].lower(),
            (f.get("resolved_type") or "").lower(),
            (f.get("resolved_type") or "").rpartition(".")[2].lower(),
        }
        if not any(t.lower() in names for t in filters.types):
            return False
    if target is not None:
        rel = f.get("relation") or {}
        key = atlas.ref(rel.get("target"), rel.get("target_id"))
        if not key or atlas.concrete(key) != atlas.concrete(target):
            return False
    return True


def _model_hit(m: dict[str, Any], kind: str) -> dict[str, Any]:
    hit = {
        "kind": kind,
        "name": m["name"] if kind == "model" else m.get("db_table"),
        "model": m["label"],
        "location": f"{m.get('file')}:{m.get('line')}",
    }
    if m.get("id"):
        hit["id"] = m["id"]
    if kind == "model":
        hit["abstract"] = bool(m.get("abstract"))
        hit["proxy"] = bool(m.get("proxy"))
        hit["db_table"] = m.get("db_table")
    return hit


def _field_hit(atlas: Atlas, m: dict[str, Any], f: dict[str, Any], kind: str) -> dict[str, Any]:
    rel = f.get("relation") or {}
    hit = {
        "kind": kind,
        "name": f["name"] if kind == "field" else f.get("column"),
        "model": m["label"],
        "field": f["name"],
        "type": f.get("django_type") or f.get("type"),
        "column": f.get("column"),
        "table": m.get("db_table"),
        "null": bool(f.get("null")),
        "unique": bool(f.get("unique")),
        "origin": f.get("origin"),
        "location": atlas.location(m, f),
    }
    if rel:
        hit["target"] = rel.get("target")
        hit["on_delete"] = rel.get("on_delete")
    return hit
