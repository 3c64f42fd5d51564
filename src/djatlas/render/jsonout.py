"""JSON renderer: the report document itself."""

from __future__ import annotations

import json
from typing import Any

from djatlas.render import RenderOptions


def dumps(doc: Any) -> str:
    """Deterministic, valid JSON for any string (lone surrogates escaped)."""
    try:
        text = _indent2(doc)
    except (TypeError, ValueError, RecursionError):  # let json raise its own error
        text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False)
    try:
        text.encode("utf-8")  # no lone surrogates (the usual case): no re-decoding
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text + "\n"


_FLOAT = float.__repr__
_INT = int.__repr__


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return _FLOAT(o)


_INF = float("inf")


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, float):
        return _float(k)
    if isinstance(k, int):
        return _INT(k)
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


def _indent2(doc: Any) -> str:
    """Exactly ``json.dumps(doc, ensure_ascii=False, indent=2)``, about twice as fast (the
    stdlib's C encoder does not indent; its Python one walks generators)."""
    from json.encoder import encode_basestring as string  # the C function when available

    out: list[str] = []
    add = out.append
    pads = ["\n"]

    def scalar(o: Any) -> str | None:
        if isinstance(o, str):
            return string(o)
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if isinstance(o, int):
            return _INT(o)
        if isinstance(o, float):
            return _float(o)
        return None

    keys: dict[str, str] = {}  # str key -> its text and ": " (a report repeats a few dozen)

    def key(k: Any) -> str:
        if type(k) is str:
            e = keys[k] = string(k) + ": "
            return e
        return string(_key(k)) + ": "

    def enc(o: Any, level: int) -> None:
        # Exact types first (all of a report): one type() test instead of isinstance chains.
        t = type(o)
        if t is dict or (t is not list and t is not tuple and isinstance(o, dict)):
            if not o:
                add("{}")
                return
            level += 1
            while len(pads) <= level:
                pads.append("\n" + "  " * len(pads))
            pad = pads[level]
            sep = "{" + pad
            for k, v in o.items():
                kt = keys.get(k) or key(k)  # a str key is never equal to another type's
                tv = type(v)
                if tv is str:
                    add(sep + kt + string(v))
                elif v is None:
                    add(sep + kt + "null")
                elif tv is int:
                    add(sep + kt + _INT(v))
                elif v is True:
                    add(sep + kt + "true")
                elif v is False:
                    add(sep + kt + "false")
                elif tv is dict or tv is list:
                    add(sep + kt)
                    enc(v, level)
                else:
                    s = scalar(v)
                    if s is not None:
                        add(sep + kt + s)
                    else:
                        add(sep + kt)
                        enc(v, level)
                sep = "," + pad
            add(pads[level - 1] + "}")
        elif t is list or t is tuple or isinstance(o, (list, tuple)):
            if not o:
                add("[]")
                return
            level += 1
            while len(pads) <= level:
                pads.append("\n" + "  " * len(pads))
            pad = pads[level]
            sep = "[" + pad
            for v in o:
                tv = type(v)
                if tv is str:
                    add(sep + string(v))
                elif tv is dict or tv is list:
                    add(sep)
                    enc(v, level)
                else:
                    s = scalar(v)
                    if s is not None:
                        add(sep + s)
                    else:
                        add(sep)
                        enc(v, level)
                sep = "," + pad
            add(pads[level - 1] + "]")
        else:
            s = scalar(o)
            if s is None:
                raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")
            add(s)

    enc(doc, 0)
    return "".join(out)


def render(doc: dict, options: RenderOptions) -> str:
    return dumps(doc)
