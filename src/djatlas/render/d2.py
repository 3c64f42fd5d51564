"""D2 renderer (``--format d2``, https://d2lang.com): one container per app, one ``sql_table``
per model, relation and inheritance connections.

Every key is an ASCII id (``app__Model``, as in the Mermaid output) with the real label as its
``label``; column keys and every text are double-quoted with escapes, so reserved words
(``label``, ``shape``, ``style``) and any identifier Django allows stay plain columns. Models
outside the tree (``external``) are grey with a dashed border and name their origin; a text
legend explains it when there are any.
"""

from __future__ import annotations

from typing import Any

from djatlas.render import RenderOptions
from djatlas.render.filters import Edge, View, select
from djatlas.render.mermaid import _ascii_token, entity_id
from djatlas.render.style import (
    EXTERNAL_FILL,
    EXTERNAL_LEGEND,
    EXTERNAL_STROKE,
    EXTERNAL_TEXT,
    edge_caption,
    edge_colour,
    field_caption,
    is_external,
    model_caption,
    model_flags,
)

#: --rankdir -> D2's direction.
DIRECTIONS = {"TB": "down", "BT": "up", "LR": "right", "RL": "left"}


def text(value: object) -> str:
    """A D2 double-quoted string: backslashes and quotes escaped, one line."""
    s = str(value)
    for ch in "\r\n\t\u2028\u2029":
        s = s.replace(ch, " ")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _container(app: str) -> str:
    return "app_" + _ascii_token(app, "a")


def _type(f: dict[str, Any]) -> str:
    rel = f.get("relation") or {}
    base = f.get("django_type") or (f.get("type") or "").rpartition(".")[2] or "?"
    if rel.get("kind") in ("ForeignKey", "OneToOneField", "ManyToManyField"):
        return f"{base} → {rel.get('target') or rel.get('target_raw') or '?'}"
    if f.get("max_length"):
        return f"{base}({f['max_length']})"
    return base + ("?" if f.get("null") else "")


def _table(view: View, m: dict[str, Any], key: str) -> list[str]:
    caption = model_caption(m, view.options)
    flags = "".join(f" «{flag}»" for flag in model_flags(m))
    out = [
        f"  {key}: {{",
        "    shape: sql_table",
        f"    label: {text(caption + flags + ' (' + view.title(m) + ')')}",
    ]
    if m.get("abstract") or is_external(m):
        out.append("    style.stroke-dash: 4")
    if is_external(m):
        out += [
            f"    style.fill: {text(EXTERNAL_FILL)}",
            f"    style.stroke: {text(EXTERNAL_STROKE)}",
            f"    style.font-color: {text(EXTERNAL_TEXT)}",
        ]
    used: set[str] = set()
    for f in view.fields(m):
        caption = field_caption(f, view.options)
        if caption in used:  # two verbose names alike: D2 would merge the rows
            caption = f"{caption} ({f['name']})"
        used.add(caption)
        key = text(caption)
        constraints = []
        if f.get("primary_key"):
            constraints.append("primary_key")
        if (f.get("relation") or {}).get("kind") in ("ForeignKey", "OneToOneField"):
            constraints.append("foreign_key")
        if f.get("unique") and not f.get("primary_key"):
            constraints.append("unique")
        tail = f" {{constraint: [{'; '.join(constraints)}]}}" if constraints else ""
        out.append(f"    {key}: {text(_type(f))}{tail}")
    return out + ["  }"]


def _connection(e: Edge, where: dict[str, str], options: RenderOptions) -> list[str]:
    src, dst = where[e.source], where[e.target]
    caption = edge_caption(e, options)
    head = f"{src} -> {dst}" + (f": {text(caption)}" if caption else "")
    style = []
    if e.kind in ("parent", "proxy", "abstract"):
        style.append("style.stroke-dash: 3")
        style.append("target-arrowhead.shape: triangle")
        style.append("target-arrowhead.style.filled: false")
    elif e.kind == "ManyToManyField":
        style += ["source-arrowhead.shape: cf-many", "target-arrowhead.shape: cf-many"]
    elif e.kind == "OneToOneField":
        style += ["source-arrowhead.shape: cf-one", "target-arrowhead.shape: cf-one-required"]
    else:
        style += ["source-arrowhead.shape: cf-many", "target-arrowhead.shape: cf-one-required"]
    colour = edge_colour(e, options)
    if colour:
        style.append(f"style.stroke: {text(colour)}")
    return [head + " {", *(f"  {s}" for s in style), "}"]


def render(doc: dict[str, Any], options: RenderOptions) -> str:
    """The filtered model graph as a D2 diagram."""
    view = select(doc, options)
    title = (doc.get("metadata") or {}).get("title")
    out = [f"direction: {DIRECTIONS.get(options.rankdir or 'LR', 'right')}"]
    if title:
        out += [f"title: {text(title)} {{", "  near: top-center", "  shape: text", "}"]
    ids = view.node_ids(entity_id)
    where: dict[str, str] = {}  # model id -> its D2 path (container.table)
    for app, models in view.apps():
        box = _container(app)
        out += [f"{box}: {{", f"  label: {text(app)}"]
        for m in models:
            where[m["id"]] = f"{box}.{ids[m['id']]}"
            out += _table(view, m, ids[m["id"]])
        out.append("}")
    for e in view.edges:
        out += _connection(e, where, options)
    if any(is_external(m) for m in view.models):
        out += [
            f"djatlas_legend: {text(EXTERNAL_LEGEND)} {{",
            "  near: bottom-center",
            "  shape: text",
            f"  style.font-color: {text(EXTERNAL_TEXT)}",
            "}",
        ]
    return "\n".join(out) + "\n"
