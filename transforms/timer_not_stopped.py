"""timer-not-stopped: a local time.NewTimer that is neither stopped nor fired on every path."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from ._stoppable import check_stoppable, is_stop, receives_from

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
`defer` goes first thing inside that goroutine, which is the timer's real owner. Stopping
a timer twice, or after it fired, is harmless.
"""

WHY = "before Go 1.23 it stays in the runtime, with what it references, until it fires"


def fired(sf: SourceFile, use: a.Use) -> bool:
    """``use`` is a receive from ``t.C`` that completes on every path through it: a plain
    receive statement, or the case of a select that settles the timer in every case."""
    if use.kind != "field" or use.detail != "C":
        return False
    recv = use.ident.parent.parent
    if not a.is_receive(sf, recv):
        return False
    holder = recv.parent
    if holder.type == "expression_statement":
        return True
    if holder.type == "expression_list" and holder.parent.type in ("short_var_declaration", "assignment_statement"):
        return holder == holder.parent.child_by_field_name("right")
    if holder.type == "receive_statement" and holder.parent.type == "communication_case":
        name = sf.text(use.ident)
        select = holder.parent.parent
        cases = [c for c in select.named_children if c.type in ("communication_case", "default_case")]
        return all(_settles(sf, case, name) for case in cases)
    return False


def _settles(sf: SourceFile, case, name: str) -> bool:
    """The select case receives from ``name.C``, or its body stops ``name`` on every path."""
    if receives_from(sf, case, name):
        return True
    for stmt in a.statements(case):
        for call in a.of_type(stmt, "call_expression", skip_functions=True):
            m = a.method_call(sf, call)
            if (
                m is not None
                and m[1] == "Stop"
                and sf.text(m[0]) == name
                and a.statement_of(call) == stmt
                and a.runs_on_every_path(sf, stmt, None)
            ):
                return True
    return False


def run(p: Pass) -> None:
    check_stoppable(p, "NewTimer", "timer", WHY, lambda use: is_stop(use) or fired(p.file, use), fires=True)


RULE = Rule(
    name="timer-not-stopped",
    summary="a local time.NewTimer is not stopped on every path -> defer t.Stop()",
    doc=DOC,
    run=run,
    triggers=(b"NewTimer",),
    fixed_in_go=(1, 23),
    skips_tests=True,
)
