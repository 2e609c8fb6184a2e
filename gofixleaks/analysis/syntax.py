"""Syntax questions over tree-sitter-go trees: walking, node lookups run as tree-sitter
queries (in C), enclosing nodes, statements of a block, calls and their callees, and the
function literals a `go` or `defer` statement runs."""

from __future__ import annotations

import bisect
import functools
import operator
from collections import OrderedDict
from typing import Iterator

from tree_sitter import Node, Query, QueryCursor

from ..source import GO_LANGUAGE, SourceFile, owner_of

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
    ``skip_functions`` leaves out nested function bodies.

    Walking every node in Python dominated the run time on real code, and so did running a
    tree-sitter query per question: a query costs in proportion to the tree it runs over.
    So each file is indexed once, by one query for every statement-level type the rules
    ask about, and a question about any node of it is answered by bisecting that index;
    other types are queried over the node asked about."""
    if node is None:
        return iter(())
    key = tuple(sorted(set(types)))
    if all(t in _INDEXED for t in key):
        ix = _index(_root(node))
        if node.parent is None and skip_functions:  # asked per finding by some rules: kept
            if (key, True) not in ix.answers:
                ix.answers[key, True] = ix.outside_functions(node, ix.within(node, key))
            return iter(ix.answers[key, True])
        found = ix.within(node, key)
        if skip_functions:
            found = ix.outside_functions(node, found)
        return iter(found)
    q = _query(key)
    if q is None:
        return (n for n in walk(node, skip_functions) if n.type in types)
    answers = _index(node).answers if node.parent is None else None  # whole-file questions repeat across rules
    if answers is not None and (key, skip_functions) in answers:
        return iter(answers[key, skip_functions])
    found = QueryCursor(q).captures(node).get("n", [])
    if skip_functions:
        found = [n for n in found if n == node or not _inside_function(n, node)]
    by_position(found)
    if answers is not None:
        answers[key, skip_functions] = found
    return iter(found)

# What one query per file indexes: the types rules ask about most, none of them so
# numerous (identifiers, say) that bucketing them in Python costs more than it saves. A
# query costs about a third of the parse whatever it looks for (it walks the tree), so a
# type asked of every function (selectors: the facts' field reads) belongs here.
_INDEXED = frozenset({
    "function_declaration", "method_declaration", "func_literal",
    "call_expression", "go_statement", "defer_statement", "for_statement", "select_statement",
    "send_statement", "return_statement", "goto_statement", "break_statement", "continue_statement",
    "short_var_declaration", "var_spec", "const_spec", "var_declaration", "assignment_statement",
    "inc_statement", "dec_statement", "expression_statement", "range_clause", "type_spec",
    "import_spec", "interface_type", "field_declaration", "parameter_declaration",
    "variadic_parameter_declaration", "labeled_statement", "if_statement", "communication_case",
    "selector_expression", "literal_value",
})


_INDEX_QUERY = Query(GO_LANGUAGE, "[" + " ".join(f"({t}) @{t}" for t in sorted(_INDEXED)) + "]")


_START, _END = operator.attrgetter("start_byte"), operator.attrgetter("end_byte")


def by_position(nodes: list[Node]) -> None:
    """Sort ``nodes`` in place by start, the longer first where two start together (an outer
    node before an inner one): two stable sorts on C key functions, as a key building a
    tuple per node cost a tenth of indexing a file."""
    nodes.sort(key=_END, reverse=True)
    nodes.sort(key=_START)


def _root(node: Node) -> Node:
    while True:
        parent = node.parent
        if parent is None:
            return node
        node = parent


class _Index:
    """The nodes of one tree of the _INDEXED types, by type, sorted by position."""

    def __init__(self, root: Node) -> None:
        self.root = root  # keeps the tree alive, so its node ids stay unique
        # one capture name per type: the query hands the nodes back bucketed by type, so no
        # node's type is looked at
        self.by_type: dict[str, tuple[list[int], list[Node]]] = {}
        for kind, nodes in QueryCursor(_INDEX_QUERY).captures(root).items():
            by_position(nodes)
            self.by_type[kind] = ([n.start_byte for n in nodes], nodes)
        # other whole-file questions, answered by a query each: (types, skip_functions) -> nodes
        self.answers: dict[tuple[tuple[str, ...], bool], list[Node]] = {}

    def within(self, node: Node, types: tuple[str, ...]) -> list[Node]:
        if node == self.root:
            out = [n for t in types for n in self.by_type.get(t, ((), ()))[1]]
        else:
            out = []
            lo, hi = node.start_byte, node.end_byte
            for t in types:
                starts, nodes = self.by_type.get(t, ((), ()))
                i = bisect.bisect_left(starts, lo)
                j = bisect.bisect_left(starts, hi, i) if hi > lo else bisect.bisect_right(starts, lo, i)
                for n in nodes[i:j]:
                    end = n.end_byte
                    if end < hi or (end == hi and (n.start_byte != lo or n == node or not _encloses(n, node))):
                        out.append(n)
        if len(types) > 1:
            by_position(out)
        return out

    def outside_functions(self, node: Node, found: list[Node]) -> list[Node]:
        """``found`` without what lies in a function nested below ``node``."""
        inner = [f for f in self.within(node, FUNCTION_TYPES) if f != node]
        if not inner:
            return found
        starts = [f.start_byte for f in inner]
        furthest, max_end = -1, []
        for f in inner:
            furthest = max(furthest, f.end_byte)
            max_end.append(furthest)
        out = []
        for n in found:
            i = bisect.bisect_right(starts, n.start_byte) - 1
            if n == node or i < 0 or max_end[i] < n.end_byte:
                out.append(n)
        return out


def _encloses(n: Node, node: Node) -> bool:
    """Whether ``n``, whose span lies within ``node``'s, is an ancestor of ``node`` (only
    possible when the spans are equal)."""
    if n.start_byte != node.start_byte or n.end_byte != node.end_byte:
        return False
    return any(x == n for x in ancestors(node))


# The indexes of the last trees no SourceFile owns (a parse of a snippet). Each keeps its
# tree alive, so node ids stay unique; a tree takes about 30 times its file's size.
_UNOWNED: OrderedDict[int, _Index] = OrderedDict()


def _index(root: Node) -> _Index:
    """A tree's index: on the SourceFile that owns the tree (it lives and dies with it)."""
    owner = owner_of(root)
    if owner is not None:
        return owner.cached("syntax-index", lambda: _Index(root))
    ix = _UNOWNED.get(root.id)
    if ix is None or ix.root != root:
        ix = _UNOWNED[root.id] = _Index(root)
        if len(_UNOWNED) > 2:
            _UNOWNED.popitem(last=False)
    return ix


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


def flat(sf: SourceFile, node: Node) -> str:
    """``node``'s text without any white space: ``s. mu`` and ``s.mu`` name one path."""
    return "".join(sf.text(node).split())


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
    ``Name(...)``, None otherwise. Memoised on the file: rules ask it of every call, each
    rule again (a call's span is unique among the calls of a tree)."""
    if call.type != "call_expression":
        return _callee(sf, call)
    memo = sf.cached("callees", dict)
    key = (call.start_byte, call.end_byte)
    if key not in memo:
        memo[key] = _callee(sf, call)
    return memo[key]


def _callee(sf: SourceFile, call: Node) -> tuple[str | None, str] | None:
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


def calls_named(sf: SourceFile, names: tuple[str, ...] | set[str] | frozenset[str]) -> list[Node]:
    """The file's calls of a function or method named one of ``names`` (``f(...)``,
    ``x.f(...)``, ``pkg.f(...)``), in source order. A rule after a few callees asks this
    rather than resolving each of the file's calls: rules did so for every call, each rule
    again, which cost more than the parse on real services."""
    by_name = sf.cached("calls-by-name", lambda: _calls_by_name(sf))
    found = [c for n in set(names) for c in by_name.get(n, ())]
    by_position(found)
    return found


def _calls_by_name(sf: SourceFile) -> dict[str, list[Node]]:
    out: dict[str, list[Node]] = {}
    for call in of_type(sf.root, "call_expression"):
        fn = call.child_by_field_name("function")
        name = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        if name is not None and name.type in ("identifier", "field_identifier"):
            out.setdefault(sf.text(name), []).append(call)
    return out


def is_call_to(sf: SourceFile, node: Node | None, import_path: str, names: tuple[str, ...] | set[str]) -> bool:
    if node is None or node.type != "call_expression":
        return False
    c = callee(sf, node)
    return c is not None and c[0] == import_path and c[1] in names


def receiver_name(sf: SourceFile, method: Node) -> str | None:
    """The name a method declaration gives its receiver (``s`` in ``func (s *S) m()``);
    None for an unnamed receiver or a function."""
    recv = method.child_by_field_name("receiver")
    decl = next(of_type(recv, "parameter_declaration"), None) if recv is not None else None
    names = decl.children_by_field_name("name") if decl is not None else []
    return sf.text(names[0]) if names else None


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


def signal_notified(sf: SourceFile, name: str, within: Node | None = None) -> bool:
    """Whether ``signal.Notify(name, ...)`` registers channel ``name`` in ``within`` (the
    whole file by default): its sender is the runtime, which never goes away, and its values
    come when a person or a supervisor sends a signal."""
    return any(
        is_call_to(sf, c, "os/signal", ("Notify",)) and (args := arguments(c)) and sf.text(args[0]) == name
        for c in of_type(within if within is not None else sf.root, "call_expression")
    )


def signal_ops(sf: SourceFile, fn: Node) -> tuple[frozenset[str], frozenset[str]]:
    """What ``fn``'s body (its closures included) sends on or closes, and the names it calls.
    Kept on the file: every goroutine asks it of the functions it reaches, which made a file
    with thousands of goroutines quadratic."""
    memo = sf.cached("signal-ops", dict)
    if fn.id not in memo:
        block = body(fn)
        signalled, called = set(), set()
        for n in of_type(block, "send_statement", "call_expression") if block is not None else ():
            if n.type == "send_statement":
                signalled.add(sf.text(n.child_by_field_name("channel")))
                continue
            callee = n.child_by_field_name("function")
            args = arguments(n)
            if sf.text(callee) == "close" and args:
                signalled.add(sf.text(args[0]))
            name = callee.child_by_field_name("field") if callee.type == "selector_expression" else callee
            if name is not None:
                called.add(sf.text(name))
        memo[fn.id] = (frozenset(signalled), frozenset(called))
    return memo[fn.id]
