"""djatlas migrations: static loader, graph, state replay and the drift check."""
# ruff: noqa: E501

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import pytest

from djatlas.cli import main

MODELS = """
from django.conf import settings
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100, help_text="Full name")
    email = models.EmailField(unique=True)

    class Meta:
        ordering = ["name"]


class Book(models.Model):
    title = models.CharField("title", max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    published = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["title"], name="book_title_idx")]
"""

INITIAL = """
from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        migrations.CreateModel(
            name='Author',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Full name', max_length=100)),
                ('email', models.EmailField(max_length=254, unique=True)),
            ],
            options={'ordering': ['name']},
        ),
        migrations.CreateModel(
            name='Book',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='books', to='library.author')),
            ],
        ),
    ]
"""

SECOND = """
from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [
        ('library', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.AddField(
            model_name='book',
            name='owner',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='book',
            name='published',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='book',
            index=models.Index(fields=['title'], name='book_title_idx'),
        ),
        migrations.RunPython(migrations.RunPython.noop),
    ]
"""

SETTINGS = """
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "library"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            "site/__init__.py": "",
            "site/settings.py": SETTINGS,
            "library/__init__.py": "",
            "library/models.py": MODELS,
            "library/migrations/__init__.py": "",
            "library/migrations/0001_initial.py": INITIAL,
            "library/migrations/0002_book_more.py": SECOND,
        },
    )
    return tmp_path


def check(root: Path, capsys, *extra: str) -> tuple[int, dict]:
    code = main(["migrations", str(root), "--check", "--no-cache", "-q", "-f", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def ops(doc: dict) -> list[tuple[str, str, str, str | None]]:
    return sorted(
        (o["app_label"], o["op"], o["model"], o["field"])
        for group in doc["changes"]
        for o in group["operations"]
    )


def test_in_sync_tree_has_no_drift(project: Path, capsys) -> None:
    code, doc = check(project, capsys)
    assert (code, ops(doc), doc["apps_checked"]) == (0, [], ["library"])


def test_graph_lists_migrations_per_app(project: Path, capsys) -> None:
    assert main(["migrations", str(project), "--no-cache", "-q", "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (app,) = doc["apps"]
    assert [m["name"] for m in app["migrations"]] == ["0001_initial", "0002_book_more"]
    assert app["leaves"] == ["0002_book_more"]
    assert app["migrations"][1]["operations"] == ["AddField", "AddField", "AddIndex", "RunPython"]


def test_model_edits_become_operations(project: Path, capsys) -> None:
    models = (project / "library/models.py").read_text()
    models = models.replace('help_text="Full name"', 'help_text="Name"')
    models = models.replace("    published = models.DateField(null=True, blank=True)\n", "")
    models = models.replace(
        "    email = models.EmailField(unique=True)\n",
        "    email = models.EmailField(unique=True)\n    bio = models.TextField(default='')\n",
    )
    models = models.replace('ordering = ["name"]', 'ordering = ["-name"]')
    (project / "library/models.py").write_text(models)
    code, doc = check(project, capsys)
    assert code == 1
    assert ops(doc) == [
        ("library", "AddField", "author", "bio"),
        ("library", "AlterField", "author", "name"),
        ("library", "AlterModelOptions", "author", None),
        ("library", "RemoveField", "book", "published"),
    ]


def test_excluded_migration_is_as_if_missing(project: Path, capsys) -> None:
    code, doc = check(project, capsys, "--exclude", "library/migrations/0002_book_more.py")
    assert code == 1
    assert ops(doc) == [
        ("library", "AddField", "book", "owner"),
        ("library", "AddField", "book", "published"),
        ("library", "AddIndex", "book", None),
    ]


def test_new_model_and_deleted_model(project: Path, capsys) -> None:
    models = (project / "library/models.py").read_text()
    models = models.replace("class Author(", "class Writer(").replace("(Author,", "(Writer,")
    (project / "library/models.py").write_text(models)
    code, doc = check(project, capsys)
    assert code == 1
    assert ("library", "CreateModel", "writer", None) in ops(doc)
    assert ("library", "DeleteModel", "author", None) in ops(doc)


def test_squashed_migration_replaces_its_nodes(project: Path, capsys) -> None:
    squashed = SECOND.replace(
        "    dependencies = [",
        "    replaces = [('library', '0002_book_more')]\n    dependencies = [",
    )
    write(project, {"library/migrations/0002_squashed.py": squashed})
    (project / "library/migrations/0002_book_more.py").unlink()
    write(
        project,
        {
            "library/migrations/0003_noop.py": """
            from django.db import migrations

            class Migration(migrations.Migration):
                dependencies = [('library', '0002_book_more')]
                operations = []
            """
        },
    )
    code, doc = check(project, capsys)
    assert (code, ops(doc), doc["problems"]) == (0, [], [])


def test_conflict_and_missing_dependency(project: Path, capsys) -> None:
    write(
        project,
        {
            "library/migrations/0002_other.py": """
            from django.db import migrations

            class Migration(migrations.Migration):
                dependencies = [('library', '0001_initial'), ('library', '0000_gone')]
                operations = []
            """
        },
    )
    assert main(["migrations", str(project), "--no-cache", "-q", "-f", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert sorted(p["code"] for p in doc["problems"]) == ["conflict", "missing-dependency"]


def test_separate_database_and_state_uses_the_state_side(project: Path, capsys) -> None:
    write(
        project,
        {
            "library/migrations/0003_drop_published.py": """
            from django.db import migrations

            class Migration(migrations.Migration):
                dependencies = [('library', '0002_book_more')]
                operations = [
                    migrations.SeparateDatabaseAndState(
                        state_operations=[migrations.RemoveField('book', 'published')],
                        database_operations=[],
                    ),
                ]
            """
        },
    )
    models = (project / "library/models.py").read_text()
    models = models.replace("    published = models.DateField(null=True, blank=True)\n", "")
    (project / "library/models.py").write_text(models)
    code, doc = check(project, capsys)
    assert (code, ops(doc)) == (0, [])


def test_unreadable_operations_are_notes_not_drift(project: Path, capsys) -> None:
    write(
        project,
        {
            "library/migrations/0003_dynamic.py": """
            from django.db import migrations

            class Migration(migrations.Migration):
                dependencies = [('library', '0002_book_more')]
                operations = [op for op in []]
            """
        },
    )
    code, doc = check(project, capsys)
    assert (code, ops(doc)) == (0, [])
    assert any("not readable statically" in n["message"] for n in doc["notes"])


def test_text_output_and_bad_path(project: Path, capsys) -> None:
    assert main(["migrations", str(project), "--check", "--no-cache", "-q"]) == 0
    assert "No changes detected" in capsys.readouterr().out
    assert main(["migrations", str(project / "nope"), "--check"]) == 2
    assert "path not found" in capsys.readouterr().err


def test_sarif_and_github_formats(project: Path, capsys) -> None:
    models = (project / "library/models.py").read_text().replace('"Full name"', '"Name"')
    (project / "library/models.py").write_text(models)
    assert main(["migrations", str(project), "--check", "--no-cache", "-q", "-f", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    (result,) = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "library/models.py"
    )
    assert main(["migrations", str(project), "--check", "--no-cache", "-q", "-f", "github"]) == 1
    assert capsys.readouterr().out.startswith("::error file=library/models.py,line=")


def test_cache_gives_the_same_answer(project: Path, tmp_path_factory, capsys) -> None:
    cache = str(tmp_path_factory.mktemp("cache"))
    args = ["migrations", str(project), "--check", "-q", "-f", "json", "--cache-dir", cache]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first


def test_cached_answer_follows_an_edited_migration(project: Path, tmp_path_factory, capsys) -> None:
    cache = str(tmp_path_factory.mktemp("cache"))
    args = ["migrations", str(project), "--check", "-q", "-f", "json", "--cache-dir", cache]
    assert main(args) == 0
    capsys.readouterr()
    second = project / "library/migrations/0002_book_more.py"
    second.write_text(second.read_text().replace("blank=True, null=True", "null=True"))
    assert main(args) == 1
    assert ops(json.loads(capsys.readouterr().out)) == [
        ("library", "AlterField", "book", "published")
    ]


def _age(root: Path, seconds: int = 3600) -> None:
    """Set every file's mtime in the past (recent files are not trusted by the caches)."""
    old = time.time() - seconds
    for path in root.rglob("*"):
        os.utime(path, (old, old))


def test_warm_answer_needs_no_analysis_and_follows_edits(
    project: Path, tmp_path_factory, capsys, monkeypatch
) -> None:
    import djatlas.migrations.project as migration_project

    cache = str(tmp_path_factory.mktemp("cache"))
    args = ["migrations", str(project), "--check", "-q", "-f", "json", "--cache-dir", cache]
    _age(project)
    assert main(args) == 0
    first = capsys.readouterr().out

    def fail(*a, **k):
        raise AssertionError("analysed again")

    with monkeypatch.context() as m:
        m.setattr(migration_project, "analyse", fail)
        assert main(args) == 0
        assert capsys.readouterr().out == first
    second = project / "library/migrations/0002_book_more.py"
    second.write_text(second.read_text().replace("blank=True, null=True", "null=True"))
    _age(project, 1800)
    assert main(args) == 1
    assert ops(json.loads(capsys.readouterr().out)) == [
        ("library", "AlterField", "book", "published")
    ]


def test_function_bodies_do_not_hide_the_migration(project: Path, capsys) -> None:
    write(
        project,
        {
            "library/migrations/0003_data.py": '''
            from django.db import migrations


            @staticmethod
            def forwards(
                apps, schema_editor
            ):
                sql = """
            UPDATE library_book SET title = upper(title)
            """


            class Migration(migrations.Migration):
                dependencies = [('library', '0002_book_more')]
                operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
            '''
        },
    )
    code, doc = check(project, capsys)
    assert (code, ops(doc), doc["problems"]) == (0, [], [])


def test_db_default_false_is_compared(project: Path, capsys) -> None:
    """``db_default=False`` is kept by ``deconstruct()`` (only NOT_PROVIDED is left out)."""
    models = (project / "library/models.py").read_text()
    models = models.replace(
        "published = models.DateField(null=True, blank=True)",
        "published = models.DateField(null=True, blank=True, db_default=False)",
    )
    (project / "library/models.py").write_text(models)
    code, doc = check(project, capsys)
    assert (code, ops(doc)) == (1, [("library", "AlterField", "book", "published")])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="reading ahead needs os.fork")
def test_read_ahead_gives_what_the_loader_reads(project: Path) -> None:
    from djatlas.migrations.loader import _parse
    from djatlas.migrations.prefetch import Prefetch

    ahead = Prefetch(str(project))
    if ahead.pid is None:
        pytest.skip("a single core: nothing is read ahead")
    try:
        for name in ("0001_initial", "0002_book_more"):
            path = str(project / "library/migrations" / f"{name}.py")
            st = os.stat(path)
            module = f"library.migrations.{name}"
            got = ahead.get(path, st.st_size, st.st_mtime_ns, module)
            assert got is not None and got == _parse(path, module)
            assert ahead.get(path, st.st_size, st.st_mtime_ns, f"other.{name}") is None
            assert ahead.get(path, st.st_size + 1, st.st_mtime_ns, module) is None
    finally:
        ahead.close()
    assert ahead.pid is None


def test_apps_the_settings_do_not_install_are_not_checked(project: Path, capsys) -> None:
    """makemigrations sees installed apps only (ralph's test apps are not in its settings)."""
    write(
        project,
        {
            "testapp/__init__.py": "",
            "testapp/models.py": "from django.db import models\n\n\n"
            "class Probe(models.Model):\n    name = models.CharField(max_length=5)\n",
            "testapp/migrations/__init__.py": "",
            "library/tests.py": "from testapp.models import Probe\n",
        },
    )
    code, doc = check(project, capsys, "--all-files")
    assert (code, ops(doc), doc["apps_checked"]) == (0, [], ["library"])


def test_an_unreadable_base_s_primary_key_is_not_drift(project: Path, capsys) -> None:
    # as readthedocs.org's BuildAPIKey(AbstractAPIKey) before djatlas bundled
    # djangorestframework-api-key: the package unreadable, djatlas reports the model with an
    # implicit id, but the base may declare its own primary key, as here
    write(
        project,
        {
            "library/models.py": MODELS
            + textwrap.dedent(
                """
                from secret_keys.models import AbstractAPIKey


                class BuildAPIKey(AbstractAPIKey):
                    project = models.CharField(max_length=5)
                """
            ),
            "library/migrations/0003_buildapikey.py": """
            from django.db import migrations, models

            class Migration(migrations.Migration):
                dependencies = [('library', '0002_book_more')]
                operations = [
                    migrations.CreateModel(
                        name='BuildAPIKey',
                        fields=[
                            ('id', models.CharField(editable=False, max_length=150,
                                                    primary_key=True, serialize=False,
                                                    unique=True)),
                            ('project', models.CharField(max_length=5)),
                        ],
                    ),
                ]
            """,
        },
    )
    code, doc = check(project, capsys)
    assert (code, ops(doc)) == (0, [])
    notes = [n for n in doc["notes"] if (n["model"], n["field"]) == ("buildapikey", "id")]
    assert any("secret_keys.models.AbstractAPIKey" in n["message"] for n in notes)


def test_constants_and_choice_mappings_are_not_drift(tmp_path: Path, capsys) -> None:
    # healthchecks: default=DEFAULT_TIMEOUT (a module constant, timedelta(days=1)) against the
    # timedelta a migration wrote; djangoproject: choices given as a mapping (Django 5.0),
    # which Django deconstructs as its pairs; a changed mapping still is drift
    models_py = """
        from datetime import timedelta as td

        from django.db import models

        DEFAULT_TIMEOUT = td(days=1)


        class Check(models.Model):
            timeout = models.DurationField(default=DEFAULT_TIMEOUT)
            kind = models.CharField(max_length=8, choices={"EXT": "External", "INT": "Internal"})
    """
    migration = """
        import datetime

        from django.db import migrations, models

        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name='Check',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name='ID')),
                        ('timeout', models.DurationField(default=datetime.timedelta(days=1))),
                        ('kind', models.CharField(choices=[('EXT', 'External'),
                                                           ('INT', 'Internal')], max_length=8)),
                    ],
                ),
            ]
    """
    files = {
        "site/__init__.py": "",
        "site/settings.py": SETTINGS,
        "library/__init__.py": "",
        "library/models.py": models_py,
        "library/migrations/__init__.py": "",
        "library/migrations/0001_initial.py": migration,
    }
    write(tmp_path, files)
    code, doc = check(tmp_path, capsys)
    assert (code, ops(doc)) == (0, [])
    write(tmp_path, {"library/models.py": models_py.replace('"Internal"', '"In-house"')})
    code, doc = check(tmp_path, capsys)
    assert (code, ops(doc)) == (1, [("library", "AlterField", "check", "kind")])
