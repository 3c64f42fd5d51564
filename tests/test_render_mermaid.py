"""Mermaid erDiagram structure; Mermaid itself parses it in tests/e2e/test_mermaid_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from djatlas.render import FORMATS, RenderOptions, get_renderer
from djatlas.render.mermaid import entity_id, mermaid_blocks, render

SAMPLE = Path(__file__).parent / "fixtures" / "reports" / "sample.json"
ENTITY = re.compile(r'^    ([A-Za-z_][A-Za-z0-9_]*)\["([^"\n]*)"\]( \{)?$')
ATTR = re.compile(
    r"^        [A-Za-z_][A-Za-z0-9_]* [A-Za-z_][A-Za-z0-9_]*"
    r'( (PK|FK|UK)(, (PK|FK|UK))*)?( "[^"\n]*")?$'
)
REL = re.compile(
    r"^    ([A-Za-z_][A-Za-z0-9_]*) (\|\||\|o|\}o)(--|\.\.)(o\{|o\||\|\|) "
    r'([A-Za-z_][A-Za-z0-9_]*) : "[^"\n]*"$'
)


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(SAMPLE.read_text("utf-8"))


def unescape(text: str) -> str:
    """Decode the Mermaid entity codes the renderer uses (#95; #42; #35;)."""
    return text.replace("#95;", "_").replace("#42;", "*").replace("#35;", "#")


def check_syntax(src: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Check every line against the erDiagram subset we emit; return entities and relations."""
    lines = src.splitlines()
    assert lines[0] == "erDiagram"
    entities: dict[str, str] = {}
    rels = []
    in_body = False
    for line in lines[1:]:
        if in_body:
            if line == "    }":
                in_body = False
                continue
            assert ATTR.match(line), line
            continue
        m = ENTITY.match(line)
        if m:
            assert m.group(1) not in entities, f"duplicate entity {line}"
            entities[m.group(1)] = unescape(m.group(2))
            in_body = bool(m.group(3))
            continue
        r = REL.match(line)
        assert r, line
        rels.append((r.group(1), r.group(2) + r.group(3) + r.group(4), r.group(5)))
    assert not in_body
    for a, _, b in rels:
        assert a in entities and b in entities
    return entities, rels


def test_registered():
    assert FORMATS["mermaid"] == "djatlas.render.mermaid:render"
    assert get_renderer("mermaid") is render


def test_full_diagram_cardinalities(doc):
    src = render(doc, RenderOptions())
    entities, rels = check_syntax(src)
    assert set(entities.values()) == {m["label"] for m in doc["models"]}
    by = {(entities[a], entities[b]): arrow for a, arrow, b in rels}
    assert by[("shop.Category", "shop.Product")] == "||--o{"  # FK: many products, one category
    assert by[("shop.Category", "shop.Category")] == "|o--o{"  # nullable self FK
    assert by[("accounts.User", "accounts.Profile")] == "||--o|"  # one-to-one
    assert by[("shop.Product", "shop.Tag")] == "}o--o{"  # many-to-many
    assert by[("accounts.User", "accounts.User")] == "}o--o{"  # self M2M
    assert by[("shop.LiveProduct", "shop.Product")] == "}o..||"  # proxy
    assert '"category"' in src and '"products through shop.OrderLine"' in src


def test_non_ascii_names_get_ascii_ids_and_keep_the_label(doc):
    src = render(doc, RenderOptions())
    cafe = entity_id("évènements.Café")
    assert cafe.isascii() and f'{cafe}["évènements.Café"]' in src
    assert '"naïve_ünïcode"' in src  # original field name kept in the comment
    assert entity_id("évènements.Cafe") != cafe


def test_no_fields_and_filters(doc):
    src = render(doc, RenderOptions(no_fields=True, apps=["shop"]))
    entities, _ = check_syntax(src)
    assert "{" not in src.replace("o{", "")
    assert all(v.startswith("shop.") for v in entities.values())


def test_blocks_per_app_and_cross_app(doc):
    blocks = mermaid_blocks(doc, RenderOptions())
    titles = [t for t, _ in blocks]
    assert titles == [
        "App accounts",
        "App core",
        "App shop",
        "App évènements",
        "Cross-app relations",
    ]
    for _, src in blocks:
        check_syntax(src)
    cross_entities, cross_rels = check_syntax(blocks[-1][1])
    assert "accounts.User" in cross_entities.values() and all(
        "{" not in line for line in blocks[-1][1].splitlines()[1:] if not REL.match(line)
    )
    apps = {label.split(".")[0] for label in cross_entities.values()}
    assert len(apps) > 1 and cross_rels


identifier = st.from_regex(r"[^\W\d]\w{0,20}", fullmatch=True)


@given(app=identifier, name=identifier, field=identifier)
def test_any_identifier_gives_valid_syntax(app, name, field):
    label = f"{app}.{name}"
    doc = {
        "apps": [{"label": app, "models": [label]}],
        "models": [
            {
                "name": name,
                "label": label,
                "app_label": app,
                "module": f"{app}.models",
                "abstract": False,
                "proxy": False,
                "parents": [],
                "bases": [],
                "fields": [
                    {
                        "name": field,
                        "type": "models.CharField",
                        "django_type": "CharField",
                        "null": True,
                        "unique": False,
                        "primary_key": False,
                        "relation": None,
                    },
                    {
                        "name": field + "_x",
                        "type": "models.ForeignKey",
                        "django_type": "ForeignKey",
                        "null": False,
                        "unique": False,
                        "primary_key": False,
                        "relation": {"kind": "ForeignKey", "target": label, "through": None},
                    },
                ],
            }
        ],
    }
    entities, rels = check_syntax(render(doc, RenderOptions()))
    assert list(entities.values()) == [label] and len(rels) == 1
