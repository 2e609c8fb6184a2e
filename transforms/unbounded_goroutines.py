"""unbounded-goroutines: a `go` statement in a loop that nothing bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from gofixleaks import analysis as a, facts
from gofixleaks.edits import (
    Fix,
    TextEdit,
    apply,
    delete_line,
    insert_after_statement,
    insert_at_block_start,
    insert_before_statement,
)
from gofixleaks.rule import Option, Pass, Rule

from ._timers import fresh_name, top_level

DOC = """\
## What it finds
A goroutine launch (`go f()`, Go 1.25's `wg.Go(func() {...})` on a sync.WaitGroup, or
`g.Go(...)` on an errgroup made in the function and never given a `SetLimit`) whose
innermost loop keeps launching with nothing bounding how many run at once:
- an endless `for { ... }`;
- a `for v := range ch` over a channel (a parameter, field or local of channel type, or a
  `make(chan ...)`): one goroutine per value received;
- a `for ... range` over a slice or map whose goroutines nobody waits for, run again by an
  endless or ticker-paced loop around it (fire and forget, every round). Once per call, it
  is reported only with `fire-and-forget = true` (`--fire-and-forget`): the width is the
  collection's, which the caller holds, and on the precision corpus all 5 such findings
  were deliberate (registered callbacks, agent dispatches, a parallel flush on close, a
  reader per track);
- any of these whose semaphore is acquired *inside* the goroutine (`go func() { sem <- ...`):
  that bounds the work, not the number of goroutines.

## Why it leaks
Goroutines pile up whenever they finish slower than the loop starts them: a burst on the
channel, a slow backend or a fast accept loop turns into thousands of blocked goroutines,
each with its stack and everything it captured, and memory grows until the process dies.
The loop never waits, so nothing pushes back on the producer.

## When it is not reported
- a semaphore is acquired before the launch in the same iteration (`sem <- struct{}{}` or
  a `select` case sending on it, with the goroutine receiving from it, a `.Acquire(...)`
  or a limiter's `.Take...(...)` call, or a token taken with `<-tokens` that the
  goroutine gives back);
- the iteration waits for the goroutine before going on (`<-done` or `wg.Wait()` after the
  `go`, or a `select` whose cases all either wait for it or leave the loop), or hands a
  channel the goroutine closes when it ends to a call (`err := c.watchEvents(applyErr)`,
  a watch restarted after each failure: about one goroutine is alive at a time), or
  closes, with no `continue` before, a channel whose close ends the goroutine (`v, ok :=
  <-ch` then `if !ok { return }`: a forwarder per run of a blocking listener), or the read
  end of the `io.Pipe` made in the loop that the goroutine writes (`pr.CloseWithError(err)`
  after reading it: the writer's next write fails; minio's metacache stream), or calls the
  `cancel` of a context made in the iteration that the goroutine is given, no `continue`
  before (juicefs' watchdog per run of its child process: one alive at a time);
- an endless loop whose every round first waits for an OS signal (a receive from a channel
  the function hands to `signal.Notify`): a person or a supervisor paces those launches
  (juicefs' delayed exit and unmount per SIGTERM);
- a traversal: goroutines started per value of a channel that they feed themselves (a
  concurrent mark's grays), which the function joins (`wg.Wait()` after the loop, or after
  starting the goroutine that runs it): their number is the structure's they walk, and
  they end before the function returns;
- the launch cannot repeat: a `return` or `break` follows it, in its block or after the
  ifs and cases that hold it (an error branch that launches a callback, then returns), or
  it waits for a `time.NewTimer` that fires once;
- a counted worker pool: `for i := 0; i < n; i++`, `for i := range n` (`n` an integer
  parameter, local, constant, or a struct field the package declares as an integer:
  `range cfg.Workers`), a range over `make([]T, n)`, or `for range x` (the goroutines do
  not depend on the elements, so `x` only sets the pool size);
- a loop over a fixed literal (`range []string{"a", "b"}`), or over a struct field
  (`range h.Upstreams`, `range s.conns[d]`): its size is the configuration's or the
  state's, not the input's (on six real services every such fan-out was a health check,
  a notification per subscriber or a connection per configured peer);
- a fan-out over a slice or map that the function joins: `wg.Wait()` or `g.Wait()` after
  the loop (also inside a goroutine that then closes the results) or deferred before it,
  or receiving after the loop from a channel the goroutines send on, directly, by passing
  it to a call (`lookup(n, ch)`), or through a function of the package that sends on a
  field of that name (`p.probe(t)` sending on `p.results`). Its width is the size of a
  collection the caller already holds and the goroutines end before the function returns;
  on the Go standard library all 9 such loops were deliberate parallelism over small
  in-memory lists (files of a package, sections of a binary), so reporting them would be
  noise. A semaphore acquired inside such a fan-out is still reported;
- the goroutines live until shutdown (per configured target, peer, watch, listener or
  client), launched over a slice, map or channel: the goroutine's own loop, or a function
  of the package it calls (followed through the package's other files and a few calls
  deep), runs until a stop signal, forever, serves a listener or drains a channel it was
  given; a function also counts by its name (`Serve`, `ListenAndServe`, `Run`, `Watch`,
  `Start`, `serve...`, `watch...`, `listen...`, `...Loop`, `...Worker`, `...Handler`), and
  so does one handed a stop channel (`go s.transfer(zone, z.shutdown)`). Their number is the
  configuration's, and no slot of a semaphore would ever come back; so is a goroutine
  that first waits for something to end (`<-c.Closed()`, `<-ctx.Done()`): it lives as
  long as that;
- `_test.go` files: a test's goroutines serve what the test itself feeds them and die
  with the test binary (on the standard library all 7 findings there were scaffolding:
  accept loops serving the test's own dials, small fan-outs);
- `while`-style loops (`for cond { }`): their bound is the condition's business;
- an accept loop (any `Accept...` call, a receive from a channel named for connections,
  streams, sessions, clients, peers or (ssh) channels, or a parameter declared with such a
  type, `chans <-chan ssh.NewChannel`, or such a value or a connection's codec handed to
  the goroutine), or a loop that reads one message of such a stream per
  launch (`stream.Recv()`, `s.conn.ReadMessage()`, `codec.ReadRequest(...)`, a framed
  message whatever its reader is called, `reader.ReadMessage()`, or a
  datagram of any conn: `n, addr, err := pc.ReadFrom(buf)`, `ReadFromUDP`): each
  goroutine lives as long as its connection, or answers one request of it (net/rpc's
  `ServeCodec`, gRPC stream handlers, where a capped reader would stall calls that wait for
  later requests; on dapr both such findings were a scheduler's job stream and an actor
  callback dispatcher), the standard Go server shape; a cap of 10 would stall every client beyond the tenth open (keep-alive)
  connection, as patching net/http's `Server.Serve` showed (`TestTransportPersistConnLeak`
  hung), and a cap on connections is a deliberate choice (`netutil.LimitListener`). On
  the precision corpus all 25 such findings were false;
- an endless loop that dispatches other work (the launch sits in a case of a select or
  switch, or the loop holds a select: a run loop, a protocol reader), also where the
  fan-out it runs again and again sits in such a case (cloudflared's supervisor restarts
  its waiting tunnels in `case <-backoffTimer:`): the goroutines are paced by its events (on the corpus all 9
  were false), and a blocking acquire could stall the very work they wait for;
- an errgroup with `SetLimit`, or one passed in (its maker may have limited it).

## When it is not fixed
Every fix here changes concurrency (the launcher now waits), so it is offered only where
waiting for a slot can neither hang nor stall; otherwise the finding says why:
- goroutines that live until shutdown, started in an endless loop: they pile up for good,
  but a semaphore would block the loop once every slot holds one;
- the results are drained only after the loop (directly, through a channel passed to a
  call, or a field a called function sends on): a slot frees only when a send is
  received, so the launch after the last slot deadlocks;
- a periodic loop (it ranges over or receives from a ticker's `t.C` or `time.Tick`
  each round): it must keep its pace, and a blocking acquire would stall it
  behind slow goroutines (skip the round when busy, if that is the intent);
- an endless loop that does other work each round (a call that does not pace it, count
  its goroutines, check its stop signal, log, or compute what it launches on): a blocking
  acquire would stall that work behind slow goroutines (juicefs's session heartbeat, which
  now and then starts a stale-session cleanup: the semaphore stopped the heartbeat and
  other clients cleaned the live mount's session as stale); the loop that only launches
  and sleeps, or reads what it launches on (`msg, err := q.Receive()`), is still fixed;
- a mutex or a token is held at the launch that the goroutines may need to finish, or a
  caller in this file calls the launching function with a mutex held (a function that
  only starts goroutines is often called locked);
- the goroutines may send on a channel the launching loop itself receives from (a work
  queue its workers feed, as in a concurrent mark): with every slot held by a goroutine
  blocked on that send, the loop would wait for a slot instead of receiving; or they
  receive from a channel the launching function sends on, closes or hands to a call (a
  forwarder ended by `close(ch)` after the call that feeds it): with every slot held by
  one waiting there, the loop would never get to feed or close it; or they write to an
  `io.Pipe` made in the loop whose read end the loop consumes without closing it: with
  every slot held by a writer nobody reads any more, the loop would wait for good;
- a fan-out over a collection (not waited for) whose goroutines run a function value
  (`go cb(err)` over callbacks), a method or function outside the package and the
  standard library, or an endless loop left only on a condition (a reader until its
  stream ends): nothing shows each goroutine ends promptly without waiting on what the
  caller holds, and the caller would now wait for them;
- `go x.f(...)` whose function value could change before a wrapped goroutine calls it
  (`go s.conn.serve()`: the receiver is evaluated at the launch);
- a line shared with other code, a goroutine written on one line, a multi-line raw string.

Applicability: every fix of this rule (semaphore, `SetLimit`, moving an acquire before
the launch) is `review`.

## The fix
A channel semaphore of `max-goroutines` slots (`.gofixleaks.toml`, `--max-goroutines`,
default 10), declared before the loop (before its label, if it has one; before the
outermost loop when loops are nested, so that one bound covers every batch):

    sem := make(chan struct{}, 10)
    for job := range jobs {
        sem <- struct{}{}
        go func() {
            defer func() { <-sem }()
            handle(job)
        }()
    }

The launcher blocks while all slots are taken, which is the back-pressure that was
missing. The release is deferred first thing in the goroutine so that it runs even when
the goroutine panics or returns early. `go f(x, y)` becomes a function literal that
keeps Go's evaluation order: arguments that cannot change before the goroutine runs
(per-iteration variables, constants, variables the loop never assigns, the address of a
variable, `&wg`) are used as they are, and before Go 1.22 a loop variable is copied first (`x := x`); any other argument (a
field, an element, a call, a variable written later) is evaluated into a fresh name
before the launch (`gen := s.gen`), as the go statement evaluated it: read inside the
goroutine it would be a later value, and a data race with its writers.

In an endless loop with a context (or done channel) in scope, the slot is taken in a
`select` that also watches cancellation:

    select {
    case <-ctx.Done():
        return
    case sem <- struct{}{}:
    }

Acquiring inside the `select` keeps the loop responsive while every slot is taken; the
common `select { case <-ctx.Done(): return; default: sem <- struct{}{} }` blocks on the
full semaphore and stops noticing cancellation exactly when it matters. This needs a bare
`return` (or `return ctx.Err()` for a function returning only an error) and a loop with no
`break` (a return would skip the code after the loop); otherwise the loop gets the
semaphore alone. A `wg.Add(1)` leading up to the launch gets the select before it (a
return between the two would leave `wg.Wait()` waiting for a goroutine never started), or,
when code that may leave the iteration stands between them, the semaphore alone. With no
context in scope, context plumbing adds a `ctx context.Context` parameter to the function
and passes one from its callers where it safely can (see `--plumb-exported`; a test from
Go 1.24 passes `t.Context()` unless its package's tests register a Cleanup), so the loop
becomes stoppable as well as bounded.

An errgroup gets `g.SetLimit(N)` right after it is made instead (its `Go` then blocks
while N goroutines run). A semaphore acquired inside the goroutine is moved before the
launch. Where waiting for a slot could hang or stall, there is no fix (see "When it is
not fixed").
"""

# numeric conversions: their operands are plain values, so converting later changes nothing
# (unlike len(ch), len(m) or string(bytes), which read contents that may change)
_PURE_FUNCS = {"float32", "float64"} | a.INT_TYPES
_FORBIDDEN_IN_DEFERRED = ("call_expression", "index_expression", "slice_expression", "type_assertion_expression")


_ERRGROUP = "golang.org/x/sync/errgroup"
# what a loop receives a connection (or a stream, a session, a client) from
# ssh channels; a codec is a connection's request reader (net/rpc's ServeCodec)
_CONNECTION_WORDS = ("conn", "stream", "session", "sess", "client", "peer", "channel", "codec")


@dataclass(frozen=True)
class _Launch:
    go: Node  # the go statement, or the statement calling g.Go
    call: Node  # the go statement's call, or g.Go(...)
    literal: Node | None  # the func literal it starts, if it starts one
    loop: Node  # innermost loop of the function around it
    outermost: Node  # where one semaphore bounds every launch of this function call
    function: Node
    group: Node | None = None  # for an errgroup's g.Go: the statement that makes g


def run(p: Pass) -> None:
    sf = p.file
    # semaphore names given so far, by top-level declaration: the fixes of one round are
    # applied together, so two loops of one function must not both declare `sem`
    given: dict[int, set[str]] = {}
    for go in a.of_type(sf.root, "go_statement"):
        launch = _launch(go, go.named_children[0] if go.named_children else None)
        if launch is not None:
            _check(p, launch, given)
    if b".Go(" in sf.data:
        for launch in _method_launches(sf):
            _check(p, launch, given)


def _launch(stmt: Node, call: Node | None, literal_arg: bool = False, group: Node | None = None) -> _Launch | None:
    fn = a.enclosing_function(stmt)
    if fn is None or call is None or call.type != "call_expression":
        return None
    loops = a.loops_between(stmt, fn)
    if not loops:
        return None
    f = call.child_by_field_name("function")
    if literal_arg:  # g.Go(func() error {...}): the goroutine is the argument
        f = next(iter(a.arguments(call)), None)
    literal = f if f is not None and f.type == "func_literal" else None
    return _Launch(stmt, call, literal, loops[0], loops[-1], fn, group)


def _method_launches(sf) -> list[_Launch]:
    """``g.Go(func...)`` statements: an errgroup made in the same function that never calls
    ``g.SetLimit`` (a group passed in may be limited by its caller), or a sync.WaitGroup
    (Go 1.25's ``wg.Go``), which is a go statement by another name."""
    groups = {f"{alias}.Group" for alias in sf.aliases(_ERRGROUP)}
    waitgroups = {f"{alias}.WaitGroup" for alias in sf.aliases("sync")}
    out = []
    for stmt in a.of_type(sf.root, "expression_statement"):
        call = stmt.named_children[0]
        m = a.method_call(sf, call)
        fn = a.enclosing_function(stmt)
        if m is None or m[1] != "Go" or m[0].type != "identifier" or fn is None:
            continue
        name = sf.text(m[0])
        made, typ = _made_as(sf, fn, name, stmt)
        if typ in waitgroups:
            launch = _launch(stmt, call, literal_arg=True)
        elif typ in groups and made is not None and not _calls_method(sf, fn, name, "SetLimit"):
            launch = _launch(stmt, call, literal_arg=True, group=made)
        else:
            continue
        if launch is not None and launch.literal is not None:
            out.append(launch)
    return out


def _calls_method(sf, scope: Node, receiver: str, method: str) -> bool:
    return any(
        (m := a.method_call(sf, n)) is not None and m[1] == method and sf.text(m[0]) == receiver
        for n in a.of_type(scope, "call_expression")
    )


def _made_as(sf, fn: Node, name: str, before: Node) -> tuple[Node | None, str]:
    """(declaring statement, type) of local ``name`` at ``before``: the type is written as
    in the source (``errgroup.Group``) for ``var x T``, ``x := new(T)``, ``x := &T{}``,
    ``x, ctx := errgroup.WithContext(...)`` and parameters of type ``T`` or ``*T``."""
    found: tuple[Node | None, str] = (None, "")
    params = fn.child_by_field_name("parameters")
    for decl in a.of_type(params, "parameter_declaration") if params is not None else ():
        if name in [sf.text(n) for n in decl.children_by_field_name("name")]:
            found = (None, sf.text(decl.child_by_field_name("type")).lstrip("*"))
    for d in a.of_type(a.body(fn), "short_var_declaration", "var_spec", skip_functions=True):
        if d.start_byte >= before.start_byte:
            break
        if d.type == "var_spec":
            if name in [sf.text(n) for n in d.children_by_field_name("name")]:
                typ = d.child_by_field_name("type")
                found = (a.enclosing(d, "var_declaration"), sf.text(typ) if typ is not None else "")
            continue
        names = [sf.text(n) for n in d.child_by_field_name("left").named_children]
        if name not in names:
            continue
        values = d.child_by_field_name("right").named_children
        typ = ""
        if len(values) == 1 and names[0] == name and a.is_call_to(sf, values[0], _ERRGROUP, ("WithContext",)):
            typ = f"{sf.text(values[0].child_by_field_name('function').child_by_field_name('operand'))}.Group"
        elif len(values) == len(names):
            text = sf.text(values[names.index(name)]).replace(" ", "")
            if text.startswith("new(") and text.endswith(")"):
                typ = text[4:-1]
            elif text.startswith("&") and text.endswith("{}"):
                typ = text[1:-2]
        found = (d, typ)
    return found


def _check(p: Pass, ln: _Launch, given: dict[int, set[str]]) -> None:
    sf = p.file
    kind, what = _source_kind(p, ln.loop)
    if kind is None or (ln.group is not None and kind == "collection"):
        return  # a fan-out through an errgroup is joined by g.Wait()
    inside = _acquired_inside(sf, ln)
    if inside is not None:
        sem = sf.text(inside.child_by_field_name("channel"))
        message = (
            f"semaphore {sem} is acquired inside the goroutine: it bounds the work, not the number "
            f"of goroutines, which still grows with the loop"
        )
        # moved before the launch, the acquire can hang where the launcher waits for a slot
        risk = _deadlock_risk(p, ln)
        fix = _move_acquire(sf, ln, inside) if risk is None else None
        p.report(ln.go, message, [fix] if fix else [], [] if fix else [risk or "move the acquire before the launch by hand"])
        return
    if _bounded_before(sf, ln) or _joined_each_iteration(sf, ln) or _launched_once(sf, ln):
        return
    if kind == "stream" and _feeds_its_loop(sf, ln) and _joined_after_loop(p, ln):
        return  # a traversal: its width is the structure's it walks, and the function joins it
    if kind == "endless" and _signal_paced(sf, ln):
        return  # one per signal the process receives: a person paces them
    if kind == "collection" and (not (p.option("fire-and-forget") or _repeated(sf, ln)) or _joined_after_loop(p, ln)):
        return  # one fan-out per call is opt-in: on the corpus none of them leaked
    if _accepts_connections(sf, ln) or _dispatches(sf, ln):
        return  # as many as the connections served, or paced by a run loop's events
    lives_on = _runs_until_shutdown(p, ln)
    if lives_on is not None and kind != "endless":
        return  # one goroutine per configured item or per value: their number is the input's
    started = "goroutine started"
    if ln.go.type != "go_statement":
        started += f" by {sf.text(ln.call.child_by_field_name('function'))}" + (" (no SetLimit)" if ln.group is not None else "")
    tick = _paced_by(sf, ln)
    if tick is not None:
        message = f"{started} on every tick of {tick} with nothing bounding it: goroutines pile up whenever they take longer than the period"
    elif kind == "endless":
        message = f"{started} in an endless loop with nothing bounding it: goroutines pile up whenever they finish slower than the loop starts them"
    elif kind == "stream":
        message = f"{started} for every value received from {what} with nothing bounding it: a burst of values starts as many goroutines at once"
    else:
        fname = sf.text(ln.function.child_by_field_name("name")) if ln.function.type != "func_literal" else "the function"
        message = (f"{started} for every element of {what}, and {fname} does not wait for them: the number of "
                   "goroutines grows with the input and they outlive the call")
    if lives_on is not None:
        p.report(ln.go, message, notes=[
            f"{lives_on} runs until shutdown: a semaphore would block the loop for good once every slot holds one; "
            "give the goroutines a way to end, or bound them by hand"
        ])
        return
    fix, notes = _set_limit_fix(p, ln) if ln.group is not None else _semaphore_fix(p, ln, kind, given)
    p.report(ln.go, message, [fix] if fix else [], notes)


def _runs_until_shutdown(p: Pass, ln: _Launch) -> str | None:
    """What makes the launched goroutine live until shutdown (its own endless loop, or a
    function of the package it calls that loops until a stop signal, forever, serves a
    listener or drains a channel it was given), or None. A semaphore around such goroutines
    never gets a slot back: the launch after the last slot blocks forever."""
    sf = p.file
    if ln.literal is not None and facts.own_loop(sf, ln.literal.child_by_field_name("body")):
        return "the goroutine"
    first = a.statements(ln.literal.child_by_field_name("body"))[:1] if ln.literal is not None else []
    waits = [n for s in first for n in a.of_type(s, "unary_expression", skip_functions=True) if a.is_receive(sf, n)]
    if any((m := a.method_call(sf, a.unparen(w.child_by_field_name("operand")))) is not None
           and m[1] in ("Done", "Closed") for w in waits):
        return "the goroutine (it first waits for something to end)"
    pkg = sf.package_name
    scope = ln.literal.child_by_field_name("body") if ln.literal is not None else ln.call
    for call in a.of_type(scope, "call_expression", skip_functions=True):
        if ln.literal is not None and a.enclosing(call, "go_statement", stop_at=a.FUNCTION_TYPES) is not None:
            continue  # what the goroutine starts in turn is not the goroutine
        fn = call.child_by_field_name("function")
        if fn is None or p.package is None or a.callee(sf, call) == (None, "close"):
            continue  # close(done) ends a signal, it does not wait for one
        name, recv = (sf.text(fn), "") if fn.type == "identifier" else (
            sf.text(fn.child_by_field_name("field")), None) if fn.type == "selector_expression" else ("", "")
        if name and p.package.is_long_lived(pkg, name, recv):
            return sf.text(fn)
        # known by its name too (the facts miss loops that leave on errors or conditions)
        if name and _names_a_service(name):
            return sf.text(fn)
        # handed a stop channel (`go s.transfer(zone, start.shutdown)`): it runs until that fires
        if any(_names_signal(sf, x) for x in a.arguments(call)):
            return sf.text(fn)
        if ln.literal is None:
            break  # a plain `go f(x)`: only f runs on the goroutine (its arguments are evaluated here)
    return None


# Functions of other packages are known by their names: these run until shutdown by
# convention (Server.Serve, Discoverer.Run, a peer's sendLoop, a Watch, runWorker).
_SERVICE_NAMES = {"Start", "ListenAndServe", "ListenAndServeTLS", "ServeTLS"}
_SERVICE_WORDS = ("run", "serve", "listen", "watch")  # alone: Run, serve, Watch
_SERVICE_FIRST = ("serve", "listen", "watch")  # serveSubstream, watchLeader
_SERVICE_LAST = ("loop", "forever", "daemon", "worker", "forwarder", "handler")  # readLoop, poolHandler


def _names_signal(sf, expr: Node) -> bool:
    """A stop channel by its name (``done``, ``s.shutdown``, ``stopCh``); not a context,
    which short calls take too."""
    expr = a.unparen(expr)
    last = expr.child_by_field_name("field") if expr.type == "selector_expression" else expr
    return last is not None and last.type in ("identifier", "field_identifier") and a.names_a_signal(sf.text(last))


def _names_a_service(name: str) -> bool:
    words = [w.lower() for w in re.findall(r"[a-z]+|[A-Z][a-z]*", name)]
    return name in _SERVICE_NAMES or words in [[w] for w in _SERVICE_WORDS] or (bool(words) and (
        words[-1] in _SERVICE_LAST or words[0] in _SERVICE_FIRST))


# ---------------------------------------------------------------------------- what the loop runs over


def _source_kind(p: Pass, loop: Node) -> tuple[str | None, str]:
    """("endless" | "stream" | "collection", text of the ranged value), or (None, "") for a
    loop whose number of launches is fixed by a count or a condition."""
    sf = p.file
    kind = a.loop_kind(sf, loop)
    if kind == "endless":
        return "endless", ""
    if kind != "range":
        return None, ""
    clause = next(c for c in loop.named_children if c.type == "range_clause")
    operand = a.unparen(clause.child_by_field_name("right"))
    typ = a.value_kind(sf, operand, loop)
    if typ is None and operand.type == "selector_expression" and p.package is not None:
        # a field of a struct declared in another file of the package (`range cfg.Workers`)
        typ = p.package.field_kind(sf.text(operand.child_by_field_name("field")))
    if typ == "chan":
        return "stream", sf.text(operand)
    if typ in ("int", "literal") or clause.child_by_field_name("left") is None:
        return None, ""  # a counted pool, a fixed literal, or `for range xs` (a pool sized by xs)
    root = operand
    while root.type in ("index_expression", "parenthesized_expression"):
        root = root.named_children[0]
    if root.type == "selector_expression":
        return None, ""  # a field (h.Upstreams, s.conns[d]): sized by the configuration or state
    return "collection", sf.text(operand)


def _repeated(sf, ln: _Launch) -> bool:
    """Whether an endless or paced loop around the launch's own loop runs the fan-out
    again and again (``for { for _, t := range targets() { go send(t) } }``)."""
    outer = [lp for lp in a.loops_between(ln.go, ln.function) if lp != ln.loop]
    return any(a.loop_kind(sf, lp) == "endless" for lp in outer) or _paced_by(sf, ln) is not None


def _paced_by(sf, ln: _Launch) -> str | None:
    """The ticker or timer channel that paces a loop around the launch, if one does: the
    loop ranges over it or receives from it each round (``t.C``, ``time.Tick(d)``)."""
    channels = []
    for loop in a.loops_between(ln.go, ln.function):
        clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
        channels += [clause.child_by_field_name("right")] if clause is not None else []
        channels += [
            n.child_by_field_name("operand")
            for n in a.of_type(loop.child_by_field_name("body"), "unary_expression", skip_functions=True)
            if a.is_receive(sf, n)
        ]
    for ch in (a.unparen(c) for c in channels if c is not None):
        if (ch.type == "selector_expression" and sf.text(ch.child_by_field_name("field")) == "C") or a.is_call_to(
                sf, ch, "time", ("Tick",)):
            return sf.text(ch)
    return None


# calls that pace a loop, count its goroutines, check its stop signal or log: not work of its own
_PACING = re.compile(r"Sleep|^(Add|Done|Err|Canceled|Print|Printf|Println|Debug|Debugf|Info|Infof|Warn|Warnf)$")


def _other_work(sf, ln: _Launch) -> Node | None:
    """A statement of the endless loop around the launch that does work of its own each
    round: not the statement holding the launch, nor one computing what it launches on
    (`msg, err := q.Receive()`, directly or through other such statements), but a call that
    does not pace the loop, count its goroutines, check its stop signal, log, or is a
    builtin (juicefs's session heartbeat, which now and then starts a stale-session cleanup:
    a semaphore there stopped the heartbeat, and other clients took the live mount's
    session for stale). The textbook loop that only launches and sleeps has none."""
    if a.loop_kind(sf, ln.loop) != "endless":
        return None
    stmts = a.statements(ln.loop.child_by_field_name("body"))
    holder = next((st for st in stmts if a.is_within(ln.go, st)), None)
    if holder is None:
        return None
    used = {sf.text(n) for n in a.of_type(holder, "identifier")}
    feeding = {holder.start_byte}
    grew = True
    while grew:
        grew = False
        for st in stmts:
            if st.start_byte in feeding or st.type not in ("short_var_declaration", "assignment_statement"):
                continue
            if used & {sf.text(n) for n in a.left_names(st)}:
                feeding.add(st.start_byte)
                used |= {sf.text(n) for n in a.of_type(st, "identifier")}
                grew = True
    for st in (st for st in stmts if st.start_byte not in feeding):
        for call in a.of_type(st, "call_expression", skip_functions=True):
            fn = call.child_by_field_name("function")
            name = sf.text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn)
            if not (_PACING.search(name) or name in _BUILTINS):
                return st
    return None


_BUILTINS = frozenset({"append", "make", "new", "len", "cap", "copy", "delete", "min", "max", "clear"})


# ---------------------------------------------------------------------------- what bounds it


def _root_name(sf, expr: Node | None) -> str | None:
    """``wg`` for ``wg``, ``s.wg``'s ``s``, ``<-f.signal``'s ``f``."""
    while expr is not None and expr.type in ("selector_expression", "unary_expression", "parenthesized_expression", "index_expression"):
        expr = expr.child_by_field_name("operand") or (expr.named_children[0] if expr.named_children else None)
    return sf.text(expr) if expr is not None and expr.type == "identifier" else None


def _receives(sf, node: Node) -> list[Node]:
    """Channel operands received from below ``node`` (``<-ch``, ``range ch``), closures
    included: a deferred ``func() { <-sem }()`` is where a semaphore is released."""
    out = []
    for n in a.walk(node):
        if a.is_receive(sf, n):
            out.append(n.child_by_field_name("operand"))
        elif n.type == "range_clause":
            out.append(n.child_by_field_name("right"))
    return out


def _preceding_in_iteration(ln: _Launch) -> list[Node]:
    """Statements and select-case communications that run before the go statement in the
    same iteration of the loop."""
    out = []
    n = ln.go
    loop_body = ln.loop.child_by_field_name("body")
    while n is not None and n != loop_body:
        parent = n.parent
        if parent is not None and parent.type == "statement_list":
            for s in parent.named_children:
                if s == n:
                    break
                out.append(s)
        if parent is not None and parent.type == "communication_case":
            comm = parent.child_by_field_name("communication")
            if comm is not None and comm != n:
                out.append(comm)
        n = parent
    return out


def _bounded_before(sf, ln: _Launch) -> bool:
    """A semaphore slot is taken before the go statement in the same iteration."""
    inside = ln.literal if ln.literal is not None else ln.call
    released_in_goroutine = {sf.text(r) for r in _receives(sf, inside)}
    passed = {sf.text(x) for x in a.arguments(ln.call)}
    sent_in_goroutine = {sf.text(s.child_by_field_name("channel")) for s in a.of_type(inside, "send_statement")}
    for stmt in _preceding_in_iteration(ln):
        for n in a.walk(stmt, skip_functions=True):
            if n.type == "send_statement":
                ch = sf.text(n.child_by_field_name("channel"))
                if ch in released_in_goroutine or ch in passed:
                    return True
            elif a.is_receive(sf, n):
                ch = sf.text(n.child_by_field_name("operand"))
                if ch in sent_in_goroutine or ch in passed:
                    return True  # a token taken from a pool the goroutine gives back
            elif n.type == "call_expression":
                m = a.method_call(sf, n)
                if m is not None and m[1].startswith(("Acquire", "TryAcquire", "Take")):
                    return True  # a weighted semaphore or a limiter (TakeWithContext)
    return False


def _joined_each_iteration(sf, ln: _Launch) -> bool:
    """After the go statement the iteration waits on something the goroutine signals
    (``<-done``, ``wg.Wait()``), or hands a channel the goroutine closes when it ends to a
    call (``err := c.watchEvents(applyErr)``: the call waits for the goroutine's end), or
    closes a channel whose close ends the goroutine, so about one of them runs at a time."""
    lst = ln.go.parent
    if lst is None or lst.type != "statement_list":
        return False
    mentioned = a.names_in(sf, ln.go)
    closed = {sf.text(args[0]) for c in a.of_type(ln.go, "call_expression")
              if a.callee(sf, c) == (None, "close") and len(args := a.arguments(c)) == 1 and args[0].type == "identifier"}
    after = lst.named_children[lst.named_children.index(ln.go) + 1 :]
    for i, stmt in enumerate(after):
        if stmt.type == "select_statement" and _waits_on(sf, stmt, mentioned, ln.loop):
            return True
        # the iteration closes what the goroutine leaves on (a channel it watches, the read
        # end of the pipe it writes: its next write fails), and no `continue` skips that
        skipped = any(True for x in after[:i] for _ in a.of_type(x, "continue_statement", skip_functions=True))
        shut = _closed_by(sf, stmt)
        if shut in mentioned and ln.literal is not None and _ends_on_close(sf, ln.literal, shut) and not skipped:
            return True
        if not skipped and any(_closes_reader(sf, stmt, r) for r in _piped(sf, ln)):
            return True
        if not skipped and _cancels_given(sf, stmt, ln.loop, mentioned):
            return True
        if stmt.type not in ("expression_statement", "short_var_declaration", "assignment_statement"):
            continue
        for n in a.walk(stmt, skip_functions=True):
            if a.is_receive(sf, n) and (
                    _root_name(sf, n.child_by_field_name("operand")) in mentioned):
                return True
            m = a.method_call(sf, n) if n.type == "call_expression" else None
            if m is not None and m[1] == "Wait" and _root_name(sf, m[0]) in mentioned:
                return True
            # not `chans = append(chans, done)`: collected, the iteration does not wait
            if n.type == "call_expression" and a.callee(sf, n) != (None, "append") and any(sf.text(x) in closed for x in a.arguments(n)):
                return True
    return False


def _piped(sf, ln: _Launch) -> list[str]:
    """The read ends of ``pr, pw := io.Pipe()`` pipes made in the loop before the launch
    whose write end the goroutine uses and whose read end it does not: its output, which
    the iteration consumes."""
    inside = a.names_in(sf, ln.go)
    out = []
    for decl in a.of_type(ln.loop.child_by_field_name("body"), "short_var_declaration", skip_functions=True):
        names = [sf.text(x) for x in a.left_names(decl)]
        values = decl.child_by_field_name("right").named_children
        if decl.start_byte < ln.go.start_byte and len(names) == 2 and len(values) == 1 \
                and a.is_call_to(sf, a.unparen(values[0]), "io", ("Pipe",)) and names[1] in inside and names[0] not in inside:
            out.append(names[0])
    return out


def _closes_reader(sf, stmt: Node, reader: str) -> bool:
    """``reader.Close()`` or ``reader.CloseWithError(err)`` as a statement of its own."""
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    m = a.method_call(sf, call) if call is not None and call.type == "call_expression" else None
    return m is not None and sf.text(m[0]) == reader and m[1] in ("Close", "CloseWithError")


def _cancels_given(sf, stmt: Node, loop: Node, given: set[str]) -> bool:
    """Statement ``cancel()`` of a ``ctx, cancel := context.With...(...)`` made in the loop
    whose context the goroutine is given (juicefs' watchdog per run of its child process:
    the run's end cancels it before the next run starts it again)."""
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if fn is None or fn.type != "identifier" or a.arguments(call):
        return False
    for decl in a.of_type(loop.child_by_field_name("body"), "short_var_declaration", skip_functions=True):
        names, values = a.left_names(decl), decl.child_by_field_name("right").named_children
        if (len(names) == 2 and sf.text(names[1]) == sf.text(fn) and sf.text(names[0]) in given and len(values) == 1
                and a.is_call_to(sf, a.unparen(values[0]), "context", ("WithCancel", "WithTimeout", "WithDeadline"))):
            return True
    return False


def _closed_by(sf, stmt: Node) -> str | None:
    """The local that statement ``close(x)`` closes, or None."""
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    if call is None or call.type != "call_expression" or a.callee(sf, call) != (None, "close"):
        return None
    args = a.arguments(call)
    return sf.text(args[0]) if len(args) == 1 and args[0].type == "identifier" else None


def _ends_on_close(sf, literal: Node, name: str) -> bool:
    """The goroutine returns once ``name`` is closed: a ``v, ok := <-name`` (a select's case
    or a statement) followed by ``if !ok { return }`` (mdns' forwarder)."""
    for recv in a.of_type(a.body(literal), "receive_statement", "short_var_declaration", skip_functions=True):
        left = a.left_names(recv) if recv.child_by_field_name("left") is not None else []
        right = recv.child_by_field_name("right")
        right = a.unparen(right.named_children[0] if right.type == "expression_list" and right.named_child_count == 1 else right)
        if len(left) != 2 or not a.is_receive(sf, right) or sf.text(right.child_by_field_name("operand")) != name:
            continue
        rest = [x for x in (a.statements(recv.parent) if recv.parent.type == "communication_case" else a.following(recv))
                if x.type != "comment"]
        check = rest[0] if rest and rest[0].type == "if_statement" else None
        cond = sf.text(check.child_by_field_name("condition")).replace(" ", "") if check is not None else ""
        taken = a.statements(check.child_by_field_name("consequence")) if check is not None else []
        if cond == f"!{sf.text(left[1])}" and taken and taken[-1].type == "return_statement":
            return True
    return False


def _waits_on(sf, select: Node, mentioned: set[str], loop: Node) -> bool:
    """A ``select`` without default whose cases either receive what the goroutine signals
    or leave the loop."""
    cases = [c for c in select.named_children if c.type in ("communication_case", "default_case")]
    waits = False
    for case in cases:
        comm = case.child_by_field_name("communication")
        if comm is None:
            return False  # default: the iteration does not wait
        if any(_root_name(sf, r) in mentioned for r in _receives(sf, comm)):
            waits = True
        elif not _leaves_loop(sf, a.statements(case)[-1:], loop):
            return False
    return waits


def _leaves_loop(sf, stmts: list[Node], loop: Node) -> bool:
    """One of ``stmts`` (top level) returns, panics or breaks out of ``loop``."""
    for stmt in stmts:
        if stmt.type in ("return_statement", "goto_statement"):
            return True
        if a.never_returns(sf, stmt):
            return True
        if stmt.type == "break_statement" and a.break_target(sf, stmt) == loop:
            return True
    return False


def _signal_paced(sf, ln: _Launch) -> bool:
    """Each round of the endless loop first waits for an OS signal: a statement of its body
    receives from a channel the enclosing functions hand to ``signal.Notify`` (juicefs'
    handler starts a delayed exit and an unmount per SIGTERM). Signals come from a person or
    a supervisor, not from the load."""
    for st in a.statements(ln.loop.child_by_field_name("body")):
        if st.type not in ("short_var_declaration", "assignment_statement", "expression_statement"):
            continue
        right = st.child_by_field_name("right") if st.type != "expression_statement" else st
        for x in right.named_children if right is not None else []:
            v = a.unparen(x)
            if a.is_receive(sf, v) and a.signal_notified(sf, sf.text(v.child_by_field_name("operand")), top_level(ln.loop)):
                return True
    return False


def _launched_once(sf, ln: _Launch) -> bool:
    """The go statement cannot run twice: the code after it leaves the loop (in its own
    block, or after the ifs and cases around it: nats' error branch launches a callback,
    then returns), or it waits for a timer that fires once (``time.NewTimer`` made before
    the loop, never reset)."""
    node, body = ln.go, ln.loop.child_by_field_name("body")
    while node.parent is not None and node.parent != body and node.parent.type not in ("for_statement", *a.FUNCTION_TYPES):
        lst = node.parent
        after = lst.named_children[lst.named_children.index(node) + 1 :] if lst.type == "statement_list" else []
        if any(True for x in after for _ in a.of_type(x, "continue_statement", "goto_statement", skip_functions=True)):
            break  # a way to the next pass before the leaving statement
        if _leaves_loop(sf, after, ln.loop):
            return True
        node = lst
    case = a.enclosing(ln.go, "communication_case", stop_at=("for_statement",) + a.FUNCTION_TYPES)
    comm = case.child_by_field_name("communication") if case is not None else None
    for r in _receives(sf, comm) if comm is not None else ():
        if r.type != "selector_expression" or sf.text(r.child_by_field_name("field")) != "C":
            continue
        timer = sf.text(r.child_by_field_name("operand"))
        made = [
            d for d in a.of_type(a.body(ln.function), "short_var_declaration", skip_functions=True)
            if d.end_byte < ln.loop.start_byte and a.declares(sf, d, timer)
            and any(a.is_call_to(sf, v, "time", ("NewTimer",)) for v in d.child_by_field_name("right").named_children)
        ]
        # `if t.Stop() { t.Reset(d) }` re-arms a timer that has not fired: still one firing
        resets = [
            n for n in a.of_type(ln.function, "call_expression")
            if (m := a.method_call(sf, n)) is not None and m[1] == "Reset" and sf.text(m[0]) == timer
            and not _guarded_by_stop(sf, n, timer)
        ]
        if made and not resets:
            return True
    return False


def _guarded_by_stop(sf, node: Node, timer: str) -> bool:
    cond = next((x for x in a.ancestors(node) if x.type == "if_statement"), None)
    cond = cond.child_by_field_name("condition") if cond is not None else None
    return cond is not None and any(
        (m := a.method_call(sf, n)) is not None and m[1] == "Stop" and sf.text(m[0]) == timer
        for n in a.of_type(cond, "call_expression")
    )


def _after_loop(ln: _Launch) -> list[Node]:
    """Statements that run after the loop, up to the end of the function."""
    return _after(a.statement_of(ln.loop), a.body(ln.function))


def _after(n: Node | None, fbody: Node | None) -> list[Node]:
    """Statements that run after statement ``n``, up to the end of the body ``fbody``."""
    out = []
    while n is not None and n != fbody:
        parent = n.parent
        if parent is not None and parent.type == "statement_list":
            sib = parent.named_children
            out += sib[sib.index(n) + 1 :]
        n = parent
    return out


def _joined_after_loop(p: Pass, ln: _Launch) -> bool:
    """The goroutines are waited for: ``wg.Wait()`` on a group the loop uses, after the loop
    (a goroutine that waits and then closes the results counts) or deferred before it, or
    after the go statement that started the goroutine running the loop; or the function
    receives from a channel the goroutines send on after the loop."""
    sf = p.file
    in_loop = {sf.text(n) for n in a.of_type(ln.loop, "identifier", "selector_expression")}
    loop_stmt = a.statement_of(ln.loop)
    deferred = [
        d for d in a.of_type(a.body(ln.function), "defer_statement", skip_functions=True)
        if d.end_byte <= loop_stmt.start_byte
    ]
    # a goroutine literal launching them (`go func(c) { ... go f(&wg) ... }(c)`): its own
    # launcher may wait for the same group after starting it
    lit = ln.function
    go = lit.parent.parent if lit.type == "func_literal" and lit.parent is not None and lit.parent.type == "call_expression" else None
    outer = _after(go, a.body(a.enclosing_function(go))) if go is not None and go.type == "go_statement" else []
    for stmt in _after_loop(ln) + deferred + outer:
        for n in a.of_type(stmt, "call_expression"):
            m = a.method_call(sf, n)
            if m is not None and m[1] == "Wait" and sf.text(m[0]) in in_loop:
                return True
    return _drained_after_loop(p, ln)


def _drained_after_loop(p: Pass, ln: _Launch) -> bool:
    """The goroutines send on a channel that the function receives from only after the
    loop: directly, by passing it to a function (``refresh(ctx, n, ch)``), or through a
    function of the package that sends on a field of that name (``s.probe(t)`` sending on
    ``s.results`` for a later ``range s.results``)."""
    sf = p.file
    sent = {sf.text(s.child_by_field_name("channel")) for s in a.of_type(ln.go, "send_statement")}
    fields: set[str] = set()
    pkg = sf.package_name
    for call in [ln.call, *a.of_type(ln.go, "call_expression")]:
        sent |= {sf.text(x) for x in a.arguments(call)}
        fn = call.child_by_field_name("function")
        if p.package is not None and fn is not None and fn.type == "identifier":
            fields |= p.package.sends_on(pkg, sf.text(fn))
        elif p.package is not None and fn is not None and fn.type == "selector_expression":
            fields |= p.package.sends_on(pkg, sf.text(fn.child_by_field_name("field")), None)
    for stmt in _after_loop(ln):
        for r in _receives(sf, stmt):
            r = a.unparen(r)
            if sf.text(r) in sent or (r.type == "selector_expression" and sf.text(r.child_by_field_name("field")) in fields):
                return True
    return False


def _feeds_its_loop(sf, ln: _Launch) -> str | None:
    """A channel the launching loop receives from (ranges over, or receives from in its body
    outside the goroutine) that the goroutines send on, in closures they define too, or are
    handed (a work queue fed back by its workers: a concurrent mark's grays)."""
    sent = {sf.text(s.child_by_field_name("channel")) for s in a.of_type(ln.go, "send_statement")}
    sent |= {sf.text(x) for call in [ln.call, *a.of_type(ln.go, "call_expression")] for x in a.arguments(call)}
    received = [sf.text(a.unparen(r)) for r in _receives(sf, ln.loop.child_by_field_name("body")) if not a.is_within(r, ln.go)]
    header = next((c for c in ln.loop.named_children if c.type == "range_clause"), None)
    if header is not None and header.child_by_field_name("right") is not None:
        received.append(sf.text(a.unparen(header.child_by_field_name("right"))))
    return next((r for r in received if r in sent), None)


def _fed_by_its_loop(sf, ln: _Launch) -> str | None:
    """A channel the goroutines receive from that the launching function, outside them,
    sends on, closes or hands to a call (a forwarder ended by ``close(ch)`` after the call
    that feeds it): the goroutines wait for the launcher."""
    received = {sf.text(a.unparen(n.child_by_field_name("operand"))) for n in a.walk(ln.go) if a.is_receive(sf, n)}
    received |= {sf.text(r) for c in a.of_type(ln.go, "range_clause") if (r := c.child_by_field_name("right")) is not None
                 and r.type == "identifier" and sf.text(a.defined_value(sf, sf.text(r), r) or r).startswith("make(chan")}
    for n in a.of_type(a.body(ln.function), "send_statement", "call_expression", skip_functions=True):
        if a.is_within(n, ln.go) or (n.type == "call_expression" and a.callee(sf, n) == (None, "append")):
            continue
        fed = [n.child_by_field_name("channel")] if n.type == "send_statement" else a.arguments(n)
        hit = next((sf.text(x) for x in fed if sf.text(x) in received), None)
        if hit is not None:
            return hit
    return None


def _held_at_launch(sf, ln: _Launch) -> str | None:
    """A mutex locked, or a token received (``s := <-h.state`` ... ``h.state <- s``), on the
    straight path to the go statement and not given back before it: the goroutines may need
    it to finish, so waiting there for a free slot could deadlock."""
    fbody = a.body(ln.function)
    path = [n for n in a.ancestors(ln.go) if a.is_within(n, fbody)]
    locked = _locked_at(sf, ln.go, fbody)
    if locked is not None:
        return locked
    tokens: set[str] = set()
    for lst in reversed([n for n in path if n.type == "statement_list"]):
        for stmt in lst.named_children:
            if a.is_within(ln.go, stmt):
                break
            if stmt.type in ("expression_statement", "short_var_declaration", "assignment_statement"):
                tokens |= {sf.text(r) for r in _receives(sf, stmt)}
    for lst in (n for n in path if n.type == "statement_list"):
        later = [s for s in lst.named_children if s.start_byte > ln.go.end_byte]
        for stmt in later:
            if stmt.type == "send_statement" and sf.text(stmt.child_by_field_name("channel")) in tokens:
                return sf.text(stmt.child_by_field_name("channel"))
    return None


def _out_of_view(p: Pass, ln: _Launch) -> str | None:
    """A call of the goroutine to code outside this package and the standard library: a
    method no type of the package declares (``dt.CloseWithFlush`` on another package's
    type, an interface's), or a function of a non-standard import."""
    sf = p.file
    body = ln.literal.child_by_field_name("body") if ln.literal is not None else None
    calls = [ln.call] if body is None else list(a.of_type(body, "call_expression", skip_functions=True))
    pkg = sf.package_name
    for call in calls:
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is None or fn.type != "selector_expression":
            continue
        operand, field = fn.child_by_field_name("operand"), sf.text(fn.child_by_field_name("field"))
        path = sf.imports.get(sf.text(operand)) if operand is not None and operand.type == "identifier" else None
        if path is not None:
            if "." in path.split("/")[0]:
                return sf.text(fn)
        elif p.package is None or not p.package.declarations(pkg, field, None):
            return sf.text(fn)
    return None


def _loops_endlessly(sf, ln: _Launch) -> str | None:
    """Where the goroutine runs an endless ``for {}`` loop: in its literal, or in a function
    or method of this file that it calls (by name), the facts of which miss loops that leave
    on errors or conditions (``for { pkt, err := t.ReadRTP(); if err != nil { break } }``)."""
    body = ln.literal.child_by_field_name("body") if ln.literal is not None else None
    if body is not None and any(a.loop_kind(sf, f) == "endless" for f in a.of_type(body, "for_statement", skip_functions=True)):
        return "the goroutine"
    calls = [ln.call] if body is None else list(a.of_type(body, "call_expression", skip_functions=True))
    names = set()
    for call in calls:
        fn = call.child_by_field_name("function") if call is not None else None
        last = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        if last is not None and last.type in ("identifier", "field_identifier"):
            names.add(sf.text(last))
    for decl in sf.root.named_children:
        name = decl.child_by_field_name("name") if decl.type in ("function_declaration", "method_declaration") else None
        if name is not None and sf.text(name) in names and a.body(decl) is not None and any(
                a.loop_kind(sf, f) == "endless" for f in a.of_type(a.body(decl), "for_statement", skip_functions=True)):
            return sf.text(name)
    return None


def _func_value_run(sf, ln: _Launch) -> str | None:
    """A function value the goroutine calls (``go cb(err)``, ``go func() { sub(ev) }()``):
    a parameter, a local or a loop variable of the launching function rather than a declared
    function, so what it waits on cannot be known."""
    body = ln.literal.child_by_field_name("body") if ln.literal is not None else None
    calls = [ln.call] + (list(a.of_type(body, "call_expression", skip_functions=True)) if body is not None else [])
    for call in calls:
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is None or fn.type != "identifier":
            continue
        name = sf.text(fn)
        if a.params_declare(sf, ln.function, name) or a.local_declaration(sf, name, call) is not None or any(
                a.declares(sf, h, name) or any(a.declares(sf, c, name) for c in h.named_children)
                for h in ln.loop.named_children if h.type == "range_clause"):
            return name
    return None


def _locked_at(sf, node: Node, fbody: Node) -> str | None:
    """A mutex locked (``mu.Lock()``, ``mu.RLock()``) on the straight path to ``node`` within
    the body ``fbody`` and not unlocked before it (a deferred unlock holds it to the end)."""
    held: dict[str, bool] = {}
    for lst in reversed([n for n in a.ancestors(node) if a.is_within(n, fbody) and n.type == "statement_list"]):
        for stmt in lst.named_children:
            if a.is_within(node, stmt):
                break
            if stmt.type == "expression_statement" and (m := a.method_call(sf, stmt.named_children[0])) is not None:
                if m[1] in ("Lock", "RLock"):
                    held[sf.text(m[0])] = True
                elif m[1] in ("Unlock", "RUnlock"):
                    held[sf.text(m[0])] = False
    return next((mu for mu, on in held.items() if on), None)


def _called_locked(sf, ln: _Launch) -> str | None:
    """Where this file calls the launching function while holding a mutex (``r.lock.RLock()``
    around ``r.launchTargetAgents(...)``, as a caller may when the function only starts
    goroutines): a goroutine needing that mutex keeps its slot, and the launcher, waiting for
    one, keeps the mutex."""
    if ln.function.type not in ("function_declaration", "method_declaration"):
        return None
    name = sf.text(ln.function.child_by_field_name("name"))
    for call in a.of_type(sf.root, "call_expression"):
        fn = call.child_by_field_name("function")
        last = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        caller = a.enclosing_function(call)
        if last is None or sf.text(last) != name or caller is None or a.body(caller) is None:
            continue
        mu = _locked_at(sf, call, a.body(caller))
        if mu is not None:
            return f"{name} is called with {mu} held (line {sf.line_col(call.start_byte)[0]})"
    return None


def _acquired_inside(sf, ln: _Launch) -> Node | None:
    """``sem <- x`` at the top of the goroutine (after its defers) on a channel declared
    outside it that the goroutine also receives from: a semaphore taken too late."""
    if ln.literal is None:
        return None
    for stmt in a.statements(a.body(ln.literal)):
        if stmt.type == "defer_statement":
            continue
        if stmt.type != "send_statement":
            return None
        ch = sf.text(stmt.child_by_field_name("channel"))
        released = {sf.text(r) for r in _receives(sf, ln.literal)}
        declared_inside = any(a.declares(sf, s, ch) for s in a.walk(ln.literal))
        return stmt if ch in released and not declared_inside and not a.params_declare(sf, ln.literal, ch) else None
    return None


# ---------------------------------------------------------------------------- fixes


def _starts_line(sf, node: Node) -> bool:
    return not sf.data[sf.line_start(node.start_byte) : node.start_byte].strip()


def _move_acquire(sf, ln: _Launch, send: Node) -> Fix | None:
    remove = delete_line(sf, send)
    if remove is None or not _starts_line(sf, ln.go):
        return None
    edits = (remove, insert_before_statement(sf, ln.go, [sf.text(send)]))
    return Fix(f"acquire {sf.text(send.child_by_field_name('channel'))} before the launch", edits)


def _accepts_connections(sf, ln: _Launch) -> bool:
    """The iteration accepts a connection before the launch (``Accept``, ``AcceptTCP``,
    ``AcceptStream``...), or receives one from a channel named for them (``<-s.conns``,
    ``range streams``): the goroutine lives as long as the connection, idle keep-alive
    ones included."""
    # the connection handed to the goroutine (`go readerFn(payloadConn)`)
    handed = [x for x in a.of_type(ln.call.child_by_field_name("arguments"), "identifier")]
    if any(_named_for_connections(sf, x) for x in handed):
        return True
    for stmt in _preceding_in_iteration(ln) + [c for c in ln.loop.named_children if c.type == "range_clause"]:
        for n in a.of_type(stmt, "call_expression", skip_functions=True):
            if (m := a.method_call(sf, n)) is not None and (m[1].startswith("Accept") or _reads_request(sf, n, m[1])):
                return True
        if any(_named_for_connections(sf, ch) for ch in _receives(sf, stmt)):
            return True
    return False


def _named_for_connections(sf, expr: Node) -> bool:
    """Whether the name of ``expr`` (its field, for ``s.conns``), or the type a parameter of
    that name is declared with, has a word for connections, streams, sessions, clients,
    peers or codecs (``payloadConn``, ``streams``, ``chans <-chan ssh.NewChannel``: chisel's
    tunnel serves each SSH channel for as long as it is open)."""
    expr = a.unparen(expr)
    last = expr.child_by_field_name("field") if expr.type == "selector_expression" else expr
    texts = [sf.text(last)] if last is not None else []
    if expr.type == "identifier":
        texts += [sf.text(t) for t in _parameter_types(sf, expr)]
    words = [w for t in texts for w in re.findall(r"[a-z]+|[A-Z][a-z]*", t)]
    return any(w.lower().startswith(_CONNECTION_WORDS) for w in words)


def _parameter_types(sf, ident: Node) -> list[Node]:
    """The declared type of the parameter ``ident`` names, in the function around it (none
    when a local of that name shadows it)."""
    name = sf.text(ident)
    fn = a.enclosing_function(ident)
    if fn is None or a.local_declaration(sf, name, ident) is not None:
        return []
    params = fn.child_by_field_name("parameters")
    return [d.child_by_field_name("type") for d in (params.named_children if params is not None else [])
            if d.type == "parameter_declaration" and d.child_by_field_name("type") is not None
            and any(sf.text(n) == name for n in d.children_by_field_name("name"))]


def _reads_request(sf, call: Node, method: str) -> bool:
    """``stream.Recv()``, ``s.conn.ReadMessage()``, ``c.codec.ReadRequest(...)``: the
    iteration reads one message from a connection or stream, and the goroutine answers it
    (gRPC's per-stream handlers, a callback dispatcher): the peer paces them, and a slot
    held by a handler waiting on a later message would stop the reader that brings it. So
    does a datagram read, whatever the conn's name (``n, addr, err := pc.ReadFrom(buf)``,
    ``ReadFromUDP``, ``ReadMsgUDP``): a packet server answering each query (tailscale's
    natc DNS), whose cap is a deliberate choice; and a framed message read of any reader
    (``reader.ReadMessage()``: v2ray's DNS proxy answers each query on its own goroutine)."""
    if method in _DATAGRAM_READS or method in _MESSAGE_READS or (method == "ReadFrom" and _results(call) == 3):
        return True
    return method.startswith(("Recv", "Receive", "Read")) and _named_for_connections(
        sf, call.child_by_field_name("function").child_by_field_name("operand"))


# a framed message or request of a stream, whatever the reader is called (v2ray's DNS proxy
# answers each `reader.ReadMessage()` of its connection on a goroutine of its own)
_MESSAGE_READS = ("ReadMessage", "ReadRequest", "Recv", "RecvMsg", "ReceiveMessage")
# net's datagram reads (a UDPConn's, an IPConn's); a PacketConn's is ReadFrom, with three results
_DATAGRAM_READS = ("ReadFromUDP", "ReadFromUDPAddrPort", "ReadMsgUDP", "ReadMsgUDPAddrPort", "ReadFromIP", "ReadMsgIP")


def _results(call: Node) -> int:
    """How many names the statement around ``call`` gives its results (``n, addr, err :=``)."""
    stmt = call.parent.parent if call.parent is not None and call.parent.type == "expression_list" else None
    if stmt is None or stmt.type not in ("short_var_declaration", "assignment_statement") \
            or stmt.child_by_field_name("right") != call.parent or call.parent.named_child_count != 1:
        return 0
    return stmt.child_by_field_name("left").named_child_count


def _dispatches(sf, ln: _Launch) -> bool:
    """The endless loop around the launch (its own, or the one that runs its fan-out again
    and again) does more than fetch an item and launch: the launch sits in a case of a
    select or switch, or the loop holds a select (a run loop, a protocol reader;
    cloudflared's supervisor restarts the waiting tunnels in its `case <-backoffTimer:`)."""
    loop = next((lp for lp in a.loops_between(ln.go, ln.function) if a.loop_kind(sf, lp) == "endless"), None)
    body = loop.child_by_field_name("body") if loop is not None else None
    if body is None:
        return False
    in_case = any(n.type in a.CASE_TYPES for n in a.ancestors(ln.go) if a.is_within(n, body))
    # around a fan-out, only a case dispatches it: after the select, each round's sweep is paced
    return in_case or (loop == ln.loop and next(a.of_type(body, "select_statement", skip_functions=True), None) is not None)


def _deadlock_risk(p: Pass, ln: _Launch) -> str | None:
    """Why waiting for a free slot at the launch could hang or stall, if it could."""
    sf = p.file
    if _accepts_connections(sf, ln):
        return (
            "an accept loop: each goroutine lives as long as its connection, so a semaphore would cap "
            "open connections (idle keep-alive ones included) and stall new clients; choose a cap "
            "deliberately (e.g. golang.org/x/net/netutil.LimitListener)"
        )
    if _drained_after_loop(p, ln):
        return "the goroutines send on a channel drained only after the loop: a bound here would deadlock"
    fed = _feeds_its_loop(sf, ln)
    if fed is not None:
        return (f"the goroutines may send on {fed}, which this loop receives from: once every slot holds one "
                "blocked on that send, the loop would wait for a slot instead of receiving, a deadlock")
    piped = _piped(sf, ln)
    if piped:
        return (f"the goroutines write to a pipe whose read end ({piped[0]}) the loop consumes: once every slot holds "
                "one blocked on a write nobody reads, the loop would wait for a slot for good; close the read end "
                "before the next pass (then one writer at a time is alive)")
    if _dispatches(sf, ln):
        return (
            "the loop dispatches other work (a select or switch around the launch): waiting for a slot would "
            "stall it, and the goroutines may be waiting for that very work; bound them by hand"
        )
    fed = _fed_by_its_loop(sf, ln)
    if fed is not None:
        return (f"the goroutines wait on {fed}, which this function feeds or closes outside them: once every slot "
                "holds one waiting, the loop would wait for a slot instead of getting there, a deadlock")
    tick = _paced_by(sf, ln)
    if tick is not None:
        return (
            f"a periodic loop (paced by {tick}) must not block: a semaphore would stall it while earlier "
            "goroutines run; skip the round when busy, or bound the work by hand"
        )
    work = _other_work(sf, ln)
    if work is not None:
        return (f"the loop does other work each round (line {sf.line_col(work.start_byte)[0]}): a semaphore would "
                "stall it behind slow goroutines; skip the launch while earlier ones run, or bound the work by hand")
    held = _held_at_launch(sf, ln)
    if held is not None:
        return f"{held} is held at the launch: waiting there for a free slot could deadlock"
    caller = _called_locked(sf, ln)
    if caller is not None:
        return f"{caller}: waiting there for a free slot could deadlock with goroutines that need it"
    return None


def _set_limit_fix(p: Pass, ln: _Launch) -> tuple[Fix | None, list[str]]:
    """``g.SetLimit(N)`` right after the group is made, before any g.Go (SetLimit panics
    while goroutines of the group are active)."""
    sf = p.file
    risk = _deadlock_risk(p, ln)
    if risk is not None:
        return None, [risk]
    if a.loops_between(ln.group, ln.function):
        return None, ["the group is made inside the loop: limit it by hand"]
    group = sf.text(a.method_call(sf, ln.call)[0])
    n = p.option("max-goroutines")
    edit = insert_after_statement(sf, ln.group, f"{group}.SetLimit({n})")
    if edit is None:
        return None, ["the group is made on a line shared with other code: limit it by hand"]
    return Fix(f"limit the group to {n} goroutines ({group}.SetLimit({n}))", (edit,)), []


def _semaphore_fix(p: Pass, ln: _Launch, kind: str, given: dict[int, set[str]]) -> tuple[Fix | None, list[str]]:
    sf = p.file
    risk = _deadlock_risk(p, ln)
    if risk is not None:
        return None, [risk]
    value = _func_value_run(sf, ln) if kind == "collection" else None
    if value is not None:
        return None, [f"the goroutines run {value}, a function value whose code is out of view: it may wait on something "
                      "the caller holds while the caller waits for a slot; bound it by hand"]
    outside = _out_of_view(p, ln) if kind == "collection" else None
    if outside is not None:
        return None, [f"the goroutines call {outside}, whose code is outside this package: whether each ends promptly, "
                      "without waiting on something the caller holds, cannot be told, and the caller would wait for them; "
                      "bound it by hand"]
    looping = _loops_endlessly(sf, ln) if kind == "collection" else None
    if looping is not None:
        return None, [f"the goroutines run an endless loop ({looping}) left only on a condition or an error: each may "
                      "keep its slot for as long as it runs (a reader until its stream ends), and the caller would wait "
                      "for it; bound it by hand"]
    loop_stmt = a.statement_of(ln.outermost)
    if not (_starts_line(sf, loop_stmt) and _starts_line(sf, ln.go) and ln.go.parent.type == "statement_list"):
        return None, ["the loop or the go statement shares its line: bound it by hand"]
    names = given.setdefault(top_level(ln.go).id, set())
    copies: list[str] = []
    hoisted: list[tuple[Node, str]] = []
    if ln.literal is None:
        values = _launch_values(sf, ln, names)
        if values is None:
            return None, ["the function value of the call could change before a wrapped goroutine calls it: bound it by hand"]
        copies, hoisted = values
    sem = fresh_name(sf, ln.go, "sem", names)
    n = p.option("max-goroutines")
    notes: list[str] = []
    acquire = [f"{sem} <- struct{{}}{{}}"]
    acquire_at: Node | None = ln.go
    stop = None
    if kind == "endless":
        stop, why = _stop_on_cancel(sf, ln, p.assumed_contexts)
        acquire_at = _ahead_of_adds(sf, ln) if stop is not None else ln.go
        if acquire_at is None:
            acquire_at, stop = ln.go, None
            why = "an Add before the launch would be left without its Done by a return on cancellation: stop the loop by hand"
        if stop is not None:
            cancel, ret = stop
            acquire = ["select {", f"case <-{cancel}:", f"\t{ret}", f"case {sem} <- struct{{}}{{}}:", "}"]
        elif why:
            notes.append(why)
    copy_lines = [f"{c} := {c}" for c in copies]
    if hoisted:  # evaluated at the launch, as the go statement did
        copy_lines.append(", ".join(n for _, n in hoisted) + " := " + ", ".join(sf.text(v) for v, _ in hoisted))
    edits = [insert_before_statement(sf, loop_stmt, [f"{sem} := make(chan struct{{}}, {n})"])]
    if acquire_at == ln.go:
        edits.append(insert_before_statement(sf, ln.go, copy_lines + acquire))
    else:
        edits.append(insert_before_statement(sf, acquire_at, acquire))
        if copy_lines:
            edits.append(insert_before_statement(sf, ln.go, copy_lines))
    if None in edits:
        return None, ["a statement before the launch shares its line: bound it by hand"]
    release = f"defer func() {{ <-{sem} }}()"
    if ln.literal is not None:
        edit = insert_at_block_start(sf, ln.literal.child_by_field_name("body"), release)
        if edit is None:
            return None, ["the goroutine is written on one line: bound it by hand"]
        edits.append(edit)
    else:
        wrapped = _wrap_call(sf, ln, release, hoisted)
        if wrapped is None:
            return None, ["the call spans a raw string: bound it by hand"]
        edits.append(wrapped)
    how = f"in a select that also stops the loop on {stop[0]}" if stop is not None else "before each launch"
    names.add(sem)
    return Fix(f"bound the goroutines with a semaphore of {n} slots ({sem}), taken {how}", tuple(edits)), notes


def _ahead_of_adds(sf, ln: _Launch) -> Node | None:
    """Where a select that returns on cancellation can take the slot: before the go
    statement, or before the ``wg.Add(...)`` calls leading up to it in the same block with
    nothing in between that leaves the iteration (a return after an Add whose goroutine
    never starts leaves ``wg.Wait()`` waiting for ever); None when there is no such place."""
    adds = [
        n for stmt in _preceding_in_iteration(ln) for n in a.of_type(stmt, "call_expression", skip_functions=True)
        if (m := a.method_call(sf, n)) is not None and m[1] == "Add"
    ]
    if not adds:
        return ln.go
    first = a.statement_of(min(adds, key=lambda n: n.start_byte))
    siblings = ln.go.parent.named_children
    if first not in siblings:
        return None
    between = siblings[siblings.index(first) : siblings.index(ln.go)]
    return None if a.exits_between(between) else first


def _stop_on_cancel(sf, ln: _Launch, assumed) -> tuple[tuple[str, str] | None, str]:
    """(what to receive from, how to return) for an endless loop that can stop on
    cancellation, or None and why not."""
    # a signal already in scope beats one context plumbing would add
    cancels = sorted(a.cancellation_in_scope(sf, ln.loop, assumed), key=lambda c: c.assumed)
    if not cancels:
        return None, ""  # context plumbing (the engine) says whether a ctx can be threaded in
    if a.breaks_out_of(ln.loop) or next(a.of_type(ln.loop, "goto_statement", skip_functions=True), None):
        return None, "the loop has its own exit: a return on cancellation would skip the code after it"
    results = ln.function.child_by_field_name("result")
    ctx = next((c for c in cancels if c.kind == "context"), None)
    if results is None:
        c = ctx or cancels[0]
        return (c.done_expr(), "return"), ""
    if ctx is not None and sf.text(results) == "error":
        return (ctx.done_expr(), f"return {ctx.name}.Err()"), ""
    return None, "the function returns values: stopping on cancellation is left to the author"


def _wrap_call(sf, ln: _Launch, release: str, hoisted: list[tuple[Node, str]]) -> TextEdit | None:
    """``go f(x)`` -> ``go func() { defer release; f(x) }()`` with gofmt's layout, each
    hoisted argument replaced by the name that holds its value."""
    call = ln.call
    if any(n.type == "raw_string_literal" and "\n" in sf.text(n) for n in a.walk(call)):
        return None
    nl = sf.newline
    indent = sf.indent_at(ln.go.start_byte)
    inner = indent + b"\t"
    text = apply(sf.data[call.start_byte : call.end_byte], [
        TextEdit(arg.start_byte - call.start_byte, arg.end_byte - call.start_byte, name.encode()) for arg, name in hoisted
    ])
    body = text.replace(nl, nl + b"\t")
    new = b"func() {" + nl + inner + release.encode() + nl + inner + body + nl + indent + b"}()"
    return TextEdit(call.start_byte, call.end_byte, new)


def _launch_values(sf, ln: _Launch, names: set[str]) -> tuple[list[str], list[tuple[Node, str]]] | None:
    """What keeps ``go f(args)`` evaluating its arguments at the launch once it runs in a
    closure: (names to copy first, ``x := x``, before Go 1.22's per-iteration loop variables;
    arguments to evaluate into fresh names before the launch, ``addr := c.addr``: a field,
    an index, a call or a variable written later would otherwise be read by the goroutine,
    later and racing with its writers). None when the function value itself could change."""
    fn = ln.call.child_by_field_name("function")
    operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else fn
    if operand.type != "identifier" or _stable_copies(sf, ln, operand) is None:
        return None  # `go s.conn.serve()`: hoisting the receiver could copy a value
    copies: list[str] = []
    hoisted: list[tuple[Node, str]] = []
    for arg in a.arguments(ln.call):
        value = arg.named_children[0] if arg.type == "variadic_argument" and arg.named_children else arg
        if _address_of_variable(sf, ln, value):
            continue  # `&wg`: the same address whenever it is taken
        names_here = _stable_copies(sf, ln, value)
        if names_here is not None:
            copies += [c for c in names_here if c not in copies]
            continue
        last = value.child_by_field_name("field") if value.type == "selector_expression" else value
        base = sf.text(last) if last is not None and last.type in ("identifier", "field_identifier") else "arg"
        name = fresh_name(sf, ln.go, base, names)
        names.add(name)
        hoisted.append((value, name))
    return copies, hoisted


def _address_of_variable(sf, ln: _Launch, expr: Node) -> bool:
    """``&x`` for a variable ``x``: a closure taking it later gets the same address, whatever
    is written to ``x`` meanwhile; except a loop header's variable before Go 1.22, which the
    fix may copy (``x := x``) for another argument, so that ``&x`` would name the copy."""
    if expr.type != "unary_expression" or sf.text(expr.child_by_field_name("operator")) != "&":
        return False
    operand = expr.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return False
    if sf.go_version >= (1, 22):
        return True
    header = [c for c in ln.loop.named_children if c.type in ("range_clause", "for_clause")]
    name = sf.text(operand)
    return not any(a.declares(sf, h, name) or any(a.declares(sf, c, name) for c in h.named_children) for h in header)


def _stable_copies(sf, ln: _Launch, expr: Node) -> list[str] | None:
    """Names to copy (``x := x``) so that ``expr`` evaluated later in a closure has the value
    it has at the launch; None when that cannot be guaranteed."""
    copies: list[str] = []
    per_iteration_vars = sf.go_version >= (1, 22)
    loop_body = ln.loop.child_by_field_name("body")
    header = [c for c in ln.loop.named_children if c.type in ("range_clause", "for_clause")]
    stack = [expr]
    while stack:
        n = stack.pop()
        if n is None or n.type == "func_literal":
            continue  # a closure value captures the same variables either way
        if n.type == "call_expression" and sf.text(n.child_by_field_name("function")) in _PURE_FUNCS:
            stack.append(n.child_by_field_name("arguments"))
            continue
        if n.type in _FORBIDDEN_IN_DEFERRED or n.type == "selector_expression" or a.is_receive(sf, n):
            return None  # read later, a field or an element may have changed (or races)
        if n.type == "unary_expression" and sf.text(n.child_by_field_name("operator")) in ("&", "*") and not (
                per_iteration_vars and sf.text(n.child_by_field_name("operator")) == "&"):
            return None  # a copy (x := x) would change the address passed; *p reads memory
        if n.type != "identifier":
            stack.extend(n.named_children)
            continue
        name = sf.text(n)
        in_header = any(a.declares(sf, h, name) for h in header) or any(
            a.declares(sf, c, name) for h in header for c in h.named_children
        )
        in_body = any(a.declares(sf, s, name) for s in a.walk(loop_body, skip_functions=True) if s.start_byte < ln.go.start_byte)
        if in_header or in_body:
            # fresh each iteration: only writes later in this iteration matter
            if _assigned_after(sf, ln, loop_body, name, ln.go.end_byte):
                return None
            if in_header and not in_body and not per_iteration_vars and name not in copies:
                copies.append(name)  # before Go 1.22 the loop reuses one variable
        elif _writes(sf, ln.outermost, name) or _assigned_after(sf, ln, a.body(ln.function), name, ln.outermost.end_byte):
            return None
    return copies


def _writes(sf, scope: Node | None, text: str) -> list[Node]:
    """Assignments, ++/--, and address-taking of the expression spelled ``text`` in ``scope``."""
    out = []
    for n in a.walk(scope) if scope is not None else ():
        if n.type == "assignment_statement":
            written = n.child_by_field_name("left").named_children
        elif n.type in ("inc_statement", "dec_statement"):
            written = n.named_children[:1]
        elif n.type == "unary_expression" and sf.text(n.child_by_field_name("operator")) == "&":
            written = [n.child_by_field_name("operand")]
        else:
            continue
        if any(sf.text(x) == text for x in written):
            out.append(n)
    return out


def _assigned_after(sf, ln: _Launch, scope: Node | None, text: str, offset: int) -> bool:
    """A write in ``scope`` at or after ``offset``, or one whose place says nothing about
    when it runs: in a closure (written before the launch, called after it) or through a
    pointer (``p := &n`` before the launch, ``*p++`` after it)."""
    return any(
        w.start_byte >= offset or w.type == "unary_expression" or a.enclosing_function(w) != ln.function
        for w in _writes(sf, scope, text)
    )


RULE = Rule(
    name="unbounded-goroutines",
    summary="a go statement in a loop with nothing bounding it -> a channel semaphore",
    doc=DOC,
    run=run,
    triggers=(b"go ", b".Go("),
    example="endless-ctx",
    plumbable=True,
    test_context=True,
    skips_tests=True,
    options=(
        Option("max-goroutines", 10, "slots of the semaphore the fix puts in", minimum=1),
        Option("fire-and-forget", False, "also report a range over a slice or map whose goroutines nobody waits for"),
    ),
    needs_package=True,
)
