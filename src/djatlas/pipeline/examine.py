"""The reading stage's per-file checks on the second core: a forked helper examines files
(byte checks and class headers, ``reading.examine``) while the main process follows the
settings' import closure, which names them one by one as it reads them.

The helper reads each file itself (the page cache has it: the closure just read it) and
answers for all of them at the end, pickled through a pipe. A file it could not answer (it
died, the file vanished) is examined in-process as before, so the report never depends on
whether the helper ran. A plain ``os.fork`` and two pipes (see ``djatlas.parallel``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    #: ``(class headers, assigns INSTALLED_APPS, (reason, line) when the bytes are bad)``.
    Examined = tuple[list[Any], bool, tuple[str, int | None] | None]

#: A helper pays only for this many files at least (fork and pipes cost ~5 ms).
MIN_FILES = 100
#: Paths are written to the helper in batches of this many (one ``write`` each).
BATCH = 32


class Examiner:
    """A forked helper examining the files ``send`` names; ``results`` collects its answers."""

    def __init__(self, pid: int, to_helper: int, from_helper: int) -> None:
        self.pid = pid
        self._to = to_helper
        self._from = from_helper
        #: Files named to the helper.
        self.sent: set[str] = set()
        self._batch: list[bytes] = []
        self._broken = False

    @classmethod
    def start(cls, read: Callable[[str], bytes], files: int, jobs: int | None) -> Examiner | None:
        """A helper reading with ``read``, when forking is usable and pays (``files`` to
        read, ``--jobs`` not 1); else None."""
        from djatlas.parallel import _can_fork

        if files < MIN_FILES or jobs == 1 or not _can_fork() or _cpus() < 2:
            return None
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (down_r, down_w, up_r, up_w):
                os.close(fd)
            return None
        if pid:
            os.close(down_r)
            os.close(up_w)
            return cls(pid, down_w, up_r)
        try:  # the helper: never returns
            os.close(down_w)
            os.close(up_r)
            _serve(read, down_r, up_w)
        finally:
            os._exit(0)

    def send(self, rel: str) -> None:
        """Have the helper examine ``rel``."""
        self.sent.add(rel)
        self._batch.append(rel.encode("utf-8", "surrogateescape") + b"\0")
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        data, self._batch = b"".join(self._batch), []
        while data and not self._broken:
            try:
                data = data[os.write(self._to, data) :]
            except OSError:  # the helper died: its files are examined in-process
                self._broken = True

    def results(self) -> dict[str, Examined]:
        """The helper's answers (after it examined every file sent), by relpath; what it
        could not answer is missing."""
        import pickle

        self._flush()
        pid, self.pid = self.pid, 0
        os.close(self._to)
        try:
            with os.fdopen(self._from, "rb") as fh:
                data = fh.read()
        finally:
            os.waitpid(pid, 0)
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - the helper died: examined in-process
            return {}

    def close(self) -> None:
        """End a helper whose results were not collected (the scan stopped on an error)."""
        if not self.pid:
            return
        for fd in (self._to, self._from):
            with contextlib.suppress(OSError):
                os.close(fd)
        try:
            os.kill(self.pid, 9)  # SIGKILL (``signal`` is not imported for it)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        self.pid = 0


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _serve(read: Callable[[str], bytes], down: int, up: int) -> None:
    """The helper's loop: examine each NUL-terminated path read from ``down`` until it ends,
    then write every answer to ``up``."""
    import gc
    import pickle

    from djatlas.pipeline.reading import examine

    gc.disable()
    out: dict[str, Examined] = {}
    rest = b""
    while True:
        chunk = os.read(down, 1 << 16)
        if not chunk:
            break
        *names, rest = (rest + chunk).split(b"\0")
        for name in names:
            rel = name.decode("utf-8", "surrogateescape")
            try:
                out[rel] = examine(read(rel))
            except OSError:
                continue  # reported by the reading stage
    with os.fdopen(up, "wb") as fh:
        fh.write(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
