"""Markdown renderer: the seed report's structure, made correct and readable."""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring

from djatlas.render import RenderOptions

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "metadata": "Metadata",
        "summary": "Summary",
        "contents": "Contents",
        "results": "Results",
        "tool": "Tool",
        "path": "Path",
        "commit": "Git Commit",
        "scanned_at": "Scanned At",
        "settings": "Settings Module",
        "settings_note": "Settings Note",
        "auth_user": "User Model",
        "auto_field": "Default Auto Field",
        "files_discovered": "Files Discovered",
        "files_parsed": "Files Scanned",
        "files_not_needed": "Files Without Models (not parsed)",
        "files_skipped": "Skipped",
        "files_failed": "Failed",
        "duration": "Scan Duration",
        "apps": "Total Apps",
        "models": "Total Models",
        "concrete": "concrete",
        "abstract": "abstract",
        "proxy": "proxy",
        "fields": "Total Fields",
        "relationships": "Total Relationships",
        "label": "Label",
        "module": "Module",
        "file": "File",
        "line": "Line",
        "bases": "Base Classes",
        "table": "Table",
        "description": "Description",
        "kind": "Kind",
        "kind_concrete": "concrete model",
        "kind_abstract": "abstract model",
        "kind_proxy": "proxy model of",
        "kind_mti": "multi-table child of",
        "kind_generated": "made at run time by",
        "external": "outside the tree",
        "external_h": "Models Outside the Tree",
        "project": "Project",
        "no_project": "Outside Every Project",
        "fields_h": "Fields",
        "relationships_h": "Relationships",
        "reverse_h": "Reverse Relations",
        "meta_h": "Meta Options",
        "meta_from": "inherited from",
        "field_name": "Field Name",
        "type": "Type",
        "parameters": "Parameters",
        "field": "Field",
        "target": "Target Model",
        "related_name": "Related Name",
        "on_delete": "On Delete",
        "accessor": "Accessor",
        "from": "From Model",
        "option": "Option",
        "value": "Value",
        "inherited": "inherited",
        "implicit": "implicit",
        "parent": "from parent",
        "unresolved": "unresolved",
        "files_h": "Files Not Analysed",
        "status": "Status",
        "reason": "Reason",
        "diagnostics_h": "Diagnostics",
        "severity": "Severity",
        "message": "Message",
        "where": "Where",
        "code": "Code",
        "none": "No models found.",
        "hidden": "hidden",
        "reverse_via": "Also listed by Django, through {via}: {names}",
        "title": "Django Models Analysis",
        "diagrams_h": "Diagrams",
        "fields_breakdown": (
            "{declared} declared in the model's own class, {inherited} inherited from abstract "
            "bases, {parent} from multi-table parents, {implicit} implicit (`id`, `<parent>_ptr`); "
            "relations are counted under Total Relationships"
        ),
        "declared_fields": "Declared Fields",
        "declared_breakdown": (
            "fields written in the model classes themselves, relations excluded: what tools that "
            "do not follow inheritance count"
        ),
        "all_fields": "All Fields",
        "all_breakdown": "every row of every Fields and Relationships table",
        "rels_breakdown": "{declared} declared, {other} inherited or from parents",
        "legend": (
            "Legend: *inherited* fields come from an abstract base (its file is named when it is "
            "another file), *from parent* fields live in a multi-table parent's table; "
            "`app.Target ← 'Target'` is the resolved target model and, after the arrow, the "
            "target as written in the source; a type such as `ColorField` (`CharField`) is the "
            "field class as written and the Django field it is built on."
        ),
        "in": "in",
        "meta_some": "options not declared in the class come from",
        "count": "Count",
        "examples": "Files or Folders",
        "and": "and",
        "more": "more (all in the JSON report's files)",
        "failed_h": "Failed",
        "skipped_h": "Skipped",
    },
    "zh": {
        "metadata": "元数据",
        "summary": "摘要",
        "contents": "目录",
        "results": "结果",
        "tool": "工具",
        "path": "路径",
        "commit": "Git 提交",
        "scanned_at": "扫描时间",
        "settings": "配置模块",
        "settings_note": "配置说明",
        "auth_user": "用户模型",
        "auto_field": "默认主键字段",
        "files_discovered": "发现文件数",
        "files_parsed": "扫描文件数",
        "files_not_needed": "无模型文件数（未解析）",
        "files_skipped": "跳过",
        "files_failed": "失败",
        "duration": "扫描耗时",
        "apps": "应用总数",
        "models": "模型总数",
        "concrete": "具体",
        "abstract": "抽象",
        "proxy": "代理",
        "fields": "字段总数",
        "relationships": "关系总数",
        "label": "标签",
        "module": "模块",
        "file": "文件",
        "line": "行号",
        "bases": "基类",
        "table": "数据表",
        "description": "描述",
        "kind": "类型",
        "kind_concrete": "具体模型",
        "kind_abstract": "抽象模型",
        "kind_proxy": "代理模型，代理",
        "kind_mti": "多表继承，父模型",
        "kind_generated": "运行时生成，由",
        "external": "项目外",
        "external_h": "项目外的模型",
        "project": "项目",
        "no_project": "不属于任何项目",
        "fields_h": "字段",
        "relationships_h": "关系",
        "reverse_h": "反向关系",
        "meta_h": "Meta 选项",
        "meta_from": "继承自",
        "field_name": "字段名",
        "type": "类型",
        "parameters": "参数",
        "field": "字段",
        "target": "目标模型",
        "related_name": "反向名称",
        "on_delete": "删除行为",
        "accessor": "访问名",
        "from": "来源模型",
        "option": "选项",
        "value": "值",
        "inherited": "继承",
        "implicit": "隐式",
        "parent": "来自父模型",
        "unresolved": "未解析",
        "files_h": "未分析的文件",
        "status": "状态",
        "reason": "原因",
        "diagnostics_h": "诊断",
        "severity": "级别",
        "message": "信息",
        "where": "位置",
        "code": "代码",
        "none": "未发现模型。",
        "hidden": "隐藏",
        "reverse_via": "Django 另经 {via} 列出：{names}",
        "title": "Django 模型分析",
        "diagrams_h": "图表",
        "fields_breakdown": (
            "模型类自身声明 {declared}，继承自抽象基类 {inherited}，来自多表继承父模型 {parent}，"
            "隐式 {implicit}（`id`、`<parent>_ptr`）；关系字段计入关系总数"
        ),
        "declared_fields": "声明字段数",
        "declared_breakdown": "模型类自身书写的字段，不含关系字段：不跟踪继承的工具给出的数目",
        "all_fields": "全部字段数",
        "all_breakdown": "所有字段表和关系表的行数",
        "rels_breakdown": "声明 {declared}，继承或来自父模型 {other}",
        "legend": (
            "说明：*继承* 字段来自抽象基类（不在同一文件时注明其文件），*来自父模型* 的字段位于"
            "多表继承父模型的数据表；`app.Target ← 'Target'` 表示解析后的目标模型，箭头后为源码中"
            "的写法；`ColorField` (`CharField`) 这样的类型表示源码中的字段类及其所基于的 Django "
            "字段。"
        ),
        "in": "位于",
        "meta_some": "类中未声明的选项来自",
        "count": "数量",
        "examples": "文件或目录",
        "and": "另有",
        "more": "个（完整列表见 JSON 报告的 files）",
        "failed_h": "失败",
        "skipped_h": "跳过",
    },
}


#: A character that makes ``code`` do more than add backticks (a backslash matters only
#: before a pipe); ``plain``'s: one it escapes, or whitespace other than single inner spaces.
_CODE_CARE = re.compile("[\n\r\u2028\u2029|`]").search
_PLAIN_CARE = re.compile(r"[&<>|`\\]|[^\S ]|  |^ | $").search


def code(text: str) -> str:
    """A Markdown code span that survives any content (backticks, pipes, newlines) in a table."""
    if text.__class__ is not str:
        text = str(text)
    if _CODE_CARE(text) is None and text.strip():  # the usual case: one regex search
        return "`" + text + "`"
    if "\n" in text or "\r" in text or "\u2028" in text or "\u2029" in text:
        text = " ".join(text.split())
    if "\\|" in text:
        # A backslash before a pipe would escape the table's escape; use HTML with entities.
        return "<code>" + plain(text) + "</code>"
    text = text.replace("|", "\\|")
    if "`" not in text:
        return f"`{text}`" if text.strip() else f"` {text} `"
    longest = max(len(m) for m in re.findall(r"`+", text))
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str) -> str:
    """Free text in a table cell or line: one line, no table breaks, no code spans, no raw HTML."""
    if text.__class__ is not str:
        text = str(text)
    if _PLAIN_CARE(text) is None:  # the usual case: nothing to change (one regex search)
        return text
    text = " ".join(text.split())
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "&#124;")
        .replace("`", "&#96;")
        .replace("\\", "&#92;")
    )


def value_text(value: Any) -> str:
    """A parameter value as Python-like source: literals as JSON, expressions as written."""
    if isinstance(value, dict):
        if set(value) == {"$expr"}:
            return str(value["$expr"])
        return "{" + ", ".join(f"{_literal(k)}: {value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    return _literal(value)


def _literal(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``; a string or int without the encoder object
    that ``json.dumps`` makes on every call with that option."""
    cls = value.__class__
    if cls is str:
        return encode_basestring(value)
    if cls is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def params_text(params: dict[str, Any]) -> str:
    if not params:
        return ""
    return code(", ".join(f"{k}={value_text(v)}" for k, v in params.items()))


#: What GitHub leaves out of a heading's anchor.
_NOT_SLUG = re.compile(r"[^\w\- ]").sub


class _Anchors:
    """GitHub's heading anchors, registered in document order (a repeated slug gets ``-N``)."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def make(self, heading: str) -> str:
        text = heading.strip().lower().replace("`", "")
        slug = _NOT_SLUG("", text).replace(" ", "-")
        n = self.used.get(slug, 0)
        self.used[slug] = n + 1
        while n and f"{slug}-{n}" in self.used:
            n += 1
        if n:
            self.used[f"{slug}-{n}"] = 1
        return slug if n == 0 else f"{slug}-{n}"


class _Writer:
    """Output lines plus the anchors of every heading written so far."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.anchors = _Anchors()
        #: The marker of a model's own sections (Fields, Relationships, ...).
        self.sub = "####"

    def heading(self, level: int, text: str) -> str:
        self.lines += ["#" * level + " " + text, ""]
        return self.anchors.make(text)


def _title(doc: dict, options: RenderOptions, t: dict[str, str]) -> str:
    """The user's title, else the report's own (when not the default), else the translated one."""
    title = options.title or doc["metadata"].get("title")
    if not title or title == LABELS["en"]["title"]:
        title = t["title"]
    return plain(title)


def render(doc: dict, options: RenderOptions) -> str:
    t = LABELS.get(options.language, LABELS["en"])
    w = _Writer()
    w.heading(1, _title(doc, options, t))
    w.heading(2, t["metadata"])
    w.lines += _metadata(doc, t) + [""]
    w.heading(2, t["summary"])
    w.lines += _summary(doc, t) + [""]
    if options.diagram:
        _diagrams(w, doc, options, t)
    models = sorted((m for m in doc["models"] if not m.get("external")), key=_model_order)
    # Models outside the tree (Django's, installed packages'): listed apart, after the tree's.
    outside = sorted((m for m in doc["models"] if m.get("external")), key=_model_order)
    contents_at = len(w.lines)
    if models:
        w.heading(2, t["contents"])
    w.heading(2, t["results"])
    if not models:
        w.lines += [t["none"], ""]
    else:
        w.lines += [t["legend"], ""]
    paths = {f"{m['module']}.{m['name']}": m for m in doc["models"]}
    anchor_of: dict[int, str] = {}
    groups = _project_groups(doc, models, t)
    if groups is None:
        for m, heading in zip(models, _headings(models)):
            anchor_of[id(m)] = w.heading(3, heading)
            w.lines += _model(w, m, t, paths)
    else:  # several Django projects: one heading each, then its models by app
        w.sub = "#####"
        for title, about, members in groups:
            w.heading(3, title)
            w.lines += about
            for m, heading in zip(members, _headings(members)):
                anchor_of[id(m)] = w.heading(4, heading)
                w.lines += _model(w, m, t, paths)
        w.sub = "####"
    if outside:
        w.heading(2, t["external_h"])
        for m, heading in zip(outside, _headings(outside)):
            anchor_of[id(m)] = w.heading(3, heading)
            w.lines += _model(w, m, t, paths)
    if models:
        if groups is None:
            contents = _contents(models, anchor_of)
        else:
            contents = []
            for title, _about, members in groups:
                contents.append(f"- *{title}* ({len(members)})")
                contents += ["  " + line for line in _contents(members, anchor_of)[:-1]]
            contents.append("")
        if outside:
            links = ", ".join(f"[{plain(m['label'])}](#{anchor_of[id(m)]})" for m in outside)
            contents[-1:-1] = [f"- *{t['external_h']}* ({len(outside)}): {links}"]
        w.lines[contents_at + 2 : contents_at + 2] = contents
    _files(w, doc, t)
    _diagnostics(w, doc, t)
    return "\n".join(w.lines).rstrip("\n") + "\n"


def _project_groups(
    doc: dict, models: list[dict], t: dict[str, str]
) -> list[tuple[str, list[str], list[dict]]] | None:
    """``(heading, lines under it, models)`` per Django project of the report (those outside
    every project last), or None when the report has fewer than two projects."""
    projects = doc.get("projects") or []
    if len(projects) < 2:
        return None
    out = []
    for p in projects:
        members = [m for m in models if m.get("project") == p["name"]]
        if members:
            about = [f"- **{t['settings']}**: {code(p.get('settings_module') or '-')}"]
            about += [f"- **{t['path']}**: {code(p.get('root') or '.')}", ""]
            out.append((plain(f"{t['project']} {p['name']}"), about, members))
    names = {p["name"] for p in projects}
    rest = [m for m in models if m.get("project") not in names]
    if rest:
        out.append((t["no_project"], [], rest))
    return out


def _model_order(m: dict) -> tuple:
    """Results follow Contents: by app label, then class name (module and line for twins)."""
    return (m["app_label"], m["name"], m["module"], m.get("line") or 0)


def _headings(models: list[dict]) -> list[str]:
    """``Name (app_label)``; the module is added where two models would read the same."""
    first = [f"{m['name']} ({m['app_label']})" for m in models]
    seen: dict[str, int] = {}
    for h in first:
        seen[h] = seen.get(h, 0) + 1
    second = [
        h if seen[h] == 1 else f"{m['name']} ({m['app_label']}, {m['module']})"
        for h, m in zip(first, models)
    ]
    again: dict[str, int] = {}
    for h in second:
        again[h] = again.get(h, 0) + 1
    # The same module in two projects of a monorepo: the model's unique id tells them apart.
    return [
        plain(h if again[h] == 1 else f"{m['name']} ({m['app_label']}, {m.get('id') or h})")
        for h, m in zip(second, models)
    ]


def _contents(models: list[dict], anchor_of: dict[int, str]) -> list[str]:
    by_app: dict[str, list[dict]] = {}
    for m in models:
        by_app.setdefault(m["app_label"], []).append(m)
    out = []
    for label, members in by_app.items():
        links = ", ".join(f"[{plain(m['name'])}](#{anchor_of[id(m)]})" for m in members)
        out.append(f"- **{plain(label)}** ({len(members)}): {links}")
    return out + [""]


def _metadata(doc: dict, t: dict[str, str]) -> list[str]:
    meta = doc["metadata"]
    tool = doc.get("tool", {})
    out = [f"- **{t['tool']}**: {tool.get('name', 'djatlas')} {tool.get('version', '')}"]
    out.append(f"- **{t['path']}**: {code(meta.get('path', ''))}")
    if meta.get("git_commit"):
        out.append(f"- **{t['commit']}**: {code(meta['git_commit'])}")
    if meta.get("scanned_at"):
        out.append(f"- **{t['scanned_at']}**: {meta['scanned_at']}")
    if meta.get("settings_module"):
        out.append(f"- **{t['settings']}**: {code(meta['settings_module'])}")
    for note in meta.get("settings_notes") or []:
        out.append(f"- **{t['settings_note']}**: {plain(note)}")
    out.append(f"- **{t['auth_user']}**: {code(meta.get('auth_user_model', 'auth.User'))}")
    out.append(f"- **{t['auto_field']}**: {code(meta.get('default_auto_field', ''))}")
    return out


def _summary(doc: dict, t: dict[str, str]) -> list[str]:
    meta, summary = doc["metadata"], doc["summary"]
    keys = ("files_discovered", "files_parsed", "files_not_needed", "files_skipped", "files_failed")
    out = [f"- **{t[key]}**: {summary.get(key, 0)}" for key in keys]
    if meta.get("duration_ms") is not None:
        out.append(f"- **{t['duration']}**: {round(meta['duration_ms'])} ms")
    out.append("")
    out.append(f"- **{t['apps']}**: {summary['apps']}")
    out.append(
        f"- **{t['models']}**: {summary['models']} ({summary['concrete_models']} "
        f"{t['concrete']}, {summary['abstract_models']} {t['abstract']}, "
        f"{summary['proxy_models']} {t['proxy']})"
    )
    counts = _field_counts([m for m in doc["models"] if not m.get("external")])
    out.append(
        f"- **{t['fields']}**: {summary['fields']} ({t['fields_breakdown'].format(**counts)})"
    )
    out.append(f"- **{t['declared_fields']}**: {counts['declared']} ({t['declared_breakdown']})")
    rels = summary["relationships"]
    declared = counts["rel_declared"]
    breakdown = t["rels_breakdown"].format(declared=declared, other=rels - declared)
    out.append(f"- **{t['relationships']}**: {rels} ({breakdown})")
    out.append(f"- **{t['all_fields']}**: {summary['fields'] + rels} ({t['all_breakdown']})")
    return out


def _field_counts(models: list[dict]) -> dict[str, int]:
    """Non-relation fields by origin, and declared relations."""
    counts = dict.fromkeys(("declared", "inherited", "parent", "implicit", "rel_declared"), 0)
    for m in models:
        for f in m["fields"]:
            if f.get("relation"):
                counts["rel_declared"] += f.get("origin") == "declared"
            elif f.get("origin") in counts:
                counts[f["origin"]] += 1
    return counts


def _diagrams(w: _Writer, doc: dict, options: RenderOptions, t: dict[str, str]) -> None:
    try:
        from djatlas.render.mermaid import mermaid_blocks
    except ImportError:
        return
    blocks = mermaid_blocks(doc, options)
    if not blocks:
        return
    w.heading(2, t["diagrams_h"])
    for title, source in blocks:
        w.heading(3, plain(title))
        w.lines += ["```mermaid", source.rstrip("\n"), "```", ""]


def _kind(m: dict, t: dict[str, str]) -> str:
    if m["abstract"]:
        return t["kind_abstract"]
    if m["proxy"]:
        return f"{t['kind_proxy']} {code(m.get('concrete_model') or '?')}"
    if m["parents"]:
        return f"{t['kind_mti']} " + ", ".join(code(p) for p in m["parents"])
    if m.get("generated_by"):
        return f"{t['kind_concrete']}, {t['kind_generated']} {code(m['generated_by'])}"
    return t["kind_concrete"]


def _properties(m: dict, t: dict[str, str]) -> list[str]:
    lines = [
        f"**{t['label']}**: {code(m['label'])}",
        f"**{t['kind']}**: {_kind(m, t)}",
        f"**{t['module']}**: {code(m['module'])}",
        f"**{t['file']}**: {t['external']} ({m.get('origin')})"
        if m.get("external")
        else f"**{t['file']}**: {code(str(m['file']) + ':' + str(m['line']))}",
    ]
    bases = []
    for b in m["bases"]:
        if b["resolved"] and b["resolved"] != b["name"]:
            bases.append(f"{code(b['name'])} → {code(b['resolved'])} ({b['origin']})")
        else:
            bases.append(f"{code(b['name'])} ({b['origin']})")
    lines.append(f"**{t['bases']}**: {', '.join(bases) if bases else '-'}")
    if m.get("db_table"):
        lines.append(f"**{t['table']}**: {code(m['db_table'])}")
    if m.get("docstring"):
        lines.append(f"**{t['description']}**: {plain(m['docstring'])}")
    # Two trailing spaces: a line break inside the paragraph (not after its last line).
    return [line + "  " for line in lines[:-1]] + [lines[-1], ""]


def _model(w: _Writer, m: dict, t: dict[str, str], paths: dict[str, dict]) -> list[str]:
    out = _properties(m, t)
    plain_fields = [f for f in m["fields"] if not f.get("relation")]
    rel_fields = [f for f in m["fields"] if f.get("relation")]
    if plain_fields:
        w.anchors.make(t["fields_h"])
        out += [
            f"{w.sub} {t['fields_h']}",
            "",
            f"| {t['field_name']} | {t['type']} | {t['line']} | {t['parameters']} |",
            "|---|---|---|---|",
        ]
        for f in plain_fields:
            out.append(
                f"| {_field_name(f, t, paths)} | {_type(f)} | {_line(f, m, t, paths)} | "
                f"{params_text(f['params'])} |"
            )
        out.append("")
    if rel_fields:
        w.anchors.make(t["relationships_h"])
        out += _relationships(m, rel_fields, t, paths, w.sub)
    if m.get("reverse_relations"):
        out += _reverse(w, m["reverse_relations"], t)
    if m.get("meta"):
        out += _meta(w, m, t, paths)
    out += ["---", ""]
    return out


def _reverse(w: Any, entries: list[dict], t: dict[str, str]) -> list[str]:
    """The model's own reverse relations as a table; those it lists through another model (its
    concrete model or proxies, its parents) as one line per model, by accessor name."""
    w.anchors.make(t["reverse_h"])
    out = [f"{w.sub} {t['reverse_h']}", ""]
    own = [r for r in entries if not r.get("via")]
    if own:
        out += [
            f"| {t['accessor']} | {t['from']} | {t['field']} | {t['type']} |",
            "|---|---|---|---|",
        ]
        rows: dict[tuple, int] = {}  # (a generic relation's copies: one row, counted)
        for r in own:
            key = (r["name"], r["model"], r["field"], r["kind"], r["hidden"])
            rows[key] = rows.get(key, 0) + 1
        for (name, model, field, kind, hidden), count in rows.items():
            notes = [t["hidden"]] if hidden else []
            notes += [f"×{count}"] if count > 1 else []
            accessor = code(name) + (f" ({', '.join(notes)})" if notes else "")
            out.append(f"| {accessor} | {code(model)} | {code(field)} | {kind} |")
        out.append("")
    through: dict[str, list[str]] = {}
    for r in entries:
        if r.get("via"):
            through.setdefault(r["via"], []).append(r["name"])
    for via, names in sorted(through.items()):
        listed = ", ".join(code(n) for n in sorted(names))
        out += [t["reverse_via"].format(via=code(via), names=listed), ""]
    return out


def _relationships(
    m: dict, rel_fields: list[dict], t: dict[str, str], paths, sub: str = "####"
) -> list[str]:
    out = [
        f"{sub} {t['relationships_h']}",
        "",
        f"| {t['field']} | {t['type']} | {t['target']} | {t['related_name']} | "
        f"{t['on_delete']} | {t['line']} | {t['parameters']} |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in rel_fields:
        r = f["relation"]
        if r["target"]:
            target = code(r["target"])
        else:
            target = f"{code(r['target_raw'] or '?')} ({t['unresolved']})"
        if r["target"] and r.get("target_raw") and r["target_raw"].strip("'\"") != r["target"]:
            target += f" ← {code(r['target_raw'])}"
        if r.get("through"):
            target += f" (through {code(r['through'])})"
        shown = {k: v for k, v in f["params"].items() if k not in _IN_COLUMNS}
        out.append(
            f"| {_field_name(f, t, paths)} | {_type(f)} | {target} | "
            f"{code(r['related_name']) if r.get('related_name') else '-'} | "
            f"{code(r['on_delete']) if r.get('on_delete') else '-'} | {_line(f, m, t, paths)} | "
            f"{params_text(shown)} |"
        )
    return out + [""]


#: Relation parameters shown in their own columns.
_IN_COLUMNS = ("to", "on_delete", "related_name")


def _type(f: dict) -> str:
    """The field class as written, with the Django field it is built on when that differs."""
    written = code(f["type"])
    base = f.get("django_type")
    if base and str(f["type"]).rsplit(".", 1)[-1] != base:
        written += f" ({code(base)})"
    return written


def _owner_name(path: str | None, paths: dict[str, dict]) -> str:
    """A defining class as its label when it is in the report, else its dotted path."""
    owner = paths.get(path or "")
    return owner["label"] if owner else (path or "")


def _field_name(f: dict, t: dict[str, str], paths: dict[str, dict]) -> str:
    name = plain(f["name"])
    origin = f.get("origin")
    if origin == "inherited":
        return f"{name} *({t['inherited']}: {plain(_owner_name(f['defined_in'], paths))})*"
    if origin == "implicit":
        return f"{name} *({t['implicit']})*"
    if origin == "parent":
        return f"{name} *({t['parent']})*"
    return name


def _line(f: dict, m: dict, t: dict[str, str], paths: dict[str, dict]) -> str:
    """The field's line; ``file:line`` when it is written in another file than the model."""
    line = f.get("line")
    if not line:
        return "-"
    defined_in = f.get("defined_in")
    if f.get("origin") == "declared" or not defined_in:
        return str(line)
    owner = paths.get(defined_in)
    if owner is None:
        return f"{line} {t['in']} {code(defined_in.rsplit('.', 1)[0])}"
    if owner["file"] != m["file"]:
        return code(f"{owner['file']}:{line}")
    return str(line)


def _meta(w: _Writer, m: dict, t: dict[str, str], paths: dict[str, dict]) -> list[str]:
    """Meta Options; options copied from a parent's Meta say where they come from."""
    source = m.get("meta_inherited_from")
    owner = paths.get(source or "")
    inherited: set[str] = set()
    title = t["meta_h"]
    if source and owner is not None:
        parent_meta = owner.get("meta") or {}
        inherited = {k for k, v in m["meta"].items() if k in parent_meta and parent_meta[k] == v}
        if inherited == set(m["meta"]):
            title += f" ({t['meta_from']} {code(owner['label'])})"
            inherited = set()
    elif source:
        title += f" ({t['meta_some']} {code(source)})"
    w.anchors.make(title)
    out = [f"{w.sub} {title}", "", f"| {t['option']} | {t['value']} |", "|---|---|"]
    for k, v in m["meta"].items():
        name = plain(k)
        if k in inherited:
            name += f" *({t['meta_from']} {plain(owner['label'])})*"
        out.append(f"| {name} | {code(value_text(v))} |")
    return out + [""]


#: Skip reasons listed by count and examples (routine folders the user did not name).
_ROUTINE = "default exclude"
_EXAMPLES = 5


def _files(w: _Writer, doc: dict, t: dict[str, str]) -> None:
    failed = [f for f in doc["files"] if f["status"] == "failed"]
    skipped = [f for f in doc["files"] if f["status"] == "skipped"]
    if not failed and not skipped:
        return
    w.heading(2, t["files_h"])
    if failed:
        w.heading(3, t["failed_h"])
        w.lines += [f"| {t['file']} | {t['reason']} |", "|---|---|"]
        for f in failed:
            where = f["path"] + (f":{f['line']}" if f.get("line") else "")
            w.lines.append(f"| {code(where)} | {plain(f['reason'] or '')} |")
        w.lines.append("")
    if skipped:
        w.heading(3, t["skipped_h"])
        groups: dict[str, list[str]] = {}
        for f in skipped:
            groups.setdefault(f["reason"] or "", []).append(f["path"])
        w.lines += [f"| {t['reason']} | {t['count']} | {t['examples']} |", "|---|---|---|"]
        for reason in sorted(groups):
            paths = groups[reason]
            shown = paths[:_EXAMPLES] if reason.startswith(_ROUTINE) else paths
            cell = ", ".join(code(p) for p in shown)
            if len(shown) < len(paths):
                cell += f" … {t['and']} {len(paths) - len(shown)} {t['more']}"
            w.lines.append(f"| {plain(reason)} | {len(paths)} | {cell} |")
        w.lines.append("")


def _diagnostics(w: _Writer, doc: dict, t: dict[str, str]) -> None:
    """One row per distinct (severity, code, message), with its count and every place."""
    rows = [d for d in doc["diagnostics"] if d["code"] != "DJA110"]
    if not rows:
        return
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for d in rows:
        groups.setdefault((d["severity"], d["code"], _message_shape(d)), []).append(d)
    w.heading(2, t["diagnostics_h"])
    w.lines += [
        f"| {t['severity']} | {t['code']} | {t['count']} | {t['message']} | {t['where']} |",
        "|---|---|---|---|---|",
    ]
    rank = {"error": 0, "warning": 1, "info": 2}
    ordered = sorted(groups.items(), key=lambda kv: (rank.get(kv[0][0], 3), kv[0][1]))
    for (severity, dcode, message), items in ordered:
        w.lines.append(
            f"| {severity} | {dcode} | {len(items)} | {plain(message)} | {_places(items)} |"
        )
    w.lines.append("")


def _message_shape(d: dict) -> str:
    """The message with its model's class name as ``<model>``: the same problem on many models
    is one row (the places say which)."""
    message = d["message"]
    name = (d.get("model") or "").rsplit(".", 1)[-1]
    if name and re.search(rf"\b{re.escape(name)}\b", message):
        return re.sub(rf"\b{re.escape(name)}\b", "<model>", message)
    return message


def _places(items: list[dict]) -> str:
    """``file``: line, line; … — every place of a diagnostic group, by file."""
    by_file: dict[str, list[str]] = {}
    for d in items:
        if d.get("file"):
            lines = by_file.setdefault(d["file"], [])
            if d.get("line"):
                lines.append(str(d["line"]))
    if not by_file:
        return "-"
    return "; ".join(
        code(path) + (": " + ", ".join(lines) if lines else "") for path, lines in by_file.items()
    )
