"""Django's own classes, as small stub modules parsed like any other source.

This is the "built-in" origin: it lets a machine without Django resolve ``models.Model``, every
built-in field (with its positional parameters, from ``__init__``) and Django's abstract user
models. Stubs are source text, never imported or executed.
"""

from __future__ import annotations

_FIELD_INIT = (
    "self, verbose_name=None, name=None, primary_key=False, max_length=None, unique=False, "
    "blank=False, null=False, db_index=False, rel=None, default=None, editable=True, "
    "serialize=True, unique_for_date=None, unique_for_month=None, unique_for_year=None, "
    "choices=None, help_text='', db_column=None, db_tablespace=None, auto_created=False, "
    "validators=(), error_messages=None, db_comment=None, db_default=None"
)

_MODELS = f'''
class Model:
    pass
class Manager:
    pass
class QuerySet:
    pass
class BaseManager:
    pass
class Field:
    def __init__({_FIELD_INIT}): ...
class AutoFieldMixin: ...
class IntegerField(Field): ...
class BigIntegerField(IntegerField): ...
class SmallIntegerField(IntegerField): ...
class PositiveIntegerRelDbTypeMixin: ...
class PositiveIntegerField(PositiveIntegerRelDbTypeMixin, IntegerField): ...
class PositiveSmallIntegerField(PositiveIntegerRelDbTypeMixin, SmallIntegerField): ...
class PositiveBigIntegerField(PositiveIntegerRelDbTypeMixin, BigIntegerField): ...
class AutoField(AutoFieldMixin, IntegerField): ...
class BigAutoField(AutoFieldMixin, BigIntegerField): ...
class SmallAutoField(AutoFieldMixin, SmallIntegerField): ...
class BinaryField(Field): ...
class BooleanField(Field): ...
class NullBooleanField(BooleanField): ...
class CharField(Field):
    def __init__(self, *args, db_collation=None, **kwargs): ...
class CommaSeparatedIntegerField(CharField): ...
class SlugField(CharField):
    def __init__(self, *args, max_length=50, db_index=True, allow_unicode=False, **kwargs): ...
class EmailField(CharField):
    def __init__(self, verbose_name=None, name=None, **kwargs): ...
class URLField(CharField):
    def __init__(self, verbose_name=None, name=None, **kwargs): ...
class TextField(Field):
    def __init__(self, *args, db_collation=None, **kwargs): ...
class DateField(Field):
    def __init__(self, verbose_name=None, name=None, auto_now=False, auto_now_add=False, **kwargs): ...
class DateTimeField(DateField): ...
class TimeField(Field):
    def __init__(self, verbose_name=None, name=None, auto_now=False, auto_now_add=False, **kwargs): ...
class DurationField(Field): ...
class DecimalField(Field):
    def __init__(self, verbose_name=None, name=None, max_digits=None, decimal_places=None, **kwargs): ...
class FloatField(Field): ...
class FilePathField(Field):
    def __init__(self, verbose_name=None, name=None, path="", match=None, recursive=False, allow_files=True, allow_folders=False, **kwargs): ...
class GenericIPAddressField(Field):
    def __init__(self, verbose_name=None, name=None, protocol="both", unpack_ipv4=False, *args, **kwargs): ...
class IPAddressField(Field): ...
class UUIDField(Field):
    def __init__(self, verbose_name=None, **kwargs): ...
class JSONField(Field):
    def __init__(self, verbose_name=None, name=None, encoder=None, decoder=None, **kwargs): ...
class FileField(Field):
    def __init__(self, verbose_name=None, name=None, upload_to="", storage=None, **kwargs): ...
class ImageField(FileField):
    def __init__(self, verbose_name=None, name=None, width_field=None, height_field=None, **kwargs): ...
class GeneratedField(Field):
    def __init__(self, *, expression, output_field, db_persist=None, **kwargs): ...
class CompositePrimaryKey(Field):
    def __init__(self, *args, **kwargs): ...
class RelatedField(Field): ...
class ForeignObject(RelatedField):
    def __init__(self, to, on_delete, from_fields, to_fields, rel=None, related_name=None, related_query_name=None, limit_choices_to=None, parent_link=False, swappable=True, **kwargs): ...
class ForeignKey(ForeignObject):
    def __init__(self, to, on_delete, related_name=None, related_query_name=None, limit_choices_to=None, parent_link=False, to_field=None, db_constraint=True, **kwargs): ...
class OneToOneField(ForeignKey):
    def __init__(self, to, on_delete, to_field=None, **kwargs): ...
class ManyToManyField(RelatedField):
    def __init__(self, to, related_name=None, related_query_name=None, limit_choices_to=None, symmetrical=None, through=None, through_fields=None, db_constraint=True, db_table=None, swappable=True, **kwargs): ...
def CASCADE(): ...
def PROTECT(): ...
def RESTRICT(): ...
def SET_NULL(): ...
def SET_DEFAULT(): ...
def SET(value): ...
def DO_NOTHING(): ...
class Index: ...
class UniqueConstraint: ...
class CheckConstraint: ...
class Q: ...
class F: ...
class TextChoices: ...
class IntegerChoices: ...
class Choices: ...
'''

_STAR_MODELS = "from django.db.models import *\n"

_AUTH_BASE_USER = '''
from django.db import models
from django.utils.translation import gettext_lazy as _
class BaseUserManager(models.Manager): ...
class AbstractBaseUser(models.Model):
    password = models.CharField(_("password"), max_length=128)
    last_login = models.DateTimeField(_("last login"), blank=True, null=True)
    class Meta:
        abstract = True
    def __str__(self): ...
'''

_AUTH_MODELS = '''
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils import timezone
class PermissionManager(models.Manager): ...
class Permission(models.Model):
    name = models.CharField(_("name"), max_length=255)
    content_type = models.ForeignKey(ContentType, models.CASCADE, verbose_name=_("content type"))
    codename = models.CharField(_("codename"), max_length=100)
    class Meta:
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")
        unique_together = [["content_type", "codename"]]
        ordering = ["content_type__app_label", "content_type__model", "codename"]
    def __str__(self): ...
class GroupManager(models.Manager): ...
class Group(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)
    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
    def __str__(self): ...
class UserManager(BaseUserManager): ...
class PermissionsMixin(models.Model):
    is_superuser = models.BooleanField(_("superuser status"), default=False, help_text=_("Designates that this user has all permissions without explicitly assigning them."))
    groups = models.ManyToManyField(Group, verbose_name=_("groups"), blank=True, help_text=_("The groups this user belongs to. A user will get all permissions granted to each of their groups."), related_name="user_set", related_query_name="user")
    user_permissions = models.ManyToManyField(Permission, verbose_name=_("user permissions"), blank=True, help_text=_("Specific permissions for this user."), related_name="user_set", related_query_name="user")
    class Meta:
        abstract = True
class AbstractUser(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(_("username"), max_length=150, unique=True, help_text=_("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."), validators=[username_validator], error_messages={"unique": _("A user with that username already exists.")})
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Designates whether the user can log into this admin site."))
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Designates whether this user should be treated as active. Unselect this instead of deleting accounts."))
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    objects = UserManager()
    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        abstract = True
class User(AbstractUser):
    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
class AnonymousUser: ...
'''

_CONTENTTYPES_MODELS = '''
from django.db import models
from django.utils.translation import gettext_lazy as _
class ContentTypeManager(models.Manager): ...
class ContentType(models.Model):
    app_label = models.CharField(max_length=100)
    model = models.CharField(_("python model class name"), max_length=100)
    class Meta:
        verbose_name = _("content type")
        verbose_name_plural = _("content types")
        db_table = "django_content_type"
        unique_together = [["app_label", "model"]]
    def __str__(self): ...
'''

_CONTENTTYPES_FIELDS = '''
from django.db.models import Field, ForeignObject
class GenericForeignKey(Field):
    def __init__(self, ct_field="content_type", fk_field="object_id", for_concrete_model=True): ...
class GenericRel: ...
class GenericRelation(ForeignObject):
    def __init__(self, to, object_id_field="object_id", content_type_field="content_type", for_concrete_model=True, related_query_name=None, limit_choices_to=None, **kwargs): ...
'''

_SITES_MODELS = '''
from django.db import models
from django.utils.translation import gettext_lazy as _
class SiteManager(models.Manager): ...
class Site(models.Model):
    domain = models.CharField(_("domain name"), max_length=100, validators=[_simple_domain_name_validator], unique=True)
    name = models.CharField(_("display name"), max_length=50)
    class Meta:
        db_table = "django_site"
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["domain"]
    def __str__(self): ...
'''

_POSTGRES_FIELDS = '''
from django.db.models import Field, CharField, TextField, EmailField
class ArrayField(Field):
    def __init__(self, base_field, size=None, **kwargs): ...
class HStoreField(Field): ...
class RangeField(Field): ...
class IntegerRangeField(RangeField): ...
class BigIntegerRangeField(RangeField): ...
class DecimalRangeField(RangeField): ...
class DateTimeRangeField(RangeField): ...
class DateRangeField(RangeField): ...
class CICharField(CharField): ...
class CIEmailField(EmailField): ...
class CITextField(TextField): ...
'''

_GIS_MODELS = '''
from django.db.models import *
from django.db.models import Field
class GeometryField(Field): ...
class PointField(GeometryField): ...
class LineStringField(GeometryField): ...
class PolygonField(GeometryField): ...
class MultiPointField(GeometryField): ...
class MultiLineStringField(GeometryField): ...
class MultiPolygonField(GeometryField): ...
class GeometryCollectionField(GeometryField): ...
class RasterField(Field): ...
'''

_APPS = '''
class AppConfig:
    pass
'''

#: module name -> stub source.
STUBS: dict[str, str] = {
    "django": "",
    "django.db": "from django.db import models\n",
    "django.db.models": _MODELS,
    "django.db.models.base": _STAR_MODELS,
    "django.db.models.fields": _STAR_MODELS,
    "django.db.models.fields.related": _STAR_MODELS,
    "django.db.models.fields.json": _STAR_MODELS,
    "django.db.models.fields.files": _STAR_MODELS,
    "django.db.models.deletion": _STAR_MODELS,
    "django.db.models.manager": _STAR_MODELS,
    "django.db.models.query": _STAR_MODELS,
    "django.db.models.enums": _STAR_MODELS,
    "django.apps": _APPS,
    "django.apps.config": _APPS,
    "django.contrib": "",
    "django.contrib.auth": "",
    "django.contrib.auth.base_user": _AUTH_BASE_USER,
    "django.contrib.auth.models": _AUTH_MODELS,
    "django.contrib.contenttypes": "",
    "django.contrib.contenttypes.models": _CONTENTTYPES_MODELS,
    "django.contrib.contenttypes.fields": _CONTENTTYPES_FIELDS,
    "django.contrib.sites": "",
    "django.contrib.sites.models": _SITES_MODELS,
    "django.contrib.postgres": "",
    "django.contrib.postgres.fields": _POSTGRES_FIELDS,
    "django.contrib.gis": "",
    "django.contrib.gis.db": "from django.contrib.gis.db import models\n",
    "django.contrib.gis.db.models": _GIS_MODELS,
    # Django modules that define no model or field bases: known empty, never read.
    "django.core": "",
    "django.core.validators": "",
    "django.db.models.query_utils": "",
    "django.views": "",
    "django.views.generic": "",
    "django.views.generic.base": "",
    "django.utils": "",
    "django.utils.translation": "",
    "django.utils.timezone": "",
}

#: Packages (prefixes) covered by the stubs: outside these, Django modules come from the environment.
STUB_PACKAGES = frozenset(STUBS)

#: The roots of model and field classes, whatever the path they were reached by.
MODEL_ROOTS = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
FIELD_ROOTS = frozenset({"django.db.models.Field", "django.db.models.fields.Field"})
APPCONFIG_ROOTS = frozenset({"django.apps.AppConfig", "django.apps.config.AppConfig"})
#: Relation kinds: canonical class -> kind.
RELATION_KINDS = {
    "django.db.models.ForeignKey": "ForeignKey",
    "django.db.models.OneToOneField": "OneToOneField",
    "django.db.models.ManyToManyField": "ManyToManyField",
    "django.contrib.contenttypes.fields.GenericForeignKey": "GenericForeignKey",
    "django.contrib.contenttypes.fields.GenericRelation": "GenericRelation",
}
#: Default max_length of built-in fields that set one.
DEFAULT_MAX_LENGTH = {
    "SlugField": 50, "EmailField": 254, "URLField": 200, "FileField": 100, "ImageField": 100,
    "FilePathField": 100, "GenericIPAddressField": 39, "IPAddressField": 15, "UUIDField": 32,
}
