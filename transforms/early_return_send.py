"""early-return-send: goroutines send on an unbuffered channel whose receiver can stop first."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import SAFE, Fix, TextEdit
from gofixleaks.rule import Pass, Rule

from ._chan import result_channel

DOC = """\
## What it finds
A local unbuffered channel, `ch := make(chan T)` (or `make(chan T, 0)`), that goroutines
started in the same function send on and that the function receives from, where the
receiver can stop listening before every send is received: it `select`s on another case
(a timeout, `ctx.Done()`, a default), it returns before or between its receives or from
inside its receive loop, it breaks out of that loop, or it receives once from several
senders (first result wins).

The goroutines are the ones the package model sees started: `go func(){...}()`, literals
handed to `wg.Go`, errgroup's `g.Go` or a launcher (a function of the module that runs its
func argument with `go`, or one named in the `launchers` config key), and `go f(ch)`. A
send may sit one call below the goroutine: in a closure of the function that only the
goroutines call (`reply := func(v T) { ch <- v }`), or in a function of the package the
goroutine hands the channel to (`go func() { check(x, errc) }()`), as the model follows it.

The receiver may also be a helper the function hands the channel to instead of receiving
itself (minio's HealHandler, `keepConnLive(w, r, respCh)`): a func literal bound once to a
local and only ever called, or the one declaration of that name in this file, that only
receives from it in select cases, where another case of such a select returns (`case
<-r.Context().Done(): return`; a case on a context, a timer, a field or a default, not
on a plain local or parameter, which the sender may close only once its send was taken).
Once it has left, nobody receives. Followed only when the
function makes that one call (in no loop) and does nothing else with the channel but
start its senders.

## Why it leaks
A send on an unbuffered channel blocks until someone receives. Once the receiver has
returned nobody ever will, so each sender that is still to send blocks forever, with
everything it references, for every call of the function.

## When it is not reported
- the channel is buffered, returned or stored, or passed to a function that does more
  than send on it (receives, hands it to a goroutine of its own, or cannot be followed):
  other code may receive from it; a helper the function itself hands it to counts as its
  receiver only as above (a helper that receives outside a select, whose other cases go
  round again, that hands it on, or that is declared in another file is not read, nor is
  one whose only way out fails the test);
- it is only handed to helpers and awaited by one `select` that can give up:
  `abandoned-reply` reports that;
- it is only closed, never sent on (a signal, not a result);
- every send is a case of a `select` that can take a cancellation case or a default;
- the function receives every send before any way out, including after a select whose
  other case (a timeout that only logs) goes on to a later receive. Counted: goroutines
  started in `for ... range []T{a, b}` (as many as listed), and a send in a loop under
  `if i == e`, `i` the loop's counter (`for i := 0; ...; i++`, `for i := range n`) and `e`
  arithmetic on locals that nothing else writes: it runs in one iteration at most. A
  labeled `break` that leaves only an inner loop of a `for v := range ch` is no way out;
- the receiver leaves only once the sender is done: it takes a signal (`case <-done:`, or a
  return after `<-errc`) from another local channel that the one goroutine sending (started
  once, with no deferred send) sends on or closes only as its last action before returning,
  or in a deferred close (`defer close(done)`), in its literal or in the function of this
  file it is started with (`go reader(conn, messages, errc)`). An unbuffered send before it
  has been received by then, and none comes after. Likewise, whatever the number of sends,
  when the function waits for that signal in a statement of its own body (`<-done` after
  its receives) with no return before it: a send left unreceived would hang the function
  itself, which its caller or test sees, instead of stranding the sender behind its back;
- in test code (a `_test.go` file, or a function that takes a `*testing.T`, `*testing.B`
  or `testing.TB`, as an integration suite's steps in plain `.go` files do), the receiver
  stops listening only once the test has failed: the select's other case fails it
  (`t.Fatal`, `t.Errorf`, `s.T().Fatal`, `require.Fail`, `assert.Fail`, Ginkgo's `Fail`),
  the return or break follows a call that fails it in its block (`t.Errorf(...); return`)
  or runs only when a testify assert was false (`if !assert.NoError(t, err) { return }`),
  or the one receive is a select case that fails it (`case err := <-errc: t.Errorf(...)`),
  so a passing run leaves by the other cases. Also when the channel carries only the
  test's failures from a reader that ends quietly with its stream: every receive is a
  select case that fails the test, and every send follows the reader's own check that
  returns on the end of the stream (`if err == io.EOF || strings.Contains(err.Error(),
  "closed") { return }`, `net.ErrClosed`): a passing run's deferred `Close` ends the
  reader without a send. A sender left blocked in a failed run is not
  a leak anyone fixes: the failure is. Unless the package's tests check for leaked
  goroutines (goleak, grpc's leakcheck or `grpctest.Tester`, etcd's testutil leak
  detection): then the stranded sender fails that check too, and the tests after it, and
  projects fix it (etcd's watch tests, grpc's rls tests); those are reported, and there a
  failed assertion that ends the test's goroutine (`t.Fatal`, `t.FailNow`, testify's
  `require`) is a way out like a return (etcd's multi-watcher test: a failed put leaves
  every watcher with its report still to send);
- in package main, the receiving function runs once per program: it is `main`, or its one
  use is a call (or `go`, `g.Go`) in no loop by a function that runs once (`if err :=
  run(); err != nil { log.Fatal(err) }`). What it leaves blocked was started by its one
  run: it cannot pile up, and lives no longer than the program (a server's `main` waiting
  for its error or for SIGTERM).
Such a send whose receiver is in scope is reported here and not by `send-without-cancel`.

## The fix
Give the channel a buffer with room for every send, so each sender finishes whether or not
anyone is listening: capacity 1 for one goroutine that sends once, `len(xs)` for goroutines
started in `for ... range xs` (xs a slice, map or array as written: a parameter's type, a
literal, a `make`, `append` or a standard function returning a slice, `slices.Collect` or
`strings.Fields`: controller-runtime's delegating cache), `max(n, 0)` for `for i := 0; i < n; i++` (make panics on a
negative size; plain `n` before Go 1.21), and the sum for several `go` statements. The finding comes without a fix when the number of sends cannot be read
from the code (a send in a loop, goroutines started in a loop of unknown length), and when a
sender does more than return after its send, or after the call that sends (a callee of
another file is not read, so the finding then comes without a fix): with a buffer that
code would run even after the receiver has given up, which is a change of behaviour for a
person to judge. A send one call below counts once per call when the callee sends at most
once; more makes the count unknown.
Applicability: `safe` (a buffer only removes blocking).
"""


def run(p: Pass) -> None:
    v = m.view(p)
    for make in m.channel_makes(p.file):
        rc = result_channel(v, make)
        if rc is None or rc.why is None or m.runs_once(v, rc.binding.function):
            continue
        name = rc.binding.name
        message = f"goroutines sending on unbuffered channel {name} block forever once its receiver {rc.why}"
        if rc.capacity is None:
            p.report(make, message, notes=["the number of sends is unknown (a send in a loop, or goroutines started in a loop of unknown length): buffer it for every send, or let the senders select on cancellation"])
            continue
        if rc.no_fix is not None:
            p.report(make, message, notes=[rc.no_fix])
            continue
        args = a.arguments(make)
        if len(args) == 2:  # make(chan T, 0)
            edit = TextEdit(args[1].start_byte, args[1].end_byte, rc.capacity.encode())
        else:
            edit = TextEdit(args[0].end_byte, args[0].end_byte, f", {rc.capacity}".encode())
        p.report(make, message, [Fix(f"buffer {name} with capacity {rc.capacity} so every sender can finish", (edit,), applicability=SAFE)])


RULE = Rule(
    name="early-return-send",
    summary="goroutines send on an unbuffered channel whose receiver can return first -> buffer it for every send",
    doc=DOC,
    run=run,
    triggers=(b"make(chan",),
    needs_package=True,
)
