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
