"""Graphviz DOT renderer (``--format dot``); also the source for ``svg``/``png``.

Models are HTML-like table nodes grouped in one cluster per app; every string is entity-escaped,
ids are quoted with backslashes and quotes escaped. Edges point from the declaring model to the
target, with crow's-foot heads: ForeignKey many-to-one, OneToOneField one-to-one,
ManyToManyField many-to-many; inheritance edges are dashed with an empty arrowhead. Models
outside the tree (``external``) are grey with dashed cell borders and say where they came from;
a legend node explains it when there are any.
"""

from __future__ import annotations

from typing import Any

from djatlas.render import RenderOptions
from djatlas.render.filters import Edge, View, select
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

PALETTE = (
    "#dbeafe",
    "#dcfce7",
    "#fef3c7",
    "#fce7f3",
    "#e0e7ff",
    "#ccfbf1",
    "#fee2e2",
    "#ede9fe",
    "#f3f4f6",
    "#ffedd5",
)


def html(text: object) -> str:
    """Escape ``text`` for a Graphviz HTML-like label."""
    s = str(text)
    for ch in "\r\n\t\u2028\u2029":
        s = s.replace(ch, " ")
    return (
        s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def quote(text: str) -> str:
    """A DOT double-quoted id or attribute value."""
    s = text.replace("\\", "\\\\").replace('"', '\\"')
    for ch in "\r\n\u2028\u2029":
        s = s.replace(ch, " ")
    return f'"{s}"'


def _field_type(f: dict[str, Any]) -> str:
    rel = f.get("relation") or {}
    base = f.get("django_type") or (f.get("type") or "").rpartition(".")[2] or "?"
    if rel.get("kind") in ("ForeignKey", "OneToOneField", "ManyToManyField"):
        return f"{base} → {rel.get('target') or rel.get('target_raw') or '?'}"
    if f.get("max_length"):
        return f"{base}({f['max_length']})"
    return base


#: Cell attributes of a model outside the tree: dashed grey borders.
_EXTERNAL_CELL = f' STYLE="dashed" COLOR="{EXTERNAL_STROKE}"'
LEGEND_ID = "djatlas:legend"  # no model id has a colon


def _node(view: View, m: dict[str, Any], colour: str) -> str:
    flags = model_flags(m)
    caption = model_caption(m, view.options)
    title = html(caption) + (f" <I>«{html(', '.join(flags))}»</I>" if flags else "")
    cell = _EXTERNAL_CELL if is_external(m) else ""
    if is_external(m):
        colour = EXTERNAL_FILL
        title = f'<FONT COLOR="{EXTERNAL_TEXT}">{title}</FONT>'
    rows = [
        f'<TR><TD BGCOLOR="{colour}" COLSPAN="2"{cell}><B>{title}</B><BR/>'
        f'<FONT POINT-SIZE="9">{html(view.title(m))}</FONT></TD></TR>'
    ]
    for f in view.fields(m):
        name = html(field_caption(f, view.options))
        if f.get("primary_key"):
            name = f"<U>{name}</U>"
        if f.get("origin") == "inherited":
            name = f"<I>{name}</I>"
        null = "?" if f.get("null") else ""
        rows.append(
            f'<TR><TD ALIGN="LEFT"{cell}>{name}{null}</TD>'
            f'<TD ALIGN="LEFT"{cell}><FONT COLOR="#555555">{html(_field_type(f))}</FONT></TD></TR>'
        )
    table = (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE>"
    )
    style = ' style="dashed"' if m.get("abstract") else ""
    return f"    {quote(m['id'])} [label=<{table}>{style}];"


def _legend() -> str:
    """A node explaining the look of models outside the tree."""
    cell = f'<TD BGCOLOR="{EXTERNAL_FILL}"{_EXTERNAL_CELL}>'
    text = f'<FONT COLOR="{EXTERNAL_TEXT}">{html(EXTERNAL_LEGEND)}</FONT>'
    table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
    table += f"<TR>{cell}{text}</TD></TR></TABLE>"
    return f"  {quote(LEGEND_ID)} [label=<{table}>];"


def _edge(e: Edge, options: RenderOptions) -> str:
    if e.kind == "ForeignKey":
        attrs = f"arrowhead={'teeodot' if e.null else 'teetee'}, arrowtail=crowodot, dir=both"
    elif e.kind == "OneToOneField":
        attrs = f"arrowhead={'teeodot' if e.null else 'teetee'}, arrowtail=teeodot, dir=both"
    elif e.kind == "ManyToManyField":
        attrs = "arrowhead=crowodot, arrowtail=crowodot, dir=both"
    else:
        attrs = 'arrowhead=empty, style=dashed, color="#666666"'
    colour = edge_colour(e, options)
    if colour:
        attrs += f", color={quote(colour)}, fontcolor={quote(colour)}"
    label = edge_caption(e, options)
    return f"  {quote(e.source)} -> {quote(e.target)} [label={quote(label)}, {attrs}];"


def render(doc: dict[str, Any], options: RenderOptions) -> str:
    """The filtered model graph as a Graphviz ``digraph``."""
    view = select(doc, options)
    title = (doc.get("metadata") or {}).get("title") or "djatlas"
    out = [
        "digraph djatlas {",
        f"  graph [newrank=true, rankdir={options.rankdir or 'LR'}, fontname=Helvetica, "
        "fontsize=12, labelloc=t, "
        f"label={quote(title)}, nodesep=0.4, ranksep=0.8];",
        "  node [shape=plain, fontname=Helvetica, fontsize=10];",
        '  edge [fontname=Helvetica, fontsize=9, color="#444444"];',
    ]
    for i, (app, models) in enumerate(view.apps()):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f"  subgraph {quote('cluster_' + app)} {{")
        out.append(f'    label={quote(app)}; style="rounded"; color="#999999";')
        out.extend(_node(view, m, colour) for m in models)
        out.append("  }")
    if any(is_external(m) for m in view.models):
        out.append(_legend())
    out.extend(_edge(e, options) for e in view.edges)
    out.append("}")
    return "\n".join(out) + "\n"
