"""The comparator and ``djatlas verify`` on synthetic reports (no Django needed)."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

from djatlas.cli import main
from djatlas.verify import check_database, compare, outside_tree, same_file, summarize, tree_apps


def field(name: str, type_: str = "CharField", **extra: Any) -> dict[str, Any]:
    base = {
        "name": name, "type": type_, "resolved_type": f"django.db.models.{type_}",
        "django_type": type_, "origin": "declared", "column": name, "null": False,
        "unique": False, "primary_key": False, "max_length": 10, "relation": None,
    }  # fmt: skip
    base.update(extra)
    return base


def fk(name: str, target: str) -> dict[str, Any]:
    relation = {
        "kind": "ForeignKey", "target": target, "on_delete": "CASCADE", "through": None,
        "to_field": None, "parent_link": False, "m2m_db_table": None,
    }  # fmt: skip
    return field(name, "ForeignKey", column=f"{name}_id", max_length=None, relation=relation)


def doc() -> dict[str, Any]:
    author = {
        "label": "books.Author", "app_label": "books", "module": "books.models", "line": 1,
        "abstract": False, "proxy": False, "parents": [], "concrete_model": "books.Author",
        "db_table": "books_author",
        "fields": [field("id", "AutoField", primary_key=True, unique=True, max_length=None),
                   field("name")],
        "reverse_relations": [
            {"name": "book_set", "model": "books.Book", "field": "author", "hidden": False}
        ],
    }  # fmt: skip
    book = copy.deepcopy(author)
    book.update(label="books.Book", concrete_model="books.Book", db_table="books_book")
    book["fields"] = [*author["fields"][:1], fk("author", "books.Author")]
    book["reverse_relations"] = []
    base = {"label": "books.Base", "app_label": "books", "abstract": True, "fields": []}
    return {"apps": [{"label": "books"}], "models": [author, book, base]}


def test_identical_reports_agree() -> None:
    assert compare(doc(), doc()) == []


def test_differences_are_reported() -> None:
    static = doc()
    author, book = static["models"][0], static["models"][1]
    author["fields"][1].update(
        type="models.TextField", resolved_type="django.db.models.TextField", max_length=None
    )
    author["fields"].append(field("extra"))
    author["reverse_relations"][0]["name"] = "books"
    book["fields"][1]["relation"]["target"] = None
    book["db_table"] = "book"
    found = compare(static, doc())
    aspects = [(d.model, d.field, d.aspect) for d in found]
    assert aspects == [
        ("books.Author", None, "extra_reverse"),
        ("books.Author", None, "missing_reverse"),
        ("books.Author", "extra", "extra_field"),
        ("books.Author", "name", "max_length"),
        ("books.Author", "name", "type"),
        ("books.Book", None, "db_table"),
        ("books.Book", "author", "relation.target"),
    ]
    message = next(d.message for d in found if d.aspect == "type")
    assert message == "books.Author.name: type: static 'TextField' != runtime 'CharField'"
    stats = summarize(static, doc(), found)
    assert stats["models_compared"] == 2 and stats["models_agreeing"] == 0
    # The static-only field "extra" is compared (and disagrees).
    assert stats["fields_compared"] == 5 and stats["fields_agreeing"] == 2


def test_missing_model_and_scope() -> None:
    static = doc()
    del static["models"][1]
    found = compare(static, doc())
    assert [(d.model, d.aspect) for d in found] == [("books.Book", "missing_model")]
    assert compare(static, doc(), apps={"other"}) == []


def test_check_database(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE books_author (id integer, name text)")
        connection.execute("CREATE TABLE books_book (id integer, author text)")
    found = check_database(doc(), str(database))
    assert [d.message for d in found] == [
        "books.Book.author: column 'author_id' not in table 'books_book'"
    ]


def test_verify_command(tmp_path: Path, capsys: Any) -> None:
    runtime, static = tmp_path / "runtime.json", tmp_path / "static.json"
    runtime.write_text(json.dumps(doc()))
    static.write_text(json.dumps(doc()))
    assert main(["verify", str(static), str(runtime)]) == 0
    assert "2/2 models and 4/4 fields agree; 0 disagreement(s)" in capsys.readouterr().out
    changed = doc()
    changed["models"][0]["fields"][1]["null"] = True
    static.write_text(json.dumps(changed))
    assert main(["verify", str(static), str(runtime)]) == 1
    assert "books.Author.name: null: static True != runtime False" in capsys.readouterr().out
    assert main(["verify", str(static), str(runtime), "--app", "nope"]) == 0
    assert main(["verify", str(tmp_path / "missing.json"), str(runtime)]) == 2


def test_tree_apps() -> None:
    runtime = {
        "models": [
            {"app_label": "books", "file": "books/models.py"},
            {"app_label": "auth", "file": "/venv/site-packages/django/contrib/auth/models.py"},
            {"app_label": "nosource", "file": None},
        ]
    }
    assert tree_apps(runtime) == {"books"}


def test_missing_fields_and_models_count_in_the_agreement(capsys: Any, tmp_path: Path) -> None:
    static, runtime = doc(), doc()
    runtime["models"][0]["fields"].append(field("nickname"))  # runtime only
    static["models"][1]["fields"].append(field("isbn"))  # static only
    runtime["models"].append({**copy.deepcopy(runtime["models"][0]), "label": "books.Shelf"})
    found = compare(static, runtime)
    assert {(d.model, d.field, d.aspect) for d in found} == {
        ("books.Author", "nickname", "missing_field"),
        ("books.Book", "isbn", "extra_field"),
        ("books.Shelf", None, "missing_model"),
    }
    stats = summarize(static, runtime, found)
    assert (stats["models_compared"], stats["models_agreeing"]) == (3, 0)
    # Author: id, name, nickname; Book: id, author, isbn; Shelf: id, name, nickname.
    assert (stats["fields_compared"], stats["fields_agreeing"]) == (9, 4)
    paths = tmp_path / "s.json", tmp_path / "r.json"
    for path, data in zip(paths, (static, runtime)):
        path.write_text(json.dumps(data))
    assert main(["verify", str(paths[0]), str(paths[1])]) == 1
    assert "0/3 models and 4/9 fields agree; 3 disagreement(s)" in capsys.readouterr().out


def test_paths_of_an_export_without_root() -> None:
    assert same_file("books/models.py", "/srv/site/books/models.py")
    assert same_file("/srv/site/books/models.py", "books/models.py")
    assert not same_file("books/models.py", "/srv/site/shelves/models.py")
    assert not same_file("books/models.py", "/srv/site/books/models.pyc")
    assert not same_file("a/books/models.py", "b/books/models.py")
    assert not same_file(None, "/srv/site/books/models.py")
    runtime = doc()
    for model in runtime["models"]:
        model["file"] = "/srv/site/books/models.py"
    static = doc()
    for model in static["models"]:
        model["file"] = "books/models.py"
    assert compare(static, runtime) == []
    static["models"][0]["file"] = "other/models.py"
    assert [d.message for d in compare(static, runtime)] == [
        "books.Author: file: static 'other/models.py' != runtime '/srv/site/books/models.py'"
    ]


def _with_tree(static: dict[str, Any], *modules: str) -> dict[str, Any]:
    static["files"] = [{"path": m.replace(".", "/") + ".py", "module": m} for m in modules]
    return static


def test_models_outside_the_tree() -> None:
    runtime = doc()
    session = copy.deepcopy(runtime["models"][0])
    session.update(label="sessions.Session", app_label="sessions", module="django.sessions")
    session["reverse_relations"] = []
    runtime["models"].append(session)
    for model in runtime["models"][:2]:
        model["module"] = "books.models"
    static = _with_tree(doc(), "books", "books.models")
    # Not in the tree and not in the static report: named, not compared.
    assert outside_tree(static, runtime) == ["sessions.Session"]
    assert compare(static, runtime) == []
    assert summarize(static, runtime, [])["outside_tree"] == 1
    # In the tree but missing from the static report: a disagreement.
    del static["models"][1]
    assert outside_tree(static, runtime) == ["sessions.Session"]
    assert [(d.model, d.aspect) for d in compare(static, runtime)] == [
        ("books.Book", "missing_model")
    ]
    # Without files[] (not a scan) nothing is outside.
    del static["files"]
    assert outside_tree(static, runtime) == []


def test_external_model_unknowns_are_not_disagreements() -> None:
    runtime = doc()
    author = runtime["models"][0]
    author.update(file="/venv/books/models.py", line=7, docstring="An author.")
    author["fields"][1]["line"] = 9
    static = doc()
    external = static["models"][0]
    external.update(external=True, origin="knowledge", file=None, line=None, docstring=None)
    assert compare(static, runtime) == []
    # What the static report does claim about an external model is compared.
    external["line"] = 8
    external["fields"][1]["line"] = 10
    assert [d.message for d in compare(static, runtime)] == [
        "books.Author: line: static 8 != runtime 7",
        "books.Author.name: line: static 10 != runtime 9",
    ]
    # The same unknowns on a model of the tree are disagreements.
    del external["external"]
    external.update(line=None, docstring=None)
    assert {d.aspect for d in compare(static, runtime)} == {"docstring", "file", "line"}


def _ledger() -> dict[str, Any]:
    """A report with generated fields, an unmanaged model and M2M tables."""
    static = doc()
    author = static["models"][0]
    author["fields"] += [
        field("total", "GeneratedField", params={"db_persist": True}),
        field("slug", "GeneratedField", params={"db_persist": False}),
        field("codes", "ManyToManyField", column=None, relation={"m2m_db_table": "author_codes"}),
    ]
    legacy = copy.deepcopy(static["models"][1])
    legacy.update(label="books.Legacy", concrete_model="books.Legacy", db_table="legacy")
    legacy["meta"] = {"managed": False}
    legacy["fields"] = [
        field("id", "AutoField", primary_key=True),
        field("groups", "ManyToManyField", column=None, relation={"m2m_db_table": "legacy_g"}),
    ]
    proxy = copy.deepcopy(legacy)
    proxy.update(label="books.OldLegacy", proxy=True, meta={})
    static["models"] += [legacy, proxy]
    return static


def _database(path: Path, *statements: str) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE books_author (id integer, name text, total integer GENERATED ALWAYS "
            "AS (id * 2) STORED, slug text GENERATED ALWAYS AS (lower(name)) VIRTUAL)"
        )
        connection.execute("CREATE TABLE books_book (id integer, author_id integer)")
        connection.execute("CREATE TABLE author_codes (id integer)")
        for statement in statements:
            connection.execute(statement)
    return str(path)


def test_check_database_generated_columns_and_unmanaged_models(tmp_path: Path) -> None:
    # Generated columns (STORED and VIRTUAL) exist; the unmanaged model's table and its M2M
    # table (also through a proxy) are not expected.
    assert check_database(_ledger(), _database(tmp_path / "a.sqlite3")) == []
    # An unmanaged table that does exist has its columns checked.
    database = _database(tmp_path / "b.sqlite3", "CREATE TABLE legacy (code text)")
    assert [d.message for d in check_database(_ledger(), database)] == [
        "books.Legacy.id: column 'id' not in table 'legacy'",
        "books.OldLegacy.id: column 'id' not in table 'legacy'",
    ]
    # A managed model's M2M table is expected.
    static = _ledger()
    static["models"][0]["fields"][-1]["relation"]["m2m_db_table"] = "nope"
    found = check_database(static, _database(tmp_path / "d.sqlite3"))
    assert [d.message for d in found] == ["books.Author.codes: M2M table 'nope' not in DB"]


def test_check_database_generated_mismatches(tmp_path: Path) -> None:
    static = _ledger()
    fields = {f["name"]: f for f in static["models"][0]["fields"]}
    fields["total"]["params"]["db_persist"] = False
    fields["slug"].update(type="CharField", resolved_type=None, django_type="CharField")
    fields["name"].update(type="GeneratedField", django_type="GeneratedField")
    found = check_database(static, _database(tmp_path / "c.sqlite3"))
    assert [(d.field, d.aspect) for d in found] == [
        ("name", "generated"),
        ("total", "db_persist"),
        ("slug", "generated"),
    ]
    assert [d.message for d in found] == [
        "books.Author.name: column 'name' in table 'books_author' is not a generated column",
        "books.Author.total: column 'total' in table 'books_author' is STORED, the field has "
        "db_persist=False",
        "books.Author.slug: column 'slug' in table 'books_author' is generated but the field "
        "is CharField",
    ]


def test_a_generated_model_s_source_is_not_compared_when_python_has_none() -> None:
    # django-simple-history makes Historical<Model> with type(): inspect finds no source, so
    # the runtime export has no file or line; the static report names the tracker's line
    from djatlas.verify import compare_model

    static = {"label": "a.HistoricalX", "file": "a/models.py", "line": 12, "fields": []}
    runtime = {"label": "a.HistoricalX", "file": None, "line": None, "fields": []}
    assert (
        compare_model(
            {**static, "generated_by": "simple_history.models.HistoricalRecords"}, runtime
        )
        == []
    )
    assert {d.aspect for d in compare_model(static, runtime)} == {"file", "line"}


def test_the_exporter_names_a_builtin_classmethod_by_its_class() -> None:
    import datetime

    import pytest

    pytest.importorskip("django")
    from djatlas.django.export import dotted

    assert dotted(datetime.date.today) == "datetime.date.today"  # not "None.date.today"
