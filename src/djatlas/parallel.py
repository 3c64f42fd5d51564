"""Parsing tree files in forked worker processes, when there is enough to parse for it to pay.

Workers read and summarise files themselves and send back ModuleSummary objects, pickled
through a pipe (in transit only; the persistent cache stays JSON). A plain ``os.fork`` and a
pipe per worker: ``concurrent.futures``/``multiprocessing`` cost more to import and start than
they save here. Without ``fork`` (Windows) everything is parsed in-process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

#: Automatic parallelism needs this many usable cores, this many files and this much source
#: per process. Measured on 2 cores (2026-11-30, cold scans' wanted files, CPU ms of the
#: calling process, which a second process's share no longer costs): blueking-paas 334 -> 222,
#: saleor 399 -> 280, netbox 504 -> 333 (the worker: 208/247/315 ms on the other core).
AUTO_MIN_CPUS = 2
AUTO_MIN_FILES = 20
AUTO_BYTES_PER_JOB = 256 * 1024
AUTO_MAX_JOBS = 8


def choose_jobs(jobs: int | None, sizes: list[int]) -> int:
    """Worker count: ``jobs`` when given (1 = in-process), else by the amount to parse."""
    if jobs is not None:
        return max(1, jobs)
    if not _can_fork():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
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


Item = tuple[str, "bytes | None", str, bool]
_SIGKILL = 9  # POSIX; ``signal`` is not imported for it


def _work(batch: list[Item], root: str | None) -> list[tuple[str, Any]]:
    from djatlas.parse.reader import ReadError, parse
    from djatlas.parse.visitor import summarize

    out: list[tuple[str, Any]] = []
    for rel, data, module, is_pkg in batch:
        try:
            if data is None:
                with open(os.path.join(root or "", rel), "rb") as fh:
                    data = fh.read()
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
    """Yield ``(relpath, ModuleSummary | ReadError | None)`` for every item, parsed by workers.

    Items with bytes ``None`` are read by the workers from ``root``. The calling process
    takes a share of the work itself, so ``jobs`` processes parse in all. A worker that fails
    answers None for its share (parsed in-process later).
    """
    # Interleave by size so every share gets a similar amount of source.
    order = sorted(items, key=lambda it: -len(it[1] or b""))
    shares = [order[i::jobs] for i in range(jobs)]
    if not hasattr(os, "fork"):
        yield from _spawned(shares, root)
        return
    workers = [(_start(share, root), share) for share in shares[1:]]
    for worker, share in workers:
        if worker is None:  # could not fork: parse that share here
            shares[0] = shares[0] + share
    pending = [(worker, share) for worker, share in workers if worker is not None]
    try:
        yield from _work(shares[0], root)
        while pending:
            worker, share = pending.pop(0)
            yield from _collect(*worker, share)
    finally:  # the caller stopped early: end the workers not collected, reap them
        for (pid, fd), _ in pending:
            _end(pid, fd)


def _spawned(shares: list[list[Item]], root: str | None) -> Iterator[tuple[str, Any]]:
    """Without ``fork``: worker processes started by ``concurrent.futures``."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=len(shares) - 1) as pool:
        futures = [pool.submit(_work, share, root) for share in shares[1:]]
        yield from _work(shares[0], root)
        for fut in futures:
            yield from fut.result()


def _start(share: list[Item], root: str | None) -> tuple[int, int] | None:
    """Fork a worker for ``share``: (pid, read end of its pipe), None when fork fails."""
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid:
        os.close(write_fd)
        return pid, read_fd
    try:  # the worker: never returns
        import gc
        import pickle

        gc.disable()
        os.close(read_fd)
        data = pickle.dumps(_work(share, root), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as fh:
            fh.write(data)
    finally:
        os._exit(0)


def _end(pid: int, fd: int) -> None:
    """Close a worker's pipe, kill it, reap it (no import here: this may run at shutdown)."""
    os.close(fd)
    try:
        os.kill(pid, _SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def _collect(pid: int, fd: int, share: list[Item]) -> list[tuple[str, Any]]:
    """A worker's results (read before waiting for it: it blocks on a full pipe)."""
    import pickle

    with os.fdopen(fd, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - a worker that died: its files are parsed in-process
        return [(item[0], None) for item in share]
