"""Build the typed model graph from the project index, with Django's semantics."""

from __future__ import annotations

from operator import attrgetter

from djatlas.graph import wrappers
from djatlas.graph.added import AddedFields, Addition
from djatlas.graph.apps import AppRegistry, Project, project_for, projects_of
from djatlas.graph.classify import (
    FieldClass,
    is_model_class,
    may_add_fields,
    mro_paths,
)
from djatlas.graph.computed import apply_values
from djatlas.graph.constants import UNKNOWN, Constants, is_expr
from djatlas.graph.external import ExternalApps
from djatlas.graph.fieldclasses import FieldClasses, InitValues
from djatlas.graph.history import historical_infos
from djatlas.graph.loading import ModelLoading
from djatlas.graph.order import ImportOrder
from djatlas.graph.registered import ReadyRegistrations, actstream_relations
from djatlas.graph.reverse import ReverseRelations
from djatlas.graph.translation import language_codes, translate
from djatlas.graph.types import Base, Diagnostic, Field, Model, Relation
from djatlas.parse.summary import Arg, Call, ClassSummary, Expr, MetaSummary
from djatlas.records import dataclass, field, replace
from djatlas.resolve.builtin import DEFAULT_MAX_LENGTH, MODEL_ROOTS
from djatlas.resolve.index import LoadedModule, ProjectIndex
from djatlas.resolve.values import (
    ORIGIN_BUILTIN,
    ORIGIN_TREE,
    ORIGIN_UNRESOLVED,
    ClassValue,
    External,
    FunctionValue,
    Instance,
    Literal,
    ModuleValue,
    path_of,
)

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet
    from typing import Any

#: Not worked out yet (None is an answer).
_UNSET: Any = object()


@dataclass(eq=False, repr=False)
class FieldSpec:
    """A field declaration found in a class body (before Django's semantics are applied)."""

    name: str
    line: int
    call: Call
    fclass: FieldClass
    owner: ClassValue
    module: LoadedModule
    order: tuple = ()
    #: The module the arguments are written in (differs for fields built by a function).
    arg_module: LoadedModule | None = None
    #: The field class, when it is a class djatlas could read.
    field_cls: object = None
    #: Added by another field's ``contribute_to_class`` (no line of its own).
    added: bool = False
    #: The call read once (``GraphBuilder._args``).
    args: FieldArgs | None = None
    #: Given by ``add_to_class`` (``graph.added``): the module and line the field is made at.
    placed: tuple[LoadedModule, int] | None = None


@dataclass(eq=False, repr=False)
class FieldArgs:
    """A field declaration's call read once, whatever model the field ends up on: the fields
    of an abstract model are built again for every model that inherits them."""

    #: As written, positional arguments named by the field class's ``__init__``.
    params: dict[str, Any]
    #: The same arguments as Arg, by parameter name.
    by_name: dict[str, Arg]
    #: ``params`` plus what the field classes force or default (``_forced_kwargs``).
    eff: dict[str, Any]
    forced: AbstractSet[str]
    #: The literals the field class's ``__init__`` forces or defaults (``FieldClasses``).
    init: InitValues
    #: The arguments a relation reads (``by_name``, plus a ``to`` the field class sets).
    rel_args: dict[str, Arg] = field(default_factory=dict)
    #: What the Field record takes from the declaration alone, whatever the model:
    #: (resolved_type, line, column, null, unique, primary_key).
    static: tuple = ()
    #: Django's name of the ``on_delete`` argument (``GraphBuilder._on_delete``), once known.
    on_delete: Any = _UNSET
    #: (known_params, max_length) per settings (``Constants.settings_key`` of the model's file):
    #: constants may read settings.
    per_settings: dict[int, tuple[dict[str, Any], Any]] = field(default_factory=dict)
    #: Whether the field class is a TaggableManager (``GraphBuilder._taggable``), once known:
    #: a class attribute, not a record field (the record's compiled ``__init__`` stays as is).
    taggable = None


@dataclass(eq=False, repr=False)
class ModelInfo:
    """A model class while the graph is built: its resolved class, module and own fields."""

    cls: ClassValue
    module: LoadedModule
    assumed: list[str]
    model: Model | None = None
    local: list[FieldSpec] = field(default_factory=list)
    #: Read from outside the tree (Django, the environment, bundled knowledge).
    external: bool = False
    #: What stayed unknown besides what ``_complete`` finds (a historical model's options).
    reasons: list[str] = field(default_factory=list)


_REMOVED = object()
#: Meta options a model's label or table is made of: one not known statically leaves them so.
_NAMING_OPTIONS = ("app_label", "db_table")
#: ``FieldArgs.forced`` of a declaration whose field class forces nothing.
_NOTHING_FORCED: frozenset[str] = frozenset()
#: Django's way to load a class named in a setting: what it returns is not known statically.
_IMPORT_STRING = "django.utils.module_loading.import_string"


class GraphBuilder:
    """Turns model classes into Model records: fields, relations, Meta, inheritance, tables."""

    def __init__(self, index: ProjectIndex, registry: AppRegistry, diagnostics: list[Diagnostic]):
        self.index = index
        self.registry = registry
        self.diagnostics = diagnostics
        self.infos: dict[str, ModelInfo] = {}  # by class key
        self._by_model: dict[int, ModelInfo] = {}  # by id() of its Model record
        #: Per class key, memoised: MROs are final once ``collect`` has fixed the bases.
        self._models: dict[str, bool] = {}
        self._parents: dict[str, list[ClassValue]] = {}
        self._declared: dict[str, dict[str, FieldSpec | object]] = {}
        self._local: dict[str, list[FieldSpec]] = {}
        self._meta: dict[str, tuple[dict[str, Any], str | None]] = {}
        self._abstract_values: dict[str, Any] = {}
        self._class_paths: dict[str, str] = {}
        #: Concrete models by label, per Django project (one app registry each).
        self.labels = ProjectLabels()
        #: What a class body's calls leave unknown (``_made_from_given``), by class key.
        self._member_reasons: dict[str, list[str]] = {}
        self.reverse = ReverseRelations(self.labels)
        self._projects = projects_of(registry.settings)
        self._projects_by_file: dict[str | None, Project | None] = {}
        self._done: set[int] = set()
        self.constants = Constants(index, registry)
        self.field_classes = FieldClasses(index)
        self.import_order = ImportOrder(index, registry)
        self.external_apps = ExternalApps(index, registry)
        self.external_apps.resolve_installed()
        self.loading = ModelLoading(index, registry)
        self.added = AddedFields(index)
        self.ready = ReadyRegistrations(index, registry)
        #: External models in the order they were first referred to.
        self.externals: list[ModelInfo] = []
        #: ``_auto_pk``'s DEFAULT_AUTO_FIELD, by (file, module) of the model.
        self._auto_fields: dict[tuple[str | None, str], str] = {}

    # -- discovery ------------------------------------------------------------------------
    def collect(self, modules: list[LoadedModule]) -> None:
        classes = [
            (mod, self.index.class_in(mod, name)) for mod in modules for name in mod.summary.classes
        ]
        for mod, cls in classes:  # bases loaded by label (``get_model("app", "Model")``)
            self.loading.fix_bases(cls, mod)
        for mod in modules:
            self.added.read(mod)
        for mod, cls in classes:
            ok, assumed = is_model_class(self.index, cls)
            self._models[cls.key] = ok
            if ok:
                self.infos[cls.key] = ModelInfo(cls, mod, assumed)
            else:
                self._not_a_model(mod, cls)

    def _not_a_model(self, mod: LoadedModule, cls: ClassValue) -> None:
        """Say so when a class of a models module is left out only because a base is unknown."""
        if "models" not in mod.name.split(".") or not _model_like_body(cls.summary):
            return
        mro = self.index.mro(cls)
        if any(isinstance(c, ClassValue) and c.origin != ORIGIN_TREE for c in mro):
            return  # a known class outside the tree says what it is (a manager, a field, ...)
        unknown = [
            c.path
            for c in mro
            if isinstance(c, External) and may_add_fields(c.path) and not _is_django(c.path)
        ]
        if unknown:
            self.diagnostics.append(
                Diagnostic(
                    "info",
                    "DJA104",
                    f"class {cls.summary.name} is not reported as a model: its base {unknown[0]} "
                    "was not found in the tree, the environment or Django's built-in classes, "
                    "and its name does not say it is a model",
                    mod.relpath,
                    cls.summary.line,
                )
            )

    def info_of(self, cls: object) -> ModelInfo | None:
        return self.infos.get(cls.key) if isinstance(cls, ClassValue) else None

    def is_model(self, cls: object) -> bool:
        if not isinstance(cls, ClassValue) or cls.path in MODEL_ROOTS:
            return False
        key = cls.key
        found = self._models.get(key)
        if found is None:
            found = self._models[key] = key in self.infos or is_model_class(self.index, cls)[0]
        return found

    # -- Meta -----------------------------------------------------------------------------
    def own_meta(self, cls: ClassValue) -> MetaSummary | None:
        return cls.summary.meta if cls.summary is not None else None

    def _own_options(self, cls: ClassValue, own: MetaSummary) -> dict[str, Any]:
        """A Meta's options as written, a computation of constants in one folded to its value
        (``db_table = f"{PREFIX}_item"``, ``db_table = TABLE``), in the module it is written in."""
        options = own.options
        if not any(map(is_expr, options.values())):  # (most Metas: literals only)
            return options
        mod = self._module_of(cls)
        if mod is None:
            return options
        out = dict(options)
        for name, value in options.items():
            if is_expr(value):
                found = self.constants.value(Arg(value, own.refs.get(name)), mod, cls.file)
                if found is not UNKNOWN and not is_expr(found):
                    out[name] = found
        return out

    def effective_meta(self, cls: ClassValue, depth: int = 0) -> tuple[dict[str, Any], str | None]:
        """(options, path of the class the Meta was inherited from) as Django would see them."""
        if cls.key in self._meta:
            return self._meta[cls.key]
        self._meta[cls.key] = ({}, None)
        own = self.own_meta(cls)
        options: dict[str, Any] = {}
        source: str | None = None
        if own is not None:
            mod = self._module_of(cls)
            # ``class Meta(A.Meta, B.Meta)``: A's options win, as Python's MRO finds them
            for base in reversed(own.bases):
                owner_ref = base.rsplit(".", 1)[0] if base.endswith(".Meta") else None
                owner = self.index.resolve(mod, owner_ref) if (mod and owner_ref) else None
                if isinstance(owner, ClassValue) and depth < 10:
                    inherited, _ = self.effective_meta(owner, depth + 1)
                    options.update({k: v for k, v in inherited.items() if k != "abstract"})
                    source = owner.path  # (the first Meta it extends, the last one here)
            options.update(self._own_options(cls, own))
        else:
            for anc in self.index.mro(cls)[1:]:
                if not isinstance(anc, ClassValue) or anc.summary is None:
                    continue
                if anc.summary.meta is None:
                    continue
                if self.is_model(anc) and not self._abstract(anc):
                    continue  # a concrete parent's Meta is not inherited
                inherited, _ = self.effective_meta(anc, depth + 1)
                options = {k: v for k, v in inherited.items() if k != "abstract"}
                source = anc.path
                break
        if not (own is not None and self._abstract(cls)) and depth < 10:
            # A non-abstract child inherits ordering/get_latest_by from a concrete parent.
            parent = None
            for a in self.index.mro(cls)[1:]:  # (a loop, not ``next`` of a generator)
                if isinstance(a, ClassValue) and self.is_model(a):
                    parent = a
                    break
            if parent is not None and not self._abstract(parent):
                pmeta, _ = self.effective_meta(parent, depth + 1)
                for key in ("ordering", "get_latest_by"):
                    if key not in options and key in pmeta:
                        options[key] = pmeta[key]
        result = (options, source)
        self._meta[cls.key] = result
        return result

    def _abstract(self, cls: ClassValue) -> bool:
        summary = cls.summary  # (``own_meta``, inline: asked for every base of every class)
        meta = summary.meta if summary is not None else None
        if meta is None:
            return False
        value = meta.options.get("abstract")
        return value is True or (is_expr(value) and self._computed_abstract(cls) is True)

    def _computed_abstract(self, cls: ClassValue) -> Any:
        """``abstract = <expression>`` evaluated (simplejwt's and taiga's ``"app" not in
        settings.INSTALLED_APPS``): True, False, or UNKNOWN (then said in the model's
        ``incomplete_reasons``: a concrete model is assumed)."""
        found = self._abstract_values.get(cls.key, _UNSET)
        if found is _UNSET:
            own = self.own_meta(cls)
            found = self._own_options(cls, own).get("abstract") if own is not None else False
            if is_expr(found):
                found = UNKNOWN
            self._abstract_values[cls.key] = found
        return found

    def _module_of(self, cls: ClassValue) -> LoadedModule | None:
        return self.index.module_of(cls)

    # -- declared fields -------------------------------------------------------------------
    def declared(self, cls: ClassValue) -> dict[str, FieldSpec | object]:
        """Fields declared in the class body (``_REMOVED`` for ``name = None``), in order."""
        if cls.key in self._declared:
            return self._declared[cls.key]
        out: dict[str, FieldSpec | object] = {}
        self._declared[cls.key] = out
        last: list[FieldSpec] = []
        mod = self._module_of(cls)
        if mod is None or cls.summary is None:
            return out
        for member in cls.summary.members:
            value = member.value
            if value.kind == "none":
                out[member.name] = _REMOVED
                continue
            if value.kind != "call" or value.call is None:
                out.pop(member.name, None)
                continue
            built, call, arg_module = self._built_by(mod, value.call)
            fclass, facts = self.field_classes.class_and_facts(built)
            translated = (
                fclass is not None
                and not fclass.resolved
                and wrappers.is_translated(self.index, built)
            )  # (an External named like a field: TranslatedField, not installed)
            if fclass is None or translated:
                out.pop(member.name, None)
                made = self._made_from_given(mod, cls, member.name, member.line, value.call)
                for spec in made:
                    out[spec.name] = spec  # (TranslatedField's, NUMP(models.TextField()))
                if not made and built is None and self._unknown_callee(mod, value.call):
                    reasons = self._member_reasons.setdefault(cls.key, [])
                    reasons.append(wrappers.unknown_reason(member.name, value.call))
                continue
            if not fclass.resolved:
                self.diagnostics.append(
                    Diagnostic(
                        "info",
                        "DJA103",
                        self._unresolved_field_message(fclass, built),
                        mod.relpath,
                        member.line,
                        self._provisional_label(cls),
                    )
                )
            spec = FieldSpec(
                member.name, member.line, call, fclass, cls, mod, (), arg_module, built
            )
            added = self._added_by_field(spec, facts["adds"]) if facts and facts.get("adds") else ()
            if not added:  # the usual case
                out[member.name] = spec
                continue
            out.update((a.name, a) for at, a in added if at == "before")
            out[member.name] = spec
            out.update((a.name, a) for at, a in added if at == "after")
            last.extend(a for at, a in added if at == "last")
        for spec in last:
            spec.line = 1 << 30  # after the class body's fields (ordering only; no line shown)
            out[spec.name] = spec
        for addition in self.added.of(cls):
            spec = self._added_to_class(cls, mod, addition)
            if spec is not None:
                out.pop(spec.name, None)
                out[spec.name] = spec
        if not self._abstract(cls):
            for spec in self._registered_in_ready(cls, mod):
                out[spec.name] = spec
        return out

    def _registered_in_ready(self, cls: ClassValue, mod: LoadedModule) -> list[FieldSpec]:
        """The fields an AppConfig's ``ready`` gives the model by registering it
        (``graph.registered``: django-activity-stream's generic relations), after its own."""
        if not self.ready.actstream(cls):
            return []
        calls = actstream_relations(self._provisional_label(cls))
        relation = self.index.at_path("django.contrib.contenttypes.fields.GenericRelation")
        fclass = self.field_classes.field_class(relation)
        if fclass is None:
            return []
        out = []
        for call in calls:
            spec = FieldSpec(call.source, 1 << 30, call, fclass, cls, mod, (), mod, relation)
            spec.added = True  # (made by the package: no line of the model's file)
            out.append(spec)
        return out

    def _added_to_class(
        self, cls: ClassValue, mod: LoadedModule, addition: Addition
    ) -> FieldSpec | None:
        """The field ``Model.add_to_class(name, field)`` gives ``cls`` (``graph.added``), when
        its name and field are known statically."""
        where = addition.module
        name = self.constants.value(addition.call.args[0], where, where.relpath or cls.file)
        given = wrappers.argument_call(addition.call, 1)
        if not isinstance(name, str) or not name.isidentifier() or given is None:
            return None
        built, call, arg_module = self._built_by(where, given)
        fclass = self.field_classes.field_class(built)
        if fclass is None:
            return None
        spec = FieldSpec(name, addition.line, call, fclass, cls, where, (), arg_module, built)
        spec.placed = (where, addition.line)
        spec.added = where is not mod  # (a line of another file is not shown)
        return spec

    def _made_from_given(
        self, mod: LoadedModule, cls: ClassValue, name: str, line: int, call: Call
    ) -> list[FieldSpec]:
        """The fields a call that is no field class makes from the field it is given
        (``graph/wrappers.py``); what stays unknown goes to ``_member_reasons``."""
        given = wrappers.wrapped_call(call)
        if given is None:
            return []
        func = self.index.resolve(mod, call.func)
        translated = wrappers.is_translated(self.index, func)
        built, gcall, arg_module = self._built_by(mod, given)
        fclass = self.field_classes.field_class(built)
        if fclass is None:
            return []  # not given a field
        reasons = self._member_reasons.setdefault(cls.key, [])
        if not (translated or isinstance(func, FunctionValue)):
            reasons.append(wrappers.missing_reason(name, call))
            return []
        spec = FieldSpec(name, line, gcall, fclass, cls, mod, (), arg_module, built)
        if translated:
            return self._translated(spec, call, func, reasons)
        reasons.append(wrappers.taken_reason(name, call, gcall))
        return [spec]

    def _translated(
        self, given: FieldSpec, call: Call, func: object, reasons: list[str]
    ) -> list[FieldSpec]:
        """django-translated-fields' copies of the field a TranslatedField is given, one per
        language (``graph/wrappers.py``), or none when its languages are not known."""
        name, gcall = given.name, given.call
        codes = wrappers.languages(call)
        if codes is None:
            settings = self.registry.settings.for_file(given.owner.file)
            codes = language_codes(self, self.index.module(settings.module or ""))
        fallback = wrappers.with_fallback(self.index, func)
        specific = wrappers.specific(call, codes, fallback) if isinstance(codes, list) else None
        if not isinstance(codes, list) or specific is None:
            reasons.append(f"{name} = {call.func}(...): its languages are not known statically")
            return []
        # A copy's verbose_name: the field's (by keyword, or its first argument), else <name>.
        written = "verbose_name" in gcall.kwargs or gcall.args
        named = (
            {}
            if written or not wrappers.writes_verbose_name(self.index)
            else {"verbose_name": name}
        )
        return [
            replace(
                given,
                name=wrappers.attribute(name, code),
                call=wrappers.with_keywords(gcall, {**named, **specific.get(code, {})}),
            )
            for code in codes
        ]

    def _built_by(self, mod: LoadedModule, call: Call) -> tuple[object, Call, LoadedModule]:
        """(the class a class-body call instantiates, the field's own arguments, the module
        they are written in). A class called directly (the usual ``models.CharField(...)``)
        is the callee itself, resolved (memoised) as ``index.call`` would: no Instance made;
        anything else (a field factory, ``type(...)``) goes through ``index.call``."""
        func = self.index.resolve(mod, call.func)
        if isinstance(func, ClassValue) or (
            isinstance(func, External) and (func.path != "builtins.type" or len(call.args) != 3)
        ):
            return func, call, mod
        result = self.index.call(mod, call, 0)
        if not isinstance(result, Instance):
            return None, call, mod
        call, arg_module = self._effective_call(mod, call, result)
        return result.cls, call, arg_module

    def _added_by_field(self, spec: FieldSpec, adds: list[dict]) -> list[tuple[str, FieldSpec]]:
        """Fields a bundled field class adds in ``contribute_to_class`` (django-money's
        ``<name>_currency``), as (position, spec), from the knowledge's computed facts
        (``adds``: the class's facts' entry)."""
        out = []
        for add in adds:
            path = str(add.get("class", ""))
            cls = self.index.at_path(path)
            name = path.rpartition(".")[2]
            fclass = self.field_classes.field_class(cls) if isinstance(cls, ClassValue) else None
            if fclass is None:
                continue
            kwargs = {k: Arg(v) for k, v in (add.get("kwargs") or {}).items()}
            for key in add.get("copies") or ():
                if key in spec.call.kwargs:
                    kwargs[key] = spec.call.kwargs[key]
            for key, own in (add.get("from_call") or {}).items():
                if own in spec.call.kwargs:  # default <- default_currency
                    kwargs[key] = spec.call.kwargs[own]
            call = Call(name, [], kwargs, source=name)
            added_name = str(add.get("name", "")).replace("{name}", spec.name)
            added = FieldSpec(added_name, spec.line, call, fclass, spec.owner, spec.module)
            added.field_cls = cls
            added.added = True
            out.append((str(add.get("position", "after")), added))
        return out

    def _unresolved_field_message(self, fclass: FieldClass, cls: object) -> str:
        if isinstance(cls, ClassValue):
            base = next((c.path for c in self.index.mro(cls) if isinstance(c, External)), "?")
            return (
                f"base {base} of field class {fclass.path} is outside the tree and the "
                "environment; treated as a field by the base's name"
            )
        return (
            f"field class {fclass.path} not found in the tree or the environment; "
            "treated as a field by its name"
        )

    def _provisional_label(self, cls: ClassValue) -> str:
        meta, _ = self.effective_meta(cls)
        app = meta.get("app_label")
        if not isinstance(app, str):
            app = self.registry.for_file(cls.file).label_for(cls.module)
        return f"{app}.{cls.name}"

    def _effective_call(
        self, mod: LoadedModule, outer: Call, result: Instance
    ) -> tuple[Call, LoadedModule]:
        """The field's own arguments; for a field built inside a function, merge both calls."""
        inner = result.call
        if not isinstance(inner, Call) or inner is outer:
            return outer, mod
        func = self.index.resolve(mod, outer.func)
        own: list[str] = []
        fn = None
        if isinstance(func, FunctionValue):
            target = self.index.module(func.module, mod.relpath)
            fn = target.summary.functions.get(func.name) if target else None
            own = fn.params if fn else []
        kwargs = {k: v for k, v in inner.kwargs.items() if k != "**"}
        outer_kw = {k: v for k, v in outer.kwargs.items() if k not in own and k != "**"}
        if fn is not None and "**" in inner.kwargs:
            for key, arg in fn.kwarg_defaults.items():
                kwargs.setdefault(key, arg)
        kwargs.update(outer_kw)
        merged = Call(outer.func, list(inner.args), kwargs, outer.source)
        inner_mod = result.module if isinstance(result.module, LoadedModule) else mod
        return merged, inner_mod

    def local_fields(self, cls: ClassValue) -> list[FieldSpec]:
        """Django's ``local_fields + local_many_to_many`` (+ private) of a model class, sorted."""
        if cls.key in self._local:
            return self._local[cls.key]
        self._local[cls.key] = []
        mro = self.index.mro(cls)
        self.import_order.rank_files(mro)
        own = self.declared(cls)
        shadow: set[str] = set()
        fields: dict[str, FieldSpec] = {}
        bases = self.index.bases(cls)
        direct_abstract = {
            b.key
            for b in bases
            if isinstance(b, ClassValue) and self.is_model(b) and self._abstract(b)
        }
        pending = set(direct_abstract)
        for anc in mro[1:]:
            if not pending:
                break  # the names shadowed further up hide no abstract parent's field
            if not isinstance(anc, ClassValue):
                continue
            if anc.key in direct_abstract:
                pending.discard(anc.key)
                for spec in self.local_fields(anc):
                    if spec.name in own or spec.name in shadow or spec.name in fields:
                        continue
                    fields[spec.name] = spec
            elif not self.is_model(anc) and anc.summary is not None:
                shadow.update([m.name for m in anc.summary.members])
                shadow.update(anc.summary.attributes)
        rank = self.import_order.ranks.get(cls.file or cls.module, (0, 0))
        line = cls.summary.line if cls.summary else 0
        for name, spec in own.items():
            if isinstance(spec, FieldSpec) and spec.placed is not None:
                fields[name] = spec
                where, at = spec.placed  # made where ``add_to_class`` runs
                spec.order = (1, self.import_order.rank_module(where.relpath, where.name), at, 0)
            elif isinstance(spec, FieldSpec):
                fields[name] = spec
                # The order is the class's own: an abstract parent's fields keep the order
                # their own ``local_fields`` gave them.
                auto = spec.call.kwargs.get("auto_created")
                spec.order = (
                    # auto_created=True fields take Django's negative creation counter: first.
                    0 if auto is not None and auto.value is True else 1,
                    rank,
                    line,
                    spec.line,
                )
        out = list(fields.values())
        out.sort(key=_by_order)
        if any(_private_spec(s) for s in out):
            out = _private_order(out, own, list(fields))
        self._local[cls.key] = out
        return out

    # -- models ---------------------------------------------------------------------------
    def build(self) -> list[Model]:
        infos = sorted(
            self.infos.values(),
            key=lambda i: (
                i.cls.module,
                i.cls.summary.line if i.cls.summary else 0,
                i.cls.file or "",
            ),
        )
        for info in infos:
            self._set_model(info, self._model_shell(info))
        self._register_labels(infos)
        for info in infos:
            if id(info.model) not in self._done:
                self._fields(info)
        infos = infos + historical_infos(self, infos)  # (django-simple-history's)
        translate(self, infos)  # (django-modeltranslation's fields, added once apps are ready)
        self._index_entries(infos)
        externals = sorted(
            self.externals,
            key=lambda i: (i.cls.module, i.cls.summary.line if i.cls.summary else 0, i.cls.path),
        )
        for info in infos + externals:
            self._complete(info)
        for info in infos + externals:
            self._complete_parents(info)
        for info in infos + externals:
            if info.model is not None:
                self.reverse.add(info.model)
        return [i.model for i in infos + externals if i.model is not None]

    # -- models outside the tree ----------------------------------------------------------
    def _external(self, cls: ClassValue) -> ModelInfo | None:
        """The model record of a class outside the tree, built on first reference."""
        if cls.origin == ORIGIN_TREE or cls.summary is None or not self.is_model(cls):
            return None
        mod = self.index.module(cls.module)
        if mod is None:
            return None
        info = ModelInfo(cls, mod, [], external=True)
        self.infos[cls.key] = info
        self.external_apps.app_for(cls.module)
        self._set_model(info, self._model_shell(info))
        if not info.model.abstract:
            self.labels.add(info.model)
        self.externals.append(info)
        self._fields(info)
        return info

    def _external_label(self, label: str) -> tuple[str | None, bool]:
        """(label of the model outside the tree that ``app_label.Model`` names, whether the
        app's models module was read)."""
        unsure = not self._installed_known or self.external_apps.guessed
        cls, searched = self.external_apps.class_for_label(label, guess=unsure)
        model = self.model_of(cls) if cls is not None else None
        found = model.label if model is not None and not model.abstract else None
        return found, searched

    # -- completeness ---------------------------------------------------------------------
    def _complete(self, info: ModelInfo) -> None:
        """Say what stayed unknown: bases outside everything readable, unresolved field classes."""
        model = info.model
        assert model is not None
        reasons: list[str] = list(info.reasons)
        summary = info.cls.summary
        for expr, value in zip(summary.bases if summary else [], self.index.bases(info.cls)):
            if value is None or isinstance(value, (Instance, FunctionValue, Literal)):
                reasons.append(f"base {expr.source or expr.ref} could not be resolved to a class")
        for anc in self.index.mro(info.cls)[1:]:
            if isinstance(anc, External) and may_add_fields(anc.path):
                reasons.append(f"base {anc.path} not found")
        for spec in self.local_fields(info.cls):
            if not spec.fclass.resolved:
                reasons.append(f"field {spec.name}: class {spec.fclass.path} not found")
            elif self.field_classes.adds_unknown_fields(spec.field_cls):
                reasons.append(
                    f"field {spec.name}: {spec.fclass.path}.contribute_to_class adds fields "
                    "with add_to_class, which djatlas does not follow"
                )
        meta = summary.meta if summary is not None else None
        computed = meta is not None and is_expr(meta.options.get("abstract"))
        if computed and self._computed_abstract(info.cls) is UNKNOWN:
            reasons.append("Meta.abstract is not known statically; taken as not abstract")
        for anc in self.index.mro(info.cls):
            if isinstance(anc, ClassValue):
                reasons += self._member_reasons.get(anc.key, ())
        for option in _NAMING_OPTIONS:
            value = model.meta.get(option)
            if is_expr(value) and (option != "db_table" or not model.abstract):
                reasons.append(f"Meta.{option} {value['$expr']} is not known statically")
        model.incomplete_reasons = reasons
        model.complete = not reasons

    def _complete_parents(self, info: ModelInfo, depth: int = 0) -> None:
        """A model whose multi-table or proxy parent is incomplete is incomplete too."""
        model = info.model
        assert model is not None
        for label in model.parents:
            parent = self.labels.get(label, model.project)
            if parent is None or parent is model or depth > 20:
                continue
            pinfo = self._by_model.get(id(parent))
            if pinfo is not None:
                self._complete_parents(pinfo, depth + 1)
            reason = f"parent {label} is incomplete"
            if not parent.complete and reason not in model.incomplete_reasons:
                model.incomplete_reasons.append(reason)
                model.complete = False

    def _set_model(self, info: ModelInfo, model: Model) -> None:
        """Give ``info`` its record; ``_by_model`` finds the info of a record in one step."""
        info.model = model
        self._by_model[id(model)] = info

    def _register_labels(self, infos: list[ModelInfo]) -> None:
        self._tree_apps = {i.model.app_label for i in infos if i.model is not None}
        self._known_apps = {a.label for a in self.registry.apps.values()}
        settings = self.registry.settings
        self._installed_known = bool(settings.installed_apps) or any(
            s.installed_apps for s in settings.by_root.values()
        )
        for info in infos:
            m = info.model
            assert m is not None
            if m.abstract:
                continue
            self.labels.add(m)

    def _model_shell(self, info: ModelInfo) -> Model:
        cls, mod = info.cls, info.module
        summary = cls.summary
        assert summary is not None
        meta, meta_from = self.effective_meta(cls)
        abstract = self._abstract(cls)
        proxy = meta.get("proxy") is True
        app_label = meta.get("app_label") if isinstance(meta.get("app_label"), str) else None
        app_label = app_label or self.registry.for_file(cls.file).label_for(cls.module)
        external = info.external
        bases = []
        for expr, value in zip(summary.bases, self.index.bases(cls)):
            name = expr.ref or expr.source
            origin = value.origin if isinstance(value, ClassValue) else ORIGIN_UNRESOLVED
            bases.append(Base(name, path_of(value), origin))
        for ext in info.assumed:
            self.diagnostics.append(
                Diagnostic(
                    "warning",
                    "DJA101",
                    f"base {ext} of {summary.name} was not found in the tree, the environment or "
                    "djatlas's bundled knowledge; assumed to be a model by its name",
                    mod.relpath,
                    summary.line,
                    f"{app_label}.{summary.name}",
                )
            )
        model_name = summary.name.lower()
        db_table = None
        if not abstract:  # (Django: an empty or None db_table is the default one)
            table = meta.get("db_table")
            if not is_expr(table):  # (else not known statically: ``_complete`` says so)
                db_table = table if table and isinstance(table, str) else None
                db_table = db_table or f"{app_label}_{model_name}"
        has_str = False
        for c in self.index.mro(cls):  # (a loop, not ``any`` of a generator: per model)
            if (
                isinstance(c, ClassValue)
                and c.summary is not None
                and "__str__" in c.summary.methods
                and c.path not in MODEL_ROOTS
            ):
                has_str = True
                break
        project = None if external else self._project(mod.relpath)
        # Positional, in Model's order (as Field's in ``_field``), ``project`` its keyword only.
        return Model(
            summary.name,  # name
            f"{app_label}.{summary.name}",  # label
            app_label,
            cls.module,  # module
            None if external else mod.relpath,  # file
            None if external else summary.line,  # line
            summary.docstring,  # docstring
            bases,
            abstract,
            proxy,
            [],  # parents
            None,  # concrete_model
            db_table,
            meta,
            meta_from,  # meta_inherited_from
            sorted(summary.methods),  # methods
            has_str,
            [],  # fields
            [],  # reverse_relations
            external,
            cls.origin,  # origin
            project=project.name if project is not None else None,
        )

    def _concrete_parents(self, cls: ClassValue) -> list[ClassValue]:
        """The concrete model classes Django makes parents (through abstract bases), memoised."""
        key = cls.key
        if key in self._parents:
            return self._parents[key]
        out: list[ClassValue] = []
        self._parents[key] = out  # a cyclic base adds nothing
        for base in self.index.bases(cls):
            if isinstance(base, ClassValue) and self.is_model(base) and not self._abstract(base):
                out.append(base)
            elif isinstance(base, ClassValue) and self.is_model(base) and self._abstract(base):
                out.extend(p for p in self._concrete_parents(base) if p not in out)
        return out

    def model_of(self, cls: ClassValue) -> Model | None:
        info = self.info_of(cls) or self._external(cls)
        return info.model if info else None

    def _fields(self, info: ModelInfo) -> None:
        model = info.model
        assert model is not None
        self._done.add(id(model))
        cls = info.cls
        skey = self.constants.settings_key(model.file)
        if model.abstract:
            model.fields = [self._field(s, model, info, skey) for s in self.local_fields(cls)]
            return
        parents = [p for p in self._concrete_parents(cls)]
        parent_models = [self.model_of(p) for p in parents]
        model.parents = [p.label for p in parent_models if p is not None]
        if model.proxy:
            concrete = next((p for p in parent_models if p is not None), None)
            if concrete is not None and concrete.proxy:
                self._ensure_fields(concrete)
                concrete = self.labels.get(concrete.concrete_model or "", concrete.project)
            model.concrete_model = concrete.label if concrete else None
            if concrete is not None:
                model.parents = [concrete.label]  # _meta.parents of a proxy: the concrete model
                model.db_table = concrete.db_table
                self._ensure_fields(concrete)
                model.fields = self._proxy_fields(info, concrete, skey)
            return
        model.concrete_model = model.label
        local = [self._field(s, model, info, skey) for s in self.local_fields(cls)]
        links, has_pk = _links_and_pk(local)
        implicit: list[Field] = []
        declared_links = {f.relation.target for f in links}
        for i, pmodel in enumerate(parent_models):
            if pmodel is None or pmodel.label in declared_links:
                continue
            implicit.append(self._ptr(pmodel, model, primary=(i == 0)))
        if links and not (has_pk or any(f.primary_key for f in implicit)):
            links[0].primary_key = True
            links[0].unique = True
            has_pk = True
        if not parents and not has_pk:
            implicit.insert(0, self._auto_pk(model))
        inherited: list[Field] = []
        private: list[Field] = []
        for pmodel in parent_models:
            if pmodel is not None:
                self._ensure_fields(pmodel)
                for f in pmodel.fields:  # its own parent links included, as _meta.get_fields()
                    kept = private if _private(f) else inherited
                    kept.append(self._as_parent(f))
        local += self._added_by_bases(cls, model, local, inherited)
        local = self._with_tagged_items(cls, local)
        wrt = model.meta.get("order_with_respect_to")
        if isinstance(wrt, str) and wrt and not any(f.name == "_order" for f in local):
            local.append(_order_field(cls.path))
        model.fields = inherited + implicit + _django_order(local + private)

    def _proxy_fields(self, info: ModelInfo, concrete: Model, skey: int) -> list[Field]:
        """A proxy's fields: its concrete model's, then its private fields (Django lets a
        proxy add generic relations): those of its own body and abstract bases, then copies
        of the concrete model's (``_meta.private_fields``' order)."""
        model = info.model
        assert model is not None
        copies = [self._as_parent(f) for f in concrete.fields]
        specs = [s for s in self.local_fields(info.cls) if _private_spec(s)]
        if not specs:
            return copies
        own = [self._field(s, model, info, skey) for s in specs]
        names = {f.name for f in own}
        private = [f for f in copies if _private(f)]
        shared = [f for f in copies if f not in private]
        return shared + own + [f for f in private if f.name not in names]

    def _added_by_bases(
        self, cls: ClassValue, model: Model, local: list[Field], inherited: list[Field]
    ) -> list[Field]:
        """Fields a well-known third-party base adds when the class is created (after the
        declared ones): django-mptt's tree fields. Not added where a parent already has them."""
        if not self.field_classes.paths(cls) & _MPTT_BASES:
            return []
        have = {f.name for f in local + inherited}
        out = []
        for name, db_index in (
            ("lft", False),
            ("rght", False),
            ("tree_id", True),
            ("level", False),
        ):
            if name in have:
                continue
            params: dict[str, Any] = {"editable": False}
            if db_index:
                params["db_index"] = True
            out.append(
                Field(  # positional, in Field's order (as in ``_field``)
                    name,
                    "PositiveIntegerField",  # type
                    "django.db.models.PositiveIntegerField",  # resolved_type
                    "PositiveIntegerField",  # django_type
                    None,  # line
                    "declared",  # origin
                    cls.path,  # defined_in
                    params,
                    name,  # column
                    False,  # null
                    False,  # unique
                    False,  # primary_key
                    None,  # max_length
                )
            )
        return out

    # -- search indexes (modelsearch / wagtail.search) ---------------------------------------
    def _index_entries(self, infos: list[ModelInfo]) -> None:
        """``index_entries``: the GenericRelation to the installed IndexEntry model that
        modelsearch's AppConfig.ready() adds to every concrete model with ``search_fields``."""
        indexed = [
            i
            for i in [*infos, *self.externals]
            if i.model is not None and not i.model.abstract and self._is_indexed(i.cls)
        ]
        entry = self._index_entry_model() if indexed else None
        if entry is None:
            return
        for info in indexed:
            model = info.model
            assert model is not None
            added = _generic_relation("index_entries", entry, info.cls.path)
            added.type = "TextIDGenericRelation"
            added.resolved_type = _TEXT_ID_RELATION
            model.fields = [f for f in model.fields if f.name != "index_entries"] + [added]

    def _is_indexed(self, cls: ClassValue) -> bool:
        if not self.field_classes.paths(cls) & _INDEXED:
            return False
        mro = self.index.mro(cls)
        return any(
            isinstance(c, ClassValue)
            and c.path not in _INDEXED
            and c.summary is not None
            and "search_fields" in c.summary.attributes
            for c in mro
        )

    def _index_entry_model(self) -> str | None:
        for info in [*self.infos.values()]:
            model = info.model
            if model is None or model.abstract:
                continue
            if _INDEX_ENTRY_BASE in mro_paths(self.index, info.cls):
                return model.label
        for label in _INDEX_ENTRY_LABELS:
            if label.partition(".")[0] in self._known_apps:
                found, _ = self._external_label(label)
                if found is not None:
                    return found
        return None

    # -- django-taggit ----------------------------------------------------------------------
    def _taggit_relation(self, relation: Relation, model: Model) -> None:
        """TaggableManager: ``through`` defaults to taggit's TaggedItem, the target to the
        through model's ``tag`` foreign key's (TaggableManager.__init__/post_through_setup)."""
        if relation.through is None:
            relation.through = self._label_from_string(_TAGGIT_THROUGH, model, trusted=True)
        through = self.labels.get(relation.through or "", model.project)
        if relation.target is None and through is not None:
            self._ensure_fields(through)
            tag = next((f for f in through.fields if f.name == "tag" and f.relation), None)
            relation.target = tag.relation.target if tag and tag.relation else None

    def _with_tagged_items(self, cls: ClassValue, local: list[Field]) -> list[Field]:
        """``local`` with the ``tagged_items`` GenericRelation a TaggableManager adds when its
        through model is a generic tagged item (``CommonGenericTaggedItemBase``), where Django
        adds it: as the manager is added to the class (``post_through_setup``), among the
        private fields added so far (``_tag_position``); last when the through model is named
        by a string (taggit's ``lazy_related_operation`` then waits for the class itself to be
        registered, after its fields)."""
        project = self._project_of(cls)
        for f in local:
            rel = f.relation
            if rel is None or rel.kind != "RelatedField" or not rel.through:
                continue  # only a TaggableManager-like relation has a tagged-item through model
            through = self.labels.get(rel.through, project)
            if through is None:
                continue
            tinfo = self._by_model.get(id(through))
            if tinfo is None or not self.field_classes.has_base(tinfo.cls, _GENERIC_TAGGED):
                continue
            if any(g.name == "tagged_items" for g in local):
                return local
            added = _generic_relation("tagged_items", through.label, cls.path)
            if isinstance(f.params.get("through"), str):  # (a lazy operation on the class too)
                return [*local, added]
            at = self._tag_position(cls, f, local)
            return [*local[:at], added, *local[at:]]
        return local

    def _tag_position(self, cls: ClassValue, manager: Field, local: list[Field]) -> int:
        """Where the manager's ``tagged_items`` goes in ``local``: before the first private
        field Django adds after the manager. The class body's own come first, in body order;
        then, base by base in MRO order, each abstract base's fields (the manager among them,
        for an inherited one) and then its private fields."""
        mro = self.index.mro(cls)
        provided: dict[str, int] = {}
        for i, anc in enumerate(mro[1:], 1):
            if isinstance(anc, ClassValue) and self.is_model(anc):
                for spec in self.local_fields(anc):
                    provided.setdefault(spec.name, i)

        def key(f: Field, tagged: bool = False) -> tuple[float, ...]:
            if f.origin == "declared":
                return (0, (f.line or 0) + (0.5 if tagged else 0))
            return (1, provided.get(f.name, len(mro)), 0 if tagged else 1)

        after = key(manager, tagged=True)
        for i, f in enumerate(local):
            if _private(f) and key(f) > after:
                return i
        return len(local)

    def _ensure_fields(self, model: Model) -> None:
        if id(model) in self._done:
            return
        info = self._by_model.get(id(model))
        if info is not None:
            self._fields(info)

    @staticmethod
    def _as_parent(f: Field) -> Field:
        """``replace(f, origin="parent")``: a Field holds its declared fields only, so a copy
        of its attributes is that record, made without ``replace``'s keyword work (a parent's
        fields are copied into every child)."""
        copied = object.__new__(Field)
        copied.__dict__.update(f.__dict__)
        copied.origin = "parent"
        rel = f.relation
        if rel is not None and rel.kind == "GenericRelation":
            # Django: an inherited GenericRelation has no reverse relation (``mti_inherited``)
            copied.relation = replace(rel, related_name="+", related_query_name=None)
        return copied

    def _auto_pk(self, model: Model) -> Field:
        key = (model.file, model.module)
        path = self._auto_fields.get(key)
        if path is None:  # the same for every model of a module
            app = self.registry.for_file(model.file).app_for(model.module)
            path = self._auto_fields[key] = (
                app.default_auto_field
                if app and app.default_auto_field
                else self.registry.settings.for_file(model.file).default_auto_field
            )
        short = path.rsplit(".", 1)[-1]
        # Positional, in Field's order (as in ``_field``): one for most concrete models.
        return Field(
            "id",  # name
            short,  # type
            self._class_path(path),  # resolved_type
            short,  # django_type
            None,  # line
            "implicit",  # origin
            None,  # defined_in
            {"verbose_name": "ID", "primary_key": True},  # params
            "id",  # column
            False,  # null
            True,  # unique
            True,  # primary_key
            None,  # max_length
        )

    def _unknown_callee(self, mod: LoadedModule, call: Call) -> bool:
        """Whether a class-body call's callee is a name djatlas cannot resolve, or a class
        named by a string (post_office's ``context_field_class =
        import_string(CONTEXT_FIELD_CLASS)``): the member may be a field."""
        func = self.index.resolve(mod, call.func)
        return func is None or (
            isinstance(func, Instance) and getattr(func.cls, "path", None) == _IMPORT_STRING
        )

    def _class_path(self, dotted: str) -> str:
        """Where the class a setting names (``django.db.models.AutoField``) is defined, as an
        explicit field's ``resolved_type`` says (``django.db.models.fields.AutoField``); the
        name as written when it cannot be read."""
        found = self._class_paths.get(dotted)
        if found is None:
            cls = self.index.at_path(dotted)
            found = cls.path if isinstance(cls, (ClassValue, External)) else dotted
            self._class_paths[dotted] = found
        return found

    def _ptr(self, parent: Model, model: Model, primary: bool) -> Field:
        name = f"{parent.name.lower()}_ptr"
        # Positional, in Field's and Relation's orders (as in ``_field``).
        return Field(
            name,
            "OneToOneField",  # type
            self._class_path("django.db.models.OneToOneField"),  # resolved_type
            "OneToOneField",  # django_type
            None,  # line
            "implicit",  # origin
            None,  # defined_in
            {
                "to": parent.label,
                "on_delete": {"$expr": "CASCADE"},
                "parent_link": True,
                "auto_created": True,
            },
            f"{name}_id",  # column
            False,  # null
            True,  # unique
            primary,  # primary_key
            None,  # max_length
            Relation(
                "OneToOneField",  # kind
                parent.label,  # target
                parent.label,  # target_raw
                None,  # related_name
                None,  # related_query_name
                "CASCADE",  # on_delete
                None,  # through
                None,  # through_id
                None,  # to_field
                True,  # parent_link
            ),
        )

    # -- one field ------------------------------------------------------------------------
    def _args(self, spec: FieldSpec) -> FieldArgs:
        """The arguments of a field declaration and what the Field record takes from them
        alone (read once per declaration: an abstract model's fields are built again for
        every model that inherits them)."""
        if spec.args is not None:
            return spec.args
        call = spec.call
        if call.args and spec.fclass.django_type == _COMPOSITE:  # (the names of its fields)
            params, args_by_name = {"field_names": [a.value for a in call.args]}, {}
            for key, arg in call.kwargs.items():
                params[key] = arg.value
                args_by_name[key] = arg
        elif call.args:
            params, args_by_name = _positional(call.args, spec.fclass.init_params)
            for key, arg in call.kwargs.items():
                params[key] = arg.value
                args_by_name[key] = arg
        else:  # the usual declaration: keywords only, taken in one pass
            params = {key: arg.value for key, arg in call.kwargs.items()}
            args_by_name = call.kwargs  # read only, as every FieldArgs dict
        args_by_name = self._class_scoped(spec, args_by_name)
        init, facts = self.field_classes.init_and_facts(spec.field_cls)
        eff, forced = self._forced_kwargs(params, init, facts)
        db_column = eff.get("db_column")
        if is_expr(db_column) and "db_column" in args_by_name:  # ``f"{PREFIX}_name"``
            found = self.constants.value(
                args_by_name["db_column"], spec.arg_module or spec.module, spec.owner.file
            )
            db_column = found if isinstance(found, str) else db_column
        rel_args, static = self._static(spec, eff, forced, args_by_name, db_column)
        args = spec.args = FieldArgs(params, args_by_name, eff, forced, init, rel_args, static)
        return args

    def _class_scoped(self, spec: FieldSpec, by_name: dict[str, Arg]) -> dict[str, Arg]:
        """A field's arguments with each bare name its class body binds before it (paperless'
        ``MAX_STORED_FILENAME_LENGTH = 1024`` then ``max_length=MAX_STORED_FILENAME_LENGTH``)
        given that value: Python looks a class body's names up in the class's namespace
        first (its own body only, not its bases')."""
        summary = spec.owner.summary
        if summary is None or spec.placed is not None or not by_name:
            return by_name
        out = by_name
        for key, arg in by_name.items():
            ref = arg.ref
            if not ref or "." in ref or not is_expr(arg.value):
                continue
            bound = [m for m in summary.members if m.name == ref and m.line < spec.line]
            if not bound or bound[-1].name in self.declared(spec.owner):
                continue
            value = self.constants.expr_value(bound[-1].value, spec.module, spec.owner.file)
            if value is not UNKNOWN and not is_expr(value):
                out = dict(out) if out is by_name else out
                out[key] = Arg(value)
        return out

    @staticmethod
    def _static(
        spec: FieldSpec,
        eff: dict[str, Any],
        forced: AbstractSet[str],
        by_name: dict[str, Arg],
        db_column: Any,
    ) -> tuple[dict[str, Arg], tuple]:
        """(relation arguments, the Field values no model changes) of a declaration, from its
        effective keyword values, those the field class forces, its arguments by name and its
        ``db_column`` (folded when a computation of constants)."""
        fc = spec.fclass
        relation = fc.relation
        rel_args = by_name
        if relation:
            to = eff.get("to")
            if isinstance(to, str) and ("to" in forced or "to" not in by_name):
                rel_args = {**by_name, "to": Arg(to)}  # set by the field class (django-filer)
        composite = fc.django_type == _COMPOSITE  # Django 5.2: the primary key, no column
        primary = eff.get("primary_key") is True or composite
        unique = primary or eff.get("unique") is True or relation == "OneToOneField"
        null = (
            eff.get("null") is True
            or fc.django_type == "NullBooleanField"
            or relation == "GenericRelation"
        )
        column: str | None = None
        if relation not in _NO_COLUMN and not composite and not fc.private:
            column = f"{spec.name}_id" if relation in _ID_COLUMN else spec.name
            if isinstance(db_column, str):
                column = db_column
        line = spec.line if spec.module.origin != ORIGIN_BUILTIN and not spec.added else None
        resolved_type = fc.path if fc.resolved or fc.path else None
        return rel_args, (resolved_type, line, column, null, unique, primary)

    def _taggable(self, spec: FieldSpec, args: FieldArgs) -> bool:
        """Whether a relation's field class is a TaggableManager, once per declaration
        (``FieldArgs.on_delete``'s way: a relation of an abstract model is built again for
        every model that inherits it; netbox asks ~1,300 times for ~500 declarations)."""
        found = args.taggable
        if found is None:
            found = args.taggable = self.field_classes.has_base(spec.field_cls, _TAGGABLE)
        return found

    def _max_length(self, spec: FieldSpec, args: FieldArgs, model: Model) -> int | None:
        eff, forced, by_name = args.eff, args.forced, args.by_name
        if "max_length" not in eff:  # most fields: neither written (``eff`` holds the call's
            # arguments, ``by_name``'s names too) nor forced: the field type's default
            return DEFAULT_MAX_LENGTH.get(spec.fclass.django_type or "")
        written = by_name.get("max_length")
        max_length = self._const(written, spec, model) if written is not None else None
        if ("max_length" in forced or "max_length" not in by_name) and isinstance(
            eff.get("max_length"), int
        ):
            max_length = eff["max_length"]
        if not isinstance(max_length, int) or isinstance(max_length, bool):
            max_length = (
                DEFAULT_MAX_LENGTH.get(spec.fclass.django_type or "")
                if "max_length" not in args.params
                else None
            )
        return max_length

    def _field(self, spec: FieldSpec, model: Model, info: ModelInfo, skey: int) -> Field:
        """The Field record of a declaration on ``model``; ``skey`` is the settings key of the
        model's file (``Constants.settings_key``, worked out once per model)."""
        fc = spec.fclass
        args = spec.args or self._args(spec)
        found = args.per_settings.get(skey)
        if found is None:  # (known_params, max_length) on a model of a file with these settings
            known = self._known_params(args, spec, model, skey)
            found = args.per_settings[skey] = (known, self._max_length(spec, args, model))
        known, max_length = found
        owner = spec.owner
        origin = "declared" if owner is info.cls or owner.key == info.cls.key else "inherited"
        relation = None
        if fc.relation:
            relation = self._relation(fc.relation, args.rel_args, spec, model)
            if not model.abstract and self._taggable(spec, args):
                self._taggit_relation(relation, model)
        resolved_type, line, column, null, unique, primary = args.static
        # Positional, in Field's order: calling a class with keywords first gathers them in a
        # dict (CPython's type call), twice the cost of the record itself, for every field.
        return Field(
            spec.name,  # name
            spec.call.source,  # type
            resolved_type,
            fc.django_type,
            line,
            origin,
            owner.path,  # defined_in
            args.params,
            column,
            null,
            unique,
            primary,  # primary_key
            max_length,
            relation,
            known,  # known_params
        )

    def _known_params(
        self, fargs: FieldArgs, spec: FieldSpec, model: Model, skey: int
    ) -> dict[str, Any]:
        """Keyword values known statically though not written as literals in the call: named
        constants, and literals a non-Django field class's ``__init__`` forces or defaults
        (not the bundled computed values, which depend on the installed version). ``skey``:
        ``_field``'s settings key of the model's file (not worked out again per argument)."""
        params, args, eff = fargs.params, fargs.by_name, fargs.eff
        known: dict[str, Any] = {}
        value_of, mod = self.constants.value, spec.arg_module or spec.module
        for key, value in params.items():
            # A literal needs no evaluation (most values: told apart without a call).
            if is_expr(value) and key in args:
                found = value_of(args[key], mod, model.file, skey)  # (``_const``, inline)
                if found is not UNKNOWN and found is not None and not is_expr(found):
                    known[key] = found
        if not fargs.init.declared:  # Django's own field classes
            return known
        seen = set(known)
        for key, value, forced, expr in fargs.init.declared:
            if key in seen or (key in params and not forced):
                continue
            seen.add(key)
            if not expr and eff.get(key) == value:
                known[key] = value
        return known

    @staticmethod
    def _forced_kwargs(
        params: dict[str, Any], init: InitValues, facts: dict | None
    ) -> tuple[dict[str, Any], AbstractSet[str]]:
        """Call parameters plus what the field classes' ``__init__`` force or default
        (``init``) and the bundled computed values (``facts``). For most field classes that
        is the parameters themselves (no copy: nothing changes a FieldArgs dict once made)."""
        if facts is None and not init.defaults and not init.forced:  # most field classes
            return params, _NOTHING_FORCED
        eff = dict(params)
        for key, value in init.defaults.items():
            if key not in eff:
                eff[key] = value
        eff.update(init.forced)  # a forced value wins over the call's and over any default
        forced = set(init.forced)
        if facts is not None:
            apply_values(facts, params, eff, forced)
        return eff, forced

    def _relation(self, kind: str, args: dict[str, Arg], spec: FieldSpec, model: Model) -> Relation:
        to = args.get("to")
        target, raw = (None, None)
        if kind != "GenericForeignKey":
            target, raw = self._target(to, spec, model)
        # (``_cstr`` only for an argument written: most relations name few of them)
        related_name = args.get("related_name")
        if related_name is not None:
            related_name = self._cstr(related_name, spec, model)
        if related_name:
            related_name = _expand(related_name, model)
        on_delete = "DO_NOTHING" if kind == "GenericRelation" else None
        od = args.get("on_delete")
        if od is not None:
            on_delete = self._on_delete(od, spec)
        through, through_raw = (None, None)
        if args.get("through") is not None:
            through, through_raw = self._target(args["through"], spec, model)
            through = through or through_raw
        m2m_table = None
        if kind == "ManyToManyField" and not model.abstract:
            explicit = self._cstr(args.get("db_table"), spec, model)
            if through is None:
                m2m_table = explicit or (
                    f"{model.db_table}_{spec.name}" if model.db_table else None
                )
        if kind == "ManyToManyField":
            related_name = self._m2m_related_name(args, spec, model, target, related_name)
        if (
            target is None
            and kind != "GenericForeignKey"
            and not model.abstract
            and not (kind == "RelatedField" and raw is None)
        ):
            self.diagnostics.append(
                Diagnostic(
                    "warning",
                    "DJA102",
                    f"relation target {raw!s} of {model.label}.{spec.name} could not be resolved",
                    spec.module.relpath,
                    spec.line,
                    model.label,
                )
            )
        parent_link = args.get("parent_link")
        query_name = args.get("related_query_name")
        if query_name is not None:
            query_name = self._cstr(query_name, spec, model)
        to_field = args.get("to_field")
        if to_field is not None:
            to_field = self._cstr(to_field, spec, model)
        query_name = (_expand(query_name, model) or None) if query_name else None
        if kind == "GenericRelation":  # its GenericRel's: related_query_name or "+"
            related_name = query_name or "+"
        # Positional, in Relation's order (as Field's in ``_field``: no dict of keywords).
        return Relation(
            kind,
            target,
            raw,  # target_raw
            related_name,
            query_name,  # related_query_name
            on_delete,
            through,
            None,  # through_id (set with the report's ids)
            to_field,
            bool(parent_link is not None and parent_link.value is True),  # parent_link
            m2m_table,  # m2m_db_table
        )

    def _on_delete(self, od: Arg, spec: FieldSpec) -> str | None:
        """Django's name of an ``on_delete`` argument (aliases such as ``PROTECT as protect``
        resolved), once per declaration."""
        args = spec.args
        if args is not None and args.on_delete is not _UNSET:
            return args.on_delete
        name = od.ref or od.call
        value = self.index.resolve(spec.arg_module or spec.module, name) if name else None
        resolved = getattr(value, "path", None) or getattr(value, "name", None) or name
        found = (resolved or _str(od) or "").rsplit(".", 1)[-1] or None
        if args is not None:
            args.on_delete = found
        return found

    @staticmethod
    def _m2m_related_name(
        args: dict[str, Arg], spec: FieldSpec, model: Model, target: str | None, name: str | None
    ) -> str | None:
        """Django's ManyToManyField.contribute_to_class: a symmetrical relation (the literal
        ``'self'``, or ``symmetrical=True`` to its own model) hides its accessor as
        ``<name>_rel_+``; another hidden one (``+``) becomes ``_<app>_<model>_<name>_+``."""
        to, sym = args.get("to"), args.get("symmetrical")
        if sym is not None and isinstance(sym.value, bool):
            symmetrical = sym.value
        else:
            symmetrical = to is not None and to.value == "self"
        if symmetrical and target == model.label:
            return f"{spec.name}_rel_+"
        if name is not None and name.endswith("+") and not model.abstract:
            return f"_{model.app_label}_{model.name.lower()}_{spec.name}_+"
        return name

    def _target(
        self, arg: Arg | None, spec: FieldSpec, model: Model
    ) -> tuple[str | None, str | None]:
        """(canonical label or None, raw form) of a relation target argument."""
        if arg is None:
            return None, None
        if isinstance(arg.value, str):
            return self._label_from_string(arg.value, model), repr(arg.value)
        raw = arg.ref or (arg.value.get("$expr") if isinstance(arg.value, dict) else None)
        if arg.call and arg.call.rsplit(".", 1)[-1] == "get_user_model":
            user = self.registry.settings.for_file(model.file).auth_user_model
            return self._label_from_string(user, model, trusted=True), raw
        if arg.ref:
            if arg.ref.endswith("AUTH_USER_MODEL"):
                return self._label_from_string(
                    self.registry.settings.for_file(model.file).auth_user_model, model, True
                ), raw
            value = self.index.resolve(spec.arg_module or spec.module, arg.ref)
            if not isinstance(value, ClassValue):
                loaded = self.loading.resolve(
                    spec.arg_module or spec.module, Expr(kind="ref", ref=arg.ref)
                )
                value = loaded or value
            if isinstance(value, Literal) and isinstance(value.value, str):
                return self._label_from_string(value.value, model), raw
            if (
                isinstance(value, Instance)
                and isinstance(value.call, Call)
                and (
                    value.call.func.endswith("get_user_model")
                    or any(
                        a.value == "AUTH_USER_MODEL" or (a.ref or "").endswith(".AUTH_USER_MODEL")
                        for a in value.call.args
                    )
                )
            ):
                return self._label_from_string(
                    self.registry.settings.for_file(model.file).auth_user_model, model, True
                ), raw
            if isinstance(value, ClassValue):
                target = self.model_of(value)
                if target is not None:
                    return target.label, raw
                if self.is_model(value):
                    label = self.registry.for_file(value.file).label_for(value.module)
                    return f"{label}.{value.name}", raw
            if isinstance(value, (External, FunctionValue, ModuleValue, Instance)):
                const = self._const(arg, spec, model)
                if isinstance(const, str):
                    return self._label_from_string(const, model, self._is_user(const, model)), raw
                return None, raw
        const = self._const(arg, spec, model)
        if isinstance(const, str):
            return self._label_from_string(const, model, self._is_user(const, model)), raw
        return None, raw

    def _is_user(self, label: str, model: Model) -> bool:
        return label == self.registry.settings.for_file(model.file).auth_user_model

    def _const(self, arg: Arg | None, spec: FieldSpec, model: Model) -> Any:
        """An argument's value when statically known (literal, constant, setting), else None."""
        if arg is None:
            return None
        if not isinstance(arg.value, dict):  # a literal (asked for every relation argument)
            return arg.value
        value = self.constants.value(arg, spec.arg_module or spec.module, model.file)
        return None if value is UNKNOWN else value

    def _cstr(self, arg: Arg | None, spec: FieldSpec, model: Model) -> str | None:
        if arg is None:
            return None
        value = arg.value if not isinstance(arg.value, dict) else self._const(arg, spec, model)
        return value if isinstance(value, str) else None

    def _label_from_string(self, text: str, model: Model, trusted: bool = False) -> str | None:
        """Canonical label for a string target; None when it names no model djatlas knows.

        ``trusted`` labels (AUTH_USER_MODEL from settings) are kept even for unknown apps.
        """
        if text == "self":
            return model.label
        label = text if "." in text else f"{model.app_label}.{text}"  # (``app.Model`` as is)
        known = self.labels.canonical(label, model.project)
        if known is not None:
            return known
        app = label.rpartition(".")[0]
        if not trusted and (app in self._tree_apps or "." in app):
            return None  # an app of the tree without that model, or no label at all
        found, searched = self._external_label(label)
        if found is not None:
            return found
        unsure = not self._installed_known or self.external_apps.guessed
        if trusted or (not searched and (app in self._known_apps or unsure)):
            # An installed app whose code djatlas cannot read (e.g. bkpaas_auth.User), or any
            # app when the installed apps or some of their labels are not known.
            return label
        return None  # no such model in the app's models module, or no such app installed

    def _project_of(self, cls: ClassValue) -> str | None:
        project = self._project(cls.file) if cls.origin == ORIGIN_TREE else None
        return project.name if project is not None else None

    # -- per file: the project, its settings and app registry (memoised: asked per model and
    # -- per relation, for a few hundred files) ----------------------------------------------
    def _project(self, relpath: str | None) -> Project | None:
        found = self._projects_by_file.get(relpath, _UNSET)
        if found is _UNSET:
            found = self._projects_by_file[relpath] = project_for(self._projects, relpath)
        return found

    def finish(self, models: list[Model]) -> None:
        self.reverse.share(models)


#: django-mptt's model base, however it was reached.
_MPTT_BASES = frozenset({"mptt.models.MPTTModel"})


class ProjectLabels:
    """Concrete models by label as each Django project's app registry has them: a project's
    own models first, then those outside every project (Django's, the environment's, shared
    code), then another project's (a label Django would not resolve, kept rather than lost)."""

    def __init__(self) -> None:
        self.models: dict[str | None, dict[str, Model]] = {}
        self.folded: dict[str | None, dict[str, str]] = {}
        #: The search order per project, until a model of a new project is added.
        self._orders: dict[str | None, list[str | None]] = {}

    def add(self, model: Model) -> None:
        if model.project not in self.models:
            self._orders.clear()
        self.models.setdefault(model.project, {}).setdefault(model.label, model)
        self.folded.setdefault(model.project, {}).setdefault(model.label.lower(), model.label)

    def _order(self, project: str | None) -> list[str | None]:
        order = self._orders.get(project)
        if order is None:
            others = sorted(p for p in self.models if p is not None and p != project)
            order = [project, None, *others] if project is not None else [None, *others]
            self._orders[project] = order
        return order

    def get(self, label: str, project: str | None) -> Model | None:
        """The model ``label`` names from ``project``'s point of view."""
        models = self.models
        for p in self._order(project):
            found = models.get(p, _NO_LABELS).get(label)
            if found is not None:
                return found
        return None

    def canonical(self, label: str, project: str | None) -> str | None:
        """``label`` as a model spells it (labels are case-insensitive), if any model has it."""
        folded, lowered = self.folded, label.lower()
        for p in self._order(project):
            found = folded.get(p, _NO_LABELS).get(lowered)
            if found is not None:
                return found
        return None


#: ``ProjectLabels``' answer for a project with no model (never changed).
_NO_LABELS: dict = {}


#: Relation kinds with no column of their own, and those whose column is ``<name>_id``.
_NO_COLUMN = frozenset({"ManyToManyField", "GenericForeignKey", "GenericRelation", "RelatedField"})
#: Django 5.2's primary key of several fields (``pk = CompositePrimaryKey("a", "b")``).
_COMPOSITE = "CompositePrimaryKey"
_ID_COLUMN = frozenset({"ForeignKey", "OneToOneField"})


def _positional(args: list[Arg], names: list[str]) -> tuple[dict[str, Any], dict[str, Arg]]:
    """(params, Arg by name) of a call's positional arguments, named by the field class's
    ``__init__`` (``argN`` past its parameters)."""
    params: dict[str, Any] = {}
    by_name: dict[str, Arg] = {}
    for i, arg in enumerate(args):
        if i < len(names):
            params[names[i]] = arg.value
            by_name[names[i]] = arg
        else:
            params[f"arg{i + 1}"] = arg.value
    return params, by_name


#: A FieldSpec's sort key (``order``), read in C: a key function per field costs a call each.
_by_order = attrgetter("order")


def _model_like_body(summary: ClassSummary | None) -> bool:
    """A class body that reads like a model's: a ``Meta`` class or a field-like call."""
    if summary is None:
        return False
    if summary.meta is not None:
        return True
    return any(
        m.value.kind == "call"
        and m.value.call is not None
        and m.value.call.func.rsplit(".", 1)[-1].endswith(("Field", "ForeignKey", "Manager"))
        for m in summary.members
    )


def _is_django(path: str) -> bool:
    return path.startswith("django.")


_INDEXED = frozenset({"modelsearch.index.Indexed", "wagtail.search.index.Indexed"})
_INDEX_ENTRY_BASE = "modelsearch.abstract_models.BaseIndexEntry"
_INDEX_ENTRY_LABELS = ("wagtailsearch.IndexEntry", "modelsearch.IndexEntry")
_TEXT_ID_RELATION = "modelsearch.abstract_models.TextIDGenericRelation"
_TAGGABLE = "taggit.managers.TaggableManager"
_TAGGIT_THROUGH = "taggit.TaggedItem"
_GENERIC_TAGGED = "taggit.models.CommonGenericTaggedItemBase"


def _generic_relation(name: str, target: str, owner: str) -> Field:
    """A GenericRelation added by a package at class creation (hidden reverse accessor);
    made positionally, in Field's and Relation's orders (once per model with tags, netbox)."""
    return Field(
        name,
        "GenericRelation",  # type
        "django.contrib.contenttypes.fields.GenericRelation",  # resolved_type
        "GenericRelation",  # django_type
        None,  # line
        "declared",  # origin
        owner,  # defined_in
        {"to": target},  # params
        None,  # column
        True,  # null
        False,  # unique
        False,  # primary_key
        None,  # max_length
        Relation("GenericRelation", target, None, "+", None, "DO_NOTHING"),
    )


def _order_field(owner: str) -> Field:
    """The ``_order`` column Django adds for ``Meta.order_with_respect_to``."""
    return Field(
        name="_order",
        type="OrderWrt",
        resolved_type="django.db.models.fields.proxy.OrderWrt",
        django_type="OrderWrt",
        line=None,
        origin="declared",
        defined_in=owner,
        params={"editable": False},
        column="_order",
        null=False,
        unique=False,
        primary_key=False,
        max_length=None,
    )


#: Relation kinds Django keeps in ``local_many_to_many``, and as private fields.
_MANY = frozenset({"ManyToManyField", "RelatedField"})
_PRIVATE = frozenset({"GenericForeignKey", "GenericRelation"})


def _django_order(fields: list[Field]) -> list[Field]:
    """local_fields, then local_many_to_many, then private fields (GenericForeignKey), each
    in the order given (a stable sort by that bucket, read in one pass: per model)."""
    plain: list[Field] = []
    many: list[Field] = []
    private: list[Field] = []
    for f in fields:
        rel = f.relation
        if rel is None:
            (private if f.column is None and f.django_type is None else plain).append(f)
        elif rel.kind in _MANY:
            many.append(f)
        elif rel.kind in _PRIVATE:
            private.append(f)
        else:
            plain.append(f)
    return plain + many + private


def _private_order(specs: list[FieldSpec], own: dict, added: list[str]) -> list[FieldSpec]:
    """``specs`` with the private ones (generic relations) in Django's order: a list it
    appends to, not sorted by creation counter — the class body's own first, then those of
    its abstract parents (``added``: the order the parents' were taken in)."""
    private = [s for s in specs if _private_spec(s)]
    rank = {name: i for i, name in enumerate(added)}
    private.sort(key=lambda s: (own.get(s.name) is not s, rank.get(s.name, 0)))
    it = iter(private)
    return [next(it) if _private_spec(s) else s for s in specs]


def _private_spec(spec: FieldSpec) -> bool:
    """A declaration of a private field: a generic relation, or a class registered as one."""
    return spec.fclass.relation in _PRIVATE or spec.fclass.private


def _private(f: Field) -> bool:
    """A private field (``_meta.private_fields``): a generic relation, or a class that is not a
    Django field registered as one (no column, no relation, no Django type)."""
    rel = f.relation
    if rel is not None:
        return rel.kind in _PRIVATE
    return f.column is None and f.django_type is None


def _links_and_pk(local: list[Field]) -> tuple[list[Field], bool]:
    """(the parent links among a model's local fields, whether one of them is the primary
    key), in one pass over them."""
    links: list[Field] = []
    has_pk = False
    for f in local:
        if f.primary_key:
            has_pk = True
        rel = f.relation
        if rel is not None and rel.parent_link:
            links.append(f)
    return links, has_pk


def _str(arg: Arg | None) -> str | None:
    if arg is None:
        return None
    return arg.value if isinstance(arg.value, str) else None


def _expand(text: str, model: Model) -> str:
    if "%(" not in text:
        return text
    values = {
        "class": model.name.lower(),
        "model_name": model.name.lower(),
        "app_label": model.app_label.lower(),
    }
    try:
        return text % values
    except (KeyError, ValueError, TypeError):
        return text
