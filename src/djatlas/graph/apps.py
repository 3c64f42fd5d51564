"""Settings and app labels, read statically (INSTALLED_APPS, AppConfig classes)."""

from __future__ import annotations

from djatlas.graph.classify import is_app_config
from djatlas.graph.databases import database_engines
from djatlas.graph.types import Diagnostic
from djatlas.parse.visitor import SETTINGS_NAMES
from djatlas.records import dataclass, field
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


class SettingsNotFound(ValueError):
    """``--settings`` names a module the tree does not have (a usage error)."""


@dataclass(eq=False, repr=False)
class EntryPoints:
    """What ``manage.py``, ``wsgi.py`` and ``asgi.py`` name: ``DJANGO_SETTINGS_MODULE``
    (manage.py's first: it is what a developer runs) and django-configurations'
    ``DJANGO_CONFIGURATION``."""

    #: (settings module, file naming it), best first.
    named: list[tuple[str, str]] = field(default_factory=list)
    #: file -> the configuration class it names.
    configurations: dict[str, str] = field(default_factory=dict)
    #: The entry points read (those naming nothing too: an edit may make them name a module).
    read: list[str] = field(default_factory=list)

    @property
    def modules(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.named))

    def configuration(self, module: str) -> str | None:
        """The configuration class named beside ``module`` (the same file), if any."""
        for name, file in self.named:
            if name == module and file in self.configurations:
                return self.configurations[file]
        return next(iter(sorted(set(self.configurations.values()))), None)


@dataclass(eq=False, repr=False)
class AppInfo:
    """An installed app: its module, label, AppConfig class and default_auto_field."""

    name: str
    label: str
    config: str | None = None
    default_auto_field: str | None = None


@dataclass(eq=False, repr=False)
class Settings:
    """What the graph reads from the project's settings module (Django's defaults else)."""

    module: str | None = None
    installed_apps: list[str] = field(default_factory=list)
    #: Whether ``installed_apps`` is every installed app (no part of the list was dynamic).
    apps_complete: bool = False
    default_auto_field: str = DEFAULT_AUTO_FIELD
    auth_user_model: str = "auth.User"
    #: The database engines the module names (``databases.database_engines``), sorted.
    database_engines: list[str] = field(default_factory=list)
    #: Source root folder of the settings module ("" for the scan root, None if unknown).
    root: str | None = None
    #: In a monorepo: the settings of each source root that has its own settings module.
    by_root: dict[str, Settings] = field(default_factory=dict)
    #: How the module was chosen: ``--settings``, the entry point naming it (``manage.py``,
    #: ``wsgi.py``, ``asgi.py``), ``heuristic``, or None (no settings: Django's defaults).
    chosen_by: str | None = None
    #: What the report should say about defaults assumed and entry points not followed.
    notes: list[str] = field(default_factory=list)
    #: ``for_file``'s answers (asked once ``by_root`` is complete: by the graph, per field).
    _files: dict[str | None, Settings] = field(default_factory=dict, init=False)

    def for_file(self, relpath: str | None) -> Settings:
        """The settings that apply to a file: those of its source root, else these."""
        found = self._files.get(relpath)
        if found is None:
            found = self._files[relpath] = self._for_file(relpath)
        return found

    def _for_file(self, relpath: str | None) -> Settings:
        if relpath and self.by_root:
            best = max(
                (r for r in self.by_root if r == "" or relpath.startswith(r + "/")),
                key=len,
                default=None,
            )
            if best is not None:
                return self.by_root[best]
        return self


@dataclass(eq=False, repr=False)
class Project:
    """One Django project of the tree: a settings module with INSTALLED_APPS, and the source
    root its code lives in."""

    name: str
    root: str
    settings: Settings


def projects_of(settings: Settings) -> list[Project]:
    """The tree's projects, named after their settings module's top package (or, when two
    share it, after their source root)."""
    roots = settings.by_root or ({settings.root or "": settings} if settings.module else {})
    tops = {r: (s.module or "").split(".")[0] for r, s in roots.items()}
    out = []
    for root, s in sorted(roots.items()):
        top = tops[root]
        clash = sum(1 for t in tops.values() if t == top) > 1
        out.append(Project(root or top if clash else top, root, s))
    return out


def project_for(projects: list[Project], relpath: str | None) -> Project | None:
    """The project a tree file belongs to: the only one, else the one whose root holds it."""
    if not relpath or not projects:
        return None
    if len(projects) == 1:
        return projects[0]
    inside = [p for p in projects if p.root == "" or relpath.startswith(p.root + "/")]
    return max(inside, key=lambda p: len(p.root), default=None)


@dataclass(eq=False, repr=False)
class AppRegistry:
    """Every app djatlas knows of, looked up by the longest package prefix of a module."""

    settings: Settings
    apps: dict[str, AppInfo] = field(default_factory=dict)  # by package name
    #: Several projects in the tree: each project's own registry, by its source root.
    by_root: dict[str, AppRegistry] = field(default_factory=dict)
    #: ``for_file``'s answers (asked once ``by_root`` is complete: by the graph, per model).
    _files: dict[str | None, AppRegistry] = field(default_factory=dict, init=False)

    def for_file(self, relpath: str | None) -> AppRegistry:
        """The registry of the project a tree file belongs to, else this one."""
        found = self._files.get(relpath)
        if found is None:
            root = _root_of(relpath, list(self.by_root)) if relpath else None
            found = self._files[relpath] = self.by_root[root] if root is not None else self
        return found

    def app_for(self, module: str) -> AppInfo | None:
        """The app of the longest package prefix of ``module`` (cut at each dot from the
        right, rather than joined again from its split parts: asked per model and field)."""
        apps, name = self.apps, module
        while True:
            app = apps.get(name)
            if app is not None:
                return app
            cut = name.rfind(".")
            if cut < 0:
                return None
            name = name[:cut]

    def label_for(self, module: str) -> str:
        parts = module.split(".")
        # The package holding the ``models`` module is the app Django would load it from.
        owner = ".".join(parts[: parts.index("models", 1)]) if "models" in parts[1:] else None
        app = self.app_for(module)
        if app is not None and not (owner and owner.startswith(app.name + ".")):
            return app.label
        if owner is not None:
            # A nested package with its own models module (e.g. a test app) is an app itself.
            return owner.rsplit(".", 1)[-1]
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


def source_root(mod: LoadedModule) -> str | None:
    """The folder a tree module's import path starts from (its source root)."""
    if not mod.relpath:
        return None
    parts = mod.relpath[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    depth = len(mod.name.split("."))
    return "/".join(parts[:-depth]) if depth <= len(parts) else ""


#: Django 6.0 changed DEFAULT_AUTO_FIELD's default to BigAutoField (ticket #36564).
BIG_AUTO_FIELD = "django.db.models.BigAutoField"


def default_auto_field(index: ProjectIndex) -> str:
    """Django's own DEFAULT_AUTO_FIELD for the project: ``BigAutoField`` from Django 6.0, as
    installed in the project's environment; ``AutoField`` before, or without Django there
    (the bundled knowledge is Django 5.2's)."""
    env = index.environment
    found = env.distribution("django") if env.has_package("django") else None
    major = (found[1] if found else "").partition(".")[0]
    return BIG_AUTO_FIELD if major.isdigit() and int(major) >= 6 else DEFAULT_AUTO_FIELD


def defaults_note(auto: str) -> str:
    """What the report says when Django's defaults are assumed (no settings read)."""
    return (
        f"Django's defaults assumed: AUTH_USER_MODEL auth.User, DEFAULT_AUTO_FIELD {auto}, "
        "app labels from AppConfig classes and package names"
    )


def _ranked(
    index: ProjectIndex, found: list[LoadedModule], named: dict[str, int], hints: EntryPoints
) -> list[LoadedModule]:
    """Best settings module first: named by an entry point (manage.py before wsgi.py and
    asgi.py), then not star-imported by another settings module, then most apps."""
    imported = {s for m in found for s in m.summary.star_imports}

    def key(m: LoadedModule) -> tuple:
        apps = _settings_values(index, m).get("INSTALLED_APPS")
        n = sum(isinstance(a, str) for a in apps) if isinstance(apps, list) else 0
        rank = named.get(m.relpath or "", len(hints.named))
        return (rank, m.name in imported, -n, "test" in m.name, m.name)

    return sorted(found, key=key)


def _named_modules(
    index: ProjectIndex, hints: EntryPoints, notes: list[str]
) -> dict[str, tuple[int, LoadedModule, str]]:
    """The tree modules the entry points name: relpath -> (rank, module, entry point file)."""
    out: dict[str, tuple[int, LoadedModule, str]] = {}
    for rank, (name, file) in enumerate(hints.named):
        mod = index.module(name, file)
        if mod is None or mod.origin != "tree" or not mod.relpath:
            notes.append(f"{file} names settings {name}, which is not a module of the tree")
        elif mod.relpath not in out:
            out[mod.relpath] = (rank, mod, file)
    return out


def _config_classes(index: ProjectIndex, mod: LoadedModule) -> list[str]:
    """Classes of ``mod`` that set INSTALLED_APPS (an attribute or a property, in their body or
    a base's): class-based settings such as django-configurations' ``Configuration``."""
    out = []
    for name in sorted(mod.summary.classes):
        for c in index.mro(index.class_in(mod, name)):
            s = c.summary if isinstance(c, ClassValue) else None
            if s is not None and (
                "INSTALLED_APPS" in s.attributes
                or "INSTALLED_APPS" in s.methods
                or any(m.name == "INSTALLED_APPS" for m in s.members)
            ):
                out.append(name)
                break
    return out


def _unread_note(
    index: ProjectIndex, mod: LoadedModule, file: str, configuration: str | None
) -> str:
    """Why the INSTALLED_APPS of a settings module an entry point names were not read."""
    classes = _config_classes(index, mod)
    if classes:
        named = f"; DJANGO_CONFIGURATION names {configuration}" if configuration else ""
        why = (
            f"it holds class-based settings ({', '.join(classes)}{named}, as with "
            "django-configurations), which djatlas does not evaluate"
        )
    else:
        why = "its INSTALLED_APPS could not be evaluated statically"
    return f"{file} names settings {mod.name}, but {why}"


def read_settings(
    index: ProjectIndex,
    modules: list[LoadedModule],
    wanted: str | None,
    diagnostics: list[Diagnostic],
    hints: EntryPoints | None = None,
) -> Settings:
    """Pick the settings module(s) (``--settings``, else the one an entry point names, else
    the best per source root) and read them; say why when Django's defaults are assumed."""
    hints = hints or EntryPoints()
    if wanted:
        chosen = index.module(wanted)
        if chosen is None:
            raise SettingsNotFound(f"--settings {wanted}: no such module in the tree")
        settings = _read(index, chosen, hints.configuration(wanted))
        settings.chosen_by = "--settings"
        if not settings.installed_apps:
            why = _unread_note(index, chosen, "--settings", hints.configuration(wanted))
            settings.notes += [why]
            settings.notes += [defaults_note(settings.default_auto_field)]
        return settings
    notes: list[str] = []
    named = _named_modules(index, hints, notes)
    candidates = {m.relpath: m for m in modules if "INSTALLED_APPS" in m.summary.settings}
    for rel, (_rank, mod, file) in sorted(named.items(), key=lambda kv: kv[1][0]):
        values = _settings_values(index, mod, configuration=hints.configuration(mod.name))
        if isinstance(values.get("INSTALLED_APPS"), list):
            candidates.setdefault(rel, mod)
        else:
            notes.append(_unread_note(index, mod, file, hints.configuration(mod.name)))
    ranks = {rel: rank for rel, (rank, _mod, _file) in named.items()}
    found = _ranked(index, list(candidates.values()), ranks, hints)
    if not found:
        if not notes:
            notes.append("no settings module with INSTALLED_APPS was found")
            seen = [(m, _config_classes(index, m)) for m in modules if "settings" in m.name]
            classes = [f"{m.name} ({', '.join(c)})" for m, c in seen if c]
            if classes:
                notes[-1] += (
                    "; class-based settings (django-configurations) in "
                    f"{', '.join(sorted(classes))} were not read: no manage.py, wsgi.py or "
                    "asgi.py names them"
                )
        auto = default_auto_field(index)
        return Settings(default_auto_field=auto, notes=notes + [defaults_note(auto)])
    by_root: dict[str, list[LoadedModule]] = {}
    for m in found:
        by_root.setdefault(source_root(m) or "", []).append(m)
    main = _chosen(index, found[0], named, hints)
    main.notes = notes + main.notes
    for root, mods in sorted(by_root.items()):
        chosen = mods[0]
        main.by_root[root] = main if chosen is found[0] else _chosen(index, chosen, named, hints)
        if len(mods) > 1:
            others = [m.name for m in mods[1:]]
            by = main.by_root[root].chosen_by
            why = f" (named by {by})" if by != "heuristic" else ""
            diagnostics.append(
                Diagnostic(
                    "info",
                    "DJA121",
                    f"several settings modules define INSTALLED_APPS; used {chosen.name}{why} "
                    f"(others: {', '.join(others[:5])}{', ...' if len(others) > 5 else ''})",
                    chosen.relpath,
                )
            )
    if len(by_root) > 1:
        names = ", ".join(main.by_root[r].module or "?" for r in sorted(main.by_root))
        diagnostics.append(
            Diagnostic(
                "info",
                "DJA122",
                f"{len(by_root)} Django projects found (settings: {names}); each model uses the "
                f"settings of its own source root; the report's metadata shows {main.module}",
            )
        )
    return main


def _chosen(
    index: ProjectIndex,
    mod: LoadedModule,
    named: dict[str, tuple[int, LoadedModule, str]],
    hints: EntryPoints,
) -> Settings:
    """The settings read from ``mod``, saying which entry point named it (or ``heuristic``)."""
    settings = _read(index, mod, hints.configuration(mod.name))
    hit = named.get(mod.relpath or "")
    settings.chosen_by = hit[2] if hit is not None else "heuristic"
    return settings


def _read(index: ProjectIndex, chosen: LoadedModule, configuration: str | None = None) -> Settings:
    settings = Settings(module=chosen.name, root=source_root(chosen))
    values = _settings_values(index, chosen, configuration=configuration)
    apps = values.get("INSTALLED_APPS")
    if isinstance(apps, list):
        settings.installed_apps = [a for a in apps if isinstance(a, str)]
        settings.apps_complete = len(settings.installed_apps) == len(apps)
    auto = values.get("DEFAULT_AUTO_FIELD")
    settings.default_auto_field = auto if isinstance(auto, str) else default_auto_field(index)
    user = values.get("AUTH_USER_MODEL")
    if isinstance(user, str):
        settings.auth_user_model = user
    settings.database_engines = database_engines(index, chosen)
    return settings


def _settings_values(
    index: ProjectIndex, mod: LoadedModule, depth: int = 0, configuration: str | None = None
) -> dict[str, object]:
    """Settings of a module, following ``from .base import *`` for names it doesn't set; with
    class-based settings, those its configuration class gives (``_class_values``)."""
    values: dict[str, object] = _class_values(index, mod, configuration) if not depth else {}
    if depth < 5:
        for star in mod.summary.star_imports:
            target = index.module(star, mod.relpath)
            if target is not None and target.origin == "tree":
                for k, v in _settings_values(index, target, depth + 1).items():
                    values.setdefault(k, v)
    own = mod.summary.settings
    for key, value in own.items():
        if key.endswith("+"):
            continue
        if isinstance(value, dict) and ("$concat" in value or "$name" in value):
            value = _joined(index, mod, key, value, values.get(key), depth)
        if own.get(key + "+") and isinstance(value, list):
            base = values.get(key)
            value = (base if isinstance(base, list) else []) + value
        values[key] = value
    return values


def _joined(
    index: ProjectIndex, mod: LoadedModule, key: str, value: dict, base: object, depth: int
) -> object:
    """A setting made of names of other modules' values (``parse.visitor._setting_parts``):
    the setting itself (``INSTALLED_APPS = INSTALLED_APPS + [...]`` after a star import) is
    the value the star imports gave; ``from m import NAME [as A]`` is ``m``'s setting ``NAME``.
    A part not found adds nothing, as any dynamic part of a list."""
    parts = value.get("$concat", [value])
    out: list = []
    for part in parts:
        if isinstance(part, list):
            out += part
            continue
        found = _named_value(index, mod, key, str(part.get("$name")), base, depth)
        if isinstance(found, list):
            out += found
        elif len(parts) == 1:
            return found  # (a single name: DEFAULT_AUTO_FIELD = BASE_AUTO_FIELD)
    return out


def _named_value(
    index: ProjectIndex, mod: LoadedModule, key: str, name: str, base: object, depth: int
) -> object:
    """The value of setting name ``name`` seen from settings module ``mod`` (see ``_joined``)."""
    imported = mod.summary.imports.get(name)
    if imported is None:
        return base if name == key else None
    if imported.name is None or imported.name not in SETTINGS_NAMES or depth >= 5:
        return None
    target = index.module(imported.module, mod.relpath)
    if target is None or target.origin != "tree":
        return None
    return _settings_values(index, target, depth + 1).get(imported.name)


def _class_values(
    index: ProjectIndex, mod: LoadedModule, configuration: str | None
) -> dict[str, object]:
    """The settings a configuration class of ``mod`` sets as literals (django-configurations'
    ``Configuration``): the class ``DJANGO_CONFIGURATION`` names, else the only one setting
    INSTALLED_APPS; each value the first class of its MRO that assigns it gives, unless that
    is no literal or a class djatlas cannot read comes first."""
    classes = _config_classes(index, mod)
    if configuration not in classes:
        configuration = classes[0] if len(classes) == 1 else None
    if configuration is None:
        return {}
    values: dict[str, object] = {}
    for key in _CLASS_SETTINGS:
        value = _class_setting(index, index.class_in(mod, configuration), key, 0)
        if value is not _UNREAD:
            values[key] = value
    return values


def _class_setting(index: ProjectIndex, cls: object, key: str, depth: int) -> object:
    """Setting ``key`` of a configuration class: from the first class of its MRO that assigns
    it, a literal, or a concatenation with another class's (``Common.INSTALLED_APPS + [...]``,
    ``ClassSummary.settings``); ``_UNREAD`` when not known."""
    if not isinstance(cls, ClassValue) or depth > 10:
        return _UNREAD
    for c in index.mro(cls):
        s = c.summary if isinstance(c, ClassValue) else None
        if s is None or key in s.methods:  # a base djatlas cannot read, a property
            return _UNREAD
        if key not in s.settings:
            continue
        value = s.settings[key]
        if isinstance(value, dict) and "$concat" in value:
            value = _concatenated(index, c, key, value["$concat"], depth)
        return _UNREAD if isinstance(value, dict) and "$expr" in value else value
    return _UNREAD


def _concatenated(
    index: ProjectIndex, cls: ClassValue, key: str, parts: list, depth: int
) -> object:
    """``A.KEY + [...] + ...`` in the body of ``cls``: each class's part its setting's value."""
    out: list = []
    mod = index.module_of(cls)
    for part in parts:
        if isinstance(part, dict):
            owner = index.resolve(mod, part["$class"]) if mod is not None else None
            part = _class_setting(index, owner, key, depth + 1)
        if not isinstance(part, list):
            return _UNREAD
        out += part
    return out


#: The settings ``_class_values`` reads from a configuration class.
_CLASS_SETTINGS = ("INSTALLED_APPS", "DEFAULT_AUTO_FIELD", "AUTH_USER_MODEL")
_UNREAD: object = object()


def _root_of(relpath: str | None, roots: list[str]) -> str | None:
    """The longest of ``roots`` holding ``relpath`` ("" holds every file), if any."""
    inside = [r for r in roots if r == "" or (relpath or "").startswith(r + "/")]
    return max(inside, key=len, default=None)


def build_registry(
    index: ProjectIndex, modules: list[LoadedModule], settings: Settings
) -> AppRegistry:
    """Apps from tree AppConfigs, INSTALLED_APPS entries and Django's own apps; with several
    projects in the tree, also one registry per project (its own AppConfigs, those outside
    every project, and its own INSTALLED_APPS), as each project's ``django.setup()`` has it."""
    configs = _app_configs(index, modules)
    entries = list(settings.installed_apps)
    for other in settings.by_root.values():
        entries += [e for e in other.installed_apps if e not in entries]
    registry = _registry(settings, configs, entries)
    roots = sorted(settings.by_root)
    if len(roots) > 1:
        # Each AppConfig's root worked out once, not once per root (blueking-paas: 290
        # ``_root_of`` calls to 58; ~28K of its graph stage's ~2.4M bytecodes).
        config_roots = [_root_of(c[0].file, roots) for c in configs]
        for root in roots:
            own = settings.by_root[root]
            mine = [c for c, r in zip(configs, config_roots) if r in (root, None)]
            registry.by_root[root] = _registry(own, mine, own.installed_apps)
    return registry


def _app_configs(
    index: ProjectIndex, modules: list[LoadedModule]
) -> list[tuple[ClassValue, dict[str, object]]]:
    """Every AppConfig of the tree with a literal ``name``: (class, attributes)."""
    configs: list[tuple[ClassValue, dict[str, object]]] = []
    for mod in modules:
        for name in sorted(mod.summary.classes):
            cls = index.class_in(mod, name)
            if is_app_config(index, cls):
                attrs = _config_attrs(cls, index)
                if isinstance(attrs.get("name"), str):
                    configs.append((cls, attrs))
    return configs


def _registry(
    settings: Settings,
    found: list[tuple[ClassValue, dict[str, object]]],
    entries: list[str],
) -> AppRegistry:
    """A registry of Django's apps, the AppConfigs ``found`` and the INSTALLED_APPS
    ``entries`` (an AppConfig path that two files define: the last one)."""
    registry = AppRegistry(settings)
    configs = {cls.path: (cls, attrs) for cls, attrs in found}
    by_package: dict[str, list[str]] = {}
    for path, (_cls, attrs) in configs.items():
        by_package.setdefault(str(attrs["name"]), []).append(path)

    def add(path: str, attrs: dict[str, object]) -> None:
        pkg = str(attrs["name"])
        label = attrs.get("label")
        auto = attrs.get("default_auto_field")
        registry.apps[pkg] = AppInfo(  # (name, label, config, default_auto_field)
            pkg,
            label if isinstance(label, str) else pkg.rsplit(".", 1)[-1],
            path,
            auto if isinstance(auto, str) else None,
        )

    for pkg, (label, auto) in _DJANGO_APPS.items():
        registry.apps[pkg] = AppInfo(pkg, label, None, auto)
    # Every AppConfig in the tree (the installed one wins below).
    for _pkg, paths in sorted(by_package.items()):
        chosen = sorted(paths, key=lambda p: (configs[p][1].get("default") is not True, p))[0]
        add(chosen, configs[chosen][1])
    for entry in entries:
        if entry in configs:
            add(entry, configs[entry][1])
        elif entry not in registry.apps:
            registry.apps[entry] = AppInfo(entry, entry.rsplit(".", 1)[-1])
    return registry
