"""A :class:`Source` reading one revision of a git repository straight from its object store."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from types import TracebackType

from djatlas.discover.source import Source

#: ls-tree modes of regular files (symlinks 120000 and submodules 160000 are left out).
_FILE_MODES = frozenset({b"100644", b"100755", b"100664"})


class GitError(Exception):
    """A git command failed; the message is one line meant for the user."""


def _git(repo: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


class GitSource(Source):
    """The tree of revision ``rev`` of the repository at ``repo``, read without a checkout.

    Paths are listed with ``git ls-tree -r -z --full-tree`` and contents read through a single
    ``git cat-file --batch`` process started on first use; call :meth:`close` (or use the
    source as a context manager) to end it.
    """

    def __init__(self, repo: str | os.PathLike[str], rev: str) -> None:
        self.repo = Path(repo)
        self.rev = rev
        if not self.repo.exists():
            raise GitError(f"repository path {str(self.repo)!r} does not exist")
        if rev.startswith("-"):
            raise GitError(f"invalid revision {rev!r}")
        try:
            out = _git(self.repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except GitError as exc:
            raise GitError(
                f"{rev!r} is not a revision of the git repository {str(repo)!r}"
            ) from exc
        self._commit = out.decode().strip()
        self.name = f"{repo}@{rev}"
        self._blobs: dict[str, str] = {}
        listing = _git(self.repo, "ls-tree", "-r", "-z", "--full-tree", self._commit)
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, _, path = entry.partition(b"\t")
            mode, kind, sha = meta.split(b" ")
            if kind == b"blob" and mode in _FILE_MODES:
                self._blobs[os.fsdecode(path)] = sha.decode()
        self._proc: subprocess.Popen[bytes] | None = None

    def list_paths(self) -> list[str]:
        return list(self._blobs)

    def git_commit(self) -> str | None:
        return self._commit

    def read_bytes(self, relpath: str) -> bytes:
        sha = self._blobs.get(relpath)
        if sha is None:
            raise FileNotFoundError(f"{relpath}: not in {self.name}")
        proc = self._batch()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(sha.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            self.close()
            raise OSError(f"{relpath}: git cat-file failed") from exc
        parts = header.split()
        if len(parts) != 3 or parts[1] != b"blob":
            self.close()
            raise OSError(f"{relpath}: git cat-file answered {header!r}")
        size = int(parts[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # the newline after the content
        if len(data) != size:
            self.close()
            raise OSError(f"{relpath}: short read from git cat-file")
        return data

    def _batch(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                ["git", "-C", str(self.repo), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._proc

    def close(self) -> None:
        """End the ``git cat-file`` process, if one is running."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()

    def __enter__(self) -> GitSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # best effort at interpreter shutdown
            self.close()
