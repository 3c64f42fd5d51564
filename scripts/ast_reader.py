"""The parse stage as it was before tree-sitter (stdlib `ast`): reference for compare_parsers.py."""

from __future__ import annotations

import ast
import codecs
import io
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass

_NEWER = re.compile(  # PEP 695: `type X = ...`, `class C[T]`, `def f[T]`
    rb"^[ \t]*(?:type[ \t]+\w+[ \t]*(?:\[[^\]]*\])?[ \t]*=|(?:class|def)[ \t]+\w+\[)", re.M
)
_PY2_HINTS = re.compile(
    rb"^\s*(print\s+[\"'\w]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:|raise\s+\w+\s*,)"
    rb"|\bur[\"']|^\s*\d+L\b",
    re.MULTILINE,
)


class ReadError(Exception):
    """A file could not be decoded or parsed; ``line`` is set when there is one."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass
class ParsedSource:
    """Decoded text and its module AST."""

    text: str
    tree: ast.Module


def decode(data: bytes) -> str:
    """Decode Python source bytes honouring a BOM and a PEP 263 coding cookie."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ReadError("NUL bytes in file", _line_at(data, nul))
    try:
        encoding = _UTF8 if _plain_utf8(data) else _detect(data)
    except SyntaxError as exc:
        if b"coding" in b"\n".join(data.split(b"\n", 2)[:2]):
            raise ReadError(f"bad coding cookie: {exc.msg}", 1) from None
        encoding = "utf-8"  # no cookie: the first lines are not UTF-8, say where below
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except LookupError:
        raise ReadError(f"unknown encoding: {encoding}") from None
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"undecodable bytes ({encoding}): {exc.reason} at byte {exc.start}",
            _line_at(data, exc.start),
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


_UTF8 = "utf-8"
_BOM = codecs.BOM_UTF8
_UTF8_COOKIES = (b"# -*- coding: utf-8 -*-\n", b"# -*- coding: utf-8 -*-\r\n")


def _detect(data: bytes) -> str:
    return tokenize.detect_encoding(io.BytesIO(data).readline)[0]


def _plain_utf8(data: bytes) -> bool:
    """No BOM, and either the usual utf-8 cookie as the first line or no "coding" in the first
    two lines: ``tokenize.detect_encoding`` would say utf-8 (or fail on undecodable first lines,
    which ``decode`` also reads as utf-8)."""
    if data.startswith(_BOM):
        return False
    if data.startswith(_UTF8_COOKIES):  # detect_encoding stops at this first line: utf-8
        return True
    end = data.find(b"\n")
    if end >= 0:
        end = data.find(b"\n", end + 1)
    return b"coding" not in (data[:end] if end >= 0 else data)


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def check_bytes(data: bytes) -> ReadError | None:
    """The cheap checks every file gets, parsed or not: NUL bytes, coding cookie, decoding."""
    try:
        decode(data)
    except ReadError as exc:
        return exc
    return None


def parse(data: bytes, filename: str) -> ParsedSource:
    """Decode and parse ``data``; raise ReadError with a one-line reason on failure."""
    text = decode(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=filename)
    except SyntaxError as exc:
        hint = " (looks like Python 2)" if _PY2_HINTS.search(data) else ""
        if not hint and _NEWER.search(data) and sys.version_info < (3, 12):
            hint = (
                f" (newer Python syntax, e.g. PEP 695 generics or `type` aliases: run djatlas "
                f"with a newer Python than {sys.version_info[0]}.{sys.version_info[1]})"
            )
        raise ReadError(f"syntax error: {exc.msg}{hint}", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise ReadError("too deeply nested to parse") from None
    except ValueError as exc:
        raise ReadError(f"cannot parse: {exc}") from None
    return ParsedSource(text, tree)
