"""The summary's fast paths give what the general ones give: a plain string read from one slice,
a name decoded once per process, a long table of small choices not summarised, a plain
``a = v`` assignment taken without following a chain."""

from __future__ import annotations

import pytest

from djatlas.parse import values, visitor
from djatlas.parse.reader import parse
from djatlas.parse.values import KINDS, segment, string_and_segment, string_value

STRINGS = [
    '"plain"',
    "'single'",
    '"two  spaces inside"',
    '"' + "x" * 400 + '"',  # longer than a segment: cut
    '"caf\u00e9 \u4e2d\u6587"',
    '"escaped \\n newline"',
    'r"raw \\d+"',
    'b"bytes"',
    'f"formatted {x}"',
    '"""triple"""',
    "'''multi\nline'''",
    '"quote \\" inside"',
    '""',
]


def _values(source: str) -> list[tuple[bytes, object]]:
    """(source bytes, right-hand node) of each ``name = value`` line of ``source``."""
    parsed = parse(source.encode(), "m.py")
    src = parsed.tree.source
    out = []
    for stmt in parsed.tree.root_node.children:
        assign = stmt.children[0]
        out.append((src, assign.children[-1]))
    return out


@pytest.mark.parametrize("literal", STRINGS)
def test_a_string_reads_as_string_value_and_segment(literal: str) -> None:
    [(src, node)] = _values(f"x = {literal}\n")
    assert KINDS[node.kind_id] == "string"
    assert string_and_segment(src, node) == (string_value(src, node), segment(src, node))


def test_a_name_is_decoded_once_and_shared() -> None:
    source = "a = name\nb = name\nc = \uff4eame\nd = pkg.mod.attr\ne = pkg.mod.attr\n"
    nodes = _values(source)
    names = [values.ident(src, n) for src, n in nodes[:3]]
    assert names == ["name", "name", "name"]  # NFKC, as Python reads identifiers
    assert names[0] is names[1]
    dotted = [values.dotted(src, n) for src, n in nodes[3:]]
    assert dotted == ["pkg.mod.attr", "pkg.mod.attr"] and dotted[0] is dotted[1]


def _summary(source: str) -> dict:
    parsed = parse(source.encode(), "app/models.py")
    summary = visitor.summarize(parsed.tree, parsed.text, "app.models", "app/models.py", False)
    return summary.to_dict()


def _with_general_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The visitor without its table and string fast paths: a table is skipped only under
    ``_SMALL`` nodes, every string goes through ``string_value`` and ``segment``."""
    small = visitor._SMALL
    monkeypatch.setattr(visitor, "_unused", lambda seq: seq.descendant_count < small)
    monkeypatch.setattr(
        visitor, "string_and_segment", lambda s, n: (string_value(s, n), segment(s, n))
    )


TABLE = "\n".join(f'        ("c{i}", "Choice number {i}"),' for i in range(400))
MODELS = f"""from django.db import models


class Kind(models.Model):
    CHOICES = (
{TABLE}
    )
    kind = models.CharField(max_length=10, choices=CHOICES, default="c1")
    a = b = models.IntegerField(default=0)
    label: str = "x"
    note = "two  spaces"


LANGUAGES = [
{TABLE}
]
"""


def test_a_long_table_of_small_items_summarises_as_before(monkeypatch) -> None:
    fast = _summary(MODELS)
    kind = fast["classes"]["Kind"]
    assert "CHOICES" in kind["attributes"]
    assert [m["name"] for m in kind["members"]] == ["kind", "a", "b", "label", "note"]
    _with_general_paths(monkeypatch)
    assert _summary(MODELS) == fast


def test_a_table_with_one_large_item_is_still_summarised(monkeypatch) -> None:
    big = " + ".join(["1"] * 400)  # one item of ~800 nodes: not a small one
    source = f"from django.db import models\n\n\nclass K(models.Model):\n    T = (({big}), 2)\n"
    fast = _summary(source)
    _with_general_paths(monkeypatch)
    assert _summary(source) == fast
    assert "T" in fast["classes"]["K"]["attributes"]


def test_a_plain_assignment_gives_the_chain_answer() -> None:
    for line, names, annotated in [
        ("a = 1", ["a"], False),
        ("a = b = 1", ["a", "b"], False),
        ("a: int = 1", ["a"], True),
    ]:
        parsed = parse(f"{line}\n".encode(), "m.py")
        assign = parsed.tree.root_node.children[0].children[0]
        targets, value, is_annotated = visitor._targets(assign)
        src = parsed.tree.source
        assert [src[t.start_byte : t.end_byte].decode() for t in targets] == names
        assert src[value.start_byte : value.end_byte] == b"1"
        assert is_annotated is annotated
