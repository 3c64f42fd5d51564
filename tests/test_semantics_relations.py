"""Relation semantics, one Django feature per fixture, values as real Django 5.2 reports them.

Every expected value below was read from ``Model._meta`` of the same fixture booted with
``django.setup()``; rerun ``/work/venv/bin/python tests/semantics_oracle.py
tests/test_semantics_relations.py`` to see Django's answer for each ``FX_*`` fixture. The tests
themselves do not need Django.
"""

from __future__ import annotations

import pytest

SETTINGS = 'INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", {apps}]\n'


def settings(*apps: str, extra: str = "") -> str:
    return SETTINGS.format(apps=", ".join(repr(a) for a in apps)) + extra


FX_TARGET_FORMS = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("catalog", "shop"),
    "catalog/__init__.py": "",
    "catalog/models.py": """
        from django.db import models

        class Brand(models.Model):
            name = models.CharField(max_length=20)
    """,
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models
        from catalog.models import Brand
        import catalog.models as cat

        class Category(models.Model):
            name = models.CharField(max_length=20)

        class Product(models.Model):
            by_class = models.ForeignKey(Category, models.CASCADE, related_name="p1")
            by_name = models.ForeignKey("Category", on_delete=models.CASCADE, related_name="p2")
            by_label = models.ForeignKey("shop.Category", models.CASCADE, related_name="p3")
            by_self = models.ForeignKey("self", models.CASCADE, null=True, related_name="p4")
            by_import = models.ForeignKey(Brand, models.CASCADE, related_name="p5")
            by_module = models.ForeignKey(cat.Brand, models.CASCADE, related_name="p6")
            by_other_label = models.ForeignKey("catalog.Brand", models.CASCADE, related_name="p7")
            by_keywords = models.ForeignKey(on_delete=models.CASCADE, to=Category,
                                            related_name="p8")
            lower_label = models.ForeignKey("catalog.brand", models.CASCADE, related_name="p9")
    """,
}


def test_target_forms(project):
    s = project(FX_TARGET_FORMS)
    expected = {
        "by_class": ("shop.Category", "Category"),
        "by_name": ("shop.Category", "'Category'"),
        "by_label": ("shop.Category", "'shop.Category'"),
        "by_self": ("shop.Product", "'self'"),
        "by_import": ("catalog.Brand", "Brand"),
        "by_module": ("catalog.Brand", "cat.Brand"),
        "by_other_label": ("catalog.Brand", "'catalog.Brand'"),
        "by_keywords": ("shop.Category", "Category"),
        "lower_label": ("catalog.Brand", "'catalog.brand'"),
    }
    for name, (target, raw) in expected.items():
        rel = s.field("Product", name)["relation"]
        assert rel["kind"] == "ForeignKey", name
        assert rel["target"] == target, name
        assert rel["target_raw"] == raw, name
        assert rel["on_delete"] == "CASCADE", name
    assert s.field_names("Product") == ["id", *expected]
    # Django: every ForeignKey column is <name>_id
    for name in expected:
        assert s.field("Product", name)["column"] == f"{name}_id"
    assert s.field("Product", "by_self")["null"] is True
    assert s.field("Product", "by_class")["null"] is False
    # reverse accessors, grouped on the model the relation names
    brand = {(r["name"], r["field"]) for r in s.model("catalog.Brand")["reverse_relations"]}
    assert brand == {
        ("p5", "by_import"),
        ("p6", "by_module"),
        ("p7", "by_other_label"),
        ("p9", "lower_label"),
    }
    cat = {r["name"] for r in s.model("shop.Category")["reverse_relations"]}
    assert cat == {"p1", "p2", "p3", "p8"}
    assert [r["name"] for r in s.model("shop.Product")["reverse_relations"]] == ["p4"]


def test_positional_to_and_on_delete_are_named(project):
    s = project(FX_TARGET_FORMS)
    params = s.field("Product", "by_class")["params"]
    assert params["to"] == {"$expr": "Category"}
    assert params["on_delete"] == {"$expr": "models.CASCADE"}
    assert params["related_name"] == "p1"
    params = s.field("Product", "by_keywords")["params"]
    assert params["to"] == {"$expr": "Category"}
    assert params["on_delete"] == {"$expr": "models.CASCADE"}


FX_AUTH_DEFAULT = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("blog"),
    "blog/__init__.py": "",
    "blog/models.py": """
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import models

        class Post(models.Model):
            author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)
            editor = models.ForeignKey(get_user_model(), models.SET_NULL, null=True,
                                       related_name="edited")
            fans = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="liked")
    """,
}


def test_auth_user_model_default(project):
    s = project(FX_AUTH_DEFAULT)
    assert s.doc["metadata"]["auth_user_model"] == "auth.User"
    assert s.doc["metadata"]["settings_module"] == "proj.settings"
    author = s.field("Post", "author")["relation"]
    assert author["target"] == "auth.User"
    assert author["target_raw"] == "settings.AUTH_USER_MODEL"
    assert s.field("Post", "editor")["relation"]["on_delete"] == "SET_NULL"
    assert s.field("Post", "editor")["null"] is True
    fans = s.field("Post", "fans")["relation"]
    assert fans["target"] == "auth.User"
    assert fans["m2m_db_table"] == "blog_post_fans"
    assert s.field("Post", "fans")["column"] is None


def test_auth_user_model_inline_get_user_model_call(project):
    s = project(FX_AUTH_DEFAULT)
    assert s.field("Post", "editor")["relation"]["target"] == "auth.User"


FX_AUTH_CUSTOM = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("accounts", "blog", extra='AUTH_USER_MODEL = "accounts.Member"\n'),
    "accounts/__init__.py": "",
    "accounts/models.py": """
        from django.contrib.auth.models import AbstractUser
        from django.db import models

        class Member(AbstractUser):
            nickname = models.CharField(max_length=30)
    """,
    "blog/__init__.py": "",
    "blog/models.py": """
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import models

        User = get_user_model()

        class Post(models.Model):
            author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            editor = models.ForeignKey(User, models.PROTECT, related_name="edited")
            reviewer = models.OneToOneField(get_user_model(), models.CASCADE,
                                            related_name="review")
    """,
}


def test_auth_user_model_custom_setting(project):
    s = project(FX_AUTH_CUSTOM)
    assert s.doc["metadata"]["auth_user_model"] == "accounts.Member"
    # settings.AUTH_USER_MODEL, and User = get_user_model() at module level
    for name in ("author", "editor"):
        assert s.field("Post", name)["relation"]["target"] == "accounts.Member", name
    reverse = {(r["name"], r["field"], r["kind"]) for r in s.model("Member")["reverse_relations"]}
    assert {("post_set", "author", "ForeignKey"), ("edited", "editor", "ForeignKey")} <= reverse
    member = s.model("Member")
    assert member["db_table"] == "accounts_member"
    groups = s.field("Member", "groups")["relation"]
    assert groups["target"] == "auth.Group"
    assert groups["m2m_db_table"] == "accounts_member_groups"
    # AbstractUser's related_name="user_set", related_query_name="user"
    assert groups["related_name"] == "user_set"
    assert groups["related_query_name"] == "user"
    perms = s.field("Member", "user_permissions")["relation"]
    assert perms["m2m_db_table"] == "accounts_member_user_permissions"


def test_auth_user_model_custom_inline_get_user_model_call(project):
    s = project(FX_AUTH_CUSTOM)
    assert s.field("Post", "reviewer")["relation"]["target"] == "accounts.Member"
    reverse = {(r["name"], r["field"], r["kind"]) for r in s.model("Member")["reverse_relations"]}
    assert reverse == {
        ("post_set", "author", "ForeignKey"),
        ("edited", "editor", "ForeignKey"),
        ("review", "reviewer", "OneToOneField"),
    }


FX_ON_DELETE = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("core"),
    "core/__init__.py": "",
    "core/models.py": """
        from django.db import models
        from django.db.models import CASCADE, SET_NULL
        from django.db.models.deletion import PROTECT as protect

        def sentinel():
            return 1

        class Target(models.Model):
            pass

        class Holder(models.Model):
            a = models.ForeignKey(Target, models.CASCADE, related_name="a")
            b = models.ForeignKey(Target, CASCADE, related_name="b")
            c = models.ForeignKey(Target, SET_NULL, null=True, related_name="c")
            d = models.ForeignKey(Target, on_delete=models.SET(sentinel), related_name="d")
            e = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="e")
            f = models.ForeignKey(Target, on_delete=models.DO_NOTHING, related_name="f")
            g = models.ForeignKey(Target, on_delete=models.RESTRICT, related_name="g")
            h = models.ForeignKey(Target, models.SET_DEFAULT, default=1, related_name="h")
            i = models.OneToOneField(Target, protect, related_name="i")
    """,
}


def test_on_delete_forms(project):
    s = project(FX_ON_DELETE)
    # Django: remote_field.on_delete.__name__; SET(sentinel) returns a closure named
    # "set_on_delete": the report names the handler SET (its params keep the call).
    expected = {
        "a": "CASCADE",
        "b": "CASCADE",
        "c": "SET_NULL",
        "d": "SET",
        "e": "PROTECT",
        "f": "DO_NOTHING",
        "g": "RESTRICT",
        "h": "SET_DEFAULT",
    }
    got = {n: s.field("Holder", n)["relation"]["on_delete"] for n in expected}
    assert got == expected
    assert s.field("Holder", "d")["params"]["on_delete"] == {"$expr": "models.SET(sentinel)"}
    assert s.field("Holder", "b")["params"]["on_delete"] == {"$expr": "CASCADE"}
    assert s.field("Holder", "c")["null"] is True
    assert s.field("Holder", "i")["unique"] is True
    assert s.field("Holder", "i")["relation"]["kind"] == "OneToOneField"


def test_on_delete_imported_under_alias(project):
    s = project(FX_ON_DELETE)
    assert s.field("Holder", "i")["relation"]["on_delete"] == "PROTECT"


FX_ACCESSORS = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("zoo"),
    "zoo/__init__.py": "",
    "zoo/models.py": """
        from django.db import models

        class Keeper(models.Model):
            pass

        class Animal(models.Model):
            keeper = models.ForeignKey(Keeper, models.CASCADE)
            backup = models.ForeignKey(Keeper, models.CASCADE, related_name="backups",
                                       related_query_name="backup_animal")
            vet = models.ForeignKey(Keeper, models.CASCADE, related_name="+")
            feeder = models.ForeignKey(Keeper, models.CASCADE, related_name="feeds+")
            friends = models.ManyToManyField(Keeper)
            named = models.ManyToManyField(Keeper, related_name="pets")

        class Passport(models.Model):
            animal = models.OneToOneField(Animal, models.CASCADE)

        class BigCat(models.Model):
            keeper = models.OneToOneField(Keeper, models.CASCADE, related_name="cat")
    """,
}


def test_reverse_accessors_default_named_and_hidden(project):
    s = project(FX_ACCESSORS)
    keeper = {
        (r["name"], r["model"], r["field"], r["kind"], r["hidden"])
        for r in s.model("Keeper")["reverse_relations"]
    }
    assert keeper == {
        ("animal_set", "zoo.Animal", "keeper", "ForeignKey", False),
        ("backups", "zoo.Animal", "backup", "ForeignKey", False),
        ("+", "zoo.Animal", "vet", "ForeignKey", True),
        ("feeds+", "zoo.Animal", "feeder", "ForeignKey", True),
        ("animal_set", "zoo.Animal", "friends", "ManyToManyField", False),
        ("pets", "zoo.Animal", "named", "ManyToManyField", False),
        ("cat", "zoo.BigCat", "keeper", "OneToOneField", False),
    }


@pytest.mark.parametrize(
    "field,related_name,related_query_name",
    [
        ("keeper", None, None),
        ("backup", "backups", "backup_animal"),
        ("vet", "+", None),
        ("feeder", "feeds+", None),
    ],
)
def test_related_name_and_query_name_as_declared(project, field, related_name, related_query_name):
    rel = project(FX_ACCESSORS).field("Animal", field)["relation"]
    assert rel["related_name"] == related_name
    assert rel["related_query_name"] == related_query_name


def test_one_to_one_default_accessor_is_model_name(project):
    s = project(FX_ACCESSORS)
    reverse = s.model("Animal")["reverse_relations"]
    assert reverse == [
        {
            "name": "passport",
            "model": "zoo.Passport",
            "field": "animal",
            "kind": "OneToOneField",
            "hidden": False,
            "model_id": "zoo.models.Passport",
            "via": None,
            "via_id": None,
        }
    ]
    animal = s.field("Passport", "animal")
    assert animal["unique"] is True and animal["column"] == "animal_id"


FX_PLACEHOLDERS = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("base", "people"),
    "base/__init__.py": "",
    "base/models.py": """
        from django.db import models

        class Tag(models.Model):
            pass

        class Owned(models.Model):
            tag = models.ForeignKey(Tag, models.CASCADE,
                                    related_name="%(app_label)s_%(class)s_owned",
                                    related_query_name="%(app_label)s_%(class)ss")
            tags = models.ManyToManyField(Tag, related_name="%(model_name)s_many")

            class Meta:
                abstract = True

        class Note(Owned):
            pass
    """,
    "people/__init__.py": "",
    "people/models.py": """
        from django.db import models
        from base.models import Owned

        class BigPerson(Owned):
            pass
    """,
}


def test_related_name_placeholders_per_concrete_child(project):
    s = project(FX_PLACEHOLDERS)
    note = s.field("base.Note", "tag")["relation"]
    assert note["related_name"] == "base_note_owned"
    assert note["related_query_name"] == "base_notes"
    person = s.field("people.BigPerson", "tag")["relation"]
    assert person["related_name"] == "people_bigperson_owned"
    assert person["related_query_name"] == "people_bigpersons"
    assert s.field("base.Note", "tags")["relation"]["related_name"] == "note_many"
    assert s.field("people.BigPerson", "tags")["relation"]["related_name"] == "bigperson_many"
    big_tags = s.field("people.BigPerson", "tags")["relation"]
    assert big_tags["m2m_db_table"] == "people_bigperson_tags"
    tag = {(r["name"], r["model"], r["field"]) for r in s.model("base.Tag")["reverse_relations"]}
    assert tag == {
        ("base_note_owned", "base.Note", "tag"),
        ("note_many", "base.Note", "tags"),
        ("people_bigperson_owned", "people.BigPerson", "tag"),
        ("bigperson_many", "people.BigPerson", "tags"),
    }


FX_M2M = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("club"),
    "club/__init__.py": "",
    "club/models.py": """
        from django.db import models

        class Person(models.Model):
            friends = models.ManyToManyField("self")
            follows = models.ManyToManyField("self", symmetrical=False, related_name="followers")

        class Group(models.Model):
            members = models.ManyToManyField(Person, through="Membership")
            admins = models.ManyToManyField(Person, db_table="club_admins", related_name="admin_of")
            guests = models.ManyToManyField("club.Person", related_name="guest_of")

        class Membership(models.Model):
            person = models.ForeignKey(Person, models.CASCADE)
            group = models.ForeignKey(Group, models.CASCADE)
            since = models.DateField()
    """,
}


def test_many_to_many_through_and_tables(project):
    s = project(FX_M2M)
    members = s.field("Group", "members")["relation"]
    assert members["kind"] == "ManyToManyField"
    assert members["through"] == "club.Membership"
    assert members["target"] == "club.Person"
    # no auto-created through table (Django's m2m_db_table() is then the through's own table)
    assert members["m2m_db_table"] is None
    admins = s.field("Group", "admins")["relation"]
    assert admins["m2m_db_table"] == "club_admins"
    assert admins["through"] is None
    assert s.field("Group", "guests")["relation"]["m2m_db_table"] == "club_group_guests"
    assert s.field("Person", "friends")["relation"]["m2m_db_table"] == "club_person_friends"
    assert s.field("Person", "follows")["relation"]["m2m_db_table"] == "club_person_follows"
    for name in ("members", "admins", "guests", "friends", "follows"):
        model = "Group" if name in ("members", "admins", "guests") else "Person"
        assert s.field(model, name)["column"] is None, name


def test_symmetrical_self_m2m_reverse_is_hidden(project):
    s = project(FX_M2M)
    person = {
        (r["name"], r["model"], r["field"], r["hidden"])
        for r in s.model("Person")["reverse_relations"]
    }
    # Django: friends (symmetrical) -> related_name "friends_rel_+", hidden
    assert ("friends_rel_+", "club.Person", "friends", True) in person
    assert ("followers", "club.Person", "follows", False) in person
    assert ("group_set", "club.Group", "members", False) in person
    assert ("admin_of", "club.Group", "admins", False) in person
    assert ("guest_of", "club.Group", "guests", False) in person
    assert ("membership_set", "club.Membership", "person", False) in person
    assert len(person) == 6


FX_COLUMNS = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("inv"),
    "inv/__init__.py": "",
    "inv/models.py": """
        from django.db import models

        class Sku(models.Model):
            code = models.CharField(max_length=12, unique=True, db_column="sku_code")

        class Line(models.Model):
            sku = models.ForeignKey(Sku, models.CASCADE, to_field="code")
            alt = models.ForeignKey(Sku, models.CASCADE, db_column="alt_sku", related_name="alts")
            one = models.OneToOneField(Sku, models.CASCADE, related_name="line_one")
            qty = models.IntegerField(db_column="QTY")
    """,
}


def test_to_field_db_column_and_columns(project):
    s = project(FX_COLUMNS)
    assert s.field("Sku", "code")["column"] == "sku_code"
    sku = s.field("Line", "sku")
    assert sku["column"] == "sku_id"
    assert sku["relation"]["to_field"] == "code"
    assert s.field("Line", "alt")["column"] == "alt_sku"
    assert s.field("Line", "alt")["relation"]["to_field"] is None
    assert s.field("Line", "one")["column"] == "one_id"
    assert s.field("Line", "qty")["column"] == "QTY"


FX_GENERIC = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("notes"),
    "notes/__init__.py": "",
    "notes/models.py": """
        from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
        from django.contrib.contenttypes.models import ContentType
        from django.db import models

        class Comment(models.Model):
            content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
            object_id = models.PositiveIntegerField()
            target = GenericForeignKey("content_type", "object_id")

        class Article(models.Model):
            comments = GenericRelation(Comment, related_query_name="article")

        class Photo(models.Model):
            notes = GenericRelation("Comment")
    """,
}


#: A multi-table child inherits its parent's GenericRelation without a reverse relation.
FX_GENERIC_MTI = {
    **FX_GENERIC,
    "notes/models.py": FX_GENERIC["notes/models.py"]
    + """
        class Feature(Article):
            pass
    """,
}


def test_generic_foreign_key_and_relation(project):
    s = project(FX_GENERIC)
    # Django: get_fields() lists the GenericForeignKey (a private field) after the concrete ones
    assert s.field_names("Comment") == ["id", "content_type", "object_id", "target"]
    ct = s.field("Comment", "content_type")
    assert ct["relation"]["target"] == "contenttypes.ContentType"
    assert ct["column"] == "content_type_id"
    gfk = s.field("Comment", "target")
    assert gfk["relation"]["kind"] == "GenericForeignKey"
    assert gfk["relation"]["target"] is None
    assert gfk["column"] is None
    assert s.field_names("Article") == ["id", "comments"]
    gr = s.field("Article", "comments")
    assert gr["relation"]["kind"] == "GenericRelation"
    assert gr["relation"]["target"] == "notes.Comment"
    assert gr["relation"]["related_query_name"] == "article"
    # Django: its GenericRel's related_name is related_query_name, else "+"
    assert gr["relation"]["related_name"] == "article"
    assert s.field("Photo", "notes")["relation"]["related_name"] == "+"
    assert gr["column"] is None
    # Django: a GenericRelation is null=True, on_delete DO_NOTHING (its GenericRel)
    assert gr["null"] is True
    assert gr["relation"]["on_delete"] == "DO_NOTHING"
    assert s.field("Photo", "notes")["relation"]["target"] == "notes.Comment"
    comment = sorted(
        (r["name"], r["model"], r["field"], r["kind"])
        for r in s.model("Comment")["reverse_relations"]
    )
    assert comment == [
        ("+", "notes.Photo", "notes", "GenericRelation"),
        ("article", "notes.Article", "comments", "GenericRelation"),
    ]


def test_generic_relation_reverse_with_query_name_is_not_hidden(project):
    s = project(FX_GENERIC)
    # Django: GenericRel.related_name is related_query_name or "+"
    hidden = {r["name"]: r["hidden"] for r in s.model("Comment")["reverse_relations"]}
    assert hidden == {"+": True, "article": False}


FX_UNRESOLVED = {
    "proj/__init__.py": "",
    "proj/settings.py": settings("lost"),
    "lost/__init__.py": "",
    "lost/models.py": """
        from django.db import models
        from vanished.models import Vanished

        class Orphan(models.Model):
            ghost = models.ForeignKey("nowhere.Ghost", models.CASCADE)
            phantom = models.ForeignKey("Phantom", models.SET_NULL, null=True)
            gone = models.ForeignKey(Vanished, models.CASCADE)
    """,
}
# Django (checked without the `vanished` import, which would stop it booting): the string targets
# stay lazy, related_model is the raw string ('nowhere.Ghost', 'Phantom'); checks say fields.E300.


def _dja102(s):
    return {d["line"]: d for d in s.doc["diagnostics"] if d["code"] == "DJA102"}


def test_unresolvable_class_target(project):
    s = project(FX_UNRESOLVED)
    gone = s.field("Orphan", "gone")
    assert gone["relation"]["target"] is None
    assert gone["relation"]["target_raw"] == "Vanished"
    assert gone["column"] == "gone_id"
    diag = _dja102(s)[7]
    assert diag["file"] == "lost/models.py" and diag["model"] == "lost.Orphan"
    assert diag["severity"] == "warning"


def test_unresolvable_string_target(project):
    s = project(FX_UNRESOLVED)
    ghost = s.field("Orphan", "ghost")
    assert ghost["relation"]["target"] is None
    assert ghost["relation"]["target_raw"] == "'nowhere.Ghost'"
    assert ghost["column"] == "ghost_id"
    phantom = s.field("Orphan", "phantom")["relation"]
    assert phantom["target"] is None
    assert phantom["target_raw"] == "'Phantom'"
    assert set(_dja102(s)) == {5, 6, 7}


def test_an_inherited_generic_relation_has_no_reverse_relation(project) -> None:
    s = project(FX_GENERIC_MTI)
    # Django 5.2: GenericRelation.contribute_to_class, mti_inherited: related_name "+",
    # related_query_name None; the parent's keeps its own
    rel = s.field("Feature", "comments")["relation"]
    assert (rel["related_name"], rel["related_query_name"]) == ("+", None)
    assert s.field("Article", "comments")["relation"]["related_name"] == "article"


#: A proxy may add generic relations: its own, and an abstract mixin's (netbox's ScriptModule).
FX_GENERIC_PROXY = {
    **FX_GENERIC,
    "notes/models.py": FX_GENERIC["notes/models.py"]
    + """
        class Noted(models.Model):
            remarks = GenericRelation(Comment, related_query_name="noted_%(class)s")

            class Meta:
                abstract = True

        class ArticleProxy(Noted, Article):
            extra = GenericRelation(Comment)

            class Meta:
                proxy = True
    """,
}


def test_a_proxy_s_own_generic_relations(project) -> None:
    s = project(FX_GENERIC_PROXY)
    # Django 5.2: ArticleProxy._meta.get_fields(): the concrete model's fields, then its
    # private fields: its body's, its abstract base's, the concrete model's copy ("+")
    assert s.field_names("ArticleProxy") == ["id", "extra", "remarks", "comments"]
    rel = {f["name"]: f["relation"] for f in s.model("ArticleProxy")["fields"] if f["relation"]}
    assert rel["remarks"]["related_name"] == "noted_articleproxy"
    assert rel["comments"]["related_name"] == "+"
    assert ("noted_articleproxy", "notes.ArticleProxy") in [
        (r["name"], r["model"]) for r in s.model("Comment")["reverse_relations"]
    ]


#: Reverse relations as ``get_fields()`` lists them: a proxy and its concrete model share
#: theirs (Django keys its relation tree by concrete model), a multi-table child lists its
#: parents' (not a parent link's, but on a proxy of the parent), and each copy of a generic
#: relation a child or proxy inherits adds a hidden "+" that names the declaring ancestor.
FX_REVERSE_FAMILY = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["django.contrib.contenttypes", "places"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "places/__init__.py": "",
    "places/models.py": """
        from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
        from django.contrib.contenttypes.models import ContentType
        from django.db import models


        class Note(models.Model):
            content_type = models.ForeignKey(ContentType, models.CASCADE)
            object_id = models.PositiveIntegerField()
            target = GenericForeignKey("content_type", "object_id")


        class Place(models.Model):
            name = models.CharField(max_length=10)
            notes = GenericRelation(Note, related_query_name="place")


        class Restaurant(Place):
            serves = models.CharField(max_length=10)


        class Pizzeria(Restaurant):
            oven = models.CharField(max_length=10)


        class Landmark(Place):
            class Meta:
                proxy = True


        class Review(models.Model):
            place = models.ForeignKey(Place, models.CASCADE, related_name="reviews")
            landmark = models.ForeignKey(Landmark, models.CASCADE, related_name="visits")
            restaurant = models.ForeignKey(Restaurant, models.CASCADE)
    """,
}


def _reverse(s, name):
    return sorted(
        (r["name"], r["model"], r["field"], r["via"]) for r in s.model(name)["reverse_relations"]
    )


def test_reverse_relations_as_get_fields_lists_them(project) -> None:
    s = project(FX_REVERSE_FAMILY)
    # Django 5.2, [(r.get_accessor_name(), r.related_model label, r.field.name, r.model label)
    # for r in Model._meta.get_fields(include_hidden=True) if r.auto_created and not r.concrete]
    family = [
        ("restaurant", "places.Restaurant", "place_ptr", None),
        ("reviews", "places.Review", "place", None),
        ("visits", "places.Review", "landmark", "places.Landmark"),
    ]
    assert _reverse(s, "Place") == family
    assert _reverse(s, "Landmark") == [
        ("restaurant", "places.Restaurant", "place_ptr", "places.Place"),
        ("reviews", "places.Review", "place", "places.Place"),
        ("visits", "places.Review", "landmark", None),
    ]
    parents = [  # the parent's, but its parent link
        ("reviews", "places.Review", "place", "places.Place"),
        ("visits", "places.Review", "landmark", "places.Landmark"),
    ]
    assert _reverse(s, "Restaurant") == sorted(
        [*parents, ("pizzeria", "places.Pizzeria", "restaurant_ptr", None)]
        + [("review_set", "places.Review", "restaurant", None)]
    )
    assert _reverse(s, "Pizzeria") == sorted(
        [*parents, ("review_set", "places.Review", "restaurant", "places.Restaurant")]
    )
    # Place.notes, and one "+" per copy of it (Restaurant's, Pizzeria's, Landmark's)
    assert _reverse(s, "Note") == [("+", "places.Place", "notes", None)] * 3 + [
        ("place", "places.Place", "notes", None)
    ]


#: django-activity-stream's ``registry.register(...)`` in an AppConfig's ``ready`` (wger): three
#: generic relations to ``actstream.Action`` on each model it names, after its own fields.
FX_ACTSTREAM_READY = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = [
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "actstream",
            "gym.apps.GymConfig",
        ]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "gym/__init__.py": "",
    "gym/apps.py": """
        from django.apps import AppConfig


        class GymConfig(AppConfig):
            name = "gym"

            def ready(self):
                from actstream import registry

                from gym.models import Plan

                registry.register(self.get_model("Exercise"))
                registry.register(Plan)
    """,
    "gym/models.py": """
        from django.db import models


        class Exercise(models.Model):
            name = models.CharField(max_length=20)


        class Plan(models.Model):
            title = models.CharField(max_length=20)


        class Note(models.Model):
            text = models.TextField()
    """,
}


def test_actstream_registrations_in_ready(project):
    s = project(FX_ACTSTREAM_READY)
    # Django 6.0 + django-activity-stream 2.0: Exercise._meta.get_fields() (forward ones)
    added = ["actor_actions", "target_actions", "action_object_actions"]
    assert s.field_names("Exercise") == ["id", "name", *added]
    assert s.field_names("Plan") == ["id", "title", *added]
    assert s.field_names("Note") == ["id", "text"]
    actor = s.field("Exercise", "actor_actions")
    assert (actor["django_type"], actor["relation"]["target"]) == (
        "GenericRelation",
        "actstream.Action",
    )
    assert actor["relation"]["related_query_name"] == "actions_with_gym_exercise_as_actor"
    # actstream not installed: its Action model from the bundled knowledge
    assert actor["relation"]["target_id"] == "actstream.models.Action"
    assert s.model("actstream.Action")["fields"][0]["name"] == "id"
