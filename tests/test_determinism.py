"""Byte-identical output across runs, file-system orders, hash seeds and cache states."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from djatlas.render import RenderOptions, get_renderer
from djatlas.scan import scan_path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop"
TEXT_FORMATS = ("markdown", "json", "yaml", "mermaid", "dot", "plantuml", "dbml", "html")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example shop plus broken and hostile files (so failures are ordered too)."""
    root = tmp_path_factory.mktemp("det") / "shop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("*.sqlite3", "__pycache__"))
    extra = {
        "catalog/models/zz_broken.py": b"class X(:\n",
        "orders/nul.py": b"x = 1\x00\n",
        "orders/latin.py": b"# coding: latin-1\nX = '\xe9'\n",
        "z app/models.py": b"from django.db import models\n\n\nclass Zed(models.Model):\n"
        b'    """Doc | `x`."""\n    a = models.IntegerField()\n',
        "a app/models.py": b"from django.db import models\n\n\nclass Ay(models.Model):\n"
        b"    z = models.ForeignKey('Zed', on_delete=models.CASCADE)\n",
    }
    for rel, data in extra.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "orders" / "loop").symlink_to("..", target_is_directory=True)
    return root


def _render_all(doc: dict[str, Any]) -> dict[str, str]:
    out = {}
    for fmt in TEXT_FORMATS:
        text = get_renderer(fmt)(doc, RenderOptions(diagram=True))
        out[fmt] = text if isinstance(text, str) else text.decode("utf-8")
    return out


def _scan(root: Path, **options: Any) -> dict[str, str]:
    options.setdefault("use_cache", False)
    return _render_all(scan_path(str(root), timing=False, **options))


class _Shuffled:
    """Stands in for ``os.scandir``'s iterator: the same entries, in a random order."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self.entries = entries

    def __enter__(self) -> _Shuffled:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __iter__(self) -> Any:
        return iter(self.entries)

    def close(self) -> None:
        return None


def test_same_output_across_runs(tree: Path) -> None:
    first = _scan(tree)
    assert _scan(tree) == first
    assert first["json"].count('"status": "failed"') >= 1
    # orders/nul.py is not imported by the project: listed, not read (--all-files reads it).
    assert first["json"].count('"reason": "not imported by the project"') >= 1
    assert _scan(tree, all_files=True)["json"].count('"status": "failed"') >= 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_output_for_any_walk_order(
    tree: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _scan(tree)
    rng = random.Random(seed)
    real = os.scandir

    def shuffled(path: Any = ".") -> _Shuffled:
        with real(path) as it:
            entries = list(it)
        rng.shuffle(entries)
        return _Shuffled(entries)

    monkeypatch.setattr(os, "scandir", shuffled)
    assert _scan(tree) == expected


def test_same_output_cold_and_warm_cache(tree: Path, tmp_path: Path) -> None:
    expected = _scan(tree)
    cold = _scan(tree, use_cache=True, cache_dir=str(tmp_path))
    warm = _scan(tree, use_cache=True, cache_dir=str(tmp_path))
    assert cold == expected
    assert warm == expected


_DIGEST = """
import hashlib, sys
from djatlas.render import RenderOptions, get_renderer
from djatlas.scan import scan_path
doc = scan_path(sys.argv[1], timing=False, use_cache=False)
for fmt in sys.argv[2:]:
    out = get_renderer(fmt)(doc, RenderOptions(diagram=True))
    data = out.encode("utf-8", "backslashreplace") if isinstance(out, str) else out
    print(fmt, hashlib.sha256(data).hexdigest())
"""


def test_same_output_for_any_hash_seed(tree: Path) -> None:
    digests = {}
    procs = {}
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        procs[seed] = subprocess.Popen(
            [sys.executable, "-c", _DIGEST, str(tree), *TEXT_FORMATS],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    for seed, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        digests[seed] = out
    assert len(set(digests.values())) == 1, digests
    local = {
        fmt: hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()
        for fmt, text in _scan(tree).items()
    }
    assert digests["0"] == "".join(f"{fmt} {local[fmt]}\n" for fmt in TEXT_FORMATS)


def test_lists_are_sorted(tree: Path) -> None:
    doc = json.loads(_scan(tree)["json"])
    paths = [f["path"] for f in doc["files"]]
    assert paths == sorted(paths)
    keys = [(d["file"] or "", d["line"] or 0, d["code"], d["message"]) for d in doc["diagnostics"]]
    assert keys == sorted(keys)
