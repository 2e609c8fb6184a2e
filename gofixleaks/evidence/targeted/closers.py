"""Targeted shape for a goroutine blocked on a cancellation signal its own object owns: the
caller dropped the object without the method that cancels it (a transaction nobody rolls
back, rows nobody closes)."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, TextEdit, insert_after_statement
from ...source import SourceFile
from ._base import used_elsewhere, zero_values

_DEPTH = 4  # closers calling closers: Rollback -> rollback -> close -> cancel


@dataclass(frozen=True)
class _Owner:
    type_name: str
    cancel_field: str  # the field holding the only cancel func of the goroutine's context
    starter: Node  # the function whose `go` statement starts the blocked goroutine
    returned: bool  # the starter returns the object (else the object is its receiver)


def close_owner(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A bare ``<-ctx.Done()`` (or ``<-r.ctx.Done()``) in a method of type T, whose context comes from a ``context.WithCancel`` in the function that starts the
    goroutine, with the cancel func kept only in a field of the T value the goroutine runs
    on: the owner of that value must call the method that cancels it, and a caller in this
    file drops the value without it (cockroach's PRs 13197 and 13755: a transaction nobody
    rolls back, rows nobody closes). The fix defers that method right after the call that
    made or started the value, at every call site where the value stays in its function
    (used only as the operand of method calls and field reads, by methods that keep their
    receiver to themselves) and outside loops; a discarded result gets a name first.

    Only when the method does nothing but cancel (``r.cancel()``, possibly through methods
    of T that only call each other), so deferring it ends the goroutine and nothing else:
    its parameters, unused, get zero values. A closer that flushes, rolls back or waits is
    the owner's to call, by hand."""
    if state != "chan receive" or stmt.type != "expression_statement":
        return None, None
    done = a.unparen(stmt.named_children[0])
    call = done.child_by_field_name("operand") if a.is_receive(sf, done) else None
    mc = a.method_call(sf, call) if call is not None else None
    if mc is None or mc[1] != "Done" or a.arguments(call):
        return None, None
    method = a.enclosing_function(stmt)
    if method is None or method.type != "method_declaration":
        return None, "the goroutine waiting on the cancellation signal is no method: its owner is out of view"
    owner = _owner(sf, method, sf.text(mc[0]))
    if isinstance(owner, str):
        return None, owner
    closer = _closer(sf, owner)
    if closer is None:
        return None, f"no method of {owner.type_name} does nothing but call {owner.cancel_field}: its owner must cancel it by hand"
    name, zeros = closer
    edits: list[TextEdit] = []
    for site in _call_sites(sf, owner):
        edits += _defer_at(sf, site, owner, f"{name}({', '.join(zeros)})") or []
    if not edits:
        return None, f"no caller in this file drops a {owner.type_name} it keeps to itself: call {name} where it ends, by hand"
    gone = used_elsewhere(abspath, [rb"\b" + sf.text(owner.starter.child_by_field_name("name")).encode() + rb"\("])
    if gone is not None:
        return None, f"{sf.text(owner.starter.child_by_field_name('name'))} is called elsewhere: {gone}"
    return Fix(f"defer {name}() where a {owner.type_name} is made and dropped: it cancels the context the goroutine waits on",
               tuple(sorted(edits, key=lambda e: e.start))), None


def _owner(sf: SourceFile, method: Node, waited: str) -> _Owner | str:
    """The type, cancel field and starting function behind the signal ``waited`` (a
    parameter's ``ctx`` or the receiver's ``r.ctx``) of goroutine method ``method``."""
    type_name = a.function_key(sf, method)[1]
    name, recv = sf.text(method.child_by_field_name("name")), a.receiver_name(sf, method)
    params = [sf.text(n) for d in a.of_type(method.child_by_field_name("parameters"), "parameter_declaration")
              for n in d.children_by_field_name("name")]
    field = waited.removeprefix(f"{recv}.") if recv and waited.startswith(f"{recv}.") and waited.count(".") == 1 else None
    if field is None and waited not in params:
        return "the signal is neither a parameter nor a field of the receiver: its owner is out of view"
    starts = [g for g in a.of_type(sf.root, "go_statement") if (mc := a.method_call(sf, _go_call(g))) is not None and mc[1] == name]
    if len(starts) != 1:
        return f"{len(starts)} go statements start {name} in this file: its owner is not one"
    go_call = _go_call(starts[0])
    starter = a.enclosing_function(starts[0])
    if starter is None or starter.type not in ("function_declaration", "method_declaration"):
        return f"{name} is started in a function literal: its owner is out of view"
    obj = sf.text(a.method_call(sf, go_call)[0])
    ctx = sf.text(a.arguments(go_call)[params.index(waited)]) if field is None else None
    cancels = [c for c in a.of_type(a.body(starter), "call_expression")
               if a.is_call_to(sf, c, "context", ("WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause"))]
    if len(cancels) != 1 or cancels[0].parent.type != "expression_list":
        return "its context is not made by one WithCancel where the goroutine starts"
    bind = cancels[0].parent.parent
    left = bind.child_by_field_name("left")
    names = [sf.text(n) for n in left.named_children] if left is not None else []
    if bind.type not in ("short_var_declaration", "assignment_statement") or len(names) != 2:
        return "its context is not made by one WithCancel where the goroutine starts"
    made, cancel = names
    if field is not None:
        # the literal that makes the value: &T{cancel: cancel, ctx: ctx}
        kept = _literal_fields(sf, starter, obj, type_name)
        if kept is None or kept.get(field) != made:
            return f"{waited} is not the context made where the goroutine starts"
        held = [f for f, v in kept.items() if v == cancel]
    else:
        if ctx != made:
            return f"the goroutine is handed {ctx}, not the context made where it starts"
        held = [cancel.removeprefix(f"{obj}.")] if cancel.startswith(f"{obj}.") else []
    if len(held) != 1 or _mentions(sf, starter, cancel) != (2 if field is not None else 1):
        return "the cancel func is not kept in one field of the goroutine's value alone"
    returned = starter.type != "method_declaration" or a.receiver_name(sf, starter) != obj
    if returned and not _returns_only(sf, starter, obj):
        return f"{sf.text(starter.child_by_field_name('name'))} neither returns the value nor runs on it"
    return _Owner(type_name, held[0], starter, returned)


def _go_call(go: Node) -> Node:
    return next((n for n in go.named_children if n.type == "call_expression"), go)


def _literal_fields(sf: SourceFile, fn: Node, obj: str, type_name: str) -> dict[str, str] | None:
    """The keyed fields of the one ``obj := &T{...}`` of ``fn``, as name -> value text."""
    values = [v for s in a.of_type(a.body(fn), "short_var_declaration")
              if [sf.text(n) for n in s.child_by_field_name("left").named_children] == [obj]
              for v in s.child_by_field_name("right").named_children]
    lit = a.unparen(values[0]) if len(values) == 1 else None
    lit = lit.named_children[0] if lit is not None and lit.type == "unary_expression" and lit.named_children else lit
    if lit is None or lit.type != "composite_literal" or sf.text(lit.child_by_field_name("type")) != type_name:
        return None
    return {sf.text(k.named_children[0]): sf.text(v.named_children[0])
            for k, v in (e.named_children for e in a.of_type(lit.child_by_field_name("body"), "keyed_element"))
            if k.named_children and v.named_children}


def _mentions(sf: SourceFile, fn: Node, text: str) -> int:
    """Uses of the name or field ``text`` in ``fn`` (a literal's keys are no uses)."""
    return sum(sf.text(n) == text and not (n.parent.type == "literal_element" and n.parent.parent.type == "keyed_element"
                                           and n.parent == n.parent.parent.named_children[0])
               for n in a.of_type(a.body(fn), "identifier", "selector_expression"))


def _returns_only(sf: SourceFile, fn: Node, obj: str) -> bool:
    """``fn`` ends returning ``obj`` alone, and keeps it otherwise to selectors and its `go`."""
    last = [n for n in a.statements(a.body(fn)) if n.type != "comment"][-1:]
    if not last or last[0].type != "return_statement" or sf.text(last[0]).split() != ["return", obj]:
        return False
    return _kept(sf, fn, obj, allowed=(last[0],))


def _kept(sf: SourceFile, fn: Node, name: str, allowed: tuple[Node, ...] = ()) -> bool:
    """Every use of ``name`` in ``fn`` is its declaration, the operand of a selector (a
    method call or field), or inside one of ``allowed``: it is stored, passed, sent,
    returned or captured nowhere."""
    for n in a.of_type(a.body(fn), "identifier"):
        if sf.text(n) != name or any(a.is_within(n, x) for x in allowed):
            continue
        if a.enclosing(n, "func_literal") is not None:
            return False
        parent = n.parent
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n:
            continue
        if parent.type == "expression_list" and parent.parent.type == "short_var_declaration" and \
                parent == parent.parent.child_by_field_name("left"):
            continue
        return False
    return True


def _methods(sf: SourceFile, type_name: str) -> dict[str, Node]:
    return {k[0]: m for m in a.of_type(sf.root, "method_declaration") if (k := a.function_key(sf, m)) and k[1] == type_name}


def _closer(sf: SourceFile, owner: _Owner) -> tuple[str, list[str]] | None:
    """The method of the type that does nothing but call the cancel field (exported first),
    and the zero values for its unused parameters."""
    methods = _methods(sf, owner.type_name)
    found = []
    for name, m in methods.items():
        params = m.child_by_field_name("parameters")
        zeros = zero_values(sf, params) if params is not None and params.named_children else []
        if zeros is None or any(d.type == "variadic_parameter_declaration" for d in params.named_children) or \
                m.child_by_field_name("result") is not None or not _only_cancels(sf, m, owner.cancel_field, methods, 0):
            continue
        found.append((not name[0].isupper(), m.start_byte, name, zeros))
    return min(found)[2:] if found else None


def _only_cancels(sf: SourceFile, m: Node, field: str, methods: dict[str, Node], depth: int) -> bool:
    """``m``'s body is one call, ``r.field()`` or ``r.other(...)`` of a method that only
    cancels in turn, and it uses none of its parameters."""
    recv = a.receiver_name(sf, m)
    code = [n for n in a.statements(a.body(m)) if n.type != "comment"]
    params = {sf.text(n) for d in a.of_type(m.child_by_field_name("parameters"), "parameter_declaration")
              for n in d.children_by_field_name("name")}
    if depth > _DEPTH or recv is None or len(code) != 1 or code[0].type != "expression_statement" or \
            any(sf.text(n) in params for n in a.of_type(code[0], "identifier")):
        return False
    mc = a.method_call(sf, code[0].named_children[0])
    if mc is None or sf.text(mc[0]) != recv:
        return False
    if mc[1] == field:
        return not a.arguments(code[0].named_children[0])
    return mc[1] in methods and methods[mc[1]] != m and _only_cancels(sf, methods[mc[1]], field, methods, depth + 1)


def _call_sites(sf: SourceFile, owner: _Owner) -> list[Node]:
    """The calls of the starter: ``x.name(...)`` for a method, ``name(...)`` for a function
    (a method of another type by the same name is no function call, and the reverse)."""
    name = sf.text(owner.starter.child_by_field_name("name"))
    method = owner.starter.type == "method_declaration"
    return [c for c in a.of_type(sf.root, "call_expression")
            if (f := c.child_by_field_name("function")) is not None and (f.type == "selector_expression") == method
            and sf.text(f.child_by_field_name("field") if method else f) == name
            and not a.is_within(c, owner.starter)]


def _defer_at(sf: SourceFile, call: Node, owner: _Owner, closing: str) -> list[TextEdit] | None:
    """The edits deferring ``closing`` on the value the call ``call`` makes or starts, where
    that value stays in its function; None where it does not, or is closed already."""
    stmt = call.parent
    fn = a.enclosing_function(call)
    if fn is None or fn.type not in ("function_declaration", "method_declaration") or a.loops_between(call, fn):
        return None
    if owner.returned:
        if stmt.type == "expression_statement":  # the value is dropped: name it
            name = a.free_name(sf, stmt, a.receiver_name(sf, next(iter(_methods(sf, owner.type_name).values()))) or "v")
            after = insert_after_statement(sf, stmt, f"defer {name}.{closing}")
            return None if after is None else [TextEdit(stmt.start_byte, stmt.start_byte, f"{name} := ".encode()), after]
        if stmt.type != "expression_list" or stmt.parent.type != "short_var_declaration" or len(stmt.named_children) != 1:
            return None
        stmt = stmt.parent
        left = stmt.child_by_field_name("left").named_children
        if len(left) != 1:
            return None
        name = sf.text(left[0])
    else:
        mc = a.method_call(sf, call)
        if stmt.type != "expression_statement" or mc is None or mc[0].type != "identifier":
            return None
        name = sf.text(mc[0])
    if not _kept(sf, fn, name) or not _keep_receivers(sf, fn, name, owner):
        return None
    after = insert_after_statement(sf, stmt, f"defer {name}.{closing}")
    return None if after is None else [after]


def _keep_receivers(sf: SourceFile, fn: Node, name: str, owner: _Owner) -> bool:
    """Every method ``fn`` calls on ``name`` is one of the type's here, keeps its receiver to
    itself (selectors, and the starter's `go` and return), and is no closer: the value is
    not closed already, nor handed on by a method."""
    methods = _methods(sf, owner.type_name)
    for c in a.of_type(a.body(fn), "call_expression"):
        mc = a.method_call(sf, c)
        if mc is None or sf.text(mc[0]) != name or (not owner.returned and methods.get(mc[1]) == owner.starter):
            continue
        m = methods.get(mc[1])
        if m is None or _only_cancels(sf, m, owner.cancel_field, methods, 0) or not _kept(sf, m, a.receiver_name(sf, m) or "_"):
            return False
    return True
