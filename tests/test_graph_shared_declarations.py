"""A field declaration shared by several models (an abstract parent's field, a field class used
everywhere) is read once, but what depends on the model still follows each model: its
project's settings, its label, its app. Values as Django 5.2 reports them."""

from __future__ import annotations

SHARED_ABSTRACT = """
from django.conf import settings
from django.db import models

CODE_DEFAULT = "new"


class Coded(models.Model):
    code = models.CharField(max_length=getattr(settings, "CODE_LENGTH", 5), default=CODE_DEFAULT)
    owner = models.ForeignKey(
        "auth.User", models.CASCADE, related_name="%(app_label)s_%(class)s_owned"
    )

    class Meta:
        abstract = True
"""


def test_shared_abstract_field_follows_each_projects_settings(project):
    s = project(
        {
            "common/__init__.py": "",
            "common/models.py": SHARED_ABSTRACT,
            "one/proj1/__init__.py": "",
            "one/proj1/settings.py": 'INSTALLED_APPS = ["django.contrib.auth", "shop"]\n'
            "CODE_LENGTH = 12\n",
            "one/shop/__init__.py": "",
            "one/shop/models.py": (
                "from common.models import Coded\n\nclass Order(Coded):\n    pass\n"
            ),
            "two/proj2/__init__.py": "",
            "two/proj2/settings.py": 'INSTALLED_APPS = ["django.contrib.auth", "billing"]\n'
            "CODE_LENGTH = 34\n",
            "two/billing/__init__.py": "",
            "two/billing/models.py": (
                "from common.models import Coded\n\nclass Invoice(Coded):\n    pass\n"
            ),
        }
    )
    order, invoice = s.field("Order", "code"), s.field("Invoice", "code")
    assert (order["max_length"], invoice["max_length"]) == (12, 34)
    assert order["known_params"] == {"max_length": 12, "default": "new"}
    assert invoice["known_params"] == {"max_length": 34, "default": "new"}
    assert s.field("Order", "owner")["relation"]["related_name"] == "shop_order_owned"
    assert s.field("Invoice", "owner")["relation"]["related_name"] == "billing_invoice_owned"


def test_abstract_fields_built_for_every_child(project):
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": 'INSTALLED_APPS = ["django.contrib.auth", "base", "a", "b"]\n',
            "base/__init__.py": "",
            "base/models.py": SHARED_ABSTRACT,
            "a/__init__.py": "",
            "a/models.py": "from base.models import Coded\n\nclass First(Coded):\n    pass\n",
            "b/__init__.py": "",
            "b/models.py": """
            from base.models import Coded

            class Second(Coded):
                pass

            class Third(Coded):
                code = None
        """,
        }
    )
    for name, app in (("First", "a"), ("Second", "b")):
        code = s.field(name, "code")
        assert code["max_length"] == 5 and code["known_params"] == {
            "max_length": 5,
            "default": "new",
        }
        assert code["origin"] == "inherited" and code["defined_in"] == "base.models.Coded"
        owner = s.field(name, "owner")["relation"]
        assert owner["related_name"] == f"{app}_{name.lower()}_owned"
    assert s.field_names("Third") == ["id", "owner"]
    assert s.field("Coded", "code")["origin"] == "declared"


def test_field_class_init_values_along_the_mro(project):
    s = project(
        {
            "app/__init__.py": "",
            "app/models.py": """
            from django.db import models

            class Short(models.CharField):
                def __init__(self, *args, **kwargs):
                    kwargs.setdefault("max_length", 20)
                    super().__init__(*args, **kwargs)

            class Forced(Short):
                def __init__(self, *args, **kwargs):
                    kwargs["max_length"] = 40
                    super().__init__(*args, **kwargs)

            class Longer(Short):
                def __init__(self, *args, **kwargs):
                    kwargs.setdefault("max_length", 30)
                    super().__init__(*args, **kwargs)

            class Fixed(models.CharField):
                def __init__(self, *args, **kwargs):
                    kwargs["max_length"] = 50
                    super().__init__(*args, **kwargs)

            class DefaultOverFixed(Fixed):
                def __init__(self, *args, **kwargs):
                    kwargs.setdefault("max_length", 60)
                    super().__init__(*args, **kwargs)

            class M(models.Model):
                short = Short()
                short_passed = Short(max_length=7)
                forced = Forced(max_length=5)
                longer = Longer()
                fixed = DefaultOverFixed()
                fixed_passed = DefaultOverFixed(max_length=9)
        """,
        }
    )
    lengths = {f: s.field("M", f)["max_length"] for f in s.field_names("M") if f != "id"}
    assert lengths == {
        "short": 20,
        "short_passed": 7,
        "forced": 40,
        "longer": 30,
        "fixed": 50,
        "fixed_passed": 50,
    }


def test_an_abstract_parents_taggable_manager_on_every_child(project):
    """TaggableManager's through and target are set per concrete model (not on the abstract
    one), the declaration's class checked once for all of them."""
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": 'INSTALLED_APPS = ["taggit", "base", "a"]\n',
            "base/__init__.py": "",
            "base/models.py": """
            from django.db import models
            from taggit.managers import TaggableManager

            class Tagged(models.Model):
                tags = TaggableManager()
                other = models.ManyToManyField("a.First", related_name="+")

                class Meta:
                    abstract = True
        """,
            "a/__init__.py": "",
            "a/models.py": """
            from base.models import Tagged

            class First(Tagged):
                pass

            class Second(Tagged):
                pass
        """,
        }
    )
    for name in ("First", "Second"):
        tags = s.field(name, "tags")["relation"]
        assert (tags["through"], tags["target"]) == ("taggit.TaggedItem", "taggit.Tag")
        assert s.field(name, "other")["relation"]["through"] is None
    assert s.field("Tagged", "tags")["relation"]["through"] is None
