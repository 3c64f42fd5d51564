"""Work the graph does once and reuses (an inline call's parse, a field's callee, a parent's
field copies) gives the answers a fresh computation gives, model by model."""

from __future__ import annotations

import pytest

from djatlas.graph.build import GraphBuilder
from djatlas.graph.constants import _call_snippet, _parsed_call
from djatlas.graph.types import Field, Relation
from djatlas.records import replace

SIZED = """
from django.db import models

from {source} import size


class {name}(models.Model):
    code = models.CharField(max_length=size())
    label = models.CharField(max_length=size(), default=size())
"""


def test_one_inline_call_in_two_modules_follows_each_modules_function(project):
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": 'INSTALLED_APPS = ["one", "two"]\n',
            "lib_a.py": "def size():\n    return 10\n",
            "lib_b.py": "def size():\n    return 20\n",
            "one/__init__.py": "",
            "one/models.py": SIZED.format(source="lib_a", name="First"),
            "two/__init__.py": "",
            "two/models.py": SIZED.format(source="lib_b", name="Second"),
        }
    )
    assert s.field("First", "code")["max_length"] == 10
    assert s.field("Second", "code")["max_length"] == 20
    assert s.field("First", "label")["known_params"] == {"max_length": 10, "default": 10}
    assert s.field("Second", "label")["known_params"] == {"max_length": 20, "default": 20}


@pytest.mark.parametrize(
    "source",
    [
        "getattr(settings, 'X', 3)",
        "(getattr)(settings, 'X', 3)",
        "[f][0](1)",
        "a(b)(c)",
        "f(*rest)",
        "f(1, key=2)",
        "f(",
        "x if y else z",
        "[1, 2]",
        "settings.LENGTH",
        "lambda: f()",
        "'('",
        "",
        "Status.get_choices()",
        "constants.Status.get_choices()",
        "make_choices(Status)",
        "make_choices(Status, other.Kind)",
        "f(a,b)",
        "f(a, )",
        "f( a )",
        "f(a)(b)",
        "f(a).g()",
        "f(True)",
        "None()",
        "x.None()",
        "class.x()",
        "match.case(type, _)",
        "f(a.)",
        "f(.a)",
        "\u00e9()",
        "f()\n",
        ")",
        'models.CharField("名称", max_length=64, unique=True)',
        "partial(get_random_string, length=12)",
        'os.environ.get("DEFAULT_CURRENCY", "USD")',
        "f(x=1, y=2, x=3)",
        "f(x=1, a)",
        "f(lambda=1)",
        "f(a==b)",
        "f('a\"b', \"c'd\", 0, 10, 007, 1_0)",
        "f(a,)",
        "f(a, b, )",
        "f( \n a ,\tb=c.d )",
        "f(None.x, True, False, None)",
        "f(\u00e9)",
        "f(a) # note",
        "[(i.value, i.name) for i in Kinds]",
        "f(x)[0]",
        "f('\ud800')",
        "f('a\\nb')",
        "f(" + "9" * 30 + ")",
        "f(*a, **k)",
        "f(a.b.c, match=case.type)",
    ],
)
def test_call_snippet_answers_as_a_fresh_parse(source):
    assert _call_snippet(source) == _parsed_call(source)


def test_parent_copy_is_the_record_replace_makes():
    relation = Relation(kind="ForeignKey", target="a.B", target_raw="B", on_delete="CASCADE")
    original = Field(
        name="owner",
        type="models.ForeignKey",
        resolved_type="django.db.models.ForeignKey",
        django_type="ForeignKey",
        line=3,
        origin="declared",
        defined_in="a.models.A",
        params={"to": "B"},
        column="owner_id",
        null=False,
        unique=False,
        primary_key=False,
        max_length=None,
        relation=relation,
        known_params={"x": 1},
    )
    copied = GraphBuilder._as_parent(original)
    expected = replace(original, origin="parent")
    assert copied is not original and original.origin == "declared"
    assert type(copied) is Field and copied.__dict__ == expected.__dict__
    assert list(copied.__dict__) == list(expected.__dict__)


FACTORY = """
from django.db import models

Dynamic = type("Dynamic", (models.Model,), {})


def money_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class Priced(models.Model):
    price = money_field(null=True)
    name = models.CharField(max_length=5)
    other = unknownlib.SomeField(max_length=7)
    made = type("X", (), {})
    nothing = len("abc")
"""


def test_field_callees_resolved_directly_or_through_the_call(project):
    s = project(
        {
            "proj/__init__.py": "",
            "proj/settings.py": 'INSTALLED_APPS = ["shop"]\n',
            "shop/__init__.py": "",
            "shop/models.py": FACTORY,
        }
    )
    price = s.field("Priced", "price")
    assert price["django_type"] == "DecimalField" and price["null"] is True
    assert price["params"] == {"max_digits": 12, "decimal_places": 2, "null": True}
    assert s.field("Priced", "name")["max_length"] == 5
    assert s.field("Priced", "other")["resolved_type"] == "unknownlib.SomeField"
    assert s.field_names("Priced") == ["id", "price", "name", "other"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ast on "\\." in random sources
def test_call_snippet_answers_as_a_fresh_parse_for_random_calls() -> None:
    import random

    rng = random.Random(7)
    pieces = ["a", "b.c", "None", "True", "x=", "y =", "1", "0", "01", "'s'", '"q"', "'名'"]
    pieces += [",", ", ", " ", "\n", "(", ")", "=", "==", "'", "#", "\\", "class", "_"]
    pieces += ["[", "]", ".", ".x", "'a\"b'", "'\u3000'", "f(", "2" * 19, "x=(", "1.5", "\t"]
    heads = ["f", "m.F", "None", "(f)", " f", "f\n", "'s'.format", "f()", "[f]", "(a, b)"]
    for _ in range(20000):
        inner = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        tail = rng.choice([")", ")", ")", ") ", ")\n", ").x", ")(1)", ")[0]"])
        source = rng.choice(heads) + "(" + inner + tail
        assert _call_snippet(source) == _parsed_call(source), source
