"""Parsing stage: module summaries for the project index, from the cache, from worker
processes (``djatlas.parallel``) or parsed on demand by the index itself.

``Summaries`` is the layer between the index and the persistent cache: the index asks it for a
file's bytes and for a ready summary, and tells it what it parsed so that the cache keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain

from djatlas.parse.reader import ReadError
from djatlas.parse.summary import Expr, ImportRef, ModuleSummary

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.cache import ScanCache
    from djatlas.discover.finder import SourceFile
    from djatlas.parallel import Pool
    from djatlas.pipeline.examining import Examiner
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
        limit: int | None = None,
    ) -> None:
        self.cache = cache
        #: The size limit of the files (``--max-file-size``), for a worker reading one itself.
        self.limit = limit
        #: relpath -> (size, mtime_ns) of the walk: a file not read yet (settings loaded before
        #: the reading stage) is still answered from the cache when its stat is unchanged.
        self.stats = {f.relpath: (f.size, f.mtime_ns) for f in files or []}
        self.layout = layout
        #: Bytes read by the reading stage, handed out once.
        self.contents = contents
        self._read = read
        #: relpath -> ModuleSummary | ReadError, from the cache or from workers.
        self.ready: dict[str, Any] = {}
        #: The workers still parsing the files guessed to be loaded on demand, or the child
        #: forked at the closure's start (``beside``) (``guessed``: relpath -> position in
        #: their list).
        self.pool: Pool | Examiner | None = None
        self.guessed: dict[str, int] = {}
        #: The files the index has asked for (it keeps what it parsed: never parsed again).
        self.asked: set[str] = set()

    def beside(self, ahead: Examiner) -> None:
        """Take the parses of the child forked at the closure's start (``pipeline.examining``):
        any tree file it has started is waited for, not parsed again."""
        self.pool = ahead
        self.guessed = dict(ahead.positions)

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
        self.asked.add(rel)
        data = self.contents.pop(rel, None)
        if data is not None:
            return data
        if rel in self.ready or self.cached(rel):
            return b""  # answered by ``take`` without the bytes
        if rel in self.guessed and self._from_worker(rel):
            return b""
        return self._read(rel)

    def source(self, rel: str) -> bytes:
        """A tree file's bytes, always (``ProjectIndex.source``)."""
        data = self.contents.get(rel)
        return data if data is not None else self._read(rel)

    def _from_worker(self, rel: str) -> bool:
        """Whether a worker answered for guessed file ``rel`` (kept in ``ready``): it had
        started it; otherwise the caller claims it and parses it."""
        pool, position = self.pool, self.guessed.pop(rel)
        if pool is None or pool.claim(position):
            return False
        result = pool.wait(position)
        if result is None:
            return False
        self.keep(rel, result)
        return True

    def keep(self, rel: str, result: ModuleSummary | ReadError) -> None:
        """A worker's answer: ready for the index, and kept in the cache."""
        self.ready[rel] = result
        if isinstance(result, ModuleSummary):
            self.store(rel, b"", result)
        else:
            self.store_failure(rel, result)

    def close(self) -> None:
        """End the workers still parsing ahead (the index parses anything else itself)."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        self.guessed.clear()

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
    summaries: Summaries,
    wanted: set[str],
    root: str | None,
    jobs: int | None,
    progress: Progress,
    settings: list[ModuleSummary] | None = None,
) -> None:
    """Parse the wanted files the cache does not know in worker processes, when that pays
    (``parallel.choose_jobs``); otherwise the index parses them in-process as it loads them.

    A worker then goes on with the files the index will likely load on demand (``likely``;
    ``settings``: the summaries of the settings modules, loaded before this stage), until
    ``Summaries.close``."""
    from djatlas.parallel import Pool, choose_jobs

    asked = summaries.asked  # (e.g. the settings, loaded by the closure)
    ready = summaries.ready  # (e.g. models modules parsed while the examining answers came)
    to_parse = [
        rel
        for rel in sorted(wanted)
        if rel not in asked and rel not in ready and not summaries.cached(rel)
    ]
    contents, layout = summaries.contents, summaries.layout
    jobs = choose_jobs(jobs, [len(contents.get(rel, b"")) for rel in to_parse])
    ahead = summaries.pool
    if ahead is not None:  # the child that examined ahead (``pipeline.examining``)
        to_parse = _beside(ahead, summaries, to_parse, wanted, root, jobs, progress, settings)
        if not to_parse:
            return
    elif jobs <= 1:
        return
    progress.phase("parsing", len(to_parse))
    items = [
        (rel, contents.pop(rel, None), layout.module_of[rel], layout.is_package(rel))
        for rel in to_parse
    ]
    room = len(layout.module_of) if root is not None else 0
    pool = summaries.pool = Pool(items, root, jobs, room, summaries.limit)
    for rel, result in pool.results():
        progress.step()
        if result is not None:
            summaries.keep(rel, result)
        # None (the worker could not read it): loaded in-process, failure reported there
    guesses = [rel for rel in likely(summaries, wanted, settings) if not summaries.cached(rel)]
    if pool.guess([(rel, None, layout.module_of[rel], layout.is_package(rel)) for rel in guesses]):
        summaries.guessed = {rel: i for i, rel in enumerate(guesses)}
    else:
        summaries.close()


def _beside(
    ahead: Examiner,
    summaries: Summaries,
    to_parse: list[str],
    wanted: set[str],
    root: str | None,
    jobs: int,
    progress: Progress,
    settings: list[ModuleSummary] | None = None,
) -> list[str]:
    """``parse_ahead`` with the child forked at the closure's start, which has parsed models
    modules meanwhile: its answers are taken; with two processes it parses the wanted files
    left from the back while this process takes them from the front, each claiming a file
    before parsing it, then it goes on with the likely files (listed by the child once it has
    started its share, from the parts of the files parsed here and its own). With more, the
    files it has not started are returned (claimed here) for ``Pool`` workers; it ends after
    the ones it has."""
    if jobs > 2:
        mine = []
        for rel in to_parse:
            position = summaries.guessed.pop(rel, None)
            if position is None or ahead.claim(position):
                mine.append(rel)
            else:
                _keep_answer(summaries, rel, ahead.wait(position))
        summaries.close()
        return mine
    to_parse = _largest_at_both_ends(to_parse, summaries.contents)
    ahead.order(to_parse[::-1])
    progress.phase("parsing", len(to_parse))
    sources = settings_sources(settings)
    # ``likely``'s part of each file parsed here (the models modules parsed while the child
    # examined, then this process's share); the child makes those of the files it parsed.
    named: dict[str, _Named] = {}
    add_parts(named, wanted, summaries.ready, sources)
    guessing = False
    # The files the child has started, waited for once this process has none of its own left
    # (netbox: it waited ~12 ms for the child's largest models module at once, and parsed
    # nothing meanwhile).
    theirs: list[tuple[str, int]] = []
    for i, rel in enumerate(to_parse):
        progress.step()
        position = summaries.guessed.pop(rel, None)
        if position is not None and not ahead.claim(position):
            theirs.append((rel, position))
            if _started(ahead, to_parse[i + 1 :]):
                # The child has the rest: it makes the likely list and starts on it while
                # its answers are read here.
                guessing = ahead.likely(wanted, named, sources)
                for other in to_parse[i + 1 :]:
                    progress.step()
                    theirs.append((other, summaries.guessed.pop(other, -1)))
                break
            continue
        _keep_answer(summaries, rel, _parse_here(summaries, rel, root, named, sources))
    for rel, position in theirs:
        result = ahead.wait(position) if position >= 0 else None
        if result is None:  # the child failed
            result = _parse_here(summaries, rel, root, named, sources)
        _keep_answer(summaries, rel, result)
    if not guessing and not ahead.likely(wanted, named, sources):
        ahead.order(_guesses(summaries, wanted, settings, named))  # (too long to send)
    return []


def _parse_here(
    summaries: Summaries,
    rel: str,
    root: str | None,
    named: dict[str, _Named],
    sources: _Sources,
) -> Any:
    """Parse wanted file ``rel`` in this process, its part of ``likely`` kept in ``named``."""
    data = summaries.contents.pop(rel, None)
    result = _parse_one(summaries.layout, rel, data, root, summaries.limit)
    if isinstance(result, ModuleSummary):
        named[rel] = named_part(result, rel, sources)
    return result


def _largest_at_both_ends(rels: list[str], contents: dict[str, bytes]) -> list[str]:
    """``rels`` ordered so that this process, taking them from the front, and the child,
    from the back, each parse the largest first: the two meet at the smallest, and the last
    file this process waits for the child to finish is a short one."""
    by_size = sorted(rels, key=lambda rel: -len(contents.get(rel, b"")))
    return by_size[::2] + by_size[1::2][::-1]


def _started(ahead: Examiner, rels: list[str]) -> bool:
    """Whether the child has started every file of ``rels`` (its share of the list is done
    then; a file it started before the list came, a models module, is no sign of it)."""
    from djatlas.parallel import WORKER

    flags, positions = ahead.flags, ahead.positions
    return flags is not None and all(flags[positions[rel]] == WORKER for rel in rels)


def _guesses(
    summaries: Summaries,
    wanted: set[str],
    settings: list[ModuleSummary] | None,
    named: dict[str, _Named],
) -> list[str]:
    """``likely``'s files that the cache does not know."""
    return [rel for rel in likely(summaries, wanted, settings, named) if not summaries.cached(rel)]


def models_meanwhile(
    examiner: Examiner,
    summaries: Summaries,
    files: list[SourceFile],
    read: Callable[[str], bytes],
    root: str | None,
) -> Callable[[], bool]:
    """``Examiner.idle``: parse the next models module (every one is parsed, see
    ``reading.prefilter``) the examining child has not started, smallest first (the child takes
    the largest first); False when none is left. A failure is left to the parse stage."""
    from djatlas.discover.finder import is_models_module

    positions = examiner.positions
    models = [f for f in files if is_models_module(f.relpath) and f.relpath in positions]
    todo = [f.relpath for f in sorted(models, key=lambda f: (-f.size, f.relpath))]

    def idle() -> bool:
        while todo:
            rel = todo.pop()
            if not examiner.claim(positions[rel]):
                continue
            try:
                data = read(rel)
            except OSError:
                return True  # the reading stage reports it
            result = _parse_one(summaries.layout, rel, data, root)
            if isinstance(result, ModuleSummary):
                summaries.ready[rel] = result
            return True
        return False

    return idle


def _parse_one(
    layout: Layout, rel: str, data: bytes | None, root: str | None, limit: int | None = None
) -> Any:
    """``parallel.parse_items``' answer for one file (``data`` None: read from ``root``, up to
    ``limit`` bytes)."""
    from djatlas.parallel import parse_items

    item = (rel, data, layout.module_of[rel], layout.is_package(rel))
    return parse_items([item], root, limit)[0][1]


def _keep_answer(summaries: Summaries, rel: str, result: ModuleSummary | ReadError | None) -> None:
    if result is not None:
        summaries.keep(rel, result)
    # None (unreadable, or the child failed): loaded in-process, failure reported there


def likely(
    summaries: Summaries,
    wanted: set[str],
    settings: list[ModuleSummary] | None = None,
    named: dict[str, _Named] | None = None,
) -> list[str]:
    """The tree files, beyond ``wanted``, that resolving the wanted modules' classes will
    likely load, in about the order the index asks for them: the modules (and ``from m import
    name`` submodules) their bases' names come from, then, file by file (``likely_files``),
    those the ``settings`` modules take the Django settings its members name from
    (``settings.X``: a field's ``choices`` or ``max_length`` may be a long list built
    elsewhere), those of its members and Meta options, its star imports (with the bases' when
    a base may come from one). A
    guess: a file guessed but never loaded costs a worker's time only. ``named``: each file's
    part (``named_part``) from an earlier call, kept in it (the wanted files whose summaries are
    not ready yet are left out)."""
    named = {} if named is None else named
    add_parts(named, wanted, summaries.ready, settings_sources(settings))
    return likely_files(summaries.layout, wanted, named)


def add_parts(
    named: dict[str, _Named], wanted: Iterable[str], ready: dict[str, Any], sources: _Sources
) -> None:
    """Add to ``named`` the part (``named_part``) of each wanted file not in it whose summary
    is in ``ready``."""
    for rel in wanted:
        summary = ready.get(rel)
        if rel not in named and isinstance(summary, ModuleSummary):
            named[rel] = named_part(summary, rel, sources)


def likely_files(layout: Layout, wanted: Iterable[str], named: dict[str, _Named]) -> list[str]:
    """``likely``'s list from the parts (``named_part``) of the wanted files in ``named``: made
    by the examining child from its own parts and those the caller sends it (``likely_parts``:
    the files of the bases' modules, then the others)."""
    bases, rest = likely_parts(layout, wanted, named)
    return bases + rest


def likely_parts(
    layout: Layout, wanted: Iterable[str], named: dict[str, _Named]
) -> tuple[list[str], list[str]]:
    """``likely_files``' list in two: every file's bases' modules first (resolving loads them
    first, and then the bases of their classes), then each file's other modules in the order
    the graph stage evaluates its models' fields: by module, the classes its models derive
    from first (``_graph_order``)."""
    module_of = layout.module_of
    order = sorted(wanted, key=lambda rel: (module_of.get(rel, ""), rel))
    seen = set(order)
    bases = _files(layout, [pair for rel in order if rel in named for pair in named[rel][0]], seen)
    rest: list[tuple[str, str]] = []
    for rel in _graph_order(layout, order, named):
        _, stars, by_settings, later = named[rel]
        rest += by_settings + later + stars
    return bases, _files(layout, rest, seen)


def bases_files(layout: Layout, early: _Early, rel: str) -> list[str]:
    """The tree files the bases of file ``rel`` (its ``early_part``) come from."""
    return _files(layout, early[0], {rel})


def _graph_order(layout: Layout, order: list[str], named: dict[str, _Named]) -> list[str]:
    """The files of ``named`` in ``order``, each after the wanted files its bases come from,
    and those the star imports of such a file come from (a package re-exporting its
    submodules' classes): the graph stage takes the models by module, and a model's
    inherited fields before its own (netbox's first model, a proxy of ``users.Token``, reads
    the constants of ``users/models/tokens.py`` first; its first circuit, those of the
    abstract models of ``netbox.models.features``)."""
    out: list[str] = []
    seen: set[str] = set()
    for top in order:
        todo = [(top, 0)]  # 0: a file to visit, 1: a base's file to visit, 2: its turn
        while todo:
            rel, state = todo.pop()
            if state == 2:
                out.append(rel)
                continue
            if rel in seen or rel not in named:
                continue
            seen.add(rel)
            todo.append((rel, 2))
            from_bases, stars = named[rel][:2]
            bases = _files(layout, from_bases + stars if state else from_bases, {rel})
            todo.extend((base, 1) for base in reversed(bases))
    return out


#: One file's part of ``likely``: (module, the file naming it) for its bases, for its star
#: imports, for the settings its members read, for its members and Meta options. The bases'
#: modules of every file come first: resolving loads them (a class's MRO) before anything else;
#: a file's star imports come after its members', as they are most often of constants (a large
#: ``choices`` module) that the graph stage reads as the model's fields come (measured on
#: netbox: the graph stage parsed half as much itself as with every file's star imports second).
_Named = tuple[
    list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]
]


#: What ``named_part`` needs of the settings modules: each one's path and the modules it takes
#: its settings from (``_sources``, by setting), made once (``settings_sources``); plain
#: lists and dicts, sent to the examining child as they are.
_Sources = list[tuple[str, dict[str, list[str]]]]


def settings_sources(settings: list[ModuleSummary] | None) -> _Sources:
    """``_Sources`` of the ``settings`` modules: the modules each takes a setting from,
    imported under its name or assigned from a name it imports (``X = IMPORTED``); a setting
    neither assigned nor imported is taken from no module. Each name is looked up inline, not
    by two calls (hundreds of names a settings module, mostly assigned literals)."""
    out: _Sources = []
    for s in settings or ():
        assigns, imports = s.assigns, s.imports
        table = {}
        for name in chain(assigns, imports):
            expr = assigns.get(name)
            head = expr.ref.split(".", 1)[0] if expr is not None and expr.ref else name
            imported = imports.get(head)
            if imported is not None:
                table[name] = _import_modules(imported)
        out.append((s.path, table))
    return out


def named_part(summary: ModuleSummary, rel: str, sources: _Sources) -> _Named:
    """``likely``'s part of wanted file ``rel`` (see ``_Named``; ``sources``: the settings
    modules', ``settings_sources``)."""
    return finish_part(early_part(summary, rel), sources)


#: ``named_part`` made before the settings' sources are known (``early_part``): the names of
#: the settings the file's members read stand for their modules.
_Early = tuple[list[tuple[str, str]], list[tuple[str, str]], list[str], list[tuple[str, str]]]


def early_part(summary: ModuleSummary, rel: str) -> _Early:
    """``named_part`` of wanted file ``rel`` but the settings' modules (``finish_part``): the
    examining child makes it as it parses a file, and need not keep the summary until the
    sources come (each summary freed once sent, its memory is reused by the next file's:
    ~400 fewer page faults for the wanted files of blueking-paas, saleor or netbox)."""
    bases, others = _class_names(summary)
    from_bases = [(module, rel) for module in _modules(summary, bases)]
    stars = [(module, rel) for module in summary.star_imports]
    if stars and _unbound(summary, bases):  # a base may come from a star import
        from_bases, stars = from_bases + stars, []
    later = [(module, rel) for module in _modules(summary, others)]
    return from_bases, stars, _setting_names(summary, others), later


def finish_part(early: _Early, sources: _Sources) -> _Named:
    """The ``named_part`` an ``early_part`` stands for, with the settings' ``sources``."""
    from_bases, stars, setting_names, later = early
    by_settings = [
        (module, path)
        for name in (setting_names if sources else ())
        for path, table in sources
        for module in table.get(name, ())
    ]
    return from_bases, stars, by_settings, later


def _files(layout: Layout, modules: list[tuple[str, str]], seen: set[str]) -> list[str]:
    """The tree files of ``modules`` (each looked up from the file naming it), each once and
    none of ``seen``, in order. A module most files name (``django.db.models``) is looked up
    once: its answer depends on the file naming it only when several files may be it."""
    out: list[str] = []
    alone: dict[str, str | None] = {}  # module -> its file, the same from every file
    for module, rel in modules:
        path = alone.get(module, "")
        if path == "":
            files = layout.candidates(module)
            if len(files) > 1:
                path = layout.lookup(module, rel)
            else:
                path = alone[module] = files[0] if files else None
        if path is not None and path not in seen:
            seen.add(path)
            out.append(path)
    return out


def _modules(summary: ModuleSummary, names: list[str]) -> list[str]:
    """The modules ``names`` are imported from (and the submodule ``from m import name`` may
    be), each imported name once (``models.CharField``, ``models.ForeignKey``: ``models``)."""
    out = []
    imports = summary.imports
    done: set[str] = set()
    for name in names:
        head = name.partition(".")[0]
        if head in done:
            continue
        done.add(head)
        imported = imports.get(head)
        if imported is not None:
            out += _import_modules(imported)
    return out


def _unbound(summary: ModuleSummary, names: list[str]) -> bool:
    """Whether one of ``names`` is bound by no statement of the module (nor a builtin)."""
    import builtins

    for name in names:
        head = name.partition(".")[0]
        if not (
            head in summary.imports
            or head in summary.classes
            or head in summary.assigns
            or head in summary.functions
            or hasattr(builtins, head)
        ):
            return True
    return False


def _setting_names(summary: ModuleSummary, names: list[str]) -> list[str]:
    """The Django settings ``names`` read as ``settings.X`` (``settings`` from django.conf)."""
    out = []
    for name in names:
        head, dot, rest = name.partition(".")
        imported = summary.imports.get(head) if dot else None
        if imported is not None and (imported.module, imported.name) == ("django.conf", "settings"):
            out.append(rest.split(".", 1)[0])
    return out


def _import_modules(imported: ImportRef) -> list[str]:
    """The module an imported name comes from, and the submodule ``from m import name`` may
    be."""
    module = imported.module
    return [module, f"{module}.{imported.name}"] if imported.name else [module]


def _class_names(summary: ModuleSummary) -> tuple[list[str], list[str]]:
    """The dotted names the module's classes refer to: in their bases, and in their members
    and Meta options (sorted, each once), with those of the module's own assignments they
    name (``SpecField = make_json_field("SpecField", Spec)``, then ``spec = SpecField()``:
    ``Spec``'s module is loaded when the field is evaluated)."""
    bases: set[str] = set()
    others: set[str] = set()
    for cls in summary.classes.values():
        _expr_names(cls.bases, bases)
        _expr_names([member.value for member in cls.members], others)
        if cls.meta is not None:
            others.update(cls.meta.refs.values())
    _assigned_names(summary, bases)
    _assigned_names(summary, others)
    return sorted(bases), sorted(others - bases)


def _assigned_names(summary: ModuleSummary, names: set[str]) -> None:
    """Add to ``names`` the dotted names of the module-level assignments they name (by their
    first part, not imported), and of those these name in turn."""
    assigns, imports = summary.assigns, summary.imports
    todo = [name.partition(".")[0] for name in names]
    done: set[str] = set()
    while todo:
        head = todo.pop()
        if head in done or head in imports:
            continue
        done.add(head)
        expr = assigns.get(head)
        if expr is not None:
            found: set[str] = set()
            _expr_names([expr], found)
            names.update(found)
            todo.extend(name.partition(".")[0] for name in found)


def _expr_names(exprs: list[Expr | None], names: set[str]) -> None:
    """Add the dotted names ``exprs`` refer to (their items' too) to ``names``: one loop over
    a work list rather than a call per expression (a class has tens of members); a call's
    positional and keyword arguments in two plain loops, not one over a ``chain`` made per
    call (``named_part`` of the wanted files: blueking-paas 16.4M -> 14.9M instructions,
    saleor 11.0M -> 9.6M, netbox 13.4M -> 12.4M)."""
    add = names.add
    todo = list(exprs)
    while todo:
        expr = todo.pop()
        if expr is None:
            continue
        if expr.ref:
            add(expr.ref)
        call = expr.call
        if call is not None:
            add(call.func)
            for arg in call.args:
                if arg.ref:
                    add(arg.ref)
                if arg.call:
                    add(arg.call)
            if call.kwargs:
                for arg in call.kwargs.values():
                    if arg.ref:
                        add(arg.ref)
                    if arg.call:
                        add(arg.call)
        if expr.items:
            todo.extend(expr.items)
