"""A small tree whose models and migrations are in sync (``library``: Author, Book), for the
tests of what joins the migrations with the other views (check DJ027, diff, scan
--migrations, the MCP drift tool)."""

from __future__ import annotations

from pathlib import Path

from treeutil import write_tree

MODELS = """
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
"""

INITIAL = """
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Author",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
            ],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200)),
                ("author", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="books", to="library.author")),
            ],
        ),
    ]
"""  # noqa: E501

#: the migration that brings SUBTITLE
SECOND = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name="book",
            name="subtitle",
            field=models.CharField(blank=True, max_length=100),
        ),
    ]
"""
SUBTITLE = "    subtitle = models.CharField(max_length=100, blank=True)\n"

SETTINGS = """
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "library"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""


def library_tree(root: Path) -> Path:
    """The tree in sync: one initial migration."""
    return write_tree(
        root,
        {
            "site/__init__.py": "",
            "site/settings.py": SETTINGS,
            "library/__init__.py": "",
            "library/models.py": MODELS,
            "library/migrations/__init__.py": "",
            "library/migrations/0001_initial.py": INITIAL,
        },
    )


def add_subtitle(root: Path, with_migration: bool) -> None:
    """Give Book a ``subtitle`` field, with or without the migration that adds it."""
    models = root / "library/models.py"
    text = models.read_text()
    anchor = "    title = models.CharField(max_length=200)\n"
    models.write_text(text.replace(anchor, anchor + SUBTITLE))
    if with_migration:
        write_tree(root, {"library/migrations/0002_book_subtitle.py": SECOND})
