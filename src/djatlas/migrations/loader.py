"""Find every ``migrations/`` package of the tree's apps (and, for dependencies, of the
environment's apps) and read each migration file, with a per-file cache.

Default scans skip ``migrations`` folders, so they are found from the report: the folders it
lists as skipped by that rule (or, with ``--no-default-excludes``, the folders of the files it
read), mapped to app labels through the models' modules. ``--exclude``/``--include`` globs apply
to migration files too: an excluded file is as if it did not exist.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from djatlas.discover.finder import _Globs
from djatlas.migrations.reader import read_migration
from djatlas.parse.reader import ReadError
from djatlas.records import dataclass, field

_CACHE_FORMAT = 1


@dataclass
class MigrationFile:
    """One migration module as read: where it is and its ``Migration`` class attributes."""

    app_label: str
    name: str
    path: str  # relative to the tree root (POSIX), or absolute for the environment
    module: str
    in_tree: bool
    attrs: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    line: int | None = None
    ignores: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None
    error_line: int | None = None
    #: why only part of the file could be read (the Migration class was still read).
    partial: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.name)


@dataclass
class MigrationPackage:
    """The migrations package of one app."""

    app_label: str
    folder: str  # relative POSIX path for the tree, absolute for the environment
    module: str
    in_tree: bool


@dataclass
class LoadResult:
    files: list[MigrationFile]
    packages: dict[str, MigrationPackage]
    notes: list[str] = field(default_factory=list)


def tree_packages(doc: dict[str, Any]) -> dict[str, dict[str, MigrationPackage]]:
    """The migrations packages of the tree's apps: per source root (a monorepo may hold several
    Django projects, each with its own app labels), by app label."""
    folders: set[str] = set()
    modules: dict[str, str] = {}  # package folder -> its dotted module
    for rec in doc.get("files", []):
        path = rec.get("path", "")
        if path.endswith("/migrations/") and rec.get("reason") == "default exclude: migrations":
            folders.add(path[: -len("/")])
        elif "/migrations/" in path and rec.get("status") in ("parsed", "not_needed"):
            folders.add(path[: path.index("/migrations/") + len("/migrations")])
        module = rec.get("module")
        if module and path.endswith(".py"):
            folder, base = path.rsplit("/", 1) if "/" in path else ("", path)
            pkg = module if base == "__init__.py" else module.rsplit(".", 1)[0]
            if "." in module or base == "__init__.py":
                modules.setdefault(folder, pkg)
    labels = _labels_by_module(doc)
    uninstalled = _uninstalled(doc)
    out: dict[str, dict[str, MigrationPackage]] = {}
    for folder in sorted(folders):
        app_folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
        app_module = modules.get(app_folder)
        if app_module is None or app_module in uninstalled:
            continue
        root = source_root(app_folder, app_module)
        label = labels.get((root, app_module)) or app_module.rsplit(".", 1)[-1]
        group = out.setdefault(root, {})
        if label not in group:  # two packages claim one label: keep the first, deterministic
            group[label] = MigrationPackage(label, folder, f"{app_module}.migrations", True)
    return out


def _uninstalled(doc: dict[str, Any]) -> set[str]:
    """The tree's app packages the settings do not install, when they install some of the
    tree's apps (``makemigrations`` sees installed apps only, e.g. not ralph's test apps)."""
    apps = [a for a in doc.get("apps", []) if not a.get("external") and a.get("name")]
    if not any(a.get("installed") for a in apps):
        return set()
    return {a["name"] for a in apps if a.get("installed") is False}


def source_root(folder: str, module: str) -> str:
    """The folder a package's dotted module is relative to (``""``: the tree root)."""
    parts = folder.split("/") if folder else []
    depth = len(module.split("."))
    return "/".join(parts[:-depth]) if len(parts) >= depth else ""


def model_root(model: dict[str, Any]) -> str:
    file, module = model.get("file") or "", model.get("module") or ""
    folder = file.rsplit("/", 1)[0] if "/" in file else ""
    if file.endswith("/__init__.py"):
        return source_root(folder, module)
    return source_root(folder, module.rsplit(".", 1)[0]) if "." in module else folder


def _labels_by_module(doc: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(source root, app package module) -> app label, from the models' modules."""
    out: dict[tuple[str, str], str] = {}
    names = {a["name"]: a["label"] for a in doc.get("apps", []) if a.get("name") and a.get("label")}
    for model in doc.get("models", []):
        module = model.get("module") or ""
        root = model_root(model)
        parts = module.split(".")
        for i in range(len(parts), 0, -1):
            pkg = ".".join(parts[:i])
            if pkg in names and names[pkg] == model["app_label"]:
                out.setdefault((root, pkg), model["app_label"])
                break
        if "models" in parts:
            pkg = ".".join(parts[: parts.index("models")])
            if pkg:
                out.setdefault((root, pkg), model["app_label"])
    return out


def environment_package(app_label: str, doc: dict[str, Any]) -> MigrationPackage | None:
    """The migrations package of an app that is not in the tree, found in the environment
    (read as files, never imported): the installed app's module, else ``django.contrib.<label>``."""
    candidates = [a["name"] for a in doc.get("apps", []) if a.get("label") == app_label]
    candidates.append(f"django.contrib.{app_label}")
    for module in candidates:
        rel = module.replace(".", os.sep)
        for base in _environment_paths():
            folder = os.path.join(base, rel, "migrations")
            if os.path.isfile(os.path.join(folder, "__init__.py")):
                return MigrationPackage(app_label, folder, f"{module}.migrations", False)
    return None


def _environment_paths() -> list[str]:
    try:
        from djatlas.resolve.index import _environment_paths as paths

        return paths()
    except ImportError:  # pragma: no cover - the resolver moved
        return [p for p in sys.path if p and os.path.isdir(p)]


class FileCache:
    """Parsed migration files keyed by absolute path, size and mtime (JSON, atomic writes)."""

    def __init__(self, folder: str | None) -> None:
        self.path = os.path.join(folder, "migrations.json") if folder else None
        self.entries: dict[str, list[Any]] = {}
        self.used: dict[str, list[Any]] = {}
        self.dirty = False
        #: files read ahead by another process (``prefetch.Prefetch``), used when they match.
        self.ahead: Any = None
        if self.path:
            self._load()

    def _load(self) -> None:
        from djatlas.cache import _read_json, code_stamp

        doc = _read_json(self.path)
        if isinstance(doc, dict) and doc.get("stamp") == [code_stamp(), _CACHE_FORMAT]:
            entries = doc.get("entries")
            if isinstance(entries, dict):
                self.entries = entries

    def get(self, path: str, size: int, mtime: int) -> dict[str, Any] | None:
        row = self.entries.get(path)
        if isinstance(row, list) and len(row) == 3 and row[0] == size and row[1] == mtime:
            self.used[path] = row
            return row[2] if isinstance(row[2], dict) else None
        return None

    def put(self, path: str, size: int, mtime: int, parsed: dict[str, Any]) -> None:
        self.used[path] = [size, mtime, parsed]
        self.dirty = True

    def save(self) -> None:
        if not self.path or not (self.dirty or set(self.used) != set(self.entries)):
            return
        from djatlas.cache import _write_bytes, code_stamp

        doc = {"stamp": [code_stamp(), _CACHE_FORMAT], "entries": self.used}
        _write_bytes(self.path, json.dumps(doc, separators=(",", ":")).encode())


def read_package(
    pkg: MigrationPackage, root: str, globs: tuple[_Globs, _Globs], cache: FileCache
) -> list[MigrationFile]:
    """Every migration module of one package, as Django's loader lists them (``*.py`` not
    starting with ``_`` or ``~``), minus excluded files."""
    folder = os.path.join(root, pkg.folder) if pkg.in_tree else pkg.folder
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    includes, excludes = globs
    out = []
    for filename in names:
        if not filename.endswith(".py") or filename[0] in "_~":
            continue
        name = filename[:-3]
        rel = f"{pkg.folder}/{filename}" if pkg.in_tree else os.path.join(folder, filename)
        if pkg.in_tree and (excludes.first(rel) or (includes.patterns and not includes.first(rel))):
            continue
        path = os.path.join(folder, filename)
        out.append(_read_one(pkg, name, rel, path, cache))
    return out


def _read_one(
    pkg: MigrationPackage, name: str, rel: str, path: str, cache: FileCache
) -> MigrationFile:
    mf = MigrationFile(pkg.app_label, name, rel, f"{pkg.module}.{name}", pkg.in_tree)
    try:
        st = os.stat(path)
    except OSError as exc:
        mf.error = f"unreadable: {exc.strerror}"
        return mf
    parsed = cache.get(path, st.st_size, st.st_mtime_ns)
    if parsed is None:
        ahead = (
            cache.ahead.get(path, st.st_size, st.st_mtime_ns, mf.module) if cache.ahead else None
        )
        parsed = ahead if ahead is not None else _parse(path, mf.module)
        cache.put(path, st.st_size, st.st_mtime_ns, parsed)
    if "error" in parsed:
        mf.error, mf.error_line = parsed["error"], parsed.get("error_line")
    elif not parsed.get("found"):
        mf.error = "no Migration class"
    mf.attrs = parsed.get("attrs", {})
    mf.lines = parsed.get("lines", {})
    mf.line = parsed.get("line")
    mf.ignores = parsed.get("ignores", {})
    mf.partial = parsed.get("partial")
    return mf


def _parse(path: str, module: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        return read_migration(data, module)
    except ReadError as exc:
        return {"error": exc.reason, "error_line": exc.line}
    except OSError as exc:
        return {"error": f"unreadable: {exc.strerror}"}


def load(
    root: str,
    doc: dict[str, Any],
    packages: dict[str, MigrationPackage],
    include: list[str],
    exclude: list[str],
    cache: FileCache,
) -> LoadResult:
    """Read the migrations of one project's apps and of every environment app they need."""
    base = root if os.path.isdir(root) else os.path.dirname(root)
    globs = (_Globs(include), _Globs(exclude))
    files: list[MigrationFile] = []
    for label in sorted(packages):
        files.extend(read_package(packages[label], base, globs, cache))
    result = LoadResult(files, dict(packages))
    _add_environment(result, doc, base, globs, cache)
    return result


def _add_environment(
    result: LoadResult, doc: dict[str, Any], base: str, globs: tuple[_Globs, _Globs], cache
) -> None:
    """Read the environment apps the loaded migrations depend on, transitively."""
    from djatlas.migrations.graph import dependency_apps

    tried: set[str] = set(result.packages)
    pending = dependency_apps(result.files, doc) - tried
    while pending:
        label = sorted(pending)[0]
        pending.discard(label)
        tried.add(label)
        pkg = environment_package(label, doc)
        if pkg is None:
            continue
        result.packages[label] = pkg
        new = read_package(pkg, base, globs, cache)
        result.files.extend(new)
        pending |= dependency_apps(new, doc) - tried
