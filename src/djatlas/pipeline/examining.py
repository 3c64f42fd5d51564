"""The reading stage's per-file checks (``reading.examine``) in a forked child process, while
the caller follows the settings' import closure.

Both need the closure's files, but neither needs the other's answers before the reading stage,
and the second core is idle until the parse stage. The caller names each file as it reads it
(``Examiner.send``); the child reads it again itself (a read costs a tenth of the checks) and
examines it. At the reading stage the caller names its share of the files left, ends the
list, and gets every answer at once (``Examiner.answers``: one ``marshal``-ed dict through a
pipe). Without ``fork`` (see ``parallel._can_fork``), for a ``Source`` (its reader may share a
pipe to git) or with a cache (its entries answer unchanged files), nothing is forked and the
reading stage examines every file itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable

#: Below this many files the fork costs more than the second core saves.
MIN_FILES = 40
#: Names are written to the child in batches of this many (one ``os.write`` each).
_BATCH = 8

#: The child's answer for one file: ``(its length, class headers, settings flag, bad)``.
Answer = tuple[int, list, bool, "tuple[str, int | None] | None"]


class Examiner:
    """A forked child examining the files it is named; ``answers`` ends it."""

    def __init__(self, pid: int, names: int, answers: int) -> None:
        self.pid = pid
        self._names: int | None = names
        self._answers = answers
        self._pending: list[str] = []
        #: The files named so far.
        self.sent: set[str] = set()

    def send(self, rel: str) -> None:
        """Have the child examine ``rel`` (in batches)."""
        self.sent.add(rel)
        self._pending.append(rel)
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        """Write the pending names; when the child is gone (a broken pipe), stop naming: its
        answers say it failed."""
        pending, self._pending = self._pending, []
        if pending and self._names is not None:
            text = "\0".join(pending) + "\0"
            try:
                _write_all(self._names, text.encode("utf-8", "surrogatepass"))
            except OSError:
                os.close(self._names)
                self._names = None

    def finish(self) -> None:
        """End the list of files: the child answers once it has examined them."""
        self._flush()
        if self._names is not None:
            os.close(self._names)
            self._names = None

    def answers(self) -> dict[str, Answer]:
        """Every named file's answer (those the child could not read are left out, like all of
        them when the child failed); the child has ended."""
        self.finish()
        with os.fdopen(self._answers, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if status != 0 or not data:
            return {}
        import marshal

        return marshal.loads(data)

    def close(self) -> None:
        """End the child without its answers (the caller failed before the reading stage)."""
        self.finish()
        if self.pid:
            try:
                os.kill(self.pid, 9)  # SIGKILL (``signal`` is not imported for it)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
            os.close(self._answers)


def start(read: Callable[[str], bytes], files: int, jobs: int | None) -> Examiner | None:
    """A child examining what ``read`` reads, when there is a second core to run it and
    ``files`` to share (``jobs``: the ``--jobs`` option, 1 = everything in-process)."""
    from djatlas.parallel import spare_core

    if files < MIN_FILES or not spare_core(jobs):
        return None
    from djatlas.pipeline.reading import examine  # imported before the fork: both need it

    names_r, names_w = os.pipe()
    answers_r, answers_w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        for fd in (names_r, names_w, answers_r, answers_w):
            os.close(fd)
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(names_w)
            os.close(answers_r)
            _serve(names_r, answers_w, read, examine)
            status = 0
        finally:
            os._exit(status)
    os.close(names_r)
    os.close(answers_w)
    return Examiner(pid, names_w, answers_r)


def _serve(
    names: int, answers: int, read: Callable[[str], bytes], examine: Callable[[bytes], Answer]
) -> None:
    """The child's loop: examine each file named until the list ends, then send the answers."""
    import marshal

    out: dict[str, Answer] = {}
    rest = b""
    while True:
        chunk = os.read(names, 1 << 16)
        if not chunk:
            break
        *complete, rest = (rest + chunk).split(b"\0")
        for raw in complete:
            rel = raw.decode("utf-8", "surrogatepass")
            try:
                out[rel] = examine(read(rel))
            except OSError:
                continue  # the caller reads it again and reports it
    _write_all(answers, marshal.dumps(out))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
