"""Django's own truth for the fixtures of ``tests/test_semantics_*.py`` (a developer tool).

The semantics tests hand-write the values real Django reports; this script is how those values
were obtained, and how anyone can re-check them. It is not used by the test run (the tests must
not need Django). For every module-level ``FX_*`` dict of ``{path: source}`` in a test module, it
writes the tree into a temporary folder, boots Django on it in a subprocess (``django.setup()``,
the fixture's own settings module) and prints what ``_meta`` says::

    /work/venv/bin/python tests/semantics_oracle.py tests/test_semantics_relations.py [FX_NAME ...]

The settings module is the fixture's file assigning ``INSTALLED_APPS`` (the test module's
``ORACLE_SETTINGS = {"FX_NAME": "dotted.module"}`` chooses when there are several;
``ORACLE_FILES = {"FX_NAME": {path: source}}`` adds files only Django needs, e.g. a settings module
for a fixture that has none).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

PYTHON = "/work/venv/bin/python"

DUMP = r"""
import inspect, json, os, sys
import django
django.setup()
from django.apps import apps
from django.db import models
from django.db.models import ForeignObjectRel
from django.conf import settings

root = os.path.realpath(sys.argv[1])

def label(m):
    return None if m is None else m._meta.label

def rel(f):
    r = getattr(f, "remote_field", None)
    if r is None:
        return None
    out = {
        "target": label(f.related_model) if isinstance(f.related_model, type) else f.related_model,
        "related_name": r.related_name,
        "related_query_name": getattr(r, "related_query_name", None),
        "accessor": r.get_accessor_name() if hasattr(r, "get_accessor_name") else None,
        "hidden": r.is_hidden() if hasattr(r, "is_hidden") else None,
        "on_delete": getattr(getattr(r, "on_delete", None), "__name__", None),
        "parent_link": getattr(r, "parent_link", None),
    }
    od = getattr(r, "on_delete", None)
    if od is not None and not hasattr(od, "__name__"):
        out["on_delete"] = repr(od)
    if getattr(r, "field_name", None):
        out["to_field"] = r.field_name
    if f.many_to_many and hasattr(r, "through") and not isinstance(f, ForeignObjectRel):
        through = r.through
        out["through"] = label(through) if isinstance(through, type) else through
        out["through_auto_created"] = getattr(getattr(through, "_meta", None), "auto_created", None)
        table = getattr(f, "m2m_db_table", None)
        out["m2m_db_table"] = table() if callable(table) else None
        out["symmetrical"] = getattr(r, "symmetrical", None)
    return out

def field(f, model):
    d = {
        "name": f.name,
        "class": type(f).__name__,
        "column": getattr(f, "column", None),
        "attname": getattr(f, "attname", None),
        "null": getattr(f, "null", None),
        "unique": getattr(f, "unique", None),
        "primary_key": getattr(f, "primary_key", None),
        "max_length": getattr(f, "max_length", None),
        "model": label(getattr(f, "model", None)),
        "auto_created": getattr(f, "auto_created", None),
        "verbose_name": str(getattr(f, "verbose_name", "")) or None,
    }
    if getattr(f, "is_relation", False):
        d["relation"] = rel(f)
    if type(f).__name__ == "GenericForeignKey":
        d["ct_field"], d["fk_field"] = f.ct_field, f.fk_field
    return d

def meta(m):
    o = m._meta
    keep = {}
    for k in ("ordering", "unique_together", "verbose_name", "verbose_name_plural", "permissions",
              "get_latest_by", "db_table", "managed", "default_related_name"):
        v = getattr(o, k)
        keep[k] = str(v) if k.startswith("verbose") else v
    keep["indexes"] = [repr(i) for i in o.indexes]
    keep["constraints"] = [repr(c) for c in o.constraints]
    return keep

def model(m):
    o = m._meta
    if o.abstract:
        fields = o.local_fields + o.local_many_to_many + o.private_fields
    else:
        fields = o.get_fields()
    fwd = [f for f in fields if not isinstance(f, ForeignObjectRel)]
    rev = [] if o.abstract else [
        {"accessor": f.get_accessor_name(), "model": label(f.related_model), "field": f.field.name,
         "hidden": f.hidden}
        for f in o.get_fields(include_hidden=True) if isinstance(f, ForeignObjectRel)
    ]
    try:
        line = inspect.getsourcelines(m)[1]
    except Exception:
        line = None
    return {
        "label": o.label, "app_label": o.app_label, "module": m.__module__, "line": line,
        "doc": m.__doc__, "abstract": o.abstract, "proxy": o.proxy,
        "auto_created": bool(o.auto_created),
        "concrete_model": label(o.concrete_model), "db_table": o.db_table,
        "pk": o.pk.name if o.pk is not None else None,
        "parents": [label(p) for p in o.parents],
        "meta": meta(m),
        "fields": [field(f, m) for f in fwd],
        "reverse": rev,
    }

out = {
    "settings": os.environ["DJANGO_SETTINGS_MODULE"],
    "AUTH_USER_MODEL": settings.AUTH_USER_MODEL,
    "DEFAULT_AUTO_FIELD": settings.DEFAULT_AUTO_FIELD,
    "apps": [{"label": c.label, "name": c.name,
              "class": type(c).__module__ + "." + type(c).__qualname__,
              "default_auto_field": c.default_auto_field} for c in apps.get_app_configs()],
    "models": {},
}
seen = set()
for m in apps.get_models(include_auto_created=True):
    seen.add(m)
# abstract models and models of modules loaded from the fixture tree
for name, mod in list(sys.modules.items()):
    f = getattr(mod, "__file__", None) or ""
    if not os.path.realpath(f).startswith(root):
        continue
    for v in vars(mod).values():
        if isinstance(v, type) and issubclass(v, models.Model) and v.__module__ == name:
            seen.add(v)
for m in seen:
    f = inspect.getsourcefile(m) if not m._meta.auto_created else None
    if m._meta.auto_created or (f and os.path.realpath(f).startswith(root)):
        key = m._meta.label if not m._meta.abstract else m.__module__ + "." + m.__qualname__
        out["models"][key] = model(m)
print(json.dumps(out, indent=1, sort_keys=True, default=repr))
"""


def find_settings(files: dict[str, str]) -> str:
    found = [p for p, s in files.items() if "INSTALLED_APPS" in s and p.endswith(".py")]
    if len(found) != 1:
        raise SystemExit(f"settings ambiguous: {found}; set ORACLE_SETTINGS")
    return found[0][:-3].replace("/", ".")


def truth(files: dict[str, str], settings: str | None = None) -> dict[str, Any]:
    """Boot Django on the fixture tree and return what ``_meta`` says."""
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in files.items():
            path = Path(tmp, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        env = dict(
            os.environ, DJANGO_SETTINGS_MODULE=settings or find_settings(files), PYTHONPATH=tmp
        )
        proc = subprocess.run(
            [PYTHON, "-c", DUMP, tmp], cwd=tmp, env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode:
            return {"error": proc.stderr.strip().splitlines()[-1], "stderr": proc.stderr}
        return json.loads(proc.stdout)


def main(argv: list[str]) -> None:
    spec = importlib.util.spec_from_file_location("fixtures_under_test", argv[0])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    chosen = getattr(module, "ORACLE_SETTINGS", {})
    extra = getattr(module, "ORACLE_FILES", {})
    names = argv[1:]
    brief = "--full" not in names
    names = [n for n in names if n != "--full"] or [n for n in vars(module) if n.startswith("FX_")]
    for name in names:
        print(f"===== {name}")
        files = {**getattr(module, name), **extra.get(name, {})}
        result = truth(files, chosen.get(name))
        print(json.dumps(summarise(result) if brief else result, indent=1, sort_keys=True))


def summarise(result: dict[str, Any]) -> Any:
    """The fixture's own models only, one line per field / reverse relation."""
    if "error" in result:
        return result
    out: dict[str, Any] = {
        k: result[k] for k in ("settings", "AUTH_USER_MODEL", "DEFAULT_AUTO_FIELD")
    }
    out["apps"] = [
        f"{a['label']} {a['name']} {a['class']} {a['default_auto_field']}"
        for a in result["apps"]
        if not a["name"].startswith("django.")
    ]
    for key, m in sorted(result["models"].items()):
        if m["module"].startswith("django.") or (m["auto_created"] and "_" not in key):
            continue
        fields = []
        for f in m["fields"]:
            line = (
                f"{f['name']}: {f['class']} col={f['column']} null={f['null']} "
                f"uniq={f['unique']} pk={f['primary_key']} ml={f['max_length']} on={f['model']}"
            )
            if f.get("relation"):
                line += " REL " + " ".join(f"{k}={v}" for k, v in sorted(f["relation"].items()))
            fields.append(line)
        out[key] = {
            k: m[k]
            for k in (
                "label",
                "db_table",
                "abstract",
                "proxy",
                "concrete_model",
                "parents",
                "pk",
                "line",
                "doc",
                "module",
                "auto_created",
            )
        }
        out[key]["meta"] = {k: v for k, v in m["meta"].items() if v not in ([], (), None)}
        out[key]["fields"] = fields
        out[key]["reverse"] = [
            f"{r['accessor']} <- {r['model']}.{r['field']} hidden={r['hidden']}"
            for r in m["reverse"]
        ]
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
