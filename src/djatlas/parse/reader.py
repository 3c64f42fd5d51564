"""Turn a file's bytes into text and a tree-sitter tree, or into a clear reason why not."""

from __future__ import annotations

import codecs
import io
import re

from djatlas.parse.hints import python2_issues
from djatlas.parse.recover import recover
from djatlas.parse.summary import SyntaxIssue
from djatlas.parse.values import KINDS
from djatlas.records import dataclass, field

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any


class ReadError(Exception):
    """A file could not be decoded or parsed; ``line`` is set when there is one."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(eq=False, repr=False)
class SourceTree:
    """A tree-sitter tree and the UTF-8 source it was parsed from."""

    source: bytes
    root_node: Any
    #: Syntax errors recovered from, in line order.
    issues: list[SyntaxIssue] = field(default_factory=list)
    #: Errors remain in the tree (recovery gave up): statements holding one are skipped.
    broken: bool = False


@dataclass(eq=False, repr=False)
class ParsedSource:
    """Decoded text and its module AST."""

    text: str
    tree: SourceTree


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
    import tokenize  # only for files that are not plain utf-8 (start-up)

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
    return (data.find(b"coding", 0, end) if end >= 0 else data.find(b"coding")) < 0


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def check_bytes(data: bytes) -> ReadError | None:
    """The cheap checks every file gets, parsed or not: NUL bytes, coding cookie, decoding.

    ASCII bytes with no other coding declared are valid UTF-8 (most files): they are not
    decoded, which would only copy the file into a str to drop it (a scan reads them all)."""
    if data.isascii() and _plain_utf8(data) and data.find(b"\x00") < 0:
        return None
    try:
        decode(data)
    except ReadError as exc:
        return exc
    return None


def parse(data: bytes, filename: str) -> ParsedSource:
    """Decode and parse ``data``, recovering from syntax errors statement by statement.

    Raises ReadError with a one-line reason when the file cannot be decoded, is nested too
    deeply, or keeps nothing usable after recovery.
    """
    text = decode(data)
    source = data if _plain_utf8(data) else text.encode("utf-8", "surrogatepass")
    if source.find(b"\r") >= 0:  # a lone CR ends a line for Python, not for tree-sitter
        source = _LONE_CR.sub(b"\n", source)
    if _deep(source):
        raise ReadError("too deeply nested to parse")
    root = _parser().parse(source).root_node
    issues: list[SyntaxIssue] = []
    broken = False
    if root.has_error:
        source, root, issues, broken = _recovered(source, root)
    py2 = python2_issues(source, root)
    if py2:
        issues = sorted(issues + py2, key=lambda i: i.line)
    if issues and not _usable(root, broken):
        raise ReadError(issues[0].describe(), issues[0].line)
    return ParsedSource(text, SourceTree(source, root, issues, broken))


def _recovered(source: bytes, root: Any) -> tuple[bytes, Any, list[SyntaxIssue], bool]:
    """``recover``'s answer for a tree with errors, after the newer syntax the grammar does not
    read is blanked (the blankers are imported here: files with errors only). When that alone
    makes the tree clean, the source given is the file as written: a blanker keeps every byte
    where it was, so the tree's positions hold in it, and the texts read from it are the
    file's own."""
    from djatlas.parse.lazyimports import blank_lazy_imports, explain
    from djatlas.parse.typedefaults import blank_type_defaults
    from djatlas.parse.unpacking import blank_dict_unpacking

    parser = _parser()

    def tree(text: bytes) -> Any:
        return parser.parse(text).root_node

    blanked = source
    for blank in (blank_type_defaults, blank_lazy_imports, blank_dict_unpacking):
        out = blank(blanked, root, tree)
        if out is not blanked:
            blanked, root = out, tree(out)
            if not root.has_error:
                return source, root, [], False
    fixed, fixed_root, issues, broken = recover(tree, blanked, root)
    if issues and blanked.find(b"lazy") >= 0:
        issues = explain(issues, root)
    return fixed, fixed_root, issues, broken


def _deep(source: bytes) -> bool:
    """Whether ``source`` nests brackets 200 deep (``find`` first: the regex is slower, and
    ``in`` on bytes builds a TypeError per test, see ``values``)."""
    find = source.find
    return (
        find(b"((((((((") >= 0 or find(b"[[[[[[[[") >= 0 or find(b"{{{{{{{{") >= 0
    ) and re.search(_DEEP, source) is not None


def _usable(root: Any, broken: bool) -> bool:
    """Whether anything but ``pass`` (what recovery leaves) is left at module level."""
    for stmt in root.children:
        if stmt.type not in ("pass_statement", "comment", "ERROR") and not (
            broken and stmt.has_error
        ):
            return True
    return False


_LONE_CR = re.compile(rb"\r(?!\n)")
#: Python refuses 200 nested brackets ("too many nested parentheses").
_DEEP = rb"(?:[(\[{][ \t\r\n\\]*){200}"  # compiled on first use (``re``'s cache): rarely needed
_PARSER: list[Any] = []


def _parser() -> Any:
    """The tree-sitter parser for Python (created once). ``tree_sitter``'s extension module is
    loaded by itself: the package's ``__init__`` imports ``typing`` (for a ``Protocol``), which
    nothing else in a scan needs."""
    if not _PARSER:
        binding = _binding("tree_sitter", keep=True)
        if not hasattr(binding, "Parser"):  # an unusual install: the ordinary way
            import tree_sitter as binding
        language = binding.Language(_python_language())
        _fill_kinds(language)
        _PARSER.append(binding.Parser(language))
    return _PARSER[0]


def _fill_kinds(language: Any) -> None:
    """``values.KINDS``: every node kind's name by id, ERROR nodes' (65535) included; interned,
    so that a name is the very string a visitor's constant is (``==`` ends at the identity)."""
    from sys import intern

    ids = [*range(language.node_kind_count), 0xFFFE, 0xFFFF]
    KINDS.update((i, intern(language.node_kind_for_id(i))) for i in ids)


def _python_language() -> object:
    """``tree_sitter_python.language()``, from its extension module loaded by itself: the
    package's ``__init__`` imports ``importlib.resources`` (with pathlib, tempfile, random,
    urllib) for query files djatlas does not use, a sizeable part of a cold start."""
    binding = _binding("tree_sitter_python")
    if hasattr(binding, "language"):
        return binding.language()
    import tree_sitter_python  # an unusual install: the ordinary way

    return tree_sitter_python.language()


def _binding(package: str, keep: bool = False) -> Any:
    """``package._binding``, the package's extension module, loaded without the package's
    ``__init__`` (None when it is not found or does not load). ``keep``: registered in
    ``sys.modules``, so that a later ``import package`` uses this very module (same types)."""
    import os
    import sys

    try:  # ``importlib.machinery``'s own classes, without the ``importlib`` package (which
        # imports ``warnings``: ~1.5M instructions of start-up)
        from _frozen_importlib import ModuleSpec
        from _frozen_importlib_external import EXTENSION_SUFFIXES, ExtensionFileLoader, PathFinder
    except ImportError:  # pragma: no cover - another interpreter
        from importlib.machinery import (
            EXTENSION_SUFFIXES,
            ExtensionFileLoader,
            ModuleSpec,
            PathFinder,
        )

    name = f"{package}._binding"
    if name in sys.modules:
        return sys.modules[name]
    try:
        spec = PathFinder.find_spec(package)
        for folder in (spec and spec.submodule_search_locations) or []:
            for suffix in EXTENSION_SUFFIXES:
                path = os.path.join(folder, "_binding" + suffix)
                if os.path.isfile(path):
                    loader = ExtensionFileLoader(name, path)
                    module = loader.create_module(ModuleSpec(name, loader, origin=path))
                    loader.exec_module(module)
                    if keep:
                        sys.modules[name] = module
                    return module
    except (ImportError, OSError, AttributeError):
        pass
    return None
