"""The typed model graph: the one contract between analysis and every output.

``Report.to_dict()`` gives the JSON document described in docs/json-format.md.
"""

from __future__ import annotations

from djatlas.records import dataclass, field, fields, is_dataclass

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

SCHEMA_VERSION = 1


class _Entry:
    """Read access by key to a report entry's fields, as its ``to_dict`` form gives them: a
    renderer written for the plain document (``m["fields"][0].get("relation")``) reads the
    typed report as it is, without the plain copy (Markdown; JSON writes it directly)."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.__dict__.get(key, default)


@dataclass(eq=False, repr=False)
class Base(_Entry):
    """A base class of a model as written, and what it resolved to."""

    name: str
    resolved: str | None
    origin: str
    #: The report model this base is, when it is one (see graph/identity.py).
    model_id: str | None = None


@dataclass(eq=False, repr=False)
class Relation(_Entry):
    """What a relational field points at (ForeignKey, OneToOneField, ManyToManyField, ...)."""

    kind: str
    target: str | None
    target_id: str | None = field(default=None, kw_only=True)
    target_raw: str | None
    related_name: str | None = None
    related_query_name: str | None = None
    on_delete: str | None = None
    through: str | None = None
    through_id: str | None = None
    to_field: str | None = None
    parent_link: bool = False
    m2m_db_table: str | None = None


@dataclass(eq=False, repr=False)
class Field(_Entry):
    """A model field, declared, inherited, from a parent or implicit."""

    name: str
    type: str
    resolved_type: str | None
    django_type: str | None
    line: int | None
    origin: str  # declared | inherited | parent | implicit
    defined_in: str | None
    params: dict[str, Any]
    column: str | None
    null: bool
    unique: bool
    primary_key: bool
    max_length: int | None
    relation: Relation | None = None
    #: Statically known values of keywords the call does not spell as literals: named constants
    #: (``Choices.ACTIVE``) and what a non-Django field class's ``__init__`` forces or defaults.
    known_params: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False, repr=False)
class Reverse(_Entry):
    """A reverse accessor another model's relation adds to a model."""

    name: str
    model: str
    field: str
    kind: str
    hidden: bool
    model_id: str | None = None
    #: The model the relation points at, when it is not the model listing it: another model of
    #: its concrete family (a proxy's relation on its concrete model, and back) or an ancestor.
    via: str | None = None
    via_id: str | None = None


@dataclass(eq=False, repr=False)
class Model(_Entry):
    """A Django model class and its ``_meta`` as Django would have it."""

    #: Unique in the report (``module.Class``; see graph/identity.py); ``label`` is the human name.
    id: str = field(default="", kw_only=True)
    name: str
    label: str
    app_label: str
    #: The Django project (settings module) the model belongs to; None outside every project.
    project: str | None = field(default=None, kw_only=True)
    module: str
    file: str | None
    line: int | None
    docstring: str | None
    bases: list[Base]
    abstract: bool
    proxy: bool
    parents: list[str]
    parent_ids: list[str] = field(default_factory=list, kw_only=True)
    concrete_model: str | None
    concrete_model_id: str | None = field(default=None, kw_only=True)
    db_table: str | None
    meta: dict[str, Any]
    meta_inherited_from: str | None
    methods: list[str]
    has_str: bool
    fields: list[Field] = field(default_factory=list)
    reverse_relations: list[Reverse] = field(default_factory=list)
    #: A model outside the scanned tree, reported because a tree model refers to it.
    external: bool = False
    #: Where the class was read: tree | environment | knowledge.
    origin: str = "tree"
    #: False when a base or field class stayed unresolved: parts of the model may be missing.
    complete: bool = True
    incomplete_reasons: list[str] = field(default_factory=list)
    #: The class that makes this model at run time from a tree model (django-simple-history's
    #: ``HistoricalRecords``), not written in the tree; None for every other model.
    generated_by: str | None = None


@dataclass(eq=False, repr=False)
class App(_Entry):
    """A Django app holding models."""

    label: str
    name: str
    config: str | None
    models: list[str] = field(default_factory=list)
    model_ids: list[str] = field(default_factory=list)
    project: str | None = None
    #: Every model of the app is outside the tree.
    external: bool = False
    #: In its project's INSTALLED_APPS (None when no settings module says).
    installed: bool | None = None


@dataclass(eq=False, repr=False)
class Project(_Entry):
    """A Django project of the tree (a settings module with INSTALLED_APPS)."""

    name: str
    root: str
    settings_module: str | None
    default_auto_field: str
    auth_user_model: str
    #: The database engines its settings name (``graph.databases``), sorted.
    database_engines: list[str]
    apps: list[str] = field(default_factory=list)
    models: int = 0


@dataclass(eq=False, repr=False)
class FileEntry(_Entry):
    """A file of the tree and what became of it (parsed, not needed, skipped, failed)."""

    path: str
    module: str | None
    status: str
    reason: str | None
    line: int | None


@dataclass(eq=False, repr=False)
class Diagnostic(_Entry):
    """A problem or note the scan reports."""

    severity: str
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    model: str | None = None
    model_id: str | None = None


@dataclass(eq=False, repr=False)
class Report:
    """The whole result of a scan."""

    metadata: dict[str, Any]
    summary: dict[str, int]
    apps: list[App]
    models: list[Model]
    files: list[FileEntry]
    diagnostics: list[Diagnostic]
    tool_version: str = ""
    projects: list[Project] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The report document with its entries still typed objects: what ``to_dict`` gives
        once each entry is made plain. The JSON renderer writes it as it is (no plain copy)."""
        return {
            "format": "djatlas-report",
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "djatlas", "version": self.tool_version},
            "metadata": self.metadata,
            "summary": self.summary,
            "projects": self.projects,
            "apps": self.apps,
            "models": self.models,
            "files": self.files,
            "diagnostics": self.diagnostics,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON report document (docs/json-format.md), in plain dicts and lists."""
        doc = self.document()
        for key in _ENTRIES:
            doc[key] = [plain(item) for item in doc[key]]
        return doc


#: The document's lists of typed entries.
_ENTRIES = ("projects", "apps", "models", "files", "diagnostics")
_SCALARS = frozenset({str, int, float, bool, type(None)})
#: A report type's field names (None: not a dataclass).
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def plain(obj: Any) -> Any:
    """``dataclasses.asdict`` for the report's types, without its per-value deepcopy (the same
    result). Fast forms, as most of a report is flat: a dataclass instance is a copy of its
    ``__dict__`` (when that holds exactly its fields, in order: what the generated ``__init__``
    makes), a list or dict of scalars a plain copy; item types are checked with
    ``map(type, ...)`` (C speed), and only the non-scalar values are converted one by one."""
    cls = obj.__class__
    if cls is dict:
        if not _SCALARS.issuperset(map(type, obj)):
            return {plain(k): plain(v) for k, v in obj.items()}
        out = obj.copy()
    elif cls is list:
        return obj[:] if _SCALARS.issuperset(map(type, obj)) else [plain(v) for v in obj]
    elif cls in _SCALARS:
        return obj
    else:
        names = _FIELD_NAMES.get(cls, ())
        if names == ():
            names = field_names(cls)
        if names is None:
            return _plain_other(obj)
        state = getattr(obj, "__dict__", None)
        if state is None or tuple(state) != names:
            return {name: plain(getattr(obj, name)) for name in names}
        out = state.copy()
    if not _SCALARS.issuperset(map(type, out.values())):
        for k, v in out.items():
            if v.__class__ not in _SCALARS:
                out[k] = plain(v)
    return out


def field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names in order (memoised); None for any other class."""
    names = _FIELD_NAMES.get(cls, ())
    if names == ():
        fields_of = fields(cls) if is_dataclass(cls) else None
        names = _FIELD_NAMES[cls] = None if fields_of is None else tuple(f.name for f in fields_of)
    return names


def fields_of(obj: Any) -> dict[str, Any]:
    """A report object's fields by name, in order (its ``__dict__`` when that is them):
    ``json.dumps``'s ``default`` for a document with typed entries (the C encoder writes the
    values, as it would write ``plain(obj)``)."""
    names = field_names(type(obj))
    if names is None:
        raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")
    state = getattr(obj, "__dict__", None)
    if state is None or tuple(state) != names:
        return {name: getattr(obj, name) for name in names}
    return state


def _plain_other(obj: Any) -> Any:
    """``plain`` of a tuple, a named tuple, a list or dict subclass, or anything else."""
    cls = obj.__class__
    if cls is tuple:
        return tuple(plain(v) for v in obj)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return cls(*[plain(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return cls(plain(v) for v in obj)
    if isinstance(obj, dict):
        return cls((plain(k), plain(v)) for k, v in obj.items())
    import copy  # rare: not loaded at start-up

    return copy.deepcopy(obj)
