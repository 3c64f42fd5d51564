"""Record classes: the part of ``dataclasses`` djatlas uses, without its start-up cost.

Importing ``dataclasses`` loads ``inspect`` (with ``ast``, ``dis``, ``tokenize``), and every
``@dataclass`` compiles its generated ``__init__`` (and ``__repr__``, ``__eq__``) when its
module is imported: for the ~50 classes a scan loads, about half of its start-up (measured:
~100M of ~215M instructions). ``dataclass`` here makes the same classes: it writes the same
``__init__``'s source, but takes the compiled function from ``djatlas._records`` (written by
scripts/gen_records.py, so byte-compiled at install time) when that holds the very same
source, and compiles it only otherwise (same behaviour, slower start). ``__repr__``,
``__eq__``, ``__hash__`` and a frozen class's ``__setattr__`` need no compiling (closures over
an ``attrgetter``).

Supported: ``dataclass(init=, repr=, eq=, frozen=)``; ``field(default=, default_factory=,
init=, repr=, compare=, kw_only=)``; ``__post_init__``; fields inherited from record bases;
``fields``, ``replace``, ``asdict``, ``is_dataclass`` as in ``dataclasses``.
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


class _Missing:
    """No default given."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
#: An ``__init__`` argument left to its ``default_factory``.
_HAS_FACTORY: Any = type("_HasFactory", (), {"__repr__": lambda self: "<factory>"})()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class Field:
    """One field of a record class (``dataclasses.Field``'s attributes djatlas reads)."""

    __slots__ = ("name", "default", "default_factory", "init", "repr", "compare", "kw_only")

    def __init__(self, default, default_factory, init, repr, compare, kw_only) -> None:  # noqa: A002
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.kw_only = kw_only

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    init: bool = True,
    repr: bool = True,  # noqa: A002
    compare: bool = True,
    kw_only: bool = False,
) -> Any:
    """A field's options, as ``dataclasses.field``."""
    return Field(default, default_factory, init, repr, compare, kw_only)


def dataclass(
    cls: type | None = None,
    /,
    *,
    init: bool = True,
    repr: bool = True,  # noqa: A002
    eq: bool = True,
    frozen: bool = False,
) -> Any:
    """``dataclasses.dataclass`` for these options (the same methods, fields and errors)."""

    def wrap(cls: type) -> type:
        return _process(cls, init, repr, eq, frozen)

    return wrap if cls is None else wrap(cls)


def is_dataclass(obj: Any) -> bool:
    """Whether ``obj`` is a record class or instance."""
    cls = obj if isinstance(obj, type) else type(obj)
    return hasattr(cls, "__record_fields__")


def fields(class_or_instance: Any) -> tuple[Field, ...]:
    """The record's fields in order."""
    try:
        return class_or_instance.__record_fields__
    except AttributeError:
        raise TypeError("must be called with a dataclass type or instance") from None


def replace(obj: Any, /, **changes: Any) -> Any:
    """A new record like ``obj`` with ``changes`` (as ``dataclasses.replace``)."""
    for f in fields(obj):
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is declared with init=False, it cannot be set")
        elif f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def asdict(obj: Any) -> dict[str, Any]:
    """The record as plain dicts and lists, recursively (as ``dataclasses.asdict``)."""
    if not is_dataclass(obj) or isinstance(obj, type):
        raise TypeError("asdict() should be called on dataclass instances")
    return _asdict(obj)


def _asdict(obj: Any) -> Any:
    if hasattr(type(obj), "__record_fields__"):
        return {f.name: _asdict(getattr(obj, f.name)) for f in obj.__record_fields__}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[_asdict(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(_asdict(v) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((_asdict(k), _asdict(v)) for k, v in obj.items())
    import copy  # only here: not needed at start-up

    return copy.deepcopy(obj)


# -- making the class --------------------------------------------------------------------------


def _process(cls: type, init: bool, repr_: bool, eq: bool, frozen: bool) -> type:
    own = cls.__dict__
    all_fields: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:  # inherited fields first, in the bases' order
        for f in getattr(base, "__record_fields__", ()):
            all_fields[f.name] = f
    for name, annotation in own.get("__annotations__", {}).items():
        if isinstance(annotation, str) and ("ClassVar" in annotation or "InitVar" in annotation):
            raise TypeError(f"{cls.__name__}.{name}: ClassVar/InitVar are not supported")
        all_fields[name] = _own_field(cls, name)
    fields_ = tuple(all_fields.values())
    cls.__record_fields__ = fields_  # type: ignore[attr-defined]
    if init:
        _set_new(cls, "__init__", _init(cls, fields_, frozen))
    if repr_:
        _set_new(cls, "__repr__", _repr([f.name for f in fields_ if f.repr]))
    compared = [f.name for f in fields_ if f.compare]
    if eq:
        _set_new(cls, "__eq__", _eq(compared))
    if frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
        names = frozenset(f.name for f in fields_)
        cls.__setattr__, cls.__delattr__ = _frozen(cls, names)  # type: ignore[method-assign]
    _set_hash(cls, eq, frozen, compared)
    cls.__match_args__ = tuple(f.name for f in fields_ if f.init and not f.kw_only)  # type: ignore[attr-defined]
    return cls


def _own_field(cls: type, name: str) -> Field:
    """The field ``name`` declared in ``cls``'s body; the class attribute becomes its default."""
    default = cls.__dict__.get(name, MISSING)
    if isinstance(default, Field):
        f = default
        if f.default is MISSING:
            delattr(cls, name)
        else:
            setattr(cls, name, f.default)
    else:
        f = Field(default, MISSING, True, True, True, False)
    f.name = name
    if f.default is not MISSING and type(f.default).__hash__ is None:
        raise ValueError(
            f"mutable default {type(f.default)} for field {name} is not allowed: "
            "use default_factory"
        )
    return f


def _set_new(cls: type, name: str, value: Any) -> None:
    """Set a generated method unless the class body defines it (as dataclasses does)."""
    if name not in cls.__dict__:
        value.__qualname__ = f"{cls.__qualname__}.{value.__name__}"
        setattr(cls, name, value)


def _set_hash(cls: type, eq: bool, frozen: bool, compared: list[str]) -> None:
    """``__hash__`` as dataclasses sets it (``unsafe_hash`` False)."""
    own = cls.__dict__.get("__hash__", MISSING)
    explicit = not (own is MISSING or (own is None and "__eq__" in cls.__dict__))
    if explicit or not eq:
        return
    if frozen:
        _set_new(cls, "__hash__", _hash(compared))
    else:
        cls.__hash__ = None  # type: ignore[assignment]


def _getter(names: list[str]) -> Any:
    """``obj -> tuple of those attributes`` (a tuple even of one or none)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _repr(names: list[str]) -> Any:
    values = _getter(names)
    running: set[int] = set()

    def __repr__(self: Any) -> str:
        key = id(self)
        if key in running:  # a record holding itself
            return "..."
        running.add(key)
        try:
            shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, values(self)))
        finally:
            running.discard(key)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(names: list[str]) -> Any:
    values = _getter(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(names: list[str]) -> Any:
    values = _getter(names)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen(cls: type, names: frozenset[str]) -> tuple[Any, Any]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    __setattr__.__qualname__ = f"{cls.__qualname__}.__setattr__"
    __delattr__.__qualname__ = f"{cls.__qualname__}.__delattr__"
    return __setattr__, __delattr__


# -- __init__ ------------------------------------------------------------------------------------

#: ``(shape, source)`` of each ``__init__`` compiled at import time (not in ``djatlas._records``:
#: see gen_records.py).
COMPILED: list[tuple[tuple, str]] = []
_precompiled: list[dict[tuple, Any]] = []


def _init(cls: type, fields_: tuple[Field, ...], frozen: bool) -> Any:
    """The record's ``__init__``: precompiled when ``djatlas._records`` has its shape."""
    post_init = hasattr(cls, "__post_init__")
    shape, env = init_shape(fields_, frozen, post_init)
    if not _precompiled:
        try:
            from djatlas._records import INITS
        except ImportError:  # pragma: no cover - the generated module is part of the package
            INITS = {}
        _precompiled.append(INITS)
    make = _precompiled[0].get(shape)
    if make is None:
        source = init_source(fields_, frozen, post_init)[0]
        COMPILED.append((shape, source))
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<record {cls.__qualname__}>", "exec"), {}, namespace)  # noqa: S102
        make = namespace["make"]
    return make(**env)


def init_shape(fields_: tuple[Field, ...], frozen: bool, post_init: bool) -> tuple[tuple, dict]:
    """``(shape, env)``: all that ``init_source``'s source depends on (each field's name, and
    whether it has a default factory, a default, is in ``__init__``, is keyword-only; frozen,
    ``__post_init__``), the key of ``_records.INITS``, and ``init_source``'s env. Making and
    hashing it costs less than the source (which only a class not precompiled needs)."""
    env: dict[str, Any] = {}
    shape = []
    for f in fields_:
        name, init = f.name, f.init
        factory = f.default_factory is not MISSING
        default = not factory and f.default is not MISSING
        shape.append((name, factory, default, init, f.kw_only))
        if factory:
            env[f"_f_{name}"] = f.default_factory
            if init:
                env["_HAS"] = _HAS_FACTORY
        elif default:
            env[f"_d_{name}"] = f.default
        if frozen and (init or factory):
            env["_set"] = object.__setattr__
    return (frozen, post_init, tuple(shape)), env


def init_source(fields_: tuple[Field, ...], frozen: bool, post_init: bool) -> tuple[str, dict]:
    """(source of ``make(**env)`` returning the ``__init__``, env) — what
    ``dataclasses`` would generate: parameters in field order (keyword-only ones last), each
    field set in order (a ``default_factory`` called when its argument is left out)."""
    env: dict[str, Any] = {}
    params, kw_params, body = [], [], []
    seen_default = False
    for f in fields_:
        name = f.name
        value = name
        if f.default_factory is not MISSING:
            env[f"_f_{name}"] = f.default_factory
            if f.init:
                env["_HAS"] = _HAS_FACTORY
                param = f"{name}=_HAS"
                value = f"_f_{name}() if {name} is _HAS else {name}"
            else:
                value = f"_f_{name}()"
        elif f.default is not MISSING:
            env[f"_d_{name}"] = f.default
            param = f"{name}=_d_{name}"
        else:
            param = name
        if f.init:
            if f.kw_only:
                kw_params.append(param)
            else:
                if param != name:
                    seen_default = True
                elif seen_default:
                    raise TypeError(f"non-default argument {name!r} follows default argument")
                params.append(param)
        elif f.default_factory is MISSING:
            continue  # read from the class attribute (its default)
        if frozen:
            env["_set"] = object.__setattr__
            body.append(f"_set(self, {name!r}, {value})")
        else:
            body.append(f"self.{name} = {value}")
    if post_init:
        body.append("self.__post_init__()")
    signature = ", ".join(["self", *params, *(["*", *kw_params] if kw_params else [])])
    lines = [
        f"def make({', '.join(sorted(env))}):",
        f"    def __init__({signature}):",
        *(f"        {line}" for line in body or ["pass"]),
        "    return __init__",
    ]
    return "\n".join(lines) + "\n", env
