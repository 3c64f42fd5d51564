"""The walk (``discover``): nested .gitignore files, virtualenv folders, records of what is
left out, and its per-folder shortcuts giving the same Discovery as trying every rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.discover import finder
from djatlas.discover.finder import DiscoverOptions, discover

TREE = {
    ".gitignore": "*.log\n/static/\ndocs/_build\nbuild/\n!keep/\n**/fixtures/big\n.*\n!.github\n",
    "app/__init__.py": "",
    "app/models.py": "",
    "app/local.log": "",
    "app/static/a.py": "",  # /static/ is anchored: only the top one
    "static/b.py": "",
    "docs/_build/c.py": "",
    "docs/conf.py": "",
    "src/build/d.py": "",
    "src/keep/e.py": "",
    "tests/fixtures/big/f.py": "",
    "tests/fixtures/small/g.py": "",
    ".hidden/h.py": "",
    ".github/i.py": "",
    "sub/.gitignore": "!*.log\ngenerated/\nlocal_*.py\n!local_keep.py\n",
    "sub/generated/j.py": "",
    "sub/local_settings.py": "",
    "sub/local_keep.py": "",
    "sub/k.py": "",
    "sub/inner/.gitignore": "/only_here.py\n",
    "sub/inner/only_here.py": "",
    "sub/inner/deeper/only_here.py": "",
    "env/pyvenv.cfg": "home = /usr\n",
    "env/lib/site.py": "",
    "notenv/pyvenv.cfg/x.txt": "",  # a folder named pyvenv.cfg still marks a virtualenv
    "cfglink/m.py": "",
}


def _shape(found: finder.Discovery) -> tuple:
    return (
        [(f.relpath, f.size, f.mtime_ns) for f in found.files],
        [(r.path, r.status, r.reason, r.line, r.module) for r in found.records],
        sorted(found.packages),
        list(found.stats.items()),
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    write_tree(tmp_path, TREE)
    os.symlink("nowhere.cfg", tmp_path / "cfglink" / "pyvenv.cfg")  # broken: not a virtualenv
    return tmp_path


def test_nested_gitignores_and_virtualenvs(tree: Path) -> None:
    found = discover(str(tree))
    assert [f.relpath for f in found.files] == [
        ".github/i.py",  # re-included by "!.github" after ".*"
        "app/__init__.py",
        "app/models.py",
        "app/static/a.py",  # "/static/" is anchored: only the top one
        "cfglink/m.py",  # its pyvenv.cfg is a broken symlink: not a virtualenv
        "docs/conf.py",
        "src/keep/e.py",
        "sub/k.py",  # a folder's files come before its subfolders' ones
        "sub/local_keep.py",  # re-included by the nested .gitignore
        "sub/inner/deeper/only_here.py",  # "/only_here.py" is anchored to sub/inner/
        "tests/fixtures/small/g.py",
    ]
    assert [(r.path, r.status, r.reason) for r in found.records] == [
        (".hidden/", "skipped", ".gitignore"),
        ("env/", "skipped", "default exclude: virtualenv (pyvenv.cfg)"),
        ("notenv/", "skipped", "default exclude: virtualenv (pyvenv.cfg)"),
        ("static/", "skipped", ".gitignore"),
        ("docs/_build/", "skipped", ".gitignore"),
        ("src/build/", "skipped", "default exclude: build"),
        ("sub/generated/", "skipped", ".gitignore"),
        ("sub/local_settings.py", "skipped", ".gitignore"),
        ("sub/inner/only_here.py", "skipped", ".gitignore"),
        ("tests/fixtures/big/", "skipped", ".gitignore"),
    ]
    assert "env/" in found.stats and "notenv/" in found.stats  # watched by the cache
    assert "cfglink/" in found.stats


def test_screens_give_what_every_rule_gives(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-folder screens only spare rule matching: trying every rule on every entry
    gives the same Discovery, with and without the default excludes."""
    for options in (DiscoverOptions(), DiscoverOptions(default_excludes=False)):
        fast = _shape(discover(str(tree), options))
        with monkeypatch.context() as m:
            m.setattr(finder._Walker, "_may_ignore", lambda self, name, rel, screen: True)
            m.setattr(finder._Walker, "_below", lambda self, name, screen: None)
            assert _shape(discover(str(tree), options)) == fast


def test_virtualenv_reason_comes_before_exclude_and_gitignore(tree: Path) -> None:
    (tree / ".gitignore").write_text("env/\n", encoding="utf-8")
    found = discover(str(tree), DiscoverOptions(exclude=["notenv"]))
    reasons = {r.path: r.reason for r in found.records}
    assert reasons["env/"] == reasons["notenv/"] == "default exclude: virtualenv (pyvenv.cfg)"
    found = discover(str(tree), DiscoverOptions(default_excludes=False, exclude=["notenv"]))
    reasons = {r.path: r.reason for r in found.records}
    assert reasons["env/"] == ".gitignore" and reasons["notenv/"] == "--exclude notenv"
    assert "env/lib/site.py" not in {f.relpath for f in found.files}


def test_virtualenv_reached_twice_and_symlinked_folders(tree: Path) -> None:
    os.symlink("env", tree / "envlink", target_is_directory=True)
    os.symlink("app", tree / "applink", target_is_directory=True)
    os.symlink("..", tree / "app" / "up", target_is_directory=True)
    found = discover(str(tree))
    reasons = {r.path: r.reason for r in found.records}
    assert reasons["envlink/"] == "default exclude: virtualenv (pyvenv.cfg)"
    assert reasons["app/up/"] == "symlink loop"
    assert reasons["applink/"] == "symlink loop"  # a symlink to a folder already walked


def test_records_of_files_left_out(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/big.py": "x = 1\n" * 100, "a/ok.py": "", "a/data.txt": ""})
    os.symlink("gone.py", tmp_path / "a" / "broken.py")
    os.symlink("loop.py", tmp_path / "a" / "loop.py")
    os.symlink("gone.txt", tmp_path / "a" / "broken.txt")  # not .py: not reported
    os.mkfifo(tmp_path / "a" / "pipe.py")
    found = discover(str(tmp_path), DiscoverOptions(max_file_size=100, include=["a/*.py"]))
    assert [(r.path, r.status, r.reason) for r in found.records] == [
        ("a/broken.py", "failed", "broken symlink"),
        ("a/loop.py", "failed", "symlink loop"),
        ("a/pipe.py", "skipped", "not a regular file"),
    ]
    # a file over the size limit is failed when the scan reads it (test_size_limit.py)
    assert [(f.relpath, f.size) for f in found.files] == [("a/big.py", 600), ("a/ok.py", 0)]


def test_unlistable_folder_is_failed_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"a/x.py": "", "b/y.py": "", "c/z.py": ""})
    real, blocked = os.scandir, str(tmp_path / "b")

    def scandir(path: str = ".") -> os.ScandirIterator:
        if os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover(str(tmp_path))
    assert [f.relpath for f in found.files] == ["a/x.py", "c/z.py"]
    assert [(r.path, r.reason) for r in found.records] == [
        ("b/", "unreadable folder: Permission denied")
    ]
