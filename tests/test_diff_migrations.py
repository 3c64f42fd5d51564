"""``djatlas diff``: whether the revision range brings each model change's migration (folders,
git revisions, JSON reports), in JSON, text and Markdown."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from migjoin_tree import SECOND, add_subtitle, library_tree
from treeutil import write_tree

from djatlas.cli import main


def diff(capsys, *argv: str) -> dict:
    main(["diff", *argv, "--format", "json"])
    return json.loads(capsys.readouterr().out)


def statuses(doc: dict) -> dict[str, dict]:
    return {e.get("new_label") or e["old_label"]: e["migration"] for e in doc["models"]}


@pytest.fixture
def sides(tmp_path: Path) -> tuple[Path, Path]:
    old = library_tree(tmp_path / "old")
    new = tmp_path / "new"
    shutil.copytree(old, new)
    return old, new


def test_folder_without_migration(sides, capsys) -> None:
    old, new = sides
    add_subtitle(new, with_migration=False)
    doc = diff(capsys, str(old), str(new))
    assert statuses(doc) == {
        "library.Book": {"status": "missing", "files": [], "operations_left": ["subtitle"]}
    }
    assert doc["summary"]["migrations"] == {
        "included": 0,
        "missing": 1,
        "not_needed": 0,
        "unknown": 0,
    }
    main(["diff", str(old), str(new)])
    text = capsys.readouterr().out
    assert "[no migration for subtitle]" in text and "migrations: 1 missing" in text


def test_folder_with_migration(sides, capsys) -> None:
    old, new = sides
    add_subtitle(new, with_migration=True)
    doc = diff(capsys, str(old), str(new))
    assert statuses(doc) == {
        "library.Book": {
            "status": "included",
            "files": ["library/migrations/0002_book_subtitle.py"],
        }
    }
    main(["diff", str(old), str(new), "--format", "markdown"])
    md = capsys.readouterr().out
    assert "#### Migrations" in md
    assert "| ✅ | `library.Book` | migration included (0002_book_subtitle.py) |" in md


def test_partial_migration_in_folder(sides, capsys) -> None:
    old, new = sides
    add_subtitle(new, with_migration=True)
    models = new / "library/models.py"
    models.write_text(models.read_text().replace("max_length=200)", "max_length=250)"))
    (entry,) = diff(capsys, str(old), str(new))["models"]
    assert entry["migration"]["status"] == "missing"
    assert entry["migration"]["operations_left"] == ["title"]


def test_moved_model_needs_no_migration(sides, capsys) -> None:
    old, new = sides
    text = (new / "library/models.py").read_text()
    author, book = text.split("class Book(")
    (new / "library/models.py").write_text(author + "from library.books import Book  # noqa\n")
    write_tree(
        new,
        {
            "library/books.py": "from django.db import models\n\n"
            + "from library.models import Author\n\n\nclass Book("
            + book
        },
    )
    doc = diff(capsys, str(old), str(new))
    got = statuses(doc)
    assert got and all(v["status"] == "not_needed" for v in got.values()), got


def test_app_without_migrations_is_unknown(sides, capsys) -> None:
    old, new = sides
    for side in (old, new):
        shutil.rmtree(side / "library/migrations")
    add_subtitle(new, with_migration=False)
    (status,) = statuses(diff(capsys, str(old), str(new))).values()
    assert status == {"status": "unknown", "reason": "app 'library' has no migrations"}


def test_report_side_is_unknown(sides, tmp_path: Path, capsys) -> None:
    old, new = sides
    add_subtitle(new, with_migration=False)
    report = tmp_path / "old.json"
    main(["scan", str(old), "-f", "json", "-o", str(report), "-q", "--no-cache"])
    (status,) = statuses(diff(capsys, str(report), str(new))).values()
    assert status["status"] == "unknown"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_git_revisions(tmp_path: Path, capsys) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    repo = library_tree(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    add_subtitle(repo, with_migration=False)
    git(repo, "commit", "-qam", "two: model only")
    write_tree(repo, {"library/migrations/0002_book_subtitle.py": SECOND})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "three: its migration")
    (status,) = statuses(diff(capsys, "HEAD~2", "HEAD~1", "--repo", str(repo))).values()
    assert status == {"status": "missing", "files": []}
    (status,) = statuses(diff(capsys, "HEAD~2", "HEAD", "--repo", str(repo))).values()
    assert status == {"status": "included", "files": ["library/migrations/0002_book_subtitle.py"]}
    # the migration alone (HEAD~1 -> HEAD) touches no changed model: nothing to say
    assert diff(capsys, "HEAD~1", "HEAD", "--repo", str(repo))["models"] == []


def test_monorepo_projects_are_told_apart(tmp_path: Path, capsys) -> None:
    old = tmp_path / "old"
    for project in ("p1", "p2"):
        library_tree(old / project)
    add_subtitle(old / "p2", with_migration=False)  # p2 drifts already, unchanged by the range
    new = tmp_path / "new"
    shutil.copytree(old, new)
    add_subtitle(new / "p1", with_migration=True)
    doc = diff(capsys, str(old), str(new))
    assert [(e["id"], e["migration"]) for e in doc["models"]] == [
        (
            "p1/library.models.Book",
            {"status": "included", "files": ["p1/library/migrations/0002_book_subtitle.py"]},
        )
    ]
