"""The MCP server's tools as plain functions of an :class:`Atlas` (the server binds the atlas).

Each function's name, parameters, type hints and docstring are what MCP clients see. No
``from __future__ import annotations`` here: the SDK reads the hints at run time.
"""

from typing import Any

from djatlas.query import QueryError
from djatlas.query.atlas import Atlas


def list_apps(atlas: Atlas) -> dict[str, Any]:
    """Every Django app of the tree: label, module, AppConfig and how many models it has."""
    return {
        "apps": [
            {
                "label": a["label"],
                "name": a.get("name"),
                "config": a.get("config"),
                "models": len(a.get("models") or []),
            }
            for a in atlas.doc.get("apps") or []
        ]
    }


def list_models(atlas: Atlas, app: str | None = None) -> dict[str, Any]:
    """Models of the tree (of one app label when `app` is given), each with file:line, table and
    whether it is abstract or a proxy."""
    labels = {a["label"] for a in atlas.doc.get("apps") or []}
    models = atlas.doc.get("models") or []
    if app is not None and app not in labels and not any(m["app_label"] == app for m in models):
        raise QueryError(f"no app {app!r} (apps: {', '.join(sorted(labels)) or 'none'})")
    return {
        "models": [
            {
                "label": m["label"],
                **({"id": m["id"]} if m.get("id") else {}),
                "location": atlas.location(m),
                "db_table": m.get("db_table"),
                "abstract": bool(m.get("abstract")),
                "proxy": bool(m.get("proxy")),
                "fields": len(m.get("fields") or []),
            }
            for m in models
            if app is None or m["app_label"] == app
        ]
    }


def show_model(atlas: Atlas, model: str) -> dict[str, Any]:
    """One model (label, class name or id): file:line, bases, fields with types, columns and
    flags, relations both ways (with on_delete and query names), Meta and table."""
    from djatlas.query.show import show

    return show(atlas, atlas.resolve(model))


def find(
    atlas: Atlas,
    pattern: str,
    kind: list[str] | None = None,
    field_type: str | None = None,
    app: str | None = None,
    null: bool | None = None,
    target: str | None = None,
    limit: int = 200,
) -> dict[str, Any]:
    """Models, fields, tables, columns and apps whose name matches `pattern` (a name or a glob
    such as `*status*`, case-insensitive). Optional filters: `kind` (model, field, table, column,
    app), `field_type` (ForeignKey, CharField, ...), `app` label, `null`, relation `target`."""
    from djatlas.query.find import Filters
    from djatlas.query.find import find as run

    filters = Filters(
        kinds=list(kind or []),
        types=[field_type] if field_type else [],
        apps=[app] if app else [],
        null=null,
        target=target,
        limit=limit,
    )
    return {"pattern": pattern, "results": run(atlas, pattern, filters)}


def impact(atlas: Atlas, model: str, depth: int | None = None) -> dict[str, Any]:
    """What deleting one row of `model` does, as Django's deletion Collector: models whose rows
    are deleted by CASCADE, PROTECT/RESTRICT relations that block the delete, SET_NULL /
    SET_DEFAULT / SET(...) column updates, DO_NOTHING relations, and the chain of fields that
    reaches each."""
    from djatlas.query.impact import impact as run

    label = atlas.resolve(model)
    return {label: run(atlas, label, depth)}


def path(
    atlas: Atlas, source: str, target: str, max_steps: int = 4, limit: int = 10
) -> dict[str, Any]:
    """ORM lookup paths from model `source` to model `target` for queryset filters
    (`order__lines__product`), shortest first, with each step's cardinality."""
    from djatlas.query.paths import lookup_paths, paths_json

    a, b = atlas.resolve(source), atlas.resolve(target)
    return paths_json(a, b, lookup_paths(atlas, a, b, max_steps, limit))


def diagram(
    atlas: Atlas, app: str | None = None, model: str | None = None, depth: int = 1
) -> dict[str, Any]:
    """A Mermaid erDiagram of one app, of one model's neighbourhood (`depth` relations away),
    or of the whole tree."""
    from djatlas.render import RenderOptions
    from djatlas.render.mermaid import render

    options = RenderOptions(
        apps=[app] if app else [],
        model=atlas.resolve(model) if model else None,
        depth=depth,
    )
    try:
        return {"mermaid": render(atlas.doc, options)}
    except ValueError as exc:
        raise QueryError(str(exc)) from None


def summary(atlas: Atlas) -> dict[str, Any]:
    """The scan: settings used, counts (files, apps, models, fields, relations), files that
    failed and every diagnostic (unresolved names) with file:line."""
    doc = atlas.doc
    failed = [f for f in doc.get("files") or [] if f.get("status") == "failed"]
    return {
        "tool": doc.get("tool"),
        "metadata": doc.get("metadata"),
        "summary": doc.get("summary"),
        "failed_files": failed,
        "diagnostics": doc.get("diagnostics") or [],
    }


TOOLS = (list_apps, list_models, show_model, find, impact, path, diagram, summary)
