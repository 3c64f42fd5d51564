"""Find the Python files of a tree, and account for every one that is skipped or unreadable."""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterable

from djatlas.discover.gitignore import GitIgnore
from djatlas.discover.source import Source
from djatlas.records import dataclass, field

#: Folder names skipped unless ``--no-default-excludes``.
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        "site-packages",
        "migrations",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
    }
)
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024


@dataclass(frozen=True, eq=False, repr=False)
class SourceFile:
    """A Python file to consider: its POSIX path relative to the root and its size/mtime."""

    relpath: str
    size: int
    mtime_ns: int


@dataclass(eq=False, repr=False)
class FileRecord:
    """How one file (or folder) was accounted for in the report."""

    path: str
    status: str  # parsed | not_needed | skipped | failed
    reason: str | None = None
    line: int | None = None
    module: str | None = None


@dataclass(eq=False, repr=False)
class DiscoverOptions:
    """What the walk reads: include/exclude globs, default excludes, .gitignore, size limit."""

    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    default_excludes: bool = True
    gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE


@dataclass(eq=False, repr=False)
class Discovery:
    """Result of discovery: the files to read and the records of what was left out."""

    root: str
    files: list[SourceFile] = field(default_factory=list)
    records: list[FileRecord] = field(default_factory=list)
    #: Folders that hold an ``__init__.py`` (relative POSIX paths; "" for the root).
    packages: set[str] = field(default_factory=set)
    #: (mtime_ns, size) of what the walk depends on besides ``files``: every folder listed
    #: ("" root, "a/b/" folders), each .gitignore read, files skipped for their size. A cache can
    #: revalidate a discovery by stat-ing these instead of walking again.
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip("/")
    parts = []
    for piece in re.split(r"(\*\*/?)", pattern):
        if piece.startswith("**"):
            parts.append("(?:.*/)?" if piece.endswith("/") else ".*")
        elif piece:
            parts.append(fnmatch.translate(piece)[4:-3].replace(".*", "[^/]*"))
    return re.compile("^(?:" + "".join(parts) + r")(?:/.*)?$")


class _Globs:
    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [(p, _glob_regex(p)) for p in patterns]

    def first(self, relpath: str) -> str | None:
        if not self.patterns:
            return None
        base = relpath.rsplit("/", 1)[-1]
        for raw, regex in self.patterns:
            if regex.match(relpath) or ("/" not in raw.strip("/") and fnmatch.fnmatch(base, raw)):
                return raw
        return None


class _Walker:
    def __init__(self, root: str, options: DiscoverOptions) -> None:
        self.root = root
        self.options = options
        self.includes = _Globs(options.include)
        self.excludes = _Globs(options.exclude)
        self.result = Discovery(root=root)
        self.seen_dirs: set[tuple[int, int]] = set()

    def _skip_dir(
        self, rel: str, name: str, path: str, ignores: list[tuple[str, GitIgnore]]
    ) -> str | None:
        if self.options.default_excludes:
            if name in DEFAULT_EXCLUDED_DIRS:
                return f"default exclude: {name}"
            if os.path.exists(os.path.join(path, "pyvenv.cfg")):
                return "default exclude: virtualenv (pyvenv.cfg)"
        pattern = self.excludes.first(rel)
        if pattern:
            return f"--exclude {pattern}"
        if self._ignored(rel, True, ignores):
            return ".gitignore"
        return None

    def _ignored(self, rel: str, is_dir: bool, ignores: list[tuple[str, GitIgnore]]) -> bool:
        verdict: bool | None = None
        for base, gi in ignores:
            sub = rel[len(base) + 1 :] if base else rel
            m = gi.match(sub, is_dir)
            if m is not None:
                verdict = m
        return bool(verdict)

    def walk(self) -> Discovery:
        stack: list[tuple[str, str, list[tuple[str, GitIgnore]]]] = [(self.root, "", [])]
        try:
            st = os.stat(self.root)
            self.seen_dirs.add((st.st_dev, st.st_ino))
            self.result.stats[""] = (st.st_mtime_ns, st.st_size)
        except OSError:
            pass
        while stack:
            path, rel, ignores = stack.pop()
            try:
                with os.scandir(path) as it:
                    names = {e.name: e for e in it}
            except OSError as exc:
                self.result.records.append(
                    FileRecord((rel or ".") + "/", "failed", f"unreadable folder: {exc.strerror}")
                )
                continue
            if "__init__.py" in names:
                self.result.packages.add(rel)
            if self.options.gitignore and ".gitignore" in names:
                try:
                    with open(
                        os.path.join(path, ".gitignore"), encoding="utf-8", errors="replace"
                    ) as fh:
                        gst = os.fstat(fh.fileno())
                        self.result.stats[f"{rel}/.gitignore" if rel else ".gitignore"] = (
                            gst.st_mtime_ns,
                            gst.st_size,
                        )
                        ignores = ignores + [(rel, GitIgnore(fh.read().splitlines()))]
                except OSError:
                    pass
            subdirs: list[tuple[str, str]] = []
            for name in sorted(names):
                self._entry(names[name], f"{rel}/{name}" if rel else name, ignores, subdirs)
            for child_path, child_rel in reversed(subdirs):
                stack.append((child_path, child_rel, ignores))
        return self.result

    def _entry(self, entry: os.DirEntry, rel: str, ignores: list, subdirs: list) -> None:
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError as exc:
            reason = "symlink loop" if exc.errno == errno.ELOOP else f"unreadable: {exc.strerror}"
            self.result.records.append(FileRecord(rel, "failed", reason))
            return
        if is_link and not is_dir and not is_file:
            reason = _dangling_reason(entry.path)
            if entry.name.endswith(".py") or reason == "symlink loop":
                self.result.records.append(FileRecord(rel, "failed", reason))
            return
        if is_dir:
            reason = self._skip_dir(rel, entry.name, entry.path, ignores)
            if reason and "pyvenv.cfg" in reason:  # skipped for a file inside it: watch it
                try:
                    vst = os.stat(entry.path)
                    self.result.stats[rel + "/"] = (vst.st_mtime_ns, vst.st_size)
                except OSError:
                    pass
            if reason:
                self.result.records.append(FileRecord(rel + "/", "skipped", reason))
                return
            try:
                st = os.stat(entry.path)
            except OSError as exc:
                self.result.records.append(
                    FileRecord(rel + "/", "failed", f"unreadable folder: {exc.strerror}")
                )
                return
            key = (st.st_dev, st.st_ino)
            if key in self.seen_dirs:
                self.result.records.append(
                    FileRecord(
                        rel + "/", "skipped", "symlink loop" if is_link else "already scanned"
                    )
                )
                return
            self.seen_dirs.add(key)
            self.result.stats[rel + "/"] = (st.st_mtime_ns, st.st_size)
            subdirs.append((entry.path, rel))
            return
        if not entry.name.endswith(".py"):
            return
        self._file(entry.path, rel, ignores)

    def _file(self, path: str, rel: str, ignores: list) -> None:
        if self.options.include and not self.includes.first(rel):
            self.result.records.append(FileRecord(rel, "skipped", "not matched by --include"))
            return
        pattern = self.excludes.first(rel)
        if pattern:
            self.result.records.append(FileRecord(rel, "skipped", f"--exclude {pattern}"))
            return
        if ignores and self._ignored(rel, False, ignores):
            self.result.records.append(FileRecord(rel, "skipped", ".gitignore"))
            return
        try:
            st = os.stat(path)
        except OSError as exc:
            self.result.records.append(FileRecord(rel, "failed", f"unreadable: {exc.strerror}"))
            return
        if not stat.S_ISREG(st.st_mode):
            self.result.records.append(FileRecord(rel, "skipped", "not a regular file"))
            return
        if st.st_size > self.options.max_file_size:
            self.result.stats[rel] = (st.st_mtime_ns, st.st_size)
            self.result.records.append(
                FileRecord(
                    rel,
                    "failed",
                    f"too large: {st.st_size} bytes (limit {self.options.max_file_size})",
                )
            )
            return
        self.result.files.append(SourceFile(rel, st.st_size, st.st_mtime_ns))


def _dangling_reason(path: str) -> str:
    """Why a symlink leads nowhere: a loop (ELOOP) or a missing target."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        return "broken symlink" if exc.errno == errno.ENOENT else f"unreadable: {exc.strerror}"
    return "broken symlink"


def discover(root: str, options: DiscoverOptions | None = None) -> Discovery:
    """Walk ``root`` (a folder) and return the Python files to read plus skip/failure records."""
    return _Walker(root, options or DiscoverOptions()).walk()


def discover_ahead(
    root: str, options: DiscoverOptions, meanwhile: Callable[[], None] | None = None
) -> Discovery:
    """``discover(root, options)`` walked by a forked child while the caller goes on (a cold
    scan imports its analysis modules meanwhile): the Discovery's fields arrive when first
    used, after ``meanwhile()`` when the child is not done by then. The walk is mostly system
    calls, a process of its own overlaps them with the caller's work. Falls back to walking
    here when the child fails."""
    names_r, names_w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(names_r)
        os.close(names_w)
        return discover(root, options)
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(names_r)
            _send(names_w, discover(root, options))
            status = 0
        finally:
            os._exit(status)
    os.close(names_w)
    return _Arriving(root, options, pid, names_r, meanwhile)


def _send(fd: int, found: Discovery) -> None:
    """Write ``found`` to ``fd`` as plain values (``marshal``: the fastest both ways)."""
    import marshal

    data = marshal.dumps(
        (
            [(f.relpath, f.size, f.mtime_ns) for f in found.files],
            [(r.path, r.status, r.reason, r.line, r.module) for r in found.records],
            found.packages,
            found.stats,
        )
    )
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Arriving(Discovery):
    """A Discovery walked by a child (``discover_ahead``): its fields are read from the child
    on first use."""

    def __init__(
        self,
        root: str,
        options: DiscoverOptions,
        pid: int,
        fd: int,
        meanwhile: Callable[[], None] | None,
    ) -> None:
        self.root = root
        self._options = options
        self._child = (pid, fd)
        self._meanwhile = meanwhile

    def __getattr__(self, name: str):
        if name not in ("files", "records", "packages", "stats"):
            raise AttributeError(name)
        self._arrive()
        return self.__dict__[name]

    def _arrive(self) -> None:
        import marshal

        pid, fd = self._child
        if self._meanwhile is not None:
            import select

            if not select.select([fd], [], [], 0)[0]:  # not done yet
                self._meanwhile()
        with os.fdopen(fd, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:  # the child failed: walk here
            found = discover(self.root, self._options)
            self.files, self.records = found.files, found.records
            self.packages, self.stats = found.packages, found.stats
            return
        files, records, self.packages, self.stats = marshal.loads(data)
        self.files = [SourceFile(*f) for f in files]
        self.records = [FileRecord(*r) for r in records]

    def __del__(self) -> None:
        """Reap a child whose walk was never used (the scan failed before)."""
        if "files" not in self.__dict__:
            pid, fd = self._child
            try:
                os.close(fd)
                os.kill(pid, 9)  # SIGKILL (``signal`` is not imported for it)
                os.waitpid(pid, 0)
            except OSError:
                pass


def discover_source(source: Source, options: DiscoverOptions | None = None) -> Discovery:
    """Apply the same rules to a non-filesystem Source (e.g. a git revision)."""
    options = options or DiscoverOptions()
    result = Discovery(root=source.name)
    paths = sorted(source.list_paths())
    all_set = set(paths)
    includes, excludes = _Globs(options.include), _Globs(options.exclude)
    ignore_files = {
        p.rsplit("/", 1)[0] if "/" in p else "": p
        for p in paths
        if p.endswith(".gitignore") and p.rsplit("/", 1)[-1] == ".gitignore"
    }
    gitignores: dict[str, GitIgnore] = {}
    if options.gitignore:
        for base, p in ignore_files.items():
            try:
                gitignores[base] = GitIgnore(
                    source.read_bytes(p).decode("utf-8", "replace").splitlines()
                )
            except OSError:
                continue
    venvs = {p.rsplit("/", 1)[0] for p in paths if p.endswith("/pyvenv.cfg")}
    skipped_dirs: set[str] = set()
    for p in paths:
        if p.endswith("/__init__.py") or p == "__init__.py":
            result.packages.add(p.rsplit("/", 1)[0] if "/" in p else "")
    for p in paths:
        if not p.endswith(".py"):
            continue
        parts = p.split("/")
        reason = None
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d in skipped_dirs:
                reason = "in skipped folder"
                break
            dreason = None
            if options.default_excludes and (parts[i - 1] in DEFAULT_EXCLUDED_DIRS or d in venvs):
                dreason = f"default exclude: {parts[i - 1]}"
            elif excludes.first(d):
                dreason = f"--exclude {excludes.first(d)}"
            elif gitignores and _ignored_by(gitignores, d, True):
                dreason = ".gitignore"
            if dreason:
                skipped_dirs.add(d)
                result.records.append(FileRecord(d + "/", "skipped", dreason))
                reason = "in skipped folder"
                break
        if reason:
            continue
        if options.include and not includes.first(p):
            result.records.append(FileRecord(p, "skipped", "not matched by --include"))
        elif excludes.first(p):
            result.records.append(FileRecord(p, "skipped", f"--exclude {excludes.first(p)}"))
        elif gitignores and _ignored_by(gitignores, p, False):
            result.records.append(FileRecord(p, "skipped", ".gitignore"))
        else:
            result.files.append(SourceFile(p, 0, 0))
    del all_set
    return result


def _ignored_by(gitignores: dict[str, GitIgnore], rel: str, is_dir: bool) -> bool:
    verdict: bool | None = None
    for base in sorted(gitignores, key=len):
        if base and not rel.startswith(base + "/"):
            continue
        m = gitignores[base].match(rel[len(base) + 1 :] if base else rel, is_dir)
        if m is not None:
            verdict = m
    return bool(verdict)


def is_models_module(relpath: str) -> bool:
    """A ``models.py`` or a file inside a ``models`` package: always parsed, so that a syntax
    error there is reported even when the pre-filter sees no model class in it."""
    if "models" not in relpath:  # most paths: no need to split
        return False
    parts = relpath.split("/")
    return parts[-1] == "models.py" or "models" in parts[:-1]
