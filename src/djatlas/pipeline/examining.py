"""A cold scan's second process: a forked child that works ahead of the caller.

While the caller follows the settings' import closure, the child examines each file it reads
(the reading stage's per-file checks, ``reading.examine``) and, whenever no file waits to be
examined, parses the models modules (every one is parsed: ``reading.prefilter``). From the
parse stage on it is the caller's parse worker: it parses the wanted files the caller orders,
from the back of its list while the caller takes them from the front, then the files resolving
will likely load on demand (``pipeline.parsing``): it makes that list itself, from the files it
parsed and the parts of the others the caller sends, so that the caller need not read its
answers' summaries for it.

Both processes claim a file in a flag array they share (one byte per tree file, by position in
the sorted file list) before parsing it: the caller waits only for a file the child has
started, and parses the others itself. Neither needs the other's examining answers before the
reading stage, and the child's first parses are of files known from the walk alone, so the
second core works from the closure's start instead of idling until the parse stage.

The caller names each file as it reads it (``Examiner.send``); the child reads it again itself
(a read costs a tenth of the checks). At the reading stage the caller names its share of the
files left and ends the list; the child answers at once (one ``marshal``-ed dict), then sends
the parses it held back. When the closure has named it nearly every file, the caller names it
the few left and asks for the pre-filter's verdict too (``reading.verdict``: the child has
every file's class headers, which then never cross the pipe); the caller takes it unless it
read a file otherwise than the child (its length differs, or one of them could not read it).
Orders go to the child as frames on one pipe, answers come back as
frames on another (``parallel`` frames: a position, -1 for the examining answers, -2 for the
end of the held parses). Without ``fork`` (see ``parallel._can_fork``), for a ``Source`` (its
reader may share a pipe to git) or with a cache (its entries answer unchanged files), nothing
is forked: the reading stage examines every file and the parse stage starts its own workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from djatlas.discover.finder import TooLarge, is_models_module
from djatlas.lifetime import reap

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.discover.finder import SourceFile
    from djatlas.resolve.layout import Layout

#: Below this many files the fork costs more than the second core saves.
MIN_FILES = 40
#: Names are written to the child in batches of this many (one frame each).
_BATCH = 8
#: Order frames: files to examine, the end of that list, files to parse (positions), what
#: the child needs to make the list of files resolving will likely load (``Examiner.likely``).
_EXAMINE, _END, _PARSE, _LIKELY = 0, 1, 2, 3
#: Answer frames besides parses (whose position is the file's): the examining answers, the end
#: of the parses held back until then.
_EXAMINED, _HELD = -1, -2

#: The child's answer for one file: ``(its length, class headers, settings flag, bad)``.
Answer = tuple[int, list, bool, "tuple[str, int | None] | None"]


class Examiner:
    """The forked child, from the caller's side: ``send``/``answers`` for examining, then
    ``order``/``claim``/``wait`` for parsing (the interface of ``parallel.Pool``); ``close``
    ends it."""

    def __init__(self, pid: int, orders: int, answers: int, flags: Any, positions: dict[str, int]):
        self.pid = pid
        self._orders: int | None = orders
        from djatlas.parallel import pipe_size

        self._answers = os.fdopen(answers, "rb")
        self.flags = flags
        #: relpath -> position in ``flags`` (every tree file).
        self.positions = positions
        self._pending: list[str] = []
        #: The files named so far.
        self.sent: set[str] = set()
        self._ended = False
        self._answered = False
        #: Parse answers read before they were waited for (position -> pickle, or its answer in
        #: a 1-tuple once loaded while waiting: ``parallel.answer_for``).
        self._early: dict[int, Any] = {}
        #: Bytes one ``order`` may write: a quarter of the orders pipe (5 bytes a position),
        #: so that it never waits for a child that may itself wait for its answers to be read.
        self._room = pipe_size(orders) // 4
        #: Work to do while the examining answers are awaited: called until they come or it
        #: returns False (``scan._analyse``: parse a models module the child has not started).
        self.idle: Callable[[], bool] | None = None
        #: The pre-filter's verdict (``reading.verdict``), when asked for (``finish``) and given.
        self.verdict: set[str] | None = None

    def send(self, rel: str) -> None:
        """Have the child examine ``rel`` (in batches)."""
        self.sent.add(rel)
        self._pending.append(rel)
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            text = "\0".join(pending).encode("utf-8", "surrogatepass")
            self._write(_EXAMINE, text)

    def _write(self, kind: int, payload: bytes) -> bool:
        """One order frame; when the child is gone (a broken pipe), stop ordering: its answers
        say it failed."""
        if self._orders is None:
            return False
        from djatlas.parallel import write_all

        head = kind.to_bytes(4, "little", signed=True) + len(payload).to_bytes(4, "little")
        try:
            write_all(self._orders, head + payload)
        except OSError:
            os.close(self._orders)
            self._orders = None
            return False
        return True

    def finish(self, verdict_without: list[str] | None = None) -> None:
        """End the list of files: the child answers once it has examined them. With
        ``verdict_without`` (files named to it that the pre-filter leaves out), it also gives
        the pre-filter's verdict on the others, and no class headers."""
        if not self._ended:
            self._ended = True
            self._flush()
            import marshal

            asked = b"" if verdict_without is None else marshal.dumps(verdict_without)
            self._write(_END, asked)

    def answers(self) -> dict[str, Answer]:
        """Every named file's answer (those the child could not read are left out, like all of
        them when the child failed); the parses it held back are read too."""
        import marshal

        self.finish()
        self._answered = True
        if self.idle is not None and self.pid:
            self._work_meanwhile(self.idle)
        found: dict[str, Answer] = {}
        while True:
            frame = self._frame()
            if frame is None or frame[0] == _HELD:
                return found
            if frame[0] == _EXAMINED:
                try:
                    found = marshal.loads(frame[1])
                    if isinstance(found, tuple):  # with the verdict asked for
                        found, verdict = found
                        self.verdict = set(verdict)
                except (EOFError, ValueError, TypeError):
                    return {}
            else:
                self._early[frame[0]] = frame[1]

    def _work_meanwhile(self, idle: Callable[[], bool]) -> None:
        """Call ``idle`` until the child's first answer frame is there (nothing has been read
        from the answers pipe before: its buffer is empty, so the pipe itself tells) or
        ``idle`` has nothing left to do. The child answers once it has examined every file,
        after the parse it has under way: up to tens of ms."""
        import select

        fd = self._answers.fileno()
        while not select.select([fd], [], [], 0)[0] and idle():
            pass

    def _frame(self) -> tuple[int, bytes] | None:
        from djatlas.parallel import read_frame

        return read_frame(self._answers) if self.pid else None

    def order(self, rels: list[str]) -> bool:
        """Let the child parse ``rels`` next, in this order, each unless claimed already (as
        many as fit ``_room``); False when it cannot."""
        import marshal

        positions = [self.positions[rel] for rel in rels if rel in self.positions]
        payload = marshal.dumps(positions[: max(0, self._room - 64) // 5])
        return self._write(_PARSE, payload)

    def likely(self, wanted: set[str], named: dict[str, Any], sources: list) -> bool:
        """Let the child parse next the files resolving will likely load
        (``parsing.likely_files``), which it makes from ``named`` (the parts of the files
        parsed here, ``parsing.named_part``; ``sources``: the settings modules', for them) and
        the parts of those it parsed: the caller never loads its answers for it. False when
        it cannot (the list is too long to send, or the child is gone)."""
        import marshal

        payload = marshal.dumps((sorted(wanted), named, sources))
        return len(payload) <= self._room and self._write(_LIKELY, payload)

    def claim(self, position: int) -> bool:
        """Whether the caller parses file ``position`` itself (the child has not started it);
        else ``wait`` for the child's answer."""
        from djatlas.parallel import claim

        return claim(self.flags, position)

    def wait(self, position: int) -> Any:
        """The child's parse answer for file ``position`` (None if it failed, or while it still
        examines: its parses are held back until then)."""
        from djatlas.parallel import CALLER, answer_for

        if self.flags is None or self.flags[position] == CALLER:
            return None  # never started by the child
        if not self._answered:
            if not self._ended:
                return None
            self.answers()
        if not self.pid:
            return None
        return answer_for(position, self._answers, self._early)

    def close(self) -> None:
        """End the child (killed, reaped: ``lifetime.reap``) and free the flags (no import
        here: this may run at shutdown)."""
        if self._orders is not None:
            os.close(self._orders)
            self._orders = None
        if self.pid:
            try:
                os.kill(self.pid, 9)  # SIGKILL (``signal`` is not imported for it)
                reap(self.pid)
            except OSError:
                pass
            self.pid = 0
            self._answers.close()
        if self.flags is not None:
            self.flags.close()
            self.flags = None


def start(
    read: Callable[[str], bytes],
    layout: Layout,
    files: list[SourceFile],
    root: str | None,
    jobs: int | None,
) -> Examiner | None:
    """A child examining what ``read`` reads and parsing ahead, when there is a second core
    to run it and enough files to share (``jobs``: the ``--jobs`` option, 1 = everything
    in-process). ``files``: the walk's, with their sizes (the largest models modules go
    first). What only the child needs is made after the fork (``_first``, the children's
    index: ``_Work.serve``): between the walk's end and this fork the caller works alone."""
    from djatlas.parallel import fork_linked, spare_core

    paths = sorted(layout.module_of)
    if len(paths) < MIN_FILES or not spare_core(jobs):
        return None
    from djatlas.pipeline.reading import examine  # imported before the fork: both need it

    positions = {rel: i for i, rel in enumerate(paths)}
    linked = fork_linked(len(paths))
    if linked is None:
        return None
    pid, flags, writes, reads = linked  # the child reads orders, writes answers
    if pid == 0:  # the child: never returns
        status = 1
        try:
            import gc

            gc.disable()
            work = _Work(read, examine, layout, root, paths, positions, flags)
            work.serve(reads, writes, _first(paths, files))
            status = 0
        finally:
            os._exit(status)
    return Examiner(pid, writes, reads, flags, positions)


def _first(paths: list[str], files: list[SourceFile]) -> list[int]:
    """The positions of the models modules, the largest first: the child parses them while
    no file waits to be examined."""
    sizes = {f.relpath: f.size for f in files}
    first = [i for i, rel in enumerate(paths) if is_models_module(rel)]
    first.sort(key=lambda i: -sizes.get(paths[i], 0))
    return first


class _Work:
    """The child's side: examining first, parsing whenever no file waits to be examined."""

    def __init__(
        self,
        read: Callable[[str], bytes],
        examine: Callable[[bytes], Answer],
        layout: Layout,
        root: str | None,
        paths: list[str],
        positions: dict[str, int],
        flags: Any,
    ) -> None:
        self.read = read
        self.examine = examine
        self.layout = layout
        self.root = root
        self.paths = paths
        #: relpath -> position in ``paths`` (made before the fork, as the caller's).
        self.positions = positions
        self.flags = flags
        self.examined: dict[str, Answer] = {}
        #: relpath -> the bytes read to examine it, kept for the verdict's scoping and for
        #: parsing it (read once here, not again: ``parallel.parse_items`` opens a file with
        #: ``open``, several times the cost of ``read``'s one ``os.read``); only those of the
        #: files with class headers, settings or models modules (those the verdict scopes and
        #: the parse stage wants): the caller keeps every file's bytes too, and these pages
        #: are faulted in twice (a file guessed for resolving is read again by ``read``; the
        #: child's page faults: blueking-paas ~2650 -> ~2470, saleor ~4000 -> ~3880, netbox
        #: unchanged; the same instructions, within the run-to-run noise of the split).
        self.contents: dict[str, bytes] = {}
        #: Parse answers kept until the examining answers are sent (None: sent).
        self.held: list[tuple[int, bytes]] | None = []
        #: relpath -> ``parsing.early_part`` of each file parsed here, until ``likely`` uses
        #: them (then of the likely files, until ``bases_next`` uses them): its summary is not
        #: kept.
        self.parts: dict[str, Any] | None = {}
        #: The positions of the likely files whose classes' bases resolving loads too (those of
        #: the bases' modules of the wanted files: ``bases_next``), once ``likely`` made them.
        self.follow: set[int] = set()

    def serve(self, orders: int, answers: int, first: list[int]) -> None:
        """Until the caller closes the orders pipe (or ends the child). What the layout finds
        a name's children from (``likely`` needs a few: ``Layout.prepare_children``) is made
        the first time no order and no parse waits, not when ``likely`` is ordered."""
        from djatlas.parallel import FREE, WORKER

        inbox = _Inbox(orders)
        todo = first[::-1]  # taken from the end
        flags = self.flags
        spare: Callable[[], Any] | None = self.layout.prepare_children  # (when idle, once)
        with os.fdopen(answers, "wb") as out:
            while True:
                frame = inbox.next(wait=not todo and spare is None)
                if frame is not None:
                    todo = self.obey(frame, out, todo)
                elif inbox.closed:
                    return
                elif todo:
                    position = todo.pop()
                    if flags[position] == FREE:
                        flags[position] = WORKER
                        self.parse(position, out)
                        if self.follow and self.parts:
                            todo += self.bases_next(position)
                elif spare is not None:  # nothing to do yet
                    spare()
                    spare = None

    def obey(self, frame: tuple[int, bytes], out: Any, todo: list[int]) -> list[int]:
        """Act on one order; the parse list from now on."""
        import marshal

        from djatlas.parallel import write_frame

        kind, payload = frame
        if kind == _EXAMINE:
            for raw in payload.split(b"\0"):
                rel = raw.decode("utf-8", "surrogatepass")
                try:
                    data = self.read(rel)
                except OSError:
                    continue  # the caller reads it again and reports it
                examined = self.examined[rel] = self.examine(data)
                if examined[1] or examined[2] or is_models_module(rel):
                    self.contents[rel] = data
        elif kind == _END:
            answer: Any = self.examined
            if payload:
                answer = self.verdict(set(marshal.loads(payload)))
            write_frame(out, _EXAMINED, marshal.dumps(answer))
            for position, data in self.held or ():
                write_frame(out, position, data)
            write_frame(out, _HELD, b"")
            self.held = None
        elif kind == _PARSE:
            return marshal.loads(payload)[::-1]
        elif kind == _LIKELY:
            return self.likely(*marshal.loads(payload))[::-1]
        return todo

    def likely(self, wanted: list[str], named: dict[str, Any], sources: list) -> list[int]:
        """The positions of the files resolving will likely load (``Examiner.likely``)."""
        from djatlas.pipeline.parsing import finish_part, likely_parts

        parts, self.parts = self.parts or {}, None
        for rel in wanted:
            if rel not in named and rel in parts:
                named[rel] = finish_part(parts[rel], sources)
        positions = self.positions
        bases, rest = likely_parts(self.layout, wanted, named)
        self.follow = {positions[rel] for rel in bases if rel in positions}
        self.parts = {}
        return [positions[rel] for rel in bases + rest if rel in positions]

    def bases_next(self, position: int) -> list[int]:
        """The positions of the files the bases of likely file ``position``, just parsed, come
        from, not started yet, to parse next (the last first) when it is one of the bases'
        modules of the wanted files (``follow``): resolving loads the bases of every class of
        those (netbox: ``api/serializers/base.py``, the base of such a file's serializers, was
        parsed by the caller; the others' would be loaded by no one)."""
        from djatlas.parallel import FREE
        from djatlas.pipeline.parsing import bases_files

        rel, part = self.parts.popitem()  # (only the file just parsed: popped each time)
        if position not in self.follow:
            return []
        flags, positions = self.flags, self.positions
        found = [positions[f] for f in bases_files(self.layout, part, rel) if f in positions]
        fresh = [i for i in reversed(found) if flags[i] == FREE]
        self.follow.update(fresh)  # (their bases too)
        return fresh

    def verdict(self, leave: set[str]) -> tuple[dict[str, Answer], list[str]]:
        """The answers without class headers, and the pre-filter's verdict
        (``reading.verdict``) on the files examined but those to ``leave`` out: the caller
        takes it unless it saw a file otherwise."""
        from djatlas.pipeline.reading import bytes_of, verdict

        headers, settings, readable = {}, set(), set()
        for rel, (_, heads, is_settings, bad) in self.examined.items():
            if bad is None and rel not in leave:
                readable.add(rel)
                if heads:
                    headers[rel] = heads
                if is_settings:
                    settings.add(rel)
        data_of = bytes_of(self.contents, self.read)
        chosen = verdict(headers, settings, readable, self.layout, data_of)
        answers = {
            rel: (size, [], is_settings, bad)
            for rel, (size, _, is_settings, bad) in self.examined.items()
        }
        return answers, sorted(chosen)

    def parse(self, position: int, out: Any) -> None:
        """Parse the file at ``position`` and send (or hold) its answer."""
        from djatlas.parallel import parse_items, pickled, write_frame
        from djatlas.parse.summary import ModuleSummary

        rel = self.paths[position]
        data = self.contents.get(rel)
        too_large = False  # (then read, and reported, by the caller: the answer is None)
        if data is None:  # not examined yet, or not kept: read again
            try:
                data = self.read(rel)
            except TooLarge:
                too_large = True
            except OSError:
                data = None  # read (and reported) by ``parse_items``
        item = (rel, data, self.layout.module_of[rel], self.layout.is_package(rel))
        answer = None if too_large else parse_items([item], self.root)[0][1]
        data = pickled(answer)
        if self.held is not None:
            self.held.append((position, data))
        else:
            write_frame(out, position, data)
        if self.parts is not None and isinstance(answer, ModuleSummary):
            from djatlas.pipeline.parsing import early_part

            self.parts[rel] = early_part(answer, rel)  # after the answer: the caller may wait


class _Inbox:
    """Order frames from a pipe, read without waiting when asked."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def next(self, wait: bool) -> tuple[int, bytes] | None:
        """The next complete frame; None when there is none yet (``wait`` False) or the pipe
        is closed (``closed``)."""
        import select

        while True:
            frame = self._take()
            if frame is not None or self.closed:
                return frame
            if not wait and not select.select([self.fd], [], [], 0)[0]:
                return None
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                self.closed = True
                return None
            self.buffer += chunk

    def _take(self) -> tuple[int, bytes] | None:
        buffer = self.buffer
        if len(buffer) < 8:
            return None
        size = int.from_bytes(buffer[4:8], "little")
        if len(buffer) < 8 + size:
            return None
        self.buffer = buffer[8 + size :]
        return int.from_bytes(buffer[:4], "little", signed=True), buffer[8 : 8 + size]
