"""SVG, PNG and PDF diagrams (``--format svg`` / ``png`` / ``pdf``) drawn by Graphviz's ``dot``."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from djatlas.render import RenderOptions
from djatlas.render import dot as dot_renderer

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install "
    "graphviz`), or use `--format dot` and render it elsewhere"
)


class GraphvizError(RuntimeError):
    """Graphviz is missing or failed; the message says what to do."""


def find_dot() -> str | None:
    """Path of the ``dot`` executable (``$DJATLAS_DOT`` wins), or None."""
    return os.environ.get("DJATLAS_DOT") or shutil.which("dot")


def run_dot(source: str, fmt: str, timeout: float | None = None) -> bytes:
    """Lay out DOT ``source`` with ``dot -T<fmt>`` and return the output bytes."""
    exe = find_dot()
    if not exe:
        raise GraphvizError(f"--format {fmt} needs Graphviz's `dot` program: {INSTALL_HINT}")
    try:
        proc = subprocess.run(
            [exe, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GraphvizError(f"cannot run {exe!r}: {INSTALL_HINT}") from exc
    except subprocess.TimeoutExpired as exc:
        raise GraphvizError(
            f"`dot` took longer than {timeout:g}s; narrow the diagram with "
            "--app, --model/--depth or --exclude-model"
        ) from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise GraphvizError(f"`dot -T{fmt}` failed (exit {proc.returncode}): {err[:2000]}")
    return proc.stdout


def _timeout(options: RenderOptions) -> float | None:
    value = options.extra.get("dot_timeout")
    return float(value) if value else None


def render_svg(doc: dict[str, Any], options: RenderOptions) -> str:
    """The DOT diagram as SVG text."""
    return run_dot(dot_renderer.render(doc, options), "svg", _timeout(options)).decode("utf-8")


def render_png(doc: dict[str, Any], options: RenderOptions) -> bytes:
    """The DOT diagram as PNG bytes."""
    return run_dot(dot_renderer.render(doc, options), "png", _timeout(options))


def render_pdf(doc: dict[str, Any], options: RenderOptions) -> bytes:
    """The DOT diagram as PDF bytes."""
    return run_dot(dot_renderer.render(doc, options), "pdf", _timeout(options))
