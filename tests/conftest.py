"""Shared helpers: write small fixture projects and scan them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from treeutil import write_tree

from djatlas.scan import scan_path


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory):
    """Scans in tests (scan_path caches by default) use a temp cache, not ~/.cache/djatlas."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


__all__ = ["write_tree"]


class Scanned:
    """A scan result with lookups by model name/label and field name."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.models = doc["models"]

    def model(self, name: str) -> dict[str, Any]:
        found = [m for m in self.models if name in (m["name"], m["label"])]
        assert found, f"model {name} not found; have {[m['label'] for m in self.models]}"
        assert len(found) == 1, f"model {name} ambiguous"
        return found[0]

    def field(self, model: str, name: str) -> dict[str, Any]:
        fields = {f["name"]: f for f in self.model(model)["fields"]}
        assert name in fields, f"{model}.{name} not found; have {list(fields)}"
        return fields[name]

    def field_names(self, model: str) -> list[str]:
        return [f["name"] for f in self.model(model)["fields"]]

    def names(self) -> set[str]:
        return {m["name"] for m in self.models}


@pytest.fixture
def project(tmp_path: Path):
    """``project({path: source}, **scan_options) -> Scanned``."""

    def make(files: dict[str, str], **options: Any) -> Scanned:
        write_tree(tmp_path, files)
        return Scanned(scan_path(str(tmp_path), timing=False, **options))

    return make
