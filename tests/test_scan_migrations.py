"""``djatlas scan --migrations``: per model the migration that last touched it, in the JSON
report (valid against the schema) and the HTML atlas; a warm rescan sees a new migration."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from migjoin_tree import add_subtitle, library_tree

from djatlas.cli import main
from djatlas.migrations.drift import drift_document, model_operations

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "src/djatlas/schema/report.schema.json").read_text()
)


def last(root: Path, cache: Path, capsys, *extra: str) -> dict[str, dict | None]:
    argv = ["scan", str(root), "-f", "json", "--cache-dir", str(cache), "-q", *extra]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, SCHEMA)
    return {m["label"]: m.get("migration") for m in doc["models"] if not m.get("external")}


def test_last_migration_per_model(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    cache = tmp_path / "c"
    initial = {
        "app_label": "library",
        "name": "0001_initial",
        "file": "library/migrations/0001_initial.py",
    }
    assert last(root, cache, capsys) == {"library.Author": None, "library.Book": None}
    assert last(root, cache, capsys, "--migrations") == {
        "library.Author": initial,
        "library.Book": initial,
    }
    add_subtitle(root, with_migration=True)
    assert last(root, cache, capsys, "--migrations")["library.Book"] == {
        "app_label": "library",
        "name": "0002_book_subtitle",
        "file": "library/migrations/0002_book_subtitle.py",
    }
    (root / "library/migrations/0002_book_subtitle.py").unlink()  # the models stay unchanged
    assert last(root, cache, capsys, "--migrations")["library.Book"] == initial
    assert last(root, cache, capsys, "--migrations", "--no-cache")["library.Book"] == initial


def test_atlas_shows_last_migration(tmp_path: Path, capsys) -> None:
    root = library_tree(tmp_path / "t")
    assert main(["scan", str(root), "-f", "html", "--migrations", "--no-cache", "-q"]) == 0
    page = capsys.readouterr().out
    assert '"migration":{"app_label":"library","name":"0001_initial"' in page
    assert "'Last migration'" in page


def test_scan_replays_without_the_drift_check(tmp_path: Path, capsys, monkeypatch) -> None:
    """``scan --migrations`` needs the replayed state only; its cached answer (no drift check
    in it) is completed, not taken as "no drift", when ``check``'s DJ027 reads it next."""
    import djatlas.migrations.views as views

    root = library_tree(tmp_path / "t")
    add_subtitle(root, with_migration=False)
    cache = tmp_path / "c"

    def no_autodetector(*args, **kwargs):
        raise AssertionError("the autodetector ran")

    with monkeypatch.context() as patch:
        patch.setattr(views, "detect", no_autodetector)
        for extra in ([], ["--no-cache"]):
            assert last(root, cache, capsys, "--migrations", *extra)["library.Book"]["name"] == (
                "0001_initial"
            )
    argv = ["check", str(root), "--select", "DJ027", "--cache-dir", str(cache), "-q"]
    assert main(argv) == 1
    assert "AddField book.subtitle" in capsys.readouterr().out
    # the same report: a cached answer without the drift check is completed when one is asked
    assert main(["scan", str(root), "-f", "json", "--no-cache", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    folder = str(tmp_path / "d")
    assert "check" not in drift_document(str(root), doc, folder=folder, check=False)
    answer = drift_document(str(root), doc, folder=folder)
    assert [op["field"] for op in model_operations(answer)] == ["subtitle"]
