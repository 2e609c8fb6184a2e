"""time-after-in-loop: `case <-time.After(d):` in a select that a loop runs again and again."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from ._timers import one_timer, piles_up, select_of, top_level

DOC = """\
## What it finds
`<-time.After(d)` or `<-time.NewTimer(d).C` (under any import name of "time") as a case
of a `select` that runs inside a loop of the same function, however deeply nested (loop ->
if -> select). The timer made in place is never stopped: both are the same leak.

## Why it leaks
Every pass through the select makes a new timer. Before Go 1.23 a timer stays in the
runtime, with its channel, until it fires, even when another case won long ago: a loop
that handles many messages under a long timeout piles up one live timer per message.

## When it is not reported
- the module's go.mod says `go 1.23` or later (unreferenced timers are collected);
- test files (`_test.go`): a test binary is short-lived, its timers die with it;
- the select is not inside a loop of its function (one timer per call, gone when it fires);
- every other case of the select leaves the loop (a return, a break out of it, a panic,
  `os.Exit`, `log.Fatal`, `t.Fatal`): at most one timer is left behind, not one per pass;
  so it is when the statements after the select, in its block, always leave the loop (a
  `return` after a select that waits for a close or a second: gorilla/websocket's echo
  client);
- a plain `<-time.After(d)` statement: it waits for the timer, which is then released.
It is reported without a fix when `d` changes inside the loop, is declared there, or is
computed by a call other than a `time.Duration` conversion: the timer is made once before
the loop, so `d` must mean the same thing there and evaluating it again must be harmless;
and when the call holds a `//` comment, which would have no place once it is replaced.

## The fix
One timer, made before the outermost loop and stopped when the function returns, re-armed
right before the select, where `time.After` used to be evaluated, so the timeout still
restarts on every pass. Re-arming uses the pre-1.23 safe order: stop, drain the channel if
the timer had fired unseen, then `Reset`. A `/* */` comment inside the call is kept after
the new `timer.C`.
"""


def message(sf: SourceFile, call: Node, select: Node) -> str:
    """Names a rival case, so that the reader sees what wins while the timer lives on."""
    rival = "another case"
    for case in select.named_children:
        comm = case.child_by_field_name("communication")
        if case.type == "communication_case" and comm is not None and not a.is_within(call, comm):
            rival = "`" + " ".join(sf.text(comm).split()) + "`"
            break
    return (
        f"{' '.join(sf.text(call).split())} in a select inside a loop makes a new timer on every pass: before Go 1.23 "
        f"each one stays in the runtime until it fires, even when {rival} wins"
    )


def _channel(sf: SourceFile, call: Node) -> Node | None:
    """The channel a ``time.After(d)`` or ``time.NewTimer(d).C`` expression receives from."""
    if a.is_call_to(sf, call, "time", ("After",)):
        return call
    sel = call.parent
    if (
        a.is_call_to(sf, call, "time", ("NewTimer",))
        and sel is not None
        and sel.type == "selector_expression"
        and sel.child_by_field_name("operand") == call
        and sf.text(sel.child_by_field_name("field")) == "C"
    ):
        return sel
    return None


def run(p: Pass) -> None:
    sf = p.file
    given: dict[int, set[str]] = {}  # names handed out per top-level declaration
    for call in a.of_type(sf.root, "call_expression"):
        channel = _channel(sf, call)
        select = select_of(sf, channel) if channel is not None else None
        fn = a.enclosing_function(select) if select is not None else None
        loops = a.loops_between(select, fn) if fn is not None else []
        if not loops or not piles_up(sf, channel, select, loops[-1]):
            continue
        fix, why_not = one_timer(sf, call, channel, select, loops[-1], given.setdefault(top_level(fn).start_byte, set()))
        p.report(channel, message(sf, channel, select), fixes=[fix] if fix else [], notes=[why_not] if why_not else [])


RULE = Rule(
    name="time-after-in-loop",
    summary="time.After in a select inside a loop -> one timer, re-armed each pass",
    doc=DOC,
    run=run,
    triggers=(b"After(", b"NewTimer("),
    fixed_in_go=(1, 23),
    skips_tests=True,
)
