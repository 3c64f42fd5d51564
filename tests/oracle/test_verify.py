"""The comparator and ``djatlas verify`` on synthetic reports (no Django needed)."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

from djatlas.cli import main
from djatlas.verify import check_database, compare, summarize, tree_apps


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
    assert stats["fields_compared"] == 4 and stats["fields_agreeing"] == 2


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
