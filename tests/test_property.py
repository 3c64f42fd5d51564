"""Property-based: generated model modules (fields, relations, Meta, inheritance) scan back as
generated. Bounded in CI; ``DJATLAS_FUZZ_EXAMPLES=2000 pytest tests/test_property.py`` runs long."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hostile_support import check_accounting, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from djatlas.scan import scan_path

SCALARS = {
    "CharField": "max_length={n}",
    "IntegerField": "",
    "BooleanField": "",
    "TextField": "",
    "DateTimeField": "",
    "DecimalField": "max_digits=8, decimal_places=2",
    "SlugField": "max_length={n}",
    "JSONField": "",
}
ON_DELETE = ("CASCADE", "PROTECT", "SET_NULL", "DO_NOTHING")


@dataclass
class FieldSpec:
    name: str
    kind: str
    null: bool = False
    unique: bool = False
    max_length: int | None = None
    target: str | None = None  # label of the related model
    on_delete: str | None = None
    related_name: str | None = None
    written_target: str = ""


@dataclass
class ModelSpec:
    app: str
    name: str
    kind: str  # concrete | abstract | proxy | mti
    base: str | None = None  # model name in the same app
    fields: list[FieldSpec] = field(default_factory=list)
    db_table: str | None = None
    ordering: list[str] = field(default_factory=list)
    docstring: str | None = None

    @property
    def label(self) -> str:
        return f"{self.app}.{self.name}"


@st.composite
def projects(draw: st.DrawFn) -> list[ModelSpec]:
    n_apps = draw(st.integers(1, 2))
    models: list[ModelSpec] = []
    counter = 0
    for a in range(n_apps):
        app = f"app{a}"
        for i in range(draw(st.integers(1, 4))):
            name = f"M{a}x{i}"
            same_app = [m for m in models if m.app == app]
            concrete = [m for m in same_app if m.kind != "abstract"]
            kinds = ["concrete", "abstract"] + (["proxy", "mti"] if concrete else [])
            if any(m.kind == "abstract" for m in same_app):
                kinds.append("child")
            kind = draw(st.sampled_from(kinds))
            base = None
            if kind in ("proxy", "mti"):
                base = draw(st.sampled_from([m.name for m in concrete]))
            elif kind == "child":
                base = draw(st.sampled_from([m.name for m in same_app if m.kind == "abstract"]))
                kind = "concrete"
            spec = ModelSpec(app, name, kind, base)
            if kind != "proxy":
                targets = [m for m in models if m.kind != "abstract"]
                for _ in range(draw(st.integers(0, 4))):
                    counter += 1
                    fname = f"f{counter}"
                    if targets and draw(st.booleans()):
                        target = draw(st.sampled_from(targets))
                        rel = draw(
                            st.sampled_from(["ForeignKey", "OneToOneField", "ManyToManyField"])
                        )
                        written = draw(
                            st.sampled_from(
                                [target.name, repr(target.label)]
                                if target.app == app
                                else [repr(target.label)]
                            )
                        )
                        if target.app == app and target.name == name:
                            written = "'self'"
                        on_delete = (
                            None if rel == "ManyToManyField" else draw(st.sampled_from(ON_DELETE))
                        )
                        null = on_delete == "SET_NULL" or (
                            rel != "ManyToManyField" and draw(st.booleans())
                        )
                        spec.fields.append(
                            FieldSpec(
                                fname,
                                rel,
                                null=null,
                                target=target.label,
                                on_delete=on_delete,
                                related_name=f"rn{counter}",
                                written_target=written,
                            )
                        )
                    else:
                        kind_ = draw(st.sampled_from(sorted(SCALARS)))
                        length = draw(st.integers(1, 300)) if "{n}" in SCALARS[kind_] else None
                        spec.fields.append(
                            FieldSpec(
                                fname,
                                kind_,
                                null=draw(st.booleans()),
                                unique=draw(st.booleans()),
                                max_length=length,
                            )
                        )
                if draw(st.booleans()) and kind != "abstract":
                    spec.db_table = f"tbl_{app}_{i}"
                own = [f.name for f in spec.fields if f.kind != "ManyToManyField"]
                if own and draw(st.booleans()):
                    spec.ordering = draw(
                        st.lists(st.sampled_from(own), min_size=1, max_size=2, unique=True)
                    )
            if draw(st.booleans()):
                spec.docstring = draw(
                    st.text(
                        st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]),
                        min_size=1,
                        max_size=20,
                    ).filter(lambda s: s.strip() == s and s)
                )
            models.append(spec)
    return models


def _source(models: list[ModelSpec], app: str) -> str:
    lines = ["from django.db import models", ""]
    for m in (m for m in models if m.app == app):
        base = m.base or "models.Model"
        lines += ["", f"class {m.name}({base}):"]
        if m.docstring is not None:
            lines.append(f"    {m.docstring!r}")
        for f in m.fields:
            args: list[str] = []
            if f.target is not None:
                args.append(f.written_target)
                if f.on_delete:
                    args.append(f"on_delete=models.{f.on_delete}")
                args.append(f"related_name={f.related_name!r}")
            elif "{n}" in SCALARS[f.kind]:
                args.append(SCALARS[f.kind].format(n=f.max_length))
            elif SCALARS[f.kind]:
                args.append(SCALARS[f.kind])
            if f.null:
                args.append("null=True")
            if f.unique:
                args.append("unique=True")
            lines.append(f"    {f.name} = models.{f.kind}({', '.join(args)})")
        meta = []
        if m.kind == "abstract":
            meta.append("abstract = True")
        if m.kind == "proxy":
            meta.append("proxy = True")
        if m.db_table:
            meta.append(f"db_table = {m.db_table!r}")
        if m.ordering:
            meta.append(f"ordering = {m.ordering!r}")
        if meta:
            lines += ["", "    class Meta:"] + [f"        {line}" for line in meta]
        if not m.fields and not meta and m.docstring is None:
            lines.append("    pass")
    return "\n".join(lines) + "\n"


def _write(root: Path, models: list[ModelSpec]) -> None:
    for app in sorted({m.app for m in models}):
        (root / app).mkdir()
        (root / app / "__init__.py").write_text("")
        (root / app / "models.py").write_text(_source(models, app), encoding="utf-8")


def _check(models: list[ModelSpec], doc: dict[str, Any]) -> None:
    check_accounting(doc)
    assert doc["summary"]["files_failed"] == 0, doc["files"]
    got = {m["label"]: m for m in doc["models"]}
    assert set(got) == {m.label for m in models}
    specs = {m.label: m for m in models}
    for label, spec in specs.items():
        out = got[label]
        assert out["abstract"] == (spec.kind == "abstract"), label
        assert out["proxy"] == (spec.kind == "proxy"), label
        assert out["docstring"] == spec.docstring, label
        if spec.kind == "mti":
            assert out["parents"] == [f"{spec.app}.{spec.base}"], label
        if spec.kind == "proxy":
            assert out["concrete_model"] == _concrete(specs, spec), label
        if spec.db_table:
            assert out["db_table"] == spec.db_table
        if spec.ordering:
            assert out["meta"]["ordering"] == spec.ordering
        fields = {f["name"]: f for f in out["fields"]}
        expected = _expected_fields(specs, spec)
        declared = {n: f for n, f in fields.items() if f["origin"] in ("declared", "inherited")}
        assert set(declared) == {f.name for f in expected}, (label, list(fields))
        for f in expected:
            got_f = fields[f.name]
            assert got_f["django_type"] == f.kind, (label, f.name)
            assert got_f["null"] == f.null, (label, f.name)
            if f.kind not in ("ManyToManyField", "OneToOneField"):
                assert got_f["unique"] == f.unique, (label, f.name)
            if f.max_length is not None:
                assert got_f["max_length"] == f.max_length
            if f.target is not None:
                rel = got_f["relation"]
                assert rel["kind"] == f.kind
                assert rel["target"] == f.target, (label, f.name, rel)
                assert rel["related_name"] == f.related_name
                assert rel["on_delete"] == f.on_delete
            else:
                assert got_f["relation"] is None


def _concrete(specs: dict[str, ModelSpec], spec: ModelSpec) -> str:
    while spec.kind == "proxy":
        spec = specs[f"{spec.app}.{spec.base}"]
    return spec.label


def _expected_fields(specs: dict[str, ModelSpec], spec: ModelSpec) -> list[FieldSpec]:
    """Declared fields plus those inherited from abstract bases (not MTI/proxy parents')."""
    if spec.kind == "proxy":
        return []
    out = list(spec.fields)
    base = specs.get(f"{spec.app}.{spec.base}") if spec.base else None
    while base is not None and base.kind == "abstract":
        out = list(base.fields) + out
        base = specs.get(f"{base.app}.{base.base}") if base.base else None
    return out


@settings(
    max_examples=examples(25),
    deadline=None,
    derandomize=not examples(0),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(projects())
def test_scan_reproduces_generated_models(models: list[ModelSpec]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write(root, models)
        doc = scan_path(str(root), timing=False, use_cache=False)
        _check(models, doc)
