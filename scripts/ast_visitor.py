"""The stdlib-`ast` visitor djatlas used before tree-sitter: reference for compare_parsers.py."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from djatlas.parse.summary import (
    Arg,
    Call,
    ClassSummary,
    Expr,
    FunctionSummary,
    ImportRef,
    Member,
    MetaSummary,
    ModuleSummary,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from djatlas.parse.summary import Value


def _live_blocks(stmt: ast.If) -> list[list[ast.stmt]]:
    """The branches of a class or function body's ``if`` that may run (the tree-sitter
    visitor's ``_live_blocks``): a condition the source alone decides chooses."""
    blocks = []
    while True:
        known = _known_truth(stmt.test)
        if known is not False:
            blocks.append(stmt.body)
        if known is True:
            return blocks
        orelse = stmt.orelse
        if len(orelse) == 1 and isinstance(orelse[0], ast.If) and _is_elif(stmt, orelse[0]):
            stmt = orelse[0]
            continue
        if orelse:
            blocks.append(orelse)
        return blocks


def _is_elif(stmt: ast.If, inner: ast.If) -> bool:
    """Whether ``inner`` (the only statement of ``stmt``'s else) was written ``elif``."""
    return inner.col_offset == stmt.col_offset


def _known_truth(test: ast.expr) -> bool | None:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _known_truth(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.Constant) and (test.value is None or type(test.value) in (bool, int)):
        return bool(test.value) if test.value in (None, True, False, 0, 1) else None
    if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
        return False
    if isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING":
        return False
    return None


#: Calls whose single string argument is the value (translation markers).
GETTEXT = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "ugettext",
        "ugettext_lazy",
        "gettext_noop",
        "ugettext_noop",
        "_lazy",
        "lazy_gettext",
        "pgettext",
        "pgettext_lazy",
        "gettext_lazy_",
    }
)
#: Module-level settings read statically.
SETTINGS_NAMES = frozenset({"INSTALLED_APPS", "DEFAULT_AUTO_FIELD", "AUTH_USER_MODEL"})
_MAX_DEPTH = 60
_MAX_SOURCE = 300


class SourceLines:
    """Source text addressed by AST positions (col offsets are UTF-8 byte offsets)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def segment(self, node: ast.AST) -> str:
        try:
            l0, c0 = node.lineno - 1, node.col_offset  # type: ignore[attr-defined]
            l1, c1 = node.end_lineno - 1, node.end_col_offset  # type: ignore[attr-defined]
        except (AttributeError, TypeError):
            return ""
        if l0 == l1:
            text = self.lines[l0].encode()[c0:c1].decode(errors="replace")
        else:
            parts = [self.lines[l0].encode()[c0:].decode(errors="replace")]
            parts.extend(self.lines[l0 + 1 : l1])
            parts.append(self.lines[l1].encode()[:c1].decode(errors="replace"))
            text = " ".join(p.strip() for p in parts)
        text = " ".join(text.split()) if "\n" in text or "  " in text else text
        return text if len(text) <= _MAX_SOURCE else text[: _MAX_SOURCE - 1] + "…"


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _Visitor:
    def __init__(self, text: str, module: str, is_package: bool) -> None:
        self._kwargs: str | None = None
        self.src = SourceLines(text)
        self.module = module
        self.is_package = is_package

    # -- values ---------------------------------------------------------------------------
    def literal(self, node: ast.AST, depth: int = 0) -> Value:
        """Evaluate a literal without eval; anything else becomes ``{"$expr": source}``."""
        if depth > _MAX_DEPTH:
            return {"$expr": self.src.segment(node)}
        if isinstance(node, ast.Constant):
            v = node.value
            if v is None or isinstance(v, (str, bool, int)):
                return v
            if isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")):
                return v
            return {"$expr": self.src.segment(node)}
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [self.literal(e, depth + 1) for e in node.elts]
        if isinstance(node, ast.Dict):
            out: dict[str, Value] = {}
            for k, v in zip(node.keys, node.values):
                if k is None:
                    out["**"] = {"$expr": self.src.segment(v)}
                    continue
                key = (
                    k.value
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    else (self.src.segment(k))
                )
                out[key] = self.literal(v, depth + 1)
            return out
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, (ast.USub, ast.UAdd))
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)
        ):
            v = node.operand.value
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(node.op, _FOLD_OPS):
            folded = _fold(
                node.op, self.literal(node.left, depth + 1), self.literal(node.right, depth + 1)
            )
            if folded is not None:
                return folded
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            if name and name.rsplit(".", 1)[-1] in GETTEXT and node.args and not node.keywords:
                last = node.args[-1]
                if isinstance(last, ast.Constant) and isinstance(last.value, str):
                    return last.value
        return {"$expr": self.src.segment(node)}

    def arg(self, node: ast.AST) -> Arg:
        call = dotted(node.func) if isinstance(node, ast.Call) else None
        return Arg(self.literal(node), dotted(node), call)

    def expr(self, node: ast.AST | None) -> Expr:
        if node is None:
            return Expr("other")
        ref = dotted(node)
        if ref is not None:
            return Expr("ref", ref=ref, source=ref)
        if (
            isinstance(node, ast.BoolOp)
            and isinstance(node.op, ast.Or)
            and isinstance(node.values[-1], ast.Constant)
            and isinstance(node.values[-1].value, (str, int, bool))
        ):
            # ``app_settings.X or "default"``: the fallback is what an unset setting gives.
            return Expr("literal", value=node.values[-1].value, source=self.src.segment(node))
        if isinstance(node, ast.Constant):
            if node.value is None:
                return Expr("none", source="None")
            if isinstance(node.value, (str, int, bool)):
                return Expr("literal", value=node.value, source=self.src.segment(node))
        if isinstance(node, ast.Call):
            func = dotted(node.func)
            if func is not None:
                args: list[Arg] = []
                kwargs: dict[str, Arg] = {}
                for a in node.args:
                    if isinstance(a, ast.Starred):
                        args.append(Arg({"$expr": self.src.segment(a)}))
                    else:
                        args.append(self.arg(a))
                for kw in node.keywords:
                    kwargs[kw.arg if kw.arg is not None else "**"] = self.arg(kw.value)
                return Expr("call", call=Call(func, args, kwargs, func), source=func)
        if isinstance(node, (ast.Tuple, ast.List)):
            return Expr("tuple", items=[self.expr(e) for e in node.elts])
        if isinstance(node, ast.Subscript):
            base = dotted(node.value)
            if base and base.rsplit(".", 1)[-1] in ("Type", "type"):
                inner = dotted(node.slice)
                if inner:
                    return Expr("type_of", ref=inner, source=self.src.segment(node))
        return Expr("other", source=self.src.segment(node))

    # -- imports --------------------------------------------------------------------------
    def absolute(self, module: str | None, level: int) -> str | None:
        if level == 0:
            return module
        parts = self.module.split(".")
        if not self.is_package:
            parts = parts[:-1]
        if level > 1:
            if level - 1 > len(parts):
                return None
            parts = parts[: len(parts) - (level - 1)]
        base = ".".join(parts)
        if module:
            return f"{base}.{module}" if base else module
        return base or None

    def imports(self, node: ast.Import | ast.ImportFrom, summary: ModuleSummary) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    summary.imports[alias.asname] = ImportRef(alias.name)
                else:
                    top = alias.name.split(".", 1)[0]
                    summary.imports[top] = ImportRef(top)
            return
        base = self.absolute(node.module, node.level)
        if base is None:
            return
        for alias in node.names:
            if alias.name == "*":
                if base not in summary.star_imports:
                    summary.star_imports.append(base)
            else:
                summary.imports[alias.asname or alias.name] = ImportRef(base, alias.name)

    # -- classes --------------------------------------------------------------------------
    def class_summary(self, node: ast.ClassDef) -> ClassSummary:
        cls = ClassSummary(
            name=node.name,
            line=node.lineno,
            bases=[self.expr(b.value if isinstance(b, ast.Subscript) else b) for b in node.bases],
            docstring=ast.get_docstring(node),
        )
        self._class_body(node.body, cls)
        cls.methods.sort()
        return cls

    def _class_body(self, body: Iterable[ast.stmt], cls: ClassSummary) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign):
                value = self.expr(stmt.value)
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self._member(cls, target.id, stmt.lineno, value)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if stmt.value is not None:
                    self._member(cls, stmt.target.id, stmt.lineno, self.expr(stmt.value))
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                cls.methods.append(stmt.name)
                if stmt.name == "__init__":
                    cls.init_params = [a.arg for a in stmt.args.posonlyargs + stmt.args.args][1:]
                    self._init_kwargs(stmt, cls)
            elif isinstance(stmt, ast.ClassDef):
                if stmt.name == "Meta":
                    cls.meta = self.meta(stmt)
                else:
                    cls.attributes.append(stmt.name)
                    if stmt.bases:
                        cls.nested[stmt.name] = self.class_summary(stmt)
            elif isinstance(stmt, ast.If):
                for block in _live_blocks(stmt):
                    self._class_body(block, cls)
            elif isinstance(stmt, ast.Try):
                self._class_body(stmt.body, cls)

    def _init_kwargs(self, node: ast.FunctionDef | ast.AsyncFunctionDef, cls: ClassSummary) -> None:
        """Keyword arguments a field class's ``__init__`` forces or defaults."""
        kw = node.args.kwarg.arg if node.args.kwarg else None
        for stmt in node.body:
            if (
                kw
                and isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Subscript)
                and isinstance(stmt.targets[0].value, ast.Name)
                and stmt.targets[0].value.id == kw
                and isinstance(stmt.targets[0].slice, ast.Constant)
                and isinstance(stmt.targets[0].slice.value, str)
            ):
                cls.init_sets[stmt.targets[0].slice.value] = self.arg(stmt.value)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                call = stmt.value
                func = call.func
                if (
                    kw
                    and isinstance(func, ast.Attribute)
                    and func.attr == "setdefault"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == kw
                    and len(call.args) == 2
                    and isinstance(call.args[0], ast.Constant)
                    and isinstance(call.args[0].value, str)
                ):
                    cls.init_defaults.setdefault(call.args[0].value, self.arg(call.args[1]))
                elif (
                    isinstance(func, ast.Attribute)
                    and func.attr == "__init__"
                    and isinstance(func.value, ast.Call)
                    and dotted(func.value.func) == "super"
                ):
                    for k in call.keywords:
                        if k.arg is not None:
                            cls.init_sets[k.arg] = self.arg(k.value)

    def _member(self, cls: ClassSummary, name: str, line: int, value: Expr) -> None:
        if value.kind in ("call", "none", "ref", "literal"):
            cls.members.append(Member(name, line, value))
        else:
            cls.attributes.append(name)

    def meta(self, node: ast.ClassDef) -> MetaSummary:
        meta = MetaSummary(line=node.lineno, bases=[], options={})
        meta.bases = [d for d in (dotted(b) for b in node.bases) if d]
        for stmt in node.body:
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            for target in targets:
                if isinstance(target, ast.Name) and value is not None:
                    meta.options[target.id] = self.literal(value)
                    ref = dotted(value)
                    if ref:
                        meta.refs[target.id] = ref
        return meta

    # -- functions ------------------------------------------------------------------------
    def function_summary(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionSummary:
        fn = FunctionSummary(
            name=node.name,
            line=node.lineno,
            params=[a.arg for a in node.args.posonlyargs + node.args.args],
            returns=[],
            annotation=self.expr(node.returns) if node.returns is not None else None,
        )
        self._kwargs = node.args.kwarg.arg if node.args.kwarg else None
        self._function_body(node.body, fn)
        return fn

    def _function_body(self, body: Iterable[ast.stmt], fn: FunctionSummary) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                fn.returns.append(self.expr(stmt.value))
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name):
                    fn.locals[target.id] = self.expr(stmt.value)
                elif (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == self._kwargs
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    fn.kwarg_defaults[target.slice.value] = self.arg(stmt.value)
            elif (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Attribute)
                and stmt.value.func.attr == "setdefault"
                and isinstance(stmt.value.func.value, ast.Name)
                and stmt.value.func.value.id == self._kwargs
                and len(stmt.value.args) == 2
                and isinstance(stmt.value.args[0], ast.Constant)
                and isinstance(stmt.value.args[0].value, str)
            ):
                fn.kwarg_defaults.setdefault(stmt.value.args[0].value, self.arg(stmt.value.args[1]))
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if stmt.value is not None:
                    fn.locals[stmt.target.id] = self.expr(stmt.value)
            elif isinstance(stmt, ast.ClassDef):
                fn.classes[stmt.name] = self.class_summary(stmt)
            elif isinstance(stmt, ast.If):
                for block in _live_blocks(stmt):
                    self._function_body(block, fn)
            elif isinstance(stmt, (ast.For, ast.While, ast.With, ast.AsyncWith)):
                self._function_body(stmt.body, fn)
                self._function_body(getattr(stmt, "orelse", []), fn)
            elif isinstance(stmt, ast.Try):
                for block in (stmt.body, stmt.orelse, stmt.finalbody):
                    self._function_body(block, fn)
                for handler in stmt.handlers:
                    self._function_body(handler.body, fn)

    # -- module ---------------------------------------------------------------------------
    def module_body(self, body: Iterable[ast.stmt], summary: ModuleSummary, env: dict) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.imports(stmt, summary)
            elif isinstance(stmt, ast.ClassDef):
                summary.classes[stmt.name] = self.class_summary(stmt)
                summary.assigns.pop(stmt.name, None)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                summary.functions[stmt.name] = self.function_summary(stmt)
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    self._module_assign(target, stmt.value, summary, env)
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                self._module_assign(stmt.target, stmt.value, summary, env)
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                name = stmt.target.id
                if isinstance(stmt.op, ast.Add):
                    _extends(name, env, summary)
                if isinstance(stmt.op, ast.Add) and name in env:
                    env[name] = _concat(env[name], self._settings_value(stmt.value, env))
                    self._record_setting(name, env, summary)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                self._list_mutation(stmt.value, summary, env)
            elif isinstance(stmt, ast.If):
                self.module_body(stmt.body, summary, env)
                self.module_body(stmt.orelse, summary, env)
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                for block in (stmt.body, stmt.orelse, stmt.finalbody):
                    self.module_body(block, summary, env)
                # ``except ImportError:`` fallbacks only bind names the try body did not.
                for handler in stmt.handlers:
                    fallback = ModuleSummary(summary.module, summary.path, summary.is_package)
                    self.module_body(handler.body, fallback, dict(env))
                    _merge_missing(summary, fallback)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                self.module_body(stmt.body, summary, env)

    def _module_assign(
        self, target: ast.expr, value: ast.expr, summary: ModuleSummary, env: dict
    ) -> None:
        if not isinstance(target, ast.Name):
            return
        name = target.id
        if name == "__all__":
            names = self.literal(value)
            if isinstance(names, list) and all(isinstance(n, str) for n in names):
                summary.all_names = names
            return
        summary.assigns[name] = self.expr(value)
        summary.classes.pop(name, None)
        summary.functions.pop(name, None)
        if name.isupper() or name in SETTINGS_NAMES:
            env[name] = self._settings_value(value, env)
            self._record_setting(name, env, summary)

    def _settings_value(self, node: ast.expr, env: dict) -> Value:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return _concat(
                self._settings_value(node.left, env), self._settings_value(node.right, env)
            )
        if isinstance(node, ast.Name) and node.id in env:
            return env[node.id]
        if isinstance(node, (ast.List, ast.Tuple)):
            out: list[Value] = []
            for e in node.elts:
                if isinstance(e, ast.Starred):
                    inner = self._settings_value(e.value, env)
                    out.extend(inner if isinstance(inner, list) else [inner])
                else:
                    out.append(self._settings_value(e, env))
            return out
        return self.literal(node)

    def _list_mutation(self, call: ast.Call, summary: ModuleSummary, env: dict) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return
        name = func.value.id
        if func.attr in ("append", "extend", "insert"):
            _extends(name, env, summary)
        if name not in env or not isinstance(env[name], list) or not call.args:
            return
        if func.attr == "append":
            env[name] = env[name] + [self._settings_value(call.args[0], env)]
        elif func.attr == "extend":
            env[name] = _concat(env[name], self._settings_value(call.args[0], env))
        elif func.attr == "insert" and len(call.args) == 2:
            items = list(env[name])
            pos = self.literal(call.args[0])
            items.insert(
                pos if isinstance(pos, int) else len(items), self._settings_value(call.args[1], env)
            )
            env[name] = items
        else:
            return
        self._record_setting(name, env, summary)

    @staticmethod
    def _record_setting(name: str, env: dict, summary: ModuleSummary) -> None:
        if name in SETTINGS_NAMES:
            summary.settings[name] = env[name]


def _extends(name: str, env: dict, summary: ModuleSummary) -> None:
    """``INSTALLED_APPS += [...]`` with no local value: extends what a star import brought.

    The module's value then holds only the added items, flagged by ``"<NAME>+": True``.
    """
    if name in SETTINGS_NAMES and name not in env:
        env[name] = []
        summary.settings[name + "+"] = True


_FOLD_OPS = (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)


def _fold(op: ast.operator, left: Value, right: Value) -> Value:
    """Constant arithmetic on literal numbers (``60 * 4``) and string concatenation."""
    nums = (int, float)
    if isinstance(left, bool) or isinstance(right, bool):
        return None
    if isinstance(left, nums) and isinstance(right, nums):
        if isinstance(op, (ast.FloorDiv, ast.Mod)) and right == 0:
            return None
        result = {
            ast.Add: lambda: left + right,
            ast.Sub: lambda: left - right,
            ast.Mult: lambda: left * right,
            ast.FloorDiv: lambda: left // right,
            ast.Mod: lambda: left % right,
        }[type(op)]()
        return result if abs(result) < 10**15 else None
    if isinstance(op, ast.Add) and isinstance(left, str) and isinstance(right, str):
        return left + right if len(left) + len(right) < 10_000 else None
    return None


def _merge_missing(summary: ModuleSummary, fallback: ModuleSummary) -> None:
    bound = (
        set(summary.imports) | set(summary.assigns) | set(summary.classes) | set(summary.functions)
    )
    for table in ("imports", "assigns", "classes", "functions"):
        mine, theirs = getattr(summary, table), getattr(fallback, table)
        for name, value in theirs.items():
            if name not in bound:
                mine[name] = value
    for star in fallback.star_imports:
        if star not in summary.star_imports:
            summary.star_imports.append(star)
    for key, value in fallback.settings.items():
        summary.settings.setdefault(key, value)


def _concat(left: Value, right: Value) -> Value:
    """``left + right`` for settings lists; a dynamic part keeps the known items."""
    if isinstance(left, list) and isinstance(right, list):
        return left + right
    if isinstance(left, list):
        return left
    if isinstance(right, list):
        return right
    return {"$expr": "<dynamic>"}


def summarize(
    tree: ast.Module, text: str, module: str, path: str, is_package: bool
) -> ModuleSummary:
    """Build the ModuleSummary of one parsed module."""
    summary = ModuleSummary(module=module, path=path, is_package=is_package)
    visitor = _Visitor(text, module, is_package)
    visitor.module_body(tree.body, summary, {})
    return summary
