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
