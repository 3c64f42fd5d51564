"""The summary's fast paths give what the general ones give: a plain string read from one slice,
a name decoded once per process, a long table of small choices not summarised, a plain
``a = v`` assignment taken without following a chain, pairs of plain strings and class constants
read from the source, a call's plain arguments."""

from __future__ import annotations

import re

import pytest

from djatlas.parse import values, visitor
from djatlas.parse.reader import parse
from djatlas.parse.summary import Arg
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


CONSTANTS = """from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    ACTIVE = "active"
    SPACED  =  'two  spaces'
    UNICODE = "caf\u00e9"
    ESCAPED = "a\\nb"
    RAW = r"raw"
    JOINED = "a" "b"
    COMMENTED = "c"  # a comment
    LONG = "%s"
    ANNOTATED: str = "x"
    CHAINED = OTHER = "y"
    print = "p"


LANGUAGES = [
    ("af", "Afrikaans"),
    ( 'a' ,
      'b', ),
    ("two  spaces", "x"),
    ("caf\u00e9", "\u4e2d\u6587"),
    ("a\\n", "b"),
    ("a" "b", "c"),
    ("one",),
    ("a", "b", "c"),
    (("nested", "pair"), "x"),
    ("%s", "y"),
]
""".replace("%s", "x" * 400)


def test_plain_pairs_and_constants_summarise_as_their_nodes(monkeypatch) -> None:
    """A table's pairs of plain strings and a class's ``NAME = "text"`` read from the source
    (``_pair``, ``_named_string``) give what their nodes give."""
    fast = _summary(CONSTANTS)
    never = re.compile(rb"(?!)")
    monkeypatch.setattr(visitor, "_PAIR", never)
    monkeypatch.setattr(visitor, "_NAMED_STRING", never)
    assert _summary(CONSTANTS) == fast
    members = [m["name"] for m in fast["classes"]["Status"]["members"]]
    assert members[:3] == ["ACTIVE", "SPACED", "UNICODE"] and "print" in members


ARGUMENTS = [
    '"plain"',
    '"two  spaces"',
    '"a\\nb"',
    "r'raw'",
    "1",
    "0x1F",
    "-1",
    "True",
    "None",
    "name",
    "models.CASCADE",
    "models . CASCADE",
    "None.__class__",
    "a." + "b" * 400,
    '_("text")',
    '_( "text" )',
    '_("text",)',
    '_("a" "b")',
    "_(name)",
    '_(  # comment\n"text")',
    'gettext_lazy("x")',
    'translation.gettext("x")',
    'other("x")',
    "[1, 2]",
    "{'a': 1}",
]


@pytest.mark.parametrize("source", ARGUMENTS)
def test_an_argument_reads_as_its_literal_and_dotted_name(source: str) -> None:
    """``arg``'s fast paths (plain string, integer, plain chain read before, ``_("text")``)
    give the general ``Arg(literal, dotted, callee)``."""
    parsed = parse(f"f({source})\nf({source})\n".encode(), "m.py")
    src = parsed.tree.source
    v = visitor._Visitor(src, "m", False, False)
    for stmt in parsed.tree.root_node.children:  # twice: a chain is cached the first time
        node = values.items(stmt.children[0].children[-1])[0]
        callee = None
        if KINDS[node.kind_id] == "call":
            callee = values.dotted(src, node.children[0])
        expected = Arg(values.literal(src, node), values.dotted(src, node), callee)
        assert v.arg(node) == expected
        assert values._gettext(src, node, callee) == _general_gettext(src, node, callee)


def _general_gettext(src: bytes, node, name: str | None) -> str | None:  # noqa: ANN001
    """``values._gettext`` without its ``_("text")`` fast path."""
    if KINDS[node.kind_id] != "call":
        return None
    if not name or name.rsplit(".", 1)[-1] not in values.GETTEXT:
        return None
    args = node.children[-1]
    if KINDS[args.kind_id] != "argument_list":
        return None
    given = values.items(args)
    if not given or any(
        KINDS[c.kind_id] in ("keyword_argument", "dictionary_splat") for c in given
    ):
        return None
    return string_value(src, values.unwrap(given[-1]))


def test_a_dotted_name_read_again_is_the_same_name() -> None:
    """``_dotted_name`` keeps each source's answer: a name written with spaces is joined the
    first time and the next times."""
    source = "import a . b as c\nfrom a . b import d\nimport a.b as e\nfrom x import y . z\n"
    for module in ("one", "two"):
        parsed = parse(source.encode(), f"{module}.py")
        summary = visitor.summarize(parsed.tree, parsed.text, module, f"{module}.py", False)
        imports = summary.to_dict()["imports"]
        assert imports["c"]["module"] == "a.b" and imports["e"]["module"] == "a.b"
        assert imports["d"]["module"] == "a.b"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ast on "\\d" in random literals
def test_str_literals_read_without_ast_as_literal_eval_reads_them() -> None:
    """Raw literals (``_raw_body``) and those with the usual escapes (``_escaped_value``)."""
    import ast
    import random

    from djatlas.parse.values import _string

    rng = random.Random(3)
    chars = [b"a", b"\\", b'"', b"'", b"\n", b"\r", b"\x00", b"\xc3\xa9", b"\xff", b" ", b"d"]
    chars += [b"\\", b"n", b"t", b"x4", b"0", b"N{BULLET}"]
    cases = [b'r"\\1_\\2"', b"R'^([a-z]):'", b'r""', b'r"""a\n"b"""', b'r"a\\"b"', b'r"abc']
    cases += [b'"a\\nb"', b"u'\\t'", b'"\\\\"', b'"a\\"b"', b"'\\d'", b'"\\"']
    for _ in range(5000):
        quote = rng.choice([b'"', b"'", b'"""', b"'''"])
        body = b"".join(rng.choice(chars) for _ in range(rng.randint(0, 5)))
        cases.append(rng.choice([b"r", b"R", b"u", b"U", b""]) + quote + b"\\" + body + quote)
    for raw in cases:
        try:
            value = ast.literal_eval(raw.decode("utf-8", "replace"))
        except (SyntaxError, ValueError):
            value = None
        assert _string(raw) == (value if isinstance(value, str) else None), raw


SETTINGS = """
from django.utils.translation import gettext_lazy as _
BASE = env.list("BASE", default=["a"])
LABEL = _("label")
CONFIG = {"apps": ["x.y"], "n": 1}
EXTRA = settings.get("EXTRA", [])
EXTRA += ["after"]
GROWN = settings.get("GROWN")
GROWN.append("z")
CALLED = (build("c"))
AUTH_USER_MODEL = LABEL
DEFAULT_AUTO_FIELD = CALLED
try:
    LATER = os.environ["LATER"]
except KeyError:
    LATER = compute()
    INSTALLED_APPS = [LATER, CONFIG, *EXTRA]
INSTALLED_APPS = ["django.contrib.auth", BASE, LABEL, CONFIG, *EXTRA, *GROWN] + LATER
INSTALLED_APPS += CALLED
INSTALLED_APPS.extend(CONFIG)
BASE = ["rebound"]
INSTALLED_APPS.append(BASE)
"""


def test_constants_computed_when_read_give_the_eager_summary(monkeypatch) -> None:
    """A constant's settings value computed only when a setting reads it (``_Visitor.lazy``)
    gives the summary computing each one at once gives (calls, gettext, dicts; read by a
    setting, extended, mutated, or in an ``except`` fallback)."""
    parsed = parse(SETTINGS.encode(), "proj/settings.py")
    lazy = visitor.summarize(parsed.tree, parsed.text, "proj.settings", "proj/settings.py", False)
    monkeypatch.setattr(visitor._Visitor, "lazy", False)
    eager = visitor.summarize(parsed.tree, parsed.text, "proj.settings", "proj/settings.py", False)
    assert lazy == eager and lazy.to_dict() == eager.to_dict()
    apps = lazy.settings["INSTALLED_APPS"]
    assert apps[1] == {"$expr": 'env.list("BASE", default=["a"])'} and apps[2] == "label"
    assert lazy.settings["AUTH_USER_MODEL"] == "label"
    assert lazy.settings["DEFAULT_AUTO_FIELD"] == {"$expr": 'build("c")'}
