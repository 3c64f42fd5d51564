"""Models loaded by label: ``apps.get_model("app", "Model")`` and django-oscar's
``get_model("app", "Model")``, used as a base class or a relation target.

The call is never run: its literal arguments name a label, and the label names a class through
the app registry (the app's ``models`` module, in the tree or outside it).
"""

from __future__ import annotations

from djatlas.graph.apps import AppRegistry
from djatlas.parse.summary import Call, Expr
from djatlas.resolve.index import LoadedModule, ProjectIndex
from djatlas.resolve.values import ClassValue

_MAX_DEPTH = 8
#: Callables whose ``(app_label, model_name)`` or ``("app_label.Model")`` arguments name a model.
_LOADERS = ("get_model",)


def loaded_label(call: Call) -> str | None:
    """``app_label.Model`` when ``call`` is a model loader with literal arguments."""
    if call.func.rsplit(".", 1)[-1] not in _LOADERS:
        return None
    values = [a.value for a in call.args[:2]]
    if len(values) == 2 and all(isinstance(v, str) for v in values):
        return f"{values[0]}.{values[1]}"
    if len(values) == 1 and isinstance(values[0], str) and values[0].count(".") == 1:
        return values[0]
    return None


class ModelLoading:
    """Finds the class behind a loader call, written directly or bound to a name."""

    def __init__(self, index: ProjectIndex, registry: AppRegistry) -> None:
        self.index = index
        self.registry = registry

    def class_for_label(self, label: str) -> ClassValue | None:
        """The class ``app_label.Model`` names, read from the app's ``models`` module."""
        app_label, _, name = label.rpartition(".")
        for app in sorted(self.registry.apps.values(), key=lambda a: a.name):
            if app.label != app_label:
                continue
            mod = self.index.module(f"{app.name}.models")
            value = self.index.lookup(mod, name) if mod is not None else None
            if isinstance(value, ClassValue):
                return value
        return None

    def label_of(self, mod: LoadedModule, expr: Expr, depth: int = 0) -> str | None:
        """The label a loader call names, for an expression written in ``mod``: the call
        itself, or a name bound to it (in this module or imported from another)."""
        if depth > _MAX_DEPTH:
            return None
        if expr.kind == "call" and expr.call is not None:
            return loaded_label(expr.call)
        if expr.kind != "ref" or not expr.ref or "." in expr.ref:
            return None
        summary = mod.summary
        if expr.ref in summary.assigns:
            return self.label_of(mod, summary.assigns[expr.ref], depth + 1)
        ref = summary.imports.get(expr.ref)
        if ref is None or ref.name is None:
            return None
        target = self.index.module(ref.module, mod.relpath)
        if target is None or target is mod:
            return None
        return self.label_of(target, Expr(kind="ref", ref=ref.name), depth + 1)

    def resolve(self, mod: LoadedModule, expr: Expr) -> ClassValue | None:
        label = self.label_of(mod, expr)
        return self.class_for_label(label) if label else None

    def fix_bases(self, cls: ClassValue, mod: LoadedModule) -> None:
        """Bases written as loader calls (or names bound to them) resolve to their class."""
        if cls.summary is None:
            return
        bases = self.index.bases(cls)
        fixed = list(bases)
        for i, (expr, value) in enumerate(zip(cls.summary.bases, bases)):
            if not isinstance(value, ClassValue):
                found = self.resolve(mod, expr)
                if found is not None and found != cls:
                    fixed[i] = found
        if fixed != bases:
            self.index.set_bases(cls, fixed)
