"""Migration files read ahead in a forked process while the scan runs in this one.

A cold ``migrations`` run spends most of its time in two independent parts: the scan (one core)
and reading the migration files. The migration packages are only known from the report, so the
reader process finds them itself (``migrations/__init__.py`` folders of the tree, their dotted
module guessed from the ``__init__.py`` chain) and sends back what ``loader._parse`` gives for
each file with its size, mtime and guessed module. The loader uses an answer only when all
three match the file it reads; anything else it reads itself, so the result never depends on
the guess (or on whether the reader process ran at all).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from typing import Any

from djatlas.discover.finder import DEFAULT_EXCLUDED_DIRS

_SKIP = DEFAULT_EXCLUDED_DIRS - {"migrations"}


class Prefetch:
    """The reader process and its answers: path -> (size, mtime_ns, module, parsed)."""

    def __init__(self, root: str) -> None:
        self.pid: int | None = None
        self.fd: int | None = None
        self.answers: dict[str, tuple[int, int, str, dict[str, Any]]] | None = None
        if not _worth_it(root):
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(read)
            _child(root, write)
        os.close(write)
        self.pid, self.fd = pid, read

    def get(self, path: str, size: int, mtime: int, module: str) -> dict[str, Any] | None:
        """The reader's parse of ``path`` when it read the same file as the same module."""
        if self.answers is None:
            self.answers = self._receive()
        row = self.answers.get(path)
        if row is None or row[0] != size or row[1] != mtime or row[2] != module:
            return None
        return row[3]

    def _receive(self) -> dict[str, tuple[int, int, str, dict[str, Any]]]:
        if self.fd is None:
            return {}
        chunks = []
        try:
            while True:
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            answers = pickle.loads(b"".join(chunks)) if chunks else {}
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            answers = {}
        self.close()
        return answers if isinstance(answers, dict) else {}

    def close(self) -> None:
        """Stop and reap the reader process (idempotent)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = None


def _worth_it(root: str) -> bool:
    """A second core and ``os.fork`` (not on Windows); a folder to read."""
    if not hasattr(os, "fork") or not os.path.isdir(root):
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cpus or 1) >= 2


def _child(root: str, fd: int) -> None:  # pragma: no cover - runs in the forked process
    """Read every migration file found, send the answers, exit without any cleanup of the
    parent's state (buffers, atexit handlers)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        data = pickle.dumps(read_all(root), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        code = 0
    finally:
        os._exit(code)


def read_all(root: str) -> dict[str, tuple[int, int, str, dict[str, Any]]]:
    """Every migration file of every ``migrations`` package under ``root``, parsed."""
    from djatlas.migrations.loader import _parse

    out: dict[str, tuple[int, int, str, dict[str, Any]]] = {}
    for folder, module in migration_packages(root):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for filename in names:
            if not filename.endswith(".py") or filename[0] in "_~":
                continue
            path = os.path.join(folder, filename)
            try:
                st = os.stat(path)
            except OSError:
                continue
            name = f"{module}.{filename[:-3]}"
            out[path] = (st.st_size, st.st_mtime_ns, name, _parse(path, name))
    return out


def migration_packages(root: str) -> list[tuple[str, str]]:
    """``(folder, dotted module)`` of every ``migrations/__init__.py`` package under ``root``
    (default-excluded and hidden folders skipped), the module from the ``__init__.py`` chain."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.startswith("."))
        if os.path.basename(folder) == "migrations" and "__init__.py" in files:
            dirs[:] = []
            out.append((folder, _module(folder)))
    return out


def _module(folder: str) -> str:
    parts = []
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, name = os.path.split(folder)
        parts.append(name)
        if not name:
            break
    return ".".join(reversed(parts))
