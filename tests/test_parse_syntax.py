"""The parser reads every Python 3 syntax whatever Python djatlas runs on, and a syntax error
costs only the statement it is in, reported with its line and a correct hint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from djatlas.parse.reader import ReadError, parse
from djatlas.parse.visitor import summarize
from djatlas.scan import scan_path

HEAD = "from django.db import models\n\n\n"


def summary(source: str):
    parsed = parse(source.encode(), "app/models.py")
    return summarize(parsed.tree, parsed.text, "app.models", "app/models.py", False)


def members(source: str) -> dict[str, list[str]]:
    return {n: [m.name for m in c.members] for n, c in summary(source).classes.items()}


def scan(tmp_path: Path, source: str) -> dict[str, Any]:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(source)
    return scan_path(str(tmp_path), timing=False, use_cache=False)


def fields(doc: dict[str, Any]) -> dict[str, list[str]]:
    return {m["name"]: [f["name"] for f in m["fields"]] for m in doc["models"]}


def recovered(doc: dict[str, Any]) -> list[tuple[int, str]]:
    return [(d["line"], d["message"]) for d in doc["diagnostics"] if d["code"] == "DJA111"]


NEWER = {
    "pep695 generic class and function": """
class Box[T](models.Model):
    name = models.CharField(max_length=10)

    def first[U: str](self, items: list[U]) -> U:
        return items[0]


def make[T](x: T) -> T:
    return x
""",
    "pep695 type alias": """
type Rows[T] = list[T]
type Name = str


class Box(models.Model):
    name = models.CharField(max_length=10)
""",
    "pep696 type parameter defaults": """
class Box[T = int, *Ts = *tuple[int], **P = [int]](models.Model):
    name = models.CharField(max_length=10)

type Pair[T = str] = tuple[T, T]


def pick[T = int](x: T) -> T:
    return x
""",
    "pep701 f-strings": """
LABEL = f"{"nested"} {f"{f"{1}"}"} {"\\n".join(["a", "b"])}"


class Box(models.Model):
    name = models.CharField(max_length=10, help_text=f"{'x' + "y"}")

    def __str__(self):
        return f"{self.name!r:>{10}} {  # a comment inside
            self.pk}"
""",
    "pep758 except without parentheses": """
try:
    from json import loads
except ImportError, ModuleNotFoundError:
    loads = None


class Box(models.Model):
    name = models.CharField(max_length=10)

    def load(self):
        try:
            return loads(self.name)
        except ValueError, TypeError:
            return None
""",
    "pep750 t-strings": """
GREETING = t"hello {name!r:>{width}}"


class Box(models.Model):
    name = models.CharField(max_length=10)

    def render(self):
        return t"<p>{self.name}</p>"
""",
    "match, walrus, except*, parenthesized with": """
class Box(models.Model):
    name = models.CharField(max_length=10)

    def kind(self, value):
        match value:
            case {"a": 1, **rest} if (n := len(rest)) > 0:
                return n
            case [1, *_] | Point(x=0):
                return 0
        try:
            pass
        except* ValueError:
            pass
        with (open("a") as a, open("b") as b):
            pass
""",
}


@pytest.mark.parametrize("source", NEWER.values(), ids=NEWER.keys())
def test_newer_syntax_yields_its_models(tmp_path: Path, source: str) -> None:
    doc = scan(tmp_path, HEAD + source)
    assert fields(doc) == {"Box": ["id", "name"]}
    assert recovered(doc) == []
    assert doc["files"][-1]["status"] == "parsed"


def test_pep695_class_bases_and_methods_are_read() -> None:
    s = summary(HEAD + NEWER["pep695 generic class and function"])
    box = s.classes["Box"]
    assert [b.ref for b in box.bases] == ["models.Model"]
    assert box.methods == ["first"]
    assert s.functions["make"].params == ["x"]


def test_pep701_values_are_kept_as_source() -> None:
    s = summary(HEAD + NEWER["pep701 f-strings"])
    name = s.classes["Box"].members[0].value.call
    assert name.kwargs["help_text"].value == {"$expr": 'f"{\'x\' + "y"}"'}


def test_pep758_fallback_imports_are_read() -> None:
    s = summary(HEAD + NEWER["pep758 except without parentheses"])
    assert s.imports["loads"].module == "json"


# -- recovery -------------------------------------------------------------------------------
BROKEN_METHOD = (
    HEAD
    + """class Order(models.Model):
    number = models.CharField(max_length=10)

    def total(self):
        return sum(line.price for line in self.lines.all(

    def __str__(self):
        return self.number

    placed = models.DateTimeField()
"""
)


def test_broken_method_loses_only_that_method() -> None:
    s = summary(BROKEN_METHOD)
    order = s.classes["Order"]
    assert [m.name for m in order.members] == ["number", "placed"]
    assert order.methods == ["__str__"]
    (issue,) = s.syntax_errors
    assert (issue.line, issue.skipped, issue.hint) == (8, [7, 8], "")
    assert issue.message == "unclosed bracket"


def test_broken_line_in_class_body_loses_only_that_line(tmp_path: Path) -> None:
    doc = scan(
        tmp_path,
        HEAD
        + """class Order(models.Model):
    number = models.CharField(max_length=10)
    total = models.DecimalField(max_digits=10 decimal_places=2)
    placed = models.DateTimeField(
    paid = models.BooleanField(default=False)
""",
    )
    assert fields(doc) == {"Order": ["id", "number", "paid"]}
    assert recovered(doc) == [
        (6, "app/models.py:6: syntax error: invalid syntax; line 6 skipped"),
        (7, "app/models.py:7: syntax error: unclosed bracket; line 7 skipped"),
    ]
    assert doc["files"][-1] == {
        "path": "app/models.py",
        "module": "app.models",
        "status": "parsed",
        "reason": None,
        "line": None,
    }


def test_broken_line_between_classes_loses_nothing_else() -> None:
    s = summary(
        HEAD
        + """class A(models.Model):
    x = models.IntegerField()

TAX = (1 +

class B(models.Model):
    y = models.IntegerField()

RATE = = 3

class C(models.Model):
    z = models.IntegerField()
"""
    )
    assert {n: [m.name for m in c.members] for n, c in s.classes.items()} == {
        "A": ["x"],
        "B": ["y"],
        "C": ["z"],
    }
    assert [(i.line, i.skipped) for i in s.syntax_errors] == [(7, [7, 7]), (12, [12, 12])]
    assert "TAX" not in s.assigns and "RATE" not in s.assigns


def test_broken_class_header_loses_the_class_only() -> None:
    s = summary(
        HEAD
        + """class A(models.Model)):
    x = models.IntegerField()

class B(models.Model):
    y = models.IntegerField()
"""
    )
    assert list(s.classes) == ["B"]
    assert [(i.line, i.skipped) for i in s.syntax_errors] == [(4, [4, 5])]


def test_broken_statement_in_if_block_of_class_body() -> None:
    s = summary(
        HEAD
        + """class A(models.Model):
    if settings.DEBUG:
        x = models.IntegerField(
        y = models.IntegerField()
    else:
        z = models.IntegerField()
    w = models.IntegerField()
"""
    )
    assert [m.name for m in s.classes["A"].members] == ["y", "z", "w"]
    assert [i.line for i in s.syntax_errors] == [6]


def test_multiline_statement_with_broken_argument_is_lost_whole() -> None:
    s = summary(
        HEAD
        + """class A(models.Model):
    x = models.CharField(
        max_length=10,,
        blank=True,
    )
    y = models.IntegerField()
"""
    )
    assert [m.name for m in s.classes["A"].members] == ["y"]
    (issue,) = s.syntax_errors
    assert (issue.line, issue.skipped) == (6, [5, 8])


def test_errors_inside_strings_spanning_lines_do_not_split_statements() -> None:
    s = summary(
        HEAD
        + '''class A(models.Model):
    """Doc
at column zero."""
    x = models.CharField(max_length=10, help_text="""
a line at column zero
""")
    y = = 1
    z = models.IntegerField()
'''
    )
    assert [m.name for m in s.classes["A"].members] == ["x", "z"]
    assert [i.line for i in s.syntax_errors] == [10]


def test_field_factory_function_with_broken_line_is_lost_whole() -> None:
    s = summary(
        HEAD
        + """def money(**kwargs):
    kwargs.setdefault("max_digits", 10)
    return models.DecimalField(**kwargs +)


class A(models.Model):
    x = money()
"""
    )
    assert "money" not in s.functions
    assert [m.name for m in s.classes["A"].members] == ["x"]


def test_file_with_nothing_usable_left_fails_with_its_first_error() -> None:
    with pytest.raises(ReadError) as err:
        parse(b"def f(:\n    pass\n", "x.py")
    assert err.value.reason == "syntax error: expected `)`"
    assert err.value.line == 1


def test_file_made_only_of_errors_is_failed_in_the_report(tmp_path: Path) -> None:
    doc = scan(tmp_path, "class A(models.Model)):\n    x = 1\n")
    entry = doc["files"][-1]
    assert (entry["status"], entry["line"]) == ("failed", 1)
    assert entry["reason"].startswith("syntax error")


# -- hints ----------------------------------------------------------------------------------
PY2 = (
    HEAD
    + """class Old(models.Model):
    name = models.CharField(max_length=10)

    def show(self):
        print "old %s" % self.name
        print >>sys.stderr, self.name

    def load(self):
        try:
            return int(self.name)
        except ValueError, e:
            raise Invalid, str(e)
        if self.name <> "": return `self.name`
        exec "x = 1"
        return ur"raw", 0777, 10L
"""
)


def test_python2_syntax_is_read_and_each_construct_reported() -> None:
    s = summary(PY2)
    assert [m.name for m in s.classes["Old"].members] == ["name"]
    assert s.classes["Old"].methods == ["load", "show"]
    got = {i.line: i.message for i in s.syntax_errors}
    assert got == {
        8: "Missing parentheses in call to 'print'",
        9: "Missing parentheses in call to 'print'",
        14: "`except E, name:`: use `except E as name:`",
        15: "`raise E, message`: use `raise E(message)`",
        16: "`<>`: use `!=`",  # the backquotes on the same line are reported once
        17: "Missing parentheses in call to 'exec'",
        18: "invalid string prefix `ur`",
    }
    assert {i.hint for i in s.syntax_errors} == {"looks like Python 2"}
    assert all(i.skipped is None for i in s.syntax_errors)


def test_python2_raise_after_another_raise_on_its_line() -> None:
    s = summary('def f(a):\n    if a: raise Stop; raise Invalid, "m"\n')
    assert [(i.line, i.message) for i in s.syntax_errors] == [
        (2, "`raise E, message`: use `raise E(message)`")
    ]


def test_python2_hint_in_the_report(tmp_path: Path) -> None:
    doc = scan(tmp_path, PY2)
    assert fields(doc) == {"Old": ["id", "name"]}
    line, message = recovered(doc)[0]
    assert line == 8
    assert message == (
        "app/models.py:8: syntax error: Missing parentheses in call to 'print' "
        "(looks like Python 2); read anyway"
    )


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",  # PEP 758
        "try:\n    pass\nexcept (ValueError, TypeError), e:\n    pass\n",  # e unused
        'print("a", file=f)\nexec("x = 1")\nprint = 1\nexec = 2\n',
        'x = "print \'a\'"  # print "b"\ny = "a <> b `c`"\n',
        "x = 0\ny = 00\nz = 0o777\nw = 10\n",
    ],
    ids=["pep758", "unused-name", "print-function", "in-strings", "numbers"],
)
def test_no_python2_hint_on_python3(source: str) -> None:
    assert summary(source).syntax_errors == []


def test_python2_hint_only_for_python2_syntax_in_broken_statements() -> None:
    s = summary("x = (1 +\ny = `a`\n")
    assert [(i.line, i.hint) for i in s.syntax_errors] == [(1, ""), (2, "looks like Python 2")]


#: PEP 696 defaults in every place and shape Python 3.13 allows: after a bound, after
#: constraints, on a ParamSpec (``...``), on a TypeVarTuple, in a method, in a ``type`` alias,
#: over several lines with comments and a trailing comma, with ``=`` and ``,`` in strings and
#: comparisons of the default.
PEP696 = """
class Box[
    T: (int, str) = int,  # constrained, then a default
    U: Mapping[str, int] = dict[str, int],
    *Ts = *tuple[int, ...],
    **P = ...,
](models.Model):
    name = models.CharField(max_length=10)

    def pick[V: int = bool, **Q = [int, "a=b, c"]](self, x: V) -> V:
        return x


type Pair[T: str = str, U = Literal["x=1", "y,2"]] = tuple[T, U]
type Flag[T: bool = bool if 1 == 1 else int, ] = list[T]


def pick[T: (int, str) = int](x: T) -> T:
    return x
"""


def test_pep696_defaults_after_bounds_and_constraints_are_read(tmp_path: Path) -> None:
    doc = scan(tmp_path, HEAD + PEP696)
    assert fields(doc) == {"Box": ["id", "name"]}
    assert recovered(doc) == []
    s = summary(HEAD + PEP696)
    assert [b.ref for b in s.classes["Box"].bases] == ["models.Model"]
    assert s.classes["Box"].methods == ["pick"]
    assert s.functions["pick"].params == ["x"]
    assert s.syntax_errors == []


@pytest.mark.parametrize(
    "header",
    [
        "class A[T = int, = 2](B):",  # a default without a parameter
        "class A[T = ](B):",  # a parameter without its default
        "class A[T = int = str](B):",  # two defaults
        "class A[= int](B):",
        "class A[T: = int](B):",  # an empty bound
        "class A[T = (1 +](B):",  # a broken default
    ],
)
def test_broken_type_parameter_defaults_are_still_errors(header: str) -> None:
    s = summary(f"{header}\n    x = 1\n\nclass C(B):\n    y = 1\n")
    assert list(s.classes) == ["C"]
    assert [i.line for i in s.syntax_errors] == [1]


def test_blanked_defaults_keep_lines_and_leave_strings_alone() -> None:
    source = (
        'class Box[\n    T: int = bool,\n    U = "x",\n](models.Model):\n'
        '    """Example:\nclass Foo[T = int]: pass\n"""\n'
        "    name = models.CharField(max_length=10)\n"
    )
    s = summary(source)
    box = s.classes["Box"]
    assert box.docstring == "Example:\nclass Foo[T = int]: pass"
    assert [(m.name, m.line) for m in box.members] == [("name", 8)]
    assert s.syntax_errors == []


def test_defaults_in_a_subscript_are_errors_not_type_parameters() -> None:
    s = summary("x: dict[K = int] = 2\n\nclass C(B):\n    y = 1\n")
    assert list(s.classes) == ["C"]
    assert [(i.line, i.hint) for i in s.syntax_errors] == [(1, "")]


def test_pep696_hint_when_type_parameter_defaults_are_broken() -> None:
    s = summary("class A[T = int, = 2](B):\n    x = 1\n\nclass C(B):\n    y = 1\n")
    assert list(s.classes) == ["C"]
    (issue,) = s.syntax_errors
    assert issue.hint == "PEP 696 type parameter defaults, Python 3.13"


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b"x = 1\n", None, None),
        (b"# -*- coding: utf-8 -*-\nx = 1\n", None, None),
        (b"# -*- coding: latin-1 -*-\nx = 1\n", None, None),
        (b"x = 1\ny = 2\x00\n", "NUL bytes in file", 2),
        (b"# -*- coding: klingon -*-\nx = 1\n", "bad coding cookie: unknown encoding", 1),
        (b"x = '\xc3\xa9'\n", None, None),
        (b"x = 1\ny = '\xff'\n", "undecodable bytes (utf-8)", 2),
    ],
)
def test_byte_checks_of_ascii_and_other_files(data: bytes, reason: str | None, line: int | None):
    """``check_bytes`` answers ASCII files without decoding them, as decoding would."""
    from djatlas.parse.reader import check_bytes

    found = check_bytes(data)
    if reason is None:
        assert found is None
    else:
        assert found is not None and found.reason.startswith(reason) and found.line == line
