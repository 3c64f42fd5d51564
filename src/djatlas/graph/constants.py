"""Evaluate the few non-literal argument forms whose value is still known statically.

Named constants (``max_length=MAX_LEN``, from this or another module), settings with a default
(``getattr(settings, "X", "default")``, ``settings.X`` read from the project's settings module),
``swapper.get_model_name("app", "Model")`` and ``get_user_model()``, and constant computations
of them (``f"{PREFIX}_item"``, ``SIZE * 2``: ``folding``). Nothing is executed: snippets of source
are re-parsed (the usual plain calls by ``_plain_call``, any other call by ``ast``, computations
by tree-sitter) and only literals are read.
"""

from __future__ import annotations

from keyword import iskeyword

from djatlas.graph.apps import AppRegistry
from djatlas.parse.summary import Arg, Call, Expr
from djatlas.parse.values import GETTEXT, STR_METHODS
from djatlas.resolve.index import LoadedModule, ProjectIndex
from djatlas.resolve.values import ClassValue, FunctionValue, Instance, Literal, ModuleValue

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

#: Returned when a value stays unknown (None is a real value).
UNKNOWN: Any = object()
#: Not worked out yet (in a memo).
_NOT_YET: Any = object()


class Constants:
    """Evaluates arguments in the context of a module and of the settings of a file."""

    def __init__(self, index: ProjectIndex, registry: AppRegistry) -> None:
        self.index = index
        self.registry = registry
        self._values: dict[tuple[str | None, str, int, int], Any] = {}
        self._snippets: dict[str, tuple[str, tuple[Any, ...], bool] | None] = {}
        #: Computations being folded, one inside another (``_folded``).
        self._folding = 0

    def value(
        self, arg: Arg | None, mod: LoadedModule, file: str | None, skey: int | None = None
    ) -> Any:
        """The argument's value, or UNKNOWN.

        Memoised by (name or source, module, settings of the file): the answer depends only
        on the modules and the settings, final once the graph is built, and the same
        expressions (``on_delete=models.CASCADE``, ``max_length=NAME_LENGTH``) recur in every
        model. ``skey``: ``settings_key(file)`` when the caller has it already.
        """
        if arg is None:
            return UNKNOWN
        v = arg.value
        if not is_expr(v):
            return v
        if skey is None:
            skey = self.settings_key(file)
        key = (arg.ref, str(v["$expr"]), id(mod), skey)
        found = self._values.get(key, _NOT_YET)
        if found is _NOT_YET:
            self._values[key] = UNKNOWN  # while worked out: a name bound to itself is unknown
            found = self._values[key] = self._expression(arg, mod, file)
        return found

    def settings_key(self, file: str | None) -> int:
        """Which settings apply to ``file`` (the only way a file changes a value), as a key;
        modules and settings live as long as the index and the registry."""
        return id(self.registry.settings.for_file(file))

    def _expression(self, arg: Arg, mod: LoadedModule, file: str | None) -> Any:
        if arg.ref:
            head, _, attr = arg.ref.partition(".")
            if attr and "." not in attr and self._is_settings(mod, head):
                return self.setting(attr, file, UNKNOWN)
            found = self.of(self.index.resolve(mod, arg.ref), file)
            if found is UNKNOWN and attr:
                owner, _, name = arg.ref.rpartition(".")
                found = self.class_attribute(self.index.resolve(mod, owner), name)
            if found is UNKNOWN and attr and "." not in attr:
                found = self._settings_object(mod, head, attr, file)
            if found is UNKNOWN:  # ``TABLE = PREFIX + "_t"``
                found = self._bound(mod, arg.ref, file)
            return found
        return self._snippet(str(arg.value["$expr"]), mod, file)

    def of(self, value: object, file: str | None) -> Any:
        """The value of a resolved name: a literal, or a known call's result."""
        if isinstance(value, Literal):
            return value.value
        if isinstance(value, Instance) and isinstance(value.call, Call):
            args = [self._named(a, value.module) for a in value.call.args]
            return self._call(value.call.func, args, file)
        return UNKNOWN

    def _named(self, arg: Arg, mod: object) -> Any:
        """A call argument's value; a name bound to a literal in ``mod`` gives that literal."""
        if arg.ref and is_expr(arg.value) and isinstance(mod, LoadedModule):
            found = self.index.resolve(mod, arg.ref)
            if isinstance(found, Literal):
                return found.value
        return arg.value

    def class_attribute(self, cls: object, name: str) -> Any:
        """``class_attribute`` of this index."""
        return class_attribute(self.index, cls, name)

    def expr_value(self, expr: Expr, mod: LoadedModule, file: str | None) -> Any:
        """The value of a module-level binding's summarised expression (``_expr_value``)."""
        return self._expr_value(expr, mod, file, 0)

    def setting(self, name: str, file: str | None, default: Any) -> Any:
        """A setting's value from the settings module that applies to ``file``."""
        settings = self.registry.settings.for_file(file)
        if name == "AUTH_USER_MODEL":
            return settings.auth_user_model
        if name == "DEFAULT_AUTO_FIELD":
            return settings.default_auto_field
        if name == "INSTALLED_APPS":  # (``"app" in settings.INSTALLED_APPS``: the whole list)
            return list(settings.installed_apps) if settings.apps_complete else default
        mod = self.index.module(settings.module) if settings.module else None
        if mod is not None:
            found = self.index.lookup(mod, name)
            if isinstance(found, Literal):
                return found.value
        return default

    def _settings_object(self, mod: LoadedModule, head: str, attr: str, file: str | None) -> Any:
        """``app_settings.NAME`` where ``app_settings = Settings(...)`` is built in a module that
        also defines ``NAME`` at module level (django-oauth-toolkit's, DRF's pattern)."""
        obj = self.index.resolve(mod, head)
        home = obj.module if isinstance(obj, Instance) else None
        if not isinstance(home, LoadedModule):
            return UNKNOWN
        found = self.index.lookup(home, attr)
        return self.of(found, file) if found is not None else UNKNOWN

    def _call(self, func: str, args: list[Any], file: str | None) -> Any:
        name = func.rsplit(".", 1)[-1]
        if name == "getattr" and len(args) >= 2 and isinstance(args[1], str):
            default = args[2] if len(args) > 2 and not is_expr(args[2]) else UNKNOWN
            return self.setting(args[1], file, default)
        if name == "get_user_model":
            return self.registry.settings.for_file(file).auth_user_model
        if name == "get_model_name" and len(args) == 2 and all(isinstance(a, str) for a in args):
            return f"{args[0]}.{args[1]}"  # swapper: the default when the setting is unset
        return UNKNOWN

    def _snippet(self, source: str, mod: LoadedModule, file: str | None) -> Any:
        """A call written inline, e.g. ``getattr(settings, "X", 3)``: literal arguments only."""
        parsed = self._snippets.get(source, _NOT_YET)
        if parsed is _NOT_YET:
            # The same inline calls (``Decimal("0.00")``) recur in many modules: parsed once.
            parsed = self._snippets[source] = _call_snippet(source)
        if parsed is None:
            return self._folded(source, mod, file)
        func, args, keywords = parsed
        known = self._call(func, list(args), file)
        if known is UNKNOWN and not keywords:
            known = self._returned(func, list(args), mod, file)
        if known is UNKNOWN and func.rpartition(".")[2] in _FOLDED_CALLS:  # ``NAME.lower()``
            known = self._folded(source, mod, file)
        return known

    def _folded(self, source: str, mod: LoadedModule, file: str | None) -> Any:
        """``source`` computed from constants (``folding.fold``), its names read as a named
        argument is (``value``: a literal, a setting, or a computation a module-level name is
        bound to, ``_bound``)."""
        from djatlas.graph.folding import Unknown, fold

        if self._folding >= _MAX_FOLDING:  # (names bound to names bound to computations...)
            return UNKNOWN

        def name_value(dotted: str) -> Any:
            found = self.value(Arg({"$expr": dotted}, dotted), mod, file)
            if found is UNKNOWN or is_expr(found):
                raise Unknown
            return found

        self._folding += 1
        try:
            return fold(source, name_value)
        except Unknown:
            return UNKNOWN
        finally:
            self._folding -= 1

    def _expr_value(self, expr: Expr, mod: LoadedModule, file: str | None, depth: int) -> Any:
        """The value of a module-level binding's summarised expression: a computation folded,
        a list or tuple item by item (as a list), a name's value; else UNKNOWN."""
        kind = expr.kind
        if kind == "literal":
            return expr.value
        if kind == "none":
            return None
        if kind == "ref" and expr.ref:
            return self.value(Arg({"$expr": expr.ref}, expr.ref), mod, file)
        if kind == "other" and expr.source:
            return self._folded(expr.source, mod, file)
        if kind == "tuple" and expr.items is not None and depth < _MAX_FOLDING:
            out = [self._expr_value(item, mod, file, depth + 1) for item in expr.items]
            return UNKNOWN if any(v is UNKNOWN for v in out) else out
        return UNKNOWN

    def _bound(self, mod: LoadedModule, dotted: str, file: str | None) -> Any:
        """The value of a module-level name bound to a computation (``TABLE = PREFIX + "_t"``),
        in ``mod`` or the module it is imported from (``consts.TABLE`` too)."""
        head, _, rest = dotted.partition(".")
        if rest:
            value = self.index.resolve(mod, head)
            if not isinstance(value, ModuleValue) or "." in rest:
                return UNKNOWN
            target = self.index.module(value.name, mod.relpath)
            if target is None:
                return UNKNOWN
            return self._bound(target, rest, file)
        s = mod.summary
        if head in s.classes or head in s.functions:
            return UNKNOWN
        expr = s.assigns.get(head)
        if expr is not None:
            return self._expr_value(expr, mod, file, 0)
        ref = s.imports.get(head)
        if ref is None or ref.name is None:
            return UNKNOWN
        target = self.index.module(ref.module, mod.relpath)
        if target is None or target is mod:
            return UNKNOWN
        return self.value(Arg({"$expr": ref.name}, ref.name), target, file)

    def _returned(self, func: str, args: list[Any], mod: LoadedModule, file: str | None) -> Any:
        """What a function of the tree, the environment or the bundled knowledge returns when
        that is a literal or a known call (wagtail's ``get_image_model_string()`` returns
        ``getattr(settings, "WAGTAILIMAGES_IMAGE_MODEL", "wagtailimages.Image")``)."""
        value = self.index.resolve(mod, func)
        if not isinstance(value, FunctionValue):
            return UNKNOWN
        call = Call(func, [Arg(a) for a in args], {}, func)
        return self.of(self.index.returned_value(value, call, mod), file)

    def _is_settings(self, mod: LoadedModule, name: str) -> bool:
        ref = mod.summary.imports.get(name)
        return ref is not None and (ref.module, ref.name) in (("django.conf", "settings"),)


_ENUM_MODULES = ("enum.", "django.db.models.enums.")
#: The calls ``folding`` computes: str methods and the translation functions.
_FOLDED_CALLS = STR_METHODS | GETTEXT
#: How many computations are folded one inside another (a name bound to a computation of
#: names bound to computations...).
_MAX_FOLDING = 16


def class_attribute(index: ProjectIndex, cls: object, name: str) -> Any:
    """``Class.NAME`` when the first class of its MRO that defines NAME assigns it once, a
    literal, in its body. UNKNOWN for enums and Django's choices (their members are not the
    literal) and when a base is not read."""
    if not isinstance(cls, ClassValue):
        return UNKNOWN
    for c in index.mro(cls):
        if not isinstance(c, ClassValue) or c.summary is None:
            return UNKNOWN
        if c.path.startswith(_ENUM_MODULES):
            return UNKNOWN
    for c in index.mro(cls):
        s = c.summary
        found = [m for m in s.members if m.name == name]
        if len(found) == 1 and found[0].value.kind == "literal" and name not in s.methods:
            if name in s.attributes or name in s.nested:
                return UNKNOWN
            return found[0].value.value
        if found or name in s.attributes or name in s.methods:
            return UNKNOWN
    return UNKNOWN


def _call_snippet(source: str) -> tuple[str, tuple[Any, ...], bool] | None:
    """``(callee, arguments, has keywords)`` of a source that is one call, else None: the
    callee and the non-literal arguments as source text (``{"$expr": ...}``)."""
    found = _simple_call(source)
    # No call without a "(", nor without a ")" last (but for a comment or a backslash after)
    if found is None and "(" in source and (_ends_call(source) or "#" in source):
        found = _plain_call(source)
        if found is _NOT_PLAIN:
            found = _parsed_call(source)
    return found


def _ends_call(source: str) -> bool:
    return source.rstrip().endswith(")") or "\\" in source


def _parsed_call(source: str) -> tuple[str, tuple[Any, ...], bool] | None:
    """``_call_snippet``'s answer read by ``ast`` (imported here: a scan seldom needs it)."""
    import ast

    try:
        node = ast.parse(source, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(node, ast.Call):
        return None
    args = tuple(
        a.value if isinstance(a, ast.Constant) else {"$expr": ast.unparse(a)} for a in node.args
    )
    return ast.unparse(node.func), args, bool(node.keywords)


#: ``_plain_call``'s "not plain: ask ``ast``".
_NOT_PLAIN: Any = object()
#: A token of a plain call: a name, a one-quote str literal without prefix, backslash, line
#: end or NUL, a decimal int, or a bracket, comma, dot or ``=``; blanks before it.
_PLAIN_TOKEN = (
    r"[ \t\n]*(?:([A-Za-z_][0-9A-Za-z_]*)|(\"[^\"\\\r\n\x00]*\"|'[^'\\\r\n\x00]*')"
    r"|(0|[1-9][0-9]{0,17})(?![0-9])|([()\[\],.=]))"
)
_CONSTANT_NAMES = {"True": True, "False": False, "None": None}


def _plain_call(source: str):  # type: ignore[no-untyped-def]
    """``_call_snippet``'s answer for a call written with names, attributes, calls, tuples,
    lists, plain str literals and decimal ints only (``models.CharField("名称", max_length=64,
    validators=[MinLengthValidator(2)])``, ``_("Text {x}").format(x=X)``), read without ``ast``
    (whose import costs a process ~17M instructions, for the few such calls of a scan), as
    ``ast`` reads and ``ast.unparse`` writes them; ``_NOT_PLAIN`` for any other source."""
    if not source.isascii():
        try:
            source.encode()
        except UnicodeEncodeError:  # a lone surrogate: ``ast`` refuses the source
            return _NOT_PLAIN
    import re  # (loaded: ``re`` compiles the pattern once, on first use)

    if source[:1] in (" ", "\t", "\n"):  # (an indent, or a line before: ``ast`` says)
        return _NOT_PLAIN
    tokens: list[tuple[int, str]] = []
    pos, depth, match = 0, 0, re.compile(_PLAIN_TOKEN).match
    while pos < len(source):
        m = match(source, pos)
        if m is None:
            return _NOT_PLAIN if source[pos:].strip(" \t\n") else _plain_answer(tokens)
        kind = m.lastindex or 0
        text = m[kind]
        if not depth and source.find("\n", pos, m.start(kind)) >= 0:
            return _NOT_PLAIN  # a line end outside brackets
        if kind == 4:
            depth += 1 if text in "([" else -1 if text in ")]" else 0
        tokens.append((kind, text))
        pos = m.end()
    return _plain_answer(tokens)


def _plain_answer(tokens: list[tuple[int, str]]):  # type: ignore[no-untyped-def]
    """``_plain_call``'s answer from the source's tokens (kind: 1 name, 2 str, 3 int, 4 mark)."""
    try:
        node, at = _PlainParser(tokens).primary(0)
        if at != len(tokens) or node[0] != "call":
            return _NOT_PLAIN if at != len(tokens) else None
        _, func, args, keywords = node
        return (
            _unparse(func),
            tuple(a[1] if a[0] == "const" else {"$expr": _unparse(a)} for a in args),
            keywords,
        )
    except _NotPlain:
        return _NOT_PLAIN


class _NotPlain(Exception):
    """A source ``_PlainParser`` leaves to ``ast``."""


class _PlainParser:
    """Recursive descent over ``_plain_call``'s tokens; nodes are tuples: ``("name", text)``,
    ``("const", value, text)``, ``("attr", node, name)``, ``("call", func, args, has
    keywords)``, ``("tuple", items)``, ``("list", items)``."""

    def __init__(self, tokens: list[tuple[int, str]]) -> None:
        self.tokens = tokens

    def mark(self, at: int) -> str:
        return self.tokens[at][1] if at < len(self.tokens) and self.tokens[at][0] == 4 else ""

    def primary(self, at: int) -> tuple[Any, int]:
        node, at = self.atom(at)
        while True:
            mark = self.mark(at)
            if mark == "." and node[0] != "const" or mark == "." and isinstance(node[1], str):
                if at + 1 >= len(self.tokens) or self.tokens[at + 1][0] != 1:
                    raise _NotPlain
                node, at = ("attr", node, self.name(self.tokens[at + 1][1])), at + 2
            elif mark == "(" and node[0] != "const":
                args, keywords, at = self.arguments(at + 1)
                node = ("call", node, args, keywords)
            else:
                return node, at

    def name(self, text: str) -> str:
        if iskeyword(text):
            raise _NotPlain
        return text

    def atom(self, at: int) -> tuple[Any, int]:
        if at >= len(self.tokens):
            raise _NotPlain
        kind, text = self.tokens[at]
        if kind == 1:
            if text in _CONSTANT_NAMES:
                return ("const", _CONSTANT_NAMES[text], text), at + 1
            return ("name", self.name(text)), at + 1
        if kind == 2:
            return ("const", text[1:-1], text), at + 1
        if kind == 3:
            return ("const", int(text), text), at + 1
        if text == "(" or text == "[":
            items, comma, at = self.items(at + 1, ")" if text == "(" else "]")
            if text == "[":
                return ("list", items), at
            return (items[0] if len(items) == 1 and not comma else ("tuple", items)), at
        raise _NotPlain

    def items(self, at: int, close: str) -> tuple[list, bool, int]:
        """The items up to ``close`` (whether a comma follows the last one), after it."""
        items: list = []
        comma = False
        while self.mark(at) != close:
            node, at = self.primary(at)
            items.append(node)
            comma = self.mark(at) == ","
            if comma:
                at += 1
            elif self.mark(at) != close:
                raise _NotPlain
        return items, comma, at + 1

    def arguments(self, at: int) -> tuple[list, bool, int]:
        """A call's positional arguments and whether it has keywords, after its ``)``."""
        args: list = []
        keywords: set[str] = set()
        while self.mark(at) != ")":
            if at >= len(self.tokens):
                raise _NotPlain
            if self.tokens[at][0] == 1 and self.mark(at + 1) == "=":
                keyword = self.name(self.tokens[at][1])
                if keyword in keywords or keyword in _CONSTANT_NAMES:
                    raise _NotPlain
                keywords.add(keyword)
                _, at = self.primary(at + 2)
            elif keywords:  # a positional argument after a keyword one
                raise _NotPlain
            else:
                node, at = self.primary(at)
                args.append(node)
            if self.mark(at) == ",":
                at += 1
            elif self.mark(at) != ")":
                raise _NotPlain
        return args, bool(keywords), at + 1


def _unparse(node: tuple) -> str:
    """``ast.unparse`` of a ``_PlainParser`` node (a str constant only when written as
    ``repr`` writes it: printable, no ``'`` or backslash; else ``_NotPlain``)."""
    kind = node[0]
    if kind == "name":
        return node[1]
    if kind == "const":
        value = node[1]
        if isinstance(value, str) and not (value.isprintable() and "'" not in value):
            raise _NotPlain  # (no backslash: the token has none)
        return repr(value)
    if kind == "attr":
        return f"{_unparse(node[1])}.{node[2]}"
    if kind == "call":
        if node[3]:
            raise _NotPlain  # (keywords are not kept)
        return f"{_unparse(node[1])}({', '.join(map(_unparse, node[2]))})"
    inner = ", ".join(map(_unparse, node[1]))
    if kind == "list":
        return f"[{inner}]"
    return f"({inner},)" if len(node[1]) == 1 else f"({inner})"


def _simple_call(source: str) -> tuple[str, tuple[Any, ...], bool] | None:
    """``_call_snippet``'s answer for the usual inline call, ``Status.get_choices()`` or
    ``make_choices(Status)``, read without ``ast`` (a parse and two unparses, for each of
    dozens of such calls a scan): the callee and each argument are ASCII dotted names written
    as ``ast.unparse`` writes them (arguments separated by ``", "``), none a keyword. None for
    anything else (``ast`` reads it)."""
    if not (source.endswith(")") and source.isascii()):
        return None
    callee, _, inner = source[:-1].partition("(")
    args = inner.split(", ") if inner else []
    if not _dotted(callee) or not all(_dotted(a) for a in args):
        return None
    return callee, tuple({"$expr": a} for a in args), False


def _dotted(text: str) -> bool:
    """Whether ``text`` is a dotted name ``ast`` reads as names and attributes (an ASCII
    identifier that is no keyword, ``True`` or ``None`` included, between the dots)."""
    return all(part.isidentifier() and not iskeyword(part) for part in text.split("."))


def is_expr(value: Any) -> bool:
    """``{"$expr": source}``: an argument that is not a literal (asked for every argument, so
    without building a set of the keys)."""
    return isinstance(value, dict) and len(value) == 1 and "$expr" in value
