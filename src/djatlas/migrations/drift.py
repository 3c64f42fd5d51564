"""The drift check's answer for the views that join it with the models — ``djatlas check``
(DJ027), ``djatlas diff``, ``scan --migrations`` and the MCP ``drift`` tool — cached per tree.

:func:`drift_document` is the ``migrations --check`` JSON document plus, per model, the
migration that last touched it (``last``). It is cached in ``migrations-drift.json`` for the
report (its digest), the options and the stats of every file it was read from.
:func:`stamp` is a digest of the stats of the migration files and folders the cached answer
read, when none changed (else None): the key a cached view showing the answer needs besides
the report's, since default scans do not read migration files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

_FORMAT = 1
_NAME = "migrations-drift.json"


def _options(root: str, include: list[str] | None, exclude: list[str] | None) -> list[Any]:
    return [os.path.realpath(root), list(include or []), list(exclude or [])]


def _key(options: list[Any], doc: dict[str, Any]) -> list[Any]:
    from djatlas.keys import code_stamp
    from djatlas.migrations.resultcache import doc_digest

    return [code_stamp(), _FORMAT, options, doc_digest(doc)]


def _entry(folder: str | None) -> dict[str, Any] | None:
    if not folder:
        return None
    from djatlas.cache import _read_json

    entry = _read_json(os.path.join(folder, _NAME))
    return entry if isinstance(entry, dict) else None


def stamp(
    folder: str | None, root: str, include: list[str] | None, exclude: list[str] | None
) -> str | None:
    """The migration files' stats of the cached answer for these options, if unchanged."""
    from djatlas.keys import code_stamp, env_unchanged

    entry = _entry(folder)
    key = entry.get("key") if entry is not None else None
    if not isinstance(key, list) or key[:3] != [
        code_stamp(),
        _FORMAT,
        _options(root, include, exclude),
    ]:
        return None
    migrations = entry.get("migrations")
    if not env_unchanged(migrations):
        return None
    from djatlas.cache import content_hash

    return content_hash(json.dumps(migrations).encode())


def tree_stamp(
    root: str,
    include: list[str] | None,
    exclude: list[str] | None,
    folder: str | None,
    report: Callable[[], dict[str, Any]],
    check: bool = True,
) -> str | None:
    """:func:`stamp`, after computing the answer for ``report()`` when none is cached: what a
    cached output showing the answer is keyed by (None without a cache folder). ``check``
    False: an answer of ``last`` alone will do (see :func:`drift_document`)."""
    if folder is None:
        return None
    found = stamp(folder, root, include, exclude)
    if found is None:
        drift_document(root, report(), include, exclude, folder, check)
        found = stamp(folder, root, include, exclude)
    return found


def annotate_last(doc: dict[str, Any], last: dict[str, dict[str, Any]]) -> None:
    """Give every model of the tree that a migration touched ``migration``: the migration
    that last touched it (``app_label``, ``name``, ``file``)."""
    from djatlas.migrations.loader import model_root

    for m in doc.get("models", []):
        if m.get("external"):
            continue
        entry = last.get(last_key(m["app_label"], m["name"], model_root(m)))
        if entry is not None:
            m["migration"] = {k: entry[k] for k in ("app_label", "name", "file")}


def drift_document(
    root: str,
    doc: dict[str, Any],
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    folder: str | None = None,
    check: bool = True,
) -> dict[str, Any]:
    """``{"check": the --check document, "last": {model label: migration}}`` for ``doc``,
    the report of the tree at ``root``; from the cache when nothing it was read from changed.
    ``check`` False (``scan --migrations``): ``last`` is enough, so a computed answer holds
    only ``last`` (the replayed state; the autodetector is not run) and a cached one may."""
    from djatlas.keys import env_stats, env_unchanged

    options = _options(root, include, exclude)
    key = _key(options, doc) if folder else None
    entry = _entry(folder)
    if entry is not None and entry.get("key") == key and env_unchanged(entry.get("deps")):
        answer = entry.get("answer")
        complete = isinstance(answer, dict) and (not check or "check" in answer)
        if complete and env_unchanged(entry.get("migrations")):
            return answer
    answer, deps, migrations = _compute(root, doc, include, exclude, folder, check)
    if folder:
        from djatlas.cache import _write_bytes

        out = {
            "key": key,
            "deps": env_stats(deps),
            "migrations": env_stats(migrations),
            "answer": answer,
        }
        _write_bytes(os.path.join(folder, _NAME), json.dumps(out, separators=(",", ":")).encode())
    return answer


def _compute(
    root, doc, include, exclude, folder, check: bool = True
) -> tuple[dict[str, Any], list[str], list[str]]:
    from djatlas.migrations.project import analyse, read_paths

    projects = analyse(root, dict(doc), include, exclude, folder)  # a copy: detect() memoizes
    answer: dict[str, Any] = {"last": last_migrations(projects)}
    if check:
        from djatlas.migrations.views import check_doc

        answer = {"check": check_doc(projects)[0], **answer}
    migrations, deps = read_paths(projects)
    return answer, deps, migrations


def last_migrations(projects: list[Any]) -> dict[str, dict[str, Any]]:
    """Per model of the tree's apps (``app_label.model_name`` in lower case, as the migrations
    name it): the migration that last touched it in Django's order, and its file."""
    out: dict[str, dict[str, Any]] = {}
    for project in projects:
        tree = set(project.tree_apps)
        for (app, model), state in sorted(project.state.models.items()):
            if app not in tree or state.last is None or state.last not in project.graph.nodes:
                continue
            node = project.graph.nodes[state.last]
            entry = {"app_label": state.last[0], "name": state.last[1], "file": node.path}
            if project.prefix:
                entry["project"] = project.prefix
            out.setdefault(last_key(app, model, project.prefix), entry)
    return out


def last_key(app_label: str, model: str, project: str = "") -> str:
    """The key of ``last``: ``app_label.model`` (lower case), after ``project:`` in a tree of
    several source roots."""
    return (f"{project}:" if project else "") + f"{app_label}.{model.lower()}"


def model_operations(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the answer's --check document (with ``project`` when it has one)."""
    out = []
    for group in answer.get("check", {}).get("changes", []):
        for op in group.get("operations", []):
            out.append({**op, "project": group["project"]} if "project" in group else op)
    return out


def find_model(
    doc: dict[str, Any], app_label: str, model: str, project: str | None = None
) -> dict[str, Any] | None:
    """The report's model (of the tree) named ``model`` (lower case) in app ``app_label``."""
    from djatlas.migrations.loader import model_root

    for m in doc.get("models", []):
        if m.get("external") or m.get("app_label") != app_label:
            continue
        if str(m.get("name", "")).lower() != model:
            continue
        if project is None or model_root(m) == project:
            return m
    return None
