"""Turn a file's bytes into text and an AST, or into a clear reason why not."""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
import warnings
from dataclasses import dataclass

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
    if b"\x00" in data:
        raise ReadError("NUL bytes in file")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ReadError(f"bad coding cookie: {exc.msg}") from None
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise ReadError(f"undecodable bytes ({encoding}): {exc}") from None
    return text[1:] if text.startswith("\ufeff") else text


def parse(data: bytes, filename: str) -> ParsedSource:
    """Decode and parse ``data``; raise ReadError with a one-line reason on failure."""
    text = decode(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=filename)
    except SyntaxError as exc:
        hint = " (looks like Python 2)" if _PY2_HINTS.search(data) else ""
        raise ReadError(f"syntax error: {exc.msg}{hint}", exc.lineno) from None
    except (RecursionError, MemoryError):
        raise ReadError("too deeply nested to parse") from None
    except ValueError as exc:
        raise ReadError(f"cannot parse: {exc}") from None
    return ParsedSource(text, tree)
