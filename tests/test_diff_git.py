"""GitSource (a revision read from git objects) and `djatlas diff REV REV --repo`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from djatlas.cli import main
from djatlas.discover.gitsource import GitError, GitSource

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TREES = Path(__file__).parent / "fixtures" / "diff_trees"


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
    }
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.strip()


def commit_tree(repo: Path, tree: Path, message: str) -> str:
    """Replace the work tree of ``repo`` by a copy of ``tree`` and commit it."""
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(tree, repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


def test_git_source_reads_a_revision(repo: Path) -> None:
    (repo / "pkg").mkdir()
    (repo / "pkg" / "a.py").write_text("A = 1\n")
    (repo / "b b.txt").write_bytes(b"\x00binary\xff")
    (repo / "link.py").symlink_to("pkg/a.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    sha1 = git(repo, "rev-parse", "HEAD")
    (repo / "pkg" / "a.py").write_text("A = 2\n")
    git(repo, "commit", "-q", "-am", "two")

    with GitSource(repo, "HEAD~1") as source:
        assert source.git_commit() == sha1
        assert source.name == f"{repo}@HEAD~1"
        assert sorted(source.list_paths()) == ["b b.txt", "pkg/a.py"]  # no symlink
        assert source.read_bytes("pkg/a.py") == b"A = 1\n"
        assert source.read_bytes("b b.txt") == b"\x00binary\xff"
        assert source.read_bytes("pkg/a.py") == b"A = 1\n"  # the batch process is reused
        with pytest.raises(OSError):
            source.read_bytes("missing.py")
    with GitSource(repo, "main") as source:
        assert source.read_bytes("pkg/a.py") == b"A = 2\n"
    # The work tree was never touched.
    assert (repo / "pkg" / "a.py").read_text() == "A = 2\n"


def test_git_source_bad_revision(repo: Path, tmp_path: Path) -> None:
    (repo / "x.py").write_text("")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    with pytest.raises(GitError, match="not a revision"):
        GitSource(repo, "nope")
    with pytest.raises(GitError):
        GitSource(repo, "--all")
    with pytest.raises(GitError):
        GitSource(tmp_path / "missing", "HEAD")


def test_diff_between_git_revisions(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("djatlas.scan")
    old = commit_tree(repo, TREES / "old", "old models")
    commit_tree(repo, TREES / "new", "new models")
    # The work tree holds something else entirely: revisions are read from git objects.
    (repo / "shop" / "models.py").write_text("garbage = (\n")
    rc = main(["diff", old, "HEAD", "--repo", str(repo), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert out["old"]["git_commit"] == old
    labels = {m["new_label"] or m["old_label"]: m["status"] for m in out["models"]}
    assert labels["shop.Coupon"] == "added"
    assert labels["shop.Product"] == "changed"
    codes = {r["code"] for r in out["risks"]}
    assert {"not-null-no-default", "type-narrowed", "unique-added"} <= codes
    assert main(["diff", "HEAD", "HEAD", "--repo", str(repo)]) == 0


def test_diff_between_directories(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("djatlas.scan")
    rc = main(["diff", str(TREES / "old"), str(TREES / "new")])
    text = capsys.readouterr().out
    assert rc == 1
    assert "+ model shop.Coupon" in text
    assert "max_length decreased from 100 to 50" in text
