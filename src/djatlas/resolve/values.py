"""What a name resolves to: the small value domain of static resolution."""

from __future__ import annotations

from djatlas.parse.summary import ClassSummary
from djatlas.records import dataclass

ORIGIN_TREE = "tree"
ORIGIN_ENV = "environment"
ORIGIN_KNOWLEDGE = "knowledge"
ORIGIN_BUILTIN = "builtin"
ORIGIN_UNRESOLVED = "unresolved"


class _Key:
    """``ClassValue.key``, made on first use and kept in the instance's ``__dict__`` (where
    attribute lookup finds it next time). Not ``functools.cached_property``: on Python < 3.12
    that takes a lock on every first use, several times the cost of the key itself, for the
    ~1,000 classes of a scan."""

    def __get__(self, obj: ClassValue | None, owner: type) -> str:
        if obj is None:
            return self  # type: ignore[return-value]
        key = f"{obj.path}@{obj.file}" if obj.file else obj.path
        obj.__dict__["key"] = key
        return key


@dataclass(frozen=True)
class ModuleValue:
    """A module (``import x`` binds one)."""

    name: str


@dataclass(frozen=True, eq=False)
class ClassValue:
    """A class defined in a module (``summary`` set) or built by a factory (``bases`` set)."""

    path: str
    origin: str
    module: str
    summary: ClassSummary | None = None
    #: For synthetic classes (``type(...)``, factory-local classes): their resolved bases.
    bases: tuple[object, ...] | None = None
    #: The tree file defining it (module names can repeat across a monorepo's projects).
    file: str | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClassValue) and (other.path, other.file) == (self.path, self.file)

    def __hash__(self) -> int:
        return hash((self.path, self.file))

    #: ``path@file`` (or the path): what the index and the graph memoise a class by (asked
    #: for tens of thousands of times a scan, so made once per value).
    key = _Key()


@dataclass(frozen=True)
class FunctionValue:
    """A module-level function."""

    module: str
    name: str
    origin: str

    @property
    def path(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class Instance:
    """The result of calling a class (or of a function known to return one)."""

    cls: object
    #: The call that built it, when known (for fields built inside factory functions).
    call: object = None
    #: The module the building call is written in.
    module: object = None


@dataclass(frozen=True)
class External:
    """A dotted path outside everything djatlas could read."""

    path: str


@dataclass(frozen=True)
class Literal:
    """A constant (string, number, None, ...)."""

    value: object


def path_of(value: object) -> str | None:
    if isinstance(value, (ClassValue, External, FunctionValue)):
        return value.path
    if isinstance(value, ModuleValue):
        return value.name
    return None
