"""``djatlas verify`` run the way the README says, on real projects booted by Django.

``examples/shop`` (the README's recipe: export without ``--root``, scan ``.``,
``verify --installed-only --db``) and ``tests/fixtures/verify_project`` (generated columns,
``managed = False`` models, fields written with ``auto_created=True``) must agree fully.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from djatlas.cli import main

from .harness import REPO, SHOP, Scenario, _env, _run, missing_modules

VERIFY_PROJECT = REPO / "tests" / "fixtures" / "verify_project"

pytestmark = pytest.mark.skipif(
    bool(missing_modules(("django",))), reason="needs Django (pip install -e '.[test]')"
)


@pytest.fixture(scope="module")
def shop_copy(shop: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of examples/shop exported as the README says (the oracle's migrated database)."""
    tree = tmp_path_factory.mktemp("recipe-shop") / "tree"
    shutil.copytree(SHOP, tree, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    shutil.copyfile(shop.database, tree / "db.sqlite3")
    env = _env([tree], DJANGO_SETTINGS_MODULE="shop_project.settings")
    _run(["manage.py", "djatlas", "--no-timing", "-o", "runtime.json"], tree, env)
    return tree


@pytest.fixture(scope="module")
def ledger_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("recipe-ledger") / "tree"
    shutil.copytree(VERIFY_PROJECT, tree, ignore=shutil.ignore_patterns("__pycache__"))
    env = _env([tree], DJANGO_SETTINGS_MODULE="verify_site.settings")
    _run(["manage.py", "migrate", "-v0", "--no-input"], tree, env)
    _run(["manage.py", "djatlas", "--no-timing", "-o", "runtime.json"], tree, env)
    return tree


def _verify(tree: Path, monkeypatch: Any, capsys: Any, *extra: str) -> tuple[int, dict]:
    """``djatlas scan . -o static.json`` then ``djatlas verify`` in ``tree``, as JSON."""
    monkeypatch.chdir(tree)
    assert main(["scan", ".", "--format", "json", "-o", "static.json", "-q", "--no-cache"]) == 0
    capsys.readouterr()
    code = main(["verify", "static.json", "runtime.json", *extra, "--json"])
    out, err = capsys.readouterr()
    assert not err
    return code, json.loads(out)


def _assert_full_agreement(code: int, result: dict) -> None:
    stats = result["summary"]
    assert result["disagreements"] == [] and code == 0
    assert stats["models_agreeing"] == stats["models_compared"] > 0
    assert stats["fields_agreeing"] == stats["fields_compared"] > 0


def test_readme_recipe_on_the_shop(shop_copy: Path, monkeypatch: Any, capsys: Any) -> None:
    code, result = _verify(shop_copy, monkeypatch, capsys, "--installed-only", "--db", "db.sqlite3")
    _assert_full_agreement(code, result)
    # Installed contrib models that nothing in the tree refers to are named, not compared.
    assert result["outside_tree"] == ["admin.LogEntry", "sessions.Session"]
    runtime = json.loads((shop_copy / "runtime.json").read_text(encoding="utf-8"))
    assert all(Path(m["file"]).is_absolute() for m in runtime["models"])


def test_in_tree_needs_root(shop_copy: Path, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.chdir(shop_copy)
    main(["scan", ".", "--format", "json", "-o", "static.json", "-q", "--no-cache"])
    capsys.readouterr()
    assert main(["verify", "static.json", "runtime.json", "--in-tree"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--root" in err


def test_generated_unmanaged_auto_created(ledger_copy: Path, monkeypatch: Any, capsys) -> None:
    code, result = _verify(
        ledger_copy, monkeypatch, capsys, "--installed-only", "--db", "db.sqlite3"
    )
    _assert_full_agreement(code, result)
    runtime = json.loads((ledger_copy / "runtime.json").read_text(encoding="utf-8"))
    fields = {(m["label"], f["name"]): f for m in runtime["models"] for f in m["fields"]}
    # Written out with auto_created=True: declared where written, as the static report says.
    assert fields["ledger.Account", "id"]["origin"] == "declared"
    assert fields["ledger.Account", "id"]["line"] is not None
    assert fields["ledger.PremiumAccount", "account_ptr"]["origin"] == "declared"
    assert fields["ledger.PremiumAccount", "id"]["defined_in"] == "ledger.models.Account"
    # Created by Django: still implicit.
    assert fields["ledger.LegacyCode", "id"]["origin"] == "implicit"
