"""The project index: modules parsed on demand, and name resolution across them."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

from djatlas.discover.finder import FileRecord, unreadable
from djatlas.parse.reader import ReadError, parse
from djatlas.parse.summary import Call, ClassSummary, Expr, FunctionSummary, ModuleSummary
from djatlas.parse.visitor import summarize
from djatlas.records import dataclass
from djatlas.resolve.environment import Environment, own
from djatlas.resolve.knowledge import Knowledge
from djatlas.resolve.layout import Layout
from djatlas.resolve.values import (
    ORIGIN_ENV,
    ORIGIN_KNOWLEDGE,
    ORIGIN_TREE,
    ClassValue,
    External,
    FunctionValue,
    Instance,
    Literal,
    ModuleValue,
)

_MAX_DEPTH = 12
#: Not in a memo yet (None is an answer).
_MISSING = object()


@dataclass(eq=False, repr=False)
class LoadedModule:
    """A module in the index: its name, summary and origin (tree file, environment, knowledge)."""

    name: str
    summary: ModuleSummary
    origin: str
    relpath: str | None = None


class ProjectIndex:
    """Every module djatlas knows, loaded lazily: the tree first, then the environment, then the
    bundled knowledge (a package comes whole from one of them)."""

    def __init__(
        self,
        layout: Layout,
        read: Callable[[str], bytes],
        records: dict[str, FileRecord],
        summary_cache: Callable[[str, bytes], ModuleSummary | None] | None = None,
        store_summary: Callable[[str, bytes, ModuleSummary], None] | None = None,
        environment: Environment | None = None,
        knowledge: Knowledge | None = None,
    ) -> None:
        self.layout = layout
        self.read = read
        #: A tree file's bytes whatever the cache holds (``read`` gives none for a file whose
        #: summary is ready): for what is read from a module's source text itself.
        self.source = read
        self.records = records
        self.summary_cache = summary_cache
        self.store_summary = store_summary
        #: Called with (relpath, ReadError) when a tree file fails to parse (for caching).
        self.store_failure: Callable[[str, ReadError], None] | None = None
        self.modules: dict[str, LoadedModule | None] = {}
        self.by_path: dict[str, LoadedModule | None] = {}
        self.environment = environment if environment is not None else own()
        self.knowledge = knowledge
        #: Top-level package -> where its modules come from (ORIGIN_ENV / ORIGIN_KNOWLEDGE / None).
        self._package_origin: dict[str, str | None] = {}
        #: Top-level packages that gave at least one module.
        self.used_packages: set[str] = set()
        self.tree_tops = {name.split(".", 1)[0] for name in layout.files_of}
        self._bases: dict[str, list[object]] = {}
        self._outside: dict[str, LoadedModule | None] = {}
        self._mro: dict[str, list[object]] = {}
        #: Classes whose MRO is being computed, and whether a cycle was ever cut.
        self._linearising: set[str] = set()
        self._cut = False
        self._lookups: dict[tuple[int, str, int, bool], object | None] = {}
        self._resolved: dict[tuple[int, str, int, bool], object] = {}
        self._defined: dict[tuple[int, str], ClassValue] = {}

    # -- loading --------------------------------------------------------------------------
    def load_path(self, relpath: str) -> LoadedModule | None:
        """Parse one tree file (once) and return its module."""
        if relpath in self.by_path:
            return self.by_path[relpath]
        self.by_path[relpath] = None
        name = self.layout.module_of[relpath]
        record = self.records[relpath]
        try:
            data = self.read(relpath)
        except OSError as exc:
            record.status, record.reason = "failed", unreadable(exc)
            return None
        try:  # the cache hook may also answer with a known failure (ReadError)
            summary = self.summary_cache(relpath, data) if self.summary_cache else None
        except ReadError as exc:
            record.status, record.reason, record.line = "failed", exc.reason, exc.line
            return None
        if summary is None:
            try:
                enabled = gc.isenabled()
                gc.disable()
                try:
                    parsed = parse(data, relpath)
                    summary = summarize(
                        parsed.tree, parsed.text, name, relpath, self.layout.is_package(relpath)
                    )
                finally:
                    if enabled:
                        gc.enable()
            except ReadError as exc:
                record.status, record.reason, record.line = "failed", exc.reason, exc.line
                if self.store_failure:
                    self.store_failure(relpath, exc)
                return None
            except RecursionError:
                record.status, record.reason = "failed", "too deeply nested to analyse"
                if self.store_failure:
                    self.store_failure(relpath, ReadError(record.reason))
                return None
            if self.store_summary:
                self.store_summary(relpath, data, summary)
        record.status, record.reason = "parsed", None
        loaded = LoadedModule(name, summary, ORIGIN_TREE, relpath)
        self.by_path[relpath] = loaded
        self.modules.setdefault(name, loaded)
        return loaded

    def module_of(self, cls: ClassValue) -> LoadedModule | None:
        """The module a class is defined in (its tree file's, else the one named like it)."""
        return self.by_path.get(cls.file) if cls.file else self.module(cls.module)

    def module(self, name: str, near: str | None = None) -> LoadedModule | None:
        """The module called ``name`` (tree file nearest to ``near``, stub, or environment)."""
        key = name if near is None else f"{name}@{near}"
        if key in self.modules:
            return self.modules[key]
        self.modules[key] = None
        loaded: LoadedModule | None = None
        rel = self.layout.lookup(name, near)
        if rel is not None:
            loaded = self.load_path(rel)
        elif name in self._outside:  # stubs and environment modules: parsed once per name
            loaded = self._outside[name]
        else:
            loaded = self._outside_module(name)
            self._outside[name] = loaded
        self.modules[key] = loaded
        return loaded

    def _outside_module(self, name: str) -> LoadedModule | None:
        top = name.split(".", 1)[0]
        if top in _NOT_READ or _skipped_module(name):
            return None
        origin = self.package_origin(top)
        loaded = None
        if origin == ORIGIN_ENV:
            loaded = self._environment(name)
        elif origin == ORIGIN_KNOWLEDGE and self.knowledge is not None:
            summary = self.knowledge.summary(name)
            if summary is not None:
                loaded = LoadedModule(name, summary, ORIGIN_KNOWLEDGE)
        if loaded is not None:
            self.used_packages.add(top)
        return loaded

    def package_origin(self, top: str) -> str | None:
        """Where the modules of top-level package ``top`` come from: the environment, unless the
        bundled knowledge holds the same version (same result, less to parse); else the
        knowledge; else None (unresolved)."""
        if top in self._package_origin:
            return self._package_origin[top]
        known = self.knowledge is not None and self.knowledge.has(top)
        origin: str | None = ORIGIN_KNOWLEDGE if known else None
        if self.environment.has_package(top):
            origin = ORIGIN_ENV
            dist = self.environment.distribution(top) if known else None
            if dist is not None and self.knowledge is not None:
                bundled = self.knowledge.packages[top].get("version", "")
                if same_release(top, dist[1], bundled):
                    origin = ORIGIN_KNOWLEDGE
        self._package_origin[top] = origin
        return origin

    def package_sources(self) -> list[dict[str, object]]:
        """Per third-party package used: where its classes came from (for the report)."""
        out: list[dict[str, object]] = []
        for top in sorted(self.used_packages):
            origin = self._package_origin.get(top)
            entry: dict[str, object] = {"package": top, "origin": origin}
            # A package that is not there (bundled knowledge only) has no installed version:
            # no metadata folder is read for it (that would read them all, to find none).
            env = self.environment
            installed = env.distribution(top) if env.has_package(top) else None
            if installed is not None:
                entry["distribution"], entry["installed_version"] = installed
            if origin == ORIGIN_KNOWLEDGE and self.knowledge is not None:
                info = self.knowledge.packages.get(top, {})
                entry["distribution"] = info.get("distribution")
                entry["version"] = info.get("version")
            elif installed is not None:
                entry["version"] = installed[1]
            out.append(entry)
        return out

    def environment_module(self, name: str) -> LoadedModule | None:
        """``name`` read from the environment's files, even when the bundled knowledge answers
        for its package (for a module the knowledge leaves out); None when not installed."""
        key = f"{name}@environment"
        if key not in self._outside:
            self._outside[key] = self._environment(name) if self.environment else None
        return self._outside[key]

    def _environment(self, name: str) -> LoadedModule | None:
        found = self.environment.module_file(name)
        if found is None:
            return None
        path, is_pkg = found
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            parsed = parse(data, path)
            summary = summarize(parsed.tree, parsed.text, name, path, is_pkg)
        except (OSError, ReadError, RecursionError):
            return None
        return LoadedModule(name, summary, ORIGIN_ENV)

    # -- names ----------------------------------------------------------------------------
    def lookup(
        self, mod: LoadedModule, name: str, depth: int = 0, skip_local: bool = False
    ) -> object | None:
        """What ``name`` is bound to at module level in ``mod`` (memoised: the answer depends
        only on the modules, which never change once loaded, and on the depth left)."""
        key = (id(mod), name, depth, skip_local)  # modules live as long as the index
        if key in self._lookups:
            return self._lookups[key]
        value = self._lookup(mod, name, depth, skip_local)
        self._lookups[key] = value
        return value

    def at_path(self, dotted: str) -> object | None:
        """What the dotted path ``module.name`` names (``django.db.models.AutoField``): the
        name looked up in its module (re-exports followed), None when either is unknown."""
        module, _, name = dotted.rpartition(".")
        mod = self.module(module) if module else None
        return self.lookup(mod, name) if mod is not None else None

    def class_in(self, mod: LoadedModule, name: str) -> ClassValue:
        """The class ``name`` defined in ``mod``'s body: one value per class, whichever stage
        asks (resolving, the settings and app registry, the graph, every lookup), with its
        ``key`` made once."""
        key = (id(mod), name)  # modules live as long as the index
        found = self._defined.get(key)
        if found is None:
            found = self._defined[key] = ClassValue(
                f"{mod.name}.{name}",
                mod.origin,
                mod.name,
                mod.summary.classes[name],
                None,
                mod.relpath,
            )
        return found

    def _lookup(self, mod: LoadedModule, name: str, depth: int, skip_local: bool) -> object | None:
        if depth > _MAX_DEPTH:
            return None
        s = mod.summary
        if not skip_local:
            if name in s.classes:
                return self.class_in(mod, name)
            if name in s.functions:
                return FunctionValue(mod.name, name, mod.origin)
            if name in s.assigns:
                value = self.evaluate(mod, s.assigns[name], depth + 1)
                if (
                    isinstance(value, ClassValue)
                    and value.bases is not None
                    and value.summary is None
                ):
                    value = ClassValue(
                        f"{mod.name}.{name}", value.origin, mod.name, None, value.bases, mod.relpath
                    )
                return value
        if name in s.imports:
            ref = s.imports[name]
            if ref.name is None:
                target = self.module(ref.module, mod.relpath)
                return ModuleValue(target.name) if target else External(ref.module)
            target = self.module(ref.module, mod.relpath)
            if target is not None and target is not mod:
                value = self.lookup(target, ref.name, depth + 1)
                if value is not None:
                    return value
            sub = self.module(f"{ref.module}.{ref.name}", mod.relpath)
            if sub is not None:
                return ModuleValue(sub.name)
            if target is None:
                return External(f"{ref.module}.{ref.name}")
            return External(f"{target.name}.{ref.name}")
        for star in s.star_imports:
            target = self.module(star, mod.relpath)
            if target is None or target is mod:
                continue
            allowed = target.summary.all_names
            if (allowed is None and not name.startswith("_")) or (allowed and name in allowed):
                value = self.lookup(target, name, depth + 1)
                if value is not None:
                    return value
        if s.is_package:
            sub = self.module(f"{mod.name}.{name}", mod.relpath)
            if sub is not None:
                return ModuleValue(sub.name)
        return None

    def resolve(
        self, mod: LoadedModule, dotted: str, depth: int = 0, skip_local: bool = False
    ) -> object | None:
        """Resolve a dotted name as seen from module ``mod`` (memoised like ``lookup``: the
        graph asks for the same names, ``models.CharField``, ``models.CASCADE``, model after
        model; loading a module resolves no name, so no answer is made half-way)."""
        key = (id(mod), dotted, depth, skip_local)  # modules live as long as the index
        found = self._resolved.get(key, _MISSING)
        if found is _MISSING:
            found = self._resolved[key] = self._resolve(mod, dotted, depth, skip_local)
        return found

    def _resolve(self, mod: LoadedModule, dotted: str, depth: int, skip_local: bool) -> object:
        head, *rest = dotted.split(".")
        value = self.lookup(mod, head, depth, skip_local=skip_local)
        if value is None:
            return (
                External(dotted) if head not in _BUILTIN_NAMES else External(f"builtins.{dotted}")
            )
        for attr in rest:
            value = self.attribute(value, attr, mod, depth)
        return value

    def attribute(self, value: object, attr: str, near: LoadedModule, depth: int = 0) -> object:
        if isinstance(value, ModuleValue):
            target = self.module(value.name, near.relpath)
            if target is not None:
                found = self.lookup(target, attr, depth + 1)
                if found is not None:
                    return found
            return External(f"{value.name}.{attr}")
        if isinstance(value, ClassValue) and value.summary and attr in value.summary.nested:
            return ClassValue(
                f"{value.path}.{attr}",
                value.origin,
                value.module,
                value.summary.nested[attr],
                None,
                value.file,
            )
        if isinstance(value, (ClassValue, External, FunctionValue)):
            return External(f"{value.path}.{attr}")
        if isinstance(value, Instance):
            inner = getattr(value.cls, "path", None)
            return External(f"{inner}().{attr}" if inner else attr)
        return External(attr)

    # -- expressions ----------------------------------------------------------------------
    def evaluate(self, mod: LoadedModule, expr: Expr, depth: int = 0) -> object | None:
        if depth > _MAX_DEPTH:
            return None
        if expr.kind == "ref" and expr.ref:
            return self.resolve(mod, expr.ref, depth + 1)
        if expr.kind == "call" and expr.call:
            return self.call(mod, expr.call, depth + 1)
        if expr.kind == "none":
            return Literal(None)
        if expr.kind == "literal":
            return Literal(expr.value)
        return None

    def call(
        self,
        mod: LoadedModule,
        call: Call,
        depth: int,
        bindings: dict | None = None,
        fn: FunctionSummary | None = None,
    ) -> object | None:
        """The value of calling ``call.func`` (an instance, a class from a factory, ...)."""
        func = self._name_in(mod, call.func, depth, bindings, fn)
        if isinstance(func, External) and func.path == "builtins.type" and len(call.args) == 3:
            return self._type_call(mod, call, depth, bindings, fn)
        if isinstance(func, ClassValue):
            return Instance(func, call, mod)
        if isinstance(func, FunctionValue):
            return self.call_function(func, call, mod, depth + 1, bindings, fn)
        if isinstance(func, External):
            return Instance(func, call, mod)
        return None

    def _name_in(
        self,
        mod: LoadedModule,
        dotted: str,
        depth: int,
        bindings: dict | None,
        fn: FunctionSummary | None,
    ) -> object | None:
        """Resolve a name inside a function body (params, locals, local classes), else module."""
        if fn is not None:
            head, _, rest = dotted.partition(".")
            value: object | None = None
            if bindings and head in bindings:
                value = bindings[head]
            elif head in fn.classes:
                value = self._local_class(mod, fn.classes[head], depth, bindings, fn)
            elif head in fn.locals and depth < _MAX_DEPTH:
                value = self._evaluate_in(mod, fn.locals[head], depth + 1, bindings, fn)
            if value is not None:
                for attr in rest.split(".") if rest else []:
                    value = self.attribute(value, attr, mod, depth)
                return value
        return self.resolve(mod, dotted, depth)

    def _evaluate_in(
        self,
        mod: LoadedModule,
        expr: Expr,
        depth: int,
        bindings: dict | None,
        fn: FunctionSummary | None,
    ) -> object | None:
        if depth > _MAX_DEPTH:
            return None
        if expr.kind == "ref" and expr.ref:
            return self._name_in(mod, expr.ref, depth, bindings, fn)
        if expr.kind == "call" and expr.call:
            return self.call(mod, expr.call, depth + 1, bindings, fn)
        return None

    def _local_class(
        self,
        mod: LoadedModule,
        cls: ClassSummary,
        depth: int,
        bindings: dict | None,
        fn: FunctionSummary | None,
    ) -> ClassValue:
        bases = tuple(self._evaluate_in(mod, b, depth + 1, bindings, fn) for b in cls.bases)
        return ClassValue(f"{mod.name}.{cls.name}", mod.origin, mod.name, None, bases, mod.relpath)

    def _type_call(
        self,
        mod: LoadedModule,
        call: Call,
        depth: int,
        bindings: dict | None,
        fn: FunctionSummary | None,
    ) -> ClassValue | None:
        name_arg, bases_arg = call.args[0], call.args[1]
        name = name_arg.value if isinstance(name_arg.value, str) else "<dynamic>"
        if name_arg.ref and bindings and isinstance(bindings.get(name_arg.ref), Literal):
            lit = bindings[name_arg.ref].value
            name = lit if isinstance(lit, str) else name
        items = bases_arg.value if isinstance(bases_arg.value, list) else []
        bases = []
        for item in items:
            src = item.get("$expr") if isinstance(item, dict) else None
            if isinstance(src, str) and src.replace(".", "").replace("_", "").isalnum():
                bases.append(self._name_in(mod, src, depth + 1, bindings, fn))
        return ClassValue(
            f"{mod.name}.{name}", mod.origin, mod.name, None, tuple(bases), mod.relpath
        )

    def returned_value(
        self, func: FunctionValue, call: Call, caller: LoadedModule
    ) -> object | None:
        """What calling ``func`` returns when it is a literal or a call's value (an Instance of
        e.g. ``getattr(settings, "X", "app.Model")``), for functions returning a setting."""
        bound = self._bind(func, call, caller, 1, None, None)
        if bound is None:
            return None
        target, fn, bindings = bound
        for expr in fn.returns:
            if expr.kind == "literal":
                return Literal(expr.value)
            value = self._evaluate_in(target, expr, 1, bindings, fn)
            if isinstance(value, (Literal, Instance)):
                return value
        return None

    def _bind(
        self,
        func: FunctionValue,
        call: Call,
        caller: LoadedModule,
        depth: int,
        caller_bindings: dict | None,
        caller_fn: FunctionSummary | None,
    ) -> tuple[LoadedModule, FunctionSummary, dict[str, object]] | None:
        """The module and summary of ``func`` with its parameters bound to the call's
        positional arguments, or None when the function cannot be read."""
        target = self.module(func.module, caller.relpath)
        if target is None or func.name not in target.summary.functions:
            return None
        fn = target.summary.functions[func.name]
        bindings: dict[str, object] = {}
        for param, arg in zip(fn.params, call.args):
            bindings[param] = self._arg_value(caller, arg, depth, caller_bindings, caller_fn)
        return target, fn, bindings

    def call_function(
        self,
        func: FunctionValue,
        call: Call,
        caller: LoadedModule,
        depth: int,
        caller_bindings: dict | None = None,
        caller_fn: FunctionSummary | None = None,
    ) -> object | None:
        """Evaluate what a project function returns for this call (factories, field helpers)."""
        if depth > _MAX_DEPTH:
            return None
        bound = self._bind(func, call, caller, depth, caller_bindings, caller_fn)
        if bound is None:
            return None
        target, fn, bindings = bound
        for key, arg in call.kwargs.items():
            if key in fn.params:
                bindings[key] = self._arg_value(caller, arg, depth, caller_bindings, caller_fn)
        for expr in fn.returns:
            value = self._evaluate_in(target, expr, depth + 1, bindings, fn)
            if isinstance(value, (ClassValue, Instance)):
                return value
        ann = fn.annotation
        if ann is not None and ann.ref:
            base = self.resolve(target, ann.ref, depth + 1)
            if ann.kind == "type_of" and isinstance(base, (ClassValue, External)):
                return ClassValue(
                    f"{target.name}.{fn.name}()",
                    target.origin,
                    target.name,
                    None,
                    (base,),
                    target.relpath,
                )
            if ann.kind == "ref" and isinstance(base, ClassValue):
                return Instance(base)
        return None

    def _arg_value(
        self, mod: LoadedModule, arg, depth: int, bindings: dict | None, fn: FunctionSummary | None
    ) -> object | None:
        if arg.ref:
            return self._name_in(mod, arg.ref, depth + 1, bindings, fn)
        if isinstance(arg.value, (str, int, float, bool)) or arg.value is None:
            return Literal(arg.value)
        return None

    # -- classes --------------------------------------------------------------------------
    def bases(self, cls: ClassValue) -> list[object]:
        """Resolved direct bases of a class (None entries for bases that are not names)."""
        key = cls.key
        if key in self._bases:
            return self._bases[key]
        self._bases[key] = []
        if cls.bases is not None:
            out = list(cls.bases)
        elif cls.summary is not None:
            mod = self.module_of(cls)
            out = []
            for b in cls.summary.bases:
                if mod is None:
                    out.append(None)
                elif b.kind == "ref" and b.ref:
                    shadow = b.ref.split(".", 1)[0] == cls.summary.name
                    out.append(self.resolve(mod, b.ref, skip_local=shadow))
                elif _with_metaclass(b):  # six.with_metaclass(Meta, *bases): those bases
                    out += [self.resolve(mod, a.ref) if a.ref else None for a in b.call.args[1:]]
                else:
                    out.append(self.evaluate(mod, b))
        else:
            out = []
        self._bases[key] = out
        return out

    def set_bases(self, cls: ClassValue, bases: list[object]) -> None:
        """Replace a class's resolved bases (a base found by other means, e.g. a model loaded
        by label); every linearisation is recomputed."""
        self._bases[cls.key] = list(bases)
        self._mro.clear()

    def mro(self, cls: ClassValue) -> list[object]:
        """C3 linearisation over resolved bases (depth-first fallback); cycles are cut."""
        key = cls.key
        found = self._mro.get(key)
        if found is not None:
            if key in self._linearising:  # a cycle: cut here
                self._cut = True
            return found
        self._mro[key] = [cls]  # cycle guard
        self._linearising.add(key)
        seqs: list[list[object]] = []
        direct: list[object] = []
        for base in self.bases(cls):
            if isinstance(base, ClassValue):
                seqs.append(self.mro(base))  # read, never changed: the merge works on copies
                direct.append(base)
            elif isinstance(base, External):
                seqs.append([base])
                direct.append(base)
        if len(direct) == 1 and not self._cut:
            # One base: C3 gives its MRO as it is, for it repeats no class (only a cut cycle
            # makes an MRO that does; from the first one on, the merge runs).
            result = [cls] + seqs[0]
        else:
            result = [cls] + (_c3(seqs + [direct]) or _dfs(seqs))
        self._mro[key] = result
        self._linearising.discard(key)
        return result


def _c3(seqs: list[list[object]]) -> list[object] | None:
    """C3 merge of the sequences (None when they admit no linearisation). Linear in their
    length: items compare by identity (a class's key, path and file; an external's path) and a
    count of each one's places in the tails says whether a head is free (Django models with
    many mixins have long MROs). The sequences are kept reversed, so that taking a head is a
    ``pop()``."""
    seqs = [s[::-1] for s in seqs if s]
    # Identities made inline, as strings and 1-tuples (never equal to each other): hashed and
    # compared in C, where an External record's own __hash__/__eq__ run Python code, for every
    # item of every base's MRO (thousands a scan).
    ids = [[item.key if isinstance(item, ClassValue) else (item.path,) for item in s] for s in seqs]
    if len(seqs) > 2:
        found = _onto_last(seqs, ids)
        if found is not None:
            return found
    return _merge(seqs, ids)


def _merge(seqs: list[list[object]], ids: list[list[object]]) -> list[object] | None:
    """``_c3``'s merge of its reversed sequences (emptied as it goes) and their identities."""
    in_tails: dict[object, int] = {}
    for keys in ids:
        for key in keys[:-1]:
            in_tails[key] = in_tails.get(key, 0) + 1
    out: list[object] = []
    while seqs:
        for seq, keys in zip(seqs, ids):
            head_id = keys[-1]
            if not in_tails.get(head_id):
                head = seq[-1]
                break
        else:
            return None
        out.append(head)
        emptied = False
        for seq, keys in zip(seqs, ids):
            if keys[-1] == head_id:
                seq.pop()
                keys.pop()
                if keys:
                    in_tails[keys[-1]] -= 1
                else:
                    emptied = True
        if emptied:
            kept = [i for i, keys in enumerate(ids) if keys]
            seqs, ids = [seqs[i] for i in kept], [ids[i] for i in kept]
    return out


def _onto_last(seqs: list[list[object]], ids: list[list[object]]) -> list[object] | None:
    """``_c3``'s answer, read off directly, in the usual shape of a model with mixins
    (``Site(ContactsMixin, ImageAttachmentsMixin, PrimaryModel)``): the last sequence lists the
    heads of the others in order (the bases), and each other base's MRO is classes of its own,
    then a tail of the last base's MRO. C3 then takes each base's own classes in turn (each
    head is free: no tail holds it; the shared tails wait for the last base's head) and ends
    with the last base's MRO. None in any other shape (``_c3`` merges it). ``seqs``/``ids``:
    ``_c3``'s reversed sequences and their items' identities. (netbox: 89 of its 133 merges,
    its resolving stage's bytecodes 560K -> 389K.)"""
    *others, last, bases = ids
    if bases != [keys[-1] for keys in reversed(others + [last])]:
        return None
    in_last = set(last)
    if len(in_last) != len(last):
        return None
    out: list[object] = []
    own: set[object] = set()
    whole = False  # a base before this one shares the last base's whole MRO
    for seq, keys in zip(seqs, others):
        shared = 0  # the length of the tail shared with the last base's MRO
        most = min(len(keys), len(last))
        while shared < most and keys[shared] == last[shared]:
            shared += 1
        if shared == len(keys):
            return None  # a base that is in the last base's MRO
        for key in keys[shared:]:
            if key in in_last or key in own:
                return None
            own.add(key)
        out += seq[: shared - 1 : -1] if shared else seq[::-1]
        whole = whole or shared == len(last)
    if whole and len(keys) - shared > 1 and shared != len(last):
        # Once the next-to-last base is taken, the last base's head is free: a base before
        # it that shares the whole MRO would come before the rest of this one's own classes.
        return None
    out += seqs[-2][::-1]
    return out


def _dfs(seqs: list[list[object]]) -> list[object]:
    out: list[object] = []
    for seq in seqs:
        for item in seq:
            if item not in out:
                out.append(item)
    return out


_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) - {"django"}
#: Packages never read from the environment: the standard library, and libraries that define
#: no Django models or fields (their classes stay External, e.g. ``pydantic.BaseModel``).
_NOT_READ = _STDLIB | frozenset(
    {
        "pydantic",
        "pydantic_core",
        "typing_extensions",
        "attr",
        "attrs",
        "cattr",
        "cattrs",
        "marshmallow",
        "sqlalchemy",
        "six",
        "requests",
        "yaml",
        "numpy",
        "pandas",
        "kubernetes",
        "redis",
        "boto3",
        "botocore",
        "jinja2",
        "click",
        "urllib3",
        "certifi",
        "pytz",
        "dateutil",
    }
)
_BUILTIN_NAMES = frozenset({"type", "object", "dict", "list", "str", "int", "property"})


def same_release(top: str, installed: str, bundled: str) -> bool:
    """Whether an installed version reads the same as the bundled one: equal, or for Django the
    same feature release (patch releases change no model or field)."""
    if installed == bundled:
        return True
    if top == "django":
        return installed.split(".")[:2] == bundled.split(".")[:2] and installed[:1].isdigit()
    return False


#: Modules of Django libraries whose classes are never model or field bases (DRF's serializers,
#: views, fields: big files every API module imports), except the listed model modules.
_NOT_READ_PREFIXES = ("rest_framework.", "drf_yasg.", "drf_spectacular.", "django_filters.")
_READ_ANYWAY = ("rest_framework.authtoken",)


def _skipped_module(name: str) -> bool:
    return name.startswith(_NOT_READ_PREFIXES) and not name.startswith(_READ_ANYWAY)


def _with_metaclass(expr: Expr) -> bool:
    """``six.with_metaclass(Meta, *bases)`` (or ``future.utils``'s, or a project's copy): a
    temporary class whose bases, to the class it makes, are the call's other arguments."""
    call = expr.call
    return (
        expr.kind == "call"
        and call is not None
        and call.func.rpartition(".")[2] == "with_metaclass"
        and len(call.args) > 1
    )
