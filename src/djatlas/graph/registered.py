"""Fields an installed app's ``AppConfig.ready()`` gives models by registering them:
django-activity-stream's ``registry.register(Model)`` (``actstream.registry``'s
``setup_generic_relations``) adds three ``GenericRelation('actstream.Action', ...)`` to each,
``actor_actions``, ``target_actions`` and ``action_object_actions``, once every model exists
(after the model's own fields, among its private ones).

django-simple-history's ``register(Model, ...)`` there is read by ``graph.history`` through
``calls_of``. A registered model is named by ``self.get_model("Name")`` (the AppConfig's own
app), by ``apps.get_model("app_label", "Name")`` / ``("app_label.Name")``, or by a class the
body imports. The calls are read from the summaries' ``ready_calls`` (``parse.visitor``).
"""

from __future__ import annotations

import re

from djatlas.parse.summary import Arg, Call
from djatlas.resolve.values import ClassValue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from djatlas.graph.apps import AppInfo, AppRegistry
    from djatlas.parse.summary import ClassSummary, Member
    from djatlas.resolve.index import LoadedModule, ProjectIndex

#: django-activity-stream's registration, as the ``ready`` body's imports name it.
ACTSTREAM = frozenset({"actstream.registry.register", "actstream.registry.registry.register"})
#: The three generic relations it adds: (attribute, field prefix).
_RELATIONS = (("actor", "actor"), ("target", "target"), ("action_object", "action_object"))
_GET_MODEL = re.compile(r"""get_model\(\s*['"]([\w.]+)['"]\s*(?:,\s*['"](\w+)['"]\s*)?\)""")


class ReadyRegistrations:
    """The models each installed app's ``ready`` registers, by label, with what they get."""

    def __init__(self, index: ProjectIndex, registry: AppRegistry) -> None:
        self.index = index
        self.registry = registry
        self._calls: dict[str, list[Call]] | None = None

    def calls(self, label: str) -> list[Call]:
        """The ``GenericRelation(...)`` calls (one per field, named by ``Call.source``) the
        model ``label`` gets."""
        if self._calls is None:
            self._calls = {}
            for app, cls in self._configs():
                self._read(app, cls)
        return self._calls.get(label, [])

    def calls_of(self, paths: frozenset[str]) -> list[tuple[AppInfo, ClassValue, Member]]:
        """``(app, its AppConfig class, the call)`` of each ``ready`` call of an installed
        app whose callee is one of ``paths``, in app order."""
        out = []
        for app, cls in self._configs():
            mod = self.index.module_of(cls)
            summary = cls.summary
            assert summary is not None
            for member in summary.ready_calls:
                if member.value.call is not None and _callee(member.name, summary, mod) in paths:
                    out.append((app, cls, member))
        return out

    def model_of(self, arg: Arg, app: AppInfo, cls: ClassValue) -> object:
        """The model class, or the label, a registration's argument names."""
        mod = self.index.module_of(cls)
        assert cls.summary is not None
        return self._named(arg, app, cls.summary, mod)

    def _configs(self) -> list[tuple[AppInfo, ClassValue]]:
        installed = set(self.registry.settings.installed_apps)
        out = []
        for app in sorted(self.registry.apps.values(), key=lambda a: a.name):
            if not app.config or not (app.name in installed or app.config in installed):
                continue
            module, _, name = app.config.rpartition(".")
            mod = self.index.module(module) if module else None
            cls = self.index.lookup(mod, name) if mod is not None else None
            if isinstance(cls, ClassValue) and cls.summary is not None:
                out.append((app, cls))
        return out

    def _read(self, app: AppInfo, cls: ClassValue) -> None:
        mod = self.index.module_of(cls)
        summary = cls.summary
        assert summary is not None and self._calls is not None
        for member in summary.ready_calls:
            call = member.value.call
            if call is None or _callee(member.name, summary, mod) not in ACTSTREAM:
                continue
            for arg in call.args:
                label = self._label(arg, app, summary, mod)
                if label is not None:
                    self._calls.setdefault(label, []).extend(_actstream_relations(label))

    def _label(
        self, arg: Arg, app: AppInfo, summary: ClassSummary, mod: LoadedModule | None
    ) -> str | None:
        """The label of the model a registration names."""
        found = self._named(arg, app, summary, mod)
        if isinstance(found, ClassValue):
            info_app = self.registry.app_for(found.module)
            return f"{info_app.label}.{found.name}" if info_app else None
        return found

    def _named(
        self, arg: Arg, app: AppInfo, summary: ClassSummary, mod: LoadedModule | None
    ) -> ClassValue | str | None:
        """The class a registration's argument names, or the label ``get_model`` gives."""
        source = str(arg.value.get("$expr", "")) if isinstance(arg.value, dict) else ""
        found = _GET_MODEL.search(source) if arg.call else None
        if found is not None:
            first, second = found.group(1), found.group(2)
            if second:
                return f"{first}.{second}"
            return first if "." in first else f"{app.label}.{first}"
        if arg.ref and mod is not None:
            head, _, rest = arg.ref.partition(".")
            imported = summary.ready_imports.get(head)
            value: object = None
            if imported is not None and imported.name and not rest:
                home = self.index.module(imported.module)
                value = self.index.lookup(home, imported.name) if home is not None else None
            elif imported is None:
                value = self.index.resolve(mod, arg.ref)
            if isinstance(value, ClassValue):
                return value
        return None


def _callee(func: str, summary: ClassSummary, mod: LoadedModule | None) -> str:
    """The dotted path a ``ready`` call's callee names through the body's (else the module's)
    imports."""
    head, _, rest = func.partition(".")
    imported = summary.ready_imports.get(head)
    if imported is None and mod is not None:
        imported = mod.summary.imports.get(head)
    if imported is None:
        return func
    base = f"{imported.module}.{imported.name}" if imported.name else imported.module
    return f"{base}.{rest}" if rest else base


def _actstream_relations(label: str) -> list[Call]:
    """``setup_generic_relations``' three fields of model ``label``."""
    app_label, _, name = label.partition(".")
    query = f"actions_with_{app_label}_{name.lower()}"
    out = []
    for attr, prefix in _RELATIONS:
        kwargs = {
            "content_type_field": Arg(f"{prefix}_content_type"),
            "object_id_field": Arg(f"{prefix}_object_id"),
            "related_query_name": Arg(f"{query}_as_{attr}"),
        }
        out.append(Call("GenericRelation", [Arg("actstream.Action")], kwargs, f"{attr}_actions"))
    return out
