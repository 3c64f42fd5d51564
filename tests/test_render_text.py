"""The renderers' fast text forms write exactly what their straightforward forms write: the
Markdown cell helpers ``code`` and ``plain`` (a regex search skips the usual case) and the JSON
encoder (``json.dumps(doc, ensure_ascii=False, indent=2)``), on generated input."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from djatlas.render.jsonout import dumps
from djatlas.render.markdown import code, plain

#: Characters the helpers treat specially, and whitespace str.split() splits on.
SPECIAL = "\n\r\t\x0b\x0c\x1c\x1f\x85\xa0\u2028\u2029\u3000 |`\\&<>"
TEXT = st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(), max_size=12)


def plain_reference(text: str) -> str:
    text = " ".join(str(text).split())
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;")):
        text = text.replace(old, new)
    return text.replace("`", "&#96;").replace("\\", "&#92;")


def code_reference(text: str) -> str:
    text = str(text)
    if "\n" in text or "\r" in text or "\u2028" in text or "\u2029" in text:
        text = " ".join(text.split())
    if "\\|" in text:
        return "<code>" + plain_reference(text) + "</code>"
    text = text.replace("|", "\\|")
    if "`" not in text:
        return f"`{text}`" if text.strip() else f"` {text} `"
    fence = "`" * (max(len(m) for m in re.findall(r"`+", text)) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_code_and_plain_are_their_straightforward_forms(text: str) -> None:
    assert code(text) == code_reference(text)
    assert plain(text) == plain_reference(text)


def test_code_and_plain_of_other_values() -> None:
    for value in (3, None, 1.5, True):
        assert code(value) == code_reference(value)
        assert plain(value) == plain_reference(value)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(TEXT | st.integers() | st.booleans() | st.none(), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_json_encoder_is_json_dumps_indented(doc: object) -> None:
    expected = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    expected = expected.encode("utf-8", "backslashreplace").decode("utf-8")
    assert dumps(doc) == expected
