"""Shared by ticker-not-stopped and timer-not-stopped: they differ in the constructor and
in what releases the value (a timer that has fired is released too)."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks.edits import REVIEW, SAFE, Fix, insert_after_statement, insert_at_block_start
from gofixleaks.rule import Pass

from . import _release as release


def is_stop(use: a.Use) -> bool:
    return use.kind in ("method", "deferred-method") and use.detail == "Stop"


def check_stoppable(p: Pass, constructor: str, noun: str, why: str, fires: bool = False) -> None:
    """Report each local ``time.<constructor>`` value that is dropped on some path before it
    is stopped (or, ``fires``: before a receive from its channel shows it fired, which frees
    a timer), and each one stopped only by a ``defer`` inside the loop that makes it.
    ``why`` ends the message."""
    sf = p.file

    def is_release(u: a.Use) -> bool:
        return is_stop(u) or (fires and received(sf, u))

    def hands_on(u: a.Use) -> bool:
        return a.escapes(u) and not borrowed(p, u)

    for call in a.of_type(sf.root, "call_expression"):
        if not a.is_call_to(sf, call, "time", (constructor,)):
            continue
        binding = a.assignments(sf, call)
        if binding is None or binding.name == "_" or binding.statement.type == "assignment_statement":
            continue  # not a fresh local: stored or reassigned, owned elsewhere
        if binding.statement.parent is None or binding.statement.parent.type != "statement_list":
            continue  # declared in an if/for/switch header: not followed
        uses = [a.classify(sf, r) for r in a.references(sf, binding)]
        owner = a.sole_goroutine([u.ident for u in uses], binding.function) if uses else None
        if owner is not None and _stuck_on(sf, owner, binding.name):
            continue  # the goroutine never ends: loop-without-exit's business, a defer here never runs
        if owner is not None:
            life = a.follow(sf, binding, None, owner, is_release, hands_on)
        else:
            life = a.follow(sf, binding, binding.statement, binding.function, is_release, hands_on)
        if owner is not None and not life.drops and not life.deferred_in_loop:
            _before_owner(p, call, binding, owner, is_release, hands_on, f"{noun} {binding.name} from time.{constructor}", why)
            continue
        if not life.drops and not life.deferred_in_loop:
            continue
        name = binding.name
        line = lambda n: sf.line_col(n.start_byte)[0]  # noqa: E731
        guarded = a.derived(sf, life.graph.function, {name})
        if not life.drops:
            message = (f"{noun} {name} from time.{constructor} is stopped by a defer inside a loop (line "
                       f"{line(life.deferred_in_loop[0])}), so every iteration's {noun} waits for the function to return: {why}")
            edits, note = release.each_iteration(sf, life, guarded, f"{name}.Stop()", f"the {noun}")
            fix = Fix(f"call `{name}.Stop()` at the end of each iteration and before each jump out of it, instead of deferring it",
                      edits, applicability=REVIEW) if edits else None
            p.report(call, message, [fix] if fix else [], notes=[] if fix else [note])
            continue
        replaced = next((d for d in life.drops if d.how in (a.handles.OVERWRITES, a.handles.REMADE)), None)
        if replaced is not None:
            how = f"is replaced at line {line(replaced.at)} before it is stopped"
        else:
            how = "is not stopped on every path" if any(is_stop(u) for u in uses) else "is never stopped"
        message = f"{noun} {name} from time.{constructor} {how}: {why}"
        if replaced is not None:
            p.report(call, message, notes=["replaced before it is stopped: stop the old one first"])
            continue
        if life.handed_on:
            edits, note = release.at_drops(sf, life, guarded, name, f"{name}.Stop()", f"the {noun}")
            fix = Fix(f"call `{name}.Stop()` where it is dropped", edits, applicability=SAFE) if edits else None
            p.report(call, message, [fix] if fix else [], notes=[] if fix else [note])
            continue
        if owner is None and a.loops_between(binding.statement, binding.function):
            p.report(call, message, notes=["made inside a loop: stop it before the next iteration (a defer would pile up)"])
            continue
        goroutines = {a.enclosing_goroutine(u.ident, within=binding.function) for u in uses} - {None}
        if goroutines and owner is None:
            note = "a goroutine uses it too: stopping it when this function returns could starve that goroutine"
            p.report(call, message, notes=[note])
            continue
        text = f"defer {name}.Stop()"
        if owner is not None:
            edit = insert_at_block_start(sf, a.body(owner), text)
            where = "inside the goroutine that owns it"
        else:
            edit = insert_after_statement(sf, binding.statement, text)
            where = "after it is made"
        if edit is None:
            p.report(call, message, notes=["declared beside another statement: no line of its own for the defer"])
            continue
        p.report(call, message, [Fix(f"add `{text}` {where}", (edit,), applicability=SAFE)])


def _before_owner(p: Pass, call, binding: a.Binding, owner, is_release, hands_on, what: str, why: str) -> None:
    """Report the paths that leave before the goroutine that stops the value (``owner``,
    which does so on every path) is started: from the make to its ``go``, through each
    goroutine literal that starts the next (syncthing's walker: the outer goroutine returns
    early when there is nothing to hash, and the ticker it would hand on runs forever).
    The fix stops it on those paths, where they leave; a defer in an outer goroutine would
    stop it under the owner that outlives it."""
    sf = p.file
    chain = [g for g in reversed(list(a.ancestors(owner))) if g.type == "func_literal" and g != binding.function
             and a.is_within(g, binding.function) and a.goroutine_literal(g) is not None]
    chain.append(owner)
    if a.loops_between(a.goroutine_literal(owner), binding.function):
        return  # started again each iteration: which one holds the value cannot be told
    name = binding.name
    levels = [(binding.function, binding.statement)] + [(g, None) for g in chain[:-1]]
    for (fn, made), started in zip(levels, chain):
        life = a.follow(sf, binding, made, fn, is_release, hands_on, taker=started)
        if not life.drops:
            continue
        guarded = a.derived(sf, life.graph.function, {name})
        edits, note = release.at_drops(sf, life, guarded, name, f"{name}.Stop()", "it")
        fix = Fix(f"call `{name}.Stop()` on the paths that leave before the goroutine that stops it starts",
                  edits, applicability=SAFE) if edits else None
        line = sf.line_col(a.goroutine_literal(started).start_byte)[0]
        p.report(call, f"{what} is not stopped on every path: some paths leave before the goroutine "
                 f"that stops it starts (line {line}); {why}", [fix] if fix else [], notes=[] if fix else [note])
        return


def received(sf, use: a.Use) -> bool:
    """``use`` is ``t`` in a receive from ``t.C`` (``<-t.C``, ``case <-t.C:``): the timer fired."""
    sel = use.ident.parent
    return use.kind == "field" and use.detail == "C" and sel is not None and a.is_receive(sf, sel.parent)


def borrowed(p: Pass, use: a.Use) -> bool:
    """``use`` passes the value to a function of this package that only borrows it (re-arms
    it with Reset, reads its channel): the caller still owns it."""
    if use.kind != "argument" or p.package is None:
        return False
    args = use.ident.parent
    call = args.parent
    fn = call.child_by_field_name("function") if call is not None else None
    position = [c for c in args.named_children if c.type != "comment"].index(use.ident)
    sf = p.file
    if fn is not None and fn.type == "identifier":
        name, recv = sf.text(fn), ""
    elif fn is not None and fn.type == "selector_expression" and sf.text(fn.child_by_field_name("operand")) not in sf.imports:
        name, recv = sf.text(fn.child_by_field_name("field")), None
    else:
        return False
    return p.package.borrows(sf.package_name, name, recv, position)


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
