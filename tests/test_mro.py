"""Linearisation of resolved bases: Python's own C3 order, compared with the interpreter's."""

from __future__ import annotations

import random

from djatlas.resolve.index import ProjectIndex
from djatlas.resolve.layout import Layout
from djatlas.resolve.values import ClassValue, External


def index() -> ProjectIndex:
    return ProjectIndex(Layout(None, [], set()), lambda rel: b"", {})


def hierarchy(rng: random.Random, size: int) -> list[list[int]]:
    """Bases (indexes of earlier classes, distinct) of each of ``size`` classes."""
    return [rng.sample(range(i), rng.randint(0, min(i, 3))) for i in range(size)]


def as_values(bases: list[list[int]], external: int) -> list[ClassValue]:
    """The hierarchy as synthetic classes; a base is a fresh, equal value (same path), never the
    object itself, and the first ``external`` classes are outside everything read."""
    values: list[object] = []
    for i, own in enumerate(bases):
        if i < external:
            values.append(External(f"lib.E{i}"))
            continue
        refs = tuple(
            ClassValue(f"m.C{b}", "tree", "m", None, values[b].bases, None)
            if isinstance(values[b], ClassValue)
            else External(f"lib.E{b}")
            for b in own
        )
        values.append(ClassValue(f"m.C{i}", "tree", "m", None, refs, None))
    return values  # type: ignore[return-value]


def python_mro(bases: list[list[int]], external: int) -> list[list[str] | None]:
    """Each class's ``__mro__`` names as the interpreter gives them (None: no consistent order)."""
    made: list[type | None] = []
    out: list[list[str] | None] = []
    for i, own in enumerate(bases):
        name = f"E{i}" if i < external else f"C{i}"
        parents = [made[b] for b in own]
        if i < external or any(p is None for p in parents):
            cls = type(name, (), {}) if i < external else None
        else:
            try:
                cls = type(name, tuple(parents) or (object,), {})  # type: ignore[arg-type]
            except TypeError:
                cls = None
        made.append(cls)
        out.append([c.__name__ for c in cls.__mro__[:-1]] if cls is not None else None)
    return out


def test_mro_is_pythons_c3_order():
    rng = random.Random(11)
    checked = 0
    for _ in range(300):
        bases = hierarchy(rng, rng.randint(2, 14))
        external = rng.randint(0, 2)
        # an external's own bases are unknown: it ends its line, as in djatlas
        bases = [[] if i < external else own for i, own in enumerate(bases)]
        values = as_values(bases, external)
        expected = python_mro(bases, external)
        idx = index()
        for i in range(external, len(bases)):
            if expected[i] is None:
                continue
            got = [v.path.rsplit(".", 1)[-1] for v in idx.mro(values[i])]
            assert got == expected[i], (bases, i)
            checked += 1
    assert checked > 1000


def test_inconsistent_order_falls_back_to_depth_first():
    """``class C(A, B)`` with B a subclass of A has no C3 order (Python refuses it): djatlas
    keeps every ancestor once, depth-first, rather than losing the class."""
    a = ClassValue("m.A", "tree", "m", None, (External("django.db.models.Model"),))
    b = ClassValue("m.B", "tree", "m", None, (a,))
    c = ClassValue("m.C", "tree", "m", None, (a, b))
    assert [v.path for v in index().mro(c)] == ["m.C", "m.A", "django.db.models.Model", "m.B"]


def test_a_cycle_is_cut_and_no_class_repeats_below_it():
    """``A(B)``, ``B(A)`` (bases resolved through each other): each MRO stops where the cycle
    closes, and a subclass of either lists every class once."""
    idx = index()
    a = ClassValue("m.A", "tree", "m", None, ())
    b = ClassValue("m.B", "tree", "m", None, (a,))
    idx.set_bases(a, [b])
    c = ClassValue("m.C", "tree", "m", None, (a,))
    d = ClassValue("m.D", "tree", "m", None, (c,))
    assert [v.path for v in idx.mro(a)] == ["m.A", "m.B", "m.A"]
    assert [v.path for v in idx.mro(d)] == ["m.D", "m.C", "m.A", "m.B"]


def test_mixins_fast_path_gives_the_general_merge():
    """``_onto_last`` (bases whose MROs end in a tail of the last base's, as a model with mixins
    has) answers as ``_merge`` does whenever it answers, including where C3 has no order."""
    from djatlas.resolve.index import _merge, _onto_last

    def reversed_with_ids(seqs):
        rev = [s[::-1] for s in seqs]
        ids = [[v.key if isinstance(v, ClassValue) else (v.path,) for v in s] for s in rev]
        return rev, ids

    rng = random.Random(7)
    answered = 0
    for _ in range(800):
        size = rng.randint(3, 16)
        if rng.random() < 0.5:  # any hierarchy
            bases = hierarchy(rng, size)
        else:  # mixins over a shared root (class 0), as Django models have
            bases = [[]] + [
                rng.sample(range(i), rng.randint(1, min(i, 4))) if rng.random() < 0.8 else [0]
                for i in range(1, size)
            ]
        external = rng.randint(0, 1)
        bases = [[] if i < external else own for i, own in enumerate(bases)]
        values = as_values(bases, external)
        idx = index()
        for i in range(max(external, 1), size):
            direct = [values[b] for b in bases[i]]
            if len(direct) < 2:
                continue
            seqs = [idx.mro(b) if isinstance(b, ClassValue) else [b] for b in direct] + [direct]
            fast = _onto_last(*reversed_with_ids(seqs))
            if fast is None:
                continue
            general = _merge(*reversed_with_ids(seqs))
            assert [v.path for v in fast] == [v.path for v in general or []], (bases, i)
            answered += 1
    assert answered > 300
