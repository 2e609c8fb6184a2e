"""Syntax questions over tree-sitter-go trees: walking, node lookups run as tree-sitter
queries (in C), enclosing nodes, statements of a block, calls and their callees, and the
function literals a `go` or `defer` statement runs."""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Iterator

from tree_sitter import Node, Query, QueryCursor

from ..source import GO_LANGUAGE, SourceFile

FUNCTION_TYPES = ("function_declaration", "method_declaration", "func_literal")


# ---------------------------------------------------------------------------- tree walking


def walk(node: Node, skip_functions: bool = False) -> Iterator[Node]:
    """Named descendants of ``node`` in source order (``node`` included)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        children = [c for c in n.named_children if not (skip_functions and c.type in FUNCTION_TYPES)]
        stack.extend(reversed(children))


@functools.lru_cache(maxsize=256)
def _query(types: tuple[str, ...]) -> Query | None:
    try:
        return Query(GO_LANGUAGE, "[" + " ".join(f"({t})" for t in types) + "] @n")
    except Exception:  # not a node type of this grammar version: fall back to walking
        return None


def of_type(node: Node | None, *types: str, skip_functions: bool = False) -> Iterator[Node]:
    """Descendants of ``node`` (itself included) of these types, in source order;
    ``skip_functions`` leaves out nested function bodies. Matching runs in tree-sitter's C
    query engine: walking every node in Python dominated the run time on real code."""
    if node is None:
        return iter(())
    key = tuple(sorted(set(types)))
    q = _query(key)
    if q is None:
        return (n for n in walk(node, skip_functions) if n.type in types)
    if node.parent is None:  # whole-file questions repeat across rules: remember the answers
        cached = _ROOT_ANSWERS.get((node.id, key, skip_functions))
        if cached is not None and cached[0] == node:
            return iter(cached[1])
    found = QueryCursor(q).captures(node).get("n", [])
    if skip_functions:
        found = [n for n in found if n == node or not _inside_function(n, node)]
    found.sort(key=lambda n: (n.start_byte, -n.end_byte))
    if node.parent is None:
        # the entry keeps its tree alive, so a node id cannot be reused by another tree
        _ROOT_ANSWERS[(node.id, key, skip_functions)] = (node, found)
        if len(_ROOT_ANSWERS) > 512:
            _ROOT_ANSWERS.popitem(last=False)
    return iter(found)


_ROOT_ANSWERS: OrderedDict = OrderedDict()


def _inside_function(n: Node, root: Node) -> bool:
    """Whether ``n`` is, or lies within, a function nested below ``root``."""
    while n is not None and n != root:
        if n.type in FUNCTION_TYPES:
            return True
        n = n.parent
    return False


def ancestors(node: Node) -> Iterator[Node]:
    n = node.parent
    while n is not None:
        yield n
        n = n.parent


def enclosing(node: Node, *types: str, stop_at: tuple[str, ...] = ()) -> Node | None:
    for a in ancestors(node):
        if a.type in types:
            return a
        if a.type in stop_at:
            return None
    return None


def enclosing_function(node: Node) -> Node | None:
    return enclosing(node, *FUNCTION_TYPES)


def is_within(node: Node, container: Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def statement_of(node: Node) -> Node:
    """The statement directly in a statement_list that holds ``node``."""
    n = node
    while n.parent is not None and n.parent.type != "statement_list":
        n = n.parent
    return n


def functions(root: Node) -> Iterator[Node]:
    return of_type(root, *FUNCTION_TYPES)


def body(fn: Node) -> Node | None:
    return fn.child_by_field_name("body")


def statements(block: Node | None) -> list[Node]:
    """The statements of a block (tree-sitter-go wraps them in a statement_list)."""
    if block is None:
        return []
    if block.type == "statement_list":
        return list(block.named_children)
    lst = next((c for c in block.named_children if c.type == "statement_list"), None)
    return [c for c in lst.named_children if c.type != "comment"] if lst else []


# ---------------------------------------------------------------------------- calls


def callee(sf: SourceFile, call: Node) -> tuple[str | None, str] | None:
    """(import path, name) for ``pkg.Name(...)`` calls through an import, (None, name) for
    ``Name(...)``, None otherwise."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "identifier":
        return None, sf.text(fn)
    if fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier":
            path = sf.imports.get(sf.text(operand))
            if path is not None:
                return path, sf.text(fn.child_by_field_name("field"))
    return None


def is_call_to(sf: SourceFile, node: Node | None, import_path: str, names: tuple[str, ...] | set[str]) -> bool:
    if node is None or node.type != "call_expression":
        return False
    c = callee(sf, node)
    return c is not None and c[0] == import_path and c[1] in names


def method_call(sf: SourceFile, node: Node) -> tuple[Node, str] | None:
    """For ``x.M(...)`` return (x, "M")."""
    if node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return None
    return fn.child_by_field_name("operand"), sf.text(fn.child_by_field_name("field"))


def arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args else []


def is_receive(sf: SourceFile, node: Node | None) -> bool:
    """Whether ``node`` is a receive expression ``<-ch``."""
    return (
        node is not None
        and node.type == "unary_expression"
        and sf.text(node.child_by_field_name("operator")) == "<-"
    )


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node

def _literal_run_by(node: Node, statement_type: str) -> Node | None:
    """The ``go``/``defer`` statement that calls func_literal ``node`` directly, if any."""
    if node.type != "func_literal":
        return None
    call = node.parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != node:
        return None
    stmt = call.parent
    return stmt if stmt is not None and stmt.type == statement_type else None


def goroutine_literal(node: Node) -> Node | None:
    """If ``node`` is a func_literal started by ``go func(){...}()``, return its go_statement."""
    return _literal_run_by(node, "go_statement")


def enclosing_goroutine(node: Node, within: Node | None = None) -> Node | None:
    """The nearest ``go func(){...}`` literal around ``node`` (not crossing ``within``)."""
    for a in ancestors(node):
        if within is not None and a == within:
            return None
        if a.type == "func_literal" and goroutine_literal(a) is not None:
            return a
        if a.type in ("function_declaration", "method_declaration"):
            return None
    return None


def sole_goroutine(nodes, within: Node) -> Node | None:
    """The ``go func(){...}`` literal inside ``within`` that holds all of ``nodes``, if one does."""
    goroutines = {enclosing_goroutine(n, within=within) for n in nodes}
    return goroutines.pop() if len(goroutines) == 1 else None


def following(stmt: Node) -> list[Node]:
    """The siblings after ``stmt`` (comments included): the rest of its block."""
    out = []
    n = stmt.next_named_sibling
    while n is not None:
        out.append(n)
        n = n.next_named_sibling
    return out

def deferred_literal(node: Node) -> Node | None:
    """If ``node`` is a func_literal run by ``defer func(){...}()``, return its defer_statement."""
    return _literal_run_by(node, "defer_statement")
