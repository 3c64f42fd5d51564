"""Markdown renderer: the seed report's structure, made correct and readable."""

from __future__ import annotations

import json
import re
from typing import Any

from djatlas.render import RenderOptions

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
    },
}


def code(text: str) -> str:
    """A Markdown code span that survives any content (backticks, pipes, newlines) in a table."""
    text = str(text)
    if "\n" in text or "\r" in text or "\u2028" in text or "\u2029" in text:
        text = " ".join(text.split())
    if "\\|" in text:
        # A backslash before a pipe would escape the table's escape; use HTML with entities.
        return "<code>" + plain(text) + "</code>"
    text = text.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plain(text: str) -> str:
    """Free text in a table cell or line: one line, no table breaks, no code spans, no raw HTML."""
    text = " ".join(str(text).split())
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
        return (
            "{"
            + ", ".join(
                f"{json.dumps(k, ensure_ascii=False)}: {value_text(v)}" for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    return json.dumps(value, ensure_ascii=False)


def params_text(params: dict[str, Any]) -> str:
    if not params:
        return ""
    return code(", ".join(f"{k}={value_text(v)}" for k, v in params.items()))


class _Anchors:
    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def make(self, heading: str) -> str:
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower(), flags=re.UNICODE).replace(" ", "-")
        n = self.used.get(slug, 0)
        self.used[slug] = n + 1
        return slug if n == 0 else f"{slug}-{n}"


def render(doc: dict, options: RenderOptions) -> str:
    t = LABELS.get(options.language, LABELS["en"])
    meta, summary = doc["metadata"], doc["summary"]
    out: list[str] = [
        f"# {plain(options.title or meta.get('title') or 'Django Models Analysis')}",
        "",
    ]
    out += [f"## {t['metadata']}", ""]
    tool = doc.get("tool", {})
    out.append(f"- **{t['tool']}**: {tool.get('name', 'djatlas')} {tool.get('version', '')}")
    out.append(f"- **{t['path']}**: {code(meta.get('path', ''))}")
    if meta.get("git_commit"):
        out.append(f"- **{t['commit']}**: {code(meta['git_commit'])}")
    if meta.get("scanned_at"):
        out.append(f"- **{t['scanned_at']}**: {meta['scanned_at']}")
    if meta.get("settings_module"):
        out.append(f"- **{t['settings']}**: {code(meta['settings_module'])}")
    out.append(f"- **{t['auth_user']}**: {code(meta.get('auth_user_model', 'auth.User'))}")
    out.append(f"- **{t['auto_field']}**: {code(meta.get('default_auto_field', ''))}")
    out += ["", f"## {t['summary']}", ""]
    for key in (
        "files_discovered",
        "files_parsed",
        "files_not_needed",
        "files_skipped",
        "files_failed",
    ):
        out.append(f"- **{t[key]}**: {summary.get(key, 0)}")
    if meta.get("duration_ms") is not None:
        out.append(f"- **{t['duration']}**: {round(meta['duration_ms'])} ms")
    out.append("")
    out.append(f"- **{t['apps']}**: {summary['apps']}")
    out.append(
        f"- **{t['models']}**: {summary['models']} ({summary['concrete_models']} "
        f"{t['concrete']}, {summary['abstract_models']} {t['abstract']}, "
        f"{summary['proxy_models']} {t['proxy']})"
    )
    out.append(f"- **{t['fields']}**: {summary['fields']}")
    out.append(f"- **{t['relationships']}**: {summary['relationships']}")
    out.append("")

    anchors = _Anchors()
    for h in (t["metadata"], t["summary"], t["contents"], t["results"]):
        anchors.make(h)
    models = doc["models"]
    model_anchor = {id(m): anchors.make(m["name"]) for m in models}
    if options.diagram:
        out += _diagrams(doc, options)
    if models:
        out += [f"## {t['contents']}", ""]
        by_app: dict[str, list[dict]] = {}
        for m in models:
            by_app.setdefault(m["app_label"], []).append(m)
        for label in sorted(by_app):
            links = ", ".join(
                f"[{plain(m['name'])}](#{model_anchor[id(m)]})"
                for m in sorted(by_app[label], key=lambda m: m["name"])
            )
            out.append(f"- **{plain(label)}** ({len(by_app[label])}): {links}")
        out.append("")
    out += [f"## {t['results']}", ""]
    if not models:
        out += [t["none"], ""]
    for m in models:
        out += _model(m, t)
    out += _files(doc, t)
    out += _diagnostics(doc, t)
    return "\n".join(out).rstrip("\n") + "\n"


def _diagrams(doc: dict, options: RenderOptions) -> list[str]:
    try:
        from djatlas.render.mermaid import mermaid_blocks
    except ImportError:
        return []
    out: list[str] = []
    for title, source in mermaid_blocks(doc, options):
        out += [f"### {plain(title)}", "", "```mermaid", source.rstrip("\n"), "```", ""]
    return out


def _model(m: dict, t: dict[str, str]) -> list[str]:
    out = [f"### {m['name']}", ""]
    if m["abstract"]:
        kind = t["kind_abstract"]
    elif m["proxy"]:
        kind = f"{t['kind_proxy']} {code(m.get('concrete_model') or '?')}"
    elif m["parents"]:
        kind = f"{t['kind_mti']} " + ", ".join(code(p) for p in m["parents"])
    else:
        kind = t["kind_concrete"]
    lines = [
        f"**{t['label']}**: {code(m['label'])}",
        f"**{t['kind']}**: {kind}",
        f"**{t['module']}**: {code(m['module'])}",
        f"**{t['file']}**: {code(str(m['file']) + ':' + str(m['line']))}",
        f"**{t['line']}**: {m['line']}",
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
    out += [line + "  " for line in lines]
    if m.get("docstring"):
        out[-1] = out[-1]
        out.append(f"**{t['description']}**: {plain(m['docstring'])}")
    out.append("")
    plain_fields = [f for f in m["fields"] if not f.get("relation")]
    rel_fields = [f for f in m["fields"] if f.get("relation")]
    if plain_fields:
        out += [
            f"#### {t['fields_h']}",
            "",
            f"| {t['field_name']} | {t['type']} | {t['line']} | {t['parameters']} |",
            "|---|---|---|---|",
        ]
        for f in plain_fields:
            out.append(
                f"| {_field_name(f, t)} | {code(f['type'])} | {f['line'] or '-'} | "
                f"{params_text(f['params'])} |"
            )
        out.append("")
    if rel_fields:
        out += [
            f"#### {t['relationships_h']}",
            "",
            f"| {t['field']} | {t['type']} | {t['target']} | {t['related_name']} | "
            f"{t['on_delete']} | {t['line']} | {t['parameters']} |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in rel_fields:
            r = f["relation"]
            target = (
                code(r["target"])
                if r["target"]
                else (f"{code(r['target_raw'] or '?')} ({t['unresolved']})")
            )
            if r["target"] and r.get("target_raw") and r["target_raw"].strip("'\"") != r["target"]:
                target += f" ← {code(r['target_raw'])}"
            if r.get("through"):
                target += f" (through {code(r['through'])})"
            shown = {k: v for k, v in f["params"].items() if k not in _IN_COLUMNS}
            out.append(
                f"| {_field_name(f, t)} | {code(f['type'])} | {target} | "
                f"{code(r['related_name']) if r.get('related_name') else '-'} | "
                f"{code(r['on_delete']) if r.get('on_delete') else '-'} | {f['line'] or '-'} | "
                f"{params_text(shown)} |"
            )
        out.append("")
    if m.get("reverse_relations"):
        out += [
            f"#### {t['reverse_h']}",
            "",
            f"| {t['accessor']} | {t['from']} | {t['field']} | {t['type']} |",
            "|---|---|---|---|",
        ]
        for r in m["reverse_relations"]:
            name = code(r["name"]) + (f" ({t['hidden']})" if r["hidden"] else "")
            out.append(f"| {name} | {code(r['model'])} | {code(r['field'])} | {r['kind']} |")
        out.append("")
    if m.get("meta"):
        title = f"#### {t['meta_h']}"
        if m.get("meta_inherited_from"):
            title += f" ({t['meta_from']} {code(m['meta_inherited_from'])})"
        out += [title, "", f"| {t['option']} | {t['value']} |", "|---|---|"]
        for k, v in m["meta"].items():
            out.append(f"| {plain(k)} | {code(value_text(v))} |")
        out.append("")
    out += ["---", ""]
    return out


#: Relation parameters shown in their own columns.
_IN_COLUMNS = ("to", "on_delete", "related_name")


def _field_name(f: dict, t: dict[str, str]) -> str:
    name = plain(f["name"])
    origin = f.get("origin")
    if origin == "inherited":
        return f"{name} *({t['inherited']}: {plain(f['defined_in'] or '')})*"
    if origin == "implicit":
        return f"{name} *({t['implicit']})*"
    if origin == "parent":
        return f"{name} *({t['parent']})*"
    return name


def _files(doc: dict, t: dict[str, str]) -> list[str]:
    rows = [f for f in doc["files"] if f["status"] in ("failed", "skipped")]
    if not rows:
        return []
    out = [
        f"## {t['files_h']}",
        "",
        f"| {t['file']} | {t['status']} | {t['reason']} |",
        "|---|---|---|",
    ]
    for f in rows:
        where = f["path"] + (f":{f['line']}" if f.get("line") else "")
        out.append(f"| {code(where)} | {f['status']} | {plain(f['reason'] or '')} |")
    return out + [""]


def _diagnostics(doc: dict, t: dict[str, str]) -> list[str]:
    rows = [d for d in doc["diagnostics"] if d["code"] != "DJA110"]
    if not rows:
        return []
    out = [
        f"## {t['diagnostics_h']}",
        "",
        f"| {t['severity']} | {t['code']} | {t['where']} | {t['message']} |",
        "|---|---|---|---|",
    ]
    for d in rows:
        where = (
            code(f"{d['file']}:{d['line']}" if d.get("line") else d["file"])
            if d.get("file")
            else "-"
        )
        out.append(f"| {d['severity']} | {d['code']} | {where} | {plain(d['message'])} |")
    return out + [""]
