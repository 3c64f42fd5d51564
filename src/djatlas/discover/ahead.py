"""A cold scan's walk started before the command line is parsed.

``djatlas scan PATH --no-cache`` walks PATH in a forked child (``finder.discover_ahead``); the
earlier the child starts, the sooner its answer is there. ``start`` forks it as soon as the
arguments are known and the walk's own modules are imported (``discover.sharing``, which the
scan imports anyway: the child walks at once), before argparse and the scan's other modules
are imported (this module imports nothing beyond what the interpreter has loaded; ``mmap``
for the flags of a walk the main process joins), when they surely
ask for a cold scan of a folder (an option it does not know, an abbreviation, ``--``: no early
walk). ``take`` hands the walk to ``discover_ahead`` only for the very root and discovery
options the scan settled on; ``drop`` ends a walk nobody took (a usage error, other options).
"""

from __future__ import annotations

import os

#: Options of ``djatlas scan`` that take a value, and those (flags) that take none; the tree
#: options are read, the others only skipped.
_VALUES = frozenset(
    [
        "--format",
        "-f",
        "-o",
        "--output",
        "--title",
        "--language",
        "--app",
        "--model",
        "--depth",
        "--exclude-model",
        "--include-model",
        "--rankdir",
        "--include",
        "--exclude",
        "--settings",
        "--python",
        "--cache-dir",
        "--jobs",
        "-j",
    ]
)
#: ``keys.SCAN_FLAGS``, from its own module: ``keys`` (with ``_json`` and ``_blake2``, ~0.6 ms)
#: is imported once the walk child is forked, not before.
from djatlas.flags import SCAN_FLAGS as _SCAN_FLAGS  # noqa: E402

_FLAGS = frozenset(["--no-timing", "--strict", "--diagram", *_SCAN_FLAGS, "-q", "--quiet"])
_MAX_FILE_SIZE = 5 * 1024 * 1024  # finder.DEFAULT_MAX_FILE_SIZE (not imported here)

#: The walk started: ((root, include, exclude, default_excludes, gitignore, max size, watched),
#: walk).
_started: list[tuple[tuple, tuple]] = []
#: Tasks of a walk shared with the main process that have a flag byte (``discover.sharing``).
_TASKS = 1 << 16


def start(argv: list[str]) -> None:
    """Fork the walk of ``djatlas scan`` ``argv`` (after "scan") when it asks for a cold scan
    of a folder with a spare core for the walk."""
    wanted = _cold_scan(argv)
    if wanted is None or _started:
        return
    key, jobs = wanted
    if not os.path.isdir(key[0]):
        return
    from djatlas.parallel import spare_core

    if not spare_core(jobs):
        return
    _load_walk()
    walk = fork_walk(key)
    if walk is not None:
        _started.append((key, walk))


def _load_walk() -> None:
    """Import what the walk runs (``re`` with it) before forking it: the scan imports these
    modules anyway, so importing them here, once, spares the child importing them again; it
    starts walking as soon as it is forked."""
    import djatlas.discover.sharing  # noqa: F401 - with discover.finder and discover.gitignore


def fork_walk(key: tuple):  # type: ignore[no-untyped-def]
    """Fork the child walking ``key``'s tree (root, DiscoverOptions' fields) with the main
    process once it joins (``discover.sharing``): ``(pid, answers fd, flags, tasks fd)``, or
    None when fork fails."""
    from djatlas.parallel import fork_linked

    linked = fork_linked(_TASKS)
    if linked is None:
        return None
    pid, flags, writes, reads = linked  # the child reads tasks, writes its accounts
    if pid == 0:  # the child: never returns
        status = 1
        try:
            _walk(key, flags, writes, reads)
            status = 0
        finally:
            os._exit(status)
    return pid, reads, flags, writes


def _walk(key: tuple, flags, out: int, tasks: int) -> None:  # type: ignore[no-untyped-def]
    """The child's work: walk the tree (shared) and send the folders' accounts to ``out``."""
    from djatlas.discover.finder import DiscoverOptions
    from djatlas.discover.sharing import serve

    root, include, exclude, default_excludes, gitignore, max_file_size, watched = key
    options = DiscoverOptions(include, exclude, default_excludes, gitignore, max_file_size, watched)
    serve(root, options, flags, out, tasks)


def take(root: str, options):  # type: ignore[no-untyped-def]
    """``fork_walk``'s answer for the walk started for ``root`` with these DiscoverOptions, if
    any (a walk started for anything else is dropped)."""
    if not _started:
        return None
    if _started[0][0] != key_of(root, options):
        drop()
        return None
    return _started.pop()[1]


def key_of(root: str, options) -> tuple:  # type: ignore[no-untyped-def]
    """What ``fork_walk`` takes for ``root`` and DiscoverOptions ``options``."""
    return (
        root,
        list(options.include),
        list(options.exclude),
        options.default_excludes,
        options.gitignore,
        options.max_file_size,
        options.watched,
    )


def drop() -> None:
    """End and reap a walk started but not taken."""
    while _started:
        end(*_started.pop()[1])


def end(pid: int, fd: int, flags=None, back: int = -1) -> None:  # type: ignore[no-untyped-def]
    """Close the walk's pipes ``fd`` and ``back``, kill and reap its child ``pid`` (also at
    shutdown; a one-shot process reaps it at its end: ``lifetime.reap``)."""
    from djatlas.lifetime import reap

    for pipe in (fd, back):
        try:  # noqa: SIM105 - ``contextlib`` is not imported for it (start-up)
            os.close(pipe)
        except OSError:
            pass
    try:
        os.kill(pid, 9)  # SIGKILL (``signal`` is not imported for it)
        reap(pid)
    except OSError:
        pass
    if flags is not None:
        flags.close()


def _cold_scan(argv: list[str]) -> tuple[tuple, int | None] | None:
    """``((root, include, exclude, default_excludes, gitignore, max size, watched), jobs)``
    when ``argv`` surely asks argparse for a scan without the cache (whose walk is not
    watched), else None."""
    include: list[str] = []
    exclude: list[str] = []
    seen: set[str] = set()
    path: str | None = None
    jobs: int | None = None
    i, n = 0, len(argv)
    while i < n:
        tok = argv[i]
        i += 1
        if not tok.startswith("-") or tok == "-":
            if path is not None or not tok:
                return None
            path = tok
            continue
        name, eq, value = tok.partition("=") if tok.startswith("--") else (tok, "", "")
        if name in _FLAGS and not eq:
            seen.add(name)
            continue
        if name not in _VALUES:
            return None  # unknown, abbreviated, attached short value, "--", --max-file-size
        if not eq:
            if i >= n or argv[i].startswith("-"):
                return None
            value = argv[i]
            i += 1
        if name == "--include":
            include.append(value)
        elif name == "--exclude":
            exclude.append(value)
        elif name in ("--jobs", "-j"):
            if not value.isdigit() or int(value) < 1:
                return None
            jobs = int(value)
    if path is None or "--no-cache" not in seen:
        return None
    default_excludes = "--no-default-excludes" not in seen
    gitignore = "--no-gitignore" not in seen
    key = (path, include, exclude, default_excludes, gitignore, _MAX_FILE_SIZE, False)
    return key, jobs
