"""The scope stage: with a settings module named by manage.py (or --settings), only what
``django.setup()`` imports is read; the rest is listed as not imported by the project."""

from __future__ import annotations

from pathlib import Path

from treeutil import write_tree

from djatlas.pipeline.scope import _IMPORT, OUTSIDE, import_statements, imported_names
from djatlas.scan import scan_path

MANAGE = """
    import os
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_cfg.settings")
"""
TREE = {
    "manage.py": MANAGE,
    "site_cfg/__init__.py": "",
    "site_cfg/settings.py": """
        from .base import *
        INSTALLED_APPS = BASE_APPS + ["shop.apps.ShopConfig", "blog"]
    """,
    "site_cfg/base.py": "BASE_APPS = ['django.contrib.auth']\n",
    "shop/__init__.py": "",
    "shop/apps.py": """
        from django.apps import AppConfig

        class ShopConfig(AppConfig):
            name = "shop"
    """,
    "shop/models.py": """
        from django.db import models
        from common.mixins import (
            Stamped,  # a comment
        )

        class Product(Stamped):
            name = models.CharField(max_length=10)
    """,
    "common/__init__.py": "",
    "common/mixins.py": """
        from django.db import models

        class Stamped(models.Model):
            created = models.DateTimeField()

            class Meta:
                abstract = True
    """,
    "blog/__init__.py": "",
    "blog/models/__init__.py": "from .post import Post\n",
    "blog/models/post.py": """
        from django.db import models

        class Post(models.Model):
            title = models.CharField(max_length=10)
    """,
    "scripts/__init__.py": "",
    "scripts/stray.py": """
        from django.db import models

        class Stray(models.Model):
            x = models.IntegerField()
    """,
    "scripts/broken.py": "x = 1\x00\n",
}


def _files(doc: dict) -> dict[str, dict]:
    return {f["path"]: f for f in doc["files"]}


def test_imported_names() -> None:
    src = (
        b"import os, a.b as c\nfrom . import sib\nfrom ..up import (x,\n  y as z,  # c\n)\n"
        b"    from pkg.sub import thing\nfrom long \\\n  import w\nfrom .. import *\n"
    )
    names = imported_names(src, "top.mid.mod", False)
    assert names == [
        "os",
        "a.b",
        "top.mid",
        "top.mid.sib",
        "top.up",
        "top.up.x",
        "top.up.y",
        "pkg.sub",
        "pkg.sub.thing",
        "long",
        "long.w",
        "top",
    ]
    assert imported_names(b"from . import m\n", "top.pkg", True) == ["top.pkg", "top.pkg.m"]
    assert imported_names(b"from ... import m\n", "top", False) == []


def test_import_statements_are_the_regex_matches() -> None:
    """Found from each literal ``import``, the statements are those of the regex tried at every
    line start: ``import`` inside names, strings and comments, statements that span lines or
    share one, unclosed parentheses."""
    sources = [
        b"import os",
        b"from importlib import import_module\nimporter = 1\nx = 'import y'\n",
        b"from a import (b,\n  c)  # import d\nimport e; import f\n",
        b"from a import (b\nimport c\n",
        b"from a import (b\nimport c\nx = (1)\n",
        b"def f():\n    from .. import g\n    # import h\n  import  i.j as k\n",
        b"from long \\\n  import w\nfrom x import y",
        b"y = 2\n\tfrom\t.m import n\n\nimport",
    ]
    for data in sources:
        joined = data.replace(b"\\\n", b" ")
        expected = [m.group(0) for m in _IMPORT.finditer(b"\n" + joined)]
        assert [m.group(0) for m in import_statements(data)] == expected, data
    assert len(import_statements(sources[2])) == 2  # "import e; import f" is one line
    assert import_statements(b"x = 'import'\n") == []


def test_only_what_the_settings_import_is_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    doc = scan_path(str(root), use_cache=False, timing=False)
    labels = sorted(m["label"] for m in doc["models"])
    assert labels == ["blog.Post", "common.Stamped", "shop.Product"]
    product = next(m for m in doc["models"] if m["name"] == "Product")
    assert [f["name"] for f in product["fields"]] == ["id", "created", "name"]
    files = _files(doc)
    for rel in ("scripts/stray.py", "scripts/broken.py", "manage.py"):
        assert (files[rel]["status"], files[rel]["reason"]) == ("not_needed", OUTSIDE), rel
    assert files["common/mixins.py"]["status"] == "parsed"
    assert doc["summary"]["files_failed"] == 0

    everything = scan_path(str(root), use_cache=False, timing=False, all_files=True)
    assert "Stray" in {m["name"] for m in everything["models"]}
    assert _files(everything)["scripts/broken.py"]["status"] == "failed"
    assert not any(f["reason"] == OUTSIDE for f in everything["files"])


def test_models_modules_are_read_even_outside(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {**TREE, "legacy/models.py": "class X(:\n"})
    doc = scan_path(str(root), use_cache=False, timing=False)
    assert _files(doc)["legacy/models.py"]["status"] == "failed"


def test_the_whole_tree_without_a_usable_settings_module(tmp_path: Path) -> None:
    no_entry = {k: v for k, v in TREE.items() if k != "manage.py"}
    unevaluated = {**TREE, "site_cfg/settings.py": "INSTALLED_APPS = get_apps()\n"}
    for files in (no_entry, unevaluated):
        root = write_tree(tmp_path / str(len(files)) / "proj", files)
        doc = scan_path(str(root), use_cache=False, timing=False)
        assert "Stray" in {m["name"] for m in doc["models"]}
        assert not any(f["reason"] == OUTSIDE for f in doc["files"])


def test_several_projects_each_follow_their_settings(tmp_path: Path) -> None:
    files = {f"one/{k}": v for k, v in TREE.items()}
    files.update(
        {
            "two/manage.py": MANAGE.replace("site_cfg.settings", "svc.settings"),
            "two/svc/__init__.py": "",
            "two/svc/settings.py": "INSTALLED_APPS = ['vendor']\n",
            "two/vendor/__init__.py": "",
            "two/vendor/models.py": "from django.db import models\nfrom vendor.base import Base\n",
            "two/vendor/base.py": """
            from django.db import models

            class Base(models.Model):
                y = models.IntegerField()
        """,
        }
    )
    root = write_tree(tmp_path / "mono", files)
    doc = scan_path(str(root), use_cache=False, timing=False)
    names = {m["name"] for m in doc["models"]}
    assert {"Post", "Product", "Base"} <= names and "Stray" not in names
    assert _files(doc)["two/vendor/base.py"]["status"] == "parsed"


def test_imports_after_a_semicolon() -> None:
    src = (
        b"import e; import f\nfrom a import b; from c import d  # x; import z\n"
        b"import pdb; pdb.set_trace()\n"
    )
    assert imported_names(src, "m", False) == ["e", "f", "a", "a.b", "c", "c.d", "pdb"]


def test_the_closure_follows_imports_after_a_semicolon(tmp_path: Path) -> None:
    models = TREE["shop/models.py"].replace(
        "from django.db import models\n",
        "from django.db import models\nimport os; import scripts.broken\n",
        1,
    )
    root = write_tree(tmp_path / "proj", {**TREE, "shop/models.py": models})
    files = _files(scan_path(str(root), use_cache=False, timing=False))
    assert files["scripts/broken.py"]["status"] == "failed"  # read: reached by the closure
    assert files["scripts/stray.py"]["reason"] == OUTSIDE


def test_a_statement_is_remembered_only_where_it_means_the_same_files() -> None:
    from djatlas.pipeline.scope import Closure
    from djatlas.resolve.layout import Layout

    tree = {
        "a/__init__.py": b"",
        "a/x.py": b"from .m import helper\n",
        "a/m.py": b"",
        "b/__init__.py": b"",
        "b/y.py": b"from .m import helper\nfrom ... import top\n",
        "b/m.py": b"import a.z\n",
        "a/z.py": b"",
        "c/__init__.py": b"",
        "c/d/__init__.py": b"",
        "c/d/e.py": b"from ...b.m import helper\n",
        "top.py": b"from . import a\n",
    }
    packages = {"a", "b", "c", "c/d"}

    def closure_of(*modules: str) -> set[str]:
        closure = Closure(Layout(None, sorted(tree), packages), tree.__getitem__)
        for name in modules:
            closure.add_module(name)
        return closure.files

    # the same relative text in two packages: each package's own module
    assert closure_of("a.x", "b.y") == {"a/__init__.py", "a/x.py", "a/m.py"} | {
        "b/__init__.py",
        "b/y.py",
        "b/m.py",
        "a/z.py",
    }
    # a relative import above the top package reaches nothing; one in a top module works
    assert "top.py" not in closure_of("b.y")
    assert closure_of("top") == {"top.py", "a/__init__.py"}
    # written relatively three levels up: the same module as the absolute name
    assert closure_of("c.d.e", "b.y") >= {"b/m.py", "a/z.py", "c/d/e.py"}
