"""Read one migration module statically: its ``Migration`` class attributes as plain values.

This is the only module that touches the parser (stdlib ``ast`` for now): everything else sees
the JSON-friendly value encoding below, which is also what the cache stores.

Value encoding (a superset of the report's): literals as themselves (tuples and sets become
lists), ``_("text")`` becomes the text, a call is ``{"$call": dotted, "args": [...], "kwargs":
{...}, "line": n}``, a name or attribute is ``{"$ref": dotted}`` (resolved through the module's
imports: ``models.CASCADE`` with ``from django.db import models`` is ``django.db.models.CASCADE``),
anything else is ``{"$expr": source text}``. Names bound at module level to a value are replaced
by that value; module-level functions are ``{"$ref": "<module>.<name>"}``.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from djatlas.parse.reader import ReadError, decode

_LAZY = frozenset(
    {"_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "pgettext_lazy", "gettext_noop"}
)
_IGNORE = re.compile(r"#\s*djatlas:\s*ignore\[([A-Z0-9_, ]+)\]")
_MAX_DEPTH = 60


def read_migration(data: bytes, module: str) -> dict[str, Any]:
    """The ``Migration`` class of a migration module as a dict (JSON-friendly), or raise
    ReadError. Keys: ``found`` (a Migration class exists), ``attrs`` (attribute -> value),
    ``lines`` (attribute -> line), ``line`` (class line), ``ignores`` (line -> codes)."""
    text = decode(data)
    slim = _without_function_bodies(text)
    if slim is not None:
        try:
            return _ModuleReader(module).read(ast.parse(slim), text)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            pass  # the slicing was fooled (e.g. a string at column 0): read the whole file
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        tree = _class_only(text)
        if tree is None:
            raise ReadError(f"syntax error: {exc.msg}", exc.lineno) from None
        out = _ModuleReader(module).read(tree, text)
        out["partial"] = f"syntax error at line {exc.lineno} ({exc.msg}); read the imports and "
        out["partial"] += "the Migration class only"
        return out
    except (RecursionError, MemoryError, ValueError):
        raise ReadError("too deeply nested") from None
    reader = _ModuleReader(module)
    return reader.read(tree, text)


_TOP_DEF = re.compile(r"^(?:async\s+)?def\s+(\w+)|^class\s+(?!Migration\b)(\w+)|^@")


def _without_function_bodies(text: str) -> str | None:
    """The module with its top-level functions and classes (other than ``Migration``) reduced
    to ``def name(): pass`` (data migrations' code is most of the text; only the names matter):
    parsing is then several times faster. Lines keep their numbers. None when there is nothing
    to cut."""
    if "\ndef " not in text and "\nclass " not in text.replace("\nclass Migration", ""):
        return None
    lines = text.split("\n")
    out: list[str] = []
    skipping = False
    for line in lines:
        head = line[:1]
        if head and head not in " \t#\r)]}":
            m = _TOP_DEF.match(line)
            skipping = m is not None
            if m is not None:
                name = m.group(1) or m.group(2)
                out.append(f"def {name}(): pass" if name else "")
                continue
        out.append("" if skipping else line)
    return "\n".join(out)


_IMPORT_LINE = re.compile(r"^(?:from\s+\S+\s+import\s+[^(\\]+|import\s+[\w., ]+)$")


def _class_only(text: str) -> ast.Module | None:
    """The module's top-level one-line imports and its ``class Migration`` block, parsed alone
    (a syntax error elsewhere in the file, e.g. in a data migration's function, leaves the
    graph and the state readable). Line numbers are kept: other lines become blank."""
    lines = text.splitlines()
    start = next((i for i, t in enumerate(lines) if t.startswith("class Migration")), None)
    if start is None:
        return None
    end = next(
        (j for j in range(start + 1, len(lines)) if lines[j][:1] not in ("", " ", "\t", "#")),
        len(lines),
    )
    kept = [t if _IMPORT_LINE.match(t) else "" for t in lines[:start]] + lines[start:end]
    try:
        return ast.parse("\n".join(kept))
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None


class _ModuleReader:
    def __init__(self, module: str) -> None:
        self.module = module
        self.imports: dict[str, str] = {}
        self.bindings: dict[str, ast.expr] = {}
        self.functions: set[str] = set()
        self.text = ""

    def read(self, tree: ast.Module, text: str) -> dict[str, Any]:
        self.text = text
        cls = None
        for node in tree.body:
            self._bind(node)
            if isinstance(node, ast.ClassDef) and node.name == "Migration":
                cls = node
        out: dict[str, Any] = {"found": cls is not None, "attrs": {}, "lines": {}, "line": None}
        out["ignores"] = _ignores(text)
        if cls is None:
            return out
        out["line"] = cls.lineno
        for stmt in cls.body:  # class-level names (``state_operations = [...]``) bind too
            target, value = _assignment(stmt)
            if target is not None and value is not None:
                out["attrs"][target] = self.value(value)
                out["lines"][target] = stmt.lineno
                self.bindings[target] = value
        return out

    def _bind(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    self.imports[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(self.module, node.module, node.level)
            for alias in node.names:
                self.imports[alias.asname or alias.name] = (
                    f"{base}.{alias.name}" if base else alias.name
                )
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.functions.add(node.name)
            self.bindings.pop(node.name, None)
        else:
            target, value = _assignment(node)
            if target is not None and value is not None:
                self.bindings[target] = value

    def dotted(self, node: ast.expr) -> str | None:
        """The resolved dotted name of a Name/Attribute chain, else None."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = node.id
        if head in self.imports:
            head = self.imports[head]
        elif head in self.functions:
            head = f"{self.module}.{head}"
        return ".".join([head, *reversed(parts)])

    def value(self, node: ast.expr, depth: int = 0, seen: frozenset[str] = frozenset()) -> Any:
        if depth > _MAX_DEPTH:
            return {"$expr": "..."}
        if isinstance(node, ast.Constant):
            return node.value if not isinstance(node.value, (bytes, complex)) else _expr(node, self)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    inner = self.value(elt.value, depth + 1, seen)
                    if isinstance(inner, list):
                        items.extend(inner)
                        continue
                    return _expr(node, self)
                items.append(self.value(elt, depth + 1, seen))
            return items
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                return _expr(node, self)
            out = {}
            for k, v in zip(node.keys, node.values):
                key = self.value(k, depth + 1, seen)  # type: ignore[arg-type]
                out[key if isinstance(key, str) else ast.get_source_segment(self.text, k)] = (
                    self.value(v, depth + 1, seen)
                )
            return out
        if isinstance(node, ast.Name) and node.id in self.bindings and node.id not in seen:
            return self.value(self.bindings[node.id], depth + 1, seen | {node.id})
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = self.dotted(node)
            return {"$ref": dotted} if dotted else _expr(node, self)
        if isinstance(node, ast.Call):
            return self._call(node, depth, seen)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.value(node.left, depth + 1, seen)
            right = self.value(node.right, depth + 1, seen)
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            if isinstance(left, str) and isinstance(right, str):
                return left + right
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand, depth + 1, seen)
            if isinstance(inner, (int, float)) and not isinstance(inner, bool):
                return -inner
        return _expr(node, self)

    def _call(self, node: ast.Call, depth: int, seen: frozenset[str]) -> Any:
        func = self.dotted(node.func)
        if func is None:
            return _expr(node, self)
        last = func.rsplit(".", 1)[-1]
        if func in ("set", "frozenset", "tuple", "list", "dict") and not node.keywords:
            if not node.args:
                return {} if func == "dict" else []
            if len(node.args) == 1 and func != "dict":
                inner = self.value(node.args[0], depth + 1, seen)
                if isinstance(inner, list):
                    return inner
        if last in _LAZY and len(node.args) == 1 and not node.keywords:
            inner = self.value(node.args[0], depth + 1, seen)
            if isinstance(inner, str):
                return inner
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                return _expr(node, self)
            args.append(self.value(arg, depth + 1, seen))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                inner = self.value(kw.value, depth + 1, seen)
                if not isinstance(inner, dict) or any(k.startswith("$") for k in inner):
                    return _expr(node, self)
                kwargs.update(inner)
            else:
                kwargs[kw.arg] = self.value(kw.value, depth + 1, seen)
        return {"$call": func, "args": args, "kwargs": kwargs, "line": node.lineno}


def _expr(node: ast.AST, reader: _ModuleReader) -> dict[str, str]:
    return {"$expr": ast.get_source_segment(reader.text, node) or ast.dump(node)[:200]}


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            return target.id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        return node.target.id, node.value
    return None, None


def _absolute(module: str, name: str | None, level: int) -> str:
    if not level:
        return name or ""
    parts = module.split(".")[:-level] if level <= len(module.split(".")) else []
    if name:
        parts.append(name)
    return ".".join(parts)


def _ignores(text: str) -> dict[str, list[str]]:
    """``# djatlas: ignore[CODE, ...]`` comments: line -> codes (line "0" for the whole file when
    the comment stands before any code)."""
    out: dict[str, list[str]] = {}
    if "djatlas" not in text:
        return out
    for number, line in enumerate(text.splitlines(), 1):
        m = _IGNORE.search(line)
        if m:
            codes = [c.strip() for c in m.group(1).split(",") if c.strip()]
            out.setdefault(str(number), []).extend(codes)
    return out
