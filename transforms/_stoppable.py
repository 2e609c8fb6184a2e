"""Shared by ticker-not-stopped and timer-not-stopped: they differ in the constructor and
in what releases the value (a timer that has fired is released too)."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks.edits import SAFE, Fix, insert_after_statement, insert_at_block_start
from gofixleaks.rule import Pass


def is_stop(use: a.Use) -> bool:
    return use.kind in ("method", "deferred-method") and use.detail == "Stop"


def check_stoppable(p: Pass, constructor: str, noun: str, why: str, is_release=is_stop, fires: bool = False) -> None:
    """Report each local ``time.<constructor>`` value that is not released on every path:
    ``why`` ends the message, ``is_release(use)`` says which uses release it (Stop, and for
    a timer also a receive that proves it fired); ``fires``: a select case that receives
    from its channel has released it (a timer fires once)."""
    sf = p.file
    for call in a.of_type(sf.root, "call_expression"):
        if not a.is_call_to(sf, call, "time", (constructor,)):
            continue
        binding = a.assignments(sf, call)
        if binding is None or binding.name == "_" or binding.statement.type == "assignment_statement":
            continue  # not a fresh local: stored or reassigned, owned elsewhere
        life = a.lifetime(sf, binding, is_release)
        if life.escaped or life.released:
            continue
        closures = {c for u in life.uses if (c := _closure(u, binding.function)) is not None}
        if any(a.deferred_literal(c) is None for c in closures):
            continue  # a closure that captures it may run after the function returns: it owns it
        if any(_released_by_deferred_closure(sf, u, binding) for u in life.uses if is_release(u)):
            continue
        if life.owner is not None and _stuck_on(sf, life.owner, binding.name):
            continue  # the goroutine never ends: loop-without-exit's business, a defer here never runs
        releases = {a.statement_of(u.ident).id for u in life.uses if is_release(u)}
        if life.owner is not None:
            rest = a.statements(a.body(life.owner))
        elif binding.statement.parent.type == "statement_list":
            rest = a.following(binding.statement)
        else:
            rest = []  # declared in an if/for/switch header: not followed
        fired_by = binding.name if fires else None
        if a.every_exit_passes(sf, rest, lambda s: s.id in releases or _in_fired_case(sf, s, fired_by)):
            continue
        name = binding.name
        never = "is not stopped on every path" if any(is_release(u) for u in life.uses) else "is never stopped"
        message = f"{noun} {name} from time.{constructor} {never}: {why}"
        if life.in_loop:
            p.report(call, message, notes=["made inside a loop: stop it before the next iteration (a defer would pile up)"])
            continue
        goroutines = {a.enclosing_goroutine(u.ident, within=binding.function) for u in life.uses} - {None}
        if goroutines and life.owner is None:
            note = "a goroutine uses it too: stopping it when this function returns could starve that goroutine"
            p.report(call, message, notes=[note])
            continue
        text = f"defer {name}.Stop()"
        if life.owner is not None:
            edit = insert_at_block_start(sf, a.body(life.owner), text)
            where = "inside the goroutine that owns it"
        else:
            edit = insert_after_statement(sf, binding.statement, text)
            where = "after it is made"
        if edit is None:
            p.report(call, message, notes=["declared in a header or beside another statement: no line of its own for the defer"])
            continue
        p.report(call, message, [Fix(f"add `{text}` {where}", (edit,), applicability=SAFE)])


def _closure(use: a.Use, fn):
    """The innermost func literal around ``use`` inside ``fn`` that is not a goroutine body."""
    for n in a.ancestors(use.ident):
        if n == fn:
            return None
        if n.type == "func_literal" and a.goroutine_literal(n) is None:
            return n
    return None


def _released_by_deferred_closure(sf, use: a.Use, binding: a.Binding) -> bool:
    """``defer func() { t.Stop() }()`` reached on every path after the declaration."""
    lit = _closure(use, binding.function)
    defer = a.deferred_literal(lit) if lit is not None else None
    stmt = a.statement_of(use.ident)
    return (
        defer is not None
        and stmt.parent is not None
        and stmt.parent.parent == a.body(lit)
        and a.runs_on_every_path(sf, stmt, None)
        and defer.parent == binding.statement.parent
        and a.runs_on_every_path(sf, defer, binding.statement)
    )


def _in_fired_case(sf, stmt, name: str | None) -> bool:
    """``stmt`` runs in a select case that received from ``name.C``: the timer has fired."""
    case = stmt.parent.parent if stmt.parent is not None else None
    return name is not None and case is not None and receives_from(sf, case, name)


def receives_from(sf, case, name: str) -> bool:
    """``case`` is a select case ``case <-name.C:`` (or ``case v := <-name.C:``)."""
    if case.type != "communication_case":
        return False
    comm = case.child_by_field_name("communication")
    right = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else None
    return right is not None and sf.text(right).replace(" ", "") == f"<-{name}.C"


def _stuck_on(sf, goroutine, name: str) -> bool:
    """The goroutine loops on ``name.C`` with no way out: ``for range name.C`` or
    ``for { select { case <-name.C: ... } }`` whose body never leaves the loop."""
    for loop in a.of_type(a.body(goroutine), "for_statement", skip_functions=True):
        stmts = a.statements(loop.child_by_field_name("body"))
        if a.exits_between(stmts):
            continue
        clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
        if clause is not None:
            right = clause.child_by_field_name("right")
            if right is not None and sf.text(right).replace(" ", "") == f"{name}.C":
                return True
        elif a.loop_kind(sf, loop) == "endless" and any(
            receives_from(sf, case, name)
            for select in a.of_type(loop, "select_statement", skip_functions=True)
            for case in select.named_children
        ):
            return True
    return False
