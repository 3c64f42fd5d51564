"""Reading stage: every discovered file's bytes (or what the cache knows of them), then the
text pre-filter that picks the files to parse."""

from __future__ import annotations

from collections.abc import Callable

from djatlas.discover.finder import FileRecord, SourceFile, is_models_module, unreadable
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
    #: The pre-filter's verdict (``verdict``) when the examining child gave it: then
    #: ``headers`` is left empty.
    verdict: set[str] | None = None

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
    answer, trusted = _answerer(examiner)
    for f in _share(files, examiner):
        progress.step()
        entry = cache.lookup(f.relpath, f.size, f.mtime_ns) if cache is not None else None
        if entry is None:  # new or changed (by stat): read it
            try:
                data = read(f.relpath)
            except OSError as exc:
                _fail(records[f.relpath], unreadable(exc), None)
                trusted.clear()
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
    if examiner is not None and examiner.verdict is not None:
        if trusted:
            reading.verdict = examiner.verdict
        else:  # a file read otherwise by the child: its headers were not sent, find them here
            _headers_here(reading, files)
    return reading


def _headers_here(reading: Reading, files: list[SourceFile]) -> None:
    """The class headers of every file read, found in this process."""
    from djatlas.resolve.prefilter import scan_headers

    for f in files:
        data = reading.contents.get(f.relpath)
        if data is not None and f.relpath not in reading.headers:
            heads = scan_headers(data)[0]
            if heads:
                reading.headers[f.relpath] = heads


def examine(data: bytes) -> Answer:
    """What the reading stage learns from freshly read bytes: ``(length, class headers,
    settings flag, bad)``; byte checks first (NUL bytes, undecodable: reported even if never
    parsed), then class headers."""
    from djatlas.parse.reader import check_bytes
    from djatlas.resolve.prefilter import scan_headers

    bad = check_bytes(data)
    heads, is_settings = scan_headers(data) if bad is None else ([], False)
    return len(data), heads, is_settings, (bad.reason, bad.line) if bad else None


#: When at most one file in this many is left to name to the examining child (the closure has
#: named the others), it is named them all and gives the pre-filter's verdict.
_FEW = 8


def _share(files: list[SourceFile], examiner: Examiner | None) -> list[SourceFile]:
    """``files``, this process's share first: ``examiner`` gets every other file not yet
    named to it, then the end of its list; or, when few are left, all of them, and it is
    asked for the pre-filter's verdict on ``files`` (the files it was named beyond them are
    left out)."""
    if examiner is None:
        return files
    sent = examiner.sent
    left = [f for f in files if f.relpath not in sent]
    if len(left) * _FEW <= len(files):
        for f in left:
            examiner.send(f.relpath)
        ours = {f.relpath for f in files}
        examiner.finish(sorted(rel for rel in sent if rel not in ours))
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


def _answerer(examiner: Examiner | None) -> tuple[Callable[[str, bytes], Answer], list[bool]]:
    """``examine``, answered for the files named to ``examiner`` by its child (whose answers
    are waited for once, when first needed; a file the child saw otherwise is examined
    here); and a flag, emptied when a file was examined here (the child's verdict, made from
    what it saw, does not hold then)."""
    trusted = [True]
    if examiner is None:
        return lambda rel, data: examine(data), trusted
    answers: dict[str, Answer] | None = None

    def answer(rel: str, data: bytes) -> Answer:
        nonlocal answers
        if rel in examiner.sent:
            if answers is None:
                answers = examiner.answers()
            found = answers.get(rel)
            if found is not None and found[0] == len(data):
                return found
        trusted.clear()
        return examine(data)

    return answer, trusted


def _fail(record: FileRecord, reason: str, line: int | None) -> None:
    record.status, record.reason, record.line = "failed", reason, line


def prefilter(
    reading: Reading, files: list[SourceFile], records: dict[str, FileRecord], layout: Layout
) -> set[str]:
    """The files to parse: the pre-filter's candidates (``verdict``), every models module, or
    the one file of a single-file scan."""
    readable = {f.relpath for f in files if records[f.relpath].status != "failed"}
    if len(files) == 1:
        return readable
    always = {rel for rel in readable if is_models_module(rel)}
    chosen = reading.verdict
    if chosen is None:
        data_of = bytes_of(reading.contents, reading.read)
        chosen = verdict(reading.headers, reading.settings_files, readable, layout, data_of)
    return chosen | always


def verdict(
    headers: dict[str, list],
    settings_files: set[str],
    readable: set[str],
    layout: Layout,
    data_of: Callable[[str], bytes | None],
) -> set[str]:
    """The pre-filter's candidates among the ``readable`` files (with their ``headers``;
    ``data_of``: a file's bytes, None if unreadable): the settings files and those holding a
    class whose bases reach a model base by the global name graph, less those that, with
    their base names looked up in their own module (``resolve.scoping``), have no class
    reaching one (models modules are kept: every one is parsed)."""
    from djatlas.resolve.prefilter import candidates_and_reach

    wanted, reach = candidates_and_reach(headers, settings_files)
    scoper = _scoper(data_of, readable, layout, reach)
    for rel in sorted(wanted - settings_files):
        if not is_models_module(rel) and not scoper.file_reaches(rel):
            wanted.discard(rel)
    return wanted


def bytes_of(
    contents: dict[str, bytes], read: Callable[[str], bytes] | None
) -> Callable[[str], bytes | None]:
    """A file's bytes: in ``contents``, else ``read`` (None when unreadable)."""

    def data_of(rel: str) -> bytes | None:
        data = contents.get(rel)
        if data is None and read is not None:
            try:
                data = read(rel)
            except OSError:
                data = None
        return data

    return data_of


def _scoper(
    data_of: Callable[[str], bytes | None], readable: set[str], layout: Layout, reach: set[bytes]
):
    """A ``Scoper`` over the ``readable`` files (a module by its name, when one file has it)."""
    from djatlas.pipeline.scope import absolute, package_of
    from djatlas.resolve.scoping import FileScope, Scoper

    scopes: dict[str, FileScope | None] = {}

    def scope_of(rel: str) -> FileScope | None:
        if rel not in scopes:
            data = data_of(rel)
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
