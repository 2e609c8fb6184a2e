"""abandoned-generator: a range over a producer's channel left early, the producing goroutine blocked on its next send."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import Fix, TextEdit, insert_before_statement
from gofixleaks.rule import Pass, Rule

DOC = """\
## What it finds
A loop over a channel that a goroutine produces, which can be left early (a `return`, a
`break` out of it, a `goto`):
- `for v := range gen(ctx, ...)` (or `ch := gen(...)` then `for v := range ch`) where
  `gen` is a function or method of the package (any of its files) that returns a channel
  it made and feeds from a goroutine of its own (a generator);
- `for v := range ch` where `ch` is made in the function and fed by goroutines it starts
  (directly, or through the package's functions it hands `ch` to), which close it when
  they are done; the loop is its only reader.

## Why it leaks
The generator's goroutine sends one value after another and blocks on each send until the
loop takes it. A loop left early takes no more: the goroutine stays blocked on its next
send forever, with whatever it holds (a connection, a file, a cursor), once per call.

## When it is not reported
- the loop has no way out but the channel's close (a labelled `break` of an inner loop is
  not a way out of it);
- `_test.go` files: a test leaves such a loop early when it fails, and its goroutines die
  with the test binary;
- the generator's channel has room for everything it sends (one send, buffered), or a
  local channel is buffered by the length of what its producers are launched over
  (`make(chan T, len(xs))`, one `go` per element, each sending at most once);
- `gen` is not a generator of this package (its body is not visible);
- every way out of the loop sits in a `case <-ctx.Done():` of the context the generator
  is given and watches on every send: the reader leaves only once the generator stops too
  (navidrome's `Merge` over `ReadOrDone(ctx, c)`).

## When it is not fixed
- the generator neither watches a context it is given nor closes its channel when done
  (give it a context, or a done channel the reader closes), or it is ranged over directly
  (`range gen()`: the channel has no name to drain);
- the loop is inside another loop (a `defer` would pile up) or shares its line;
- the context argument is not a plain expression (a call other than `r.Context()`);
- with no context to cancel, the producer sends in a loop whose rounds are not fixed when
  it starts (`for it.Next()`, `for scanner.Scan()`, `for {}`, `for cond()`, a range over a
  channel or a value of unknown kind), in its goroutine or in the function it hands the
  channel to: drained, it would run to its end with nobody reading (go-ethereum's
  preimage export walks a whole state snapshot while the caller closes the databases);
  give it a done channel to select on.

## The fix
When every send of the generator is a `select` that also waits on its context parameter,
the loop gets a context of its own, cancelled when the function returns, so that leaving
early stops the generator:

    ctx, cancel := context.WithCancel(ctx)
    defer cancel()
    for v := range gen(ctx, n) {

(a fresh name when `ctx` is still used after the loop). This is a `review` fix: the
generator is now cancelled when the function returns, which is the point, but a person
should check that nothing else keeps using that context.

Otherwise, when the producer closes the channel once it is done and its sends sit only in
loops of fixed rounds (over a slice, a map, a count `for i := 0; i < n; i++`), leaving the
loop hands the rest of the channel to a goroutine that drains it, so the producer can
finish its bounded work:

    defer func() {
        go func() {
            for range ch {
            }
        }()
    }()
    for v := range ch {

(`review` too: the producer's remaining work still runs, now unread.)
"""


def run(p: Pass) -> None:
    v = m.view(p)
    if v.index is None:
        return
    sf = p.file
    generators = any(name.encode() in sf.data for name, _ in v.index.generators(v.package))
    makers = p.package.cancel_makers(sf.package_name) if p.package is not None else {}
    for clause in a.of_type(sf.root, "range_clause") if generators else ():
        loop = clause.parent
        call = _generator_call(sf, clause)
        if call is None:
            continue
        target = _target(sf, call)
        gen = v.index.generator(v.package, *target) if target is not None else None
        if gen is None or not _left_early(sf, loop) or (gen.capacity and gen.sends == 1):
            continue
        watched = _watched_contexts(v, call, gen)
        if any(_cancelled_on_return(sf, call, i, makers) for i in watched):
            continue  # the reader's own context, cancelled when it returns: the generator stops
        if any(_left_only_when_done(sf, loop, a.arguments(call)[i]) for i in watched):
            continue  # the reader leaves once the generator's own context is done: it stops too
        name = target[0]
        message = f"leaving this range over {name}(...) early abandons the generator's goroutine, blocked forever on its next send"
        fix, why = _fix(sf, v, loop, call, gen)
        if fix is None and gen.closes and a.unparen(clause.child_by_field_name("right")).type == "identifier":
            fix, why = _drain(sf, loop) if not gen.endless else (None, _RUNS_ON)
        p.report(loop, message, [fix] if fix else [], [why] if why else [])
    for make in m.channel_makes(sf):
        ch = m.local_channel(v, make)
        loop = _abandoned_producer(sf, ch) if ch is not None else None
        if loop is None or _drained(sf, ch, loop):
            continue
        fix, why = _drain(sf, loop) if not _open_ended(sf, ch) else (None, _RUNS_ON)
        message = f"leaving this range over {ch.name} early abandons the goroutine producing it, blocked forever on its next send"
        p.report(loop, message, [fix] if fix else [], [why] if why else [])


def _abandoned_producer(sf, ch: m.LocalChannel) -> Node | None:
    """The loop that is the only reader of ``ch``, when it can be left early while the
    goroutines feeding ``ch`` close it once they are done."""
    ranges, others = ch.of_kind("range"), ch.of_kind("recv")
    if ch.escapes or ch.stored or len(ranges) != 1 or others or not _left_early(sf, ranges[0].node):
        return None
    producers = ch.senders()
    closes = [op for op in ch.ops if op.kind == "close" or (op.kind == "handoff" and op.use is not None and op.use.closes)]
    if not producers or not closes or not all(op.go for op in producers + closes) or _room_for_every_send(sf, ch):
        return None
    return ranges[0].node


_RUNS_ON = ("the producer loops until its own condition ends (not over a slice, a map or a count): drained, it would run to "
            "its end with nobody reading; give it a done channel to select on, closed when the reader returns")


def _open_ended(sf, ch: m.LocalChannel) -> bool:
    """Whether a producer of ``ch`` sends in a loop whose rounds are not fixed when it
    starts (``for it.Next()``, ``for {}``, a range over a channel), in its goroutine or in
    the function it hands ``ch`` to: go-ethereum's preimage export walks a whole snapshot."""
    for op in ch.senders():
        if op.where is not None and op.where != op.node and a.in_open_loop(sf, op.node, op.where):
            return True
        if op.kind == "handoff" and op.use.endless:
            return True
    return False


def _room_for_every_send(sf, ch: m.LocalChannel) -> bool:
    """A buffer sized by what the producers are launched over (``make(chan T, len(xs))``,
    one ``go`` per element of ``xs``), each producer sending at most once (every send
    followed by a return, or nothing of it after): no producer can block, so leaving the
    range early strands nothing (tailscale's captive-portal probes, first result wins)."""
    size = ch.capacity.replace(" ", "")
    sends = ch.of_kind("send")
    literals = {op.goroutine for op in sends}
    if not (size.startswith("len(") and size.endswith(")")) or not sends or len(sends) != len(ch.senders()) \
            or len(literals) != 1 or None in literals:
        return False
    lit = literals.pop()
    launch = a.goroutine_literal(lit)
    loops = a.loops_between(launch, ch.binding.function) if launch is not None else []
    clause = next((c for c in loops[0].named_children if c.type == "range_clause"), None) if len(loops) == 1 else None
    if clause is None or f"len({sf.text(clause.child_by_field_name('right'))})" != size:
        return False
    return all(a.ends_run(op.node, lit) for op in sends)


def _drained(sf, ch: m.LocalChannel, loop: Node) -> bool:
    """A drain of ``ch`` is already deferred before the loop (the fix was applied)."""
    fn = ch.binding.function
    return any(
        any(sf.text(c.child_by_field_name("right")) == ch.name for c in a.of_type(d, "range_clause"))
        for d in a.of_type(a.body(fn), "defer_statement", skip_functions=True) if d.start_byte < loop.start_byte
    )


def _drain(sf, loop: Node) -> tuple[Fix | None, str | None]:
    clause = next(c for c in loop.named_children if c.type == "range_clause")
    name = sf.text(clause.child_by_field_name("right"))
    if a.loops_between(loop, a.enclosing_function(loop)):
        return None, "the loop runs inside another loop: a defer there would pile up; drain the channel after the loop by hand"
    lines = ["defer func() {", "\tgo func() {", f"\t\tfor range {name} {{", "\t\t}", "\t}()", "}()"]
    edit = insert_before_statement(sf, a.statement_of(loop), lines)
    if edit is None:
        return None, "the loop shares its line with other code: drain the channel by hand"
    return Fix(f"drain {name} in the background when the function returns, so its producer can finish", (edit,)), None


def _generator_call(sf, clause: Node) -> Node | None:
    """The call the range reads from: ``range gen(...)``, or ``range ch`` where ``ch :=
    gen(...)`` is used by nothing else."""
    right = a.unparen(clause.child_by_field_name("right"))
    if right.type == "call_expression":
        return right
    if right.type != "identifier":
        return None
    fn = a.enclosing_function(clause)
    for d in a.of_type(a.body(fn), "short_var_declaration", skip_functions=True):
        if d.start_byte > clause.start_byte:
            break
        values = d.child_by_field_name("right").named_children
        names = a.left_names(d)
        if len(names) == 1 and sf.text(names[0]) == sf.text(right) and len(values) == 1 and values[0].type == "call_expression":
            binding = a.assignments(sf, values[0])
            if binding is not None and [r for r in a.references(sf, binding)] == [right]:
                return values[0]
    return None


def _target(sf, call: Node) -> tuple[str, bool] | None:
    return m.named_callee(sf, call.child_by_field_name("function"))


def _left_early(sf, loop: Node) -> bool:
    """A return, goto or break in ``loop``'s body that leaves it (a labelled break of an
    inner loop does not)."""
    body = loop.child_by_field_name("body")
    if next(a.of_type(body, "return_statement", "goto_statement", skip_functions=True), None) is not None:
        return True
    return any((t := a.break_target(sf, b)) is not None and a.is_within(loop, t) for b in a.loop_breaks(loop))


def _left_only_when_done(sf, loop: Node, ctx: Node) -> bool:
    """Whether every way out of ``loop``'s body (a return, goto or break leaving it) sits in
    a select case receiving from ``ctx.Done()``: the reader leaves only once the context the
    generator watches is done (navidrome's Merge, whose outputs return in `case
    <-ctx.Done():`)."""
    if ctx.type != "identifier":
        return False
    body = loop.child_by_field_name("body")
    exits = [*a.of_type(body, "return_statement", "goto_statement", skip_functions=True),
             *(b for b in a.loop_breaks(loop) if (t := a.break_target(sf, b)) is not None and a.is_within(loop, t))]
    done = f"<-{sf.text(ctx)}.Done()"

    def on_done(x: Node) -> bool:
        case = a.enclosing(x, "communication_case", stop_at=a.FUNCTION_TYPES)
        comm = case.child_by_field_name("communication") if case is not None and a.is_within(case, body) else None
        return comm is not None and sf.text(comm).replace(" ", "") == done

    return bool(exits) and all(on_done(x) for x in exits)


def _watched_contexts(v: m.View, call: Node, gen) -> list[int]:
    """Positions of the call's arguments that are context parameters every send of the
    generator also waits on."""
    target = _target(v.sf, call)
    summary = v.index.summary(v.package, *target) if target is not None else None
    n = len(a.arguments(call))
    return [i for i in gen.watches if i < n and summary is not None and i in summary.contexts]


_CANCELLABLE = ("WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause")


def _own_maker(sf, value: Node, makers: dict[tuple[str, bool], tuple[int, int]]) -> bool:
    """A call of a plain function of the package that returns (context, cancel)."""
    fn = value.child_by_field_name("function") if value.type == "call_expression" else None
    return fn is not None and fn.type == "identifier" and makers.get((sf.text(fn), False)) == (1, 2)


def _cancelled_on_return(sf, call: Node, index: int, makers: dict[tuple[str, bool], tuple[int, int]]) -> bool:
    """Whether the call's context argument is a local ``ctx, cancel := context.WithCancel(...)``
    (or a call of a function of the package returning a context and its cancel, ``makers``:
    never-live's ``withDeadline``) of the same function, with ``defer cancel()``."""
    arg = a.arguments(call)[index]
    fn = a.enclosing_function(call)
    if arg.type != "identifier" or fn is None:
        return False
    cancels = set()
    for d in a.of_type(a.body(fn), "short_var_declaration", skip_functions=True):
        names = [sf.text(n) for n in a.left_names(d)]
        values = d.child_by_field_name("right").named_children
        if d.start_byte < call.start_byte and len(names) == 2 and names[0] == sf.text(arg) and len(values) == 1 \
                and (a.is_call_to(sf, values[0], "context", _CANCELLABLE) or _own_maker(sf, values[0], makers)):
            cancels.add(names[1])
    return any(
        sf.text(stmt.named_children[0].child_by_field_name("function")) in cancels
        for stmt in a.of_type(a.body(fn), "defer_statement", skip_functions=True)
        if stmt.named_children and stmt.named_children[0].type == "call_expression"
    )


def _fix(sf, v: m.View, loop: Node, call: Node, gen) -> tuple[Fix | None, str | None]:
    args = a.arguments(call)
    contexts = _watched_contexts(v, call, gen)
    if not contexts:
        return None, "the generator does not watch a context it is given: give it one (or a done channel the reader closes) so it can stop"
    fn = a.enclosing_function(loop)
    stmt = a.statement_of(call)  # the loop, or the `ch := gen(...)` before it
    if a.loops_between(stmt, fn):
        return None, "the loop runs inside another loop: a defer there would pile up; cancel the generator's context after the loop by hand"
    arg = args[contexts[0]]
    if arg.type not in ("identifier", "selector_expression") and not sf.text(arg).endswith(".Context()"):
        return None, f"the context argument `{sf.text(arg)}` is not a plain expression: derive a cancellable one by hand"
    arg_text = sf.text(arg)
    reuse = arg.type == "identifier" and not _used_after(sf, fn, arg_text, stmt)
    ctx = arg_text if reuse else a.free_name(sf, loop, "ctx")
    cancel = a.free_name(sf, loop, "cancel")
    edit = insert_before_statement(sf, stmt, [f"{ctx}, {cancel} := context.WithCancel({arg_text})", f"defer {cancel}()"])
    if edit is None:
        return None, "the loop shares its line with other code: derive a cancellable context by hand"
    edits = (edit,) if reuse else (edit, TextEdit(arg.start_byte, arg.end_byte, ctx.encode()))
    return Fix(f"cancel the generator's context when the function returns ({cancel})", edits, ("context",)), None


def _used_after(sf, fn: Node, name: str, stmt: Node) -> bool:
    return any(
        sf.text(i) == name and i.start_byte >= stmt.end_byte
        for i in a.of_type(a.body(fn), "identifier")
    )


RULE = Rule(
    name="abandoned-generator",
    summary="a range over a generator left early abandons its goroutine -> cancel the generator's context",
    doc=DOC,
    run=run,
    triggers=(b"range ",),
    skips_tests=True,
    needs_package=True,
)
