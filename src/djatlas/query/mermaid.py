"""``djatlas impact --format mermaid``: a flowchart of what one delete reaches."""

from __future__ import annotations

from typing import Any

from djatlas.render.mermaid import entity_id

_ARROWS = {
    "cascade": "-->",
    "set_null": "-.->",
    "set_default": "-.->",
    "set": "-.->",
    "protect": "--x",
    "restrict": "--x",
    "do_nothing": "-.-",
}


def _node(label: str) -> str:
    return f'{entity_id(label)}["{label}"]'


def impact_mermaid(result: dict[str, dict[str, Any]]) -> str:
    """One ``flowchart LR`` for all asked models; edges labelled ``field ACTION``."""
    out = ["flowchart LR"]
    nodes: list[str] = []
    edges: list[str] = []
    for root, item in result.items():
        reached = {tuple(item["paths"][m]): m for m in item["cascade"]}
        nodes.append(root)
        for category, arrow in _ARROWS.items():
            for entry in item[category]:
                chain = item["paths"].get(entry) or []
                source = reached.get(tuple(chain[:-1]), root)
                target = entry if category == "cascade" else entry.rpartition(".")[0]
                field = (chain[-1] if chain else entry).rpartition(".")[2]
                nodes.append(target)
                action = category.upper()
                edges.append(
                    f'    {entity_id(source)} {arrow}|"{field} {action}"| {entity_id(target)}'
                )
    seen: set[str] = set()
    for label in nodes:
        if label not in seen:
            seen.add(label)
            out.append(f"    {_node(label)}")
    out.extend(dict.fromkeys(edges))
    for root in result:
        out.append(f"    style {entity_id(root)} stroke-width:3px")
    return "\n".join(out) + "\n"
