"""Models built on models outside the tree, fields added at class creation, models loaded by
label, and what a model whose parts stay unknown says about itself (checked against Django's
behaviour; the runtime oracle in tests/oracle/test_user_projects.py boots the same shapes)."""

from __future__ import annotations

from djatlas.checks import run_checks, select_rules


def settings(*apps: str) -> str:
    installed = ["django.contrib.auth", "django.contrib.contenttypes", *apps]
    return f"INSTALLED_APPS = {installed!r}\nDEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"


FX_CONTRIB = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("people"),
    "people/__init__.py": "",
    "people/models.py": """
        from django.contrib.auth.models import Group, User
        from django.contrib.contenttypes.models import ContentType
        from django.db import models

        class Staff(User):
            class Meta:
                proxy = True
                ordering = ["username"]

        class Customer(User):
            loyalty = models.IntegerField(default=0)

        class Vip(Customer):
            class Meta:
                proxy = True

        class Kind(ContentType):
            class Meta:
                ordering = ["app_label", "model"]

        class Team(Group):
            class Meta:
                proxy = True

        class Note(models.Model):
            author = models.ForeignKey(User, models.CASCADE)
            friends = models.ManyToManyField("self")
            peers = models.ManyToManyField("people.Note", related_name="+")
            others = models.ManyToManyField("Note")

            class Meta:
                order_with_respect_to = "author"
    """,
}


def test_proxy_of_an_outside_model_takes_its_table_and_fields(project):
    s = project(FX_CONTRIB)
    staff = s.model("people.Staff")
    assert staff["parents"] == ["auth.User"] and staff["concrete_model"] == "auth.User"
    assert staff["db_table"] == "auth_user"
    assert s.field_names("people.Staff")[:3] == ["id", "password", "last_login"]
    assert {f["origin"] for f in staff["fields"]} == {"parent"}
    assert s.model("people.Vip")["concrete_model"] == "people.Customer"
    assert s.model("people.Team")["db_table"] == "auth_group"


def test_multi_table_child_of_an_outside_model(project):
    s = project(FX_CONTRIB)
    names = s.field_names("people.Customer")
    assert names[:2] == ["id", "password"] and names[-2:] == ["user_ptr", "loyalty"]
    ptr = s.field("people.Customer", "user_ptr")
    assert ptr["primary_key"] and ptr["relation"]["target"] == "auth.User"
    assert s.model("people.Customer")["parents"] == ["auth.User"]
    kind = s.model("people.Kind")
    assert kind["parents"] == ["contenttypes.ContentType"]
    assert [f["name"] for f in kind["fields"]] == ["id", "app_label", "model", "contenttype_ptr"]


def test_outside_models_are_reported_as_external(project):
    s = project(FX_CONTRIB)
    user = s.model("auth.User")
    assert user["external"] is True and user["origin"] in ("knowledge", "environment")
    assert user["file"] is None and user["db_table"] == "auth_user"
    # Transitively: User's many-to-many targets, and what they point at.
    assert {"auth.Group", "auth.Permission", "contenttypes.ContentType"} <= {
        m["label"] for m in s.models if m["external"]
    }
    assert not s.model("people.Staff")["external"]
    summary = s.doc["summary"]
    assert summary["models"] == 6 and summary["external_models"] >= 4
    apps = {a["label"]: a for a in s.doc["apps"]}
    assert apps["auth"]["external"] is True and not apps["people"].get("external")


def test_order_with_respect_to_adds_order(project):
    s = project(FX_CONTRIB)
    order = s.field("people.Note", "_order")
    assert (order["type"], order["column"], order["origin"]) == ("OrderWrt", "_order", "declared")
    assert s.field_names("people.Note").index("_order") == 2  # after the concrete fields


def test_many_to_many_symmetrical_only_for_literal_self(project):
    s = project(FX_CONTRIB)
    assert s.field("people.Note", "friends")["relation"]["related_name"] == "friends_rel_+"
    assert s.field("people.Note", "peers")["relation"]["related_name"] == "_people_note_peers_+"
    assert s.field("people.Note", "others")["relation"]["related_name"] is None
    reverse = {r["name"] for r in s.model("people.Note")["reverse_relations"]}
    assert "note_set" in reverse


def test_check_does_not_lint_outside_models_nor_miss_their_fields(project):
    s = project(FX_CONTRIB)
    findings = run_checks(s.doc, select_rules(["ALL"], None)).findings
    assert not [f for f in findings if f.code in ("DJ007", "DJ008")]
    assert not [f for f in findings if (f.model or "").startswith(("auth.", "contenttypes."))]


FX_LOADING = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("catalog", "offers"),
    "core/__init__.py": "",
    "core/loading.py": """
        from django.apps import apps

        def get_model(app_label, model_name):
            return apps.get_model(app_label, model_name, require_ready=False)
    """,
    "catalog/__init__.py": "",
    "catalog/models.py": """
        from django.db import models

        class Product(models.Model):
            pass
    """,
    "offers/__init__.py": "",
    "offers/abstract.py": """
        from django.db import models
        from core.loading import get_model

        Product = get_model("catalog", "Product")

        class AbstractOffer(models.Model):
            product = models.ForeignKey(Product, models.CASCADE)

            class Meta:
                abstract = True
                app_label = "offers"
    """,
    "offers/models.py": """
        from core.loading import get_model
        from offers.abstract import AbstractOffer

        class Offer(AbstractOffer):
            pass

        Loaded = get_model("offers", "Offer")

        class SiteOffer(Loaded):
            class Meta:
                proxy = True

        class VoucherOffer(get_model("offers", "Offer")):
            class Meta:
                proxy = True
    """,
}


def test_models_loaded_by_label_as_bases_and_targets(project):
    s = project(FX_LOADING)
    assert s.field("offers.Offer", "product")["relation"]["target"] == "catalog.Product"
    for name in ("offers.SiteOffer", "offers.VoucherOffer"):
        assert s.model(name)["concrete_model"] == "offers.Offer"
        assert s.model(name)["proxy"] is True


FX_NESTED = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("racks"),
    "racks/__init__.py": "",
    "racks/mixins.py": """
        from django.db import models

        class Named(models.Model):
            name = models.CharField(max_length=255, unique=True)

            class Meta:
                abstract = True

            class NonUnique(models.Model):
                name = models.CharField(max_length=75)

                class Meta:
                    abstract = True
    """,
    "racks/models.py": """
        from django.db import models
        from racks.mixins import Named
        from vanished.mixins import Timestamped
        from vanished.forms import SomeForm

        class Rack(Named.NonUnique):
            class Meta:
                unique_together = [("name",)]

        class Shelf(Timestamped, models.Model):
            class Meta:
                ordering = ["-created"]

        class Widget(SomeForm):
            size = models.IntegerField()

            class Meta:
                ordering = ["size"]
    """,
}


def test_base_written_outer_dot_inner(project):
    s = project(FX_NESTED)
    name = s.field("racks.Rack", "name")
    assert name["max_length"] == 75 and name["origin"] == "inherited"
    assert s.model("racks.Rack")["complete"] is True


def test_unresolved_base_makes_a_model_incomplete_and_rules_stand_down(project):
    s = project(FX_NESTED)
    shelf = s.model("racks.Shelf")
    assert shelf["complete"] is False
    assert shelf["incomplete_reasons"] == ["base vanished.mixins.Timestamped not found"]
    findings = run_checks(s.doc, select_rules(["ALL"], None)).findings
    assert not [f for f in findings if f.code in ("DJ007", "DJ008")]


def test_class_left_out_for_an_unknown_base_is_said(project):
    s = project(FX_NESTED)
    assert "Widget" not in s.names()
    notes = [d for d in s.doc["diagnostics"] if d["code"] == "DJA104"]
    assert len(notes) == 1 and "Widget" in notes[0]["message"]
    assert "vanished.forms.SomeForm" in notes[0]["message"]


def test_relation_to_a_missing_model(project):
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": settings("shop"),
            "shop/__init__.py": "",
            "shop/models.py": """
                from django.db import models

                class Order(models.Model):
                    customer = models.ForeignKey("shop.Custmer", models.CASCADE)
                    owner = models.ForeignKey("auth.Usr", models.CASCADE)
                    user = models.ForeignKey("auth.User", models.CASCADE)
                    ghost = models.ForeignKey("nowhere.Ghost", models.CASCADE)
            """,
        }
    )
    findings = run_checks(s.doc, select_rules(["DJ026"], None)).findings
    assert sorted(f.field for f in findings) == ["customer", "ghost", "owner"]
    assert s.field("shop.Order", "user")["relation"]["target"] == "auth.User"


def test_function_returning_a_settings_label(project):
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": settings("media", "pages") + 'IMAGE_MODEL = "media.Picture"\n',
            "media/__init__.py": "",
            "media/models.py": """
                from django.conf import settings
                from django.db import models

                def get_image_model_string():
                    return getattr(settings, "IMAGE_MODEL", "media.Image")

                class Picture(models.Model):
                    pass
            """,
            "pages/__init__.py": "",
            "pages/models.py": """
                from django.db import models
                from media.models import get_image_model_string

                class Page(models.Model):
                    cover = models.ForeignKey(get_image_model_string(), models.SET_NULL, null=True)
            """,
        }
    )
    assert s.field("pages.Page", "cover")["relation"]["target"] == "media.Picture"


def test_diff_leaves_outside_models_out(project):
    from djatlas.diff.engine import diff_reports

    new = project(FX_CONTRIB).doc
    old = {**new, "models": [m for m in new["models"] if not m["external"]]}
    assert diff_reports(old, new)["models"] == []
