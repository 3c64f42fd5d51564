"""PEP 798 dict unpacking in comprehensions (Python 3.15), which tree-sitter-python 0.25 does
not read.

``{**d for d in dicts}`` merges dicts; the grammar reads ``[*it for it in its]``, ``{*it for it
in its}`` and ``(*it for it in its)`` (the other forms of the PEP) but not the ``**`` one, and its
error recovery takes the statement holding it (a field whose default is one would be lost).
Before a file with errors is recovered, the ``**`` of each such comprehension is blanked to
`` *`` (same length: every other byte, line and column stays where it was), which the grammar
reads as the set comprehension of the same shape: djatlas does not evaluate comprehensions, and
their text is taken from the file as written (``reader._recovered``).
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # typing is not imported at run time (start-up)
if TYPE_CHECKING:
    from typing import Any

    Node = Any


def blank_dict_unpacking(source: bytes, root: Node, parse: Callable[[bytes], Node]) -> bytes:
    """``source`` (whose tree is ``root``) with the ``**`` of each dict comprehension that
    unpacks blanked to `` *`` (``source`` itself when there is none)."""
    if source.find(b"**") < 0 or source.find(b"for") < 0:
        return source
    out: bytearray | None = None
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.type == "dictionary" and _unpacks(source, child, parse):
                if out is None:
                    out = bytearray(source)
                at = child.named_children[0].start_byte
                out[at : at + 2] = b" *"
            elif child.has_error:
                stack.append(child)
    return source if out is None else bytes(out)


def _unpacks(source: bytes, node: Node, parse: Callable[[bytes], Node]) -> bool:
    """Whether the broken ``dictionary`` node is ``{**x for ...}``: its first item a ``**``
    and, with that one ``*``, a set comprehension that parses clean alone."""
    if not node.has_error or not node.named_child_count:
        return False
    splat = node.named_children[0]
    if splat.type != "dictionary_splat":
        return False
    text = source[node.start_byte : node.end_byte]
    at = splat.start_byte - node.start_byte
    tree = parse(text[:at] + b" *" + text[at + 2 :])
    if tree.has_error or tree.named_child_count != 1:
        return False
    statement = tree.named_children[0]
    return statement.named_child_count == 1 and (
        statement.named_children[0].type == "set_comprehension"
    )
