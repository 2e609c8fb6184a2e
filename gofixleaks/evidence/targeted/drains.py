"""Targeted shape for a drain started once a context is done: a goroutine that only
receives, to unblock senders that themselves leave on that context, waits for values that
will never come; it watches the same done."""

from __future__ import annotations

import re

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_

from ... import analysis as a
from ...edits import REVIEW, Fix, TextEdit
from ...source import SourceFile
from ._base import channel, names_field, struct_fields, used_elsewhere


class _Refused(Exception):
    """Why the drain's channels or contexts do not make the new case right."""


def done_in_drain(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """``<-ch`` blocked in a drain: a ``go func() { ... }()`` whose body does nothing but
    receive and drop values (bare receives, in loops), started in the case of a select that
    fires once a context is done (``case <-ctx.Done():``, or ``<-d`` after ``d :=
    ctx.Done()``), ``ctx`` a parameter of the method holding the select. Its channels are
    ``r.f`` or the elements of ``r.f`` ranged over, ``r`` that method's receiver. The drain
    is there to unblock the senders of those channels; where every one of them is the case
    of a select that also returns on the same context's done, they leave by themselves:
    a sender that already left leaves the drain waiting for good (cockroach's PR 10790: the
    select had taken the first channel's value before the context ended, and the drain
    waits for it again). Each receive of the drain becomes ``select { case <-ch: case
    <-d: return }``: done has fired before the drain starts, so it leaves as soon as nothing
    is ready, and no sender waits on it (upstream's drain selected on the stopper too).

    The senders are read in this file: every use of ``.f`` (by name) is a range over it, a
    building ``x.f = append(x.f, ...)``, or, in the drain or the select's loop, a receive; a
    range variable is only sent on or received from. A sender's context is the same when it
    is the same parameter of the same method, or when the sending method and the method with
    the select are each called once in the package, by one function, on the same receiver
    with the same context, neither rebound there. Refused otherwise, where the drain does
    anything besides receiving (work after the drain would be skipped), where it is started
    elsewhere than in the done case, or where another file of the package names the field
    or the methods (their uses out of view). Review however proven: that the contexts are
    the same is read from the calls, and the drain now leaves with values still unsent."""
    if state != "chan receive" or stmt.type != "expression_statement":
        return None, None
    lit = a.enclosing_function(stmt)
    call = lit.parent if lit is not None and lit.type == "func_literal" else None
    if call is None or call.type != "call_expression" or call.parent.type != "go_statement" or a.arguments(call):
        return None, None
    case = a.enclosing(call.parent, "communication_case", stop_at=a.FUNCTION_TYPES)
    outer = a.enclosing_function(call.parent)
    done = _done_case(sf, case, outer) if case is not None and outer.type == "method_declaration" else None
    if done is None:  # not a goroutine started once a context is done: another shape's, if any
        return None, None
    ctx, done_text = done
    try:
        receives = _drain(sf, lit)
        field = _field(sf, receives, lit, outer)
        _senders_leave(sf, field, ctx, outer, abspath)
        watched = done_text.split(".")[0]  # d, or ctx of ctx.Done(): the literal must not declare its own
        if lit.child_by_field_name("result") is not None or a.params_declare(sf, lit, watched) or _rebound(sf, lit, watched, 0):
            raise _Refused(f"{done_text} cannot be watched as written in the drain")
        if not all(g_.own_line(sf, r) for r in receives):
            raise _Refused("a receive of the drain shares its line")
    except _Refused as e:
        return None, str(e)
    edits = []
    for r in receives:
        indent, nl = sf.indent_at(r.start_byte), sf.newline
        lines = ["select {", f"case {sf.text(r)}:", f"case <-{done_text}:", "\treturn", "}"]
        edits.append(TextEdit(r.start_byte, r.end_byte, (nl + indent).join(ln.encode() for ln in lines)))
    message = (f"drain {field} only until {done_text} fires, as its senders do: they leave on the same context, "
               f"and a value one already took is waited for in vain")
    return Fix(message, tuple(edits), applicability=REVIEW), None


def _done_case(sf: SourceFile, case: Node, outer: Node) -> tuple[str, str] | None:
    """(the context's name, the done as written) of ``case <-ctx.Done():`` or ``case <-d:``
    (``d := ctx.Done()`` in ``outer``, never rebound), ``ctx`` a parameter of ``outer`` it never
    rebinds."""
    comm = case.child_by_field_name("communication")
    if comm.type != "receive_statement" or comm.child_by_field_name("left") is not None:
        return None
    operand = a.unparen(a.unparen(comm.child_by_field_name("right")).child_by_field_name("operand") or comm)
    value = operand
    if operand.type == "identifier":
        values = a.defined_values(sf, sf.text(operand), case)
        if len(values) != 1 or _rebound(sf, outer, sf.text(operand), 1):
            return None
        value = values[0]
    ctx = _done_of(sf, value)
    if ctx is None or not a.params_declare(sf, outer, ctx) or _rebound(sf, outer, ctx, 0):
        return None
    return ctx, sf.text(operand)


def _done_of(sf: SourceFile, value: Node) -> str | None:
    """``ctx`` of ``ctx.Done()``."""
    fn = value.child_by_field_name("function") if value.type == "call_expression" else None
    if fn is None or fn.type != "selector_expression" or a.arguments(value) or sf.text(fn.child_by_field_name("field")) != "Done":
        return None
    operand = fn.child_by_field_name("operand")
    return sf.text(operand) if operand.type == "identifier" else None


def _rebound(sf: SourceFile, fn: Node, name: str, declared: int) -> bool:
    """Whether ``fn`` (its literals too) binds ``name`` more often than ``declared`` times
    (``:=``, ``var``), or assigns it."""
    binds = 0
    for s in a.of_type(a.body(fn), "short_var_declaration", "var_spec", "assignment_statement", "range_clause"):
        left = s.child_by_field_name("left") if s.type != "var_spec" else s
        names = [n for n in (left.named_children if left is not None else ()) if n.type == "identifier"]
        if s.type == "var_spec":
            names = list(s.children_by_field_name("name"))
        binds += sum(sf.text(n) == name for n in names)
    return binds > declared


def _drain(sf: SourceFile, lit: Node) -> list[Node]:
    """The receive statements of a literal that does nothing but receive and drop values,
    in loops; refused otherwise."""
    receives = []

    def walk(block: Node) -> None:
        for s in a.statements(block):
            if s.type == "expression_statement" and a.is_receive(sf, a.unparen(s.named_children[0])):
                receives.append(s)
            elif s.type == "for_statement" and _plain_range(s):
                walk(s.child_by_field_name("body"))
            else:
                raise _Refused(f"the goroutine does more than drain (line {sf.line_col(s.start_byte)[0]}): "
                               "leaving early would skip it")

    walk(a.body(lit))
    return receives


def _plain_range(loop: Node) -> bool:
    """``for _, x := range v`` or ``range r.f``: a loop header that does nothing itself."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    right = a.unparen(clause.child_by_field_name("right")) if clause is not None else None
    return right is not None and right.type in ("identifier", "selector_expression")


def _field(sf: SourceFile, receives: list[Node], lit: Node, outer: Node) -> str:
    """The channel field of ``outer``'s receiver every receive of the drain takes from:
    ``r.f`` itself, or a variable ranging over it in the drain."""
    fields = set()
    recv = a.receiver_name(sf, outer)
    for r in receives:
        chan = a.unparen(channel(sf, r))
        if chan.type == "identifier":
            chan = _ranged(sf, chan, lit)
        if chan is None or chan.type != "selector_expression" or sf.text(chan.child_by_field_name("operand")) != recv:
            raise _Refused("a channel of the drain is not its method's receiver's field, or an element of one")
        fields.add(sf.text(chan.child_by_field_name("field")))
    type_name = a.function_key(sf, outer)[1]
    if any(f[0].isupper() for f in fields) and sf.package_name != "main":
        raise _Refused("the drain's channel field is exported: other packages may send on its channels")
    if len(fields) != 1 or "chan" not in (struct_fields(sf, type_name) or {}).get(next(iter(fields)), ""):
        raise _Refused("the drain's channels are not those of one channel field of its method's receiver")
    return fields.pop()


def _ranged(sf: SourceFile, var: Node, within: Node) -> Node | None:
    """What ``for _, var := range X`` enclosing ``var`` (inside ``within``) ranges over."""
    for loop in a.loops_between(var, within):
        clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
        left = clause.child_by_field_name("left") if clause is not None else None
        if left is not None and any(sf.text(n) == sf.text(var) for n in left.named_children):
            return a.unparen(clause.child_by_field_name("right"))
    return None


def _senders_leave(sf: SourceFile, field: str, ctx: str, outer: Node, abspath: str) -> None:
    """Every send on the field's channels selects on the done of a context that is
    ``outer``'s ``ctx``, and returns there; refused otherwise (see done_in_drain)."""
    senders = set()
    for use in a.of_type(sf.root, "selector_expression"):
        if sf.text(use.child_by_field_name("field")) != field:
            continue
        parent, line = use.parent, sf.line_col(use.start_byte)[0]
        if parent.type == "range_clause" and parent.child_by_field_name("right") == use:
            senders |= _range_senders(sf, parent, ctx, outer)
        elif parent.type == "send_statement" and parent.child_by_field_name("channel") == use:
            senders.add(_sender(sf, parent, ctx, outer))
        elif not (parent.type == "unary_expression" and a.is_receive(sf, parent)) and not _appended(sf, use, field):
            raise _Refused(f"{field} is used otherwise than sent on, received from, ranged over or appended to (line {line})")
    if not senders:
        raise _Refused(f"nothing in view sends on {field}'s channels")
    names = sorted({field, *(a.function_key(sf, fn)[0] for fn in (*senders, outer))})
    elsewhere = used_elsewhere(abspath, [rb"\." + re.escape(n).encode() + rb"\b" for n in names])
    if elsewhere is not None:
        raise _Refused(f"of {', '.join(names)}: {elsewhere}")


def _appended(sf: SourceFile, use: Node, field: str) -> bool:
    """``x.f = append(x.f, make(...), ...)``: ``use`` either of its ``x.f``."""
    call = use.parent.parent if use.parent.type == "argument_list" else None
    if call is not None and a.callee(sf, call) == (None, "append") and a.arguments(call)[0] == use:
        use = call
    lst = use.parent
    stmt = lst.parent if lst.type == "expression_list" else None
    if stmt is None or stmt.type != "assignment_statement" or sf.text(stmt.child_by_field_name("operator")) != "=":
        return False
    left, right = (stmt.child_by_field_name(k).named_children for k in ("left", "right"))
    if len(left) != 1 or len(right) != 1 or not names_field(sf, left[0], field) or a.callee(sf, right[0]) != (None, "append"):
        return False
    # new channels only: a channel made elsewhere may have senders that are not the field's
    first, *added = a.arguments(right[0])
    return names_field(sf, first, field) and all(x.type == "call_expression" and a.callee(sf, x) == (None, "make") for x in added)


def _range_senders(sf: SourceFile, clause: Node, ctx: str, outer: Node) -> set[Node]:
    """The sending functions of a range over the field, its variable's every use checked:
    a receive, or a send that _sender accepts."""
    names = [sf.text(n) for n in clause.child_by_field_name("left").named_children] if clause.child_by_field_name("left") else []
    var = names[-1] if names else "_"
    senders = set()
    for use in a.of_type(clause.parent.child_by_field_name("body"), "identifier"):
        declared = use.parent.type == "expression_list" and use.parent.parent.type == "range_clause" \
            and use.parent.parent.child_by_field_name("left") == use.parent  # a nested range's own (the drain's)
        if sf.text(use) != var or declared or (use.parent.type == "unary_expression" and a.is_receive(sf, use.parent)):
            continue
        if use.parent.type != "send_statement" or use.parent.child_by_field_name("channel") != use:
            raise _Refused(f"a channel of the field is used otherwise than sent on or received from "
                           f"(line {sf.line_col(use.start_byte)[0]})")
        senders.add(_sender(sf, use.parent, ctx, outer))
    return senders


def _sender(sf: SourceFile, send: Node, ctx: str, outer: Node) -> Node:
    """The method of a send that is a select case beside ``case <-c.Done(): return``, ``c``
    the same context as ``outer``'s ``ctx``; refused otherwise."""
    line = sf.line_col(send.start_byte)[0]
    case = send.parent
    if case.type != "communication_case" or case.child_by_field_name("communication") != send:
        raise _Refused(f"the send on line {line} waits bare: no context ends it")
    fn = a.enclosing_function(send)
    if not any(_leaves_on(sf, other, fn) == ctx for other in case.parent.named_children if other != case) \
            or not _same_context(sf, fn, outer, ctx):
        raise _Refused(f"the send on line {line} does not also return on the done of the drain's context")
    return fn


def _leaves_on(sf: SourceFile, case: Node, fn: Node) -> str | None:
    """``c`` of a ``case <-c.Done(): return``, ``c`` a parameter of method ``fn`` it never rebinds."""
    if case.type != "communication_case" or fn is None or fn.type != "method_declaration":
        return None
    body = a.statements(case)
    done = _done_case(sf, case, fn)
    return done[0] if done and len(body) == 1 and body[0].type == "return_statement" and not body[0].named_children else None


def _same_context(sf: SourceFile, sender: Node, outer: Node, ctx: str) -> bool:
    """Whether ``ctx`` of method ``sender`` is ``ctx`` of method ``outer``: the same method,
    or each called once in the file (and named nowhere else), from one function, on the
    same receiver with the same context as written, neither rebound in that function."""
    if sender == outer:
        return True
    names = [a.function_key(sf, fn)[0] for fn in (sender, outer)]
    if any(n[0].isupper() and sf.package_name != "main" for n in names):
        return False
    calls = []
    for name, fn in zip(names, (sender, outer)):
        named = [u for u in a.of_type(sf.root, "selector_expression") if sf.text(u.child_by_field_name("field")) == name]
        made = [u.parent for u in named if u.parent.type == "call_expression" and u.parent.child_by_field_name("function") == u]
        position = _param_position(sf, fn, ctx)
        if len(named) != 1 or len(made) != 1 or position is None or position >= len(a.arguments(made[0])):
            return False
        calls.append((made[0], a.arguments(made[0])[position]))
    (c1, x1), (c2, x2) = calls
    caller = a.enclosing_function(c1)
    operands = [sf.text(c.child_by_field_name("function").child_by_field_name("operand")) for c in (c1, c2)]
    same = caller == a.enclosing_function(c2) and operands[0] == operands[1] and sf.text(x1) == sf.text(x2)
    return same and x1.type == "identifier" and all(
        not _rebound(sf, caller, n, 1 if a.defined_values(sf, n, c1) else 0) for n in (sf.text(x1), operands[0]))


def _param_position(sf: SourceFile, fn: Node, name: str) -> int | None:
    names = [sf.text(n) for p in fn.child_by_field_name("parameters").named_children for n in p.children_by_field_name("name")]
    return names.index(name) if name in names else None
