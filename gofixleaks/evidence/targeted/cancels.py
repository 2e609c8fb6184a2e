"""Targeted shape for a goroutine blocked on a bare send it makes right after cancelling the
very context that could have ended it: ``cancel(); ch <- v`` (kubernetes' PR 25331)."""

from __future__ import annotations

import re

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_

from ... import analysis as a
from ...analysis.cancellation import NEVER_DONE
from ...edits import Fix, TextEdit
from ...source import SourceFile
from ._base import cancels_call, channel, paired_field, previous_statement, struct_fields, used_elsewhere, with_cancel


def cancel_then_send(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A bare send whose statement right before it, in its block, is ``cancel()`` or
    ``r.cancel()``, the CancelFunc of a context the send can watch: the locals of one
    ``ctx, cancel := context.WithCancel(p)``, or fields of the receiver's type that every
    keyed literal of it fills from those two locals. The goroutine has cancelled the one
    signal that could end its send, so when nobody takes the value it blocks for good,
    though whoever else cancels (a Stop calling ``r.cancel()``, the parent context) means
    "stop". The fix (the PR's): the send in a select that also watches ``ctx.Done()``,
    the cancel after that select. It stays review however proven: the cancel that stopped
    sibling goroutines now waits for the value to be taken, which deadlocks a receiver that
    waits for those siblings before it receives; and a value may be dropped once someone
    else cancelled. Not fixed: other code between the cancel and the send; a cancel not
    provably the context's (not WithCancel's, a field assigned or a literal not keyed, a
    name shadowed at the send); the send a select's case already; a value or channel made
    by a call or a receive (a select evaluates them as it starts: before the cancel); a
    send the context is done at anyway (in a case that waits on it, after another cancel,
    in a loop inside the context's scope); a context nobody else can cancel (the select
    would wait as long); a receiver of the channel that waits (``wg.Wait()``,
    ``<-ctx.Done()``) before it receives, or one in another file."""
    if state != "chan send":
        return None, None
    prev = previous_statement(stmt)
    if prev is None or prev.type != "expression_statement" or not cancels_call(sf, prev):
        # a cancel earlier in the send's own block: the code between runs cancelled
        if prev is not None and any(n.type == "expression_statement" and cancels_call(sf, n) for n in stmt.parent.named_children
                                    if n.end_byte <= stmt.start_byte):
            return None, "the function cancels before the send, with other code between: moving the cancel past it changes what that code sees"
        return None, None
    if stmt.type != "send_statement":
        return None, "the function cancels before a send that is a select's case already: add the stop case by hand"
    call = a.unparen(prev.named_children[0])
    if a.arguments(call) or not g_.own_line(sf, prev) or not g_.own_line(sf, stmt):
        return None, "the cancel takes arguments, or it or the send shares its line: rewrite it by hand"
    if any(n.type == "call_expression" or a.is_receive(sf, n) for n in a.walk(stmt)):
        # a select evaluates its send's operands as it starts: a call would move before the cancel
        return None, "the send calls or receives to make its value or channel: a select would do that before the cancel"
    ctx, why = _context_of(sf, call, abspath)
    if ctx is None:
        return None, why
    sig = a.Cancellation(ctx, "context")
    cancel = sf.text(call.child_by_field_name("function"))
    for n in a.of_type(a.enclosing_function(stmt), "call_expression", skip_functions=True):
        if n.end_byte < call.start_byte and not a.arguments(n) and sf.text(n.child_by_field_name("function")) == cancel \
                and a.enclosing(n, "defer_statement", stop_at=a.FUNCTION_TYPES) is None:
            return None, f"{cancel} is called before too: the context is done at the send anyway"
    for case in (x for x in a.ancestors(stmt) if x.type == "communication_case"):
        if a.waits_on(sf, case.child_by_field_name("communication"), sig):
            return None, f"the send runs once {ctx} is done (in a case that waits on it): a select on it would drop it"
    late = _receiver_waits_first(sf, channel(sf, stmt), abspath)
    if late is not None:
        return None, late
    nl, indent = sf.newline, sf.indent_at(stmt.start_byte)
    send_comment, cancel_comment = g_.trailing_comment(sf, stmt), g_.trailing_comment(sf, prev)
    between = sf.data[(cancel_comment or prev).end_byte:stmt.start_byte]
    if between.strip():
        return None, "comments between the cancel and the send: rewrite it by hand"
    if (send_comment or cancel_comment) and _commented_neighbour(sf, prev, stmt):
        return None, "the lines around the cancel and the send end in comments gofmt aligns with theirs: rewrite it by hand"
    case = f"case {sf.text(stmt)}:" + (f" {send_comment.text}" if send_comment else "")
    new = (b"select {" + nl + indent + case.encode() + nl + indent + f"case <-{sig.done_expr()}:".encode() + nl
           + indent + b"}" + nl + indent + sf.text(prev).encode() + (b" " + cancel_comment.text.encode() if cancel_comment else b""))
    end = (send_comment or stmt).end_byte
    message = f"select on {sig.done_expr()} too, and {cancel}() after it: cancelled before the send, nothing could end it"
    return Fix(message, (TextEdit(prev.start_byte, end, new),)), None


def _commented_neighbour(sf: SourceFile, first: Node, last: Node) -> bool:
    """Whether the line before ``first`` or the one after ``last`` holds a comment: gofmt
    aligns the trailing comments of adjacent lines, so moving one beside or away from it
    would change how gofmt lays out a line the fix does not touch."""
    lines = sf.data.split(b"\n")
    before, after = sf.line_col(first.start_byte)[0] - 2, sf.line_col(last.end_byte)[0]
    return any(0 <= i < len(lines) and b"//" in lines[i] for i in (before, after))


def _context_of(sf: SourceFile, call: Node, abspath: str) -> tuple[str | None, str | None]:
    """The context (an expression usable at the send) whose CancelFunc ``call`` calls, made
    by one ``context.WithCancel`` with it, that someone besides this call can cancel; or
    (None, why not)."""
    f = call.child_by_field_name("function")
    if f.type == "identifier":
        made = with_cancel(sf, sf.text(f), call)
        if made is None:
            return None, f"{sf.text(f)} is not the cancel of a local `ctx, {sf.text(f)} := context.WithCancel(...)`"
        decl, ctx = made
        fn = a.enclosing_function(decl)
        if a.local_declaration(sf, ctx, call) != decl or _shadowed(sf, ctx, call, fn):
            return None, f"{ctx} at the send is not the context of {sf.text(f)}'s WithCancel"
        uses = [a.classify(sf, n) for i in (0, 1) for n in a.references(sf, a.tuple_binding(sf, decl, i))]
        if any(u.kind == "assigned" for u in uses):
            return None, f"{ctx} or {sf.text(f)} is assigned again: not provably one context"
        if a.loops_between(call, decl.parent):
            return None, f"the send is in a loop inside {ctx}'s scope: from the second pass on {ctx} is done before the select"
        # another goroutine or a callee may cancel: the cancel handed on, or called by a closure
        others = [u for u in uses if sf.text(u.ident) == sf.text(f) and u.ident != f and u.kind != "deferred-call"
                  and (a.escapes(u) or a.enclosing_function(u.ident) != fn)]
        if not others and _never_done(sf, decl):
            return None, f"nobody else can cancel {ctx} (its parent is never done): a select on it would wait as long"
        return ctx, None
    method = a.enclosing(call, "method_declaration")
    recv = f.child_by_field_name("operand") if f.type == "selector_expression" else None
    if method is None or recv is None or recv.type != "identifier" or sf.text(recv) != a.receiver_name(sf, method):
        return None, "the cancel is neither a local nor a field of the method's receiver: not provably the context's"
    if _shadowed(sf, sf.text(recv), call, method):
        return None, f"{sf.text(recv)} at the send is not the method's receiver"
    if a.loops_between(call, method):
        return None, "the send is in a loop: from the second pass on the context is done before the select"
    type_name, field = a.function_key(sf, method)[1], sf.text(f.child_by_field_name("field"))
    fields = struct_fields(sf, type_name) or {}
    ctx_field, why = paired_field(sf, type_name, field, fields)
    if ctx_field is None:
        return None, why
    if re.search(rb"\.(" + re.escape(field).encode() + b"|" + re.escape(ctx_field).encode() + rb")\s*=[^=]", sf.data):
        return None, f"{field} or {ctx_field} is assigned after the literal: not provably one context"
    shared = used_elsewhere(abspath, [rb"\b" + re.escape(type_name).encode() + rb"\s*\{",
                                      rb"\.(" + re.escape(field).encode() + b"|" + re.escape(ctx_field).encode() + rb")\s*=[^=]"])
    if shared:
        return None, shared
    # another function calling it (a Stop): in the send's own, it runs after the send or not at all
    calls = [c for c in a.of_type(sf.root, "call_expression") if a.enclosing_function(c) != a.enclosing_function(call)
             and not a.arguments(c) and (mc := a.method_call(sf, c)) is not None and mc[1] == field]
    if not calls:
        return None, f"nothing else calls {field}: a select on {ctx_field} would wait as long"
    return f"{sf.text(recv)}.{ctx_field}", None


def _shadowed(sf: SourceFile, name: str, at: Node, outer: Node) -> bool:
    """Whether a function literal between ``at`` and ``outer`` takes a parameter ``name``."""
    for fn in a.ancestors(at):
        if fn == outer:
            return False
        params = fn.child_by_field_name("parameters") if fn.type == "func_literal" else None
        if params is not None and any(sf.text(n) == name for p in a.of_type(params, "parameter_declaration")
                                      for n in p.children_by_field_name("name")):
            return True
    return False


def _never_done(sf: SourceFile, decl: Node) -> bool:
    """Whether the parent of the WithCancel of ``decl`` is Background/TODO, or a local made by one."""
    args = a.arguments(a.unparen(decl.child_by_field_name("right").named_children[0]))
    parent = a.unparen(args[0]) if args else None
    if parent is None or a.is_call_to(sf, parent, "context", NEVER_DONE):
        return True
    return parent.type == "identifier" and a.never_cancelled(sf, a.Cancellation(sf.text(parent), "context"), decl)


def _receiver_waits_first(sf: SourceFile, chan: Node, abspath: str) -> str | None:
    """Why delaying the cancel may deadlock: a receive from ``chan`` (the same name, or the
    same field) in this file after a ``.Wait()`` or a ``<-x.Done()`` in its function (not a
    case beside it), which may wait for what the cancel stops or for the cancel itself; or
    a field received from in another file of the package (out of view). None: none such."""
    name = sf.text(chan) if chan.type == "identifier" else sf.text(chan.child_by_field_name("field")) \
        if chan.type == "selector_expression" else None
    if name is None:
        return "the send's channel is not a name or a field: its receivers are out of view"
    if chan.type == "selector_expression":
        shared = used_elsewhere(abspath, [rb"<-\s*[\w.]*\." + re.escape(name).encode() + rb"\b"])
        if shared:
            return f"a receiver of {name} is in another file: whether it waits for what the cancel stops is out of view"
    receives = [r for r in a.of_type(sf.root, "unary_expression") if a.is_receive(sf, r)]
    for r in receives:
        operand = a.unparen(r.child_by_field_name("operand"))
        if name != (sf.text(operand.child_by_field_name("field")) if operand.type == "selector_expression" else sf.text(operand)):
            continue
        fn = a.enclosing_function(r)
        for c in a.of_type(fn, "call_expression", skip_functions=True):
            mc = a.method_call(sf, c) if c.start_byte < r.start_byte and not a.arguments(c) else None
            done = mc is not None and mc[1] == "Done" and c.parent.type == "unary_expression" and a.is_receive(sf, c.parent)
            if mc is not None and (mc[1] == "Wait" or (done and not _beside(c, r))):
                return (f"a receiver of {name} waits ({sf.text(c)}) before it receives: it may wait for what the cancel "
                        f"stops, or for the cancel itself, which a cancel after the send would deadlock")
    return None


def _beside(wait: Node, receive: Node) -> bool:
    """Whether ``wait`` is the head of a select case whose select also receives
    ``receive`` in another case (either ends the select: no wait before the receive)."""
    case = a.enclosing(wait, "communication_case", stop_at=a.FUNCTION_TYPES)
    head = case.child_by_field_name("communication") if case is not None else None
    return head is not None and a.is_within(wait, head) and not a.is_within(receive, case) and a.is_within(receive, case.parent)
