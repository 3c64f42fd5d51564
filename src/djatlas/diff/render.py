"""Render a ``djatlas-diff`` document as terminal text, Markdown (PR comment) or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from djatlas.diff.engine import format_value


def _side_name(side: dict[str, Any]) -> str:
    name = side.get("name") or "?"
    commit = side.get("git_commit")
    if commit and not commit.startswith(str(name)) and commit[:10] not in str(name):
        return f"{name} ({commit[:10]})"
    return str(name)


def _summary_line(diff: dict[str, Any]) -> str:
    s = diff["summary"]
    parts = []
    for key, word in (
        ("models_added", "added"),
        ("models_removed", "removed"),
        ("models_renamed", "renamed"),
        ("models_moved", "moved"),
        ("models_changed", "changed"),
    ):
        if s[key]:
            parts.append(f"{s[key]} {word}")
    models = "models: " + (", ".join(parts) if parts else "no change")
    renamed = s.get("fields_renamed", 0)
    fields = (
        f"fields: {s['fields_added']} added, {s['fields_removed']} removed, "
        + (f"{renamed} possibly renamed, " if renamed else "")
        + f"{s['fields_changed']} changed"
    )
    risks = f"{s['risks']} risk{'s' if s['risks'] != 1 else ''}"
    migrations = s.get("migrations")
    if not migrations or migrations.get("unknown") == sum(migrations.values()):
        return f"{models}; {fields}; {risks}"
    counts = [f"{migrations[k]} {w}" for k, w in _MIGRATION_WORDS.items() if migrations.get(k)]
    return f"{models}; {fields}; {risks}; migrations: {', '.join(counts) or 'none'}"


#: migration status of a model change -> how the summary and the model lines say it
_MIGRATION_WORDS = {
    "included": "included",
    "missing": "missing",
    "not_needed": "not needed",
    "unknown": "unknown",
}


def _migration_text(entry: dict[str, Any]) -> str | None:
    """``migration included (files)``, ``no migration``, ... for a model entry (None: the diff
    did not look at migrations)."""
    info = entry.get("migration")
    if not info:
        return None
    status, files = info["status"], info.get("files") or []
    names = ", ".join(f.rsplit("/", 1)[-1] for f in files)
    if status == "included":
        return f"migration included ({names})"
    if status == "missing":
        left = [f for f in info.get("operations_left") or [] if f]
        named = left or info.get("fields_without_migration") or []
        text = "no migration" + (f" for {', '.join(named)}" if named else "")
        return text + (f" (the range's migrations touch the rest: {names})" if names else "")
    if status == "not_needed":
        return "no migration needed"
    return None  # unknown: the app has no migrations, or a side is a report (JSON says why)


def _fmt(change: dict[str, Any], side: str) -> str:
    """A change's old or new value; ``(unset)`` for a parameter not passed."""
    return format_value(change[side]) if side in change else "(unset)"


def _change_text(change: dict[str, Any]) -> str:
    return f"{change['attribute']}: {_fmt(change, 'old')} -> {_fmt(change, 'new')}"


def _meta_text(change: dict[str, Any]) -> str:
    if "added" in change and (change["added"] or change["removed"]):
        bits = [f"+{format_value(v)}" for v in change["added"]]
        bits += [f"-{format_value(v)}" for v in change["removed"]]
        return f"Meta.{change['option']}: " + ", ".join(bits)
    return (
        f"Meta.{change['option']}: {format_value(change['old'])} -> {format_value(change['new'])}"
    )


def _title(entry: dict[str, Any]) -> str:
    if entry["status"] in ("renamed", "moved") and entry["old_label"] != entry["new_label"]:
        return f"{entry['old_label']} -> {entry['new_label']}"
    if entry["status"] == "moved":
        old_module = next(
            (c["old"] for c in entry.get("changes", []) if c["attribute"] == "module"), None
        )
        return f"{entry['new_label']} ({old_module} -> {entry['module']})"
    return str(entry.get("new_label") or entry["old_label"])


def _where(entry: dict[str, Any], line: Any = None) -> str:
    file = entry.get("file")
    if not file:
        return ""
    ln = line if line is not None else entry.get("line")
    return f"{file}:{ln}" if ln else str(file)


_MARK = {"added": "+", "removed": "-", "renamed": "R", "moved": "M", "changed": "~"}


def render_text(diff: dict[str, Any]) -> str:
    """Plain text for a terminal, one line per change."""
    out = [f"djatlas diff {_side_name(diff['old'])} -> {_side_name(diff['new'])}"]
    if not diff["changed"]:
        out.append("No model changes.")
        return "\n".join(out) + "\n"
    out.append(_summary_line(diff))
    out.append("")
    risky = {(r["model"], r["field"]) for r in diff["risks"]}
    for entry in diff["models"]:
        status = entry["status"]
        migration = _migration_text(entry)
        flag = f"  [{migration}]" if migration else ""
        head = f"{_MARK[status]} model {_title(entry)}  [{status}]{flag}  {_where(entry)}"
        out.append(head.rstrip())
        for change in entry.get("changes", []):
            if status == "moved" and change["attribute"] == "module":
                continue
            out.append(f"    ~ {_change_text(change)}")
        for change in entry.get("meta", []):
            out.append(f"    ~ {_meta_text(change)}")
        fields = entry.get("fields")
        if isinstance(fields, dict):
            label = entry.get("new_label")
            for item in fields["added"]:
                flag = "  !" if (label, item["name"]) in risky else ""
                out.append(f"    + field {item['name']}: {item['summary']}{flag}")
            for item in fields["removed"]:
                flag = "  !" if (label, item["name"]) in risky else ""
                out.append(f"    - field {item['name']}: {item['summary']}{flag}")
            for item in fields.get("renamed", []):
                flag = "  !" if (label, item["name"]) in risky else ""
                out.append(
                    f"    R field {item['old_name']} -> {item['name']}: {item['summary']}  "
                    f"(possible rename; makemigrations asks: {item['question']}){flag}"
                )
            for item in fields["changed"]:
                flag = "  !" if (label, item["name"]) in risky else ""
                out.append(f"    ~ field {item['name']}{flag}")
                for change in item["changes"]:
                    out.append(f"        {_change_text(change)}")
    if diff["risks"]:
        out.append("")
        out.append(f"Risks ({len(diff['risks'])}):")
        for risk in diff["risks"]:
            where = f"{risk['file']}:{risk['line']}" if risk.get("file") else ""
            out.append(f"  ! [{risk['code']}] {risk['message']}  {where}".rstrip())
    return "\n".join(out) + "\n"


def _md(text: Any) -> str:
    """Escape a value for a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    text = _md(text).replace("`", "'")
    return f"`{text}`" if text else ""


def render_markdown(diff: dict[str, Any]) -> str:
    """GitHub-flavoured Markdown fit for a pull-request comment."""
    out = [
        f"### djatlas: data model changes `{_side_name(diff['old'])}` → "
        f"`{_side_name(diff['new'])}`",
        "",
    ]
    if not diff["changed"]:
        out.append("No model changes.")
        return "\n".join(out) + "\n"
    out.append(f"**{_summary_line(diff)}**")
    out.append("")
    if diff["risks"]:
        out.append(f"#### ⚠️ Needs care when deploying ({len(diff['risks'])})")
        out.append("")
        out.append("| Risk | Model | Field | Why | Where |")
        out.append("|---|---|---|---|---|")
        for r in diff["risks"]:
            where = f"{r['file']}:{r['line']}" if r.get("file") else ""
            out.append(
                f"| {_md(r['title'])} | `{r['model']}` | {_code(r['field'] or '')} | "
                f"{_md(r['message'])} | {_md(where)} |"
            )
        out.append("")
    if any(e["migration"]["status"] != "unknown" for e in diff["models"] if "migration" in e):
        out += _markdown_migrations(diff)
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in diff["models"]:
        groups.setdefault(entry["status"], []).append(entry)
    for status in ("added", "removed", "renamed", "moved"):
        items = groups.get(status, [])
        if not items:
            continue
        out.append(f"#### Models {status} ({len(items)})")
        out.append("")
        for entry in items:
            line = f"- `{_title(entry)}`"
            if status in ("added", "removed"):
                line += f" — {entry['field_count']} fields"
            where = _where(entry)
            if where:
                line += f" ({_md(where)})"
            out.append(line)
        out.append("")
    detailed = [
        e
        for e in diff["models"]
        if e["status"] not in ("added", "removed")
        and (
            any(c["attribute"] != "module" for c in e.get("changes", []))
            or e.get("meta")
            or any(e["fields"].values())
        )
    ]
    if detailed:
        n_changed = diff["summary"]["models_changed"]
        out.append(f"#### Models changed ({n_changed})" if n_changed else "#### Details")
        out.append("")
    for entry in detailed:
        out.append(f"<details open><summary><code>{_title(entry)}</code></summary>")
        out.append("")
        out.append("| | Field / option | Change |")
        out.append("|---|---|---|")
        for change in entry.get("changes", []):
            if entry["status"] == "moved" and change["attribute"] == "module":
                continue
            out.append(
                f"| ~ | {_md(change['attribute'])} | {_code(_fmt(change, 'old'))} → "
                f"{_code(_fmt(change, 'new'))} |"
            )
        for change in entry.get("meta", []):
            text = _meta_text(change).split(": ", 1)[1]
            out.append(f"| ~ | Meta.{_md(change['option'])} | {_code(text)} |")
        for item in entry["fields"]["added"]:
            out.append(f"| + | `{item['name']}` | {_code(item['summary'])} |")
        for item in entry["fields"]["removed"]:
            out.append(f"| − | `{item['name']}` | {_code(item['summary'])} |")
        for item in entry["fields"].get("renamed", []):
            out.append(
                f"| R | `{item['old_name']}` → `{item['name']}` | possible rename "
                f"(makemigrations asks {_code(item['question'])}): {_code(item['summary'])} |"
            )
        for item in entry["fields"]["changed"]:
            text = "<br>".join(
                f"{_md(c['attribute'])}: {_code(_fmt(c, 'old'))} → {_code(_fmt(c, 'new'))}"
                for c in item["changes"]
            )
            out.append(f"| ~ | `{item['name']}` | {text} |")
        out.append("")
        out.append("</details>")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


_MIGRATION_MARKS = {"included": "✅", "missing": "❌", "not_needed": "➖", "unknown": "❔"}


def _markdown_migrations(diff: dict[str, Any]) -> list[str]:
    """Whether the range brings each model change's migration, missing ones first."""
    order = list(_MIGRATION_MARKS)
    known = [e for e in diff["models"] if e["migration"]["status"] != "unknown"]
    entries = sorted(known, key=lambda e: order.index(e["migration"]["status"]))
    out = ["#### Migrations", "", "| | Model | Migration |", "|---|---|---|"]
    for entry in entries:
        mark = _MIGRATION_MARKS[entry["migration"]["status"]]
        out.append(f"| {mark} | `{_md(_title(entry))}` | {_md(_migration_text(entry) or '')} |")
    return out + [""]


def render_json(diff: dict[str, Any]) -> str:
    """The diff document itself, pretty-printed."""
    return json.dumps(diff, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[dict[str, Any]], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}


def render(diff: dict[str, Any], fmt: str = "text") -> str:
    """Render ``diff`` in format ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATS[fmt](diff)
