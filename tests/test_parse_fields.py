"""A class body's plain ``name = callee(arguments)`` statements read from the source
(``visitor._plain_field``) and a docstring looked for only where a string may start give the
summary the nodes give."""

from __future__ import annotations

import pickle
import re

import pytest

from djatlas.parse import values, visitor
from djatlas.parse.reader import parse

LONG = "n" * 301
FIELDS = f"""from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.Model):
    a = models.CharField(max_length=10)
    b = models.CharField("label", max_length=0, blank=True, null=False, default=None)
    c = models.ForeignKey("app.Other", on_delete=models.CASCADE, related_name="+",)
    d = models.CharField(
        verbose_name=_("name"),
        help_text=gettext_lazy( "text" , ),
        default=timezone.now,
        choices=Status.choices,
    )
    e = fields.Custom(_(), other("x"), call(), translation.gettext("y"), _("x",))
    f = models.IntegerField(default=0x1F, other=00, third=10_000)
    g = models.IntegerField(default=-1)
    h = models.CharField(default="a" "b")
    i = models.CharField(default='two  spaces', x = 1 , y= name)
    j = models.CharField(default=r"raw", k=b"x", m=f"y", n=u"z")
    k = models.CharField(*args, **kwargs)
    l = models.CharField(  # comment
        max_length=1)
    m = Field(None.__class__, x=True.real)
    n = Field(a.b.c, a . b, (a.b))
    p = Field(print, exec, type=match, case=case.type)
    q = Field({LONG})
    r = Field(a.{LONG})
    s = Field(1.5, 1e3, 1j, 1 + 1)
    t = a.b(c)(d)
    u = f(a) + g(b)
    v = w = f(1)
    x: int = f(1)
    print = f(1)
    y = f(a=1, a=2)
    z = f(a
          ,b)
    aa = f("caf\u00e9", "\u4e2d\u6587", '\u00e9t\u00e9')
    bb = f('it"s', "it's", "")
    cc = f("a\\nb", 'c\\'d')
    dd = f(x, )
    ee = f()
    ff = models . CharField(x=1)
    gg = f (1)
    hh = f(g ("x"), g("x" ), g( ))
    ii = f(_("a", "b"), _("a" "b"))
    jj = f(lambda: 1, x=[1, 2], y=(1, 2), z={{}})
    kk = f(a)(b)
    ll = f(x=a.b(), y=a.b("text"), z=pkg.gettext("t"), w=pkg.ngettext("t"))
    mm = f(x='''
    doc''')
    nn = f(
        "a",
        "b",
    )
    oo = f(a=True, b=False, c=None, d=0, e=Truth, g=None_)
    qq = \\
        f(1)
    rr = f(1);  ss = f(2)
    \uff54t = f(\uff4eame, x=\uff4eame)
"""


def _summary(source: str):  # noqa: ANN202
    parsed = parse(source.encode(), "app/models.py")
    return visitor.summarize(parsed.tree, parsed.text, "app.models", "app/models.py", False)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_plain_fields_summarise_as_their_nodes(monkeypatch, newline: str) -> None:
    source = FIELDS.replace("\n", newline)
    fast = _summary(source)
    members = [m.name for m in fast.classes["Kind"].members]
    assert members[:4] == ["a", "b", "c", "d"] and "print" in members and "tt" in members
    fast_again = _summary(source)  # names and chains read before (kept by ``values``)
    monkeypatch.setattr(visitor, "_FIELD", re.compile(rb"(?!)"))
    general = _summary(source)
    assert fast == general == fast_again
    assert fast.to_dict() == general.to_dict()
    assert pickle.loads(pickle.dumps(fast)) == general


def test_a_statement_given_up_half_way_keeps_no_name() -> None:
    """A statement read plainly up to an argument that is not plain (``default=(...)``) keeps
    no name nor chain of its first arguments: they stay for the nodes' way (the names a summary
    shares are those it read)."""
    values.DOTTED.pop(b"Mode.UNSEEN_CHOICES", None)
    _summary("class K:\n    x = f(choices=Mode.UNSEEN_CHOICES, default=(1 if a else 2), y=[])\n")
    assert b"Mode.UNSEEN_CHOICES" in values.DOTTED  # (the nodes' way read it)
    values.DOTTED.pop(b"Mode.UNSEEN_CHOICES")
    statement = b"x = f(choices=Mode.UNSEEN_CHOICES, y=[])"
    assert visitor._plain_field(statement, 0, len(statement)) is None
    assert b"Mode.UNSEEN_CHOICES" not in values.DOTTED


@pytest.mark.parametrize(
    "raw", [b"name", b"a.b.c", b"None", b"True", b"None.x", b"print", b"x.match"]
)
def test_a_plain_chain_is_the_dotted_name_of_its_node(raw: bytes) -> None:
    parsed = parse(b"x = " + raw + b"\n", "m.py")
    node = parsed.tree.root_node.children[0].children[0].children[-1]
    expected = values.dotted(parsed.tree.source, node)
    assert values.plain_chain(raw) == expected


DOCSTRINGS = '''
class A:
    """Doc."""


class B:
    # a comment first
    r"""Raw doc."""


class C:
    ("Bracketed doc")


class D:
    u"""Tabbed
\tdoc.
    """


class E:
    name = "not a doc"


class F:
    rank = 1


class G:
    b"bytes"


class H:
    f"formatted {x}"


class I:
    tail = 1
    """Not first."""


class J:
    pass
'''


def test_a_docstring_is_looked_for_only_where_a_string_may_start(monkeypatch) -> None:
    fast = _summary(DOCSTRINGS)
    monkeypatch.setattr(visitor, "_STRING_STARTS", frozenset(range(256)))
    assert _summary(DOCSTRINGS) == fast
    docs = {name: cls.docstring for name, cls in fast.classes.items()}
    assert docs["A"] == "Doc." and docs["B"] == "Raw doc." and docs["C"] == "Bracketed doc"
    assert docs["D"] == "Tabbed\ndoc." and docs["E"] is None and docs["I"] is None
