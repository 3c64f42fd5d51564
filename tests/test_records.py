"""djatlas.records: the same classes as ``dataclasses`` for the options djatlas uses, and every
record class's ``__init__`` precompiled in ``djatlas._records`` (scripts/gen_records.py)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest

from djatlas import records

ROOT = Path(__file__).resolve().parent.parent
Pair = namedtuple("Pair", "a b")


def _pair(**options: bool) -> tuple[type, type]:
    """The same class made by ``dataclasses`` and by ``records``."""

    def body(module):  # type: ignore[no-untyped-def]
        class Point:
            """A point."""

            x: int
            y: int = 0
            tags: list = module.field(default_factory=list)
            note: str = module.field(default="", repr=False, compare=False)
            owner: str | None = module.field(default=None, kw_only=True)
            seen: dict = module.field(default_factory=dict, init=False)

        return module.dataclass(**options)(Point)

    return body(dataclasses), body(records)


@pytest.mark.parametrize(
    "options",
    [{}, {"eq": False, "repr": False}, {"frozen": True}, {"frozen": True, "eq": False}],
)
def test_a_record_behaves_as_the_dataclass(options: dict[str, bool]) -> None:
    std, rec = _pair(**options)
    for args, kwargs in [((1,), {}), ((1, 2, [3]), {"note": "n", "owner": "o"})]:
        a, b = std(*args, **kwargs), rec(*args, **kwargs)
        assert vars(a) == vars(b) and list(vars(a)) == list(vars(b))
        assert (repr(a) == object.__repr__(a)) == (repr(b) == object.__repr__(b))
        if options.get("repr", True):
            assert repr(a).split("(", 1)[1] == repr(b).split("(", 1)[1]
        other_a, other_b = std(*args, **kwargs), rec(*args, **kwargs)
        assert (a == other_a) == (b == other_b)
        assert (a == std(*args, note="other")) == (b == rec(*args, note="other"))
        assert (rec.__hash__ is None) == (std.__hash__ is None)
        if options.get("frozen") and options.get("eq", True):
            with pytest.raises(TypeError):  # a list field: unhashable, as the dataclass
                hash(b)
    assert [f.name for f in dataclasses.fields(std)] == [f.name for f in records.fields(rec)]
    assert rec.__match_args__ == std.__match_args__
    assert rec.__init__.__qualname__.endswith("Point.__init__")
    with pytest.raises(TypeError):
        rec(1, 2, [], "n", "o")  # owner is keyword-only
    if options.get("frozen"):
        with pytest.raises(records.FrozenInstanceError):
            rec(1).x = 2
        with pytest.raises(AttributeError):
            del rec(1).x


def test_hash_of_a_frozen_record_is_the_dataclass_hash() -> None:
    made = [
        module.dataclass(frozen=True)(type("V", (), {"__annotations__": {"a": "str", "b": "int"}}))
        for module in (dataclasses, records)
    ]
    std, rec = (cls("x", 1) for cls in made)
    assert hash(std) == hash(rec) and rec == made[1]("x", 1) and rec != made[1]("x", 2)
    assert {rec: 1}[made[1]("x", 1)] == 1


def test_defaults_factories_and_class_attributes() -> None:
    std, rec = _pair()
    a, b = rec(1), rec(1)
    assert a.tags == [] and a.tags is not b.tags and a.seen == {}
    assert rec.y == std.y == 0 and not hasattr(rec, "tags") and not hasattr(std, "tags")
    assert rec.note == "" and rec.owner is None


def test_replace_asdict_and_errors() -> None:
    std, rec = _pair()
    a, b = std(1, tags=[Pair(1, {"k": [2]})]), rec(1, tags=[Pair(1, {"k": [2]})])
    assert dataclasses.asdict(a) == records.asdict(b)
    assert dataclasses.asdict(dataclasses.replace(a, y=5)) == records.asdict(
        records.replace(b, y=5)
    )
    with pytest.raises(ValueError):
        records.replace(b, seen={})
    with pytest.raises(TypeError):
        records.asdict(rec)
    with pytest.raises(TypeError):
        records.fields(object())
    with pytest.raises(ValueError):
        records.dataclass(type("Bad", (), {"__annotations__": {"x": "list"}, "x": []}))
    with pytest.raises(TypeError):
        records.dataclass(type("Bad", (), {"__annotations__": {"x": "int", "y": "int"}, "x": 1}))


def test_inheritance_post_init_and_recursion() -> None:
    @records.dataclass
    class Base:
        a: int
        b: list = records.field(default_factory=list)

    @records.dataclass
    class Child(Base):
        c: int = 3

        def __post_init__(self) -> None:
            self.b.append(self.c)

    child = Child(1)
    assert [f.name for f in records.fields(Child)] == ["a", "b", "c"]
    assert (
        child.b == [3]
        and repr(child)
        == "test_inheritance_post_init_and_recursion.<locals>.Child(a=1, b=[3], c=3)"
    )
    child.b.append(child)
    assert repr(child).endswith("b=[3, ...], c=3)")


def test_every_record_init_is_precompiled() -> None:
    """A record class added or changed without ``scripts/gen_records.py`` compiles its
    ``__init__`` at import time: run the script."""
    probe = (
        "import runpy, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'scripts')!r})\n"
        "import gen_records\n"
        "from djatlas import _records\n"
        "print(gen_records.module_text(gen_records.record_sources()) =="
        f" open(_records.__file__, encoding='utf-8').read())\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == "True", "run scripts/gen_records.py"


def test_a_scan_imports_no_dataclasses(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(
        "from django.db import models\n\nclass A(models.Model):\n    x = models.IntegerField()\n"
    )
    probe = (
        "import sys\n"
        "from djatlas.cli import main\n"
        f"main(['scan', {str(tmp_path)!r}, '--no-cache', '-q', '-o', {str(tmp_path / 'r.md')!r}])\n"
        "from djatlas import records\n"
        "print(sorted(m for m in ('dataclasses', 'inspect') if m in sys.modules),"
        " len(records.COMPILED))\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == "[] 0"


def test_a_shape_gives_the_env_of_its_source() -> None:
    """``init_shape`` (the precompiled ``__init__``'s key) gives ``init_source``'s env, for
    every record class of djatlas and for fields of every kind, frozen or not."""
    import itertools

    from djatlas.records import MISSING, Field, init_shape, init_source

    kinds = [
        Field(MISSING, MISSING, True, True, True, False),
        Field(0, MISSING, True, True, True, False),
        Field(MISSING, list, True, True, True, False),
        Field(MISSING, list, False, True, True, False),
        Field(1, MISSING, False, True, True, False),
        Field(MISSING, MISSING, True, True, True, True),
    ]
    for n, combo in enumerate(itertools.product(kinds, repeat=2)):
        fields_ = []
        for i, kind in enumerate(combo):
            f = Field(kind.default, kind.default_factory, kind.init, True, True, kind.kw_only)
            f.name = f"f{i}"
            fields_.append(f)
        for frozen, post_init in itertools.product((False, True), repeat=2):
            try:
                source, env = init_source(tuple(fields_), frozen, post_init)
            except TypeError:  # a non-default argument after a default one
                continue
            assert init_shape(tuple(fields_), frozen, post_init)[1] == env, (n, frozen)
