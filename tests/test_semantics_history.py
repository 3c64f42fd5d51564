"""The models django-simple-history adds (``history = HistoricalRecords()``), as real Django 5.2
with django-simple-history 3.13 reports them: rerun ``python tests/semantics_oracle.py
tests/test_semantics_history.py`` (with ``semantics_oracle.PYTHON`` an interpreter that has
both) to see its answer. The tests themselves do not need Django.
"""

from __future__ import annotations

FX_HISTORY = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "simple_history",
            "shop",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    """,
    "shop/__init__.py": "",
    "shop/models/__init__.py": """
        from .catalog import *  # noqa: F403
        from .orders import *  # noqa: F403
    """,
    "shop/models/catalog.py": """
        from django.db import models
        from simple_history.models import HistoricalRecords

        __all__ = ["Category", "Product", "Stamped", "Note"]


        class Category(models.Model):
            slug = models.SlugField(unique=True)
            parent = models.ForeignKey("self", models.CASCADE, null=True, related_name="children")
            history = HistoricalRecords()

            class Meta:
                verbose_name = "product category"
                verbose_name_plural = "categories"


        class Stamped(models.Model):
            created = models.DateTimeField(auto_now_add=True)
            history = HistoricalRecords(inherit=True)

            class Meta:
                abstract = True


        class Product(models.Model):
            created = models.DateTimeField(auto_now_add=True)
            code = models.CharField(max_length=20, primary_key=True)
            category = models.ForeignKey(Category, models.PROTECT)
            image = models.ImageField(upload_to="p")
            secret = models.CharField(max_length=10)
            tags = models.ManyToManyField(Category, related_name="tagged")

            history = HistoricalRecords(
                excluded_fields=["secret"], custom_model_name="ProductAudit", table_name="audit"
            )


        class Note(Stamped):
            text = models.TextField()
    """,
    "shop/models/orders.py": """
        from django.conf import settings
        from django.db import models
        from simple_history.models import HistoricalRecords

        __all__ = ["Order", "Invoice", "Customer", "Shipment", "Refund"]


        class AuditedRecords(HistoricalRecords):
            def get_extra_fields(self, model, fields):
                return super().get_extra_fields(model, fields)


        class Order(models.Model):
            number = models.PositiveIntegerField()
            history = HistoricalRecords(user_related_name="order_changes", related_name="changes")


        class Invoice(models.Model):
            order = models.OneToOneField(Order, models.CASCADE)


        class Customer(models.Model):
            pass


        class Shipment(models.Model):
            history = HistoricalRecords(user_model=Customer)


        class Refund(models.Model):
            history = AuditedRecords()
    """,
}


def fields(s, model):
    out = []
    for f in s.model(model)["fields"]:
        rel = f.get("relation") or {}
        out.append(
            (f["name"], f["django_type"], f["column"], f["null"], f["unique"], f["primary_key"])
            + ((rel["target"], rel["related_name"], rel["on_delete"]) if rel else ())
        )
    return out


def test_the_historical_models_django_registers(project) -> None:
    s = project(FX_HISTORY, use_cache=False)
    # Django 5.2, apps.get_models() of the app
    labels = [m["label"] for m in s.models if m["app_label"] == "shop" and not m["abstract"]]
    assert sorted(labels) == [
        "shop.Category",
        "shop.Customer",
        "shop.HistoricalCategory",
        "shop.HistoricalNote",
        "shop.HistoricalOrder",
        "shop.HistoricalRefund",
        "shop.HistoricalShipment",
        "shop.Invoice",
        "shop.Note",
        "shop.Order",
        "shop.Product",
        "shop.ProductAudit",
        "shop.Refund",
        "shop.Shipment",
    ]


def key(name: str, target: str, related: str = "+", null: bool = True) -> tuple:
    """A historical foreign key's ``fields`` entry (to ``target``, ``related_name``)."""
    on_delete = "SET_NULL" if name == "history_user" else "DO_NOTHING"
    return (name, "ForeignKey", f"{name}_id", null, False, False, target, related, on_delete)


#: The fields every historical model ends with (before its ``history_user``).
HISTORY = [
    ("history_id", "AutoField", "history_id", False, True, True),
    ("history_date", "DateTimeField", "history_date", False, False, False),
    ("history_change_reason", "CharField", "history_change_reason", True, False, False),
    ("history_type", "CharField", "history_type", False, False, False),
]


def test_a_historical_models_fields(project) -> None:
    s = project(FX_HISTORY, use_cache=False)
    # Django 5.2: name, type, column, null, unique, pk (and target, related_name, on_delete)
    assert fields(s, "HistoricalCategory") == [
        ("id", "BigIntegerField", "id", False, False, False),
        ("slug", "SlugField", "slug", False, False, False),
        key("parent", "shop.Category"),
        *HISTORY,
        key("history_user", "auth.User"),
    ]
    assert fields(s, "ProductAudit") == [
        ("created", "DateTimeField", "created", False, False, False),
        ("code", "CharField", "code", False, False, False),
        ("image", "TextField", "image", False, False, False),
        key("category", "shop.Category"),
        *HISTORY,
        key("history_user", "auth.User"),
    ]
    assert fields(s, "HistoricalOrder")[-2:] == [
        key("history_relation", "shop.Order", "changes", null=False),
        key("history_user", "auth.User", "order_changes"),
    ]


def test_a_historical_models_meta_table_and_module(project) -> None:
    s = project(FX_HISTORY, use_cache=False)
    category = s.model("HistoricalCategory")
    # Django 5.2: _meta.db_table, verbose names, ordering, get_latest_by; __module__
    assert category["db_table"] == "shop_historicalcategory"
    assert category["meta"]["verbose_name"] == "historical product category"
    assert category["meta"]["verbose_name_plural"] == "historical categories"
    assert category["meta"]["ordering"] == ["-history_date", "-history_id"]
    assert category["meta"]["get_latest_by"] == ["history_date", "history_id"]
    assert category["module"] == "shop"
    assert s.model("ProductAudit")["db_table"] == "audit"
    assert s.model("HistoricalNote")["db_table"] == "shop_historicalnote"
    assert s.model("HistoricalNote")["module"] == "shop.models.catalog"
    assert all(s.model(n)["complete"] for n in ("HistoricalCategory", "ProductAudit"))


def test_reverse_accessors_of_historical_models(project) -> None:
    s = project(FX_HISTORY, use_cache=False)
    # Django 5.2: the related_name="+" ones are hidden
    order = {r["name"]: r["hidden"] for r in s.model("Order")["reverse_relations"]}
    assert order["changes"] is False
    user_changes = [r for r in s.model("User")["reverse_relations"] if r["name"] == "order_changes"]
    assert [r["model"] for r in user_changes] == ["shop.HistoricalOrder"]


def test_check_and_drift_leave_historical_models_alone(project) -> None:
    """``djatlas check`` reports on the tree's own models only: not on the fields the package
    writes (``history_change_reason`` is a nullable CharField, DJ003 on a written one)."""
    from djatlas.checks import run_checks, select_rules

    s = project(FX_HISTORY, use_cache=False)
    assert s.model("HistoricalOrder")["generated_by"] == "simple_history.models.HistoricalRecords"
    assert s.model("Order")["generated_by"] is None
    findings = run_checks(s.doc, select_rules(["ALL"], None)).findings
    assert not [
        f for f in findings if "Historical" in (f.model or "") or "Audit" in (f.model or "")
    ]


def test_a_user_model_class_and_a_subclass_of_historical_records(project) -> None:
    s = project(FX_HISTORY, use_cache=False)
    # Django 5.2: history_user of HistoricalShipment is a ForeignKey to shop.Customer
    assert fields(s, "HistoricalShipment")[-1] == key("history_user", "shop.Customer")
    assert s.model("HistoricalShipment")["complete"]
    # a subclass may add fields or options djatlas does not read: made, and said so
    refund = s.model("HistoricalRefund")
    assert not refund["complete"]
    assert refund["incomplete_reasons"] == [
        "shop.models.orders.AuditedRecords, a subclass of HistoricalRecords, is not followed"
    ]


def test_options_of_any_shape_give_no_traceback(project) -> None:
    """Options of the wrong shape (Django would refuse them) are read as none."""
    files = dict(FX_HISTORY)
    files["shop/models/orders.py"] = FX_HISTORY["shop/models/orders.py"].replace(
        "HistoricalRecords(user_model=Customer)",
        'HistoricalRecords(excluded_fields=[["id"], 3], no_db_index=5, custom_model_name=1)',
    )
    s = project(files, use_cache=False)
    assert [f[0] for f in fields(s, "HistoricalShipment")][:2] == ["id", "history_id"]


#: Subclasses of HistoricalRecords (Kiwi TCMS's ``KiwiHistoricalRecords``): one overriding
#: only what runs when rows are saved, and ``finalize`` calling its base's, makes the model
#: HistoricalRecords makes; one whose ``finalize`` does not call its base's, or that overrides
#: how the model is made, is not followed.
FX_RECORDS_SUBCLASSES = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "simple_history",
            "plans",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "plans/__init__.py": "",
    "plans/history.py": """
        from django.db.models import signals
        from simple_history.models import HistoricalRecords


        class QuietRecords(HistoricalRecords):
            \"\"\"Records a changelog in the change reason.\"\"\"

            def pre_save(self, instance, **kwargs):
                instance.previous = None

            def post_save(self, instance, created, using=None, **kwargs):
                super().post_save(instance, created, using, **kwargs)

            def finalize(self, sender, **kwargs):
                super().finalize(sender, **kwargs)
                signals.pre_save.connect(self.pre_save, sender=sender, weak=False)


        class LaterRecords(QuietRecords):
            def get_history_user(self, instance):
                return None


        class OwnRecords(HistoricalRecords):
            def finalize(self, sender, **kwargs):
                pass
    """,
    "plans/models.py": """
        from django.db import models

        from plans.history import LaterRecords, OwnRecords, QuietRecords


        class Plan(models.Model):
            name = models.CharField(max_length=10)
            history = QuietRecords()


        class Case(models.Model):
            text = models.TextField()
            history = LaterRecords()


        class Draft(models.Model):
            history = OwnRecords()
    """,
}


def test_subclasses_of_historical_records_that_only_run_on_save(project) -> None:
    s = project(FX_RECORDS_SUBCLASSES, use_cache=False)
    # Django 5.2 + django-simple-history 3.13: HistoricalPlan and HistoricalCase as
    # HistoricalRecords makes them
    assert s.field_names("HistoricalPlan") == [
        "id",
        "name",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user",
    ]
    assert s.field_names("HistoricalCase")[:2] == ["id", "text"]
    for name in ("HistoricalPlan", "HistoricalCase"):
        assert s.model(name)["complete"] is True, name
    # its finalize does not call HistoricalRecords': Django registers no HistoricalDraft
    # (djatlas makes it, and says it does not follow the subclass)
    draft = s.model("HistoricalDraft")
    assert draft["incomplete_reasons"] == [
        "plans.history.OwnRecords, a subclass of HistoricalRecords, is not followed"
    ]


def test_the_copied_implicit_primary_key_stays_implicit(project) -> None:
    # django-simple-history copies the id with copy.copy: auto_created stays True, so
    # Django (and the runtime exporter) call it implicit, not declared by the historical model
    s = project(FX_RECORDS_SUBCLASSES, use_cache=False)
    pk = s.field("HistoricalPlan", "id")
    assert (pk["origin"], pk["defined_in"], pk["django_type"]) == ("implicit", None, "IntegerField")
    assert s.field("HistoricalPlan", "name")["origin"] == "declared"


#: ``simple_history.register(...)`` in an installed app's ``AppConfig.ready()``: a model of the
#: app by ``self.get_model("Name")``, and contrib's ``User`` imported in the body.
FX_REGISTER_IN_READY = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "simple_history",
            "plans.apps.PlansConfig",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "plans/__init__.py": "",
    "plans/apps.py": """
        from django.apps import AppConfig


        class PlansConfig(AppConfig):
            name = "plans"

            def ready(self):
                from django.contrib.auth.models import User
                from simple_history import register

                register(self.get_model("Plan"))
                register(User, app="plans")
    """,
    "plans/models.py": """
        from django.db import models


        class Plan(models.Model):
            name = models.CharField(max_length=10)
    """,
}


def test_register_in_an_app_configs_ready(project) -> None:
    s = project(FX_REGISTER_IN_READY, use_cache=False)
    # Django 5.2 + django-simple-history 3.13: plans.HistoricalPlan, plans.HistoricalUser
    assert s.field_names("HistoricalPlan")[:3] == ["id", "name", "history_id"]
    user = s.model("HistoricalUser")
    assert (user["label"], s.field_names("HistoricalUser")[:2]) == (
        "plans.HistoricalUser",
        ["id", "password"],
    )
