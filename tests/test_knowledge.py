"""Bundled knowledge: with nothing installed, a project gets the same models, fields and targets
as with the real packages installed (read from their source)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from test_environment import make_venv, venv_cfg
from treeutil import write_tree

import djatlas.resolve.knowledge as knowledge_module
from djatlas.checks import run_checks
from djatlas.checks.registry import select_rules
from djatlas.parse.summary import ClassSummary
from djatlas.resolve.knowledge import (
    COMPUTED,
    FOLDER,
    SUMMARIES,
    Knowledge,
    summaries_text,
    summarize_source,
)
from djatlas.scan import scan_path

#: A project using every bundled package that defines fields or models.
PROJECT = {
    "app/__init__.py": "",
    "app/models.py": """
        from django.contrib.gis.db import models as gis
        from django.contrib.postgres.fields import ArrayField, HStoreField, IntegerRangeField
        from django.contrib.postgres.search import SearchVectorField
        from django.db import models
        from django_celery_beat.models import PeriodicTask
        from easy_thumbnails.fields import ThumbnailerImageField
        from filer.fields.file import FilerFileField
        from filer.fields.image import FilerImageField
        from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
        from modelcluster.fields import ParentalKey, ParentalManyToManyField
        from modelcluster.models import ClusterableModel
        from mptt.models import MPTTModel, TreeForeignKey
        from polymorphic.models import PolymorphicModel
        from reversion.models import Version
        from taggit.managers import TaggableManager
        from taggit.models import TaggedItemBase
        from timezone_field import TimeZoneField
        from treebeard.mp_tree import MP_Node
        from treebeard.ns_tree import NS_Node

        class Place(gis.Model):
            point = gis.PointField()
            area = gis.MultiPolygonField(srid=3857, null=True)
            tags = ArrayField(models.CharField(max_length=20), size=4)
            attrs = HStoreField()
            ages = IntegerRangeField()
            search = SearchVectorField(null=True)
            zone = TimeZoneField(default="UTC")
            photo = ThumbnailerImageField(upload_to="x")
            image = FilerImageField(null=True, on_delete=models.SET_NULL)
            document = FilerFileField(null=True, on_delete=models.SET_NULL, related_name="+")
            task = models.ForeignKey(PeriodicTask, models.CASCADE)
            version = models.OneToOneField(Version, models.PROTECT)
            slug = models.GeneratedField(
                expression=models.F("zone"), output_field=models.CharField(max_length=9),
                db_persist=True,
            )

        class TaggedPlace(TaggedItemBase):
            content_object = models.ForeignKey(Place, models.CASCADE)

        class Album(ClusterableModel):
            keywords = TaggableManager(through=TaggedPlace, blank=True)
            places = ParentalManyToManyField(Place, blank=True)

        class Track(models.Model):
            album = ParentalKey(Album, related_name="tracks", on_delete=models.CASCADE)

        class Category(MPTTModel):
            parent = TreeForeignKey("self", models.CASCADE, null=True, related_name="children")

        class Folder(MP_Node):
            name = models.CharField(max_length=30)

        class Node(NS_Node):
            name = models.CharField(max_length=30)

        class Animal(PolymorphicModel):
            name = models.CharField(max_length=30)

        class Dog(Animal):
            bark = models.BooleanField(default=True)

        class PlaceUserPermission(UserObjectPermissionBase):
            content_object = models.ForeignKey(Place, models.CASCADE)

        class PlaceGroupPermission(GroupObjectPermissionBase):
            content_object = models.ForeignKey(Place, models.CASCADE)
    """,
    "other/__init__.py": "",
    "other/models.py": """
        from allauth.account.models import EmailAddress
        from allauth.socialaccount.models import SocialAccount
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.models import AbstractUser
        from django.contrib.flatpages.models import FlatPage
        from django.contrib.redirects.models import Redirect
        from django.contrib.sessions.base_session import AbstractBaseSession
        from django.contrib.sessions.models import Session
        from django.db import models
        from django_celery_results.models import TaskResult
        from oauth2_provider.models import AbstractApplication
        from rest_framework.authtoken.models import Token
        from simple_history.models import HistoricalRecords

        class Member(AbstractUser):
            history = HistoricalRecords()

        class MySession(AbstractBaseSession):
            device = models.CharField(max_length=40)

        class App(AbstractApplication):
            logo = models.URLField(blank=True)

        class Link(models.Model):
            email = models.ForeignKey(EmailAddress, models.CASCADE)
            social = models.ForeignKey(SocialAccount, models.CASCADE)
            token = models.OneToOneField(Token, models.CASCADE)
            result = models.ForeignKey(TaskResult, models.CASCADE)
            session = models.ForeignKey(Session, models.CASCADE)
            entry = models.ForeignKey(LogEntry, models.CASCADE)
            page = models.ForeignKey(FlatPage, models.CASCADE)
            redirect = models.ForeignKey(Redirect, models.CASCADE)
    """,
    "settings.py": """
        INSTALLED_APPS = ["app", "other", "taggit", "filer", "django.contrib.auth"]
        AUTH_USER_MODEL = "other.Member"
    """,
}
#: Packages the project uses that the test environment has installed (test extras).
INSTALLED = (
    "django",
    "taggit",
    "mptt",
    "treebeard",
    "modelcluster",
    "polymorphic",
    "guardian",
    "simple_history",
    "reversion",
    "filer",
    "easy_thumbnails",
    "rest_framework",
    "django_celery_beat",
    "django_celery_results",
    "allauth",
    "oauth2_provider",
    "timezone_field",
)


def empty_env(path: Path) -> str:
    (path / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.9\n", encoding="utf-8")
    return str(path)


def computed_classes() -> set[str]:
    """Field classes whose computed values only the bundled knowledge has (computed.json)."""
    with open(os.path.join(FOLDER, COMPUTED), encoding="utf-8") as fh:
        return {path for entry in json.load(fh).values() for path in entry["fields"]}


def essentials(doc: dict, other_versions: set[str]) -> dict:
    """What must agree: every model's bases, fields and their types, targets and Meta (and the
    lines of inherited fields, except from packages installed in another version). Fields of a
    class with computed values are left out: read from the environment's source alone, those
    values stay unknown."""
    skip = computed_classes()
    out = {}
    for m in doc["models"]:
        out[m["label"]] = {
            "bases": [(b["resolved"], b["origin"] == "unresolved") for b in m["bases"]],
            "abstract": m["abstract"],
            "proxy": m["proxy"],
            "parents": m["parents"],
            "table": m["db_table"],
            "meta": m["meta"],
            "fields": [
                (
                    f["name"],
                    f["resolved_type"],
                    f["django_type"],
                    f["origin"],
                    f["column"],
                    f["null"],
                    f["unique"],
                    f["max_length"],
                    f["primary_key"],
                    None
                    if (f["defined_in"] or "").split(".", 1)[0] in other_versions
                    else f["line"],
                    json.dumps(f["relation"], sort_keys=True),
                )
                for f in m["fields"]
                if f["resolved_type"] not in skip
            ],
        }
    return out


def diagnostics(doc: dict) -> list:
    return sorted((d["code"], d["message"]) for d in doc["diagnostics"])


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    missing = [n for n in INSTALLED if importlib.util.find_spec(n) is None]
    if missing:
        pytest.skip(f"needs the test extras: {', '.join(missing)}")
    root = tmp_path_factory.mktemp("knowledge")
    write_tree(root / "proj", PROJECT)
    bundled = scan_path(
        str(root / "proj"), timing=False, use_cache=False, python=empty_env(root / "empty")
    )
    (root / "no-knowledge").mkdir()
    old = knowledge_module.FOLDER
    knowledge_module.FOLDER = str(root / "no-knowledge")
    try:
        installed = scan_path(str(root / "proj"), timing=False, use_cache=False)
    finally:
        knowledge_module.FOLDER = old
    return bundled, installed


def test_nothing_installed_gives_what_the_installed_packages_give(scans):
    bundled, installed = scans
    origins = {p["package"]: p["origin"] for p in bundled["metadata"]["packages"]}
    assert set(origins) >= set(INSTALLED) and set(origins.values()) == {"knowledge"}
    origins = {p["package"]: p["origin"] for p in installed["metadata"]["packages"]}
    assert set(origins) >= set(INSTALLED) and set(origins.values()) == {"environment"}
    bundled_versions = {p["package"]: p["version"] for p in bundled["metadata"]["packages"]}
    other = {
        p["package"]
        for p in installed["metadata"]["packages"]
        if p["version"] != bundled_versions.get(p["package"])  # not bundled: celery
    }
    with_knowledge, without = essentials(bundled, other), essentials(installed, other)
    # The targets of the computed fields (filer's) are in the report as external models.
    assert {label.split(".")[0] for label in set(with_knowledge) - set(without)} == {"filer"}
    assert {k: v for k, v in with_knowledge.items() if k in without} == without
    computed = [d for d in diagnostics(installed) if d not in diagnostics(bundled)]
    assert diagnostics(bundled) == [d for d in diagnostics(installed) if d not in computed]
    assert {m.split(" of ")[1] for _, m in computed} == {
        "app.Place.image could not be resolved",
        "app.Place.document could not be resolved",
    }


def test_fields_from_bundled_packages(scans):
    bundled, _ = scans
    fields = {(m["name"], f["name"]): f for m in bundled["models"] for f in m["fields"]}
    assert fields[("Place", "search")]["django_type"] == "SearchVectorField"
    assert fields[("Place", "point")]["django_type"] == "PointField"
    assert fields[("Place", "slug")]["django_type"] == "GeneratedField"
    assert fields[("Place", "zone")]["resolved_type"] == "timezone_field.fields.TimeZoneField"
    assert fields[("Place", "image")]["relation"]["kind"] == "ForeignKey"
    assert fields[("Folder", "path")]["unique"] is True  # treebeard's MP_Node
    assert {"lft", "rght", "tree_id", "level"} <= {n for (m, n) in fields if m == "Category"}
    assert fields[("Track", "album")]["relation"]["kind"] == "ForeignKey"
    assert fields[("Dog", "animal_ptr")]["relation"]["target"] == "app.Animal"
    assert fields[("MySession", "session_key")]["primary_key"] is True
    assert fields[("App", "client_id")]["unique"] is True
    link = {n: f["relation"]["target"] for (m, n), f in fields.items() if m == "Link" and n != "id"}
    assert link == {
        "email": "account.EmailAddress",
        "social": "socialaccount.SocialAccount",
        "token": "authtoken.Token",
        "result": "django_celery_results.TaskResult",
        "session": "sessions.Session",
        "entry": "admin.LogEntry",
        "page": "flatpages.FlatPage",
        "redirect": "redirects.Redirect",
    }
    unresolved = [d for d in bundled["diagnostics"] if d["code"] in ("DJA101", "DJA102", "DJA103")]
    assert not unresolved
    # Computed in __init__ (``kwargs["to"] = dfl``, ``setdefault("max_length",
    # self.default_max_length)``): from the knowledge's computed values.
    assert fields[("Place", "image")]["relation"]["target"] == "filer.Image"
    assert fields[("Place", "document")]["relation"]["target"] == "filer.File"
    assert fields[("Place", "zone")]["max_length"] == 63


def test_packages_not_in_the_test_environment(tmp_path):
    """django-extensions, model-utils, countries, phonenumber, jsonfield, djmoney, ordered-model:
    known from the bundled knowledge alone (readthedocs' TimeStampedModel ordering included)."""
    write_tree(
        tmp_path / "proj",
        {
            "app/__init__.py": "",
            "app/models.py": """
                import jsonfield
                from django.db import models
                from django_countries.fields import CountryField
                from django_extensions.db.fields import AutoSlugField
                from django_extensions.db.models import TimeStampedModel
                from djmoney.models.fields import MoneyField
                from model_utils.models import StatusModel, TimeStampedModel as Stamped
                from model_utils import Choices
                from model_utils.fields import SplitField
                from ordered_model.models import OrderedModel
                from phonenumber_field.modelfields import PhoneNumberField

                class Project(TimeStampedModel):
                    name = models.CharField(max_length=30)
                    slug = AutoSlugField(populate_from="name")

                    class Meta:
                        ordering = ["-modified", "-created"]

                class Order(Stamped, OrderedModel):
                    country = CountryField()
                    ships_to = CountryField(multiple=True)
                    code = CountryField(max_length=5)
                    body = SplitField()
                    phone = PhoneNumberField(blank=True)
                    price = MoneyField(max_digits=10, decimal_places=2, default_currency="EUR")
                    data = jsonfield.JSONField(default=dict)

                    class Meta(OrderedModel.Meta):
                        pass
            """,
        },
    )
    doc = scan_path(
        str(tmp_path / "proj"), timing=False, use_cache=False, python=empty_env(tmp_path / "e")
    )
    fields = {(m["name"], f["name"]): f for m in doc["models"] for f in m["fields"]}
    project = [n for (m, n) in fields if m == "Project"]
    assert project == ["id", "created", "modified", "name", "slug"]
    assert fields[("Project", "created")]["django_type"] == "DateTimeField"
    order = [n for (m, n) in fields if m == "Order"]
    assert order[:4] == ["id", "created", "modified", "order"]
    assert fields[("Order", "country")]["django_type"] == "CharField"
    # Computed by the package (max over its country codes; contribute_to_class):
    lengths = {n: fields[("Order", n)]["max_length"] for n in ("country", "ships_to", "code")}
    assert lengths == {"country": 2, "ships_to": 746, "code": 5}
    assert order.index("price_currency") == order.index("price") - 1  # counter - 1
    currency = fields[("Order", "price_currency")]
    assert (currency["django_type"], currency["max_length"], currency["line"]) == (
        "CharField",
        3,
        None,
    )
    assert currency["params"]["default"] == "EUR"  # django-money: default <- default_currency
    assert order[-1] == "_body_excerpt"  # added after the class body's fields
    assert fields[("Order", "price")]["django_type"] == "DecimalField"
    assert fields[("Order", "phone")]["max_length"] == 128
    assert fields[("Order", "data")]["django_type"] is not None
    order_model = next(m for m in doc["models"] if m["name"] == "Order")
    assert order_model["meta"]["ordering"] == ["order"]
    codes = {d["code"] for d in doc["diagnostics"]}
    assert not codes & {"DJA101", "DJA102", "DJA103"}
    findings = run_checks(doc, select_rules(["DJ"], None)).findings
    assert not [f for f in findings if f.code == "DJ008"]


def test_knowledge_is_small_versioned_and_lazy():
    index = Knowledge().packages
    assert index["django"]["distribution"] == "Django"
    assert all(info["version"] for info in index.values())
    sources = sum(os.path.getsize(os.path.join(FOLDER, n)) for n in os.listdir(FOLDER))
    summaries = sum(
        os.path.getsize(os.path.join(FOLDER, SUMMARIES.format(top=top))) for top in index
    )
    assert sources - summaries < 1_200_000 and summaries < 350_000
    k = Knowledge()
    assert k.module("taggit.managers") is not None
    assert set(k._modules) == {"taggit"}  # one package file read, on use
    assert k.summary("mptt.fields") is not None
    assert set(k._summaries) == {"mptt"} and set(k._modules) == {"taggit"}


def test_shipped_summaries_are_those_of_the_sources():
    """Each package's summaries file is what djatlas's parser makes of the bundled sources today,
    and a module read from it is the summary of its source. When this fails after a change to
    parse/, remake them: ``python scripts/gen_knowledge.py --summaries``."""
    knowledge = Knowledge()
    for top in sorted(knowledge.packages):
        with open(os.path.join(FOLDER, f"{top}.json"), encoding="utf-8") as fh:
            modules = json.load(fh)["modules"]
        with gzip.open(os.path.join(FOLDER, SUMMARIES.format(top=top)), "rt") as fh:
            shipped = fh.read()
        assert shipped == summaries_text(modules), f"{top}: stale summaries, see the docstring"
        for name, entry in modules.items():
            fresh = summarize_source(entry["source"], name, entry["package"]).to_dict()
            # as JSON text: the order of keyword arguments and Meta options is reported
            assert json.dumps(knowledge.summary(name).to_dict()) == json.dumps(fresh), name


def test_summaries_missing_means_parsing_the_sources(tmp_path):
    for name in ("index.json", "taggit.json"):
        shutil.copy(os.path.join(FOLDER, name), tmp_path / name)
    without = Knowledge(str(tmp_path))
    source, is_package = without.module("taggit.managers")
    summary = without.summary("taggit.managers")
    assert summary == summarize_source(source, "taggit.managers", is_package)
    assert summary == Knowledge().summary("taggit.managers")
    assert "TaggableManager" in summary.classes
    assert without.summary("taggit.nothing") is None and without.summary("nothing.x") is None


def test_forked_oscar_app_without_environment(tmp_path):
    """A django-oscar fork (``class Product(AbstractProduct)`` then ``from
    oscar.apps.catalogue.models import *``) gets oscar's fields and models from the knowledge."""
    write_tree(
        tmp_path / "proj",
        {
            "shop/__init__.py": "",
            "shop/catalogue/__init__.py": "",
            "shop/catalogue/apps.py": """
                import oscar.apps.catalogue.apps as apps

                class CatalogueConfig(apps.CatalogueConfig):
                    name = "shop.catalogue"
            """,
            "shop/catalogue/models.py": """
                from django.db import models
                from oscar.apps.catalogue.abstract_models import AbstractProduct

                class Product(AbstractProduct):
                    video_url = models.URLField(blank=True)

                from oscar.apps.catalogue.models import *  # noqa
            """,
            "shop/settings.py": """
                INSTALLED_APPS = ["django.contrib.auth", "shop.catalogue.apps.CatalogueConfig"]
            """,
        },
    )
    doc = scan_path(
        str(tmp_path / "proj"), timing=False, use_cache=False, python=empty_env(tmp_path / "e")
    )
    product = next(m for m in doc["models"] if m["label"] == "catalogue.Product")
    fields = {f["name"]: f for f in product["fields"]}
    assert {"upc", "title", "structure", "parent", "video_url"} <= set(fields)
    assert fields["upc"]["django_type"] == "CharField"  # oscar's NullCharField
    assert fields["upc"]["null"] is True  # computed in NullCharField.__init__
    assert fields["parent"]["relation"]["target"] == "catalogue.Product"
    sources = {p["package"]: p["origin"] for p in doc["metadata"]["packages"]}
    assert sources["oscar"] == "knowledge"


def test_bundled_entries_are_decoded_on_use():
    """A bundled module's classes (functions, assignments) stay JSON text until asked for;
    reading, comparing and pickling the summary see them decoded."""
    summary = Knowledge().summary("django.db.models.fields")
    assert isinstance(dict.__getitem__(summary.classes, "CharField"), str)
    assert summary.classes["CharField"].name == "CharField"
    assert isinstance(dict.__getitem__(summary.classes, "CharField"), ClassSummary)
    assert summary.classes.get("Nothing") is None and "Nothing" not in summary.classes
    assert isinstance(dict.__getitem__(summary.classes, "IntegerField"), str)
    fresh = Knowledge().summary("django.db.models.fields")
    assert summary == fresh and (summary.classes != fresh.classes) is False
    assert pickle.loads(pickle.dumps(summary)) == summary
    assert all(isinstance(c, ClassSummary) for c in fresh.classes.values())


#: django-money as an environment holds it (0.12's shape): ``contribute_to_class`` adds the
#: currency field, which its source says in no way djatlas reads.
DJMONEY_ENV = {
    "djmoney/__init__.py": "",
    "djmoney/models/__init__.py": "",
    "djmoney/models/fields.py": """
        from django.db import models


        class CurrencyField(models.CharField):
            def __init__(self, price_field=None, default="XYZ", **kwargs):
                kwargs.setdefault("max_length", 3)
                super().__init__(default=default, **kwargs)


        class MoneyField(models.DecimalField):
            def __init__(self, default_currency="XYZ", currency_max_length=3, **kwargs):
                self.default_currency = default_currency
                super().__init__(**kwargs)

            def contribute_to_class(self, cls, name):
                add_currency_field(cls, name, self)
                super().contribute_to_class(cls, name)


        def add_currency_field(cls, name, field):
            currency_field = CurrencyField(price_field=field, default=field.default_currency)
            currency_field.creation_counter = field.creation_counter - 1
            cls.add_to_class(name + "_currency", currency_field)
    """,
    "django_money-0.12.3.dist-info/METADATA": "Metadata-Version: 2.1\nName: django-money\n",
    "django_money-0.12.3.dist-info/top_level.txt": "djmoney\n",
}


def test_fields_a_package_adds_also_from_the_environment(tmp_path):
    # ralph (django-money 0.12.3 installed): the currency field is added to the price field's
    # model whether djmoney is read from the bundled knowledge or from the environment
    env = make_venv(tmp_path / "env", cfg=venv_cfg(), files=DJMONEY_ENV)
    write_tree(
        tmp_path / "proj",
        {
            "shop/__init__.py": "",
            "shop/models.py": """
                from django.db import models
                from djmoney.models.fields import MoneyField

                class Order(models.Model):
                    price = MoneyField(max_digits=10, decimal_places=2, default_currency="EUR")
            """,
        },
    )
    doc = scan_path(str(tmp_path / "proj"), timing=False, use_cache=False, python=str(env))
    order = next(m for m in doc["models"] if m["name"] == "Order")
    price = next(f for f in order["fields"] if f["name"] == "price")
    assert price["resolved_type"] == "djmoney.models.fields.MoneyField"
    assert [f["name"] for f in order["fields"]] == ["id", "price_currency", "price"]
    currency = order["fields"][1]
    assert (currency["django_type"], currency["max_length"]) == ("CharField", 3)
