"""The walk shared by the walk child and the main process (``discover.sharing``): whoever walks
which folder, the Discovery is the one the plain walk makes."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.discover import finder, sharing

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")

OPTIONS = [
    finder.DiscoverOptions(),
    finder.DiscoverOptions(exclude=["app1/sub"], max_file_size=40),
    finder.DiscoverOptions(include=["app*/**"], gitignore=False),
    finder.DiscoverOptions(default_excludes=False),
    finder.DiscoverOptions(watched=False),  # folders met by their inodes: the child's answer
]


def _fields(found: finder.Discovery) -> tuple:
    return (
        [(f.relpath, f.size, f.mtime_ns) for f in found.files],
        [(r.path, r.status, r.reason, r.line, r.module) for r in found.records],
        found.packages,
        list(found.stats.items()),
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    files = {".gitignore": "*.tmp.py\nignored/\n", "top.py": "", "c.txt": ""}
    for a in range(4):
        files[f"app{a}/__init__.py"] = ""
        files[f"app{a}/models.py"] = "x = 1\n" * (a * 5)
        files[f"app{a}/x.tmp.py"] = ""
        files[f"app{a}/ignored/m.py"] = ""
        for b in range(3):
            files[f"app{a}/sub/s{b}/__init__.py"] = ""
            files[f"app{a}/sub/s{b}/deep/d.py"] = ""
    files["app2/sub/.gitignore"] = "d.py\n!s1/deep/d.py\n"
    files["env/pyvenv.cfg"] = ""
    files["env/lib/site.py"] = ""
    files["app3/migrations/0001.py"] = ""
    return write_tree(tmp_path / "proj", files)


def _split(root: str, options: finder.DiscoverOptions, child_first: int) -> tuple | None:
    """The shared walk played out in this process: the child side visits ``child_first``
    folders, the main process takes what it announced, then the child takes the rest."""
    flags = mmap.mmap(-1, 64)
    up_r, up_w = os.pipe()  # child -> main
    down_r, down_w = os.pipe()  # main -> child
    child = sharing._Share(
        finder._Walker(root, options), flags, sharing._CHILD, up_w, sharing._Inbox(down_r)
    )
    main = sharing._Share(
        finder._Walker(root, options), flags, sharing._MAIN, down_w, sharing._Inbox(up_r)
    )
    child.announcing = True
    child.stack.append((0, root, "", [], None))
    child.next_id = 2
    for _ in range(child_first):
        if child.stack:
            child.visit(*child.stack.pop())
    child._announce(child.stack)
    sharing._meet_root(main.walker, flags)  # (as ``sharing.join`` does)
    main.run(wait=False)
    child.run(wait=False)
    for fd in (up_r, up_w, down_r, down_w):
        os.close(fd)
    assert main.done or not child_first  # the main process took a part
    return sharing._merge(child.done, main.done, child.walker.seen_dirs, main.walker.seen_dirs)


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("child_first", [0, 1, 2, 5])
def test_a_split_walk_is_the_walk(
    tree: Path, options: finder.DiscoverOptions, child_first: int
) -> None:
    here = _fields(finder.discover(str(tree), options))
    found = _split(str(tree), options, child_first)
    assert found is not None
    files, records, packages, stats = found
    got = ([tuple(f) for f in files], [tuple(r) for r in records], packages, list(stats.items()))
    assert got == here


@pytest.mark.parametrize("options", OPTIONS)
def test_the_walk_ahead_with_the_main_process_is_the_walk(
    tree: Path, options: finder.DiscoverOptions
) -> None:
    here = _fields(finder.discover(str(tree), options))
    for _ in range(3):  # the main process joins at once: the split varies from run to run
        assert _fields(finder.discover_ahead(str(tree), options)) == here


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("joined", [0, 1])
def test_the_childs_answer_is_the_walk(
    tree: Path, options: finder.DiscoverOptions, joined: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child's last frame, whole (``"w"``: the main process has not joined, the child put
    the walk together) or by folder (``"r"``: the main process merges it), gives the walk. The
    child visits the root before it announces anything (the main process joining at once and
    taking it, the child met folders by their stats instead of their inodes)."""
    here = _fields(finder.discover(str(tree), options))
    flags = mmap.mmap(-1, 64)
    flags[sharing._JOINED] = joined
    up_r, up_w = os.pipe()  # child -> main
    down_r, down_w = os.pipe()  # main -> child
    sent: list = []
    real, real_frame = sharing._send_result, sharing._frame
    monkeypatch.setattr(sharing, "_send_result", lambda *a: real(*a) or sent.append(a[2][0]))
    monkeypatch.setattr(sharing, "_frame", lambda p: sent.append(p) or real_frame(p))
    sharing.serve(str(tree), options, flags, up_w, down_r)
    announced = [task[2] for frame in sent if frame[0] == "t" for task in frame[1]]
    assert bool(announced) == bool(joined) and "" not in announced
    assert [frame[0] for frame in sent if frame[0] == "a"] == ["a"] * joined  # (accounts)
    assert sent[-1] == "rw"[1 - joined]
    found = sharing.join(str(tree), options, flags, up_r, down_w, False)
    for fd in (up_r, up_w, down_r, down_w):
        os.close(fd)
    assert found is not None
    files, records, packages, stats = found
    got = ([tuple(f) for f in files], [tuple(r) for r in records], packages, list(stats.items()))
    assert got == here


def test_a_folder_met_twice_is_walked_again_alone(tree: Path) -> None:
    """Which of two ways to one folder is walked depends on the walk's order: a split walk
    that met a folder twice is not used."""
    os.symlink(tree / "app0", tree / "app2" / "sub" / "s0" / "link")
    os.symlink(tree / "app3" / "sub", tree / "app1" / "again")
    options = finder.DiscoverOptions()
    here = _fields(finder.discover(str(tree), options))
    assert any(r[2] == "already scanned" for r in here[1])
    assert _split(str(tree), options, 2) is None
    assert _fields(finder.discover_ahead(str(tree), options)) == here


def test_a_full_pipe_keeps_the_tasks_at_home(tree: Path) -> None:
    """Announcements stop at a full pipe (the tasks stay the announcer's); the end of a frame
    cut there goes before the child's last frame."""
    flags = mmap.mmap(-1, 64)
    read, write = os.pipe()
    share = sharing._Share(
        finder._Walker(str(tree), finder.DiscoverOptions()),
        flags,
        sharing._CHILD,
        write,
        sharing._Inbox(os.pipe()[0]),
    )
    share.announcing = True
    big = [(i * 2, "p" * 900, "r", [], None) for i in range(31)]
    while share.out is not None:
        share._announce(big)
    inbox = sharing._Inbox(read)
    frames = inbox.frames(False)  # the whole ones
    sharing._send_result(write, share.unsent, ("r", {}, {}))  # (unsent: the rest of a cut one)
    frames += inbox.frames(False)
    announced = ("t", [t[:3] + ([],) for t in big])
    assert len(frames) > 1 and frames[:-1] == [announced] * (len(frames) - 1)
    assert frames[-1] == ("r", {}, {})


def test_a_gitignore_gone_before_the_main_process_reads_it(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main process reads the .gitignore files in force where it takes over: one it cannot
    read leaves the walk to be done again alone (``join`` answers None)."""

    def gone(self: sharing._Share, bases: tuple[str, ...]) -> None:
        raise FileNotFoundError(bases)

    monkeypatch.setattr(sharing._Share, "_chain", gone)
    flags = mmap.mmap(-1, 64)
    up_r, up_w = os.pipe()  # the child's announcement: the root's subfolder "app0"
    down_r, down_w = os.pipe()
    os.writev(up_w, sharing._frame(("t", [(2, str(tree / "app0"), "app0", [""])])))
    options = finder.DiscoverOptions()
    assert sharing.join(str(tree), options, flags, up_r, down_w, True) is None
    assert flags[sharing._JOINED] == 1
    for fd in (up_r, up_w, down_r, down_w):
        os.close(fd)
