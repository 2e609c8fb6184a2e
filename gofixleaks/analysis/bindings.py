"""Local names: the binding a declaration introduces, its references (shadowing respected),
how each use treats the value, and fresh names that collide with nothing."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..source import SourceFile
from .syntax import FUNCTION_TYPES, ancestors, enclosing_function, following, is_within, of_type

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


def binding_of(sf: SourceFile, ident: Node) -> Binding | None:
    """The declaration in ``ident``'s own function that the name ``ident`` refers to there
    (``cancel`` in ``ctx, cancel = f()`` -> ``var cancel context.CancelFunc``). None for a
    parameter or result, a name of an enclosing function or of the package."""
    name, child = sf.text(ident), ident
    for scope in ancestors(ident):
        if scope.type == "statement_list":
            earlier = []
            for s in scope.named_children:
                if s == child:
                    break
                earlier.append(s)
            decl = next((s for s in reversed(earlier) if declares(sf, s, name)), None)
            if decl is not None:
                return _declared(sf, decl, name)
        elif scope.type in _HEADER_SCOPES:
            decl = next((h for h in _header(scope) if h != child and declares(sf, h, name)), None)
            if decl is not None:
                return _declared(sf, decl, name)
        elif scope.type in FUNCTION_TYPES:
            return None
        child = scope
    return None


def root_of(expr: Node) -> Node:
    """``x`` for ``x.f.g``, ``x[i]``, ``(*x).f``."""
    while expr.type in ("selector_expression", "index_expression", "parenthesized_expression", "unary_expression"):
        inner = expr.child_by_field_name("operand") or (expr.named_children[0] if expr.named_children else None)
        if inner is None:
            break
        expr = inner
    return expr


def _declared(sf: SourceFile, decl: Node, name: str) -> Binding | None:
    """The Binding of ``name`` in declaring statement or clause ``decl``."""
    holders = specs(decl) if decl.type in ("var_declaration", "const_declaration") else [decl]
    for holder in holders:
        lefts = left_names(holder)
        for i, left in enumerate(lefts):
            if left.type == "identifier" and sf.text(left) == name:
                values = holder.child_by_field_name("right") or holder.child_by_field_name("value")
                vals = values.named_children if values is not None and values.type == "expression_list" else []
                fn = enclosing_function(decl)
                if fn is None:
                    return None
                return Binding(name, left, decl, vals[i] if len(vals) == len(lefts) else None, i, fn)
    return None


def local_declaration(sf: SourceFile, name: str, at: Node) -> Node | None:
    """The nearest declaration (``:=`` or ``var``) of local ``name`` before ``at`` in an
    enclosing function, whose block encloses ``at``."""
    for fn in (x for x in ancestors(at) if x.type in FUNCTION_TYPES):
        b = fn.child_by_field_name("body")
        found = None
        for d in of_type(b, "short_var_declaration", "var_declaration", skip_functions=True) if b else ():
            if d.start_byte < at.start_byte and declares(sf, d, name) and is_within(at, d.parent):
                found = d
        if found is not None:
            return found
    return None


def local_binding(sf: SourceFile, name: str, at: Node) -> Binding | None:
    """The Binding of local ``name`` visible at ``at``, declared by ``:=`` or by ``var``
    (``var ( stopC = make(chan struct{}) )`` included), in ``at``'s function or one
    enclosing it; None for a parameter or no local."""
    decl = local_declaration(sf, name, at)
    return _declared(sf, decl, name) if decl is not None else None


def surely_local(sf: SourceFile, ident: Node) -> bool:
    """Whether a local or a parameter surely declares the name ``ident`` uses there (a
    declaration of its own function or an enclosing one's); False may still be a local
    these do not see (a range variable of an enclosing function)."""
    name = sf.text(ident)
    return binding_of(sf, ident) is not None or local_declaration(sf, name, ident) is not None \
        or any(x.type in FUNCTION_TYPES and params_declare(sf, x, name) for x in ancestors(ident))


def defined_values(sf: SourceFile, name: str, at: Node) -> list[Node]:
    """The right-hand side of the ``:=`` that declares local ``name`` visible at ``at``
    (empty for a parameter, a ``var`` or no local at all)."""
    decl = local_declaration(sf, name, at)
    right = decl.child_by_field_name("right") if decl is not None and decl.type == "short_var_declaration" else None
    return right.named_children if right is not None else []


def defined_value(sf: SourceFile, name: str, at: Node) -> Node | None:
    """The value local ``name`` got from the ``:=`` declaring it (``name, x := f()`` gives
    the call; ``a, name := x, y`` gives ``y``), or None."""
    decl = local_declaration(sf, name, at)
    values = defined_values(sf, name, at)
    if decl is None or not values:
        return None
    names = [sf.text(n) for n in left_names(decl)]
    return values[0] if len(values) == 1 else values[names.index(name)] if len(values) == len(names) else None


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


def params_declare(sf: SourceFile, fn: Node, name: str) -> bool:
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
        if t == "func_literal" and params_declare(sf, node, name):
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

# ---------------------------------------------------------------------------- names


def names_in(sf: SourceFile, node: Node) -> set[str]:
    return {sf.text(n) for n in of_type(node, "identifier", "type_identifier", "package_identifier")}


def free_name(sf: SourceFile, near: Node, base: str) -> str:
    """``base`` or ``base2``, ``base3``... : a name that no identifier in the enclosing
    top-level declaration uses, nor a package-level name or import of this file."""
    top = near
    while top.parent is not None and top.parent.type != "source_file":
        top = top.parent
    here = names_in(sf, top)

    def taken(name: str) -> bool:  # three lookups, not a union per call: files hold thousands of names
        return name in here or name in sf.imports or name in sf.top_level_names

    if not taken(base):
        return base
    i = 2
    while taken(f"{base}{i}"):
        i += 1
    return f"{base}{i}"


def package_level_names(sf: SourceFile) -> frozenset[str]:
    return sf.top_level_names