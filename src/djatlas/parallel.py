"""Parsing tree files in forked worker processes, when there is enough to parse for it to pay.

Workers read and summarise files themselves and send back ModuleSummary objects, pickled
through a pipe (in transit only; the persistent cache stays JSON). A plain ``os.fork`` and a
pipe per worker: ``concurrent.futures``/``multiprocessing`` cost more to import and start than
they save here. Without ``fork`` (Windows) everything is parsed in-process.

Two rounds. ``Pool.results``: the wanted files, split between the calling process and the
workers. ``Pool.guess``: while the caller goes on resolving, the first worker parses the files
it will likely load on demand. Each of those is claimed in a flag array shared by both
processes before it is parsed, by whoever comes first: the caller waits only for a file the
worker has already started, and parses the others itself as before.

A cold scan of a folder has a worker from the closure's start: the child that examines the
files the closure reads parses the models modules meanwhile, then is the parse stage's worker
(``pipeline.examining``, the same claims and frames).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

#: Automatic parallelism needs this many usable cores, this many files and this much source
#: per process. Measured on 2 cores (2026-11-30, cold scans' wanted files, CPU ms of the
#: calling process, which a second process's share no longer costs): blueking-paas 334 -> 222,
#: saleor 399 -> 280, netbox 504 -> 333 (the worker: 208/247/315 ms on the other core). At
#: 256 KB a process, saleor's 450 KB (after the pre-filter's scoping) stayed in one process:
#: with two, its cold scan took 0.74 s instead of 0.80 s (same run).
AUTO_MIN_CPUS = 2
AUTO_MIN_FILES = 20
AUTO_BYTES_PER_JOB = 128 * 1024
AUTO_MAX_JOBS = 8


def choose_jobs(jobs: int | None, sizes: list[int]) -> int:
    """Worker count: ``jobs`` when given (1 = in-process), else by the amount to parse."""
    if jobs is not None:
        return max(1, jobs)
    if not _can_fork():
        return 1
    cpus = _cpus()
    if cpus < AUTO_MIN_CPUS or len(sizes) < AUTO_MIN_FILES:
        return 1
    return max(1, min(cpus, AUTO_MAX_JOBS, sum(sizes) // AUTO_BYTES_PER_JOB))


def _can_fork() -> bool:
    """``os.fork`` where it is the platform's usual way (Linux; macOS advises against it), in
    a process with no other thread (djatlas used as a library) whose locks a child could
    inherit held."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def fork_or_close(*fds: int) -> int | None:
    """``os.fork()``; when it fails, None, with the pipe ends ``fds`` (-1: none) closed."""
    try:
        return os.fork()
    except OSError:
        for fd in fds:
            if fd >= 0:
                os.close(fd)
        return None


def fork_linked(size: int) -> tuple[int, Any, int, int] | None:
    """Fork a child linked to this process by a zeroed flag array of ``size`` bytes they share
    (``shared_flags``) and a pipe each way: ``(pid, flags, out, in)`` in both processes, with
    their own ends (``out`` to write to the other, ``in`` to read from it; the caller's
    enlarged) and the other ends closed; pid 0 in the child. None (all closed) when fork
    fails."""
    flags = shared_flags(size)
    down_r, down_w = os.pipe()  # caller -> child
    up_r, up_w = os.pipe()  # child -> caller
    pid = fork_or_close(down_r, down_w, up_r, up_w)
    if pid is None:
        flags.close()
        return None
    if pid == 0:
        try:
            os.close(down_w)
            os.close(up_r)
        except OSError:  # the child never returns into the caller's code on a failure
            os._exit(1)
        return 0, flags, up_w, down_r
    os.close(down_r)
    os.close(up_w)
    enlarge(down_w)
    enlarge(up_r)
    return pid, flags, down_w, up_r


def claim(flags: Any, position: int) -> bool:
    """Whether the caller takes file ``position`` of a flag array it shares with a worker (no
    one has it yet; it is marked the caller's), or must wait for the worker's answer. No flags:
    always the caller's."""
    if flags is None:
        return True
    if flags[position] != FREE:
        return False
    flags[position] = CALLER
    return True


def spare_core(jobs: int | None) -> bool:
    """Whether a forked helper may work beside this process: ``--jobs 1`` says no; by default
    only with a second core to run it."""
    if (jobs is not None and jobs < 2) or not _can_fork():
        return False
    return jobs is not None or _cpus() > 1


def _cpus() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


Item = tuple[str, "bytes | None", str, bool]
_SIGKILL = 9  # POSIX; ``signal`` is not imported for it
#: Frame header: the guessed file's position (-1: a share's whole answer), payload length.
_HEADER = 8
#: Flags of the guessed files: nobody yet, the worker, the caller.
FREE, WORKER, CALLER = 0, 1, 2
#: Linux fcntl: set and get a pipe's size (a larger pipe lets the worker run further ahead).
_F_SETPIPE_SZ, _F_GETPIPE_SZ = 1031, 1032
_PIPE_SIZE = 1 << 20


def parse_items(
    batch: list[Item], root: str | None, limit: int | None = None
) -> list[tuple[str, Any]]:
    """``(relpath, ModuleSummary | ReadError | None)`` for each item, read from ``root`` when
    its bytes are None (None: unreadable or over ``limit`` bytes, ``--max-file-size``; loaded
    and reported in-process later)."""
    from djatlas.discover.finder import read_limited
    from djatlas.parse.reader import ReadError, parse
    from djatlas.parse.visitor import summarize

    out: list[tuple[str, Any]] = []
    for rel, data, module, is_pkg in batch:
        try:
            if data is None:
                data = read_limited(os.path.join(root or "", rel), limit)
            parsed = parse(data, rel)
            out.append((rel, summarize(parsed.tree, parsed.text, module, rel, is_pkg)))
        except ReadError as exc:
            out.append((rel, exc))
        except RecursionError:
            out.append((rel, ReadError("too deeply nested to analyse")))
        except OSError:
            out.append((rel, None))  # parsed (and reported) in-process later
    return out


def parse_many(items: list[Item], root: str | None, jobs: int) -> Iterator[tuple[str, Any]]:
    """Yield ``(relpath, ModuleSummary | ReadError | None)`` for every item (``Pool.results``),
    the workers ended afterwards."""
    pool = Pool(items, root, jobs)
    try:
        yield from pool.results()
    finally:
        pool.close()


class _Worker:
    """A forked worker: its pid, the read end of its answers, the write end of its guesses."""

    def __init__(self, pid: int, answers: int, guesses: int | None, share: list[Item]) -> None:
        self.pid = pid
        self.share = share
        self.answers = os.fdopen(answers, "rb")
        self.guesses = guesses


class Pool:
    """Workers parsing ``items`` with the calling process, and later what it guesses.

    ``guess_room``: how many files ``guess`` may name (the size of the shared flag array; 0:
    the workers end after their share).
    """

    def __init__(
        self,
        items: list[Item],
        root: str | None,
        jobs: int,
        guess_room: int = 0,
        limit: int | None = None,
    ):
        self.root = root
        self.limit = limit  # the size limit of files read from ``root`` (``parse_items``)
        self.shares = _split(items, jobs)
        self.flags = shared_flags(guess_room) if guess_room and hasattr(os, "fork") else None
        self.workers: list[_Worker] = []
        #: Answers to guessed files that came before the caller asked (position -> pickle).
        self._early: dict[int, Any] = {}
        if not hasattr(os, "fork"):
            return
        for n, share in enumerate(self.shares[1:]):
            worker = _start(share, root, self.flags if n == 0 else None, limit)
            if worker is None:  # could not fork: parse that share here
                self.shares[0] = self.shares[0] + share
            else:
                self.workers.append(worker)

    def results(self) -> Iterator[tuple[str, Any]]:
        """``(relpath, ModuleSummary | ReadError | None)`` for every item; None: a worker
        failed on it (parsed in-process later)."""
        if not hasattr(os, "fork"):
            yield from _spawned(self.shares, self.root, self.limit)
            return
        yield from parse_items(self.shares[0], self.root, self.limit)
        for worker in self.workers:
            yield from _share_answer(worker)

    def guess(self, items: list[Item]) -> bool:
        """Let the first worker parse ``items`` (at most ``guess_room``) in this order, each
        unless the caller claimed it first; False when no worker can."""
        worker = self.workers[0] if self.workers else None
        if worker is None or worker.guesses is None or self.flags is None:
            return False
        import pickle

        items = items[: len(self.flags)]
        data = pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL) if items else b""
        try:
            with os.fdopen(worker.guesses, "wb") as fh:  # closed: the list is complete
                fh.write(data)
        except OSError:
            return False
        finally:
            worker.guesses = None
        return bool(items)

    def claim(self, position: int) -> bool:
        """Whether the caller parses guessed file ``position`` itself (the worker has not
        started it); else ``wait`` for the worker's answer."""
        return claim(self.flags, position)

    def wait(self, position: int) -> Any:
        """The worker's answer for guessed file ``position`` (None if it failed)."""
        if not self.workers:
            return None
        return answer_for(position, self.workers[0].answers, self._early)

    def close(self) -> None:
        """End the workers (killed, reaped) and free the flags (no import here: this may run
        at shutdown)."""
        workers, self.workers = self.workers, []
        for worker in workers:
            if worker.guesses is not None:
                os.close(worker.guesses)
            worker.answers.close()
            try:
                os.kill(worker.pid, _SIGKILL)
                os.waitpid(worker.pid, 0)
            except OSError:
                pass
        if self.flags is not None:
            self.flags.close()
            self.flags = None


#: A worker's source counts this much more than the caller's in ``_split``: the worker also
#: pickles its answer (about a sixth of the cost of parsing it, measured on the three corpora).
WORKER_WEIGHT = 1.2


def _split(items: list[Item], jobs: int) -> list[list[Item]]:
    """``jobs`` shares of about equal cost, the caller's first: each file, largest first, goes
    to the share that would then end first (source bytes, a worker's weighted; the caller
    also unpickles the workers' answers, but only after both are done)."""
    shares: list[list[Item]] = [[] for _ in range(jobs)]
    loads = [0.0] * jobs
    weights = [1.0] + [WORKER_WEIGHT] * (jobs - 1)
    for item in sorted(items, key=lambda it: -_size(it)):
        size = _size(item)
        best = min(range(jobs), key=lambda i: loads[i] + size * weights[i])
        shares[best].append(item)
        loads[best] += size * weights[best]
    return shares


def _size(item: Item) -> int:
    """An item's source bytes (1 when the worker reads the file itself: shares alternate)."""
    data = item[1]
    return len(data) if data is not None else 1


def shared_flags(size: int) -> Any:
    """A zeroed byte array that forked processes share (an anonymous shared mapping)."""
    import mmap

    return mmap.mmap(-1, size)


def _spawned(
    shares: list[list[Item]], root: str | None, limit: int | None
) -> Iterator[tuple[str, Any]]:
    """Without ``fork``: worker processes started by ``concurrent.futures``."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=len(shares) - 1) as pool:
        futures = [pool.submit(parse_items, share, root, limit) for share in shares[1:]]
        yield from parse_items(shares[0], root, limit)
        for fut in futures:
            yield from fut.result()


def _start(share: list[Item], root: str | None, flags: Any, limit: int | None) -> _Worker | None:
    """Fork a worker for ``share`` (and, given ``flags``, for guesses); None when fork fails."""
    answers_r, answers_w = os.pipe()
    guesses_r, guesses_w = os.pipe() if flags is not None else (-1, -1)
    pid = fork_or_close(answers_r, answers_w, guesses_r, guesses_w)
    if pid is None:
        return None
    if pid:
        os.close(answers_w)
        if guesses_r >= 0:
            os.close(guesses_r)
            enlarge(answers_r)
        return _Worker(pid, answers_r, guesses_w if guesses_w >= 0 else None, share)
    try:  # the worker: never returns
        import gc

        gc.disable()
        os.close(answers_r)
        if guesses_w >= 0:
            os.close(guesses_w)
        _serve(share, root, limit, answers_w, guesses_r, flags)
    finally:
        os._exit(0)


def _serve(
    share: list[Item],
    root: str | None,
    limit: int | None,
    answers: int,
    guesses: int,
    flags: Any,
) -> None:
    """The worker's work: its share's answer in one frame, then one frame per guessed file it
    claimed, until the list is done (or the caller ends it). Files are read from ``root``, up
    to ``limit`` bytes (``parse_items``)."""
    import pickle

    dumps = pickle.dumps
    with os.fdopen(answers, "wb") as out:
        write_frame(
            out, -1, dumps(parse_items(share, root, limit), protocol=pickle.HIGHEST_PROTOCOL)
        )
        if guesses < 0:
            return
        with os.fdopen(guesses, "rb") as fh:
            data = fh.read()
        items: list[Item] = pickle.loads(data) if data else []
        for position, item in enumerate(items):
            if flags[position] != FREE:
                continue
            flags[position] = WORKER
            answer = parse_items([item], root, limit)[0][1]
            write_frame(out, position, dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


def write_all(fd: int, data: bytes) -> None:
    """``data`` written whole to file descriptor ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_frame(out: Any, position: int, payload: bytes) -> None:
    """One frame to the file ``out`` (its buffer flushed), its header and payload in one
    ``writev``: written apart, a payload larger than the 8 KB buffer cost the writer a second
    system call and a reader already waiting a second wake-up (blueking-paas's examining
    child: 26 of its 96 writes were headers alone)."""
    head = position.to_bytes(4, "little", signed=True) + len(payload).to_bytes(4, "little")
    out.flush()
    fd = out.fileno()
    done = os.writev(fd, (head, payload)) if hasattr(os, "writev") else 0
    if done < _HEADER + len(payload):  # cut short (a signal), or no writev
        write_all(fd, (head + payload)[done:])


def read_frame(fh: Any) -> tuple[int, bytes] | None:
    """(position, payload) of the next frame, None at the end (or a cut frame)."""
    head = fh.read(_HEADER)
    if len(head) < _HEADER:
        return None
    size = int.from_bytes(head[4:], "little")
    payload = fh.read(size)
    if len(payload) < size:
        return None
    return int.from_bytes(head[:4], "little", signed=True), payload


def _pickle_module() -> Any:
    """The C module ``_pickle`` itself (``pickle`` where there is none): a cold scan's caller
    never imports ``pickle`` (its Python module costs ~5M instructions, ~2 ms, to import) only
    to load the answers of the examining child."""
    try:
        import _pickle as module
    except ImportError:  # pragma: no cover - an interpreter without the C module
        import pickle as module
    return module


def pickled(answer: Any) -> bytes:
    """A parse answer pickled for the caller (the highest protocol; see ``unpickled``)."""
    return _pickle_module().dumps(answer, -1)


def unpickled(data: bytes) -> Any:
    """A pickled answer loaded as ``pickle.loads`` would (see ``_pickle_module``)."""
    return _pickle_module().loads(data)


def answer_for(position: int, answers: Any, early: dict[int, Any]) -> Any:
    """The unpickled answer for file ``position`` from a worker's ``answers`` frames, reading
    on past others (kept in ``early``, position -> pickle, or its answer in a 1-tuple once
    loaded by ``_load_while_waiting``; negative ones dropped); None when the worker ended
    without it or the answer is broken (then parsed in-process)."""
    data = early.pop(position, None)
    while data is None:
        if _load_while_waiting(answers, early):
            continue
        frame = read_frame(answers)
        if frame is None:
            return None
        if frame[0] == position:
            data = frame[1]
        elif frame[0] >= 0:
            early[frame[0]] = frame[1]
    return data[0] if type(data) is tuple else _loaded(data)


def _loaded(data: bytes) -> Any:
    """``unpickled``; None for a broken answer (the file is parsed in-process instead)."""
    try:
        return unpickled(data)
    except Exception:  # noqa: BLE001 - a broken answer: parsed in-process instead
        return None


def _load_while_waiting(answers: Any, early: dict[int, Any]) -> bool:
    """Unpickle the first answer read early but not loaded yet, when the worker's next frame
    has not come (the caller would wait for it idle: the worker is still parsing the file it
    waits for); False when there is none or the pipe has data (a frame that the reader's buffer
    already holds is not seen: loading one first changes only the order of the work)."""
    key = next((key for key, data in early.items() if type(data) is bytes), None)
    if key is None:
        return False
    import select

    if select.select([answers], [], [], 0)[0]:
        return False
    early[key] = (_loaded(early[key]),)
    return True


def pipe_size(fd: int) -> int:
    """A pipe's capacity (Linux ``F_GETPIPE_SZ``; else the usual 64 KB)."""
    try:
        import fcntl

        return fcntl.fcntl(fd, _F_GETPIPE_SZ)
    except (ImportError, OSError):
        return 1 << 16


def enlarge(fd: int) -> None:
    """A 1 MB pipe where Linux allows it (the default 64 KB stalls a worker running ahead)."""
    try:
        import fcntl

        fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_SIZE)
    except (ImportError, OSError):
        pass


def _share_answer(worker: _Worker) -> list[tuple[str, Any]]:
    """A worker's answer for its share (read before anything waits for it: it blocks on a full
    pipe); None for each file when the worker died."""
    frame = read_frame(worker.answers)
    try:
        if frame is not None and frame[0] == -1:
            return unpickled(frame[1])
    except Exception:  # noqa: BLE001 - a worker that died: its files are parsed in-process
        pass
    return [(item[0], None) for item in worker.share]
