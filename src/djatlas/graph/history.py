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

``HistoricalRecords(inherit=True)`` on a parent gives every model that inherits it its own.
An option djatlas does not follow (``bases``, ``m2m_fields``, a field given as an object) is
named in the historical model's ``incomplete_reasons``. ``simple_history.register(Model)``
calls are not followed.
"""

from __future__ import annotations

import re

from djatlas.graph.constants import UNKNOWN, is_expr
from djatlas.graph.types import Base, Field, Model, Relation
from djatlas.parse.summary import Call
from djatlas.resolve.values import ClassValue, External

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.graph.build import GraphBuilder, ModelInfo

RECORDS = "simple_history.models.HistoricalRecords"
_CHANGES = "simple_history.models.HistoricalChanges"
#: Options read (the others change what is made: the model is then said incomplete).
_READ = frozenset(
    ("verbose_name", "verbose_name_plural", "user_related_name", "table_name", "inherit",
     "excluded_fields", "user_model", "custom_model_name", "app", "related_name",
     "user_db_constraint", "no_db_index", "cascade_delete_history", "use_base_model_db",
     "get_user", "history_user_getter", "history_user_setter", "history_manager",
     "historical_queryset", "m2m_fields_model_field_name")
)  # fmt: skip
_FIELDS = "django.db.models.fields."
_FK = "django.db.models.fields.related.ForeignKey"
_HISTORY_TYPES = [["+", "Created"], ["~", "Changed"], ["-", "Deleted"]]
_CAMEL = re.compile(r"(((?<=[a-z])[A-Z])|([A-Z](?![A-Z]|$)))")
_NOT_GIVEN: Any = object()


def historical_infos(builder: GraphBuilder, infos: list[ModelInfo]) -> list[ModelInfo]:
    """The historical models of ``infos``' concrete models (their fields built), registered
    in ``builder``'s labels."""
    from djatlas.graph.build import ModelInfo

    out = []
    own: dict[str, list[tuple]] = {}  # per class: its HistoricalRecords() members
    for info in infos:
        model = info.model
        if model is None or model.abstract:
            continue
        tracker = _tracker(builder, info, own)
        if tracker is None:
            continue
        hist, reasons = _Historical(builder, info, tracker).model()
        cls = ClassValue(
            f"{hist.module}.{hist.name}", info.cls.origin, hist.module, None, (), info.cls.file
        )
        added = ModelInfo(cls, info.module, [])
        added.reasons = reasons
        builder._set_model(added, hist)
        builder.labels.add(hist)
        out.append(added)
    return out


def _tracker(builder: GraphBuilder, info: ModelInfo, own: dict[str, list[tuple]]) -> tuple | None:
    """``(call, its module, whether inherited, its line, its class)`` of the
    ``HistoricalRecords()`` that makes a historical model of ``info``'s model: one in its own
    body, or one with ``inherit=True`` in an ancestor's."""
    for depth, cls in enumerate(builder.index.mro(info.cls)):
        if not isinstance(cls, ClassValue) or cls.summary is None:
            continue
        found = own.get(cls.key)
        if found is None:
            found = own[cls.key] = _records_members(builder, cls)
        for call, mod, line, made_by in found:
            inherit = call.kwargs.get("inherit")
            if depth == 0 or (inherit is not None and inherit.value is True):
                return call, mod, depth > 0, line, made_by
    return None


def _records_members(builder: GraphBuilder, cls: ClassValue) -> list[tuple]:
    """``(call, module, line, class made by)`` of each ``HistoricalRecords()`` member of
    ``cls``'s body (not a field: ``declared`` has every field, so only the others are
    resolved)."""
    mod = builder._module_of(cls)
    if mod is None or cls.summary is None:
        return []
    fields = builder.declared(cls)
    out = []
    for member in cls.summary.members:
        if member.name in fields or member.value.kind != "call" or member.value.call is None:
            continue
        made_by = _records_class(builder, mod, member.value.call)
        if made_by is not None:
            out.append((member.value.call, mod, member.line, made_by))
    return out


def _records_class(builder: GraphBuilder, mod: Any, call: Call) -> str | None:
    """The path of the class ``call`` instantiates when it is ``HistoricalRecords`` or a
    subclass of it, else None."""
    found = builder.index.resolve(mod, call.func)
    if isinstance(found, External):
        return found.path if found.path == RECORDS else None
    if not isinstance(found, ClassValue):
        return None
    mro = builder.index.mro(found)
    return found.path if any(getattr(c, "path", None) == RECORDS for c in mro) else None


class _Historical:
    """One historical model, made as ``HistoricalRecords.create_history_model`` makes it."""

    def __init__(self, builder: GraphBuilder, info: ModelInfo, tracker: tuple) -> None:
        self.builder = builder
        self.call, self.mod, self.inherited, self.line, made_by = tracker
        self.tracked: Model = info.model  # type: ignore[assignment]
        self.reasons: list[str] = [
            f"HistoricalRecords({'**' if key == '**' else key + '='}...) is not followed"
            for key in self.call.kwargs
            if key not in _READ
        ]
        self._options: dict[str, Any] = {}
        if self.call.args:
            self.reasons.append("HistoricalRecords(...) with positional arguments is not followed")
        if made_by != RECORDS:
            self.reasons.append(f"{made_by}, a subclass of HistoricalRecords, is not followed")

    def option(self, key: str, default: Any) -> Any:
        """The value of the call's ``key`` argument (``default`` when not given, or not known
        statically: said once in the reasons)."""
        if key not in self._options:
            arg, value = self.call.kwargs.get(key), _NOT_GIVEN
            if arg is not None:
                value = arg.value
                if is_expr(value):
                    value = self.builder.constants.value(arg, self.mod, self.tracked.file)
                if value is UNKNOWN or is_expr(value):
                    self.reasons.append(f"HistoricalRecords({key}=...) is not known statically")
                    value = _NOT_GIVEN
            self._options[key] = value
        found = self._options[key]
        return default if found is _NOT_GIVEN else found

    def setting(self, name: str, default: Any) -> Any:
        return self.builder.constants.setting(name, self.tracked.file, default)

    def model(self) -> tuple[Model, list[str]]:
        tracked = self.tracked
        custom = self.option("custom_model_name", None)
        name = custom if isinstance(custom, str) and custom else f"Historical{tracked.name}"
        app = self.option("app", None)
        app_label = app if isinstance(app, str) and app else tracked.app_label
        module = self._module()
        path = f"{module}.{name}"
        fields = self._copies(path) + self._extra(path)
        table = self.option("table_name", None) if not self.inherited else None
        hist = Model(
            name,
            f"{app_label}.{name}",
            app_label,
            module,
            tracked.file,
            self.line if not self.inherited else tracked.line,
            None,  # docstring
            self._bases(),
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
            tracked.origin,
            project=tracked.project,
        )
        hist.generated_by = RECORDS
        return hist, self.reasons

    def _module(self) -> str:
        """The module Django says the historical model is in (``__module__``)."""
        tracked = self.tracked
        if self.inherited:
            return tracked.module
        if self.mod.name != tracked.module:
            return self.mod.name
        if f"{tracked.app_label}.models" != tracked.module:
            app = self.builder.registry.for_file(tracked.file).app_for(tracked.module)
            return app.name if app is not None else tracked.module
        return tracked.module

    def _bases(self) -> list[Base]:
        return [
            Base("HistoricalChanges", _CHANGES, "knowledge"),
            Base("models.Model", "django.db.models.base.Model", "knowledge"),
        ]

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
    def _copies(self, path: str) -> list[Field]:
        """``copy_fields``: the tracked model's concrete fields but the excluded ones, each
        kept at its place (its creation counter) but for the foreign keys, made again after."""
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
        out = plain + keys
        for f in out:
            if f.name in unindexed:
                f.params["db_index"] = False
        return out

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
        return Field(
            f.name,
            as_type or f.type,
            _FIELDS + as_type if as_type else f.resolved_type,
            as_type or f.django_type,
            None,  # line
            "declared",
            path,
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
        arg, label = self.call.kwargs.get("user_model"), None
        cls = self.builder.index.resolve(self.mod, arg.ref) if arg is not None and arg.ref else None
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
                label = self.builder.registry.settings.for_file(self.tracked.file).auth_user_model
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
