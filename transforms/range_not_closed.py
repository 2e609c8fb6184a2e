"""range-not-closed: a channel ranged over (or read with `v, ok :=` until closed) that nothing closes."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import SAFE, Fix, insert_after_statement, insert_at_block_start, insert_before_statement
from gofixleaks.rule import Pass, Rule

DOC = """\
## What it finds
A channel made in a function (`ch := make(chan T)`) that is read until it is closed, by
`for v := range ch` or by a loop around `v, ok := <-ch` that leaves only when `ok` is
false, while nothing closes it: no `close(ch)` in the function, its goroutines and
closures, or in the functions of the package the channel is handed to (followed a few
calls deep, across the package's files). Also when the channel is put in a struct whose
field only this package can reach (an unexported channel field of one of its own types,
`&progressReader{progressChan: ch}`), sent on there, and never closed or handed on by any
of its functions under that field name (minio's network test counting bytes read).

## Why it leaks
A range over a channel ends only when the channel is closed. Once the senders are done,
the reader waits for a value that never comes: the goroutine ranging over the channel (or
the function, and whoever waits for it) is blocked forever, with everything it references.

## When it is not reported
- the channel is closed anywhere it can reach, or it leaves the function's hands
  (returned, stored, put in a struct other than as above, passed to a function of another
  package or one that cannot be followed): someone else may close it; a field the package
  sends on in a loop with no fixed count (a stream meant to last) counts as out of hands;
- the reading loop has another way out (a `return`, a `break`, a `select` case, a call
  that does not return such as `t.Fatal`): it may count its values or stop on a signal;
- a sender runs forever (an endless loop, a function of the package that loops until
  shutdown): the stream is meant to last;
- nothing sends on it.

## When it is not fixed
Where the last send cannot be told: a sender in a closure whose timing is unknown (a
callback, a deferred function), senders in goroutines started in a loop that no
`sync.WaitGroup` tracks, a goroutine of a named function (its declaration is where the
close belongs), a channel made inside a loop, a reader that is its own only sender, a
channel sent on through a struct's field (its last send is wherever that value is last
used). The finding says which.

## The fix
Close the channel where its last sender is done, which only ends the wait:
- the function itself is the only sender (a goroutine reads): `defer close(ch)` after
  the make;
- one goroutine, started once, is the only sender: `defer close(ch)` first thing in it;
- the senders are goroutines that each `defer wg.Done()` on one WaitGroup: `close(ch)`
  right after the goroutine that waits for them calls `wg.Wait()`, or, when nobody waits
  for them in a goroutine, `go func() { wg.Wait(); close(ch) }()` just before the reading
  loop.
These fixes are `safe`: the channel is closed only after every send has happened.
"""


def run(p: Pass) -> None:
    v = m.view(p)
    sf = p.file
    for make in m.channel_makes(sf):
        ch = m.local_channel(v, make)
        held = _held_unclosed(v, ch) if ch is not None and ch.stored else ()
        if ch is None or ch.escapes or (ch.stored and held is None) or ch.closed():
            continue
        waits = [op for op in ch.of_kind("range", "recv") if _waits_for_close(sf, ch, op)]
        senders = ch.senders()
        if not waits or not (senders or held) or any(_endless(v, ch, op) for op in senders):
            continue
        wait = waits[0]
        who = "the goroutine reading it" if wait.where is not None else f"{_function_name(sf, ch.binding.function)}"
        message = f"nothing closes {ch.name}: reading it until it is closed never ends, so {who} blocks forever after the last value"
        if held:
            fields = ", ".join(f"{t}.{f}" for t, f in held)
            fix, why = None, f"it is sent on through field {fields}: close it after the last such send by hand"
        else:
            fix, why = _fix(v, ch, senders, waits)
        p.report(wait.node, message, [fix] if fix else [], [why] if why else [])


def _held_unclosed(v: m.View, ch: m.LocalChannel) -> tuple[tuple[str, str], ...] | None:
    """(type, field) of each struct field the channel is put in (`&progressReader{...,
    progressChan: ch}`: minio's network test), when every such field is an unexported
    channel field of a struct of this package that the package sends on (in no endless
    loop) and never closes or hands on: only this package can reach the field, so nothing
    closes the channel there either; None when some element is anything else."""
    if v.index is None:
        return None
    out = []
    for element in ch.stored:
        literal = element.parent.parent if element.type == "keyed_element" else None
        typ = literal.child_by_field_name("type") if literal is not None and literal.type == "composite_literal" else None
        if typ is None or typ.type != "type_identifier":
            return None
        name, field = v.sf.text(typ), v.sf.text(element.named_children[0])
        struct = v.index.struct(v.package, name)
        use = v.index.field_use(v.package, field)
        if (struct is None or not field[:1].islower() or not any(f.name == field and f.kind in ("chan", "done") for f in struct.fields)
                or use.closes or not use.sends or use.endless or use.escapes or v.index.handed_out(v.package, field)):
            return None
        out.append((name, field))
    return tuple(out)


def _function_name(sf, fn: Node) -> str:
    if fn.type == "func_literal":
        return "the function literal"
    return sf.text(fn.child_by_field_name("name"))


def _waits_for_close(sf, ch: m.LocalChannel, op: m.ChanOp) -> bool:
    """A reading loop that ends only when the channel is closed: a range with no way out of
    its body, or a loop around `v, ok := <-ch` whose every exit is under a test of ok."""
    if op.kind == "range":
        return not _exits(sf, op.node)
    stmt = op.node.parent.parent if op.node.parent is not None and op.node.parent.type == "expression_list" else None
    if stmt is None or stmt.type not in ("short_var_declaration", "assignment_statement") or op.guarded:
        return False
    lefts = a.left_names(stmt)
    if len(lefts) != 2 or lefts[1].type != "identifier":
        return False
    ok = sf.text(lefts[1])
    loop = next((x for x in a.ancestors(stmt) if x.type == "for_statement"), None)
    if loop is None or a.loop_kind(sf, loop) != "endless" or a.enclosing_function(loop) != a.enclosing_function(stmt):
        return False
    exits = list(a.of_type(loop, "return_statement", "goto_statement", skip_functions=True)) + a.loop_breaks(loop)
    return bool(exits) and all(_under_test_of(sf, x, ok, loop) for x in exits)


def _exits(sf, loop: Node) -> bool:
    """A way out of ``loop`` besides its end: a return, a goto, a break, or a call that does
    not return (`t.Fatal`, `panic`, `os.Exit`)."""
    body = loop.child_by_field_name("body")
    if next(a.of_type(body, "return_statement", "goto_statement", skip_functions=True), None) is not None or a.loop_breaks(loop):
        return True
    return any(a.never_returns(sf, s) for s in a.of_type(body, "expression_statement", skip_functions=True))


def _under_test_of(sf, node: Node, name: str, loop: Node) -> bool:
    for x in a.ancestors(node):
        if x == loop:
            return False
        if x.type == "if_statement":
            cond = x.child_by_field_name("condition")
            if cond is not None and any(sf.text(i) == name for i in a.of_type(cond, "identifier")):
                return True
    return False


def _endless(v: m.View, ch: m.LocalChannel, op: m.ChanOp) -> bool:
    """A sender that never stops sending: inside an endless loop with no way out, or a
    function of the package that runs until shutdown."""
    if op.kind == "handoff":
        fn = op.node.child_by_field_name("function")
        name = v.sf.text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn)
        return v.facts is not None and v.facts.is_long_lived(v.package, name, None if fn.type == "selector_expression" else "")
    for loop in a.loops_between(op.node, ch.binding.function):
        if a.loop_kind(v.sf, loop) == "endless" and not _exits(v.sf, loop):
            return True
    return False


def _fix(v: m.View, ch: m.LocalChannel, senders: list[m.ChanOp], waits: list[m.ChanOp]) -> tuple[Fix | None, str | None]:
    sf = v.sf
    name = ch.name
    if a.loops_between(ch.binding.statement, ch.binding.function):
        return None, f"{name} is made inside a loop: close it at the end of each round by hand"
    if any(op.where is not None and not op.go for op in senders):
        return None, "a sender runs in a closure whose timing is unknown (a callback or a deferred function): close the channel after its last send by hand"
    if any(op.kind == "handoff" and (op.use.in_goroutine or op.go) for op in senders):
        return None, "a sender is a goroutine of a named function: close the channel at its exit (`defer close(...)` in that function)"
    wheres = {op.where for op in senders}
    if wheres == {None}:
        if any(w.where is None for w in waits):
            return None, "the function reads the channel it alone sends on: close it after the last send by hand"
        edit = insert_after_statement(sf, ch.binding.statement, f"defer close({name})")
        return _safe(edit, f"close {name} when the function, its only sender, returns")
    if None in wheres:
        return None, "both the function and its goroutines send: close the channel after the last of them by hand"
    if len(wheres) == 1 and not a.loops_between(a.goroutine_literal(next(iter(wheres))), ch.binding.function):
        (g,) = wheres
        if any(w.where == g for w in waits):
            return None, "the goroutine reads the channel it alone sends on: close it after the last send by hand"
        return _safe(insert_at_block_start(sf, a.body(g), f"defer close({name})"),
                     f"close {name} when the goroutine that alone sends on it returns")
    group = _wait_group(sf, wheres)
    if group is None:
        return None, "several goroutines send and no sync.WaitGroup tells when the last one is done: close the channel after it"
    waiter = _waiter(sf, ch, group, wheres)
    if waiter is not None:
        return _safe(insert_after_statement(sf, waiter, f"close({name})"), f"close {name} once {group}.Wait() returns")
    wait = next((w for w in waits if w.where is None), None)
    launches = [a.goroutine_literal(g) for g in wheres]
    if wait is None or any(g.end_byte > wait.node.start_byte for g in launches) or \
            a.statement_of(wait.node).parent is None:
        return None, f"no goroutine waits for {group} before the reading loop: close the channel after {group}.Wait() by hand"
    lines = ["go func() {", f"\t{group}.Wait()", f"\tclose({name})", "}()"]
    return _safe(insert_before_statement(sf, a.statement_of(wait.node), lines),
                 f"close {name} once every sender is done ({group}.Wait())")


def _safe(edit, message: str) -> tuple[Fix | None, str | None]:
    if edit is None:
        return None, "the code around it is not laid out one statement a line: close the channel by hand"
    return Fix(message, (edit,), applicability=SAFE), None


def _wait_group(sf, goroutines: set[Node]) -> str | None:
    """The WaitGroup every goroutine of ``goroutines`` marks done with a top-level `defer
    wg.Done()`."""
    names = set()
    for g in goroutines:
        found = None
        for stmt in a.statements(a.body(g)):
            call = stmt.named_children[0] if stmt.type == "defer_statement" and stmt.named_children else None
            mc = a.method_call(sf, call) if call is not None and call.type == "call_expression" else None
            if mc is not None and mc[1] == "Done" and mc[0].type in ("identifier", "selector_expression"):
                found = sf.text(mc[0])
                break
        if found is None:
            return None
        names.add(found)
    return names.pop() if len(names) == 1 else None


def _waiter(sf, ch: m.LocalChannel, group: str, senders: set[Node]) -> Node | None:
    """The `group.Wait()` statement in a goroutine of the channel's function that does not
    send on it."""
    for call in a.of_type(a.body(ch.binding.function), "call_expression"):
        mc = a.method_call(sf, call)
        if mc is None or mc[1] != "Wait" or sf.text(mc[0]) != group or call.parent.type != "expression_statement":
            continue
        g = m.literal_around(call, ch.binding.function)
        if g is not None and a.goroutine_literal(g) is not None and g not in senders:
            return call.parent
    return None


RULE = Rule(
    name="range-not-closed",
    summary="a channel read until closed that nothing closes -> close it after its last sender",
    doc=DOC,
    run=run,
    triggers=(b"make(chan",),
    needs_package=True,
)
