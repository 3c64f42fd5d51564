"""Models outside the tree: the app a class from Django, the environment or bundled knowledge
belongs to (its AppConfig's label and default auto field), and the class behind a label.

Nothing here is imported: the package's ``apps`` and ``models`` modules are read through the
project index like any other module.
"""

from __future__ import annotations

from djatlas.graph.apps import AppInfo, AppRegistry, _config_attrs
from djatlas.graph.classify import is_app_config
from djatlas.resolve.index import ProjectIndex
from djatlas.resolve.values import ORIGIN_TREE, ClassValue


def models_package(module: str) -> str:
    """The package Django loads a models module from (``wagtail.models.pages`` -> ``wagtail``)."""
    parts = module.split(".")
    if "models" in parts[1:]:
        return ".".join(parts[: parts.index("models", 1)])
    return ".".join(parts[:-1]) or module


class ExternalApps:
    """Apps of classes outside the tree, found from their packages' AppConfig classes."""

    def __init__(self, index: ProjectIndex, registry: AppRegistry) -> None:
        self.index = index
        self.registry = registry
        self._done: set[str] = set()

    def app_for(self, module: str) -> AppInfo | None:
        """The app owning ``module`` (registering an environment AppConfig on first use)."""
        package = models_package(module)
        if package not in self._done and not package.startswith("django."):
            self._done.add(package)
            known = self.registry.apps.get(package)
            if known is None or known.config is None:
                found = self._read_config(package)
                if found is not None:
                    self.registry.apps[package] = found
        return self.registry.app_for(module)

    def resolve_installed(self) -> None:
        """Labels of INSTALLED_APPS entries outside the tree, from their AppConfig: a package
        (its ``apps`` module's config named after it) or a config class path
        (``oscar.apps.catalogue.apps.CatalogueConfig``). ``guessed`` says whether some label
        could only be guessed (the package's last part) because its code was not found."""
        self.guessed = False
        for entry, app in sorted(self.registry.apps.items()):
            if app.config is not None or entry.startswith("django."):
                continue
            module, _, name = entry.rpartition(".")
            if self.index.layout.lookup(module if name[:1].isupper() else entry) is not None:
                continue  # the tree's own package: its AppConfig, if any, is known already
            if module and name[:1].isupper():
                found = self._read_class(module, name)
                if found is None:
                    package = module[: -len(".apps")] if module.endswith(".apps") else module
                    found = AppInfo(package, package.rsplit(".", 1)[-1])
                    self.guessed = True
                del self.registry.apps[entry]
            else:
                found = self._read_config(entry)
                if found is None:
                    self.guessed = self.guessed or self.index.module(entry) is None
                    continue
            known = self.registry.apps.get(found.name)
            if known is None or known.config is None:
                self.registry.apps[found.name] = found
            self._done.add(found.name)

    def _read_class(self, module: str, name: str) -> AppInfo | None:
        mod = self.index.module(module)
        summary = mod.summary.classes.get(name) if mod is not None else None
        if mod is None or summary is None:
            return None
        cls = ClassValue(f"{module}.{name}", mod.origin, module, summary, None, mod.relpath)
        if not is_app_config(self.index, cls):
            return None
        return _app_info(cls, _config_attrs(cls, self.index))

    def _read_config(self, package: str) -> AppInfo | None:
        mod = self.index.module(f"{package}.apps")
        if mod is None or mod.origin == ORIGIN_TREE:
            return None
        for name in sorted(mod.summary.classes):
            cls = ClassValue(
                f"{mod.name}.{name}", mod.origin, mod.name, mod.summary.classes[name], None, None
            )
            if not is_app_config(self.index, cls):
                continue
            attrs = _config_attrs(cls, self.index)
            if attrs.get("name") == package:
                return _app_info(cls, attrs)
        return None

    def class_for_label(self, label: str, guess: bool = False) -> tuple[ClassValue | None, bool]:
        """(the class an ``app_label.Model`` names, whether an app's ``models`` module outside
        the tree was read for it): a read module without the class means no such model.
        ``guess`` (the installed apps are not known): an app not in the registry is looked for
        as the package named like its label (``taggit``, ``djstripe``), outside the tree."""
        app_label, _, name = label.rpartition(".")
        searched = False
        packages = [a.name for a in self.registry.apps.values() if a.label == app_label]
        if guess and not packages and app_label.isidentifier():
            packages = [app_label]
        for package in sorted(packages):
            mod = self.index.module(f"{package}.models")
            if mod is None or mod.origin == ORIGIN_TREE:
                continue
            searched = True
            value = self.index.lookup(mod, name)
            if isinstance(value, ClassValue):
                return value, True
        return None, searched


def _app_info(cls: ClassValue, attrs: dict[str, object]) -> AppInfo | None:
    """An app from an AppConfig's literal attributes (None without a literal ``name``)."""
    package, label, auto = attrs.get("name"), attrs.get("label"), attrs.get("default_auto_field")
    if not isinstance(package, str):
        return None
    return AppInfo(
        package,
        label if isinstance(label, str) else package.rsplit(".", 1)[-1],
        cls.path,
        auto if isinstance(auto, str) else None,
    )
