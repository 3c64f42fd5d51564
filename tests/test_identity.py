"""Model ids: unique in every report and format; label-valued keys get id-valued companions."""

from __future__ import annotations

import json
from collections import Counter

from treeutil import write_tree

from djatlas.graph.identity import ensure_ids, source_root, unique_ids
from djatlas.scan import scan_path

#: Two packages with the same abstract ``utils.*`` models (blueking-paas shape), a concrete
#: model built on one of them, and the same module name in two source roots.
MONOREPO = {
    "api/paas_wl/__init__.py": "",
    "api/paas_wl/utils/__init__.py": "",
    "api/paas_wl/utils/models.py": """
        from django.db import models

        class AuditedModel(models.Model):
            created = models.DateTimeField(auto_now_add=True)

            class Meta:
                abstract = True
    """,
    "api/paasng/__init__.py": "",
    "api/paasng/utils/__init__.py": "",
    "api/paasng/utils/models.py": """
        from django.db import models

        class AuditedModel(models.Model):
            owner = models.CharField(max_length=64)

            class Meta:
                abstract = True
    """,
    "api/paas_wl/builds/__init__.py": "",
    "api/paas_wl/builds/models.py": """
        from django.db import models
        from paas_wl.utils.models import AuditedModel

        class Build(AuditedModel):
            image = models.CharField(max_length=64)

        class Step(AuditedModel):
            build = models.ForeignKey(Build, on_delete=models.CASCADE)
    """,
    "svc-a/vendor/__init__.py": "",
    "svc-a/vendor/models.py": """
        from django.db import models

        class Tag(models.Model):
            name = models.CharField(max_length=8)

        class Item(models.Model):
            tag = models.ForeignKey("vendor.Tag", on_delete=models.CASCADE)
    """,
    "svc-b/vendor/__init__.py": "",
    "svc-b/vendor/models.py": """
        from django.db import models

        class Tag(models.Model):
            code = models.CharField(max_length=8)

        class Item(models.Model):
            tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    """,
}


def _scan(tmp_path, files=MONOREPO, **kw):
    return scan_path(str(write_tree(tmp_path, files)), use_cache=False, timing=False, **kw)


def _by_id(doc):
    return {m["id"]: m for m in doc["models"]}


def test_ids_are_unique_and_module_based(tmp_path):
    doc = _scan(tmp_path)
    ids = [m["id"] for m in doc["models"]]
    assert len(ids) == len(set(ids))
    assert "paas_wl.utils.models.AuditedModel" in ids
    assert "paasng.utils.models.AuditedModel" in ids
    # the same module in two source roots: the root is put in front
    assert {"svc-a/vendor.models.Tag", "svc-b/vendor.models.Tag"} <= set(ids)
    labels = Counter(m["label"] for m in doc["models"])
    assert labels["utils.AuditedModel"] == 2 and labels["vendor.Tag"] == 2


def test_base_and_fields_link_to_the_right_class(tmp_path):
    models = _by_id(_scan(tmp_path))
    build = models["paas_wl.builds.models.Build"]
    assert [b["model_id"] for b in build["bases"]] == ["paas_wl.utils.models.AuditedModel"]
    assert [f["name"] for f in build["fields"]] == ["id", "created", "image"]
    step = models["paas_wl.builds.models.Step"]
    fk = next(f for f in step["fields"] if f["name"] == "build")
    assert fk["relation"]["target"] == "builds.Build"
    assert fk["relation"]["target_id"] == "paas_wl.builds.models.Build"
    assert step["concrete_model_id"] == step["id"]
    rev = models["paas_wl.builds.models.Build"]["reverse_relations"]
    assert [(r["model"], r["model_id"]) for r in rev] == [
        ("builds.Step", "paas_wl.builds.models.Step")
    ]


def test_label_targets_prefer_the_nearest_file(tmp_path):
    models = _by_id(_scan(tmp_path))
    for root in ("svc-a", "svc-b"):
        item = models[f"{root}/vendor.models.Item"]
        fk = next(f for f in item["fields"] if f["name"] == "tag")
        assert fk["relation"]["target_id"] == f"{root}/vendor.models.Tag"


def test_ids_are_deterministic(tmp_path):
    a = json.dumps(_scan(tmp_path / "a"), sort_keys=True)
    b = json.dumps(_scan(tmp_path / "b"), sort_keys=True)
    assert a.replace(str(tmp_path / "a"), "") == b.replace(str(tmp_path / "b"), "")


def test_unique_ids_falls_back_to_the_file():
    entries = [
        ("m", "A", "x/m.py"),
        ("m", "A", "y/m.py"),
        ("m", "A", None),
        ("m", "B", "x/m.py"),
    ]
    ids = unique_ids(entries)
    assert ids == ["x/m.A", "y/m.A", "m.A", "m.B"]
    assert len(set(unique_ids([("m", "A", "m.py"), ("m", "A", "m/__init__.py")]))) == 2


def test_source_root():
    assert source_root("svc-a/vendor/models.py", "vendor.models") == "svc-a"
    assert source_root("pkg/__init__.py", "pkg") == ""
    assert source_root("a/b/c.py", "other.mod") == "a/b"
    assert source_root(None, "x") is None


def test_ensure_ids_fills_an_old_report(tmp_path):
    doc = _scan(tmp_path)
    old = json.loads(json.dumps(doc))
    for m in old["models"]:
        for key in ("id", "parent_ids", "concrete_model_id"):
            m.pop(key)
        for f in m["fields"]:
            if f["relation"]:
                f["relation"].pop("target_id")
    ensure_ids(old)
    assert [m["id"] for m in old["models"]] == [m["id"] for m in doc["models"]]
    step = next(m for m in old["models"] if m["name"] == "Step")
    fk = next(f for f in step["fields"] if f["name"] == "build")
    assert fk["relation"]["target_id"] == "paas_wl.builds.models.Build"
    # a report that has ids is left alone
    assert ensure_ids(doc) is doc


# -- every format identifies models by id -------------------------------------------------
def _node_ids(fmt: str, text: str) -> list[str]:
    import re

    pattern = {
        "mermaid": r'^    (\S+)\["',
        "dot": r'^    ("[^"]+") \[label=<',
        "plantuml": r'^  entity "[^"]*" as (\S+)',
    }[fmt]
    return re.findall(pattern, text, re.M)


def test_no_duplicate_node_ids_in_any_diagram(tmp_path):
    from djatlas.render import RenderOptions, get_renderer

    def render(doc, fmt, options):
        return get_renderer(fmt)(doc, options)

    doc = _scan(tmp_path)
    for fmt in ("mermaid", "dot", "plantuml"):
        nodes = _node_ids(fmt, render(doc, fmt, RenderOptions()))
        assert len(nodes) == len(doc["models"]) == len(set(nodes)), fmt
    mermaid = render(doc, "mermaid", RenderOptions())
    # twins are told apart in the box title
    assert '["utils.AuditedModel (paas_wl.utils.models)"]' in mermaid
    assert '["utils.AuditedModel (paasng.utils.models)"]' in mermaid
    dbml = render(doc, "dbml", RenderOptions())
    assert dbml.count('Table "vendor_tag"') == 1  # no project: one table name, said once
    assert "table vendor_tag already written" in dbml


def test_diagram_edges_reach_the_right_twin(tmp_path):
    from djatlas.render.filters import select

    view = select(_scan(tmp_path))
    abstract = {(e.source, e.target) for e in view.edges if e.kind == "abstract"}
    assert ("paas_wl.builds.models.Build", "paas_wl.utils.models.AuditedModel") in abstract
    assert not any(t == "paasng.utils.models.AuditedModel" for _, t in abstract)


def test_atlas_links_bases_by_id(tmp_path):
    from djatlas.render import RenderOptions
    from djatlas.render.html import atlas_data

    data = atlas_data(_scan(tmp_path), RenderOptions())
    build = next(m for m in data["models"] if m["id"] == "paas_wl.builds.models.Build")
    assert build["bases"][0]["model_id"] == "paas_wl.utils.models.AuditedModel"
    utils = [a for a in data["apps"] if a["label"] == "utils"]
    assert sorted(i for a in utils for i in a["models"]) == [
        "paas_wl.utils.models.AuditedModel",
        "paasng.utils.models.AuditedModel",
    ]


def test_find_model_by_id_and_ambiguous_label(tmp_path):
    import pytest

    from djatlas.render.filters import FilterError, find_model

    doc = _scan(tmp_path)
    assert find_model(doc, "paasng.utils.models.AuditedModel")["file"].startswith("api/paasng")
    assert find_model(doc, "builds.Build")["id"] == "paas_wl.builds.models.Build"
    with pytest.raises(FilterError, match="ambiguous.*paas_wl.utils.models.AuditedModel"):
        find_model(doc, "utils.AuditedModel")


def test_diff_keeps_both_twins(tmp_path):
    from djatlas.diff.engine import diff_reports

    old = _scan(tmp_path)
    new = json.loads(json.dumps(old))
    twin = next(m for m in new["models"] if m["id"] == "paasng.utils.models.AuditedModel")
    twin["fields"][0]["max_length"] = 32
    result = diff_reports(old, new)
    changed = [(e["id"], e["status"]) for e in result["models"]]
    assert changed == [("paasng.utils.models.AuditedModel", "changed")]
    # both twins removed: two entries, not one
    gone = json.loads(json.dumps(old))
    gone["models"] = [m for m in gone["models"] if m["label"] != "utils.AuditedModel"]
    removed = [e["id"] for e in diff_reports(old, gone)["models"] if e["status"] == "removed"]
    assert sorted(removed) == [
        "paas_wl.utils.models.AuditedModel",
        "paasng.utils.models.AuditedModel",
    ]


def test_diff_matches_an_old_report_without_ids(tmp_path):
    from djatlas.diff.engine import diff_reports

    new = _scan(tmp_path)
    old = json.loads(json.dumps(new))
    for m in old["models"]:
        del m["id"]
    assert diff_reports(old, new)["models"] == []


def test_check_findings_carry_the_model_id(tmp_path):
    from djatlas.checks import run_checks

    files = dict(MONOREPO)
    files["api/paasng/utils/models.py"] = """
        from django.db import models

        class AuditedModel(models.Model):
            owner = models.CharField()

            class Meta:
                abstract = True
    """
    result = run_checks(_scan(tmp_path, files))
    hits = [f for f in result.findings if f.field == "owner"]
    assert hits and all(f.model_id == "paasng.utils.models.AuditedModel" for f in hits)
