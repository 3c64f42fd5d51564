"""What a resolved class is: a model, a field (which Django type, which relation), an AppConfig."""

from __future__ import annotations

import sys

from djatlas.records import dataclass
from djatlas.resolve.builtin import APPCONFIG_ROOTS, FIELD_ROOTS, MODEL_ROOTS
from djatlas.resolve.index import ProjectIndex
from djatlas.resolve.values import ClassValue, External

_RELATION_NAMES = (
    "ForeignKey",
    "OneToOneField",
    "ManyToManyField",
    "GenericForeignKey",
    "GenericRelation",
)
#: Third-party relation classes whose names don't say what they are.
_KNOWN_RELATIONS = {
    "modelcluster.fields.ParentalKey": "ForeignKey",
    "modelcluster.fields.ParentalManyToManyField": "ManyToManyField",
    "mptt.fields.TreeForeignKey": "ForeignKey",
    "mptt.fields.TreeOneToOneField": "OneToOneField",
    "mptt.fields.TreeManyToManyField": "ManyToManyField",
}
#: Packages whose classes are never Django models, whatever their names (and a few classes).
_NOT_MODEL_PACKAGES = (
    "pydantic",
    "rest_framework",
    "marshmallow",
    "attr",
    "attrs",
    "sqlalchemy",
    "mongoengine",
    "peewee",
    "dataclasses",
    "typing",
    "enum",
    "abc",
    "graphene",
    "strawberry",
    "ninja",
    "msgspec",
    "django.forms",
    "django.db.models.Manager",
    "django.db.models.QuerySet",
    "django.db.models.TextChoices",
    "django.db.models.IntegerChoices",
    "django.db.models.Choices",
)
#: ``path.startswith`` prefixes of ``_NOT_MODEL_PACKAGES``: a package and its modules, or a class
#: (``rest_framework`` is not ``rest_framework_api_key``, a package of Django models).
_NOT_MODEL_PREFIXES = tuple(f"{p}." for p in _NOT_MODEL_PACKAGES)
#: Modules within those packages that do define Django models.
_MODELS_WITHIN = ("rest_framework.authtoken.",)
#: The standard library: never a model base.
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) - {"django"}


def _is_django(path: str) -> bool:
    return path.startswith("django.")


@dataclass(eq=False, repr=False)
class FieldClass:
    """What djatlas knows of a field class."""

    path: str | None
    django_type: str | None
    relation: str | None
    init_params: list[str]
    resolved: bool
    #: Not a Django ``Field`` but registered as a private one by its ``contribute_to_class``
    #: (saleor's ``MoneyField``): no column, listed with the model's private fields.
    private: bool = False


def mro_paths(index: ProjectIndex, cls: ClassValue) -> list[str]:
    return [c.path for c in index.mro(cls) if isinstance(c, (ClassValue, External))]


def is_model_class(index: ProjectIndex, cls: ClassValue) -> tuple[bool, list[str]]:
    """(is a model, unresolved external bases that made us assume so)."""
    mro = index.mro(cls)
    if cls.path in MODEL_ROOTS:
        return False, []
    # The classes' paths, then each root set asked of them all at C speed (asked for every
    # class of the tree: netbox's long MROs, ~70K bytecodes in a loop of tests per class).
    paths = [c.path for c in mro if isinstance(c, ClassValue)]
    if not MODEL_ROOTS.isdisjoint(paths):
        return True, []
    if not (FIELD_ROOTS.isdisjoint(paths) and APPCONFIG_ROOTS.isdisjoint(paths)):
        return False, []  # a field or an AppConfig
    assumed = [c.path for c in mro if isinstance(c, External) and looks_like_model_base(c.path)]
    return bool(assumed), assumed


def _never_a_model(path: str) -> bool:
    """A class of one of ``_NOT_MODEL_PACKAGES`` (or one of its classes)."""
    return (
        path in _NOT_MODEL_PACKAGES or path.startswith(_NOT_MODEL_PREFIXES)
    ) and not path.startswith(_MODELS_WITHIN)


def may_add_fields(path: str) -> bool:
    """An unresolved base that could add fields or Meta to a model (not the standard library,
    typing, or a package known to define no Django models)."""
    top = path.split(".", 1)[0]
    return not (_never_a_model(path) or top in _STDLIB or top == "builtins")


def looks_like_model_base(path: str) -> bool:
    """Heuristic for a base class outside everything djatlas can read."""
    if _never_a_model(path) or path.startswith(("builtins.", "django.")):
        return False  # Django's own model classes are all in the built-in table
    module, _, name = path.rpartition(".")
    parts = module.split(".")
    if name.endswith(
        (
            "Manager",
            "QuerySet",
            "Serializer",
            "Form",
            "Admin",
            "Choices",
            "Field",
            "FieldFile",
            "File",
            "Descriptor",
            "Config",
            "Schema",
            "View",
            "Widget",
            "Storage",
            "Lookup",
            "Transform",
            "Expression",
            "Func",
            "Index",
            "Constraint",
            "Enum",
        )
    ):
        return False
    if name.endswith("Mixin") and "models" not in parts:
        return False
    return "models" in parts or (name.endswith("Model") and ("django" in module or module == ""))


def is_app_config(index: ProjectIndex, cls: ClassValue) -> bool:
    """An AppConfig subclass. A base outside everything readable counts when it is named
    ``...AppConfig`` or lives in an ``apps`` module (``modelsearch.apps.ModelSearchAppConfig``).
    """
    for c in index.mro(cls):  # (asked for every class of the tree)
        if isinstance(c, ClassValue):
            if c.path in APPCONFIG_ROOTS:
                return True
        elif isinstance(c, External) and c.path.endswith("Config"):  # what both tests need
            module, _, name = c.path.rpartition(".")
            if name.endswith("AppConfig") or (module.endswith(".apps") and name.endswith("Config")):
                return True
    return False


def field_class(index: ProjectIndex, cls: object) -> FieldClass | None:
    """FieldClass for a field class value, or None when it isn't one."""
    if isinstance(cls, External):
        return _external_field(cls.path)
    if not isinstance(cls, ClassValue):
        return None
    mro = index.mro(cls)
    paths = [c.path for c in mro if isinstance(c, (ClassValue, External))]
    rooted = not FIELD_ROOTS.isdisjoint(paths)
    if not rooted and any(p.endswith("contenttypes.fields.GenericForeignKey") for p in paths):
        # Before Django 5.1, GenericForeignKey is not a Field subclass.
        return FieldClass(
            cls.path,
            "GenericForeignKey",
            "GenericForeignKey",
            ["ct_field", "fk_field", "for_concrete_model"],
            True,
        )
    if not rooted:
        if any(isinstance(c, ClassValue) and c.path in MODEL_ROOTS for c in mro):
            return None
        if any(
            isinstance(c, ClassValue) and c.summary is not None and c.summary.private for c in mro
        ):
            return FieldClass(cls.path, None, None, _init_params(mro), True, True)
        ext = next((c for c in mro if isinstance(c, External)), None)
        guess = _external_field(ext.path) if ext else None
        if guess is None:
            return None
        guess.path = cls.path
        return guess
    django_type, relation = _django_kinds(paths)
    if django_type is None:
        django_type = "Field"  # a direct subclass of Field (e.g. timezone_field.TimeZoneField)
    if relation is None and any(_is_django(p) and p.endswith(".RelatedField") for p in paths):
        # A relation of its own kind (e.g. taggit's TaggableManager): no column of its own.
        relation = "RelatedField"
        django_type = "RelatedField" if django_type == "Field" else django_type
    return FieldClass(cls.path, django_type, relation, _init_params(mro), True)


def _init_params(mro: list[object]) -> list[str]:
    """The positional parameters of the first ``__init__`` of the MRO that has some."""
    for c in mro:
        if isinstance(c, ClassValue) and c.summary is not None and c.summary.init_params:
            return c.summary.init_params
    return []


def _django_kinds(paths: list[str]) -> tuple[str | None, str | None]:
    """(Django field type, relation kind) from a field class's MRO paths, in one pass over
    them (asked once per field class): the first Django class's name that is no root, mixin,
    ``RelatedField`` or ``ForeignObject``; the kind of the first known third-party relation
    class, else the first Django relation class's name."""
    django_type = known = named = None
    for p in paths:
        if known is None:
            known = _KNOWN_RELATIONS.get(p)
        if not p.startswith("django."):  # (``_is_django``)
            continue
        name = p.rpartition(".")[2]
        if named is None and name in _RELATION_NAMES:
            named = name
        if (
            django_type is None
            and p not in FIELD_ROOTS
            and not name.endswith("Mixin")
            and name != "RelatedField"
            and name != "ForeignObject"
        ):
            django_type = name
    return django_type, known if known is not None else named


def _external_field(path: str) -> FieldClass | None:
    name = path.rsplit(".", 1)[-1]
    relation = _KNOWN_RELATIONS.get(path) or next(
        (r for r in _RELATION_NAMES if name.endswith(r)), None
    )
    if relation is None and not name.endswith("Field"):
        return None
    params = (
        ["to", "on_delete"]
        if relation in ("ForeignKey", "OneToOneField")
        else (["to"] if relation == "ManyToManyField" else ["verbose_name", "name"])
    )
    return FieldClass(path, relation, relation, params, False)
