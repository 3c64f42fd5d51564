"""django-simple-history's other ways of making historical models, as real Django 5.2 with
django-simple-history 3.13 reports them (rerun ``python tests/semantics_oracle.py
tests/test_semantics_history_more.py``, see ``test_semantics_history.py``):
``simple_history.register(Model, ...)`` calls, ``functools.partial(HistoricalRecords, ...)``
aliases (readthedocs.org's ``ExtraHistoricalRecords``) and the ``bases`` option (an abstract
model whose fields every historical model gets).
"""

from __future__ import annotations

from test_semantics_history import FX_HISTORY

FX_REGISTER = {
    "manage.py": FX_HISTORY["manage.py"],
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "simple_history",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "core",
            "projects",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "core/__init__.py": "",
    "core/history.py": """
        import functools
        from functools import partial

        from django.db import models
        from simple_history.models import HistoricalRecords


        class ExtraFieldsHistoricalModel(models.Model):
            extra_history_user_id = models.IntegerField("ID", blank=True, null=True)
            extra_history_ip = models.CharField("IP address", max_length=250, null=True)

            class Meta:
                abstract = True


        class Plain:
            def describe(self):
                return "plain"


        ExtraHistoricalRecords = partial(HistoricalRecords, bases=[ExtraFieldsHistoricalModel])
        LabelledRecords = functools.partial(
            HistoricalRecords, verbose_name="audit trail", excluded_fields=["note"]
        )
        MixedRecords = partial(HistoricalRecords, bases=(Plain, ExtraFieldsHistoricalModel))
    """,
    "core/models.py": """
        from django.contrib.auth.models import User
        from django.db import models
        from simple_history import register

        from core.history import ExtraHistoricalRecords, LabelledRecords


        class UserProfile(models.Model):
            user = models.OneToOneField(User, models.CASCADE, related_name="profile")
            theme = models.CharField(max_length=20, default="light")
            history = ExtraHistoricalRecords()


        class Tag(models.Model):
            name = models.CharField(max_length=50, unique=True)
            note = models.TextField(blank=True)
            history = LabelledRecords(verbose_name="tag history")


        class Badge(models.Model):
            name = models.CharField(max_length=50)


        class Label(models.Model):
            text = models.CharField(max_length=30)


        register(User, records_class=ExtraHistoricalRecords, app=__package__)
        register(Badge, table_name="badge_log", excluded_fields=["name"])
    """,
    "projects/__init__.py": "",
    "projects/models.py": """
        import simple_history
        from django.db import models

        from core.history import MixedRecords, ExtraHistoricalRecords
        from core.models import Label


        class Project(models.Model):
            slug = models.SlugField(unique=True)
            repo = models.URLField()
            history = ExtraHistoricalRecords(no_db_index=["repo", "slug"])


        class Domain(models.Model):
            project = models.ForeignKey(Project, models.CASCADE, related_name="domains")
            history = MixedRecords()


        simple_history.register(Label, app="projects", custom_model_name="LabelAudit")
    """,
}


def fields(s, model):
    return [(f["name"], f["django_type"], f["null"]) for f in s.model(model)["fields"]]


HISTORY = [
    ("history_id", "AutoField", False),
    ("history_date", "DateTimeField", False),
    ("history_change_reason", "CharField", True),
    ("history_type", "CharField", False),
    ("history_user", "ForeignKey", True),
]
EXTRA = [("extra_history_user_id", "IntegerField", True), ("extra_history_ip", "CharField", True)]


def test_every_historical_model_is_made(project) -> None:
    s = project(FX_REGISTER, use_cache=False)
    # Django 5.2: apps.get_models(), the historical ones, with _meta.db_table and __module__
    made = {
        m["label"]: (m["db_table"], m["module"]) for m in s.models if m["generated_by"] is not None
    }
    assert made == {
        "core.HistoricalUserProfile": ("core_historicaluserprofile", "core.models"),
        "core.HistoricalTag": ("core_historicaltag", "core.models"),
        "core.HistoricalUser": ("core_historicaluser", "core.models"),
        "core.HistoricalBadge": ("badge_log", "core.models"),
        "projects.HistoricalProject": ("projects_historicalproject", "projects.models"),
        "projects.HistoricalDomain": ("projects_historicaldomain", "projects.models"),
        "projects.LabelAudit": ("projects_labelaudit", "projects.models"),
    }
    assert all(s.model(label.split(".")[1])["complete"] for label in made)


def test_a_partial_s_bases_add_their_fields_in_creation_order(project) -> None:
    s = project(FX_REGISTER, use_cache=False)
    # Django 5.2: _meta.fields (name, type, null); the abstract base's fields come by their
    # creation counter: before the model's own when its module ran first, after auth.User's
    assert fields(s, "HistoricalUserProfile") == [
        ("id", "IntegerField", False),
        *EXTRA,
        ("theme", "CharField", False),
        ("user", "ForeignKey", True),
        *HISTORY,
    ]
    assert fields(s, "HistoricalProject") == [
        ("id", "IntegerField", False),
        *EXTRA,
        ("slug", "SlugField", False),
        ("repo", "URLField", False),
        *HISTORY,
    ]
    user = fields(s, "HistoricalUser")
    assert [f[0] for f in user[:3]] == ["id", "password", "last_login"]
    assert user[10:] == [("date_joined", "DateTimeField", False), *EXTRA, *HISTORY]
    # a mixin among the bases adds no field
    assert fields(s, "HistoricalDomain") == [
        ("id", "IntegerField", False),
        *EXTRA,
        ("project", "ForeignKey", True),
        *HISTORY,
    ]
    bases = [b["resolved"] for b in s.model("HistoricalDomain")["bases"]]
    assert bases == [
        "simple_history.models.HistoricalChanges",
        "core.history.Plain",
        "core.history.ExtraFieldsHistoricalModel",
    ]
    inherited = s.model("HistoricalProject")["fields"][1]
    assert (inherited["origin"], inherited["defined_in"]) == (
        "inherited",
        "core.history.ExtraFieldsHistoricalModel",
    )


def test_a_partial_s_options_and_the_call_s_own(project) -> None:
    s = project(FX_REGISTER, use_cache=False)
    # Django 5.2: excluded_fields from the partial, verbose_name from the call
    assert [f[0] for f in fields(s, "HistoricalTag")] == ["id", "name"] + [h[0] for h in HISTORY]
    assert s.model("HistoricalTag")["meta"]["verbose_name"] == "tag history"


def test_register_calls(project) -> None:
    s = project(FX_REGISTER, use_cache=False)
    # Django 5.2: register(User, records_class=..., app=__package__) makes it in core.models;
    # table_name and excluded_fields given to register; app= and custom_model_name elsewhere
    user = s.model("HistoricalUser")
    assert (user["app_label"], user["file"], user["line"]) == ("core", "core/models.py", 28)
    assert fields(s, "HistoricalBadge") == [("id", "IntegerField", False), *HISTORY]
    audit = s.model("LabelAudit")
    assert (audit["app_label"], audit["meta"]["verbose_name"]) == ("projects", "historical label")
    assert fields(s, "LabelAudit") == [
        ("id", "IntegerField", False),
        ("text", "CharField", False),
        *HISTORY,
    ]


def test_what_is_not_followed_is_said(project) -> None:
    files = dict(FX_REGISTER)
    files["projects/models.py"] = (
        FX_REGISTER["projects/models.py"]
        .replace("history = MixedRecords()", "history = MixedRecords(bases=BASES)")
        .replace("class Project(", "BASES = make_bases()\n\n\nclass Project(")
    )
    s = project(files, use_cache=False)
    domain = s.model("HistoricalDomain")
    assert domain["incomplete_reasons"] == ["HistoricalRecords(bases=...) is not known statically"]
    # a model registered twice: Django refuses it, djatlas makes the first
    files["core/models.py"] = FX_REGISTER["core/models.py"] + "\nregister(Badge)\n"
    s = project(files, use_cache=False)
    assert [m["label"] for m in s.models].count("core.HistoricalBadge") == 1
    assert s.model("HistoricalBadge")["db_table"] == "badge_log"
