"""A rescan's snapshot watches the files the analysis read, not those it never read (outside the
settings' import closure, not loaded on demand): their content does not change the report, and
a file added or removed changes its folder's stat."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from test_fastpath import age, fast, run, warm_up
from treeutil import write_tree

from djatlas import keys

TREE = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": "INSTALLED_APPS = ['shop']\n",
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models


        def later():
            from . import lazy  # noqa: F401


        class Product(models.Model):
            name = models.CharField(max_length=10)
    """,
    "shop/lazy.py": "X = 1\n",
    "tools/script.py": "print(1)\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "proj", TREE)
    age(root)
    return root


def _edit(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with an mtime in the past (trusted by the cache)."""
    path.write_text(text, encoding="utf-8")
    t = time.time_ns() - 30 * 1_000_000_000
    os.utime(path, ns=(t, t))


def test_the_snapshot_watches_only_the_files_read(tree: Path, tmp_path: Path, capsysbinary) -> None:
    cache = tmp_path / "cache"
    argv = [str(tree), "-f", "json", "--no-timing", "--cache-dir", str(cache)]
    warm_up(tree, cache, capsysbinary)
    folder = Path(keys.cache_folder(str(tree), str(cache)))
    watched = {row[0] for row in json.loads((folder / "tree.json").read_bytes())["files"]}
    # the entry point is read for the settings it names, the closure and models modules parsed
    assert watched == {
        "manage.py",
        "proj/__init__.py",
        "proj/settings.py",
        "shop/__init__.py",
        "shop/models.py",
    }

    def fresh() -> bytes:
        return run(capsysbinary, ["scan", *argv[:-2], "--no-cache"])[1]

    # a file never read changes (even into a models module Django does not import): the
    # snapshot still holds, and its report is the fresh one
    _edit(tree / "tools" / "script.py", "print(2)  # longer\n")
    _edit(
        tree / "shop" / "lazy.py",
        "from django.db import models\n\nclass Lazy(models.Model):\n    pass\n",
    )
    code, out, _ = fast(capsysbinary, argv)
    assert code == 0 and out == fresh()
    # a file read changes: the snapshot no longer holds
    _edit(tree / "shop" / "models.py", "from django.db import models\nfrom . import lazy\n")
    assert fast(capsysbinary, argv)[0] is None
    ref = fresh()
    assert b'"Lazy"' in ref and b'"Product"' not in ref
    assert run(capsysbinary, ["scan", *argv])[1] == ref
    age(tree, 50)
    warm_up(tree, cache, capsysbinary, "--no-timing")
    assert fast(capsysbinary, argv)[0] == 0
    # so does the entry point, though outside the closure
    _edit(tree / "manage.py", TREE["manage.py"] + "# more\n")
    assert fast(capsysbinary, argv)[0] is None


def test_a_library_tree_watches_every_file(tmp_path: Path, capsysbinary) -> None:
    """Without settings the whole tree is read: every file stays watched."""
    files = {k: v for k, v in TREE.items() if k != "manage.py"}
    root = write_tree(tmp_path / "lib", files)
    age(root)
    cache = tmp_path / "cache"
    warm_up(root, cache, capsysbinary)
    folder = Path(keys.cache_folder(str(root), str(cache)))
    watched = {row[0] for row in json.loads((folder / "tree.json").read_bytes())["files"]}
    assert watched == set(files)
