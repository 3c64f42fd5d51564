"""Project patches of the autodetector found statically in the tree's ``apps.py`` files:
``models.Field.deconstruct = fn`` where ``fn`` pops keyword arguments (NetBox ignores
``choices``/``help_text``/``verbose_name``), and ``AlterModelOptions.ALTER_OPTION_KEYS.remove(x)``.
Read as source, never imported."""

from __future__ import annotations

import ast
import os
from typing import Any

from djatlas.records import dataclass, field


@dataclass
class Patches:
    #: keyword arguments ``deconstruct()`` never writes in this project.
    field_kwargs: set[str] = field(default_factory=set)
    #: AlterModelOptions keys not compared in this project.
    option_keys: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def find_patches(root: str, doc: dict[str, Any]) -> Patches:
    out = Patches()
    modules = {r["module"]: r["path"] for r in doc.get("files", []) if r.get("module")}
    for rec in doc.get("files", []):
        path = rec.get("path", "")
        if not path.endswith("apps.py") or rec.get("status") not in ("parsed", "not_needed"):
            continue
        tree = _parse(os.path.join(root, path))
        if tree is None:
            continue
        imports = _imports(tree)
        for node in ast.walk(tree):
            _option_removal(node, out)
            target = _deconstruct_assignment(node)
            if target is None:
                continue
            module = imports.get(target)
            fn_file = modules.get(module.rsplit(".", 1)[0]) if module else path
            fn_tree = _parse(os.path.join(root, fn_file)) if fn_file else None
            popped = _popped(fn_tree, target.rsplit(".", 1)[-1]) if fn_tree else None
            if popped:
                out.field_kwargs |= popped
                names = ", ".join(sorted(popped))
                out.notes.append(f"{path}: Field.deconstruct is patched; not compared: {names}")
    return out


def _parse(path: str) -> ast.Module | None:
    try:
        with open(path, "rb") as fh:
            return ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None


def _imports(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def _option_removal(node: ast.AST, out: Patches) -> None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("remove", "discard")
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "ALTER_OPTION_KEYS"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        out.option_keys.add(node.args[0].value)


def _deconstruct_assignment(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Assign) or len(node.targets) != 1:
        return None
    t = node.targets[0]
    if (
        isinstance(t, ast.Attribute)
        and t.attr == "deconstruct"
        and isinstance(t.value, ast.Attribute)
        and t.value.attr == "Field"
        and isinstance(node.value, ast.Name)
    ):
        return node.value.id
    return None


def _popped(tree: ast.Module, name: str) -> set[str] | None:
    constants: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Tuple, ast.List)):
            values = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
            for t in node.targets:
                if isinstance(t, ast.Name) and all(isinstance(v, str) for v in values):
                    constants[t.id] = values  # type: ignore[assignment]
    fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if fn is None:
        return None
    out: set[str] = set()
    loops: dict[str, list[str]] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            it = node.iter
            if isinstance(it, ast.Name) and it.id in constants:
                loops[node.target.id] = constants[it.id]
            elif isinstance(it, (ast.Tuple, ast.List)):
                loops[node.target.id] = [
                    e.value
                    for e in it.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "pop"
            and node.args
        ):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.add(arg.value)
            elif isinstance(arg, ast.Name) and arg.id in loops:
                out |= set(loops[arg.id])
    return out
