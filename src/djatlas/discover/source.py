"""Where source bytes come from: a directory on disk, or another tree (e.g. a git revision)."""

from __future__ import annotations

from abc import ABC, abstractmethod


class Source(ABC):
    """A read-only tree of files addressed by POSIX paths relative to its root."""

    #: What the report shows as the scanned path.
    name: str

    @abstractmethod
    def list_paths(self) -> list[str]:
        """Every regular file of the tree, as POSIX relative paths (any order)."""

    @abstractmethod
    def read_bytes(self, relpath: str) -> bytes:
        """The content of one file; raises OSError when it cannot be read."""

    def git_commit(self) -> str | None:
        """The commit the tree comes from, when known."""
        return None
