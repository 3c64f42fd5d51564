"""Values of tree-sitter expression nodes: dotted names, literals, source text.

Every function takes the UTF-8 source the tree was parsed from (slicing it is much cheaper
than ``Node.text``) and reads children by position (cheaper than field lookups). Substrings of
bytes are looked for with ``find``: ``b"x" in data`` first tries ``b"x"`` as an integer and
builds (then drops) a TypeError each time, several times the cost of the search.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    from djatlas.parse.summary import Value

    Node = Any  # tree_sitter.Node


#: The str methods ``graph.folding`` calls (those that can lengthen a text are bounded first;
#: here, beside GETTEXT, for ``graph.constants`` to tell a foldable call without importing it).
STR_METHODS = frozenset(
    ("lower", "upper", "title", "capitalize", "casefold", "swapcase", "strip", "lstrip",
     "rstrip", "removeprefix", "removesuffix", "replace", "format", "join", "zfill")
)  # fmt: skip

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
MAX_DEPTH = 60
MAX_SOURCE = 300
#: Longest operator chain read; Python's own parser gives up far earlier (~1,000).
MAX_CHAIN = 1000
_FOLD_OPS = frozenset({"+", "-", "*", "//", "%"})
_CHAINS = frozenset({"binary_operator", "boolean_operator"})
#: Tokens between the items of a list, tuple, set, dict or argument list.
PUNCTUATION = frozenset({"(", ")", "[", "]", "{", "}", ",", "comment"})
_INF = (float("inf"), float("-inf"))
#: A one-quote str literal without prefix, backslash or line end: its text is its value.
PLAIN = re.compile(rb"'([^'\\\r\n]*)'|\"([^\"\\\r\n]*)\"")
#: An attribute chain written plainly: ASCII names and dots, no space, comment or bracket.
_PLAIN_DOTTED = re.compile(rb"[A-Za-z_][0-9A-Za-z_]*(?:\.[A-Za-z_][0-9A-Za-z_]*)+")
#: Python's keywords: in an attribute chain (``None.__class__``) the chain has no dotted name.
_KEYWORDS = (
    "False None True and as assert async await break class continue def del elif else except "
    "finally for from global if import in is lambda nonlocal not or pass raise return try "
    "while with yield"
)
_KEYWORDS = frozenset(_KEYWORDS.split())
_KEYWORD_BYTES = frozenset(word.encode() for word in _KEYWORDS)
#: ``node.type`` by ``node.kind_id``, filled when the parser is made (``reader``): the visitor
#: reads ``KINDS[node.kind_id]``, the same name without ``Node.type`` building a new string each
#: time (a third of a node's reading cost); these strings also keep their hash for set tests.
KINDS: dict[int, str] = {}


class TooDeep(RecursionError):
    """An expression nested past what djatlas reads."""


def unwrap(node: Node) -> Node:
    """The expression inside redundant parentheses (which Python's AST does not keep)."""
    while KINDS[node.kind_id] == "parenthesized_expression":
        inner = [c for c in node.named_children if KINDS[c.kind_id] != "comment"]
        if len(inner) != 1:
            return node
        node = inner[0]
    return node


def text(src: bytes, node: Node) -> str:
    return src[node.start_byte : node.end_byte].decode("utf-8", "replace")


#: Names read, by their source: each is decoded once, and the summaries that hold a name hold
#: the same str (pickled once per summary, then referred to: ~a third of a summary's strings).
NAMES: dict[bytes, str] = {}
#: Attribute chains written plainly, without keyword, by their source (the same for both).
DOTTED: dict[bytes, str] = {}
#: Entries kept at most (a long-running server reads many trees).
_KEPT = 50_000


def ident(src: bytes, node: Node) -> str:
    """An identifier, NFKC-normalised as Python does."""
    raw = src[node.start_byte : node.end_byte]
    name = NAMES.get(raw)
    return name if name is not None else name_of(raw)


def name_of(raw: bytes) -> str:
    """``ident`` of the identifier whose source is ``raw``."""
    name = NAMES.get(raw)
    if name is None:
        try:
            name = raw.decode("ascii")  # nearly always: no ``isascii`` test first
        except UnicodeDecodeError:  # (``unicodedata`` is imported for the rare one)
            import unicodedata

            name = unicodedata.normalize("NFKC", raw.decode("utf-8", "replace"))
        if len(NAMES) >= _KEPT:
            NAMES.clear()
        NAMES[raw] = name
    return name


def segment(src: bytes, node: Node) -> str:
    """The node's source on one line, whitespace collapsed, cut at 300 characters."""
    return one_line(text(src, node))


def one_line(out: str) -> str:
    """``segment`` of the source text ``out``."""
    if "\n" in out or "\r" in out:
        out = " ".join(p.strip() for p in out.splitlines())
    if "  " in out or "\n" in out:
        out = " ".join(out.split())
    return out if len(out) <= MAX_SOURCE else out[: MAX_SOURCE - 1] + "…"


def items(node: Node) -> list[Node]:
    """The items of a list, tuple, set, dict or argument list (starred items included).

    ``named_children``: a tree the visitor reads has no ERROR or MISSING node there, so the
    only unnamed children are brackets and commas, which it leaves out (tree-sitter's binding
    still makes their Node objects, building the full children list first).
    """
    return [c for c in node.named_children if KINDS[c.kind_id] != "comment"]


def dotted(src: bytes, node: Node) -> str | None:
    """``a.b.c`` for a name or attribute chain, else None."""
    kind = KINDS[node.kind_id]
    if kind == "identifier":  # ``ident``, inline
        raw = src[node.start_byte : node.end_byte]
        name = NAMES.get(raw)
        return name if name is not None else name_of(raw)
    if kind == "attribute":
        raw = src[node.start_byte : node.end_byte]
        name = DOTTED.get(raw)
        if name is not None:
            return name
        if _PLAIN_DOTTED.fullmatch(raw) is not None:
            # Written plainly, its text is its dotted name: no walk down the chain.
            name = _plain_chain(raw)
            if name is not None:
                return name
    parts: list[str] = []
    while kind == "attribute" or kind == "parenthesized_expression":
        if kind == "parenthesized_expression":
            node = unwrap(node)
            if KINDS[node.kind_id] == "parenthesized_expression":
                return None
        else:
            children = node.named_children  # [object, name] (the "." left out)
            attr = children[-1]
            if KINDS[attr.kind_id] != "identifier":
                return None
            parts.append(ident(src, attr))
            node = children[0]
        kind = KINDS[node.kind_id]
    if kind == "identifier":
        parts.append(ident(src, node))
        return ".".join(reversed(parts))
    return None


def plain_chain(raw: bytes) -> str | None:
    """``dotted`` of the name or attribute chain whose source ``raw`` is ASCII names joined by
    dots alone, from those bytes (no Node); None when a part is a keyword (``None.__class__``
    has no dotted name, ``True`` is no name)."""
    if raw.find(b".") < 0:
        if raw in _KEYWORD_BYTES:
            return None
        name = NAMES.get(raw)
        return name if name is not None else name_of(raw)
    name = DOTTED.get(raw)
    return name if name is not None else _plain_chain(raw)


def _plain_chain(raw: bytes) -> str | None:
    """``plain_chain`` of an attribute chain not read before (kept in ``DOTTED``)."""
    name = raw.decode("ascii")
    if not _KEYWORDS.isdisjoint(name.split(".")):
        return None
    if len(DOTTED) >= _KEPT:
        DOTTED.clear()
    DOTTED[raw] = name
    return name


def check_chain(node: Node) -> None:
    """Raise TooDeep for an operator chain longer than MAX_CHAIN (``1 + 1 + ...``)."""
    depth = 0
    while KINDS[node.kind_id] in _CHAINS:
        depth += 1
        if depth > MAX_CHAIN:
            raise TooDeep
        node = node.children[0]


def operands(node: Node) -> tuple[Node, str, Node]:
    """(left, operator, right) of a binary or boolean operator."""
    children = node.children
    if len(children) == 3:
        return children[0], KINDS[children[1].kind_id], children[2]
    ops = [c for c in children if KINDS[c.kind_id] != "comment"]
    return ops[0], KINDS[ops[1].kind_id], ops[-1]


def string_value(src: bytes, node: Node) -> str | None:
    """The value of a plain (or implicitly concatenated) str literal; None for f/t/bytes."""
    kind = KINDS[node.kind_id]
    if kind == "string":
        # Most literals are a quote, text without backslash or line end, and the same quote:
        # one ``fullmatch`` in the source says so and gives the text (no slice to search).
        start, end = node.start_byte, node.end_byte
        if PLAIN.fullmatch(src, start, end) is not None:
            return src[start + 1 : end - 1].decode("utf-8", "replace")  # between the quotes
        return _string(src[start:end])
    if kind == "concatenated_string":
        out: list[str] = []
        for part in node.children:
            if KINDS[part.kind_id] == "comment":
                continue
            value = string_value(src, part) if KINDS[part.kind_id] == "string" else None
            if value is None:
                return None
            out.append(value)
        return "".join(out)
    return None


def string_and_segment(src: bytes, node: Node) -> tuple[str | None, str]:
    """``(string_value(src, node), segment(src, node))`` of a string node: a plain one's from
    one slice of its source (its value is its text between the quotes, which has no line end)."""
    start, end = node.start_byte, node.end_byte
    if PLAIN.fullmatch(src, start, end) is not None:
        out = src[start:end].decode("utf-8", "replace")
        return out[1:-1], (out if len(out) <= MAX_SOURCE and "  " not in out else one_line(out))
    return string_value(src, node), segment(src, node)


def _string(raw: bytes) -> str | None:
    """``string_value`` of a string literal's source ``raw`` that is not a plain one."""
    first = raw[:1]
    if first == b'"' or first == b"'":
        if raw.find(b"\\") < 0 and raw.find(b"\r") < 0:
            n = 3 if raw[:3] in (b'"""', b"'''") else 1
            if len(raw) >= 2 * n:
                return raw[n:-n].decode("utf-8", "replace")
        value = _escaped_value(raw, 0)
        if value is not None:
            return value
    else:
        quote = 0
        while quote < len(raw) and raw[quote] not in (34, 39):  # " '
            quote += 1
        prefix = raw[:quote].lower()
        if b"f" in prefix or b"t" in prefix or b"b" in prefix:
            return None
        if prefix == b"r":
            body = _raw_body(raw, quote)
            if body is not None:
                return body.decode("utf-8", "replace")
        elif prefix == b"u":
            value = _escaped_value(raw, quote)
            if value is not None:
                return value
    import ast  # (not at start-up: a scan's process seldom needs it, ~17M instructions)

    try:
        value = ast.literal_eval(raw.decode("utf-8", "replace"))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _raw_body(raw: bytes, quote: int) -> bytes | None:
    """The text between the quotes of raw string literal ``raw`` (``r"..."``, its quote at
    ``quote``), which is its value, when plainly so: no quote of its kind, carriage return or
    NUL, no line end in a one-quote literal, not ending with a backslash; else None (``ast``
    reads it).
    Spares a process ``ast`` (~17M instructions of import) for the regexes usually written so."""
    parts = _quoted(raw, quote)
    if parts is None:
        return None
    body, mark = parts
    if body.find(mark) >= 0 or body.endswith(b"\\"):
        return None
    return body


def _quoted(raw: bytes, quote: int) -> tuple[bytes, bytes] | None:
    """(the text between the quotes, the quote character) of str literal ``raw`` (its quote at
    ``quote``) when it is closed and its text holds no carriage return, NUL, or line end in a
    one-quote literal; else None."""
    n = 3 if raw[quote : quote + 3] in (b'"""', b"'''") else 1
    mark = raw[quote : quote + n]
    if len(raw) < quote + 2 * n or not raw.endswith(mark):
        return None
    body = raw[quote + n : len(raw) - n]
    if body.find(b"\r") >= 0 or body.find(b"\x00") >= 0 or (n == 1 and body.find(b"\n") >= 0):
        return None
    return body, mark[:1]


#: A backslash that starts an escape other than ``\\n``, ``\\r``, ``\\t``, ``\\\\`` or a quote's.
_OTHER_ESCAPE = rb"\\(?![nrt\\\\'\"])"


def _escaped_value(raw: bytes, quote: int) -> str | None:
    """The value of str literal ``raw`` (no prefix but ``u``, its quote at ``quote``) whose
    text is ASCII, without carriage return, NUL or a line end in a one-quote literal, and whose
    escapes are all ``\\n``, ``\\r``, ``\\t``, ``\\\\``, ``\\'`` or ``\\"``: decoded as Python's
    parser decodes them (by the ``unicode_escape`` codec); else None (``ast`` reads it).
    Spares a process ``ast`` (~17M instructions of import) for the literals usually written."""
    parts = _quoted(raw, quote)
    if parts is None:
        return None
    body, mark = parts
    if (
        not body.isascii()
        or re.search(_OTHER_ESCAPE, body) is not None  # (compiled on first use)
        or re.sub(rb"\\.", b"", body).find(mark) >= 0  # an unescaped quote of its kind
    ):
        return None
    return body.decode("unicode_escape")


def number(src: bytes, node: Node) -> int | float | None:
    """An int or finite float literal, else None (complex, Python 2 ``0777``/``10L``)."""
    raw = src[node.start_byte : node.end_byte].decode("ascii", "replace")
    if KINDS[node.kind_id] == "integer":
        try:
            return int(raw, 0)
        except ValueError:
            if raw[-1:] in "jJ" or not raw[:1].isdigit():
                return None
            import ast

            try:
                value = ast.literal_eval(raw)
            except (SyntaxError, ValueError):
                return None
            return value if isinstance(value, int) else None
    if raw[-1:] in "jJ":
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value == value and value not in _INF else None


def literal(src: bytes, node: Node, depth: int = 0) -> Value:
    """Evaluate a literal without eval; anything else becomes ``{"$expr": source}``."""
    kind = KINDS[node.kind_id]
    if kind == "parenthesized_expression":
        node = unwrap(node)
        kind = KINDS[node.kind_id]
    if depth > MAX_DEPTH:
        return {"$expr": segment(src, node)}
    if kind == "string" or kind == "concatenated_string":
        value = string_value(src, node)
        if value is not None:
            return value
    elif kind == "integer" or kind == "float":
        value = number(src, node)
        if value is not None:
            return value
    elif kind == "true":
        return True
    elif kind == "false":
        return False
    elif kind == "none":
        return None
    elif kind in ("list", "tuple", "set", "expression_list"):
        return [literal(src, e, depth + 1) for e in items(node)]
    elif kind == "dictionary":
        return _dict(src, node, depth)
    elif kind == "unary_operator":
        op, arg = KINDS[node.children[0].kind_id], unwrap(node.children[-1])
        if (op == "-" or op == "+") and KINDS[arg.kind_id] in ("integer", "float"):
            value = number(src, arg)
            if value is not None:
                return -value if op == "-" else value
    elif kind == "binary_operator":
        check_chain(node)
        left, op, right = operands(node)
        if op in _FOLD_OPS:
            folded = _fold(op, literal(src, left, depth + 1), literal(src, right, depth + 1))
            if folded is not None:
                return folded
    elif kind == "call":
        return call_value(src, node, dotted(src, node.children[0]))
    elif kind == "boolean_operator":
        check_chain(node)
    return {"$expr": segment(src, node)}


def _dict(src: bytes, node: Node, depth: int) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for item in items(node):
        if KINDS[item.kind_id] == "pair":
            parts = [c for c in item.named_children if KINDS[c.kind_id] != "comment"]
            key_node = unwrap(parts[0])
            key = string_value(src, key_node)
            if key is None:
                key = segment(src, key_node)
            out[key] = literal(src, parts[-1], depth + 1)
        elif KINDS[item.kind_id] == "dictionary_splat":
            out["**"] = {"$expr": segment(src, unwrap(item.children[-1]))}
    return out


def call_value(src: bytes, node: Node, func: str | None) -> Value:
    """``literal`` of a call whose callee is ``func`` (its dotted name, or None)."""
    value = _gettext(src, node, func)
    return value if value is not None else source_value(src[node.start_byte : node.end_byte])


def source_value(raw: bytes) -> dict[str, str]:
    """The value of an expression that is no literal, from its source ``raw``: ``{"$expr":
    its segment}`` (this module's ``"$expr"``, the very str ``literal`` and ``call_value``
    put in their values: a summary's pickle keeps sharing it)."""
    return {"$expr": one_line(raw.decode("utf-8", "replace"))}


def _gettext(src: bytes, node: Node, name: str | None) -> str | None:
    """The string of ``_("text")`` (any GETTEXT callee ``name``), else None."""
    if not name or (name not in GETTEXT and name.rsplit(".", 1)[-1] not in GETTEXT):
        return None
    args = node.children[-1]
    if KINDS[args.kind_id] != "argument_list":
        return None
    start, end = args.start_byte + 1, args.end_byte - 1  # inside the brackets
    if PLAIN.fullmatch(src, start, end) is not None:
        # ``_("text")`` (most): its plain string, without the Node objects of the list.
        return src[start + 1 : end - 1].decode("utf-8", "replace")
    children = args.children
    if len(children) == 3 and KINDS[children[1].kind_id] == "string":
        return string_value(src, children[1])  # ``_( "text" )``: no list of its items
    given = items(args)
    if not given or any(
        KINDS[c.kind_id] in ("keyword_argument", "dictionary_splat") for c in given
    ):
        return None
    return string_value(src, unwrap(given[-1]))


def _fold(op: str, left: Value, right: Value) -> Value:
    """Constant arithmetic on literal numbers (``60 * 4``) and string concatenation."""
    nums = (int, float)
    if isinstance(left, bool) or isinstance(right, bool):
        return None
    if isinstance(left, nums) and isinstance(right, nums):
        if op in ("//", "%") and right == 0:
            return None
        if op == "+":
            result = left + right
        elif op == "-":
            result = left - right
        elif op == "*":
            result = left * right
        elif op == "//":
            result = left // right
        else:
            result = left % right
        return result if abs(result) < 10**15 else None
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        return left + right if len(left) + len(right) < 10_000 else None
    return None
