"""The scope stage: with a settings module named by manage.py (or --settings), only what
``django.setup()`` imports is read; the rest is listed as not imported by the project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.pipeline import scope
from djatlas.pipeline.scope import (
    _STATEMENT,
    OUTSIDE,
    import_statements,
    imported_names,
    statements,
)
from djatlas.scan import scan_path

_IMPORT = re.compile(_STATEMENT)  # one statement (the scan matches runs of them)

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
        b"import a\nimport b.c as d\n\n# import e\nfrom f import *\nfrom . import (g,  # h)\n i)\n",
        b"import a; from .b import c\nfrom ...... import d\nfrom x import y\\\n, z\n",
        b'"""\nfrom a import b\n  import c\n"""\nfrom d import (e\n',
        b"from a import b\rimport c\nfrom\ta\timport\t(b)import c\nimport\n",
        b"  from . import (a,\n b)\nimport c\n",  # the first line: no newline before it
        b"importer = 1\nimport z",
        b"x = 1  # import\n import y\n",
        b"from a import (b)  # c\nimport d\n",
        b"import a; import b\nimport c",
    ]
    for data in sources:
        joined = data.replace(b"\\\n", b" ")
        found = [(m[0], *(g or b"" for g in m.groups())) for m in _IMPORT.finditer(b"\n" + joined)]
        assert import_statements(data) == found, data
    assert len(import_statements(sources[2])) == 2  # "import e; import f" is one line
    for data in sources:  # the closure looks for a ";" in a statement only when told to
        found, semi = statements(data)
        assert semi or not any(b";" in parts[0] for parts in found), data
    assert statements(b"# a; b\nimport c\nx = 1; y = 2\n") == (
        [(b"\nimport c", *[b""] * 2, b"import c")],
        False,
    )
    assert import_statements(b"x = 'import'\n") == []
    # The possessive repeats match what plain greedy ones would.
    greedy = re.compile(
        rb"\n[ \t]*(?:from[ \t]+(\.*[0-9A-Za-z_.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n]*)"
        rb"|(import[ \t]+[^\n]*))"
    )
    sources += [
        b"from  import x\nfrom .a.b  import\t(c)\nimport \t y.z\n",
        b"from a.b-c import d\n",
    ]
    for data in sources:
        text = b"\n" + data
        assert [m.span() for m in _IMPORT.finditer(text)] == [
            m.span() for m in greedy.finditer(text)
        ], data
        assert _IMPORT.findall(text) == greedy.findall(text), data


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


NASTY = {
    "app/__init__.py": b"from . import signals  # noqa: F401\nfrom .models import Thing\n",
    "app/signals.py": b"import app.handlers as h; from . import tasks\nimport os;import app.gone\n",
    "app/handlers.py": b"",
    "app/tasks.py": b'"""Docs.\n\nfrom app import secret\n"""\nx = "import app.quoted"\n',
    "app/secret.py": b"",
    "app/quoted.py": b"",
    "app/gone.py": b"",
    "app/models/__init__.py": (
        b"from .base import *\nfrom ..util import (\n    helpers,  # import words, a comma\n"
        b"    Other as O,\n)\n\n\n# from app import commented\nfrom nspkg import sub, Missing\n"
    ),
    "app/models/base.py": b"def f():\n    from .... import nothing\n    from ...top import x\n",
    "app/commented.py": b"",
    "app/util/__init__.py": b"from app.util import *\n",
    "app/util/helpers.py": b"from long \\\n    import cont\nfrom common import x\n",
    "long/__init__.py": b"",
    "long/cont.py": b"from common.x import y\n",
    "top.py": b"from . import long\n",
    "lib/nspkg/sub.py": b"",
    "lib/nspkg/other.py": b"",
    "one/common/__init__.py": b"",
    "one/common/x.py": b"",
    "two/common/__init__.py": b"",
    "two/common/x.py": b"from .. import nothing\nfrom . import x  ;  from .x import z\n",
    "two/user.py": b"from common import x\n",
    # the same relative texts in sibling packages (one anchor), above and at a package with
    # submodules, a submodule and a mere name imported alike, a top module's relative base
    "site/__init__.py": b"LIMIT = 1\n",
    "site/shared/__init__.py": b"from . import LIMIT, tools  # LIMIT: a name, tools: a file\n",
    "site/shared/tools.py": b"",
    "site/shared/LIMIT.py": b"",
    "site/shared/unused.py": b"",
    "site/a/__init__.py": b"",
    "site/a/m.py": b"from ..shared import tools, LIMIT\nfrom .. import shared\n",
    "site/b/__init__.py": b"",
    "site/b/m.py": b"from ..shared import tools, LIMIT\nfrom ..shared import unused\n",
    "site/b/n.py": b"from ..shared import tools, LIMIT;from . import m\n",
    "solo.py": b"from .long import cont\nfrom .site import b\nfrom .. import above\n",
}
NASTY_PACKAGES = {"app", "app/models", "app/util", "long", "one/common", "two/common"}
NASTY_PACKAGES |= {"site", "site/shared", "site/a", "site/b"}


def _reference_closure(modules: list[str]) -> set[str]:
    """The closure by its definition: every dotted name ``imported_names`` gives, with its
    packages, looked up from the importing file (the lines that run when a module is imported:
    an ``apps`` module's functions too)."""
    from djatlas.resolve.layout import Layout

    layout = Layout(None, sorted(NASTY), NASTY_PACKAGES)
    files: set[str] = set()
    todo: list[str] = []

    def reach(name: str, near: str | None) -> None:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            rel = layout.lookup(".".join(parts[:i]), near)
            if rel is not None:
                todo.append(rel)

    for name in modules:
        reach(name, None)
    while todo:
        rel = todo.pop()
        if rel not in files:
            files.add(rel)
            module, is_package = layout.module_of[rel], layout.is_package(rel)
            apps = module.rpartition(".")[2] == "apps"
            for name in imported_names(NASTY[rel], module, is_package, apps):
                reach(name, rel)
    return files


def test_the_closure_is_what_the_imported_names_reach() -> None:
    """Statements remembered by text, names skipped once reached, ``from`` names split only
    when the module has submodules: the same files as following every imported name."""
    from djatlas.pipeline.scope import Closure
    from djatlas.resolve.layout import Layout

    starts = [["app"], ["app.models.base"], ["two.user"], ["top"], ["two.common.x", "app"]]
    starts += [["site.a.m", "site.b.m"], ["site.b.n", "site.a.m"], ["solo", "site.b.m"]]
    starts += [[name] for name in Layout(None, sorted(NASTY), NASTY_PACKAGES).files_of]
    for modules in starts:
        closure = Closure(Layout(None, sorted(NASTY), NASTY_PACKAGES), NASTY.__getitem__)
        for name in modules:
            closure.add_module(name)
        assert closure.files == _reference_closure(modules), modules
    app = _reference_closure(["app"])
    assert {"app/secret.py", "app/gone.py", "lib/nspkg/sub.py", "one/common/x.py"} <= app
    assert {"app/quoted.py", "app/commented.py", "lib/nspkg/other.py"}.isdisjoint(app)
    site = _reference_closure(["site.a.m"])
    assert {"site/shared/tools.py", "site/shared/LIMIT.py"} <= site
    assert "site/shared/unused.py" not in site
    assert "site/shared/unused.py" in _reference_closure(["site.a.m", "site.b.m"])
    assert {"long/cont.py", "site/b/__init__.py"} <= _reference_closure(["solo"])


def test_children_are_the_names_candidates_answers() -> None:
    from djatlas.resolve.layout import Layout

    layout = Layout(None, sorted(NASTY), NASTY_PACKAGES)
    stems = {rel[:-3].replace("/__init__", "").rpartition("/")[2] for rel in NASTY}
    names = set(layout.files_of) | {"nspkg", "lib.nspkg", "common", "x.common", "os", "app.x"}
    for name in names:
        found = {w for w in stems | {"Missing"} if layout.candidates(f"{name}.{w}")}
        assert found <= layout.children(name), name
    assert layout.children("nspkg") == {"sub", "other"}
    assert layout.children("app.models") == {"base"}
    assert not layout.children("app.models.base")


def test_namespace_candidates_are_the_files_whose_path_ends_with_the_name() -> None:
    """``Layout.candidates`` of a dotted name no module has: every file whose path (without
    ``/__init__``) ends with the name's parts, found from the children's index (before or
    after it is built for ``children``), never a folder name holding a dot."""
    from djatlas.resolve.layout import Layout

    files = sorted(NASTY) + ["lib/a.b/c.py", "deep/lib/nspkg/sub/__init__.py", "x/json/y.py"]
    names = {"nspkg.sub", "lib.nspkg.sub", "nspkg.other", "a.b.c", "b.c", "json.y", "common.x"}
    names |= {"nspkg.missing", "app.models.base", "lib.nspkg", "os.path", "deep.lib.nspkg.sub"}

    def ends_with(rel: str, want: list[str]) -> bool:
        parts = rel[:-3].split("/")
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        return parts[-len(want) :] == want

    for first in ("children", "candidates"):
        layout = Layout(None, files, NASTY_PACKAGES)
        if first == "children":
            layout.children("app")
        for name in sorted(names):
            want = name.split(".")
            expected = layout.files_of.get(name) or (
                [] if want[0] in {"os", "json"} else sorted(r for r in files if ends_with(r, want))
            )
            assert layout.candidates(name) == expected, (first, name)
    assert layout.candidates("nspkg.sub") == ["deep/lib/nspkg/sub/__init__.py", "lib/nspkg/sub.py"]
    assert layout.candidates("a.b.c") == []


def _children_by_definition(layout) -> dict[str, set[str]]:
    """Every module name's last part under its parent, and every folder's modules' last
    parts under each dotted end of its path (not starting with a stdlib name)."""
    import sys

    kids: dict[str, set[str]] = {}
    for name in layout.files_of:
        parent, _, last = name.rpartition(".")
        kids.setdefault(parent, set()).add(last)
    for rel in layout.module_of:
        folder, _, stem = rel[:-3].rpartition("/")
        if stem == "__init__":
            folder, _, stem = folder.rpartition("/")
        parts = folder.split("/") if folder else []
        for i in range(len(parts)):
            if parts[i] not in sys.stdlib_module_names:
                kids.setdefault(".".join(parts[i:]), set()).add(stem)
    return kids


def test_the_children_index_is_what_the_module_names_and_folders_give(tmp_path: Path) -> None:
    """Built from each folder's stems: stems and folders holding dots, stdlib-named folders,
    packages without modules, a root ``__init__``, a scanned folder inside a package."""
    from djatlas.resolve.layout import Layout

    files = sorted(NASTY) + ["lib/a.b/c.py", "x/json/y.py", "app/x.y.py", "x.y.py", "__init__.py"]
    files += ["empty/__init__.py", "empty/sub/__init__.py", "deep/json/__init__.py"]
    packages = NASTY_PACKAGES | {"empty", "empty/sub", "deep/json"}
    (tmp_path / "outer" / "inner").mkdir(parents=True)
    (tmp_path / "outer" / "__init__.py").write_text("")
    for root, extra in ((None, set()), (None, {""}), (str(tmp_path / "outer" / "inner"), {""})):
        layout = Layout(root, files, packages | extra)
        assert layout.children_index() == _children_by_definition(layout), (root, extra)
        assert layout.children("app") >= {"x.y", "models", "signals"}  # the folder rule


def test_children_found_per_name_are_the_index_answers(tmp_path: Path) -> None:
    """Without the children's index (a process asking for a few names: ``Layout._by_name``),
    ``children`` answers what the index holds, for its names and others (stdlib-named ends,
    folder names holding a dot, parts of such names, trailing dots), before and after it is
    made; so does ``candidates``."""
    from djatlas.resolve.layout import Layout

    files = sorted(NASTY) + ["lib/a.b/c.py", "x/json/y.py", "app/x.y.py", "x.y.py", "__init__.py"]
    files += ["empty/__init__.py", "empty/sub/__init__.py", "deep/json/__init__.py"]
    files += ["a/lib/ns/x.py", "b/lib/ns/y.py", "c/lib/ns/z.py", "a/lib/ns/w/__init__.py"]
    packages = NASTY_PACKAGES | {"empty", "empty/sub", "deep/json"}
    (tmp_path / "outer" / "inner").mkdir(parents=True)
    (tmp_path / "outer" / "__init__.py").write_text("")
    for root, extra in ((None, set()), (None, {""}), (str(tmp_path / "outer" / "inner"), {""})):
        made = Layout(root, files, packages | extra)
        index = made.children_index()
        names = set(index) | {"", "b", "a.b", "lib.a", "json", "x.json", "json.y", "ns.", "os"}
        names |= {f"{name}.{w}" for name in index for w in index[name]} | {"nspkg.gone"}
        layout = Layout(root, files, packages | extra)
        for name in sorted(names):
            assert layout.children(name) == index.get(name, set()), (root, extra, name)
            if "." in name:
                assert layout.candidates(name) == made.candidates(name), name
        layout.children_index()  # made after some answers: the index's from then on
        assert all(layout.children(name) == index.get(name, set()) for name in names)


def test_the_children_index_of_folders_sharing_an_end_is_their_union() -> None:
    """A dotted end several folders share holds all their modules (the first folder's set is
    copied, not changed, before the others are added: it is also its own ends' set)."""
    from djatlas.resolve.layout import Layout

    files = ["a/lib/ns/x.py", "b/lib/ns/y.py", "c/lib/ns/z.py", "a/lib/ns/w/__init__.py"]
    layout = Layout(None, files, set())
    assert layout.children_index() == _children_by_definition(layout)
    assert layout.children("ns") == layout.children("lib.ns") == {"w", "x", "y", "z"}
    assert layout.children("a.lib.ns") == {"w", "x"}
    assert layout.children("b.lib.ns") == {"y"}


def test_module_names_follow_the_unbroken_chain_of_packages(tmp_path: Path) -> None:
    """A file's module name starts at the topmost folder of the unbroken chain of packages
    holding it (a folder without ``__init__`` inside a package does not break it), under the
    packages above a scanned folder that is one."""
    from djatlas.resolve.layout import Layout

    files = ["a/b/c/d.py", "a/b/x/y.py", "a/m.py", "n/o/p.py", "top.py", "q/r/__init__.py"]
    files += ["q/r/s/t/u.py", "q/v.py", "__init__.py", "w/a.b/c.py"]
    (tmp_path / "outer" / "inner").mkdir(parents=True)
    (tmp_path / "outer" / "__init__.py").write_text("")
    root = str(tmp_path / "outer" / "inner")
    cases = {
        (None, frozenset({"a", "a/b", "q/r", "w", "w/a.b"})): {
            "a/b/c/d.py": "a.b.c.d",  # c: a namespace subpackage of a.b
            "a/b/x/y.py": "a.b.x.y",
            "a/m.py": "a.m",
            "n/o/p.py": "p",  # no package: a top-level module (its folder on the path)
            "q/r/__init__.py": "r",  # q is no package: r is the top
            "q/r/s/t/u.py": "u",  # s continues r's chain, t (in s, no package) breaks it
            "q/v.py": "v",
            "top.py": "top",
            "w/a.b/c.py": "w.a.b.c",
        },
        (root, frozenset({"", "a", "q"})): {
            "a/m.py": "outer.inner.a.m",
            "a/b/c/d.py": "d",  # b continues a's chain, c (in b, no package) breaks it
            "q/r/__init__.py": "outer.inner.q.r",
            "top.py": "outer.inner.top",
            "__init__.py": "outer.inner",
        },
    }
    for (where, packages), expected in cases.items():
        layout = Layout(where, sorted(files), set(packages))
        for rel, name in expected.items():
            assert layout.module_of[rel] == name, (where, rel)


def test_the_files_of_each_name_are_the_paths_given_in_order(tmp_path: Path) -> None:
    """``files_of`` (made at once from ``module_of`` when every name has one file) is what
    gathering the paths one by one gives: in any order of the paths, a folder's files apart,
    names with several files (a package and a module, two projects) and a path given twice."""
    import random

    from djatlas.resolve.layout import Layout

    files = sorted(NASTY) + ["app/models.py", "x/common/__init__.py", "y/common/__init__.py"]
    rng = random.Random(7)
    for paths in (files, files[::-1], rng.sample(files, len(files)), files + ["app/gone.py"]):
        for given in (paths, sorted(NASTY)):
            layout = Layout(None, given, NASTY_PACKAGES | {"x/common", "y/common"})
            expected: dict[str, list[str]] = {}
            for rel in given:
                expected.setdefault(layout.module_of[rel], []).append(rel)
            if len(expected) < len(layout.module_of) or len(given) > len(layout.module_of):
                expected = {name: sorted(rels) for name, rels in expected.items()}
            assert layout.files_of == expected
            assert list(layout.files_of) == list(expected)
            stems: dict[str, list[str]] = {}
            for rel in given:
                folder, _, stem = rel[:-3].rpartition("/")
                stems.setdefault(folder, [])
                if stem != "__init__":
                    stems[folder].append(stem)
            assert layout._stems == stems
            assert layout._inits == [rel[:-12] for rel in given if rel.endswith("__init__.py")]


@pytest.mark.parametrize(
    ("source", "names"),
    [
        # a function's body, however deep, at any indentation; a comment or a closing bracket
        # at the margin does not end it; a ``ready`` method's body counts
        (b"def f():\n    import a\n", []),
        (b"x = 1\n\n\nasync def f():\n    import a\n", []),
        (b"class C:\n    def m(self):\n        if x:\n            import a\n", []),
        (b"def f(\n    x: int,\n) -> None:\n# a comment\n    import a\n", []),
        (b"@deco\ndef f():\n    pass\n    import a\n", []),
        (b"class C:\n    def ready(self):\n        import a\n", ["a"]),
        (b"def outer():\n    def ready():\n        pass\n    import a\n", []),
        # module-level blocks and class bodies run on import; after a function, a block, or a
        # line less indented, the body is over
        (b"try:\n    import a\nexcept ImportError:\n    import b\n", ["a", "b"]),
        (b"def f():\n    pass\nclass C:\n    import a\n", ["a"]),
        (b"def f():\n    pass\nif x:\n    import a\n", ["a"]),
        (b"def f():\r\n    import a\r\nif x:\r\n    import b\r\n", ["b"]),
        # ``if TYPE_CHECKING:`` never runs, its ``else`` does
        (b"if TYPE_CHECKING:\n    import a\nelse:\n    import b\n", ["b"]),
        (b"import typing\nif typing.TYPE_CHECKING:\n    from x import y\n", ["typing"]),
        # a multi-line string's line at the margin ends a body early: the import counts
        (b'def f():\n    s = """\ntext\n"""\n    import a\n', ["a"]),
    ],
)
def test_imports_that_run_when_the_module_is_imported(
    source: bytes, names: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert imported_names(source, "m", False, functions=False) == names
    every = imported_names(source, "m", False)
    assert set(names) <= set(every) and len(every) >= len(names)
    monkeypatch.setattr(scope, "_TRIES", 0)  # the openers indexed at once: the same answers
    assert imported_names(source, "m", False, functions=False) == names


def test_imports_after_a_long_class_use_the_index() -> None:
    """Statements below many lines that open no block holding them (a long class's methods)
    are answered from the file's openers indexed once, not by a search each."""
    methods = "".join(f"    def m{i}(self):\n        import lazy{i}\n" for i in range(100))
    tail = "".join(f"try:\n    import mod{i}\nexcept ImportError:\n    pass\n" for i in range(5))
    source = ("def ready():\n    import r\nclass C:\n" + methods + tail).encode()
    blocks = scope._Blocks(source)
    found, _ = scope.statements(source, False)
    assert [text.strip() for text, *_ in found] == [b"import r"] + [
        f"import mod{i}".encode() for i in range(5)
    ]
    blocks.runs(source.rindex(b"\n    import mod4"), 4)
    assert b"def" in blocks._index  # indexed once the search went through many methods
