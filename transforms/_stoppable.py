"""Shared by ticker-not-stopped and timer-not-stopped: they differ in the constructor and
in what releases the value (a timer that has fired is released too)."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks.edits import Fix, insert_after_statement, insert_at_block_start
from gofixleaks.rule import Pass

from ._timers import breaks_out


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
        closures = {c for u in life.uses if (c := _closure(u, binding.function)) is not None}
        if life.escaped or life.released or any(_deferred(c) is None for c in closures):
            continue  # a closure that captures it may run after the function returns: it owns it
        if any(_released_by_deferred_closure(sf, u, binding) for u in life.uses if is_release(u)):
            continue
        releases = {a.statement_of(u.ident).id for u in life.uses if is_release(u)}
        if life.owner is not None:
            top, after = a.body(life.owner).named_children[0], None
        else:
            top, after = binding.statement.parent, binding.statement
        if top.type == "statement_list" and _released_at_every_exit(sf, top, after, releases, binding.name if fires else None):
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
        p.report(call, message, [Fix(f"add `{text}` {where}", (edit,))])


def _closure(use: a.Use, fn):
    """The innermost func literal around ``use`` inside ``fn`` that is not a goroutine body."""
    for n in a.ancestors(use.ident):
        if n == fn:
            return None
        if n.type == "func_literal" and a.goroutine_literal(n) is None:
            return n
    return None


def _deferred(lit):
    """The ``defer func() {...}()`` statement that runs ``lit``, if that is how it runs."""
    call = lit.parent
    if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == lit:
        if call.parent is not None and call.parent.type == "defer_statement":
            return call.parent
    return None


def _released_by_deferred_closure(sf, use: a.Use, binding: a.Binding) -> bool:
    """``defer func() { t.Stop() }()`` reached on every path after the declaration."""
    lit = _closure(use, binding.function)
    defer = _deferred(lit) if lit is not None else None
    stmt = a.statement_of(use.ident)
    return (
        defer is not None
        and stmt.parent is not None
        and stmt.parent.parent == a.body(lit)
        and a.runs_on_every_path(sf, stmt, None)
        and defer.parent == binding.statement.parent
        and a.runs_on_every_path(sf, defer, binding.statement)
    )


def _released_at_every_exit(sf, top, after, releases: set[int], fired_by: str | None) -> bool:
    """Whether every way out of the statements of ``top`` after ``after`` (a return, or the
    end of the list) passes a statement in ``releases`` first, or a select case receiving
    from ``fired_by``.C. A goto or a labeled jump gives up: the path is not followed."""
    siblings = list(top.named_children)
    rest = siblings[siblings.index(after) + 1 :] if after is not None else siblings
    if not rest:
        return False

    def covered(node) -> bool:
        cur = node
        while True:
            lst = cur.parent
            if lst is None or lst.type != "statement_list":
                return False
            kids = list(lst.named_children)
            start = kids.index(after) + 1 if lst == top and after is not None else 0
            if any(k.id in releases for k in kids[start : kids.index(cur)]):
                return True
            if lst == top:
                return False
            case = lst.parent
            if fired_by is not None and case.type == "communication_case":
                comm = case.child_by_field_name("communication")
                right = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else None
                if right is not None and sf.text(right).replace(" ", "") == f"<-{fired_by}.C":
                    return True
            cur = a.statement_of(lst)

    for stmt in rest:
        for n in a.walk(stmt, skip_functions=True):
            if n.type == "goto_statement" or (n.type in ("break_statement", "continue_statement") and n.named_children):
                return False
            if n.type == "return_statement" and not covered(n):
                return False
    last = rest[-1]
    ends = last.type == "return_statement" or (
        last.type == "for_statement" and a.loop_kind(sf, last) == "endless" and not breaks_out(last)
    )
    return ends or any(k.id in releases for k in rest)

