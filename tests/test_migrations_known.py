"""Drift check on values known statically though not written as literals: class attributes of
project classes (``Choices.ACTIVE``) and keywords a project field class's ``__init__`` forces."""

from __future__ import annotations

import json
from pathlib import Path

from treeutil import write_tree

from djatlas.cli import main

SETTINGS = """
INSTALLED_APPS = ["django.contrib.contenttypes", "shop"]
"""
CHOICES = """
class ChoiceSet:
    CHOICES = list()


class BaseStatus(ChoiceSet):
    STATUS_ACTIVE = "active"


class StatusChoices(BaseStatus):
    STATUS_OFF = "off"
"""
SHOP_FIELDS = """
import enum

from django.db import models


class ColorField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 6
        super().__init__(*args, **kwargs)


class Level(enum.IntEnum):
    LOW = 1
"""
MODELS = """
from django.db import models

from shop import choices
from shop.choices import StatusChoices
from shop.fields import ColorField, Level


class Order(models.Model):
    status = models.CharField(max_length=20, default=StatusChoices.STATUS_ACTIVE)
    other = models.CharField(max_length=20, default=choices.StatusChoices.STATUS_OFF)
    color = ColorField(blank=True)
    level = models.IntegerField(default=Level.LOW)
"""
MIGRATION = """
from django.db import migrations, models
import shop.fields


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.AutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                )),
                ("status", models.CharField(default=%(status)r, max_length=20)),
                ("other", models.CharField(default="off", max_length=20)),
                ("color", shop.fields.ColorField(blank=True, max_length=%(length)d)),
                ("level", models.IntegerField(default=1)),
            ],
        ),
    ]
"""


def tree(root: Path, status: str = "active", length: int = 6) -> Path:
    return write_tree(
        root,
        {
            "site/__init__.py": "",
            "site/settings.py": SETTINGS,
            "shop/__init__.py": "",
            "shop/choices.py": CHOICES,
            "shop/fields.py": SHOP_FIELDS,
            "shop/models.py": MODELS,
            "shop/migrations/__init__.py": "",
            "shop/migrations/0001_initial.py": MIGRATION % {"status": status, "length": length},
        },
    )


def check(root: Path, capsys, *extra: str) -> tuple[int, dict]:
    code = main(["migrations", str(root), "--check", "--no-cache", "-q", "-f", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def changes(doc: dict) -> list[tuple[str, str | None]]:
    return sorted((o["op"], o["field"]) for g in doc["changes"] for o in g["operations"])


def test_report_holds_the_known_values(tmp_path: Path, capsys) -> None:
    tree(tmp_path)
    assert main(["scan", str(tmp_path), "-f", "json", "--no-cache", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    fields = {f["name"]: f for f in doc["models"][0]["fields"]}
    assert fields["status"]["known_params"] == {"default": "active"}
    assert fields["other"]["known_params"] == {"default": "off"}
    assert fields["color"]["known_params"] == {"max_length": 6}
    assert fields["level"]["known_params"] == {}  # an enum member is not its literal


def test_known_values_are_compared(tmp_path: Path, capsys) -> None:
    code, doc = check(tree(tmp_path), capsys)
    assert (code, changes(doc)) == (0, [])
    assert [n["field"] for n in doc["notes"]] == ["level"]


def test_a_changed_known_value_is_drift(tmp_path: Path, capsys) -> None:
    code, doc = check(tree(tmp_path, status="off", length=7), capsys)
    assert (code, changes(doc)) == (1, [("AlterField", "color"), ("AlterField", "status")])


def test_text_summarises_the_notes_unless_verbose(tmp_path: Path, capsys) -> None:
    tree(tmp_path)
    assert main(["migrations", str(tmp_path), "--check", "--no-cache", "-q"]) == 0
    out = capsys.readouterr().out
    assert "note: 1 field(s) partly not compared (cannot know statically)" in out
    assert "shop.order.level" not in out
    assert main(["migrations", str(tmp_path), "--check", "--no-cache", "-q", "-v"]) == 0
    assert "note: shop.order.level: cannot know statically: default" in capsys.readouterr().out
