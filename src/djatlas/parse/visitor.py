"""Walk one module's tree-sitter tree once and produce its ModuleSummary.

Only what resolution needs is visited: top-level statements (through ``if``/``try``/``with``),
class bodies, and the statements of top-level functions and of ``__init__`` methods; never the
inside of other methods. Children are read by position (field lookups cost more), kinds as
``KINDS[node.kind_id]`` (cheaper than ``Node.type``) and text is sliced from the source bytes.
Statements still holding a syntax error are skipped.
"""

from __future__ import annotations

import re

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
from djatlas.parse.values import (
    DOTTED,
    GETTEXT,
    KINDS,
    MAX_SOURCE,
    NAMES,
    PLAIN,
    PUNCTUATION,
    call_value,
    check_chain,
    dotted,
    ident,
    items,
    literal,
    name_of,
    number,
    one_line,
    operands,
    plain_chain,
    segment,
    source_value,
    string_and_segment,
    string_value,
    unwrap,
)
from djatlas.rx import possessive

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from djatlas.parse.summary import Value
    from djatlas.parse.values import Node

__all__ = ["GETTEXT", "SETTINGS_NAMES", "summarize"]

#: Module-level settings read statically.
SETTINGS_NAMES = frozenset({"INSTALLED_APPS", "DEFAULT_AUTO_FIELD", "AUTH_USER_MODEL"})
#: Packages whose module-level calls (and class decorators) a summary keeps (``registrations``).
_REGISTERING = frozenset({"simple_history", "modeltranslation"})
_IMPORTS = frozenset({"import_statement", "import_from_statement", "future_import_statement"})
_CLAUSES = frozenset({"except_clause", "except_group_clause"})
#: Values ``expr`` summarises as Expr("tuple").
_SEQUENCES = frozenset({"tuple", "list", "expression_list"})
#: Kinds of ``Expr`` a class body keeps as a member (the others only name an attribute).
_MEMBERS = frozenset({"call", "none", "ref", "literal"})
#: A value of fewer nodes cannot hold an operator chain ``check_chain`` refuses (2,000 nodes)
#: nor nest deep enough (3 nodes a level) for a RecursionError: not summarising it changes no
#: outcome.
_SMALL = 600


def _unused(sequence: Node) -> bool:
    """Whether summarising the tuple or list ``sequence`` changes no outcome (see ``_SMALL``):
    it is small, or each of its items is and it adds one level (a long table of choices)."""
    if sequence.descendant_count < _SMALL:
        return True
    return all(item.descendant_count < _SMALL - 3 for item in items(sequence))


def _adds_private(src: bytes, start: int, end: int) -> bool:
    """Whether a ``contribute_to_class`` (its source ``src[start:end]``) registers the object
    as a private field: ``cls._meta.add_field(self, private=True)``."""
    at = src.find(b"add_field(", start, end)
    return at >= 0 and src.find(b"private=True", at, end) >= 0


def statements(block: Node | None) -> list[Node]:
    """The statements of a block or module, decorators unwrapped (comments stay in)."""
    if block is None:
        return []
    return [
        stmt.children[-1] if KINDS[stmt.kind_id] == "decorated_definition" else stmt
        for stmt in block.children
    ]


def _block(node: Node) -> Node | None:
    """The block of a compound statement or clause (its last child but comments)."""
    for child in reversed(node.children):
        kind = KINDS[child.kind_id]
        if kind == "block":
            return child
        if kind != "comment":
            return None
    return None


def _single(stmt: Node) -> Node | None:
    """The one expression of an expression statement."""
    children = stmt.children
    return children[0] if len(children) == 1 else None


def _targets(assign: Node) -> tuple[list[Node], Node | None, bool]:
    """``a = b = v`` → ([a, b], v, annotated)."""
    children = assign.children
    if len(children) == 3:  # ``a = v`` (most): no chain to follow
        right = children[2]
        if KINDS[children[1].kind_id] == "=" and KINDS[right.kind_id] != "assignment":
            return [children[0]], right, False
    targets: list[Node] = []
    annotated = False
    while True:
        children = assign.children
        targets.append(children[0])
        if len(children) < 3:
            return targets, None, annotated
        if KINDS[children[1].kind_id] == ":":
            annotated = True
            right = children[4] if len(children) > 4 else None
        else:
            right = children[2]
        if right is not None and KINDS[right.kind_id] == "assignment":
            assign = right
            continue
        return targets, right, annotated


def _class_parts(node: Node) -> tuple[Node, Node | None, Node | None]:
    """(name, bases argument list, body) of a class definition."""
    children = node.children
    bases = None
    for child in children[2:4]:
        if KINDS[child.kind_id] == "argument_list":
            bases = child
    return children[1], bases, _block(node)


def _function_parts(node: Node) -> tuple[Node, Node | None, Node | None, Node | None]:
    """(name, parameters, return annotation, body) of a function definition."""
    children = node.children
    first = 2 if KINDS[children[0].kind_id] == "async" else 1
    name = children[first]
    params = returns = None
    for i in range(first + 1, len(children)):
        kind = KINDS[children[i].kind_id]
        if kind == "parameters":
            params = children[i]
        elif kind == "->" and i + 1 < len(children):
            returns = children[i + 1]
            break
        elif kind == ":":
            break
    return name, params, returns, _block(node)


def _arguments(call: Node) -> tuple[list[Node], list[tuple[Node | None, Node]]]:
    """Positional arguments (starred included) and ``(name or None for **, value)`` keywords."""
    args_node = call.children[-1]
    args: list[Node] = []
    kwargs: list[tuple[Node | None, Node]] = []
    if KINDS[args_node.kind_id] != "argument_list":  # f(x for x in y)
        return ([args_node] if KINDS[args_node.kind_id] == "generator_expression" else []), kwargs
    for child in args_node.named_children:  # no brackets nor commas (``items``)
        kind = KINDS[child.kind_id]
        if kind == "comment":
            continue
        if kind == "keyword_argument":
            parts = child.named_children
            kwargs.append((parts[0], parts[-1]))
        elif kind == "dictionary_splat":
            kwargs.append((None, child.children[-1]))
        else:
            args.append(child)
    return args, kwargs


def _params(src: bytes, params: Node | None) -> tuple[list[str], str | None]:
    """Names of the parameters that can be passed positionally, and the ``**kwargs`` name."""
    names: list[str] = []
    kwarg: str | None = None
    positional = True
    if params is None:
        return names, kwarg
    for p in params.children:
        kind = KINDS[p.kind_id]
        if kind in ("typed_parameter", "typed_default_parameter", "default_parameter"):
            first = p.children[0]
            kind = KINDS[first.kind_id]
            if kind == "identifier":
                if positional:
                    names.append(ident(src, first))
                continue
            p = first
        if kind == "identifier":
            if positional:
                names.append(ident(src, p))
        elif kind in ("list_splat_pattern", "keyword_separator"):
            positional = False
        elif kind == "dictionary_splat_pattern":
            kwarg = next(
                (ident(src, c) for c in p.children if KINDS[c.kind_id] == "identifier"), None
            )
    return names, kwarg


def _small(node: Node) -> bool:
    """Whether ``node`` has too few nodes to hold an operator chain ``literal`` refuses or to
    nest deep enough for a RecursionError (``_SMALL``)."""
    return node.descendant_count < _SMALL


class _Visitor:
    #: Whether a module constant's settings value waits until a setting reads it: the value is
    #: kept while the module is summarised for a setting that names the constant
    #: (``INSTALLED_APPS = BASE_APPS + [...]``), and few ever are. A call's value (its gettext
    #: string or its source) or a ``_small`` dict's does not depend on the constants before
    #: it, nor can computing it fail: the constant's node stands for it in ``env`` (a Node is
    #: never a value) and only ``_settings_value`` of a name computes it; elsewhere
    #: (``_concat``, ``_list_mutation``) any value that is not a list acts the same.
    #: blueking-paas's 5 settings modules bind 557 constants, 331 of them calls
    #: (``settings.get("X", ...)``), and none is read (settings load 132.8M -> 123.1M
    #: instructions; the test for a settings name first, and ``unwrap`` and ``_small`` called
    #: only when needed: -> 122.5M). The tests compare summaries made with and without.
    lazy = True
    #: The tree-sitter Node type (``summarize`` sets it).
    node_type: type | None = None

    def __init__(self, src: bytes, module: str, is_package: bool, broken: bool) -> None:
        self.src = src
        #: The tree still holds errors: skip the statements that have one.
        self.broken = broken
        self._kwargs: str | None = None
        self.module = module
        self.is_package = is_package

    # -- values ---------------------------------------------------------------------------
    def arg(self, node: Node) -> Arg:
        """``Arg(literal(node), dotted(node))``, the frequent kinds first (a field's arguments
        are mostly strings, booleans, calls and names)."""
        src = self.src
        kind = KINDS[node.kind_id]
        if kind == "parenthesized_expression":
            node = unwrap(node)
            kind = KINDS[node.kind_id]
        if kind == "string":
            start, end = node.start_byte, node.end_byte
            if PLAIN.fullmatch(src, start, end) is not None:  # ``string_value``'s first case
                return Arg(src[start + 1 : end - 1].decode("utf-8", "replace"))
            value = string_value(src, node)
            return Arg(value if value is not None else {"$expr": segment(src, node)})
        if kind == "true":
            return Arg(True)
        if kind == "false":
            return Arg(False)
        if kind == "call":
            func = dotted(src, node.children[0])
            return Arg(call_value(src, node, func), None, func)
        if kind == "identifier":
            raw = src[node.start_byte : node.end_byte]
            if raw.isascii() and len(raw) <= MAX_SOURCE:  # its segment: the same text
                name = name_of(raw)
                return Arg({"$expr": name}, name)
            return Arg({"$expr": segment(src, node)}, ident(src, node))
        if kind == "attribute":
            name = DOTTED.get(src[node.start_byte : node.end_byte])
            if name is not None and len(name) <= MAX_SOURCE:
                # A plain chain read before (``models.CASCADE``): its segment is its text.
                return Arg({"$expr": name}, name)
            return Arg({"$expr": segment(src, node)}, dotted(src, node))
        if kind == "integer":
            value = number(src, node)  # ``literal``'s; not a name
            if value is not None:
                return Arg(value)
        return Arg(literal(src, node), dotted(src, node))

    def expr(self, node: Node | None) -> Expr:
        if node is None:
            return Expr("other")
        src = self.src
        kind = KINDS[node.kind_id]
        if kind == "parenthesized_expression":
            node = unwrap(node)
            kind = KINDS[node.kind_id]
        if kind == "identifier" or kind == "attribute":
            ref = dotted(src, node)
            if ref is not None:
                return Expr("ref", ref=ref, source=ref)
        elif kind == "call":
            children = node.children
            func = dotted(src, children[0])
            if func is not None:
                args, kwargs = self.call_arguments(children[-1])
                return Expr("call", None, Call(func, args, kwargs, func), None, func)
        elif kind == "string":
            value, source = string_and_segment(src, node)
            if value is not None:
                return Expr("literal", None, None, None, source, value)
        elif kind in ("concatenated_string", "integer", "true", "false"):
            value = _constant(src, node)
            if value is not None:
                return Expr("literal", value=value, source=segment(src, node))
        elif kind == "none":
            return Expr("none", source="None")
        elif kind == "boolean_operator":
            check_chain(node)
            _, op, last = operands(node)
            if op == "or":
                value = _constant(src, unwrap(last))
                if value is not None:
                    # ``app_settings.X or "default"``: what an unset setting gives.
                    return Expr("literal", value=value, source=segment(src, node))
        elif kind in ("tuple", "list", "expression_list"):
            return Expr("tuple", items=[self.expr(e) for e in items(node)])
        elif kind == "subscript":
            children = node.children
            base = dotted(src, children[0])
            if base and base.rsplit(".", 1)[-1] in ("Type", "type"):
                keys = [c for c in children[1:] if KINDS[c.kind_id] not in PUNCTUATION]
                inner = dotted(src, keys[0]) if len(keys) == 1 else None
                if inner:
                    return Expr("type_of", ref=inner, source=segment(src, node))
        elif kind == "binary_operator":
            check_chain(node)
        return Expr("other", source=segment(src, node))

    def call_arguments(self, args_node: Node) -> tuple[list[Arg], dict[str, Arg]]:
        """A call's positional arguments and keywords (``**`` for a ``**splat``), in one pass
        over its argument list (``_arguments`` order: positional and keywords apart)."""
        src = self.src
        args: list[Arg] = []
        kwargs: dict[str, Arg] = {}
        if KINDS[args_node.kind_id] != "argument_list":  # f(x for x in y)
            if KINDS[args_node.kind_id] == "generator_expression":
                args.append(self.arg(args_node))
            return args, kwargs
        arg = self.arg
        for child in args_node.named_children:  # no brackets nor commas (``items``)
            kind = KINDS[child.kind_id]
            if kind == "keyword_argument":
                parts = child.children  # [name, "=", value]: the list the node keeps
                key = parts[0]
                raw = src[key.start_byte : key.end_byte]  # ``ident``, inline
                name = NAMES.get(raw)
                kwargs[name if name is not None else name_of(raw)] = arg(parts[-1])
            elif kind == "comment":
                continue
            elif kind == "dictionary_splat":
                kwargs["**"] = self.arg(child.children[-1])
            elif kind == "list_splat":
                args.append(Arg({"$expr": segment(src, child)}))
            else:
                args.append(arg(child))
        return args, kwargs

    def annotation(self, node: Node) -> Expr:
        """A return annotation (tree-sitter reads it as a type; Python's AST as an expr)."""
        src = self.src
        inner = [c for c in node.children if KINDS[c.kind_id] != "comment"]
        if KINDS[node.kind_id] == "type" and len(inner) == 1:
            node = inner[0]
        if KINDS[node.kind_id] == "generic_type":
            children = node.children
            name = dotted(src, children[0])
            args = [c for c in children[-1].children if KINDS[c.kind_id] not in PUNCTUATION]
            if name and name.rsplit(".", 1)[-1] in ("Type", "type") and len(args) == 1:
                arg = args[0].children
                ref = (
                    dotted(src, arg[0])
                    if KINDS[args[0].kind_id] == "type" and len(arg) == 1
                    else None
                )
                if ref:
                    return Expr("type_of", ref=ref, source=segment(src, node))
            return Expr("other", source=segment(src, node))
        if KINDS[node.kind_id] in ("member_type", "union_type", "constrained_type", "splat_type"):
            return Expr("other", source=segment(src, node))
        return self.expr(node)

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

    def imports(self, node: Node, summary: ModuleSummary) -> None:
        src = self.src
        children = node.children
        kind = KINDS[node.kind_id]
        if kind == "import_statement":
            for name in children[1:]:
                if KINDS[name.kind_id] == "aliased_import":
                    parts = name.children
                    summary.imports[ident(src, parts[-1])] = ImportRef(_dotted_name(src, parts[0]))
                elif KINDS[name.kind_id] == "dotted_name":
                    top = _dotted_name(src, name).split(".", 1)[0]
                    summary.imports[top] = ImportRef(top)
            return
        if kind == "future_import_statement":
            base: str | None = "__future__"
        else:
            module_node = children[1]
            if KINDS[module_node.kind_id] == "relative_import":
                level = 0
                module: str | None = None
                for part in module_node.children:
                    if KINDS[part.kind_id] == "import_prefix":
                        level = src[part.start_byte : part.end_byte].count(b".")
                    elif KINDS[part.kind_id] == "dotted_name":
                        module = _dotted_name(src, part)
                base = self.absolute(module, level)
            elif KINDS[module_node.kind_id] == "dotted_name":
                base = _dotted_name(src, module_node)
            else:
                return
        if base is None:
            return
        seen_import = False
        for name in children[2:]:
            kind = KINDS[name.kind_id]
            if kind == "import":
                seen_import = True
            elif not seen_import:
                continue
            elif kind == "wildcard_import":
                if base not in summary.star_imports:
                    summary.star_imports.append(base)
                    summary.star_at.append(len(summary.imports))
            elif kind == "aliased_import":
                parts = name.children
                summary.imports[ident(src, parts[-1])] = ImportRef(
                    base, _dotted_name(src, parts[0])
                )
            elif kind == "dotted_name":
                value = _dotted_name(src, name)
                summary.imports[value] = ImportRef(base, value)

    # -- classes --------------------------------------------------------------------------
    def class_summary(self, node: Node) -> ClassSummary:
        name, bases, body = _class_parts(node)
        stmts = statements(body)
        cls = ClassSummary(
            name=ident(self.src, name),
            line=node.start_point[0] + 1,
            bases=[self.expr(_generic_origin(b)) for b in _positional(bases)],
            docstring=_docstring(self.src, stmts),
        )
        self._class_body(stmts, cls)
        cls.methods.sort()
        return cls

    def _class_body(self, stmts: list[Node], cls: ClassSummary) -> None:
        src = self.src
        broken = self.broken
        for stmt in stmts:
            kind = KINDS[stmt.kind_id]
            if kind == "comment" or (broken and stmt.has_error):
                continue
            if kind == "expression_statement":
                end = stmt.end_byte
                last = src[end - 1]  # a quote: maybe ``NAME = "text"``
                if last == 41:  # ``)``: maybe ``name = models.CharField(...)``
                    field = _plain_field(src, stmt.start_byte, end)
                    if field is not None:
                        cls.members.append(Member(field[0], stmt.start_point[0] + 1, field[1]))
                        if field[0] in SETTINGS_NAMES:  # (a call: not known statically)
                            cls.settings[field[0]] = {"$expr": field[1].source}
                        continue
                plain = (
                    (_NAMED_STRING or _named_string()).fullmatch(src, stmt.start_byte, end)
                    if last == 34 or last == 39
                    else None
                )
                if plain is not None and plain[1] not in _RESERVED:
                    # ``STATUS_ACTIVE = "active"``: the nodes' case below, from the source.
                    name = NAMES.get(plain[1]) or name_of(plain[1])
                    value = _plain_literal(plain[2])
                    cls.members.append(Member(name, stmt.start_point[0] + 1, value))
                    if name in SETTINGS_NAMES:  # (as below)
                        cls.settings[name] = value.value
                    continue
                children = stmt.children
                assign = children[0]
                if len(children) != 1 or KINDS[assign.kind_id] != "assignment":
                    continue
                targets, value, _ = _targets(assign)
                if value is None:
                    continue
                setting = ident(src, targets[0]) if len(targets) == 1 else None
                if setting in SETTINGS_NAMES:  # class-based settings (django-configurations)
                    cls.settings[setting] = _class_setting(src, value, setting)
                if KINDS[value.kind_id] in _SEQUENCES and _unused(value):
                    listed = self._names_member(targets, value, stmt)
                    if listed is not None:
                        cls.members.append(listed)
                        continue
                    # Its Expr("tuple") would only make the names plain attributes (choices).
                    for target in targets:
                        if KINDS[target.kind_id] == "identifier":
                            cls.attributes.append(ident(src, target))
                    continue
                line = stmt.start_point[0] + 1
                summarized = self.expr(value)
                # A member, or (a tuple, an operation...) only an attribute name.
                member = summarized.kind in _MEMBERS
                for target in targets:
                    if KINDS[target.kind_id] == "identifier":
                        if member:
                            cls.members.append(Member(ident(src, target), line, summarized))
                        else:
                            cls.attributes.append(ident(src, target))
            elif kind == "function_definition":
                method = ident(src, stmt.child_by_field_name("name"))  # one node, not all
                cls.methods.append(method)
                if src.find(b"super(", stmt.start_byte, stmt.end_byte) >= 0:
                    cls.super_calls.append(method)
                if method == "ready" and src.find(b"register", stmt.start_byte, stmt.end_byte) >= 0:
                    self._ready(statements(_function_parts(stmt)[3]), cls)
                if method == "contribute_to_class":
                    cls.private = _adds_private(src, stmt.start_byte, stmt.end_byte)
                    cls.adds_fields = (
                        src.find(b"add_to_class(", stmt.start_byte, stmt.end_byte) >= 0
                    )
                if method == "__init__":
                    _, params, _, body = _function_parts(stmt)
                    positional, kw = _params(src, params)
                    cls.init_params = positional[1:]
                    self._init_kwargs(statements(body), kw, cls, _param_defaults(src, params))
            elif kind == "class_definition":
                name = ident(src, stmt.children[1])
                if name == "Meta":
                    cls.meta = self.meta(stmt)
                else:
                    cls.attributes.append(name)
                    if _positional(_class_parts(stmt)[1]):
                        cls.nested[name] = self.class_summary(stmt)
            elif kind == "if_statement":
                for block in _live_blocks(src, stmt):
                    self._class_body(statements(block), cls)
            elif kind == "try_statement" and not _is_try_star(stmt):
                self._class_body(statements(_try_blocks(stmt)[0]), cls)

    def _ready(self, stmts: list[Node], cls: ClassSummary) -> None:
        """An AppConfig's ``ready``: its imports and its calls (through ``if``/``try``/``with``)."""
        scratch = ModuleSummary(self.module, "", self.is_package)
        for stmt in stmts:
            kind = KINDS[stmt.kind_id]
            if kind in _IMPORTS:
                self.imports(stmt, scratch)
            elif kind == "expression_statement":
                call = unwrap(stmt.children[0])
                func = dotted(self.src, call.children[0]) if KINDS[call.kind_id] == "call" else None
                if func is not None:
                    line = call.start_point[0] + 1
                    cls.ready_calls.append(Member(func, line, self.expr(call)))  # type: ignore[arg-type]
            elif kind in ("if_statement", "with_statement", "try_statement"):
                for block in stmt.children:
                    if KINDS[block.kind_id] == "block":
                        self._ready(statements(block), cls)
        cls.ready_imports.update(scratch.imports)

    def _init_kwargs(
        self, stmts: list[Node], kw: str | None, cls: ClassSummary, defaults: dict[str, Node]
    ) -> None:
        """Keyword arguments a field class's ``__init__`` forces or defaults: ``kwargs[k] =``,
        ``kwargs.setdefault(k, ...)``, and the keywords of its base class's ``__init__`` call
        (``super().__init__(k=v)``, ``Base.__init__(self, k=v)``); one that passes on a
        parameter of the same name (``max_length=max_length``) defaults to the parameter's
        default (``defaults``); a local dict literal splatted into that call forces its keys,
        or defaults them once ``kwargs`` updated it (djstripe: ``defaults = {...};
        defaults.update(kwargs); super().__init__(*args, **defaults)``)."""
        src = self.src
        local: dict[str, list] = {}  # name -> [dict literal's {key: value node}, updated]
        for stmt in stmts:
            if KINDS[stmt.kind_id] != "expression_statement" or (self.broken and stmt.has_error):
                continue
            inner = _single(stmt)
            if inner is None:
                continue
            if KINDS[inner.kind_id] == "assignment":
                targets, value, annotated = _targets(inner)
                if kw and len(targets) == 1 and not annotated and value is not None:
                    key = _subscript_key(src, targets[0], kw)
                    if key is not None:
                        cls.init_sets[key] = self.arg(value)
                    elif KINDS[targets[0].kind_id] == "identifier":
                        items = _dict_items(src, value)
                        if items is not None:
                            local[ident(src, targets[0])] = [items, False]
                continue
            call = unwrap(inner)
            if KINDS[call.kind_id] != "call":
                continue
            default = _setdefault(src, call, kw)
            if default is not None:
                cls.init_defaults.setdefault(default[0], self.arg(default[1]))
            elif _is_base_init(src, call):
                self._base_init(call, cls, defaults, local)
            else:
                updated = _updated_by(src, call, kw)
                if updated in local:
                    local[updated][1] = True

    def _base_init(
        self, call: Node, cls: ClassSummary, defaults: dict[str, Node], local: dict[str, list]
    ) -> None:
        """The keywords of the base class's ``__init__`` call (``_init_kwargs``)."""
        src = self.src
        for name, value in _arguments(call)[1]:
            if name is None:  # ``**defaults``: a local dict literal
                found = (
                    local.get(ident(src, value)) if KINDS[value.kind_id] == "identifier" else None
                )
                for key, item in (found[0] if found else {}).items():
                    if found[1]:
                        cls.init_defaults.setdefault(key, self.arg(item))
                    else:
                        cls.init_sets[key] = self.arg(item)
                continue
            key = ident(src, name)
            passed = defaults.get(key)
            named = KINDS[value.kind_id] == "identifier" and ident(src, value) == key
            if passed is not None and named:  # ``max_length=max_length``
                cls.init_defaults.setdefault(key, self.arg(passed))
            else:
                cls.init_sets[key] = self.arg(value)

    def meta(self, node: Node) -> MetaSummary:
        src = self.src
        _, bases, body = _class_parts(node)
        meta = MetaSummary(line=node.start_point[0] + 1, bases=[], options={})
        meta.bases = [d for d in (dotted(src, b) for b in _positional(bases)) if d]
        for stmt in statements(body):
            if KINDS[stmt.kind_id] != "expression_statement" or (self.broken and stmt.has_error):
                continue
            assign = _single(stmt)
            if assign is None or KINDS[assign.kind_id] != "assignment":
                continue
            targets, value, _ = _targets(assign)
            if value is None:
                continue
            for target in targets:
                if KINDS[target.kind_id] == "identifier":
                    name = ident(src, target)
                    meta.options[name] = literal(src, value)
                    ref = dotted(src, value)
                    if ref:
                        meta.refs[name] = ref
        return meta

    # -- functions ------------------------------------------------------------------------
    def function_summary(self, node: Node) -> FunctionSummary:
        name, params, returns, body = _function_parts(node)
        positional, kwarg = _params(self.src, params)
        fn = FunctionSummary(
            name=ident(self.src, name),
            line=node.start_point[0] + 1,
            params=positional,
            returns=[],
            annotation=self.annotation(returns) if returns is not None else None,
        )
        self._kwargs = kwarg
        self._function_body(statements(body), fn)
        return fn

    def _function_body(self, stmts: list[Node], fn: FunctionSummary) -> None:
        src = self.src
        for stmt in stmts:
            kind = KINDS[stmt.kind_id]
            if kind == "comment" or (self.broken and stmt.has_error):
                continue
            if kind == "return_statement":
                values = [c for c in stmt.children[1:] if KINDS[c.kind_id] != "comment"]
                if values:
                    fn.returns.append(self.expr(values[0]))
            elif kind == "expression_statement":
                inner = _single(stmt)
                if inner is None:
                    continue
                if KINDS[inner.kind_id] == "assignment":
                    targets, value, annotated = _targets(inner)
                    if value is None or len(targets) != 1:
                        continue
                    target = targets[0]
                    if KINDS[target.kind_id] == "identifier":
                        fn.locals[ident(src, target)] = self.expr(value)
                    elif not annotated:
                        key = _subscript_key(src, target, self._kwargs)
                        if key is not None:
                            fn.kwarg_defaults[key] = self.arg(value)
                    continue
                call = unwrap(inner)
                default = (
                    _setdefault(src, call, self._kwargs) if KINDS[call.kind_id] == "call" else None
                )
                if default is not None:
                    fn.kwarg_defaults.setdefault(default[0], self.arg(default[1]))
            elif kind == "class_definition":
                fn.classes[ident(src, stmt.children[1])] = self.class_summary(stmt)
            elif kind == "if_statement":
                for block in _live_blocks(self.src, stmt):
                    self._function_body(statements(block), fn)
            elif kind == "while_statement" or (kind == "for_statement" and not _is_async(stmt)):
                for child in stmt.children:
                    if KINDS[child.kind_id] == "block":
                        self._function_body(statements(child), fn)
                    elif KINDS[child.kind_id] == "else_clause":
                        self._function_body(statements(_block(child)), fn)
            elif kind == "with_statement":
                self._function_body(statements(_block(stmt)), fn)
            elif kind == "try_statement" and not _is_try_star(stmt):
                body, handlers, orelse, final = _try_blocks(stmt)
                for block in (body, orelse, final, *handlers):
                    self._function_body(statements(block), fn)

    # -- module ---------------------------------------------------------------------------
    def module_body(self, stmts: list[Node], summary: ModuleSummary, env: dict) -> None:
        src = self.src
        for stmt in stmts:
            kind = KINDS[stmt.kind_id]
            if kind == "comment" or (self.broken and stmt.has_error):
                continue
            if kind == "expression_statement":
                self._module_expression(stmt, summary, env)
            elif kind in _IMPORTS:
                self.imports(stmt, summary)
            elif kind == "class_definition":
                name = ident(src, stmt.children[1])
                summary.classes[name] = self.class_summary(stmt)
                summary.assigns.pop(name, None)
                before = stmt.prev_sibling
                if before is not None and KINDS[before.kind_id] == "decorator":
                    self._decorators(before, name, summary)
            elif kind == "function_definition":
                fn = self.function_summary(stmt)
                summary.functions[fn.name] = fn
            elif kind == "if_statement":
                for block in _if_blocks(stmt):
                    self.module_body(statements(block), summary, env)
            elif kind == "try_statement":
                body, handlers, orelse, final = _try_blocks(stmt)
                for block in (body, orelse, final):
                    self.module_body(statements(block), summary, env)
                # ``except ImportError:`` fallbacks only bind names the try body did not.
                for handler in handlers:
                    fallback = ModuleSummary(summary.module, summary.path, summary.is_package)
                    self.module_body(statements(handler), fallback, dict(env))
                    _merge_missing(summary, fallback)
            elif kind == "with_statement":
                self.module_body(statements(_block(stmt)), summary, env)

    def _module_expression(self, stmt: Node, summary: ModuleSummary, env: dict) -> None:
        inner = _single(stmt)
        if inner is None:
            return
        kind = KINDS[inner.kind_id]
        if kind == "assignment":
            targets, value, _ = _targets(inner)
            if value is not None:
                for target in targets:
                    self._module_assign(target, value, summary, env)
        elif kind == "augmented_assignment":
            target, op, value = operands(inner)
            if KINDS[target.kind_id] != "identifier":
                return
            name = ident(self.src, target)
            if op == "+=":
                _extends(name, env, summary)
                if name in env:
                    added = (
                        self._setting_parts(value, env)
                        if name in SETTINGS_NAMES
                        else self._settings_value(value, env)
                    )
                    env[name] = _concat(env[name], added)
                    self._record_setting(name, env, summary)
        else:
            call = unwrap(inner)
            if KINDS[call.kind_id] == "call":
                self._list_mutation(call, summary, env)
                self._registration(call, summary)

    def _module_assign(self, target: Node, value: Node, summary: ModuleSummary, env: dict) -> None:
        if KINDS[target.kind_id] != "identifier":
            return
        name = ident(self.src, target)
        if name == "__all__":
            names = literal(self.src, value)
            if isinstance(names, list) and all(isinstance(n, str) for n in names):
                summary.all_names = names
            return
        if not name.isupper():  # (every settings name is upper case)
            summary.assigns[name] = self.expr(value)
        elif name in SETTINGS_NAMES:
            parts = self._setting_parts(value, env)  # names of other modules' values?
            summary.assigns[name], env[name] = self._expr_and_setting(value, env)
            if isinstance(parts, dict) and ("$concat" in parts or "$name" in parts):
                env[name] = parts
            summary.settings[name] = env[name]  # ``_record_setting``
        else:
            node = unwrap(value) if KINDS[value.kind_id] == "parenthesized_expression" else value
            kind = KINDS[node.kind_id]
            if self.lazy and (kind == "call" or kind == "dictionary" and _small(node)):
                summary.assigns[name], env[name] = self.expr(node), node
            else:
                summary.assigns[name], env[name] = self._expr_and_setting(node, env)
        summary.classes.pop(name, None)
        summary.functions.pop(name, None)

    def _expr_and_setting(self, node: Node, env: dict) -> tuple[Expr, Value]:
        """``(self.expr(node), self._settings_value(node, env))`` in one walk of a literal: a
        module constant is summarised both ways, and a long one (a table of ~800 language
        codes) would be read twice."""
        src = self.src
        node = unwrap(node)
        kind = KINDS[node.kind_id]
        if kind in _SEQUENCES:
            exprs: list[Expr] = []
            values: list[Value] = []
            for e in items(node):
                kind = KINDS[e.kind_id]
                if kind == "string":  # most items of a table: the string case below, inline
                    value, source = string_and_segment(src, e)
                    if value is not None:
                        exprs.append(Expr("literal", None, None, None, source, value))
                        values.append(value)
                        continue
                if kind == "tuple":
                    pair = (_PAIR or _pair()).fullmatch(src, e.start_byte, e.end_byte)
                    if pair is not None:  # ``("af", "Afrikaans")``: the nodes' case below
                        first, second = _plain_literal(pair[1]), _plain_literal(pair[2])
                        exprs.append(Expr("tuple", None, None, [first, second]))
                        values.append([first.value, second.value])
                        continue
                if kind == "list_splat":
                    exprs.append(self.expr(e))
                    value = self._settings_value(e.children[-1], env)
                    values.extend(value if isinstance(value, list) else [value])
                else:
                    summarized, value = self._expr_and_setting(e, env)
                    exprs.append(summarized)
                    values.append(value)
            return Expr("tuple", None, None, exprs), values
        if kind == "string" or kind == "concatenated_string":
            value, source = string_and_segment(src, node)
            if value is not None:
                return Expr("literal", None, None, None, source, value), value
            return Expr("other", source=source), {"$expr": source}
        if kind == "true" or kind == "false":
            value = kind == "true"
            return Expr("literal", value=value, source=segment(src, node)), value
        if kind == "none":
            return Expr("none", source="None"), None
        return self.expr(node), self._settings_value(node, env)

    def _settings_value(self, node: Node, env: dict) -> Value:
        node = unwrap(node)
        kind = KINDS[node.kind_id]
        if kind == "binary_operator":
            check_chain(node)
            left, op, right = operands(node)
            if op == "+":
                return _concat(self._settings_value(left, env), self._settings_value(right, env))
        elif kind == "identifier":
            name = ident(self.src, node)
            if name in env:
                value = env[name]
                return literal(self.src, value) if type(value) is self.node_type else value
        elif kind in ("list", "tuple", "expression_list"):
            out: list[Value] = []
            for e in items(node):
                if KINDS[e.kind_id] == "list_splat":
                    value = self._settings_value(e.children[-1], env)
                    out.extend(value if isinstance(value, list) else [value])
                else:
                    out.append(self._settings_value(e, env))
            return out
        return literal(self.src, node)

    def _setting_parts(self, node: Node, env: dict) -> Value:
        """A setting's value built from names the module does not bind (star-imported or
        imported: ``INSTALLED_APPS = INSTALLED_APPS + [...]``, ``[*BASE_APPS, ...]``,
        ``list(A) + [...]``): ``{"$name": n}`` for such a name, ``{"$concat": parts}`` for a
        list made of them (``graph.apps`` looks them up); else as ``_settings_value``."""
        node = unwrap(node)
        kind = KINDS[node.kind_id]
        if kind == "identifier" and ident(self.src, node) not in env:
            return {"$name": ident(self.src, node)}
        if kind == "binary_operator":
            left, op, right = operands(node)
            if op == "+":
                return _concat(self._setting_parts(left, env), self._setting_parts(right, env))
        elif kind in ("list", "tuple"):
            out: Value = []
            for e in items(node):
                if KINDS[e.kind_id] == "list_splat":
                    out = _concat(out, self._setting_parts(e.children[-1], env))
                else:
                    out = _concat(out, [self._settings_value(e, env)])
            return out
        elif kind == "call" and dotted(self.src, node.children[0]) in ("list", "tuple"):
            args, kwargs = _arguments(node)
            if len(args) == 1 and not kwargs:
                return self._setting_parts(args[0], env)
        return self._settings_value(node, env)

    def _registration(self, call: Node, summary: ModuleSummary, name: str | None = None) -> None:
        """Keep a call of a name imported from a package whose registrations make models or
        fields (``_REGISTERING``: ``simple_history.register(Model)``, modeltranslation's
        ``translator.register(Model, Options)``), as a decorator of the class ``name`` too,
        and a call of ``Model.add_to_class(name, field)`` (``graph.added``)."""
        func = dotted(self.src, call.children[0])
        imported = summary.imports.get(func.partition(".")[0]) if func else None
        if (imported is not None and imported.module.partition(".")[0] in _REGISTERING) or (
            func is not None and func.endswith(".add_to_class") and name is None
        ):
            line = call.start_point[0] + 1
            named = f"@{name}" if name is not None else func
            summary.registrations.append(Member(named, line, self.expr(call)))  # type: ignore[arg-type]

    def _names_member(self, targets: list[Node], value: Node, stmt: Node) -> Member | None:
        """``fields = ("title", "text")`` in a class body (modeltranslation's options) as a
        literal member: a list of names."""
        if len(targets) != 1 or KINDS[targets[0].kind_id] != "identifier":
            return None
        if ident(self.src, targets[0]) != "fields":
            return None
        names = literal(self.src, value)
        if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
            return None
        expr = Expr("literal", value=list(names), source=segment(self.src, value))
        return Member("fields", stmt.start_point[0] + 1, expr)

    def _decorators(self, last: Node, name: str, summary: ModuleSummary) -> None:
        """The registrations among the decorators (``last`` the nearest) of class ``name``."""
        found = []
        node: Node | None = last
        while node is not None and KINDS[node.kind_id] == "decorator":
            found.append(node)
            node = node.prev_sibling
        for decorator in reversed(found):  # (applied bottom up; kept as written)
            call = unwrap(decorator.children[-1])
            if KINDS[call.kind_id] == "call":
                self._registration(call, summary, name)

    def _list_mutation(self, call: Node, summary: ModuleSummary, env: dict) -> None:
        func = unwrap(call.children[0])
        if KINDS[func.kind_id] != "attribute":
            return
        obj, attr = unwrap(func.children[0]), func.children[-1]
        if KINDS[obj.kind_id] != "identifier":
            return
        name, attr = ident(self.src, obj), ident(self.src, attr)
        if attr in ("append", "extend", "insert"):
            _extends(name, env, summary)
        args, _ = _arguments(call)
        if name not in env or _parts(env[name]) is None or not args:
            return  # (not a list, nor one made of other modules' values)
        if attr == "append":
            env[name] = _concat(env[name], [self._settings_value(args[0], env)])
        elif attr == "extend":
            env[name] = _concat(env[name], self._settings_value(args[0], env))
        elif attr == "insert" and len(args) == 2 and isinstance(env[name], list):
            items_ = list(env[name])
            pos = literal(self.src, args[0])
            items_.insert(
                pos if isinstance(pos, int) else len(items_), self._settings_value(args[1], env)
            )
            env[name] = items_
        else:
            return
        self._record_setting(name, env, summary)

    @staticmethod
    def _record_setting(name: str, env: dict, summary: ModuleSummary) -> None:
        if name in SETTINGS_NAMES:
            summary.settings[name] = env[name]


#: A tuple of two plain string literals written plainly (no comment, prefix or line joining),
#: and a class-body statement ``NAME = "plain string"`` (a table of constants); each compiled
#: when first used: compiling them costs 1.7M and 1.3M instructions, which a process that reads
#: no such table or class (main, with most settings modules) would pay at import.
_PAIR: re.Pattern | None = None
_NAMED_STRING: re.Pattern | None = None
_SPACE = rb"[ \t\r\n]*"
_STRING = rb"('[^'\\\r\n]*'|\"[^\"\\\r\n]*\")"  # ``PLAIN``, the quotes kept


def _pair() -> re.Pattern:
    global _PAIR
    if _PAIR is None:
        item = _SPACE + _STRING + _SPACE
        _PAIR = re.compile(rb"\(" + item + rb"," + item + rb",?" + _SPACE + rb"\)")
    return _PAIR


def _named_string() -> re.Pattern:
    global _NAMED_STRING
    if _NAMED_STRING is None:
        _NAMED_STRING = re.compile(
            possessive(rb"([A-Za-z_][0-9A-Za-z_]*+)[ \t]*+=[ \t]*+" + _STRING)
        )
    return _NAMED_STRING


#: The start of a class-body statement ``name = callee(`` (a field, most often), and one
#: argument of the call written plainly (a plain string, a decimal integer, a name or an
#: attribute chain, ``f()`` or ``f("text")``; no comment nor line joining) with the comma or
#: the ``)`` after it: ``_plain_field``. Compiled when first used.
_FIELD: re.Pattern | None = None
_FIELD_ARG: re.Pattern | None = None


def _field_patterns() -> re.Pattern:
    """``_FIELD`` and ``_FIELD_ARG`` compiled (once)."""
    global _FIELD, _FIELD_ARG
    if _FIELD is None:
        space = possessive(rb"[ \t\r\n]*+")  # between brackets
        name = possessive(rb"[A-Za-z_][0-9A-Za-z_]*+")
        chain = name + possessive(rb"(?:\.") + name + possessive(rb")*+")
        plain = possessive(rb"('[^'\\\r\n]*+'|\"[^\"\\\r\n]*+\")")  # ``PLAIN``
        keyword = rb"(?:(" + name + rb")" + space + rb"=" + space + rb")?"  # group 1
        call = rb"(\(" + space + rb"(?:" + plain + space + rb"(?:," + space + rb")?)?\))"  # 5, 6
        number = possessive(rb"|(0|[1-9][0-9]*+)|(")
        value = rb"(?:" + plain + number + chain + rb")" + call + rb"?)"  # 2, 3, 4
        _FIELD_ARG = re.compile(keyword + value + space + rb"(?:," + space + rb"|(?=\)))")
        equals = possessive(rb")[ \t]*+=[ \t]*+(")
        _FIELD = re.compile(rb"(" + name + equals + chain + rb")\(" + space)
    return _FIELD


def _plain_field(src: bytes, start: int, end: int) -> tuple[str, Expr] | None:
    """``(name, Expr of the call)`` of the class-body statement ``src[start:end]`` (ending with
    ``)``) when it is a plain ``name = callee(arguments)``: what ``_class_body`` makes of its
    nodes, read from the source alone, with no Node. Else None.
    Such statements are 86% of the calls of class bodies (blueking-paas, saleor, netbox)."""
    head = (_FIELD or _field_patterns()).match(src, start, end)
    if head is None or head[1] in _RESERVED:
        return None
    match = _FIELD_ARG.match  # type: ignore[union-attr]
    pos, close = head.end(), end - 1
    found = []
    while pos != close:  # each argument ends before the ``)`` or after a comma
        arg = match(src, pos, end)
        if arg is None:
            return None
        found.append(arg)
        pos = arg.end()
    # All of it read so: names are looked up (and kept, as the nodes' way does) from here on.
    func = plain_chain(head[2])
    if func is None:
        return None
    args: list[Arg] = []
    kwargs: dict[str, Arg] = {}
    for each in found:
        value = _plain_arg(src, each)
        if value is None:  # (a keyword in a chain, a name of 300 characters: never seen)
            return None
        key = each[1]
        if key is None:
            args.append(value)
        else:
            name = NAMES.get(key)
            kwargs[name if name is not None else name_of(key)] = value
    name = NAMES.get(head[1])
    return (
        name if name is not None else name_of(head[1]),
        Expr("call", None, Call(func, args, kwargs, func), None, func),
    )


#: The Arg values of ``True``, ``False`` and ``None`` (kinds ``arg`` reads as literals).
_CONSTANT_ARGS = {b"True": True, b"False": False, b"None": None}


def _plain_arg(src: bytes, found: re.Match) -> Arg | None:
    """``_Visitor.arg`` of the argument ``_FIELD_ARG`` found (None: read it from its node)."""
    kind = found.lastindex  # the group of its value (a call's brackets close after their string)
    if kind == 2:
        start, end = found.span(2)
        return Arg(src[start + 1 : end - 1].decode("utf-8", "replace"))  # ``arg``'s first case
    if kind == 3:
        return Arg(int(found[3]))
    raw = found[4]
    if kind == 5:  # a call: ``call_value``
        func = plain_chain(raw)
        if func is None:
            return None
        start, end = found.span(6)
        if start >= 0 and (func in GETTEXT or func.rsplit(".", 1)[-1] in GETTEXT):
            return Arg(src[start + 1 : end - 1].decode("utf-8", "replace"), None, func)
        return Arg(source_value(src[found.start(4) : found.end(5)]), None, func)
    if len(raw) > MAX_SOURCE:  # its segment is cut
        return None
    if raw in _CONSTANT_ARGS:
        return Arg(_CONSTANT_ARGS[raw])
    name = DOTTED.get(raw)
    if name is not None:
        return Arg({"$expr": name}, name)
    name = plain_chain(raw)
    if name is None:
        return None
    if raw.find(b".") < 0:  # an identifier: its text and dotted name are the same str
        return Arg({"$expr": name}, name)
    return Arg({"$expr": raw.decode("ascii")}, name)


#: Words that are not plain names (keywords; ``print``/``exec``: Python 2 statements).
_RESERVED = frozenset(
    b"False None True and as assert async await break class continue def del elif else except "
    b"finally for from global if import in is lambda nonlocal not or pass raise return try "
    b"while with yield print exec match case type".split()
)


def _plain_literal(raw: bytes) -> Expr:
    """The Expr of the plain string literal ``raw`` (``string_and_segment``'s first case)."""
    out = raw.decode("utf-8", "replace")
    source = out if len(out) <= MAX_SOURCE and "  " not in out else one_line(out)
    return Expr("literal", None, None, None, source, out[1:-1])


def _positional(args: Node | None) -> list[Node]:
    """Positional arguments of a class's argument list (starred included)."""
    if args is None:
        return []
    return [
        c
        for c in args.named_children  # no brackets nor commas (``items``)
        if KINDS[c.kind_id] not in ("comment", "keyword_argument", "dictionary_splat")
    ]


def _generic_origin(node: Node) -> Node:
    """A base ``Base[T]`` inherits from ``Base`` (``__mro_entries__`` of a generic alias)."""
    return node.children[0] if KINDS[node.kind_id] == "subscript" else node


def _subscript_key(src: bytes, target: Node, owner: str | None) -> str | None:
    """``owner["key"]`` → ``key``."""
    if owner is None or KINDS[target.kind_id] != "subscript":
        return None
    children = target.children
    value = unwrap(children[0])
    if KINDS[value.kind_id] != "identifier" or ident(src, value) != owner:
        return None
    keys = [c for c in children[1:] if KINDS[c.kind_id] not in PUNCTUATION]
    return string_value(src, unwrap(keys[0])) if len(keys) == 1 else None


def _setdefault(src: bytes, call: Node, owner: str | None) -> tuple[str, Node] | None:
    """``owner.setdefault("key", value)`` → (key, value)."""
    if owner is None:
        return None
    func = unwrap(call.children[0])
    if KINDS[func.kind_id] != "attribute" or ident(src, func.children[-1]) != "setdefault":
        return None
    obj = unwrap(func.children[0])
    if KINDS[obj.kind_id] != "identifier" or ident(src, obj) != owner:
        return None
    args, _ = _arguments(call)
    if len(args) != 2:
        return None
    key = string_value(src, unwrap(args[0]))
    return (key, args[1]) if key is not None else None


def _is_base_init(src: bytes, call: Node) -> bool:
    """``super().__init__(...)`` (or ``super(C, self).__init__(...)``), or a base class's
    called by name, ``Base.__init__(self, ...)``."""
    func = unwrap(call.children[0])
    if KINDS[func.kind_id] != "attribute" or ident(src, func.children[-1]) != "__init__":
        return False
    obj = unwrap(func.children[0])
    if KINDS[obj.kind_id] == "call":
        return dotted(src, obj.children[0]) == "super"
    args = _arguments(call)[0]
    return bool(dotted(src, obj)) and bool(args) and ident(src, args[0]) == "self"


def _class_setting(src: bytes, node: Node, name: str, depth: int = 0) -> Value:
    """A class-based setting's value: a literal, or a concatenation of literals and the same
    setting of another class (``Common.INSTALLED_APPS + ["debug_toolbar"]``) as
    ``{"$concat": [part, ...]}``, a class's part as ``{"$class": "Common"}``; else unknown."""
    node = unwrap(node)
    kind = KINDS[node.kind_id]
    if kind == "binary_operator" and depth < 20:
        left, op, right = operands(node)
        if op == "+":
            parts = []
            for side in (left, right):
                value = _class_setting(src, side, name, depth + 1)
                if isinstance(value, dict) and "$concat" in value:
                    parts += value["$concat"]
                elif isinstance(value, list) or isinstance(value, dict) and "$class" in value:
                    parts.append(value)
                else:
                    return {"$expr": segment(src, node)}
            return {"$concat": parts}
    if kind == "attribute":
        owner, _, attr = dotted(src, node).rpartition(".")
        if attr == name and owner:
            return {"$class": owner}
    return literal(src, node)


def _dict_items(src: bytes, node: Node) -> dict[str, Node] | None:
    """A dict literal's items by key, when every key is a plain string; else None."""
    node = unwrap(node)
    if KINDS[node.kind_id] != "dictionary":
        return None
    out: dict[str, Node] = {}
    for pair in node.named_children:
        kind = KINDS[pair.kind_id]
        if kind == "comment":
            continue
        key = pair.children[0] if kind == "pair" else None
        text = (
            string_value(src, key) if key is not None and KINDS[key.kind_id] == "string" else None
        )
        if not isinstance(text, str):
            return None
        out[text] = pair.children[-1]
    return out


def _updated_by(src: bytes, call: Node, owner: str | None) -> str | None:
    """``name.update(owner)`` -> name (the ``**kwargs`` parameter ``owner`` given)."""
    func = unwrap(call.children[0])
    if owner is None or KINDS[func.kind_id] != "attribute":
        return None
    if ident(src, func.children[-1]) != "update":
        return None
    args, kwargs = _arguments(call)
    if kwargs or len(args) != 1 or ident(src, args[0]) != owner:
        return None
    obj = unwrap(func.children[0])
    return ident(src, obj) if KINDS[obj.kind_id] == "identifier" else None


def _param_defaults(src: bytes, params: Node | None) -> dict[str, Node]:
    """Each parameter with a default: name -> the default's node."""
    out: dict[str, Node] = {}
    for p in params.children if params is not None else ():
        if KINDS[p.kind_id] in ("default_parameter", "typed_default_parameter"):
            first = p.children[0]
            if KINDS[first.kind_id] == "identifier":
                out[ident(src, first)] = p.children[-1]
    return out


def _constant(src: bytes, node: Node) -> Value:
    """The value of a str/int/bool literal node (None for anything else)."""
    kind = KINDS[node.kind_id]
    if kind == "string" or kind == "concatenated_string":
        return string_value(src, node)
    if kind == "integer":
        value = literal(src, node)
        return value if isinstance(value, int) else None
    if kind == "true":
        return True
    if kind == "false":
        return False
    return None


#: ``_dotted_name`` by the source of the dotted name (a module's imports name the same modules
#: and names as the others'): one look-up instead of ``ident`` and four searches.
_DOTTED_NAMES: dict[bytes, str] = {}


def _dotted_name(src: bytes, node: Node) -> str:
    """``a.b`` for a dotted_name."""
    raw = src[node.start_byte : node.end_byte]
    name = _DOTTED_NAMES.get(raw)
    if name is None:
        name = name_of(raw)
        if " " in name or "\\" in name or "\t" in name or "#" in name:
            name = ".".join(
                ident(src, c) for c in node.children if KINDS[c.kind_id] == "identifier"
            )
        if len(_DOTTED_NAMES) >= 50_000:  # ``values._KEPT``: a long-running server
            _DOTTED_NAMES.clear()
        _DOTTED_NAMES[raw] = name
    return name


#: The first byte of an expression statement that may be a string: a quote, a bracket or a
#: prefix's letter.
_STRING_STARTS = frozenset(b"'\"(rRuUbBfFtT")


def _docstring(src: bytes, stmts: list[Node]) -> str | None:
    for first in stmts:
        kind = KINDS[first.kind_id]
        if kind != "comment":
            break
    else:
        return None
    if kind != "expression_statement" or src[first.start_byte] not in _STRING_STARTS:
        return None  # (``name = models.CharField(...)``: the statement's nodes not made for this)
    inner = _single(first)
    value = string_value(src, unwrap(inner)) if inner is not None else None
    if value is None:
        return None
    if "\n" not in value and "\t" not in value:
        return value.lstrip()  # what ``cleandoc`` makes of one line, without its list work
    return cleandoc(value)


def cleandoc(doc: str) -> str:
    """``inspect.cleandoc`` (importing ``inspect`` costs a scan's start-up ~40M instructions):
    tabs expanded, the first line's leading and the other lines' common indentation removed,
    leading and trailing blank lines dropped."""
    lines = doc.expandtabs().split("\n")
    margins = [len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()]
    lines[0] = lines[0].lstrip()
    if margins:
        margin = min(margins)
        lines[1:] = [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def _live_blocks(src: bytes, stmt: Node) -> list[Node]:
    """The blocks of an ``if`` statement in a class or function body that may run, in order: as
    Python runs it, a branch whose condition is known false (``False``, ``None``, ``0``,
    ``TYPE_CHECKING``, ``typing.TYPE_CHECKING``, ``not`` of a known one) never does, and one
    known true (``True``, ``1``, ``not TYPE_CHECKING``, ...) is the last that may; any other
    condition keeps its branch and those after it. (Module level keeps every branch: names
    imported under ``TYPE_CHECKING`` still resolve annotations.)"""
    blocks = []
    for condition, block in _clauses(stmt):
        known = None if condition is None else _known_truth(src, condition)
        if known is not False and block is not None:
            blocks.append(block)
        if known is True:
            break
    return blocks


def _clauses(stmt: Node) -> list[tuple[Node | None, Node | None]]:
    """(condition, block) of an ``if`` statement's ``if``, each ``elif`` and ``else`` (None:
    ``else``'s condition, or one a broken tree lacks), in order."""
    children = stmt.children
    condition = children[1] if len(children) > 1 else None
    clauses: list[tuple[Node | None, Node | None]] = []
    for child in children:
        kind = KINDS[child.kind_id]
        if kind == "block":
            clauses.append((condition, child))
        elif kind == "elif_clause":
            parts = child.children
            clauses.append((parts[1] if len(parts) > 1 else None, _block(child)))
        elif kind == "else_clause":
            clauses.append((None, _block(child)))
    return clauses


def _known_truth(src: bytes, node: Node) -> bool | None:
    """What a condition is at run time when the source says it alone (see ``_live_blocks``)."""
    kind = KINDS[node.kind_id]
    if kind == "parenthesized_expression" and len(node.children) == 3:
        return _known_truth(src, node.children[1])
    if kind == "not_operator":
        inner = _known_truth(src, node.children[-1])
        return None if inner is None else not inner
    if kind in ("true", "false", "none"):
        return kind == "true"
    text = src[node.start_byte : node.end_byte]
    if kind == "integer" and text in (b"0", b"1"):
        return text == b"1"
    if kind in ("identifier", "attribute") and (
        text == b"TYPE_CHECKING" or text.endswith(b".TYPE_CHECKING")
    ):
        return False
    return None


def _if_blocks(stmt: Node) -> list[Node]:
    """The blocks of ``if``, each ``elif`` and ``else``, in order."""
    return [block for _, block in _clauses(stmt) if block is not None]


def _try_blocks(stmt: Node) -> tuple[Node | None, list[Node], Node | None, Node | None]:
    """(body, handler blocks, else block, finally block) of a try statement."""
    body = orelse = final = None
    handlers: list[Node] = []
    for child in stmt.children:
        kind = KINDS[child.kind_id]
        if kind == "block":
            body = child
        elif kind in _CLAUSES:
            block = _block(child)
            if block is not None:
                handlers.append(block)
        elif kind == "else_clause":
            orelse = _block(child)
        elif kind == "finally_clause":
            final = _block(child)
    return body, handlers, orelse, final


def _is_async(stmt: Node) -> bool:
    return KINDS[stmt.children[0].kind_id] == "async"


def _is_try_star(stmt: Node) -> bool:
    """``try: ... except* E:`` (Python's AST: TryStar, which only module level reads)."""
    for child in stmt.children:
        if KINDS[child.kind_id] == "except_group_clause":
            return True
        if KINDS[child.kind_id] == "except_clause":
            return child.child_count > 1 and KINDS[child.children[1].kind_id] == "*"
    return False


def _extends(name: str, env: dict, summary: ModuleSummary) -> None:
    """``INSTALLED_APPS += [...]`` with no local value: extends what a star import brought.

    The module's value then holds only the added items, flagged by ``"<NAME>+": True``.
    """
    if name in SETTINGS_NAMES and name not in env:
        env[name] = []
        summary.settings[name + "+"] = True


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
    """``left + right`` for settings lists; a name of another module's value makes parts
    (``Visitor._setting_parts``); another dynamic part keeps the known items."""
    if isinstance(left, list) and isinstance(right, list):
        return left + right
    if _parts(left) is not None and _parts(right) is not None:
        parts: list = []
        for part in [*_parts(left), *_parts(right)]:  # type: ignore[misc]
            if isinstance(part, list) and parts and isinstance(parts[-1], list):
                parts[-1] = parts[-1] + part
            elif part != []:
                parts.append(part)
        return {"$concat": parts} if len(parts) != 1 or not isinstance(parts[0], list) else parts[0]
    if isinstance(left, list):
        return left + [_DYNAMIC]  # (an item no app name is: the list is known incomplete)
    if isinstance(right, list):
        return [_DYNAMIC] + right
    return {"$expr": "<dynamic>"}


#: What a dynamic part of a settings list leaves in it (``graph.apps``: installed apps unknown).
_DYNAMIC = {"$expr": "<dynamic>"}


def _parts(value: Value) -> list | None:
    """A settings value as the parts of a ``{"$concat": ...}``; None for an unknown one."""
    if isinstance(value, list):
        return [value]
    if isinstance(value, dict):
        if "$name" in value:
            return [value]
        if "$concat" in value:
            return list(value["$concat"])  # type: ignore[arg-type]
    return None


def summarize(tree, text: str, module: str, path: str, is_package: bool) -> ModuleSummary:  # noqa: ANN001
    """Build the ModuleSummary of one parsed module (``tree``: a tree-sitter tree).

    ``text`` is unused (kept for the callers' signature): the tree carries its UTF-8 source.
    """
    summary = ModuleSummary(module=module, path=path, is_package=is_package)
    visitor = _Visitor(tree.source, module, is_package, tree.broken)
    visitor.node_type = type(tree.root_node)
    visitor.module_body(statements(tree.root_node), summary, {})
    summary.syntax_errors = list(tree.issues)
    return summary
