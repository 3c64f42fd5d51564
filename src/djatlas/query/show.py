"""One model, as ``djatlas show`` and the MCP ``show_model`` tool give it: the report's model
object plus every relation pointing at it (from models anywhere in the tree)."""

from __future__ import annotations

from typing import Any

from djatlas.query.atlas import Atlas
from djatlas.query.paths import query_name


def show(atlas: Atlas, label: str) -> dict[str, Any]:
    """The model object of ``label`` with ``location`` and ``incoming`` relations added."""
    m = dict(atlas.model_info(label))
    m["location"] = atlas.location(m) if m.get("file") else None
    m["incoming"] = [
        {
            "model": r.model,
            "field": r.name,
            "kind": r.kind,
            "on_delete": r.on_delete,
            "query_name": query_name(r),
            "location": atlas.location(atlas.models[r.model], r.field)
            if r.field is not None and r.model in atlas.models
            else None,
        }
        for r in atlas.incoming.get(atlas.concrete(label), [])
        if not r.auto_created
    ]
    return m
