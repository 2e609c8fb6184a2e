"""Shared facts over Go syntax trees, so rules ask questions instead of walking trees.

Scopes and bindings (a local name and the identifiers that refer to it, shadowing aside),
how each use treats a value (method call, returned, stored, passed on, captured by a
goroutine), goroutine bodies, loops, what cancellation signal is in scope, fresh names, and
whether a statement runs on every path out of its region.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator

from tree_sitter import Node, Query, QueryCursor

from .source import GO_LANGUAGE, SourceFile

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


# ---------------------------------------------------------------------------- bindings


@dataclass(frozen=True)
class Binding:
    """A local name introduced by ``:=``, ``var`` or ``=`` (to a fresh local) and its value."""

    name: str
    ident: Node  # the identifier on the left
    statement: Node  # the declaring statement (short_var_declaration, var_declaration, ...)
    value: Node | None  # the expression assigned to this name, if one-to-one
    index: int  # position among the left-hand names
    function: Node  # the function (declaration or literal) that declares it


def assignments(sf: SourceFile, value: Node) -> Binding | None:
    """The binding that ``value`` initialises when ``value`` is the right-hand side of a
    declaration or assignment of one or more plain identifiers (``a, b := f()`` included)."""
    rhs = value.parent
    if rhs is None or rhs.type != "expression_list":
        return None
    stmt = rhs.parent
    if stmt is None or stmt.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return None
    if stmt.type == "assignment_statement" and sf.text(stmt.child_by_field_name("operator")) != "=":
        return None
    lefts, values = left_names(stmt), list(rhs.named_children)
    fn = enclosing_function(stmt)
    if fn is None or len(values) != len(lefts):
        return None
    i = values.index(value)
    if lefts[i].type != "identifier":
        return None
    decl = var_declaration_of(stmt) if stmt.type == "var_spec" else stmt
    return Binding(sf.text(lefts[i]), lefts[i], decl, value, i, fn)


def tuple_binding(sf: SourceFile, stmt: Node, index: int) -> Binding | None:
    """The ``index``-th name of a multi-value declaration such as ``ctx, cancel := f()``."""
    lefts = left_names(stmt)
    decl = var_declaration_of(stmt) if stmt.type == "var_spec" else stmt
    if index >= len(lefts) or lefts[index].type != "identifier":
        return None
    fn = enclosing_function(stmt)
    if fn is None:
        return None
    ident = lefts[index]
    return Binding(sf.text(ident), ident, decl, None, index, fn)


def left_names(stmt: Node) -> list[Node]:
    """The targets on the left of a short_var_declaration, assignment_statement or var_spec."""
    if stmt.type == "var_spec":
        return list(stmt.children_by_field_name("name"))
    left = stmt.child_by_field_name("left")
    return list(left.named_children) if left is not None else []


def declares(sf: SourceFile, node: Node, name: str) -> bool:
    """Whether statement/clause ``node`` declares ``name`` for what follows it."""
    t = node.type
    if t == "short_var_declaration" or (t == "range_clause" and _is_define(node)) or (
        t == "receive_statement" and _is_define(node)
    ):
        left = node.child_by_field_name("left")
        return left is not None and any(sf.text(c) == name for c in left.named_children if c.type == "identifier")
    if t in ("var_declaration", "const_declaration"):
        return any(
            sf.text(n) == name
            for spec in specs(node)
            for n in spec.children_by_field_name("name")
        )
    if t == "type_switch_statement":
        alias = node.child_by_field_name("alias")
        return alias is not None and any(sf.text(c) == name for c in alias.named_children)
    return False


def specs(decl: Node) -> list[Node]:
    """The specs of a var/const/type declaration, whether written alone or in a ( ) block."""
    out = []
    for c in decl.named_children:
        if c.type in ("var_spec_list", "const_spec_list", "type_spec_list"):
            out += [s for s in c.named_children if s.type.endswith("_spec")]
        elif c.type.endswith("_spec"):
            out.append(c)
    return out


def var_declaration_of(spec: Node) -> Node:
    """The var_declaration statement around a var_spec (through a ( ) block's list)."""
    n = spec.parent
    return n.parent if n is not None and n.type == "var_spec_list" else n


def _is_define(node: Node) -> bool:
    return any(c.type == ":=" for c in node.children)


def _params_declare(sf: SourceFile, fn: Node, name: str) -> bool:
    for field in ("parameters", "result", "receiver"):
        plist = fn.child_by_field_name(field)
        if plist is None:
            continue
        for p in of_type(plist, "identifier"):
            if sf.text(p) == name:
                return True
    return False


_HEADER_SCOPES = (
    "for_statement",
    "if_statement",
    "expression_switch_statement",
    "type_switch_statement",
    "communication_case",
)
_HEADERS = ("range_clause", "for_clause", "short_var_declaration", "receive_statement")


def _header(node: Node) -> list[Node]:
    out = [c for c in node.named_children if c.type in _HEADERS]
    init = node.child_by_field_name("initializer")
    return out + ([init] if init is not None and init not in out else [])


def references(sf: SourceFile, binding: Binding) -> list[Node]:
    """Identifiers after the declaration that refer to ``binding`` (shadowing respected)."""
    name = binding.name
    out: list[Node] = []

    def values_of(decl: Node) -> None:
        # a redeclaration's right-hand side is evaluated in the outer scope
        for side in ("right", "value"):
            v = decl.child_by_field_name(side)
            if v is not None:
                visit(v)
        if decl.type == "var_declaration":
            for spec in specs(decl):
                values_of(spec)

    def visit_list(stmts) -> None:
        for stmt in stmts:
            if declares(sf, stmt, name):
                values_of(stmt)
                return
            visit(stmt)

    def visit(node: Node) -> None:
        t = node.type
        if t == "identifier":
            if sf.text(node) == name:
                out.append(node)
            return
        if t == "func_literal" and _params_declare(sf, node, name):
            return
        if t == "statement_list":
            visit_list(node.named_children)
            return
        if t in _HEADER_SCOPES:
            header = _header(node)
            if any(declares(sf, h, name) for h in header) or (t == "type_switch_statement" and declares(sf, node, name)):
                for h in header:
                    values_of(h)
                return
        for c in node.named_children:
            visit(c)

    decl = binding.statement
    scope = decl.parent
    if scope is not None and scope.type == "statement_list":
        visit_list(following(decl))
    elif scope is not None:
        # declared in an if/for/switch header: the rest of that statement is its scope
        for c in scope.named_children:
            if c != decl:
                visit(c)
    return out


# ---------------------------------------------------------------------------- uses


@dataclass(frozen=True)
class Use:
    ident: Node
    kind: str  # see classify()
    detail: str = ""  # method or field name, or the callee


def classify(sf: SourceFile, ident: Node) -> Use:
    """How an identifier use treats its value.

    kinds: "method" (x.M(...)), "field" (x.F read, detail F), "assigned" (x = ...),
    "returned", "stored" (put in a field, global, map, slice, composite literal, another
    variable, sent on a channel), "argument" (passed to a call; detail: the callee text),
    "address" (&x), "deferred-method"/"go-method" (defer/go x.M()), "called" (x(...), a
    func value such as a cancel func), "deferred-call"/"go-call" (defer/go x(...)), "other".
    """
    parent = ident.parent
    if parent is None:
        return Use(ident, "other")
    pt = parent.type
    if pt == "selector_expression" and parent.child_by_field_name("operand") == ident:
        member = sf.text(parent.child_by_field_name("field"))
        gp = parent.parent
        if gp is not None and gp.type == "call_expression" and gp.child_by_field_name("function") == parent:
            ggp = gp.parent
            if ggp is not None and ggp.type == "defer_statement":
                return Use(ident, "deferred-method", member)
            if ggp is not None and ggp.type == "go_statement":
                return Use(ident, "go-method", member)
            return Use(ident, "method", member)
        return Use(ident, "field", member)
    if pt == "expression_list":
        holder = parent.parent
        if holder is not None and holder.type == "return_statement":
            return Use(ident, "returned")
        if holder is not None and holder.type in ("assignment_statement", "short_var_declaration", "var_spec"):
            left = holder.child_by_field_name("left")
            if left is not None and parent == left:
                return Use(ident, "assigned")
            return Use(ident, "stored")
    if pt == "return_statement":
        return Use(ident, "returned")
    if pt == "argument_list":
        call = parent.parent
        fn = call.child_by_field_name("function") if call is not None else None
        return Use(ident, "argument", sf.text(fn) if fn is not None else "")
    if pt == "unary_expression" and sf.text(parent.child_by_field_name("operator")) == "&":
        return Use(ident, "address")
    if pt in ("keyed_element", "literal_element", "literal_value", "send_statement", "index_expression"):
        if pt == "send_statement" and parent.child_by_field_name("channel") == ident:
            return Use(ident, "other", "send")
        if pt == "index_expression" and parent.child_by_field_name("operand") == ident:
            return Use(ident, "other", "index")
        return Use(ident, "stored")
    if pt == "var_spec":
        return Use(ident, "stored")
    if pt == "call_expression" and parent.child_by_field_name("function") == ident:
        holder = parent.parent.type if parent.parent is not None else ""
        return Use(ident, {"defer_statement": "deferred-call", "go_statement": "go-call"}.get(holder, "called"))
    return Use(ident, "other")


def escapes(use: Use) -> bool:
    """The value leaves the function's hands: someone else may stop/close/cancel it."""
    return use.kind in ("returned", "stored", "argument", "address", "assigned")


# ---------------------------------------------------------------------------- goroutines and loops


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


def loops_between(node: Node, outer: Node) -> list[Node]:
    """for_statements enclosing ``node`` inside ``outer`` (innermost first)."""
    out = []
    for a in ancestors(node):
        if a == outer:
            break
        if a.type == "for_statement":
            out.append(a)
    return out


def loop_kind(sf: SourceFile, loop: Node) -> str:
    """"range", "counted" (for i := 0; i < n; i++), "endless" (for {}), or "cond"."""
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        cond = [c for c in loop.named_children if c.type not in ("block", "comment")]
        return "cond" if cond else "endless"
    if clause.type == "range_clause":
        return "range"
    if clause.child_by_field_name("condition") is None:
        return "endless"
    return "counted" if clause.child_by_field_name("initializer") is not None else "cond"


# ---------------------------------------------------------------------------- control flow


_JUMPS = ("return_statement", "goto_statement")


def exits_between(stmts: list[Node]) -> bool:
    """Whether any of ``stmts`` can leave the enclosing region (return, goto, a break or
    continue that targets a statement outside them, a call to panic/os.Exit aside)."""
    for stmt in stmts:
        for n in of_type(stmt, *_JUMPS, "break_statement", "continue_statement", skip_functions=True):
            if n.type in _JUMPS or n.named_children or not _inside_breakable(n, stmt, n.type):
                return True
    return False


def _inside_breakable(jump: Node, top: Node, kind: str) -> bool:
    """Whether unlabeled ``jump`` is caught inside ``top`` (``top`` included): a continue by
    a loop, a break by any breakable statement."""
    targets = ("for_statement",) if kind == "continue_statement" else _BREAKABLE
    for a in ancestors(jump):
        if a.type in targets:
            return True
        if a == top:
            return False
    return False


def runs_on_every_path(sf: SourceFile, stmt: Node, region_start: Node | None) -> bool:
    """Whether statement ``stmt`` is reached on every path that passes ``region_start``.

    Both must be in one statement list (``region_start`` None: from the list's start) and no
    statement in between may jump out. A deferred call that is reached runs at every exit.
    """
    lst = stmt.parent
    if lst is None or lst.type != "statement_list":
        return False
    siblings = list(lst.named_children)
    if region_start is not None and region_start not in siblings:
        return False
    start = siblings.index(region_start) + 1 if region_start is not None else 0
    end = siblings.index(stmt)
    return start <= end and not exits_between(siblings[start:end])


# ---------------------------------------------------------------------------- cancellation


_DONE_NAMES = ("done", "stop", "quit", "exit", "clos", "cancel", "shutdown", "die")  # word stems


@dataclass(frozen=True)
class Cancellation:
    """A cancellation signal visible at some point: a context or a done channel."""

    name: str  # an expression usable at that point: ctx, s.ctx, done
    kind: str  # "context" or "channel"
    assumed: bool = False  # a parameter context plumbing will add (see assuming_context)

    def done_expr(self) -> str:
        return f"{self.name}.Done()" if self.kind == "context" else self.name


def _is_context_type(sf: SourceFile, type_node: Node | None) -> bool:
    if type_node is None or type_node.type != "qualified_type":
        return False
    pkg = sf.text(type_node.child_by_field_name("package"))
    return sf.imports.get(pkg) == "context" and sf.text(type_node.child_by_field_name("name")) == "Context"


def _is_done_channel(sf: SourceFile, name: str, type_node: Node | None) -> bool:
    if type_node is None or type_node.type != "channel_type":
        return False
    if "<-" in sf.text(type_node).split("chan")[-1]:
        return False  # send-only: cannot be received from
    value = type_node.child_by_field_name("value")
    return (
        value is not None
        and sf.text(value).replace(" ", "") == "struct{}"
        and names_a_signal(name)
    )


def names_a_signal(name: str) -> bool:
    """Whether an identifier reads as a done/stop signal: one of its words (camelCase or
    snake_case) starts with done, stop, quit, ... (``doneCh``, ``stopc``, ``closing``), and
    not merely contains one (``studies``, ``equity``)."""
    words = re.findall(r"[a-z]+|[A-Z][a-z]*", name)
    return any(w.lower().startswith(_DONE_NAMES) for w in words)


def _typed_signal(sf: SourceFile, expr: str, name: str, type_node: Node | None) -> list[Cancellation]:
    """``expr`` (a parameter, local or field called ``name``) as the signal its declared type
    makes it, if any."""
    if _is_context_type(sf, type_node):
        return [Cancellation(expr, "context")]
    if _is_done_channel(sf, name, type_node):
        return [Cancellation(expr, "channel")]
    return []


# Context plumbing asks rules "what would you fix if this function had a ctx parameter?":
# while set, the named functions of the file being matched act as if they had one.
_ASSUMED: ContextVar[dict[tuple[str, str], str] | None] = ContextVar("assumed_contexts", default=None)


def function_key(sf: SourceFile, fn: Node) -> tuple[str, str] | None:
    """(name, receiver type name) of a function or method declaration; "" for functions."""
    name = fn.child_by_field_name("name")
    if name is None or fn.type not in ("function_declaration", "method_declaration"):
        return None
    recv = ""
    if fn.type == "method_declaration":
        decl = next(of_type(fn.child_by_field_name("receiver"), "parameter_declaration"), None)
        typ = decl.child_by_field_name("type") if decl is not None else None
        recv = sf.text(typ).lstrip("*").split("[")[0].strip() if typ is not None else ""
    return sf.text(name), recv


@contextmanager
def assuming_context(functions: dict[tuple[str, str], str]):
    """Within the block, functions with these keys have a context parameter of that name."""
    token = _ASSUMED.set(functions)
    try:
        yield
    finally:
        _ASSUMED.reset(token)


def cancellation_in_scope(sf: SourceFile, node: Node) -> list[Cancellation]:
    """Contexts and done channels visible at ``node``: parameters of enclosing functions
    and locals declared before it (``ctx, cancel := context.WithCancel(...)`` included)."""
    found: list[Cancellation] = []
    assumed = _ASSUMED.get() or {}
    for fn in [a for a in ancestors(node) if a.type in FUNCTION_TYPES]:
        if assumed and fn.type != "func_literal" and function_key(sf, fn) in assumed:
            found.append(Cancellation(assumed[function_key(sf, fn)], "context", assumed=True))
        params = fn.child_by_field_name("parameters")
        for p in of_type(params, "parameter_declaration") if params is not None else ():
            typ = p.child_by_field_name("type")
            for ident in p.children_by_field_name("name"):
                if sf.text(ident) != "_":
                    found.extend(_typed_signal(sf, sf.text(ident), sf.text(ident), typ))
        b = body(fn)
        for d in of_type(b, "short_var_declaration", "var_spec", skip_functions=True) if b is not None else ():
            if d.start_byte < node.start_byte and is_within(node, _scope_of(d)):
                found.extend(_declared_cancellations(sf, d))
        if fn.type == "method_declaration":
            found.extend(_receiver_contexts(sf, fn))
    seen: set[str] = set()
    return [c for c in found if not (c.name in seen or seen.add(c.name))]


def _scope_of(decl: Node) -> Node:
    """Where a local declared by ``decl`` is visible: its block, or the if/for/switch whose
    header declares it. A name from an earlier, closed block is not in scope later."""
    stmt = var_declaration_of(decl) if decl.type == "var_spec" else decl
    return stmt.parent if stmt.parent is not None else stmt


_CONTEXT_MAKERS = (
    "WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause",
    "WithoutCancel", "WithValue", "Background", "TODO",
)


def _declared_cancellations(sf: SourceFile, d: Node) -> list[Cancellation]:
    if d.type == "var_spec":
        typ = d.child_by_field_name("type")
        return [c for ident in d.children_by_field_name("name") for c in _typed_signal(sf, sf.text(ident), sf.text(ident), typ)]
    left = d.child_by_field_name("left")
    right = d.child_by_field_name("right")
    if left is None or right is None:
        return []
    names, values = left.named_children, right.named_children
    out = []
    first = names[0] if names else None
    if len(values) == 1 and first is not None and first.type == "identifier" and sf.text(first) != "_" and is_call_to(
        sf, values[0], "context", _CONTEXT_MAKERS
    ):
        out.append(Cancellation(sf.text(first), "context"))
    for ident, value in zip(names, values):
        args = arguments(value) if value.type == "call_expression" and sf.text(value.child_by_field_name("function")) == "make" else []
        if len(args) == 1 and ident.type == "identifier" and _is_done_channel(sf, sf.text(ident), args[0]):
            out.append(Cancellation(sf.text(ident), "channel"))
    return out


def _receiver_contexts(sf: SourceFile, method: Node) -> list[Cancellation]:
    """``s.ctx`` when the receiver's struct (declared in this file) has a context.Context field."""
    recv = method.child_by_field_name("receiver")
    decl = next(of_type(recv, "parameter_declaration"), None) if recv is not None else None
    if decl is None:
        return []
    names = decl.children_by_field_name("name")
    typ = decl.child_by_field_name("type")
    if not names or typ is None:
        return []
    type_name = function_key(sf, method)[1]
    for spec in of_type(sf.root, "type_spec"):
        if sf.text(spec.child_by_field_name("name")) != type_name:
            continue
        st = spec.child_by_field_name("type")
        if st is None or st.type != "struct_type":
            return []
        out = []
        for fd in of_type(st, "field_declaration"):
            ftype = fd.child_by_field_name("type")
            for fname in fd.children_by_field_name("name"):
                out.extend(_typed_signal(sf, f"{sf.text(names[0])}.{sf.text(fname)}", sf.text(fname), ftype))
        return out
    return []


# ---------------------------------------------------------------------------- names


def names_in(sf: SourceFile, node: Node) -> set[str]:
    return {sf.text(n) for n in of_type(node, "identifier", "type_identifier", "package_identifier")}


def free_name(sf: SourceFile, near: Node, base: str) -> str:
    """``base`` or ``base2``, ``base3``... : a name that no identifier in the enclosing
    top-level declaration uses, nor a package-level name or import of this file."""
    top = near
    while top.parent is not None and top.parent.type != "source_file":
        top = top.parent
    taken = names_in(sf, top) | set(sf.imports) | _package_level_names(sf)
    if base not in taken:
        return base
    i = 2
    while f"{base}{i}" in taken:
        i += 1
    return f"{base}{i}"


def _package_level_names(sf: SourceFile) -> set[str]:
    out = set()
    for decl in sf.root.named_children:
        if decl.type == "function_declaration":
            out.add(sf.text(decl.child_by_field_name("name")))
        elif decl.type in ("var_declaration", "const_declaration", "type_declaration"):
            for spec in specs(decl):
                for n in spec.children_by_field_name("name"):
                    out.add(sf.text(n))
    return out


# ---------------------------------------------------------------------------- resources


@dataclass(frozen=True)
class Lifetime:
    """What happens to a local resource (ticker, timer, cancel func, response) after it is made."""

    binding: Binding
    uses: tuple[Use, ...]
    escaped: bool  # returned, stored, passed on: its release is someone else's business
    released: bool  # released on every path out of its owner
    owner: Node | None  # the `go func` literal that alone uses it, if one does
    in_loop: bool  # declared inside a loop of its function: a defer would pile up


def lifetime(sf: SourceFile, binding: Binding, is_release) -> Lifetime:
    """Follow ``binding`` through its references; ``is_release(use)`` says which use frees it
    (``t.Stop()``, ``cancel()``, ``resp.Body.Close()``)."""
    uses = tuple(classify(sf, r) for r in references(sf, binding))
    releases = [u for u in uses if is_release(u)]
    escaped = any(escapes(u) and not is_release(u) for u in uses)
    owner = sole_goroutine([u.ident for u in uses], binding.function)
    if owner is not None and is_within(binding.statement, owner):
        owner = None
    released = False
    for u in releases:
        stmt = statement_of(u.ident)
        here = stmt.parent == binding.statement.parent and runs_on_every_path(sf, stmt, binding.statement)
        in_owner = owner is not None and stmt.parent is not None and stmt.parent.parent == body(owner)
        if here or (in_owner and runs_on_every_path(sf, stmt, None)):
            released = True
    in_loop = bool(loops_between(binding.statement, binding.function))
    return Lifetime(binding, uses, escaped, released, owner, in_loop)


# ---------------------------------------------------------------------------- every exit


_BREAKABLE = ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement")
CASE_TYPES = ("expression_case", "default_case", "type_case", "communication_case")


def every_exit_passes(sf: SourceFile, stmts: list[Node], is_release) -> bool:
    """Whether every path through ``stmts`` to their end, or out of them by return, goto, or a
    break/continue that leaves them, passes a statement for which ``is_release(stmt)`` holds
    (``cancel()``, ``defer cancel()``). ``stmts`` are the rest of a block after a declaration,
    so a name declared there is released before it goes out of scope. Conservative: a loop
    releases nothing for the code after it."""
    if not stmts:
        return False
    ok, out = _flow(sf, stmts, False, is_release, 0, (stmts[0].start_byte, stmts[-1].end_byte), {})
    return ok and out is not False


def _flow(sf: SourceFile, stmts, released: bool, is_release, nested: int, region, exits) -> tuple[bool, bool | None]:
    """(no exit is unreleased, released at the fall-through end; None: no fall-through).
    ``nested``: breakable statements entered, which catch an unlabeled break; ``region``:
    the byte range analysed, where a labeled statement catches a break to its label;
    ``exits``: for each loop being analysed (by node id), the state at each break leaving it."""
    for i, s in enumerate(stmts):
        if released:
            for rest in stmts[i:]:
                _note_breaks(sf, of_type(rest, "break_statement", skip_functions=True), True, exits)
            return True, True
        t = s.type
        if t == "comment":
            continue
        if is_release(s):
            released = True
        elif t == "return_statement" or t == "goto_statement":
            return False, None
        elif t in ("break_statement", "continue_statement"):
            if t == "break_statement":
                _note_breaks(sf, [s], released, exits)
            # a jump caught inside joins the code after its target, approximated by its entry state
            return (nested > 0 and not s.named_children) or _label_within(sf, s, region), None
        elif never_returns(sf, s):
            return True, None
        elif t == "block":
            ok, out = _flow(sf, statements(s), released, is_release, nested, region, exits)
            if not ok or out is None:
                return ok, None
            released = out
        elif t == "labeled_statement":
            inner = [c for c in s.named_children if c.type != "label_name"]
            ok, out = _flow(sf, inner, released, is_release, nested, region, exits)
            if not ok or out is None:
                return ok, None
            released = out
        elif t == "if_statement":
            alt = s.child_by_field_name("alternative")
            ok1, out1 = _flow(sf, statements(s.child_by_field_name("consequence")), released, is_release, nested, region, exits)
            if alt is None:
                ok2, out2 = True, released
            else:
                ok2, out2 = _flow(sf, statements(alt) if alt.type == "block" else [alt], released, is_release, nested, region, exits)
            outs = [o for o in (out1, out2) if o is not None]
            if not (ok1 and ok2) or not outs:
                return ok1 and ok2, None
            released = all(outs)
        elif t in _BREAKABLE:
            if t == "for_statement":
                exits[s.id] = []
                ok, _ = _flow(sf, statements(s.child_by_field_name("body")), released, is_release, nested + 1, region, exits)
                leaving = exits.pop(s.id)
                if not ok:
                    return False, None
                every_break_seen = len(leaving) >= len(loop_breaks(s))
                if loop_kind(sf, s) == "endless":
                    if not leaving and not breaks_out_of(s):
                        return True, None
                    released = every_break_seen and all(leaving)  # only breaks get past it
                else:
                    released = released and every_break_seen and all(leaving)  # or the condition
                continue
            cases = [c for c in s.named_children if c.type in CASE_TYPES]
            outs = []
            for c in cases:
                ok, out = _flow(sf, statements(c), released, is_release, nested + 1, region, exits)
                if not ok:
                    return False, None
                outs.append(released if out is None else out)
            if t != "select_statement" and not any(c.type == "default_case" for c in cases):
                outs.append(released)  # no case matched
            released = all(outs) if outs else released
    return True, released


def _note_breaks(sf: SourceFile, breaks, released: bool, exits) -> None:
    for brk in breaks:
        target = _break_target(sf, brk)
        if target is not None and target.id in exits:
            exits[target.id].append(released)


def _break_target(sf: SourceFile, brk: Node) -> Node | None:
    """The statement a break leaves: the innermost breakable one, or the labeled one."""
    if brk.named_children:
        labeled = _labeled(sf, brk)
        return next((c for c in labeled.named_children if c.type in _BREAKABLE), None) if labeled is not None else None
    for x in ancestors(brk):
        if x.type in FUNCTION_TYPES:
            return None
        if x.type in _BREAKABLE:
            return x
    return None


def _label_within(sf: SourceFile, jump: Node, region: tuple[int, int]) -> bool:
    """Whether labeled ``jump`` targets a statement inside ``region``."""
    target = _labeled(sf, jump)
    return target is not None and region[0] <= target.start_byte and target.end_byte <= region[1]


def _labeled(sf: SourceFile, jump: Node) -> Node | None:
    """The labeled_statement that ``jump`` (break, continue, goto) names, if it encloses it."""
    label = next((c for c in jump.named_children if c.type == "label_name"), None)
    if label is None:
        return None
    for x in ancestors(jump):
        if x.type in FUNCTION_TYPES:
            return None
        if x.type == "labeled_statement" and sf.text(x.child_by_field_name("label")) == sf.text(label):
            return x
    return None


# Calls after which control does not go on: the process, the goroutine or the test ends.
_NO_RETURN = {(None, "panic"), ("os", "Exit"), ("runtime", "Goexit")} | {
    ("log", f) for f in ("Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln")
}
_FATAL = ("Fatal", "Fatalf", "Fatalln")  # any logger's: by convention they exit
_NO_RETURN_METHODS = _FATAL + ("FailNow", "Skip", "Skipf", "SkipNow")  # and testing.TB's


def never_returns(sf: SourceFile, stmt: Node) -> bool:
    """Whether statement ``stmt`` is a call that does not return (panic, os.Exit, log.Fatal,
    t.Fatal, runtime.Goexit, ...)."""
    call = unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    if call is None or call.type != "call_expression":
        return False
    c = callee(sf, call)
    if c is not None:
        return c in _NO_RETURN or (c[0] is not None and c[1] in _FATAL)
    m = method_call(sf, call)
    return m is not None and m[1] in _NO_RETURN_METHODS


def loop_breaks(loop: Node) -> list[Node]:
    """The breaks that leave ``loop``: its own unlabeled ones and any labeled one (not followed)."""
    return [
        b
        for b in of_type(loop, "break_statement", skip_functions=True)
        if b.named_children or next((a for a in ancestors(b) if a.type in _BREAKABLE), None) == loop
    ]


def breaks_out_of(loop: Node) -> bool:
    """Whether some break leaves ``loop``."""
    return bool(loop_breaks(loop))


def deferred_literal(node: Node) -> Node | None:
    """If ``node`` is a func_literal run by ``defer func(){...}()``, return its defer_statement."""
    return _literal_run_by(node, "defer_statement")
