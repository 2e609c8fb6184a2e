"""loop-without-exit: a goroutine loops over a select or a ticker's channel with no way out,
although a context or done channel is in scope."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import Fix, TextEdit
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from . import _goroutine as g_
from . import ineffective_break as ib
from ._timers import fresh_name

DOC = """\
## What it finds
In a goroutine (a `go func(){...}()` literal, or a function or method of the same file
started with `go`), while a cancellation signal is in scope (a `context.Context` or a
done/stop/quit `chan struct{}`):
- a `for { select { ... } }` loop that nothing can leave: no `return`, no `break` or
  `goto` out of the loop, and no case that leaves on the signal;
- a `for range t.C` / `for x := range t.C` loop over a ticker's channel.

## Why it leaks
Nothing stops the loop: a ticker's channel is never closed, so a range over it never ends,
and a select loop without an exit case waits for the next message forever. When the work
that started the goroutine is cancelled the goroutine stays, with its ticker and everything
it references, for the life of the process.

## When it is not reported
- no cancellation signal is in scope (or only `context.Background()`/`TODO()`, or a done
  channel the goroutine closes itself), unless context plumbing adds a `ctx` parameter;
  a local `ctx, cancel := context.WithTimeout(...)` and a receiver's context or
  done/stop/quit channel field count, wherever the package declares the struct;
- a goroutine that package main's `main` starts, itself or through a function only `main`
  calls, or that a package's `init` starts, or the func literal handed to `once.Do` of a
  package-level `sync.Once` (juicefs' libjfs starts each metrics pusher so), with no
  signal in scope: it lives as long as the process;
- the loop already looks at a stop signal anywhere in its body, whichever signal it is:
  `case <-ctx.Done():` in a nested select, `if ctx.Err() != nil`, a receive from
  `s.quit`;
- a loop with any way out, a select loop or a ticker loop alike: a `return`, a `break`
  that leaves the loop, a `goto`, or a loop condition. Such a loop is not "without exit":
  it ends when its condition comes true, and whether that happens at shutdown (a field
  that shutdown clears, a connection that closes) cannot be told from the code, so the
  rule stays silent rather than guess.
- a loop goroutine-outlives-stop reports (a `go` statement of this file starting a loop of
  a type `T` with a stop method), when the signal this rule would add a case on cannot
  serve that stop: none is in scope (context plumbing's ctx would tie the goroutine to a
  caller's context, while its lifetime is `T`'s stop method's to end), or it is a field of
  the receiver that the stop method does not fire (the case would never run: protoactor's
  test provider, whose `Shutdown` stops a ticker its goroutine ranges over). That rule
  names the stop method; where the signal can end the goroutine, this rule reports the loop
  and that one does not.
- a select loop whose case on the signal only breaks out of the select: ineffective-break
  reports that `break`, and labels the loop for it to leave;

## When it is not fixed
A signal already in scope is used before context plumbing adds a parameter (which is
offered only when a caller has a real context to pass: its own, or in a test from Go 1.24
`t.Context()`, unless a test file of the package registers a Cleanup function, which runs
after that context ended and may still need the goroutine). It is reported without a fix
when the goroutine's function has results, when a `return` in the select would
skip a non-deferred `mu.Unlock()`, `wg.Done()` or `close(ch)` that follows it in the loop
body, when the body holds a multi-line raw string (its lines cannot be re-indented), when
a ticker made in the loop's header (`for range time.NewTicker(d).C`) sits in a labelled
loop or inside another loop, when a select already receives the signal but goes
round again (that case must leave; a second one would be noise), and when the signal is a
done-named channel field that the package sends on and never closes (a message to one
receiver, which a case on it would steal; such a field is the signal only when no other
is in scope: see send-without-cancel), or a context field of the receiver that a method
called from two places or more assigns again (kapacitor's influxdb cluster makes `c.ctx`
afresh per operation and cancels the last, `Open` by defer as it returns: the loop would
stop then, reading the field without its writer's lock). It is also reported without a fix when the signal is
a ctx parameter that every caller in the module fills with a context nothing cancels
(`context.Background()`, `TODO()`, `WithoutCancel`, `WithValue` of those, directly or
through a local), itself or through its callers' own ctx parameters (three calls up in
the package; an exported function's callers are read in the module's other packages, and
for code outside tests only the service's calls count):
a case on its `Done()` would never run (rclone's process-wide bandwidth ticker).

Applicability: `review` (a new `select` case that returns changes when the goroutine ends).

## The fix
The select gets one more case, `case <-ctx.Done(): return` (`case <-done:` for a channel).
A range over `t.C` becomes `for { select { case <-t.C: ... case <-ctx.Done(): return } }`,
the body moved one tab in (a `continue` still starts the next round). A ticker made in the range clause
(`time.NewTicker(d).C`, `time.Tick(d)`) is made once before the loop and stopped when the
goroutine returns (`ticker := time.NewTicker(d)`, `defer ticker.Stop()`): as a select
case it would make a new, never-stopped ticker every pass. When the goroutine owns a
`time.NewTicker` that nobody stops, it also gets `defer t.Stop()`.
"""


def _select_loop(sf: SourceFile, loop: Node, sig: a.Cancellation) -> tuple[Node, Node | None] | None:
    """The select of an endless `for { select {...} }` loop that nothing can leave, and its
    case that receives the signal without leaving, if it has one."""
    if a.loop_kind(sf, loop) != "endless":
        return None
    stmts = a.statements(loop.child_by_field_name("body"))
    selects = [s for s in stmts if s.type == "select_statement"]
    if len(selects) != 1 or a.exits_between(stmts):
        return None
    comms = [c.child_by_field_name("communication") for c in selects[0].named_children if c.type == "communication_case"]
    watched = [c for c in comms if sf.text(c).replace(" ", "") == f"<-{sig.done_expr()}"]
    if watched:
        return selects[0], watched[0]
    if g_.mentions(sf, loop, sig) or g_.watches_any_signal(sf, loop):
        return None  # already looks at the signal, or watches some other one
    return selects[0], None


def _ticker_range(sf: SourceFile, loop: Node, sig: a.Cancellation) -> Node | None:
    """The range clause of `for [x :=] range t.C` over a ticker, unless it watches the signal."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    if clause is None or not g_.is_ticker_channel(sf, clause.child_by_field_name("right")):
        return None
    body = loop.child_by_field_name("body")
    if a.exits_between(a.statements(body)):
        return None  # it can end by itself: whether in time is the condition's business, not this rule's
    return None if g_.mentions(sf, body, sig) or g_.watches_any_signal(sf, body) else clause


def _received(select: Node) -> list[Node]:
    """The channels that ``select``'s cases receive from."""
    comms = [c.child_by_field_name("communication") for c in select.named_children if c.type == "communication_case"]
    recvs = [r.child_by_field_name("right") for r in comms if r is not None and r.type == "receive_statement"]
    return [a.unparen(r.child_by_field_name("operand")) for r in recvs if r is not None and r.type == "unary_expression"]


def _package_level(sf: SourceFile, chan: Node, at: Node) -> bool:
    """Whether ``chan`` (or the ticker ``t`` of ``t.C``) is a package-level variable."""
    if chan.type == "selector_expression" and sf.text(chan.child_by_field_name("field")) == "C":
        chan = chan.child_by_field_name("operand")
    if chan.type != "identifier":
        return False
    name = sf.text(chan)
    return not g_.declaration_visible(sf, name, at) and name in a.package_level_names(sf)


def _range_rewrite(sf: SourceFile, g: g_.Goroutine, loop: Node, clause: Node, sig: a.Cancellation):
    """(edit, None) turning the range over t.C into a for-select loop, or (None, why not)."""
    why = g_.return_blocker(sf, g, None, sig)
    if why is not None:
        return None, why
    made = _made_in_header(sf, clause.child_by_field_name("right"))
    if made is None:
        return g_.range_as_select(sf, loop, clause, sig)
    # `for range time.NewTicker(d).C` as a select case would make a new ticker every pass
    if loop.parent.type == "labeled_statement":
        return None, "a labelled loop over a ticker made in its header: rewrite it by hand"
    stmt = a.statement_of(loop)
    if a.loops_between(stmt, g.fn):
        return None, "the ticker is made in the loop's header inside another loop: rewrite it by hand"
    name = fresh_name(sf, g.fn, "ticker", set())
    indent = sf.indent_at(loop.start_byte)
    hoist = f"{name} := {made}".encode() + sf.newline + indent + f"defer {name}.Stop()".encode() + sf.newline + indent
    return g_.range_as_select(sf, loop, clause, sig, f"{name}.C", hoist)


def _made_in_header(sf: SourceFile, ranged: Node) -> str | None:
    """``time.NewTicker(d)`` for a range over ``time.NewTicker(d).C`` or ``time.Tick(d)``: a
    ticker made by the loop's header, which a rewrite must make once, before the loop."""
    ranged = a.unparen(ranged)
    call = ranged.child_by_field_name("operand") if ranged.type == "selector_expression" else ranged
    if call is None or call.type != "call_expression":
        return None
    if a.is_call_to(sf, call, "time", ("NewTicker",)):
        return sf.text(call)
    if a.is_call_to(sf, call, "time", ("Tick",)):
        pkg = sf.text(call.child_by_field_name("function").child_by_field_name("operand"))
        return f"{pkg}.NewTicker{sf.text(call.child_by_field_name('arguments'))}"
    return None


def _once_per_process(p: Pass, g: g_.Goroutine) -> bool:
    """Whether package main's ``main`` starts ``g``, itself or through a function that only
    ``main`` calls (``func main() { ... server(params) }``), or a package's ``init`` starts
    it itself (go-zero's CPU sampler), or the literal of a package-level ``once.Do`` does
    (juicefs' metrics pushers): it runs once per process."""
    sf = p.file
    launcher = g.launcher
    if g_.in_once_do(sf, launcher):
        return True
    name = launcher.child_by_field_name("name") if launcher is not None and launcher.type == "function_declaration" else None
    if name is not None and sf.text(name) == "init":
        return True
    if sf.package_name != "main" or name is None:
        return False
    if sf.text(name) == "main":
        return True
    callers = {(f.name, f.recv) for f in p.package.functions if f.package == "main" and sf.text(name) in f.calls} \
        if p.package is not None else set()
    return callers == {("main", "")}


def _loops(p: Pass, g: g_.Goroutine):
    """(loop, signal, (select, watched case) or None, ticker range clause or None, received
    channels) for each loop of ``g`` this rule reports."""
    sf = p.file
    for loop in a.of_type(a.body(g.fn), "for_statement", skip_functions=True):
        sig = g_.signal(sf, g, loop, p.assumed_contexts, p.package)
        if sig is None:
            continue
        found = _select_loop(sf, loop, sig)
        clause = _ticker_range(sf, loop, sig) if found is None else None
        if found is None and clause is None:
            continue
        chans = _received(found[0]) if found is not None else [clause.child_by_field_name("right")]
        if chans and all(_package_level(sf, c, loop) for c in chans):
            continue  # a process-wide service (runtime's signal-mask loop): no caller's ctx ends it
        if sig.assumed and _once_per_process(p, g):
            continue  # started once per process (main, init, a package-level once.Do): it lives as long as the process
        yield loop, sig, found, clause, chans


def signals(p: Pass, g: g_.Goroutine) -> list[a.Cancellation]:
    """The signal of each loop of ``g`` this rule reports (goroutine-outlives-stop asks which
    of the two reports a loop both see: ``_goroutine.stop_owns``)."""
    return [sig for _, sig, *_ in _loops(p, g)]


def run(p: Pass) -> None:
    sf = p.file
    v = m.view(p)
    for g in g_.goroutines(sf, v):
        for loop, sig, found, clause, chans in _loops(p, g):
            if g_.stop_owns(p, g, sig):
                continue  # goroutine-outlives-stop reports it, naming the stop method that cannot end it
            # with no signal in scope (context plumbing's assumed ctx), say so rather than name it
            unwatched = (f"never watches {sig.name}, so the goroutine runs on after cancellation" if not sig.assumed
                         else "has no context or done channel to watch, so nothing can stop the goroutine")
            if found is not None:
                select, watched = found
                message = f"this select loop has no way out and {unwatched}"
                if watched is not None:
                    if ib.reports(sf, loop):
                        continue  # the case's break leaves only the select: ineffective-break reports it, with a fix
                    message = f"this select loop receives from {sig.done_expr()} but never leaves, so the goroutine runs on after cancellation"
                    p.report(loop, message, notes=[f"return (or break out of the loop) in the `case {sf.text(watched)}:` it already has"])
                    continue
                close = select.children[-1]
                # the loop never ends, but the rest of its body runs after the select each round
                why = g_.message_note(sf, sig, p.package) or g_.rewritten_signal(sf, sig, loop) \
                    or g_.return_blocker(sf, g, select, sig) or m.never_fires(v, loop, sig)
                if why is None and sf.data[sf.line_start(close.start_byte) : close.start_byte].strip():
                    why = "the select is written on one line: add the case by hand"
                edit = None if why else TextEdit(
                    sf.line_start(close.start_byte), sf.line_start(close.start_byte),
                    g_.watch_cases(sf, sig, sf.indent_at(select.start_byte)))
            else:
                chan = clause.child_by_field_name("right")
                message = f"ranging over {sf.text(chan)} never ends (a ticker's channel is never closed) and {unwatched}"
                why = g_.message_note(sf, sig, p.package) or g_.rewritten_signal(sf, sig, loop)
                edit, why = (None, why) if why else _range_rewrite(sf, g, loop, clause, sig)
                why = why or m.never_fires(v, loop, sig)
                edit = None if why else edit
            if edit is None:
                p.report(loop, message, notes=[why])
                continue
            stops = [e for e in (g_.ticker_stop(sf, g, c) for c in chans) if e is not None]
            # two tickers would both want the goroutine's first line: stop the first, report the rest
            fix = Fix(f"return on <-{sig.done_expr()}" + (" and stop the ticker" if stops else ""), (edit, *stops[:1]))
            p.report(loop, message, [fix])


RULE = Rule(
    name="loop-without-exit",
    summary="a goroutine's for-select or range over t.C never ends while a ctx is in scope -> case <-ctx.Done(): return",
    doc=DOC,
    run=run,
    triggers=(b"select", b".C", b"Tick("),  # a range over time.Tick(d) has neither of the others
    severity="warning",
    example="ticker-range",
    plumbable=True,
    test_context=True,
    needs_package=True,
)
