"""YAML renderer: the same content as the JSON document, in block-style YAML 1.2."""

from __future__ import annotations

import json
import re
from typing import Any

from djatlas.render import RenderOptions

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
#: Characters YAML reads as line breaks or does not allow unescaped (C1 controls, U+2028, ...).
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_RESERVED = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"})


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    quoted = json.dumps(text, ensure_ascii=False).encode("utf-8", "backslashreplace").decode()
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)


def _key(key: str) -> str:
    return _scalar(key)


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{_key(k)}:")
                _emit(v, indent + 1, out)
            else:
                out.append(f"{pad}{_key(k)}: {_inline(v)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                first = True
                for k, v in item.items():
                    lead = f"{pad}- " if first else f"{pad}  "
                    first = False
                    if isinstance(v, (dict, list)) and v:
                        out.append(f"{lead}{_key(k)}:")
                        _emit(v, indent + 2, out)
                    else:
                        out.append(f"{lead}{_key(k)}: {_inline(v)}")
            elif isinstance(item, list) and item:
                out.append(f"{pad}-")
                _emit(item, indent + 1, out)
            else:
                out.append(f"{pad}- {_inline(item)}")


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "{}"
            if not value
            else "{" + ", ".join(f"{_key(k)}: {_inline(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return _scalar(value)


def render(doc: dict, options: RenderOptions) -> str:
    out: list[str] = []
    _emit(doc, 0, out)
    return "\n".join(out) + "\n"
