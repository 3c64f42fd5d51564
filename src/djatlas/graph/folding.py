"""Fold the constant expressions Django evaluates when a models module is imported.

``db_table = f"{PREFIX}_item"``, ``related_name=NAME + "s"``, ``max_length=SIZE * 2``,
``"%s_log" % APP``, ``TABLE.lower()``, ``CHOICES[0][0]``: a snippet of source (an argument's or
a Meta option's ``{"$expr": ...}``) is parsed again, by the scan's own parser (tree-sitter: any
Python version's syntax), and computed from constants only, the names it reads given by the
caller (``Constants``: literals bound in the tree, settings). Nothing is executed; what is not a
constant computation stays unknown, and so does a result that would be large (a long text, a
huge number: the snippet is the scanned tree's).
"""

from __future__ import annotations

import re
from codecs import decode
from collections.abc import Callable

from djatlas.parse import values
from djatlas.parse.values import KINDS, dotted, items, literal, operands, unwrap

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

#: Longest text, largest number (in bits) and deepest nesting a fold makes.
MAX_TEXT = 4096
MAX_BITS = 256
MAX_DEPTH = 50
#: A width or precision of 4 digits or more (its text could be huge), or one given as an
#: argument: in a ``%`` format (``%*d``), in a ``str.format`` field (``{:>{}}``), in a spec.
_WIDE_PERCENT = re.compile(r"%[^a-zA-Z%]*(?:\d{4}|\*)")
_WIDE_FIELD = re.compile(r"\{[^{}]*:[^{}]*(?:\d{4}|\{)")
_WIDE_SPEC = re.compile(r"\d{4}")


class Unknown(Exception):
    """The snippet is not a constant computation (or its result would be too large)."""


def fold(source: str, name_value: Callable[[str], Any]) -> Any:
    """The value of the expression ``source``; ``name_value(dotted)`` gives the value a dotted
    name reads (raising ``Unknown`` when it is not known). Raises ``Unknown``."""
    from djatlas.parse.reader import _parser

    src = source.encode("utf-8", "surrogatepass")
    root = _parser().parse(src).root_node
    stmts = [c for c in root.children if KINDS[c.kind_id] != "comment"]
    if root.has_error or len(stmts) != 1 or KINDS[stmts[0].kind_id] != "expression_statement":
        raise Unknown
    inner = stmts[0].named_children
    if len(inner) != 1:
        raise Unknown
    try:
        return _plain(_Folder(src, name_value).value(inner[0], 0))
    except RecursionError:  # (``literal``'s too deep)
        raise Unknown from None


def _plain(value: Any) -> Any:
    """A folded value as ``literal`` gives one: a tuple as a list (kept a tuple while folding,
    where ``%`` tells them apart)."""
    if type(value) is tuple or type(value) is list:
        return [_plain(v) for v in value]
    return value


class _Folder:
    def __init__(self, src: bytes, name_value: Callable[[str], Any]) -> None:
        self.src = src
        self.name_value = name_value

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise Unknown
        depth += 1
        node = unwrap(node)
        kind = KINDS[node.kind_id]
        if kind in _LEAVES:
            found = literal(self.src, node)
            if isinstance(found, dict):  # an f-string (or a literal read as no value)
                if kind == "string":
                    return self._string(node, depth)
                if kind == "concatenated_string":
                    return self._joined(node, depth)
                raise Unknown
            return _checked(found)
        if kind in ("identifier", "attribute"):
            name = dotted(self.src, node)
            if name is None:
                raise Unknown
            return _checked(self.name_value(name))
        if kind == "binary_operator":
            left, op, right = operands(node)
            return _checked(_binary(op, self.value(left, depth), self.value(right, depth)))
        if kind == "comparison_operator" and len(node.children) == 3:
            left, op, right = node.children
            return _compare(KINDS[op.kind_id], self.value(left, depth), self.value(right, depth))
        if kind == "not_operator":
            return not _truth(self.value(node.children[-1], depth))
        if kind == "boolean_operator":
            left, op, right = node.children
            first = self.value(left, depth)
            if _truth(first) is (KINDS[op.kind_id] == "or"):
                return first  # (short-circuit, as Python)
            return self.value(right, depth)
        if kind == "unary_operator":
            op = KINDS[node.children[0].kind_id]
            return _checked(_unary(op, self.value(node.children[-1], depth)))
        if kind in ("tuple", "list", "expression_list"):
            values = [self.value(item, depth) for item in items(node)]
            return values if kind == "list" else tuple(values)
        if kind == "subscript":
            return _checked(self._item(node, depth))
        if kind == "call":
            return _checked(self._call(node, depth))
        raise Unknown

    def _joined(self, node: Any, depth: int) -> str:
        """Strings written one after the other, f-strings among them."""
        parts = [c for c in node.children if KINDS[c.kind_id] != "comment"]
        return _checked("".join(self._text(self.value(part, depth)) for part in parts))

    @staticmethod
    def _text(value: Any) -> str:
        if type(value) is not str:
            raise Unknown
        return value

    def _string(self, node: Any, depth: int) -> str:
        """An f-string: its texts and its ``{value!conversion:spec}`` fields (not a t-string,
        whose value is a Template, nor bytes)."""
        start = node.children[0]
        prefix = self.src[start.start_byte : start.end_byte].rstrip(b"'\"").lower()
        if b"f" not in prefix or b"t" in prefix or b"b" in prefix:
            raise Unknown
        raw = b"r" in prefix
        out = []
        for part in node.children[1:-1]:
            kind = KINDS[part.kind_id]
            if kind == "string_content":
                out.append(self._content(part, raw))
            elif kind == "interpolation":
                out.append(self._field(part, depth))
            else:
                raise Unknown
        return _checked("".join(out))

    def _content(self, node: Any, raw: bool) -> str:
        """The text of an f-string's part between fields: ``{{`` is ``{``, escapes decoded
        (not in a raw string)."""
        src, at, out = self.src, node.start_byte, []
        for child in node.children:
            kind = KINDS[child.kind_id]
            if kind == "escape_interpolation" or (kind == "escape_sequence" and not raw):
                out.append(src[at : child.start_byte].decode("utf-8", "replace"))
                piece = src[child.start_byte : child.end_byte]
                out.append(piece[:1].decode() if kind == "escape_interpolation" else _escape(piece))
                at = child.end_byte
        out.append(src[at : node.end_byte].decode("utf-8", "replace"))
        return "".join(out)

    def _field(self, node: Any, depth: int) -> str:
        expr, conversion, spec = None, "", ""
        for child in node.children[1:-1]:
            kind = KINDS[child.kind_id]
            if kind == "type_conversion":
                conversion = self.src[child.end_byte - 1 : child.end_byte].decode()
            elif kind == "format_specifier":
                spec = self._spec(child, depth)
            elif kind == "comment":
                continue
            elif expr is None and child.is_named:
                expr = child
            else:  # ``{x=}``, or anything unexpected
                raise Unknown
        if expr is None:
            raise Unknown
        value = self.value(expr, depth)
        if conversion == "s":
            value = str(value)
        elif conversion == "r":
            value = repr(value)
        elif conversion == "a":
            value = ascii(value)
        elif conversion:
            raise Unknown
        return _format(value, spec)

    def _spec(self, node: Any, depth: int) -> str:
        """A field's format spec, after its ``:`` (fields nested in it folded too)."""
        src, at, out = self.src, node.children[0].end_byte, []
        for child in node.children[1:]:
            if KINDS[child.kind_id] == "format_expression":
                out.append(src[at : child.start_byte].decode("utf-8", "replace"))
                inner = [c for c in child.named_children if KINDS[c.kind_id] != "comment"]
                if len(inner) != 1:
                    raise Unknown
                out.append(_format(self.value(inner[0], depth), ""))
                at = child.end_byte
        out.append(src[at : node.end_byte].decode("utf-8", "replace"))
        return "".join(out)

    def _item(self, node: Any, depth: int) -> Any:
        parts = node.named_children
        if len(parts) != 2 or KINDS[parts[1].kind_id] in ("slice", "expression_list"):
            raise Unknown
        container, key = self.value(parts[0], depth), self.value(parts[1], depth)
        if not isinstance(container, (str, tuple, list, dict)) or isinstance(key, float):
            raise Unknown
        try:
            return container[key]
        except (IndexError, KeyError, TypeError):
            raise Unknown from None

    def _call(self, node: Any, depth: int) -> Any:
        """A str method's result, or a translation's text: ``_(f"{NAME} items")`` is the text
        (Django's lazy translation shows it untranslated)."""
        func = node.children[0]
        if KINDS[func.kind_id] in ("identifier", "attribute"):
            name = dotted(self.src, func)
            if name is not None and name.rpartition(".")[2] in values.GETTEXT:
                given = items(node.children[-1])
                if len(given) != 1:  # (``pgettext``'s context, ``ngettext``'s count)
                    raise Unknown
                return self._text(self.value(given[0], depth))
        return self._method(node, depth)

    def _method(self, node: Any, depth: int) -> Any:
        """``text.lower()``, ``"{}_{}".format(A, B)``, ``"_".join(PARTS)``: a str method."""
        func, arguments = node.children[0], node.children[-1]
        if KINDS[func.kind_id] != "attribute" or KINDS[arguments.kind_id] != "argument_list":
            raise Unknown
        name = self.src[func.children[-1].start_byte : func.children[-1].end_byte].decode()
        if name not in values.STR_METHODS:
            raise Unknown
        text = self.value(func.children[0], depth)
        args, kwargs = [], {}
        for arg in items(arguments):
            kind = KINDS[arg.kind_id]
            if kind == "keyword_argument":
                key = arg.child_by_field_name("name")
                kwargs[self.src[key.start_byte : key.end_byte].decode()] = self.value(
                    arg.child_by_field_name("value"), depth
                )
            elif kind in ("list_splat", "dictionary_splat", "generator_expression") or kwargs:
                raise Unknown
            else:
                args.append(self.value(arg, depth))
        if not isinstance(text, str):
            raise Unknown
        if name == "format" and (_WIDE_FIELD.search(text) or _wide_args(args, kwargs)):
            raise Unknown
        if name == "zfill" and not (args and type(args[0]) is int and args[0] <= MAX_TEXT):
            raise Unknown
        if name == "replace" and not _bounded_replace(text, args):
            raise Unknown
        try:
            return getattr(text, name)(*args, **kwargs)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            raise Unknown from None


#: Nodes ``literal`` reads (an f-string among the strings is folded here).
_LEAVES = frozenset(("string", "concatenated_string", "integer", "float", "true", "false", "none"))


def _escape(piece: bytes) -> str:
    """One escape sequence of a str literal (``\\n``, ``\\x41``, ``\\N{DASH}``...)."""
    try:
        return decode(piece, "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        raise Unknown from None


def _wide_args(args: list[Any], kwargs: dict[str, Any]) -> bool:
    """Whether a ``str.format`` argument is a text too long to repeat safely."""
    return any(type(a) is str and len(a) > MAX_TEXT for a in (*args, *kwargs.values()))


def _bounded_replace(text: str, args: list[Any]) -> bool:
    """Whether ``text.replace(*args)`` stays within ``MAX_TEXT`` whatever it replaces."""
    if len(args) < 2 or not all(type(a) is str for a in args[:2]):
        return len(args) >= 2  # (not str: ``replace`` itself refuses)
    old, new = args[0], args[1]
    return (
        (len(text) + 1) * len(new) <= MAX_TEXT
        if not old
        else len(new) <= len(old) or (len(text) // len(old) * len(new) <= MAX_TEXT)
    )


def _dotted(node: Any, ast: Any) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _checked(value: Any) -> Any:
    """``value``, unless it is too large to keep (``Unknown`` then)."""
    if type(value) is str and len(value) > MAX_TEXT:
        raise Unknown
    if type(value) is int and value.bit_length() > MAX_BITS:
        raise Unknown
    return value


_NUMBER = (int, float)
#: Values compared for (in)equality as Python compares them.
_PLAIN = (str, int, float, bool, type(None))


def _binary(op: str, left: Any, right: Any) -> Any:
    """``left <op> right`` for str and numbers, refusing what could be huge first."""
    numbers = type(left) in _NUMBER and type(right) in _NUMBER
    try:
        if op == "+" and (numbers or (type(left) is str and type(right) is str)):
            return left + right
        if op == "*":
            if numbers:
                return left * right
            text, times = (left, right) if type(left) is str else (right, left)
            if type(text) is str and type(times) is int and len(text) * times <= MAX_TEXT:
                return text * times
            raise Unknown
        if op == "%" and type(left) is str:
            if _WIDE_PERCENT.search(left) or not isinstance(right, (str, int, float, tuple)):
                raise Unknown
            return left % right
        if not numbers:
            raise Unknown
        if op == "-":
            return left - right
        if op == "%":
            return left % right
        if op == "//":
            return left // right
        if op == "/":
            return left / right
        if op == "**" and abs(right) <= 64 and abs(left) <= (1 << 32):
            return left**right
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise Unknown from None
    raise Unknown


def _compare(op: str, left: Any, right: Any) -> bool:
    """``left <op> right`` for membership (in a str, list or tuple of plain values) and
    (in)equality of plain values (``"app" not in settings.INSTALLED_APPS``)."""
    if op in ("in", "not in") and type(right) in (str, list, tuple):
        if type(right) is str and type(left) is not str:
            raise Unknown
        found = left in right
        return found if op == "in" else not found
    if op in ("==", "!=") and type(left) in _PLAIN and type(right) in _PLAIN:
        return (left == right) is (op == "==")
    raise Unknown


def _truth(value: Any) -> bool:
    """Python's truth of a plain value."""
    if type(value) not in _PLAIN and type(value) not in (list, tuple):
        raise Unknown
    return bool(value)


def _unary(op: str, operand: Any) -> Any:
    if type(operand) not in _NUMBER:
        raise Unknown
    if op == "-":
        return -operand
    if op == "+":
        return operand
    raise Unknown


def _format(value: Any, spec: Any) -> str:
    if type(spec) is not str or _WIDE_SPEC.search(spec):
        raise Unknown
    if type(value) not in (str, int, float, bool, type(None)):
        raise Unknown
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        raise Unknown from None
