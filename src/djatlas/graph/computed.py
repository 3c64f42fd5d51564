"""Values a bundled field class computes where no summary can follow (in ``__init__`` branches,
``max(...)`` over a package's data, fields added by ``contribute_to_class``).

The bundled knowledge records them as Django's ``_meta`` gives them under default settings
(``knowledge/computed.json``, probed by ``scripts/probe_fields.py`` when the knowledge is
generated). They apply only to classes read from the knowledge: the environment's package is
then the bundled release, or is absent.
"""

from __future__ import annotations

from djatlas.resolve.index import ProjectIndex
from djatlas.resolve.values import ORIGIN_ENV, ORIGIN_KNOWLEDGE, ClassValue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


def facts_of(index: ProjectIndex, cls: object) -> dict | None:
    """The computed facts of field class ``cls`` (or of its nearest bundled base that has some).
    A class read from the environment (another version of the package, maybe) takes only the
    fields it ``adds`` (``contribute_to_class`` makes them: its source says nothing djatlas
    reads); its values are read from its own ``__init__``."""
    if index.knowledge is None or not isinstance(cls, ClassValue):
        return None
    for c in index.mro(cls):
        if not isinstance(c, ClassValue):
            continue
        if c.origin == ORIGIN_KNOWLEDGE:
            facts = index.knowledge.computed(c.path)
            if facts is not None:
                return facts
        elif c.origin == ORIGIN_ENV:
            facts = index.knowledge.computed(c.path)
            if facts is not None and facts.get("adds"):
                return {"adds": facts["adds"]}
    return None


def apply_values(
    facts: dict, params: dict[str, Any], eff: dict[str, Any], forced: set[str]
) -> None:
    """Set the computed keyword values in ``eff``: forced ones always, the others when the call
    does not pass them; a variant (``when``) applies when the call passes its flags."""
    values = dict(facts.get("values") or {})
    for variant in facts.get("when") or []:
        flags = variant.get("kwargs") or {}
        if flags and all(params.get(k) == v for k, v in flags.items()):
            values.update(variant.get("values") or {})
    always = set(facts.get("forced") or ())
    for key, value in values.items():
        if key in always:
            eff[key] = value
            forced.add(key)
        elif key not in params:
            eff[key] = value
