"""Settings and app labels, read statically (INSTALLED_APPS, AppConfig classes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from djatlas.graph.classify import is_app_config
from djatlas.graph.types import Diagnostic
from djatlas.resolve.index import LoadedModule, ProjectIndex
from djatlas.resolve.values import ClassValue

DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

#: Django's own apps, for labels and pk types of models that live outside the tree.
_DJANGO_APPS = {
    "django.contrib.admin": ("admin", "django.db.models.AutoField"),
    "django.contrib.auth": ("auth", "django.db.models.AutoField"),
    "django.contrib.contenttypes": ("contenttypes", "django.db.models.AutoField"),
    "django.contrib.sessions": ("sessions", None),
    "django.contrib.sites": ("sites", "django.db.models.AutoField"),
    "django.contrib.flatpages": ("flatpages", "django.db.models.AutoField"),
    "django.contrib.redirects": ("redirects", "django.db.models.AutoField"),
    "django.contrib.messages": ("messages", None),
    "django.contrib.staticfiles": ("staticfiles", None),
}


@dataclass
class AppInfo:
    name: str
    label: str
    config: str | None = None
    default_auto_field: str | None = None


@dataclass
class Settings:
    module: str | None = None
    installed_apps: list[str] = field(default_factory=list)
    default_auto_field: str = DEFAULT_AUTO_FIELD
    auth_user_model: str = "auth.User"


@dataclass
class AppRegistry:
    """Every app djatlas knows of, looked up by the longest package prefix of a module."""

    settings: Settings
    apps: dict[str, AppInfo] = field(default_factory=dict)  # by package name

    def app_for(self, module: str) -> AppInfo | None:
        parts = module.split(".")
        for i in range(len(parts), 0, -1):
            app = self.apps.get(".".join(parts[:i]))
            if app is not None:
                return app
        return None

    def label_for(self, module: str) -> str:
        app = self.app_for(module)
        if app is not None:
            return app.label
        parts = module.split(".")
        if "models" in parts[1:]:
            return parts[parts.index("models", 1) - 1]
        return parts[-2] if len(parts) > 1 else parts[0]


def _config_attrs(cls: ClassValue, index: ProjectIndex) -> dict[str, object]:
    """Literal ``name``/``label``/``default_auto_field``/``default`` of an AppConfig, MRO-merged."""
    out: dict[str, object] = {}
    for c in reversed(index.mro(cls)):
        if isinstance(c, ClassValue) and c.summary is not None:
            for m in c.summary.members:
                if m.value.kind == "literal":
                    out[m.name] = m.value.value
    return out


def read_settings(
    index: ProjectIndex,
    modules: list[LoadedModule],
    wanted: str | None,
    diagnostics: list[Diagnostic],
) -> Settings:
    """Pick the settings module (``--settings`` or the best candidate) and read it."""
    found = [m for m in modules if "INSTALLED_APPS" in m.summary.settings]
    chosen: LoadedModule | None = None
    if wanted:
        chosen = index.module(wanted)
        if chosen is None:
            diagnostics.append(
                Diagnostic("warning", "DJA120", f"settings module {wanted} not found")
            )
    elif found:

        def score(m: LoadedModule) -> tuple:
            apps = m.summary.settings.get("INSTALLED_APPS")
            n = len(apps) if isinstance(apps, list) else 0
            return (-n, "test" in m.name, m.name)

        found.sort(key=score)
        chosen = found[0]
        others = [m.name for m in found[1:]]
        if others:
            diagnostics.append(
                Diagnostic(
                    "info",
                    "DJA121",
                    f"several settings modules define INSTALLED_APPS; used {chosen.name} "
                    f"(others: {', '.join(others[:5])}{', ...' if len(others) > 5 else ''})",
                    chosen.relpath,
                )
            )
    settings = Settings()
    if chosen is None:
        return settings
    settings.module = chosen.name
    values = _settings_values(index, chosen)
    apps = values.get("INSTALLED_APPS")
    if isinstance(apps, list):
        settings.installed_apps = [a for a in apps if isinstance(a, str)]
    auto = values.get("DEFAULT_AUTO_FIELD")
    if isinstance(auto, str):
        settings.default_auto_field = auto
    user = values.get("AUTH_USER_MODEL")
    if isinstance(user, str):
        settings.auth_user_model = user
    return settings


def _settings_values(index: ProjectIndex, mod: LoadedModule, depth: int = 0) -> dict[str, object]:
    """Settings of a module, following ``from .base import *`` for names it doesn't set."""
    values: dict[str, object] = {}
    if depth < 5:
        for star in mod.summary.star_imports:
            target = index.module(star, mod.relpath)
            if target is not None and target.origin == "tree":
                for k, v in _settings_values(index, target, depth + 1).items():
                    values.setdefault(k, v)
    values.update(mod.summary.settings)
    return values


def build_registry(
    index: ProjectIndex, modules: list[LoadedModule], settings: Settings
) -> AppRegistry:
    """Apps from tree AppConfigs, INSTALLED_APPS entries and Django's own apps."""
    registry = AppRegistry(settings)
    configs: dict[str, tuple[ClassValue, dict[str, object]]] = {}
    by_package: dict[str, list[str]] = {}
    for mod in modules:
        for name in sorted(mod.summary.classes):
            cls = ClassValue(
                f"{mod.name}.{name}",
                mod.origin,
                mod.name,
                mod.summary.classes[name],
                None,
                mod.relpath,
            )
            if is_app_config(index, cls):
                attrs = _config_attrs(cls, index)
                if isinstance(attrs.get("name"), str):
                    configs[cls.path] = (cls, attrs)
                    by_package.setdefault(str(attrs["name"]), []).append(cls.path)

    def add(path: str, attrs: dict[str, object]) -> None:
        pkg = str(attrs["name"])
        label = attrs.get("label")
        registry.apps[pkg] = AppInfo(
            name=pkg,
            label=label if isinstance(label, str) else pkg.rsplit(".", 1)[-1],
            config=path,
            default_auto_field=attrs.get("default_auto_field")  # type: ignore[arg-type]
            if isinstance(attrs.get("default_auto_field"), str)
            else None,
        )

    for pkg, (label, auto) in _DJANGO_APPS.items():
        registry.apps[pkg] = AppInfo(pkg, label, None, auto)
    # Every AppConfig in the tree (the installed one wins below).
    for _pkg, paths in sorted(by_package.items()):
        chosen = sorted(paths, key=lambda p: (configs[p][1].get("default") is not True, p))[0]
        add(chosen, configs[chosen][1])
    for entry in settings.installed_apps:
        if entry in configs:
            add(entry, configs[entry][1])
        elif entry not in registry.apps:
            registry.apps[entry] = AppInfo(entry, entry.rsplit(".", 1)[-1])
    return registry
