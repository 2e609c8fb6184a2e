"""ticker-not-stopped: a local time.NewTicker that is never stopped."""

from __future__ import annotations

from gofixleaks.rule import Rule

from ._stoppable import check_stoppable

DOC = """\
## What it finds
A ticker made with `time.NewTicker` (under any import name of "time") and kept in a local
variable that is not stopped on every path out of the function that owns it, and that is
not returned, stored in a field, global, map or slice, or passed to another function
(those hand the duty to stop it to someone else).

## Why it leaks
Before Go 1.23 a ticker that is never stopped is never garbage collected: the runtime
keeps its timer alive and keeps sending on `t.C`, so every call of the function leaks one
ticker for the life of the process.

## When it is not reported
- the module's go.mod says `go 1.23` or later (the runtime now collects unreferenced
  tickers);
- the ticker is stopped on every path, returned, stored or passed on;
- a closure that may outlive the function captures it (that closure owns it now); a
  deferred closure that stops it counts as a stop;
- a goroutine that ranges over `t.C` forever is `loop-without-exit`'s business.
A ticker made inside a loop is reported without a fix (a `defer` there would pile up), and
so is one that both the function and a goroutine use (stopping it when the function
returns could starve the goroutine).

## The fix
`defer t.Stop()` right after the assignment; when only one goroutine uses the ticker, the
`defer` goes first thing inside that goroutine, which is the ticker's real owner.
When that goroutine stops it on every path but is started only on some (a return before
the `go`, in the function or in an outer goroutine that starts it: syncthing's walker), the
fix is `t.Stop()` on each path that leaves before the `go`; a `defer` there would stop the
ticker under the goroutine that still uses it.
"""


RULE = Rule(
    name="ticker-not-stopped",
    summary="a local time.NewTicker is never stopped -> defer t.Stop()",
    doc=DOC,
    run=lambda p: check_stoppable(p, "NewTicker", "ticker", "before Go 1.23 an unstopped ticker is never garbage collected"),
    triggers=(b"NewTicker",),
    fixed_in_go=(1, 23),
    needs_package=True,  # helpers that only Reset a ticker borrow it
)
