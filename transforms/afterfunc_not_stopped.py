"""afterfunc-not-stopped: a time.AfterFunc timer that its owner can no longer stop."""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.analysis.handles import LIVE, OVERWRITES, REMADE, field_on_arrival
from gofixleaks.edits import REVIEW, Fix, TextEdit, insert_after_statement, insert_before_statement
from gofixleaks.rule import Pass, Rule

from . import _release as release
from ._stoppable import is_stop
from ._timers import fresh_name

DOC = """\
## What it finds
A timer made by `time.AfterFunc(d, f)` (under any import name of "time") whose callback
its owner can no longer stop:
- the result is discarded inside a method of a type that has a `Close`, `Stop` or
  `Shutdown` method, and the callback uses the receiver: closing cannot stop it;
- it is kept in a field of the receiver that nothing in the package ever stops (or reads),
  although the type has a `Close`, `Stop` or `Shutdown` method;
- a field of the receiver checked to hold such a timer (`if s.t != nil`) is cleared
  (`s.t = nil`) or given a new timer without stopping the old one, or a map of the
  receiver that keeps them has an entry deleted (`delete(s.timers, k)`) unread;
- a local timer is stopped on some paths but dropped on others (returned past, replaced),
  or stopped by a `defer` inside the loop that makes it.

## Why it leaks
The runtime keeps an AfterFunc timer, its callback and everything the callback references
until it fires, in every Go version, and then runs the callback: on a closed connection, a
deleted session, a replaced deadline. A long timeout keeps all of it alive for that long;
a callback that re-arms its own timer keeps it alive forever.

## When it is not reported
- the timer is stopped, or handed on (returned, stored, passed), on every path;
- a local timer made in a loop and stopped by a `defer` there, when nothing of the
  iteration follows but that defer: it is armed to fire after its iteration (a staggered
  dial per candidate), and stopping it as the iteration ends would cancel it at once;
- a local timer dropped by a `return` that hands out a channel its callback closes or
  sends on (`return ch, func() {}`): the caller waits for the callback to run (tailscale's
  verbose captive-portal check);
- a local timer that is never stopped at all: its callback is meant to run;
- a clear or delete inside the callback itself (the timer has fired), or in a method that
  is handed to `time.AfterFunc` as a callback;
- a field cleared or given a new timer where nothing on the path shows that it still
  holds one (it may have fired, or a caller stopped it: one function cannot tell), a field
  of anything but the receiver, a map entry read before it is deleted (it may be stopped
  through a local), or a field that a method of the same type fills with another call's
  timer (fields are matched by name across the package: centrifuge's channel writer keeps
  a pooled `NewTimer` in a field named like the client's AfterFunc `timer`).

## When it is not fixed
- a discarded timer: keeping it needs a new field, a design choice;
- the owner's `Close` is in another file, returns early, or unlocks a mutex itself (a stop
  added at its end could run outside the lock that guards the field), or takes no lock
  while a method of the type writes the field holding one (pgx's pool re-arms its health
  check timer under `healthCheckMu`): the stop would race with that write;
- the lines the fix needs are shared with other code.

## The fix
Every fix stops a callback that would otherwise run, which changes behaviour: they are all
`review` fixes.
- a field or entry cleared, deleted or replaced: stop the old timer right before
  (`if s.t != nil { s.t.Stop() }`, `if t, ok := s.timers[k]; ok { t.Stop() }`);
- a field nothing stops: `if s.t != nil { s.t.Stop() }` (a loop over a map of timers) at
  the end of the owner's `Close`;
- a local timer stopped on some paths: `defer t.Stop()` after it is made, or `t.Stop()`
  where it is dropped when it is handed on elsewhere; a `defer t.Stop()` in a loop becomes
  `t.Stop()` at the end of each iteration.
"""

_CLOSERS = ("Close", "Stop", "Shutdown")


def _method(node: Node) -> Node | None:
    return a.enclosing(node, "method_declaration")


def _receiver(p: Pass, method: Node | None) -> tuple[str, str] | None:
    """(receiver name, receiver type) of a method."""
    if method is None:
        return None
    key = a.function_key(p.file, method)
    name = a.receiver_name(p.file, method)
    return (name, key[1]) if name is not None and key is not None else None


def _in_callback(sf, node: Node) -> bool:
    """``node`` runs inside a function literal handed to time.AfterFunc: the timer fired."""
    return any(lit.type == "func_literal" and a.is_after_func(sf, lit.parent.parent if lit.parent else None)
               for lit in a.ancestors(node) if lit.type == "func_literal")


def _discarded(p: Pass, call: Node, package: str) -> None:
    sf = p.file
    method = _method(call)
    recv = _receiver(p, method)
    if recv is None or p.package is None:
        return
    name, typ = recv
    closer = p.package.has_method(package, typ, _CLOSERS)
    own = a.function_key(sf, method)[0]
    args = a.arguments(call)
    if closer is None or own in _CLOSERS or len(args) != 2 or not any(sf.text(i) == name for i in a.of_type(args[1], "identifier")):
        return
    p.report(call, f"the timer of time.AfterFunc is discarded: {typ}.{closer} cannot stop it, and its callback runs on {name} "
                   f"after {closer}, keeping it alive until then", notes=[f"keep the timer in a field of {typ} and stop it in {closer}"])


def _local(p: Pass, call: Node, binding: a.Binding) -> None:
    """A local timer stopped on some paths and dropped on others."""
    sf = p.file
    if binding.statement.parent is None or binding.statement.parent.type != "statement_list":
        return
    uses = [a.classify(sf, r) for r in a.references(sf, binding)]
    if not any(is_stop(u) for u in uses):
        return  # never stopped: its callback is meant to run
    life = a.follow(sf, binding, binding.statement, binding.function, is_stop)
    if not life.drops and not life.deferred_in_loop:
        return
    name = binding.name
    line = lambda n: sf.line_col(n.start_byte)[0]  # noqa: E731
    guarded = a.derived(sf, binding.function, {name})
    if not life.drops:
        if _last_of_iteration(sf, binding.statement, life.deferred_in_loop):
            return  # armed for after its iteration (a staggered dial plan): it is meant to outlive it
        message = (f"timer {name} from time.AfterFunc is stopped by a defer inside a loop (line {line(life.deferred_in_loop[0])}): "
                   "every iteration's callback stays armed until the function returns")
        edits, note = release.each_iteration(sf, life, guarded, f"{name}.Stop()", "the timer")
        what = f"call `{name}.Stop()` at the end of each iteration instead of deferring it"
        fix = Fix(what, edits, applicability=REVIEW) if edits else None
        return p.report(call, message, [fix] if fix else [], notes=[] if fix else [note])
    args = a.arguments(call)
    callback = args[1] if len(args) == 2 and args[1].type == "func_literal" else None
    signalled = a.signal_ops(sf, callback)[0] if callback is not None else frozenset()
    awaited = signalled & {n for d in life.drops if d.at.type == "return_statement" for n in a.names_in(sf, d.at)}
    if awaited:
        return  # the callback closes or sends on what that return hands out: its caller waits for it to run
    drop = life.drops[0]
    if drop.how in (OVERWRITES, REMADE):
        where = f"where it is replaced (line {line(drop.at)})"
    else:
        where = f"on the way out at line {line(drop.at)}"
    message = (f"timer {name} from time.AfterFunc is stopped on some paths but not {where}: its callback still runs, "
               "and keeps what it uses alive until then")
    if any(d.how in (OVERWRITES, REMADE) for d in life.drops):
        return p.report(call, message, notes=["replaced before it is stopped: stop the old one first"])
    if life.handed_on:
        edits, note = release.at_drops(sf, life, guarded, name, f"{name}.Stop()", "the timer")
        fix = Fix(f"call `{name}.Stop()` where it is dropped", edits, applicability=REVIEW) if edits else None
        return p.report(call, message, [fix] if fix else [], notes=[] if fix else [note])
    if a.loops_between(binding.statement, binding.function) or life.shared:
        return p.report(call, message, notes=["made inside a loop, or shared with a goroutine: stop it where its iteration or user ends"])
    edit = insert_after_statement(sf, binding.statement, f"defer {name}.Stop()")
    if edit is None:
        return p.report(call, message, notes=["declared beside another statement: no line of its own for the defer"])
    p.report(call, message, [Fix(f"add `defer {name}.Stop()` after it is made", (edit,), applicability=REVIEW)])


def _last_of_iteration(sf, made: Node, defers: tuple[Node, ...]) -> bool:
    """Nothing of the iteration runs after the timer is made but its deferred stops: no
    work of the iteration for the timer to guard, so stopping it as the iteration ends
    would cancel its callback at once (tailscale's dial plan arms one per candidate)."""
    return made.parent is not None and all(x.type == "comment" or x in defers for x in a.following(made))


def _field(p: Pass, call: Node, target: Node, package: str) -> None:
    """``s.t = time.AfterFunc(...)``: replacing a live timer, or a field nothing stops."""
    sf = p.file
    operand = target.child_by_field_name("operand")
    method = _method(call)
    recv = _receiver(p, method)
    if recv is None or operand.type != "identifier" or sf.text(operand) != recv[0] or a.enclosing_function(call) != method:
        return
    holder, field = sf.text(target), sf.text(target.child_by_field_name("field"))
    stmt = a.statement_of(call)
    g = a.graph(sf, method)
    point = g.point_of(stmt)
    arrival = field_on_arrival(sf, g, point, holder) if point is not None else set()
    if LIVE in arrival:
        message = f"{holder} is given a new time.AfterFunc timer while it may hold one that was not stopped: the old callback still runs"
        stop = [f"{holder}.Stop()"] if arrival == {LIVE} else [f"if {holder} != nil {{", f"\t{holder}.Stop()", "}"]
        edit = insert_before_statement(sf, stmt, stop)
        fix = Fix(f"stop the old timer in {holder} before replacing it", (edit,), applicability=REVIEW) if edit else None
        return p.report(call, message, [fix] if fix else [], notes=[] if fix else ["the assignment shares its line with other code"])
    closer = p.package.has_method(package, recv[1], _CLOSERS) if p.package is not None else None
    # this file as it is now too: a fix here adds the read the package's facts do not know of yet
    here = field in sf.cached("afterfunc-field-reads", lambda: frozenset(  # once per file: asked per timer
        x for fn in a.of_type(sf.root, "function_declaration", "method_declaration") for x in a.field_reads(sf, fn)))
    if closer is None or here or field in p.package.field_reads(package):
        return
    message = (f"timer {holder} from time.AfterFunc is never stopped: nothing in the package stops {field}, so {recv[1]}.{closer} "
               f"leaves its callback armed")
    edit, why = _stop_in_closer(p, recv[1], closer, field, is_map=False)
    if edit is None:
        return p.report(call, message, notes=[why])
    p.report(call, message, [Fix(f"stop it at the end of {recv[1]}.{closer}", (edit,), applicability=REVIEW)])


def _stop_in_closer(p: Pass, typ: str, closer: str, field: str, is_map: bool) -> tuple[TextEdit | None, str]:
    """A stop of the timers in ``field`` at the end of ``typ.closer`` when that is safe to add."""
    sf = p.file
    method = next((m for m in a.of_type(sf.root, "method_declaration") if a.function_key(sf, m) == (closer, typ)), None)
    recv = _receiver(p, method)
    stmts = a.statements(a.body(method)) if method is not None else []
    if method is None or recv is None or not stmts:
        return None, f"{typ}.{closer} is not in this file, or is empty"
    if next(a.of_type(a.body(method), "return_statement", skip_functions=True), None) is not None:
        return None, f"{typ}.{closer} returns early: a stop at its end would not run on every path"
    if any((m := a.method_call(sf, c)) is not None and m[1] in ("Unlock", "RUnlock") and c.parent.type != "defer_statement"
           for c in a.of_type(a.body(method), "call_expression", skip_functions=True)):
        return None, f"{typ}.{closer} unlocks a mutex itself: a stop at its end could run outside the lock that guards {field}"
    locked = _written_locked(p, typ, field)
    if locked is not None and not _locks(sf, method):
        return None, (f"{field} is written holding a lock ({typ}.{locked}) that {typ}.{closer} does not take: a stop "
                      f"there would race with that write; stop it under the same lock by hand")
    name = recv[0]
    if is_map:
        t = fresh_name(sf, method, "t", set())
        lines = f"for _, {t} := range {name}.{field} {{\n\t{t}.Stop()\n}}"
    else:
        lines = f"if {name}.{field} != nil {{\n\t{name}.{field}.Stop()\n}}"
    indent = sf.indent_at(stmts[-1].start_byte).decode()
    return insert_after_statement(sf, stmts[-1], lines.replace("\n", sf.newline.decode() + indent)), ""


def _cleared(p: Pass, stmt: Node, holder: Node, key: Node | None, package: str, kept: frozenset[str]) -> None:
    """``s.t = nil`` or ``delete(s.timers, k)`` where the field keeps AfterFunc timers."""
    sf = p.file
    field = sf.text(holder.child_by_field_name("field"))
    if p.package is None or field + ("[]" if key is not None else "") not in kept:
        return
    fn = a.enclosing_function(stmt)
    method = _method(stmt)
    recv = _receiver(p, method)
    operand = holder.child_by_field_name("operand")
    if fn is None or recv is None or operand.type != "identifier" or sf.text(operand) != recv[0]:
        return  # only the receiver's own fields: a local may hold a timer that already fired
    if _in_callback(sf, stmt) or a.function_key(sf, method)[0] in p.package.callbacks(package):
        return  # the timer has fired
    if _holds_other_timers(p, recv[1], field):
        return  # fields are matched by name: this type's field of that name holds another kind of value
    text = sf.text(holder)
    if key is not None:
        reads = a.of_type(a.body(fn), "index_expression")
        if any(sf.text(ix.child_by_field_name("operand")) == text and ix.start_byte < stmt.start_byte for ix in reads):
            return  # the entry is read first: it may be stopped through a local
        t = fresh_name(sf, stmt, "t", set())
        lines = [f"if {t}, ok := {text}[{sf.text(key)}]; ok {{", f"\t{t}.Stop()", "}"]
        message = f"delete from {text} drops a time.AfterFunc timer without stopping it: its callback still runs"
    else:
        g = a.graph(sf, fn)
        point = g.point_of(stmt)
        arrival = field_on_arrival(sf, g, point, text) if point is not None else set()
        if LIVE not in arrival:
            return  # nothing on the way shows a timer there: it may have fired, or been stopped by a caller
        lines = [f"{text}.Stop()"] if arrival == {LIVE} else [f"if {text} != nil {{", f"\t{text}.Stop()", "}"]
        message = f"{text} = nil drops a time.AfterFunc timer without stopping it: its callback still runs"
    edit = insert_before_statement(sf, stmt, lines)
    fix = Fix("stop the timer before dropping it", (edit,), applicability=REVIEW) if edit else None
    p.report(stmt, message, [fix] if fix else [], notes=[] if fix else ["the statement shares its line with other code"])


def _locks(sf, fn: Node) -> bool:
    """Whether ``fn`` takes a lock itself (any ``x.Lock()`` or ``x.RLock()`` call)."""
    return any((m := a.method_call(sf, c)) is not None and m[1] in ("Lock", "RLock")
               for c in a.of_type(a.body(fn), "call_expression", skip_functions=True))


def _field_assignments(p: Pass, typ: str, field: str) -> Iterator[tuple[Node, Node, Node | None]]:
    """(method, statement, value) for each assignment to the receiver's ``field`` in a
    method of ``typ`` in this file (value None when the right side does not pair up)."""
    sf = p.file
    for method in a.of_type(sf.root, "method_declaration"):
        recv = _receiver(p, method)
        if recv is None or recv[1] != typ:
            continue
        for stmt in a.of_type(a.body(method), "assignment_statement"):
            lefts, right = a.left_names(stmt), stmt.child_by_field_name("right")
            values = right.named_children if right is not None else []
            for i, left in enumerate(lefts):
                if sf.text(left) == f"{recv[0]}.{field}":
                    yield method, stmt, values[i] if len(values) == len(lefts) else None


def _written_locked(p: Pass, typ: str, field: str) -> str | None:
    """The name of a method of ``typ`` in this file that assigns its receiver's ``field``
    after taking a lock (pgx's pool re-arms ``healthCheckTimer`` under ``healthCheckMu``),
    or None."""
    sf = p.file
    for method, stmt, _ in _field_assignments(p, typ, field):
        if any(c.start_byte < stmt.start_byte and (m := a.method_call(sf, c)) is not None and m[1] in ("Lock", "RLock")
               for c in a.of_type(a.body(method), "call_expression", skip_functions=True)):
            return a.function_key(sf, method)[0]
    return None


def _holds_other_timers(p: Pass, typ: str, field: str) -> bool:
    """Whether a method of ``typ`` in this file fills its receiver's ``field`` with a call
    other than time.AfterFunc (``w.timer = timers.AcquireTimer(d)``, a pooled NewTimer
    that its own goroutine stops, in centrifuge): the package's AfterFunc timers of that
    name are another type's. A map of timers made afresh (``make``) is no other kind."""
    sf = p.file
    return any(v is not None and v.type == "call_expression" and not a.is_after_func(sf, v)
               and a.callee(sf, v) not in ((None, "make"), (None, "new"))
               for _, _, v in _field_assignments(p, typ, field))


def run(p: Pass) -> None:
    sf = p.file
    package = sf.package_name
    kept = p.package.timer_fields(package) if p.package is not None else frozenset()
    for call in a.calls_named(sf, ("AfterFunc", "delete")):
        if a.is_after_func(sf, call):
            binding = a.assignments(sf, call)
            target = a.assigned_to(call)
            if call.parent is not None and call.parent.type == "expression_statement":
                _discarded(p, call, package)
            elif binding is not None and binding.statement.type != "assignment_statement":
                _local(p, call, binding)
            elif target is not None and target.type == "selector_expression":
                _field(p, call, target, package)
        elif a.callee(sf, call) == (None, "delete"):
            args = a.arguments(call)
            if len(args) == 2 and args[0].type == "selector_expression" and call.parent.type == "expression_statement":
                _cleared(p, call.parent, args[0], args[1], package, kept)
    for stmt in a.of_type(sf.root, "assignment_statement") if kept else ():  # _cleared asks for a kept field
        lefts, right = a.left_names(stmt), stmt.child_by_field_name("right")
        values = right.named_children if right is not None else []
        if len(lefts) == 1 == len(values) and lefts[0].type == "selector_expression" and sf.text(values[0]) == "nil":
            _cleared(p, stmt, lefts[0], None, package, kept)


RULE = Rule(
    name="afterfunc-not-stopped",
    summary="a time.AfterFunc timer its owner can no longer stop -> stop it where it is dropped",
    doc=DOC,
    run=run,
    triggers=(b"AfterFunc",),
    needs_package=True,
)
