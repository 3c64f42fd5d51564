"""Boot Django projects in subprocesses and export their runtime djatlas reports.

Scenarios: ``shop`` (the repo's ``examples/shop``), ``packages`` (Django's contrib apps plus three
model-heavy apps from PyPI, with the static tree being a copy of their ``.py`` files),
``more_packages`` (celery-beat/results, allauth, oauth-toolkit, simple-history, filer,
easy-thumbnails, polymorphic, mptt, treebeard) and ``wagtail`` (wagtail's apps, modelcluster,
taggit). In the last two, the tree holds the installed apps' packages only (their test packages
left out); libraries that are not apps (``timezone_field``, ``modelcluster``'s fields, ...) are
resolved from the environment.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from djatlas.verify import tree_apps

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "examples" / "shop"

# Third-party apps under test: (distribution/import name, INSTALLED_APPS entry).
THIRD_PARTY = (("taggit", "taggit"), ("guardian", "guardian"), ("reversion", "reversion"))
CONTRIB_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.redirects",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
)

SETTINGS_TEMPLATE = """\
SECRET_KEY = "oracle"
USE_TZ = True
SITE_ID = 1
INSTALLED_APPS = {installed_apps!r}
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {database!r}}}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTHENTICATION_BACKENDS = {backends!r}
MIDDLEWARE = {middleware!r}
TEMPLATES = [{{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {{"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]}},
}}]
STATIC_URL = "static/"
"""

BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
BASE_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
)
# more_packages: (import names whose packages go into the tree, INSTALLED_APPS entries).
MORE_PACKAGES = (
    (
        "django_celery_beat",
        "django_celery_results",
        "allauth",
        "oauth2_provider",
        "simple_history",
        "easy_thumbnails",
        "filer",
        "polymorphic",
        "mptt",
        "treebeard",
    ),
    (
        "django_celery_beat",
        "django_celery_results",
        "allauth",
        "allauth.account",
        "allauth.socialaccount",
        "allauth.mfa",
        "allauth.usersessions",
        "oauth2_provider",
        "simple_history",
        "easy_thumbnails",
        "filer",
        "polymorphic",
        "mptt",
        "treebeard",
    ),
)
WAGTAIL = (
    ("wagtail", "taggit", "modelcluster", "treebeard"),
    (
        "wagtail.contrib.forms",
        "wagtail.contrib.redirects",
        "wagtail.contrib.settings",
        "wagtail.contrib.search_promotions",
        "wagtail.contrib.simple_translation",
        "wagtail.locales",
        "wagtail.embeds",
        "wagtail.sites",
        "wagtail.users",
        "wagtail.snippets",
        "wagtail.documents",
        "wagtail.images",
        "wagtail.search",
        "wagtail.admin",
        "wagtail",
        "modelcluster",
        "taggit",
        "treebeard",
    ),
)
# Sub-packages not copied into the scan tree (tests and their models are never installed).
TEST_DIRS = {"tests", "test", "testapp", "testapps", "test_utils"}


@dataclass
class Scenario:
    """A booted project: its runtime report, database and the tree the static scan reads."""

    name: str
    tree: Path
    runtime: dict[str, Any]
    database: Path
    settings_module: str
    installed_apps: list[str]
    pythonpath: list[Path] = field(default_factory=list)

    @property
    def app_labels(self) -> set[str]:
        """Labels of the installed apps whose models live in the scanned tree."""
        return tree_apps(self.runtime)


def missing_modules(names: tuple[str, ...] = ()) -> list[str]:
    """Import names needed by the oracle tests (or given) that are not installed."""
    names = names or ("django", *(name for name, _ in THIRD_PARTY))
    return [n for n in names if importlib.util.find_spec(n) is None]


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def _env(extra_path: list[Path], **variables: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    paths = [str(p) for p in extra_path]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(variables)
    return env


def build_shop(work: Path) -> Scenario:
    """Migrate ``examples/shop`` into a fresh SQLite file and export its runtime report."""
    database = work / "shop.sqlite3"
    output = work / "shop-runtime.json"
    env = _env([SHOP], SHOP_DB=str(database), DJANGO_SETTINGS_MODULE="shop_project.settings")
    _run(["manage.py", "migrate", "-v0", "--no-input"], SHOP, env)
    _run(["manage.py", "djatlas", "--root", str(SHOP), "--no-timing", "-o", str(output)], SHOP, env)
    runtime = json.loads(output.read_text(encoding="utf-8"))
    sys.path.insert(0, str(SHOP))
    try:
        import shop_project.settings as shop_settings  # type: ignore[import-not-found]

        installed = list(shop_settings.INSTALLED_APPS)
    finally:
        sys.path.remove(str(SHOP))
        for name in [m for m in sys.modules if m.startswith("shop_project")]:
            del sys.modules[name]
    return Scenario("shop", SHOP, runtime, database, "shop_project.settings", installed, [SHOP])


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, name
    return Path(spec.origin).parent


def _copy_python(source: Path, target: Path, skip: set[str] | None = None) -> None:
    """Copy the ``.py`` files of a package tree (no templates, locale, static files).

    Folders named in ``skip`` (relative to ``source``) are left out.
    """
    for path in source.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        if skip and skip.intersection(path.relative_to(source).parts[:-1]):
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def build_packages(work: Path) -> Scenario:
    """Boot contrib + third-party apps, migrate, export; copy their sources into a scan tree."""
    site = _package_dir("django").parent
    database = work / "packages.sqlite3"
    output = work / "packages-runtime.json"
    installed = [*CONTRIB_APPS, *(entry for _, entry in THIRD_PARTY), "djatlas.django"]
    settings_dir = work / "settings"
    settings_dir.mkdir(exist_ok=True)
    (settings_dir / "oracle_settings.py").write_text(
        SETTINGS_TEMPLATE.format(
            installed_apps=installed,
            database=str(database),
            backends=BACKENDS,
            middleware=MIDDLEWARE,
        ),
        encoding="utf-8",
    )
    env = _env([settings_dir], DJANGO_SETTINGS_MODULE="oracle_settings")
    _run(["-m", "django", "migrate", "-v0", "--no-input"], work, env)
    _run(
        ["-m", "django", "djatlas", "--root", str(site), "--no-timing", "-o", str(output)],
        work,
        env,
    )
    runtime = json.loads(output.read_text(encoding="utf-8"))

    tree = work / "tree"
    (tree / "django").mkdir(parents=True, exist_ok=True)
    (tree / "django" / "__init__.py").write_text("", encoding="utf-8")
    _copy_python(site / "django" / "contrib", tree / "django" / "contrib")
    for name, _ in THIRD_PARTY:
        _copy_python(_package_dir(name), tree / name)
    # The static scan sees the same settings module, inside its tree.
    shutil.copyfile(settings_dir / "oracle_settings.py", tree / "oracle_settings.py")
    installed_in_tree = [app for app in installed if app != "djatlas.django"]
    return Scenario(
        "packages", tree, runtime, database, "oracle_settings", installed_in_tree, [settings_dir]
    )


def build_site(work: Path, name: str, packages: tuple[str, ...], apps: tuple[str, ...]) -> Scenario:
    """Boot Django's base contrib apps plus ``apps``, migrate and export; copy ``packages``.

    The scan tree holds ``django/contrib`` and each package in ``packages`` (without test
    folders) plus the settings module.
    """
    site = _package_dir("django").parent
    database = work / f"{name}.sqlite3"
    output = work / f"{name}-runtime.json"
    installed = [*BASE_APPS, *apps, "djatlas.django"]
    middleware = [*MIDDLEWARE]
    if "allauth.account" in apps:
        middleware.append("allauth.account.middleware.AccountMiddleware")
    settings_dir = work / "settings"
    settings_dir.mkdir(exist_ok=True)
    text = SETTINGS_TEMPLATE.format(
        installed_apps=installed,
        database=str(database),
        backends=BACKENDS[:1],
        middleware=middleware,
    )
    if "wagtail" in apps:
        text += 'WAGTAIL_SITE_NAME = "oracle"\nWAGTAILADMIN_BASE_URL = "http://localhost"\n'
    (settings_dir / "oracle_settings.py").write_text(text, encoding="utf-8")
    env = _env([settings_dir], DJANGO_SETTINGS_MODULE="oracle_settings")
    _run(["-m", "django", "migrate", "-v0", "--no-input"], work, env)
    _run(
        ["-m", "django", "djatlas", "--root", str(site), "--no-timing", "-o", str(output)],
        work,
        env,
    )
    runtime = json.loads(output.read_text(encoding="utf-8"))

    tree = work / "tree"
    (tree / "django").mkdir(parents=True, exist_ok=True)
    (tree / "django" / "__init__.py").write_text("", encoding="utf-8")
    _copy_python(site / "django" / "contrib", tree / "django" / "contrib")
    for package in packages:
        _copy_python(_package_dir(package), tree / package, TEST_DIRS)
    shutil.copyfile(settings_dir / "oracle_settings.py", tree / "oracle_settings.py")
    installed_in_tree = [app for app in installed if app != "djatlas.django"]
    return Scenario(name, tree, runtime, database, "oracle_settings", installed_in_tree)


def build_more_packages(work: Path) -> Scenario:
    """celery-beat/results, allauth, oauth-toolkit, simple-history, filer & co."""
    return build_site(work, "more_packages", *MORE_PACKAGES)


def build_wagtail(work: Path) -> Scenario:
    """Wagtail's apps with modelcluster, taggit and treebeard."""
    return build_site(work, "wagtail", *WAGTAIL)


def static_scan(scenario: Scenario) -> dict[str, Any]:
    """Run the static core on the scenario's tree, passing the settings it accepts."""
    import djatlas.scan as scan_module
    from djatlas import records

    accepted = set(inspect.signature(scan_module.scan_path).parameters)
    options_class = getattr(scan_module, "ScanOptions", None)
    if options_class is not None and records.is_dataclass(options_class):
        accepted |= {f.name for f in records.fields(options_class)}
    options: dict[str, Any] = {}
    if "settings" in accepted:
        options["settings"] = scenario.settings_module
    if "installed_apps" in accepted:
        options["installed_apps"] = scenario.installed_apps
    for name, value in (("timing", False), ("no_timing", True)):
        if name in accepted:
            options[name] = value
    return scan_module.scan_path(str(scenario.tree), **options)
