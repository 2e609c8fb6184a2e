"""timer-not-stopped: a local time.NewTimer that is neither stopped nor fired on every path."""

from __future__ import annotations

from gofixleaks.rule import Pass, Rule

from ._stoppable import check_stoppable

DOC = """\
## What it finds
A timer made with `time.NewTimer` (under any import name of "time") and kept in a local
variable that is not stopped on every path out of the function that owns it, and that is
not returned, stored in a field, global, map or slice, or passed to another function.
A timer stopped in one branch only is reported too.

## Why it leaks
Before Go 1.23 a timer that is not stopped stays in the runtime's timer heap, with its
channel and everything it references, until it fires: a function that returns early
(the usual `select` between a result and a timeout) leaves one live timer behind per call
for the whole timeout, and a busy server piles them up.

## When it is not reported
- the module's go.mod says `go 1.23` or later (the runtime now collects unreferenced
  timers);
- test files (`_test.go`): a test binary is short-lived, its timers die with it;
- the timer is stopped before every return (or at the end), returned, stored or passed on;
- the timer has fired on every path: a plain `<-t.C`, or a `select` whose every case
  either receives from `t.C` or stops `t` first;
- `time.AfterFunc`: stopping it would cancel the function it runs, which changes behaviour.
- a closure that may outlive the function captures it (that closure owns it now); a
  deferred closure that stops it counts as a stop.
A timer made inside a loop is reported without a fix (a `defer` there would pile up), and
so is one that both the function and a goroutine use (stopping it when the function
returns could starve the goroutine).

## The fix
`defer t.Stop()` right after the assignment; when only one goroutine uses the timer, the
`defer` goes first thing inside that goroutine, which is the timer's real owner.
When that goroutine stops it on every path but is started only on some (a return before
the `go`, in the function or in an outer goroutine that starts it: syncthing's walker), the
fix is `t.Stop()` on each path that leaves before the `go`; a `defer` there would stop the
timer under the goroutine that still uses it. Stopping
a timer twice, or after it fired, is harmless.
"""

WHY = "before Go 1.23 it stays in the runtime, with what it references, until it fires"


def run(p: Pass) -> None:
    check_stoppable(p, "NewTimer", "timer", WHY, fires=True)


RULE = Rule(
    name="timer-not-stopped",
    summary="a local time.NewTimer is not stopped on every path -> defer t.Stop()",
    doc=DOC,
    run=run,
    triggers=(b"NewTimer",),
    fixed_in_go=(1, 23),
    skips_tests=True,
    needs_package=True,  # helpers that only Reset a timer borrow it
)
