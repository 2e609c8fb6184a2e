"""Goroutines blocked because a stop signal does not exist or is not watched.

Two fixes, each a done channel whose owner fires it on every way it ends: for a send on a
channel field whose only receiver, a method that runs once per value, can return while
senders remain, one that method closes by defer, which the send also watches
(done_when_receiver_returns); for a send held under a lock that the channel's close needs,
one the owner's stop closes before it goes on to the lock (stopped_before_the_lock).

Diagnoses, no fixes, for a goroutine blocked on a channel whose stop signal will never
fire, told from the code around the proven site: its only close comes after a Wait that
cannot return (cockroach's 1055), it is the goroutine's own deferred close, handed back
through a callback (kubernetes' 70277), the goroutine that closes it can leave before the
close (moby's 21233), or the close takes the lock the blocked sender holds (kubernetes'
1321). Each names the statement that keeps the signal from firing; where the stop
signal would come from is its owner's decision (inventing one needs an owner who fires it
on every way it ends), so none is written."""

from __future__ import annotations

import re

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_

from ... import analysis as a
from ...edits import Fix, TextEdit, insert_before_statement
from ...source import SourceFile
from . import stops, waits
from ._base import channel, lock_call, lock_key, own_channel_field, struct_fields, unsent_uses, used_elsewhere
from .channels import received_field

_FUNCTIONS = ("func_literal", "function_declaration", "method_declaration")
# calls that end the calling goroutine where they stand: testing's (log.Fatal ends the program), runtime.Goexit
_LEAVING = re.compile(r"(?!log\.)\w+\.(Fatal|Fatalf|FailNow|Skip|Skipf|SkipNow)|runtime\.Goexit")


def never_fires(sf: SourceFile, stmt: Node, state: str, abspath: str) -> str | None:
    """Why the stop signal that would end the blocked receive or send ``stmt`` never
    fires, or None (see the module)."""
    if state == "chan send":
        return close_behind_held_lock(sf, stmt, abspath)
    if state != "chan receive":
        return None
    return closed_after_endless_wait(sf, stmt, abspath) or own_close_through_callback(sf, stmt) \
        or close_skipped(sf, stmt)


def close_behind_held_lock(sf: SourceFile, stmt: Node, abspath: str) -> str | None:
    """The send ``w.f <- v`` in a method of ``T`` that holds a lock of its receiver across
    it (``r.mu.Lock(); defer r.mu.Unlock()`` before it), where every close of ``f`` is in a
    method of ``T`` that takes that lock before it (kubernetes' PR 1321: the mux
    distributes holding its lock, and a watcher's Stop must take that lock to close the
    channel the mux is stuck sending on). Only where ``f`` is otherwise just sent on,
    received from, or made."""
    chan = channel(sf, stmt)
    method = a.enclosing_function(stmt)
    if chan is None or chan.type != "selector_expression" or method is None or method.type != "method_declaration":
        return None
    field = sf.text(chan.child_by_field_name("field"))
    held = _held_lock(sf, method, stmt)
    closers = _locked_closes(sf, field, held, a.function_key(sf, method)[1], abspath) if held is not None else None
    if closers is None:
        return None
    recv = a.receiver_name(sf, method)
    fn, close = closers[0]
    return (f"this goroutine holds {recv}{held[0]} (locked on line {sf.line_col(held[1].start_byte)[0]}) across the send, "
            f"and {'the only close' if len(closers) == 1 else 'every close'} of {field}, in "
            f"{sf.text(fn.child_by_field_name('name'))} (line {sf.line_col(close.start_byte)[0]}), takes that lock first: "
            "the close that would end the wait waits for this goroutine; close a second channel outside the lock and "
            "select on it here, or send without holding the lock")


def _locked_closes(sf: SourceFile, field: str, held: tuple[str, Node], type_name: str, abspath: str) -> list[tuple[Node, Node]] | None:
    """Each close of ``.field`` with its method, where every one is in a method of
    ``type_name`` holding the lock ``held`` names, and ``.field`` is otherwise only sent on,
    received from, made, or returned as a receive-only channel; else None."""
    if used_elsewhere(abspath, [rb"\." + re.escape(field).encode() + rb"\b"]) is not None:
        return None
    closers = []
    for sel, _, parent in unsent_uses(sf, field):
        use = _use(sf, sel)
        if use is None:
            return None
        if use.type == "expression_statement":
            fn = a.enclosing_function(use)
            taken = _held_lock(sf, fn, use) if fn is not None and fn.type == "method_declaration" \
                and a.function_key(sf, fn)[1] == type_name else None
            if taken is None or taken[0] != held[0]:
                return None
            closers.append((fn, use))
    made = [el for el in a.of_type(sf.root, "keyed_element") if sf.text(el.named_children[0]) == field]
    if not closers or not all(_is_make(sf, el.named_children[-1].named_children[0]) for el in made):
        return None
    return closers


def _held_lock(sf: SourceFile, method: Node, at: Node) -> tuple[str, Node] | None:
    """The lock of its receiver (key as _base.lock_key gives it) that ``method`` holds at
    ``at``, and its Lock statement: a top-level ``Lock()`` right before ``defer ...Unlock()``,
    ahead of the statement holding ``at``, and no other release of it in the method."""
    top = a.statements(a.body(method))
    for i, (lock, unlock) in enumerate(zip(top, top[1:])):
        if a.is_within(at, lock) or a.is_within(at, unlock):
            return None
        key = lock_key(sf, lock, method) if lock_call(sf, lock, ("Lock",)) else None
        if key is not None and lock_key(sf, unlock, method) == key and unlock.type == "defer_statement":
            others = [n for n in a.of_type(method, "expression_statement")
                      if lock_call(sf, n, ("Unlock",)) and lock_key(sf, n, method) == key]
            return (key, lock) if not others and any(a.is_within(at, s) for s in top[i + 2:]) else None
    return None


def closed_after_endless_wait(sf: SourceFile, stmt: Node, abspath: str) -> str | None:
    """The receive reads an unexported channel field ``f`` (see channels.received_field)
    whose every close in the package comes, in its function, after a ``g.Wait()`` that
    waits.never_done shows cannot return (nothing calls ``g.Done()``): the close is never
    reached. Only where ``f`` is otherwise just received from, made, and returned as a
    receive-only channel (a caller cannot close that)."""
    field = received_field(sf, stmt)
    if field is None or used_elsewhere(abspath, [rb"\." + re.escape(field).encode() + rb"\b"]) is not None:
        return None
    closes = []
    for sel in a.of_type(sf.root, "selector_expression"):
        if sf.text(sel.child_by_field_name("field")) != field:
            continue
        use = _use(sf, sel)
        if use is None:
            return None
        closes += [use] if use.type == "expression_statement" else []
    made = [el for el in a.of_type(sf.root, "keyed_element") if sf.text(el.named_children[0]) == field]
    if not closes or not all(_is_make(sf, el.named_children[-1].named_children[0]) for el in made):
        return None
    found = [_endless_wait_before(sf, close, abspath) for close in closes]
    if None in found:
        return None
    wait, why = found[0]
    close, fn = closes[0], a.enclosing_function(closes[0])
    where = f" in {sf.text(fn.child_by_field_name('name'))}" if fn.type != "func_literal" else ""
    return (f"the signal never fires: {'its only close' if len(closes) == 1 else 'each of its closes'}, "
            f"{' '.join(sf.text(close).split())}{where} (line {sf.line_col(close.start_byte)[0]}), comes after "
            f"{' '.join(sf.text(wait).split())} (line {sf.line_col(wait.start_byte)[0]}): {why}")


def _use(sf: SourceFile, sel: Node) -> Node | None:
    """What ``x.f`` does where it stands, if it is harmless to the close count: the
    ``close(x.f)`` statement itself, a receive (the node), a ``make`` stored in it, or the
    result of a function returning ``<-chan`` (its callers can only receive); else None."""
    parent = sel.parent
    if a.is_receive(sf, parent):
        return parent
    if parent.type == "argument_list" and a.callee(sf, parent.parent) == (None, "close") \
            and parent.parent.parent.type == "expression_statement":
        return parent.parent.parent
    if parent.type == "expression_list" and parent.parent.type == "assignment_statement" \
            and parent.parent.child_by_field_name("left") == parent and len(parent.named_children) == 1:
        value = parent.parent.child_by_field_name("right").named_children
        return parent.parent if len(value) == 1 and _is_make(sf, value[0]) else None
    if parent.type == "expression_list" and parent.parent.type == "return_statement" and len(parent.named_children) == 1:
        fn = a.enclosing_function(parent)
        result = fn.child_by_field_name("result") if fn is not None else None
        return parent.parent if result is not None and sf.text(result).startswith("<-chan") else None
    return None


def _is_make(sf: SourceFile, node: Node) -> bool:
    return a.is_call_to(sf, a.unparen(node), None, ("make",))


def _endless_wait_before(sf: SourceFile, stmt: Node, abspath: str) -> tuple[Node, str] | None:
    """A ``g.Wait()`` statement that runs before ``stmt`` on every way to it (an earlier
    statement of its block, or of a block holding it, in its function) and cannot return
    (waits.never_done), with why; else None."""
    node = stmt
    while node.type not in _FUNCTIONS and node.parent is not None:
        if node.parent.type == "statement_list":
            for before in node.parent.named_children:
                if before == node:
                    break
                if before.type == "expression_statement":
                    why = waits.never_done(sf, sf.line_col(before.start_byte)[0], abspath)[1]
                    if why is not None:
                        return before, why
        node = node.parent
    return None


def own_close_through_callback(sf: SourceFile, stmt: Node) -> str | None:
    """The receive ``<-v`` waits for the close its own function defers: ``v`` is a local
    that only a func literal sets, to its own parameter, where that literal is handed to a
    function of this file, called before the receive, which calls it (first thing it does
    on every way, before any return) with a parameter of its own that the caller filled
    with ``s``; and the function holding the receive registered ``defer close(s)`` before
    it. ``v`` is ``s`` when the receive runs, and ``s`` is closed only as that function
    returns: the goroutine waits for itself."""
    chan = channel(sf, stmt)
    fn = a.enclosing_function(stmt)
    if chan is None or chan.type != "identifier" or fn is None or any(True for _ in a.of_type(fn, "goto_statement")):
        return None
    v = sf.text(chan)
    top = a.statements(a.body(fn))
    at = next((i for i, s in enumerate(top) if a.is_within(stmt, s)), None)
    if at is None:
        return None
    decl = a.local_declaration(sf, v, stmt)
    if decl is None or not a.is_within(decl, fn):  # a variable of elsewhere: others may set it
        return None
    closes = {_deferred_close(sf, s): s for s in top[:at]}
    sets = [n for n in a.of_type(fn, "assignment_statement") if sf.text(n.child_by_field_name("left")) == v]
    written = [n for n in a.of_type(fn, "unary_expression") if sf.text(n) == f"&{v}"]
    if v in closes and not sets and not written:
        return (f"the goroutine waits for itself: this function closes {v} by defer (line "
                f"{sf.line_col(closes[v].start_byte)[0]}) only as it returns, after this receive")
    if not sets or written or decl.type != "var_declaration" or "=" in sf.text(decl):
        return None
    literal = a.enclosing_function(sets[0])
    if literal is None or literal.type != "func_literal" or not all(a.enclosing_function(n) == literal for n in sets):
        return None
    params = _param_names(sf, literal)
    lit_top = a.statements(a.body(literal))
    first = next((s for s in lit_top if s in sets), None)
    if first is None or any(_returns(s) for s in lit_top[:lit_top.index(first)]) \
            or len({sf.text(n.child_by_field_name("right")) for n in sets}) != 1:
        return None
    p = sf.text(first.child_by_field_name("right"))
    if p not in params:
        return None
    # the literal as the i-th argument of a call, in a top-level statement before the receive
    call = literal.parent.parent if literal.parent.type == "argument_list" else None
    if call is None or call.child_by_field_name("function").type != "identifier" \
            or not any(a.is_within(call, s) and _in_line(call, s) for s in top[:at]):
        return None
    i = a.arguments(call).index(literal)
    callee = sf.text(call.child_by_field_name("function"))
    g = next((d for d in a.of_type(sf.root, "function_declaration") if sf.text(d.child_by_field_name("name")) == callee), None)
    g_params = _param_names(sf, g) if g is not None else []
    if len(g_params) != len(a.arguments(call)):
        return None
    w = g_params[i]
    uses = [n for n in a.of_type(a.body(g), "identifier") if sf.text(n) == w]
    calls = [n.parent for n in uses if n.parent.type == "call_expression" and n.parent.child_by_field_name("function") == n]
    g_top = a.statements(a.body(g))
    first_call = next((k for k, s in enumerate(g_top) if calls and a.is_within(calls[0], s)), None)
    if not calls or len(calls) != len(uses) or first_call is None or any(_returns(s) for s in g_top[:first_call]) \
            or not _in_line(calls[0], g_top[first_call]):
        return None
    k = params.index(p)
    handed = {sf.text(c_args[k]) if len(c_args := a.arguments(c)) == len(params) else None for c in calls}
    q = handed.pop() if len(handed) == 1 else None
    if q not in g_params or any(sf.text(n.child_by_field_name("left")) == q for n in a.of_type(a.body(g), "assignment_statement")):
        return None
    s = sf.text(a.arguments(call)[g_params.index(q)])
    closer = closes.get(s)
    if closer is None:
        return None
    return (f"the goroutine waits for itself: {v} is {s}, which {callee} hands back as its {q} to the callback that sets "
            f"{v}, and this function closes {s} by defer (line {sf.line_col(closer.start_byte)[0]}) only as it returns, "
            f"after this receive; wait for a channel someone else closes ({callee} could own one it closes as it returns)")


def _in_line(node: Node, top: Node) -> bool:
    """Whether ``node`` runs when the statement ``top`` holding it runs, before it ends: not
    in a goroutine, a deferred call or a func literal."""
    return not any(x.type in ("go_statement", "defer_statement", "func_literal")
                   for x in a.ancestors(node) if a.is_within(x, top) and x != node)


def _deferred_close(sf: SourceFile, stmt: Node) -> str | None:
    """``s`` of ``defer close(s)``, else None."""
    m = re.fullmatch(r"defer\s+close\(\s*(\w+)\s*\)", sf.text(stmt)) if stmt.type == "defer_statement" else None
    return m.group(1) if m else None


def _param_names(sf: SourceFile, fn: Node) -> list[str]:
    """The parameters' names in order (one per position), or [] with an unnamed one."""
    names = []
    for decl in fn.child_by_field_name("parameters").named_children:
        if decl.type != "parameter_declaration":
            return []  # variadic: positions do not line up with arguments
        idents = decl.children_by_field_name("name")
        if not idents:
            return []
        names += [sf.text(n) for n in idents]
    return names


def _returns(stmt: Node) -> bool:
    """Whether ``stmt`` may return from its function (a ``return`` in it, outside func literals)."""
    return any(True for _ in a.of_type(stmt, "return_statement", skip_functions=True))


def close_skipped(sf: SourceFile, stmt: Node) -> str | None:
    """The receive ``<-d`` waits on a local of its function whose only close is the last
    statement of a goroutine (``go func() { ...; close(d) }()``) of that function, which can
    leave before it: a ``return``, or a call that ends the goroutine (``t.Fatalf``,
    ``runtime.Goexit``). Once it leaves that way nothing closes ``d``. Only where ``d`` is
    otherwise just received from (not handed on, not deferred-closed)."""
    chan = channel(sf, stmt)
    fn = a.enclosing_function(stmt)
    if chan is None or chan.type != "identifier" or fn is None:
        return None
    d = sf.text(chan)
    decl = a.local_declaration(sf, d, stmt)
    if decl is None or not a.is_within(decl, fn):
        return None
    closes = []
    for n in a.of_type(fn, "identifier"):
        if sf.text(n) != d or a.is_within(n, decl):
            continue
        if a.is_receive(sf, n.parent):
            continue
        call = n.parent.parent if n.parent.type == "argument_list" else None
        if call is None or a.callee(sf, call) != (None, "close") or call.parent.type != "expression_statement":
            return None
        closes.append(call.parent)
    literal = a.enclosing_function(closes[0]) if len(closes) == 1 else None
    if literal is None or literal.type != "func_literal" or literal.parent.type != "call_expression" \
            or literal.parent.parent.type != "go_statement":
        return None
    body = a.statements(a.body(literal))
    if not body or body[-1] != closes[0]:
        return None
    leaving = next((n for s in body[:-1] for n in _leaves(sf, s)), None)
    if leaving is None:
        return None
    how = "the return" if leaving.type == "return_statement" else f"{sf.text(leaving.child_by_field_name('function'))}"
    return (f"{d}'s only close ends the goroutine started on line {sf.line_col(literal.parent.start_byte)[0]}, which can "
            f"leave before it ({how} on line {sf.line_col(leaving.start_byte)[0]}): then nothing closes {d}; whether that "
            "goroutine should keep going or close it whichever way it leaves is its author's call")


def _leaves(sf: SourceFile, stmt: Node) -> list[Node]:
    """The returns and goroutine-ending calls in ``stmt``, outside func literals."""
    return [n for n in a.of_type(stmt, "return_statement", "call_expression", skip_functions=True)
            if n.type == "return_statement" or _LEAVING.fullmatch(sf.text(n.child_by_field_name("function")))]


# ---------------------------------------------------------------------------- a done channel for a receiver that leaves


def done_when_receiver_returns(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A bare send ``r.f <- v`` ending a method of ``T`` (no results), ``f`` an unexported
    channel field that only one other method ``R`` of ``T`` receives from (its select cases
    or bare receives, on its receiver), ``R`` able to return while senders remain (istio's
    agent: Run returns once no epoch is active, or on its context, and a later Restart's
    runWait sends forever). ``T`` gets a ``done chan struct{}`` field, made in each of its
    keyed literals (stops.py's), ``R`` closes it by defer as it starts, and the send becomes a
    select that also gives up once it is closed: nobody can receive what it drops, as ``R``
    was the only receiver and has returned.

    Only where ``R`` runs at most once per value, shown from its one call in the package: on
    a local made just before (``x := &T{...}``, or from a function of the file returning only
    such literals), never reassigned, with no loop between the two; and ``R`` unexported, or
    in package main (an exported method's other callers are out of view: a second run would
    close ``done`` twice, and a run after the first would miss what the senders gave up).
    Refused where ``f`` is handed on, closed, ranged over or received elsewhere, and for the
    layouts and types stops.py refuses (a ``done`` already, an exported type, one built
    otherwise than by keyed literals of this file). Review however proven: that ``R`` runs
    once is read from the code, which no re-run shows."""
    chan = channel(sf, stmt)
    method = a.enclosing_function(stmt)
    if state != "chan send" or stmt.type != "send_statement" or method is None or method.type != "method_declaration":
        return None, None
    field = own_channel_field(sf, chan, method)
    if field is None:
        return None, None
    type_name = a.function_key(sf, method)[1]
    fields = struct_fields(sf, type_name)
    methods = [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == type_name]
    receiver, why = _only_receiver(sf, field, type_name, method)
    if receiver is None:
        return None, why
    name = sf.text(receiver.child_by_field_name("name"))
    literals, why = stops.type_literals(sf, type_name)
    why = stops.no_room(sf, type_name, fields, methods) or stops.no_return(sf, method, stmt) or why \
        or _runs_once(sf, receiver, abspath)
    if why:
        return None, why
    shared = used_elsewhere(abspath, [rb"\b" + re.escape(type_name).encode() + rb"\b", rb"\." + re.escape(field).encode() + rb"\b"])
    if shared:
        return None, shared
    recv = a.receiver_name(sf, receiver)
    first = a.statements(a.body(receiver))[0]
    edits = [stops.field_edit(sf, type_name), *(stops.literal_edit(sf, lit) for lit in literals),
             insert_before_statement(sf, first, [f"defer close({recv}.{stops.DONE})"]),
             _watching_send(sf, stmt, sf.text(chan.child_by_field_name("operand")))]
    if None in edits:
        return None, f"{type_name}'s struct, a literal of it, {name}'s first statement or the send shares a line: add the done channel by hand"
    message = (f"add {stops.DONE} to {type_name}, closed as {name} returns ({name} is the only receiver of {field} and runs "
               f"once per value), and give up the send on {field} once it is closed")
    return Fix(message, tuple(edits)), None


def _only_receiver(sf: SourceFile, field: str, type_name: str, sender: Node) -> tuple[Node | None, str | None]:
    """The one method of ``type_name`` other than ``sender`` that receives from ``f`` (on its
    receiver), where every other use of ``.f`` is a send or a keyed literal's `make`; else
    why not."""
    receivers = []
    for sel, line, parent in unsent_uses(sf, field):
        fn = a.enclosing_function(sel)
        if not a.is_receive(sf, parent) or fn is None or fn.type != "method_declaration" \
                or (a.function_key(sf, fn) or ("", ""))[1] != type_name \
                or sf.text(sel.child_by_field_name("operand")) != a.receiver_name(sf, fn):
            return None, f"{field} is used otherwise than sent on and received by a method of {type_name} on line {line}: its readers are out of view"
        receivers.append(fn)
    made = [el for el in a.of_type(sf.root, "keyed_element") if sf.text(el.named_children[0]) == field]
    if not all(_is_make(sf, el.named_children[-1].named_children[0]) for el in made):
        return None, f"{field} is given a channel made elsewhere: its readers are out of view"
    if len(set(receivers)) != 1 or receivers[0] == sender:
        return None, f"{field} is received by {len(set(receivers))} methods: no one receiver whose return ends the wait"
    return receivers[0], None


def _runs_once(sf: SourceFile, method: Node, abspath: str) -> str | None:
    """Why ``method`` may run more than once on one value (see done_when_receiver_returns), or None."""
    name = sf.text(method.child_by_field_name("name"))
    if name[0].isupper() and sf.package_name != "main":
        return f"{name} is exported: callers in other packages are out of view, and a second run would close a done channel twice"
    uses = [n for n in a.of_type(sf.root, "field_identifier") if sf.text(n) == name and n.parent.type == "selector_expression"]
    calls = [n.parent.parent for n in uses if n.parent.parent.type == "call_expression"
             and n.parent.parent.child_by_field_name("function") == n.parent]
    if len(uses) != 1 or len(calls) != 1 or used_elsewhere(abspath, [rb"\." + re.escape(name).encode() + rb"\b"]) is not None:
        return f"{name} is named {len(uses)} times in its package, or in another file: not one call, so it may run twice on one value"
    call = calls[0]
    value = call.child_by_field_name("function").child_by_field_name("operand")
    line = sf.line_col(call.start_byte)[0]
    decl = a.local_declaration(sf, sf.text(value), call) if value.type == "identifier" else None
    if decl is None or decl.type != "short_var_declaration" or len(decl.child_by_field_name("left").named_children) != 1:
        return f"{name}'s call on line {line} is not on a local made by `:=`: the value may be run twice"
    x, fn = sf.text(value), a.enclosing_function(decl)
    if any(sf.text(n.child_by_field_name("left")) == x for n in a.of_type(fn, "assignment_statement")) \
            or any(sf.text(n) == f"&{x}" for n in a.of_type(fn, "unary_expression")):
        return f"{x} is assigned again: {name}'s call on line {line} may run on another value"
    # a func literal between them that is not run right where it stands may run twice
    stored = next((n for n in a.ancestors(call) if n.type == "func_literal" and a.is_within(n, fn) and n != fn
                   and not (n.parent.type == "call_expression" and n.parent.child_by_field_name("function") == n)), None)
    if stored is not None:
        return f"{name} is called in a func literal (line {sf.line_col(stored.start_byte)[0]}) that may run more than once"
    loop = next((n for n in a.ancestors(call) if n.type == "for_statement"), None)
    if loop is not None and not a.is_within(decl, loop):
        return f"{name} is called in a loop (line {sf.line_col(loop.start_byte)[0]}) on a value made before it: it may run twice on one value"
    if not _fresh(sf, decl.child_by_field_name("right").named_children[0]):
        return f"{x} is not made where {name} is called on it (a literal, or a function of this file returning only literals): the value may be shared"
    return None


def _fresh(sf: SourceFile, value: Node) -> bool:
    """``&T{...}``, or a call of a function of this file every return of which is one."""
    def literal(n: Node) -> bool:
        return n.type == "unary_expression" and sf.text(n).startswith("&") \
            and n.child_by_field_name("operand").type == "composite_literal"

    if literal(value):
        return True
    fn = value.child_by_field_name("function") if value.type == "call_expression" else None
    decl = next((d for d in a.of_type(sf.root, "function_declaration")
                 if fn is not None and fn.type == "identifier" and sf.text(d.child_by_field_name("name")) == sf.text(fn)), None)
    returns = list(a.of_type(a.body(decl), "return_statement", skip_functions=True)) if decl is not None else []
    return bool(returns) and all(len(r.named_children) == 1 and len(r.named_children[0].named_children) == 1
                                 and literal(r.named_children[0].named_children[0]) for r in returns)


def _watching_send(sf: SourceFile, stmt: Node, recv: str) -> TextEdit | None:
    """The send as a select that also gives up once ``recv.done`` is closed (its trailing
    comment stays on the send's case)."""
    if not g_.own_line(sf, stmt):
        return None
    comment = g_.trailing_comment(sf, stmt)
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    lines = ["select {", f"case {sf.text(stmt)}:" + (f" {comment.text}" if comment else ""), f"case <-{recv}.{stops.DONE}:", "}"]
    end = comment.end_byte if comment is not None else stmt.end_byte
    return TextEdit(stmt.start_byte, end, nl.join(ln.encode() if i == 0 else indent + ln.encode() for i, ln in enumerate(lines)))


# ---------------------------------------------------------------------------- a stop signal fired before the lock

ONCE = "doneOnce"  # the sync.Once beside the new done field: the stop may be called any number of times


def stopped_before_the_lock(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A send ``w.f <- v`` under a lock of the receiver (see close_behind_held_lock) whose
    every close of ``f`` takes that lock first, ``f`` a field of one struct ``W`` of the
    file, where every call of those closing methods is in one method ``S`` of ``W``, its
    stop (kubernetes' PR 1321: the mux distributes to its watchers holding its lock, and a
    watcher's Stop calls the mux's stopWatching, which takes that lock to close the
    channel). ``W`` gets ``done chan struct{}`` (made in each keyed literal) and a
    ``doneOnce sync.Once``; ``S`` first closes done, once however often it is called, before
    it goes on to the lock; the send becomes a select that gives up once done is closed,
    and the sender goes on (upstream's fix). The invented signal has its owner: ``S`` is the
    only way ``f`` gets closed, so done closes on every way ``W`` ends.

    Refused where the send is not in a range loop's body followed only by calls that take
    nothing (what follows would go on as if the value was taken); where ``W`` is the
    sender's own type, exported, generic, embeds a type, is built
    otherwise than by keyed literals of this file, or has a method on a value receiver (it
    would copy the Once); where a closing method is called otherwise than from ``S``; where
    the file does not import sync as sync. Review however proven: a value the send gives
    up once ``S`` has run is lost to a reader still reading after calling it."""
    chan = channel(sf, stmt)
    method = a.enclosing_function(stmt)
    if state != "chan send" or stmt.type != "send_statement" or chan is None or chan.type != "selector_expression" \
            or method is None or method.type != "method_declaration":
        return None, None
    field = sf.text(chan.child_by_field_name("field"))
    held = _held_lock(sf, method, stmt)
    type_name = a.function_key(sf, method)[1]
    closers = _locked_closes(sf, field, held, type_name, abspath) if held is not None else None
    if closers is None:
        return None, None
    why = _gives_up_cleanly(sf, stmt)
    if why:
        return None, why
    owners = [sf.text(t.child_by_field_name("name")) for t in a.of_type(sf.root, "type_spec")
              if field in (struct_fields(sf, sf.text(t.child_by_field_name("name"))) or {})]
    if len(owners) != 1 or owners[0] == type_name:
        return None, f"{field} is a field of {len(owners)} struct types here, or of the sender's own: no one owner to stop"
    owner = owners[0]
    fields = struct_fields(sf, owner)
    methods = [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == owner]
    literals, why = stops.type_literals(sf, owner)
    why = stops.no_room(sf, owner, fields, methods) or why or _stop_method(sf, owner, methods, closers)[1]
    if why:
        return None, why
    stop = _stop_method(sf, owner, methods, closers)[0]
    if ONCE in fields or any(sf.text(m.child_by_field_name("name")) == ONCE for m in methods):
        return None, f"{owner} has a {ONCE} already"
    if sf.imports.get("sync") != "sync":
        return None, "the file does not import sync: add the done channel and its sync.Once by hand"
    names = [owner, *{sf.text(fn.child_by_field_name("name")) for fn, _ in closers}]
    shared = used_elsewhere(abspath, [rb"\b" + re.escape(n).encode() + rb"\b" for n in names])
    if shared:
        return None, shared
    recv, stop_name = a.receiver_name(sf, stop), sf.text(stop.child_by_field_name("name"))
    edits = [_fields_edit(sf, owner), *(stops.literal_edit(sf, lit) for lit in literals),
             insert_before_statement(sf, a.statements(a.body(stop))[0],
                                     [f"{recv}.{ONCE}.Do(func() {{ close({recv}.{stops.DONE}) }})"]),
             _watching_send(sf, stmt, sf.text(chan.child_by_field_name("operand")))]
    if None in edits:
        return None, f"{owner}'s struct, a literal of it, {stop_name}'s first statement or the send shares a line: add the done channel by hand"
    lock = sf.text(a.method_call(sf, a.unparen(held[1].named_children[0]))[0])
    message = (f"add {stops.DONE} to {owner}, closed once by {stop_name} before it goes on to take {lock}, and give up the "
               f"send on {field} once it is closed: the holder of {lock} no longer waits for a close that needs it")
    return Fix(message, tuple(edits)), None


def _gives_up_cleanly(sf: SourceFile, stmt: Node) -> str | None:
    """Why going on after a given-up send could act as if it was taken, or None: the send
    is in a range loop's body, followed there only by calls that take nothing (a yield)."""
    body = stmt.parent.parent if stmt.parent is not None and stmt.parent.type == "statement_list" else None
    loop = body.parent if body is not None and body.type == "block" else None
    if loop is None or loop.type != "for_statement" or not any(c.type == "range_clause" for c in loop.named_children):
        return "the send is not in a range loop's body: what follows it would go on as if the value was taken"
    after = a.statements(body)[a.statements(body).index(stmt) + 1:]
    if any(n.type != "expression_statement" or n.named_children[0].type != "call_expression" or a.arguments(n.named_children[0])
           for n in after):
        return "the loop goes on after the send with more than a call that takes nothing: it would go on as if the value was taken"
    return None


def _stop_method(sf: SourceFile, owner: str, methods: list[Node], closers: list[tuple[Node, Node]]) -> tuple[Node | None, str | None]:
    """The one method of ``owner`` holding every call of the closing methods (each name only
    ever called), with a pointer receiver on every method of ``owner``; else why not."""
    if any(not sf.text(m.child_by_field_name("receiver")).replace(" ", "").split(")")[0].split("*")[-1] == owner
           or "*" not in sf.text(m.child_by_field_name("receiver")) for m in methods):
        return None, f"{owner} has a method on a value receiver: a sync.Once in it would be copied"
    callers = set()
    for name in {sf.text(fn.child_by_field_name("name")) for fn, _ in closers}:
        uses = [n for n in a.of_type(sf.root, "field_identifier") if sf.text(n) == name and n.parent.type == "selector_expression"]
        calls = [n for n in uses if n.parent.parent.type == "call_expression" and n.parent.parent.child_by_field_name("function") == n.parent]
        if not calls or len(calls) != len(uses):
            return None, f"{name} is not only called: its callers are out of view"
        callers |= {a.enclosing_function(n) for n in calls}
    if len(callers) != 1 or next(iter(callers)) not in methods:
        return None, f"the closing methods are called from {len(callers)} functions, not from one method of {owner}: no one stop"
    return next(iter(callers)), None


def _fields_edit(sf: SourceFile, owner: str) -> TextEdit | None:
    """``done`` and ``doneOnce`` as a section of their own at the struct's end (gofmt aligns
    a section apart from the fields above it)."""
    spec = next(s for s in a.of_type(sf.root, "type_spec") if sf.text(s.child_by_field_name("name")) == owner)
    fl = next(c for c in spec.child_by_field_name("type").named_children if c.type == "field_declaration_list")
    close = fl.end_byte - 1
    start = sf.line_start(close)
    last = fl.named_children[-1] if fl.named_children else None
    if sf.data[start:close].strip() or last is None:
        return None
    indent, nl = sf.indent_at(last.start_byte), sf.newline
    width = len(ONCE) + 1
    return TextEdit(start, start, nl + indent + f"{stops.DONE:<{width}}chan struct{{}}".encode() + nl
                    + indent + f"{ONCE:<{width}}sync.Once".encode() + nl)
