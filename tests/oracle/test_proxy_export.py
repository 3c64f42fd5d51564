"""The runtime exporter and the static report agree on a proxy's own generic relations (Django
lets a proxy add private fields): both list them, and the reverse relations they give."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_semantics_relations import (  # (tests/ is on sys.path)
    FX_GENERIC_PROXY,
    FX_REVERSE_FAMILY,
)

from djatlas.scan import scan_path
from djatlas.verify import compare

from .harness import REPO

pytest.importorskip("django")

#: A proxy with generic relations of its own body and of an abstract base.
TREE = FX_GENERIC_PROXY

EXPORT = """
import json, sys
import django
django.setup()
from djatlas.django.export import build_report
json.dump(build_report(root=sys.argv[1]), sys.stdout)
"""


def _runtime(tmp_path: Path, tree: dict[str, str]) -> dict:
    for rel, text in tree.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="proj.settings")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(REPO / "src")])
    out = subprocess.run(
        [sys.executable, "-c", EXPORT, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def test_a_proxy_s_generic_relation_in_both_reports(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path, TREE)
    static = scan_path(str(tmp_path), use_cache=False)
    comment = next(m for m in runtime["models"] if m["label"] == "notes.Comment")
    assert ("noted_articleproxy", "notes.ArticleProxy") in [
        (r["name"], r["model"]) for r in comment["reverse_relations"]
    ]
    assert compare(static, runtime) == []


def test_reverse_relations_of_a_family_and_of_parents_in_both_reports(tmp_path: Path) -> None:
    # the exporter reads get_fields(include_hidden=True); the static report agrees entry by
    # entry (via included)
    runtime = _runtime(tmp_path, FX_REVERSE_FAMILY)
    static = scan_path(str(tmp_path), use_cache=False)
    landmark = next(m for m in runtime["models"] if m["label"] == "places.Landmark")
    entries = [(r["name"], r["via"]) for r in landmark["reverse_relations"]]
    assert ("reviews", "places.Place") in entries
    assert compare(static, runtime) == []


def test_an_extended_meta_names_its_parent_in_both_reports(tmp_path: Path) -> None:
    # ``class Meta(Base.Meta)``: both reports name the abstract parent whose Meta it extends;
    # a declared plain Meta names none, an inherited one its owner
    from test_semantics_models import FX_META

    runtime = _runtime(tmp_path, FX_META)
    static = scan_path(str(tmp_path), use_cache=False)
    for doc in (runtime, static):
        found = {m["name"]: m["meta_inherited_from"] for m in doc["models"]}
        assert found["Extends"] == found["NoMeta"] == "news.models.Base", doc is runtime
        assert found["PlainMeta"] is None
