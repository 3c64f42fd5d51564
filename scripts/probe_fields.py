"""Probe field classes at run time, for ``scripts/gen_knowledge.py`` (run in the packages' own
environment, never by djatlas on a scanned project).

Reads ``{"apps": [...], "defaults": module or null, "classes": [{"path", "keys", "flags",
"adds"}]}`` as JSON on stdin, boots Django with those apps (default settings otherwise, plus the
package's own defaults module's) and writes, per class it could
instantiate, what Django's ``_meta`` would say where the source computes a value in branches:

- ``values``: the value of each key in ``keys`` (``max_length``, ``to`` as a label, ...) when the
  field is created without it; ``forced``: the keys whose value stays the same when one is passed;
- ``when``: the values that change when one boolean flag the ``__init__`` pops (``multiple``) is
  passed as True;
- ``adds``: the fields ``contribute_to_class`` adds to the model (``{name}`` stands for the
  field's own name), with their class, deconstructed keyword arguments, their ``position``
  (``before`` or ``after`` the field, or ``last``: after the fields of the class body), and the
  owner's keywords they copy (``null``), and ``from_call``: added keyword -> the owner's own
  ``__init__`` keyword whose value it takes (django-money: ``default`` <- ``default_currency``).
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys

import django
from django.conf import settings

PROBE_APP = "djatlas_probe"
#: The probed field's name in the probe model (``{name}`` in the names of added fields).
NAME = "probedfield"
#: A field declared after it: fields added after all declared ones come after this one.
LATER = "zzlater"
#: A value unlike any default, to see whether a keyword is forced.
OTHER = {"max_length": 7, "to": "auth.Group"}


def main() -> int:
    request = json.load(sys.stdin)
    defaults = request.get("defaults")
    extra = {}
    if defaults:
        module = importlib.import_module(defaults)
        extra = {k: getattr(module, k) for k in dir(module) if k.isupper()}
    settings.configure(
        **extra,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", *request["apps"]],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
        SECRET_KEY="probe",
        STATIC_URL="static/",
    )
    django.setup()
    out = {}
    for spec in request["classes"]:
        try:
            facts = probe(spec)
        except Exception as error:  # noqa: BLE001 - one class the probe cannot build
            print(f"{spec['path']}: not probed: {error}", file=sys.stderr)
            continue
        if facts:
            out[spec["path"]] = facts
    json.dump(out, sys.stdout, sort_keys=True)
    return 0


def load(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def make(cls: type, **kwargs):
    """An instance, with ``on_delete`` for relations; None when the class needs more."""
    from django.db import models

    if issubclass(cls, models.ForeignObject):
        kwargs.setdefault("on_delete", models.CASCADE)
    try:
        return cls(**kwargs)
    except Exception:  # noqa: BLE001 - a class that needs arguments is left to the source
        return None


def read(field, key: str):
    if key == "to":
        model = field.remote_field.model if field.remote_field else None
        return (
            model
            if isinstance(model, str)
            else getattr(getattr(model, "_meta", None), "label", None)
        )
    value = getattr(field, key, None)
    return value if isinstance(value, (str, int, float, bool, type(None))) else None


def probe(spec: dict) -> dict:
    cls = load(spec["path"])
    field = make(cls)
    if field is None:
        return {}
    facts: dict = {}
    values = {k: read(field, k) for k in spec["keys"]}
    values = {k: v for k, v in values.items() if v is not None}
    if values:
        facts["values"] = values
        forced = []
        for key in sorted(values):
            other = make(cls, **{key: OTHER.get(key, values[key])})
            if key in OTHER and other is not None and read(other, key) == values[key]:
                forced.append(key)
        if forced:
            facts["forced"] = forced
        when = []
        for flag in spec["flags"]:
            flagged = make(cls, **{flag: True})
            changed = {k: read(flagged, k) for k in values} if flagged is not None else {}
            changed = {k: v for k, v in changed.items() if v != values[k] and v is not None}
            if changed:
                when.append({"kwargs": {flag: True}, "values": changed})
        if when:
            facts["when"] = when
    if spec["adds"]:
        adds = added_fields(cls)
        if adds:
            facts["adds"] = adds
    return facts


_MODELS = iter(range(1 << 30))


def model_with(cls: type, **kwargs):
    """A new probe model holding one field ``cls(**kwargs)``."""
    from django.db import models

    attrs = {
        "__module__": f"{PROBE_APP}.models",
        "Meta": type("Meta", (), {"app_label": PROBE_APP}),
        NAME: make(cls, **kwargs),
        LATER: models.IntegerField(),
    }
    return type(f"Probe{next(_MODELS)}", (models.Model,), attrs)


def added_fields(cls: type) -> list[dict]:
    """Fields other than the probed one and ``id`` that a model with ``probedfield = cls()``
    has."""
    if make(cls) is None:
        return []
    plain, nullable = model_with(cls), model_with(cls, null=True)
    out = []
    names = [f.name for f in plain._meta.local_fields]
    for f in plain._meta.local_fields:
        if f.name in ("id", NAME, LATER):
            continue
        other = nullable._meta.get_field(f.name)
        _, path, _, kwargs = f.deconstruct()
        out.append(
            {
                "name": f.name.replace(NAME, "{name}"),
                "class": path,
                "kwargs": {k: v for k, v in kwargs.items() if _plain(v)},
                "position": _position(names, f.name),
                "copies": ["null"] if other.null != f.null else [],
                "from_call": _from_call(cls, f.name),
            }
        )
    return out


#: A value no default has, to see which added keyword takes an owner's keyword.
MARK = "ZZX"


def _from_call(cls: type, added: str) -> dict[str, str]:
    """Added keyword -> the owner's own ``__init__`` keyword (one Django's Field does not take)
    whose value it takes, found by passing ``MARK`` to each such keyword in turn."""
    from django.db import models

    own = set(inspect.signature(models.Field.__init__).parameters)
    out: dict[str, str] = {}
    for param in inspect.signature(cls.__init__).parameters.values():
        if param.name in own or param.kind is not param.POSITIONAL_OR_KEYWORD:
            continue
        try:
            model = model_with(cls, **{param.name: MARK})
            _, _, _, kwargs = model._meta.get_field(added).deconstruct()
        except Exception:  # noqa: BLE001 - a keyword that takes no string is not probed
            continue
        out.update((k, param.name) for k, v in kwargs.items() if v == MARK)
    return dict(sorted(out.items()))


def _position(names: list[str], name: str) -> str:
    """Where Django puts an added field: before the probed one, right after it, or after every
    field declared in the class body."""
    at = names.index(name)
    if at < names.index(NAME):
        return "before"
    return "last" if at > names.index(LATER) else "after"


def _plain(value) -> bool:
    return isinstance(value, (str, int, float, bool, type(None)))


if __name__ == "__main__":
    raise SystemExit(main())
