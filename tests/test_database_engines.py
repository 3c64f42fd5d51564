"""The database engines a project's settings name (``graph.databases``): an ``ENGINE`` path, a
database URL's scheme, in the settings module or a tree module it star-imports; reported in
``metadata.database_engines`` and each ``projects[]`` entry, for ``djatlas check`` (DJ002)."""

from __future__ import annotations

from djatlas.graph.databases import engines_in

MANAGE = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
MODELS = """
    from django.db import models

    class Product(models.Model):
        name = models.CharField()
"""


def tree(settings: str, base: str = "") -> dict[str, str]:
    files = {
        "manage.py": MANAGE,
        "proj/__init__.py": "",
        "proj/settings.py": settings,
        "shop/__init__.py": "",
        "shop/models.py": MODELS,
    }
    if base:
        files["proj/base.py"] = base
    return files


def engines(project, files: dict[str, str]) -> list[str]:
    s = project(files, use_cache=False)
    assert [p["database_engines"] for p in s.doc["projects"]] == [
        s.doc["metadata"]["database_engines"]
    ]
    return s.doc["metadata"]["database_engines"]


def test_engine_in_a_databases_dict(project) -> None:
    settings = """
        INSTALLED_APPS = ["shop"]
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db"}}
        SESSION_ENGINE = "django.contrib.sessions.backends.db"
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    """
    assert engines(project, tree(settings)) == ["django.db.backends.sqlite3"]


def test_database_urls_and_star_imported_settings(project) -> None:
    base = """
        import dj_database_url

        DATABASES = {"default": dj_database_url.config(default="postgres://u@localhost/db")}
        BROKER_URL = "redis://localhost:6379/0"
    """
    settings = """
        from .base import *  # noqa: F403

        INSTALLED_APPS = ["shop"]
        if DEBUG:
            DATABASES["default"].update({"ENGINE": "django.contrib.gis.db.backends.postgis"})
    """
    assert engines(project, tree(settings, base)) == [
        "django.contrib.gis.db.backends.postgis",
        "django.db.backends.postgresql",
    ]


def test_no_engine_named(project) -> None:
    settings = """
        from .db import get_databases

        INSTALLED_APPS = ["shop"]
        DATABASES = get_databases()
    """
    assert engines(project, tree(settings)) == []


def test_check_follows_the_engines(project) -> None:
    """DJ002: not on a project whose settings name only PostgreSQL (Django 4.2+ accepts a
    CharField without max_length there), as Django's own check on each database."""
    from djatlas.checks import run_checks, select_rules

    def dj002(settings: str) -> list[str]:
        s = project(tree(settings), use_cache=False)
        found = run_checks(s.doc, select_rules(["DJ002"], None)).findings
        return [f.code for f in found]

    pg = 'INSTALLED_APPS = ["shop"]\nDATABASE_URL = "postgresql://localhost/shop"\n'
    assert dj002(pg) == []
    mysql = 'INSTALLED_APPS = ["shop"]\nDATABASES = {"x": {"ENGINE": "django.db.backends.mysql"}}\n'
    assert dj002(mysql) == ["DJ002"]
    assert dj002('INSTALLED_APPS = ["shop"]\n') == ["DJ002"]


def test_engines_in_source() -> None:
    source = b"""
        A = {"ENGINE": 'django_prometheus.db.backends.postgresql'}
        B = env.db("DATABASE_URL", default="mysql2://root@localhost/x")
        C = "sqlite:///db.sqlite3"
        D = "https://example.com"
        E = "django.core.mail.backends.smtp.EmailBackend"
        # "ENGINE": "django.db.backends.oracle",
    """
    assert engines_in(source) == {
        "django_prometheus.db.backends.postgresql",
        "django.db.backends.mysql",
        "django.db.backends.sqlite3",
    }
