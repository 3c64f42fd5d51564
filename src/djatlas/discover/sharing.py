"""The walk ahead shared by the walk child and the main process.

A cold scan forks its walk child early (``discover.ahead``); the main process finishes its own
imports well before the child is done. It then joins the walk instead of waiting: both work on
folders ("tasks"), each listed and accounted for (``_Walker.visit``) by whoever claims it first
in a byte array they share (``parallel.claim``). Each process goes depth first through its own
tasks and announces the subfolders it queues to the other through a pipe; one out of tasks
takes the oldest task the other announced and did not start (a large subtree, usually). The
child announces its queue only once the main process has joined (flag byte 0).

The main process then puts the folders' accounts together in the walk's own order (depth
first, names in order), so the Discovery is the one ``discover`` makes (the child does it
when it walked every folder: ``serve``). What depends on the
order in which folders are met (a folder reached twice, through a symlink or a bind mount) is
not split: when a folder was met twice, the main process walks the tree again alone.
"""

from __future__ import annotations

import marshal
import os

from djatlas.discover.finder import DiscoverOptions, FileRecord, _Ignores, _Listing, _Walker
from djatlas.discover.gitignore import GitIgnore
from djatlas.parallel import FREE, claim, write_all

#: A task: (id, path, rel, .gitignore files in force, listing or None, its screen's
#: inheritance or None: ``finder._Task``).
_Task = tuple[int, str, str, _Ignores, "_Listing | None", "_Ignores | None"]
#: One folder's account: files, records (as tuples), stats, holds __init__.py, subfolders.
_Folder = tuple[list, list, dict, bool, list]
#: Reasons a folder met twice gets: the walk's order decides which one is walked.
_MET_TWICE = ("symlink loop", "already scanned")
_JOINED = 0  # flag byte: the main process walks too
#: Flag byte (the last): the walk child's ``_Walker.device`` once it met the root, for the main
#: process to take instead of asking ``finder._inodes_are_stats`` again (~0.1 ms: it reads and
#: parses /proc/self/mountinfo): 0 not yet, 1 None (folders are stat-ed), 2 the root's device.
_DEVICE = -1
_CHILD, _MAIN = 0, 1  # task ids: even for the child's, odd for the main process's


class _Inbox:
    """Frames from the other process: 4-byte length + marshal payload."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.ended = False
        os.set_blocking(fd, False)

    def frames(self, wait: bool) -> list:
        """The complete frames arrived so far; with ``wait``, at least one unless the pipe is
        closed. (A frame is unmarshalled from a view of what was read, not a copy: the
        accounts' frames are 30-250 KB, and each fresh copy costs its page faults.)"""
        import select

        while True:
            chunks = [self.buffer] if self.buffer else []  # (one chunk: joined, not copied)
            while not self.ended:
                try:
                    chunk = os.read(self.fd, 1 << 20)
                except BlockingIOError:
                    break
                if not chunk:
                    self.ended = True
                chunks.append(chunk)
            data = b"".join(chunks)
            view = memoryview(data)
            out, at = [], 0
            while len(data) - at >= 4:
                size = int.from_bytes(data[at : at + 4], "little")
                if len(data) - at - 4 < size:
                    break
                out.append(marshal.loads(view[at + 4 : at + 4 + size]))
                at += 4 + size
            self.buffer = data[at:]
            if out or not wait or self.ended:
                return out
            select.select([self.fd], [], [])


def _frame(payload: object) -> list[bytes]:
    """A frame in its two pieces, written by one ``os.writev`` (its payload not copied after
    its length: up to 250 KB, ~60 fresh pages)."""
    data = marshal.dumps(payload)
    return [len(data).to_bytes(4, "little"), data]


class _Share:
    """One process's part of the shared walk."""

    def __init__(self, walker: _Walker, flags, side: int, out: int, inbox: _Inbox) -> None:  # type: ignore[no-untyped-def]
        self.walker = walker
        self.flags = flags
        self.room = len(flags) - 2  # task ids that have a flag byte (others stay local)
        self.next_id = side
        self.out: int | None = out  # None: announcing stopped (the pipe was full or closed)
        self.unsent = b""  # the end of a frame cut by a full pipe (sent before the last one)
        self.inbox = inbox
        os.set_blocking(out, False)
        self.announcing = side == _MAIN
        self.stack: list[_Task] = []
        self.theirs: list[tuple[int, str, str, list[str]]] = []  # announced by the other
        self.cursor = 0  # ``theirs`` before it are all taken
        self.done: dict[str, _Folder] = {}
        self.accounts: dict[str, _Folder] = {}  # the child's, sent when this process joined
        self.chains: dict[tuple[str, ...], _Ignores] = {(): []}
        self.result = None  # the child's last frame (main process)

    def run(self, wait: bool) -> None:
        """Walk own tasks, then the other's, until none is left (``wait``: while the other
        works, for its announcements)."""
        flags, stack = self.flags, self.stack
        while True:
            if not self.announcing and flags[_JOINED]:
                self.announcing = True
                self._announce(stack)
                self.account()
            if stack:
                self.visit(*stack.pop())
                continue
            task = self._steal(wait) if self.announcing else None
            if task is None:
                return
            self.visit(*task)

    def visit(self, id_: int, path: str, rel: str, ignores: _Ignores, listing, below=None) -> None:  # type: ignore[no-untyped-def]
        if id_ < self.room and not claim(self.flags, id_ + 1):
            return
        walker = self.walker
        found, result = walker.found, walker.result
        result.records, result.packages = [], set()
        if not rel:
            walker.stat_root()
            self.flags[_DEVICE] = 1 if walker.device is None else 2
        subdirs = walker.visit(path, rel, ignores, listing, below)
        records = result.records  # (most folders have none, a leaf has no subfolder: their
        if records:  # comprehensions are not run)
            records = [(r.path, r.status, r.reason, r.line, r.module) for r in records]
        children = [sub[1] for sub in subdirs] if subdirs else subdirs
        self.done[rel] = (found, records, result.stats, bool(result.packages), children)
        walker.found, result.stats = [], {}
        if not subdirs:
            return
        tasks = []
        for sub in subdirs:
            tasks.append((self.next_id, *sub))
            self.next_id += 2
        self.stack.extend(reversed(tasks))
        if self.announcing:
            self._announce(tasks)

    def _announce(self, tasks: list[_Task]) -> None:
        shared = [(t[0], t[1], t[2], [b for b, _ in t[3]]) for t in tasks if t[0] < self.room]
        if shared:
            self._send(_frame(("t", shared)))

    def account(self) -> None:
        """The child's folders' accounts so far, sent as the main process joins: it takes
        them in (unmarshals them) while both still walk, instead of alone after the walk with
        the child's last frame (blueking-paas: 165-210 KB of ~250 KB, ~1 ms of the main
        process's ~1.3 ms; the last frame 30-70 KB), unless they make too large a frame for
        the pipe (1 MB: ``parallel.enlarge``; then they go with the last)."""
        if self.out is None:
            return
        from djatlas.parallel import pipe_size

        frame = _frame(("a", self.done))  # (at most a quarter of the pipe: never cut)
        if len(frame[1]) + 4 <= pipe_size(self.out) // 4 and self._send(frame):
            self.done = {}

    def _send(self, frame: list[bytes]) -> bool:
        """Write ``frame`` to the other (False: nothing of it was written); a frame cut by a
        full pipe ends announcing, its rest goes before the last frame (``unsent``)."""
        if self.out is None:
            return False
        try:
            written = os.writev(self.out, frame)
        except OSError:  # full (non-blocking) or closed
            written = 0
        size = len(frame[0]) + len(frame[1])
        if written < size:  # the rest stays this process's: never blocks on a full pipe
            self.out = None
            self.unsent = b"".join(frame)[written:] if written else b""
        return written > 0

    def _steal(self, wait: bool) -> _Task | None:
        """The oldest task the other announced and nobody took (now claimed by nobody yet:
        ``visit`` claims it)."""
        flags, theirs = self.flags, self.theirs
        while True:
            for frame in self.inbox.frames(False):
                self._take(frame)
            while self.cursor < len(theirs):
                id_, path, rel, bases = theirs[self.cursor]
                self.cursor += 1
                if flags[id_ + 1] == FREE:
                    return id_, path, rel, self._chain(tuple(bases)), None, None
            if not wait or self.result is not None or self.inbox.ended:
                return None
            for frame in self.inbox.frames(True):
                self._take(frame)

    def _take(self, frame: tuple) -> None:
        if frame[0] == "t":
            self.theirs.extend(frame[1])
        elif frame[0] == "a":
            self.accounts.update(frame[1])
        else:
            self.result = frame

    def _chain(self, bases: tuple[str, ...]) -> _Ignores:
        """The .gitignore files in force in folder ``bases`` lead to, as the other read them."""
        chain = self.chains.get(bases)
        if chain is None:
            base = bases[-1]
            path = os.path.join(self.walker.root, base, ".gitignore")
            with open(path, encoding="utf-8", errors="replace") as fh:
                rules = GitIgnore(fh.read().splitlines())
            chain = self.chains[bases] = self._chain(bases[:-1]) + [(base, rules)]
            self.walker.names_memo[id(chain)] = (chain, {})
        return chain


def serve(root: str, options: DiscoverOptions, flags, out: int, back: int) -> None:  # type: ignore[no-untyped-def]
    """The walk child's work: walk from the root, with the main process once it joins, and
    send the folders' accounts (a frame ``("r", folders, met)``); or, when the main process
    has not joined (it was still importing: the child walked every folder, in the walk's
    order), the walk put together here (a frame ``("w", files, records, packages, stats)``):
    the main process, which then has work of its own to finish, need not (blueking-paas: its
    ``_merge`` ~0.5 ms, and 5% less to unmarshal)."""
    walker = _Walker(root, options)
    share = _Share(walker, flags, _CHILD, out, _Inbox(back))
    share.next_id += 2
    # The root first, before anything is announced: the child meets it (``_DEVICE``); taken
    # by the main process joining at once, the child met folders otherwise than it did.
    share.visit(_CHILD, root, "", [], None, None)
    share.run(wait=False)
    whole = None if flags[_JOINED] else _merge(share.done, {}, walker.seen_dirs, {})
    result = ("r", share.done, walker.seen_dirs) if whole is None else ("w", *whole)
    _send_result(out, share.unsent, result)


def _send_result(out: int, unsent: bytes, result: tuple) -> None:
    """The last frame, written whole (the main process reads until it has it)."""
    os.set_blocking(out, True)
    for piece in (unsent, *_frame(result)):
        if piece:
            write_all(out, piece)


def join(root: str, options: DiscoverOptions, flags, fd: int, back: int, walk: bool):  # type: ignore[no-untyped-def]
    """The main process's part (``walk``: it walks too, else it only waits for the child):
    ``(files, records, packages, stats)`` as the child's ``_send`` gives them, or None when
    the child failed or the order of the walk matters (walk again alone)."""
    walker = _Walker(root, options)
    share = _Share(walker, flags, _MAIN, back, _Inbox(fd))
    if walk:
        flags[_JOINED] = 1
        try:
            _meet_root(walker, flags)
            share.run(wait=True)
        except OSError:  # a .gitignore the child read is gone: walk again alone
            return None
    while share.result is None and not share.inbox.ended:
        for frame in share.inbox.frames(True):
            share._take(frame)
    if share.result is None:
        return None
    if share.result[0] == "w":  # the child walked every folder (this process none)
        return None if share.done else share.result[1:]
    _, theirs, met = share.result
    return _merge({**share.accounts, **theirs}, share.done, met, walker.seen_dirs)


def _meet_root(walker: _Walker, flags) -> None:  # type: ignore[no-untyped-def]
    """How the main process meets folders (``_Walker.by_inode``): as the walk child does, by
    its answer (``_DEVICE``) once it has one (the child met the root, not this process)."""
    device = os.stat(walker.root).st_dev
    if flags[_DEVICE]:
        walker.device = device if flags[_DEVICE] == 2 else None
    else:
        walker.by_inode(device)


def _merge(theirs: dict, mine: dict[str, _Folder], met: dict, met_here: dict):  # type: ignore[no-untyped-def]
    """The folders' accounts in the walk's order, or None when a folder was met twice."""
    for key, rel in met_here.items():
        if met.get(key, rel) != rel:
            return None
    folders = {**theirs, **mine}
    files: list = []
    records: list = []
    packages: set[str] = set()
    stats: dict = {}
    stack = [""]
    while stack:
        rel = stack.pop()
        folder = folders.get(rel)
        if folder is None:
            return None
        files += folder[0]
        records += folder[1]
        stats.update(folder[2])
        if folder[3]:
            packages.add(rel)
        stack.extend(reversed(folder[4]))
    if mine and any(r[1] == "skipped" and r[2] in _MET_TWICE for r in records):
        return None
    return files, records, packages, stats


__all__ = ["FileRecord", "join", "serve"]
