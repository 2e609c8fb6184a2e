"""Shared by time-tick and time-after-in-loop, which replace a throwaway time.Tick/time.After
channel with a named ticker or timer that the function stops when it returns; ``fresh_name``
also serves the goroutine rules."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.source import SourceFile


def fresh_name(sf: SourceFile, near: Node, base: str, avoid: set[str]) -> str:
    """A free name (see ``analysis.free_name``) that is not in ``avoid`` either: the names
    this pass already gave to fixes in the same function, applied in the same round."""
    i = 1
    while True:
        name = base if i == 1 else f"{base}{i}"
        if name not in avoid and a.free_name(sf, near, name) == name:
            return name
        i += 1


def package_of(sf: SourceFile, call: Node) -> str:
    """The local name under which ``call``'s package is imported (``time``, ``clock``)."""
    return sf.text(call.child_by_field_name("function").child_by_field_name("operand"))


def top_level(node: Node) -> Node:
    while node.parent is not None and node.parent.type != "source_file":
        node = node.parent
    return node
