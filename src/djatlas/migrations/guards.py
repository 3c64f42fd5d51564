"""Guards against false drift where the model graph cannot be complete: before reporting that a
model or field is gone, look for it in the app's source text (a class the report does not
recognise as a model, a class attribute built by a call it does not recognise as a field), and
know the fields libraries add at run time (django-money's ``<name>_currency``, django-simple-
history's ``Historical<Model>``)."""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from itertools import islice
from typing import Any

_HISTORY_FIELDS = {"history_id", "history_date", "history_type"}


class SourceGuard:
    def __init__(self, root: str, doc: dict[str, Any], app_folders: dict[str, str]) -> None:
        self.root = root
        self.doc = doc
        self.app_folders = app_folders  # app label -> package folder (relative)
        self._texts: dict[str, str] = {}
        #: the report's ``.py`` files as (path, position in the report), sorted by path: an
        #: app's files are one range of it.
        self._files = doc.get("files", [])
        self._py = sorted(
            (r["path"], i) for i, r in enumerate(self._files) if r.get("path", "").endswith(".py")
        )

    def _text(self, rel: str) -> str:
        if rel not in self._texts:
            try:
                with open(os.path.join(self.root, rel), "rb") as fh:
                    self._texts[rel] = fh.read().decode("utf-8", "replace")
            except OSError:
                self._texts[rel] = ""
        return self._texts[rel]

    def _app_files(self, app: str) -> list[dict[str, Any]]:
        folder = self.app_folders.get(app)
        if folder is None:
            return []
        prefix = f"{folder}/" if folder else ""
        found = []
        for path, i in islice(self._py, bisect_left(self._py, (prefix, -1)), None):
            if not path.startswith(prefix):
                break
            if "/migrations/" not in path[len(prefix) - 1 :]:
                found.append(i)
        return [self._files[i] for i in sorted(found)]

    def failed_files(self, app: str) -> list[str]:
        """Files of the app's package that could not be analysed."""
        return [r["path"] for r in self._app_files(app) if r.get("status") == "failed"]

    def class_defined(self, app: str, name: str) -> str | None:
        """A file of the app that defines a class of this name (case-insensitive), if any."""
        pattern = re.compile(rf"^\s*class\s+{re.escape(name)}\s*[(:]", re.M | re.I)
        for r in self._app_files(app):
            readable = r.get("status") in ("parsed", "not_needed")
            if readable and pattern.search(self._text(r["path"])):
                return r["path"]
        return None

    def assigned_in_class(self, model: dict[str, Any], field: str, call: str = "") -> bool:
        """Whether the model's class body assigns ``field`` (by an expression the report did
        not recognise as a field)."""
        file, line = model.get("file"), model.get("line")
        if not file or not line:
            return False
        lines = self._text(file).splitlines()[line:]
        body = []
        for text in lines:
            if text and not text[0].isspace() and not text.startswith("#"):
                break
            body.append(text)
        pattern = re.compile(rf"^\s+{re.escape(field)}\s*(?::[^=]*)?=[^\n]*{call}", re.M)
        return bool(pattern.search("\n".join(body)))

    def translated_prefix(self, model: dict[str, Any], field: str) -> str | None:
        """``<name>_<language>`` where the class assigns ``<name>`` by a call mentioning
        translation (django-translated-fields' ``TranslatedField(...)`` and the like)."""
        for prefix in _language_prefix(field):
            if self.assigned_in_class(model, prefix, "Translat"):
                return prefix
        return None


_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:_[a-z]{2,4})?$")


def translation_field(model: dict[str, Any], field: str, doc: dict[str, Any]) -> str | None:
    """``<field>_<language>`` added at run time: by django-translated-fields
    (``TranslatedField(...)``) or django-modeltranslation (a ``translation.py`` module)."""
    registry = any(r.get("path", "").endswith("translation.py") for r in doc.get("files", []))
    for f in model.get("fields", []):
        name = f["name"]
        suffix = field[len(name) + 1 :] if field.startswith(f"{name}_") else ""
        translated = "Translat" in (f.get("type") or "") or registry
        if suffix and _LANGUAGE.match(suffix) and translated:
            return name
    return None


def _language_prefix(field: str) -> list[str]:
    parts = field.split("_")
    out = []
    for i in range(1, len(parts)):
        if _LANGUAGE.match("_".join(parts[i:])):
            out.append("_".join(parts[:i]))
    return out


def added_by_library(model: dict[str, Any], field: str) -> str | None:
    """The field of this model whose class adds ``field`` at class creation, if any."""
    for f in model.get("fields", []):
        cls = (f.get("resolved_type") or f.get("type") or "").rsplit(".", 1)[-1]
        if cls == "MoneyField" and field == f"{f['name']}_currency":
            return f"{f['name']} ({f.get('resolved_type') or f.get('type')})"
    return None


def history_model(fields: set[str]) -> bool:
    """A model django-simple-history generates at run time (``HistoricalRecords()``)."""
    return fields >= _HISTORY_FIELDS
