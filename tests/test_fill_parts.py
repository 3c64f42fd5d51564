"""The per-run metadata filled in a cached rendering, whole or in parts (the JSON renderer's
``render_parts``), and the parts written one after the other."""

from __future__ import annotations

from djatlas.commands.files import write_output
from djatlas.keys import fill, placeholders, template_subs

META = {
    "title": "T",
    "path": "/p",
    "source": None,
    "git_commit": None,
    "scanned_at": "2026-01-02T03:04:05Z",
    "duration_ms": 12.5,
}


def _json_body(values: dict) -> bytes:
    head = "{\n" + ",\n".join(f'  "{k}": "{v}"' for k, v in values.items()) + ',\n  "models": ['
    return head.encode()


def test_json_in_parts_is_filled_as_the_whole() -> None:
    values = placeholders("json", META, "KEY")
    head = _json_body(values)
    rest = b'{"name": "x"}' * 1000 + b"]\n}\n"
    subs = template_subs("json", [head, bytearray(rest)], values)
    assert subs is not None and subs == template_subs("json", head + rest, values)
    parts = fill([head, bytearray(rest)], "json", subs, META)
    whole = fill(head + rest, "json", subs, META)
    assert isinstance(parts, list) and b"".join(parts) == whole
    assert b'"duration_ms": "12.5"' not in whole and b"12.5" in whole and b"@@" not in whole
    assert parts[1] == rest  # nothing to fill after the head


def test_a_placeholder_shown_twice_is_not_a_template() -> None:
    values = placeholders("json", META, "KEY")
    head = _json_body(values)
    shown = f'"{values["title"]}"'.encode()  # as the head shows it
    assert template_subs("json", [head, b"x" + shown], values) is None  # in the second part
    assert template_subs("json", [head, b"x" + shown[1:]], values) is not None  # not as shown


def test_markdown_probes_are_replaced_everywhere_in_one_copy() -> None:
    values = placeholders("markdown", META, "KEY")
    body = b"Scanned at 1999-12-31T23:59:58Z in 86400001 ms\n" + b"| a | b |\n" * 100
    body += b"again 1999-12-31T23:59:58Z\n"
    subs = template_subs("markdown", body, values)
    assert subs is not None
    out = fill(body, "markdown", subs, META)
    assert out.count(b"2026-01-02T03:04:05Z") == 2 and b"1999" not in out
    assert b"in 12 ms" in out or b"in 13 ms" in out


def test_parts_are_written_one_after_the_other(tmp_path) -> None:
    target = tmp_path / "out.json"
    assert write_output(str(target), [b"{", bytearray(b'"a": 1'), b"}\n"]) is None
    assert target.read_bytes() == b'{"a": 1}\n'


def test_many_pieces_are_written_as_their_join_even_by_short_writes(tmp_path, monkeypatch) -> None:
    """``write_all``: more pieces than one ``writev`` takes, and ``writev`` writing less than
    asked (the rest then written piece by piece)."""
    import os

    from djatlas.render import jsonout

    pieces = [f"{i}:{'x' * (i % 7)}".encode() for i in range(2500)] + [b"", "中".encode()]
    target = tmp_path / "out.json"
    assert write_output(str(target), pieces) is None
    assert target.read_bytes() == b"".join(pieces)
    real = os.writev
    monkeypatch.setattr(os, "writev", lambda fd, some: real(fd, [bytes(some[0])[:3]]))
    assert write_output(str(target), pieces) is None
    assert target.read_bytes() == b"".join(pieces)
    monkeypatch.setattr(jsonout, "_IOV_MAX", 3)
    assert write_output(str(target), pieces[:10]) is None
    assert target.read_bytes() == b"".join(pieces[:10])


def test_parts_are_written_to_stdout_by_its_file_descriptor(tmp_path, monkeypatch) -> None:
    """Many parts to a stdout with a file descriptor: one ``writev`` after what is buffered."""
    import sys

    pieces = [f"{i}:{'y' * (i % 5)}".encode() for i in range(3000)]
    target = tmp_path / "out.json"
    with open(target, "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        stdout.write("before\n")  # still in its buffer: flushed first
        assert write_output(None, pieces) is None
    assert target.read_bytes() == b"before\n" + b"".join(pieces)


def test_json_is_filled_without_searching_past_its_placeholders() -> None:
    """Each placeholder shows once in JSON: the span to fill ends after the last one found,
    the same as searching the whole body for each one's last place."""
    from djatlas.keys import _filled, meta_text

    values = placeholders("json", META, "KEY")
    body = _json_body(values) + b'{"name": "x"}' * 1000 + b"]\n}\n"
    subs = template_subs("json", body, values)
    assert subs is not None
    pairs = [(shown.encode(), meta_text("json", k, META[k]).encode()) for k, shown in subs]
    once, pairs_once = _filled(body, pairs, True)
    assert (once, pairs_once) == _filled(body, pairs, False)
    assert once == fill(body, "json", subs, META)
