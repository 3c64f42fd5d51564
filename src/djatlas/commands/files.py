"""What every command reads and writes besides the tree: ``-o`` targets and report files.

Bad input is one line on stderr (``djatlas: error: ...``) and exit status 2, never a
traceback: an ``-o`` target that cannot be written is found before the work starts, and a file
that is not JSON or not a djatlas report is named with what is wrong with it.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


class InputError(Exception):
    """A file given on the command line cannot be used; the message is one line."""


def error(message: str) -> int:
    """Print ``djatlas: error: message`` on stderr and return the usage exit status, 2."""
    print(f"djatlas: error: {message}", file=sys.stderr)
    return 2


def output_problem(path: str | None) -> str | None:
    """Why ``path`` cannot be written (checked before the work starts), or None."""
    if not path or path == "-":
        return None
    if os.path.isdir(path):
        return f"cannot write {path}: it is a directory"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"cannot write {path}: no such directory {folder}"
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return f"cannot write {path}: permission denied"
    if not os.path.exists(path) and not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write {path}: directory {folder} is not writable"
    return None


def write_output(path: str | None, data: str | bytes | list[Any]) -> str | None:
    """Write ``data`` (text, bytes, or bytes in parts, written one after the other; the last
    part may be the JSON renderer's ``Later``, written by its own process after the others)
    to ``path`` (stdout when None or ``-``); the one-line problem, or None."""
    parts = data if isinstance(data, list) else [data]
    later = parts[-1] if parts and hasattr(parts[-1], "write_to") else None
    if later is not None:
        parts = parts[:-1]
    raw = [part.encode("utf-8") if isinstance(part, str) else part for part in parts]
    if not path or path == "-":
        fd = _fileno(sys.stdout) if len(raw) > 2 or later is not None else None
        if fd is None:
            for part in raw:
                sys.stdout.buffer.write(part)
            sys.stdout.flush()
        else:  # the JSON renderer's pieces: one ``writev`` (not one write a piece)
            from djatlas.render.jsonout import write_all

            sys.stdout.flush()
            write_all(fd, raw)
        if later is not None:  # its process writes to its copy of stdout (the same file)
            for part in later.write_to(fd) or ():
                sys.stdout.buffer.write(part)
            sys.stdout.flush()
        return None
    try:
        if len(raw) > 2 or later is not None:  # the JSON renderer's pieces: as they are
            from djatlas.render.jsonout import write_all

            with open(path, "wb", buffering=0) as fh:
                write_all(fh.fileno(), raw)
                if later is not None:  # its process appends its part (it reopens ``path``)
                    write_all(fh.fileno(), later.write_to(fh.fileno(), path) or [])
            return None
        with open(path, "wb") as fh:
            for part in raw:
                fh.write(part)
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None


def _fileno(stream: Any) -> int | None:
    """``stream``'s file descriptor, or None (a test's captured stdout has none)."""
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None


def read_json(path: str, what: str = "file") -> Any:
    """The JSON document in ``path`` (``-``: stdin); InputError says why it cannot be read."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8-sig")
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a {what}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a {what}: not UTF-8 text") from None
    import json  # (not at start-up: a scan reads no JSON file)

    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"{path} is not a {what}: not valid JSON{where}") from None


def read_report(path: str) -> dict[str, Any]:
    """A djatlas JSON report (``djatlas scan --format json`` or ``manage.py djatlas``)."""
    what = "djatlas JSON report"
    doc = read_json(path, what)
    # A hand-written report may leave "format" out; then it must at least have models.
    fmt = (
        doc.get("format", "djatlas-report" if "models" in doc else None)
        if isinstance(doc, dict)
        else None
    )
    if fmt != "djatlas-report":
        raise InputError(f'{path} is not a {what} (no "format": "djatlas-report")')
    if not isinstance(doc.get("models", []), list) or not all(
        isinstance(m, dict) and isinstance(m.get("label"), str) for m in doc.get("models") or []
    ):
        raise InputError(f"{path} is not a {what}: 'models' is not a list of models")
    return doc
