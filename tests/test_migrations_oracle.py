# ruff: noqa: E501
"""Oracle: Django's own ``MigrationAutodetector`` against ``djatlas migrations --check``.


A small project (contrib apps + one app with FK/M2M/O2O, indexes, constraints, a proxy, an
unmanaged model, multi-table inheritance and an abstract base) gets its migrations from a real
``makemigrations``; then each case edits the models in a copy and compares what Django's
autodetector would write (app, operation, model, field) with djatlas's answer, as multisets.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("django")

from djatlas.cli import main  # noqa: E402

MODELS = """
from django.conf import settings
from django.db import models


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Shelf(Stamped):
    name = models.CharField(max_length=50, unique=True)
    code = models.SlugField()

    class Meta:
        ordering = ["name"]
        verbose_name = "shelf"


class Book(Stamped):
    title = models.CharField("title", max_length=200, help_text="As printed")
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="books")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=10, choices=[("p", "Paper"), ("e", "Ebook")], default="p")
    pages = models.PositiveIntegerField(default=0)
    readers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="read")

    class Meta:
        indexes = [models.Index(fields=["title"], name="book_title_idx")]
        constraints = [
            models.UniqueConstraint(fields=["shelf", "title"], name="uniq_shelf_title")
        ]


class Cover(models.Model):
    book = models.OneToOneField(Book, on_delete=models.CASCADE, primary_key=True)
    color = models.CharField(max_length=20, blank=True)


class RareBook(Book):
    value = models.DecimalField(max_digits=10, decimal_places=2)


class PaperBook(Book):
    class Meta:
        proxy = True


class Legacy(models.Model):
    ref = models.IntegerField()

    class Meta:
        managed = False
        db_table = "legacy_ref"
"""

SETTINGS = """
SECRET_KEY = "x"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "library"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
"""

AUTODETECT = """
import json, django
django.setup()
from django.apps import apps
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import MigrationQuestioner
from django.db.migrations.state import ProjectState
from django.utils import translation
translation.deactivate_all()
loader = MigrationLoader(None, ignore_no_migrations=True)
detector = MigrationAutodetector(
    loader.project_state(), ProjectState.from_apps(apps), MigrationQuestioner(dry_run=True)
)
out = []
for app, migrations in detector.changes(graph=loader.graph).items():
    for migration in migrations:
        for op in migration.operations:
            name = type(op).__name__
            model = getattr(op, "model_name", None) or getattr(op, "name", None)
            field = getattr(op, "name", None) if name.endswith("Field") else None
            out.append([app, name, (model or "").lower(), field])
print(json.dumps(out))
"""

#: (case, [(old, new), ...] applied to library/models.py)
CASES = [
    (
        "add field",
        [("    pages = ", '    isbn = models.CharField(max_length=13, default="")\n    pages = ')],
    ),
    ("remove field", [("    pages = models.PositiveIntegerField(default=0)\n", "")]),
    ("help_text", [('help_text="As printed"', 'help_text="On the cover"')]),
    ("max_length", [("max_length=200", "max_length=250")]),
    (
        "null",
        [
            (
                "pages = models.PositiveIntegerField(default=0)",
                "pages = models.PositiveIntegerField(null=True)",
            )
        ],
    ),
    ("choices", [('("e", "Ebook")', '("e", "E-book")')]),
    ("default", [('default="p"', 'default="e"')]),
    ("on_delete", [('related_name="books"', 'related_name="volumes"')]),
    (
        "abstract base field",
        [
            (
                "    created = models.DateTimeField(auto_now_add=True)\n",
                "    created = models.DateTimeField(auto_now_add=True)\n    note = models.TextField(blank=True)\n",
            )
        ],
    ),
    ("ordering", [('ordering = ["name"]', 'ordering = ["-name"]')]),
    ("verbose_name", [('verbose_name = "shelf"', 'verbose_name = "bookshelf"')]),
    (
        "add index",
        [
            (
                'name="book_title_idx")]',
                'name="book_title_idx"), models.Index(fields=["pages"], name="book_pages_idx")]',
            )
        ],
    ),
    (
        "remove index",
        [('indexes = [models.Index(fields=["title"], name="book_title_idx")]', "indexes = []")],
    ),
    (
        "add constraint",
        [
            (
                'name="uniq_shelf_title")\n',
                'name="uniq_shelf_title"),\n            models.CheckConstraint(condition=models.Q(pages__gte=0), name="pages_positive")\n',
            )
        ],
    ),
    (
        "unique_together",
        [
            (
                'verbose_name = "shelf"',
                'verbose_name = "shelf"\n        unique_together = [("name", "code")]',
            )
        ],
    ),
    ("db_table", [('db_table = "legacy_ref"', 'db_table = "legacy_refs"')]),
    (
        "add model",
        [
            (
                "class Legacy(",
                "class Tag(models.Model):\n    label = models.CharField(max_length=30)\n\n\nclass Legacy(",
            )
        ],
    ),
    ("delete proxy", [("class PaperBook(Book):\n    class Meta:\n        proxy = True\n", "")]),
    ("m2m", [('blank=True, related_name="read")', 'blank=True, related_name="readers_of")')]),
    (
        "mti child field",
        [("decimal_places=2)", "decimal_places=2)\n    appraised = models.DateField(null=True)")],
    ),
    (
        "o2o blank",
        [
            (
                "color = models.CharField(max_length=20, blank=True)",
                "color = models.CharField(max_length=20)",
            )
        ],
    ),
]


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="site_settings", PYTHONPATH=str(root))
    env.pop("PYTHONSTARTUP", None)
    return env


@pytest.fixture(scope="module")
def base_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("oracle")
    (root / "site_settings.py").write_text(textwrap.dedent(SETTINGS))
    (root / "library" / "migrations").mkdir(parents=True)
    (root / "library" / "__init__.py").write_text("")
    (root / "library" / "migrations" / "__init__.py").write_text("")
    (root / "library" / "models.py").write_text(MODELS.lstrip())
    subprocess.run(
        [sys.executable, "-m", "django", "makemigrations", "library", "-v", "0"],
        cwd=root, env=_env(root), check=True, timeout=120,
    )  # fmt: skip
    return root


def django_ops(root: Path) -> Counter:
    out = subprocess.run(
        [sys.executable, "-c", AUTODETECT],
        cwd=root, env=_env(root), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return Counter(tuple(op) for op in json.loads(out.stdout) if op[0] == "library")


def djatlas_ops(root: Path, capsys) -> Counter:
    main(["migrations", str(root), "--check", "--no-cache", "-q", "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    return Counter(
        (o["app_label"], o["op"], o["model"], o["field"])
        for group in doc["changes"]
        for o in group["operations"]
    )


def test_unchanged_project_agrees(base_tree: Path, capsys) -> None:
    assert django_ops(base_tree) == Counter()
    assert djatlas_ops(base_tree, capsys) == Counter()


@pytest.mark.parametrize("case,edits", CASES, ids=[c[0] for c in CASES])
def test_edit_agrees_with_django(case: str, edits, base_tree: Path, tmp_path: Path, capsys):
    root = tmp_path / "tree"
    shutil.copytree(base_tree, root)
    models = root / "library" / "models.py"
    text = models.read_text()
    for old, new in edits:
        assert old in text, (case, old)
        text = text.replace(old, new)
    models.write_text(text)
    expected = django_ops(root)
    assert expected, f"{case}: the edit should need a migration"
    assert djatlas_ops(root, capsys) == expected, case
