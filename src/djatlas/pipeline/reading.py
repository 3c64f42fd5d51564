"""Reading stage: every discovered file's bytes (or what the cache knows of them), then the
text pre-filter that picks the files to parse."""

from __future__ import annotations

from collections.abc import Callable

from djatlas.discover.finder import FileRecord, SourceFile, is_models_module
from djatlas.records import dataclass, field

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from djatlas.cache import ScanCache
    from djatlas.pipeline.examining import Answer, Examiner
    from djatlas.progress import Progress
    from djatlas.resolve.layout import Layout


@dataclass(eq=False, repr=False)
class Reading:
    """What the pre-filter needs of the tree, and the bytes read this run."""

    #: relpath -> bytes, for files read (not answered by the cache) and readable.
    contents: dict[str, bytes] = field(default_factory=dict)
    #: relpath -> class headers and aliases (``resolve.prefilter.scan_headers``).
    headers: dict[str, list] = field(default_factory=dict)
    #: Files that assign ``INSTALLED_APPS``.
    settings_files: set[str] = field(default_factory=set)
    #: How to read a file the cache answered for (the pre-filter's scoping may need its text).
    read: Callable[[str], bytes] | None = None

    def keep(self, wanted: set[str]) -> dict[str, bytes]:
        """Drop the bytes of files that will not be parsed; return the rest."""
        self.contents = {rel: self.contents[rel] for rel in wanted if rel in self.contents}
        return self.contents


def read_tree(
    files: list[SourceFile],
    read: Callable[[str], bytes],
    records: dict[str, FileRecord],
    cache: ScanCache | None,
    progress: Progress,
    examiner: Examiner | None = None,
) -> Reading:
    """Read each file unless the cache knows it by stat (or by content hash); undecodable and
    unreadable files are marked failed in ``records``. ``examiner``: a child process that
    examines the files named to it (and half of the others), for this stage to collect."""
    from djatlas.cache import FileEntry, content_hash

    reading = Reading(read=read)
    progress.phase("reading", len(files))
    answer = _answerer(examiner)
    for f in _share(files, examiner):
        progress.step()
        entry = cache.lookup(f.relpath, f.size, f.mtime_ns) if cache is not None else None
        if entry is None:  # new or changed (by stat): read it
            try:
                data = read(f.relpath)
            except OSError as exc:
                _fail(records[f.relpath], f"unreadable: {exc.strerror or exc}", None)
                continue
            digest = content_hash(data) if cache is not None else ""
            mtime = f.mtime_ns if len(data) == f.size else -1  # changed while scanning
            if cache is not None:
                entry = cache.verify(f.relpath, len(data), mtime, digest)
            if entry is None:
                _, heads, is_settings, bad = answer(f.relpath, data)
                entry = FileEntry(len(data), mtime, digest, heads, is_settings, bad)
                if cache is not None:
                    cache.put(f.relpath, entry)
            if entry.bad is None:
                reading.contents[f.relpath] = data
        if entry.bad is not None:
            _fail(records[f.relpath], *entry.bad)
            continue
        if entry.heads:
            reading.headers[f.relpath] = entry.heads
        if entry.settings:
            reading.settings_files.add(f.relpath)
    return reading


def examine(data: bytes) -> Answer:
    """What the reading stage learns from freshly read bytes: ``(length, class headers,
    settings flag, bad)``; byte checks first (NUL bytes, undecodable: reported even if never
    parsed), then class headers."""
    from djatlas.parse.reader import check_bytes
    from djatlas.resolve.prefilter import scan_headers

    bad = check_bytes(data)
    heads, is_settings = scan_headers(data) if bad is None else ([], False)
    return len(data), heads, is_settings, (bad.reason, bad.line) if bad else None


def _share(files: list[SourceFile], examiner: Examiner | None) -> list[SourceFile]:
    """``files``, this process's share first: ``examiner`` gets every other file not yet
    named to it, then the end of its list."""
    if examiner is None:
        return files
    own: list[SourceFile] = []
    theirs: list[SourceFile] = []
    mine = True  # whose the next new file is
    for f in files:
        if f.relpath in examiner.sent:
            theirs.append(f)
        elif mine:
            own.append(f)
            mine = False
        else:
            examiner.send(f.relpath)
            theirs.append(f)
            mine = True
    examiner.finish()
    return own + theirs


def _answerer(examiner: Examiner | None) -> Callable[[str, bytes], Answer]:
    """``examine``, answered for the files named to ``examiner`` by its child (whose answers
    are waited for once, when first needed; a file the child saw otherwise is examined
    here)."""
    if examiner is None:
        return lambda rel, data: examine(data)
    answers: dict[str, Answer] | None = None

    def answer(rel: str, data: bytes) -> Answer:
        nonlocal answers
        if rel in examiner.sent:
            if answers is None:
                answers = examiner.answers()
            found = answers.get(rel)
            if found is not None and found[0] == len(data):
                return found
        return examine(data)

    return answer


def _fail(record: FileRecord, reason: str, line: int | None) -> None:
    record.status, record.reason, record.line = "failed", reason, line


def prefilter(
    reading: Reading, files: list[SourceFile], records: dict[str, FileRecord], layout: Layout
) -> set[str]:
    """The files to parse: the pre-filter's candidates, every models module, or the one file
    of a single-file scan. A candidate by the global name graph is dropped when, with its base
    names looked up in its own module (``resolve.scoping``), no class of it reaches a model."""
    from djatlas.resolve.prefilter import candidates_and_reach

    readable = {f.relpath for f in files if records[f.relpath].status != "failed"}
    if len(files) == 1:
        return readable
    wanted, reach = candidates_and_reach(reading.headers, reading.settings_files)
    always = {rel for rel in readable if is_models_module(rel)}
    scoper = _scoper(reading, readable, layout, reach)
    for rel in sorted(wanted - always - reading.settings_files):
        if not scoper.file_reaches(rel):
            wanted.discard(rel)
    return wanted | always


def _scoper(reading: Reading, readable: set[str], layout: Layout, reach):
    """A ``Scoper`` over the ``readable`` files (a module by its name, when one file has it)."""
    from djatlas.pipeline.scope import absolute, package_of
    from djatlas.resolve.scoping import FileScope, Scoper

    scopes: dict[str, FileScope | None] = {}

    def scope_of(rel: str) -> FileScope | None:
        if rel not in scopes:
            data = reading.contents.get(rel)
            if data is None and reading.read is not None:
                try:
                    data = reading.read(rel)
                except OSError:
                    data = None
            scopes[rel] = FileScope(data) if data is not None else None
        return scopes[rel]

    def resolve(rel: str, module: bytes) -> str | None:
        importer = layout.module_of[rel]
        if not importer:
            return None
        package = package_of(importer, layout.is_package(rel))
        name = absolute(module.decode("ascii", "replace"), package)
        found = [f for f in layout.files_of.get(name, ()) if f in readable] if name else []
        return found[0] if len(found) == 1 else None

    return Scoper(reach, scope_of, resolve)
