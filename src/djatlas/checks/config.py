"""``[tool.djatlas]`` in pyproject.toml and ``# djatlas: ignore[CODE]`` comments."""

from __future__ import annotations

import fnmatch
import re
import sys
from pathlib import Path
from typing import Any

from djatlas.keys import nearest_pyproject
from djatlas.records import dataclass, field


class ConfigError(Exception):
    """The configuration is unreadable or invalid; the message is one line for the user."""


@dataclass
class CheckConfig:
    """Options of ``djatlas check`` read from ``[tool.djatlas]``."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    path: Path | None = None  # the pyproject.toml it came from
    warnings: list[str] = field(default_factory=list)


def _load_toml(path: Path) -> dict[str, Any] | None:
    """Parse ``path`` with tomllib (3.11+) or tomli when installed; None when neither exists."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return None
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at ``start`` or above, stopping at a repository root."""
    found = nearest_pyproject(str(start))
    return None if found is None else Path(found)


def _str_list(table: dict[str, Any], key: str, path: Path) -> list[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: [tool.djatlas] {key} must be a list of strings")
    return list(value)


def load_config(start: Path, explicit: Path | None = None) -> CheckConfig:
    """Read ``[tool.djatlas]`` (or ``[tool.djatlas.check]``) from the pyproject.toml that
    applies to ``start``; an empty config when there is none."""
    path = explicit or find_pyproject(start)
    if path is None:
        return CheckConfig()
    data = _load_toml(path)
    if data is None:
        return CheckConfig(
            path=path,
            warnings=[f"{path}: no TOML parser on this Python (install tomli); config ignored"],
        )
    table = (data.get("tool") or {}).get("djatlas") or {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.djatlas] must be a table")
    merged = dict(table)
    if isinstance(table.get("check"), dict):
        merged.update(table["check"])
    return CheckConfig(
        select=_str_list(merged, "select", path),
        extend_select=_str_list(merged, "extend-select", path)
        or _str_list(merged, "extend_select", path)
        or [],
        ignore=_str_list(merged, "ignore", path) or [],
        exclude=_str_list(merged, "exclude", path) or [],
        path=path,
    )


def is_excluded(relpath: str | None, patterns: list[str]) -> bool:
    """True when ``relpath`` matches a glob of ``patterns`` or lies under a listed directory."""
    if not relpath or not patterns:
        return False
    parts = relpath.split("/")
    for pattern in patterns:
        pat = pattern.strip().rstrip("/")
        if pat.startswith("./"):
            pat = pat[2:]
        if not pat:
            continue
        if fnmatch.fnmatchcase(relpath, pat) or fnmatch.fnmatchcase(relpath, pat + "/*"):
            return True
        # A bare name ("migrations", "tests*") matches any path component.
        if "/" not in pat and any(fnmatch.fnmatchcase(part, pat) for part in parts):
            return True
    return False


_IGNORE = re.compile(r"#\s*djatlas:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?", re.IGNORECASE)


def suppressed_codes(line: str) -> set[str] | None:
    """Codes a ``# djatlas: ignore[DJ001,DJ002]`` comment on ``line`` silences.

    Returns None when the line has no such comment, and ``{"*"}`` for a bare
    ``# djatlas: ignore`` that silences every rule.
    """
    match = _IGNORE.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if codes is None:
        return {"*"}
    return {c.strip().upper() for c in codes.split(",") if c.strip()}


class LineCache:
    """Reads source lines of the flagged files, once per file."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._files: dict[str, list[str]] = {}

    def line(self, relpath: str, lineno: int) -> str:
        if self.root is None:
            return ""
        lines = self._files.get(relpath)
        if lines is None:
            try:
                raw = (self.root / relpath).read_bytes()
                lines = raw.decode("utf-8", "replace").splitlines()
            except OSError:
                lines = []
            self._files[relpath] = lines
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""
