"""JSON renderer: the report document itself."""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _string  # the C function when available

from djatlas.graph.types import field_names, plain
from djatlas.render import RenderOptions

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


def render(doc: dict, options: RenderOptions) -> bytes:
    """The document as UTF-8 JSON (encoded here once: the caller writes bytes). ``doc`` may
    hold typed report objects (``Report.document``)."""
    text = _text(doc) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escaped
        return text.encode("utf-8", "backslashreplace")


def dumps(doc: Any) -> str:
    """Deterministic, valid JSON for any string (lone surrogates escaped). ``doc`` may hold the
    report's typed objects (graph/types.py): each is written as ``to_dict`` would give it."""
    text = _text(doc)
    try:
        text.encode("utf-8")  # no lone surrogates (the usual case): no re-decoding
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text + "\n"


def _text(doc: Any) -> str:
    """``json.dumps(doc, ensure_ascii=False, indent=2)``, typed report objects as their dicts."""
    try:
        return _indent2(doc)
    except (TypeError, ValueError, RecursionError):  # let json raise its own error
        return json.dumps(doc, ensure_ascii=False, indent=2, default=_typed)


def _typed(obj: Any) -> Any:
    """``json.dumps``'s ``default``: a report object as its plain dict."""
    if field_names(type(obj)) is None:
        raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")
    return plain(obj)


_FLOAT = float.__repr__
_INT = int.__repr__
_INF = float("inf")


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return _FLOAT(o)


def _key(k: Any) -> str:
    """A key as ``json.dumps`` writes it (before quoting): str as is, other scalars as JSON."""
    if isinstance(k, str):
        return k
    if k is None or isinstance(k, (int, float)):  # bool is an int
        return _scalar(k)
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


def _scalar(o: Any) -> str:
    """The JSON text of a scalar of any type (str, int and float subclasses included)."""
    if isinstance(o, str):
        return _string(o)
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
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


def _indent2(doc: Any) -> str:
    """Exactly ``json.dumps(doc, ensure_ascii=False, indent=2)``, about twice as fast (the
    stdlib's C encoder does not indent; its Python one walks generators). A typed report
    object is written as its ``to_dict`` form, straight from its ``__dict__``.

    Measured fast forms: one closure (a call per container, none per item); exact types tested
    first (all of a report); each key's whole prefix (separator, newline, indent, key and
    ``": "``) is one string cached per level and looked up at C speed (``map``), so an item
    is one concatenation and one append."""
    out: list[str] = []
    add = out.append
    pads = ["\n"]
    prefixes: list[_Prefixes] = [_Prefixes("\n")]  # per level
    typed: dict[type, tuple[str, ...] | None] = {}  # class -> its field names (None: not one)

    def enc(o: Any, level: int) -> None:
        t = type(o)
        inner = level + 1
        while len(pads) <= inner:
            pads.append("\n" + "  " * len(pads))
            prefixes.append(_Prefixes(pads[-1]))
        if t is list or t is tuple:
            return sequence(o, level)
        if t is dict:
            items = zip(map(prefixes[inner].__getitem__, o), o.values())
        else:
            names = typed.get(t, ())
            if names == ():
                names = typed[t] = field_names(t)
            if names is not None:  # a report object: its fields in order
                state = getattr(o, "__dict__", None)
                if state is None or tuple(state) != names:
                    state = {name: getattr(o, name) for name in names}
                items = zip(map(prefixes[inner].__getitem__, names), state.values())
            elif isinstance(o, dict):
                items = zip(map(prefixes[inner].__getitem__, o), o.values())
            elif isinstance(o, (list, tuple)):
                return sequence(o, level)
            else:
                return add(_scalar(o))
        start = len(out)
        for kt, v in items:
            tv = type(v)
            if tv is str:
                add(kt + _string(v))
            elif v is None:
                add(kt + "null")
            elif tv is int:
                add(kt + _INT(v))
            elif v is True:
                add(kt + "true")
            elif v is False:
                add(kt + "false")
            else:
                add(kt)
                enc(v, inner)
        if len(out) == start:
            add("{}")
        else:
            out[start] = "{" + out[start][1:]
            add(pads[level] + "}")

    def sequence(o: list | tuple, level: int) -> None:
        if not o:
            return add("[]")
        inner = level + 1
        start = len(out)
        sep = "," + pads[inner]
        for v in o:
            tv = type(v)
            if tv is str:
                add(sep + _string(v))
            elif v is None:
                add(sep + "null")
            elif tv is int:
                add(sep + _INT(v))
            else:
                add(sep)
                enc(v, inner)
        out[start] = "[" + out[start][1:]
        add(pads[level] + "]")

    enc(doc, 0)
    return "".join(out)


class _Prefixes(dict):
    """key -> its prefix at one level: ``","``, newline and indent, key text, ``": "``."""

    def __init__(self, pad: str) -> None:
        super().__init__()
        self.pad = pad

    def __missing__(self, k: Any) -> str:
        text = "," + self.pad + _string(_key(k)) + ": "
        if type(k) is str:  # a str key is never equal to another type's
            self[k] = text
        return text
