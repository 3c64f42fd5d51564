"""Parsing stage: module summaries for the project index, from the cache, from worker
processes (``djatlas.parallel``) or parsed on demand by the index itself.

``Summaries`` is the layer between the index and the persistent cache: the index asks it for a
file's bytes and for a ready summary, and tells it what it parsed so that the cache keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from djatlas.parse.reader import ReadError
from djatlas.parse.summary import ModuleSummary

if TYPE_CHECKING:
    from djatlas.cache import ScanCache
    from djatlas.discover.finder import SourceFile
    from djatlas.progress import Progress
    from djatlas.resolve.layout import Layout


class Summaries:
    """Summaries (or parse failures) known before the index parses a file."""

    def __init__(
        self,
        cache: ScanCache | None,
        layout: Layout,
        contents: dict[str, bytes],
        read: Callable[[str], bytes],
        files: list[SourceFile] | None = None,
    ) -> None:
        self.cache = cache
        #: relpath -> (size, mtime_ns) of the walk: a file not read yet (settings loaded before
        #: the reading stage) is still answered from the cache when its stat is unchanged.
        self.stats = {f.relpath: (f.size, f.mtime_ns) for f in files or []}
        self.layout = layout
        #: Bytes read by the reading stage, handed out once.
        self.contents = contents
        self._read = read
        #: relpath -> ModuleSummary | ReadError, from the cache or from workers.
        self.ready: dict[str, Any] = {}

    def cached(self, rel: str) -> bool:
        """Whether a summary (or failure) of ``rel`` is ready, looking in the cache once."""
        if self.cache is None:
            return False
        if rel in self.ready:
            return True
        if rel in self.stats:
            self.cache.lookup(rel, *self.stats[rel])
        p = self.cache.summary(rel, self.layout.module_of[rel], self.layout.is_package(rel))
        if p is None:
            return False
        try:
            if "failure" in p:
                reason, line = p["failure"]
                self.ready[rel] = ReadError(reason, line)
            else:
                self.ready[rel] = ModuleSummary.from_dict(p["summary"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        return True

    def read(self, rel: str) -> bytes:
        """The index's reader: bytes in hand, nothing when a summary is ready, else the file."""
        data = self.contents.pop(rel, None)
        if data is not None:
            return data
        if rel in self.ready or self.cached(rel):
            return b""  # answered by ``take`` without the bytes
        return self._read(rel)

    def take(self, rel: str, data: bytes) -> ModuleSummary | None:
        """The ready summary of ``rel`` (raises its ReadError), or None: parse the bytes."""
        got = self.ready.pop(rel, None)
        if isinstance(got, ReadError):
            raise got
        return got

    def store(self, rel: str, data: bytes, summary: ModuleSummary) -> None:
        """Keep a summary the index (or a worker) made."""
        if self.cache is not None:
            record = {"module": summary.module, "pkg": summary.is_package}
            self.cache.store_parsed(rel, {**record, "summary": summary.to_dict()})

    def store_failure(self, rel: str, exc: ReadError) -> None:
        """Keep a parse failure."""
        if self.cache is not None:
            record = {"module": self.layout.module_of[rel], "pkg": self.layout.is_package(rel)}
            self.cache.store_parsed(rel, {**record, "failure": [exc.reason, exc.line]})


def parse_ahead(
    summaries: Summaries, wanted: set[str], root: str | None, jobs: int | None, progress: Progress
) -> None:
    """Parse the wanted files the cache does not know in worker processes, when that pays
    (``parallel.choose_jobs``); otherwise the index parses them in-process as it loads them."""
    from djatlas.parallel import choose_jobs, parse_many

    to_parse = [rel for rel in sorted(wanted) if not summaries.cached(rel)]
    contents, layout = summaries.contents, summaries.layout
    jobs = choose_jobs(jobs, [len(contents.get(rel, b"")) for rel in to_parse])
    if jobs <= 1:
        return
    progress.phase("parsing", len(to_parse))
    items = [
        (rel, contents.pop(rel, None), layout.module_of[rel], layout.is_package(rel))
        for rel in to_parse
    ]
    for rel, result in parse_many(items, root, jobs):
        progress.step()
        if isinstance(result, ModuleSummary):
            summaries.ready[rel] = result
            summaries.store(rel, b"", result)
        elif isinstance(result, ReadError):
            summaries.ready[rel] = result
            summaries.store_failure(rel, result)
        # None (the worker could not read it): loaded in-process, failure reported there
