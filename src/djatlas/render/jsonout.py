"""JSON renderer: the report document itself."""

from __future__ import annotations

import json
from typing import Any

from djatlas.render import RenderOptions


def dumps(doc: Any) -> str:
    """Deterministic, valid JSON for any string (lone surrogates escaped)."""
    return (
        json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False)
        .encode("utf-8", "backslashreplace")
        .decode("utf-8")
        + "\n"
    )


def render(doc: dict, options: RenderOptions) -> str:
    return dumps(doc)
