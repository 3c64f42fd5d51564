"""Model diffing over two report documents, and its renderers (text, markdown, json)."""

from __future__ import annotations

from djatlas.diff.engine import RISKS, diff_reports
from djatlas.diff.render import FORMATS, render

__all__ = ["FORMATS", "RISKS", "diff_reports", "render"]
