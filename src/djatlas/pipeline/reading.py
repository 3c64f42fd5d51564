"""Reading stage: every discovered file's bytes (or what the cache knows of them), then the
text pre-filter that picks the files to parse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from djatlas.discover.finder import FileRecord, SourceFile, is_models_module

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from djatlas.cache import ScanCache
    from djatlas.pipeline.examine import Examined, Examiner
    from djatlas.progress import Progress


@dataclass(eq=False, repr=False)
class Reading:
    """What the pre-filter needs of the tree, and the bytes read this run."""

    #: relpath -> bytes, for files read (not answered by the cache) and readable.
    contents: dict[str, bytes] = field(default_factory=dict)
    #: relpath -> class headers and aliases (``resolve.prefilter.scan_headers``).
    headers: dict[str, list] = field(default_factory=dict)
    #: Files that assign ``INSTALLED_APPS``.
    settings_files: set[str] = field(default_factory=set)

    #: Readable files examined by the helper whose bytes were not read here.
    unread: set[str] = field(default_factory=set)

    def keep(self, wanted: set[str], read: Callable[[str], bytes]) -> dict[str, bytes]:
        """Drop the bytes of files that will not be parsed, read those of the others the
        helper examined; return them."""
        contents = {rel: self.contents[rel] for rel in wanted if rel in self.contents}
        for rel in sorted(self.unread & wanted):
            try:
                contents[rel] = read(rel)
            except OSError:
                continue  # the parse stage reads it again and reports it
        self.contents = contents
        return contents


def read_tree(
    files: list[SourceFile],
    read: Callable[[str], bytes],
    records: dict[str, FileRecord],
    cache: ScanCache | None,
    progress: Progress,
    examiner: Examiner | None = None,
) -> Reading:
    """Read each file unless the cache knows it by stat (or by content hash); undecodable and
    unreadable files are marked failed in ``records``. With an ``examiner`` (no cache), the
    files it was not sent yet are shared with it, and its answers stand for reading those."""
    reading = Reading()
    progress.phase("reading", len(files))
    held: set[str] = set()  # sent by the closure, which holds their bytes
    theirs: set[str] = set()
    if examiner is not None:
        held = set(examiner.sent)
        theirs = held | _share(files, examiner)
    entries = {}
    for f in files:
        if f.relpath not in theirs:
            progress.step()
            entries[f.relpath] = _entry(f, read, records, cache, reading)
    if examiner is not None:
        answers = examiner.results()
        for f in files:
            if f.relpath in theirs:
                progress.step()
                answer = answers.get(f.relpath)
                if answer is None:  # not answered (unreadable there, or the helper died)
                    answer = _entry(f, read, records, None, reading)
                elif answer[2] is None and f.relpath in held:
                    reading.contents[f.relpath] = read(f.relpath)
                elif answer[2] is None:
                    reading.unread.add(f.relpath)
                entries[f.relpath] = answer
    for f in files:  # in the files' order, as without a helper
        entry = entries[f.relpath]
        if entry is None:
            continue
        heads, is_settings, bad = entry
        if bad is not None:
            _fail(records[f.relpath], *bad)
            continue
        if heads:
            reading.headers[f.relpath] = heads
        if is_settings:
            reading.settings_files.add(f.relpath)
    return reading


def _share(files: list[SourceFile], examiner: Examiner) -> set[str]:
    """Send every other file the examiner was not sent yet (the files outside the closure
    that are read anyway, or the whole tree without one); the ones sent."""
    rest = [f.relpath for f in files if f.relpath not in examiner.sent]
    for rel in rest[1::2]:
        examiner.send(rel)
    return set(rest[1::2])


def _entry(
    f: SourceFile,
    read: Callable[[str], bytes],
    records: dict[str, FileRecord],
    cache: ScanCache | None,
    reading: Reading,
) -> Examined | None:
    """Read and examine one file in-process (or find it in the cache): None when unreadable."""
    from djatlas.cache import content_hash

    entry = cache.lookup(f.relpath, f.size, f.mtime_ns) if cache is not None else None
    if entry is None:  # new or changed (by stat): read it
        try:
            data = read(f.relpath)
        except OSError as exc:
            _fail(records[f.relpath], f"unreadable: {exc.strerror or exc}", None)
            return None
        digest = content_hash(data) if cache is not None else ""
        mtime = f.mtime_ns if len(data) == f.size else -1  # changed while scanning
        if cache is not None:
            entry = cache.verify(f.relpath, len(data), mtime, digest)
        if entry is None:
            examined = examine(data)
            if cache is None:
                if examined[2] is None:
                    reading.contents[f.relpath] = data
                return examined
            entry = _cache_entry(data, mtime, digest, examined)
            cache.put(f.relpath, entry)
        if entry.bad is None:
            reading.contents[f.relpath] = data
    return entry.heads, entry.settings, entry.bad


def examine(data: bytes) -> Examined:
    """Freshly read bytes: byte checks, then class headers (``(heads, is_settings, bad)``)."""
    from djatlas.parse.reader import check_bytes
    from djatlas.resolve.prefilter import scan_headers

    bad = check_bytes(data)  # NUL bytes, undecodable: reported even if never parsed
    heads, is_settings = scan_headers(data) if bad is None else ([], False)
    return heads, is_settings, (bad.reason, bad.line) if bad else None


def _cache_entry(data: bytes, mtime: int, digest: str, examined: Examined):
    """The cache entry of freshly read and examined bytes."""
    from djatlas.cache import FileEntry

    heads, is_settings, bad = examined
    return FileEntry(len(data), mtime, digest, heads, is_settings, bad)


def _fail(record: FileRecord, reason: str, line: int | None) -> None:
    record.status, record.reason, record.line = "failed", reason, line


def prefilter(
    reading: Reading, files: list[SourceFile], records: dict[str, FileRecord]
) -> set[str]:
    """The files to parse: the pre-filter's candidates, every models module, or the one file
    of a single-file scan."""
    from djatlas.resolve.prefilter import candidates

    readable = {f.relpath for f in files if records[f.relpath].status != "failed"}
    if len(files) == 1:
        return readable
    wanted = candidates(reading.headers, reading.settings_files)
    wanted |= {rel for rel in readable if is_models_module(rel)}
    return wanted
