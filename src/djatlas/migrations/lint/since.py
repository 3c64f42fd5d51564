"""``--since REV``: the migration files of the tree that did not exist at a git revision (added,
renamed or not yet committed), read from the repository's objects with the git CLI, no
checkout."""

from __future__ import annotations

import os

from djatlas.discover.gitsource import GitError, _git


def paths_at(tree: str, rev: str) -> set[str]:
    """The files of revision ``rev`` under the tree, as paths relative to the tree (POSIX);
    raises GitError when the tree is not in a repository or ``rev`` is not a revision."""
    folder = tree if os.path.isdir(tree) else os.path.dirname(tree) or "."
    if rev.startswith("-"):
        raise GitError(f"invalid revision {rev!r}")
    try:
        top = _git(folder, "rev-parse", "--show-toplevel").decode().strip()
        prefix = _git(folder, "rev-parse", "--show-prefix").decode().strip()
    except GitError:
        raise GitError(f"{tree} is not in a git repository (--since needs one)") from None
    try:
        commit = _git(folder, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except GitError:
        raise GitError(f"{rev!r} is not a revision of the git repository {top}") from None
    args = ["ls-tree", "-r", "-z", "--name-only", "--full-tree", commit.decode().strip()]
    listing = _git(top, *args, *(["--", prefix] if prefix else []))
    out = set()
    for raw in listing.split(b"\0"):
        path = os.fsdecode(raw)
        if path and path.startswith(prefix):
            out.add(path[len(prefix) :])
    return out
