"""Model semantics, one Django feature per fixture, values as real Django 5.2 reports them.

Every expected value below was read from ``Model._meta`` of the same fixture booted with
``django.setup()``; rerun ``/work/venv/bin/python tests/semantics_oracle.py
tests/test_semantics_models.py`` to see Django's answer for each ``FX_*`` fixture. The tests
themselves do not need Django.
"""

from __future__ import annotations

from test_environment import make_venv, venv_cfg
from treeutil import write_tree

from djatlas.scan import scan_path

ORACLE_SETTINGS = {
    "FX_COMPUTED_ABSTRACT": "proj.settings",
    "FX_NO_SETTINGS": "oracle_settings",
    "FX_SETTINGS_SPLIT": "proj.settings.prod",
}
ORACLE_FILES = {
    "FX_NO_SETTINGS": {"oracle_settings.py": 'INSTALLED_APPS = ["outer.inner"]\n'},
}


def names(s, model):
    return [(f["name"], f["origin"]) for f in s.model(model)["fields"]]


# --------------------------------------------------------------------------- app labels

FX_APP_LABELS = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "django.contrib.contenttypes",
            "shop.apps.ShopConfig",
            "blog",
            "plain",
            "nested.sub",
        ]
    """,
    "shop/__init__.py": "",
    "shop/apps.py": """
        from django.apps import AppConfig

        class ShopConfig(AppConfig):
            name = "shop"
            label = "store"
    """,
    "shop/models.py": """
        from django.db import models

        class Product(models.Model):
            pass

        class Post2(models.Model):
            class Meta:
                app_label = "journal"
    """,
    "blog/__init__.py": "",
    "blog/apps.py": """
        from django.apps import AppConfig

        class BlogConfig(AppConfig):
            name = "blog"
            label = "journal"
            default = True

        class BlogAdminConfig(AppConfig):
            name = "blog"
            label = "blog_admin"
    """,
    "blog/models.py": """
        from django.db import models

        class Post(models.Model):
            pass
    """,
    "plain/__init__.py": "",
    "plain/models/__init__.py": "from .items import Item\n",
    "plain/models/items.py": """
        from django.db import models

        class Item(models.Model):
            pass
    """,
    "nested/__init__.py": "",
    "nested/sub/__init__.py": "",
    "nested/sub/models.py": """
        from django.db import models

        class Leaf(models.Model):
            pass
    """,
}


def test_app_labels(project):
    s = project(FX_APP_LABELS)
    expected = {
        "Product": ("store.Product", "store", "store_product", "shop.models"),
        "Post2": ("journal.Post2", "journal", "journal_post2", "shop.models"),
        "Post": ("journal.Post", "journal", "journal_post", "blog.models"),
        "Item": ("plain.Item", "plain", "plain_item", "plain.models.items"),
        "Leaf": ("sub.Leaf", "sub", "sub_leaf", "nested.sub.models"),
    }
    for name, (label, app_label, table, module) in expected.items():
        m = s.model(name)
        assert (m["label"], m["app_label"], m["db_table"], m["module"]) == (
            label,
            app_label,
            table,
            module,
        ), name


def test_app_entries(project):
    s = project(FX_APP_LABELS)
    apps = {a["label"]: a for a in s.doc["apps"]}
    assert apps["store"]["name"] == "shop"
    assert apps["store"]["config"] == "shop.apps.ShopConfig"
    # Django: several AppConfig subclasses, the one with default = True is used for "blog"
    assert apps["journal"]["name"] == "blog"
    assert apps["journal"]["config"] == "blog.apps.BlogConfig"
    assert sorted(apps["journal"]["models"]) == ["journal.Post", "journal.Post2"]
    assert apps["plain"]["config"] is None
    assert apps["sub"]["name"] == "nested.sub"
    assert "blog_admin" not in apps


FX_NO_SETTINGS = {
    "outer/__init__.py": "",
    "outer/inner/__init__.py": "",
    "outer/inner/models/__init__.py": "from .things import Thing\n",
    "outer/inner/models/things.py": """
        from django.db import models

        class Thing(models.Model):
            pass
    """,
}


def test_app_label_fallback_is_the_package_before_models(project):
    # Django (INSTALLED_APPS = ["outer.inner"]): label "inner", table inner_thing
    s = project(FX_NO_SETTINGS)
    thing = s.model("Thing")
    assert thing["label"] == "inner.Thing"
    assert thing["db_table"] == "inner_thing"
    assert thing["module"] == "outer.inner.models.things"
    assert s.doc["metadata"]["settings_module"] is None


# --------------------------------------------------------------------------- primary keys

FX_AUTO_FIELDS = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["alpha", "beta.apps.BetaConfig"]
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    """,
    "alpha/__init__.py": "",
    "alpha/models.py": """
        from django.db import models

        class A(models.Model):
            pass

        class Keyed(models.Model):
            code = models.CharField(max_length=10, primary_key=True)
            name = models.CharField(max_length=10)
    """,
    "beta/__init__.py": "",
    "beta/apps.py": """
        from django.apps import AppConfig

        class BetaConfig(AppConfig):
            name = "beta"
            default_auto_field = "django.db.models.SmallAutoField"
    """,
    "beta/models.py": """
        from django.db import models

        class B(models.Model):
            pass

        class U(models.Model):
            uid = models.UUIDField(primary_key=True)
    """,
}


def test_implicit_primary_key_types(project):
    s = project(FX_AUTO_FIELDS)
    assert s.doc["metadata"]["default_auto_field"] == "django.db.models.BigAutoField"
    a_id = s.field("A", "id")
    assert (a_id["type"], a_id["django_type"], a_id["origin"]) == (
        "BigAutoField",
        "BigAutoField",
        "implicit",
    )
    assert a_id["primary_key"] is True and a_id["unique"] is True and a_id["column"] == "id"
    b_id = s.field("B", "id")
    assert (b_id["type"], b_id["django_type"]) == ("SmallAutoField", "SmallAutoField")


def test_declared_primary_key_suppresses_id(project):
    s = project(FX_AUTO_FIELDS)
    assert names(s, "Keyed") == [("code", "declared"), ("name", "declared")]
    code = s.field("Keyed", "code")
    assert code["primary_key"] is True and code["unique"] is True and code["null"] is False
    assert names(s, "U") == [("uid", "declared")]


FX_DEFAULT_AUTO = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["gamma"]\n',
    "gamma/__init__.py": "",
    "gamma/models.py": """
        from django.db import models

        class G(models.Model):
            pass
    """,
}


def test_default_auto_field_without_setting_is_autofield(project):
    s = project(FX_DEFAULT_AUTO)
    assert s.doc["metadata"]["default_auto_field"] == "django.db.models.AutoField"
    assert s.field("G", "id")["django_type"] == "AutoField"


class _Env:
    """An environment that has Django ``version`` installed (or no Django: None)."""

    def __init__(self, version):
        self.version = version

    def has_package(self, top):
        return top == "django" and self.version is not None

    def distribution(self, top):
        return ("Django", self.version) if self.has_package(top) else None


def test_django_6_defaults_to_big_auto_field():
    """Django 6.0 made BigAutoField DEFAULT_AUTO_FIELD's default (ticket #36564): the
    default follows the Django installed in the project's environment."""
    from types import SimpleNamespace

    from djatlas.graph.apps import default_auto_field

    def auto(version):
        return default_auto_field(SimpleNamespace(environment=_Env(version)))

    assert auto("6.0") == auto("6.1.2") == auto("7.0a1") == "django.db.models.BigAutoField"
    assert auto("5.2.19") == auto("4.2") == auto(None) == "django.db.models.AutoField"
    assert auto("dev") == "django.db.models.AutoField"


def test_default_auto_field_without_setting_follows_the_django_installed(project, monkeypatch):
    import djatlas.graph.apps as apps_module

    big = "django.db.models.BigAutoField"
    monkeypatch.setattr(apps_module, "default_auto_field", lambda index: big)
    s = project(FX_DEFAULT_AUTO, use_cache=False)
    assert s.doc["metadata"]["default_auto_field"] == big
    assert s.field("G", "id")["django_type"] == "BigAutoField"


def test_django_defaults_without_settings_follow_the_django_installed(project, monkeypatch):
    import djatlas.graph.apps as apps_module

    big = "django.db.models.BigAutoField"
    monkeypatch.setattr(apps_module, "default_auto_field", lambda index: big)
    no_settings = {k: v for k, v in FX_DEFAULT_AUTO.items() if k != "proj/settings.py"}
    s = project(no_settings, use_cache=False)
    assert s.field("G", "id")["django_type"] == "BigAutoField"
    assert f"DEFAULT_AUTO_FIELD {big}," in s.doc["metadata"]["settings_notes"][-1]


# --------------------------------------------------------------------------- tables

FX_TABLES = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["ledger"]\n',
    "ledger/__init__.py": "",
    "ledger/models.py": """
        from django.db import models

        class JournalEntry(models.Model):
            pass

        class Legacy(models.Model):
            class Meta:
                db_table = "old_legacy_table"

        class HTTPLog(models.Model):
            pass
    """,
}


def test_db_table_default_and_meta(project):
    s = project(FX_TABLES)
    assert s.model("JournalEntry")["db_table"] == "ledger_journalentry"
    assert s.model("Legacy")["db_table"] == "old_legacy_table"
    assert s.model("HTTPLog")["db_table"] == "ledger_httplog"


# --------------------------------------------------------------------------- abstract inheritance

FX_ABSTRACT = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["core", "app"]\n',
    "core/__init__.py": "",
    "core/base.py": """
        from django.db import models

        class Stamped(models.Model):
            created = models.DateTimeField(auto_now_add=True)
            updated = models.DateTimeField(auto_now=True)

            class Meta:
                abstract = True
    """,
    "core/more.py": """
        from django.db import models
        from core.base import Stamped

        class Owned(Stamped):
            owner = models.CharField(max_length=20)

            class Meta:
                abstract = True
    """,
    "core/models.py": "",
    "app/__init__.py": "",
    "app/models.py": """
        from django.db import models
        from core.more import Owned

        class Named(models.Model):
            name = models.CharField(max_length=50)
            slug = models.SlugField()

            class Meta:
                abstract = True

        class Mixin:
            extra = models.CharField(max_length=5)

        class Shadow:
            updated = "not a field"

        class Both(Named, Owned):
            body = models.TextField()

        class Overrides(Named):
            name = models.CharField(max_length=200, null=True)

        class Removes(Named):
            slug = None

        class WithMixin(Mixin, Named):
            pass

        class Shadowed(Shadow, Owned):
            pass
    """,
}


def test_abstract_fields_order_and_origin(project):
    s = project(FX_ABSTRACT)
    # Django orders by creation counter: core/base.py and core/more.py are imported first
    assert s.field_names("Both") == ["id", "created", "updated", "owner", "name", "slug", "body"]
    created = s.field("Both", "created")
    assert created["origin"] == "inherited" and created["defined_in"] == "core.base.Stamped"
    assert s.field("Both", "owner")["defined_in"] == "core.more.Owned"
    assert s.field("Both", "name")["defined_in"] == "app.models.Named"
    assert s.field("Both", "body")["origin"] == "declared"
    assert s.field("Both", "created")["line"] == 4


def test_abstract_field_override_and_removal(project):
    s = project(FX_ABSTRACT)
    # Django: the overriding field is created later, so it comes after the inherited slug
    assert s.field_names("Overrides") == ["id", "slug", "name"]
    name = s.field("Overrides", "name")
    assert name["origin"] == "declared" and name["max_length"] == 200 and name["null"] is True
    assert s.field_names("Removes") == ["id", "name"]


def test_plain_mixin_fields_are_not_fields(project):
    s = project(FX_ABSTRACT)
    assert s.field_names("WithMixin") == ["id", "name", "slug"]
    assert "Mixin" not in s.names()
    # Django: a non-model base's attribute shadows the abstract parent's field of that name
    assert s.field_names("Shadowed") == ["id", "created", "owner"]


def test_abstract_models_are_reported_without_table(project):
    s = project(FX_ABSTRACT)
    owned = s.model("Owned")
    assert owned["abstract"] is True
    assert owned["db_table"] is None and owned["concrete_model"] is None
    assert [f["name"] for f in owned["fields"]] == ["created", "updated", "owner"]


# --------------------------------------------------------------------------- Meta inheritance

FX_META = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["news"]\n',
    "news/__init__.py": "",
    "news/models.py": """
        from django.db import models

        class Base(models.Model):
            when = models.DateTimeField()

            class Meta:
                abstract = True
                ordering = ["-when"]
                get_latest_by = "when"
                verbose_name = "base thing"

        class NoMeta(Base):
            pass

        class Extends(Base):
            class Meta(Base.Meta):
                verbose_name = "extended"

        class PlainMeta(Base):
            class Meta:
                verbose_name = "plain"

        class Parent(models.Model):
            name = models.CharField(max_length=10)

            class Meta:
                ordering = ["name"]
                get_latest_by = "name"
                verbose_name = "parent"

        class Child(Parent):
            pass
    """,
}


def test_meta_inherited_from_abstract_parent_without_meta(project):
    s = project(FX_META)
    m = s.model("NoMeta")
    assert m["abstract"] is False
    assert m["meta"] == {
        "ordering": ["-when"],
        "get_latest_by": "when",
        "verbose_name": "base thing",
    }
    assert m["meta_inherited_from"] == "news.models.Base"
    assert m["db_table"] == "news_nometa"


def test_meta_extends_parent_meta(project):
    m = project(FX_META).model("Extends")
    assert m["abstract"] is False
    assert m["meta"]["ordering"] == ["-when"]
    assert m["meta"]["get_latest_by"] == "when"
    assert m["meta"]["verbose_name"] == "extended"
    assert "abstract" not in m["meta"]


def test_plain_meta_inherits_nothing(project):
    m = project(FX_META).model("PlainMeta")
    assert m["meta"] == {"verbose_name": "plain"}


def test_mti_child_of_parent_with_meta(project):
    m = project(FX_META).model("Child")
    assert m["parents"] == ["news.Parent"]
    assert [f["name"] for f in m["fields"]] == ["id", "name", "parent_ptr"]
    assert m["meta"].get("verbose_name") is None  # not inherited: Django says "child"
    assert m["db_table"] == "news_child"


def test_concrete_parent_ordering_inherited_by_mti_child(project):
    m = project(FX_META).model("Child")
    # Django: Child._meta.ordering == ["name"], get_latest_by == "name", verbose_name "child"
    assert m["meta"].get("ordering") == ["name"]
    assert m["meta"].get("get_latest_by") == "name"


# --------------------------------------------------------------------------- multi-table / proxy

FX_MTI = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["places"]\n',
    "places/__init__.py": "",
    "places/models.py": """
        from django.db import models

        class Place(models.Model):
            name = models.CharField(max_length=50)

        class Restaurant(Place):
            serves_pizza = models.BooleanField(default=False)

        class Italian(Restaurant):
            chef = models.CharField(max_length=20)

        class Bar(Place):
            place = models.OneToOneField(Place, models.CASCADE, parent_link=True,
                                         related_name="bar_link")
            beers = models.IntegerField()

        class PlaceProxy(Place):
            class Meta:
                proxy = True
                ordering = ["name"]

        class ProxyOfProxy(PlaceProxy):
            class Meta:
                proxy = True
    """,
}


def test_mti_parent_pointer(project):
    s = project(FX_MTI)
    assert names(s, "Restaurant") == [
        ("id", "parent"),
        ("name", "parent"),
        ("place_ptr", "implicit"),
        ("serves_pizza", "declared"),
    ]
    ptr = s.field("Restaurant", "place_ptr")
    assert ptr["primary_key"] is True and ptr["unique"] is True
    assert ptr["column"] == "place_ptr_id"
    assert ptr["relation"]["kind"] == "OneToOneField"
    assert ptr["relation"]["target"] == "places.Place"
    assert ptr["relation"]["parent_link"] is True
    assert ptr["relation"]["on_delete"] == "CASCADE"
    r = s.model("Restaurant")
    assert r["parents"] == ["places.Place"]
    assert r["db_table"] == "places_restaurant"
    assert r["concrete_model"] == "places.Restaurant"
    # Django: Place gets the reverse accessor "restaurant" (OneToOne, parent link)
    place_rev = {(x["name"], x["model"], x["field"]) for x in s.model("Place")["reverse_relations"]}
    assert ("restaurant", "places.Restaurant", "place_ptr") in place_rev
    assert ("bar_link", "places.Bar", "place") in place_rev


def test_mti_multi_level_chain_pointer(project):
    s = project(FX_MTI)
    assert s.model("Italian")["parents"] == ["places.Restaurant"]
    assert s.field_names("Italian")[-2:] == ["restaurant_ptr", "chef"]
    ptr = s.field("Italian", "restaurant_ptr")
    assert ptr["origin"] == "implicit" and ptr["primary_key"] is True
    assert ptr["relation"]["target"] == "places.Restaurant"
    assert ptr["column"] == "restaurant_ptr_id"
    rest = {(x["name"], x["model"], x["field"]) for x in s.model("Restaurant")["reverse_relations"]}
    assert ("italian", "places.Italian", "restaurant_ptr") in rest


def test_mti_multi_level_chain(project):
    s = project(FX_MTI)
    assert names(s, "Italian") == [
        ("id", "parent"),
        ("name", "parent"),
        ("place_ptr", "parent"),
        ("serves_pizza", "parent"),
        ("restaurant_ptr", "implicit"),
        ("chef", "declared"),
    ]
    assert s.model("Italian")["parents"] == ["places.Restaurant"]
    ptr = s.field("Italian", "restaurant_ptr")
    assert ptr["primary_key"] is True
    assert ptr["relation"]["target"] == "places.Restaurant"
    assert ptr["column"] == "restaurant_ptr_id"
    rest = {(x["name"], x["model"], x["field"]) for x in s.model("Restaurant")["reverse_relations"]}
    assert ("italian", "places.Italian", "restaurant_ptr") in rest


def test_mti_declared_parent_link(project):
    s = project(FX_MTI)
    assert names(s, "Bar") == [
        ("id", "parent"),
        ("name", "parent"),
        ("place", "declared"),
        ("beers", "declared"),
    ]
    place = s.field("Bar", "place")
    assert place["primary_key"] is True and place["column"] == "place_id"
    assert place["relation"]["parent_link"] is True
    assert s.model("Bar")["parents"] == ["places.Place"]


def test_proxy_and_proxy_of_proxy(project):
    s = project(FX_MTI)
    for name in ("PlaceProxy", "ProxyOfProxy"):
        m = s.model(name)
        assert m["proxy"] is True, name
        assert m["concrete_model"] == "places.Place", name
        assert m["db_table"] == "places_place", name
        assert names(s, name) == [("id", "parent"), ("name", "parent")], name
    assert s.model("PlaceProxy")["parents"] == ["places.Place"]
    assert s.model("PlaceProxy")["meta"]["ordering"] == ["name"]


def test_proxy_of_proxy_parents(project):
    assert project(FX_MTI).model("ProxyOfProxy")["parents"] == ["places.Place"]


def test_proxy_of_proxy_inherits_ordering(project):
    # Django: ProxyOfProxy._meta.ordering == ["name"] (from PlaceProxy)
    assert project(FX_MTI).model("ProxyOfProxy")["meta"].get("ordering") == ["name"]


# --------------------------------------------------------------------------- settings

FX_SETTINGS_SPLIT = {
    "proj/__init__.py": "",
    "proj/settings/__init__.py": "",
    "proj/settings/base.py": """
        DJANGO_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
        LOCAL_APPS = ["one"]
        INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS + ["two.apps.TwoConfig"]
        INSTALLED_APPS += ["three"]
        INSTALLED_APPS.append("four")
    """,
    "proj/settings/prod.py": """
        from .base import *

        INSTALLED_APPS += ["five.apps.FiveConfig"]
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
        AUTH_USER_MODEL = "one.Person"
    """,
    **{f"{app}/__init__.py": "" for app in ("one", "two", "three", "four", "five")},
    **{
        f"{app}/apps.py": f"""
        from django.apps import AppConfig

        class {app.title()}Config(AppConfig):
            name = "{app}"
            label = "{app}_app"
    """
        for app in ("two", "five")
    },
    **{
        f"{app}/models.py": f"""
        from django.db import models

        class {app.title()}Thing(models.Model):
            pass
    """
        for app in ("two", "three", "four", "five")
    },
    "one/models.py": """
        from django.contrib.auth.models import AbstractBaseUser
        from django.db import models

        class Person(AbstractBaseUser):
            USERNAME_FIELD = "id"

        class OneThing(models.Model):
            pass
    """,
}


def _settings_labels(s):
    return {m["name"]: m["label"] for m in s.models}


def test_settings_concatenation_plus_equals_append(project):
    s = project(FX_SETTINGS_SPLIT, settings="proj.settings.base")
    assert s.doc["metadata"]["settings_module"] == "proj.settings.base"
    assert s.doc["metadata"]["default_auto_field"] == "django.db.models.AutoField"
    labels = _settings_labels(s)
    assert labels["TwoThing"] == "two_app.TwoThing"
    assert labels["ThreeThing"] == "three.ThreeThing"
    assert labels["FourThing"] == "four.FourThing"
    installed = {a["label"] for a in s.doc["apps"]}
    assert {"one", "two_app", "three", "four"} <= installed


def test_settings_split_with_star_import(project):
    s = project(FX_SETTINGS_SPLIT, settings="proj.settings.prod")
    meta = s.doc["metadata"]
    assert meta["settings_module"] == "proj.settings.prod"
    assert meta["default_auto_field"] == "django.db.models.BigAutoField"
    assert meta["auth_user_model"] == "one.Person"
    labels = _settings_labels(s)
    assert labels["FiveThing"] == "five_app.FiveThing"
    assert labels["TwoThing"] == "two_app.TwoThing"
    assert s.field("OneThing", "id")["django_type"] == "BigAutoField"
    installed = {a["label"] for a in s.doc["apps"]}
    assert {"one", "two_app", "three", "four", "five_app"} <= installed


FX_TWO_SETTINGS = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["alpha"]
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    """,
    "proj/local.py": 'INSTALLED_APPS = ["alpha", "beta"]\n',
    "alpha/__init__.py": "",
    "alpha/models.py": "from django.db import models\n\nclass A(models.Model):\n    pass\n",
    "beta/__init__.py": "",
    "beta/models.py": "from django.db import models\n\nclass B(models.Model):\n    pass\n",
}
ORACLE_SETTINGS["FX_TWO_SETTINGS"] = "proj.settings"


def test_several_settings_modules_info_names_the_one_used(project):
    s = project(FX_TWO_SETTINGS)
    used = s.doc["metadata"]["settings_module"]
    assert used in ("proj.settings", "proj.local")
    other = {"proj.settings": "proj.local", "proj.local": "proj.settings"}[used]
    infos = [d for d in s.doc["diagnostics"] if d["code"] == "DJA121"]
    assert len(infos) == 1
    assert infos[0]["severity"] == "info"
    assert f"used {used}" in infos[0]["message"] and other in infos[0]["message"]
    # its DEFAULT_AUTO_FIELD is the one reported
    expected = {"proj.settings": "BigAutoField", "proj.local": "AutoField"}[used]
    assert s.field("A", "id")["django_type"] == expected


def test_settings_option_chooses_among_several(project):
    s = project(FX_TWO_SETTINGS, settings="proj.settings")
    assert s.doc["metadata"]["settings_module"] == "proj.settings"
    assert s.doc["metadata"]["default_auto_field"] == "django.db.models.BigAutoField"
    assert s.field("A", "id")["django_type"] == "BigAutoField"
    assert "DJA121" not in {d["code"] for d in s.doc["diagnostics"]}


def test_several_settings_modules_split_info(project):
    s = project(FX_SETTINGS_SPLIT)
    used = s.doc["metadata"]["settings_module"]
    assert used in ("proj.settings.base", "proj.settings.prod")
    infos = [d for d in s.doc["diagnostics"] if d["code"] == "DJA121"]
    assert len(infos) == 1
    assert infos[0]["severity"] == "info"
    assert "proj.settings.base" in infos[0]["message"]
    assert "proj.settings.prod" in infos[0]["message"]


def test_settings_choice_missing_module_is_an_error(project):
    import pytest

    from djatlas.graph.apps import SettingsNotFound

    with pytest.raises(SettingsNotFound, match="proj.settings.nope"):
        project(FX_SETTINGS_SPLIT, settings="proj.settings.nope")


# --------------------------------------------------------------------------- docstrings, lines

FX_DOCS = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["docs"]\n',
    "docs/__init__.py": "",
    "docs/models.py": '''
        """Module docstring."""
        from django.db import models


        def decorate(cls):
            return cls


        @decorate
        class Page(models.Model):
            """A page.

                Indented second paragraph.
            """

            title = models.CharField(
                max_length=100,
                help_text="the title",
            )
            body: str = models.TextField()

            class Meta:
                ordering = ["title"]

        class Blank(models.Model):
            pass
    ''',
}


def test_docstrings_and_true_lines(project):
    s = project(FX_DOCS)
    page = s.model("Page")
    # inspect.cleandoc(Page.__doc__)
    assert page["docstring"] == "A page.\n\nIndented second paragraph."
    # the class statement (inspect.getsourcelines starts at the decorator, line 9)
    assert page["line"] == 10
    assert page["file"] == "docs/models.py"
    assert s.field("Page", "title")["line"] == 16
    assert s.field("Page", "body")["line"] == 20
    assert s.field("Page", "title")["params"] == {"max_length": 100, "help_text": "the title"}
    # Django's automatic __doc__ "Blank(id)" is not a docstring
    assert s.model("Blank")["docstring"] is None
    assert s.model("Blank")["line"] == 25


# --------------------------------------------------------------------------- Meta option values

FX_META_VALUES = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["shop"]\n',
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models
        from django.utils.translation import gettext_lazy as _

        class Order(models.Model):
            number = models.CharField(max_length=20)
            customer = models.CharField(max_length=20)
            placed = models.DateTimeField()

            class Meta:
                ordering = ("-placed", "number")
                unique_together = (("number", "customer"),)
                indexes = [models.Index(fields=["placed"], name="order_placed_idx")]
                constraints = [
                    models.UniqueConstraint(fields=["number"], name="uniq_number"),
                ]
                verbose_name = _("order")
                verbose_name_plural = _("orders")
                permissions = [("ship_order", "Can ship orders")]
                default_permissions = ("view",)
                managed = True
    """,
}


def test_meta_option_values(project):
    s = project(FX_META_VALUES)
    meta = s.model("Order")["meta"]
    assert meta["ordering"] == ["-placed", "number"]
    assert meta["unique_together"] == [["number", "customer"]]
    assert meta["indexes"] == [
        {"$expr": 'models.Index(fields=["placed"], name="order_placed_idx")'}
    ]
    assert meta["constraints"] == [
        {"$expr": 'models.UniqueConstraint(fields=["number"], name="uniq_number")'}
    ]
    assert meta["verbose_name"] == "order"
    assert meta["verbose_name_plural"] == "orders"
    assert meta["permissions"] == [["ship_order", "Can ship orders"]]
    assert meta["default_permissions"] == ["view"]
    assert meta["managed"] is True
    assert s.model("Order")["db_table"] == "shop_order"


#: A field class defaulting a keyword to one of its class attributes (django-timezone-field's
#: ``kwargs.setdefault("max_length", self.default_max_length)``), a subclass overriding it.
FX_SELF_DEFAULTS = {
    "proj/__init__.py": "",
    "proj/settings.py": 'INSTALLED_APPS = ["ledger"]\n',
    "ledger/__init__.py": "",
    "ledger/fields.py": """
        from django.db import models


        class CodeField(models.CharField):
            default_max_length = 12
            default_db_index = True

            def __init__(self, *args, **kwargs):
                kwargs.setdefault("max_length", self.default_max_length)
                kwargs["db_index"] = self.default_db_index
                super().__init__(*args, **kwargs)


        class LongCodeField(CodeField):
            default_max_length = 40
    """,
    "ledger/models.py": """
        from django.db import models

        from ledger.fields import CodeField, LongCodeField


        class Account(models.Model):
            code = CodeField()
            long_code = LongCodeField()
            given = LongCodeField(max_length=5)
    """,
}


def test_init_keywords_from_the_field_class_s_attributes(project):
    s = project(FX_SELF_DEFAULTS)
    # Django 5.2: _meta.get_field(...).max_length, db_index
    assert s.field("Account", "code")["max_length"] == 12
    assert s.field("Account", "long_code")["max_length"] == 40
    assert s.field("Account", "given")["max_length"] == 5
    assert s.field("Account", "code")["known_params"].get("db_index") is True


#: ralph's field classes: an ``__init__`` that passes its own parameters on to the base class
#: (``null=null, max_length=max_length``: the parameters' defaults unless the call gives them),
#: one that forces a module constant, one that calls its base class by name
#: (django-taggit 0.22's ``Field.__init__(self, ..., null=True)``), and djstripe's dict of
#: defaults the call's keywords update, splatted into ``super().__init__``.
FX_INIT_PASSING = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["ops"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "ops/__init__.py": "",
    "ops/fields.py": """
        from django.db import models

        MAX_NETWORK_LENGTH = 44


        class StripeIdField(models.CharField):
            def __init__(self, *args, **kwargs):
                defaults = {"max_length": 255, "blank": False, "null": False}
                defaults.update(kwargs)
                super().__init__(*args, **defaults)


        class CodeField(models.CharField):
            def __init__(self, *args, **kwargs):
                forced = {"max_length": 3}
                super().__init__(*args, **forced)


        class TicketIdField(models.CharField):
            def __init__(self, verbose_name="ticket", null=True, blank=True, max_length=200,
                         *args, **kwargs):
                super().__init__(verbose_name=verbose_name, null=null, blank=blank,
                                 max_length=max_length, *args, **kwargs)


        class NetworkField(models.CharField):
            def __init__(self, *args, **kwargs):
                kwargs["max_length"] = MAX_NETWORK_LENGTH
                super().__init__(*args, **kwargs)


        class LegacyField(models.CharField):
            def __init__(self, *args, **kwargs):
                models.CharField.__init__(self, *args, null=True, max_length=9, **kwargs)
    """,
    "ops/models.py": """
        from django.db import models

        from ops.fields import CodeField, LegacyField, NetworkField, StripeIdField, TicketIdField


        class Change(models.Model):
            ticket_id = TicketIdField()
            short_ticket = TicketIdField(max_length=20, null=False)
            address = NetworkField()
            legacy = LegacyField()
            stripe_id = StripeIdField()
            short_stripe_id = StripeIdField(max_length=30, null=True)
            code = CodeField()
    """,
}


def test_init_keywords_passed_on_to_the_base_class(project):
    s = project(FX_INIT_PASSING)
    # Django 5.2: _meta.get_field(...).max_length, .null
    got = {
        name: (s.field("Change", name)["max_length"], s.field("Change", name)["null"])
        for name in ("ticket_id", "short_ticket", "address", "legacy")
        + ("stripe_id", "short_stripe_id", "code")
    }
    assert got == {
        "ticket_id": (200, True),
        "short_ticket": (20, False),
        "address": (44, False),
        "legacy": (9, True),
        "stripe_id": (255, False),
        "short_stripe_id": (30, True),
        "code": (3, False),
    }


#: ralph's ``NUMP(models.TextField(...))`` and django-cryptography's ``encrypt(...)``: a
#: function that makes a subclass of the given field's class with ``type(...)`` and returns an
#: instance made from the given field's ``deconstruct()``.
FX_WRAPPED_FIELDS = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["deploy"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "deploy/__init__.py": "",
    "deploy/fields.py": """
        _CACHE = {}


        class NUMPMixin:
            pass


        def NUMP(base_field, fields_to_ignore=("help_text",)):
            base_class = base_field.__class__
            if base_class not in _CACHE:
                _CACHE[base_class] = type("NUMP" + base_class.__name__, (NUMPMixin, base_class), {})
            name, path, args, kwargs = base_field.deconstruct()
            return _CACHE[base_class](*args, **kwargs)
    """,
    "deploy/models.py": """
        from django.db import models

        from deploy.fields import NUMP


        class Preboot(models.Model):
            name = models.CharField(max_length=10)
            configuration = NUMP(
                models.TextField(
                    "configuration",
                    blank=True,
                    null=True,
                )
            )
            size = NUMP(models.CharField(max_length=12))
    """,
}


def test_a_field_made_by_a_function_from_the_field_it_is_given(project):
    s = project(FX_WRAPPED_FIELDS)
    # Django 5.2: Preboot._meta.get_fields(): NUMPTextField (a TextField), NUMPCharField
    assert s.field_names("Preboot") == ["id", "name", "configuration", "size"]
    conf, size = s.field("Preboot", "configuration"), s.field("Preboot", "size")
    assert (conf["django_type"], conf["null"]) == ("TextField", True)
    assert (size["django_type"], size["max_length"]) == ("CharField", 12)
    model = s.model("Preboot")
    assert model["complete"] is False  # djatlas says it took the given field
    assert any("NUMP" in r and "configuration" in r for r in model["incomplete_reasons"])


#: django-translated-fields (blueking-paas): ``TranslatedField(field, specific)`` makes one
#: field per language of ``LANGUAGES`` (``languages=`` when given), named ``<name>_<code>``,
#: where the TranslatedField stands; ``<name>`` itself is no field.
FX_TRANSLATED_FIELDS = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["market"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
        LANGUAGES = [("zh-cn", "简体中文"), ("en", "English")]
    """,
    "market/__init__.py": "",
    "market/models.py": """
        from django.db import models
        from translated_fields import TranslatedField, TranslatedFieldWithFallback


        class Product(models.Model):
            code = models.CharField(max_length=10)
            name = TranslatedField(
                models.CharField("name", max_length=20),
                {"en": {"blank": True}},
            )
            body = TranslatedField(models.TextField(blank=True), languages=["de", "pt-BR"])
            price = models.IntegerField(default=0)
            title = TranslatedFieldWithFallback(models.CharField(max_length=30))
    """,
}


def test_django_translated_fields_one_field_per_language(project):
    s = project(FX_TRANSLATED_FIELDS)
    # Django 5.2 + django-translated-fields 0.16: Product._meta.get_fields()
    assert s.field_names("Product") == [
        "id",
        "code",
        "name_zh_cn",
        "name_en",
        "body_de",
        "body_pt_br",
        "price",
        "title_zh_cn",
        "title_en",
    ]
    assert s.field("Product", "name_zh_cn")["max_length"] == 20
    assert s.field("Product", "name_en")["params"]["blank"] is True
    assert "blank" not in s.field("Product", "name_zh_cn")["params"]
    # the fallback one: every language but the first is blank; verbose_name <name> if none
    title_zh, title_en = s.field("Product", "title_zh_cn"), s.field("Product", "title_en")
    assert ("blank" in title_zh["params"], title_en["params"].get("blank")) == (False, True)
    assert title_en["params"]["verbose_name"] == "title"
    assert s.model("Product")["complete"] is True


def test_translated_fields_0_16_writes_no_verbose_name(tmp_path):
    # django-translated-fields 0.16 copies the field and sets its verbose_name attribute only:
    # its deconstruct() (what a migration writes) has none; up to 0.15 it had <name>
    package = {
        "translated_fields/__init__.py": '__version__ = "0.16.0"\nfrom .fields import *\n',
        "translated_fields/fields.py": """
            __all__ = ["TranslatedField"]


            class TranslatedField:
                def __init__(self, field, specific=None, *, languages=None):
                    self._field = field
        """,
        "django_translated_fields-0.16.0.dist-info/METADATA": "Metadata-Version: 2.1\\n",
        "django_translated_fields-0.16.0.dist-info/top_level.txt": "translated_fields\\n",
    }
    env = make_venv(tmp_path / "env", cfg=venv_cfg(), files=package)
    write_tree(tmp_path / "proj", FX_TRANSLATED_FIELDS)
    doc = scan_path(str(tmp_path / "proj"), timing=False, use_cache=False, python=str(env))
    product = next(m for m in doc["models"] if m["name"] == "Product")
    title = next(f for f in product["fields"] if f["name"] == "title_en")
    assert title["params"] == {"max_length": 30, "blank": True}


#: ``Model.add_to_class(name, field)`` at a module's top level: the field joins the model's
#: local fields where the call runs (its creation counter), inherited like any other; a name
#: given by a constant or a setting is evaluated; an addition to contrib's ``User`` counts too.
FX_ADD_TO_CLASS = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "crm",
            "later",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
        FLAG_NAME = "flagged"
    """,
    "crm/__init__.py": "",
    "crm/models.py": """
        from django.conf import settings
        from django.contrib.auth.models import User
        from django.db import models

        FLAG = getattr(settings, "FLAG_NAME", "flag")


        class Stamped(models.Model):
            created = models.DateTimeField(null=True)

            class Meta:
                abstract = True


        Stamped.add_to_class(FLAG, models.BooleanField(default=False))


        class Client(Stamped):
            name = models.CharField(max_length=30)


        Client.add_to_class("code", models.CharField(max_length=8, null=True))
        Client.add_to_class("helper", lambda self: self.name)
        User.add_to_class("nickname", models.CharField(max_length=20, default=""))


        class Contact(models.Model):
            client = models.ForeignKey(Client, on_delete=models.CASCADE)
            owner = models.ForeignKey(User, on_delete=models.CASCADE)
    """,
    "later/__init__.py": "",
    "later/models.py": """
        from django.db import models

        from crm.models import Client

        Client.add_to_class("region", models.CharField(max_length=4, blank=True))
    """,
}


def test_fields_given_by_add_to_class(project):
    s = project(FX_ADD_TO_CLASS)
    # Django 5.2: Client._meta.get_fields() (concrete fields)
    assert s.field_names("Client") == ["id", "created", "flagged", "name", "code", "region"]
    assert s.field("Client", "flagged")["django_type"] == "BooleanField"
    code, region = s.field("Client", "code"), s.field("Client", "region")
    assert (code["max_length"], code["null"], code["line"]) == (8, True, 22)
    assert (region["max_length"], region["line"]) == (4, None)  # written in another file
    assert "helper" not in s.field_names("Client")
    assert s.field("auth.User", "nickname")["max_length"] == 20
    # User._meta.get_fields(): after its own concrete fields, before its many-to-many ones
    assert s.field_names("auth.User")[-4:] == [
        "date_joined",
        "nickname",
        "groups",
        "user_permissions",
    ]
    assert s.model("Client")["complete"] is True


#: ``abstract = "app" not in settings.INSTALLED_APPS`` (djangorestframework-simplejwt's token
#: blacklist, taiga): abstract unless the app is installed; a value djatlas cannot compute is
#: said, and the model taken as concrete.
FX_COMPUTED_ABSTRACT = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["django.contrib.contenttypes", "vault"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "vault/__init__.py": "",
    "vault/models.py": """
        import os

        from django.conf import settings
        from django.db import models


        class Token(models.Model):
            key = models.CharField(max_length=10)

            class Meta:
                abstract = "vault.tokens" not in settings.INSTALLED_APPS


        class Entry(models.Model):
            name = models.CharField(max_length=10)

            class Meta:
                abstract = "vault" not in settings.INSTALLED_APPS and False


        class Local(Token):
            pass


        class Unknown(models.Model):
            class Meta:
                abstract = os.environ.get("ABSTRACT") == "1"
    """,
}


def test_computed_meta_abstract(project):
    s = project(FX_COMPUTED_ABSTRACT)
    # Django 5.2: Token._meta.abstract is True (not installed), Entry's False
    assert (s.model("Token")["abstract"], s.model("Entry")["abstract"]) == (True, False)
    assert s.field_names("Local") == ["id", "key"]  # inherits the abstract model's field
    assert s.model("Local")["parents"] == []
    unknown = s.model("Unknown")
    assert (unknown["abstract"], unknown["complete"]) == (False, False)
    assert any("Meta.abstract" in r for r in unknown["incomplete_reasons"])
    assert s.model("Token")["complete"] is True


def test_implicit_fields_name_their_class_where_it_is_defined(project):
    # Django: type(Model._meta.pk) is django.db.models.fields.AutoField, whatever
    # DEFAULT_AUTO_FIELD's spelling; a multi-table child's link is a fields.related class
    s = project(FX_ADD_TO_CLASS)
    assert s.field("Client", "id")["resolved_type"] == "django.db.models.fields.AutoField"
    s2 = project(FX_MTI)
    ptr = s2.field("Restaurant", "place_ptr")["resolved_type"]
    assert ptr == "django.db.models.fields.related.OneToOneField"


def test_a_field_class_adding_fields_makes_its_model_incomplete(project):
    # bookwyrm's PartialDateField: contribute_to_class adds ``<name>_precision`` with
    # add_to_class (a name made by a function): not followed, but said
    s = project(
        {
            "app/__init__.py": "",
            "app/fields.py": """
                from django.db import models


                def precision_name(name):
                    return f"{name}_precision"


                class PartialDateField(models.DateTimeField):
                    def contribute_to_class(self, model, name, **kwargs):
                        super().contribute_to_class(model, name, **kwargs)
                        model.add_to_class(
                            precision_name(name), models.CharField(max_length=10, null=True)
                        )


                class PlainDateField(models.DateTimeField):
                    def contribute_to_class(self, model, name, **kwargs):
                        super().contribute_to_class(model, name, **kwargs)
            """,
            "app/models.py": """
                from django.db import models

                from app.fields import PartialDateField, PlainDateField


                class Author(models.Model):
                    born = PartialDateField(null=True)


                class Book(models.Model):
                    published = PlainDateField(null=True)
            """,
        }
    )
    author = s.model("Author")
    assert author["complete"] is False
    assert any("born" in r and "add_to_class" in r for r in author["incomplete_reasons"])
    assert s.model("Book")["complete"] is True


def test_a_field_class_named_by_a_string_is_said_unknown(project):
    # django-post-office: ``context = context_field_class(...)`` where the class is
    # ``import_string(CONTEXT_FIELD_CLASS)``: a field djatlas cannot know, said, not dropped
    # silently; a manager is no such member
    s = project(
        {
            "app/__init__.py": "",
            "app/conf.py": """
                from django.utils.module_loading import import_string

                CONTEXT_FIELD_CLASS = "django.db.models.JSONField"
                context_field_class = import_string(CONTEXT_FIELD_CLASS)
            """,
            "app/models.py": """
                from django.db import models

                from app.conf import context_field_class


                class Email(models.Model):
                    context = context_field_class("Context", blank=True, null=True)
                    objects = models.Manager()
            """,
        }
    )
    email = s.model("Email")
    assert s.field_names("Email") == ["id"]
    assert email["complete"] is False
    assert [r for r in email["incomplete_reasons"] if "context" in r] == [
        "context = context_field_class(...): context_field_class is not known statically; "
        "it may be a field"
    ]


#: Names a class body binds, used by its later fields (paperless-ngx's Document:
#: ``MAX_STORED_FILENAME_LENGTH: Final[int] = 1024``); a multi-table child's body does not see
#: its parent's, and ``class Meta(A.Meta, B.Meta)`` takes A's options first (Python's MRO).
FX_CLASS_SCOPE = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["docs"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "docs/__init__.py": "",
    "docs/models.py": """
        from typing import Final

        from django.db import models

        LEN = 5


        class Matching(models.Model):
            MATCH_ANY = 1
            match = models.PositiveIntegerField(default=MATCH_ANY)

            class Meta:
                abstract = True
                ordering = ("name",)


        class Tree(models.Model):
            class Meta:
                abstract = True
                ordering = ("tn_order",)


        class Document(models.Model):
            LEN_PLAIN = 70
            LEN_ANN: int = 75
            LEN_FINAL: Final[int] = 80
            a = models.CharField(max_length=LEN_PLAIN)
            b = models.CharField(max_length=LEN_ANN)
            c = models.CharField(max_length=LEN_FINAL)
            d = models.CharField(max_length=LEN)


        class Scanned(Document):
            e = models.CharField(max_length=LEN)


        class Tag(Matching, Tree):
            name = models.CharField(max_length=LEN)

            class Meta(Matching.Meta, Tree.Meta):
                pass
    """,
}


def test_names_a_class_body_binds(project):
    s = project(FX_CLASS_SCOPE)
    # Django 5.2: max_length 70, 75, 80 from the class body, 5 from the module; default 1
    found = [s.field("Document", n)["max_length"] for n in ("a", "b", "c", "d")]
    assert found == [70, 75, 80, 5]
    assert s.field("Scanned", "e")["max_length"] == 5
    assert s.field("Tag", "match")["known_params"]["default"] == 1
    # Tag._meta.ordering == ("name",): the first Meta base's
    assert s.model("Tag")["meta"]["ordering"] == ["name"]
    assert s.model("Tag")["meta_inherited_from"] == "docs.models.Matching"
