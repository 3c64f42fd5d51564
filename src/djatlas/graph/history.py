"""The models django-simple-history makes: ``history = HistoricalRecords()`` in a model's body
registers ``Historical<Model>`` in the model's app when the model class is ready (its
``finalize``), as ``django.setup()`` has it (django-simple-history 3.x):

- the model's concrete fields, copied in order (``copy_fields``): an auto field becomes an
  ``IntegerField`` (``BigIntegerField``), a file field a ``TextField``, a unique or primary
  key field is only indexed; then each foreign key or one-to-one field, as a ``ForeignKey``
  that is nullable, without constraint, ``related_name="+"``, ``on_delete=DO_NOTHING``;
- ``history_id`` (the primary key), ``history_date``, ``history_change_reason``,
  ``history_type``, and ``history_user`` (to AUTH_USER_MODEL, ``related_name="+"``);
- Meta: ordering and get_latest_by on the history date and id, "historical <verbose name>".

``HistoricalRecords(inherit=True)`` on a parent gives every model that inherits it its own;
``simple_history.register(Model, app=..., records_class=..., table_name=..., **options)`` at a
module's top level gives ``Model`` one (in ``app``'s models module when given). The records
class may be ``HistoricalRecords``, a subclass, or a ``functools.partial`` of either (its
keywords first); the ``bases`` option's abstract models add their fields, ordered by creation
as Django orders them. An option djatlas does not follow (``m2m_fields``, a field given as an
object, a subclass's own code) is named in the historical model's ``incomplete_reasons``.
"""

from __future__ import annotations

import re

from djatlas.graph.constants import UNKNOWN, is_expr
from djatlas.graph.types import Base, Field, Model, Relation
from djatlas.parse.summary import Arg, Call
from djatlas.records import dataclass, replace
from djatlas.resolve.values import ClassValue, External, Instance

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.graph.build import GraphBuilder, ModelInfo

RECORDS = "simple_history.models.HistoricalRecords"
_REGISTER = "simple_history.register"
_PARTIAL = "functools.partial"
_CHANGES = "simple_history.models.HistoricalChanges"
#: Options read (the others change what is made: the model is then said incomplete).
_READ = frozenset(
    ("verbose_name", "verbose_name_plural", "user_related_name", "table_name", "inherit",
     "excluded_fields", "user_model", "custom_model_name", "app", "related_name",
     "user_db_constraint", "no_db_index", "cascade_delete_history", "use_base_model_db",
     "get_user", "history_user_getter", "history_user_setter", "history_manager",
     "historical_queryset", "m2m_fields_model_field_name", "bases")
)  # fmt: skip
#: ``register``'s own parameters (the others are the records class's options).
_REGISTER_PARAMS = ("model", "app", "manager_name", "records_class", "table_name")
#: A dotted name (``bases=[Extra, mixins.Audit]``).
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_FIELDS = "django.db.models.fields."
_FK = "django.db.models.fields.related.ForeignKey"
_HISTORY_TYPES = [["+", "Created"], ["~", "Changed"], ["-", "Deleted"]]
_CAMEL = re.compile(r"(((?<=[a-z])[A-Z])|([A-Z](?![A-Z]|$)))")
_NOT_GIVEN: Any = object()


@dataclass(eq=False, repr=False)
class _Tracker:
    """What asks for a historical model: a ``HistoricalRecords(...)`` member of a model class
    (its own, or an ancestor's with ``inherit=True``) or a ``register(...)`` call."""

    #: Each option given (a partial's first), with the module it is written in.
    kwargs: dict[str, tuple[Arg, Any]]
    #: The module of the member or the call, and its line.
    mod: Any
    line: int
    #: The records class (``RECORDS``, or a subclass's path).
    made_by: str
    inherited: bool = False
    #: Positional arguments given to the records class (not followed).
    positional: bool = False
    #: ``register()``: ``records.module``, the module the historical model is made in.
    module: str | None = None


def historical_infos(builder: GraphBuilder, infos: list[ModelInfo]) -> list[ModelInfo]:
    """The historical models of ``infos``' concrete models (their fields built) and of the
    models ``register()`` calls name, registered in ``builder``'s labels."""
    out: list[ModelInfo] = []
    own: dict[str, list[_Tracker]] = {}  # per class: its HistoricalRecords() members
    tracked: set[str] = set()  # (a model registered twice: Django refuses it)
    for info in infos:
        model = info.model
        if model is None or model.abstract:
            continue
        tracker = _tracker(builder, info, own)
        if tracker is not None:
            tracked.add(info.cls.key)
            out.append(_made(builder, info, tracker))
    for info, tracker in _registered(builder):
        if info.cls.key not in tracked:
            tracked.add(info.cls.key)
            out.append(_made(builder, info, tracker))
    return out


def _made(builder: GraphBuilder, info: ModelInfo, tracker: _Tracker) -> ModelInfo:
    from djatlas.graph.build import ModelInfo

    hist, reasons = _Historical(builder, info, tracker).model()
    registered = tracker.module is not None  # (made by a ``register()`` call of ``mod``)
    origin = tracker.mod.origin if registered else info.cls.origin
    file = tracker.mod.relpath if registered else info.cls.file
    cls = ClassValue(f"{hist.module}.{hist.name}", origin, hist.module, None, (), file)
    added = ModelInfo(cls, tracker.mod if registered else info.module, [])
    added.reasons = reasons
    builder._set_model(added, hist)
    builder.labels.add(hist)
    return added


def _tracker(
    builder: GraphBuilder, info: ModelInfo, own: dict[str, list[_Tracker]]
) -> _Tracker | None:
    """The ``HistoricalRecords()`` member that makes a historical model of ``info``'s model:
    one in its own body, or one with ``inherit=True`` in an ancestor's."""
    for depth, cls in enumerate(builder.index.mro(info.cls)):
        if not isinstance(cls, ClassValue) or cls.summary is None:
            continue
        found = own.get(cls.key)
        if found is None:
            found = own[cls.key] = _records_members(builder, cls)
        for tracker in found:
            inherit = tracker.kwargs.get("inherit")
            if depth == 0 or (inherit is not None and inherit[0].value is True):
                return tracker if depth == 0 else replace(tracker, inherited=True)
    return None


def _records_members(builder: GraphBuilder, cls: ClassValue) -> list[_Tracker]:
    """A tracker for each ``HistoricalRecords()`` member of ``cls``'s body (not a field:
    ``declared`` has every field, so only the others are resolved)."""
    mod = builder._module_of(cls)
    if mod is None or cls.summary is None:
        return []
    fields = builder.declared(cls)
    out = []
    for member in cls.summary.members:
        call = member.value.call
        if member.name in fields or member.value.kind != "call" or call is None:
            continue
        found = _records_of(builder, builder.index.resolve(mod, call.func))
        if found is not None:
            made_by, kwargs, positional = found
            kwargs = {**kwargs, **{key: (arg, mod) for key, arg in call.kwargs.items()}}
            out.append(
                _Tracker(kwargs, mod, member.line, made_by, False, positional or bool(call.args))
            )
    return out


#: HistoricalRecords methods a subclass may override without changing the historical model:
#: they run when rows are saved or deleted, not when the model is made.
_RUNTIME_HOOKS = frozenset(
    ("pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed",
     "create_historical_record", "create_historical_record_m2ms", "get_history_user",
     "get_change_reason_for_object", "get_change_reason_from_object", "get_history_id")
)  # fmt: skip
#: Methods that make the model: overridden, followed only when they call their base's first.
_EXTENDED = frozenset(("finalize", "contribute_to_class"))


def _runtime_only(builder: GraphBuilder, path: str) -> bool:
    """Whether the HistoricalRecords subclass ``path`` (and each class between it and
    HistoricalRecords) only overrides what runs when rows are saved (Kiwi TCMS's
    ``KiwiHistoricalRecords``: ``pre_save``, ``post_save``, a ``finalize`` calling super's):
    the historical model is the one HistoricalRecords makes."""
    cls = builder.index.at_path(path)
    if not isinstance(cls, ClassValue):
        return False
    for c in builder.index.mro(cls):
        if getattr(c, "path", None) == RECORDS:
            return True
        s = c.summary if isinstance(c, ClassValue) else None
        if s is None or s.members or s.init_params is not None:
            return False
        for method in s.methods:
            if method not in _RUNTIME_HOOKS and not (
                method in _EXTENDED and method in s.super_calls
            ):
                return False
    return False


def _records_of(
    builder: GraphBuilder, found: object, depth: int = 0
) -> tuple[str, dict[str, tuple[Arg, Any]], bool] | None:
    """``(class path, the keywords a partial gives, whether it gives positional arguments)``
    when ``found`` makes ``HistoricalRecords`` (a subclass, or a ``functools.partial`` of
    either), else None."""
    if isinstance(found, External):
        return (found.path, {}, False) if found.path == RECORDS else None
    if isinstance(found, ClassValue):
        mro = builder.index.mro(found)
        if any(getattr(c, "path", None) == RECORDS for c in mro):
            return found.path, {}, False
        return None
    if not isinstance(found, Instance) or getattr(found.cls, "path", None) != _PARTIAL:
        return None
    call, mod = found.call, found.module
    if depth > 4 or not isinstance(call, Call) or not call.args or mod is None:
        return None
    first = call.args[0].ref
    inner = _records_of(builder, builder.index.resolve(mod, first), depth + 1) if first else None
    if inner is None:
        return None
    made_by, kwargs, positional = inner
    kwargs = {**kwargs, **{key: (arg, mod) for key, arg in call.kwargs.items()}}
    return made_by, kwargs, positional or len(call.args) > 1


def _registered(builder: GraphBuilder) -> list[tuple[ModelInfo, _Tracker]]:
    """``(the model, its tracker)`` of each ``simple_history.register(Model, ...)`` call at the
    top level of a tree module the graph loaded, by file and line."""
    modules = [
        m for m in builder.index.by_path.values() if m is not None and m.summary.registrations
    ]
    out = []
    for mod in sorted(modules, key=lambda m: m.relpath):
        for member in mod.summary.registrations:
            call = member.value.call
            if call is None or not call.args or call.args[0].ref is None:
                continue
            if getattr(builder.index.resolve(mod, call.func), "path", None) != _REGISTER:
                continue
            found = _model_info(builder, builder.index.resolve(mod, call.args[0].ref))
            if found is None or found.model is None:
                continue
            tracker = _register_tracker(builder, mod, member.line, call, found.model.module)
            if tracker is not None:
                out.append((found, tracker))
    return out + _registered_in_ready(builder)


def _registered_in_ready(builder: GraphBuilder) -> list[tuple[ModelInfo, _Tracker]]:
    """``register(Model, ...)`` calls of an installed app's ``AppConfig.ready()``
    (``graph.registered``): the model a class or ``self.get_model("Name")`` names."""
    out = []
    for app, cls, member in builder.ready.calls_of(frozenset((_REGISTER,))):
        call, mod = member.value.call, builder.index.module_of(cls)
        if call is None or not call.args or mod is None:
            continue
        found = _model_info(builder, builder.ready.model_of(call.args[0], app, cls))
        if found is None or found.model is None:
            continue
        tracker = _register_tracker(builder, mod, member.line, call, found.model.module)
        if tracker is not None:
            out.append((found, tracker))
    return out


def _model_info(builder: GraphBuilder, cls: object) -> ModelInfo | None:
    """The concrete model ``cls`` is (its fields built), else None."""
    if not isinstance(cls, ClassValue):
        return None
    info = builder.info_of(cls) or builder._external(cls)
    if info is None or info.model is None or info.model.abstract:
        return None
    return info


def _register_tracker(
    builder: GraphBuilder, mod: Any, line: int, call: Call, model_module: str
) -> _Tracker | None:
    """``register(model, app=None, manager_name="history", records_class=None,
    table_name=None, **records_config)``'s tracker, None when its records class is not
    ``HistoricalRecords`` (or a subclass, or a partial of either)."""
    made_by, kwargs, positional = RECORDS, {}, len(call.args) > 1
    given = call.kwargs.get("records_class")
    if given is not None:
        if given.ref is None:
            return None
        found = _records_of(builder, builder.index.resolve(mod, given.ref))
        if found is None:
            return None
        made_by, kwargs, positional = found[0], found[1], positional or found[2]
    kwargs = dict(kwargs)
    for key, arg in call.kwargs.items():
        if key not in _REGISTER_PARAMS:
            kwargs[key] = (arg, mod)
    table = call.kwargs.get("table_name")
    if table is not None:  # (register's own: the records' table_name is replaced)
        kwargs["table_name"] = (table, mod)
    else:
        kwargs.pop("table_name", None)
    app = _app_name(builder, mod, call.kwargs.get("app"))
    module = f"{app}.models" if app else model_module  # (``records.module``)
    return _Tracker(kwargs, mod, line, made_by, False, positional, module)


def _app_name(builder: GraphBuilder, mod: Any, arg: Arg | None) -> str | None:
    """``register``'s ``app`` (``__package__``, ``__name__`` or a constant), else None."""
    if arg is None:
        return None
    if arg.ref == "__package__":
        return mod.name if mod.summary.is_package else mod.name.rpartition(".")[0]
    if arg.ref == "__name__":
        return mod.name
    value = builder.constants.value(arg, mod, mod.relpath)
    return value if isinstance(value, str) and value else None


class _Historical:
    """One historical model, made as ``HistoricalRecords.create_history_model`` makes it."""

    def __init__(self, builder: GraphBuilder, info: ModelInfo, tracker: _Tracker) -> None:
        self.builder = builder
        self.tracker = tracker
        self.mod, self.inherited, self.line = tracker.mod, tracker.inherited, tracker.line
        self.tracked: Model = info.model  # type: ignore[assignment]
        self.cls = info.cls
        #: The settings' scope: the tracked model's file, else the ``register`` call's.
        self.file = self.tracked.file or self.mod.relpath
        self.reasons: list[str] = [
            f"HistoricalRecords({'**' if key == '**' else key + '='}...) is not followed"
            for key in tracker.kwargs
            if key not in _READ
        ]
        self._options: dict[str, Any] = {}
        if tracker.positional:
            self.reasons.append("HistoricalRecords(...) with positional arguments is not followed")
        if tracker.made_by != RECORDS and not _runtime_only(builder, tracker.made_by):
            self.reasons.append(
                f"{tracker.made_by}, a subclass of HistoricalRecords, is not followed"
            )

    def option(self, key: str, default: Any) -> Any:
        """The value of the ``key`` option (``default`` when not given, or not known
        statically: said once in the reasons)."""
        if key not in self._options:
            given, value = self.tracker.kwargs.get(key), _NOT_GIVEN
            if given is not None:
                arg, mod = given
                value = arg.value
                if is_expr(value):
                    value = self.builder.constants.value(arg, mod, self.file)
                if value is UNKNOWN or is_expr(value):
                    self.reasons.append(f"HistoricalRecords({key}=...) is not known statically")
                    value = _NOT_GIVEN
            self._options[key] = value
        found = self._options[key]
        return default if found is _NOT_GIVEN else found

    def setting(self, name: str, default: Any) -> Any:
        return self.builder.constants.setting(name, self.file, default)

    def model(self) -> tuple[Model, list[str]]:
        tracked = self.tracked
        custom = self.option("custom_model_name", None)
        name = custom if isinstance(custom, str) and custom else f"Historical{tracked.name}"
        module = self._module()
        app = self.option("app", None)
        app_label = app if isinstance(app, str) and app else self._app_label(module)
        path = f"{module}.{name}"
        bases, inherited = self._bases(path)
        plain, keys = self._copies(path)
        if inherited:
            plain = _merged(plain, inherited, self._orders())
        fields = plain + keys + self._extra(path)
        table = self.option("table_name", None) if not self.inherited else None
        registered = self.tracker.module is not None
        hist = Model(
            name,
            f"{app_label}.{name}",
            app_label,
            module,
            self.mod.relpath if registered else tracked.file,
            self.line if not self.inherited else tracked.line,
            None,  # docstring
            bases,
            False,  # abstract
            False,  # proxy
            [],  # parents
            f"{app_label}.{name}",  # concrete_model
            table if isinstance(table, str) and table else f"{app_label}_{name.lower()}",
            self._meta(),
            None,  # meta_inherited_from
            ["__str__"],  # methods
            True,  # has_str
            fields,
            [],  # reverse_relations
            False,  # external
            self.mod.origin if registered else tracked.origin,
            project=self._project() if registered else tracked.project,
        )
        hist.generated_by = RECORDS
        return hist, self.reasons

    def _module(self) -> str:
        """The module Django says the historical model is in (``__module__``)."""
        tracked = self.tracked
        if self.inherited:
            return tracked.module
        made_in = self.tracker.module or self.mod.name  # (``records.module``)
        if made_in != tracked.module:
            return made_in
        if f"{tracked.app_label}.models" != tracked.module:
            app = self.builder.registry.for_file(self.file).app_for(tracked.module)
            return app.name if app is not None else tracked.module
        return tracked.module

    def _app_label(self, module: str) -> str:
        """The label of the app whose package holds ``module`` (the tracked model's for a
        historical model made beside it)."""
        if self.tracker.module is None or module == self.tracked.module:
            return self.tracked.app_label
        return self.builder.registry.for_file(self.mod.relpath).label_for(module)

    def _project(self) -> str | None:
        project = self.builder._project(self.mod.relpath)
        return project.name if project is not None else None

    def _bases(self, path: str) -> tuple[list[Base], list[tuple[tuple, Field]]]:
        """The historical model's bases (``HistoricalChanges``, then the ``bases`` option's
        classes, else ``models.Model``) and the fields its abstract model bases give it, each
        with its creation order."""
        out = [Base("HistoricalChanges", _CHANGES, "knowledge")]
        given = self.tracker.kwargs.get("bases")
        if given is None:
            return out + [Base("models.Model", "django.db.models.base.Model", "knowledge")], []
        arg, mod = given
        names = _names_of(arg.value)
        if names is None:
            self.reasons.append("HistoricalRecords(bases=...) is not known statically")
            return out, []
        inherited: list[tuple[tuple, Field]] = []
        for name in names:
            cls = self.builder.index.resolve(mod, name)
            out.append(Base(name, getattr(cls, "path", None), getattr(cls, "origin", "unresolved")))
            if isinstance(cls, ClassValue) and self.builder.is_model(cls):
                inherited += self._base_fields(cls, name)
            elif not isinstance(cls, ClassValue):
                self.reasons.append(f"HistoricalRecords(bases=[{name}]) is not known statically")
        return out, inherited

    def _orders(self) -> dict[str, tuple]:
        """The creation order of the tracked model's declared fields (``FieldSpec.order``)."""
        builder, out = self.builder, {}
        for cls in builder.index.mro(self.cls):
            if isinstance(cls, ClassValue) and builder.is_model(cls):
                for spec in builder.local_fields(cls):
                    out.setdefault(spec.name, spec.order)
        return out

    def _base_fields(self, cls: ClassValue, name: str) -> list[tuple[tuple, Field]]:
        """The fields an abstract model base gives, with their creation order."""
        builder = self.builder
        model = builder.model_of(cls)
        if model is None or not model.abstract:
            self.reasons.append(
                f"HistoricalRecords(bases=[{name}]), a concrete model, is not followed"
            )
            return []
        order = {spec.name: spec.order for spec in builder.local_fields(cls)}
        return [(order.get(f.name, ()), _inherited(f)) for f in model.fields]

    def _meta(self) -> dict[str, Any]:
        tracked = self.tracked
        name = tracked.meta.get("verbose_name")
        name = name if isinstance(name, str) else _spaced(tracked.name)
        plural = tracked.meta.get("verbose_name_plural")
        plural = plural if isinstance(plural, str) else f"{name}s"
        meta: dict[str, Any] = {
            "ordering": ["-history_date", "-history_id"],
            "get_latest_by": ["history_date", "history_id"],
        }
        own = self.option("verbose_name", None)
        meta["verbose_name"] = own if isinstance(own, str) else f"historical {name}"
        own = self.option("verbose_name_plural", None)
        meta["verbose_name_plural"] = own if isinstance(own, str) else f"historical {plural}"
        app = self.option("app", None)
        if isinstance(app, str) and app:
            meta["app_label"] = app
        return meta

    # -- fields -------------------------------------------------------------------------
    def _copies(self, path: str) -> tuple[list[Field], list[Field]]:
        """``copy_fields``: the tracked model's concrete fields but the excluded ones, each
        kept at its place (its creation counter), and apart the foreign keys, made again (so
        after every other field but the extra ones)."""
        excluded = _names(self.option("excluded_fields", []))
        unindexed = _names(self.option("no_db_index", []))
        plain, keys = [], []
        for f in self.tracked.fields:
            if f.name in excluded or f.column is None:  # (no column: many-to-many, generic)
                continue
            rel = f.relation
            if rel is not None and rel.kind in ("ForeignKey", "OneToOneField"):
                keys.append(self._key(f, path))
            else:
                plain.append(self._plain(f, path))
        for f in plain + keys:
            if f.name in unindexed:
                f.params["db_index"] = False
        return plain, keys

    def _plain(self, f: Field, path: str) -> Field:
        """``transform_field``: auto and file fields changed, nothing unique."""
        kind = f.django_type or ""
        as_type = None
        if kind == "BigAutoField":
            as_type = "BigIntegerField"
        elif kind in ("AutoField", "SmallAutoField"):
            as_type = "IntegerField"
        elif kind in ("FileField", "ImageField"):
            text = self.setting("SIMPLE_HISTORY_FILEFIELD_TO_CHARFIELD", False)
            as_type = "CharField" if text is True else "TextField"
        params = {
            k: v
            for k, v in f.params.items()
            if k not in ("primary_key", "unique", "auto_now", "auto_now_add", "db_collation")
        }
        if f.primary_key or f.unique:
            params["db_index"] = True
        if f.params.get("auto_now") is True or f.params.get("auto_now_add") is True:
            params.update(editable=False, blank=True)  # (what auto_now had implied stays)
        implicit = f.origin == "implicit"  # (the copy keeps auto_created: Django's implicit id)
        return Field(
            f.name,
            as_type or f.type,
            _FIELDS + as_type if as_type else f.resolved_type,
            as_type or f.django_type,
            None,  # line
            "implicit" if implicit else "declared",
            None if implicit else path,
            params,
            f.column,
            f.null,
            False,  # unique
            False,  # primary_key
            f.max_length,
            None,
            {k: v for k, v in f.known_params.items() if k not in ("primary_key", "unique")},
        )

    def _key(self, f: Field, path: str) -> Field:
        """A foreign key or one-to-one field, made again as a ``ForeignKey`` to the same
        model, nullable, without constraint or reverse accessor."""
        rel = f.relation
        assert rel is not None
        one = rel.kind == "OneToOneField"
        params = {
            **{k: v for k, v in f.params.items() if k not in ("primary_key", "unique")},
            "db_constraint": False,
            "related_name": "+",
            "null": True,
            "blank": True,
            "db_index": True,
            "on_delete": {"$expr": "models.DO_NOTHING"},
        }
        relation = Relation(
            "ForeignKey",
            rel.target,
            rel.target_raw,
            "+",  # related_name
            rel.related_query_name,
            "DO_NOTHING",
            None,  # through
            None,  # through_id
            rel.to_field,
            rel.parent_link,
        )
        return Field(
            f.name,
            "ForeignKey" if one else f.type,
            _FK if one else f.resolved_type,
            "ForeignKey",
            None,  # line
            "declared",
            path,
            params,
            f.column,
            True,  # null
            False,  # unique
            False,  # primary_key
            None,
            relation,
            {},
        )

    def _extra(self, path: str) -> list[Field]:
        """``get_extra_fields``: the history id, date, change reason, type, relation, user."""
        out = [self._history_id(path)]
        indexed = self.setting("SIMPLE_HISTORY_DATE_INDEX", True)
        out.append(
            _field("history_date", "DateTimeField", path, {"db_index": indexed is True}, False)
        )
        if self.setting("SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD", False) is True:
            out.append(_field("history_change_reason", "TextField", path, {"null": True}, True))
        else:
            out.append(
                _field(
                    "history_change_reason", "CharField", path, {"max_length": 100, "null": True},
                    True, max_length=100,
                )
            )  # fmt: skip
        out.append(
            _field(
                "history_type", "CharField", path, {"max_length": 1, "choices": _HISTORY_TYPES},
                False, max_length=1,
            )
        )  # fmt: skip
        related = self.option("related_name", None)
        if isinstance(related, str) and related:
            out.append(self._relation_field(path, related))
        out.append(self._user(path))
        return out

    def _history_id(self, path: str) -> Field:
        if self.setting("SIMPLE_HISTORY_HISTORY_ID_USE_UUID", False) is True:
            params = {"primary_key": True, "default": {"$expr": "uuid.uuid4"}, "editable": False}
            return _field("history_id", "UUIDField", path, params, False, key=True)
        return _field("history_id", "AutoField", path, {"primary_key": True}, False, key=True)

    def _relation_field(self, path: str, related: str) -> Field:
        tracked = self.tracked
        params = {
            "to": tracked.label,
            "on_delete": {"$expr": "models.DO_NOTHING"},
            "related_name": related,
            "db_constraint": False,
        }
        relation = Relation("ForeignKey", tracked.label, tracked.label, related, None, "DO_NOTHING")
        made = _field("history_relation", "ForeignKey", path, params, False)
        made.column, made.relation, made.resolved_type = "history_relation_id", relation, _FK
        return made

    def _user(self, path: str) -> Field:
        """``history_user``: to ``user_model`` or AUTH_USER_MODEL, ``related_name="+"``."""
        given, label = self.tracker.kwargs.get("user_model"), None
        arg, mod = given if given is not None else (None, None)
        cls = self.builder.index.resolve(mod, arg.ref) if arg is not None and arg.ref else None
        if isinstance(cls, ClassValue):  # a model class
            found = self.builder.model_of(cls)
            label = found.label if found is not None else None
            if label is None:
                self.reasons.append("HistoricalRecords(user_model=...) is not known statically")
        else:
            user = self.option("user_model", None)
            if isinstance(user, str):
                label = user
            elif user is None:
                label = self.builder.registry.settings.for_file(self.file).auth_user_model
        target = (
            self.builder._label_from_string(label, self.tracked, trusted=True) if label else None
        )
        related = self.option("user_related_name", "+")
        related = related if isinstance(related, str) else "+"
        params = {
            "to": label,
            "null": True,
            "related_name": related,
            "on_delete": {"$expr": "models.SET_NULL"},
            "db_constraint": self.option("user_db_constraint", True) is not False,
        }
        relation = Relation("ForeignKey", target, label, related, None, "SET_NULL")
        made = _field("history_user", "ForeignKey", path, params, True)
        made.column, made.relation, made.resolved_type = "history_user_id", relation, _FK
        return made


def _merged(
    plain: list[Field], inherited: list[tuple[tuple, Field]], orders: dict[str, tuple]
) -> list[Field]:
    """``plain`` (in creation order) with the ``bases``' fields placed by their creation order,
    as Django sorts a model's local fields: an auto-created field (the implicit id) first."""
    pending = sorted(inherited, key=lambda pair: pair[0])
    out = []
    for f in plain:
        order = (-1,) if f.origin == "implicit" else orders.get(f.name)
        while pending and order is not None and pending[0][0] < order:
            out.append(pending.pop(0)[1])
        out.append(f)
    return out + [f for _, f in pending]


def _names_of(value: Any) -> list[str] | None:
    """The dotted names a list or tuple of names gives (as a parameter value), else None."""
    if not isinstance(value, list):
        return None
    names = [v.get("$expr") if is_expr(v) else None for v in value]
    if not all(isinstance(n, str) and _DOTTED.fullmatch(n) for n in names):
        return None
    return names  # type: ignore[return-value]


def _inherited(f: Field) -> Field:
    """A field of an abstract model base, as the historical model inherits it."""
    return replace(f, origin="inherited", params=dict(f.params), known_params=dict(f.known_params))


def _field(
    name: str,
    kind: str,
    path: str,
    params: dict[str, Any],
    null: bool,
    max_length: int | None = None,
    key: bool = False,
) -> Field:
    return Field(
        name, kind, _FIELDS + kind, kind, None, "declared", path, params, name, null, key, key,
        max_length,
    )  # fmt: skip


def _names(value: Any) -> set[str]:
    """The field names an option gives: one name, or a list of them (anything else: none)."""
    if isinstance(value, str):
        return {value}
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def _spaced(name: str) -> str:
    """Django's default verbose name of a model class: ``OrderLine`` -> ``order line``."""
    return _CAMEL.sub(r" \1", name).strip().lower()
