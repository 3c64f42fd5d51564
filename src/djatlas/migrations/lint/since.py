"""``--since REV``: what the tree's git repository held at a revision, read from its objects
with the git CLI (no checkout): which files existed (a migration file that did not is new:
added, renamed or not yet committed), which differ now, and their old contents."""

from __future__ import annotations

import os

from djatlas.discover.gitsource import GitError, _git


class Revision:
    """Revision ``rev`` of the repository holding ``tree``; paths are relative to the tree
    (POSIX). Raises GitError when the tree is not in a repository or ``rev`` is not a
    revision."""

    def __init__(self, tree: str, rev: str) -> None:
        folder = tree if os.path.isdir(tree) else os.path.dirname(tree) or "."
        if rev.startswith("-"):
            raise GitError(f"invalid revision {rev!r}")
        try:
            self.top = _git(folder, "rev-parse", "--show-toplevel").decode().strip()
            self.prefix = _git(folder, "rev-parse", "--show-prefix").decode().strip()
        except GitError:
            raise GitError(f"{tree} is not in a git repository (--since needs one)") from None
        try:
            out = _git(folder, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except GitError:
            raise GitError(f"{rev!r} is not a revision of the git repository {self.top}") from None
        self.rev = rev
        self.commit = out.decode().strip()
        scope = ["--", self.prefix] if self.prefix else []
        listing = _git(
            self.top, "ls-tree", "-r", "-z", "--name-only", "--full-tree", self.commit, *scope
        )
        self.paths = self._relative(listing)
        diff = _git(self.top, "diff", "--name-only", "-z", "--no-renames", self.commit, *scope)
        self.changed = self._relative(diff) & self.paths

    def _relative(self, listing: bytes) -> set[str]:
        out = set()
        for raw in listing.split(b"\0"):
            path = os.fsdecode(raw)
            if path and path.startswith(self.prefix):
                out.add(path[len(self.prefix) :])
        return out

    def read(self, path: str) -> bytes:
        """The file's content at the revision."""
        return _git(self.top, "show", f"{self.commit}:{self.prefix}{path}")
