"""DJ027 missing-migration: ``djatlas check`` joined with the drift check (off by default,
cached per tree: a new, edited or removed migration file is seen by a warm check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from migjoin_tree import add_subtitle, library_tree
from treeutil import write_tree

from djatlas.cli import main


def run_check(root: Path, cache: Path, capsys, *extra: str) -> tuple[int, list[dict]]:
    argv = ["check", str(root), "--format", "json", "--cache-dir", str(cache), "-q", *extra]
    code = main(argv)
    doc = json.loads(capsys.readouterr().out)
    return code, [f for f in doc["findings"] if f["code"] == "DJ027"]


def test_off_by_default(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    add_subtitle(root, with_migration=False)
    code, findings = run_check(root, tmp_path / "c", capsys)
    assert (code, findings) == (0, [])


def test_model_change_without_migration_is_a_finding(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    cache = tmp_path / "c"
    assert run_check(root, cache, capsys, "--extend-select", "DJ027") == (0, [])
    add_subtitle(root, with_migration=False)
    code, findings = run_check(root, cache, capsys, "--extend-select", "DJ027")
    assert code == 1
    ((finding),) = findings
    assert (finding["file"], finding["line"], finding["model"], finding["field"]) == (
        "library/models.py",
        10,
        "library.Book",
        "subtitle",
    )
    assert "AddField book.subtitle" in finding["message"]
    assert finding["severity"] == "error"


def test_warm_check_sees_migration_files(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    cache = tmp_path / "c"
    add_subtitle(root, with_migration=False)
    assert run_check(root, cache, capsys, "--extend-select", "DJ027")[0] == 1
    add_subtitle(root, with_migration=True)  # a second subtitle line is harmless: same field
    second = root / "library/migrations/0002_book_subtitle.py"
    assert run_check(root, cache, capsys, "--extend-select", "DJ027") == (0, [])
    second.write_text(second.read_text().replace("max_length=100", "max_length=90"))
    code, findings = run_check(root, cache, capsys, "--extend-select", "DJ027")
    assert (code, [f["message"].split(":")[1].strip() for f in findings]) == (
        1,
        ["AlterField book.subtitle"],
    )
    second.unlink()
    code, findings = run_check(root, cache, capsys, "--extend-select", "DJ027")
    assert [f["message"].split(":")[1].strip() for f in findings] == ["AddField book.subtitle"]


def test_deleted_model_points_at_its_last_migration(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    models = root / "library/models.py"
    models.write_text(models.read_text().split("class Book(")[0])
    code, findings = run_check(root, tmp_path / "c", capsys, "--select", "DJ027", "--no-cache")
    assert code == 1
    assert [(f["file"], f["model"]) for f in findings] == [
        ("library/migrations/0001_initial.py", "library.book")
    ]


def test_stands_down_without_migrations(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    for f in (root / "library/migrations").iterdir():
        f.unlink()
    (root / "library/migrations").rmdir()
    add_subtitle(root, with_migration=False)
    assert run_check(root, tmp_path / "c", capsys, "--select", "DJ027") == (0, [])


def test_unknown_deconstruction_is_no_finding(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    write_tree(
        root,
        {
            "library/fields.py": """
            from django.db import models


            class Opaque(models.CharField):
                def deconstruct(self):
                    name, path, args, kwargs = super().deconstruct()
                    kwargs.pop("max_length", None)
                    return name, path, args, kwargs
            """,
        },
    )
    models = root / "library/models.py"
    text = models.read_text().replace(
        "from django.db import models\n",
        "from django.db import models\nfrom library.fields import Opaque\n",
    )
    models.write_text(text.replace("models.CharField(max_length=100)", "Opaque(max_length=100)"))
    # the class path changed (CharField -> Opaque), but Opaque's deconstruct() is its own:
    # a note of `migrations --check`, no finding
    assert run_check(root, tmp_path / "c", capsys, "--select", "DJ027") == (0, [])


def test_suppression_comment(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    add_subtitle(root, with_migration=False)
    models = root / "library/models.py"
    models.write_text(
        models.read_text().replace("blank=True)\n", "blank=True)  # djatlas: ignore[DJ027]\n")
    )
    assert run_check(root, tmp_path / "c", capsys, "--select", "DJ027") == (0, [])


def test_report_file_with_its_tree(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    add_subtitle(root, with_migration=False)
    report = tmp_path / "report.json"
    assert main(["scan", str(root), "-f", "json", "-o", str(report), "-q", "--no-cache"]) == 0
    code, findings = run_check(report, tmp_path / "c", capsys, "--select", "DJ027")
    assert code == 1 and [f["field"] for f in findings] == ["subtitle"]


def test_inherited_field_is_reported_at_the_concrete_model(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    models = root / "library/models.py"
    text = models.read_text().replace(
        "class Book(models.Model):",
        "class Stamped(models.Model):\n"
        "    created = models.DateTimeField(null=True)\n\n"
        "    class Meta:\n"
        "        abstract = True\n\n\n"
        "class Book(Stamped):",
    )
    models.write_text(text)
    code, findings = run_check(root, tmp_path / "c", capsys, "--select", "DJ027")
    assert code == 1
    assert [(f["file"], f["line"], f["model"], f["field"]) for f in findings] == [
        ("library/models.py", 15, "library.Book", "created")
    ]


def test_github_annotations(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    add_subtitle(root, with_migration=False)
    argv = ["check", str(root), "--select", "DJ027", "--format", "github", "--no-cache", "-q"]
    assert main(argv) == 1
    assert capsys.readouterr().out == (
        "::error file=library/models.py,line=10,title=djatlas DJ027::"
        "library: AddField book.subtitle: the models changed without a migration\n"
    )


@pytest.mark.parametrize("junk", ['{"key": null}', "[1, 2]", '{"key": [1], "migrations": 5}', "{"])
def test_corrupt_drift_cache_is_recomputed(tmp_path: Path, capsys, junk: str) -> None:
    from djatlas.keys import cache_folder

    root = library_tree(tmp_path / "t")
    add_subtitle(root, with_migration=False)
    folder = Path(cache_folder(str(root), str(tmp_path / "c")))
    folder.mkdir(parents=True)
    (folder / "migrations-drift.json").write_text(junk)
    code, findings = run_check(root, tmp_path / "c", capsys, "--select", "DJ027")
    assert (code, [f["field"] for f in findings]) == (1, ["subtitle"])
