"""User projects for the runtime oracle: small projects built on code outside their tree.

Each project under ``tests/fixtures/user_projects/`` subclasses or points at models of Django's
contrib apps, wagtail, django-treebeard, django-mptt and django-taggit, and mimics
django-oscar's ``get_model(app_label, name)`` loading. The harness copies it to a work folder,
writes its settings, runs ``makemigrations`` + ``migrate`` on SQLite, and exports the runtime
report. The static scan reads the project folder only: everything else comes from the
environment (scan ``a``) or from nothing installed (scan ``b``, an empty virtualenv).
"""

from __future__ import annotations

import inspect
import json
import shutil
import sys
import venv
from pathlib import Path
from typing import Any

from djatlas.verify import Disagreement, check_database, compare, summarize

from .harness import BASE_APPS, MIDDLEWARE, SETTINGS_TEMPLATE, WAGTAIL, Scenario, _env, _run

PROJECTS = Path(__file__).resolve().parents[1] / "fixtures" / "user_projects"

#: name -> (third-party INSTALLED_APPS, the project's apps, extra settings lines).
USER_PROJECTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "contribproj": (("taggit", "treebeard", "mptt"), ("people", "catalog", "offers"), ""),
    "wagtailproj": (
        WAGTAIL[1],
        ("accounts", "home", "media"),
        'AUTH_USER_MODEL = "accounts.Member"\n'
        'WAGTAILIMAGES_IMAGE_MODEL = "media.CustomImage"\n'
        'WAGTAILDOCS_DOCUMENT_MODEL = "media.CustomDocument"\n'
        'WAGTAIL_SITE_NAME = "oracle"\nWAGTAILADMIN_BASE_URL = "http://localhost"\n',
    ),
    "fieldsproj": (
        ("easy_thumbnails", "filer", "djmoney"),
        ("shop", "assets"),
        "",
    ),
}
#: Import names each project needs installed.
NEEDS = {
    "contribproj": ("taggit", "treebeard", "mptt"),
    "wagtailproj": ("wagtail", "taggit"),
    "fieldsproj": ("filer", "easy_thumbnails", "django_countries", "timezone_field", "djmoney"),
}
#: Aspects a model outside the tree is not compared on: the runtime gives its absolute file;
#: Django's built-in table (origin "builtin") has no docstrings or lines.
_EXTERNAL_SKIP = {"file", "line", "docstring"}


def build_user_project(work: Path, name: str) -> Scenario:
    """Copy project ``name``, write its settings, migrate it and export the runtime report."""
    packages, own_apps, extra = USER_PROJECTS[name]
    tree = work / "tree"
    shutil.copytree(PROJECTS / name, tree, ignore=shutil.ignore_patterns("__pycache__"))
    database = work / f"{name}.sqlite3"
    output = work / f"{name}-runtime.json"
    installed = [*BASE_APPS, *packages, *own_apps, "djatlas.django"]
    text = SETTINGS_TEMPLATE.format(
        installed_apps=installed,
        database=str(database),
        backends=["django.contrib.auth.backends.ModelBackend"],
        middleware=MIDDLEWARE,
    )
    (tree / "oracle_settings.py").write_text(text + extra, encoding="utf-8")
    env = _env([tree], DJANGO_SETTINGS_MODULE="oracle_settings")
    _run(["-m", "django", "makemigrations", "-v0", *own_apps], tree, env)
    _run(["-m", "django", "migrate", "-v0", "--no-input"], tree, env)
    _run(
        ["-m", "django", "djatlas", "--root", str(tree), "--no-timing", "-o", str(output)],
        tree,
        env,
    )
    runtime = json.loads(output.read_text(encoding="utf-8"))
    apps = [a for a in installed if a != "djatlas.django"]
    return Scenario(name, tree, runtime, database, "oracle_settings", apps, [tree])


def empty_environment(work: Path) -> Path:
    """A virtualenv with nothing installed (not even pip)."""
    target = work / "empty-venv"
    if not target.exists():
        venv.EnvBuilder(with_pip=False, symlinks=True).create(target)
    return target


def user_scan(scenario: Scenario, python: str | None) -> dict[str, Any]:
    """Scan the project's tree as a user would: its settings, the environment ``python``."""
    import djatlas.scan as scan_module
    from djatlas import records

    options: dict[str, Any] = {"settings": scenario.settings_module}
    fields = {f.name for f in records.fields(scan_module.ScanOptions)}
    fields |= set(inspect.signature(scan_module.scan_path).parameters)
    if "python" in fields and python is not None:
        options["python"] = python
    if "timing" in fields:
        options["timing"] = False
    return scan_module.scan_path(str(scenario.tree), **options)


def environment_python() -> str:
    """The oracle's own environment (the test virtualenv), as ``--python`` would name it."""
    return sys.prefix


def in_scope(static: dict[str, Any], scenario: Scenario) -> set[str]:
    """Labels compared: the project's models and the external models the scan reports."""
    tree = scenario.app_labels
    labels = {m["label"] for m in scenario.runtime["models"] if m["app_label"] in tree}
    labels |= {m["label"] for m in static["models"] if m.get("external") and not m["abstract"]}
    return labels


def _only(doc: dict[str, Any], labels: set[str]) -> dict[str, Any]:
    return {**doc, "models": [m for m in doc["models"] if m["label"] in labels]}


def _defined_outside(r_doc: dict[str, Any], scenario: Scenario) -> set[tuple[str, str]]:
    """Fields written in a package outside the project: their line is the installed source's
    (or, without an environment, the bundled knowledge's, which may be another version)."""
    tree = {m["module"] for m in r_doc["models"] if m["app_label"] in scenario.app_labels}
    return {
        (m["label"], f["name"])
        for m in r_doc["models"]
        for f in m["fields"]
        if (f.get("defined_in") or "").rpartition(".")[0] not in tree
    }


def user_compare(
    static: dict[str, Any], scenario: Scenario
) -> tuple[list[Disagreement], dict[str, int]]:
    """Disagreements over the project's models and the external ones, and the counts."""
    labels = in_scope(static, scenario)
    external = {m["label"] for m in static["models"] if m.get("external")}
    s_doc, r_doc = _only(static, labels), _only(scenario.runtime, labels)
    outside = _defined_outside(r_doc, scenario)
    found = [
        d
        for d in compare(s_doc, r_doc)
        if not (d.model in external and d.aspect in _EXTERNAL_SKIP and d.static is None)
        and not (d.model in external and d.field is None and d.aspect == "file")
        and not (d.aspect == "line" and (d.model, d.field) in outside)
    ]
    found += check_database(static, str(scenario.database), apps=scenario.app_labels)
    stats = summarize(s_doc, r_doc, found)
    return found, stats


def agreement(found: list[Disagreement], scenario: Scenario) -> dict[str, float]:
    """Share of the project's runtime models and fields the static report gets exactly right:
    models (present, parents, proxy, table), declared fields, relation targets and on_delete,
    and the full field list."""
    tree = scenario.app_labels
    models = [m for m in scenario.runtime["models"] if m["app_label"] in tree]
    fields = [(m["label"], f) for m in models for f in m["fields"]]
    bad_models = {d.model for d in found if d.field is None}
    bad_fields = {(d.model, d.field) for d in found if d.field}
    bad_aspect = {(d.model, d.field, d.aspect) for d in found if d.field}

    def share(items: list[Any], ok: Any) -> float:
        return 1.0 if not items else sum(1 for i in items if ok(i)) / len(items)

    relations = [(label, f) for label, f in fields if f.get("relation")]
    return {
        "models": share(models, lambda m: m["label"] not in bad_models),
        "declared_fields": share(
            [(label, f) for label, f in fields if f.get("origin") == "declared"],
            lambda x: (x[0], x[1]["name"]) not in bad_fields,
        ),
        "targets": share(
            relations,
            lambda x: (
                (x[0], x[1]["name"], "relation.target") not in bad_aspect
                and (x[0], x[1]["name"], "missing_field") not in bad_aspect
            ),
        ),
        "on_delete": share(
            relations, lambda x: (x[0], x[1]["name"], "relation.on_delete") not in bad_aspect
        ),
        "fields": share(fields, lambda x: (x[0], x[1]["name"]) not in bad_fields),
    }
