"""Model detection and name resolution across files: each import style and form."""

from __future__ import annotations

MODELS_PLAIN = """
from django.db import models

class Plain(models.Model):
    name = models.CharField(max_length=10)
"""


def test_import_styles_for_fields(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/models.py": """
            import django.db.models as m
            import django.db.models
            from django.db import models
            from django.db.models import CharField as CF, IntegerField

            class Styles(models.Model):
                a = models.CharField(max_length=1)
                b = CF(max_length=2)
                c = m.TextField()
                d = django.db.models.BooleanField(default=False)
                e: int = IntegerField(null=True)
        """,
        }
    )
    fields = {f["name"]: f for f in s.model("Styles")["fields"]}
    assert fields["a"]["resolved_type"] == "django.db.models.fields.CharField"
    assert fields["b"]["type"] == "CF" and fields["b"]["django_type"] == "CharField"
    assert fields["b"]["params"] == {"max_length": 2}
    assert fields["c"]["resolved_type"] == "django.db.models.fields.TextField"
    assert fields["d"]["django_type"] == "BooleanField"
    assert fields["e"]["null"] is True and fields["e"]["line"] == 11


def test_base_imported_from_other_module_and_reexport(project):
    s = project(
        {
            "core/__init__.py": "from .bases import Audited\n",
            "core/bases.py": """
            from django.db import models

            class Audited(models.Model):
                created = models.DateTimeField(auto_now_add=True)

                class Meta:
                    abstract = True
        """,
            "shop/__init__.py": "",
            "shop/models.py": """
            from core import Audited as Base

            class Order(Base):
                '''An order.'''
                total = models_total = None
        """,
        }
    )
    order = s.model("Order")
    assert order["module"] == "shop.models"
    assert order["bases"] == [
        {
            "name": "Base",
            "resolved": "core.bases.Audited",
            "origin": "tree",
            "model_id": "core.bases.Audited",
        }
    ]
    assert s.field("Order", "created")["origin"] == "inherited"
    assert s.field("Order", "created")["defined_in"] == "core.bases.Audited"
    assert order["docstring"] == "An order."
    assert s.model("Audited")["abstract"] is True


def test_star_import_alias_type_checking_and_try_except(project):
    s = project(
        {
            "lib/__init__.py": "",
            "lib/base.py": """
            from django.db import models
            __all__ = ["Stamped"]

            class Stamped(models.Model):
                stamp = models.IntegerField()

                class Meta:
                    abstract = True
        """,
            "lib/reexport.py": "from lib.base import *\nAlias = Stamped\n",
            "app/__init__.py": "",
            "app/models.py": """
            from typing import TYPE_CHECKING
            try:
                from lib.reexport import Alias
            except ImportError:
                Alias = None
            if TYPE_CHECKING:
                from lib.base import Stamped

            class Thing(Alias):
                pass
        """,
        }
    )
    assert s.field_names("Thing") == ["id", "stamp"]


def test_relative_imports_and_models_package(project):
    s = project(
        {
            "proj/__init__.py": "",
            "proj/blog/__init__.py": "",
            "proj/blog/models/__init__.py": "from .post import Post\nfrom .tag import *\n",
            "proj/blog/models/base.py": """
            from django.db import models

            class Base(models.Model):
                class Meta:
                    abstract = True
        """,
            "proj/blog/models/post.py": """
            from django.db import models
            from .base import Base
            from ..fields import SlugishField

            class Post(Base):
                slug = SlugishField()
                tags = models.ManyToManyField("Tag", related_name="posts")
        """,
            "proj/blog/models/tag.py": """
            from django.db import models
            from . import base

            class Tag(base.Base):
                name = models.CharField(max_length=20)
        """,
            "proj/blog/fields.py": """
            from django.db import models

            class SlugishField(models.SlugField):
                pass
        """,
        }
    )
    post = s.model("Post")
    assert post["module"] == "proj.blog.models.post"
    assert post["file"] == "proj/blog/models/post.py"
    assert post["app_label"] == "blog"
    slug = s.field("Post", "slug")
    assert slug["resolved_type"] == "proj.blog.fields.SlugishField"
    assert slug["django_type"] == "SlugField" and slug["max_length"] == 50
    tags = s.field("Post", "tags")["relation"]
    assert tags["target"] == "blog.Tag" and tags["target_raw"] == "'Tag'"
    assert {r["name"] for r in s.model("Tag")["reverse_relations"]} == {"posts"}


def test_namespace_package_resolution(project):
    s = project(
        {
            "src/ns/pkg/__init__.py": "",
            "src/ns/pkg/base.py": """
            from django.db import models

            class NsBase(models.Model):
                x = models.IntegerField()

                class Meta:
                    abstract = True
        """,
            "app/__init__.py": "",
            "app/models.py": "from ns.pkg.base import NsBase\n\nclass Child(NsBase):\n    pass\n",
        }
    )
    assert s.field("Child", "x")["origin"] == "inherited"


def test_folder_without_init_inside_a_package_is_a_namespace_subpackage(project):
    """readthedocs/notifications/ has no __init__.py; its apps.py names it
    ``readthedocs.notifications`` and Django imports ``readthedocs.notifications.models``."""
    s = project(
        {
            "site/__init__.py": "",
            "site/notifications/apps.py": """
            from django.apps import AppConfig

            class NotificationsConfig(AppConfig):
                name = "site.notifications"
        """,
            "site/notifications/models.py": """
            from django.db import models

            class Notification(models.Model):
                text = models.TextField()
        """,
            "site/settings.py": "INSTALLED_APPS = ['site.notifications.apps.NotificationsConfig']",
        }
    )
    model = s.model("Notification")
    assert model["label"] == "notifications.Notification"
    assert model["module"] == "site.notifications.models"
    assert model["db_table"] == "notifications_notification"


def test_django_abstract_user_and_mixins(project):
    s = project(
        {
            "accounts/__init__.py": "",
            "accounts/models.py": """
            from django.contrib.auth.models import AbstractUser, PermissionsMixin
            from django.contrib.auth.base_user import AbstractBaseUser
            from django.db import models

            class TimestampMixin:
                def touch(self):
                    pass

            class User(TimestampMixin, AbstractUser):
                nickname = models.CharField(max_length=30)

            class Service(AbstractBaseUser, PermissionsMixin):
                key = models.CharField(max_length=40, unique=True)
        """,
        }
    )
    names = s.field_names("User")
    assert names[0] == "id"
    for expected in (
        "password",
        "last_login",
        "is_superuser",
        "username",
        "email",
        "date_joined",
        "nickname",
        "groups",
        "user_permissions",
    ):
        assert expected in names
    assert s.model("User")["bases"][1]["origin"] in ("knowledge", "environment")
    assert s.field("User", "groups")["relation"]["target"] == "auth.Group"
    assert "username" not in s.field_names("Service")
    assert s.field("Service", "key")["unique"] is True
    assert "TimestampMixin" not in s.names()


def test_field_factories_and_project_functions(project):
    s = project(
        {
            "util/__init__.py": "",
            "util/fields.py": """
            from typing import Type
            from django.db import models

            def _make(base, name, model):
                cls = type(name, (base,), {})
                return cls

            def make_json_field(name, model) -> Type[models.JSONField]:
                return _make(models.JSONField, name, model)

            def user_field(**kwargs):
                return models.CharField(max_length=64, **kwargs)

            def not_a_field():
                return "x"
        """,
            "app/__init__.py": "",
            "app/models.py": """
            from typing import Optional
            from django.db import models
            from util.fields import make_json_field, user_field, not_a_field

            HostField = make_json_field("HostField", dict)

            class MyManager(models.Manager):
                pass

            class Config(models.Model):
                host: Optional[dict] = HostField(null=True)
                owner = user_field(null=True)
                other = not_a_field()
                objects = MyManager()
        """,
        }
    )
    names = s.field_names("Config")
    assert names == ["id", "host", "owner"]
    host = s.field("Config", "host")
    assert host["type"] == "HostField"
    assert host["resolved_type"] == "app.models.HostField"
    assert host["django_type"] == "JSONField" and host["null"] is True
    assert s.field("Config", "owner")["django_type"] == "CharField"


def test_third_party_fields_and_unresolved_bases(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/models.py": """
            import nowherejson
            from django.db import models
            from nowhere_extensions.db.models import TimeStampedModel
            from pydantic import BaseModel

            class Doc(TimeStampedModel):
                data = nowherejson.JSONField(default=dict)
                parent = models.ForeignKey("self", models.CASCADE)

            class Schema(BaseModel):
                name: str = "x"
        """,
        }
    )
    assert "Schema" not in s.names()
    doc = s.model("Doc")
    assert doc["bases"][0]["origin"] == "unresolved"
    data = s.field("Doc", "data")
    assert data["resolved_type"] == "nowherejson.JSONField" and data["params"]["default"] == {
        "$expr": "dict"
    }
    codes = {d["code"] for d in s.doc["diagnostics"]}
    assert "DJA101" in codes and "DJA103" in codes


def test_a_package_named_like_a_non_model_package_is_not_one(project):
    # as readthedocs.org's ``rest_framework_api_key`` (not installed, before djatlas bundled
    # it) is not ``rest_framework``, ``enumerations`` is not ``enum``: their bases are judged by
    # their names like any unknown one
    s = project(
        {
            "app/__init__.py": "",
            "app/models.py": """
            from django.db import models
            from enumerations.models import EnumModel
            from rest_framework.serializers import ModelSerializer
            from rest_framework_keys.models import AbstractAPIKey

            class BuildAPIKey(AbstractAPIKey):
                project = models.CharField(max_length=5)

                class Meta(AbstractAPIKey.Meta):
                    verbose_name = "build API key"

            class Colour(EnumModel):
                name = models.CharField(max_length=5)

            class KeySerializer(ModelSerializer):
                pass
        """,
        }
    )
    assert s.names() == {"BuildAPIKey", "Colour"}
    assert s.model("BuildAPIKey")["bases"][0]["origin"] == "unresolved"
    assumed = [d for d in s.doc["diagnostics"] if d["code"] == "DJA101"]
    assert sorted(d["model"] for d in assumed) == ["app.BuildAPIKey", "app.Colour"]


def test_not_models_are_not_reported(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/models.py": """
            from django.db import models

            class Status(models.TextChoices):
                A = "a"

            class QS(models.QuerySet):
                pass

            class Mixin:
                name = models.CharField(max_length=3)

            class Real(Mixin, models.Model):
                pass
        """,
        }
    )
    assert s.names() == {"Real"}
    assert s.field_names("Real") == ["id"]


def test_self_inheriting_alias_cycle_does_not_crash(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/models.py": """
            from django.db import models
            A = B
            B = A

            class Loop(A):
                pass

            class Fine(models.Model):
                pass
        """,
        }
    )
    assert "Fine" in s.names()


def test_circular_imports_between_model_modules(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/models/__init__.py": "from .a import A\nfrom .b import B\n",
            "app/models/a.py": "from django.db import models\nfrom .b import B\n\n"
            "class A(models.Model):\n    b = models.ForeignKey(B, models.CASCADE)\n",
            "app/models/b.py": "from django.db import models\nfrom . import a\n\n"
            "class B(models.Model):\n    a = models.ForeignKey('A', models.CASCADE)\n",
        }
    )
    assert s.field("A", "b")["relation"]["target"] == "app.B"
    assert s.field("B", "a")["relation"]["target"] == "app.A"


def test_field_factory_parameters_are_merged(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/fields.py": """
            from django.db import models

            def tenant_field(label="tenant", **kwargs):
                return models.CharField(label, max_length=32, default="default", **kwargs)
        """,
            "app/models.py": """
            from django.db import models
            from .fields import tenant_field

            class T(models.Model):
                tenant = tenant_field(db_index=True)
        """,
        }
    )
    f = s.field("T", "tenant")
    assert f["type"] == "tenant_field"
    assert f["django_type"] == "CharField" and f["max_length"] == 32
    assert f["params"]["default"] == "default" and f["params"]["db_index"] is True


def test_monorepo_projects_use_their_own_settings(project):
    s = project(
        {
            "one/proj1/__init__.py": "",
            "one/proj1/settings.py": """
            INSTALLED_APPS = ["django.contrib.auth", "shop"]
            INSTALLED_APPS += EXTRA_APPS
            AUTH_USER_MODEL = "people.Person"
            DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
        """,
            "one/shop/__init__.py": "",
            "one/shop/models.py": """
            from django.conf import settings
            from django.db import models

            class Order(models.Model):
                buyer = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)
        """,
            "two/proj2/__init__.py": "",
            "two/proj2/settings.py": 'INSTALLED_APPS = ["billing"]\n',
            "two/billing/__init__.py": "",
            "two/billing/models.py": """
            from django.conf import settings
            from django.db import models

            class Invoice(models.Model):
                owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)
        """,
        }
    )
    assert s.doc["metadata"]["settings_module"] == "proj1.settings"
    assert s.field("Order", "buyer")["relation"]["target"] == "people.Person"
    assert s.field("Order", "id")["type"] == "BigAutoField"
    assert s.field("Invoice", "owner")["relation"]["target"] == "auth.User"
    assert s.field("Invoice", "id")["type"] == "AutoField"
    assert "DJA122" in {d["code"] for d in s.doc["diagnostics"]}


def test_auto_created_fields_come_first(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/models.py": """
            import uuid
            from django.db import models

            class Stamp(models.Model):
                created = models.DateTimeField(auto_now_add=True)

                class Meta:
                    abstract = True

            class Op(Stamp):
                id = models.UUIDField(primary_key=True, default=uuid.uuid4, auto_created=True)
                name = models.CharField(max_length=5)
        """,
        }
    )
    assert s.field_names("Op") == ["id", "created", "name"]


def test_nested_app_with_its_own_models_module(project):
    s = project(
        {
            "lib/__init__.py": "",
            "lib/apps.py": """
            from django.apps import AppConfig

            class LibConfig(AppConfig):
                name = "lib"
        """,
            "lib/models.py": "from django.db import models\n\nclass A(models.Model):\n    pass\n",
            "lib/testapp/__init__.py": "",
            "lib/testapp/models.py": (
                "from django.db import models\n\nclass B(models.Model):\n    pass\n"
            ),
        }
    )
    assert s.model("A")["label"] == "lib.A"
    assert s.model("B")["label"] == "testapp.B"


def test_stdlib_names_never_match_tree_modules_by_suffix(project):
    s = project(
        {
            "site/__init__.py": "",
            "site/models/__init__.py": "from .collections import Collection\n",
            "site/models/collections.py": """
            from django.db import models

            class Collection(models.Model):
                name = models.CharField(max_length=5)
        """,
            "site/blocks.py": """
            import collections
            from django.db import models

            class StructValue(collections.OrderedDict):
                pass

            class Real(models.Model):
                pass
        """,
            "site/fields.py": (
                "from collections import OrderedDict\n\nclass Thing(OrderedDict):\n    pass\n"
            ),
        }
    )
    assert s.names() == {"Collection", "Real"}


def test_max_length_from_a_named_constant(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/limits.py": "MAX_QUERY = 255\n",
            "app/models.py": """
            from django.db import models
            from .limits import MAX_QUERY
            LOCAL = 12

            class Q(models.Model):
                query = models.CharField(max_length=MAX_QUERY)
                code = models.CharField(max_length=LOCAL)
        """,
        }
    )
    assert s.field("Q", "query")["max_length"] == 255
    assert s.field("Q", "query")["params"]["max_length"] == {"$expr": "MAX_QUERY"}
    assert s.field("Q", "code")["max_length"] == 12


def test_settings_named_by_manage_py_win(project):
    s = project(
        {
            "manage.py": """
            import os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings.prod")
        """,
            "proj/__init__.py": "",
            "proj/settings/__init__.py": "",
            "proj/settings/base.py": (
                'INSTALLED_APPS = ["a", "b", "c"]\nAUTH_USER_MODEL = "a.U"\n'
            ),
            "proj/settings/prod.py": 'from .base import *\nINSTALLED_APPS += ["d"]\n',
            "proj/settings/big.py": 'INSTALLED_APPS = ["a", "b", "c", "d", "e", "f"]\n',
        }
    )
    assert s.doc["metadata"]["settings_module"] == "proj.settings.prod"
    assert s.doc["metadata"]["auth_user_model"] == "a.U"


def test_settings_with_defaults_swapper_and_arithmetic(project):
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": 'INSTALLED_APPS = ["pages"]\nCODE_LENGTH = 3\n',
            "pages/__init__.py": "",
            "pages/models.py": """
            import swapper
            from django.conf import settings
            from django.db import models

            RELATION = getattr(settings, "PAGES_RELATION_NAME", "page_comments")

            class Page(models.Model):
                pass

            class Comment(models.Model):
                page = models.ForeignKey(
                    swapper.get_model_name("pages", "Page"), models.CASCADE,
                    related_name=RELATION,
                )
                owner = models.ForeignKey(
                    getattr(settings, "AUTH_USER_MODEL", "auth.User"), models.CASCADE
                )
                code = models.CharField(max_length=settings.CODE_LENGTH)
                hours = models.CharField(max_length=24 * 4)
        """,
        }
    )
    page = s.field("Comment", "page")["relation"]
    assert page["target"] == "pages.Page" and page["related_name"] == "page_comments"
    assert s.field("Comment", "owner")["relation"]["target"] == "auth.User"
    assert s.field("Comment", "code")["max_length"] == 3
    assert s.field("Comment", "hours")["max_length"] == 96
    assert {r["name"] for r in s.model("Page")["reverse_relations"]} == {"page_comments"}


def test_app_config_based_on_a_third_party_config(project):
    s = project(
        {
            "site/__init__.py": "",
            "site/search/__init__.py": "",
            "site/search/apps.py": """
            from modelsearch.apps import ModelSearchAppConfig

            class SearchConfig(ModelSearchAppConfig):
                name = "site.search"
                label = "sitesearch"
        """,
            "site/search/models.py": (
                "from django.db import models\n\nclass IndexEntry(models.Model):\n    pass\n"
            ),
        }
    )
    assert s.model("IndexEntry")["label"] == "sitesearch.IndexEntry"


def test_field_class_init_forces_and_defaults_kwargs(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/models.py": """
            from django.db import models

            class UserField(models.CharField):
                def __init__(self, *args, **kwargs):
                    kwargs["max_length"] = 64
                    kwargs["null"] = True
                    kwargs.setdefault("db_index", True)
                    super().__init__(*args, **kwargs)

            class Tags(models.Field):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, unique=True, **kwargs)

            class M(models.Model):
                owner = UserField(null=False)
                code = UserField(max_length=10)
                tags = Tags()
        """,
        }
    )
    owner = s.field("M", "owner")
    assert owner["null"] is True and owner["max_length"] == 64
    assert owner["params"] == {"null": False}
    assert s.field("M", "code")["max_length"] == 64
    assert s.field("M", "tags")["unique"] is True


def test_app_settings_objects_and_or_defaults(project):
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": (
                'INSTALLED_APPS = ["oauth"]\nDEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'
            ),
            "oauth/__init__.py": "",
            "oauth/settings.py": """
            from django.conf import settings

            APPLICATION_MODEL = getattr(settings, "OAUTH_APPLICATION_MODEL", "oauth.Application")
            oauth_settings = OAuthSettings(APPLICATION_MODEL)
        """,
            "oauth/apps.py": """
            from django.apps import AppConfig
            from . import app_settings

            class OAuthConfig(AppConfig):
                name = "oauth"
                default_auto_field = app_settings.DEFAULT_AUTO_FIELD or "django.db.models.AutoField"
        """,
            "oauth/models.py": """
            from django.db import models
            from .settings import oauth_settings

            class Application(models.Model):
                pass

            class Grant(models.Model):
                application = models.ForeignKey(oauth_settings.APPLICATION_MODEL, models.CASCADE)
        """,
        },
        settings=None,
    )
    assert s.field("Grant", "application")["relation"]["target"] == "oauth.Application"
    assert s.field("Grant", "id")["type"] == "AutoField"


def test_inherited_field_order_follows_installed_apps_import_order(project):
    abstract = """
        from django.db import models

        class {cls}(models.Model):
            {field} = models.IntegerField(default=0)

            class Meta:
                abstract = True
    """
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": 'INSTALLED_APPS = ["a", "s", "c"]\n',
            "a/__init__.py": "",
            "a/models.py": abstract.format(cls="A", field="a_field"),
            "s/__init__.py": "",
            "s/models.py": abstract.format(cls="S", field="s_field"),
            "c/__init__.py": "",
            "c/models.py": """
            from django.db import models
            from s.models import S
            from a.models import A

            class C(A, S):
                own = models.IntegerField()
        """,
        }
    )
    # Django: a.models runs first (INSTALLED_APPS order), so a_field has the lower counter.
    assert s.field_names("C") == ["id", "a_field", "s_field", "own"]


def test_mptt_tree_fields_are_added(project):
    s = project(
        {
            "menu/__init__.py": "",
            "menu/models.py": """
            from django.db import models
            from mptt.models import MPTTModel, TreeForeignKey

            class Item(MPTTModel):
                name = models.CharField(max_length=10)
                parent = TreeForeignKey("self", models.CASCADE, null=True)
        """,
        }
    )
    assert s.field_names("Item") == ["id", "name", "parent", "lft", "rght", "tree_id", "level"]
    assert s.field("Item", "parent")["relation"]["target"] == "menu.Item"
    assert s.field("Item", "tree_id")["params"] == {"editable": False, "db_index": True}


def test_alias_only_files_are_not_parsed(project):
    s = project(
        {
            "shop/__init__.py": "",
            "shop/models.py": "from django.db import models\n\n"
            "class Order(models.Model):\n    pass\n",
            "shop/views.py": "from shop.models import Order as O\n\nOrderAlias = O\n",
        }
    )
    status = {f["path"]: f["status"] for f in s.doc["files"]}
    assert status["shop/models.py"] == "parsed"
    assert status["shop/views.py"] == "not_needed"


def test_bases_given_through_with_metaclass(project):
    # ralph's dj.choices: ``ChoiceField(six.with_metaclass(SubfieldBase, IntegerField))``;
    # the class ``with_metaclass`` makes has the call's other arguments as its bases
    s = project(
        {
            "app/__init__.py": "",
            "app/fields.py": """
            import six
            from django.db import models


            class SubfieldBase(type):
                pass


            class ChoiceField(six.with_metaclass(SubfieldBase, models.IntegerField)):
                pass
            """,
            "app/models.py": """
            from abc import ABCMeta

            from django.db import models
            from six import with_metaclass

            from app.fields import ChoiceField


            class Check(models.Model):
                result = ChoiceField(default=1)


            class Audited(with_metaclass(ABCMeta, models.Model)):
                name = models.CharField(max_length=5)
            """,
        }
    )
    assert s.field("Check", "result")["django_type"] == "IntegerField"
    assert s.field_names("Audited") == ["id", "name"]
    assert s.model("Audited")["complete"] is True


def test_labels_of_packages_when_installed_apps_are_not_known(project):
    # readthedocs.org's class-based settings (INSTALLED_APPS a property): djatlas cannot read
    # the installed apps, so a label's app is looked for as the package named like it
    s = project(
        {
            "manage.py": (
                'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n'
            ),
            "proj/__init__.py": "",
            "proj/settings.py": """
            class Base:
                @property
                def INSTALLED_APPS(self):
                    return ["django.contrib.contenttypes", "taggit", "app"]

                @classmethod
                def load_settings(cls, name):
                    pass


            Base.load_settings(__name__)
            """,
            "app/__init__.py": "",
            "app/models.py": """
            from django.db import models
            from taggit.managers import TaggableManager


            class Post(models.Model):
                tags = TaggableManager(blank=True)
                first_tag = models.ForeignKey("taggit.Tag", models.CASCADE)
            """,
        }
    )
    assert s.field("Post", "tags")["relation"]["target"] == "taggit.Tag"
    assert s.field("Post", "first_tag")["relation"]["target_id"] == "taggit.models.Tag"
    assert "tagged_items" in s.field_names("Post")
