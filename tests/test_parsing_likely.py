"""``parsing.likely``: the files resolving will likely load, in the order the index asks."""

from __future__ import annotations

import textwrap

from djatlas.parallel import parse_items
from djatlas.pipeline.parsing import Summaries, likely
from djatlas.resolve.layout import Layout


def _summaries(files: dict[str, str], packages: frozenset[str] = frozenset()) -> Summaries:
    layout = Layout(None, sorted(files), set(packages))
    summaries = Summaries(None, layout, {}, lambda rel: b"")
    items = [
        (rel, textwrap.dedent(text).encode(), layout.module_of[rel], layout.is_package(rel))
        for rel, text in files.items()
    ]
    summaries.ready.update(parse_items(items, None))
    return summaries


def test_bases_then_members_then_star_imports_each_file_once() -> None:
    files = {
        "shop/models.py": """
            from django.db import models
            from shop.base import Base
            from shop.sizes import WIDE
            from shop.kinds import *

            class Item(Base):
                name = models.CharField(max_length=WIDE)
                kind = models.CharField(choices=shop_choices.KINDS)
        """,
        "shop/other.py": """
            from shop.sizes import WIDE
            from shop.base import Base

            class Other(Base):
                size = WIDE
        """,
    }
    files.update({f"shop/{m}.py": "X = 1\n" for m in ("base", "sizes", "kinds")})
    summaries = _summaries(files)
    wanted = {"shop/models.py", "shop/other.py"}
    assert likely(summaries, wanted) == ["shop/base.py", "shop/sizes.py", "shop/kinds.py"]


def test_star_imports_a_base_may_come_from_go_with_the_bases() -> None:
    files = {
        "shop/models.py": """
            from shop.sizes import WIDE
            from shop.bases import *

            class Item(Base):
                size = WIDE
        """,
        "shop/bases.py": "class Base: pass\n",
        "shop/sizes.py": "WIDE = 3\n",
    }
    summaries = _summaries(files)
    assert likely(summaries, {"shop/models.py"}) == ["shop/bases.py", "shop/sizes.py"]


def test_a_module_several_files_may_be_is_looked_up_from_each_file_naming_it() -> None:
    # Two projects side by side: ``pkg.fields`` is a/pkg/fields.py from a's files, b's from b's.
    files = {
        f"{side}/pkg/models.py": """
            from django.db import models
            from pkg.fields import Money

            class Price(models.Model):
                amount = Money()
        """
        for side in ("a", "b")
    }
    files.update({f"{side}/pkg/fields.py": "class Money: pass\n" for side in ("a", "b")})
    files.update({f"{side}/pkg/__init__.py": "" for side in ("a", "b")})
    summaries = _summaries(files)
    wanted = {"a/pkg/models.py", "b/pkg/models.py"}
    assert likely(summaries, wanted) == ["a/pkg/fields.py", "b/pkg/fields.py"]


def test_a_file_part_is_made_once_and_kept_for_later_calls() -> None:
    files = {
        "shop/models.py": """
            from django.db import models
            from shop.base import Base

            class Item(Base):
                name = models.CharField(max_length=3)
        """,
        "shop/extra.py": """
            from shop.sizes import Size

            class Extra(Size):
                pass
        """,
        "shop/base.py": "X = 1\n",
        "shop/sizes.py": "X = 1\n",
    }
    summaries = _summaries(files)
    wanted = {"shop/models.py", "shop/extra.py"}
    extra = summaries.ready.pop("shop/extra.py")  # not ready yet: left out
    named: dict = {}
    assert likely(summaries, wanted, None, named) == ["shop/base.py"]
    assert set(named) == {"shop/models.py"}
    summaries.ready.pop("shop/models.py")  # taken by the index: its part is kept
    summaries.ready["shop/extra.py"] = extra
    assert likely(summaries, wanted, None, named) == ["shop/sizes.py", "shop/base.py"]


def test_modules_named_by_the_module_assignments_members_name_are_guessed() -> None:
    # ``SpecField = make_field("SpecField", Spec)`` then ``spec = SpecField()``: evaluating the
    # field loads ``Spec``'s module (and ``make_field``'s), through the assignment.
    files = {
        "shop/models.py": """
            from django.db import models
            from shop.factory import make_field
            from shop.specs import Spec

            SpecField = make_field("SpecField", Spec)
            Wider = SpecField

            class Item(models.Model):
                spec = Wider()
        """,
        "shop/factory.py": "def make_field(name, cls): pass\n",
        "shop/specs.py": "class Spec: pass\n",
        "shop/unused.py": "X = 1\n",
    }
    summaries = _summaries(files)
    assert likely(summaries, {"shop/models.py"}) == ["shop/specs.py", "shop/factory.py"]


def test_both_processes_parse_the_largest_wanted_files_first() -> None:
    from djatlas.pipeline.parsing import _largest_at_both_ends

    contents = {f"f{i}.py": b"x" * i for i in range(1, 7)}
    order = _largest_at_both_ends(sorted(contents), contents)
    assert order[:3] == ["f6.py", "f4.py", "f2.py"]  # this process, from the front
    assert order[::-1][:3] == ["f5.py", "f3.py", "f1.py"]  # the child, from the back


def test_modules_the_settings_take_the_settings_members_read_from_are_guessed() -> None:
    files = {
        "proj/settings.py": """
            from proj.lengths import NAME_LENGTH
            from proj import colours
            COLOURS = colours.ALL
            DEBUG = True
        """,
        "shop/models.py": """
            from django.conf import settings
            from django.db import models

            class Item(models.Model):
                name = models.CharField(max_length=settings.NAME_LENGTH)
                colour = models.CharField(choices=settings.COLOURS.items)
                debug = models.BooleanField(default=settings.DEBUG)
        """,
    }
    files.update({f"proj/{m}.py": "X = 1\n" for m in ("__init__", "lengths", "colours")})
    summaries = _summaries(files)
    settings = [summaries.ready["proj/settings.py"]]
    guessed = likely(summaries, {"shop/models.py"}, settings)
    assert guessed == ["proj/colours.py", "proj/lengths.py"]


def _stamped_tree(base_module: str) -> dict[str, str]:
    """Two apps' models and the mixin ``core.mixins.Stamped`` (imported from ``base_module``)
    whose members' modules come first, then each app's (``a`` star-imports its kinds)."""
    files = {
        "a/models.py": f"""
            from {base_module} import Stamped
            from a.kinds import *

            class Item(Stamped):
                kind = KINDS
        """,
        "b/models.py": """
            from b.sizes import WIDE

            class Box:
                size = WIDE
        """,
        "core/mixins.py": """
            from core.clock import NOW

            class Stamped:
                at = NOW
        """,
    }
    files.update({rel: "X = 1\n" for rel in ("a/kinds.py", "b/sizes.py", "core/clock.py")})
    return files


def test_each_files_members_and_star_imports_in_the_graph_stages_order() -> None:
    """By module, each file after the files its bases come from (a model's inherited fields
    are read before its own): the members' and star imports' modules of ``core/mixins.py``
    (a later module than ``a/models.py``, but the base of its model) come first."""
    files = _stamped_tree("core.mixins")
    wanted = {"a/models.py", "b/models.py", "core/mixins.py"}
    assert likely(_summaries(files), wanted) == ["core/clock.py", "a/kinds.py", "b/sizes.py"]


class _Child:
    """An examining child as the parse stage sees it (``examining.Examiner``): it has started
    the files of ``started`` (by position); what the stage asks of it is logged in ``calls``."""

    def __init__(self, positions: dict[str, int], started: set[int], calls: list) -> None:
        self.positions, self.calls = positions, calls
        self.flags = bytearray(len(positions))  # parallel.FREE
        for position in started:
            self.flags[position] = 1  # parallel.WORKER
        self.started = started

    def order(self, rels: list[str]) -> bool:
        return True

    def claim(self, position: int) -> bool:
        return position not in self.started

    def wait(self, position: int) -> None:
        self.calls.append(("wait", position))
        return None  # as a child that failed: parsed here

    def likely(self, wanted: set[str], named: dict, sources: list) -> bool:
        self.calls.append(("likely",))
        return True


def test_the_parse_stage_parses_its_own_files_before_waiting_for_the_childs(
    monkeypatch,
) -> None:
    """A wanted file the child has started is waited for once this process has parsed its own
    files, not at once while the others wait (netbox: ~12 ms idle on the child's largest
    models module)."""
    from djatlas.pipeline import parsing
    from djatlas.progress import Progress

    files = {f"app{i}/models.py": f"class M{i}:\n    pass\n" for i in range(3)}
    layout = Layout(None, sorted(files), set())
    contents = {rel: text.encode() for rel, text in files.items()}
    summaries = Summaries(None, layout, dict(contents), lambda rel: contents[rel])
    positions = {rel: i for i, rel in enumerate(sorted(files))}
    summaries.guessed = dict(positions)
    calls: list = []
    child = _Child(positions, {positions["app0/models.py"]}, calls)
    original = parsing._parse_one

    def parse_one(layout, rel, data, root, *limit):
        calls.append(("parse", rel))
        return original(layout, rel, data, root, *limit)

    monkeypatch.setattr(parsing, "_parse_one", parse_one)
    monkeypatch.setattr(parsing, "_largest_at_both_ends", lambda rels, contents: sorted(rels))
    wanted = set(files)
    parsing._beside(child, summaries, sorted(files), wanted, None, 2, Progress(enabled=False))
    child_file = positions["app0/models.py"]
    assert calls == [
        ("parse", "app1/models.py"),
        ("parse", "app2/models.py"),
        ("wait", child_file),
        ("parse", "app0/models.py"),  # the child failed (no answer): parsed here
        ("likely",),
    ]
    assert set(summaries.ready) == wanted


def test_a_bases_package_re_exporting_its_submodules_has_their_members_read_first() -> None:
    """A base named from a package whose ``__init__`` re-exports a submodule's classes by a
    star import: that submodule's members' modules come first too (netbox's first model, a
    proxy of ``users.Token``)."""
    files = _stamped_tree("core")
    files["core/__init__.py"] = "from core.mixins import *\n"
    files.update({f"{package}/__init__.py": "" for package in ("a", "b")})
    wanted = {"a/models.py", "b/models.py", "core/__init__.py", "core/mixins.py"}
    packages = frozenset({"a", "b", "core"})
    assert likely(_summaries(files, packages), wanted) == [
        "core/clock.py",
        "a/kinds.py",
        "b/sizes.py",
    ]
