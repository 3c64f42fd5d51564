"""Captions and colours the diagram formats share: verbose names, edge labels, on_delete colours.

Every diagram renderer (mermaid, dot, plantuml, d2) reads the same ``RenderOptions`` through
these helpers, so ``--verbose-names``, ``--no-edge-labels`` and ``--color-on-delete`` mean the
same thing in each format.
"""

from __future__ import annotations

import re
from typing import Any

from djatlas.render import RenderOptions
from djatlas.render.filters import Edge

#: on_delete -> edge colour (graph_models users know red for CASCADE); others keep the default.
ON_DELETE_COLOURS: dict[str, str] = {
    "CASCADE": "#dc2626",
    "PROTECT": "#d97706",
    "RESTRICT": "#d97706",
    "SET_NULL": "#2563eb",
    "SET_DEFAULT": "#7c3aed",
    "SET": "#7c3aed",
    "DO_NOTHING": "#6b7280",
}

RANKDIRS = ("TB", "BT", "LR", "RL")


def _spaced(name: str) -> str:
    """Django's default verbose_name: ``OrderLine`` -> ``order line``."""
    return re.sub(r"(((?<=[a-z])[A-Z])|([A-Z](?![A-Z]|$)))", r" \1", name).lower().strip()


def model_caption(model: dict[str, Any], options: RenderOptions) -> str:
    """The box title: the class name, or its verbose name with ``--verbose-names``."""
    if not options.verbose_names:
        return model["name"]
    verbose = (model.get("meta") or {}).get("verbose_name")
    return verbose if isinstance(verbose, str) and verbose else _spaced(model["name"])


def field_caption(field: dict[str, Any], options: RenderOptions) -> str:
    """A field row's name, or its verbose_name with ``--verbose-names``."""
    if not options.verbose_names:
        return field["name"]
    verbose = (field.get("params") or {}).get("verbose_name")
    return verbose if isinstance(verbose, str) and verbose else field["name"].replace("_", " ")


def on_delete(edge: Edge) -> str | None:
    """The bare on_delete name of a ForeignKey / OneToOneField edge (``SET(...)`` -> ``SET``)."""
    rel = (edge.field or {}).get("relation") or {}
    value = rel.get("on_delete")
    return str(value).split("(", 1)[0] if value else None


def edge_colour(edge: Edge, options: RenderOptions) -> str | None:
    """The edge's colour with ``--color-on-delete`` (None: the format's default)."""
    if not options.color_on_delete:
        return None
    return ON_DELETE_COLOURS.get(on_delete(edge) or "")


def edge_caption(edge: Edge, options: RenderOptions) -> str:
    """The edge's caption ("" with ``--no-edge-labels``); with ``--color-on-delete`` the
    on_delete is named too, for formats and readers that cannot see colours."""
    if not options.edge_labels:
        return ""
    text = edge.label
    if options.color_on_delete and on_delete(edge):
        text += f" ({on_delete(edge)})"
    return text


#: Models outside the tree (JSON ``external: true``): Django's, installed packages', the bundled
#: knowledge's. Every format draws them grey with a dashed border and names where they came from.
EXTERNAL_FILL = "#f3f4f6"
EXTERNAL_STROKE = "#9ca3af"
EXTERNAL_TEXT = "#6b7280"
EXTERNAL_LEGEND = (
    "grey, dashed: models outside the tree (Django, installed packages, bundled knowledge)"
)


def is_external(model: dict[str, Any]) -> bool:
    """Whether a model comes from outside the scanned tree."""
    return bool(model.get("external"))


def external_flag(model: dict[str, Any]) -> str | None:
    """``external (environment)``: the flag shown on a model outside the tree, else None."""
    if not is_external(model):
        return None
    origin = model.get("origin")
    return f"external ({origin})" if origin else "external"


def model_flags(model: dict[str, Any]) -> list[str]:
    """The flags shown beside a model's caption: abstract, proxy, external (origin)."""
    flags = [k for k in ("abstract", "proxy") if model.get(k)]
    external = external_flag(model)
    return flags + [external] if external else flags
