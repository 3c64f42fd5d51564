"""The project's environment: which installed packages djatlas reads, found from files alone.

Chosen from ``--python PATH`` (an interpreter, or a virtualenv/conda folder), else
``$VIRTUAL_ENV``, else a ``.venv``/``venv`` folder holding ``pyvenv.cfg`` in the scanned path or
one of its parents, else the interpreter djatlas runs in. Nothing from the environment is
imported or run: ``pyvenv.cfg``, ``site-packages`` folders and the path lines of ``.pth`` files
are read (``import`` lines never run; setuptools' editable finders are read for their path
mapping), and ``*.dist-info/METADATA`` names the distribution of a package.

This module imports only ``os`` and ``sys``: the warm fast path uses it for its cache key.
"""

from __future__ import annotations

import os
import sys

HOW_OPTION = "--python"
HOW_VIRTUAL_ENV = "$VIRTUAL_ENV"
HOW_FOLDER = "venv folder"
HOW_OWN = "djatlas's interpreter"


class EnvironmentError_(ValueError):
    """``--python`` names nothing that is an interpreter or an environment."""


class Environment:
    """One Python environment: where its packages are, and how it was chosen."""

    __slots__ = (
        "prefix",
        "python",
        "version",
        "how",
        "paths",
        "mapped",
        "_dists",
        "_tops",
        "_infos",
        "_entries",
    )

    def __init__(
        self,
        prefix: str,
        python: str | None,
        version: str | None,
        how: str,
        paths: list[str],
        mapped: dict[str, str] | None = None,
    ) -> None:
        self.prefix = prefix
        self.python = python
        self.version = version
        self.how = how
        #: Folders searched for top-level packages, in ``sys.path`` order.
        self.paths = paths
        #: Editable installs: top-level package name -> its folder.
        self.mapped = mapped or {}
        self._dists: dict[str, tuple[str, str] | None] | None = None
        self._tops: dict[str, bool] = {}
        #: Every ``*.dist-info``/``*.egg-info`` folder in search order, with what it lists of its
        #: top-level packages once read (None until then): read once per scan, not per package.
        self._infos: list[list] | None = None
        #: Per folder of ``paths``: its entries by name, listed once (``_listing_of``).
        self._entries: dict[str, dict[str, os.DirEntry]] = {}

    def key(self) -> list[object]:
        """What a cached report depends on: the environment and its folders' mtimes."""
        out: list[object] = [self.prefix, self.how]
        for entry in self.paths + sorted(self.mapped.values()):
            try:
                out.append([entry, os.stat(entry).st_mtime_ns])
            except OSError:
                out.append([entry, -1])
        return out

    def has_package(self, top: str) -> bool:
        """Whether a top-level module or package ``top`` is installed here: a folder ``top`` or
        a file ``top.py`` in one of the folders. A name is looked up in each folder's entries,
        listed once, rather than by two ``stat`` calls per folder and name (a scan asks about
        a few dozen names)."""
        found = self._tops.get(top)
        if found is None:
            if top in self.mapped:
                found = True
            elif top.isidentifier():
                found = any(_holds(self._listing_of(p), top) for p in self.paths)
            else:  # not a module name: the file system says what it means
                found = any(
                    os.path.isdir(os.path.join(p, top))
                    or os.path.isfile(os.path.join(p, top + ".py"))
                    for p in self.paths
                )
            self._tops[top] = found
        return found

    def _listing_of(self, folder: str) -> dict[str, os.DirEntry]:
        """The entries of ``folder`` by name (none when it cannot be listed), listed once."""
        found = self._entries.get(folder)
        if found is None:
            try:
                with os.scandir(folder) as entries:
                    found = {entry.name: entry for entry in entries}
            except OSError:
                found = {}
            self._entries[folder] = found
        return found

    def module_file(self, name: str) -> tuple[str, bool] | None:
        """``(file, is_package)`` of a dotted module name, or None."""
        parts = name.split(".")
        bases = [self.mapped[parts[0]]] if parts[0] in self.mapped else []
        for base in bases or self.paths:
            stem = (
                os.path.join(os.path.dirname(base), *parts) if bases else os.path.join(base, *parts)
            )
            init = os.path.join(stem, "__init__.py")
            if os.path.isfile(stem + ".py"):
                return stem + ".py", False
            if os.path.isfile(init):
                return init, True
        return None

    def distribution(self, top: str) -> tuple[str, str] | None:
        """``(name, version)`` of the installed distribution providing package ``top``."""
        if self._dists is None:
            self._dists = {}
        if top not in self._dists:
            self._dists[top] = self._find_distribution(top)
        return self._dists[top]

    def _find_distribution(self, top: str) -> tuple[str, str] | None:
        """The first metadata folder (in search order) that lists ``top`` and has metadata."""
        head = _record_head(top)
        for entry in self._metadata_folders():
            listing = entry[1]
            if listing is None:
                listing = entry[1] = _listing(entry[0])
            if (top in listing) if type(listing) is set else _in_record(listing, head):
                meta = _metadata(entry[0])
                if meta is not None:
                    return meta
        return None

    def _metadata_folders(self) -> list[list]:
        """``[folder, what it lists (``_listing``) or None]`` of every metadata folder, listed
        once."""
        if self._infos is None:
            self._infos = []
            for folder in self.paths:
                names = sorted(
                    n for n in self._listing_of(folder) if n.endswith((".dist-info", ".egg-info"))
                )
                self._infos.extend([os.path.join(folder, n), None] for n in names)
        return self._infos

    def describe(self) -> dict[str, object]:
        return {"path": self.prefix, "python_version": self.version, "how": self.how}


def select(python: str | None, root: str | None) -> Environment:
    """The environment of a scan of ``root`` (EnvironmentError_ for a bad ``--python``)."""
    if python:
        return from_option(python)
    venv = os.environ.get("VIRTUAL_ENV")
    if venv and os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
        return _from_prefix(os.path.abspath(venv), HOW_VIRTUAL_ENV, None)
    if root:
        here = os.path.abspath(root if os.path.isdir(root) else os.path.dirname(root) or ".")
        while True:
            for name in (".venv", "venv"):
                folder = os.path.join(here, name)
                if os.path.isfile(os.path.join(folder, "pyvenv.cfg")):
                    return _from_prefix(folder, HOW_FOLDER, None)
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
    return own()


def own() -> Environment:
    """The interpreter djatlas runs in (its ``sys.path``)."""
    paths = [e for e in sys.path[1:] if e and not e.endswith(".zip") and os.path.isdir(e)]
    version = "{}.{}.{}".format(*sys.version_info[:3])
    return Environment(sys.prefix, sys.executable or None, version, HOW_OWN, paths)


def from_option(python: str) -> Environment:
    """The environment ``--python PATH`` names: a venv/conda folder, or an interpreter in one."""
    path = os.path.abspath(os.path.expanduser(python))
    if not os.path.exists(path):
        raise EnvironmentError_(f"--python: not found: {python}")
    if os.path.isdir(path):
        if os.path.isfile(os.path.join(path, "pyvenv.cfg")) or _site_dirs(path):
            return _from_prefix(path, HOW_OPTION, None)
        raise EnvironmentError_(f"--python: not a Python interpreter or environment: {python}")
    if not os.path.basename(path).lower().startswith(("python", "pypy")):
        raise EnvironmentError_(f"--python: not a Python interpreter or environment: {python}")
    # A venv's bin/python is usually a symlink to the base interpreter: pyvenv.cfg first.
    folder = os.path.dirname(path)
    for candidate in (folder, os.path.dirname(folder)):
        if os.path.isfile(os.path.join(candidate, "pyvenv.cfg")):
            return _from_prefix(candidate, HOW_OPTION, path)
    real = os.path.realpath(path)
    folder = os.path.dirname(real)
    for candidate in (os.path.dirname(folder), folder):  # posix <prefix>/bin, Windows <prefix>
        if _site_dirs(candidate) or _stdlib(candidate):
            return _from_prefix(candidate, HOW_OPTION, path)
    raise EnvironmentError_(f"--python: not a Python interpreter or environment: {python}")


def _from_prefix(prefix: str, how: str, python: str | None) -> Environment:
    cfg = _pyvenv_cfg(os.path.join(prefix, "pyvenv.cfg"))
    sites = _site_dirs(prefix)
    version = cfg.get("version") or cfg.get("version_info") or _version_of(sites)
    if cfg.get("include-system-site-packages", "false").lower() == "true" and cfg.get("home"):
        base = cfg["home"]
        base_prefix = (
            os.path.dirname(base) if os.path.basename(base) in ("bin", "Scripts") else base
        )
        sites += [s for s in _site_dirs(base_prefix, version) if s not in sites]
    paths: list[str] = []
    mapped: dict[str, str] = {}
    for site in sites:
        paths.append(site)
        extras, editable = _pth_entries(site)
        paths.extend(e for e in extras if e not in paths)
        mapped.update(editable)
    if python is None:
        python = _interpreter(prefix)
    return Environment(prefix, python, version, how, paths, mapped)


def _pyvenv_cfg(path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                key, eq, value = line.partition("=")
                if eq:
                    out[key.strip().lower()] = value.strip()
    except OSError:
        pass
    return out


def _site_dirs(prefix: str, version: str | None = None) -> list[str]:
    """``site-packages`` (and Debian ``dist-packages``) folders under an installation prefix."""
    out: list[str] = []
    for lib in ("lib", "lib64", "Lib"):
        libdir = os.path.join(prefix, lib)
        try:
            names = sorted(os.listdir(libdir))
        except OSError:
            continue
        if lib == "Lib" or "site-packages" in names:  # Windows: Lib/site-packages
            candidates = [os.path.join(libdir, "site-packages")]
        else:
            wanted = [n for n in names if n.startswith(("python", "pypy"))]
            if version:
                major_minor = ".".join(version.split(".")[:2])
                wanted = [n for n in wanted if n.endswith(major_minor) or n == "python3"] or wanted
            candidates = [
                os.path.join(libdir, n, sub)
                for n in wanted
                for sub in ("site-packages", "dist-packages")
            ]
        for c in candidates:
            real = os.path.realpath(c)
            if os.path.isdir(c) and all(os.path.realpath(o) != real for o in out):
                out.append(c)
    return out


def _stdlib(prefix: str) -> bool:
    for lib in ("lib", "Lib"):
        libdir = os.path.join(prefix, lib)
        if os.path.isfile(os.path.join(libdir, "os.py")):
            return True
        try:
            names = os.listdir(libdir)
        except OSError:
            continue
        if any(
            os.path.isfile(os.path.join(libdir, n, "os.py"))
            for n in names
            if n.startswith("python")
        ):
            return True
    return False


def _version_of(sites: list[str]) -> str | None:
    for site in sites:
        name = os.path.basename(os.path.dirname(site))
        for prefix in ("python", "pypy"):
            if name.startswith(prefix) and name[len(prefix) :][:1].isdigit():
                return name[len(prefix) :]
    return None


def _interpreter(prefix: str) -> str | None:
    for rel in ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe"):
        path = os.path.join(prefix, *rel.split("/"))
        if os.path.lexists(path):
            return path
    return None


def _pth_entries(site: str) -> tuple[list[str], dict[str, str]]:
    """Folders named by the ``.pth`` files of a site folder (their path lines; an ``import``
    line is never run, but setuptools' editable finders are read for their MAPPING)."""
    folders: list[str] = []
    mapped: dict[str, str] = {}
    try:
        names = sorted(n for n in os.listdir(site) if n.endswith(".pth"))
    except OSError:
        return folders, mapped
    for name in names:
        try:
            with open(os.path.join(site, name), encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith(("import ", "import\t")):
                mapped.update(_editable_mapping(site, line))
                continue
            folder = os.path.normpath(os.path.join(site, line))
            if os.path.isdir(folder) and folder not in folders:
                folders.append(folder)
    return folders, mapped


def _editable_mapping(site: str, line: str) -> dict[str, str]:
    """``import __editable___x_finder; ...``: the ``MAPPING`` literal of that finder module."""
    words = line.replace(";", " ").split()
    module = words[1] if len(words) > 1 else ""
    if not module.startswith("__editable__") or not module.replace("_", "").isalnum():
        return {}
    try:
        with open(os.path.join(site, module + ".py"), encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return {}
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    for node in tree.body:
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(target, ast.Name) and target.id == "MAPPING" and node.value is not None:
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return {}
            if isinstance(value, dict):
                return {
                    k: v
                    for k, v in value.items()
                    if isinstance(k, str) and isinstance(v, str) and os.path.isdir(v)
                }
    return {}


def _holds(entries: dict[str, os.DirEntry], top: str) -> bool:
    """Whether a folder's ``entries`` hold package ``top`` (a folder, as ``os.path.isdir``
    says: symbolic links followed) or module ``top.py`` (a file, likewise)."""
    entry = entries.get(top)
    if entry is not None and entry.is_dir():
        return True
    entry = entries.get(top + ".py")
    return entry is not None and entry.is_file()


def _listing(info: str) -> set[str] | bytes:
    """What a metadata folder says of its top-level packages: the names in its
    ``top_level.txt``, else its RECORD's bytes after a newline, searched for each package asked
    about (``_lists``): a RECORD lists every installed file (Django's ~4,000 lines) and a scan
    asks about a few packages, so splitting every line of every RECORD read would be wasted."""
    data = _read(os.path.join(info, "top_level.txt"))
    if data is not None:
        return {name for name in map(str.strip, _lines(data.decode("utf-8"))) if name}
    data = _read(os.path.join(info, "RECORD"))
    if data is None:
        return set()
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        # A line ends with a lone CR: the lines as a text-mode read splits them. CRLF endings
        # (pip writes RECORD as CSV: most have them) need no copy: every line still starts
        # after a LF, and a CR ends no first path part, as the LF it would become.
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return b"\n" + data


def _lines(text: str) -> list[str]:
    """``text``'s lines as a text-mode read splits them (CRLF, CR and LF end a line)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _read(path: str) -> bytes | None:
    """A file's bytes, or None when it cannot be read; unbuffered: one read of a small file
    (a scan reads a few dozen metadata files before the graph can start)."""
    try:
        with open(path, "rb", buffering=0) as fh:
            return fh.read()
    except OSError:
        return None


def _record_head(top: str) -> tuple[bytes, bool] | None:
    """``(LF + top as bytes, whether top is bare: no ".py")`` that ``_in_record`` searches a
    RECORD for (made once per package asked about, for every metadata folder); None when no
    first path part of a RECORD line gives ``top``."""
    if not top or top == ".." or top.endswith(_NOT_PACKAGES) or any(c in top for c in ",/\n"):
        return None
    try:
        head = b"\n" + top.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no decoded line has one
        return None
    return head, not top.endswith(".py")  # "x.py" is the head of "x.py.py" only


def _in_record(listing: bytes, probe: tuple[bytes, bool] | None) -> bool:
    """Whether a RECORD ``_listing`` has a line whose first path part is the package
    ``probe`` (``_record_head``) stands for: a "," or "/" follows it (or a ".py" suffix and
    then one), or it ends the last line."""
    if probe is None:
        return False
    head, bare = probe
    start = listing.find(head)
    while start >= 0:
        end = start + len(head)
        if (bare and _ends_part(listing, end)) or (
            listing.startswith(b".py", end) and _ends_part(listing, end + 3)
        ):
            return True
        start = listing.find(head, start + 1)
    return False


def _ends_part(listing: bytes, at: int) -> bool:
    """Whether a RECORD line's first path part ends at ``at``: a "," or "/", or the end."""
    return at == len(listing) or listing[at] in _SEPARATORS


#: First path parts of a RECORD that name no package (the metadata folders themselves).
_NOT_PACKAGES = (".dist-info", ".data")
#: What ends a RECORD line's first path part: "," and "/" (as bytes values).
_SEPARATORS = b",/"


def _metadata(info: str) -> tuple[str, str] | None:
    """``(Name, Version)`` from the headers of a metadata folder's METADATA (or PKG-INFO): the
    lines before the first blank one, split as a text-mode read splits them (read as bytes:
    no text stream is set up for a few lines)."""
    for fname in ("METADATA", "PKG-INFO"):
        data = _read(os.path.join(info, fname))
        if data is None:
            continue
        name = version = None
        for line in _lines(data.decode("utf-8", "replace")):
            if not line.strip():
                break
            if line.startswith("Name:"):
                name = line[5:].strip()
            elif line.startswith("Version:"):
                version = line[8:].strip()
        if name and version:
            return name, version
    return None
