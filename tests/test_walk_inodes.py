"""A walk whose folders' stats are not watched (a scan without cache) meets folders by their
entries' inodes: the same files, records and packages as the walk that stats every folder,
and only where an entry's inode is its stat's (``finder._inodes_are_stats``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.discover import finder
from djatlas.discover.finder import DiscoverOptions, discover, discover_ahead

TREE = {
    ".gitignore": "ignored/\n",
    "app/__init__.py": "",
    "app/models.py": "",
    "app/sub/deep/x.py": "",
    "ignored/y.py": "",
    "env/pyvenv.cfg": "home = /usr\n",
    "env/lib/site.py": "",
    "zz/z.py": "",
}


def _shape(found: finder.Discovery, sizeless: bool = False) -> tuple:
    """``sizeless``: a watched walk's files as an unwatched one gives them: only the models
    modules stat-ed, the others sized when read (``finder.UNSTATTED``)."""
    files = [(f.relpath, f.size, f.mtime_ns) for f in found.files]
    if sizeless:
        unstatted = (finder.UNSTATTED, finder.UNSTATTED)
        files = [f if finder.is_models_module(f[0]) else (f[0], *unstatted) for f in files]
    return (
        files,
        [(r.path, r.status, r.reason, r.line, r.module) for r in found.records],
        sorted(found.packages),
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "t", TREE)
    if not finder._inodes_are_stats(str(root)):
        pytest.skip("the temporary folder's entries do not carry their stats' inodes")
    # met twice: a link sorted before its folder, one after, one to a virtualenv, a loop
    os.symlink("app", root / "aa_link", target_is_directory=True)
    os.symlink("zz", root / "zz_link", target_is_directory=True)
    os.symlink("env", root / "envlink", target_is_directory=True)
    os.symlink("..", root / "app" / "up", target_is_directory=True)
    return root


@pytest.mark.parametrize(
    "options",
    [DiscoverOptions(), DiscoverOptions(exclude=["zz"]), DiscoverOptions(gitignore=False)],
)
def test_an_unwatched_walk_is_the_walk(tree: Path, options: DiscoverOptions) -> None:
    watched = discover(str(tree), options)
    options.watched = False
    walker = finder._Walker(str(tree), options)
    unwatched = walker.walk()
    unwatched.files = [finder.SourceFile(*f) for f in walker.found]
    assert walker.device is not None  # folders met by inode
    assert _shape(unwatched) == _shape(watched, sizeless=True)
    assert _shape(discover_ahead(str(tree), options)) == _shape(watched, sizeless=True)


def test_folders_met_twice_and_their_stats(tree: Path) -> None:
    watched = discover(str(tree))
    unwatched = discover(str(tree), DiscoverOptions(watched=False))
    reasons = {r.path: r.reason for r in unwatched.records}
    assert reasons["app/"] == "already scanned"  # after aa_link/
    assert reasons["zz_link/"] == reasons["aa_link/up/"] == "symlink loop"
    assert reasons["envlink/"] == reasons["env/"] == "default exclude: virtualenv (pyvenv.cfg)"
    assert "zz/" not in unwatched.stats and "zz/" in watched.stats


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_a_split_unwatched_walk_is_the_walk(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_walk_sharing import _split

    for link in ("aa_link", "zz_link", "app/up"):  # no folder met twice: the split is used
        (tree / link).unlink()
    options = DiscoverOptions(watched=False)
    here = discover(str(tree), options)
    init = finder._Walker.__init__

    def meeting_by_inode(self: finder._Walker, root: str, options: DiscoverOptions) -> None:
        init(self, root, options)
        self.by_inode(os.stat(root).st_dev)  # both sides (``sharing.join`` for the main one)

    monkeypatch.setattr(finder._Walker, "__init__", meeting_by_inode)
    for child_first in (0, 1, 2):
        split = _split(str(tree), options, child_first)
        assert split is not None
        files, records, packages, _ = split
        assert ([tuple(f) for f in files], [tuple(r) for r in records], sorted(packages)) == (
            _shape(here)
        )
    for _ in range(3):
        assert _shape(discover_ahead(str(tree), options)) == _shape(here)


def test_default_excludes_off_or_watched_folders_are_stat(tree: Path) -> None:
    for options in (DiscoverOptions(), DiscoverOptions(default_excludes=False, watched=False)):
        walker = finder._Walker(str(tree), options)
        walker.walk()
        assert walker.device is None


def test_an_unlistable_folder_is_reported_as_by_the_stat(tree: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root lists every folder")
    (tree / "app" / "sub").chmod(0)
    try:
        watched = discover(str(tree))
        unwatched = discover(str(tree), DiscoverOptions(watched=False))
    finally:
        (tree / "app" / "sub").chmod(0o755)
    assert _shape(unwatched) == _shape(watched, sizeless=True)


def _mountinfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> None:
    info = tmp_path / "mountinfo"
    info.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    real_open = open
    monkeypatch.setattr(
        "builtins.open",
        lambda path, *a, **k: real_open(info if path == "/proc/self/mountinfo" else path, *a, **k),
    )
    monkeypatch.setattr(finder.os.path, "realpath", lambda p: p)


ROOT = "27 1 254:0 / / rw,relatime - {fs} /dev/vda rw"


@pytest.mark.parametrize(
    ("lines", "root", "answer"),
    [
        ([ROOT.format(fs="ext4")], "/src/proj", True),
        ([ROOT.format(fs="overlay")], "/src/proj", False),
        (
            [ROOT.format(fs="ext4"), "28 27 0:25 / /src/proj/data rw - ext4 /dev/vdb rw"],
            "/src/proj",
            False,
        ),
        ([ROOT.format(fs="ext4"), "28 27 0:25 / /src/proj rw - nfs srv:/x rw"], "/src/proj", False),
        ([ROOT.format(fs="btrfs"), "28 27 0:25 / /src rw - xfs /dev/vdb rw"], "/src/proj", True),
        (
            [ROOT.format(fs="ext4"), "28 27 0:25 / /src/proj\\040x rw - tmpfs t rw"],
            "/src/proj",
            True,
        ),
        (
            [ROOT.format(fs="ext4"), "28 27 0:25 / /src/proj\\040x/a rw - btrfs t rw"],
            "/src/proj x",
            False,
        ),
        ([ROOT.format(fs="ext4"), "28 27 0:25 / /src/projx rw - btrfs t rw"], "/src/proj", True),
        (["garbage"], "/src/proj", False),
    ],
)
def test_which_trees_are_met_by_inode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str], root: str, answer: bool
) -> None:
    _mountinfo(tmp_path, monkeypatch, lines)
    assert finder._inodes_are_stats(root) is answer
