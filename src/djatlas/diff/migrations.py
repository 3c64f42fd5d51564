"""Does the revision range bring the migration of each model change? (``djatlas diff``)

Each side is read as a tree of files (a folder, or a git revision without checkout); its
migration files are those of the migrations packages its report lists. A migration file of NEW
that OLD lacks (or holds with other bytes) is new in the range; its operations (nested state
operations included) say which models and fields it touches. Per changed model of the diff:

- ``included``: a new migration of the model's app touches the model (for field changes: every
  added, removed, renamed or changed field), and when NEW is a folder the drift check at NEW
  has nothing left for the model;
- ``missing``: otherwise, when the drift check at NEW (a folder) reports operations for the
  model, or (a git revision, no drift check) no new migration touches what changed;
- ``not_needed``: NEW is a folder, no new migration touches the model and the drift check has
  nothing for it (e.g. a model moved between modules of one app);
- ``unknown``: the app has no migrations in NEW, or a side is a JSON report (no files to read).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from djatlas.migrations.loader import tree_packages


class _Files:
    """A side's files: ``list(folder)`` -> file names, ``read(relpath)`` -> bytes."""

    def __init__(
        self, root: str | None, listing: Callable[[str], list[str]], read: Callable[[str], bytes]
    ):
        self.root, self.list, self.read = root, listing, read


@contextmanager
def side_files(spec: str, repo: str) -> Iterator[_Files | None]:
    """The files of a diff side (``spec`` as ``djatlas diff`` reads it); None for a report."""
    if os.path.isdir(spec):

        def listing(folder: str) -> list[str]:
            try:
                return sorted(os.listdir(os.path.join(spec, folder)))
            except OSError:
                return []

        def read(rel: str) -> bytes:
            with open(os.path.join(spec, rel), "rb") as fh:
                return fh.read()

        yield _Files(spec, listing, read)
        return
    if os.path.isfile(spec):
        yield None
        return
    from djatlas.discover.gitsource import GitError, GitSource

    try:
        source = GitSource(repo, spec)
    except GitError:
        yield None
        return
    by_folder: dict[str, list[str]] = {}
    for path in source.list_paths():
        folder, _, name = path.rpartition("/")
        by_folder.setdefault(folder, []).append(name)
    with source:
        yield _Files(None, lambda folder: sorted(by_folder.get(folder, [])), source.read_bytes)


def migration_files(
    files: _Files, doc: dict[str, Any], multi: bool
) -> dict[str, tuple[str, str, str, bytes]]:
    """``{relpath: (source root, app_label, module, bytes)}`` of every migration file of the
    side's tree (the source root is "" unless the tree holds several, as a monorepo)."""
    out: dict[str, tuple[str, str, str, bytes]] = {}
    for prefix, group in tree_packages(doc).items():
        for label, pkg in group.items():
            for name in files.list(pkg.folder):
                if not name.endswith(".py") or name[0] in "_~":
                    continue
                rel = f"{pkg.folder}/{name}"
                try:
                    data = files.read(rel)
                    out[rel] = (prefix if multi else "", label, f"{pkg.module}.{name[:-3]}", data)
                except OSError:
                    continue
    return out


def touched(new_files: dict[str, tuple[str, str, str, bytes]], old_files: dict[str, Any]):
    """``{(source root, app_label, model): {field or None: [relpath, ...]}}`` from the migration
    files new in the range (absent from OLD or changed)."""
    from djatlas.migrations.operations import operations
    from djatlas.migrations.reader import read_migration
    from djatlas.parse.reader import ReadError

    out: dict[tuple[str, str, str], dict[str | None, list[str]]] = {}
    for rel, (prefix, label, module, data) in sorted(new_files.items()):
        if rel in old_files and old_files[rel][3] == data:
            continue
        try:
            attrs = read_migration(data, module).get("attrs", {})
        except ReadError:
            continue
        for op in _flat(operations(attrs.get("operations"))):
            for model, field in _targets(op):
                out.setdefault((prefix, label, model), {}).setdefault(field, []).append(rel)
    return out


def _flat(ops: list[Any]) -> Iterator[Any]:
    for op in ops:
        yield op
        yield from _flat(op.state)


def _targets(op: Any) -> list[tuple[str, str | None]]:
    """(model, field) pairs an operation touches (model names in lower case)."""
    model = op.model
    if model is None:
        return []
    args = op.args
    if op.op == "RenameModel":
        new = args.get("new_name")
        return [(model, None)] + ([(new.lower(), None)] if isinstance(new, str) else [])
    if op.op == "RenameField":
        return [(model, None)] + [
            (model, args[k]) for k in ("old_name", "new_name") if isinstance(args.get(k), str)
        ]
    if op.op in ("AddField", "RemoveField", "AlterField") and isinstance(args.get("name"), str):
        return [(model, None), (model, args["name"])]
    if op.op == "CreateModel":
        fields = [f[0] for f in args.get("fields") or [] if isinstance(f, list) and f]
        return [(model, None)] + [(model, f) for f in fields if isinstance(f, str)]
    return [(model, None)]


def _entry_fields(entry: dict[str, Any]) -> list[str]:
    fields = entry.get("fields")
    if not isinstance(fields, dict):
        return []
    names = [f["name"] for kind in ("added", "removed", "changed") for f in fields.get(kind, [])]
    return names + [n for f in fields.get("renamed", []) for n in (f["old_name"], f["name"])]


def _label(entry: dict[str, Any], multi: bool) -> tuple[str, str, str]:
    """(source root, app_label, model name in lower case) of a model entry."""
    from djatlas.migrations.loader import model_root

    label = entry.get("new_label") or entry["old_label"]
    if entry["status"] == "removed":
        label = entry["old_label"]
    app, _, name = str(label).partition(".")
    return (model_root(entry) if multi else ""), app, name.lower()


def annotate(
    diff: dict[str, Any],
    old_spec: str,
    new_spec: str,
    repo: str,
    old_doc: dict[str, Any],
    new_doc: dict[str, Any],
) -> None:
    """Add ``migration`` to every model entry of ``diff`` and ``migrations`` to its summary."""
    with side_files(new_spec, repo) as new_files, side_files(old_spec, repo) as old_files:
        if new_files is None or old_files is None:
            _mark_all(diff, "unknown", "a side is a JSON report: its migration files are unknown")
            return
        groups = tree_packages(new_doc)
        multi = len(groups) > 1
        new_migrations = migration_files(new_files, new_doc, multi)
        old_migrations = migration_files(old_files, old_doc, multi)
    found = touched(new_migrations, old_migrations)
    apps = {(p if multi else "", label) for p, group in groups.items() for label in group}
    old_groups = tree_packages(old_doc).items()
    apps |= {(p if multi else "", label) for p, group in old_groups for label in group}
    pending = _pending(new_files.root, new_doc) if new_files.root else None
    for entry in diff.get("models", []):
        entry["migration"] = _status(entry, found, apps, pending, multi)
    _summarise(diff)


def _pending(root: str, doc: dict[str, Any]) -> dict[tuple[str, str, str], set[str | None]]:
    """What the drift check at NEW (a folder) still has, per (source root, app_label, model);
    the source root is named in a tree of several only."""
    from djatlas.keys import cache_folder
    from djatlas.migrations.drift import drift_document, model_operations

    out: dict[tuple[str, str, str], set[str | None]] = {}
    # the folder's default cache, as `djatlas diff` scans it
    for op in model_operations(drift_document(root, doc, folder=cache_folder(root))):
        key = (op.get("project") or "", op["app_label"], op["model"])
        out.setdefault(key, set()).add(op.get("field"))
    return out


def _status(entry, found, apps, pending, multi: bool) -> dict[str, Any]:
    prefix, app, model = key = _label(entry, multi)
    if (prefix, app) not in apps:
        return {"status": "unknown", "reason": f"app {app!r} has no migrations"}
    keys = [key]
    if entry["status"] == "renamed":
        keys.append(_label({**entry, "status": "removed"}, multi))
    touches = {f: files for k in keys for f, files in found.get(k, {}).items()}
    files = sorted({f for fs in touches.values() for f in fs})
    fields = _entry_fields(entry)
    uncovered = [f for f in fields if f not in touches]
    left = pending.get(key) if pending is not None else None
    if pending is not None:
        if left:
            return {"status": "missing", "files": files, "operations_left": _sorted(left)}
        return {"status": "included" if files else "not_needed", "files": files}
    if files and not uncovered:
        return {"status": "included", "files": files}
    out: dict[str, Any] = {"status": "missing", "files": files}
    if files:
        out["fields_without_migration"] = uncovered
    return out


def _sorted(fields: set[str | None]) -> list[str | None]:
    return sorted(fields, key=lambda f: (f is not None, f or ""))


def _mark_all(diff: dict[str, Any], status: str, reason: str) -> None:
    for entry in diff.get("models", []):
        entry["migration"] = {"status": status, "reason": reason}
    _summarise(diff)


def _summarise(diff: dict[str, Any]) -> None:
    counts = {"included": 0, "missing": 0, "not_needed": 0, "unknown": 0}
    for entry in diff.get("models", []):
        counts[entry["migration"]["status"]] += 1
    diff["summary"]["migrations"] = counts
