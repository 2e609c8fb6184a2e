"""Targeted shapes for a lock held across a channel operation: an exchange whose partner
takes the lock, a stop wait others need the lock during, a close that waits for the lock
its blocked sender holds."""

from __future__ import annotations

from typing import Callable

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, TextEdit, delete_line, insert_before_statement
from ...source import SourceFile
from ._base import (
    PLAIN_RESULTS,
    case_body,
    channel,
    defers,
    is_yield,
    lock_call,
    lock_key,
    lock_scope,
    named_call,
    names_field,
    operation,
    struct_fields,
    used_elsewhere,
)

# ---------------------------------------------------------------------------- a wait holding the waited-for's lock


def release_before_exchange(sf: SourceFile, stmt: Node, state: str, abspath: str | None = None) -> tuple[Fix | None, str | None]:
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
    exchange when its case does nothing more (that would run unlocked).

    The exchange may also be one call deep, in a method that takes no lock and does nothing
    but it (and yields): see release_before_call (etcd's PR 7492)."""
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
    if sf.text(chan.child_by_field_name("operand")) != recv:
        return None, None
    if key is None:
        return _release_before_call(sf, stmt, method, field, abspath) if lock is None and abspath is not None else (None, None)
    between = code[code.index(lock) + 1:at]
    deferred = bool(between) and defers(sf, between[0], recv + key, "Unlock")
    after = code[at + 1] if at + 1 < len(code) else None
    plain = after is not None and lock_key(sf, after, method) == key and named_call(sf, after, "Unlock")
    if not (deferred and after is None) and not (plain and not deferred):
        return None, None
    if not _reads_nothing(sf, _sent(stmt)):
        return None, "the value sent reads more than names and literals: it would be read after the release"
    if any(lock_key(sf, n, method) == key for n in between[1 if deferred else 0:]) or any(
            next(a.of_type(n, "return_statement", skip_functions=True), None) for n in between):
        return None, "the stretch before the exchange returns or touches the lock again: release it by hand"
    type_name = a.function_key(sf, method)[1]
    lockers = _locking_methods(sf, type_name, key)
    if not _partner_takes(sf, op, field, method, lambda p: _calls_any(sf, p, lockers) or (
            p.type == "method_declaration" and sf.text(p.child_by_field_name("name")) in lockers)):
        return None, f"no partner of {field} takes the lock with a blocking exchange: the exchange is not what holds it up"
    if stmt.type == "select_statement" and case_body(stmt):
        return None, "the select's case does more after the exchange: released before it, that would run unlocked"
    release = insert_before_statement(sf, stmt, [f"{recv}{key}.Unlock()"])
    gone = delete_line(sf, between[0] if deferred else after)
    if release is None or gone is None:
        return None, "the release shares its line: move it by hand"
    return Fix(f"release {recv}{key} before the exchange on {recv}.{field}: its partner takes that lock first",
               tuple(sorted((release, gone), key=lambda e: e.start))), None


def wake_up_under_lock(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A bare ``<-r.f`` (its value unused) in a method of T holding ``r.mu`` (locked in the
    method's top-level block before it, no loop, select, switch or func literal around it),
    followed in its block by yields only and then ``r.mu.Unlock()``, where every send on
    ``f`` is a wake-up that needs that lock: ``case x.f <- struct{}{}:`` with an empty body,
    in a select with a default, in a method of T that holds ``x.mu`` there. The receiver
    waits holding the lock each sender needs before it can send: nobody can wake it (grpc's
    PR 1460: keepalive waits for NewStream's wake-up holding t.mu). Only where ``f`` is a
    ``chan struct{}`` field of T, made unbuffered by every T literal that sets it
    (``T{f: make(chan struct{})}``; no T literal sets fields without keys) and never
    otherwise written (a channel replaced under the lock would be waited for stale once
    read unlocked), handed on, closed, nor named in another file of the package, and this
    is its only receive. The fix, as a hand fix of GoBench's grpc1460 kernel verified (no
    leak in 20 runs, nor in 10 with a yield before the wait, where a release alone lost
    the wake-up in 9): a buffer of one at every make (a wake-up sent while nobody waits is
    kept, not dropped by the default), and before the wait, still under the lock, a
    non-blocking drain of a wake-up left from before the check that led here, then the
    release (the Unlock after the wait goes; only yields ran between). It stays `review`
    however proven: a new wait protocol a re-run cannot prove, and what the method checked
    under the lock may change before the wake-up."""
    op = operation(stmt)
    chan = channel(sf, stmt)
    method = a.enclosing(stmt, "method_declaration")
    if state != "chan receive" or stmt.type != "expression_statement" or chan is None or chan.type != "selector_expression" \
            or method is None or a.enclosing_function(stmt) != method:
        return None, None
    recv, type_name, field = a.receiver_name(sf, method), a.function_key(sf, method)[1], sf.text(chan.child_by_field_name("field"))
    if sf.text(chan.child_by_field_name("operand")) != recv or op != stmt:
        return None, None
    rest = [n for n in a.following(stmt) if n.type != "comment"]
    yields = next((i for i, n in enumerate(rest) if not is_yield(sf, n)), len(rest))
    release = rest[yields] if yields < len(rest) else None
    key = lock_key(sf, release, method) if release is not None and named_call(sf, release, "Unlock") else None
    top = next((n for n in a.statements(a.body(method)) if a.is_within(stmt, n)), None)
    lock = next((n for n in a.statements(a.body(method)) if lock_call(sf, n, ("Lock",)) and lock_key(sf, n, method) == key
                 and n.end_byte <= top.start_byte), None) if key is not None and top is not None else None
    if lock is None or not _holds(sf, method, method, key, stmt):
        return None, None
    if a.enclosing(stmt, "for_statement", "select_statement", "expression_switch_statement", "type_switch_statement",
                   "func_literal", stop_at=("method_declaration",)) is not None or any(
            defers(sf, d, recv + key, "Unlock") for d in a.of_type(method, "defer_statement")):
        return None, f"the wait on {recv}.{field} is in a loop, select, switch or literal, or {recv}{key} is released by a " \
                     "defer: where it is held is not plain"
    if (struct_fields(sf, type_name) or {}).get(field) != "chan struct{}":
        return None, f"{field} is not a chan struct{{}} field of {type_name}: its values may be more than wake-ups"
    mentions = [n for n in a.of_type(sf.root, "selector_expression", "keyed_element") if n.type == "keyed_element" and n.named_children
                and sf.text(n.named_children[0]) == field or n.type == "selector_expression" and names_field(sf, n, field)]
    makes, sends = [], []
    for n in mentions:
        if n == chan:
            continue
        send = n.parent if n.parent.type == "send_statement" and n.parent.child_by_field_name("channel") == n else None
        if n.type == "keyed_element" and "".join(sf.text(n.named_children[-1]).split()) == "make(chanstruct{})" \
                and _literal_type(sf, n) == type_name:
            makes.append(n.named_children[-1])
        elif send is not None and _wakes_holding(sf, send, type_name, key):
            sends.append(send)
        else:
            return None, f"{sf.text(n)} on line {sf.line_col(n.start_byte)[0]} is more than an unbuffered make of {field} or " \
                         "a wake-up sent holding the lock: another user of it is in view"
    if any(_literal_type(sf, e) == type_name for e in a.of_type(sf.root, "literal_element") if e.parent.type == "literal_value"):
        return None, f"a {type_name} literal sets its fields without keys: a make of {field} there is out of view"
    if not makes or not sends:
        return None, f"{field} is made or woken nowhere else in this file: its wake-ups are out of view"
    elsewhere = used_elsewhere(abspath, [rb"\b" + field.encode() + rb"\b"])
    if elsewhere is not None:
        return None, elsewhere
    drain = insert_before_statement(sf, stmt, ["select { // drop a wake-up sent before the check", f"case <-{recv}.{field}:",
                                               "default:", "}", f"{recv}{key}.Unlock()"])
    gone = delete_line(sf, release)
    if drain is None or gone is None:
        return None, "the wait or its release shares its line: release it by hand"
    buffered = [TextEdit(m.end_byte - 1, m.end_byte - 1, b", 1") for m in makes]
    return Fix(f"release {recv}{key} before waiting for {recv}.{field}, draining a stale wake-up first, and give {field} a buffer of "
               "one: its senders need that lock, and a wake-up sent while nobody waits is kept",
               tuple(sorted((drain, gone, *buffered), key=lambda e: e.start))), None


def _literal_type(sf: SourceFile, element: Node) -> str | None:
    """The type a composite literal's element (keyed or not) belongs to, as written."""
    lit = element.parent.parent if element.parent is not None and element.parent.type == "literal_value" else None
    return sf.text(lit.child_by_field_name("type")) if lit is not None and lit.type == "composite_literal" else None


def _wakes_holding(sf: SourceFile, send: Node, type_name: str, key: str) -> bool:
    """``send`` is ``case x.f <- struct{}{}:`` with an empty body, in a select with a
    default, in a method of ``type_name`` on its receiver ``x`` that holds ``x<key>`` there."""
    case, m = send.parent, a.enclosing_function(send)
    return case is not None and case.type == "communication_case" and _without_blocking(send) \
        and not [n for n in a.statements(case) if n.type != "comment"] \
        and "".join(sf.text(send.child_by_field_name("value")).split()) == "struct{}{}" \
        and m is not None and m.type == "method_declaration" and a.function_key(sf, m)[1] == type_name \
        and sf.text(send.child_by_field_name("channel").child_by_field_name("operand")) == a.receiver_name(sf, m) \
        and _holds(sf, m, m, key, send)


def _release_before_call(sf: SourceFile, stmt: Node, callee: Node, field: str, abspath: str) -> tuple[Fix | None, str | None]:
    """The exchange ``stmt`` on ``k.field`` (see release_before_exchange) is the whole of
    method ``callee`` of type K (yields aside, no lock of its own), which the file calls
    once, as the statement ``E.callee(args)`` that ends a plain locked stretch of a method
    of type T, ``r.mu.Lock() ... E.callee(args); r.mu.Unlock()`` (no defer, no return, no
    other touch of a lock between), E being ``r`` itself or ``r.f``, a field of T of type
    *K (a K value would be copied, with any lock it holds), and the args names and
    literals; its partner (a method of K or a goroutine literal, doing the blocking other
    half of the exchange) takes ``mu`` of a T: it calls a method of T that locks it, or
    calls a function-typed field of K while a function literal of the file locks it on a
    value of type T (etcd's PR 7492: the keeper's ``run`` loop deletes tokens through a
    func that locks the token store, while the store hands it a token holding that lock).
    Refused where the method is named in another file of the package (other callers out of
    view), and where a method of T assigns ``r.f`` holding the lock (the lock orders the
    callee's lifetime: a value stopped or replaced under it could be the one called after
    the release). The fix, as a hand fix of GoBench's etcd7492 kernel verified (no leak in
    20 runs): ``f := r.f`` and the release before the call, which calls the copy (E is
    read under the lock as before). It stays `review` however proven: others can take the
    lock before the exchange, and see what the stretch did."""
    name = sf.text(callee.child_by_field_name("name"))
    kind = a.function_key(sf, callee)[1]
    if any(n != stmt and not is_yield(sf, n) for n in a.statements(a.body(callee)) if n.type != "comment"):
        return None, None
    calls = [c for c in a.of_type(sf.root, "call_expression") if (a.method_call(sf, c) or (None, ""))[1] == name]
    site = calls[0].parent if len(calls) == 1 else None
    method = a.enclosing(site, "method_declaration") if site is not None else None
    if method is None or site.type != "expression_statement" or a.enclosing_function(site) != method \
            or site.parent.parent != a.body(method):
        return None, None
    recv, type_name = a.receiver_name(sf, method), a.function_key(sf, method)[1]
    code = [n for n in a.statements(a.body(method)) if n.type != "comment"]
    at = code.index(site)
    lock = next((n for n in reversed(code[:at]) if lock_call(sf, n, ("Lock",))), None)
    key = lock_key(sf, lock, method) if lock is not None else None
    after = code[at + 1] if at + 1 < len(code) else None
    call, target = calls[0], a.method_call(sf, calls[0])[0]
    what = f"{sf.text(target)}.{name}"
    if key is None:
        return None, None
    if after is None or lock_key(sf, after, method) != key or not named_call(sf, after, "Unlock"):
        return None, f"{what} is not followed by {recv}{key}.Unlock(): released before it, what follows would run unlocked"
    named = sum(sf.text(n) == name for n in a.of_type(sf.root, "identifier", "field_identifier"))
    if named != 2 or used_elsewhere(abspath, [rb"\b" + name.encode() + rb"\b"]):
        return None, f"{name} is named elsewhere too: other calls of it, out of view, may hold the lock"
    if any(lock_key(sf, n, method) is not None or next(a.of_type(n, "return_statement", skip_functions=True), None)
           for n in code[code.index(lock) + 1:at]):
        return None, f"the stretch before {what} returns or touches a lock again: release it by hand"
    copied = sf.text(target).split(".")
    fields = struct_fields(sf, type_name) or {}
    if copied[0] != recv or not (len(copied) == 1 and kind == type_name or len(copied) == 2 and target.type == "selector_expression"
                                 and fields.get(copied[1]) == "*" + kind):
        return None, f"{what} is not called on {recv} or a field of {recv} of type *{kind}: which value's exchange it is is not plain"
    if not all(x.type in PLAIN_RESULTS for arg in a.arguments(call) for x in a.walk(arg)):
        return None, f"an argument of {what} reads more than names and literals: it would be read after the release"
    if not _reads_nothing(sf, _sent(stmt)):
        return None, "the value sent reads more than names and literals: it would be read after the release"
    if len(copied) == 2 and _assigned_holding(sf, type_name, copied[1], key):
        return None, f"{recv}.{copied[1]} is replaced holding {recv}{key}: the lock orders its lifetime, a call after the release " \
                     "could reach a value stopped or replaced"
    lockers = _locking_methods(sf, type_name, key)
    callbacks = [f for f, t in (struct_fields(sf, kind) or {}).items() if t.startswith("func(")] \
        if _literal_locks(sf, type_name, key) else []
    if not _partner_takes(sf, operation(stmt), field, callee, lambda p: _calls_any(sf, p, lockers) or any(
            names_field(sf, c.child_by_field_name("function"), f) for c in a.of_type(p, "call_expression") for f in callbacks)):
        return None, f"no partner of {field} takes {recv}{key} with a blocking exchange: the exchange is not what holds it up"
    local = copied[-1][:1].lower() + copied[-1][1:]
    if len(copied) == 2 and any(sf.text(n) == local for n in a.of_type(method, "identifier")):
        return None, f"{local}, the name for the copy of {sf.text(target)}, is taken in {sf.text(method.child_by_field_name('name'))}"
    lines = [f"{local} := {sf.text(target)}", f"{recv}{key}.Unlock()"] if len(copied) == 2 else [f"{recv}{key}.Unlock()"]
    release, gone = insert_before_statement(sf, site, lines), delete_line(sf, after)
    if release is None or gone is None:
        return None, "the release shares its line: move it by hand"
    edits = [release, gone] + ([TextEdit(target.start_byte, target.end_byte, local.encode())] if len(copied) == 2 else [])
    return Fix(f"release {recv}{key} before calling {what}, whose exchange on {field} waits for a partner that takes that lock "
               "first" + (f" ({sf.text(target)} read under the lock)" if len(copied) == 2 else ""),
               tuple(sorted(edits, key=lambda e: e.start))), None


def _sent(stmt: Node) -> Node | None:
    """The value a send statement (or a single-case select's) sends; None for a receive."""
    op = operation(stmt)
    return op.child_by_field_name("value") if op.type == "send_statement" else None


def _reads_nothing(sf: SourceFile, value: Node | None) -> bool:
    """``value`` (None: no value) is names and literals, or ``struct{}{}``: moved after the
    release, it reads nothing the lock guards."""
    return value is None or "".join(sf.text(value).split()) == "struct{}{}" or all(x.type in PLAIN_RESULTS for x in a.walk(value))


def _locking_methods(sf: SourceFile, type_name: str, key: str) -> set[str]:
    """The names of the methods of ``type_name`` that lock (or read-lock) ``key`` of their receiver."""
    return {sf.text(m.child_by_field_name("name")) for m in a.of_type(sf.root, "method_declaration")
            if (a.function_key(sf, m) or ("", ""))[1] == type_name and any(
                lock_key(sf, n, m) == key and lock_call(sf, n, ("Lock", "RLock")) for n in a.of_type(m, "expression_statement"))}


def _calls_any(sf: SourceFile, node: Node, methods: set[str]) -> bool:
    return any((mc := a.method_call(sf, c)) is not None and mc[1] in methods for c in a.of_type(node, "call_expression"))


def _partner_takes(sf: SourceFile, op: Node, field: str, own: Node, takes: Callable[[Node], bool]) -> bool:
    """Whether a goroutine literal of the file, or a method of ``own``'s type other than
    ``own``, does the blocking other half of ``op`` on the channel field ``field`` (receives
    for a send; closes or sends for a receive) and ``takes`` the lock."""
    type_name = a.function_key(sf, own)[1]
    methods = [m for m in a.of_type(sf.root, "method_declaration") if m != own and (a.function_key(sf, m) or ("", ""))[1] == type_name]
    goroutines = [g for g in a.of_type(sf.root, "func_literal") if a.goroutine_literal(g) is not None]
    partner = (lambda n: _receives_field(sf, n, field)) if op.type == "send_statement" else (
        lambda n: _closes_field(sf, n, field) or any(names_field(sf, x.child_by_field_name("channel"), field)
                                                      and not _without_blocking(x) for x in a.of_type(n, "send_statement")))
    return any(partner(p) and takes(p) for p in [*goroutines, *methods])


def _literal_locks(sf: SourceFile, type_name: str, key: str) -> bool:
    """A function literal of the file locks ``v<key>`` (``t.mu.Lock()``), ``v`` a parameter
    of type ``type_name`` or a pointer to it (of the literal or a function around it)."""
    for g in a.of_type(sf.root, "func_literal"):
        for n in a.of_type(a.body(g), "expression_statement", skip_functions=True):
            operand = sf.text(a.method_call(sf, a.unparen(n.named_children[0]))[0]) if lock_call(sf, n, ("Lock", "RLock")) else ""
            root, dot, path = operand.partition(".")
            if dot and "." + path == key and _param_type(sf, g, root) == type_name:
                return True
    return False


def _param_type(sf: SourceFile, fn: Node, name: str) -> str | None:
    """The type (a pointer's element) of the parameter ``name`` of ``fn`` or the nearest
    function around it declaring one, or of the receiver so named; None."""
    for f in (n for n in (fn, *a.ancestors(fn)) if n.type in ("method_declaration", "function_declaration", "func_literal")):
        if f.type == "method_declaration" and a.receiver_name(sf, f) == name:
            return a.function_key(sf, f)[1]
        params = [p for p in a.of_type(f.child_by_field_name("parameters"), "parameter_declaration")
                  if name in [sf.text(x) for x in p.children_by_field_name("name")]]
        if params:
            return sf.text(params[0].child_by_field_name("type")).lstrip("*")
    return None


def _assigned_holding(sf: SourceFile, type_name: str, field: str, key: str) -> bool:
    """A method of ``type_name`` assigns its receiver's ``field`` while holding ``key``."""
    for m in a.of_type(sf.root, "method_declaration"):
        if (a.function_key(sf, m) or ("", ""))[1] != type_name:
            continue
        recv = a.receiver_name(sf, m)
        for s in a.of_type(m, "assignment_statement"):
            if any(sf.text(x) == f"{recv}.{field}" for x in a.of_type(s.child_by_field_name("left"), "selector_expression")) \
                    and _holds(sf, m, m, key, s):
                return True
    return False


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
    type_name = _param_type(sf, fn, root)
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
    arg, scope = a.unparen(a.arguments(call)[0]), lock_scope(sf, blocked)
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
