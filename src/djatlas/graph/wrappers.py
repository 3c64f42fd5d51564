"""Fields a call makes from the field it is given.

- django-translated-fields' ``TranslatedField(field, specific, languages=...)``: one copy of
  the field per language, ``<name>_<code>`` (lowercased, runs of other characters than
  ``a-z0-9_`` as ``_``), with the language's ``specific`` keywords (and up to 0.15 the
  field's ``verbose_name``, else ``<name>``: ``writes_verbose_name``), at the position of the
  ``TranslatedField`` (it reserves their creation counters); the languages are ``languages``
  or the codes of the project's ``LANGUAGES``. ``<name>`` itself is no field (a descriptor).
  ``TranslatedFieldWithFallback`` makes every language but the first ``blank=True``.
- A function of the project or of its environment that makes a field from the one it is given
  (ralph's ``NUMP(models.TextField(...))``, django-cryptography's ``encrypt(...)``): it builds a
  subclass of the given field's class at run time (``type(...)``) and returns an instance made
  with the given field's arguments (its ``deconstruct()``), which djatlas does not follow: the
  field is taken as the one it is given, and its model says so in ``incomplete_reasons``.
- A call djatlas cannot read at all given a field first: no field is guessed; the model says
  that a field may be missing.
"""

from __future__ import annotations

import re

from djatlas.graph.constants import is_expr
from djatlas.parse.reader import ReadError, parse
from djatlas.parse.summary import Arg, Call
from djatlas.parse.visitor import summarize
from djatlas.resolve.values import ClassValue, External

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.resolve.index import ProjectIndex

#: django-translated-fields' field class, as imported from the package or its module.
TRANSLATED = frozenset(
    {"translated_fields.TranslatedField", "translated_fields.fields.TranslatedField"}
)
#: Its subclass that makes every language but the first ``blank=True``.
WITH_FALLBACK = frozenset(
    {
        "translated_fields.TranslatedFieldWithFallback",
        "translated_fields.utils.TranslatedFieldWithFallback",
    }
)


def wrapped_call(call: Call) -> Call | None:
    """The call of the field a class-body call is given first, read from its source text;
    None when the first argument is no call."""
    return argument_call(call, 0)


def argument_call(call: Call, position: int) -> Call | None:
    """The call given as positional argument ``position`` of ``call``, read from its source
    text; None when that argument is no call."""
    if len(call.args) <= position:
        return None
    first = call.args[position]
    if first.call is None or not is_expr(first.value):
        return None
    source = str(first.value["$expr"])
    text = f"class Wrapped:\n    field = (\n{source}\n)\n".encode()
    try:
        parsed = parse(text, "<wrapped field>")
    except ReadError:
        return None
    summary = summarize(parsed.tree, parsed.text, "wrapped", "<wrapped field>", False)
    cls = summary.classes.get("Wrapped")
    members = cls.members if cls is not None else []
    value = members[0].value if members else None
    return value.call if value is not None and value.kind == "call" else None


def is_translated(index: ProjectIndex, func: object) -> bool:
    """Whether a class-body call's callee is django-translated-fields' ``TranslatedField``
    (a subclass too), read or not."""
    return bool(_translated_paths(index, func) & (TRANSLATED | WITH_FALLBACK))


def with_fallback(index: ProjectIndex, func: object) -> bool:
    """Whether it is ``TranslatedFieldWithFallback`` (or a subclass)."""
    return bool(_translated_paths(index, func) & WITH_FALLBACK)


def _translated_paths(index: ProjectIndex, func: object) -> set[str]:
    """The class paths along ``func``'s MRO (asked for the few class-body calls that are no
    field, or a field class djatlas did not find)."""
    if isinstance(func, External):
        return {func.path}
    if isinstance(func, ClassValue):
        return {c.path for c in index.mro(func) if isinstance(c, (ClassValue, External))}
    return set()


def languages(call: Call) -> list[str] | None | Any:
    """The ``languages=`` a TranslatedField is given: a list of codes, None when not given,
    or the Arg as written (not known statically)."""
    arg = call.kwargs.get("languages")
    if arg is None:
        return None
    value = arg.value
    if isinstance(value, list) and all(isinstance(c, str) for c in value):
        return value
    return arg


def specific(call: Call, codes: list[str], fallback: bool) -> dict[str, dict[str, Any]] | None:
    """The per-language keywords a TranslatedField is given (``specific``, or its second
    positional argument; ``blank=True`` for all languages but the first when ``fallback``),
    None when not known statically."""
    arg = call.kwargs.get("specific") or (call.args[1] if len(call.args) > 1 else None)
    value = {} if arg is None or arg.value is None else arg.value
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        return None
    out = {code: dict(kwargs) for code, kwargs in value.items()}
    for code in codes[1:] if fallback else ():
        out.setdefault(code, {})["blank"] = True
    return out


def writes_verbose_name(index: ProjectIndex) -> bool:
    """Whether a copy is made with ``verbose_name`` (the field's, else ``<name>``), which its
    ``deconstruct()`` then writes: up to 0.15; 0.16 copies the field and sets the attribute
    only. The environment's version decides; none installed, the older behaviour."""
    mod = index.environment_module("translated_fields")
    value = mod.summary.assigns.get("__version__") if mod is not None else None
    text = value.value if value is not None and value.kind == "literal" else None
    if not isinstance(text, str):
        return True
    parts = [int(p) if p.isdigit() else 0 for p in text.split(".")[:2]]
    return parts < [0, 16]


def attribute(name: str, code: str) -> str:
    """``translated_fields.to_attribute``: the field of one language."""
    return re.sub(r"[^a-z0-9_]+", "_", f"{name}_{code}".lower())


def with_keywords(call: Call, keywords: dict[str, Any]) -> Call:
    """``call`` with literal keywords set (a language's ``specific`` ones)."""
    if not keywords:
        return call
    kwargs = {**call.kwargs, **{k: Arg(v) for k, v in keywords.items()}}
    return Call(call.func, list(call.args), kwargs, call.source)


def taken_reason(name: str, wrapper: Call, given: Call) -> str:
    """The model's ``incomplete_reasons`` entry for a field taken as the one it is given."""
    return (
        f"field {name}: made by {wrapper.func}(...), which djatlas does not follow; "
        f"taken as the {given.func.rpartition('.')[2]} it is given"
    )


def unknown_reason(name: str, call: Call) -> str:
    """The incomplete reason of a class-body call whose callee djatlas cannot know."""
    written = call.source or call.func
    return f"{name} = {written}(...): {call.func} is not known statically; it may be a field"


def missing_reason(name: str, wrapper: Call) -> str:
    """The entry for a call given a field that djatlas cannot read at all."""
    return f"{name} = {wrapper.func}(...) is given a field; djatlas cannot read what it makes"
