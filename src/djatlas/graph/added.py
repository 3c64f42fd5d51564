"""Fields given to a model class after its body ran: ``Model.add_to_class(name, field)`` at a
module's top level (django-safedelete's ``deleted``, a project adding a field to
``django.contrib.auth``'s ``User``). Django's ``add_to_class`` calls the field's
``contribute_to_class``: the field joins the class's local fields, placed by its creation
counter, i.e. where the call runs (``graph.order``), and a subclass inherits it like any other.

The calls are read from the summaries' ``registrations`` (``parse.visitor``) of the tree's
modules (``collect``) and of the class's own module (a package's). A name or field that is not
known statically adds nothing.
"""

from __future__ import annotations

from djatlas.records import dataclass
from djatlas.resolve.values import ClassValue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from djatlas.parse.summary import Call
    from djatlas.resolve.index import LoadedModule, ProjectIndex

#: The method, as a registration's callee ends.
ADD_TO_CLASS = ".add_to_class"


@dataclass(eq=False, repr=False)
class Addition:
    """One ``add_to_class`` call: where it is written and the call itself."""

    module: LoadedModule
    line: int
    call: Call


class AddedFields:
    """The ``add_to_class`` calls, by the key of the class they name."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._by_class: dict[str, list[Addition]] = {}
        self._read: set[tuple[str | None, str]] = set()

    def read(self, mod: LoadedModule) -> None:
        """Take the calls of one module (once)."""
        key = (mod.relpath, mod.name)
        if key in self._read:
            return
        self._read.add(key)
        for member in mod.summary.registrations:
            call = member.value.call
            if not member.name.endswith(ADD_TO_CLASS) or call is None or len(call.args) != 2:
                continue
            target = self.index.resolve(mod, member.name[: -len(ADD_TO_CLASS)])
            if isinstance(target, ClassValue):
                found = self._by_class.setdefault(target.key, [])
                found.append(Addition(mod, member.line, call))

    def of(self, cls: ClassValue) -> list[Addition]:
        """The calls naming ``cls``, in the order they were read (its own module's included)."""
        mod = self.index.module_of(cls)
        if mod is not None:
            self.read(mod)
        return self._by_class.get(cls.key, [])
