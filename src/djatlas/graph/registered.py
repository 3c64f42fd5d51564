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
    """What installed apps' ``ready`` bodies register (``calls_of``), and the models
    django-activity-stream's registry gives its generic relations (``actstream``)."""

    def __init__(self, index: ProjectIndex, registry: AppRegistry) -> None:
        self.index = index
        self.registry = registry
        self._actstream: set[str] | None = None

    def actstream(self, cls: ClassValue) -> bool:
        """Whether an installed app's ``ready`` registers model ``cls`` with
        django-activity-stream."""
        if self._actstream is None:
            self._actstream = set()
            for app, config, member in self.calls_of(ACTSTREAM):
                for arg in member.value.call.args:  # type: ignore[union-attr]
                    found = self.model_of(arg, app, config)
                    if found is not None:
                        self._actstream.add(found.key)
        return cls.key in self._actstream

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

    def model_of(self, arg: Arg, app: AppInfo, config: ClassValue) -> ClassValue | None:
        """The model class a registration's argument names: ``get_model(...)``'s, or a class
        the ``ready`` body (else its module) imports."""
        source = str(arg.value.get("$expr", "")) if isinstance(arg.value, dict) else ""
        found = _GET_MODEL.search(source) if arg.call else None
        if found is not None:
            first, second = found.group(1), found.group(2)
            label, name = (first, second) if second else first.rpartition(".")[::2]
            return self._model_named(label or app.label, name)
        mod = self.index.module_of(config)
        if not arg.ref or mod is None or config.summary is None:
            return None
        head, _, rest = arg.ref.partition(".")
        imported = config.summary.ready_imports.get(head)
        value: object = None
        if imported is not None and imported.name and not rest:
            value = self.index.at_path(f"{imported.module}.{imported.name}")
        elif imported is None:
            value = self.index.resolve(mod, arg.ref)
        return value if isinstance(value, ClassValue) else None

    def _model_named(self, app_label: str, name: str) -> ClassValue | None:
        """``apps.get_model(app_label, name)``: the class of the app's ``models`` module,
        named case-insensitively as Django looks it up."""
        app = next((a for a in self.registry.apps.values() if a.label == app_label), None)
        mod = self.index.module(f"{app.name}.models") if app is not None else None
        if mod is None:
            return None
        found = self.index.lookup(mod, name)
        if not isinstance(found, ClassValue):
            named = [c for c in mod.summary.classes if c.lower() == name.lower()]
            found = self.index.class_in(mod, named[0]) if named else None
        return found

    def _configs(self) -> list[tuple[AppInfo, ClassValue]]:
        installed = set(self.registry.settings.installed_apps)
        out = []
        for app in sorted(self.registry.apps.values(), key=lambda a: a.name):
            if not app.config or not (app.name in installed or app.config in installed):
                continue
            cls = self.index.at_path(app.config)
            if isinstance(cls, ClassValue) and cls.summary is not None:
                out.append((app, cls))
        return out


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


def actstream_relations(label: str) -> list[Call]:
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
