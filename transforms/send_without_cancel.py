"""send-without-cancel: a goroutine blocks on a bare send or receive although it could
watch a context or done channel."""

from __future__ import annotations

from typing import Callable, Iterator

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import Fix, TextEdit
from gofixleaks.facts import PackageFacts
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from . import _goroutine as g_
from ._chan import abandoned_result_send, requested_reply, result_channel

DOC = """\
## What it finds
Inside a goroutine (a `go func(){...}()` literal, or a function or method of the same file
started with `go`), a send `ch <- v` or a receive `<-ch`, `v := <-ch`, `v, ok := <-ch`,
`v = <-ch` written as a statement of its own, outside any `select`, while a cancellation
signal is in scope: a `context.Context` (a parameter, a local, a field of the receiver),
a `chan struct{}` named like a done/stop/quit signal (its type may be one the file names:
`stopCh stopChannel` for `type stopChannel chan struct{}`, as controller-runtime's
process helper declares it), or the context of an `*http.Request` parameter
(`r.Context()`, which ends when the client goes away or the handler returns).
Also, in any method (a goroutine or not: a plain method blocks its caller, a request's
goroutine say), a bare send on a field of its receiver (`t.dial <- proto`) when every
function of the package that receives from that field (its tests aside) is a method of the
same type receiving it from its own receiver only in a select of a loop whose case on a
signal field of that value leaves the loop (`case <-t.stop: t.cleanup(); return`, or
`<-t.ctx.Done()`), that signal being a context field or a channel the package closes and
never sends on (coredns's proxy.Transport: after `Stop`, `Dial` waits for a `connManager`
that has returned).

## Why it leaks
A bare channel operation waits for its partner forever. Once the caller has given up
(its context is cancelled, it returned early, nobody ranges over the channel any more) the
goroutine stays blocked, with its stack and everything it references, for the life of the
process, although a signal that says "stop" was at hand.

## When it is not reported
- no cancellation signal is in scope (threading a context through is context plumbing's
  job), or the only one is `context.Background()`/`TODO()` (also a ctx parameter of an
  unexported function that every call of this file fills with one, directly, through a
  local made by one, or through its own such parameter a few calls up: `Gather` making
  `ctx := context.Background()` for `s.list(ctx)`), or a done channel that the
  goroutine closes or sends on itself, directly or through the functions of this file it
  calls (`defer c.cleanup()`): then it marks the goroutine's own end;
- the receive is on the signal itself, on a channel named done/stop/quit/..., on `x.Done()`
  or a call (`time.After(d)`), on a local that `time.After(d)` or `time.Tick(d)` made, or on
  a timer's `t.C` (they do fire);
- the other side is in view: the function that declares the channel, the goroutine or
  the function that starts it also uses the channel the other way or closes it (result
  channels, which `early-return-send` buffers when their receiver may leave early;
  semaphores; tokens passed back and forth; channels closed to release waiters);
- a reply channel looked up in a map, received itself (`case ch := <-b.snapshot:` from a
  `chan chan T`), carried in a received request (`case req := <-reqs:` or `case req =
  <-reqs:`) or returned by one (`case fn := <-reqs: done := fn()`, where every func literal
  the file sends on `reqs` returns a local its sender then receives bare); its make, where
  a buffer fixes it, is elsewhere;
- a send on a buffered channel: a local one outside any loop of the goroutine, a field
  always (a per-request reply channel made with room for its reply), a local made in the
  same loop pass as the send with a literal capacity above the sends on it earlier in that
  pass, when nothing else sends on it (no closure or goroutine, no function it is handed
  to, no function of the package on a field it is stored in, nor hands that field on, unless
  the field is declared receive-only, `<-chan T`): the fresh buffer has room (etcd's raft
  loop, `notifyc := make(chan struct{}, 1)` per Ready, then its first send);
- the operation comes after the goroutine waited on the signal without returning (it
  goes on after cancellation on purpose, to hand over a result, as os/exec does);
- the operation sits inside an expression (`f(<-ch)`) rather than being a statement;
- the function cancels the signal's context itself before the operation (`cancel()`
  then `<-res`): the partner was guaranteed that exchange;
- a buffered channel with room for every send: its capacity is counted from the code
  (`make(chan T, len(targets))`, also for a field filled as `T{f: ch}` from such a
  local), or one goroutine per make sends at most once (every
  send followed by `return`, or ending its body); so is a parameter
  channel that every `go f(..., doneCh)` of the file (or goroutine literal calling `f` once,
  `go func() { defer wg.Done(); f(ctx, x, results) }()`: cloudflared's network
  diagnostics) passes freshly made with a buffer
  (in the same iteration as the launch, a slot for each launch sharing it, or before a
  loop that launches once a pass and
  runs as many passes as the buffer has slots: `make(chan error, len(xs))`, or `n :=
  len(xs)` and `make(chan error, n)`, then `for _, x := range xs { go f(ctx, ch, x) }`),
  when `f` sends on it at most once (every send followed by `return`, or ending its body);
- a send on a parameter of an unexported function of this file that every call of it (all
  in this file: `go r.keepaliveWorker(started)`) fills with an unbuffered local of the
  caller, which receives every send on it before any way out (`return <-started`), as
  early-return-send counts them: the partner is in view and never leaves first (livekit's
  RedisRouter.Start). A caller that may leave first keeps the finding;
- a receive from a channel that a call returned when it was given the signal, or a
  context made from it (`ch := w.Watch(ctx)`, `w.Watch(cctx)` for `cctx, cancel :=
  context.WithCancel(ctx)`): the library closes it when the signal fires;
- the only signal is one the function makes itself (`ctx, cancel :=
  context.WithTimeout(...)` for a setup step, `done := make(chan struct{})`): its end says
  nothing of the partner (after a setup timeout fires, the goroutine handling SIGTERM must
  still be there);
- a receive from a channel the file registers with `signal.Notify`: its sender is the
  runtime, which never leaves;
- a send on a field of the method's receiver that another method of the same type in this
  file receives outside any select (`Cleanup` doing `require.NoError(t, <-b.srvErrCh)`,
  `Stop` ranging over it): the goroutine's result, which the type's stop method waits for
  (on dapr, 8 such findings, all false: every server of its test framework reports its
  `Serve` error this way);
- a send on a field of the method's receiver, or on a parameter that every call of the
  goroutine's method in this file fills with a field of the same value (`go
  it.query(n, it.replyCh)`), that another method of the same type receives in a select
  whose other cases, one at least on a stop signal, never abandon the channel: each goes
  on round the receive loop (controller-runtime's runnableGroup.Start: its `case
  <-ctx.Done():` keeps waiting for every runnable's ready report; nothing after the select
  leaves the loop, and the loop's condition reads nothing the case writes), or receives
  from the field again, itself or through the type's methods (go-ethereum's
  p2p/discover lookup: `case <-it.cancelCh: it.shutdown()`, which takes one reply per
  query it started), or the method's defers do, on any way out (go-ethereum's
  rpc.Client: `dispatch` returns on `c.close`, and its defer runs `c.drainRead()`). The
  receiver is owed every value: a case on the signal would drop one it waits for, and
  hang it; also a select with no case on a signal at all, in an endless loop whose cases
  all go round again but for the receive's own `if !ok { return }` (its method has no
  other return): the receiver reads until the channel is closed, so no send strands, and
  a case on the sender's signal would only drop an item already made (go-zero's queue:
  consumers quit when `Start` closes the channel after the last producer returned);
- a receive from a gate (a field channel the file only ever closes) whose every close is
  deferred (`defer close(ar.waitCh)` in `Run`): it opens whenever that function ends,
  however it ends, so waiting for it is waiting for that end, by design (nomad's alloc
  runner: 4 such findings, all false);
- a send found through its receiver's loop (above) when some function receives from the
  field outside a select or ranges over it, or is not a method of the sender's type (a
  field of the same name holding another type's channel: temporal's replication
  processor and its fetcher), when the case on the signal goes on round the loop or
  receives from the field again, when the receivers stop on different signals, when the
  signal is a channel the package sends on (a message, which the new case would steal) or
  never closes, when the package makes a channel of that field name with a buffer (which
  may hold every send there is: go-ethereum's port mappings, two sends and room for two),
  when the sender checks first (in an `if`, itself, in a method of its receiver it calls,
  or for an unexported helper in every caller of this file) a field that the method
  closing the signal sets before it closes it (k6's websocket: `w.readyState = CLOSED`
  then `close(w.done)`, and `send` starts with `w.assertStateOpen()`: run in turn on an
  event loop, no send follows the close), and a send on another value's field
  (`other.yield <- c`);
- a send, from a goroutine of the function that made the channel and returns it (every
  `return ch`), when every use of that function in its package (an unexported one with a
  context parameter: no other package can call it) is a call whose channel its caller
  ranges over until it is closed, `for ev := range f(ctx)` or `ch := f(ctx)` followed at
  once by `for ev := range ch`, the loop's body having no return, goto, break or continue
  out of it: the receiver never leaves while the channel is open (minio's IAM `watch`,
  whose one caller logs each event and goes on). A body that can leave the loop keeps the
  finding;
- a send guarded by `if ch != nil`: an opt-in observer channel (nil unless a test or a
  caller asked for it), whose owner drains every value it asked for;
- a goroutine started as `go x.m()` is matched to this file's method `m` only when the
  type of `x` can be told and is that method's receiver;
- in package main, a goroutine that runs once per program: started in no loop by `main`,
  or by a function whose one use is a call in no loop by one that runs once (`if err :=
  run(); err != nil { log.Fatal(err) }`): one goroutine cannot pile up, and it lives no
  longer than the program (containerboot's config watcher; tailscale had 6 such findings,
  all false).

## When it is not fixed
The fix is offered only when the signal's end really means the partner is gone: the
caller that handed over the signal also owns the channel. Reported without a fix (the
note says which) when:
- the sent value mentions an error (`errc <- err`), or is a local whose error field the
  function fills (`result.Err = err`, then `ch <- &result`): when the signal ending is what
  made the operation fail, both cases are ready, Go picks one at random and the error is lost;
  likewise any send on a channel the goroutine also reports its error on (a stream of
  results ending with its error): an early return would end it as if it had succeeded;
  and a value that is the one result of a call given the context itself (`results <-
  process(ctx, j)`, or `outcome := process(ctx, j)` sent next): whatever the call came to,
  the cancellation included, is in it (a value split from its error, `v, err :=
  recv(ctx)`, is a success and gets the fix); and a send on a channel the goroutine
  closes as it returns (`defer close(out)`, or a deferred literal's `SafeClose(out)`) and
  that has no case of its own on the signal: returning on the signal would cut the stream,
  and its reader would take the close for its complete end (minio's grid mux forwarder);
  where it has one, it already ends the stream that way and the new case does the same;
- the signal is a done-named channel field that the package sends on and never closes
  (go-ethereum's rpc.Client `close`, which `Close` sends once for `dispatch` to take;
  telegraf's intel_rdt `quitChan`): a message to one receiver, not a broadcast stop
  signal, which a case on it would steal. Such a field is the signal only when no other
  is in scope;
- the signal is a ctx parameter that every caller in the module (read through the
  package's facts: its other files, and for an exported function the module's other
  packages) fills with a context nothing cancels: the new case would never run (callers in
  the same file alone mean the finding is not reported: see the signal above);
- for a send, the channel is neither a parameter, nor a channel the function returns,
  nor a field of the receiver that also holds the signal: its receiver is out of view
  and may be owed the value (another receiver may count them);
- a receive from a field channel that the file only ever closes (a gate, `<-m.block`
  opened by `Run`): the signal may end only after the goroutine has passed the gate, so
  the new case might never fire;
- the sent value is a closable resource: the channel's element type is a `*os.File`,
  `*http.Response`, an `io.Closer` kind or any `Conn` or `Listener`, or the value comes
  from `Accept`, `Dial`, `os.Open`/`Create`, `http.Get`/`Post`: the new case would drop it
  unclosed and leak what it holds, so closing it there is left to a person;
- a plain method (not a goroutine) found through its receiver's loop returns results: its
  caller must learn that the value was not delivered (coredns's `Dial` returns an error
  then), which is for a person to write;
- the goroutine's function has results, a `return` would skip a later non-deferred
  `wg.Done()`, `mu.Unlock()` or `close(ch)`, the statement shares its line, or a received
  `v := <-ch` needs a type that this file does not declare;
- the function has its own select case on the signal that goes on rather than returns
  (serf's coalescer sets a flag and flushes what it holds), or that does more before its
  return in a way that cannot be copied to the operation (statements over several lines,
  a jump, another operation on the same channel, locals not in scope there), or its cases
  on the signal differ.

Applicability: `review` (a select that returns early changes when the goroutine ends).

## The fix
The operation becomes a `select` that also watches the signal:
`select { case ch <- v: case <-ctx.Done(): return }` (for a send found through its
receiver's loop, the case is on that loop's signal: `case <-t.stop: return`). The sent value is evaluated once when
the select starts, exactly as before. Where the function's own case on the signal does
more before it returns (`close(out); return`, so a reader's range ends), the new case does
the same, copied (a bare return there would leave that reader waiting for good). Without a ctx or done channel of its own, a function
with an `*http.Request` parameter `r` watches `r.Context().Done()`. Otherwise context
plumbing gives the function around the goroutine a `ctx context.Context` parameter, and its
callers pass their own ctx or, in a handler, their request's `r.Context()` (a test's
`t.Context()` is not passed: a one-shot send in a test blocks only once its receiver left,
mostly after a failed assertion, which no one fixes). A caller passes a context only where
its end releases the caller too: the goroutine closes the channel as it returns (`defer
close(out)`), or the caller drops the channel or receives from it only in a select beside
`<-ctx.Done()`; a caller that would still wait with a plain `<-ch` after its context ended
(it cancels, then reads the result) passes `context.TODO()`, since the new case could win
and leave it waiting forever; when no caller has one (every call would pass
`context.TODO()`), nothing is plumbed and, the finding resting on a signal, nothing is
reported. `v := <-ch` becomes `var v T` followed by `select { case v = <-ch: ... }`, so
`v` stays visible after it.
"""


def _operation(sf: SourceFile, stmt: Node) -> tuple[str, Node] | None:
    """("send", channel) or ("recv", channel) for a statement that is a bare channel operation."""
    if stmt.type == "send_statement":
        return "send", stmt.child_by_field_name("channel")
    if stmt.type == "expression_statement":
        expr = a.unparen(stmt.named_children[0])
    elif stmt.type in ("short_var_declaration", "assignment_statement"):
        right = stmt.child_by_field_name("right")
        if right is None or right.named_child_count != 1:
            return None
        if stmt.type == "assignment_statement" and sf.text(stmt.child_by_field_name("operator")) != "=":
            return None
        expr = a.unparen(right.named_children[0])
    else:
        return None
    if a.is_receive(sf, expr):
        return "recv", a.unparen(expr.child_by_field_name("operand"))
    return None


def _channel_ops(sf: SourceFile, root: Node, name: str) -> Iterator[tuple[str, Node]]:
    """("send"|"recv"|"close", node) for each use of channel ``name`` under ``root``."""
    for n in a.walk(root):
        if n.type == "send_statement" and sf.text(n.child_by_field_name("channel")) == name:
            yield "send", n
        elif a.is_receive(sf, n):
            if sf.text(a.unparen(n.child_by_field_name("operand"))) == name:
                yield "recv", n
        elif n.type == "range_clause" and sf.text(n.child_by_field_name("right")) == name:
            yield "recv", n
        elif n.type == "call_expression" and sf.text(n.child_by_field_name("function")) == "close":
            args = a.arguments(n)
            if args and sf.text(args[0]) == name:
                yield "close", n


def _makes(sf: SourceFile, chan: Node, at: Node) -> tuple[Node | None, list[Node]]:
    """Where channel ``chan`` lives and the ``make(chan ...)`` calls that fill it: for a
    local, its declaring function and the makes assigned to it there; for a field ``x.f``,
    no function and every ``f: make(...)`` / ``x.f = make(...)`` of the file."""
    if chan.type == "identifier":
        decl = a.local_declaration(sf, sf.text(chan), at)
        scope = a.enclosing_function(decl) if decl is not None else None
        name = sf.text(chan)
    elif chan.type == "selector_expression":
        scope, name = None, sf.text(chan.child_by_field_name("field"))
    else:
        return None, []
    if scope is not None:
        return scope, [call for call, target, field in _channel_makes(sf, scope) if target == name and not field]
    out = [call for call, target, field in sf.cached("channel-makes", lambda: _channel_makes(sf, sf.root))
           if target == name and field]
    for el in sf.cached("keyed-elements", lambda: _keyed_elements(sf)).get(name, ()):
        # `T{f: ch}` with `ch := make(...)` just before
        v = el.named_children[1].named_children[0]
        out += [m for m in a.defined_values(sf, sf.text(v), v)
                if m.type == "call_expression" and sf.text(m.child_by_field_name("function")) == "make"]
    return scope, out


def _channel_makes(sf: SourceFile, root: Node) -> list[tuple[Node, str | None, bool]]:
    """Every ``make(chan ...)`` below ``root`` with what it initialises (as _made_into says).
    The whole file's list is asked once per finding about a field: it is kept on the file."""
    out = []
    for call in a.of_type(root, "call_expression"):
        args = a.arguments(call)
        if sf.text(call.child_by_field_name("function")) != "make" or not args or args[0].type != "channel_type":
            continue
        target, field = _made_into(sf, call)
        out.append((call, sf.text(target) if target is not None else None, field))
    return out


def _keyed_elements(sf: SourceFile) -> dict[str, list[Node]]:
    """The file's ``key: ident`` composite-literal elements, by key."""
    out: dict[str, list[Node]] = {}
    for el in a.of_type(sf.root, "keyed_element"):
        key, value = (el.named_children + [None, None])[:2]
        v = value.named_children[0] if value is not None and value.named_child_count == 1 else None
        if key is not None and v is not None and v.type == "identifier":
            out.setdefault(sf.text(key), []).append(el)
    return out


def _made_into(sf: SourceFile, call: Node) -> tuple[Node | None, bool]:
    """The local (``ch := call``) or the field name (``x.ch = call``, ``T{ch: call}``, then
    True) that ``call`` initialises."""
    holder = call.parent
    if holder.type == "literal_element" and holder.parent.type == "keyed_element":
        key = holder.parent.child_by_field_name("key")
        return (key.named_children[0], True) if key is not None and key.named_child_count == 1 else (None, False)
    b = a.assignments(sf, call)
    if b is not None:
        return b.ident, False
    stmt = holder.parent if holder.type == "expression_list" else None
    left = stmt.child_by_field_name("left") if stmt is not None and stmt.type == "assignment_statement" else None
    if left is None or len(holder.named_children) != left.named_child_count:
        return None, False
    target = left.named_children[holder.named_children.index(call)]
    if target.type == "selector_expression":
        return target.child_by_field_name("field"), True
    return target, False


def _exchange_in_view(sf: SourceFile, g: g_.Goroutine, stmt: Node, kind: str, chan: Node, v: m.View) -> bool:
    """Whether the other side of the exchange is visible, so that this rule has nothing to add
    (a wider net than early-return-send's abandoned result channels, which it also holds):
    - the function that declares the channel also uses it the other way or closes it (the
      result channels early-return-send buffers, semaphores, done channels);
    - the goroutine or the function that starts it uses it the other way (a token passed
      back and forth, a semaphore released by the goroutine), also when the goroutine is a
      named function given the channel as a parameter by every caller (_partner_passes_it);
    - a send on a buffered channel: outside any loop for a local, always for a field
      (per-request reply channels made with room for their one reply), and in a loop for
      a local with room left in the pass that made it (_room_this_pass)."""
    name = sf.text(chan)
    other = ("recv", "close") if kind == "send" else ("send", "close")
    scope, makes = _makes(sf, chan, stmt)
    roots = [r for r in (scope, g.fn, g.launcher) if r is not None]
    for r in roots:
        for k, n in _channel_ops(sf, r, name):
            # the goroutine closing what it sends on is its own business, not a partner
            if k in other and not a.is_within(n, stmt) and not (k == "close" and a.is_within(n, g.fn)):
                return True
    if kind == "send" and _reply_channel(sf, chan, stmt):
        return True
    if kind == "send" and chan.type == "identifier" and _partner_passes_it(v, g, name):
        return True
    buffered = bool(makes) and all(a.arguments(m)[1:] and sf.text(a.arguments(m)[1]) != "0" for m in makes)
    if kind == "send" and (_room_for_every_send(sf, g, stmt, makes) or _buffered_by_every_launch(sf, g, name)):
        return True
    return kind == "send" and buffered and (scope is None or not a.loops_between(stmt, g.fn) or _room_this_pass(v, stmt, makes))


def _partner_passes_it(v: m.View, g: g_.Goroutine, name: str) -> bool:
    """Whether ``name`` is a channel parameter of the goroutine's named, unexported function
    that every call of it (``go r.keepaliveWorker(started)``) fills with a result channel of
    the calling function that it receives every send of before any way out (``return
    <-started``, _received_by_maker): the partner is that caller, in view, and never leaves
    first. Every call must be in this file (the name is unexported, and no function of
    another file of the package calls or starts it) and be a plain call: a use as a value
    hides what it is given. A caller that may leave first keeps the finding (early-return-send
    or abandoned-reply reports the make too, but may have no fix where this rule has one).
    """
    fn = g.fn
    if fn.type not in ("function_declaration", "method_declaration") or v.index is None:
        return False
    sf = v.sf
    fname = sf.text(fn.child_by_field_name("name"))
    params = [sf.text(n) for p in a.of_type(fn.child_by_field_name("parameters"), "parameter_declaration")
              for n in p.children_by_field_name("name")]
    if not fname[:1].islower() or name not in params:
        return False
    method = fn.type == "method_declaration"
    if any(fname in f.calls or any(s.callee == fname and s.method == method for s in f.summary.starts)
           for f in v.index.facts.functions if f.package == v.package and _base(f.path) != _base(sf.path)):
        return False  # called or started from another file, whose arguments are not read here
    calls = 0
    for use in _uses_of_name(sf, fname):
        if use == fn.child_by_field_name("name"):
            continue
        ref = use.parent if use.type == "field_identifier" else use
        call = ref.parent
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != ref:
            return False
        args = a.arguments(call)
        if len(args) != len(params) or args[params.index(name)].type != "identifier":
            return False
        _, makes = _makes(sf, args[params.index(name)], call)
        if not makes or not all(_received_by_maker(v, mk) for mk in makes):
            return False
        calls += 1
    return calls > 0


def _received_by_maker(v: m.View, make: Node) -> bool:
    """A result channel (an unbuffered local its function receives from, handed only to
    the goroutines that send on it) that its function receives every send of before any way
    out, as early-return-send counts them: no send on it can strand. Only receives outside
    loops are trusted: a receive in a loop that can leave after taking one value of several
    senders (pulsar's `ListWithContext`: `case err := <-errChan: if err != nil { return }`,
    four senders) is counted as taking them all."""
    rc = result_channel(v, make)
    if rc is None or rc.why is not None:
        return False
    ch = m.local_channel(v, make)
    return ch is not None and not any(
        op.kind in ("recv", "range") and a.loops_between(op.node, ch.binding.function) for op in ch.ops)


def _base(path: str) -> str:
    """A file's name: a package is one directory, so it tells the package's files apart
    (facts hold absolute paths, a SourceFile the path as displayed)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _uses_of_name(sf: SourceFile, name: str) -> list[Node]:
    """Every identifier or field identifier of the file spelled ``name``, found by searching
    the bytes (a function's uses, asked once per finding)."""
    out, key, at = [], name.encode(), sf.data.find(name.encode())
    while at != -1:
        n = sf.root.named_descendant_for_byte_range(at, at + len(key))
        if n is not None and n.type in ("identifier", "field_identifier") and n.start_byte == at and n.end_byte == at + len(key):
            out.append(n)
        at = sf.data.find(key, at + 1)
    return out


def _room_this_pass(v: m.View, stmt: Node, makes: list[Node]) -> bool:
    """A send in a loop on a local made in the same pass with a literal capacity greater
    than the sends on it between its make and this one (etcd's raft loop: `notifyc :=
    make(chan struct{}, 1)` per Ready, then one `notifyc <- struct{}{}`): the buffer is fresh,
    and nothing else sends on it, so the send cannot block. Nothing else: no closure or
    goroutine of its function, no function it is handed to (as the model follows it), and
    no function of the package on a field it is stored in (`toApply{notifyc: notifyc}`), which
    none hands on either, unless this file declares that field receive-only (`raftAdvancedC
    <-chan struct{}`: no one can send through it)."""
    sf = v.sf
    fn = a.enclosing_function(stmt)
    ch = m.local_channel(v, makes[0]) if len(makes) == 1 else None
    size = a.arguments(makes[0])[1] if ch is not None else None
    if ch is None or ch.escapes or not _decimal(sf.text(size)) or v.index is None or ch.binding.function != fn \
            or a.loops_between(makes[0], fn) != a.loops_between(stmt, fn):
        return False
    for el in ch.stored:
        field = sf.text(el.named_children[0]) if el.type == "keyed_element" else ""
        if not field.isidentifier() or not (_receive_only_field(sf, field) or not (
                v.index.field_use(v.package, field).sends or v.index.handed_out(v.package, field))):
            return False
    sends = ch.senders()
    if any(op.kind != "send" or op.where is not None for op in sends):
        return False  # a closure, goroutine or callee sends on it too
    before = [op for op in sends if makes[0].end_byte < op.node.start_byte < stmt.start_byte]
    return len(before) < int(sf.text(size))


def _receive_only_field(sf: SourceFile, field: str) -> bool:
    """Whether this file declares struct fields named ``field``, each of type ``<-chan T``."""
    types = [fd.child_by_field_name("type") for fd in a.of_type(sf.root, "field_declaration")
             if any(sf.text(n) == field for n in fd.children_by_field_name("name"))]
    return bool(types) and all(t is not None and sf.text(t).startswith("<-") for t in types)


def _decimal(text: str) -> bool:
    """A decimal literal (Go reads ``010`` as octal)."""
    return text.isdigit() and not (len(text) > 1 and text.startswith("0"))


def _reply_channel(sf: SourceFile, chan: Node, at: Node) -> bool:
    """A channel handed over by whoever asked: looked up in a map (``ch := pending[id]``),
    received itself (``case ch := <-b.snapshot:`` of a ``chan chan T``), carried in a
    received request (``req.reply`` for ``req := <-reqs``) or returned by one (``case fn :=
    <-reqs: done := fn()``, its asker waiting bare: requested_reply). Its make and its
    receiver are elsewhere, and a stuck reply is fixed there (by buffering it)."""
    if chan.type == "identifier":
        values = a.defined_values(sf, sf.text(chan), at)
        return (len(values) == 1 and values[0].type == "index_expression") or _received(sf, sf.text(chan), at) \
            or requested_reply(sf, chan, at) is not None
    operand = chan.child_by_field_name("operand") if chan.type == "selector_expression" else None
    return operand is not None and operand.type == "identifier" and _received(sf, sf.text(operand), at)


def _received(sf: SourceFile, name: str, at: Node) -> bool:
    """Whether local ``name`` holds, at ``at``, a value received from a channel: declared by
    a select case around ``at``, by a one-variable range around it (a channel's values; a
    map's keys: channels registered by their owners), by ``name := <-x``, or filled by
    ``case name = <-x:`` before it. A two-variable range holds a slice's or map's values."""
    for anc in a.ancestors(at):
        header = anc.child_by_field_name("communication") if anc.type == "communication_case" else next(
            (c for c in anc.named_children if c.type == "range_clause"), None) if anc.type == "for_statement" else None
        if header is not None and a.declares(sf, header, name) and (
                header.type != "range_clause" or len(header.child_by_field_name("left").named_children) == 1):
            return True
    fn = a.enclosing_function(at)
    if any(r.start_byte < at.start_byte and any(sf.text(n) == name for n in a.left_names(r))
           for r in a.of_type(a.body(fn), "receive_statement", skip_functions=True)):
        return True  # `var req request` filled by `case req = <-reqs:` before the send
    values = a.defined_values(sf, name, at)
    value = a.unparen(values[0]) if len(values) == 1 else None
    return a.is_receive(sf, value)


def _after_cancellation(sf: SourceFile, g: g_.Goroutine, stmt: Node, sig: a.Cancellation) -> bool:
    """Whether ``stmt`` follows a wait on the signal that does not return: the goroutine
    goes on after cancellation on purpose (to hand over a result), so the new case would
    fire at once."""
    done = f"<-{sig.done_expr()}"
    for n in a.walk(a.body(g.fn), skip_functions=True):
        if n.start_byte >= stmt.start_byte:
            break
        if n.type != "unary_expression" or sf.text(n).replace(" ", "") != done:
            continue
        case = a.enclosing(n, "communication_case", stop_at=("statement_list",))
        body = a.statements(case) if case is not None else []
        if not (body and body[-1].type == "return_statement"):
            return True
    return False


def _waits_on_a_signal(sf: SourceFile, chan: Node, sig: a.Cancellation) -> bool:
    """Receives that are meant to end the goroutine or that fire by themselves."""
    text = sf.text(chan)
    if text == sig.name or chan.type == "call_expression":
        return True
    if chan.type == "identifier" and (v := a.defined_value(sf, text, chan)) is not None \
            and a.is_call_to(sf, v, "time", ("After", "Tick")):
        return True  # `next := time.After(d)`, `<-next`: it fires by itself
    if chan.type == "selector_expression" and sf.text(chan.child_by_field_name("field")) == "C":
        return True
    last = chan.child_by_field_name("field") if chan.type == "selector_expression" else chan
    return last is not None and a.names_a_signal(sf.text(last))


def _element_type(sf: SourceFile, chan: Node) -> str | None:
    """``T`` for a channel declared here as a parameter, var, ``make(chan T)``, or a struct
    field ``x.f`` when every field ``f`` of the file's structs has that one channel type."""
    if chan.type == "selector_expression":
        field = sf.text(chan.child_by_field_name("field"))
        types = {sf.text(v) for fd in a.of_type(sf.root, "field_declaration")
                 if any(sf.text(n) == field for n in fd.children_by_field_name("name"))
                 for t in [fd.child_by_field_name("type")]
                 for v in [t.child_by_field_name("value") if t is not None and t.type == "channel_type" else None]
                 if v is not None}
        return types.pop() if len(types) == 1 else None
    if chan.type != "identifier":
        return None
    name = sf.text(chan)
    typ = None
    decl = a.local_declaration(sf, name, chan)
    if decl is not None:
        for n in a.walk(decl):
            if n.type == "call_expression" and sf.text(n.child_by_field_name("function")) == "make":
                b = a.assignments(sf, n)
                if b is not None and b.name == name and a.arguments(n):
                    typ = a.arguments(n)[0]
            elif n.type == "var_spec" and any(sf.text(x) == name for x in n.children_by_field_name("name")):
                typ = n.child_by_field_name("type")
    else:
        for fn in (x for x in a.ancestors(chan) if x.type in a.FUNCTION_TYPES):
            params = fn.child_by_field_name("parameters")
            p = next((p for p in a.of_type(params, "parameter_declaration")
                      if any(sf.text(x) == name for x in p.children_by_field_name("name"))), None)
            if p is not None:
                typ = p.child_by_field_name("type")
                break
    value = typ.child_by_field_name("value") if typ is not None and typ.type == "channel_type" else None
    return sf.text(value) if value is not None else None


def _cancelled_here(sf: SourceFile, stmt: Node, sig: a.Cancellation) -> bool:
    """Whether the function calls the cancel func of ``sig`` (``ctx, cancel := ...``)
    before ``stmt``: the new case would fire at once and abandon a partner that was
    guaranteed its value (a test that cancels, then waits for the result)."""
    fn = a.enclosing_function(stmt)
    cancels = {
        sf.text(names[1]) for d in a.of_type(a.body(fn), "short_var_declaration", skip_functions=True)
        if len(names := a.left_names(d)) == 2 and sf.text(names[0]) == sig.name
    }
    return any(
        n.start_byte < stmt.start_byte and sf.text(n.child_by_field_name("function")) in cancels
        for n in a.of_type(a.body(fn), "call_expression", skip_functions=True)
    )


def _closed_on_cancel(sf: SourceFile, chan: Node, sig: a.Cancellation) -> bool:
    """A channel a call returned when it was given the signal (``ch := w.Watch(ctx, k)``,
    ``for v := range sub.Updates(ctx)``): the library closes it once the signal fires."""
    calls = [chan] if chan.type == "call_expression" else [
        v for v in a.defined_values(sf, sf.text(chan), chan) if v.type == "call_expression"
    ] if chan.type == "identifier" else []
    return any(sf.text(x) == sig.name or _derived(sf, x, sig) for c in calls for x in a.arguments(c))


def _derived(sf: SourceFile, ctx: Node, sig: a.Cancellation) -> bool:
    """A local context made from the signal (``cctx, cancel := context.WithCancel(ctx)``):
    it ends when the signal does."""
    if ctx.type != "identifier":
        return False
    return any(
        v.type == "call_expression" and a.is_call_to(sf, v, "context", ("WithCancel", "WithTimeout", "WithDeadline", "WithValue", "WithCancelCause"))
        and a.arguments(v)[:1] and sf.text(a.arguments(v)[0]) == sig.name
        for v in a.defined_values(sf, sf.text(ctx), ctx)
    )


def _room_for_every_send(sf: SourceFile, g: g_.Goroutine, stmt: Node, makes: list[Node]) -> bool:
    """A buffered channel whose capacity is counted from the code (``len(targets)``), or
    one the goroutine sends on once and then ends: the send cannot block."""
    caps = [a.arguments(m)[1] for m in makes if len(a.arguments(m)) > 1]
    if not makes or len(caps) != len(makes) or any(sf.text(c) == "0" for c in caps):
        return False
    if all(c.type != "int_literal" for c in caps):
        return True
    if not a.loops_between(stmt, g.fn) and not a.following(stmt):
        return True
    # one goroutine per make (a literal started where the channel is made) that sends at most once
    scope = a.enclosing_function(makes[0])
    return (g.launcher is not None and g.launcher == scope and _sends_once(sf, g, sf.text(stmt.child_by_field_name("channel")))
            and all(a.loops_between(m, scope) == a.loops_between(g.fn, scope) for m in makes))


def _sends_once(sf: SourceFile, g: g_.Goroutine, name: str) -> bool:
    """Every send of the goroutine on ``name`` is followed by ``return`` or ends its body (in
    no loop, nothing of it runs after: ``if err := s.Err(); err != nil { errs <- err }``
    last): one run sends at most once."""
    return all(a.ends_run(n, g.fn) for k, n in _channel_ops(sf, a.body(g.fn), name) if k == "send")


def _buffered_by_every_launch(sf: SourceFile, g: g_.Goroutine, name: str) -> bool:
    """A parameter channel of a function started with `go f(..., ch)` in this file, or
    called once by a goroutine literal (`go func() { defer wg.Done(); f(..., ch) }()`),
    where every launch passes a local made with a buffer in the same iteration as the launch
    (``doneCh := make(chan error, 1)``; launches sharing one make need a literal capacity
    of a slot each), or a slot per launch (_slot_per_launch), and the goroutine sends on it
    at most once."""
    if g.launcher is not None or g.fn.type not in ("function_declaration", "method_declaration"):
        return False
    params = [sf.text(n) for p in a.of_type(g.fn.child_by_field_name("parameters"), "parameter_declaration")
              for n in p.children_by_field_name("name")]
    if name not in params or not _sends_once(sf, g, name):
        return False
    fname = sf.text(g.fn.child_by_field_name("name"))

    def calls_f(call: Node | None) -> bool:
        fn = call.child_by_field_name("function") if call is not None else None
        last = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else fn
        return last is not None and sf.text(last) == fname

    launches = 0
    sharing: dict[int, tuple[Node, int]] = {}  # make id -> (make, launches of one pass that use it)
    for go in a.of_type(sf.root, "go_statement"):
        call = next((c for c in go.named_children if c.type == "call_expression"), None)
        lit = call.child_by_field_name("function") if call is not None else None
        if lit is not None and lit.type == "func_literal":
            # `go func() { defer wg.Done(); collect(ctx, results) }()`: a launch when called once
            inner = [c for c in a.of_type(a.body(lit), "call_expression", skip_functions=True) if calls_f(c)]
            if len(inner) > 1 or any(a.loops_between(c, lit) for c in inner):
                return False
            call = inner[0] if inner else None
        if not calls_f(call):
            continue
        args = a.arguments(call)
        if len(args) != len(params) or args[params.index(name)].type != "identifier":
            return False
        arg = args[params.index(name)]
        scope, makes = _makes(sf, arg, call)
        if scope is None or not makes or any(
            len(a.arguments(m)) < 2 or sf.text(a.arguments(m)[1]) == "0"
            or (a.loops_between(m, scope) != a.loops_between(go, scope) and not _slot_per_launch(sf, m, go, scope))
            for m in makes
        ):
            return False
        for mk in makes:
            if a.loops_between(mk, scope) == a.loops_between(go, scope):
                sharing[mk.id] = (mk, sharing.get(mk.id, (mk, 0))[1] + 1)
        launches += 1
    # launches of one pass sharing one make (`go f(errCh)` twice) need a slot each
    return launches > 0 and all(n == 1 or (_decimal(size := sf.text(a.arguments(mk)[1])) and int(size) >= n)
                                for mk, n in sharing.values())


def _slot_per_launch(sf: SourceFile, make: Node, go: Node, scope: Node) -> bool:
    """Whether ``make`` (outside the loop of ``go``) makes a slot for each launch: ``go`` runs
    once per pass of one loop, which runs as often as the capacity says (``make(chan error,
    len(xs))`` or ``n := len(xs)`` with ``make(chan error, n)``, then ``for _, x := range
    xs``; ``make(chan error, n)`` with ``for range n`` or ``for i := 0; i < n; i++``), and
    nothing writes what it counts between them (k6's scheduler, rclone's ListR). Go's types
    decide the count from the text: ``make`` takes an integer size, so ``range n`` counts n
    passes, and ``len(xs)`` compiles only for what ``range xs`` visits element by element."""
    loops = [lp for lp in a.loops_between(go, scope) if not a.is_within(make, lp)]
    if len(loops) != 1 or a.loops_between(make, scope) != a.loops_between(loops[0], scope):
        return False
    if list(a.of_type(loops[0], "go_statement")) != [go]:
        return False  # more than one launch a pass
    size = a.unparen(a.arguments(make)[1])
    if size.type == "identifier":  # `n := len(xs)` just for the make
        values = a.defined_values(sf, sf.text(size), size)
        size = a.unparen(values[0]) if len(values) == 1 else size
    clause = next((c for c in loops[0].named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        return False
    if clause.type == "range_clause":
        counted = clause.child_by_field_name("right")
        passes = {a.flat(sf, counted), f"len({a.flat(sf, counted)})"}
    else:
        c = a.counter(sf, clause)
        if c is None or not c.declared or sf.text(c.start) != "0" or c.op != "<" or c.step != "++":
            return False
        counted, passes = c.bound, {a.flat(sf, c.bound)}
    root = sf.text(counted).split(".")[0].split("(")[-1]
    written = any(
        make.end_byte < x.start_byte < loops[0].start_byte and sf.text(n).split(".")[0].split("[")[0] == root
        for x in a.of_type(scope, "assignment_statement", "inc_statement", "dec_statement", skip_functions=True)
        for n in (x.child_by_field_name("left").named_children if x.type == "assignment_statement" else x.named_children[:1]))
    return a.flat(sf, size) in passes and not written


def _reports_in_band(sf: SourceFile, chan: Node, stmt: Node, facts: PackageFacts | None) -> bool:
    """Whether the channel's elements are a struct with an error field (as the package's
    facts know its fields: ``Response{Msg, Err}``): a stream that reports its failure in
    band, so its close alone reads as success."""
    element = a.channel_element(sf, chan, stmt)
    return element is not None and facts is not None and any(
        s == element and "err" in f.lower() for s, f, _ in facts.fields)


def _why_no_fix(sf: SourceFile, g: g_.Goroutine, stmt: Node, kind: str, chan: Node, sig: a.Cancellation,
                facts: PackageFacts | None) -> str | None:
    """Why a select on the signal could abandon work here, or None when the signal really
    means that nobody will receive (or send) any more: the caller that handed over the
    signal also owns the channel (a parameter or returned channel of the launcher, a field
    of the receiver that holds a field signal)."""
    fns = [x for x in a.ancestors(stmt) if x.type in a.FUNCTION_TYPES]
    as_param = lambda name: any(a.params_declare(sf, fn, name) for fn in fns)  # noqa: E731
    if kind == "send":
        value = stmt.child_by_field_name("value")
        if _mentions_error(sf, value) or _carries_error(sf, value, stmt):
            return (f"the value reports an error, which {sig.name} ending may itself cause: with both cases ready Go "
                    "picks one at random and the error would be lost")
        if sig.kind == "context" and a.outcome_of(sf, value, stmt, sig.name):
            return (f"the value is the whole outcome of a call given {sig.name}, which its end cuts short: with both "
                    "cases ready Go picks one at random and that outcome (its failure included) would be lost")
        if any(k == "send" and _mentions_error(sf, n.child_by_field_name("value"))
               for k, n in _channel_ops(sf, a.body(g.fn), sf.text(chan))):
            return (f"the goroutine also reports its error on {sf.text(chan)}: returning on {sig.name} would end the "
                    "stream without it, as if it had succeeded")
        if a.closed_on_exit(sf, g.fn, sf.text(chan)) and _reports_in_band(sf, chan, stmt, facts) and not any(
                a.waits_on(sf, c.child_by_field_name("communication"), sig)
                for c in a.of_type(g.fn, "communication_case", skip_functions=True)):
            # (with a case of its own on the signal, the goroutine already ends the stream there)
            return (f"the goroutine closes {sf.text(chan)} as it returns, and its elements carry errors: returning on "
                    f"{sig.name} would cut the stream without the error that ends it, and its reader would take the "
                    "close for a clean end")
    name = sf.text(chan)
    if kind == "recv" and _gate(sf, chan):
        return (f"{name} is a gate that is only ever closed: whether {sig.name} can end while it is shut is the "
                "caller's protocol (it may end only after this goroutine has passed), so the new case might never fire")
    operand = sf.text(chan.child_by_field_name("operand")) if chan.type == "selector_expression" else None
    # a consumer may stop on its own inbox field; a producer only on a field signal of the
    # same owner (a subscriber's events with its ctx)
    owned = (chan.type == "identifier" and (as_param(name) or _returned(sf, stmt, name))) or (
        operand is not None and (kind == "recv" or sig.name.split(".")[0] == operand))
    if not owned:
        partner = "receiver" if kind == "send" else "sender"
        return (f"its {partner} is not in view and may be owed this exchange: add the select by hand once {sig.name} "
                f"ending is known to mean the {partner} is gone")
    return None


def _state_guarded(sf: SourceFile, method: Node, stmt: Node, signal: str) -> bool:
    """Whether the send waits behind a state check that closing its signal makes fail: a
    field of the receiver that a method of the same type (in this file) writes before its
    ``close(x.signal)`` (k6's websocket: ``w.readyState = CLOSED`` then ``close(w.done)``)
    and that the sender reads in an ``if`` before its send, itself or in a method of its
    receiver it calls (``w.assertStateOpen()``). The two run in turn (an event loop), so the
    send never follows the close; where they race, the send is not proven to block."""
    typ = a.function_key(sf, method)[1]
    methods = sf.cached("methods-by-key", lambda: {a.function_key(sf, d): d for d in sf.root.named_children
                                                   if d.type == "method_declaration" and a.body(d) is not None})
    written = set()
    for call in a.calls_named(sf, ("close",)):
        closer = a.enclosing(call, "method_declaration")
        r = a.receiver_name(sf, closer) if closer is not None and a.function_key(sf, closer)[1] == typ else None
        if r is None or [sf.text(x) for x in a.arguments(call)] != [f"{r}.{signal}"]:
            continue
        written |= {sf.text(left.child_by_field_name("field"))
                    for st in a.of_type(a.body(closer), "assignment_statement", skip_functions=True) if st.start_byte < call.start_byte
                    for left in st.child_by_field_name("left").named_children
                    if left.type == "selector_expression" and sf.text(left.child_by_field_name("operand")) == r}

    def checks(fn: Node, before: int) -> bool:
        r = a.receiver_name(sf, fn)
        return any(sf.text(x.child_by_field_name("operand")) == r and sf.text(x.child_by_field_name("field")) in written
                   for st in a.of_type(a.body(fn), "if_statement", skip_functions=True) if st.start_byte < before
                   for x in a.of_type(st.child_by_field_name("condition"), "selector_expression"))

    def guarded(fn: Node, before: int) -> bool:
        recv = a.receiver_name(sf, fn)
        return checks(fn, before) or any(
            (mc := a.method_call(sf, call)) is not None and sf.text(mc[0]) == recv
            and (callee := methods.get((mc[1], typ))) is not None and callee != fn and checks(callee, callee.end_byte)
            for call in a.of_type(a.body(fn), "call_expression", skip_functions=True) if call.start_byte < before)

    if not written:
        return False
    if guarded(method, stmt.start_byte):
        return True
    # an unexported helper (sendArrayBuffer) whose every call here comes after its caller's check
    name = sf.text(method.child_by_field_name("name"))
    calls = [c for c in a.calls_named(sf, (name,)) if (mc := a.method_call(sf, c)) is not None
             and a.enclosing(c, "method_declaration") is not None
             and sf.text(mc[0]) == a.receiver_name(sf, a.enclosing(c, "method_declaration"))]
    return name[:1].islower() and bool(calls) and all(
        (caller := a.enclosing(c, "method_declaration")) != method and guarded(caller, c.start_byte) for c in calls)


def _undelivered(sf: SourceFile, g: g_.Goroutine, plain: bool) -> str | None:
    """Why a method that returns results cannot give up its send quietly: its caller must
    learn that the value was not delivered (coredns's Transport.Dial returns an error)."""
    if plain and g.fn.child_by_field_name("result") is not None:
        return (f"{sf.text(g.fn.child_by_field_name('name'))} returns results: its caller must learn that the value "
                "was not delivered, so return an error in that case by hand")
    return None


def _never_fires(v: m.View, stmt: Node, sig: a.Cancellation) -> bool:
    """A ctx parameter that every caller of this file fills with a context nothing cancels
    (the model's stop signals): the finding's premise, a signal that could end the
    goroutine, does not hold. (Callers elsewhere in the module withhold only the fix.)"""
    return not sig.assumed and any(s.name == sig.name and s.origin == "param" and not s.fires for s in m.stop_signals(v, stmt))


def _request_context(v: m.View, stmt: Node) -> a.Cancellation | None:
    """``r.Context()`` of an ``*http.Request`` parameter of a function around ``stmt``, as
    the model's stop signals know it: it ends when the client goes away or the handler
    returns, which is when whoever the request's handler hands the channel to stops too."""
    sig = next((s for s in m.stop_signals(v, stmt) if s.origin == "request"), None)
    return sig.cancellation() if sig is not None else None


# An in-flight value of these types owns a connection or a file: dropped by the new case,
# nobody would close it (element types as written; a Conn or Listener of any package counts)
_CLOSABLE = ("*os.File", "*http.Response", "io.Closer", "io.ReadCloser", "io.WriteCloser", "io.ReadWriteCloser")
_OPENERS = {"os": ("Open", "OpenFile", "Create"), "net": ("Dial", "DialTimeout", "Listen"),
            "net/http": ("Get", "Post", "Head", "PostForm")}
_OPENING_METHODS = ("Accept", "AcceptTCP", "Dial", "DialContext")


def _closable(sf: SourceFile, stmt: Node, kind: str, chan: Node, sig: a.Cancellation) -> str | None:
    """Why a select that returns on the signal would leak the sent value: it is a
    connection, a file or a response (by the channel's element type, or the call that made
    it), which the new case would drop unclosed. Reported, not fixed: closing it in that
    case is for a person, who knows whether the receiver would have owned it."""
    if kind != "send":
        return None
    elem = (_element_type(sf, a.unparen(chan)) or "").replace(" ", "")
    value = a.unparen(stmt.child_by_field_name("value"))
    made = a.defined_value(sf, sf.text(value), value) if value.type == "identifier" else value
    if made is None or made.type != "call_expression":
        opened = False
    else:
        method = a.method_call(sf, made)
        opened = any(a.is_call_to(sf, made, pkg, names) for pkg, names in _OPENERS.items()) or (
            method is not None and method[1] in _OPENING_METHODS)
    if elem in _CLOSABLE or elem.endswith(("Conn", "Listener")) or opened:
        what = elem or sf.text(made.child_by_field_name("function"))
        return (f"the value is a closable resource ({what}): on {sig.done_expr()} the new case would drop it "
                "unclosed and leak it; close it in that case by hand")
    return None


def _made_here(sf: SourceFile, stmt: Node, sig: a.Cancellation) -> bool:
    """The signal is a local of the functions around ``stmt`` (``ctx, cancel :=
    context.WithTimeout(...)`` for a setup step, ``done := make(chan struct{})``), not a
    parameter or a field handed over by whoever owns the partner."""
    return not sig.assumed and "." not in sig.name and not any(
        a.params_declare(sf, fn, sig.name) for fn in a.ancestors(stmt) if fn.type in a.FUNCTION_TYPES)


def _opt_in(sf: SourceFile, stmt: Node, chan: Node) -> bool:
    """A send guarded by ``if ch != nil``: an opt-in observer channel (nil unless a test or
    caller asked for it), whose owner drains every value it asked for."""
    check = f"{sf.text(chan)}!=nil"
    return any(
        check in sf.text(c).replace(" ", "")
        for anc in a.ancestors(stmt) if anc.type == "if_statement"
        for c in [anc.child_by_field_name("condition")] if c is not None
    )


def _awaited_by_a_method(sf: SourceFile, g: g_.Goroutine, stmt: Node, chan: Node) -> bool:
    """A send on a field of the method's receiver (``b.srvErrCh <- server.Serve(l)`` in a
    goroutine ``Run`` starts; or on a parameter every call of the goroutine's method fills
    with such a field: ``go it.query(n, it.replyCh)``) that another method of the same type
    in this file receives from
    - outside any select (``Cleanup`` doing ``require.NoError(t, <-b.srvErrCh)``, ``Stop``
      ranging over it): the value is the goroutine's result, which the type's stop method
      waits for;
    - or in a select whose other cases (one at least on a stop signal) each stay in the
      receive loop or receive from the field again (a drain, directly or through the type's
      methods, in the case or in the method's defers): the receiver never abandons its
      senders on cancellation; it is owed every value."""
    found = _receiver_field(sf, g, stmt, chan)
    if found is None:
        return False
    field, typ, method = found
    for other in sf.root.named_children:
        if other.type != "method_declaration" or other == method or (k := a.function_key(sf, other)) is None or k[1] != typ:
            continue
        recv = a.receiver_name(sf, other)
        # closures count: a stop method often waits inside `once.Do(func() { ... })`
        for n in _field_receives(sf, a.body(other), recv, field):
            case = next((c for c in a.ancestors(n) if c.type == "communication_case"), None)
            if case is None:
                return True
            if a.is_within(n, case.child_by_field_name("communication")) and _keeps_receiving(sf, other, case, field):
                return True
    return False


def _receiver_field(sf: SourceFile, g: g_.Goroutine, stmt: Node, chan: Node) -> tuple[str, str, Node] | None:
    """(field, receiver type, method) when ``chan`` is ``x.field`` for the receiver ``x`` of
    the method around ``stmt``, or a parameter of the goroutine's method that every call of
    it in this file (on a value of its type) fills with a field of that same value: ``go
    it.query(n, it.replyCh)``."""
    method = next((f for f in a.ancestors(stmt) if f.type == "method_declaration"), None)
    key = a.function_key(sf, method) if method is not None else None
    if key is None:
        return None
    if chan.type == "selector_expression":
        operand = chan.child_by_field_name("operand")
        ok = sf.text(operand) == a.receiver_name(sf, method)
        return (sf.text(chan.child_by_field_name("field")), key[1], method) if ok else None
    if chan.type != "identifier" or g.fn != method or not a.params_declare(sf, method, sf.text(chan)):
        return None
    fields = set()
    for _, call, arg in a.passed_for(sf, method, sf.text(chan), [sf]) or []:
        operand = call.child_by_field_name("function").child_by_field_name("operand")
        typ = g_.operand_type(sf, operand)
        if typ is not None and typ != key[1]:
            continue  # another type's method of that name
        if typ is None or arg is None or arg.type != "selector_expression" \
                or sf.text(arg.child_by_field_name("operand")) != sf.text(operand):
            return None
        fields.add(sf.text(arg.child_by_field_name("field")))
    return (fields.pop(), key[1], method) if len(fields) == 1 else None


def _field_receives(sf: SourceFile, root: Node | None, recv: str | None, field: str) -> Iterator[Node]:
    """The receives (``<-x.field``) and ranges over ``x.field`` below ``root``, ``x`` being
    ``recv``; closures included."""
    for n in a.of_type(root, "unary_expression", "range_clause") if root is not None and recv else ():
        x = n.child_by_field_name("operand") if a.is_receive(sf, n) else n.child_by_field_name("right") if n.type == "range_clause" else None
        x = a.unparen(x) if x is not None else None
        if x is not None and x.type == "selector_expression" and sf.text(x.child_by_field_name("field")) == field \
                and sf.text(x.child_by_field_name("operand")) == recv:
            yield n


def _keeps_receiving(sf: SourceFile, method: Node, case: Node, field: str) -> bool:
    """Whether the select of ``case`` (a receive from ``x.field`` in ``method``) never
    abandons the channel on cancellation: one of its other cases at least waits on a stop
    signal, and each of them stays in the receive loop (runnableGroup.Start's ``case
    <-ctx.Done():`` that keeps waiting) or receives from the field again (in its body, or in
    the method's defers, which run on any way out; directly or through the type's methods:
    advance's ``case <-it.cancelCh: it.shutdown()``, dispatch's ``defer c.drainRead()``)."""
    select = case.parent
    recv = a.receiver_name(sf, method)
    loop = a.enclosing(select, "for_statement", stop_at=a.FUNCTION_TYPES)
    defers = a.of_type(a.body(method), "defer_statement", skip_functions=True)
    drained_on_exit = any(_drains(sf, d, recv, field, method) for d in defers)
    signal = False
    for c in select.named_children:
        if c == case or c.type not in ("communication_case", "default_case"):
            continue
        comm = c.child_by_field_name("communication")
        if comm is not None and next(_field_receives(sf, comm, recv, field), None) is not None:
            continue  # another receive from the channel
        signal = signal or (comm is not None and g_.watches_any_signal(sf, comm))
        if not (drained_on_exit or _drains(sf, c, recv, field, method) or (loop is not None and _stays(sf, loop, c))):
            return False
    return signal or _until_closed(sf, method, loop, case)


def _until_closed(sf: SourceFile, method: Node, loop: Node | None, case: Node) -> bool:
    """Whether the receive of ``case`` (``v, ok := <-x.field``), whose select's other cases
    stay in ``loop``, leaves ``loop`` only once the channel is closed, and ``method`` has no
    other way out: every ``return`` of the method is under ``if !ok`` (or ``if ok``'s
    else) of that receive (go-zero's queue consumers, which quit when the producers' channel
    is closed, after the last producer has returned). While the channel is open it is read,
    so no send on it is stranded."""
    comm = case.child_by_field_name("communication")
    left = comm.child_by_field_name("left") if comm is not None and comm.type == "receive_statement" else None
    names = [sf.text(n) for n in left.named_children] if left is not None else []
    if loop is None or a.loop_kind(sf, loop) != "endless" or len(names) != 2 or names[1] == "_":
        return False
    ok = names[1]

    def when_closed(n: Node) -> bool:
        for branch in a.ancestors(n):
            if branch == case:
                return False
            if branch.parent is not None and branch.parent.type == "if_statement" and branch.type == "block":
                cond = a.unparen(branch.parent.child_by_field_name("condition"))
                taken = branch == branch.parent.child_by_field_name("consequence")
                if (taken and sf.text(cond).replace(" ", "") == f"!{ok}") or (not taken and sf.text(cond) == ok):
                    return True
        return False

    returns = list(a.of_type(a.body(method), "return_statement", skip_functions=True))
    return bool(returns) and all(a.is_within(r, case) and when_closed(r) for r in returns) \
        and _stays(sf, loop, case, unless=when_closed)


def _drains(sf: SourceFile, node: Node, recv: str | None, field: str, method: Node, depth: int = 3) -> bool:
    """Whether ``node`` receives from ``recv.field``, itself or through the methods of the
    same type it calls on ``recv`` (a few calls deep)."""
    if next(_field_receives(sf, node, recv, field), None) is not None:
        return True
    typ = a.function_key(sf, method)[1]
    for call in a.of_type(node, "call_expression") if depth > 0 else ():
        mc = a.method_call(sf, call)
        if mc is None or sf.text(mc[0]) != recv:
            continue
        for d in sf.root.named_children:
            if d.type == "method_declaration" and d != method and a.function_key(sf, d) == (mc[1], typ) \
                    and _drains(sf, a.body(d), a.receiver_name(sf, d), field, d, depth - 1):
                return True
    return False


def _stays(sf: SourceFile, loop: Node, case: Node, unless: Callable[[Node], bool] = lambda _: False) -> bool:
    """Whether, after ``case`` runs, ``loop`` goes round again: the case neither returns nor
    jumps out (an unlabeled break leaves only the select; a way out for which ``unless``
    holds is allowed), nothing after the select in the loop's body may leave it, and the
    loop's condition reads nothing the case writes (nor calls anything, when the case calls
    something)."""
    breaks = a.loop_breaks(loop)

    def leaves(nodes: list[Node]) -> bool:
        return any(
            (y.type in ("return_statement", "goto_statement") or y in breaks
            or (y.type == "continue_statement" and y.named_children)
            or (y.type == "expression_statement" and a.never_returns(sf, y))) and not unless(y)
            for x in nodes
            for y in a.of_type(x, "return_statement", "goto_statement", "break_statement", "continue_statement",
                               "expression_statement", skip_functions=True)
        )

    if leaves(a.statements(case)):
        return False
    node = case.parent
    while node != loop:
        if node.parent is not None and node.parent.type == "statement_list" and leaves(a.following(node)):
            return False
        node = node.parent
    # what is checked each round: a bare condition, or a for clause's condition and update
    clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
    header = [c for c in (clause.child_by_field_name("condition"), clause.child_by_field_name("update")) if c is not None] \
        if clause is not None else [c for c in loop.named_children if c.type not in ("block", "comment", "range_clause")]
    body = a.statements(case)
    written = {sf.text(n) for x in body for st in a.of_type(x, "assignment_statement", "inc_statement", "dec_statement", skip_functions=True)
               for n in (st.child_by_field_name("left").named_children if st.type == "assignment_statement" else st.named_children)}
    read = {sf.text(n) for h in header for n in a.of_type(h, "identifier", "selector_expression")}
    calls = any(True for h in header for _ in a.of_type(h, "call_expression"))
    return not (written & read) and not (calls and any(True for x in body for _ in a.of_type(x, "call_expression", skip_functions=True)))


def _gate(sf: SourceFile, chan: Node) -> bool:
    """A field channel (``m.block``) that this file closes and never sends on: receiving
    from it waits for another method (``Run``) to open the gate."""
    return bool(_gate_closes(sf, chan))


def _gate_closes(sf: SourceFile, chan: Node) -> list[Node]:
    """The ``close(m.block)`` calls of this file when ``chan`` is a gate (above), else none."""
    if chan.type != "selector_expression":
        return []
    field = sf.text(chan.child_by_field_name("field"))
    on_field = lambda n: (c := a.unparen(n)).type == "selector_expression" and sf.text(c.child_by_field_name("field")) == field  # noqa: E731
    if any(on_field(s.child_by_field_name("channel")) for s in a.of_type(sf.root, "send_statement")):
        return []
    return [c for c in a.of_type(sf.root, "call_expression")
            if sf.text(c.child_by_field_name("function")) == "close" and (args := a.arguments(c)) and on_field(args[0])]


def _opened_on_exit(sf: SourceFile, chan: Node) -> bool:
    """A gate whose every close is deferred (``defer close(ar.waitCh)`` in ``Run``): it opens
    whenever that function ends, so its "sender" cannot be gone with the gate still shut.
    The receive waits for that function's end, which is the protocol, not a leak."""
    closes = _gate_closes(sf, chan)
    return bool(closes) and all(c.parent is not None and c.parent.type == "defer_statement" for c in closes)


def _mentions_error(sf: SourceFile, value: Node | None) -> bool:
    return value is not None and "err" in sf.text(value).lower()


def _carries_error(sf: SourceFile, value: Node | None, stmt: Node) -> bool:
    """Whether the sent value is a local (``result``, ``&result``) whose error field its
    function fills (``result.Err = handle(err, ctx)``): nomad's WaitTask result carries the
    error its caller reads after cancelling."""
    fn = a.enclosing_function(stmt)
    names = {sf.text(x) for x in a.of_type(value, "identifier")} if value is not None else set()
    for st in a.of_type(a.body(fn), "assignment_statement") if names and fn is not None else ():
        for left in st.child_by_field_name("left").named_children:
            operand = left.child_by_field_name("operand") if left.type == "selector_expression" else None
            if operand is not None and sf.text(operand) in names and (
                    _mentions_error(sf, left.child_by_field_name("field")) or _mentions_error(sf, st.child_by_field_name("right"))):
                return True
    return False


def _returned(sf: SourceFile, stmt: Node, name: str) -> bool:
    """A local channel that a function around ``stmt`` returns to its caller."""
    return any(
        any(sf.text(x) == name for x in r.named_children[0].named_children) if r.named_children else False
        for fn in (x for x in a.ancestors(stmt) if x.type in a.FUNCTION_TYPES)
        for r in a.of_type(a.body(fn), "return_statement", skip_functions=True)
    )


def _receive_fix(sf: SourceFile, stmt: Node, sig: a.Cancellation, comment: str,
                 body: tuple[str, ...]) -> tuple[bytes | None, str | None]:
    """The replacement for a receive statement, whose case on the signal runs ``body``, or
    (None, why not)."""
    indent = sf.indent_at(stmt.start_byte)
    right = stmt.child_by_field_name("right")
    if stmt.type != "short_var_declaration":
        comm = sf.text(stmt) if stmt.type == "assignment_statement" else sf.text(stmt.named_children[0])
        return g_.select_over(sf, comm, sig, indent, comment, body), None
    recv = a.unparen(right.named_children[0])
    names = stmt.child_by_field_name("left").named_children
    elem = _element_type(sf, a.unparen(recv.child_by_field_name("operand")))
    if elem is None:
        return None, "the channel's element type is not declared in this file: declare the variable before a select by hand"
    lst = stmt.parent
    earlier = lst.named_children[: lst.named_children.index(stmt)]
    fn = a.enclosing_function(stmt)
    for n in names:
        name = sf.text(n)
        if any(a.declares(sf, s, name) for s in earlier) or (lst.parent == a.body(fn) and a.params_declare(sf, fn, name)):
            return None, f"{name} is redeclared by `:=`: rewrite it into a select by hand"
    types = [elem, "bool"]
    decls = b"".join(
        f"var {sf.text(n)} {types[i]}".encode() + sf.newline + indent
        for i, n in enumerate(names) if sf.text(n) != "_"
    )
    comm = ", ".join(sf.text(n) for n in names) + " = " + sf.text(recv)
    return decls + g_.select_over(sf, comm, sig, indent, comment, body), None


def _sites(p: Pass, v: m.View) -> Iterator[tuple[g_.Goroutine, Node, a.Cancellation | None, bool]]:
    """(goroutine, statement, the signal its loop leaves on, plain): every statement of
    every goroutine (signal None: asked per statement), then the sends in a loop that leaves
    on a signal, in a function the model does not see started (a listener run by a service
    framework): the loop's own exit says the function runs until that signal; then
    (plain) the other sends of the file's methods, which block their caller, whatever
    goroutine it is (a request's): only a receiver that stops on a signal makes them
    findings (_receiver_stops)."""
    sf = v.sf
    seen = set()
    for g in g_.goroutines(sf, v):
        seen.add(g.fn)
        for stmt in a.walk(a.body(g.fn), skip_functions=True):
            yield g, stmt, None, False
    for fn in sf.root.named_children:
        if fn.type not in ("function_declaration", "method_declaration") or fn in seen or a.body(fn) is None:
            continue
        looped = set()
        for loop, sig in _signal_loops(sf, fn):
            for stmt in a.of_type(loop.child_by_field_name("body"), "send_statement", skip_functions=True):
                if a.enclosing(stmt, "for_statement") == loop:
                    looped.add(stmt.id)
                    yield g_.Goroutine(fn, None), stmt, sig, False
        for stmt in a.of_type(a.body(fn), "send_statement", skip_functions=True) if fn.type == "method_declaration" else ():
            if stmt.id not in looped:
                yield g_.Goroutine(fn, None), stmt, None, True


def _receiver_stops(v: m.View, stmt: Node, chan: Node) -> tuple[a.Cancellation, str] | None:
    """For a send on ``x.f``, ``x`` the receiver of the method around it: the signal ``x.S``
    and who receives, when every function of the package (its tests aside) that receives
    from ``f`` is a method of the same type doing so only in select loops that leave once
    its ``S`` fires (Transport.connManager's ``case <-t.stop: ...; return``; no buffer for
    ``f`` anywhere), ``x``'s type has that field, it is a context or a channel the package
    closes and never sends on (a broadcast that stays fired), and no state check the
    closing sets guards the send (_state_guarded). Once it has fired, nothing takes the
    value: the send blocks for good, and a case on the same signal ends it."""
    sf = v.sf
    method = a.enclosing(stmt, "method_declaration")
    recv = a.receiver_name(sf, method) if method is not None else None
    if v.index is None or recv is None or chan.type != "selector_expression" or sf.text(chan.child_by_field_name("operand")) != recv:
        return None
    typ = a.function_key(sf, method)[1]
    found = v.index.receivers_leave_on(v.package, typ, sf.text(chan.child_by_field_name("field")))
    struct = v.index.struct(v.package, typ) if found is not None else None
    if struct is None:
        return None
    signal, receivers = found
    field = signal.removesuffix(".Done()")
    kind = next((f.kind for f in struct.fields if f.name == field), None)
    if _state_guarded(sf, method, stmt, field):
        return None
    if signal != field:
        sig = a.Cancellation(f"{recv}.{field}", "context") if kind == "context" else None
    else:
        use = v.index.field_use(v.package, field, tests=False)
        sig = a.Cancellation(f"{recv}.{field}", "channel") if kind in ("done", "chan") and use.closes and not use.sends else None
    return (sig, f"{' and '.join(receivers)} stop{'s' if len(receivers) == 1 else ''} receiving from it once "
            f"{sig.done_expr()} fires") if sig is not None else None


def _signal_loops(sf: SourceFile, fn: Node) -> Iterator[tuple[Node, a.Cancellation]]:
    """The endless loops of ``fn`` with a select case that receives a signal in scope and
    returns (``case <-ctx.Done(): return nil``), with that signal."""
    for loop in a.of_type(a.body(fn), "for_statement", skip_functions=True):
        if a.loop_kind(sf, loop) != "endless":
            continue
        signals = {c.done_expr(): c for c in a.cancellation_in_scope(sf, loop) if not a.never_cancelled(sf, c, loop)}
        for case in a.of_type(loop.child_by_field_name("body"), "communication_case", skip_functions=True):
            comm = case.child_by_field_name("communication")
            body = a.statements(case)
            sig = signals.get(sf.text(comm).replace(" ", "").removeprefix("<-")) if comm is not None else None
            if sig is not None and body and body[-1].type == "return_statement" and a.enclosing(case, "for_statement") == loop:
                yield loop, sig
                break


def run(p: Pass) -> None:
    sf = p.file
    v = m.view(p)
    once: dict[int, bool] = {}
    for g, stmt, loop_sig, plain in _sites(p, v):
        if stmt.parent is None or stmt.parent.type != "statement_list":
            continue
        if loop_sig is None and not plain and once.setdefault(g.fn.id, m.runs_once(v, g.fn)):
            continue  # one goroutine for the program's life: it cannot pile up
        op = _operation(sf, stmt)
        if op is None:
            continue
        kind, chan = op
        sig = loop_sig or (None if plain else g_.signal(sf, g, stmt, p.assumed_contexts, p.package, other_files=False))
        request = _request_context(v, stmt) if not plain and (sig is None or sig.assumed) else None
        sig = request or sig  # a handler's request beats a ctx plumbing would add
        stops = _receiver_stops(v, stmt, chan) if sig is None and kind == "send" else None
        if stops is not None:
            sig = stops[0]
        if sig is None or (kind == "recv" and _waits_on_a_signal(sf, chan, sig)) or _never_fires(v, stmt, sig):
            continue
        if kind == "send" and abandoned_result_send(v, stmt):
            continue  # early-return-send's: a buffer at the make fixes it
        if _exchange_in_view(sf, g, stmt, kind, chan, v) or _after_cancellation(sf, g, stmt, sig):
            continue
        if _cancelled_here(sf, stmt, sig) or (kind == "recv" and (
                _closed_on_cancel(sf, chan, sig) or a.signal_notified(sf, sf.text(chan)) or _opened_on_exit(sf, chan))):
            continue
        if _made_here(sf, stmt, sig):
            continue  # a step's own deadline or done channel: its end says nothing of the partner
        if kind == "send" and (_opt_in(sf, stmt, chan) or _awaited_by_a_method(sf, g, stmt, chan) or m.drained_by_callers(v, stmt)):
            continue
        ch = sf.text(chan)
        what = f"send on {ch}" if kind == "send" else f"receive from {ch}"
        partner = "receiver" if kind == "send" else "sender"
        if stops is not None:
            message = f"this {what} blocks forever once its receiver is gone: {stops[1]}, which could end this wait too"
        else:
            ends = f"its loop leaves on {sig.done_expr()}" if loop_sig else f"{sig.name} could end the goroutine"
            message = f"this {what} blocks forever once its {partner} is gone, although {ends}"
        unowned = _why_no_fix(sf, g, stmt, kind, chan, sig, p.package)
        if request is not None and unowned is not None:
            continue  # work handed elsewhere may be meant to outlive the request (an async notification)
        why = g_.message_note(sf, sig, p.package) or unowned or _closable(sf, stmt, kind, chan, sig) \
            or _undelivered(sf, g, plain) or g_.return_blocker(sf, g, stmt, sig) or m.never_fires(v, stmt, sig)
        # the function's own case on the signal says what ending there means (serf's
        # coalescer flushes what it holds first)
        body, at = g_.own_signal_case(sf, a.enclosing_function(stmt), stmt, sig, chan) if why is None else (("return",), None)
        if isinstance(body, str):
            why, body = body, ("return",)
        if why is None and not g_.own_line(sf, stmt):
            why = "the statement shares its line: rewrite it into a select by hand"
        new = None
        comment = g_.trailing_comment(sf, stmt)
        if why is None:
            if kind == "send":
                new = g_.select_over(sf, sf.text(stmt), sig, sf.indent_at(stmt.start_byte), comment.text if comment else "", body)
            else:
                new, why = _receive_fix(sf, stmt, sig, comment.text if comment else "", body)
        if new is None:
            p.report(stmt, message, notes=[why])
            continue
        end = comment.end_byte if comment is not None else stmt.end_byte
        how = f"wait in a select that also returns on <-{sig.done_expr()}" if at is None else (
            f"wait in a select that also watches <-{sig.done_expr()} and does there what its own case on it at "
            f"line {at} does ({'; '.join(body)})")
        fix = Fix(how, (TextEdit(stmt.start_byte, end, new),))
        p.report(stmt, message, [fix])


RULE = Rule(
    name="send-without-cancel",
    summary="a goroutine blocks on a bare send/receive while a ctx is in scope -> select on ctx.Done()",
    doc=DOC,
    run=run,
    triggers=(b"<-",),
    severity="warning",
    example="basic",
    needs_package=True,
    plumbable=True,
    reports_unplumbed=False,
    request_context=True,
    exchange=True,
)
