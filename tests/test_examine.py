"""The reading stage's helper process (``pipeline.examine``): the same report whether files
are examined by it or in-process, and when it dies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_scope import TREE
from treeutil import write_tree

from djatlas.pipeline import examine
from djatlas.scan import scan_path

FILES = {
    **TREE,
    "shop/bad.py": "x = 1\x00\n",  # in the closure below: failed (NUL byte)
    "legacy/models.py": "class X(:\n",  # outside it, read anyway: failed (syntax)
}
FILES["shop/models.py"] = FILES["shop/models.py"].replace(
    "from django.db import models\n", "from django.db import models\nfrom . import bad\n", 1
)


def _tree(root: Path) -> Path:
    write_tree(root, FILES)
    (root / "old/models").mkdir(parents=True)
    (root / "old/models/latin.py").write_bytes(b"s = '\xe9'\n")  # outside, undecodable: failed
    return root


def _scan(root: Path, **options: object) -> str:
    return json.dumps(scan_path(str(root), use_cache=False, timing=False, **options), indent=1)


@pytest.fixture
def helper(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The helper used for every scan, however small; the count of answers collected."""
    monkeypatch.setattr(examine, "MIN_FILES", 0)
    monkeypatch.setattr(examine, "_cpus", lambda: 2)
    monkeypatch.setattr("djatlas.parallel._can_fork", lambda: True)
    collected: list[int] = []
    results = examine.Examiner.results

    def counted(self: examine.Examiner) -> dict:
        answers = results(self)
        collected.append(len(answers))
        return answers

    monkeypatch.setattr(examine.Examiner, "results", counted)
    return collected


@pytest.mark.parametrize("all_files", [False, True])
def test_the_same_report_with_the_helper(
    tmp_path: Path, helper: list[int], all_files: bool
) -> None:
    root = _tree(tmp_path / "proj")
    alone = _scan(root, jobs=1, all_files=all_files)  # --jobs 1: no helper
    assert helper == []
    assert _scan(root, all_files=all_files) == alone
    assert helper and helper[0] > 0
    files = {f["path"]: f for f in json.loads(alone)["files"]}
    assert files["shop/bad.py"]["status"] == "failed"
    assert files["old/models/latin.py"]["status"] == "failed"


def test_a_helper_that_dies_changes_nothing(
    tmp_path: Path, helper: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path / "proj")
    alone = _scan(root, jobs=1)
    monkeypatch.setattr(examine, "_serve", lambda read, down, up: None)  # answers nothing
    assert _scan(root) == alone
    assert helper == [0]
