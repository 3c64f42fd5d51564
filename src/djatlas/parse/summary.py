"""Per-module summaries: everything resolution needs from one file, and nothing else.

A summary is plain data (JSON-serialisable through ``to_dict``/``from_dict``) so it can be
cached without pickle. The AST itself is never kept. Summaries cross between processes pickled
(``parallel``, ``pipeline.examining``): each record as a call of its class (``_pickled_as_call``).
"""

from __future__ import annotations

import copyreg
from operator import attrgetter

from djatlas.records import asdict, dataclass, field, fields

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    #: A parameter value: a JSON literal, or ``{"$expr": "source"}`` for anything else.
    Value = Any


def _pickled_as_call(cls: type) -> type:
    """Pickle the record class ``cls`` as a call of it with its fields' values, in order.

    The default form (a bare instance, then its ``__dict__`` set key by key) costs the loading
    process about twice as much (saleor's models modules: 57M instructions to unpickle, 30M
    this way), and leaves each record with a ``__dict__`` of its own, where reading its
    attributes later costs about twice as much as on a record its ``__init__`` made (Python
    keeps those attributes inline). The call makes every record as the parser does, whichever
    process parsed it.

    The reduction is registered in ``copyreg``'s table (which ``pickle`` and ``copy`` read by
    the exact type: a subclass, none today, is pickled the default way) and made in C alone:
    ``attrgetter("__class__", "_pickle_args")``, the second a property that is an
    ``attrgetter`` of the fields. A Python ``__reduce__`` cost the pickling process a Python
    call per record (dumps of the parsed files' summaries, cyclic GC off as in a scan:
    blueking-paas 96.8M -> 69.8M instructions, saleor 79.6M -> 57.8M, netbox 84.4M -> 60.5M)."""
    names = [f.name for f in fields(cls)]
    if len(names) < 2 or any(not f.init or f.kw_only for f in fields(cls)):
        raise TypeError(f"{cls.__name__}: pickled as a call, its fields must be positional")
    cls._pickle_args = property(attrgetter(*names))  # type: ignore[attr-defined]
    copyreg.pickle(cls, _AS_CALL)
    return cls


#: A record's reduction: ``(its class, its fields' values)`` (``_pickled_as_call``).
_AS_CALL = attrgetter("__class__", "_pickle_args")


@_pickled_as_call
@dataclass
class Arg:
    """One call argument: its evaluated value, and the dotted name it refers to (if a name)."""

    value: Value
    ref: str | None = None
    #: For calls used as arguments (``Foo(...)``): the callee's dotted name.
    call: str | None = None


@_pickled_as_call
@dataclass
class Call:
    """A call expression ``func(*args, **kwargs)`` where ``func`` is a dotted name."""

    func: str
    args: list[Arg] = field(default_factory=list)
    kwargs: dict[str, Arg] = field(default_factory=dict)
    #: The callee as written (``models.CharField``).
    source: str = ""


@_pickled_as_call
@dataclass
class Expr:
    """A summarised expression: a dotted reference, a call, ``None``, a tuple of refs, or other."""

    kind: str  # "ref" | "call" | "none" | "literal" | "tuple" | "type_of" | "other"
    ref: str | None = None
    call: Call | None = None
    items: list[Expr] | None = None
    source: str = ""
    value: Value = None


@_pickled_as_call
@dataclass
class Member:
    """A class-body assignment ``name = value`` (or ``name: T = value``)."""

    name: str
    line: int
    value: Expr


@_pickled_as_call
@dataclass
class MetaSummary:
    """An inner ``class Meta``."""

    line: int
    bases: list[str]
    options: dict[str, Value]
    #: Dotted refs of option values that are plain names (e.g. ``ordering = BASE_ORDERING``).
    refs: dict[str, str] = field(default_factory=dict)


@_pickled_as_call
@dataclass
class ClassSummary:
    """A top-level class definition."""

    name: str
    line: int
    bases: list[Expr]
    docstring: str | None = None
    members: list[Member] = field(default_factory=list)
    meta: MetaSummary | None = None
    methods: list[str] = field(default_factory=list)
    #: Parameter names of ``__init__`` that can be passed positionally (self excluded), in order;
    #: None when the class defines no ``__init__``.
    init_params: list[str] | None = None
    #: Other plain class attributes (names only), for non-field shadowing.
    attributes: list[str] = field(default_factory=list)
    #: What ``__init__`` forces on its ``**kwargs`` (``kwargs["k"] = v``, literal keywords of the
    #: ``super().__init__(...)`` call) and what it defaults (``kwargs.setdefault("k", v)``).
    init_sets: dict[str, Arg] = field(default_factory=dict)
    init_defaults: dict[str, Arg] = field(default_factory=dict)
    #: Classes with bases defined in the body (``class NonUnique(models.Model)``), so that a base
    #: written ``Outer.Inner`` resolves; ``Meta`` is kept apart.
    nested: dict[str, ClassSummary] = field(default_factory=dict)
    #: Its ``contribute_to_class`` registers it as a private field of the model
    #: (``cls._meta.add_field(self, private=True)``): a field that is not a Django ``Field``.
    private: bool = False
    #: Settings its body assigns (``INSTALLED_APPS`` etc.), evaluated where literal: a class of
    #: class-based settings (django-configurations' ``Configuration``).
    settings: dict[str, Value] = field(default_factory=dict)
    #: Its ``contribute_to_class`` calls ``add_to_class``: as a field, it gives the model
    #: other fields too (bookwyrm's ``PartialDateField``: ``<name>_precision``).
    adds_fields: bool = False
    #: The methods whose body calls ``super()`` (an override that extends its base's).
    super_calls: list[str] = field(default_factory=list)
    #: The calls of its ``ready`` method's body (an AppConfig's registrations:
    #: django-activity-stream's ``registry.register(self.get_model("X"))``), each a ``Member``
    #: named by the callee, and the names that body imports.
    ready_calls: list[Member] = field(default_factory=list)
    ready_imports: dict[str, ImportRef] = field(default_factory=dict)


@_pickled_as_call
@dataclass
class FunctionSummary:
    """A top-level function: enough to tell what it returns."""

    name: str
    line: int
    params: list[str]
    returns: list[Expr]
    locals: dict[str, Expr] = field(default_factory=dict)
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    annotation: Expr | None = None
    #: ``kwargs.setdefault("k", v)`` / ``kwargs["k"] = v`` on the ``**kwargs`` parameter.
    kwarg_defaults: dict[str, Arg] = field(default_factory=dict)


@_pickled_as_call
@dataclass
class ImportRef:
    """A name bound by an import: ``module`` and, for ``from module import name``, ``name``."""

    module: str
    name: str | None = None


@_pickled_as_call
@dataclass
class SyntaxIssue:
    """A syntax error the parser recovered from (or Python 2 syntax it read anyway)."""

    line: int
    message: str
    #: Why, when known: "looks like Python 2", "PEP 696, Python 3.13", ...
    hint: str = ""
    #: The lines skipped to recover ``[first, last]``; None when nothing was lost.
    skipped: list[int] | None = None

    def describe(self) -> str:
        """``syntax error: <message> (<hint>)``."""
        return f"syntax error: {self.message}" + (f" ({self.hint})" if self.hint else "")


@_pickled_as_call
@dataclass
class ModuleSummary:
    """All that resolution needs from one module."""

    module: str
    path: str
    is_package: bool
    imports: dict[str, ImportRef] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    #: Where each star import ran among the imports: how many names ``imports`` held then
    #: (the order modules run in decides the order of their fields).
    star_at: list[int] = field(default_factory=list)
    assigns: dict[str, Expr] = field(default_factory=dict)
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    all_names: list[str] | None = None
    #: Settings-like assignments (``INSTALLED_APPS`` etc.), evaluated where literal.
    settings: dict[str, Value] = field(default_factory=dict)
    #: Syntax errors recovered from while parsing (each cost at most its statement).
    syntax_errors: list[SyntaxIssue] = field(default_factory=list)
    #: Module-level calls of a function imported from ``simple_history`` or
    #: ``modeltranslation`` (their ``register``, which make models or fields), and such calls
    #: decorating a module-level class: each a ``Member`` named by the callee, or ``@Class``.
    registrations: list[Member] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModuleSummary:
        return cls(
            module=data["module"],
            path=data["path"],
            is_package=data["is_package"],
            imports={k: ImportRef(**v) for k, v in data["imports"].items()},
            star_imports=list(data["star_imports"]),
            star_at=list(data.get("star_at", [])),
            assigns={k: _expr(v) for k, v in data["assigns"].items()},
            classes={k: _class(v) for k, v in data["classes"].items()},
            functions={k: _function(v) for k, v in data["functions"].items()},
            all_names=data["all_names"],
            settings=data["settings"],
            syntax_errors=[SyntaxIssue(**e) for e in data.get("syntax_errors", [])],
            registrations=[_member(m) for m in data.get("registrations", [])],
        )


def _call(data: dict[str, Any] | None) -> Call | None:
    if data is None:
        return None
    return Call(
        func=data["func"],
        args=[Arg(**a) for a in data["args"]],
        kwargs={k: Arg(**a) for k, a in data["kwargs"].items()},
        source=data["source"],
    )


def _expr(data: dict[str, Any] | None) -> Expr | None:
    if data is None:
        return None
    items = data.get("items")
    return Expr(
        kind=data["kind"],
        ref=data["ref"],
        call=_call(data["call"]),
        items=[_expr(i) for i in items] if items is not None else None,  # type: ignore[misc]
        source=data["source"],
        value=data.get("value"),
    )


def _member(data: dict[str, Any]) -> Member:
    return Member(data["name"], data["line"], _expr(data["value"]))  # type: ignore[arg-type]


def _class(data: dict[str, Any]) -> ClassSummary:
    meta = data["meta"]
    return ClassSummary(
        name=data["name"],
        line=data["line"],
        bases=[_expr(b) for b in data["bases"]],  # type: ignore[misc]
        docstring=data["docstring"],
        members=[_member(m) for m in data["members"]],
        meta=MetaSummary(**meta) if meta else None,
        methods=list(data["methods"]),
        init_params=data["init_params"],
        attributes=list(data["attributes"]),
        init_sets={k: Arg(**a) for k, a in data.get("init_sets", {}).items()},
        init_defaults={k: Arg(**a) for k, a in data.get("init_defaults", {}).items()},
        nested={k: _class(v) for k, v in data.get("nested", {}).items()},
        private=data.get("private", False),
        settings=dict(data.get("settings", {})),
        adds_fields=data.get("adds_fields", False),
        super_calls=list(data.get("super_calls", [])),
        ready_calls=[_member(m) for m in data.get("ready_calls", [])],
        ready_imports={k: ImportRef(**v) for k, v in data.get("ready_imports", {}).items()},
    )


def _function(data: dict[str, Any]) -> FunctionSummary:
    return FunctionSummary(
        name=data["name"],
        line=data["line"],
        params=list(data["params"]),
        returns=[_expr(r) for r in data["returns"]],  # type: ignore[misc]
        locals={k: _expr(v) for k, v in data["locals"].items()},  # type: ignore[misc]
        classes={k: _class(v) for k, v in data["classes"].items()},
        annotation=_expr(data["annotation"]),
        kwarg_defaults={k: Arg(**a) for k, a in data.get("kwarg_defaults", {}).items()},
    )
