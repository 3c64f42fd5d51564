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


def test_a_commented_out_settings_name_is_no_name(tmp_path):
    # Django's old wsgi.py template (taiga): the commented line names other settings
    wsgi = (
        "import os\n"
        '# os.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings.test"\n'
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")  # the real one\n'
    )
    files = {k: v for k, v in SPLIT.items() if k != "manage.py"}
    doc = _scan(tmp_path, {**files, "proj/wsgi.py": wsgi})
    assert _meta(doc) == ("proj.settings", "proj/wsgi.py", [])


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


def test_class_based_settings_are_read(tmp_path):
    # django-configurations: the class DJANGO_CONFIGURATION names gives the settings (here
    # through its base), as Configuration.setup() exports them
    doc = _scan(tmp_path, CLASS_BASED)
    assert _meta(doc) == ("proj.settings", "manage.py", [])
    assert doc["metadata"]["default_auto_field"] == "django.db.models.BigAutoField"
    item = doc["models"][0]
    assert item["label"] == "shop.Item"
    assert item["fields"][0]["django_type"] == "BigAutoField"
    shop = next(a for a in doc["apps"] if a["label"] == "shop")
    assert shop["installed"] is True


def test_class_based_settings_extending_a_base_class_s(tmp_path):
    # a subclass's INSTALLED_APPS = Common.INSTALLED_APPS + [...] (django-configurations' way)
    files = dict(CLASS_BASED)
    files["proj/settings.py"] = CLASS_BASED["proj/settings.py"].replace(
        "DEBUG = True", 'INSTALLED_APPS = Common.INSTALLED_APPS + ["extra"] + ("more",)'
    )
    files["extra/__init__.py"] = ""
    files["extra/models.py"] = _MODELS
    doc = _scan(tmp_path, files)
    assert _meta(doc) == ("proj.settings", "manage.py", [])
    installed = {a["label"]: a["installed"] for a in doc["apps"]}
    assert installed["shop"] is True and installed["extra"] is True
    assert doc["metadata"]["default_auto_field"] == "django.db.models.BigAutoField"


def test_class_based_settings_not_literal_say_defaults_were_assumed(tmp_path):
    files = dict(CLASS_BASED)
    files["proj/settings.py"] = CLASS_BASED["proj/settings.py"].replace(
        "DEBUG = True", "INSTALLED_APPS = get_apps()"
    )
    doc = _scan(tmp_path, files)
    module, chosen_by, notes = _meta(doc)
    assert (module, chosen_by) == (None, None)
    assert notes == [
        "manage.py names settings proj.settings, but it holds class-based settings (Common, Dev; "
        "DJANGO_CONFIGURATION names Dev, as with django-configurations), which djatlas does not "
        "evaluate",
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
        "(django-configurations) in proj.settings (Common, Dev) were not read: no manage.py, "
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


def _service(name: str, apps: str, extra: str) -> dict[str, str]:
    root = f"svc-{name}"
    return {
        f"{root}/manage.py": f'environ.setdefault("DJANGO_SETTINGS_MODULE", "svc_{name}.settings")',
        f"{root}/svc_{name}/__init__.py": "",
        f"{root}/svc_{name}/settings.py": f"INSTALLED_APPS = {apps}\n",
        f"{root}/vendor/__init__.py": "",
        f"{root}/vendor/models.py": """
            from django.db import models

            class Tag(models.Model):
                name = models.CharField(max_length=8)

            class Item(models.Model):
                tag = models.ForeignKey("%s", on_delete=models.CASCADE)
        """
        % ("vendor.Tag" if name == "a" else "Tag"),
        f"{root}/extra/__init__.py": "",
        f"{root}/extra/models.py": """
            from django.db import models

            class Thing(models.Model):
                item = models.ForeignKey("vendor.Item", on_delete=models.CASCADE)
        """,
        **extra,
    }


#: Two Django projects in one tree, both with a ``vendor`` app (``vendor.Tag``, ``vendor.Item``)
#: and an ``extra`` package whose AppConfig exists (label ``bonus``) in the second only.
TWO_PROJECTS = {
    **_service(
        "a",
        '["vendor", "extra"]\nDEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"',
        {},
    ),
    **_service(
        "b",
        '["vendor", "extra.apps.ExtraConfig"]',
        {
            "svc-b/extra/apps.py": """
                from django.apps import AppConfig

                class ExtraConfig(AppConfig):
                    name = "extra"
                    label = "bonus"
            """
        },
    ),
}


def test_each_project_has_its_own_registry(tmp_path):
    doc = _scan(tmp_path, TWO_PROJECTS)
    assert [(p["name"], p["root"], p["settings_module"]) for p in doc["projects"]] == [
        ("svc_a", "svc-a", "svc_a.settings"),
        ("svc_b", "svc-b", "svc_b.settings"),
    ]
    by_id = {m["id"]: m for m in doc["models"]}
    assert {i: (m["label"], m["project"]) for i, m in by_id.items()} == {
        "svc-a/vendor.models.Tag": ("vendor.Tag", "svc_a"),
        "svc-a/vendor.models.Item": ("vendor.Item", "svc_a"),
        "svc-a/extra.models.Thing": ("extra.Thing", "svc_a"),
        "svc-b/vendor.models.Tag": ("vendor.Tag", "svc_b"),
        "svc-b/vendor.models.Item": ("vendor.Item", "svc_b"),
        "svc-b/extra.models.Thing": ("bonus.Thing", "svc_b"),
    }
    assert by_id["svc-b/extra.models.Thing"]["db_table"] == "bonus_thing"
    ids = {i: m["fields"][0]["django_type"] for i, m in by_id.items()}
    assert ids["svc-a/vendor.models.Tag"] == "BigAutoField"
    assert ids["svc-b/vendor.models.Tag"] == "AutoField"


def test_string_targets_and_reverse_relations_stay_in_their_project(tmp_path):
    doc = _scan(tmp_path, TWO_PROJECTS)
    by_id = {m["id"]: m for m in doc["models"]}

    def target(model_id, field):
        f = next(f for f in by_id[model_id]["fields"] if f["name"] == field)
        return f["relation"]["target"], f["relation"]["target_id"]

    for svc in ("a", "b"):
        root = f"svc-{svc}"
        assert target(f"{root}/vendor.models.Item", "tag") == (
            "vendor.Tag",
            f"{root}/vendor.models.Tag",
        )
        assert target(f"{root}/extra.models.Thing", "item") == (
            "vendor.Item",
            f"{root}/vendor.models.Item",
        )
        reverse = by_id[f"{root}/vendor.models.Tag"]["reverse_relations"]
        assert [(r["name"], r["model_id"]) for r in reverse] == [
            ("item_set", f"{root}/vendor.models.Item")
        ]


def test_queries_key_twins_by_id(tmp_path):
    import pytest

    from djatlas.query import QueryError
    from djatlas.query.atlas import Atlas
    from djatlas.query.impact import deletable, impact
    from djatlas.query.show import show

    atlas = Atlas(_scan(tmp_path, TWO_PROJECTS))
    with pytest.raises(QueryError) as exc:
        atlas.resolve("vendor.Tag")
    assert str(exc.value) == (
        "model 'vendor.Tag' is ambiguous: svc-a/vendor.models.Tag, svc-b/vendor.models.Tag"
    )
    assert atlas.resolve("bonus.Thing") == "bonus.Thing"  # a unique label stays the key
    assert atlas.resolve("svc-b/vendor.models.Tag") == "svc-b/vendor.models.Tag"
    shown = show(atlas, "svc-b/vendor.models.Tag")
    assert shown["fields"][1]["name"] == "name"
    assert [(r["model"], r["field"]) for r in shown["incoming"]] == [
        ("svc-b/vendor.models.Item", "tag")
    ]
    assert impact(atlas, "svc-a/vendor.models.Tag")["cascade"] == [
        "extra.Thing",
        "svc-a/vendor.models.Item",
    ]
    assert impact(atlas, "svc-b/vendor.models.Tag")["cascade"] == [
        "bonus.Thing",
        "svc-b/vendor.models.Item",
    ]
    assert len(deletable(atlas)) == 6


def test_filter_document_keeps_models_and_apps_by_id(tmp_path):
    from djatlas.render import RenderOptions
    from djatlas.render.filters import filter_document

    doc = _scan(tmp_path, TWO_PROJECTS)
    out = filter_document(doc, RenderOptions(model="svc-a/vendor.models.Tag", depth=1))
    assert [m["id"] for m in out["models"]] == [
        "svc-a/vendor.models.Tag",
        "svc-a/vendor.models.Item",
    ]
    assert [(a["label"], a["project"], a["model_ids"]) for a in out["apps"]] == [
        ("vendor", "svc_a", ["svc-a/vendor.models.Tag", "svc-a/vendor.models.Item"])
    ]
    assert out["metadata"]["filter"]["related_outside"] == ["extra.Thing"]


def test_markdown_groups_results_by_project(tmp_path):
    import re

    from djatlas.render import RenderOptions
    from djatlas.render.markdown import render

    text = render(_scan(tmp_path, TWO_PROJECTS), RenderOptions())
    contents = text.split("## Contents\n\n", 1)[1].split("\n\n", 1)[0]
    assert contents.splitlines() == [
        "- *Project svc_a* (3)",
        "  - **extra** (1): [Thing](#thing-extra)",
        "  - **vendor** (2): [Item](#item-vendor), [Tag](#tag-vendor)",
        "- *Project svc_b* (3)",
        "  - **bonus** (1): [Thing](#thing-bonus)",
        "  - **vendor** (2): [Item](#item-vendor-1), [Tag](#tag-vendor-1)",
    ]
    headings = re.findall(r"^(#{3,4}) (.*)$", text, flags=re.M)
    assert headings == [
        ("###", "Project svc_a"),
        ("####", "Thing (extra)"),
        ("####", "Item (vendor)"),
        ("####", "Tag (vendor)"),
        ("###", "Project svc_b"),
        ("####", "Thing (bonus)"),
        ("####", "Item (vendor)"),
        ("####", "Tag (vendor)"),
    ]
    assert "##### Fields" in text and "\n#### Fields" not in text
    assert (
        "### Project svc_b\n\n- **Settings Module**: `svc_b.settings`\n- **Path**: `svc-b`\n"
        in text
    )


def test_markdown_with_one_project_has_no_project_headings(tmp_path):
    from djatlas.render import RenderOptions
    from djatlas.render.markdown import render

    text = render(_scan(tmp_path, SPLIT), RenderOptions())
    assert "Project" not in text
    assert "\n### Item (extra)\n" in text and "\n#### Fields\n" in text
    assert "- **extra** (1): [Item](#item-extra)" in text


def test_check_follows_targets_by_id(tmp_path):
    from djatlas.checks import run_checks

    files = dict(TWO_PROJECTS)
    # svc-b's Tag has a field named like the reverse accessor its Item gives it (a clash there)
    files["svc-b/vendor/models.py"] = files["svc-b/vendor/models.py"].replace(
        "name = models.CharField(max_length=8)", "item_set = models.CharField(max_length=8)"
    )
    result = run_checks(_scan(tmp_path, files))
    clashes = [(f.model_id, f.field) for f in result.findings if f.code == "DJ006"]
    assert clashes == [("svc-b/vendor.models.Item", "tag")]


def test_entry_points_are_the_paths_with_an_entry_point_name() -> None:
    """Found in the joined paths: the same as checking each path's file name, by entry point
    then path."""
    from djatlas.pipeline.graphing import _ENTRY_POINTS, _entry_points

    paths = [
        "manage.py",
        "b/wsgi.py",
        "a/wsgi.py",
        "x/tax_manage.py",
        "x/manage.py.bak",
        "y/asgi.py",
        "y/manage.py",
        "z.manage.py",
        "wsgi.pyi",
        "deep/er/asgi.py",
        "managewsgi.py",
    ]
    for relpaths in (paths, paths[::-1], [], ["asgi.py"], ["x/asgi.py", "asgi.py"]):
        names = [r for r in relpaths if r.rsplit("/", 1)[-1] in _ENTRY_POINTS]
        expected = sorted(names, key=lambda r: (_ENTRY_POINTS.index(r.rsplit("/", 1)[-1]), r))
        assert _entry_points(relpaths) == expected, relpaths


def test_settings_built_from_other_modules_values(tmp_path):
    # plane's split settings: ``INSTALLED_APPS = INSTALLED_APPS + [...]`` after a star import
    # (and the other ways to write it) keeps the apps the base gave; only ``+=`` used to
    variants = {
        "plus": "from .base import *\nINSTALLED_APPS = INSTALLED_APPS + ['extra']\n",
        "splat": "from .base import *\nINSTALLED_APPS = [*INSTALLED_APPS, 'extra']\n",
        "copy": "from .base import *\nINSTALLED_APPS = list(INSTALLED_APPS)\n"
        "INSTALLED_APPS.append('extra')\n",
        "alias": "from .base import INSTALLED_APPS as A\nINSTALLED_APPS = list(A) + ['extra']\n",
        "named": "from .base import INSTALLED_APPS, DEFAULT_AUTO_FIELD as AUTO\n"
        "INSTALLED_APPS = INSTALLED_APPS + ('extra',)\nDEFAULT_AUTO_FIELD = AUTO\n",
    }
    files = {
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
        "proj/settings/base.py": 'INSTALLED_APPS = ["shop"]\n'
        'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n',
        "shop/__init__.py": "",
        "shop/models.py": _MODELS,
        "extra/__init__.py": "",
        "extra/models.py": _MODELS,
    }
    files.update({f"proj/settings/{name}.py": text for name, text in variants.items()})
    write_tree(tmp_path, files)
    for name in variants:
        doc = scan_path(
            str(tmp_path), timing=False, use_cache=False, settings=f"proj.settings.{name}"
        )
        installed = {a["name"]: a["installed"] for a in doc["apps"]}
        assert installed == {"shop": True, "extra": True}, name
        assert not doc["metadata"]["settings_notes"], name
    pk = [m for m in doc["models"] if m["label"] == "shop.Item"][0]["fields"][0]
    assert pk["django_type"] == "BigAutoField"  # (the last variant's)
