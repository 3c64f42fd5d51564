"""The JSON renderer writes exactly what ``json.dumps(doc, ensure_ascii=False, indent=2)``
writes (its own encoder is a faster form of it)."""

from __future__ import annotations

import json
from collections import OrderedDict
from enum import IntEnum

from djatlas.render.jsonout import dumps


class Level(IntEnum):
    LOW = 1


def test_dumps_is_json_dumps_indented() -> None:
    doc = {
        "name": "x",
        "": "",
        "nested": {"name": "y", "list": [1, 2.5, None, True, False, "s", [], {}, [[]], ("t", 1)]},
        2: "int key",
        True: "bool key",
        False: "false key",
        None: "none key",
        1.5: "float key",
        "floats": [float("nan"), float("inf"), -float("inf"), 1e300, -0.0],
        "text": 'ünïcödé "quoted" \\ \n\t\x00',
        "odict": OrderedDict([("b", 1), ("a", {"name": None})]),
        "enum": Level.LOW,
        "again": [{"name": "z", 2: {}}, {"name": [{"name": "deep"}]}],
    }
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    for value in ([], {}, "s", 3, None, [{}], {"k": []}):
        assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _large_report(unserialisable: object = None) -> dict:
    """A report document with typed entries, large enough to be written by two processes."""
    from djatlas.graph.types import Field, FileEntry, Model, Relation, Report

    models = []
    for n in range(60):
        fields = [
            Field(
                f"f{i}",
                "models.ForeignKey",
                "x.ForeignKey",
                "ForeignKey",
                i,
                "declared",
                None,
                {"to": "app.Other", "on_delete": {"$expr": "models.CASCADE"}, "n": [i, 1.5]},
                f"f{i}_id",
                False,
                False,
                False,
                None,
                Relation("ForeignKey", "app.Other", "Other", on_delete="CASCADE"),
            )
            for i in range(40)
        ]
        models.append(
            Model(
                f"M{n}",
                f"app.M{n}",
                "app",
                "app.models",
                "app/models.py",
                n,
                "dóc \ud800",
                [],
                False,
                False,
                [],
                None,
                f"app_m{n}",
                {"ordering": ["-id"]},
                None,
                [],
                False,
                fields=fields,
                id=f"app.models.M{n}",
            )
        )
    models[-1].meta["bad"] = unserialisable if unserialisable is not None else 1
    files = [FileEntry(f"f{i}.py", f"f{i}", "parsed", None, None) for i in range(300)]
    return Report({"title": "t"}, {"models": 60}, [], models, files, [], "1.0").document()


def test_a_large_report_is_written_by_two_processes_as_by_one(monkeypatch) -> None:
    from djatlas.render import RenderOptions, jsonout

    monkeypatch.setattr(jsonout, "_spare_core", lambda jobs: True)  # other tests may leave threads
    doc = _large_report()
    k = jsonout._split(doc)
    assert k is not None and 0 < k < len(doc["models"])  # two processes here
    expected = json.dumps(json.loads(json.dumps(doc, default=jsonout._typed)), indent=2)
    one = jsonout._utf8(jsonout._text(doc) + "\n")
    assert b"".join(jsonout._forked(doc, k) or []) == one
    assert jsonout.render(doc, RenderOptions()) == one
    assert json.loads(one) == json.loads(expected)
    monkeypatch.setattr(jsonout, "_spare_core", lambda jobs: False)
    assert jsonout._split(doc) is None and jsonout.render(doc, RenderOptions()) == one


def test_a_document_that_is_not_json_fails_as_json_dumps(monkeypatch) -> None:
    import pytest

    from djatlas.render import RenderOptions, jsonout

    monkeypatch.setattr(jsonout, "_spare_core", lambda jobs: True)
    doc = _large_report(unserialisable=object())
    assert jsonout._split(doc) is not None
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsonout.render(doc, RenderOptions())


def test_the_parts_of_two_processes_are_the_document_with_a_small_head(monkeypatch) -> None:
    from djatlas.render import RenderOptions, jsonout

    monkeypatch.setattr(jsonout, "_spare_core", lambda jobs: True)
    doc = _large_report()
    one = jsonout._utf8(jsonout._text(doc) + "\n")
    parts = jsonout.render_parts(doc, RenderOptions())
    assert len(parts) > 2 and b"".join(parts) == one  # the head, then pieces
    assert parts[0].endswith(b'"models": [') and b'"title": "t"' in parts[0]  # the metadata
    monkeypatch.setattr(jsonout, "_CHUNK", 1000)  # the forked part read in many buffers
    assert b"".join(jsonout.render_parts(doc, RenderOptions())) == one
    monkeypatch.setattr(jsonout, "_spare_core", lambda jobs: False)
    parts = jsonout.render_parts(doc, RenderOptions())  # one process: its pieces as well
    assert len(parts) > 2 and b"".join(parts) == one and parts[0].endswith(b'"models": [')
    for model in doc["models"]:
        model.docstring = "dóc"  # (not a lone surrogate: those escaped in one joined piece)
    parts = jsonout.render_parts(doc, RenderOptions())
    assert b"".join(parts) == jsonout._utf8(jsonout._text(doc) + "\n")
    wide = [b for b in parts if not b.isascii()]  # each model's text encoded on its own
    assert len(wide) == len(doc["models"])
    assert jsonout.render_parts({"models": []}, RenderOptions()) == [b'{\n  "models": []\n}\n']
    single = _large_report()
    single["models"] = single["models"][:1]
    assert b"".join(jsonout.render_parts(single, RenderOptions())) == jsonout._utf8(
        jsonout._text(single) + "\n"
    )


def test_a_first_half_that_is_not_json_fails_as_json_dumps(monkeypatch) -> None:
    import pytest

    from djatlas.render import RenderOptions, jsonout

    monkeypatch.setattr(jsonout, "_spare_core", lambda jobs: True)
    doc = _large_report()
    doc["models"][0].meta["bad"] = object()  # written by this process, the child's half is fine
    assert jsonout._forked(doc, jsonout._split(doc) or 1) is None
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsonout.render_parts(doc, RenderOptions())


def _nasty_strings() -> list[str]:
    """Strings a template must not write as they are (and some it may)."""
    return [
        "plain/path.py",
        'say "hi"',
        "back\\slash",
        "line\nbreak",
        "tab\there",
        "nul\x00",
        "%s %d %% {0} {name}",
        'x": True,\n',
        ": True",
        ": False,",
        "ünïcödé ☃",
        "lone \ud800 surrogate",
        "\u2028\x7f",
        "",
    ]


def _records(n: int, strings: list[str]) -> list:
    """Report records of the kinds written by templates (files, diagnostics, reverse
    relations with bools), with every scalar type and some nasty values."""
    from djatlas.graph.types import Diagnostic, FileEntry, Reverse

    out: list = []
    for i in range(n):
        s = strings[i % len(strings)]
        out.append(
            FileEntry(f"f{i}.py", None if i % 3 else s, "parsed", None, i if i % 2 else None)
        )
        out.append(Diagnostic("warning", "code", f"message {i}", None, -i, None, None))
        out.append(Reverse(f"r{i}", "app.M", "f", "ForeignKey", i % 2 == 0, None))
    return out


def test_lists_of_records_are_written_as_json_dumps_writes_them(monkeypatch) -> None:
    from djatlas.graph.types import Diagnostic, FileEntry
    from djatlas.render import jsonout

    monkeypatch.setattr(jsonout, "PADS", ["\n", "\n  ", "\n    "])  # a fresh process's
    plain_strings = ["a", "b/c.py", "ünï", "%s", ": True", "{x}"]
    records = _records(40, plain_strings)
    files = [r for r in records if type(r) is FileEntry]
    nasty = [r for s in _nasty_strings() for r in _records(40, [s])]
    odd = FileEntry("odd.py", "odd", "parsed", None, 1)
    odd.extra = "not a field"  # a __dict__ that is not just its fields
    moved = FileEntry("moved.py", "moved", "parsed", None, 2)
    moved.path = moved.__dict__.pop("path")  # its fields, not in their order
    other = Diagnostic("info", "c", "m", "f.py")
    del other.file  # (the class's None) and one more key: as many keys, one not a field
    other.extra = 1
    tables = {
        "files": files,  # one class, plain strings: templates
        "by_kind": [[r for r in records if type(r) is cls] for cls in {type(r) for r in records}],
        "mixed": records,  # several classes: item by item
        "nasty": [[r for r in nasty if type(r) is cls] for cls in {type(r) for r in nasty}],
        "odd": [*files, odd],
        "moved": [*files, moved, *files],
        "other": [Diagnostic("info", "c", "m", f"{i}.py") for i in range(40)] + [other],
        "level": Level.LOW,
        "subclasses": [FileEntry(f"{i}", Level.LOW, "s", None, Level.LOW) for i in range(40)],
        "floats": [FileEntry("f", "m", "s", None, x) for x in [1.5, float("nan"), -0.0] * 20],
        "bools": [FileEntry("f", "m", "s", True, False) for _ in range(40)],
        "empty": [],
    }
    for doc in (tables, files, [tables], {"a": {"b": tables}}):
        expected = json.dumps(doc, ensure_ascii=False, indent=2, default=jsonout._typed)
        assert jsonout._indent2(doc) == expected
    text = jsonout.dumps(tables)
    assert json.loads(text) == json.loads(json.dumps(tables, default=jsonout._typed))


def _nested_models(strings: list[str]) -> list:
    """Models whose fields, bases, reverse relations and Meta vary in every way a column of
    them can: records or None, shared and empty containers, bools, nasty strings, mixed
    kinds."""
    from djatlas.graph.types import Base, Field, Model, Relation, Reverse

    shared = {"max_length": 10, "choices": [["a", "A"]], "expr": {"$expr": "x"}}
    models = []
    for n in range(40):
        s = strings[n % len(strings)]
        fields = [
            Field(
                f"f{i}",
                s if i % 5 == 0 else "models.CharField",
                None,
                "CharField",
                i if i % 3 else None,
                "declared",
                s if i % 4 == 0 else None,
                shared if i % 2 else {"help_text": s, "n": 1.5, "flag": i % 3 == 0},
                f"f{i}",
                i % 2 == 0,
                Level.LOW if i == 7 else False,
                False,
                i if i % 2 else None,
                Relation("ForeignKey", s, "x", on_delete="CASCADE") if i % 3 == 0 else None,
                {} if i % 2 else {"k": [s, None, True]},
            )
            for i in range(n % 7)
        ]
        models.append(
            Model(
                f"M{n}",
                f"app.M{n}",
                "app",
                "app.models",
                "app/models.py",
                n,
                s if n % 2 else None,
                [Base("models.Model", s, "django")] * (n % 3),
                n % 2 == 0,
                False,
                [s, "app.Other"] if n % 4 == 0 else [],
                None,
                f"app_m{n}",
                {"ordering": ["-id", s]} if n % 3 else {},
                None,
                [n, s] if n % 3 == 0 else ["save", s] * (n % 2),  # mixed kinds, empty
                n % 5 == 0,
                fields=fields,
                reverse_relations=[Reverse(s, "app.M", "f", "ForeignKey", n % 2 == 0)] * (n % 4),
                id=f"app.models.M{n}",
            )
        )
    return models


def test_models_are_written_as_json_dumps_writes_them(monkeypatch) -> None:
    from djatlas.graph.types import Report
    from djatlas.render import jsonout

    monkeypatch.setattr(jsonout, "_spare_core", lambda jobs: True)
    for strings in (["plain", "b/c.py", "ünï"], _nasty_strings()):
        models = _nested_models(strings)
        doc = Report({"title": "t"}, {"models": 40}, [], models, [], [], "1.0").document()
        expected = json.dumps(doc, ensure_ascii=False, indent=2, default=jsonout._typed)
        assert jsonout._indent2(doc) == expected
        assert jsonout._text(models[:3]) == json.dumps(
            models[:3], ensure_ascii=False, indent=2, default=jsonout._typed
        )
        k = len(models) // 2
        for utf8 in (False, True):
            parts = jsonout._part(doc, k, False, utf8) + jsonout._part(doc, k, True, utf8)
            assert b"".join(parts) == jsonout._utf8(expected + "\n")  # the tail's last ends it


def test_texts_encoded_one_by_one_are_their_joined_text_encoded() -> None:
    """The texts of a ``_writer(utf8=True)`` (each character not ASCII as its UTF-8 bytes,
    ``_u8``) encoded one by one, joined or in pieces: the UTF-8 of the text they stand for."""
    from djatlas.render import jsonout

    for texts in (["ab", "cd"], ["ab", "中文", "cd"], ["a\ud800", "中", "b"], ["x"], [""]):
        written = [jsonout._u8(t) for t in texts]
        for sep in ("", ",\n    "):
            whole = jsonout._utf8(sep.join(texts))
            assert jsonout._encoded(texts, sep) == whole
            assert b"".join(jsonout._pieces(list(texts), sep)) == whole
            assert jsonout._encoded(written, sep, True) == whole
            assert b"".join(jsonout._pieces(list(written), sep, True)) == whole
        for t in texts:
            assert jsonout._string8(t) == jsonout._u8(jsonout._string(t))


def test_columns_of_texts_are_written_as_json_dumps_writes_them(monkeypatch) -> None:
    """Columns written as plain texts (``_Texts``): records with no None among them, lists of
    one item, dicts only, bools and dicts: the same text as json.dumps."""
    from djatlas.graph.types import Field, Relation
    from djatlas.render import jsonout

    monkeypatch.setattr(jsonout, "PADS", ["\n", "\n  ", "\n    "])  # a fresh process's
    for s in ("plain", "ünï", '"q"\n'):
        fields = [
            Field(
                f"f{i}",
                "models.ForeignKey",
                None,
                "ForeignKey",
                i,
                "declared",
                None,
                {"to": s, "n": [i]} if i % 2 else {},
                f"f{i}_id",
                i % 3 == 0,
                {"x": i} if i % 5 else True,
                [[s]] * (i % 2),
                None,
                Relation("ForeignKey", s, "x", on_delete="CASCADE"),
                {"k": [s]},
            )
            for i in range(40)
        ]
        for doc in (fields, [fields[:1]], {"a": [fields, fields]}):
            expected = json.dumps(doc, ensure_ascii=False, indent=2, default=jsonout._typed)
            assert jsonout._indent2(doc) == expected


class _Name(str):
    pass


def test_strings_not_ascii_are_written_in_utf8_in_every_place() -> None:
    """The renderer's writer (``utf8=True``): keys, values, str subclasses, lists of str,
    columns of plain and escaped strings, lone surrogates: the UTF-8 of json.dumps's text."""
    from djatlas.graph.types import FileEntry
    from djatlas.render import RenderOptions, jsonout

    for s in ("ünï", "中文", "é\n", "a\ud800", "plain", "😀 ✓"):
        files = [FileEntry(f"{s}{i}.py", s if i % 2 else "m", "parsed", None, i) for i in range(40)]
        doc = {
            "models": [{s: s, "k": _Name(s), "l": [s, "x"], "n": None}, {"f": files}],
            s: {s: [s] * 3, "files": files, "many": [s] * 40},
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2, default=jsonout._typed) + "\n"
        got = jsonout.render(doc, RenderOptions(extra={"jobs": 1}))
        assert got == jsonout._utf8(text)
        for utf8 in (False, True):
            parts = jsonout._part(doc, 1, False, utf8) + jsonout._part(doc, 1, True, utf8)
            assert b"".join(parts) == got
            out, enc, _ = jsonout._writer(utf8)
            enc(doc, 0)
            assert jsonout._encoded([*out, "\n"], "", utf8) == got


def test_a_model_named_in_a_language_not_ascii_is_written_in_utf8() -> None:
    from djatlas.render import RenderOptions, jsonout

    wide = {"models": [{"meta": {}}, {"meta": {"verbose_name": "应用"}}], "k": "é"}
    assert jsonout._wide(wide)
    assert not jsonout._wide({"models": [{"meta": {"verbose_name": "app"}}, {}], "k": "é"})
    assert not jsonout._wide({"models": [{"meta": {"verbose_name": None}}, {"meta": {}}]})
    assert not jsonout._wide({"models": [{"meta": []}]}) and not jsonout._wide({"models": [1]})
    assert not jsonout._wide({"models": {}}) and not jsonout._wide([])
    expected = json.dumps(wide, ensure_ascii=False, indent=2) + "\n"
    assert jsonout.render(wide, RenderOptions(extra={"jobs": 1})) == expected.encode()


def test_the_forked_part_written_by_its_own_process_is_the_one_process_render(
    monkeypatch, tmp_path
) -> None:
    """``render_later``: the forked process writes its part itself (``Later.write_to``), after
    this one's, to a file (reopened there for appending), to a pipe (its copy of stdout), or,
    when it cannot open the file, sends it here; and with no file descriptor to write to (a
    captured stdout) or for ``keys.template_subs``, its bytes come here."""
    import os
    import sys
    import threading

    from djatlas.commands.files import write_output
    from djatlas.keys import placeholders, template_subs
    from djatlas.render import RenderOptions, jsonout

    monkeypatch.setattr(jsonout, "_spare_core", lambda jobs: True)
    doc = _large_report()
    one = jsonout._utf8(jsonout._text(doc) + "\n")
    options = RenderOptions()
    target = tmp_path / "out.json"
    target.write_bytes(b"x" * 10_000_000)  # truncated first
    parts = jsonout.render_later(doc, options)
    assert type(parts[-1]) is jsonout.Later and b"".join(parts[:-1]) != one
    assert write_output(str(target), parts) is None
    assert target.read_bytes() == one

    read_end, write_end = os.pipe()  # stdout a pipe (larger than its buffer: read meanwhile)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(os.fdopen(read_end, "rb").read()))
    reader.start()
    with open(write_end, "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        assert write_output(None, jsonout.render_later(doc, options)) is None
    reader.join()
    assert got == [one]

    real_open = os.open  # the child cannot open the file: it sends its part to be written here
    monkeypatch.setattr(os, "open", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13)))
    assert write_output(str(target), jsonout.render_later(doc, options)) is None
    assert target.read_bytes() == one
    full = lambda *a, **k: real_open("/dev/full", os.O_WRONLY)  # noqa: E731 - its write fails
    monkeypatch.setattr(os, "open", full)
    problem = write_output(str(target), jsonout.render_later(doc, options))
    assert problem == f"cannot write {target}: No space left on device"
    monkeypatch.setattr(os, "open", real_open)

    captured = type("Captured", (), {"buffer": type("B", (), {"write": got.append})()})()
    captured.flush = lambda: None  # no fileno(): the forked part is written from here
    got.clear()
    monkeypatch.setattr(sys, "stdout", captured)
    assert write_output("-", jsonout.render_later(doc, options)) is None
    assert b"".join(got) == one

    values = placeholders("json", {}, "KEY")  # none in the forked part: no bytes needed
    later = jsonout.render_later(doc, options)[-1]
    assert template_subs("json", [b"{", later], values) is None  # (not in the head either)
    assert later.count(jsonout.MARK) == 0 and b"@" not in later and later.data is None
    assert later.count(b'"label"') == one.count(b'"label"', len(one) - later.size)
    assert bytes(later) == one[len(one) - later.size :]

    doc["models"][-1].meta["note"] = "@@djatlas-metadata-title"  # a placeholder's look-alike
    one = jsonout._utf8(jsonout._text(doc) + "\n")
    later = jsonout.render_later(doc, options)[-1]
    assert later.marks == 1 and b"@" in later and later.data is None
    assert later.count(jsonout.MARK) == 1 and bytes(later) == one[len(one) - later.size :]


def test_pieces_let_each_text_go_and_escape_lone_surrogates_as_the_join() -> None:
    """``_pieces`` empties its list as it encodes (each text's memory reused for the next
    bytes); a lone surrogate midway gives the escaped join of all of them, as before."""
    from djatlas.render import jsonout

    texts = ["{a}", "b\u00e9", "c"]
    assert jsonout._pieces(texts, ",") == [b"{a}", b",", "b\u00e9".encode(), b",", b"c"]
    assert texts == ["", "", ""]
    texts = ["x", "y\ud800", "z"]
    assert jsonout._pieces(list(texts), ", ") == [jsonout._utf8(", ".join(texts))]


def test_records_whose_fields_vary_in_one_list_and_not_in_another_are_each_written_right(
    monkeypatch,
) -> None:
    """A record's template is found by the types of the fields that vary in its list alone
    (``_Forms.find``): lists of one class at one level, a field all str, all None, all int or
    mixed in each, share no wrong template."""
    from djatlas.graph.types import FileEntry
    from djatlas.render import jsonout

    monkeypatch.setattr(jsonout, "PADS", ["\n", "\n  ", "\n    "])  # a fresh process's
    n = 40
    lists = [
        [FileEntry(f"a{i}", "m", "parsed", None, 1) for i in range(n)],  # nothing varies
        [FileEntry(f"b{i}", None, "parsed", "r", None) for i in range(n)],  # others fixed
        [FileEntry(f"c{i}", "m" if i % 2 else None, "s", None, i % 3 or None) for i in range(n)],
        [FileEntry(f"d{i}", None, "s", "r" if i % 5 else None, 7) for i in range(n)],
        [FileEntry(f"e{i}", 'q"uote' if i % 2 else "m", "s", True, i) for i in range(n)],
        [FileEntry(f"f{i}", "m", "s", [i] if i % 2 else None, 1) for i in range(n)],
        [FileEntry(f"g{i}", "m", "s", "r" if i == 7 else None, 1) for i in range(n)],  # one alone
    ]
    for doc in ({"l": lists}, lists, [lists[2], lists[0], lists[2]]):
        expected = json.dumps(doc, ensure_ascii=False, indent=2, default=jsonout._typed)
        assert jsonout._indent2(doc) == expected  # (not ``_text``: no json.dumps on an error)


def test_a_models_work_counts_its_fields_relations_and_reverse_relations_typed_or_plain() -> None:
    from djatlas.graph.types import plain
    from djatlas.render import jsonout

    for model in _nested_models(["s"]):
        fields, reverse = model.fields, model.reverse_relations
        relations = sum(f.relation is not None for f in fields)
        expected = (
            jsonout._MODEL_WORK
            + jsonout._FIELD_WORK * len(fields)
            + jsonout._RELATION_WORK * relations
            + jsonout._REVERSE_WORK * len(reverse)
        )
        assert jsonout._work(model) == jsonout._work(plain(model)) == expected
    assert jsonout._work({}) == jsonout._MODEL_WORK


def test_relations_are_counted_alike_in_typed_plain_and_mixed_fields() -> None:
    from djatlas.graph.types import plain
    from djatlas.render import jsonout

    fields = [f for model in _nested_models(["s"]) for f in model.fields]
    expected = sum(f.relation is not None for f in fields)
    assert 0 < expected < len(fields)
    dicts = [plain(f) for f in fields]
    mixed = [dicts[0], *fields[1:]]
    for some in (fields, dicts, mixed, [*fields[:-1], dicts[-1]]):
        assert jsonout._relations(some) == expected
    assert jsonout._relations(()) == 0
    assert jsonout._relations([{"relation": 1}, object()]) == 1  # what is not a field: none
    assert jsonout._relations({"relation": 1}) == 0  # (a dict's keys, as ``_get`` read them)
