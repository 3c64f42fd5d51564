"""What the graph asks of a field class, worked out once per class rather than once per field.

A project declares hundreds of fields with a handful of classes (``CharField``,
``ForeignKey``, ...): the classification, the bundled computed facts and the literals the
classes' ``__init__`` force or default are properties of the class and its MRO, so they are
memoised by class key (MROs are final once the graph starts: bases are fixed in ``collect``).
"""

from __future__ import annotations

from djatlas.graph.classify import FieldClass, field_class
from djatlas.graph.computed import facts_of
from djatlas.graph.constants import UNKNOWN, class_attribute, is_expr
from djatlas.records import dataclass
from djatlas.resolve.index import ProjectIndex
from djatlas.resolve.values import ClassValue, External, Literal

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True, eq=False, repr=False)
class InitValues:
    """Literal keyword values a field class's ``__init__`` (along its MRO) sets.

    ``forced``: assigned whatever the call passes, the first class in the MRO wins;
    ``defaults``: used when the call does not pass the key, the first class wins;
    ``declared``: (key, value, forced, is_expr) in MRO order up to the first Django class,
    as the non-Django classes write them (for ``known_params``).
    """

    forced: dict[str, Any]
    defaults: dict[str, Any]
    declared: tuple[tuple[str, Any, bool, bool], ...]


_NO_INIT = InitValues({}, {}, ())


class FieldClasses:
    """Memoised per-class answers: ``field_class``, ``facts_of``, ``__init__`` literals,
    whether the MRO holds a given class path."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._classes: dict[str, FieldClass | None] = {}
        self._facts: dict[str, dict | None] = {}
        self._adding: dict[str, bool] = {}
        self._init: dict[str, InitValues] = {}
        self._paths: dict[str, frozenset[str]] = {}
        self._both: dict[str, tuple[InitValues, dict | None]] = {}
        self._pairs: dict[str, tuple[FieldClass | None, dict | None]] = {}

    def field_class(self, cls: object) -> FieldClass | None:
        """``classify.field_class`` (the same FieldClass object for every field of a class:
        nothing mutates it)."""
        if isinstance(cls, ClassValue):
            key = cls.key
        elif isinstance(cls, External):
            key = f"external:{cls.path}"
        else:
            return None
        if key not in self._classes:
            self._classes[key] = field_class(self.index, cls)
        return self._classes[key]

    def class_and_facts(self, cls: object) -> tuple[FieldClass | None, dict | None]:
        """``(field_class(cls), facts(cls))`` in one lookup: what reading a class-body call
        needs of the class it instantiates (asked once per member, thousands a scan)."""
        key = cls.key if isinstance(cls, ClassValue) else None
        found = self._pairs.get(key) if key is not None else None
        if found is None:
            fclass = self.field_class(cls)
            found = (fclass, self.facts(cls) if fclass is not None else None)
            if key is not None:
                self._pairs[key] = found
        return found

    def adds_unknown_fields(self, cls: object) -> bool:
        """Whether the class's ``contribute_to_class`` (its own or an ancestor's) calls
        ``add_to_class`` and the bundled knowledge does not say what it adds."""
        if not isinstance(cls, ClassValue):
            return False
        found = self._adding.get(cls.key)
        if found is None:
            found = False
            for c in self.index.mro(cls):
                if isinstance(c, ClassValue) and c.summary is not None and c.summary.adds_fields:
                    facts = self.facts(cls)
                    found = not (facts and facts.get("adds"))
                    break
            self._adding[cls.key] = found
        return found

    def facts(self, cls: object) -> dict | None:
        """``computed.facts_of``."""
        if not isinstance(cls, ClassValue):
            return None
        key = cls.key
        if key not in self._facts:
            self._facts[key] = facts_of(self.index, cls)
        return self._facts[key]

    def init_and_facts(self, cls: object) -> tuple[InitValues, dict | None]:
        """``(init_values(cls), facts(cls))``: what reading a declaration's arguments needs
        of its class, in one lookup (asked once per declaration)."""
        if not isinstance(cls, ClassValue):
            return _NO_INIT, None
        found = self._both.get(cls.key)
        if found is None:
            found = self._both[cls.key] = (self.init_values(cls), self.facts(cls))
        return found

    def has_base(self, cls: object, path: str) -> bool:
        """Whether ``path`` is in the MRO paths of ``cls`` (``classify.mro_paths``)."""
        return isinstance(cls, ClassValue) and path in self.paths(cls)

    def paths(self, cls: ClassValue) -> frozenset[str]:
        """The MRO paths of ``cls`` as a set (``classify.mro_paths``), for field classes and
        for models (the graph asks a model's for mptt's and the search indexes' bases)."""
        paths = self._paths.get(cls.key)
        if paths is None:
            paths = frozenset(
                [c.path for c in self.index.mro(cls) if isinstance(c, (ClassValue, External))]
            )
            self._paths[cls.key] = paths
        return paths

    def init_values(self, cls: object) -> InitValues:
        """The literals the ``__init__`` along the MRO of ``cls`` force or default."""
        if not isinstance(cls, ClassValue):
            return _NO_INIT
        found = self._init.get(cls.key)
        if found is None:
            found = self._init[cls.key] = self._read_init(cls)
        return found

    def _read_init(self, cls: ClassValue) -> InitValues:
        forced: dict[str, Any] = {}
        defaults: dict[str, Any] = {}
        declared: list[tuple[str, Any, bool, bool]] = []
        walking = True  # ``declared`` stops at the first Django (or unread) class
        for c in self.index.mro(cls):
            readable = isinstance(c, ClassValue) and c.summary is not None
            if walking and (not readable or c.path.startswith("django.")):
                walking = False
            if not readable:
                continue
            sets = {k: self._literal(cls, c, a) for k, a in c.summary.init_sets.items()}
            defs = {k: self._literal(cls, c, a) for k, a in c.summary.init_defaults.items()}
            for key, value in sets.items():
                if not is_expr(value):
                    forced.setdefault(key, value)
            for key, value in defs.items():
                if not is_expr(value):
                    defaults.setdefault(key, value)
            if walking:
                declared += [(k, v, True, is_expr(v)) for k, v in sets.items()]
                declared += [(k, v, k in sets, is_expr(v)) for k, v in defs.items()]
        return InitValues(forced, defaults, tuple(declared))

    def _literal(self, cls: ClassValue, owner: ClassValue, arg: Any) -> Any:
        """An ``__init__`` keyword value: its literal; for ``self.NAME`` the literal class
        attribute ``NAME`` of the field class ``cls`` (a subclass's override first:
        ``kwargs.setdefault("max_length", self.default_max_length)``); for a plain ``NAME``
        the literal it is bound to in the module of ``owner``, the class whose ``__init__``
        it is (``kwargs["max_length"] = MAX_LENGTH``); else as written."""
        ref = arg.ref
        if not is_expr(arg.value) or not ref:
            return arg.value
        if "." not in ref:
            mod = self.index.module_of(owner)
            found = self.index.resolve(mod, ref) if mod is not None else None
            return found.value if isinstance(found, Literal) else arg.value
        if not ref.startswith("self.") or "." in ref[5:]:
            return arg.value
        found = class_attribute(self.index, cls, ref[5:])
        return arg.value if found is UNKNOWN else found
