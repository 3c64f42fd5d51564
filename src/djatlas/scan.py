"""The scan driver: discover → read + pre-filter → parse (cached) → resolve → model graph →
report (``_analyse``; the stages after discovery live in ``djatlas.pipeline``), and the report
and rendering caches in front of it (``scan_document``, ``scan_rendered``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from djatlas.discover.finder import (
    DEFAULT_MAX_FILE_SIZE,
    UNSTATTED,
    DiscoverOptions,
    Discovery,
    FileRecord,
    TooLarge,
    discover,
    discover_ahead,
    discover_source,
)
from djatlas.discover.source import Source
from djatlas.keys import git_commit, metadata, options_key
from djatlas.lifetime import keep, release
from djatlas.records import dataclass, field

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.cache import ScanCache
    from djatlas.discover.finder import SourceFile
    from djatlas.graph.apps import EntryPoints
    from djatlas.graph.types import Diagnostic, Report
    from djatlas.resolve.index import ProjectIndex
    from djatlas.resolve.layout import Layout

# The analysis modules (graph, parse, resolve) are imported where used, so that a scan answered
# from the cache does not pay for importing them.


@dataclass(eq=False, repr=False)
class ScanOptions:
    """How to scan: what to read, the settings and environment, caching, output metadata."""

    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    default_excludes: bool = True
    gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    settings: str | None = None
    #: The project's environment (interpreter or venv folder) whose packages are read.
    python: str | None = None
    #: Read every file, not only those the project's settings import (see pipeline.scope).
    all_files: bool = False
    title: str | None = None
    timing: bool = True
    cache_dir: str | None = None
    use_cache: bool = True
    jobs: int | None = None
    #: Show progress on stderr (only when it is a terminal and the scan takes over a second).
    progress: bool = False


def scan_path(path: str, **options: Any) -> dict[str, Any]:
    """Scan a folder (or one file) and return the JSON report document."""
    return scan_document(path, ScanOptions(**options))


def scan_source(source: Source, **options: Any) -> dict[str, Any]:
    """Scan a Source (e.g. a git revision) and return the JSON report document."""
    return scan_document(source, ScanOptions(**options))


def scan(target: str | Source, options: ScanOptions | None = None) -> Report:
    """Run the whole pipeline on a path or Source and return the typed Report."""
    options = options or ScanOptions()
    started = time.perf_counter()
    discovery, read, root, shown, commit = _prepare(target, options)
    cache = _open_cache(root, options)
    report = _analyse_nogc(discovery, read, root, options, cache)
    report.metadata.update(_metadata(options, shown, commit, started))
    return report


def scan_document(target: str | Source, options: ScanOptions | None = None) -> dict[str, Any]:
    """The report document; with the cache on, an unchanged tree is answered from the cache
    without reading any source file (fingerprint: every file's size/mtime, options, env)."""
    options = options or ScanOptions()
    started = time.perf_counter()
    tree = _locate(target, options)
    doc = _report_document(tree, target, options)
    doc["metadata"].update(_metadata(options, tree.shown, tree.commit, started))
    return doc


def scan_rendered(
    target: str | Source,
    options: ScanOptions,
    fmt: str,
    render: Callable[[dict[str, Any]], str | bytes | list[bytes]],
    render_values: list[Any] | None = None,
    typed: bool = False,
) -> tuple[dict[str, Any], bytes | list[bytes]]:
    """``(summary, render(report document) as bytes)``. The rendering is cached too, keyed by
    the format and ``render_values`` (the render options, see ``keys.RENDER_FIELDS``), with
    placeholders for the per-run metadata: an unchanged tree costs no rendering. ``typed``:
    ``render`` also takes the document with typed entries (``Report.document``), which spares
    an analysed report the plain copy. ``render`` may give its bytes in parts (the JSON
    renderer's ``render_parts``): the output is then in the same parts, for the caller to
    write one after the other (``commands.files.write_output``)."""
    from djatlas.keys import fill, placeholders, rendering_key, template_subs

    started = time.perf_counter()
    tree = _locate(target, options)
    meta = _metadata(options, tree.shown, tree.commit, started)
    rendering = rendering_key(fmt, list(render_values or []), meta)
    cache = tree.cache
    name = f"render-{fmt}"
    hit = cache.rendered(tree.key, name, rendering) if cache is not None else None
    if hit is not None:
        body, summary, subs = hit
    else:
        doc = _report_document(tree, target, options, typed)
        summary = doc["summary"]
        values = placeholders(fmt, meta, tree.key)
        doc["metadata"].update({**meta, **values})
        body = _as_bytes(render(doc))
        subs = template_subs(fmt, body, values)
        if subs is None:  # a placeholder shows in an unexpected way: render this run's values
            doc["metadata"].update(_metadata(options, tree.shown, tree.commit, started))
            body, subs = _as_bytes(render(doc)), []
        elif cache is not None:
            whole = b"".join(body) if isinstance(body, list) else body
            cache.store_rendered(tree.key, name, rendering, whole, summary, subs, tree.newest)
    meta = _metadata(options, tree.shown, tree.commit, started)
    if hit is None:
        keep(doc, tree)  # a one-shot process does not free the report and its walk
    return summary, fill(body, fmt, subs, meta)


def scan_view(
    target: str,
    options: ScanOptions,
    name: str,
    view: list[Any],
    compute: Callable[[dict[str, Any]], tuple[dict[str, Any], bytes]],
    inputs: str | None = None,
    fresh: Callable[[dict[str, Any]], bool] | None = None,
) -> tuple[dict[str, Any], bytes]:
    """``compute(report document)``: a command's ``(summary, output)``, cached under ``name``
    for the report and ``view`` (what else the output depends on, JSON-able; the output must
    not show per-run metadata): an unchanged tree costs neither the report nor the view.
    ``inputs`` (kept beside it) is the view's key as the fast path computes it from the
    command line (see ``keys.check_inputs``). ``fresh(summary)``: whether a cached output still
    holds (files outside the report)."""
    from djatlas.keys import compact_json

    started = time.perf_counter()
    tree = _locate(target, options)
    view_key = compact_json([name, view])
    cache = tree.cache
    hit = cache.rendered(tree.key, name, view_key) if cache is not None else None
    if hit is not None and (fresh is None or fresh(hit[1])):
        if inputs and cache is not None and not cache.has_field(name, tree.key, "inputs", inputs):
            extra = {"inputs": inputs}  # the same view from another command line
            cache.store_rendered(tree.key, name, view_key, hit[0], hit[1], [], 0, extra)
        return hit[1], hit[0]
    doc = _report_document(tree, target, options)
    doc["metadata"].update(_metadata(options, tree.shown, tree.commit, started))
    summary, body = compute(doc)
    if tree.cache is not None:
        extra = {"inputs": inputs} if inputs else None
        tree.cache.store_rendered(tree.key, name, view_key, body, summary, [], tree.newest, extra)
    keep(doc, tree)  # a one-shot process does not free the report and its walk
    return summary, body


def _as_bytes(output: str | bytes | list[bytes]) -> bytes | list[bytes]:
    """A rendering as written: text in UTF-8 (lone surrogates backslash-escaped); bytes, or
    bytes in parts, as they are."""
    return output.encode("utf-8", "backslashreplace") if isinstance(output, str) else output


@dataclass(eq=False, repr=False)
class _Tree:
    """A scan target as the caches see it: how it is shown, its cache and its report key."""

    shown: str
    commit: str | None
    cache: ScanCache | None = None
    key: str = ""
    #: ``(discovery, read, root)`` once walked (None: known from the last walk's stats).
    walked: tuple[Discovery, Callable[[str], bytes], str | None] | None = None
    #: The newest mtime the report depends on (recent ones are not trusted by the cache).
    newest: int = 0
    #: The options' key of the walk that made ``key`` (its snapshot's).
    okey: str = ""


def _locate(target: str | Source, options: ScanOptions) -> _Tree:
    """The target's cache and report key: for a folder that did not change since its last walk,
    by stat alone (no walk); otherwise by walking it."""
    if options.use_cache and not isinstance(target, Source) and os.path.isdir(target):
        cache = _open_cache(target, options)
        key = cache.snapshot_key(target, _options_key(target, options)) if cache else None
        if key:
            return _Tree(target, git_commit(target), cache, key)
    return _walk(target, options)


def _walk(target: str | Source, options: ScanOptions) -> _Tree:
    """Discover the target's files; remember the walk of a folder for the next ``_locate``."""
    discovery, read, root, shown, commit = _prepare(target, options)
    cache = _open_cache(root, options)
    tree = _Tree(shown, commit, cache, walked=(discovery, read, root))
    if cache is not None:  # (without one, the files may still be arriving: ``_prepare``)
        tree.newest = max((f.mtime_ns for f in discovery.files), default=0)
        okey = _options_key(root, options)
        tree.key = _report_key(discovery, okey)
        if not isinstance(target, Source) and os.path.isdir(target):
            cache.store_snapshot(okey, tree.key, discovery)
            tree.okey = okey  # (again once analysed: without the files it never read)
    return tree


def _report_document(
    tree: _Tree, target: str | Source, options: ScanOptions, typed: bool = False
) -> dict[str, Any]:
    """The report document of ``tree``: cached, else analysed (and cached). ``typed``: when
    analysed, its entries may stay the typed report objects (``Report.document``)."""
    doc = tree.cache.report(tree.key) if tree.cache is not None else None
    if doc is not None:
        return doc
    if tree.walked is None:  # known from the last walk, but its report is gone: walk again
        walked = _walk(target, options)
        tree.walked, tree.newest, tree.key = walked.walked, walked.newest, walked.key
    assert tree.walked is not None
    discovery, read, root = tree.walked
    report = _analyse_nogc(discovery, read, root, options, tree.cache)
    if not typed:
        release()  # the plain copy reuses the memory of the analysis's state
    doc = report.document() if typed else report.to_dict()
    if tree.cache is not None:
        tree.cache.store_report(tree.key, doc, tree.cache.env_files, tree.newest)
        if tree.okey and tree.cache.unread:
            tree.cache.store_snapshot(tree.okey, tree.key, discovery, tree.cache.unread)
    return doc


def _prepare(target: str | Source, options: ScanOptions):
    dopts = DiscoverOptions(
        options.include,
        options.exclude,
        options.default_excludes,
        options.gitignore,
        options.max_file_size,
        options.use_cache,  # the cache watches the folders' stats (``Discovery.stats``)
    )
    root: str | None
    if isinstance(target, Source):
        discovery = discover_source(target, dopts)
        read: Callable[[str], bytes] = target.read_bytes
        root, shown, commit = None, target.name, target.git_commit()
    else:
        shown = target
        if os.path.isfile(target):
            root = os.path.dirname(os.path.abspath(target))
            discovery = discover(root, dopts)
            name = os.path.basename(target)
            discovery.files = [f for f in discovery.files if f.relpath == name]
            discovery.records = []
        else:
            from djatlas.parallel import spare_core

            root = target
            ahead = not options.use_cache and spare_core(options.jobs)
            discovery = discover_ahead(root, dopts, _MEANWHILE) if ahead else discover(root, dopts)
        read = _reader(root, discovery, dopts.max_file_size)

        commit = git_commit(root)
    return discovery, read, root, shown, commit


#: What the later stages of every cold scan load when first used (the stages' modules, the
#: examining child's and the unpickling of its answers'): loaded while the walk child walks
#: (``_MEANWHILE``), or, when the walk ended first (a small tree), once the examining child
#: runs (``_analyse``), beside it: imported by the main process alone after the parse stage,
#: they would cost ~5 ms while the child waits.
_WARM = (
    "fcntl",
    "mmap",
    "_pickle",
    "select",
    "djatlas.graph.apps",
    "djatlas.pipeline.examining",
    "djatlas.pipeline.graphing",
    "djatlas.pipeline.parsing",
    "djatlas.pipeline.reading",
    "djatlas.pipeline.reporting",
    "djatlas.pipeline.resolving",
    "djatlas.pipeline.scope",
    "djatlas.progress",
    "djatlas.resolve.prefilter",
    "djatlas.resolve.scoping",
)


#: The modules only the main process uses, and later (the reading stage's cache entries, the
#: bundled knowledge's decompression, the graph stage: ~3-5 ms of imports): loaded one by one
#: while the walk child is not done (``_MEANWHILE``), instead of walking with it (two
#: processes walking a tree cost more than one: blueking-paas, the main process taking a
#: third of it, ~128M instructions in all instead of ~113M); else once the examining child
#: runs (``_analyse``), beside it, not with one core idle.
_BESIDE = ("zlib", "djatlas.cache", "djatlas.graph.build")


def _make_parser() -> None:
    """The tree-sitter parser, made before the examining child is forked even when the walk
    ended first: made after the fork, the child made its own too (netbox: ~1.5 ms)."""
    from djatlas.parse.reader import _parser

    _parser()


def _loading(names: tuple[str, ...]) -> Callable[[], None]:
    """A step of ``_MEANWHILE``: import ``names``."""
    return lambda: _load(names)


#: What a cold scan does while its walk child walks (``discover_ahead``): the parser always,
#: then ``_WARM``'s modules and the main process's own, one step at a time while the child is
#: not done.
_MEANWHILE = (_make_parser, _loading(_WARM), *(_loading((name,)) for name in _BESIDE))


def _load(names: tuple[str, ...]) -> None:
    """Import the modules ``names`` (a platform's module it lacks is left out)."""
    for name in names:
        try:  # noqa: SIM105 - ``contextlib`` is not imported for it (start-up)
            __import__(name)
        except ImportError:  # a platform's module it lacks (``fcntl``)
            pass


def _reader(base: str, discovery: Discovery, limit: int) -> Callable[[str], bytes]:
    """``read(relpath) -> bytes`` for files under ``base``: one ``os.read`` of the size the walk
    saw (plus one byte, to notice growth), which halves the cost of ``open().read()``. The
    sizes are taken from ``discovery`` at the first read (the walk may still be under way), a
    file the walk did not stat sized by ``fstat``; a file over ``limit`` bytes is TooLarge."""
    os_open, os_read, close, fstat = os.open, os.read, os.close, os.fstat
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    sizes: dict[str, int] = {}
    folder = os.path.join(base, "")  # ``+ rel``: ``os.path.join`` of a relative path, inline

    def read(rel: str) -> bytes:
        if not sizes:
            sizes.update((f.relpath, f.size) for f in discovery.files)
        size = sizes.get(rel, 65535)
        if size > limit:
            raise TooLarge(size, limit)
        fd = os_open(folder + rel, flags)
        try:
            if size == UNSTATTED:
                size = fstat(fd).st_size
                if size > limit:
                    raise TooLarge(size, limit)
            want = size + 1
            data = os_read(fd, want)
            if len(data) != want - 1:  # not the size seen by the walk: read to the end
                chunks = [data]
                while True:
                    chunk = os_read(fd, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
                data = b"".join(chunks)
            return data
        finally:
            close(fd)

    return read


def _metadata(
    options: ScanOptions, shown: str, commit: str | None, started: float
) -> dict[str, Any]:
    return metadata(options.title, shown, commit, started, options.timing)


def _open_cache(root: str | None, options: ScanOptions):
    """The persistent cache of a folder scan (None for a Source or with use_cache off)."""
    if root is None or not options.use_cache:
        return None
    from djatlas.cache import ScanCache

    return ScanCache.for_root(root, options.cache_dir)


def _environment(root: str | None, options: ScanOptions):
    """The selected environment (``--python``, ``$VIRTUAL_ENV``, a venv folder, or our own)."""
    from djatlas.resolve.environment import select

    return select(options.python, root)


def _options_key(root: str | None, options: ScanOptions) -> str:
    """What a report depends on besides the tree's files: root, options, environment folders."""
    return options_key(
        root,
        options.include,
        options.exclude,
        options.default_excludes,
        options.gitignore,
        options.max_file_size,
        options.settings,
        _environment(root, options).key(),
        options.all_files,
    )


def _report_key(discovery: Discovery, options_key: str) -> str:
    """The fingerprint a cached report is valid for: options + every discovered file's stat."""
    from djatlas.cache import fingerprint

    return fingerprint(
        [
            options_key,
            sorted(discovery.packages),
            [[f.relpath, f.size, f.mtime_ns] for f in discovery.files],
            [[r.path, r.status, r.reason, r.line] for r in discovery.records],
        ]
    )


def _analyse_nogc(
    discovery: Discovery,
    read: Callable[[str], bytes],
    root: str | None,
    options: ScanOptions,
    cache=None,
) -> Report:
    """``_analyse`` with the cyclic GC paused: the analysis keeps its objects until the end, so
    collections would only rescan them (measured: 10-25% of a cold scan)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyse(discovery, read, root, options, cache)
    finally:
        if enabled:
            gc.enable()


def _analyse(
    discovery: Discovery,
    read: Callable[[str], bytes],
    root: str | None,
    options: ScanOptions,
    cache: ScanCache | None = None,
) -> Report:
    """The stages after discovery: read + pre-filter → parse (cached) → resolve → graph →
    report. The cache answers for unchanged files in the reading and parsing stages."""
    from djatlas.pipeline.graphing import build_graph, settings_hints
    from djatlas.pipeline.parsing import Summaries, models_meanwhile, parse_ahead
    from djatlas.pipeline.reading import prefilter, read_tree
    from djatlas.pipeline.reporting import assemble_report, syntax_diagnostics
    from djatlas.pipeline.resolving import resolve_modules
    from djatlas.pipeline.scope import in_project
    from djatlas.progress import Progress
    from djatlas.resolve.index import ProjectIndex
    from djatlas.resolve.knowledge import Knowledge
    from djatlas.resolve.layout import Layout

    progress = Progress(enabled=options.progress)
    files = discovery.files
    layout = Layout(root, [f.relpath for f in files], discovery.packages)
    # (the files' stats serve only a cache: without one, not indexed before the fork)
    summaries = Summaries(
        cache, layout, {}, read, files if cache is not None else None, options.max_file_size
    )
    examiner = _examiner(read, layout, files, root, options, cache)  # first: it starts parsing
    if examiner is not None:
        summaries.beside(examiner)
        _load(_WARM + _BESIDE)  # (if the walk ended first): now, beside the child, not alone
    try:
        module_of = layout.module_of  # (positional: no dict of keywords per record)
        records = {
            f.relpath: FileRecord(f.relpath, "not_needed", None, None, module_of[f.relpath])
            for f in files
        }
        if cache is not None:
            cache.load()
        index = ProjectIndex(
            layout,
            summaries.read,
            records,
            summaries.take,
            summaries.store,
            environment=_environment(root, options),
            knowledge=Knowledge(),
        )
        index.store_failure = summaries.store_failure
        index.source = summaries.source
        hints = settings_hints([f.relpath for f in files], read)
        if not options.all_files and len(files) > 1:  # read only what the project imports
            notify = examiner.send if examiner is not None else None
            files, read = in_project(
                files, read, records, index, hints.modules, options.settings, notify
            )
        if examiner is not None:
            examiner.idle = models_meanwhile(examiner, summaries, files, read, root)
        reading = read_tree(files, read, records, cache, progress, examiner)
        wanted = prefilter(reading, files, records, layout)
        summaries.contents = reading.keep(wanted)
        loaded = [m.summary for m in index.by_path.values() if m is not None]  # the settings
        parse_ahead(summaries, wanted, root, options.jobs, progress, loaded)
        modules = resolve_modules(index, wanted, progress)
        summaries.contents.clear()
        diagnostics: list[Diagnostic] = []
        models, registry, settings = build_graph(
            index, modules, options.settings, hints, diagnostics
        )
    finally:
        summaries.close()  # ends a worker still parsing what the index may load on demand
    diagnostics.extend(syntax_diagnostics(index.by_path))
    if cache is not None:
        _keep_in_cache(cache, index, {f.relpath for f in discovery.files})
        cache.unread = _unread(records, index, hints)
    progress.done()
    report = assemble_report(models, records, discovery, registry, settings, diagnostics)
    report.metadata["environment"] = index.environment.describe()
    report.metadata["packages"] = index.package_sources()
    keep(index, layout)  # a one-shot process does not free them
    return report


def _examiner(
    read: Callable[[str], bytes],
    layout: Layout,
    files: list[SourceFile],
    root: str | None,
    options: ScanOptions,
    cache: ScanCache | None,
):
    """A child process examining the files the closure reads and parsing ahead
    (``pipeline.examining``), for a folder scanned without a cache."""
    if cache is not None or root is None:
        return None
    from djatlas.pipeline.examining import start

    return start(read, layout, files, root, options.jobs)


def _unread(
    records: dict[str, FileRecord], index: ProjectIndex, hints: EntryPoints
) -> frozenset[str]:
    """The tree files the analysis never read: outside the settings' import closure, not
    loaded on demand, not an entry point (``hints.read``: read for the settings it names)."""
    from djatlas.pipeline.scope import OUTSIDE

    loaded = index.by_path
    unread = {rel for rel, r in records.items() if r.reason == OUTSIDE and rel not in loaded}
    unread.difference_update(hints.read)
    return frozenset(unread)


def _keep_in_cache(cache: ScanCache, index: ProjectIndex, relpaths: set[str]) -> None:
    """Save the per-file cache; remember the environment files read (the report's key)."""
    from djatlas.resolve.values import ORIGIN_ENV

    cache.save(keep=relpaths)
    cache.env_files = [
        m.summary.path for m in index.modules.values() if m is not None and m.origin == ORIGIN_ENV
    ]
