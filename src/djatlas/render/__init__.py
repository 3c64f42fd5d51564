"""Renderers: turn the JSON report document into text (or bytes).

Every renderer has the signature ``render(doc: dict, options: RenderOptions) -> str | bytes``
and reads only the report document (see docs/json-format.md), never source code.
Renderers are imported lazily so a scan only loads the one it writes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from djatlas.records import dataclass, field

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

#: format name -> "module:function"
FORMATS: dict[str, str] = {
    "markdown": "djatlas.render.markdown:render",
    "json": "djatlas.render.jsonout:render",
    "yaml": "djatlas.render.yamlout:render",
    "mermaid": "djatlas.render.mermaid:render",
    "dot": "djatlas.render.dot:render",
    "svg": "djatlas.render.graphviz:render_svg",
    "png": "djatlas.render.graphviz:render_png",
    "pdf": "djatlas.render.graphviz:render_pdf",
    "d2": "djatlas.render.d2:render",
    "plantuml": "djatlas.render.plantuml:render",
    "dbml": "djatlas.render.dbml:render",
    "html": "djatlas.render.html:render",
}

#: Formats whose renderer also takes the document with typed entries (``Report.document``).
TYPED_FORMATS = frozenset({"json", "markdown"})


@dataclass(eq=False, repr=False)
class RenderOptions:
    """Options shared by the renderers; each renderer reads what it needs."""

    title: str | None = None
    language: str = "en"
    diagram: bool = False
    apps: list[str] = field(default_factory=list)
    model: str | None = None
    depth: int = 1
    exclude_models: list[str] = field(default_factory=list)
    no_fields: bool = False
    hide_inherited: bool = False
    hide_abstract: bool = False
    #: Diagrams: only models matching one of these globs (label or class name).
    include_models: list[str] = field(default_factory=list)
    #: Diagrams: only models of apps in INSTALLED_APPS.
    installed_only: bool = False
    #: Diagrams: Meta.verbose_name / a field's verbose_name instead of the class / field name.
    verbose_names: bool = False
    #: Diagrams: layout direction TB, BT, LR or RL (None: each format's default).
    rankdir: str | None = None
    #: Diagrams: colour relation edges by on_delete.
    color_on_delete: bool = False
    #: Diagrams: captions on the edges (field names).
    edge_labels: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def filtering(options: RenderOptions) -> bool:
    """Whether ``options`` select only part of the models."""
    return bool(
        options.apps
        or options.model
        or options.exclude_models
        or options.include_models
        or options.installed_only
        or options.hide_abstract
    )


def takes_typed(fmt: str, options: RenderOptions) -> bool:
    """Whether format ``fmt`` renders a document with typed entries (``Report.document``) as
    it is with these options (Markdown's diagrams read the plain document)."""
    return fmt in TYPED_FORMATS and not (fmt == "markdown" and options.diagram)


def get_renderer(name: str) -> Callable[[dict, RenderOptions], str | bytes]:
    """Return the render function registered for format ``name``."""
    module_name, _, func = FORMATS[name].partition(":")
    __import__(module_name)  # ``importlib`` (with ``warnings``) is not imported for it
    return getattr(sys.modules[module_name], func)
