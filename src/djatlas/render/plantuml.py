"""PlantUML entity-relationship renderer (``--format plantuml``).

One ``package`` per app, one ``entity`` per model (quoted label with an ASCII alias), fields as
``name : Type``, primary keys above the separator, and Information Engineering links:
ForeignKey ``}o--||``, OneToOneField ``|o--||``, ManyToManyField ``}o--o{``. Models outside the
tree (``external``) carry the ``<<external>>`` stereotype and their origin's (``<<knowledge>>``,
...), a grey fill and a dashed grey border; a legend explains it when there are any.
"""

from __future__ import annotations

import re
from typing import Any

from djatlas.render import RenderOptions
from djatlas.render.filters import Edge, View, select
from djatlas.render.mermaid import entity_id
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
)

_BAD = re.compile(r"[\r\n\t\u2028\u2029]+")


def _text(value: object) -> str:
    """Plain text for a PlantUML line: no line breaks, no quotes, no creole markup."""
    s = _BAD.sub(" ", str(value)).replace('"', "'")
    return s.replace("~", "~~").replace("<", "~<").replace("*", "~*").replace("_", "~_")


def _type(f: dict[str, Any]) -> str:
    rel = f.get("relation") or {}
    base = f.get("django_type") or (f.get("type") or "").rpartition(".")[2] or "?"
    if rel.get("kind") in ("ForeignKey", "OneToOneField", "ManyToManyField"):
        return f"{base} ({rel.get('target') or rel.get('target_raw') or '?'})"
    if f.get("max_length"):
        return f"{base}({f['max_length']})"
    return base


def _field(f: dict[str, Any], options: RenderOptions) -> str:
    marker = "" if f.get("null") or f.get("primary_key") else "* "
    stereo = []
    if f.get("primary_key"):
        stereo.append("PK")
    if (f.get("relation") or {}).get("kind") in ("ForeignKey", "OneToOneField"):
        stereo.append("FK")
    tags = f" <<{','.join(stereo)}>>" if stereo else ""
    return f"    {marker}{_text(field_caption(f, options))} : {_text(_type(f))}{tags}"


def _stereotypes(m: dict[str, Any]) -> str:
    """`` <<abstract>>``, `` <<proxy>>``, `` <<external>> <<knowledge>>``: the entity's
    stereotypes (none for a plain model of the tree)."""
    names = [k for k in ("abstract", "proxy") if m.get(k)][:1]
    if is_external(m):
        names.append("external")
        origin = re.sub(r"[^A-Za-z0-9_]", "_", str(m.get("origin") or ""))
        if origin:
            names.append(origin)
    return "".join(f" <<{name}>>" for name in names)


def _external_colours(m: dict[str, Any]) -> str:
    """Inline colours of a model outside the tree: grey fill and text, dashed grey border."""
    if not is_external(m):
        return ""
    fill, stroke, colour = (c.lstrip("#") for c in (EXTERNAL_FILL, EXTERNAL_STROKE, EXTERNAL_TEXT))
    return f" #back:{fill};line:{stroke};line.dashed;text:{colour}"


def _entity(view: View, m: dict[str, Any], ids: dict[str, str]) -> list[str]:
    stereo = _stereotypes(m)
    caption = view.title(m)
    if view.options.verbose_names:
        caption = f"{model_caption(m, view.options)} ({caption})"
    head = f'  entity "{_text(caption)}" as {ids[m["id"]]}{stereo}{_external_colours(m)}'
    fields = view.fields(m)
    if not fields:
        return [head]
    keys = [f for f in fields if f.get("primary_key")]
    rest = [f for f in fields if not f.get("primary_key")]
    body = [_field(f, view.options) for f in keys] + ["    --"]
    body += [_field(f, view.options) for f in rest]
    return [head + " {", *body, "  }"]


def _link(e: Edge, ids: dict[str, str], options: RenderOptions) -> str:
    src, dst = ids[e.source], ids[e.target]
    if e.kind == "ForeignKey":
        arrow = "}o--o|" if e.null else "}o--||"
    elif e.kind == "OneToOneField":
        arrow = "|o--o|" if e.null else "|o--||"
    elif e.kind == "ManyToManyField":
        arrow = "}o--o{"
    else:
        arrow = "..|>"
    colour = edge_colour(e, options)
    if colour:  # "}o--||" -> "}o-[#dc2626]-||"
        arrow = arrow[:3] + f"[{colour}]" + arrow[3:]
    label = edge_caption(e, options)
    return f"{src} {arrow} {dst}" + (f" : {_text(label)}" if label else "")


def render(doc: dict[str, Any], options: RenderOptions) -> str:
    """The filtered model graph as a PlantUML diagram."""
    view = select(doc, options)
    title = (doc.get("metadata") or {}).get("title")
    out = ["@startuml", "hide circle", "skinparam linetype ortho", "skinparam shadowing false"]
    if title:
        out.append(f"title {_text(title)}")
    ids = view.node_ids(entity_id)
    if options.rankdir in ("LR", "RL"):
        out.append("left to right direction")
    if any(is_external(m) for m in view.models):
        out += ["legend right", f"  {_text(EXTERNAL_LEGEND)}", "endlegend"]
    for app, models in view.apps():
        out.append(f'package "{_text(app)}" {{')
        for m in models:
            out.extend(_entity(view, m, ids))
        out.append("}")
    out.extend(_link(e, ids, options) for e in view.edges)
    out.append("@enduml")
    return "\n".join(out) + "\n"
