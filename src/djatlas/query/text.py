"""Terminal renderings of the query answers (the JSON answers are the data; these read them)."""

from __future__ import annotations

import json
from typing import Any

from djatlas.query.impact import CATEGORIES

_TITLES = {
    "cascade": "deleted (CASCADE)",
    "set_null": "set to NULL (SET_NULL)",
    "set_default": "set to default (SET_DEFAULT)",
    "set": "set by SET(...)",
    "protect": "BLOCKING: PROTECT",
    "restrict": "BLOCKING: RESTRICT",
    "do_nothing": "DO_NOTHING (rows left dangling unless the database has a constraint)",
}


def _value(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"$expr"}:
        return str(value["$expr"])
    return json.dumps(value, ensure_ascii=False)


def show_text(m: dict[str, Any]) -> str:
    """``djatlas show``: one model in the terminal."""
    flags = [k for k in ("abstract", "proxy", "external") if m.get(k)]
    out = [f"{m['label']}" + (f"  ({', '.join(flags)})" if flags else "")]
    if m.get("location"):
        out.append(f"  defined at  {m['location']}  ({m.get('module')})")
    if m.get("id"):
        out.append(f"  id          {m['id']}")
    if m.get("db_table"):
        out.append(f"  table       {m['db_table']}")
    if m.get("bases"):
        bases = ", ".join(f"{b['name']} [{b.get('origin')}]" for b in m["bases"])
        out.append(f"  bases       {bases}")
    if m.get("parents"):
        out.append(f"  parents     {', '.join(m['parents'])}")
    if m.get("docstring"):
        out.append(f"  doc         {m['docstring'].strip().splitlines()[0]}")
    fields = m.get("fields") or []
    if fields:
        out.append("fields:")
        width = max(len(f["name"]) for f in fields)
        for f in fields:
            out.append(f"  {f['name']:<{width}}  {_field_line(f)}")
    incoming = m.get("incoming") or []
    if incoming:
        out.append("pointed at by:")
        for r in incoming:
            q = f"  (query name {r['query_name']})" if r.get("query_name") else ""
            od = f" on_delete={r['on_delete']}" if r.get("on_delete") else ""
            out.append(f"  {r['model']}.{r['field']}  {r['kind']}{od}{q}")
    meta = m.get("meta") or {}
    if meta:
        out.append("meta:")
        out.extend(f"  {k} = {_value(v)}" for k, v in meta.items())
    return "\n".join(out) + "\n"


def _field_line(f: dict[str, Any]) -> str:
    kind = f.get("django_type") or f.get("type") or "?"
    parts = [kind]
    rel = f.get("relation") or {}
    if rel:
        target = rel.get("target") or f"{rel.get('target_raw')} (unresolved)"
        parts.append(f"-> {target}")
        if rel.get("on_delete") and rel.get("kind") in ("ForeignKey", "OneToOneField"):
            parts.append(f"on_delete={rel['on_delete']}")
        if rel.get("through"):
            parts.append(f"through {rel['through']}")
    flags = [k for k in ("primary_key", "null", "unique") if f.get(k)]
    if f.get("max_length"):
        flags.append(f"max_length={f['max_length']}")
    if f.get("column") and f.get("column") != f["name"]:
        flags.append(f"column {f['column']}")
    if f.get("origin") not in (None, "declared"):
        flags.append(str(f["origin"]))
    if flags:
        parts.append("[" + ", ".join(flags) + "]")
    if f.get("line"):
        parts.append(f"line {f['line']}")
    return " ".join(parts)


def find_text(hits: list[dict[str, Any]]) -> str:
    """``djatlas find``: one hit a line."""
    if not hits:
        return "no match\n"
    out = []
    for h in hits:
        if h["kind"] == "app":
            out.append(f"app     {h['name']}  ({len(h['models'])} models)")
        elif h["kind"] in ("model", "table"):
            out.append(f"{h['kind']:<7} {h['name']}  {h['model']}  {h.get('location') or ''}")
        else:
            extra = f" -> {h['target']}" if h.get("target") else ""
            null = " null" if h.get("null") else ""
            out.append(
                f"{h['kind']:<7} {h['model']}.{h['field']}  {h.get('type')}{extra}{null}  "
                f"column {h.get('column')}  {h.get('location') or ''}".rstrip()
            )
    return "\n".join(out) + "\n"


def impact_text(result: dict[str, dict[str, Any]]) -> str:
    """``djatlas impact``: per model, what goes, what is updated, what blocks."""
    out = []
    for label, item in result.items():
        blocked = item["protect"] or item["restrict"]
        out.append(f"deleting one {label}" + ("  -- BLOCKED" if blocked else ""))
        if not any(item[c] for c in CATEGORIES):
            out.append("  nothing else is touched")
        for category in CATEGORIES:
            if not item[category]:
                continue
            out.append(f"  {_TITLES[category]}:")
            for entry in item[category]:
                via = " > ".join(item["paths"].get(entry) or [])
                out.append(f"    {entry}" + (f"   via {via}" if via else ""))
        out.append("")
    return "\n".join(out)


def path_text(answer: dict[str, Any]) -> str:
    """``djatlas path``: one lookup a line, with each step's cardinality."""
    paths = answer["paths"]
    if not paths:
        return f"no lookup path from {answer['source']} to {answer['target']}\n"
    out = []
    for p in paths:
        steps = ", ".join(f"{s['lookup']} ({s['cardinality']})" for s in p["steps"])
        out.append(f"{p['lookup']}    {steps}")
    return "\n".join(out) + "\n"
