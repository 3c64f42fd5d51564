"""The pipeline: discover → pre-filter → parse on demand → resolve → model graph → report."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from djatlas import __version__
from djatlas.discover.finder import (
    DEFAULT_MAX_FILE_SIZE,
    DiscoverOptions,
    Discovery,
    FileRecord,
    discover,
    discover_source,
    is_models_module,
)
from djatlas.discover.source import Source
from djatlas.fastpath import git_commit, metadata, options_key, value_json

if TYPE_CHECKING:
    from djatlas.graph.types import Report

# The analysis modules (graph, parse, resolve) are imported where used, so that a scan answered
# from the cache does not pay for importing them.

@dataclass
class ScanOptions:
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    default_excludes: bool = True
    gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    settings: str | None = None
    #: The project's environment (interpreter or venv folder) whose packages are read.
    python: str | None = None
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
    discovery, read, root, shown, commit = _prepare(target, options)
    cache = _open_cache(root, options)
    key = _report_key(discovery, _options_key(root, options)) if cache is not None else ""
    doc = cache.report(key) if cache is not None else None
    if doc is None:
        report = _analyse_nogc(discovery, read, root, options, cache)
        doc = report.to_dict()
        if cache is not None:
            newest = max((f.mtime_ns for f in discovery.files), default=0)
            cache.store_report(key, doc, cache.env_files, newest)
    doc["metadata"].update(_metadata(options, shown, commit, started))
    return doc


_META_KEYS = ("title", "path", "source", "git_commit", "scanned_at", "duration_ms")


def scan_rendered(
    target: str | Source, options: ScanOptions, fmt: str, render: Callable[[dict[str, Any]], str]
) -> tuple[dict[str, Any], str]:
    """``(summary, render(report document))``. For the JSON format the rendered text is cached
    too (with placeholders for the per-run metadata), so an unchanged tree costs no rendering."""
    if fmt != "json" or not options.use_cache or isinstance(target, Source):
        doc = scan_document(target, options)
        return doc["summary"], render(doc)
    from djatlas.fastpath import encode_basestring_ascii

    started = time.perf_counter()
    hit = None
    if os.path.isdir(target):  # an unchanged tree: revalidate the last walk by stat alone
        cache = _open_cache(target, options)
        key = cache.snapshot_key(target, _options_key(target, options)) if cache else None
        hit = cache.rendered(key, fmt) if cache is not None and key else None
        shown, commit = target, git_commit(target)
    if hit is None:
        discovery, read, root, shown, commit = _prepare(target, options)
        cache = _open_cache(root, options)
        okey = _options_key(root, options)
        key = _report_key(discovery, okey)
        if cache is not None:
            cache.store_snapshot(okey, key, discovery)
        hit = cache.rendered(key, fmt) if cache is not None else None
    if hit is None:
        doc = cache.report(key) if cache is not None else None
        if doc is None:
            doc = _analyse_nogc(discovery, read, root, options, cache).to_dict()
        tokens = {k: f"@@djatlas-metadata-{k}-{key}@@" for k in _META_KEYS}
        doc["metadata"].update(tokens)
        text = render(doc)
        if cache is not None:
            newest = max((f.mtime_ns for f in discovery.files), default=0)
            cache.store_report(key, doc, cache.env_files, newest)
            cache.store_rendered(key, fmt, text, doc["summary"], tokens, newest)
        summary = doc["summary"]
    else:
        text, summary, tokens = hit
    meta = _metadata(options, shown, commit, started)
    for k, token in tokens.items():
        text = text.replace(encode_basestring_ascii(token), value_json(meta[k]), 1)
    return summary, text


def _prepare(target: str | Source, options: ScanOptions):
    dopts = DiscoverOptions(
        options.include,
        options.exclude,
        options.default_excludes,
        options.gitignore,
        options.max_file_size,
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
            root = target
            discovery = discover(root, dopts)
        read = _reader(root, {f.relpath: f.size for f in discovery.files})

        commit = git_commit(root)
    return discovery, read, root, shown, commit


def _reader(base: str, sizes: dict[str, int]) -> Callable[[str], bytes]:
    """``read(relpath) -> bytes`` for files under ``base``: one ``os.read`` of the size the walk
    saw (plus one byte, to notice growth), which halves the cost of ``open().read()``."""
    join, os_open, os_read, close = os.path.join, os.open, os.read, os.close
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)

    def read(rel: str) -> bytes:
        fd = os_open(join(base, rel), flags)
        try:
            want = sizes.get(rel, 65535) + 1
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
    cache=None,
) -> Report:
    from djatlas.cache import FileEntry as CacheEntry
    from djatlas.cache import content_hash
    from djatlas.graph.apps import build_registry, read_settings
    from djatlas.graph.build import GraphBuilder
    from djatlas.graph.types import Diagnostic
    from djatlas.parallel import choose_jobs, parse_many
    from djatlas.parse.reader import ReadError, check_bytes
    from djatlas.parse.summary import ModuleSummary
    from djatlas.progress import Progress
    from djatlas.resolve.index import LoadedModule, ProjectIndex
    from djatlas.resolve.layout import Layout
    from djatlas.resolve.prefilter import candidates, scan_headers
    from djatlas.resolve.values import ORIGIN_ENV, ClassValue

    progress = Progress(enabled=options.progress)
    files = discovery.files
    layout = Layout(root, [f.relpath for f in files], discovery.packages)
    records: dict[str, FileRecord] = {
        f.relpath: FileRecord(f.relpath, "not_needed", module=layout.module_of[f.relpath])
        for f in files
    }
    if cache is not None:
        cache.load()
    contents: dict[str, bytes] = {}
    headers: dict[str, list] = {}
    settings_files: set[str] = set()
    progress.phase("reading", len(files))
    for f in files:
        progress.step()
        entry = cache.lookup(f.relpath, f.size, f.mtime_ns) if cache is not None else None
        if entry is None:  # new or changed (by stat): read it
            try:
                data = read(f.relpath)
            except OSError as exc:
                rec = records[f.relpath]
                rec.status, rec.reason = "failed", f"unreadable: {exc.strerror or exc}"
                continue
            digest = content_hash(data) if cache is not None else ""
            mtime = f.mtime_ns if len(data) == f.size else -1  # changed while scanning
            if cache is not None:
                entry = cache.verify(f.relpath, len(data), mtime, digest)
            if entry is None:
                bad = check_bytes(data)  # NUL bytes, undecodable: reported even if never parsed
                heads, is_settings = scan_headers(data) if bad is None else ([], False)
                entry = CacheEntry(
                    len(data),
                    mtime,
                    digest,
                    heads,
                    is_settings,
                    (bad.reason, bad.line) if bad is not None else None,
                )
                if cache is not None:
                    cache.put(f.relpath, entry)
            if entry.bad is None:
                contents[f.relpath] = data
        if entry.bad is not None:
            rec = records[f.relpath]
            rec.status, rec.reason, rec.line = "failed", entry.bad[0], entry.bad[1]
            continue
        if entry.heads:
            headers[f.relpath] = entry.heads
        if entry.settings:
            settings_files.add(f.relpath)
    readable = {f.relpath for f in files if records[f.relpath].status != "failed"}
    wanted = candidates(headers, settings_files)
    wanted |= {rel for rel in readable if is_models_module(rel)}
    if len(files) == 1:
        wanted = {f.relpath for f in files if f.relpath in readable}
    # Only the files to parse stay in memory; on-demand loads read from disk.
    contents = {rel: contents[rel] for rel in wanted if rel in contents}

    ready: dict[str, Any] = {}  # relpath -> ModuleSummary | ReadError, from cache or workers

    def cached_parse(rel: str) -> bool:
        if cache is None:
            return False
        if rel in ready:
            return True
        p = cache.summary(rel, layout.module_of[rel], layout.is_package(rel))
        if p is None:
            return False
        try:
            if "failure" in p:
                reason, line = p["failure"]
                ready[rel] = ReadError(reason, line)
            else:
                ready[rel] = ModuleSummary.from_dict(p["summary"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        return True

    def read_cached(rel: str) -> bytes:
        data = contents.pop(rel, None)
        if data is not None:
            return data
        if rel in ready or cached_parse(rel):
            return b""  # answered by summary_cache below without the bytes
        return read(rel)

    def summary_cache(rel: str, data: bytes) -> ModuleSummary | None:
        got = ready.pop(rel, None)
        if isinstance(got, ReadError):
            raise got
        return got

    def store_summary(rel: str, data: bytes, summary: ModuleSummary) -> None:
        if cache is not None:
            cache.store_parsed(
                rel,
                {"module": summary.module, "pkg": summary.is_package, "summary": summary.to_dict()},
            )

    def store_failure(rel: str, exc: ReadError) -> None:
        if cache is not None:
            cache.store_parsed(
                rel,
                {
                    "module": layout.module_of[rel],
                    "pkg": layout.is_package(rel),
                    "failure": [exc.reason, exc.line],
                },
            )

    to_parse = [rel for rel in sorted(wanted) if not cached_parse(rel)]
    jobs = choose_jobs(options.jobs, [len(contents.get(rel, b"")) for rel in to_parse])
    if jobs > 1:
        progress.phase("parsing", len(to_parse))
        items = [
            (rel, contents.pop(rel, None), layout.module_of[rel], layout.is_package(rel))
            for rel in to_parse
        ]
        for rel, result in parse_many(items, root, jobs):
            progress.step()
            if isinstance(result, ModuleSummary):
                ready[rel] = result
                store_summary(rel, b"", result)
            elif isinstance(result, ReadError):
                ready[rel] = result
                store_failure(rel, result)
            # None (the worker could not read it): loaded in-process, failure reported there
    index = ProjectIndex(layout, read_cached, records, summary_cache, store_summary)
    index.store_failure = store_failure
    progress.phase("parsing", len(wanted))
    diagnostics: list[Diagnostic] = []
    for rel in sorted(wanted):
        progress.step()
        index.load_path(rel)
    progress.phase("resolving", 0)
    # Loading a module can load others (bases, fields): classify until nothing new appears.
    seen: set[str] = set()
    builder_modules: list[LoadedModule] = []
    while True:
        new = sorted(
            (m for rel, m in index.by_path.items() if m is not None and rel not in seen),
            key=lambda m: m.relpath or "",
        )
        if not new:
            break
        for m in new:
            seen.add(m.relpath or "")
            builder_modules.append(m)
        # Resolving every class's bases may parse more tree files.
        for m in new:
            for name, summary in m.summary.classes.items():
                index.mro(
                    ClassValue(f"{m.name}.{name}", m.origin, m.name, summary, None, m.relpath)
                )
    contents.clear()
    hints = _settings_hints([f.relpath for f in files], read)
    settings = read_settings(index, builder_modules, options.settings, diagnostics, hints)
    registry = build_registry(index, builder_modules, settings)
    builder = GraphBuilder(index, registry, diagnostics)
    builder.collect(builder_modules)
    models = builder.build()
    builder.finish(models)
    if cache is not None:
        cache.save(keep={f.relpath for f in files})
        cache.env_files = [
            m.summary.path
            for m in index.modules.values()
            if m is not None and m.origin == ORIGIN_ENV
        ]
    progress.done()
    return _report(models, records, discovery, registry, settings, diagnostics)


def _report(models, records, discovery, registry, settings, diagnostics) -> Report:
    from djatlas.graph.types import App, Diagnostic, FileEntry, Report

    # Keyed by (label, package): two projects of a monorepo may both have a "vendor" app.
    apps: dict[tuple[str, str], App] = {}
    for m in models:
        info = registry.app_for(m.module)
        if info is None or info.label != m.app_label:  # Meta.app_label naming another app
            info = next((a for a in registry.apps.values() if a.label == m.app_label), info)
        if info is not None and info.label == m.app_label:
            name, config = info.name, info.config
        else:
            parts = m.module.split(".")
            cut = parts.index("models", 1) if "models" in parts[1:] else len(parts) - 1
            name, config = ".".join(parts[:cut]) or m.module, None
        app = apps.get((m.app_label, name))
        if app is None:
            app = apps[(m.app_label, name)] = App(m.app_label, name, config)
        app.models.append(m.label)
    all_records = list(records.values()) + discovery.records
    entries = sorted(
        (FileEntry(r.path, r.module, r.status, r.reason, r.line) for r in all_records),
        key=lambda e: e.path,
    )
    for r in all_records:
        if r.status == "failed":
            diagnostics.append(
                Diagnostic("error", "DJA110", f"{r.path}: {r.reason}", r.path, r.line)
            )
    if not models:
        diagnostics.append(Diagnostic("info", "DJA130", "no Django models found"))
    diagnostics = sorted(
        {(d.file or "", d.line or 0, d.code, d.message): d for d in diagnostics}.values(),
        key=lambda d: (d.file or "", d.line or 0, d.code, d.message),
    )
    count = {
        s: sum(1 for e in entries if e.status == s)
        for s in ("parsed", "not_needed", "skipped", "failed")
    }
    rel_fields = sum(1 for m in models for f in m.fields if f.relation and f.origin != "parent")
    all_fields = sum(1 for m in models for f in m.fields if f.origin != "parent")
    summary = {
        "files_discovered": len(records)
        + sum(1 for r in discovery.records if r.status == "failed" and not r.path.endswith("/")),
        "files_parsed": count["parsed"],
        "files_not_needed": count["not_needed"],
        "files_skipped": count["skipped"],
        "files_failed": count["failed"],
        "apps": len(apps),
        "models": len(models),
        "concrete_models": sum(1 for m in models if not m.abstract and not m.proxy),
        "abstract_models": sum(1 for m in models if m.abstract),
        "proxy_models": sum(1 for m in models if m.proxy),
        "fields": all_fields - rel_fields,
        "relationships": rel_fields,
    }
    metadata = {
        "settings_module": settings.module,
        "default_auto_field": settings.default_auto_field,
        "auth_user_model": settings.auth_user_model,
    }
    return Report(
        metadata,
        summary,
        sorted(apps.values(), key=lambda a: (a.label, a.name)),
        models,
        entries,
        diagnostics,
        __version__,
    )


_DSM = re.compile(rb"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]")
_ENTRY_POINTS = ("manage.py", "wsgi.py", "asgi.py")


def _settings_hints(relpaths: list[str], read: Callable[[str], bytes]) -> list[str]:
    """Settings modules named by DJANGO_SETTINGS_MODULE in manage.py / wsgi.py / asgi.py."""
    out: list[str] = []
    for rel in sorted(relpaths):
        if rel.rsplit("/", 1)[-1] in _ENTRY_POINTS:
            try:
                data = read(rel)
            except OSError:
                continue
            for m in _DSM.finditer(data):
                name = m.group(1).decode("ascii", "replace")
                if name not in out:
                    out.append(name)
    return out
