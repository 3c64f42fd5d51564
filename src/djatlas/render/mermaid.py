"""Mermaid ``erDiagram`` renderer (``--format mermaid``) and per-app blocks for Markdown.

Entity ids are ASCII-only (``app__Model``, with a short hash when a name had to be mangled) and
carry the real label as a quoted alias, so every Python identifier Django allows is valid Mermaid.
Relationships use crow's-foot cardinality: ForeignKey many-to-one, OneToOneField one-to-one,
ManyToManyField many-to-many, each labelled with the field name. Models outside the tree
(``external``) get the ``external`` class: grey fill, dashed grey border (a ``%%`` comment line
says so, Mermaid has no legend).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from djatlas.render import RenderOptions
from djatlas.render.filters import Edge, View, select
from djatlas.render.style import (
    EXTERNAL_FILL,
    EXTERNAL_LEGEND,
    EXTERNAL_STROKE,
    EXTERNAL_TEXT,
    edge_caption,
    field_caption,
    is_external,
    model_caption,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_EMPHASIS = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # an underscore not inside a word
_KEY_WORDS = frozenset({"PK", "FK", "UK"})  # attribute key markers: never a bare name or type


def _ascii_token(text: str, fallback: str) -> str:
    """``text`` as ``[A-Za-z_][A-Za-z0-9_]*``; mangled names get a hash suffix to stay unique."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    token = _UNSAFE.sub("_", plain)
    if token != text or token.upper() in _KEY_WORDS:
        token += "_" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    if not token or not (token[0].isalpha() or token[0] == "_"):
        token = fallback + token
    return token


def entity_id(label: str) -> str:
    """The Mermaid entity id for a model label or id (``shop.Product`` -> ``shop__Product``;
    a dotted id keeps its module, mangled: ``a.models.X`` -> ``a_models_<hash>__X``)."""
    app, _, name = label.rpartition(".")
    return _ascii_token(app, "a") + "__" + _ascii_token(name, "M")


def _text(value: str) -> str:
    """A string safe inside Mermaid double quotes (no quotes, no line breaks)."""
    value = re.sub(r"[\r\n\t\u2028\u2029]+", " ", value)
    value = value.replace('"', "'").replace("\\", "/").strip()
    value = re.sub(r"#(?=[A-Za-z0-9]+;)", "#35;", value)  # keep Mermaid entity codes literal
    if "*" in value or _EMPHASIS.search(value):  # Mermaid renders labels as Markdown
        value = value.replace("_", "#95;").replace("*", "#42;")
    return value


def _type(f: dict[str, Any]) -> str:
    name = f.get("django_type") or (f.get("type") or "Field").rpartition(".")[2] or "Field"
    return _ascii_token(name, "T")


def _keys(f: dict[str, Any]) -> str:
    keys = []
    if f.get("primary_key"):
        keys.append("PK")
    rel = f.get("relation") or {}
    if rel.get("kind") in ("ForeignKey", "OneToOneField"):
        keys.append("FK")
    if f.get("unique") and not f.get("primary_key"):
        keys.append("UK")
    return ", ".join(keys)


def _attribute(f: dict[str, Any], options: RenderOptions) -> str:
    name = _ascii_token(f["name"], "f")
    notes = []
    caption = field_caption(f, options)
    if name != caption:
        notes.append(caption)
    rel = f.get("relation") or {}
    if rel:
        target = rel.get("target") or rel.get("target_raw") or "?"
        notes.append(f"to {target}")
    if f.get("null"):
        notes.append("null")
    line = f"{_type(f)} {name}"
    keys = _keys(f)
    if keys:
        line += " " + keys
    if notes:
        line += f' "{_text(", ".join(notes))}"'
    return line


def _entity(
    view: View, model: dict[str, Any], drawn_m2m: set[tuple[str, str]], ids: dict[str, str]
) -> list[str]:
    caption = view.title(model)
    if view.options.verbose_names:
        caption = f"{model_caption(model, view.options)} ({caption})"
    head = f'    {ids[model["id"]]}["{_text(caption)}"]'
    attributes = [
        "        " + _attribute(f, view.options)
        for f in view.fields(model)
        if (model["id"], f["name"]) not in drawn_m2m
    ]
    if not attributes:
        return [head]
    return [head + " {", *attributes, "    }"]


def _caption(e: Edge, options: RenderOptions) -> str:
    if not options.edge_labels:
        return ""
    if e.kind in ("proxy", "abstract"):
        return e.label
    text = e.name + (f" through {e.through}" if e.through else "")
    return text + edge_caption(e, options)[len(e.label) :]  # " (CASCADE)" with colours


def _relationship(e: Edge, ids: dict[str, str], options: RenderOptions) -> str:
    """One relationship line; Mermaid ER diagrams cannot colour an edge, so with
    ``--color-on-delete`` its caption names the on_delete instead."""
    src, dst = ids[e.source], ids[e.target]
    caption = _text(_caption(e, options))
    if e.kind == "ForeignKey":
        line = f"{dst} {'|o' if e.null else '||'}--o{{ {src}"
    elif e.kind == "OneToOneField":
        line = f"{dst} {'|o' if e.null else '||'}--o| {src}"
    elif e.kind == "ManyToManyField":
        line = f"{src} }}o--o{{ {dst}"
    elif e.kind == "parent":
        caption = "multi-table parent" if options.edge_labels else ""
        return f'    {dst} ||--o| {src} : "{caption}"'
    elif e.kind == "proxy":
        return f'    {src} }}o..|| {dst} : "{caption}"'
    else:  # abstract
        return f'    {src} }}o..|| {dst} : "{caption}"'
    return f'    {line} : "{caption}"'


def erdiagram(
    view: View, models: list[dict[str, Any]] | None = None, edges: list[Edge] | None = None
) -> str:
    """Mermaid source for ``models`` (default: the view's) and ``edges`` between them."""
    models = view.models if models is None else models
    edges = view.edges if edges is None else edges
    drawn_m2m = {(e.source, e.name) for e in edges if e.kind == "ManyToManyField"}
    ids = view.node_ids(entity_id)
    lines = ["erDiagram"]
    if view.options.rankdir:
        lines.append(f"    direction {view.options.rankdir}")
    for m in models:
        lines.extend(_entity(view, m, drawn_m2m, ids))
    for e in sorted(edges, key=lambda e: (ids[e.source], ids[e.target], e.kind, e.name)):
        lines.append(_relationship(e, ids, view.options))
    lines += _external_class([ids[m["id"]] for m in models if is_external(m)])
    return "\n".join(lines) + "\n"


def _external_class(entities: list[str]) -> list[str]:
    """The ``external`` class and its members (nothing when no model is outside the tree)."""
    if not entities:
        return []
    style = (
        f"fill:{EXTERNAL_FILL},stroke:{EXTERNAL_STROKE},stroke-dasharray:5 3,color:{EXTERNAL_TEXT}"
    )
    return [
        f"    %% {EXTERNAL_LEGEND}",
        f"    classDef external {style}",
        f"    class {','.join(entities)} external",
    ]


def render(doc: dict[str, Any], options: RenderOptions) -> str:
    """The whole filtered model graph as one Mermaid ``erDiagram``."""
    return erdiagram(select(doc, options))


def mermaid_blocks(doc: dict[str, Any], options: RenderOptions) -> list[tuple[str, str]]:
    """(title, Mermaid source) for each app, then one for the relations crossing apps.

    Intended for the Markdown report's ``--diagram``: each block stays small enough for GitHub to
    render. The cross-app block shows only the models involved, without fields.
    """
    view = select(doc, options)
    app_of = {m["id"]: app for app, models in view.apps() for m in models}
    blocks: list[tuple[str, str]] = []
    for app, models in view.apps():
        ids = {m["id"] for m in models}
        inner = [e for e in view.edges if e.source in ids and e.target in ids]
        blocks.append((f"App {app}", erdiagram(view, models, inner)))
    cross = [e for e in view.edges if app_of[e.source] != app_of[e.target]]
    if cross:
        involved = {e.source for e in cross} | {e.target for e in cross}
        bare = View(
            doc=view.doc,
            models=view.models,
            edges=view.edges,
            options=RenderOptions(no_fields=True),
        )
        models = [m for m in view.models if m["id"] in involved]
        blocks.append(("Cross-app relations", erdiagram(bare, models, cross)))
    return blocks
