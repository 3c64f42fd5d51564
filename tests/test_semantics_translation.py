"""The fields django-modeltranslation adds to registered models, as real Django 5.2 with
django-modeltranslation 0.20.6 reports them: rerun ``python tests/semantics_oracle.py
tests/test_semantics_translation.py`` (with ``semantics_oracle.PYTHON`` an interpreter that has
both) to see its answer. The tests themselves do not need Django.
"""

from __future__ import annotations

FX_TRANSLATION = {
    "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
    "proj/__init__.py": "",
    "proj/settings.py": """
        from django.utils.translation import gettext_lazy as _

        INSTALLED_APPS = [
            "modeltranslation",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "news",
            "pages.apps.PagesConfig",
        ]
        LANGUAGES = [("en", _("English")), ("de", _("German")), ("pt-br", "Brazilian Portuguese")]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "news/__init__.py": "",
    "news/models.py": """
        from django.conf import settings
        from django.db import models


        class Named(models.Model):
            name = models.CharField(max_length=40)

            class Meta:
                abstract = True


        class Category(Named):
            code = models.SlugField(unique=True)


        class News(models.Model):
            title = models.CharField(max_length=100)
            text = models.TextField(db_column="body")
            published = models.BooleanField(default=False)
            rank = models.IntegerField(null=True)
            category = models.ForeignKey(Category, models.CASCADE, related_name="news")
            author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)
            slug = models.SlugField()


        class Special(News):
            note = models.CharField(max_length=20)


        class NewsProxy(News):
            class Meta:
                proxy = True
    """,
    "news/translation.py": """
        from modeltranslation.translator import TranslationOptions, register, translator

        from .models import Category, News


        class BaseOptions(TranslationOptions):
            fields = ("title",)


        @register(News)
        class NewsOptions(BaseOptions):
            fields = ("text", "published", "rank", "category", "author")


        translator.register(Category, fields=("name",))
    """,
    "pages/__init__.py": "",
    "pages/apps.py": """
        from django.apps import AppConfig


        class PagesConfig(AppConfig):
            name = "pages"
    """,
    "pages/models.py": """
        from django.db import models


        class Page(models.Model):
            heading = models.CharField(max_length=60)
            body = models.TextField()
    """,
    "pages/translation.py": """
        from modeltranslation.decorators import register
        from modeltranslation.translator import TranslationOptions

        from pages.models import Page


        @register([Page])
        class PageOptions(TranslationOptions):
            fields = ["heading"]
    """,
}

LANGS = ("en", "de", "pt_br")


def names(s, model):
    return [f["name"] for f in s.model(model)["fields"]]


def copies(name):
    return [f"{name}_{lang}" for lang in LANGS]


def test_each_translated_field_gets_a_copy_per_language_after_it(project) -> None:
    s = project(FX_TRANSLATION, use_cache=False)
    # Django 5.2: News._meta.get_fields(), in order (an options base's fields merged)
    assert names(s, "News") == [
        "id",
        "title", *copies("title"),
        "text", *copies("text"),
        "published", *copies("published"),
        "rank", *copies("rank"),
        "category", *copies("category"),
        "author", *copies("author"),
        "slug",
    ]  # fmt: skip
    assert names(s, "Page") == ["id", "heading", *copies("heading"), "body"]
    # the translation module is read: Django's setup imports it
    status = {f["path"]: f["status"] for f in s.doc["files"]}
    assert status["news/translation.py"] == "parsed"


def test_a_copy_is_the_field_nullable_with_a_localized_column(project) -> None:
    s = project(FX_TRANSLATION, use_cache=False)
    # Django 5.2: (column, null, max_length) of the copies; a boolean keeps its null
    got = {
        f["name"]: (f["column"], f["null"], f["max_length"], f["django_type"])
        for f in s.model("News")["fields"]
    }
    assert got["title_de"] == ("title_de", True, 100, "CharField")
    assert got["text_pt_br"] == ("body_pt_br", True, None, "TextField")
    assert got["published_en"] == ("published_en", False, None, "BooleanField")
    assert got["rank_de"] == ("rank_de", True, None, "IntegerField")
    assert got["category_en"] == ("category_en_id", True, None, "ForeignKey")


def test_a_foreign_key_copy_has_a_localized_reverse_accessor(project) -> None:
    s = project(FX_TRANSLATION, use_cache=False)
    # Django 5.2: remote_field.related_name of the copies, and the reverse accessors
    rel = {f["name"]: f["relation"] for f in s.model("News")["fields"] if f["relation"]}
    assert rel["category_pt_br"]["related_name"] == "news_pt_br"
    assert rel["author_de"]["related_name"] == "news_set_de"
    assert rel["author_de"]["target"] == "auth.User"
    accessors = sorted(r["name"] for r in s.model("Category")["reverse_relations"])
    assert accessors == ["news", "news_de", "news_en", "news_pt_br"]
    user = {r["name"] for r in s.model("User")["reverse_relations"]}
    assert {"news_set", "news_set_en", "news_set_de", "news_set_pt_br"} <= user


def test_children_and_proxies_have_their_parent_s_copies(project) -> None:
    s = project(FX_TRANSLATION, use_cache=False)
    # Django 5.2: a multi-table child and a proxy list the parent's fields, copies included
    news = names(s, "News")
    assert names(s, "Special") == [*news, "news_ptr", "note"]
    assert names(s, "NewsProxy") == news


def test_options_given_once_the_model_was_a_translated_relation_s_target(project) -> None:
    """django-modeltranslation caches the (empty) options of a translated foreign key's
    target when it registers the model holding the key: registered after, the target's own
    options are ignored (Django 5.2: Category has no ``name_en``)."""
    s = project(FX_TRANSLATION, use_cache=False)
    assert names(s, "Category") == ["id", "name", "code"]
    files = dict(FX_TRANSLATION)
    files["news/translation.py"] = FX_TRANSLATION["news/translation.py"].replace('"category", ', "")
    s = project(files, use_cache=False)
    assert names(s, "Category") == ["id", "name", *copies("name"), "code"]


def test_nothing_is_added_without_the_app_or_with_registrations_off(project) -> None:
    files = dict(FX_TRANSLATION)
    files["proj/settings.py"] = FX_TRANSLATION["proj/settings.py"].replace(
        '"modeltranslation",', ""
    )
    s = project(files, use_cache=False)
    assert names(s, "Page") == ["id", "heading", "body"]
    files["proj/settings.py"] = FX_TRANSLATION["proj/settings.py"] + "\nUSE_I18N = False\n"
    s = project(files, use_cache=False)
    assert names(s, "Page") == ["id", "heading", "body"]


def test_languages_of_the_package_s_setting_or_unknown(project) -> None:
    files = dict(FX_TRANSLATION)
    files["proj/settings.py"] = (
        FX_TRANSLATION["proj/settings.py"] + '\nMODELTRANSLATION_LANGUAGES = ("de", "id")\n'
    )
    s = project(files, use_cache=False)
    assert names(s, "Page") == ["id", "heading", "heading_de", "heading_ind", "body"]
    files["proj/settings.py"] = FX_TRANSLATION["proj/settings.py"].replace(
        "LANGUAGES = [", "LANGUAGES = load_languages() or ["
    )
    s = project(files, use_cache=False)
    page = s.model("Page")
    assert names(s, "Page") == ["id", "heading", "body"]
    assert not page["complete"]
    assert page["incomplete_reasons"] == ["modeltranslation's languages are not known statically"]


def test_without_languages_django_s_default_list(project) -> None:
    """Settings without LANGUAGES: Django's global default (99 languages in Django 5.2,
    ``id`` spelt ``ind`` by the package)."""
    files = dict(FX_TRANSLATION)
    files["proj/settings.py"] = FX_TRANSLATION["proj/settings.py"].replace(
        "LANGUAGES = [", "UNUSED = ["
    )
    s = project(files, use_cache=False)
    page = names(s, "Page")
    assert len(page) == 3 + 99
    assert page[:4] == ["id", "heading", "heading_af", "heading_ar"]
    assert "heading_ind" in page and "heading_zh_hant" in page and page[-1] == "body"


#: What ``makemigrations`` wrote for ``pages`` with django-modeltranslation 0.20.6 installed:
#: a copy's ``deconstruct`` is its field's with ``null=True``.
PAGES_MIGRATION = """
    from django.db import migrations, models


    class Migration(migrations.Migration):

        initial = True

        dependencies = [
        ]

        operations = [
            migrations.CreateModel(
                name='Page',
                fields=[
                    ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('heading', models.CharField(max_length=60)),
                    ('heading_en', models.CharField(max_length=60, null=True)),
                    ('heading_de', models.CharField(max_length=60, null=True)),
                    ('heading_pt_br', models.CharField(max_length=60, null=True)),
                    ('body', models.TextField()),
                ],
            ),
        ]
"""  # noqa: E501


def test_the_migrations_drift_sees_the_copies_as_makemigrations_wrote_them(
    tmp_path, capsys
) -> None:
    from treeutil import write_tree

    from djatlas.cli import main

    files = {**FX_TRANSLATION, "pages/migrations/__init__.py": "",
             "pages/migrations/0001_initial.py": PAGES_MIGRATION}  # fmt: skip
    root = write_tree(tmp_path / "t", files)
    assert main(["migrations", "--check", str(root), "--no-cache", "-q"]) == 0
    out = capsys.readouterr().out
    assert "AlterField" not in out and "AddField" not in out
    # a copy the migration lacks is a change, as makemigrations would write it
    (root / "pages/migrations/0001_initial.py").write_text(
        (root / "pages/migrations/0001_initial.py")
        .read_text()
        .replace("('heading_de', models.CharField(max_length=60, null=True)),", "")
    )
    assert main(["migrations", "--check", str(root), "--no-cache", "-q"]) == 1
    assert "AddField page.heading_de" in capsys.readouterr().out


def test_the_checks_judge_the_field_a_copy_copies(project) -> None:
    """A copy is nullable whatever its field (the package makes it so): ``check`` does not
    report it (DJ003 null on a CharField), only what the tree writes."""
    from djatlas.checks import run_checks, select_rules

    s = project(FX_TRANSLATION, use_cache=False)
    findings = run_checks(s.doc, select_rules(["ALL"], None)).findings
    assert [f.field for f in findings if f.code == "DJ003"] == []
    copy = next(f for f in s.model("Page")["fields"] if f["name"] == "heading_de")
    assert (copy["origin"], copy["defined_in"], copy["line"]) == ("implicit", None, None)


def test_the_package_s_languages_as_the_codes_of_languages_or_unknown(project) -> None:
    """``MODELTRANSLATION_LANGUAGES = tuple(code for code, _ in LANGUAGES)`` (a common idiom)
    is the codes of LANGUAGES; a setting otherwise not known statically is not guessed."""
    files = dict(FX_TRANSLATION)
    base = FX_TRANSLATION["proj/settings.py"]
    files["proj/settings.py"] = base + (
        "\nMODELTRANSLATION_LANGUAGES = tuple(code for code, _ in LANGUAGES)\n"
    )
    s = project(files, use_cache=False)
    assert names(s, "Page") == ["id", "heading", *copies("heading"), "body"]
    files["proj/settings.py"] = base + "\nMODELTRANSLATION_LANGUAGES = load_languages()\n"
    s = project(files, use_cache=False)
    assert names(s, "Page") == ["id", "heading", "body"]
    assert s.model("Page")["incomplete_reasons"] == [
        "modeltranslation's languages are not known statically"
    ]
