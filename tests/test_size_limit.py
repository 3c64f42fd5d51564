"""``--max-file-size``: a file over the limit is failed when the scan reads it, the same with or
without a cache and whichever process reads it; a walk without a cache does not stat the files
it lists but the models modules (the others are sized when read)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas import parallel
from djatlas.discover import finder
from djatlas.discover.finder import (
    UNSTATTED,
    DiscoverOptions,
    Discovery,
    SourceFile,
    TooLarge,
    discover,
    read_limited,
)
from djatlas.pipeline import examining
from djatlas.pipeline.scope import OUTSIDE
from djatlas.scan import _reader, scan_path

#: An abstract model base far over the limit: were it parsed anywhere, ``Thing`` would be a model.
BASES = (
    "from django.db import models\n\n\nclass Base(models.Model):\n"
    "    big = models.IntegerField()\n\n    class Meta:\n        abstract = True\n"
) + "# padding\n" * 300
TREE = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "cfg.settings")\n',
    "cfg/__init__.py": "",
    "cfg/settings.py": "INSTALLED_APPS = ['app']\n",
    "app/__init__.py": "",
    "app/models.py": """
        from django.db import models
        from .bases import Base
        from .consts import SIZE


        class Thing(Base):
            name = models.CharField(max_length=SIZE)


        class Other(models.Model):
            title = models.CharField(max_length=10)
    """,
    "app/bases.py": BASES,
    "app/consts.py": "SIZE = 40\n",
    "app/unused.py": "X = 1\n" + "# padding\n" * 300,  # over the limit, never imported
    **{f"extra/m{i}.py": f"X = {i}\n" for i in range(6)},
}
LIMIT = 1024


def _doc(root: Path, **options) -> dict:
    doc = scan_path(str(root), timing=False, max_file_size=LIMIT, **options)
    doc["metadata"].pop("scanned_at", None)
    return doc


def _modes(tmp_path: Path) -> dict[str, dict]:
    """Where the files are read and parsed: in-process, beside the examining child, by a pool
    of workers, and from a cache (filled, then used)."""
    cache = str(tmp_path / "cache")
    return {
        "alone": {"use_cache": False, "jobs": 1},
        "child": {"use_cache": False, "jobs": 2},
        "pool": {"use_cache": False, "jobs": 3},
        "cache filled": {"cache_dir": cache},
        "cache used": {"cache_dir": cache},
    }


@pytest.fixture()
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examining child and the workers, even for a tree this small."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        pytest.skip("no fork here")
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)
    monkeypatch.setattr(examining, "MIN_FILES", 0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)


def test_a_file_over_the_limit_fails_when_read_in_every_mode(tmp_path: Path, forking: None) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    docs = {name: _doc(root, **options) for name, options in _modes(tmp_path).items()}
    first = docs.pop("alone")
    for name, doc in docs.items():
        assert doc == first, name
    files = {f["path"]: f for f in first["files"]}
    bases = files["app/bases.py"]
    assert (bases["status"], bases["module"]) == ("failed", "app.bases")
    assert bases["reason"] == f"too large: {len(BASES)} bytes (limit {LIMIT})"
    # never read: accounted for as outside the closure, not stat-ed for a limit
    assert (files["app/unused.py"]["status"], files["app/unused.py"]["reason"]) == (
        "not_needed",
        OUTSIDE,
    )
    assert [m["name"] for m in first["models"]] == ["Other"]  # Base never parsed
    assert any(d["code"] == "DJA110" and d["file"] == "app/bases.py" for d in first["diagnostics"])
    assert first["summary"]["files_failed"] == 1


def test_every_file_over_the_limit_fails_when_the_whole_tree_is_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", TREE)
    cold = _doc(root, use_cache=False, all_files=True)
    warm = _doc(root, cache_dir=str(tmp_path / "cache"), all_files=True)
    assert cold == warm
    failed = {f["path"] for f in cold["files"] if f["status"] == "failed"}
    assert failed == {"app/bases.py", "app/unused.py"}


def test_a_walk_without_a_cache_stats_only_the_models_modules(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": "x = 1\n",
            "app/models/extra.py": "y = 2\n",
            "app/views.py": "z = 3\n",
            "real/target.py": "w = 4\n",
        },
    )
    os.symlink("../real/target.py", root / "app" / "linked.py")
    sizes = {f.relpath: f.size for f in discover(str(root), DiscoverOptions(watched=False)).files}
    assert sizes == {
        "app/__init__.py": UNSTATTED,
        "app/linked.py": 6,  # a symlink: stat-ed (followed)
        "app/models.py": 6,  # models modules: their sizes order the parsing
        "app/views.py": UNSTATTED,
        "app/models/extra.py": 6,
        "real/target.py": UNSTATTED,
    }
    watched = {f.relpath: f.size for f in discover(str(root)).files}
    assert set(watched) == set(sizes) and UNSTATTED not in watched.values()


def test_the_reader_sizes_a_file_the_walk_did_not_stat(tmp_path: Path) -> None:
    (tmp_path / "small.py").write_bytes(b"x = 1\n")
    (tmp_path / "big.py").write_bytes(b"#" * 100)
    found = Discovery(root=str(tmp_path))
    found.files = [
        SourceFile("small.py", UNSTATTED, UNSTATTED),
        SourceFile("big.py", UNSTATTED, UNSTATTED),
        SourceFile("gone.py", 500, 0),  # over the limit by the walk's size: never opened
    ]
    read = _reader(str(tmp_path), found, 50)
    assert read("small.py") == b"x = 1\n"
    with pytest.raises(TooLarge) as big:
        read("big.py")
    assert big.value.reason == "too large: 100 bytes (limit 50)"
    with pytest.raises(TooLarge):
        read("gone.py")
    assert finder.unreadable(big.value) == big.value.reason
    assert finder.unreadable(FileNotFoundError(2, "No such file")) == "unreadable: No such file"


def test_a_worker_reading_a_file_itself_keeps_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text(BASES)
    with pytest.raises(TooLarge):
        read_limited(str(tmp_path / "big.py"), LIMIT)
    assert read_limited(str(tmp_path / "big.py"), None) == BASES.encode()
    item = ("big.py", None, "big", False)
    assert parallel.parse_items([item], str(tmp_path), LIMIT) == [("big.py", None)]
    ((_, summary),) = parallel.parse_items([item], str(tmp_path))
    assert list(summary.classes) == ["Base"]
