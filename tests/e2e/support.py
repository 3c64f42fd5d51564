"""Helpers for the browser tests: launching Debian's Chromium and synthetic reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "reports" / "sample.json"
ARTIFACTS = ROOT / "artifacts"
MERMAID_JS = ROOT / "tools" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's Chromium binary, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def sample_doc() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text("utf-8"))


def big_doc(apps: int = 25, per_app: int = 24) -> dict[str, Any]:
    """A synthetic report with ``apps * per_app`` models, FKs within and across apps."""
    models: list[dict[str, Any]] = []
    app_list = []
    for a in range(apps):
        app = f"app{a:02d}"
        labels = []
        for i in range(per_app):
            name = f"Model{a:02d}x{i:02d}"
            label = f"{app}.{name}"
            labels.append(label)
            fields = [
                {
                    "name": "id",
                    "type": "BigAutoField",
                    "django_type": "BigAutoField",
                    "origin": "implicit",
                    "column": "id",
                    "null": False,
                    "unique": True,
                    "primary_key": True,
                    "params": {},
                    "relation": None,
                    "line": None,
                }
            ]
            fields += [
                {
                    "name": f"f{k}",
                    "type": "models.CharField",
                    "django_type": "CharField",
                    "origin": "declared",
                    "column": f"f{k}",
                    "null": False,
                    "unique": False,
                    "primary_key": False,
                    "params": {"max_length": 50},
                    "max_length": 50,
                    "relation": None,
                    "line": 10 + k,
                }
                for k in range(6)
            ]
            targets = []
            if i:
                targets.append(f"{app}.Model{a:02d}x{(i - 1) // 2:02d}")
            if a and i % 5 == 0:
                targets.append(f"app{a - 1:02d}.Model{a - 1:02d}x{i:02d}")
            for n, target in enumerate(targets):
                fields.append(
                    {
                        "name": f"rel{n}",
                        "type": "models.ForeignKey",
                        "django_type": "ForeignKey",
                        "origin": "declared",
                        "column": f"rel{n}_id",
                        "null": False,
                        "unique": False,
                        "primary_key": False,
                        "params": {},
                        "line": 30 + n,
                        "relation": {
                            "kind": "ForeignKey",
                            "target": target,
                            "target_raw": target,
                            "on_delete": "CASCADE",
                            "through": None,
                            "related_name": None,
                            "parent_link": False,
                            "to_field": None,
                            "m2m_db_table": None,
                        },
                    }
                )
            models.append(
                {
                    "name": name,
                    "label": label,
                    "app_label": app,
                    "module": f"{app}.models",
                    "file": f"{app}/models.py",
                    "line": 1 + i * 20,
                    "docstring": None,
                    "bases": [],
                    "abstract": False,
                    "proxy": False,
                    "parents": [],
                    "concrete_model": label,
                    "db_table": f"{app}_{name.lower()}",
                    "meta": {},
                    "meta_inherited_from": None,
                    "methods": [],
                    "has_str": False,
                    "fields": fields,
                    "reverse_relations": [],
                }
            )
        app_list.append({"label": app, "name": app, "config": None, "models": labels})
    return {
        "format": "djatlas-report",
        "schema_version": 1,
        "metadata": {"title": "Synthetic", "path": "synthetic", "source": "static"},
        "summary": {"apps": apps, "models": len(models)},
        "apps": app_list,
        "models": models,
        "files": [],
        "diagnostics": [],
    }
