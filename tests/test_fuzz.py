"""Fuzz: random bytes and mutated real model files never crash a scan, and every file is
accounted for. Bounded in CI; ``DJATLAS_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py`` runs long."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hostile_support import (
    check_accounting,
    check_markdown_tables,
    examples,
    roundtrip_json,
    unaccounted,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from djatlas.render import RenderOptions
from djatlas.render.jsonout import dumps
from djatlas.render.markdown import render as render_markdown
from djatlas.render.yamlout import render as render_yaml
from djatlas.scan import scan_path

HERE = Path(__file__).resolve().parent
CORPUS = sorted(
    p
    for p in [
        *(HERE.parent / "examples" / "shop").rglob("models*.py"),
        *(HERE.parent / "examples" / "shop").rglob("models/*.py"),
        *(HERE / "fixtures" / "check_trees").rglob("models.py"),
    ]
    if "migrations" not in p.parts
)
SEEDS = [p.read_bytes() for p in CORPUS]
INTACT = (
    b"from django.db import models\n\n\nclass Intact(models.Model):\n"
    b"    x = models.IntegerField()\n"
)
TOKENS = [
    b"class ",
    b"(models.Model)",
    b":",
    b"(",
    b")",
    b"[",
    b"]",
    b"'",
    b'"',
    b'"""',
    b"\\",
    b"\n",
    b"\r\n",
    b"\t",
    b"    ",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"# -*- coding: gbk -*-\n",
    b"lambda",
    b"=",
    b",",
    b"models.ForeignKey(",
    b"Meta",
    b"abstract = True",
    b"*",
    b"**",
    b"\\N{",
    b"\xe9",
    "é".encode(),
    "\ud7ff".encode(),
    b"\\ud800",
    b"async ",
    b"match ",
]


def _mutate(data: bytes, ops: list[tuple[int, int, int, bytes]]) -> bytes:
    buf = bytearray(data)
    for op, a, b, piece in ops:
        n = len(buf) or 1
        i, j = sorted((a % n, b % n))
        if op == 0:  # flip a byte
            if buf:
                buf[i] ^= 1 << (b % 8)
        elif op == 1:  # insert a token or random bytes
            buf[i:i] = piece
        elif op == 2:  # delete a slice
            del buf[i:j]
        elif op == 3:  # duplicate a slice
            buf[j:j] = buf[i:j]
        elif op == 4:  # truncate
            del buf[i:]
    return bytes(buf)


pieces = st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8))
mutations = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 1 << 20), st.integers(0, 1 << 20), pieces),
    min_size=1,
    max_size=8,
)


def _scan_and_check(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        (root / "intact").mkdir()
        (root / "intact" / "__init__.py").write_bytes(b"")
        (root / "intact" / "models.py").write_bytes(INTACT)
        doc = scan_path(str(root), timing=False, use_cache=False)
        assert unaccounted(str(root), doc) == []
        check_accounting(doc)
        assert "intact.Intact" in {m["label"] for m in doc["models"]}
        roundtrip_json(dumps(doc))
        check_markdown_tables(render_markdown(doc, RenderOptions()))
        yaml.safe_load(render_yaml(doc, RenderOptions()))


FUZZ = settings(
    max_examples=examples(40),
    deadline=None,
    derandomize=not examples(0),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_corpus_is_there() -> None:
    assert len(SEEDS) >= 5


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _scan_and_check({"app/__init__.py": b"", "app/models.py": data, "app/other.py": data[::-1]})


@FUZZ
@given(st.integers(0, 1 << 16), mutations, st.booleans())
def test_mutated_model_files(
    seed: int, ops: list[tuple[int, int, int, bytes]], as_package: bool
) -> None:
    data = _mutate(SEEDS[seed % len(SEEDS)], ops)
    other = SEEDS[(seed + 1) % len(SEEDS)]
    if as_package:
        files = {
            "shop/__init__.py": b"",
            "shop/models/__init__.py": b"from .a import *\n",
            "shop/models/a.py": data,
            "shop/models/b.py": other,
        }
    else:
        files = {"shop/__init__.py": b"", "shop/models.py": data, "shop/admin.py": other}
    _scan_and_check(files)
