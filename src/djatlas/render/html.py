"""Single-file interactive HTML atlas (``--format html``).

The page inlines everything it needs (CSS, the app script, the vendored cytoscape.js and
cytoscape-dagre from ``assets/``) and embeds the report's models as JSON in a
``<script type="application/json">`` element, with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped
so no scanned string can close the element or start markup. The script builds the DOM with
``textContent`` only. A Content-Security-Policy forbids any network access at view time.
"""

from __future__ import annotations

import html as html_lib
import json
from functools import cache
from importlib import resources
from typing import Any

from djatlas.render import RenderOptions
from djatlas.render.filters import select

VENDORED = ("cytoscape.min.js", "cytoscape-dagre.min.js")
MAX_DIAGNOSTICS = 200

CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)


@cache
def asset(name: str) -> str:
    """Text of a file shipped in ``djatlas/render/assets``."""
    return resources.files("djatlas.render").joinpath("assets", name).read_text("utf-8")


def script_json(value: Any) -> str:
    """JSON safe to place inside a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def inline_script(code: str) -> str:
    """``code`` made safe to inline in a ``<script>`` element."""
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def atlas_data(doc: dict[str, Any], options: RenderOptions) -> dict[str, Any]:
    """The part of the report the page needs: filtered models, apps, summary, diagnostics."""
    view = select(doc, options)
    models = view.models
    if options.no_fields:
        models = [
            {**m, "fields": [f for f in m.get("fields") or [] if f.get("primary_key")]}
            for m in models
        ]
    elif options.hide_inherited:
        models = [
            {**m, "fields": [f for f in m.get("fields") or [] if f.get("origin") != "inherited"]}
            for m in models
        ]
    ids = {m["id"] for m in models}
    ids_of = {}  # label -> ids, for an apps[] entry written before ids existed
    for m in doc.get("models") or []:
        ids_of.setdefault(m["label"], []).append(m["id"])
    apps = [
        {
            **a,
            "models": [
                i
                for i in a.get("model_ids")
                or [i for label in a.get("models") or [] for i in ids_of.get(label, [])]
                if i in ids
            ],
        }
        for a in doc.get("apps") or []
    ]
    apps = [a for a in apps if a["models"] or not (options.apps or options.model)]
    diagnostics = doc.get("diagnostics") or []
    metadata = doc.get("metadata") or {}
    return {
        "title": options.title or metadata.get("title") or "Django data model",
        "metadata": metadata,
        "summary": doc.get("summary") or {},
        "apps": apps,
        "models": models,
        "diagnostics": diagnostics[:MAX_DIAGNOSTICS],
        "diagnostics_total": len(diagnostics),
    }


def render(doc: dict[str, Any], options: RenderOptions) -> str:
    """The atlas as one self-contained HTML document."""
    data = atlas_data(doc, options)
    title = html_lib.escape(data["title"])
    scripts = "\n".join(
        f"<script>{inline_script(asset(name))}</script>" for name in (*VENDORED, "atlas.js")
    )
    return f"""<!DOCTYPE html>
<html lang="{html_lib.escape(options.language or "en")}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="djatlas">
<title>{title}</title>
<style>{asset("atlas.css")}</style>
</head>
<body>
<header>
<a class="brand" href="#/" id="brand">{title}</a>
<input id="search" type="search" placeholder="Search models, fields, apps  ( / )" autocomplete="off"
 aria-label="Search models, fields and apps">
<nav><a href="#/" data-view="home">Overview</a>
<a href="#/diagram/app" data-view="diagram">Diagram</a></nav>
</header>
<aside id="side" aria-label="Apps and models"></aside>
<main id="main"><p class="empty">Loading…</p></main>
<script type="application/json" id="djatlas-data">{script_json(data)}</script>
<noscript><p>The atlas needs JavaScript.</p></noscript>
{scripts}
</body>
</html>
"""
