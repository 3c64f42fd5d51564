"""Write small fixture trees (importable from any test module as ``treeutil``)."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: source}`` under root (dedented) and return root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def corpus(name: str) -> Path | None:
    """The checkout ``name`` under ``$DJATLAS_CORPORA``, or None when unset or absent."""
    import os

    root = os.environ.get("DJATLAS_CORPORA")
    path = Path(root) / name if root else None
    return path if path is not None and path.is_dir() else None
