"""Field order as Django has it (``_meta.get_fields()``): concrete fields by creation counter,
i.e. by when their class bodies ran (an installed package's modules in the order Python runs
them: a package's ``__init__`` and what it imports first), then the private fields (generic
relations) in the order Django appends them: the class body's own, then its parents'. Values
as real Django 5.2 reports them (the environment package on ``sys.path``); the tests do not
need Django.
"""

from __future__ import annotations

from pathlib import Path

from test_environment import make_venv, venv_cfg
from treeutil import write_tree

from djatlas.scan import scan_path

#: An installed package whose ``__init__`` imports ``late`` (Tracked) before ``early`` (Named),
#: though ``models`` itself imports ``early`` first: Tracked's fields run first.
PACKAGE = {
    "mixpkg/__init__.py": """
        from .late import Tracked  # noqa: F401
        from .early import Named  # noqa: F401
    """,
    "mixpkg/late.py": """
        from django.db import models


        class Tracked(models.Model):  # run first: mixpkg/__init__ imports this module first
            class Meta:
                abstract = True

            tracked_at = models.DateTimeField(null=True)
    """,
    "mixpkg/early.py": """
        from django.db import models


        class Named(models.Model):
            name = models.CharField(max_length=10)

            class Meta:
                abstract = True
    """,
    "mixpkg/models.py": """
        from django.contrib.contenttypes.fields import GenericRelation
        from django.db import models

        from .early import Named
        from .late import Tracked


        class Both(Named, Tracked):
            notes = GenericRelation("contenttypes.ContentType")

            class Meta:
                abstract = True
    """,
    "mixpkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: mixpkg\nVersion: 1.0\n",
    "mixpkg-1.0.dist-info/top_level.txt": "mixpkg\n",
}
PROJECT = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["django.contrib.contenttypes", "shop"]\n',
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.contrib.contenttypes.fields import GenericRelation
        from django.db import models
        from mixpkg.models import Both


        class Item(Both):
            code = models.CharField(max_length=5)
            links = GenericRelation("contenttypes.ContentType", related_query_name="item")
    """,
}


def test_field_order_follows_the_packages_import_order(tmp_path: Path) -> None:
    env = make_venv(tmp_path / "env", cfg=venv_cfg(), files=PACKAGE)
    write_tree(tmp_path / "proj", PROJECT)
    doc = scan_path(str(tmp_path / "proj"), timing=False, use_cache=False, python=str(env))
    item = next(m for m in doc["models"] if m["label"] == "shop.Item")
    # Django 5.2, [f.name for f in Item._meta.get_fields() if not f.auto_created or f.concrete]:
    # mixpkg/__init__ runs late.py before early.py; the own generic relation before Both's
    assert [f["name"] for f in item["fields"]] == [
        "id",
        "tracked_at",
        "name",
        "code",
        "links",
        "notes",
    ]


#: netbox's shape: a package's ``__init__`` star-imports ``features`` before it imports
#: ``mixins``, and the first import of all names ``features`` itself (its parent package runs
#: first, and runs it whole).
FX_STAR_FIRST = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["django.contrib.contenttypes", "core", "tenancy"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "core/__init__.py": "",
    "core/models.py": """
        from django.db import models

        from base.models.features import ChangeLogging


        class Job(ChangeLogging):
            name = models.CharField(max_length=10)
    """,
    "base/__init__.py": "",
    "base/models/__init__.py": """
        from django.db import models

        from base.models.features import *
        from base.models.mixins import OwnerMixin


        class PrimaryModel(OwnerMixin, ChangeLogging):
            description = models.CharField(max_length=10)

            class Meta:
                abstract = True
    """,
    "base/models/features.py": """
        from django.db import models

        __all__ = ("ChangeLogging",)


        class ChangeLogging(models.Model):
            created = models.DateTimeField(null=True)

            class Meta:
                abstract = True
    """,
    "base/models/mixins.py": """
        from django.db import models


        class OwnerMixin(models.Model):
            owner = models.CharField(max_length=10)

            class Meta:
                abstract = True
    """,
    "tenancy/__init__.py": "",
    "tenancy/models.py": """
        from django.db import models

        from base.models import PrimaryModel


        class Contact(PrimaryModel):
            name = models.CharField(max_length=10)
    """,
}


def test_a_star_import_runs_where_written_and_a_parent_package_first(project) -> None:
    s = project(FX_STAR_FIRST, use_cache=False)
    # Django 5.2: Contact._meta.get_fields(): features ran before mixins
    assert s.field_names("Contact") == ["id", "created", "owner", "description", "name"]
    assert s.field_names("Job") == ["id", "created", "name"]


#: saleor's shape: the project's own abstract models run before a Django module the project
#: imports later. ``users/models`` is the first to import ``django.contrib.auth.models``
#: (``django.contrib.auth`` is installed after the project's apps), and ``accounts/models``
#: the first to import ``base_user`` (``AbstractBaseUser`` without ``django.contrib.auth.models``,
#: as saleor does): the mixins' fields come first, as their creation counters are lower.
FX_OUTSIDE_LATE = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "core",
            "accounts",
            "users",
            "django.contrib.contenttypes",
            "django.contrib.auth",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
        AUTH_USER_MODEL = "users.User"
    """,
    "core/__init__.py": "",
    "core/models.py": """
        from django.db import models


        class Stamped(models.Model):
            created = models.DateTimeField(null=True)

            class Meta:
                abstract = True
    """,
    "accounts/__init__.py": "",
    "accounts/models.py": """
        from django.contrib.auth.base_user import AbstractBaseUser
        from django.db import models

        from core.models import Stamped


        class Account(Stamped, AbstractBaseUser):
            email = models.EmailField(unique=True)

            USERNAME_FIELD = "email"
    """,
    "users/__init__.py": "",
    "users/models.py": """
        from django.contrib.auth.models import AbstractUser
        from django.db import models

        from core.models import Stamped


        class User(AbstractUser, Stamped):
            nickname = models.CharField(max_length=10)
    """,
}


def test_modules_outside_the_tree_run_when_first_imported(project) -> None:
    s = project(FX_OUTSIDE_LATE, use_cache=False)
    # Django 5.2, Account._meta.get_fields() / User's (its reverse relations left out):
    # ``base_user`` first ran inside accounts/models, after core/models
    assert s.field_names("Account") == ["id", "created", "password", "last_login", "email"]
    # ``auth/models`` first ran inside users/models, after core/models
    assert s.field_names("User") == [
        "id",
        "created",
        "password",
        "last_login",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "nickname",
        "groups",
        "user_permissions",
    ]


#: ralph's shape: ``tags`` comes from an abstract base, so django-taggit adds ``tagged_items``
#: when that base's fields are copied into the model, after the class body's own generic
#: relations and before those of the bases that come later in the MRO; a manager of the class
#: body itself adds it among the body's own, in body order; a through model named by a string
#: makes taggit wait for the class to be registered (netbox): last.
FX_TAGGED_ITEMS = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["django.contrib.contenttypes", "taggit", "assets"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "assets/__init__.py": "",
    "assets/models.py": """
        from django.contrib.contenttypes.fields import GenericRelation
        from django.db import models
        from taggit.managers import TaggableManager


        class Note(models.Model):
            text = models.CharField(max_length=10)


        class Taggable(models.Model):
            tags = TaggableManager(blank=True)

            class Meta:
                abstract = True


        class WithCustomFields(models.Model):
            custom_fields = GenericRelation(Note, related_query_name="%(class)s")

            class Meta:
                abstract = True


        class Asset(Taggable, WithCustomFields):
            name = models.CharField(max_length=10)
            attachments = GenericRelation(Note, related_query_name="asset_attachment")


        class Post(models.Model):
            before = GenericRelation(Note, related_query_name="post_before")
            tags = TaggableManager(blank=True)
            after = GenericRelation(Note, related_query_name="post_after")


        class Page(models.Model):
            before = GenericRelation(Note, related_query_name="page_before")
            tags = TaggableManager(through="taggit.TaggedItem", blank=True)
            after = GenericRelation(Note, related_query_name="page_after")
    """,
}


def test_tagged_items_comes_where_taggit_adds_it(project) -> None:
    s = project(FX_TAGGED_ITEMS, use_cache=False)
    # Django 5.2 + django-taggit 6.1, _meta.get_fields() (reverse relations left out)
    assert s.field_names("Asset") == [
        "id",
        "name",
        "tags",
        "attachments",
        "tagged_items",
        "custom_fields",
    ]
    assert s.field_names("Post") == ["id", "tags", "before", "tagged_items", "after"]
    # a through model named by a string: taggit waits for the class itself, then adds it last
    assert s.field_names("Page") == ["id", "tags", "before", "after", "tagged_items"]
