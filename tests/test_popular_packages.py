"""Models of a user project built on popular packages djatlas knows without their sources
(``src/djatlas/knowledge``): the package is not installed where djatlas runs, and the scan is
given no environment. Every expected value was read from ``Model._meta`` of the same fixture
booted with Django 5.2 and the packages' versions in ``knowledge/index.json``
(``tests/semantics_oracle.py tests/test_popular_packages.py`` in an environment that has them).
"""

from __future__ import annotations

ORACLE_SETTINGS: dict[str, str] = {}

#: Field classes, abstract models and a mixin factory of packages seen in real checkouts
#: (bookwyrm, paperless-ngx, Tandoor recipes, Kiwi TCMS, taiga, saleor, djangoproject.com).
FX_POPULAR_PACKAGES = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "sortedm2m",
            "shelf",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    """,
    "shelf/__init__.py": "",
    "shelf/models.py": """
        from annoying.fields import AutoOneToOneField
        from autoslug import AutoSlugField
        from colorfield.fields import ColorField
        from django.conf import settings
        from django.db import models
        from django_measurement.models import MeasurementField
        from django_prometheus.models import ExportModelOperationsMixin
        from django_softdelete.models import SoftDeleteModel
        from imagekit.models import ImageSpecField, ProcessedImageField
        from measurement.measures import Weight
        from multiselectfield import MultiSelectField
        from picklefield.fields import PickledObjectField
        from solo.models import SingletonModel
        from sorl.thumbnail import ImageField as ThumbnailImageField
        from sortedm2m.fields import SortedManyToManyField
        from tree_queries.models import TreeNode
        from treenode.models import TreeNodeModel


        class Shelf(ExportModelOperationsMixin("shelf"), SoftDeleteModel):
            name = models.CharField(max_length=40)
            slug = AutoSlugField(populate_from="name")
            color = ColorField(default="#FF0000")
            cover = ProcessedImageField(upload_to="covers")
            cover_small = ImageSpecField(source="cover")
            photo = ThumbnailImageField(upload_to="photos")
            weight = MeasurementField(measurement=Weight, null=True)
            state = PickledObjectField(default=dict)
            days = MultiSelectField(choices=[("mo", "Monday"), ("tu", "Tuesday")], max_length=5)
            owner = AutoOneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)


        class Book(models.Model):
            title = models.CharField(max_length=100)
            shelves = SortedManyToManyField(Shelf)


        class Category(TreeNodeModel):
            treenode_display_field = "name"
            name = models.CharField(max_length=50)


        class Section(TreeNode):
            name = models.CharField(max_length=50)


        class SiteConfiguration(SingletonModel):
            site_name = models.CharField(max_length=255, default="Site")
    """,
}


def test_models_built_on_popular_packages(project):
    s = project(FX_POPULAR_PACKAGES)
    # Django 5.2: Shelf._meta.get_fields(); django-soft-delete's fields come first, imagekit's
    # ImageSpecField is no field (and the prometheus mixin adds none)
    assert s.field_names("Shelf") == [
        "id",
        "deleted_at",
        "restored_at",
        "transaction_id",
        "name",
        "slug",
        "color",
        "cover",
        "photo",
        "weight",
        "state",
        "days",
        "owner",
    ]
    found = {
        name: (f["django_type"], f["max_length"], f["null"], f["unique"])
        for name in s.field_names("Shelf")
        for f in [s.field("Shelf", name)]
    }
    assert found == {
        "id": ("BigAutoField", None, False, True),
        "deleted_at": ("DateTimeField", None, True, False),
        "restored_at": ("DateTimeField", None, True, False),
        "transaction_id": ("UUIDField", 32, True, False),
        "name": ("CharField", 40, False, False),
        "slug": ("SlugField", 50, False, False),  # autoslug: max_length 50
        "color": ("CharField", 25, False, False),  # colorfield: max_length 25
        "cover": ("ImageField", 100, False, False),
        "photo": ("ImageField", 100, False, False),  # sorl.thumbnail's ImageField
        "weight": ("FloatField", None, True, False),  # django-measurement
        "state": ("Field", None, False, False),  # picklefield: a Field of its own
        "days": ("CharField", 5, False, False),  # multiselectfield
        "owner": ("OneToOneField", None, False, True),  # annoying's AutoOneToOneField
    }
    assert s.field("Shelf", "owner")["relation"]["target"] == "auth.User"
    bases = [b["resolved"] for b in s.model("Shelf")["bases"]]
    assert bases == ["django_prometheus.models.Mixin", "django_softdelete.models.SoftDeleteModel"]
    tree = ["tn_ancestors_pks", "tn_ancestors_count", "tn_children_pks", "tn_children_count"]
    tree += ["tn_depth", "tn_descendants_pks", "tn_descendants_count", "tn_index", "tn_level"]
    tree += ["tn_parent", "tn_priority", "tn_order", "tn_siblings_pks", "tn_siblings_count"]
    assert s.field_names("Category") == ["id", *tree, "name"]  # django-treenode
    assert s.field("Category", "tn_parent")["relation"]["target"] == "shelf.Category"
    assert s.field_names("Section") == ["id", "parent", "name"]  # django-tree-queries
    parent = s.field("Section", "parent")
    assert (parent["null"], parent["relation"]["target"]) == (True, "shelf.Section")
    assert parent["relation"]["related_name"] == "children"
    assert s.field_names("SiteConfiguration") == ["id", "site_name"]  # django-solo
    shelves = s.field("Book", "shelves")  # sortedm2m: a many-to-many field
    assert (shelves["django_type"], shelves["relation"]["target"]) == (
        "ManyToManyField",
        "shelf.Shelf",
    )
    for model in ("Shelf", "Book", "Category", "Section", "SiteConfiguration"):
        assert s.model(model)["complete"] is True, model
    assert not s.doc["diagnostics"]


#: Installed apps of packages (their own models, referenced from the project's) and field
#: classes of editor, image, encryption and enum packages.
FX_POPULAR_APPS = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "auditlog",
            "constance",
            "waffle",
            "django_otp",
            "django_otp.plugins.otp_totp",
            "axes",
            "knox",
            "post_office",
            "django_q",
            "social_django",
            "rest_framework_simplejwt.token_blacklist",
            "rest_framework_api_key",
            "desk",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
        FIELD_ENCRYPTION_KEY = "8zqKLbVwbsSbGqa47_hIG1-9qVO3JbgRGd0GcQ1l7Ag="
    """,
    "desk/__init__.py": "",
    "desk/models.py": """
        from auditlog.models import LogEntry
        from axes.models import AccessAttempt
        from ckeditor.fields import RichTextField
        from django.db import models
        from django_lifecycle import LifecycleModel
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from django_q.models import Task
        from encrypted_model_fields.fields import EncryptedCharField
        from enumfields import EnumField
        from knox.models import AuthToken
        from markdownx.models import MarkdownxField
        from post_office.models import Email
        from recurrence.fields import RecurrenceField
        from rest_framework_api_key.models import AbstractAPIKey
        from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
        from safedelete.models import SafeDeleteModel
        from social_django.models import UserSocialAuth
        from tinymce.models import HTMLField
        from versatileimagefield.fields import PPOIField, VersatileImageField
        from waffle.models import Flag
        import enum


        class Color(enum.Enum):
            RED = "r"
            GREEN = "g"


        class Ticket(LifecycleModel):
            body = RichTextField()
            notes = HTMLField(blank=True)
            text = MarkdownxField()
            secret = EncryptedCharField(max_length=50)
            color = EnumField(Color, max_length=1)
            rule = RecurrenceField(null=True)
            image = VersatileImageField(upload_to="t", ppoi_field="ppoi")
            ppoi = PPOIField()
            log = models.ForeignKey(LogEntry, on_delete=models.CASCADE)
            attempt = models.ForeignKey(AccessAttempt, on_delete=models.CASCADE)
            device = models.ForeignKey(TOTPDevice, on_delete=models.CASCADE)
            task = models.ForeignKey(Task, on_delete=models.CASCADE)
            token = models.ForeignKey(AuthToken, on_delete=models.CASCADE)
            email = models.ForeignKey(Email, on_delete=models.CASCADE)
            outstanding = models.ForeignKey(OutstandingToken, on_delete=models.CASCADE)
            social = models.ForeignKey(UserSocialAuth, on_delete=models.CASCADE)
            flag = models.ForeignKey(Flag, on_delete=models.CASCADE)


        class Archive(SafeDeleteModel):
            name = models.CharField(max_length=10)


        class DeskKey(AbstractAPIKey):
            pass
    """,
}


def test_installed_apps_of_popular_packages(project):
    s = project(FX_POPULAR_APPS)
    # Django 5.2: django-safedelete's fields are given by add_to_class after its class body
    assert s.field_names("Archive") == ["id", "deleted", "deleted_by_cascade", "name"]
    assert [s.field("Archive", n)["null"] for n in ("deleted", "deleted_by_cascade")] == [
        True,
        False,
    ]
    found = {n: s.field("Ticket", n)["django_type"] for n in s.field_names("Ticket")[:9]}
    assert found == {
        "id": "BigAutoField",
        "body": "TextField",  # ckeditor
        "notes": "TextField",  # tinymce
        "text": "TextField",  # markdownx
        "secret": "CharField",  # encrypted_model_fields
        "color": "CharField",  # enumfields
        "rule": "Field",  # recurrence
        "image": "ImageField",  # versatileimagefield
        "ppoi": "CharField",
    }
    assert s.field("Ticket", "ppoi")["max_length"] == 20
    targets = [s.field("Ticket", n)["relation"]["target"] for n in s.field_names("Ticket")[9:]]
    assert targets == [
        "auditlog.LogEntry",
        "axes.AccessAttempt",
        "otp_totp.TOTPDevice",
        "django_q.Task",
        "knox.AuthToken",
        "post_office.Email",
        "token_blacklist.OutstandingToken",
        "social_django.UserSocialAuth",
        "waffle.Flag",
    ]
    key = [s.field("DeskKey", n)["max_length"] for n in ("id", "prefix", "hashed_key", "name")]
    assert (s.field_names("DeskKey")[0], key) == ("id", [150, 8, 150, 50])  # drf-api-key
    assert s.field_names("auditlog.LogEntry")[:3] == ["id", "content_type", "object_pk"]
    assert s.field_names("waffle.Flag")[-2:] == ["groups", "users"]
