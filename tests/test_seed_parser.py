"""Tests for scripts/seed_compare.py: the seed Markdown parser, value normalisation and matching.

The fixture tests/fixtures/seed_excerpt.md is the first eight model sections of the seed report
(../shared/seed/django-models-analysis.md), copied verbatim.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "seed_excerpt.md"


def _load():
    spec = importlib.util.spec_from_file_location("seed_compare", ROOT / "scripts/seed_compare.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["seed_compare"] = module
    spec.loader.exec_module(module)
    return module


sc = _load()

# From the seed's BkPluginDistributor section (a backtick target, "N/A" on_delete); the seed's
# Markdown line-break spaces are dropped and long rows are split here only to stay ruff-clean.
M2M_SECTION = "\n".join(
    [
        "### BkPluginDistributor",
        "",
        "**Module**: `apiserver.paasng.paasng.bk_plugins.bk_plugins.models`",
        "**Line**: 1",
        "**Base Classes**: paasng.utils.models.TimestampedModel",
        '**Description**: A "Distributor" is responsible for providing a collection of BkPlugins'
        " to a group of users,",
        "",
        "#### Fields",
        "",
        "| Field Name | Type | Line | Parameters |",
        "|------------|------|------|------------|",
        '| introduction | models.CharField | 1 | {"blank": true, "max_length": 512, "null": true,'
        ' "type": "models.CharField"} |',
        "",
        "#### Relationships",
        "",
        "| Field | Type | Target Model | Related Name | On Delete |",
        "|-------|------|--------------|--------------|-----------|",
        "| plugins | models.ManyToManyField | `Application` | distributors | N/A |",
        "",
        "",
        "---",
    ]
)


@pytest.fixture(scope="module")
def seed():
    return sc.parse_seed(FIXTURE.read_text(encoding="utf-8"))


def _model(seed, name):
    (model,) = [m for m in seed.models if m.name == name]
    return model


def test_header_and_summary(seed):
    assert seed.title == "Django Models Analysis"
    assert seed.summary["Total Models"] == "167"
    assert seed.summary["Total Fields"] == "684"
    assert seed.summary["Total Relationships"] == "148"
    assert seed.summary["Scan Duration"] == "1942 ms"


def test_every_section_is_parsed_in_order(seed):
    assert [m.name for m in seed.models] == [
        "App",
        "Build",
        "BuildProcess",
        "Config",
        "OutputStreamLine",
        "Release",
        "AppModelDeploy",
        "AppModelResource",
    ]


def test_model_properties(seed):
    app = _model(seed, "App")
    assert app.module == "apiserver.paasng.paas_wl.bk_app.applications.models.app"
    assert app.line == 1
    assert app.bases == ["paas_wl.bk_app.applications.models.UuidAuditedModel"]
    assert app.description == "App Model"
    # Build has no Description line in the seed.
    build = _model(seed, "Build")
    assert build.description is None
    assert build.bases == ["paas_wl.utils.models.UuidAuditedModel"]
    deploy = _model(seed, "AppModelDeploy")
    assert deploy.description == "This model stores the cloud-native app's deployment histories."


def test_fields_table(seed):
    app = _model(seed, "App")
    assert [f.name for f in app.fields] == ["name", "owner", "region", "type"]
    name, _owner, region, type_ = app.fields
    assert name.type == "models.SlugField"
    # the seed's extra "type" key is dropped; backtick strings are kept as written
    assert name.params == {"max_length": 64, "validators": ["`validate_app_name`"]}
    assert region.params == {"max_length": 32}
    # \u escapes decoded
    assert type_.params == {
        "db_index": True,
        "default": "`WlAppType.DEFAULT.value`",
        "max_length": 16,
        "verbose_name": "应用类型",
    }
    build = _model(seed, "Build")
    assert len(build.fields) == 13
    artifact_detail = next(f for f in build.fields if f.name == "artifact_detail")
    assert artifact_detail.type == "models.JSONField"
    assert artifact_detail.params == {"default": {}, "help_text": "构件详情(展示信息)"}
    deploy = _model(seed, "AppModelDeploy")
    app_id = deploy.fields[0]
    assert app_id.name == "application_id"
    assert app_id.params == {"null": False, "verbose_name": "`_('所属应用')`"}


def test_relationships_table(seed):
    build = _model(seed, "Build")
    (rel,) = build.relationships
    assert (rel.field, rel.type, rel.target, rel.target_is_expr) == (
        "app",
        "models.ForeignKey",
        "App",
        False,
    )
    assert rel.related_name is None
    assert rel.on_delete == "models.CASCADE"
    process = _model(seed, "BuildProcess")
    assert [(r.field, r.type, r.target, r.related_name) for r in process.relationships] == [
        ("app", "models.ForeignKey", "App", None),
        ("output_stream", "models.OneToOneField", "OutputStream", None),
        ("build", "models.OneToOneField", "Build", "build_process"),
    ]
    line = _model(seed, "OutputStreamLine")
    assert line.relationships[0].related_name == "lines"
    assert _model(seed, "App").relationships == []


def test_relationship_backtick_target_and_na_on_delete():
    (model,) = sc.parse_seed(M2M_SECTION).models
    (rel,) = model.relationships
    assert rel.field == "plugins"
    assert rel.type == "models.ManyToManyField"
    assert rel.target == "Application"
    assert rel.target_is_expr is True
    assert rel.related_name == "distributors"
    assert rel.on_delete is None
    assert model.description.startswith('A "Distributor" is responsible')
    assert model.description.endswith("to a group of users,")
    assert model.fields[0].params == {"blank": True, "max_length": 512, "null": True}


def test_meta_table(seed):
    assert _model(seed, "App").meta == {"unique_together": ["region", "name"]}
    assert _model(seed, "Build").meta == {"get_latest_by": "created", "ordering": ["-created"]}
    assert _model(seed, "Config").meta["unique_together"] == [["app", "uuid"]]
    assert _model(seed, "AppModelResource").meta == {
        "indexes": ["`models.Index(fields=['application_id', 'module_id'])`"]
    }
    assert _model(seed, "Release").meta_raw["unique_together"] == "[['app', 'version']]"


def test_meta_value_parsing():
    assert sc.parse_meta_value("True") is True
    assert sc.parse_meta_value("services_domain") == "services_domain"
    assert sc.parse_meta_value("['-priority', 'name']") == ["-priority", "name"]
    assert sc.parse_meta_value("模块顺序") == "模块顺序"


def test_canon_expressions_and_literals():
    canon = sc.canon
    # seed backticks vs djatlas $expr, whitespace / quoting / trailing comma of the source
    assert canon("`models.CASCADE`") == canon({"$expr": "models.CASCADE"})
    assert canon("`models.Index(fields=['application_id', 'module_id'])`") == canon(
        {"$expr": 'models.Index(\n    fields=["application_id", "module_id"],\n)'}
    )
    assert canon(["`validate_app_name`"]) == canon([{"$expr": "validate_app_name"}])
    # the seed keeps _('text'); djatlas evaluates it to the text
    assert canon("`_('所属应用')`") == canon("所属应用")
    # tuples are lists; True is not 1; a plain string is not an expression
    assert canon(("region", "name")) == canon(["region", "name"])
    assert canon(True) != canon(1)
    assert canon("models.CASCADE") != canon({"$expr": "models.CASCADE"})
    assert canon("`uuid.uuid4`") != canon({"$expr": "uuid.uuid1"})


def test_module_matching():
    seed_module = "apiserver.paasng.paas_wl.bk_app.applications.models.app"
    good = {
        "module": "paas_wl.bk_app.applications.models.app",
        "file": seed_module.replace(".", "/") + ".py",
    }
    assert sc.module_matches(seed_module, good)
    assert not sc.module_matches(seed_module, dict(good, module="applications.models.apps"))
    assert not sc.module_matches(seed_module, dict(good, file="apiserver/other/app.py"))
    init = {"module": "vendor.models", "file": "svc-rabbitmq/vendor/models/__init__.py"}
    assert sc.module_matches("svc-rabbitmq.vendor.models", init)


def _report_for_build(**changes):
    build = {
        "name": "Build",
        "label": "api.Build",
        "module": "paas_wl.bk_app.applications.models.build",
        "file": "apiserver/paasng/paas_wl/bk_app/applications/models/build.py",
        "line": 53,
        "docstring": None,
        "bases": [{"name": "UuidAuditedModel"}],
        "meta": {"get_latest_by": "created", "ordering": ["-created"]},
        "fields": [
            {
                "name": "owner",
                "type": "models.CharField",
                "line": 57,
                "origin": "declared",
                "params": {"max_length": 64},
                "relation": None,
            },
            {
                "name": "app",
                "type": "models.ForeignKey",
                "line": 58,
                "origin": "declared",
                "params": {"to": "App", "on_delete": {"$expr": "models.CASCADE"}},
                "relation": {
                    "kind": "ForeignKey",
                    "target": "api.App",
                    "target_raw": '"App"',
                    "related_name": None,
                    "on_delete": "CASCADE",
                },
            },
        ],
    }
    app = {"name": "App", "label": "api.App", "module": "x", "file": "x.py", "fields": []}
    build.update(changes)
    return {"models": [build, app]}


BUILD_SEED = """\
### Build

**Module**: `apiserver.paasng.paas_wl.bk_app.applications.models.build`
**Base Classes**: paas_wl.utils.models.UuidAuditedModel

#### Fields

| Field Name | Type | Line | Parameters |
|------------|------|------|------------|
| owner | models.CharField | 1 | {"max_length": 64, "type": "models.CharField"} |

#### Relationships

| Field | Type | Target Model | Related Name | On Delete |
|-------|------|--------------|--------------|-----------|
| app | models.ForeignKey | App | N/A | `models.CASCADE` |

#### Meta Options

| Option | Value |
|--------|-------|
| get_latest_by | created |
| ordering | ['-created'] |

---
"""


def test_comparator_matches_a_faithful_report():
    res = sc.Comparator(sc.parse_seed(BUILD_SEED), _report_for_build()).compare()
    assert (res.models.matched, res.models.total) == (1, 1)
    assert (res.fields.matched, res.params.matched, res.params.total) == (1, 1, 1)
    assert (res.relationships.matched, res.relationships.total) == (1, 1)
    assert (res.meta.matched, res.meta.total) == (2, 2)
    # only the required extras (absent from this tiny report) are missing
    assert {m.kind for m in res.mismatches} == {
        "required extra model missing",
        "required extra field missing",
    }


def test_comparator_reports_each_difference():
    report = _report_for_build(meta={"ordering": ["created"]})
    report["models"][0]["fields"][0]["params"] = {"max_length": 32}
    report["models"][0]["fields"][1]["relation"]["on_delete"] = "SET_NULL"
    report["models"][0]["fields"][1]["relation"]["target"] = None
    res = sc.Comparator(sc.parse_seed(BUILD_SEED), report).compare()
    kinds = {m.kind for m in res.mismatches}
    assert "param value differs" in kinds
    assert "meta option missing" in kinds
    assert "meta value differs" in kinds
    assert "relationship on_delete differs" in kinds
    assert "relationship target (resolved) differs" in kinds
    assert res.relationships.matched == 0
    # the wrong module is not a match
    moved = _report_for_build(module="paas_wl.bk_app.applications.models.other")
    res = sc.Comparator(sc.parse_seed(BUILD_SEED), moved).compare()
    assert res.models.matched == 0
    assert any(m.kind == "model module differs" for m in res.mismatches)


def test_alias_target_and_known_seed_error():
    seed = sc.parse_seed(
        BUILD_SEED.replace(
            "| app | models.ForeignKey | App | N/A |", "| app | models.ForeignKey | `WlApp` | N/A |"
        )
    )
    report = _report_for_build()
    relation = report["models"][0]["fields"][1]["relation"]
    relation["target_raw"] = "WlApp"  # `WlApp = App` in the corpus; resolves to api.App
    res = sc.Comparator(seed, report).compare()
    assert res.relationships.matched == 1
    relation["related_name"] = "builds"
    res = sc.Comparator(seed, report).compare()
    assert res.relationships.matched == 0
    known = sc.KnownSeedError(
        model="Build",
        module="paas_wl.bk_app.applications.models.build",
        kind="relationship",
        name="app",
        key="related_name",
        expected="builds",
        reason="test",
    )
    res = sc.Comparator(seed, report, known_errors=(known,)).compare()
    assert res.relationships.matched == 1
    assert res.known_errors_used == [known]
