"""Settings detection (entry points first, notes when defaults are assumed) and several Django
projects in one tree (one app registry each)."""

from __future__ import annotations

from treeutil import write_tree

from djatlas.scan import scan_path

_MODELS = """
    from django.db import models

    class Item(models.Model):
        name = models.CharField(max_length=8)
"""

#: ``proj.settings`` (a package star-importing ``base``) named by manage.py; the heuristic alone
#: would take ``proj.settings.test`` (most apps, star-imported by nobody).
SPLIT = {
    "manage.py": """
        import os
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
    """,
    "proj/__init__.py": "",
    "proj/wsgi.py": 'import os\nos.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings.test"\n',
    "proj/settings/__init__.py": "from proj.settings.base import *  # noqa\n",
    "proj/settings/base.py": 'INSTALLED_APPS = ["shop"]\n',
    "proj/settings/test.py": """
        from proj.settings.base import *
        INSTALLED_APPS += ["extra"]
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    """,
    "shop/__init__.py": "",
    "shop/models.py": _MODELS,
    "extra/__init__.py": "",
    "extra/models.py": _MODELS,
}

CLASS_BASED = {
    "manage.py": """
        import os
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
        os.environ.setdefault("DJANGO_CONFIGURATION", "Dev")
    """,
    "proj/__init__.py": "",
    "proj/settings.py": """
        from configurations import Configuration

        class Common(Configuration):
            INSTALLED_APPS = ["shop"]
            DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

        class Dev(Common):
            DEBUG = True
    """,
    "shop/__init__.py": "",
    "shop/models.py": _MODELS,
}


def _scan(tmp_path, files, **kw):
    return scan_path(str(write_tree(tmp_path, files)), use_cache=False, timing=False, **kw)


def _meta(doc):
    m = doc["metadata"]
    return m["settings_module"], m["settings_chosen_by"], m["settings_notes"]


def test_manage_py_names_the_settings_over_the_heuristic(tmp_path):
    doc = _scan(tmp_path, SPLIT)
    assert _meta(doc) == ("proj.settings", "manage.py", [])
    assert doc["metadata"]["default_auto_field"] == "django.db.models.AutoField"
    assert doc["projects"][0]["settings_module"] == "proj.settings"
    shop = next(a for a in doc["apps"] if a["label"] == "shop")
    assert shop["installed"] is True


def test_wsgi_assignment_names_the_settings(tmp_path):
    files = {k: v for k, v in SPLIT.items() if k != "manage.py"}
    doc = _scan(tmp_path, files)
    assert _meta(doc) == ("proj.settings.test", "proj/wsgi.py", [])
    assert doc["metadata"]["default_auto_field"] == "django.db.models.BigAutoField"


def test_heuristic_without_entry_points(tmp_path):
    files = {k: v for k, v in SPLIT.items() if k not in ("manage.py", "proj/wsgi.py")}
    doc = _scan(tmp_path, files)
    assert _meta(doc) == ("proj.settings.test", "heuristic", [])


def test_entry_point_naming_a_missing_module_is_noted(tmp_path):
    files = dict(SPLIT, **{"manage.py": 'environ.setdefault("DJANGO_SETTINGS_MODULE", "x.conf")'})
    files.pop("proj/wsgi.py")
    doc = _scan(tmp_path, files)
    assert _meta(doc) == (
        "proj.settings.test",
        "heuristic",
        ["manage.py names settings x.conf, which is not a module of the tree"],
    )


def test_class_based_settings_say_defaults_were_assumed(tmp_path):
    doc = _scan(tmp_path, CLASS_BASED)
    module, chosen_by, notes = _meta(doc)
    assert (module, chosen_by) == (None, None)
    assert notes == [
        "manage.py names settings proj.settings, but it holds class-based settings "
        "(django-configurations: Common; DJANGO_CONFIGURATION names Dev), which djatlas does "
        "not evaluate",
        "Django's defaults assumed: AUTH_USER_MODEL auth.User, DEFAULT_AUTO_FIELD "
        "django.db.models.AutoField, app labels from AppConfig classes and package names",
    ]
    assert doc["metadata"]["default_auto_field"] == "django.db.models.AutoField"
    item = doc["models"][0]
    assert item["label"] == "shop.Item"
    assert item["fields"][0]["django_type"] == "AutoField"


def test_class_based_settings_without_entry_point(tmp_path):
    files = dict(CLASS_BASED)
    files.pop("manage.py")
    _module, _by, notes = _meta(_scan(tmp_path, files))
    assert notes[0] == (
        "no settings module with INSTALLED_APPS was found; class-based settings "
        "(django-configurations) in proj.settings (Common) were not read: no manage.py, "
        "wsgi.py or asgi.py names them"
    )


def test_no_settings_says_defaults_were_assumed(tmp_path):
    from djatlas.render.markdown import RenderOptions, render

    doc = _scan(tmp_path, {"shop/__init__.py": "", "shop/models.py": _MODELS})
    module, chosen_by, notes = _meta(doc)
    assert (module, chosen_by) == (None, None)
    assert notes[0] == "no settings module with INSTALLED_APPS was found"
    text = render(doc, RenderOptions())
    assert "- **Settings Note**: no settings module with INSTALLED_APPS was found" in text
    assert "- **Settings Note**: Django&#39;s defaults" not in text  # plain text, not escaped
    assert "- **Settings Note**: Django's defaults assumed: AUTH_USER_MODEL auth.User" in text


def test_unreadable_explicit_settings_are_noted(tmp_path):
    files = dict(CLASS_BASED)
    files.pop("manage.py")
    doc = _scan(tmp_path, files, settings="proj.settings")
    module, chosen_by, notes = _meta(doc)
    assert (module, chosen_by) == ("proj.settings", "--settings")
    assert notes[0].startswith("--settings names settings proj.settings, but it holds class-based")
    assert len(notes) == 2 and notes[1].startswith("Django's defaults assumed")


def test_diff_takes_the_tree_options(tmp_path, capsys):
    from djatlas.cli import main

    files = {k: v for k, v in SPLIT.items() if k not in ("manage.py", "proj/wsgi.py")}
    old = write_tree(tmp_path / "old", files)
    test = files["proj/settings/test.py"].replace("BigAutoField", "SmallAutoField")
    new = write_tree(tmp_path / "new", dict(files, **{"proj/settings/test.py": test}))
    args = ["diff", str(old), str(new), "--no-cache", "-q"]
    # the heuristic reads proj.settings.test, whose DEFAULT_AUTO_FIELD changed
    assert main(args) == 1
    assert "shop.Item" in capsys.readouterr().out
    # proj.settings does not set it: nothing changed
    assert main([*args, "--settings", "proj.settings"]) == 0
    assert main([*args, "--settings", "proj.nope"]) == 2
    err = capsys.readouterr().err
    assert err == "djatlas: error: --settings proj.nope: no such module in the tree\n"
