"""Targeted shapes for a goroutine blocked on a Lock (a stretch left holding it, a pass
holding it into the next, a lock taken twice or re-entered, a Lock taken to close a channel
whose blocked sender holds it, a keyed-lock registry's key locked holding the registry
lock), on a channel exchange made holding a lock its partner takes, or on a stop signal
waited for holding a lock others take."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, TextEdit, delete_line, insert_after_statement, insert_before_statement
from ...source import SourceFile
from ._base import (
    PLAIN_RESULTS,
    case_body,
    channel,
    defers,
    lock_call,
    lock_key,
    named_call,
    names_field,
    operation,
    struct_fields,
    used_elsewhere,
)

# ---------------------------------------------------------------------------- a wait holding the waited-for's lock


def release_before_exchange(sf: SourceFile, stmt: Node, state: str) -> tuple[Fix | None, str | None]:
    """A bare send on, or receive from, a channel field ``r.ch`` ending a method's locked
    stretch (``r.mu.Lock(); defer r.mu.Unlock()`` before it, or ``r.mu.Unlock()`` right after
    it), whose partner takes that lock: a goroutine or method of the type that receives from
    ``r.ch`` (for a send) or closes or sends on it (for a receive), and calls a method of the
    type that locks ``r.mu`` (or locks it itself), and whose exchange blocks (a partner in a
    select with a default never waits, and a release could lose its wake-up: grpc's 1460).
    The exchange waits on a partner waiting for the lock it holds: a stop waiting for its
    worker (etcd's PR 6873), a status sent to a loop that locks after each receive
    (kubernetes' 10182). The release moves before the exchange. It stays `review` however proven: others can now take the lock before the
    exchange, and see what the stretch did before it. A send's value must be a name or a
    literal (read under the lock now, it would be read after). A single-case select is the
    exchange when its case does nothing more (that would run unlocked)."""
    chan, op = channel(sf, stmt), operation(stmt)
    method = a.enclosing(stmt, "method_declaration")
    if chan is None or chan.type != "selector_expression" or method is None or a.enclosing_function(stmt) != method \
            or stmt.parent.parent != a.body(method) or op.type not in ("expression_statement", "send_statement", "receive_statement") \
            or op.child_by_field_name("left") is not None:
        return None, None
    recv, field = a.receiver_name(sf, method), sf.text(chan.child_by_field_name("field"))
    code = [n for n in a.statements(a.body(method)) if n.type != "comment"]
    at = code.index(stmt)
    lock = next((n for n in reversed(code[:at]) if lock_call(sf, n, ("Lock",))), None)
    key = lock_key(sf, lock, method) if lock is not None else None
    if key is None or sf.text(chan.child_by_field_name("operand")) != recv:
        return None, None
    between = code[code.index(lock) + 1:at]
    deferred = bool(between) and defers(sf, between[0], recv + key, "Unlock")
    after = code[at + 1] if at + 1 < len(code) else None
    plain = after is not None and lock_key(sf, after, method) == key and named_call(sf, after, "Unlock")
    if not (deferred and after is None) and not (plain and not deferred):
        return None, None
    if op.type == "send_statement" and not all(x.type in PLAIN_RESULTS for x in a.walk(op.child_by_field_name("value"))):
        return None, "the value sent reads more than names and literals: it would be read after the release"
    if any(lock_key(sf, n, method) == key for n in between[1 if deferred else 0:]) or any(
            next(a.of_type(n, "return_statement", skip_functions=True), None) for n in between):
        return None, "the stretch before the exchange returns or touches the lock again: release it by hand"
    type_name = a.function_key(sf, method)[1]
    methods = [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == type_name]
    lockers = {sf.text(m.child_by_field_name("name")) for m in methods if any(
        lock_key(sf, n, m) == key and lock_call(sf, n, ("Lock", "RLock")) for n in a.of_type(m, "expression_statement"))}
    goroutines = [g for g in a.of_type(sf.root, "func_literal") if g.parent is not None and g.parent.type == "call_expression"
                  and g.parent.parent is not None and g.parent.parent.type == "go_statement"]
    partner = (lambda n: _receives_field(sf, n, field)) if op.type == "send_statement" else (
        lambda n: _closes_field(sf, n, field) or any(names_field(sf, x.child_by_field_name("channel"), field)
                                                      and not _without_blocking(x) for x in a.of_type(n, "send_statement")))
    if not any(partner(p) and (any((mc := a.method_call(sf, c)) is not None and mc[1] in lockers for c in a.of_type(p, "call_expression"))
                               or (p.type == "method_declaration" and sf.text(p.child_by_field_name("name")) in lockers))
               for p in [*goroutines, *(m for m in methods if m != method)]):
        return None, f"no partner of {field} takes the lock with a blocking exchange: the exchange is not what holds it up"
    if stmt.type == "select_statement" and case_body(stmt):
        return None, "the select's case does more after the exchange: released before it, that would run unlocked"
    release = insert_before_statement(sf, stmt, [f"{recv}{key}.Unlock()"])
    gone = delete_line(sf, between[0] if deferred else after)
    if release is None or gone is None:
        return None, "the release shares its line: move it by hand"
    return Fix(f"release {recv}{key} before the exchange on {recv}.{field}: its partner takes that lock first",
               tuple(sorted((release, gone), key=lambda e: e.start))), None


def release_across_stop_wait(sf: SourceFile, stmt: Node, state: str) -> tuple[Fix | None, str | None]:
    """A blocked receive on a stop signal (a name or field named as one, ``ctx.Done()``),
    its value unused and its only continuation a bare `return` (``<-stop`` then ``return``,
    or ``select { case <-stop: return }``), in a function whose top-level block took
    ``X.mu.Lock()`` and ``defer X.mu.Unlock()`` before it and touches ``X.mu`` nowhere else:
    it waits for the stop holding a lock that others take (a method of X's type, or a
    goroutine of the file, locks it), and whoever would stop it may wait for that lock first
    (kubernetes' 26980: a listener's pop). The lock is released for the wait and taken again
    before the return, so the deferred Unlock stays balanced; nothing but the return runs
    after the wait, so nothing guarded is read unlocked. It stays `review` however proven:
    others can take the lock during the wait (a gate held on purpose opens)."""
    op = operation(stmt)
    if state != "chan receive" or op.type not in ("expression_statement", "receive_statement") \
            or op.child_by_field_name("left") is not None:
        return None, None
    chan = channel(sf, stmt)
    done = chan is not None and chan.type == "call_expression" and not a.arguments(chan) \
        and (a.method_call(sf, chan) or (None, ""))[1] == "Done"
    if chan is None or not (done or (chan.type in ("identifier", "selector_expression")
                                     and a.names_a_signal(sf.text(chan).rsplit(".", 1)[-1]))):
        return None, None
    fn = a.enclosing_function(stmt)
    top = [n for n in a.statements(a.body(fn)) if n.type != "comment"]

    def operand_of(n: Node) -> str:
        return sf.text(a.method_call(sf, a.unparen(n.named_children[0]))[0])

    held = [n for i, n in enumerate(top) if n.start_byte < stmt.start_byte and lock_call(sf, n, ("Lock",))
            and lock_key(sf, n, fn) is not None and any(defers(sf, d, operand_of(n), "Unlock") and d.start_byte < stmt.start_byte
                                                        for d in top[i + 1:])]
    if len(held) != 1:
        return None, "it holds more than one lock across the wait: release them by hand" if held else None
    lock, key, operand = held[0], lock_key(sf, held[0], fn), operand_of(held[0])
    after = case_body(stmt) if stmt.type == "select_statement" else [n for n in a.following(stmt) if n.type != "comment"][:1]
    if not after or after[0].type != "return_statement" or after[0].named_children or (stmt.type == "select_statement" and len(after) > 1):
        return None, f"more than a bare return follows the wait on {sf.text(chan)}: released for the wait, {operand} would not guard it"
    # any other Lock or Unlock of it, even in a branch or a literal, may leave it unheld at the wait
    others = [n for n in a.of_type(fn, "expression_statement", "defer_statement")
              if n != lock and lock_key(sf, n, fn) == key and not defers(sf, n, operand, "Unlock")]
    if others:
        return None, f"the function takes or releases {operand} elsewhere too: whether it holds it at the wait is not plain"
    contended = _lockers(sf, fn, operand)
    if not contended:
        return None, f"no method of its type or goroutine of the file takes {operand}: holding it blocks nobody in view"
    release = insert_before_statement(sf, stmt, [f"{operand}.Unlock()"])
    again = insert_before_statement(sf, after[0], [f"{operand}.Lock()"])
    if release is None or again is None:
        return None, "the wait or its return shares its line: release the lock around the wait by hand"
    return Fix(f"release {operand} while waiting for {sf.text(chan)}, and take it again before the return: "
               f"{contended} takes it", (release, again)), None


def _lockers(sf: SourceFile, fn: Node, operand: str) -> str | None:
    """Who else takes the lock ``operand`` (``p.mu``) of ``fn``: a method of the type of
    ``p`` (a receiver, or a parameter of a type of this file) other than ``fn``, or a
    goroutine literal of the file locking a lock at the same field path (``x.mu``); None."""
    root, _, path = operand.partition(".")
    if not path:
        return None
    type_name = None
    for f in (n for n in (fn, *a.ancestors(fn)) if n.type in ("method_declaration", "function_declaration")):
        if f.type == "method_declaration" and a.receiver_name(sf, f) == root:
            type_name = a.function_key(sf, f)[1]
            break
        params = [p for p in a.of_type(f.child_by_field_name("parameters"), "parameter_declaration")
                  if root in [sf.text(x) for x in p.children_by_field_name("name")]]
        if params:
            type_name = sf.text(params[0].child_by_field_name("type")).lstrip("*")
            break
    own = a.enclosing(fn, "method_declaration") if fn.type != "method_declaration" else fn
    for m in a.of_type(sf.root, "method_declaration"):
        if m != own and type_name and (a.function_key(sf, m) or ("", ""))[1] == type_name and any(
                lock_call(sf, n, ("Lock", "RLock")) and lock_key(sf, n, m) == "." + path for n in a.of_type(m, "expression_statement")):
            return f"method {sf.text(m.child_by_field_name('name'))}"
    for g in a.of_type(sf.root, "func_literal"):
        if g != fn and a.goroutine_literal(g) is not None and any(
                lock_call(sf, n, ("Lock", "RLock")) and sf.text(a.method_call(sf, a.unparen(n.named_children[0]))[0]).partition(".")[2] == path
                for n in a.of_type(a.body(g), "expression_statement", skip_functions=True)):
            return f"the goroutine at line {sf.line_col(g.start_byte)[0]}"
    return None


def _closes_field(sf: SourceFile, node: Node, field: str) -> bool:
    return any(a.callee(sf, c) == (None, "close") and len(a.arguments(c)) == 1 and names_field(sf, a.arguments(c)[0], field)
               for c in a.of_type(node, "call_expression"))


def _receives_field(sf: SourceFile, node: Node, field: str) -> bool:
    return any(a.is_receive(sf, u) and names_field(sf, a.unparen(u.child_by_field_name("operand")), field)
               and not _without_blocking(u) for u in a.of_type(node, "unary_expression"))


def _without_blocking(op: Node) -> bool:
    """``op`` (a send, or a receive expression) is a case of a select with a default: a
    partner that never waits, whose wake-up a release before the exchange could lose."""
    case = a.enclosing(op, "communication_case")
    comm = case.named_children[0] if case is not None and case.named_children else None
    return comm is not None and (comm == op or a.is_within(op, comm)) and any(
        c.type == "default_case" for c in case.parent.named_children)


# ---------------------------------------------------------------------------- a close waiting for its sender's lock


def drain_before_close(sf: SourceFile, line: int, abspath: str) -> tuple[Fix | None, str | None]:
    """The blocked ``x.mu.Lock()`` on ``line`` is followed in its block by ``close(ch)``, where
    ``ch`` is a copy of the channel field ``x.f`` taken before the Lock (``ch := x.f`` or
    ``var ch = x.f``, or a parameter of a method every call of which passes ``y.f``), and every
    send on ``x.f`` is a bare send of a method of the type on its receiver's field, holding
    ``x.mu`` (locked before it, released by a defer or after it): a sender that got the lock
    first blocks on ``x.f``, which nobody receives now that the closer has left its receiving,
    and keeps the lock the close waits for (kubernetes' 6632, spdystream's issue 49). A
    goroutine started before the Lock drains ``ch`` (spdystream's own fix): the sender
    finishes and releases the lock, and the close ends the drain. The drained values were
    unreadable, so nothing else changes, and a re-run's proof suffices; only when that is sure:

    - after the close the path leaves every loop around it (a `break` of the outermost, a
      `return`) or the function, with no `goto`, and receives from ``ch`` after it only in an
      empty ``for range ch {}`` (received values would be stolen);
    - ``ch`` is only received from and closed, directly in the function (not handed on or
      captured: another consumer), and ``x.f`` is received from only in this function: every
      other mention of it in the file is a send, an assignment to it, a comparison with nil
      or a ``len``/``cap``, and no other file of the package names it;
    - the closer sets ``x.f = nil`` after the close before it unlocks: a sender after that
      reads nil under the lock and never sends on the closed channel.

    ``close(x.f)`` on the field itself does not qualify: the drain would read it unlocked."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock",))), None)
    closing = next((n for n in a.following(blocked) if n.type != "comment"), None) if blocked is not None else None
    call = a.unparen(closing.named_children[0]) if closing is not None and closing.type == "expression_statement" else None
    if call is None or a.callee(sf, call) != (None, "close") or len(a.arguments(call)) != 1:
        return None, None
    arg, scope = a.unparen(a.arguments(call)[0]), _lock_scope(sf, blocked)
    if arg.type == "selector_expression":
        return None, f"the close after the Lock closes {sf.text(arg)} itself, not a copy taken before: a drain would read it unlocked"
    if arg.type != "identifier":
        return None, None
    if scope is None or scope[0].count(".") > 1:
        return None, "the lock is not a field of a receiver or a local: the channel's senders are out of view"
    key, methods, type_name = scope  # key: as the type's methods name the lock
    fn, keyed = a.enclosing_function(blocked), a.enclosing(blocked, "method_declaration") or a.enclosing_function(blocked)
    mine = lock_key(sf, blocked, keyed)  # as this function names it (``.mu``, or ``x.mu`` for a local x)
    operand = sf.text(a.method_call(sf, a.unparen(blocked.named_children[0]))[0])
    owner, ch = operand[:len(operand) - len(key)], sf.text(arg)
    origin = _copied_field(sf, fn, arg, owner, abspath)
    if isinstance(origin, str):
        return None, origin
    field, passed, uses = origin
    if not (struct_fields(sf, type_name) or {}).get(field, "").startswith("chan "):
        return None, f"{field} is not a channel field of {type_name} declared in this file"
    if _holds(sf, fn, keyed, mine, blocked):
        return None, None  # it waits for itself: taken_twice's
    if any(not _drains_only(sf, u, closing) or a.enclosing_function(u) != fn for u in uses):
        return None, f"{ch} is used otherwise than received from or closed by this function: another consumer may be out of view"
    # after the close: out of every loop around it, and no receive that would lose values to the drain
    loops, rest = a.loops_between(closing, fn), [n for n in a.following(closing) if n.type != "comment"]
    leave = next((i for i, n in enumerate(rest) if n.type == "return_statement" or (
        n.type == "break_statement" and loops and a.break_target(sf, n) == loops[-1])), None)
    if next(a.of_type(fn, "goto_statement", skip_functions=True), None) or (loops and (leave is None or a.exits_between(rest[:leave]))):
        return None, "after the close the path does not surely leave the loop around it: it may receive from the channel again"
    if any(n.start_byte > closing.end_byte and not _empty_drain(sf, n) for n in _received(sf, fn, ch, field)):
        return None, f"the function receives from {ch} after the close: a drain would take those values"
    stretch = rest[:leave]
    stretch = stretch[:next((i for i, n in enumerate(stretch) if lock_key(sf, n, keyed) == mine), len(stretch))]
    if not any(n.type == "assignment_statement" and sf.text(n.child_by_field_name("operator")) == "="
               and sf.text(n.child_by_field_name("left")) == f"{owner}.{field}" and sf.text(n.child_by_field_name("right")) == "nil"
               for n in stretch):
        return None, f"the close leaves {owner}.{field} set under the lock: a sender after it would send on the closed channel"
    # every other mention of the field: none receives, so the drain steals from nobody
    for sel in a.of_type(sf.root, "selector_expression"):
        if names_field(sf, sel, field) and sel not in passed and not _mentions_only(sf, sel, fn):
            return None, f"{sf.text(sel)} is read on line {sf.line_col(sel.start_byte)[0]}: a consumer there may lose values to a drain"
    elsewhere = used_elsewhere(abspath, [rb"\." + field.encode() + rb"\b"])
    if elsewhere is not None:
        return None, elsewhere
    sends = [s for s in a.of_type(sf.root, "send_statement") if names_field(sf, s.child_by_field_name("channel"), field)]
    for s in sends:
        m, at = a.enclosing_function(s), sf.line_col(s.start_byte)[0]
        if m not in methods or s.parent.type != "statement_list" \
                or sf.text(s.child_by_field_name("channel").child_by_field_name("operand")) != a.receiver_name(sf, m):
            return None, f"the send on {field} on line {at} is not a bare send of a method of {type_name} on its own field: out of view"
        if not _holds(sf, m, m, key, s):
            return None, (f"the send on {field} on line {at} is made without the lock: once a drain lets the close happen, "
                          "it could send on the closed channel")
    if not sends:
        return None, f"nothing sends on {field}: the Lock waits for something else"
    edit = insert_before_statement(sf, blocked, ["go func() {", f"\tfor range {ch} {{", "\t}", "}()"])
    if edit is None:
        return None, "the Lock shares its line: drain the channel by hand"
    return Fix(f"drain {ch} before locking {operand} to close it: a sender holding the lock is blocked on {owner}.{field}, "
               "and the close ends the drain", (edit,)), None


def _copied_field(sf: SourceFile, fn: Node, ident: Node, owner: str, abspath: str) -> tuple[str, list[Node], list[Node]] | str:
    """The field ``f`` local ``ident`` copies (``ch := owner.f`` in ``fn``, or a parameter of
    method ``fn`` each call ``y.fn(.., y.f, ..)`` passes it), the selectors passing it, and
    the uses of ``ident`` in ``fn``; or why there is none."""
    name = sf.text(ident)
    b = a.binding_of(sf, ident)
    if b is not None:
        value = a.unparen(b.value) if b.value is not None else None
        if value is None or value.type != "selector_expression" \
                or sf.text(value.child_by_field_name("operand")) != owner:
            return f"{name} is not a copy of a field of {owner} taken before the Lock: a drain may read what the lock guards"
        return sf.text(value.child_by_field_name("field")), [value], a.references(sf, b)
    params = fn.child_by_field_name("parameters") if fn.type == "method_declaration" else None
    names = [sf.text(n) for p in a.of_type(params, "parameter_declaration") for n in p.children_by_field_name("name")]
    if params is None or name not in names or a.receiver_name(sf, fn) != owner \
            or any(p.type == "variadic_parameter_declaration" for p in params.named_children):
        return f"{name} is neither a copy of a field of {owner} nor a parameter of its method: where it comes from is out of view"
    method, at = sf.text(fn.child_by_field_name("name")), names.index(name)
    calls = [c for c in a.of_type(sf.root, "call_expression") if (a.method_call(sf, c) or (None, ""))[1] == method]
    args = [a.unparen(a.arguments(c)[at]) if len(a.arguments(c)) > at else None for c in calls]
    fields = {sf.text(x.child_by_field_name("field")) if x is not None and x.type == "selector_expression" and sf.text(
        x.child_by_field_name("operand")) == sf.text(a.method_call(sf, c)[0]) else None for c, x in zip(calls, args)}
    named = sum(sf.text(n) == method for n in a.of_type(sf.root, "identifier", "field_identifier"))
    if len(fields) != 1 or None in fields or named != len(calls) + 1 or used_elsewhere(abspath, [rb"\b" + method.encode() + rb"\b"]):
        return f"not every call of {method} passes the same field of its receiver as {name}: where it comes from is out of view"
    uses = [n for n in a.of_type(a.body(fn), "identifier") if sf.text(n) == name]
    return fields.pop(), args, uses


def _holds(sf: SourceFile, fn: Node, keyed: Node, key: str, at: Node) -> bool:
    """Whether ``fn`` holds lock ``key`` (as ``keyed`` names it, see lock_key) at ``at``: its
    last Lock or Unlock statement of it before ``at`` is a Lock in a block around ``at`` (a
    deferred release waits for the return)."""
    before = [n for n in a.of_type(fn, "expression_statement", skip_functions=True)
              if n.end_byte <= at.start_byte and lock_key(sf, n, keyed) == key]
    return bool(before) and lock_call(sf, before[-1], ("Lock", "RLock")) and a.is_within(at, before[-1].parent)


def _drains_only(sf: SourceFile, use: Node, closing: Node) -> bool:
    """A use of a channel that receives from it (``<-ch``, ``range ch``) or is its close."""
    p = use.parent
    return a.is_receive(sf, p) or (p.type == "range_clause" and p.child_by_field_name("right") == use) or a.is_within(use, closing)


def _received(sf: SourceFile, fn: Node, ch: str, field: str) -> list[Node]:
    """The receives (``<-x`` expressions, range clauses) in ``fn`` from ``ch`` or a field ``field``."""
    ops = [(u, u.child_by_field_name("operand")) for u in a.of_type(fn, "unary_expression") if a.is_receive(sf, u)]
    ops += [(r, r.child_by_field_name("right")) for r in a.of_type(fn, "range_clause")]
    return [n for n, x in ops if x is not None and (sf.text(a.unparen(x)) == ch or names_field(sf, a.unparen(x), field))]


def _empty_drain(sf: SourceFile, node: Node) -> bool:
    """``for range ch {}`` (or ``for _ = range ch {}``): a receive that keeps nothing."""
    left, loop = node.child_by_field_name("left"), node.parent
    return node.type == "range_clause" and (left is None or sf.text(left) == "_") and loop is not None \
        and not a.statements(loop.child_by_field_name("body"))


def _mentions_only(sf: SourceFile, sel: Node, fn: Node) -> bool:
    """A mention of a channel field that takes nothing from it but in ``fn``: a send on it, an
    assignment to it, a comparison with nil, ``len`` or ``cap`` of it; or a receive in ``fn``."""
    p = sel.parent
    if p.type == "send_statement":
        return p.child_by_field_name("channel") == sel
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "assignment_statement":
        return p == p.parent.child_by_field_name("left") and sf.text(p.parent.child_by_field_name("operator")) == "="
    if p.type == "binary_expression":
        other = p.child_by_field_name("right") if p.child_by_field_name("left") == sel else p.child_by_field_name("left")
        return sf.text(p.child_by_field_name("operator")) in ("==", "!=") and other.type == "nil"
    if p.type == "argument_list" and p.parent is not None and p.parent.type == "call_expression":
        return a.callee(sf, p.parent) in ((None, "len"), (None, "cap"))
    return a.enclosing_function(sel) == fn and (a.is_receive(sf, p) or (p.type == "range_clause" and p.child_by_field_name("right") == sel))


# ---------------------------------------------------------------------------- unlock


def unlock_before_leaving(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` (or ``RLock``) on ``line``: where a function of this file
    on the same receiver type (a func literal in one included; or a method of another type
    reaching the lock through a field of this type, ``r.client.mu``) locks ``r.mu`` (or
    read-locks it) and releases it later in the same block, a statement between the two that
    leaves the block with the lock held gets the release right before it (etcd's 5509: a read
    lock kept blocks every writer after): a `return` (whose results read nothing the lock
    may guard: none, literals, locals; moby's PR 17176, grpc's 3017), or in a loop body a
    `continue` or a `break` (cockroach's PR 584; a `break` only when nothing after the loop
    unlocks). The next Lock, of the next iteration or the next caller, would wait forever.
    Only when every Unlock is in a function that locks too (none returns the lock held for
    its caller to release) and none is deferred. A loop holding the lock across iterations
    (moby's 7559: released after the loop, not in its body) is left alone: an Unlock before
    its `continue` would unlock twice when the loop ends."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    if blocked is None:
        return None, None
    scope = _lock_scope(sf, blocked)
    if scope is None:
        return None, "the lock is not a receiver's field or a local: its other users are out of view"
    key, owners, type_name = scope
    calls = [(a.enclosing_function(n), n) for owner in owners for n in a.of_type(owner, "expression_statement", "defer_statement")
             if lock_key(sf, n, owner) == key] + _through_fields(sf, type_name, key)
    if any((n.type == "defer_statement" or lock_call(sf, n, ("Unlock", "RUnlock"))) and not any(
            f == fn and lock_call(sf, m, ("Lock", "RLock")) for f, m in calls) for fn, n in calls):
        return None, "a function unlocks what another locked: the lock's hand-off is a design decision"
    edits, seen = [], set()
    for fn, lock in calls:
        release = "RUnlock" if lock_call(sf, lock, ("RLock",)) else "Unlock"
        unlocks = [n for f, n in calls if f == fn and n.start_byte > lock.end_byte and lock_call(sf, n, (release,))]
        in_block = next((n for n in unlocks if n.parent == lock.parent), None)
        if not lock_call(sf, lock, ("Lock", "RLock")) or in_block is None or any(f == fn and n.type == "defer_statement" for f, n in calls):
            continue  # not released in its own block (held across iterations may be the design), or by a defer too
        loop = lock.parent.parent.parent if lock.parent.parent is not None else None
        for leave in a.of_type(lock.parent, "return_statement", "continue_statement", "break_statement", skip_functions=True):
            if not (lock.end_byte <= leave.start_byte < in_block.start_byte) or leave.id in seen or any(
                    lock.end_byte <= u.start_byte < leave.start_byte for f, u in calls if f == fn and u.type == "expression_statement"):
                continue  # outside the locked stretch, or unlocked (or locked twice: taken_twice's) before it
            if leave.type == "return_statement":
                if not all(x.type in PLAIN_RESULTS for r in leave.named_children for x in a.walk(r)):
                    continue  # its results would be read after the Unlock
            elif leave.named_children or loop is None or loop.type != "for_statement" or _innermost(leave, leave.type) != loop \
                    or (leave.type == "break_statement" and any(u.start_byte > loop.end_byte for u in unlocks)):
                continue  # labelled, not this loop's, or a break the code after the loop unlocks for
            edit = insert_before_statement(sf, leave, [sf.text(in_block.named_children[0])])
            if edit is None:
                return None, "a statement that leaves the locked stretch shares its line: unlock before it by hand"
            seen.add(leave.id)
            edits.append(edit)
    if not edits:
        return None, None
    return Fix(f"unlock before each return, break or continue that leaves a locked stretch holding the lock ({len(edits)})",
               tuple(edits)), None


def _lock_scope(sf: SourceFile, blocked: Node) -> tuple[str, list[Node], str] | None:
    """The blocked lock's key (see lock_key), the methods of the type whose value it is a
    lock of (the receiver's type, or the type of a local made here: ``x := &T{...}``), and
    that type's name."""
    fn = a.enclosing(blocked, "method_declaration") or a.enclosing_function(blocked)
    key = lock_key(sf, blocked, fn)
    if key is None:
        return None
    if fn.type == "method_declaration":
        type_name = a.function_key(sf, fn)[1]
    else:
        name, _, rest = key.partition(".")
        values = a.defined_values(sf, name, blocked)
        lit = a.unparen(values[0]) if len(values) == 1 else None
        lit = lit.named_children[0] if lit is not None and lit.type == "unary_expression" and lit.named_children else lit
        if lit is None or lit.type != "composite_literal" or struct_fields(sf, sf.text(lit.child_by_field_name("type"))) is None:
            return None
        type_name, key = sf.text(lit.child_by_field_name("type")), "." + rest if rest else ""
    return key, [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == type_name], type_name


def _through_fields(sf: SourceFile, type_name: str, key: str) -> list[tuple[Node, Node]]:
    """(method, statement) for the lock statements of other types' methods that reach the
    lock through a field of type ``type_name`` (``r.client.mu.RLock()`` in a method on
    ``remoteClient``, whose field ``client`` is a ``*Client``: etcd's 5509)."""
    out = []
    for m in a.of_type(sf.root, "method_declaration"):
        owner, recv = (a.function_key(sf, m) or ("", ""))[1], a.receiver_name(sf, m)
        fields = struct_fields(sf, owner) if owner != type_name and recv else None
        for field, kind in (fields or {}).items():
            if kind.lstrip("*") != type_name:
                continue
            for n in a.of_type(m, "expression_statement", "defer_statement"):
                through = lock_key(sf, n, m)
                if through is not None and through == f".{field}{key}":
                    out.append((a.enclosing_function(n), n))
    return out


def _innermost(leave: Node, kind: str) -> Node | None:
    """The statement a `break` or `continue` leaves: its innermost loop (or, for a `break`,
    switch or select)."""
    stops = ("for_statement",) if kind == "continue_statement" else (
        "for_statement", "expression_switch_statement", "type_switch_statement", "select_statement")
    return a.enclosing(leave, *stops, stop_at=a.FUNCTION_TYPES)


# ---------------------------------------------------------------------------- a lock re-entered


def locked_variant(sf: SourceFile, line: int, abspath: str) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` (or ``RLock``) on ``line`` opens method ``m`` (after
    nothing but ``runtime.Gosched()``), released by the ``defer`` right after it or as its
    last statement, and another method of the type calls ``r.m(...)`` while it holds
    ``r.mu`` (locked earlier in a block around the call, not released in between): a sync
    mutex is not reentrant, so that goroutine waits for itself (moby's PR 36114; a second
    RLock waits too once a writer queues, syncthing's 4829). ``m``'s body moves to
    ``mLocked``, ``m`` locks and calls it, and the holding callers call ``mLocked``: every
    other caller is unchanged, and the holding ones run the body under the lock they hold.
    Where ``m`` only wraps an existing method in the lock, the holders call that. Every
    other method of the type opening with the same lock that the same holders call under it
    is split alike (kubernetes' 62464): its deadlock only waits for another schedule. Not
    when a holder has only a read lock and a method takes the write lock: the body would
    then write under a read lock."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    method = a.enclosing_function(blocked) if blocked is not None else None
    if method is None or method.type != "method_declaration" or lock_key(sf, blocked, method) is None:
        return None, None
    first = _split(sf, method, blocked, abspath)
    if isinstance(first, str):
        return None, first
    key, type_name = lock_key(sf, blocked, method), a.function_key(sf, method)[1]
    holders = {id(c) for c in first.holders}
    splits = [first]
    for other in a.of_type(sf.root, "method_declaration"):
        opening = next((n for n in a.statements(a.body(other)) if n.type != "comment" and not _yields(sf, n)), None)
        if other == method or (a.function_key(sf, other) or ("", ""))[1] != type_name or opening is None \
                or not lock_call(sf, opening, ("Lock", "RLock")) or lock_key(sf, opening, other) != key:
            continue
        more = _split(sf, other, opening, abspath)
        if not isinstance(more, str) and any(a.enclosing_function(c) in {a.enclosing_function(h) for h in first.holders}
                                             for c in more.holders) and not holders & {id(c) for c in more.holders}:
            splits.append(more)
    edits = tuple(sorted((e for sp in splits for e in sp.edits), key=lambda e: e.start))
    names = ", ".join(sp.message for sp in splits)
    return Fix(f"{names}, for the callers already holding the lock", edits), None


@dataclass(frozen=True)
class _Split:
    """A method's Locked variant: the edits that make it and point the holders at it."""

    edits: tuple[TextEdit, ...]
    holders: tuple[Node, ...]  # the calls made holding the lock
    message: str


def _split(sf: SourceFile, method: Node, lock: Node, abspath: str) -> _Split | str:
    """``method`` (opening with ``lock``) split for the callers that hold that lock, or why not."""
    key, recv = lock_key(sf, lock, method), a.receiver_name(sf, method)
    code = [n for n in a.statements(a.body(method)) if n.type != "comment"]
    code = code[code.index(lock):] if lock in code and all(_yields(sf, n) for n in code[:code.index(lock)]) else []
    wants = a.method_call(sf, a.unparen(lock.named_children[0]))[1]
    release = "Unlock" if wants == "Lock" else "RUnlock"
    results = method.child_by_field_name("result") is not None
    if len(code) < 2:
        return "the lock does not open its method: split the method by hand"
    if defers(sf, code[1], recv + key, release):
        kept, rest, upto = code[1], code[2:], a.body(method).end_byte - 1  # the body's closing brace
    elif code[-1].type == "expression_statement" and lock_key(sf, code[-1], method) == key and named_call(sf, code[-1], release) \
            and not results and not any(next(a.of_type(n, "return_statement", skip_functions=True), None) for n in code):
        kept, rest, upto = code[0], code[1:-1], code[-1].start_byte
    else:
        return "the lock is not released by a defer after it or as the method's last statement: split it by hand"
    if any(lock_key(sf, n, method) == key for r in rest for n in a.of_type(r, "expression_statement", "defer_statement")):
        return "the method releases or takes the lock again: split it by hand"
    type_name, name = a.function_key(sf, method)[1], sf.text(method.child_by_field_name("name"))
    held = _held_calls(sf, type_name, name, key)
    if not held:
        return f"no method of {type_name} calls {name} holding the lock: it waits for another goroutine"
    if wants == "Lock" and any(mode == "RLock" for _, mode in held):
        return f"a caller holds only the read lock and {name} takes the write lock: an upgrade needs a person"
    holders = tuple(c for c, _ in held)
    fields = [c.child_by_field_name("function").child_by_field_name("field") for c in holders]
    args = _forwarded(sf, method)
    wrapped = _wrapped(sf, rest, recv, args)
    if wrapped is not None:  # it only locks around a method that exists already: call that
        return _Split(tuple(TextEdit(f.start_byte, f.end_byte, wrapped.encode()) for f in fields), holders,
                      f"call {wrapped} (which {name} wraps in the lock)")
    locked = name[0].lower() + name[1:] + "Locked"
    if any(sf.text(n) == locked for n in a.of_type(sf.root, "identifier", "field_identifier")) \
            or used_elsewhere(abspath, [rb"\b" + locked.encode() + rb"\b"]):
        return f"{locked} is already a name in its package: split the method by hand"
    if args is None:
        return f"{name} has a parameter without a name it could pass on: split the method by hand"
    close = a.body(method).end_byte - 1
    if sf.data[sf.line_start(upto):upto].strip() or sf.data[sf.line_start(close):close].strip() or any(
            sf.line_col(x.start_byte)[0] == sf.line_col(y.end_byte)[0] for x, y in zip(code[1:], code)):
        return "the method is not laid out one statement per line: split it by hand"
    nl, indent = sf.newline, sf.indent_at(lock.start_byte)
    call = ("return " if results else "") + f"{recv}.{locked}({args})"
    start = sf.data.find(b"\n", kept.end_byte) + 1  # the moved statements' leading comments go with them
    moved = sf.data[start:sf.line_start(upto)]
    while moved.startswith(nl):  # no blank line opens the new body
        moved = moved[len(nl):]
    name_node = method.child_by_field_name("name")
    signature = sf.data[method.start_byte:name_node.start_byte] + locked.encode() + sf.data[name_node.end_byte:a.body(method).start_byte]
    doc = f"// {locked} is {name} for a caller that holds {recv}'s lock.".encode()
    edits = [TextEdit(start, sf.line_start(upto), indent + call.encode() + nl),
             TextEdit(method.end_byte, method.end_byte, nl + nl + doc + nl + signature + b"{" + nl + moved + b"}")]
    edits += [TextEdit(f.start_byte, f.end_byte, locked.encode()) for f in fields]
    return _Split(tuple(edits), holders, f"move {name}'s body to {locked}")


def _yields(sf: SourceFile, stmt: Node) -> bool:
    """``runtime.Gosched()``: a statement a method may run before its lock and keep there."""
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    return call is not None and a.is_call_to(sf, call, "runtime", ("Gosched",))


def _wrapped(sf: SourceFile, rest: list[Node], recv: str, args: str | None) -> str | None:
    """The name of ``recv.x`` when ``rest`` is only ``return recv.x(args)`` or ``recv.x(args)``
    with the method's own parameters passed on (cockroach's ``String`` around
    ``stringLocked``)."""
    if len(rest) != 1 or args is None or rest[0].type not in ("return_statement", "expression_statement"):
        return None
    call = a.unparen(rest[0].named_children[0]) if rest[0].named_children else None
    if call is not None and call.type == "expression_list" and call.named_child_count == 1:
        call = a.unparen(call.named_children[0])
    mc = a.method_call(sf, call) if call is not None else None
    if mc is None or sf.text(mc[0]) != recv or ", ".join(" ".join(sf.text(x).split()) for x in a.arguments(call)) != args:
        return None
    return mc[1]


def _held_calls(sf: SourceFile, type_name: str, name: str, key: str) -> list[tuple[Node, str]]:
    """The calls ``r.name(...)`` made directly (not in a func literal) in methods of
    ``type_name`` while ``r``'s lock ``key`` is held, with how: "Lock" or "RLock"."""
    out = []
    for m in a.of_type(sf.root, "method_declaration"):
        if (a.function_key(sf, m) or ("", ""))[1] != type_name or sf.text(m.child_by_field_name("name")) == name \
                or _released_in_closure(sf, m, key):
            continue
        recv = a.receiver_name(sf, m)
        stmts = [n for n in a.of_type(m, "expression_statement", skip_functions=True) if lock_key(sf, n, m) == key]
        for call in a.of_type(m, "call_expression", skip_functions=True):
            mc = a.method_call(sf, call)
            if mc is None or mc[1] != name or sf.text(mc[0]) != recv:
                continue
            before = [n for n in stmts if n.end_byte <= call.start_byte]
            last = before[-1] if before else None
            if last is None or not a.is_within(call, last.parent):
                continue
            mode = a.method_call(sf, a.unparen(last.named_children[0]))[1]
            if mode in ("Lock", "RLock"):
                out.append((call, mode))
    return out


def _forwarded(sf: SourceFile, method: Node) -> str | None:
    """The method's parameters as the arguments of a call passing them on (``a, b, rest...``),
    or None when one has no name (or is ``_``)."""
    names = []
    for p in a.of_type(method.child_by_field_name("parameters"), "parameter_declaration", "variadic_parameter_declaration"):
        given = [sf.text(n) for n in p.children_by_field_name("name")]
        if not given or "_" in given:
            return None
        names += [g + "..." if p.type == "variadic_parameter_declaration" else g for g in given]
    return ", ".join(names)


def _released_in_closure(sf: SourceFile, fn: Node, key: str) -> bool:
    """Whether a func literal inside ``fn`` releases the lock ``key`` (a goroutine that
    unlocks what ``fn`` locked: nats' tests hand a lock to one)."""
    return any(lock_key(sf, n, fn) == key and a.enclosing_function(n) != fn and (n.type == "defer_statement" or named_call(
        sf, n, "Unlock") or named_call(sf, n, "RUnlock")) for n in a.of_type(fn, "expression_statement", "defer_statement"))


def lock_per_pass(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` on ``line`` opens a loop's body and the loop's only
    release is the ``r.mu.Unlock()`` right after the loop: a pass that goes round again holds
    the lock into the next pass's Lock (moby's PR 7559, a `continue` past the release). Each
    pass releases instead: before each `break` and `continue` of the loop and at the end of
    the body, and the release after the loop goes. A run that leaves after one pass does the
    same; one that went round waited forever. Only when nothing else in the body touches
    the lock, nothing leaves the loop otherwise (`return`, `goto`, labels), and the loop's
    condition and post statement read only locals (they now run unlocked)."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock",))), None)
    loop = blocked.parent.parent.parent if blocked is not None and blocked.parent.type == "statement_list" else None
    if loop is None or loop.type != "for_statement" or blocked.parent.parent != loop.child_by_field_name("body"):
        return None, None
    fn = a.enclosing_function(loop)
    key = lock_key(sf, blocked, fn)
    body = [n for n in a.statements(loop.child_by_field_name("body")) if n.type != "comment"]
    after = next((n for n in a.following(loop) if n.type != "comment"), None)
    if key is None or body[0] != blocked or after is None or after.type != "expression_statement" \
            or lock_key(sf, after, fn) != key or not named_call(sf, after, "Unlock"):
        return None, None
    if any(lock_key(sf, n, fn) == key for n in a.of_type(fn, "expression_statement", "defer_statement")
           if n not in (blocked, after)):
        return None, "the function takes or releases the lock elsewhere too: release it per pass by hand"
    clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
    for part in (clause.child_by_field_name(f) for f in ("condition", "update")) if clause is not None else ():
        if part is not None and next(a.of_type(part, "selector_expression", "call_expression", "index_expression"), None):
            return None, "the loop's condition reads more than locals: it ran under the lock"
    leaves = list(a.of_type(loop.child_by_field_name("body"), "return_statement", "goto_statement", "break_statement",
                            "continue_statement", skip_functions=True))
    mine = [x for x in leaves if x.type in ("break_statement", "continue_statement") and not x.named_children
            and _innermost(x, x.type) == loop]
    if any(x.type in ("return_statement", "goto_statement") or x.named_children for x in leaves):
        return None, "the loop is left by a return, goto or label: release it per pass by hand"
    unlock = sf.text(after.named_children[0])
    edits = [insert_before_statement(sf, x, [unlock]) for x in mine]
    if body[-1] not in mine:
        edits.append(insert_after_statement(sf, body[-1], unlock))
    edits.append(delete_line(sf, after))
    if any(e is None for e in edits):
        return None, "a statement the release goes beside shares its line: release it per pass by hand"
    return Fix("release the lock in every pass (before each break and continue, and at the end of the body) "
               "rather than once after the loop", tuple(edits)), None


def taken_twice(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` on ``line`` follows a ``r.mu.Lock()`` of its own function,
    in a block around it, with no release between (or an ``RLock`` followed by this
    ``Lock``): every run that gets here waits for itself (grpc's PR 795, a Lock written for
    an Unlock). When a `return` follows it in its block with no release before and nothing
    deferred releases, it becomes the release; when a release follows it in its block
    before any `return`, or a deferred one waits at the return, it goes. A call between the
    two Locks that might release is the re-run's to rule out."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    fn = a.enclosing_function(blocked) if blocked is not None else None
    key = lock_key(sf, blocked, fn) if fn is not None else None
    if key is None:
        return None, None
    mine = [n for n in a.of_type(fn, "expression_statement", "defer_statement", skip_functions=True) if lock_key(sf, n, fn) == key]
    if _released_in_closure(sf, fn, key):
        return None, "a func literal of the function releases the lock: another goroutine may hand it back"
    before = [n for n in mine if n.end_byte <= blocked.start_byte and n.type == "expression_statement"]
    if not before or not a.is_within(blocked, before[-1].parent) or any(
            x.type == "for_statement" for x in a.ancestors(blocked) if x.start_byte > before[-1].start_byte and a.is_within(x, fn)):
        return None, None
    held = a.method_call(sf, a.unparen(before[-1].named_children[0]))[1]
    wants = a.method_call(sf, a.unparen(blocked.named_children[0]))[1]
    if not (held == "Lock" or (held == "RLock" and wants == "Lock")):
        return None, None
    release = "Unlock" if held == "Lock" else "RUnlock"
    deferred = any(n.type == "defer_statement" for n in mine)
    for nxt in (n for n in a.following(blocked) if n.type != "comment"):
        if nxt.type == "expression_statement" and lock_key(sf, nxt, fn) == key and named_call(sf, nxt, release):
            break  # released further on: the second Lock goes
        if nxt.type == "return_statement":
            if deferred:
                break
            field = a.unparen(blocked.named_children[0]).child_by_field_name("function").child_by_field_name("field")
            return Fix(f"{release} where the function locked a second time before returning: it held the lock already",
                       (TextEdit(field.start_byte, field.end_byte, release.encode()),)), None
    else:
        if not deferred:
            return None, "the lock is taken twice and the code after it goes on: release it by hand"
    edit = delete_line(sf, blocked)
    if edit is None:
        return None, "the second Lock shares its line: remove it by hand"
    return Fix("remove the second Lock: the function holds the lock already, and releases it after", (edit,)), None


# ---------------------------------------------------------------------------- a keyed-lock registry


def registry_before_key(sf: SourceFile, line: int, abspath: str) -> tuple[Fix | None, str | None]:
    """The blocked ``r.m[k].Lock()`` (or ``RLock``) on ``line``, taken holding the registry
    lock ``r.mu`` (``r`` for an embedded one) that its method locked before it, in its block,
    and releases right after it (nothing but ``runtime.Gosched()`` between), once an ``if``
    made the key's mutex where absent; or that registry Lock itself, where the others wait.
    The method returns holding the key's mutex, and the release needs the registry lock to
    find it: a holder waits for the registry lock while the registry's holder waits for the
    key's (hugo's issue 3211, GoBench's hugo3251). The key's mutex is read into a local under
    the registry lock, the registry lock is released, then the local is locked (hugo's later
    form). Only for a create-only registry: ``m`` maps to ``*sync.Mutex`` (or RWMutex), every
    write to it makes an absent key's mutex, nothing deletes from it, it is replaced only
    where nil or in a value being built, and no other file of the package names it, so the
    local is the mutex ``r.m[k]`` gives for good; the registry lock is the type's sync
    mutex, taken for writing; the method releases no key's mutex. A registry that deletes
    entries (containerd's kmutex counts its holders first) is left to a person; so is code
    between the key's Lock and the release (it would run without the registry lock)."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    method = a.enclosing_function(blocked) if blocked is not None else None
    if method is None or method.type != "method_declaration" or blocked.parent.type != "statement_list":
        return None, None
    stretch = _keyed_stretch(sf, method, blocked)
    if stretch is None or isinstance(stretch, str):
        return None, stretch
    why = _not_sync(sf, method, stretch)
    ok, why = _created(sf, stretch) if why is None else ("", why)
    why = why or _not_create_only(sf, method, stretch, abspath)
    edit = _reordered(sf, method, stretch, ok) if why is None else why
    if isinstance(edit, str):
        return None, edit
    return Fix(f"lock {_plain(sf, stretch.slot)} after {sf.text(stretch.release)}: its holder needs {stretch.registry}'s lock "
               "to release it", (edit,)), None


@dataclass(frozen=True)
class _Stretch:
    """A keyed-lock registry's locked stretch: the registry's Lock, ..., the ``if`` that makes
    an absent key's mutex, the key's Lock, yields, the registry's release."""

    create: Node  # the if
    key_lock: Node  # r.m[k].Lock()
    yields: tuple[Node, ...]  # runtime.Gosched()
    release: Node  # r.mu.Unlock()
    registry: str  # "r.mu", "r" for an embedded mutex
    registry_key: str  # as lock_key gives it: ".mu", ""
    slot: Node  # r.m[k]
    field: str  # "m"


def _keyed_stretch(sf: SourceFile, method: Node, blocked: Node) -> _Stretch | str | None:
    """The stretch the blocked Lock opens (the registry's) or waits in (the key's), or why
    it does not qualify; None for a Lock of no such stretch."""
    recv = a.receiver_name(sf, method)
    code = [n for n in blocked.parent.named_children if n.type != "comment"]
    at = code.index(blocked)
    if _slot(sf, blocked, recv) is None:  # the registry's Lock, where the others wait: the key's Lock it holds
        key = lock_key(sf, blocked, method)
        release = next((n for n in code[at + 1:] if lock_key(sf, n, method) == key), None) if key is not None else None
        key_lock = next((n for n in code[at + 1:code.index(release) if release else len(code)] if _slot(sf, n, recv)), None)
        if key is None or "[" in key or key_lock is None:
            return None
        at = code.index(key_lock)
    # the receiver's lock held at the key's Lock: the last one taken or deferred before it in the block
    last = next((n for n in reversed(code[:at]) if (k := lock_key(sf, n, method)) is not None and "[" not in k), None)
    key = lock_key(sf, last, method) if last is not None else None
    deferred = last is not None and last.type == "defer_statement"
    registry = next((n for n in reversed(code[:code.index(last)]) if lock_key(sf, n, method) == key), None) if deferred else last
    if registry is None or not lock_call(sf, registry, ("Lock", "RLock")) or blocked not in (registry, code[at]):
        return None
    if named_call(sf, registry, "RLock"):
        return "the registry is only read-locked where the key's mutex is made: its writes need a person"
    if deferred:
        return "the registry lock is released by a defer, after the key's Lock: release it before that Lock by hand"
    release = next((n for n in code[at + 1:] if lock_key(sf, n, method) == key), None)
    if release is None or not named_call(sf, release, "Unlock"):
        return "the registry lock is not released after the key's Lock in its block: release it before that Lock by hand"
    yields = code[at + 1:code.index(release)]
    if not all(_yields(sf, n) for n in yields):
        return "code runs between the key's Lock and the registry's release: it would run without the registry lock; move it by hand"
    for n in code[code.index(registry) + 1:at]:
        for x in a.of_type(n, "expression_statement", "defer_statement"):
            # a release before an early return leaves the stretch; any other touch changes what it holds
            if lock_key(sf, x, method) == key and not (named_call(sf, x, "Unlock") and any(
                    y.type == "return_statement" for y in a.following(x))):
                return "the registry lock is taken or released again before the key's Lock: reorder it by hand"
    slot = _slot(sf, code[at], recv)
    create = code[at - 1] if code.index(registry) < at - 1 else None
    if create is None or create.type != "if_statement":
        return "no `if` making an absent key's mutex right before the key's Lock: release the registry first by hand"
    return _Stretch(create, code[at], tuple(yields), release, recv + key, key, slot,
                    sf.text(slot.child_by_field_name("operand").child_by_field_name("field")))


def _slot(sf: SourceFile, stmt: Node, recv: str | None) -> Node | None:
    """``r.m[k]`` of the statement ``r.m[k].Lock()`` (or ``RLock``), ``r`` the receiver."""
    if not lock_call(sf, stmt, ("Lock", "RLock")):
        return None
    operand = a.unparen(a.method_call(sf, a.unparen(stmt.named_children[0]))[0])
    m = operand.child_by_field_name("operand") if operand.type == "index_expression" else None
    if m is None or m.type != "selector_expression" or sf.text(m.child_by_field_name("operand")) != recv:
        return None
    return operand


def _plain(sf: SourceFile, node: Node | None) -> str:
    return " ".join(sf.text(node).split()) if node is not None else ""


def _not_sync(sf: SourceFile, method: Node, st: _Stretch) -> str | None:
    """Why the registry may not be a map of sync mutexes behind a sync mutex of its type, or None."""
    type_name = a.function_key(sf, method)[1]
    fields = struct_fields(sf, type_name) or {}
    mutex = "(?:" + "|".join(re.escape(s) for s in sorted(sf.aliases("sync"))) + r")\.(?:RW)?Mutex"
    if not sf.aliases("sync") or not re.fullmatch(rf"map\[.+\] ?\*{mutex}", fields.get(st.field, "")):
        return f"{type_name}.{st.field} is not a map to *sync.Mutex: what its values' Lock does is out of view"
    lock_type = fields.get(st.registry_key[1:]) if st.registry_key else _embedded(sf, type_name)
    own = {sf.text(m.child_by_field_name("name")) for m in a.of_type(sf.root, "method_declaration")
           if (a.function_key(sf, m) or ("", ""))[1] == type_name}
    if lock_type is None or not re.fullmatch(rf"\*?{mutex}", lock_type) or not st.registry_key and own & {"Lock", "Unlock"}:
        return f"the registry lock is not a sync mutex of {type_name}: what its Lock does is out of view"
    return None


def _not_create_only(sf: SourceFile, method: Node, st: _Stretch, abspath: str) -> str | None:
    """Why the registry may not be create-only (a mutex read from it could be replaced once
    the lock is released, or be released by the method), or None."""
    if next(a.of_type(st.slot.child_by_field_name("index"), "call_expression", "unary_expression"), None) is not None:
        return "the key is computed by a call or a receive: it would be computed fewer times; rewrite it by hand"
    for n in a.of_type(method, "expression_statement", "defer_statement"):
        key = lock_key(sf, n, method)
        if key is not None and key.startswith(f".{st.field}[") and (
                n.type == "defer_statement" or named_call(sf, n, "Unlock") or named_call(sf, n, "RUnlock")):
            return "the method releases a key's mutex itself: whether the registry lock guards that needs a person"
    return _written(sf, st.field) or used_elsewhere(abspath, [rb"\." + st.field.encode() + rb"\b"])


def _embedded(sf: SourceFile, type_name: str) -> str | None:
    """The type of the mutex struct ``type_name`` embeds (its Lock is the struct's), or None."""
    for spec in a.of_type(sf.root, "type_spec"):
        if sf.text(spec.child_by_field_name("name")) == type_name:
            return next((sf.text(fd.child_by_field_name("type")) for fd in a.of_type(spec, "field_declaration")
                         if not fd.children_by_field_name("name") and sf.text(fd.child_by_field_name("type")).endswith("Mutex")), None)
    return None


def _written(sf: SourceFile, field: str) -> str | None:
    """Why a map in a field ``field`` (of whatever operand: the file's types are not told
    apart) may lose or change an entry: a write other than making an absent key's mutex, a
    delete or clear, the map replaced where it is not nil, or handed on; None when none."""
    for sel in a.of_type(sf.root, "selector_expression"):
        if sf.text(sel.child_by_field_name("field")) != field:
            continue
        node, line, text = _unwrapped(sel), sf.line_col(sel.start_byte)[0], _plain(sf, sel)
        use = a.classify(sf, node)
        if use.kind in ("field", "method", "deferred-method", "go-method", "called", "deferred-call", "go-call"):
            continue  # selected from or called: a struct or a method of that name, not a map
        if use.kind == "other" and use.detail == "index":
            entry = _unwrapped(node.parent)
            if a.classify(sf, entry).kind == "assigned" and not _creates_if_absent(sf, entry.parent.parent):
                return f"{text} is written other than where a key is absent (line {line}): a mutex read from it could be replaced"
        elif use.kind == "argument" and use.detail in ("delete", "clear"):
            return f"{text} loses entries ({use.detail}, line {line}): a mutex read from it may be made again for its key"
        elif use.kind == "argument" and use.detail != "len":
            return f"{text} is handed to {use.detail} (line {line}): what it does with it is out of view"
        elif use.kind == "assigned" and not (_nil_guarded(sf, node.parent.parent, text) or _constructed(
                sf, sel.child_by_field_name("operand"), node)):  # made where nil, or in a value being built
            return f"{text} is replaced (line {line}): a mutex read from it could be made again for its key"
        elif use.kind not in ("other", "assigned", "argument"):  # "other": compared with nil, ranged over
            return f"{text} escapes ({use.kind}, line {line}): what happens to its entries there is out of view"
    return None


def _unwrapped(node: Node) -> Node:
    """``node`` with the parentheses around it."""
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _constructed(sf: SourceFile, operand: Node, at: Node) -> bool:
    """``operand`` is a local made at ``at``'s function from ``&T{...}``, ``T{...}`` or ``new(T)``."""
    value = a.defined_value(sf, sf.text(operand), at) if operand.type == "identifier" else None
    value = a.unparen(value) if value is not None else None
    if value is not None and value.type == "unary_expression" and sf.text(value.child_by_field_name("operator")) == "&":
        value = a.unparen(value.child_by_field_name("operand"))
    return value is not None and (value.type == "composite_literal" or value.type == "call_expression"
                                  and a.callee(sf, value) == (None, "new"))


def _nil_guarded(sf: SourceFile, assign: Node, text: str) -> bool:
    """``assign`` runs only where the map ``text`` is nil: ``if text == nil { text = ... }``."""
    iff = a.enclosing(assign, "if_statement")
    cond = a.unparen(iff.child_by_field_name("condition")) if iff is not None else None
    return cond is not None and a.is_within(assign, iff.child_by_field_name("consequence")) and cond.type == "binary_expression" \
        and sf.text(cond.child_by_field_name("operator")) == "==" and {_plain(sf, c) for c in cond.named_children} == {text, "nil"}


def _creates_if_absent(sf: SourceFile, assign: Node) -> bool:
    """``r.m[k] = &sync.Mutex{}`` (or ``new(sync.Mutex)``, or a local just given one) in an
    ``if`` that tests ``r.m[k]`` absent."""
    left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
    if assign.type != "assignment_statement" or sf.text(assign.child_by_field_name("operator")) != "=" \
            or left.named_child_count != 1 or right.named_child_count != 1:
        return False
    block = assign.parent.parent if assign.parent.type == "statement_list" else None
    iff = block.parent if block is not None else None
    if iff is None or iff.type != "if_statement" or iff.child_by_field_name("consequence") != block:
        return False
    local = _absent(sf, iff, _plain(sf, left.named_children[0]))
    value = a.unparen(right.named_children[0])
    if local is None:
        return False
    if _fresh_mutex(sf, value):
        return True
    made = [n for n in a.statements(block) if n.end_byte <= assign.start_byte]  # `lock = &sync.Mutex{}` before it
    return value.type == "identifier" and sf.text(value) == local and any(
        n.type == "assignment_statement" and _plain(sf, n.child_by_field_name("left")) == local
        and _fresh_mutex(sf, a.unparen(n.child_by_field_name("right").named_children[0])) for n in made)


def _absent(sf: SourceFile, iff: Node, slot: str) -> str | None:
    """What the condition of ``iff`` tests ``slot`` absent through: "" for ``slot == nil``,
    the name of what ``v, ok := slot`` or ``v := slot`` (its initializer, or the statement
    before it) bound for ``!ok`` or ``v == nil`` ("_" where unnamed), or None."""
    cond = a.unparen(iff.child_by_field_name("condition"))
    before = iff.prev_named_sibling
    while before is not None and before.type == "comment":
        before = before.prev_named_sibling
    binders = [s for s in (iff.child_by_field_name("initializer"), before) if s is not None
               and s.type in ("short_var_declaration", "assignment_statement") and _plain(sf, s.child_by_field_name("right")) == slot]
    bound = [[sf.text(n) for n in s.child_by_field_name("left").named_children] for s in binders]
    if cond.type == "unary_expression" and sf.text(cond.child_by_field_name("operator")) == "!":
        ok = sf.text(a.unparen(cond.child_by_field_name("operand")))
        return next((names[0] for names in bound if len(names) == 2 and names[1] == ok), None)
    if cond.type != "binary_expression" or sf.text(cond.child_by_field_name("operator")) != "==" \
            or "nil" not in (sides := [_plain(sf, c) for c in cond.named_children]):
        return None
    other = sides[0] if sides[1] == "nil" else sides[1]
    if other == slot:
        return ""
    return next((names[0] for names in bound if names[0] == other), None)


def _fresh_mutex(sf: SourceFile, value: Node) -> bool:
    """``&sync.Mutex{}`` or ``new(sync.Mutex)`` (or RWMutex)."""
    if value.type == "unary_expression" and sf.text(value.child_by_field_name("operator")) == "&":
        lit = a.unparen(value.child_by_field_name("operand"))
        typ, body = lit.child_by_field_name("type"), lit.child_by_field_name("body")
        made = typ if lit.type == "composite_literal" and body is not None and not body.named_children else None
    else:
        args = a.arguments(value) if value.type == "call_expression" and a.callee(sf, value) == (None, "new") else []
        made = args[0] if len(args) == 1 else None
    pkg = made.child_by_field_name("package") if made is not None and made.type == "qualified_type" else None
    return pkg is not None and sf.imports.get(sf.text(pkg)) == "sync" \
        and sf.text(made.child_by_field_name("name")) in ("Mutex", "RWMutex")


def _created(sf: SourceFile, st: _Stretch) -> tuple[str, str | None]:
    """The name the ``if`` before the key's Lock tests (``ok`` of ``if _, ok := r.m[k]; !ok``;
    "" for ``if r.m[k] == nil``), when all it does is make the absent key's mutex; else why not."""
    iff, slot = st.create, _plain(sf, st.slot)
    init, body = iff.child_by_field_name("initializer"), a.statements(iff.child_by_field_name("consequence"))
    cond = a.unparen(iff.child_by_field_name("condition"))
    names = [sf.text(n) for n in init.child_by_field_name("left").named_children] \
        if init is not None and init.type == "short_var_declaration" else []
    nil_form = init is None and _absent(sf, iff, slot) == ""
    ok_form = len(names) == 2 and names[0] == "_" and _plain(sf, init.child_by_field_name("right")) == slot \
        and _absent(sf, iff, slot) == "_" and cond.type == "unary_expression"
    if not (nil_form or ok_form) or iff.child_by_field_name("alternative") is not None or len(body) != 1 \
            or body[0].type != "assignment_statement" or not _creates_if_absent(sf, body[0]) \
            or not _fresh_mutex(sf, a.unparen(body[0].child_by_field_name("right").named_children[0])):
        return "", (f"the `if` making the key's mutex has another form than `if _, ok := {slot}; !ok` or "
                    f"`if {slot} == nil` with only `{slot} = &sync.Mutex{{}}` in it: rewrite it by hand")
    return (names[1] if ok_form else ""), None


def _reordered(sf: SourceFile, method: Node, st: _Stretch, ok: str) -> TextEdit | str:
    """From the ``if`` through the registry's release, rewritten: the key's mutex read into
    a local (made and stored where absent), the release, the local's Lock, the yields;
    ``ok`` is what the ``if`` tests ("" for ``== nil``)."""
    iff, slot = st.create, _plain(sf, st.slot)
    init, cond, assign = iff.child_by_field_name("initializer"), iff.child_by_field_name("condition"), \
        a.statements(iff.child_by_field_name("consequence"))[0]
    if next(a.of_type(iff, "comment"), None) is not None:
        return "the `if` making the key's mutex holds comments: rewrite it by hand"
    # the region's statements, each on a line of its own with at most a trailing `//` comment
    parts = [c for c in iff.parent.named_children if iff.start_byte <= c.start_byte <= st.release.end_byte
             or c.type == "comment" and c.prev_named_sibling == st.release
             and sf.line_col(c.start_byte)[0] == sf.line_col(st.release.end_byte)[0]]
    stmts, notes = [iff, st.key_lock, *st.yields, st.release], {}
    for c in parts:
        if c in stmts:
            continue
        owner = c.prev_named_sibling
        if c.type != "comment" or owner not in stmts[1:] or not sf.text(c).startswith("//") \
                or sf.line_col(c.start_byte)[0] != sf.line_col(owner.end_byte)[0]:
            return "comments or code stand between the key's Lock and the registry's release: move it by hand"
        notes[owner] = sf.text(c).rstrip()  # a line comment's node holds a CRLF file's \r
    rows = [sf.line_col(n.start_byte)[0] for n in stmts]
    start, end = sf.line_start(iff.start_byte), parts[-1].start_byte + len(sf.data[parts[-1].start_byte:parts[-1].end_byte].rstrip())
    tail = sf.data[end:sf.data.find(b"\n", end) if b"\n" in sf.data[end:] else len(sf.data)]
    if sf.data[start:iff.start_byte].strip() or tail.strip() or any(
            r <= sf.line_col(p.end_byte)[0] for r, p in zip(rows[1:], stmts)):
        return "the statements around the key's Lock share lines: move the release by hand"
    after = parts[-1].next_named_sibling
    if after is not None and after.type != "comment" and sf.line_col(after.start_byte)[0] == sf.line_col(end)[0] + 1 \
            and after.next_named_sibling is not None and after.next_named_sibling.type == "comment" \
            and sf.line_col(after.next_named_sibling.start_byte)[0] == sf.line_col(after.end_byte)[0]:
        return "the statement after the release has a trailing comment gofmt aligns with it: move the release by hand"
    if ok and any(sf.text(n) == ok for n in a.of_type(method, "identifier") if not a.is_within(n, init) and not a.is_within(n, cond)):
        ok = a.free_name(sf, method, "ok")  # the if's own `ok` would now share the method's block with another
    name = next((n for n in _value_names(sf, method, st.field) if a.free_name(sf, method, n) == n and n != ok), None) \
        or a.free_name(sf, method, "lock")
    indent = sf.indent_at(iff.start_byte).decode()
    wants = a.method_call(sf, a.unparen(st.key_lock.named_children[0]))[1]
    lines: list[tuple[str, str | None]] = [
        (f"{name}, {ok} := {slot}" if ok else f"{name} := {slot}", None),
        (f"if !{ok} {{" if ok else f"if {name} == nil {{", None),
        (f"\t{name} = {sf.text(assign.child_by_field_name('right'))}", None),
        (f"\t{sf.text(assign.child_by_field_name('left'))} = {name}", None),
        ("}", None),
        (sf.text(st.release), notes.get(st.release)),
        (f"{name}.{wants}()", notes.get(st.key_lock)),
        *((sf.text(y), notes.get(y)) for y in st.yields),
    ]
    nl = sf.newline.decode()
    return TextEdit(start, end, nl.join(indent + ln for ln in _aligned(lines)).encode())


def _value_names(sf: SourceFile, method: Node, field: str) -> list[str]:
    """The names other methods of the type give a value read from the map ``field``
    (``um`` of ``if um, ok := l.m[url]; ok``): the name the type's readers already use."""
    type_name, out = a.function_key(sf, method)[1], []
    for m in a.of_type(sf.root, "method_declaration"):
        if m == method or (a.function_key(sf, m) or ("", ""))[1] != type_name:
            continue
        recv = a.receiver_name(sf, m)
        for d in a.of_type(m, "short_var_declaration"):
            right, left = d.child_by_field_name("right").named_children, d.child_by_field_name("left").named_children
            value = a.unparen(right[0]) if len(right) == 1 else None
            operand = value.child_by_field_name("operand") if value is not None and value.type == "index_expression" else None
            if operand is not None and _plain(sf, operand) == f"{recv}.{field}" and sf.text(left[0]) != "_":
                out.append(sf.text(left[0]))
    return out


def _aligned(lines: list[tuple[str, str | None]]) -> list[str]:
    """Lines of code with their trailing comments as gofmt lays them out: the comments of
    consecutive lines that all have one start in one column, a space past the longest code."""
    out, i = [], 0
    while i < len(lines):
        j = next((k for k in range(i, len(lines)) if lines[k][1] is None), len(lines))
        if j == i:
            out.append(lines[i][0])
            i += 1
            continue
        width = max(len(code) for code, _ in lines[i:j])
        out += [f"{code.ljust(width)} {note}" for code, note in lines[i:j]]
        i = j
    return out
