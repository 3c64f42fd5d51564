"""Parsing tree files in worker processes, when there is enough to parse for it to pay.

Workers read and summarise files themselves and send back ModuleSummary objects (pickled by
``multiprocessing`` in transit only; the persistent cache stays JSON).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

#: Automatic parallelism needs this many usable cores and this much source to parse. Measured
#: on 2 cores (load ~3): parsing 300/1000/2875 saleor files took 0.22/1.04/3.38 s in-process
#: and 0.30/1.48/4.69 s with 2 processes (pickling summaries back costs more than the second
#: core saves); whole cold scans of blueking-paas/saleor: 0.65/0.64 s with --jobs 1, 0.73/0.80 s
#: with --jobs 2. So it is never chosen automatically on 2 cores.
AUTO_MIN_CPUS = 4
AUTO_MIN_BYTES = 8 * 1024 * 1024
AUTO_MIN_FILES = 400


def choose_jobs(jobs: int | None, sizes: list[int]) -> int:
    """Worker count: ``jobs`` when given (1 = in-process), else by the amount to parse."""
    if jobs is not None:
        return max(1, jobs)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if cpus < AUTO_MIN_CPUS or len(sizes) < AUTO_MIN_FILES or sum(sizes) < AUTO_MIN_BYTES:
        return 1
    return min(cpus, 8)


Item = tuple[str, "bytes | None", str, bool]


def _work(batch: list[Item], root: str | None) -> list[tuple[str, Any]]:
    import gc

    from djatlas.parse.reader import ReadError, parse
    from djatlas.parse.visitor import summarize

    gc.disable()
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
    takes a share of the work itself, so ``jobs`` processes parse in all.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Interleave by size so every share gets a similar amount of source.
    order = sorted(items, key=lambda it: -len(it[1] or b""))
    shares = [order[i::jobs] for i in range(jobs)]
    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=ctx) as pool:
        futures = [pool.submit(_work, share, root) for share in shares[1:]]
        yield from _work(shares[0], root)
        for fut in futures:
            yield from fut.result()
