"""The fields django-modeltranslation adds: its ``ready`` imports every installed app's
``translation`` module, where ``@register(Model)`` on a ``TranslationOptions`` class (or
``translator.register(Model, Options)``, or ``register(Model, fields=...)``) names fields of a
model to translate; each gets a copy per language, ``<field>_<lang>`` (``pt-br`` -> ``pt_br``,
``id`` -> ``ind``), as modeltranslation 0.20 makes it:

- the languages are ``MODELTRANSLATION_LANGUAGES``, else the codes of ``LANGUAGES`` (when the
  settings have none, Django's default: the environment's ``global_settings``, else 5.2's);
  nothing is added when ``MODELTRANSLATION_ENABLE_REGISTRATIONS`` (default ``USE_I18N``) is
  false;
- a copy is the field itself (class, max_length, unique, ...) but nullable (a boolean field
  keeps its null), its column the ``db_column`` localized or its own name, right after the
  field (it shares its creation counter); its ``params`` are what its ``deconstruct`` gives
  (what a migration writes); its origin is ``implicit`` (written nowhere: the checks judge
  the field it copies);
- a model inherits the fields its abstract parents' options name (not a concrete parent's:
  those are in the parent's table); a proxy gets none;
- a foreign key's copy gets a localized ``related_name``; a many-to-many one (its own
  intermediary model per language) is not followed: the model says so in its
  ``incomplete_reasons``.
"""

from __future__ import annotations

import re

from djatlas.graph.constants import UNKNOWN, is_expr
from djatlas.graph.types import Field, Relation
from djatlas.records import replace
from djatlas.resolve.values import ClassValue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.graph.apps import AppRegistry
    from djatlas.graph.build import GraphBuilder, ModelInfo
    from djatlas.parse.summary import Call, Expr

_PACKAGE = "modeltranslation"
#: The registering callables (the decorator, and the translator's method as djatlas names it).
_REGISTERS = ("modeltranslation.decorators.register", "modeltranslation.translator.register")
_TRANSLATOR = "modeltranslation.translator.translator"
_TRANSLATOR_CLASS = "modeltranslation.translator.Translator"


def translate(builder: GraphBuilder, infos: list[ModelInfo]) -> None:
    """Add the translation fields of every model registered in a ``translation`` module (or a
    ``MODELTRANSLATION_TRANSLATION_FILES`` one) of a project that installs modeltranslation."""
    registry = builder.registry
    for project in list(registry.by_root.values()) or [registry]:
        if any(e.partition(".")[0] == _PACKAGE for e in project.settings.installed_apps):
            _Translator(builder, project).run(infos)


class _Translator:
    """One project's registrations, applied as its ``django.setup()`` applies them."""

    def __init__(self, builder: GraphBuilder, registry: AppRegistry) -> None:
        self.builder = builder
        self.registry = registry
        self.settings = registry.settings
        module = registry.settings.module
        #: The settings module (None when not read), the scope its values apply to.
        self.settings_mod = builder.index.module(module) if module else None
        self.file = self.settings_mod.relpath if self.settings_mod is not None else None
        #: Registered model class key -> the names of its options' fields, in order.
        self.options: dict[str, list[str]] = {}
        self.classes: dict[str, ClassValue] = {}
        #: Labels of the models a translated relation points at before they are registered:
        #: the package caches their (empty) options then, and ignores those given later.
        self.seen: set[str] = set()

    def run(self, infos: list[ModelInfo]) -> None:
        enabled = self._setting("MODELTRANSLATION_ENABLE_REGISTRATIONS", None)
        if enabled is None:
            enabled = self._setting("USE_I18N", True)
        if enabled is False:
            return
        for mod in self._modules():
            for member in mod.summary.registrations:
                self._register(mod, member.name, member.value)
        if not self.options:
            return
        languages = self._languages()
        copies: dict[tuple[str, str], list[Field]] = {}  # (model label, field) -> its copies
        for cls in self.classes.values():
            info = self.builder.info_of(cls)
            if info is not None and info.model is not None and not info.model.proxy:
                copies.update(_add(info, self._fields_of(cls), languages))
        for info in [*infos, *self.builder.externals]:
            if info.model is not None and not info.model.abstract:
                _inherit(info.model, self._ancestors(info.cls), copies, self.builder)

    def _ancestors(self, cls: ClassValue) -> list[str]:
        """The labels of the concrete models whose fields ``cls``'s model has (multi-table
        parents, or the model a proxy stands for), nearest first."""
        out: list[str] = []
        todo = list(self.builder._concrete_parents(cls))
        while todo:
            parent = todo.pop(0)
            model = self.builder.model_of(parent)
            if model is not None and model.label not in out:
                out.append(model.label)
                todo += self.builder._concrete_parents(parent)
        return out

    # -- what is registered ---------------------------------------------------------------
    def _modules(self) -> list[Any]:
        """The ``translation`` module of each installed app, in INSTALLED_APPS order, then
        ``MODELTRANSLATION_TRANSLATION_FILES``'s."""
        index, out = self.builder.index, []
        names = [f"{app}.translation" for app in self._app_packages()]
        files = self._setting("MODELTRANSLATION_TRANSLATION_FILES", [])
        names += [n for n in files if isinstance(n, str)] if isinstance(files, list) else []
        for name in dict.fromkeys(names):
            mod = index.module(name, self.file)
            if mod is not None and mod.summary.registrations:
                out.append(mod)
        return out

    def _app_packages(self) -> list[str]:
        """The package of each installed app (an AppConfig path gives its app's name)."""
        by_config = {a.config: a.name for a in self.registry.apps.values() if a.config}
        return [by_config.get(entry) or entry for entry in self.settings.installed_apps]

    def _register(self, mod: Any, name: str, expr: Expr) -> None:
        """A registration: ``@register(models, **options)`` on class ``name[1:]``, or a call
        ``translator.register(models, Options=None, **options)``."""
        call = expr.call
        if call is None or not call.args or not self._registers(mod, call):
            return
        options_cls = None
        if name.startswith("@"):
            options_cls = self.builder.index.resolve(mod, name[1:])
        elif len(call.args) > 1 and call.args[1].ref:
            options_cls = self.builder.index.resolve(mod, call.args[1].ref)
        fields = self._option_fields(options_cls)
        given = call.kwargs.get("fields")
        if given is not None:
            value = self.builder.constants.value(given, mod, mod.relpath)
            if isinstance(value, list):
                fields += [f for f in value if isinstance(f, str) and f not in fields]
        for ref in _refs(call.args[0].value, call.args[0].ref):
            cls = self.builder.index.resolve(mod, ref)
            model = self.builder.model_of(cls) if isinstance(cls, ClassValue) else None
            if model is None or cls.key in self.options:  # (the package refuses it twice)
                continue
            self.options[cls.key] = [] if model.label in self.seen else list(fields)
            self.classes[cls.key] = cls
            translated = set(self._fields_of(cls))
            for f in model.fields:
                rel = f.relation
                hidden = rel is not None and (rel.related_name or "").endswith("+")
                if f.name in translated and rel is not None and rel.target and not hidden:
                    self.seen.add(rel.target)

    def _registers(self, mod: Any, call: Call) -> bool:
        found = self.builder.index.resolve(mod, call.func)
        path = getattr(found, "path", None) or ""
        if path in _REGISTERS:
            return True
        owner, _, attr = call.func.rpartition(".")
        if attr != "register" or not owner:
            return False
        found = self.builder.index.resolve(mod, owner)
        if (getattr(found, "path", None) or "").startswith(_TRANSLATOR):
            return True
        return getattr(getattr(found, "cls", None), "path", None) == _TRANSLATOR_CLASS

    def _option_fields(self, cls: object) -> list[str]:
        """The ``fields`` of an options class and of its options bases (merged, as the
        package's metaclass merges them)."""
        out: list[str] = []
        if not isinstance(cls, ClassValue):
            return out
        for c in self.builder.index.mro(cls):
            if not isinstance(c, ClassValue) or c.summary is None:
                continue
            for member in c.summary.members:
                if member.name == "fields" and member.value.kind == "literal":
                    value = member.value.value
                    if isinstance(value, list):
                        out += [f for f in value if isinstance(f, str) and f not in out]
        return out

    def _fields_of(self, cls: ClassValue) -> list[str]:
        """The fields translated in ``cls``'s table: its options', and those of the options of
        its abstract ancestors (``TranslationOptions.update``)."""
        out = list(self.options.get(cls.key, []))
        for base in self.builder.index.bases(cls):
            if isinstance(base, ClassValue) and self.builder.is_model(base):
                model = self.builder.model_of(base)
                if model is not None and model.abstract:
                    out += [f for f in self._fields_of(base) if f not in out]
        return out

    # -- settings -----------------------------------------------------------------------
    def _setting(self, name: str, default: Any) -> Any:
        found = self.builder.constants.setting(name, self.file, _MISSING)
        if found is _MISSING:
            found = self._listed(name)
        return default if found is _MISSING or found is UNKNOWN else found

    def _listed(self, name: str) -> Any:
        """A setting bound to a list or tuple (its items' values), else _MISSING."""
        found = _assigned(self.builder, self.settings_mod, name, 0)
        if found is None:
            return _MISSING
        value = self.builder.constants.expr_value(found[0], found[1], self.file)
        return value if isinstance(value, list) else _MISSING

    def _languages(self) -> list[str] | None:
        """``MODELTRANSLATION_LANGUAGES``, else the codes of ``LANGUAGES`` (the project's, else
        Django's global default), else None (not known statically)."""
        own = self._setting("MODELTRANSLATION_LANGUAGES", None)
        if isinstance(own, list) and all(isinstance(c, str) for c in own):
            return own
        written = _assigned(self.builder, self.settings_mod, "MODELTRANSLATION_LANGUAGES", 0)
        if written is not None and not _codes_of_languages(written[0]):
            return None  # set, but to what is not known statically
        return language_codes(self.builder, self.settings_mod)


def language_codes(builder: GraphBuilder, settings_mod: Any) -> list[str] | None:
    """The codes of ``LANGUAGES`` in the settings module (or what it imports), else in
    Django's global default (the environment's, else 5.2's); None when not known statically."""
    found = _assigned(builder, settings_mod, "LANGUAGES", 0)
    if found is None:  # (Django's global settings read only then: parsed from the environment)
        defaults = builder.index.environment_module("django.conf.global_settings")
        found = _assigned(builder, defaults, "LANGUAGES", 0)
    return _codes(found[0]) if found is not None else list(DJANGO_LANGUAGES)


_MISSING: Any = object()
#: The codes of Django 5.2's default ``LANGUAGES`` (``django.conf.global_settings``), for a
#: project whose settings and environment give none.
DJANGO_LANGUAGES = (
    "af", "ar", "ar-dz", "ast", "az", "bg", "be", "bn", "br", "bs", "ca", "ckb", "cs", "cy", "da",
    "de", "dsb", "el", "en", "en-au", "en-gb", "eo", "es", "es-ar", "es-co", "es-mx", "es-ni",
    "es-ve", "et", "eu", "fa", "fi", "fr", "fy", "ga", "gd", "gl", "he", "hi", "hr", "hsb", "hu",
    "hy", "ia", "id", "ig", "io", "is", "it", "ja", "ka", "kab", "kk", "km", "kn", "ko", "ky", "lb",
    "lt", "lv", "mk", "ml", "mn", "mr", "ms", "my", "nb", "ne", "nl", "nn", "os", "pa", "pl", "pt",
    "pt-br", "ro", "ru", "sk", "sl", "sq", "sr", "sr-latn", "sv", "sw", "ta", "te", "tg", "th",
    "tk", "tr", "tt", "udm", "ug", "uk", "ur", "uz", "vi", "zh-hans", "zh-hant",
)  # fmt: skip


def _assigned(builder: GraphBuilder, mod: Any, name: str, depth: int) -> tuple[Expr, Any] | None:
    """The expression ``name`` is bound to at the top level of ``mod``, or of the module it
    is imported or star-imported from, and that module."""
    if mod is None or depth > 8:
        return None
    s = mod.summary
    if name in s.assigns:
        return s.assigns[name], mod
    ref = s.imports.get(name)
    if ref is not None and ref.name is not None:
        target = builder.index.module(ref.module, mod.relpath)
        return _assigned(builder, target, ref.name, depth + 1)
    for star in reversed(s.star_imports):  # (the last one binds it)
        found = _assigned(builder, builder.index.module(star, mod.relpath), name, depth + 1)
        if found is not None:
            return found
    return None


def _codes(expr: Expr) -> list[str] | None:
    """The first items of a list of pairs (``[("en", _("English")), ...]``), else None."""
    if expr.kind == "literal" and isinstance(expr.value, list):
        pairs = expr.value
        if all(isinstance(p, list) and p and isinstance(p[0], str) for p in pairs):
            return [p[0] for p in pairs]
        return None
    if expr.kind != "tuple" or expr.items is None:
        return None
    out = []
    for item in expr.items:
        first = item.items[0] if item.kind == "tuple" and item.items else None
        if first is None or first.kind != "literal" or not isinstance(first.value, str):
            return None
        out.append(first.value)
    return out


#: The codes of ``LANGUAGES`` by a comprehension: ``code for code, _ in LANGUAGES`` or
#: ``lang[0] for lang in LANGUAGES`` (in a list, or a generator given to ``tuple``/``list``).
_FIRSTS = re.compile(
    r"[\[(]\s*(?:(\w+)\s+for\s+\(?\s*\1\s*,\s*\w+\s*\)?|(\w+)\s*\[\s*0\s*\]\s+for\s+\2)"
    r"\s+in\s+LANGUAGES\s*[\])]"
)


def _codes_of_languages(expr: Expr) -> bool:
    """Whether a setting's expression is the codes of ``LANGUAGES`` (``_FIRSTS``)."""
    text = expr.source
    if expr.kind == "call" and expr.call is not None and expr.call.func in ("tuple", "list"):
        args = expr.call.args
        text = args[0].value.get("$expr", "") if len(args) == 1 and is_expr(args[0].value) else ""
    return bool(text) and _FIRSTS.fullmatch(text.strip()) is not None


def _refs(value: Any, ref: str | None) -> list[str]:
    """The model names a registration's first argument gives: one, or a list of them."""
    if ref:
        return [ref]
    if isinstance(value, list):
        return [v["$expr"] for v in value if is_expr(v) and isinstance(v.get("$expr"), str)]
    return []


def _add(
    info: ModelInfo, names: list[str], languages: list[str] | None
) -> dict[tuple[str, str], list[Field]]:
    """Insert the copies of the fields ``names`` after each, per language; the copies by
    ``(model label, field name)``."""
    model = info.model
    assert model is not None
    if languages is None:
        info.reasons.append("modeltranslation's languages are not known statically")
        return {}
    wanted, made = set(names), {}
    out: list[Field] = []
    for f in model.fields:
        out.append(f)
        if f.name not in wanted or f.origin == "parent":
            continue
        if f.relation is not None and f.relation.kind not in ("ForeignKey", "OneToOneField"):
            info.reasons.append(f"modeltranslation's copies of {f.name} are not followed")
            continue
        made[(model.label, f.name)] = copies = [_copy(f, model.name, lang) for lang in languages]
        out += copies
    model.fields[:] = out
    return made


def _inherit(
    model: Any,
    ancestors: list[str],
    copies: dict[tuple[str, str], list[Field]],
    builder: GraphBuilder,
) -> None:
    """The copies a model has from its concrete ancestors' fields (as parent fields), after
    each of them."""
    if not ancestors:
        return
    out: list[Field] = []
    for f in model.fields:
        out.append(f)
        if f.origin != "parent":
            continue
        for label in ancestors:
            found = copies.get((label, f.name))
            if found is not None:
                out += [builder._as_parent(c) for c in found]
                break
    model.fields[:] = out


def _localized(name: str, lang: str) -> str:
    return f"{name}_{'ind' if lang == 'id' else lang.replace('-', '_')}"


def _copy(f: Field, model_name: str, lang: str) -> Field:
    """``TranslationField(f, lang)``: the field, nullable (but a boolean one); its ``params``
    what its ``deconstruct`` gives (the field's, with ``null`` and the localized
    ``db_column``), its relation what ``_meta`` has (the reverse accessor localized)."""
    name = _localized(f.name, lang)
    params: dict[str, Any] = dict(f.params)
    null = f.null if f.django_type == "BooleanField" else True
    if null:
        params["null"] = True
    column = name
    given = f.params.get("db_column")
    if isinstance(given, str) and given:
        column = params["db_column"] = _localized(given, lang)
    relation = f.relation
    if relation is not None:
        column = column if isinstance(given, str) and given else f"{name}_id"
        relation = _relation(relation, model_name, lang)
    # ``implicit``: written nowhere in the tree (the checks judge the field it copies).
    return replace(
        f, name=name, line=None, origin="implicit", defined_in=None, params=params,
        column=column, null=null, primary_key=False, relation=relation,
        known_params=dict(f.known_params),
    )  # fmt: skip


def _relation(rel: Relation, model_name: str, lang: str) -> Relation:
    """A foreign key copy's relation: its reverse accessor localized (a hidden one kept)."""
    related = rel.related_name
    if not (related and related.endswith("+")):
        current = related or (
            model_name.lower() if rel.kind == "OneToOneField" else f"{model_name.lower()}_set"
        )
        related = _localized(current, lang)
    return replace(rel, related_name=related, through_id=None, parent_link=False)
