#!/usr/bin/env python3
"""Compare a djatlas scan of blueking-paas against the seed report printed by the older tool.

The seed (``../shared/seed/django-models-analysis.md``, relative to the repository root) is the
Markdown report the older tool (upcast) printed for blueking-paas at commit a87af6e13. This script
parses every ``### Model`` section of it (Module, Base Classes, Description, the Fields,
Relationships and Meta Options tables), gets a djatlas JSON report (it runs ``djatlas scan TREE
--format json`` or reads ``--report FILE``) and checks that djatlas reports:

* every seed model: same class name, and djatlas's ``module`` (the real import path) is a dotted
  suffix of the seed's module (the seed writes the folder path from the scan root, e.g.
  ``apiserver.paasng.paas_wl....``), and so is the model's file path;
* every seed field with the same type (as written) and the same parameter values;
* every seed relationship with the same type, related_name and on_delete, a raw target equal to
  the seed's target and a resolved target;
* every seed Meta option with the same value;
* the models and fields the seed missed that issue 2 names explicitly;
* (with the scanned tree at hand) true line numbers for the matched models and fields.

Value normalisation: the seed writes non-literal values as strings in backticks ("`models.CASCADE`")
and djatlas as ``{"$expr": "models.CASCADE"}``; both are compared as Python expressions (parsed, so
whitespace, quoting and trailing-comma differences of the source text do not count). The seed keeps
``_('text')`` as an expression where djatlas evaluates it to the text (as issue 2 asks); both sides
are compared as the text. JSON ``\\u`` escapes are decoded; tuples and lists are the same.

Where the seed itself is wrong (checked against the blueking-paas source), ``KNOWN_SEED_ERRORS``
lists the correction and the reason; the check then expects the corrected value from djatlas.

Exit status: 0 when everything in the seed is matched and the named extras are found, 1 otherwise,
2 when the report could not be produced or read.

Usage::

    scripts/seed_compare.py [--tree PATH] [--seed FILE] [--report FILE] [--no-lines] [--notes]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = REPO_ROOT.parent / "shared" / "seed" / "django-models-analysis.md"
# The tree: --tree, else blueking-paas under $DJATLAS_CORPORA (the folder of test checkouts).
DEFAULT_TREE = Path(os.environ.get("DJATLAS_CORPORA", "/work/corpora")) / "blueking-paas"

# Models and fields the seed missed that issue 2 ("Done when") requires djatlas to find, with where
# they are in blueking-paas at a87af6e13 (checked by hand: grep -n "^class Deployment(" etc.).
REQUIRED_EXTRA_MODELS: dict[str, tuple[str, int]] = {
    "Deployment": ("apiserver/paasng/paasng/platform/engine/models/deployment.py", 101),
    "User": ("apiserver/paasng/paasng/infras/accounts/models.py", 40),
    "OutputStream": ("apiserver/paasng/paas_wl/bk_app/applications/models/misc.py", 23),
    "AppDomainCert": ("apiserver/paasng/paas_wl/workloads/networking/ingress/models.py", 81),
    "CIAtomJob": ("apiserver/paasng/paasng/accessories/ci/models.py", 76),
    "OfflineOperation": ("apiserver/paasng/paasng/platform/engine/models/offline.py", 48),
}


@dataclass(frozen=True)
class RequiredField:
    model: str
    name: str
    type: str  # as written
    line: int
    params: tuple[tuple[str, Any], ...]  # a subset djatlas must report


# Factory-built field classes (``X = make_json_field("X", Model)`` at module level).
REQUIRED_EXTRA_FIELDS: tuple[RequiredField, ...] = (
    # apiserver/paasng/paasng/accessories/log/models.py:106
    RequiredField(
        "ElasticSearchConfig",
        "elastic_search_host",
        "ElasticSearchHostField",
        106,
        (("null", True), ("help_text", "required when backend_type is 'es'")),
    ),
    # apiserver/paasng/paasng/platform/engine/models/deployment.py:127
    RequiredField(
        "Deployment",
        "advanced_options",
        "AdvancedOptionsField",
        127,
        (("verbose_name", "高级选项"), ("null", True)),
    ),
)

# Functions whose single string argument djatlas reports as the plain text (issue 2, Parameters).
LAZY_TEXT_FUNCS = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "gettext_noop",
        "ugettext",
        "ugettext_lazy",
        "ugettext_noop",
    }
)


@dataclass(frozen=True)
class KnownSeedError:
    """A place where the seed disagrees with the blueking-paas source (djatlas must follow the
    source). ``kind`` is ``param`` (``key`` is the parameter name), ``field_type``, ``meta``
    (``key`` is the option) or ``relationship`` (``key`` is ``target``, ``related_name``,
    ``on_delete`` or ``type``). ``expected`` is the corrected value in the seed's own notation
    (backtick strings for expressions); ``None`` with ``absent=True`` means "djatlas must not
    report it"."""

    model: str
    module: str
    kind: str
    name: str
    key: str
    expected: Any
    reason: str
    absent: bool = False


# Keep this list small: every entry was checked against the blueking-paas source at a87af6e13.
KNOWN_SEED_ERRORS: tuple[KnownSeedError, ...] = (
    KnownSeedError(
        model="StepMetaSet",
        module="paasng.platform.engine.models.steps",
        kind="relationship",
        name="metas",
        key="related_name",
        expected="关联步骤元信息",
        reason=(
            'steps.py:86 is `models.ManyToManyField(DeployStepMeta, "关联步骤元信息", default=[])`;'
            " ManyToManyField's second positional parameter is related_name (django"
            " fields/related.py: `def __init__(self, to, related_name=None, ...)`), and the"
            " project's own migration engine/0004_auto_20210110_1917.py:58 says"
            " related_name='关联步骤元信息'. The seed drops positional arguments and shows N/A."
        ),
    ),
)

# Module-level aliases the seed uses as relation targets (a class reference to the alias); the
# resolved target is the aliased model. Checked by grep in blueking-paas at a87af6e13.
MODEL_ALIASES: dict[str, str] = {
    # apiserver/paasng/paas_wl/bk_app/applications/models/app.py:88  `WlApp = App`
    "WlApp": "App",
    # apiserver/paasng/paasng/platform/applications/models.py:511
    # `ModuleEnvironment = ApplicationEnvironment`
    "ModuleEnvironment": "ApplicationEnvironment",
}

# Classes in blueking-paas that are not models; djatlas must not report them as models.
NOT_MODELS: dict[str, str] = {
    # apiserver/paasng/paasng/utils/models.py:99  `class ProcessedImageFieldFile(ImageFieldFile)`
    "ProcessedImageFieldFile": "a django.db.models.fields.files.ImageFieldFile subclass",
    # apiserver/paasng/paasng/utils/models.py:109
    # `class ProcessedImageField(OrigProcessedImageField)` (imagekit.models.ProcessedImageField)
    "ProcessedImageField": "a model field class (imagekit ProcessedImageField subclass)",
}


# --------------------------------------------------------------------------------------------
# Seed Markdown parser
# --------------------------------------------------------------------------------------------


@dataclass
class SeedField:
    name: str
    type: str
    line: int | None
    params: dict[str, Any]  # decoded JSON, without the seed's extra "type" key
    raw: str
    md_line: int


@dataclass
class SeedRelationship:
    field: str
    type: str
    target: str  # as the seed writes it, backticks removed
    target_is_expr: bool  # the seed wrote the target in backticks (a class reference)
    related_name: str | None  # None for the seed's "N/A"
    on_delete: str | None  # as written, backticks removed ("models.CASCADE"); None for "N/A"
    md_line: int


@dataclass
class SeedModel:
    name: str
    md_line: int
    module: str = ""
    line: int | None = None
    bases: list[str] = field(default_factory=list)
    description: str | None = None
    fields: list[SeedField] = field(default_factory=list)
    relationships: list[SeedRelationship] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    meta_raw: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class Seed:
    title: str | None
    summary: dict[str, str]
    models: list[SeedModel]


_SECTIONS = {"fields": "fields", "relationships": "relationships", "meta options": "meta"}
_HEADERS = {
    ("field name", "type", "line", "parameters"),
    ("field", "type", "target model", "related name", "on delete"),
    ("option", "value"),
}
_PROP_RE = re.compile(r"^\*\*(?P<key>[^*]+)\*\*:\s?(?P<value>.*?)\s*$")
_SUMMARY_RE = re.compile(r"^- \*\*(?P<key>[^*]+)\*\*:\s*(?P<value>.*?)\s*$")


def _strip_ticks(text: str) -> tuple[str, bool]:
    text = text.strip()
    if len(text) >= 2 and text.startswith("`") and text.endswith("`"):
        return text[1:-1], True
    return text, False


def _split_row(line: str, ncells: int) -> list[str]:
    """Split a Markdown table row into ``ncells`` cells; the last cell takes any extra ``|``."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    parts = body.split("|")
    if len(parts) > ncells:
        parts = parts[: ncells - 1] + ["|".join(parts[ncells - 1 :])]
    return [p.strip() for p in parts]


def parse_meta_value(text: str) -> Any:
    """The seed writes Meta values as Python reprs (``['-created']``, ``True``) or bare text
    (``created``, ``services_domain``)."""
    text = text.strip()
    for loader in (ast.literal_eval, json.loads):
        try:
            return loader(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue  # json.JSONDecodeError is a ValueError
    return text


def parse_seed(text: str) -> Seed:
    """Parse the seed Markdown report into a :class:`Seed`."""
    title = None
    summary: dict[str, str] = {}
    models: list[SeedModel] = []
    current: SeedModel | None = None
    section: str | None = None
    for lineno, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.rstrip()
        if line.startswith("# ") and title is None:
            title = line[2:].strip()
            continue
        if line.startswith("### "):
            current = SeedModel(name=line[4:].strip(), md_line=lineno)
            models.append(current)
            section = None
            continue
        if current is None:
            m = _SUMMARY_RE.match(line)
            if m:
                summary[m["key"].strip()] = m["value"]
            continue
        if line.startswith("#### "):
            section = _SECTIONS.get(line[5:].strip().lower())
            continue
        if line.strip() == "---":
            section = None
            continue
        if section is None:
            m = _PROP_RE.match(line)
            if not m:
                continue
            key, value = m["key"].strip().lower(), m["value"]
            if key == "module":
                current.module = _strip_ticks(value)[0]
            elif key == "line":
                current.line = int(value) if value.isdigit() else None
            elif key == "base classes":
                current.bases = [b.strip() for b in value.split(",") if b.strip()]
            elif key == "description":
                current.description = value
            continue
        if not line.startswith("|"):
            continue
        if section == "fields":
            cells = _split_row(line, 4)
        elif section == "relationships":
            cells = _split_row(line, 5)
        else:
            cells = _split_row(line, 2)
        if tuple(c.lower() for c in cells) in _HEADERS or all(set(c) <= {"-", ":"} for c in cells):
            continue
        if section == "fields":
            name, ftype, fline, raw = cells
            params = json.loads(raw) if raw else {}
            if not isinstance(params, dict):
                raise ValueError(f"seed line {lineno}: parameters are not a JSON object")
            params = dict(params)
            params.pop("type", None)
            current.fields.append(
                SeedField(
                    name=name,
                    type=ftype,
                    line=int(fline) if fline.isdigit() else None,
                    params=params,
                    raw=raw,
                    md_line=lineno,
                )
            )
        elif section == "relationships":
            fname, rtype, target, related, on_delete = cells
            target_text, target_is_expr = _strip_ticks(target)
            current.relationships.append(
                SeedRelationship(
                    field=fname,
                    type=rtype,
                    target=target_text,
                    target_is_expr=target_is_expr,
                    related_name=None if related == "N/A" else _strip_ticks(related)[0],
                    on_delete=None if on_delete == "N/A" else _strip_ticks(on_delete)[0],
                    md_line=lineno,
                )
            )
        else:
            option, value = cells
            current.meta_raw[option] = value
            current.meta[option] = parse_meta_value(value)
    return Seed(title=title, summary=summary, models=models)


# --------------------------------------------------------------------------------------------
# Value normalisation
# --------------------------------------------------------------------------------------------


def _lazy_text(node: ast.AST) -> str | None:
    """``_("text")`` / ``gettext_lazy("text")`` -> "text"; otherwise None."""
    if (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in LAZY_TEXT_FUNCS:
            return node.args[0].value
    return None


def canon_expr(text: str) -> tuple:
    """Canonical form of an expression's source text."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return ("expr", re.sub(r"\s+", "", text))
    lazy = _lazy_text(node)
    if lazy is not None:
        return ("str", lazy)
    try:
        return canon(ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    return ("expr", ast.dump(node, annotate_fields=False, include_attributes=False))


def canon(value: Any) -> tuple:
    """A hashable, type-strict canonical form of a seed or djatlas value.

    Seed strings in backticks and djatlas ``{"$expr": ...}`` objects become expressions; tuples and
    lists are the same; ``True`` is not ``1``."""
    if value is None:
        return ("none",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("num", value)
    if isinstance(value, str):
        if len(value) >= 2 and value.startswith("`") and value.endswith("`"):
            return canon_expr(value[1:-1])
        return ("str", value)
    if isinstance(value, (list, tuple)):
        return ("list", tuple(canon(v) for v in value))
    if isinstance(value, dict):
        if set(value) == {"$expr"}:
            return canon_expr(str(value["$expr"]))
        return ("dict", tuple(sorted((str(k), canon(v)) for k, v in value.items())))
    if isinstance(value, (set, frozenset)):
        return ("list", tuple(sorted(canon(v) for v in value)))
    return ("expr", repr(value))


def show(value: Any) -> str:
    """Compact one-line rendering of a value for the mismatch listing."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


@dataclass
class Mismatch:
    kind: str
    model: str
    where: str  # corpus file:line when known, else the seed's line
    what: str
    seed: str
    djatlas: str


@dataclass
class Counts:
    total: int = 0
    matched: int = 0

    def __str__(self) -> str:
        return f"{self.matched}/{self.total}"


@dataclass
class Result:
    models: Counts = field(default_factory=Counts)
    fields: Counts = field(default_factory=Counts)
    field_types: Counts = field(default_factory=Counts)
    params: Counts = field(default_factory=Counts)
    relationships: Counts = field(default_factory=Counts)
    meta: Counts = field(default_factory=Counts)
    model_lines: Counts = field(default_factory=Counts)
    field_lines: Counts = field(default_factory=Counts)
    bases: Counts = field(default_factory=Counts)
    descriptions: Counts = field(default_factory=Counts)
    extras: Counts = field(default_factory=Counts)
    mismatches: list[Mismatch] = field(default_factory=list)
    notes: list[Mismatch] = field(default_factory=list)  # informational, do not fail
    extra_models: list[str] = field(default_factory=list)
    extra_fields: Counter = field(default_factory=Counter)
    extra_params: Counter = field(default_factory=Counter)
    known_errors_used: list[KnownSeedError] = field(default_factory=list)


def _dotted_path(file: str) -> str:
    path = file[:-3] if file.endswith(".py") else file
    path = path.replace("\\", "/").strip("/")
    if path.endswith("/__init__"):
        path = path[: -len("/__init__")]
    return path.replace("/", ".")


def _is_dotted_suffix(short: str, long: str) -> bool:
    return bool(short) and (long == short or long.endswith("." + short))


def module_matches(seed_module: str, model: dict) -> bool:
    """djatlas's module and file path are both dotted suffixes of the seed's module."""
    module = model.get("module") or ""
    file = model.get("file") or ""
    return _is_dotted_suffix(module, seed_module) and _is_dotted_suffix(
        _dotted_path(file), seed_module
    )


def _on_delete_name(text: str | None) -> str | None:
    if text is None:
        return None
    return text.rsplit(".", 1)[-1]


def _target_raw_matches(seed_rel: SeedRelationship, target_raw: str | None) -> bool:
    if target_raw is None:
        return False
    if seed_rel.target_is_expr:
        return canon_expr(target_raw) == canon_expr(seed_rel.target)
    try:
        value = ast.literal_eval(target_raw.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return value == seed_rel.target


def _resolved_target_plausible(seed_rel: SeedRelationship, model: dict, target: str) -> bool:
    """The resolved ``app_label.Model`` names the class the seed's target names."""
    target_name = target.rsplit(".", 1)[-1]
    if seed_rel.target == "self":
        return target == model.get("label") or target_name == model.get("name")
    seed_name = seed_rel.target.rsplit(".", 1)[-1]
    return target_name in (seed_name, MODEL_ALIASES.get(seed_name))


class Comparator:
    def __init__(
        self,
        seed: Seed,
        report: dict,
        tree: Path | None = None,
        known_errors: tuple[KnownSeedError, ...] = KNOWN_SEED_ERRORS,
    ) -> None:
        self.seed = seed
        self.report = report
        self.tree = tree
        self.known = known_errors
        self.result = Result()
        self.models: list[dict] = list(report.get("models") or [])
        self.by_name: dict[str, list[dict]] = defaultdict(list)
        self.by_dotted: dict[str, dict] = {}
        for m in self.models:
            self.by_name[m.get("name")].append(m)
            self.by_dotted[f"{m.get('module')}.{m.get('name')}"] = m
        self.labels = {m.get("label") for m in self.models}
        self._file_cache: dict[str, list[str] | None] = {}

    # -- helpers ------------------------------------------------------------------------------

    def _known(self, sm: SeedModel, kind: str, name: str, key: str) -> KnownSeedError | None:
        for err in self.known:
            if (
                err.model == sm.name
                and _is_dotted_suffix(err.module, sm.module)
                and err.kind == kind
                and err.name == name
                and err.key == key
            ):
                if err not in self.result.known_errors_used:
                    self.result.known_errors_used.append(err)
                return err
        return None

    def _where(self, model: dict | None, line: int | None = None, sm: SeedModel | None = None):
        if model is not None and model.get("file"):
            return f"{model['file']}:{line if line is not None else model.get('line')}"
        if sm is not None:
            return f"{sm.module} (seed md line {sm.md_line})"
        return "?"

    def _fail(self, kind, sm: SeedModel, where, what, seed, djatlas) -> None:
        self.result.mismatches.append(
            Mismatch(kind, f"{sm.name} [{sm.module}]", where, what, str(seed), str(djatlas))
        )

    def _note(self, kind, sm: SeedModel, where, what, seed, djatlas) -> None:
        self.result.notes.append(
            Mismatch(kind, f"{sm.name} [{sm.module}]", where, what, str(seed), str(djatlas))
        )

    def _source_lines(self, rel_file: str) -> list[str] | None:
        if self.tree is None:
            return None
        if rel_file not in self._file_cache:
            base = self.tree if self.tree.is_dir() else self.tree.parent
            try:
                text = (base / rel_file).read_text(encoding="utf-8", errors="replace")
                self._file_cache[rel_file] = text.splitlines()
            except OSError:
                self._file_cache[rel_file] = None
        return self._file_cache[rel_file]

    def _field_file(self, model: dict, fld: dict) -> str | None:
        """The file a field is written in: its model's, or the defining base's."""
        defined_in = fld.get("defined_in")
        if not defined_in or defined_in == f"{model.get('module')}.{model.get('name')}":
            return model.get("file")
        owner = self.by_dotted.get(defined_in)
        return owner.get("file") if owner else None

    # -- per model ----------------------------------------------------------------------------

    def find_model(self, sm: SeedModel) -> tuple[dict | None, list[dict]]:
        candidates = self.by_name.get(sm.name, [])
        matching = [m for m in candidates if module_matches(sm.module, m)]
        if matching:
            return matching[0], candidates
        return None, candidates

    def compare(self) -> Result:
        matched_ids: set[int] = set()
        for sm in self.seed.models:
            self.result.models.total += 1
            model, candidates = self.find_model(sm)
            if model is None:
                self._count_unmatched(sm)
                found = ", ".join(f"{c.get('module')} ({c.get('file')})" for c in candidates)
                self._fail(
                    "model missing" if not candidates else "model module differs",
                    sm,
                    self._where(None, sm=sm),
                    "model",
                    sm.module,
                    found or "not reported",
                )
                continue
            self.result.models.matched += 1
            matched_ids.add(id(model))
            self.compare_model(sm, model)
        self.check_extras(matched_ids)
        return self.result

    def _count_unmatched(self, sm: SeedModel) -> None:
        r = self.result
        r.fields.total += len(sm.fields)
        r.field_types.total += len(sm.fields)
        r.params.total += sum(len(f.params) for f in sm.fields)
        r.relationships.total += len(sm.relationships)
        r.meta.total += len(sm.meta)

    def compare_model(self, sm: SeedModel, model: dict) -> None:
        fields = {f.get("name"): f for f in model.get("fields") or []}
        self.check_model_line(sm, model)
        self.check_bases_and_description(sm, model)
        for sf in sm.fields:
            self.compare_field(sm, model, sf, fields.get(sf.name))
        for rel in sm.relationships:
            self.compare_relationship(sm, model, rel, fields.get(rel.field))
        meta = model.get("meta") or {}
        for option, value in sm.meta.items():
            self.compare_meta(sm, model, option, value, meta)
        seed_names = {f.name for f in sm.fields} | {r.field for r in sm.relationships}
        for fld in model.get("fields") or []:
            if fld.get("origin") == "declared" and fld.get("name") not in seed_names:
                self.result.extra_fields[f"{model.get('label')}.{fld.get('name')}"] += 1

    def check_model_line(self, sm: SeedModel, model: dict) -> None:
        lines = self._source_lines(model.get("file") or "")
        if lines is None:
            return
        self.result.model_lines.total += 1
        line = model.get("line")
        text = lines[line - 1] if isinstance(line, int) and 0 < line <= len(lines) else ""
        if re.match(rf"\s*class\s+{re.escape(sm.name)}\b", text):
            self.result.model_lines.matched += 1
        else:
            self._fail(
                "model line wrong",
                sm,
                self._where(model),
                "class line",
                f"class {sm.name}",
                f"line {line}: {text.strip()!r}",
            )

    def check_field_line(self, sm: SeedModel, model: dict, fld: dict) -> None:
        rel_file = self._field_file(model, fld)
        lines = self._source_lines(rel_file) if rel_file else None
        if lines is None:
            return
        self.result.field_lines.total += 1
        line = fld.get("line")
        text = lines[line - 1] if isinstance(line, int) and 0 < line <= len(lines) else ""
        if re.match(rf"\s*{re.escape(fld.get('name', ''))}\s*[:=]", text):
            self.result.field_lines.matched += 1
        else:
            self._fail(
                "field line wrong",
                sm,
                f"{rel_file}:{line}",
                f"field {fld.get('name')}",
                f"{fld.get('name')} = ...",
                f"line {line}: {text.strip()!r}",
            )

    def check_bases_and_description(self, sm: SeedModel, model: dict) -> None:
        """Informational: the seed's bases and Description (first docstring line)."""
        self.result.bases.total += 1
        seed_bases = [b.rsplit(".", 1)[-1] for b in sm.bases]
        dj_bases = [str(b.get("name") or "").rsplit(".", 1)[-1] for b in model.get("bases") or []]
        if seed_bases == dj_bases:
            self.result.bases.matched += 1
        else:
            self._note(
                "bases differ",
                sm,
                self._where(model),
                "bases",
                ", ".join(sm.bases),
                ", ".join(f"{b.get('name')} -> {b.get('resolved')}" for b in model["bases"]),
            )
        if sm.description is None:
            return
        self.result.descriptions.total += 1
        doc = (model.get("docstring") or "").strip()
        first = doc.splitlines()[0].strip() if doc else ""
        if first == sm.description.strip() or doc.startswith(sm.description.strip()):
            self.result.descriptions.matched += 1
        else:
            self._note(
                "description differs",
                sm,
                self._where(model),
                "docstring",
                sm.description,
                show(model.get("docstring")),
            )

    def compare_field(self, sm: SeedModel, model: dict, sf: SeedField, fld: dict | None) -> None:
        r = self.result
        r.fields.total += 1
        r.field_types.total += 1
        r.params.total += len(sf.params)
        if fld is None:
            self._fail(
                "field missing",
                sm,
                self._where(model),
                f"field {sf.name}",
                f"{sf.type} {sf.raw}",
                "not reported",
            )
            return
        r.fields.matched += 1
        where = self._where(model, fld.get("line"))
        expected_type = sf.type
        err = self._known(sm, "field_type", sf.name, "type")
        if err is not None:
            expected_type = err.expected
        if fld.get("type") == expected_type:
            r.field_types.matched += 1
        else:
            self._fail(
                "field type differs",
                sm,
                where,
                f"field {sf.name}",
                sf.type,
                f"{fld.get('type')} (resolved {fld.get('resolved_type')})",
            )
        params = fld.get("params") or {}
        for key, seed_value in sf.params.items():
            self._compare_param(sm, sf.name, key, seed_value, params, where)
        for key in params:
            if key not in sf.params:
                r.extra_params[key] += 1
        self.check_field_line(sm, model, fld)

    def _compare_param(self, sm, fname, key, seed_value, params, where) -> None:
        expected = seed_value
        err = self._known(sm, "param", fname, key)
        if err is not None:
            if err.absent:
                if key in params:
                    self._fail(
                        "param value differs",
                        sm,
                        where,
                        f"{fname}.{key} (known seed error: {err.reason})",
                        "absent",
                        show(params[key]),
                    )
                else:
                    self.result.params.matched += 1
                return
            expected = err.expected
        if key not in params:
            self._fail(
                "param missing",
                sm,
                where,
                f"{fname}.{key}",
                show(seed_value),
                f"not in params {show(params)}",
            )
            return
        if canon(params[key]) == canon(expected):
            self.result.params.matched += 1
        else:
            self._fail(
                "param value differs",
                sm,
                where,
                f"{fname}.{key}",
                show(seed_value),
                show(params[key]),
            )

    def compare_relationship(
        self, sm: SeedModel, model: dict, rel: SeedRelationship, fld: dict | None
    ) -> None:
        r = self.result
        r.relationships.total += 1
        if fld is None or not fld.get("relation"):
            self._fail(
                "relationship missing",
                sm,
                self._where(model, fld.get("line") if fld else None),
                f"relation {rel.field}",
                f"{rel.type} -> {rel.target}",
                "not reported" if fld is None else f"field without relation: {show(fld)}",
            )
            return
        where = self._where(model, fld.get("line"))
        relation = fld["relation"]
        problems: list[tuple[str, str, str]] = []

        expected_type = rel.type
        err = self._known(sm, "relationship", rel.field, "type")
        if err is not None:
            expected_type = err.expected
        if fld.get("type") != expected_type:
            problems.append(("type", rel.type, str(fld.get("type"))))

        if not _target_raw_matches(rel, relation.get("target_raw")):
            seed_t = f"`{rel.target}`" if rel.target_is_expr else repr(rel.target)
            problems.append(("target_raw", seed_t, str(relation.get("target_raw"))))
        target = relation.get("target")
        if not target:
            problems.append(("target (resolved)", rel.target, "unresolved (null)"))
        elif not _resolved_target_plausible(rel, model, target):
            problems.append(("target (resolved)", rel.target, target))
        elif target not in self.labels:
            if not rel.target_is_expr and target == rel.target and "." in target:
                # an 'app_label.Model' string naming an app outside the scanned tree
                self._note("target outside the tree", sm, where, rel.field, rel.target, target)
            else:
                problems.append(("target (resolved) not a reported model", rel.target, target))

        expected_rn = rel.related_name
        err = self._known(sm, "relationship", rel.field, "related_name")
        if err is not None:
            expected_rn = err.expected
        if relation.get("related_name") != expected_rn:
            problems.append(
                ("related_name", str(rel.related_name), str(relation.get("related_name")))
            )

        expected_od = _on_delete_name(rel.on_delete)
        err = self._known(sm, "relationship", rel.field, "on_delete")
        if err is not None:
            expected_od = _on_delete_name(err.expected)
        if relation.get("on_delete") != expected_od:
            problems.append(("on_delete", str(rel.on_delete), str(relation.get("on_delete"))))

        if problems:
            for what, seed_v, dj_v in problems:
                self._fail(f"relationship {what} differs", sm, where, rel.field, seed_v, dj_v)
        else:
            r.relationships.matched += 1
        self.check_field_line(sm, model, fld)

    def compare_meta(self, sm: SeedModel, model: dict, option: str, value: Any, meta) -> None:
        r = self.result
        r.meta.total += 1
        expected = value
        err = self._known(sm, "meta", option, option)
        if err is not None:
            expected = err.expected
        where = self._where(model)
        if option not in meta:
            self._fail(
                "meta option missing",
                sm,
                where,
                f"Meta.{option}",
                sm.meta_raw.get(option),
                f"not in meta {show(meta)}",
            )
        elif canon(meta[option]) == canon(expected):
            r.meta.matched += 1
        else:
            self._fail(
                "meta value differs",
                sm,
                where,
                f"Meta.{option}",
                sm.meta_raw.get(option),
                show(meta[option]),
            )

    # -- beyond the seed ----------------------------------------------------------------------

    def check_extras(self, matched_ids: set[int]) -> None:
        r = self.result
        r.extra_models = sorted(
            f"{m.get('label')} ({m.get('file')}:{m.get('line')})"
            for m in self.models
            if id(m) not in matched_ids
        )
        fake = SeedModel(name="(beyond the seed)", md_line=0, module="-")
        for name, why in NOT_MODELS.items():
            for m in self.by_name.get(name, []):
                self._fail(
                    "not a model, reported as one",
                    fake,
                    f"{m.get('file')}:{m.get('line')}",
                    name,
                    f"not a model: {why}",
                    f"model {m.get('label')}",
                )
        for name, (file, line) in REQUIRED_EXTRA_MODELS.items():
            r.extras.total += 1
            hits = self.by_name.get(name, [])
            found = [m for m in hits if (m.get("file"), m.get("line")) == (file, line)]
            if found:
                r.extras.matched += 1
            else:
                self._fail(
                    "required extra model missing",
                    fake,
                    f"{file}:{line}",
                    name,
                    f"class {name} at {file}:{line}",
                    ", ".join(f"{m.get('file')}:{m.get('line')}" for m in hits) or "not reported",
                )
        for req in REQUIRED_EXTRA_FIELDS:
            r.extras.total += 1
            hits = [
                (m, f)
                for m in self.by_name.get(req.model, [])
                for f in m.get("fields") or []
                if f.get("name") == req.name
            ]
            where = f"{req.model}.{req.name}"
            if not hits:
                self._fail(
                    "required extra field missing", fake, "-", where, req.type, "not reported"
                )
                continue
            model, fld = hits[0]
            problems = []
            if fld.get("type") != req.type:
                problems.append(f"type {fld.get('type')!r}")
            if fld.get("line") != req.line:
                problems.append(f"line {fld.get('line')}")
            params = fld.get("params") or {}
            for key, value in req.params:
                if key not in params or canon(params[key]) != canon(value):
                    problems.append(f"{key}={show(params.get(key, '<absent>'))}")
            if problems:
                self._fail(
                    "required extra field differs",
                    fake,
                    f"{model.get('file')}:{fld.get('line')}",
                    where,
                    f"{req.type} line {req.line} {show(dict(req.params))}",
                    "; ".join(problems),
                )
            else:
                r.extras.matched += 1
        all_fields = [(m, f) for m in self.models for f in m.get("fields") or []]
        for label, pred in EXTRA_FIELD_KINDS:
            r.extras.total += 1
            if any(pred(f) for _, f in all_fields):
                r.extras.matched += 1
            else:
                loose = [
                    f"{m.get('label')}.{f.get('name')} {f.get('type')} -> {f.get('resolved_type')}"
                    for m, f in all_fields
                    if label.rsplit(" ", 1)[-1].rsplit(".", 1)[-1] in str(f.get("type"))
                ]
                self._fail(
                    "required extra field missing",
                    fake,
                    "-",
                    label,
                    "-",
                    "none reported" + (f"; similar: {', '.join(loose[:5])}" if loose else ""),
                )

    def named_extra_fields(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for label, pred in EXTRA_FIELD_KINDS:
            out[label] = [
                f"{m.get('label')}.{f.get('name')} ({f.get('type')})"
                for m in self.models
                for f in m.get("fields") or []
                if pred(f) and f.get("origin") == "declared"
            ]
        for req in REQUIRED_EXTRA_FIELDS:
            out[f"{req.model}.{req.name}"] = [
                f"{m.get('label')}.{f.get('name')} {f.get('type')} -> {f.get('resolved_type')}"
                f" ({m.get('file')}:{f.get('line')})"
                for m in self.by_name.get(req.model, [])
                for f in m.get("fields") or []
                if f.get("name") == req.name
            ]
        return out


def _is_jsonfield(fld: dict) -> bool:
    return fld.get("type") == "jsonfield.JSONField" or str(fld.get("resolved_type")).startswith(
        "jsonfield."
    )


def _is_encrypt_field(fld: dict) -> bool:
    resolved = str(fld.get("resolved_type") or "")
    return resolved.startswith("blue_krill.") and resolved.endswith("EncryptField")


def _is_bkuser_field(fld: dict) -> bool:
    return str(fld.get("type") or "").endswith("BkUserField") or str(
        fld.get("resolved_type") or ""
    ).endswith(".BkUserField")


EXTRA_FIELD_KINDS = (
    ("jsonfield.JSONField", _is_jsonfield),
    ("blue_krill EncryptField", _is_encrypt_field),
    ("BkUserField", _is_bkuser_field),
)


# --------------------------------------------------------------------------------------------
# Report production and printing
# --------------------------------------------------------------------------------------------


def find_djatlas() -> str | None:
    exe_dir = Path(sys.executable).parent
    for name in ("djatlas", "djatlas.exe"):
        candidate = exe_dir / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("djatlas")


def run_djatlas(tree: Path, use_cache: bool = False) -> dict:
    """Run ``djatlas scan TREE --format json`` (by default bypassing djatlas's cache, so the
    result reflects the code as it is now) and return the parsed report."""
    exe = find_djatlas()
    if exe is None:
        raise RuntimeError("djatlas not found next to the Python interpreter nor on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [exe, "scan", str(tree), "--format", "json", "-o", str(out)]
        if not use_cache:
            cmd.append("--no-cache")
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode == 2 and "--no-cache" in proc.stderr:
            # a djatlas without a cache: run it without the option
            cmd.remove("--no-cache")
            proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"
            )
        return json.loads(out.read_text(encoding="utf-8"))


def print_result(cmp: Comparator, res: Result, verbose_notes: bool, out=sys.stdout) -> None:
    def p(*args: Any) -> None:
        print(*args, file=out)

    seed_fields = sum(len(m.fields) for m in cmp.seed.models)
    seed_rels = sum(len(m.relationships) for m in cmp.seed.models)
    summ = cmp.report.get("summary") or {}
    p("== seed vs djatlas ==")
    p(
        f"seed: {len(cmp.seed.models)} models, {seed_fields} fields, {seed_rels} relationships"
        f" (seed summary says {cmp.seed.summary.get('Total Models')} /"
        f" {cmp.seed.summary.get('Total Fields')} / {cmp.seed.summary.get('Total Relationships')})"
    )
    p(
        f"djatlas: {len(cmp.models)} models, summary {show(summ)}"
        f" ({(cmp.report.get('tool') or {}).get('version')},"
        f" commit {(cmp.report.get('metadata') or {}).get('git_commit')})"
    )
    p("")
    p(f"seed models found        {res.models}")
    p(f"seed fields found        {res.fields}")
    p(f"field types matched      {res.field_types}")
    p(f"params matched           {res.params}")
    p(f"relationships matched    {res.relationships}")
    p(f"meta options matched     {res.meta}")
    if res.model_lines.total or res.field_lines.total:
        p(f"model lines true         {res.model_lines}")
        p(f"field lines true         {res.field_lines}")
    p(f"required extras found    {res.extras}")
    p(f"(info) bases agree       {res.bases}")
    p(f"(info) descriptions      {res.descriptions}")
    p("")
    p(f"models beyond the seed: {len(res.extra_models)}")
    for name in REQUIRED_EXTRA_MODELS:
        hits = [
            f"{m.get('label')} ({m.get('file')}:{m.get('line')})" for m in cmp.by_name.get(name, [])
        ]
        p(f"  {name}: {', '.join(hits) if hits else 'NOT FOUND'}")
    p(f"declared fields on seed models beyond the seed: {sum(res.extra_fields.values())}")
    for label, hits in cmp.named_extra_fields().items():
        shown = ", ".join(hits[:6]) + (f", ... ({len(hits)} in all)" if len(hits) > 6 else "")
        p(f"  {label}: {shown if hits else 'NOT FOUND'}")
    if res.extra_params:
        p(
            "params djatlas reports beyond the seed (seed drops positional args): "
            + ", ".join(f"{k}={n}" for k, n in res.extra_params.most_common())
        )
    if res.known_errors_used:
        p("")
        p(f"known seed errors applied: {len(res.known_errors_used)}")
        for err in res.known_errors_used:
            p(f"  {err.model}.{err.name} {err.kind} {err.key}: {err.reason}")
    p("")
    by_kind = Counter(m.kind for m in res.mismatches)
    p(f"mismatches: {len(res.mismatches)}")
    for kind, n in sorted(by_kind.items()):
        p(f"  {kind}: {n}")
    for kind in sorted(by_kind):
        p("")
        p(f"-- {kind} --")
        for m in res.mismatches:
            if m.kind == kind:
                p(f"  {m.where}  {m.model}  {m.what}")
                p(f"      seed:    {m.seed}")
                p(f"      djatlas: {m.djatlas}")
    if res.notes:
        p("")
        note_kinds = Counter(n.kind for n in res.notes)
        p("informational: " + ", ".join(f"{k}: {n}" for k, n in sorted(note_kinds.items())))
        if verbose_notes:
            for n in res.notes:
                p(f"  {n.where}  {n.model}  {n.kind}: seed {n.seed!r} / djatlas {n.djatlas!r}")


def is_success(res: Result) -> bool:
    return not res.mismatches and res.models.total > 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="seed Markdown report")
    parser.add_argument(
        "--tree", type=Path, default=DEFAULT_TREE, help="blueking-paas checkout to scan"
    )
    parser.add_argument("--report", type=Path, help="read this djatlas JSON report, do not scan")
    parser.add_argument(
        "--no-lines", action="store_true", help="skip checking line numbers against the tree"
    )
    parser.add_argument("--notes", action="store_true", help="list the informational differences")
    parser.add_argument(
        "--use-cache", action="store_true", help="let djatlas use its cache (default: --no-cache)"
    )
    args = parser.parse_args(argv)

    try:
        seed = parse_seed(args.seed.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"seed_compare: cannot read the seed {args.seed}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.report:
            report = json.loads(args.report.read_text(encoding="utf-8"))
        else:
            report = run_djatlas(args.tree, use_cache=args.use_cache)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"seed_compare: no djatlas report: {exc}", file=sys.stderr)
        return 2
    tree = None if args.no_lines or not args.tree.exists() else args.tree
    cmp = Comparator(seed, report, tree=tree)
    res = cmp.compare()
    print_result(cmp, res, args.notes)
    ok = is_success(res)
    print("")
    print("RESULT: " + ("all seed claims matched" if ok else "MISMATCHES (see above)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
