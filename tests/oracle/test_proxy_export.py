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

from djatlas.scan import scan_path
from djatlas.verify import compare

from .harness import REPO

pytest.importorskip("django")

TREE = {
    "proj/__init__.py": "",
    "proj/settings.py": """
        INSTALLED_APPS = ["django.contrib.contenttypes", "notes"]
        DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
    """,
    "notes/__init__.py": "",
    "notes/models.py": """
        from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
        from django.contrib.contenttypes.models import ContentType
        from django.db import models


        class Comment(models.Model):
            content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
            object_id = models.PositiveIntegerField()
            target = GenericForeignKey("content_type", "object_id")


        class Article(models.Model):
            comments = GenericRelation(Comment, related_query_name="article")


        class ArticleProxy(Article):
            extra = GenericRelation(Comment, related_query_name="proxied")

            class Meta:
                proxy = True
    """,
}

EXPORT = """
import json, sys
import django
django.setup()
from djatlas.django.export import build_report
json.dump(build_report(root=sys.argv[1]), sys.stdout)
"""


def test_a_proxy_s_generic_relation_in_both_reports(tmp_path: Path) -> None:
    for rel, text in TREE.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="proj.settings")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(REPO / "src")])
    out = subprocess.run(
        [sys.executable, "-c", EXPORT, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    runtime = json.loads(out)
    static = scan_path(str(tmp_path), use_cache=False)
    comment = next(m for m in runtime["models"] if m["label"] == "notes.Comment")
    assert ("proxied", "notes.ArticleProxy") in [
        (r["name"], r["model"]) for r in comment["reverse_relations"]
    ]
    assert compare(static, runtime) == []
