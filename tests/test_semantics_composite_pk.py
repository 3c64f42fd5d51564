"""Django 5.2's composite primary key (``pk = models.CompositePrimaryKey("a", "b")``): the
model's primary key, named ``pk``, without a column and without the implicit ``id``; values as
real Django 5.2 reports them (``_meta.get_fields()``). ``djatlas check`` does not call its name
reserved (Django requires it), and a migration writing it compares equal to the model."""

from __future__ import annotations

from djatlas.checks import run_checks, select_rules
from djatlas.migrations.fields import from_call, from_report_field

FX_COMPOSITE = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["shop"]\n',
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models


        class Attachment(models.Model):
            pk = models.CompositePrimaryKey("kind", "id", "filename")
            kind = models.TextField()
            id = models.TextField()
            filename = models.TextField()
            size = models.IntegerField()
    """,
}


def test_the_composite_primary_key(project) -> None:
    s = project(FX_COMPOSITE)
    # Django 5.2: (name, type, column, primary_key, unique, null) of each field, in order
    assert [
        (f["name"], f["django_type"], f["column"], f["primary_key"], f["unique"], f["null"])
        for f in s.model("Attachment")["fields"]
    ] == [
        ("pk", "CompositePrimaryKey", None, True, True, False),
        ("kind", "TextField", "kind", False, False, False),
        ("id", "TextField", "id", False, False, False),
        ("filename", "TextField", "filename", False, False, False),
        ("size", "IntegerField", "size", False, False, False),
    ]
    assert s.field("Attachment", "pk")["params"] == {"field_names": ["kind", "id", "filename"]}


def test_its_name_is_not_reserved_to_check(project) -> None:
    s = project(FX_COMPOSITE)
    assert [f.code for f in run_checks(s.doc, select_rules(["DJ022"], None)).findings] == []
    field = s.field("Attachment", "size")
    field["name"] = "pk"  # another field named pk: Django's fields.E003
    assert [f.code for f in run_checks(s.doc, select_rules(["DJ022"], None)).findings] == ["DJ022"]


def test_a_migration_writing_it_compares_equal(project) -> None:
    """As makemigrations writes it: ``models.CompositePrimaryKey('kind', 'id', 'filename',
    blank=True, editable=False, primary_key=True, serialize=False)``."""
    s = project(FX_COMPOSITE)
    written = {
        "$call": "django.db.models.CompositePrimaryKey",
        "args": ["kind", "id", "filename"],
        "kwargs": {"blank": True, "editable": False, "primary_key": True, "serialize": False},
    }
    migration = from_call(written)
    model = from_report_field(s.field("Attachment", "pk"), "shop.attachment")
    assert migration is not None and migration.kwargs == model.kwargs
