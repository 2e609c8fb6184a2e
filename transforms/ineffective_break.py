"""ineffective-break: an unlabeled `break` on a stop signal leaves only the select or switch,
and the `for` loop around it goes on."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.edits import REVIEW, Fix, TextEdit
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from . import _goroutine as g_

DOC = """\
## What it finds
An unlabeled `break` in a case of a `select` or `switch` that is itself a statement of a
`for` loop's body, where the case is on a stop signal, so the author plainly meant to leave
the loop:
- a select case receiving from `ctx.Done()` (any `x.Done()`) or from a channel whose name
  reads as a stop signal (`done`, `stopCh`, `s.quit`, `closing`, `stopAfter`);
- a closed-check: the `break` sits under `if !ok` (or `if ok == false`), `ok` the second
  value of a receive (`case v, ok := <-ch:`, or `v, ok := <-ch` earlier in the loop);
- a switch case whose value names a stop signal (`case cmdStop:`, `case *QuitMessage:`),
  or is such a closed-check (`case !ok:`).
The loop has no condition (`for {}`, `for ;; {}`) or ranges over a channel (`time.Tick(d)`
too). Go's `break` leaves the innermost `for`, `switch` or `select`: here the select or
switch only (staticcheck SA4011).

## Why it leaks
The loop goes round again. A context's `Done()` or a closed channel is ready for good, so the
stop case runs on every pass and the goroutine spins; a one-shot signal (a message on a
stop channel, a `time.After`) fires once and the loop goes on waiting for its other cases.
Either way a function that was meant to return on that signal never does: the goroutine,
and everything it references, lives as long as the process (alertmanager's store test,
whose subscriber loop was to stop after a second and calls `Subscribe` every 10 ms for
good). A range over a channel ends once the channel is closed, but works on after the
signal until then.

## When it is not reported
- the `break` is labeled (`break loop`), or leaves a loop (no select or switch between);
- the select or switch is not a statement of a `for` loop's own body (nested in an `if`,
  another case, or in no loop), or the loop has a condition (`for !stopped {}`: the case may
  change it) or ranges over something other than a channel;
- anything else in the loop's body can leave the loop (`if stopped { return }` after the
  select, a `return`, `goto` or labeled break elsewhere in the body; a labeled `continue`
  of the loop goes round it), or the case can before the `break` (`if force { return };
  break`, or a call that does not return: `t.Fatal`, `panic`): the `break` may be meant to
  fall through to that check, or to mean "not this time". A jump after the statement
  holding the `break` is another path and does not count (`if !ok { break }; ...; return
  err`);
- the case assigns to the channel it receives from (`ch = nil; break`: the nil-channel
  idiom, which switches the case off and keeps the loop on purpose);
- the case is not on a stop signal (a timeout, a data channel, a `default`): a `break` there
  is as often a deliberate "skip the rest of this case".

## When it is not fixed
- the loop sits inside another loop of the function: leaving it goes round that loop, which
  starts this one again (and, on a signal that stays ready, leaves it at once, spinning);
- the loop is the last thing its function runs and the function has results: leaving it
  needs a `return` with values only a person can choose;
- code follows the loop that has never run (nothing left the loop before; a range over a
  ticker's channel never ends either): it becomes live, and nobody has seen it work;
- the loop ranges over a channel other than a ticker's: it ends when the channel is closed
  today, and leaving it earlier stops draining it, so a sender that does not watch the same
  signal would block for good;
- the loop ranges over a ticker its header makes (`time.Tick(d)`, `time.NewTicker(d).C`)
  and the module's Go is older than 1.23: once the loop can end, that ticker is never
  stopped nor collected;
- the `for` has no label and does not start its own line, or its line is not indented
  with tabs (the label could not be laid out as gofmt does).

## The fix
The loop gets a label and the `break` breaks it: `loop:` on its own line before the `for`,
one tab less indented (as gofmt lays out labels), and `break loop`; a loop that already has
a label keeps it, and a name the function already uses as a label is not taken. A loop is
reported once, at its first such `break`, and every such `break` of it is fixed together.
After the labeled break, the code after the loop runs: that is what the author meant by
`break` on a stop signal. The fix is offered only where that code is nothing (the function
returns, running its deferred calls: the ticker's `Stop`, the `wg.Done()` or the `close`
that were written for this moment and never ran) or is already run by another way out of
the loop (a labeled break), so no code runs that was not written for the loop's end.
Applicability: `review`. The goroutine now ends on the signal, so it stops receiving from
the select's other channels: a sender to it that does not watch the same signal would
block (a sender that does is what the signal was for).
"""


@dataclass(frozen=True)
class _Break:
    """An ineffective ``break`` and what it was meant to do."""

    node: Node  # the break_statement
    loop: Node  # the for_statement it was meant to leave
    what: str  # "select" or "switch": what it leaves instead
    signal: str  # the stop signal, as the message names it


_SWITCHES = ("expression_switch_statement", "type_switch_statement")


def _ineffective(sf: SourceFile, brk: Node) -> _Break | None:
    """``brk`` as a break meant to leave its loop on a stop signal, or None."""
    if brk.named_children:
        return None  # labeled: it leaves what it names
    target = a.break_target(sf, brk)
    if target is None or target.type not in ("select_statement", *_SWITCHES):
        return None
    body = target.parent.parent if target.parent is not None and target.parent.type == "statement_list" else None
    loop = body.parent if body is not None and body.type == "block" else None
    if loop is None or loop.type != "for_statement" or loop.child_by_field_name("body") != body:
        return None
    if not _open_ended(sf, loop):
        return None
    case = next(x for x in a.ancestors(brk) if x.parent == target)
    if case.type not in a.CASE_TYPES:
        return None
    rest = [s for s in a.statements(body) if s != target]
    before = _before(brk, case)
    if _leaves(sf, [*rest, *before], loop) or any(a.never_returns(sf, s) for s in before):
        return None  # another way out, after the select or before the break: the break may be meant to reach it
    signal = _stop_signal(sf, brk, case)
    if signal is None or _reassigned(sf, case, signal[1]):
        return None
    return _Break(brk, loop, "select" if target.type == "select_statement" else "switch", signal[0])


def _before(brk: Node, case: Node) -> list[Node]:
    """The statements of ``case`` that run before ``brk`` or beside it: the earlier ones of each
    block from ``brk`` out to the case (an ``if`` holding it included, its other branch too).
    Those after the statement holding ``brk`` are another path (``if !ok { break }; ...;
    return err``)."""
    out, node = [], brk
    while node != case:
        if node.parent.type == "statement_list":
            out += [s for s in node.parent.named_children[: node.parent.named_children.index(node)] if s.type != "comment"]
        if node.parent.type == "if_statement":
            out += [c for c in node.parent.named_children if c != node and c.type in ("block", "if_statement")]
        node = node.parent
    return out


def _leaves(sf: SourceFile, nodes: list[Node], loop: Node) -> bool:
    """Whether a jump in ``nodes`` (function literals aside) leaves ``loop``: a return or
    goto, a labeled break or continue (of this loop or one around it), a break of its own."""
    inside = loop.child_by_field_name("body")
    for n in nodes:
        for j in [n] if n.type in _JUMPS else a.of_type(n, *_JUMPS, skip_functions=True):
            if j.type in ("return_statement", "goto_statement"):
                return True
            if j.type == "continue_statement" and not j.named_children:
                continue  # round the loop (or one inside it)
            target = a.break_target(sf, j)  # the labeled statement's loop, for a labeled continue too
            if target is None or (target == loop and j.type == "break_statement") \
                    or (target != loop and not a.is_within(target, inside)):
                return True
    return False


_JUMPS = ("return_statement", "goto_statement", "break_statement", "continue_statement")


def _open_ended(sf: SourceFile, loop: Node) -> bool:
    """``for {}`` or a range over a channel: a loop only a jump (or the channel's close) ends."""
    kind = a.loop_kind(sf, loop)
    if kind == "endless":
        return True
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    ranged = a.unparen(clause.child_by_field_name("right")) if clause is not None else None
    return kind == "range" and (a.value_kind(sf, ranged, loop) == "chan" or g_.is_ticker_channel(sf, ranged))


def _stop_signal(sf: SourceFile, brk: Node, case: Node) -> tuple[str, Node | None] | None:
    """(how the message names it, the channel the case receives from if any) when ``case``
    is on a stop signal for ``brk``."""
    closed = _closed_check(sf, brk, case)
    if closed is not None:
        return f"on a closed {sf.text(closed)}", closed
    if case.type == "communication_case":
        comm = case.child_by_field_name("communication")
        recv = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else None
        if not a.is_receive(sf, recv):
            return None
        chan = a.unparen(recv.child_by_field_name("operand"))
        if _is_done_call(sf, chan) or _names_signal(sf, chan):
            return f"on <-{sf.text(chan)}", chan
        return None
    if case.type in ("expression_case", "type_case"):
        values = case.child_by_field_name("value") if case.type == "expression_case" else None
        named = values.named_children if values is not None else case.children_by_field_name("type")
        hit = next((v for v in named if _names_signal(sf, v)), None)
        return (f"on case {sf.text(hit)}", None) if hit is not None else None
    return None


def _is_done_call(sf: SourceFile, chan: Node) -> bool:
    """``x.Done()``: a context's (or a context-like value's) done channel."""
    fn = chan.child_by_field_name("function") if chan.type == "call_expression" else None
    return fn is not None and fn.type == "selector_expression" and sf.text(fn.child_by_field_name("field")) == "Done" \
        and not a.arguments(chan)


def _names_signal(sf: SourceFile, expr: Node) -> bool:
    """An identifier, field, or (pointer to a) type whose own name reads as a stop signal."""
    expr = a.unparen(expr)
    if expr.type == "pointer_type":
        expr = expr.named_children[0]
    if expr.type in ("selector_expression", "qualified_type"):
        expr = expr.child_by_field_name("field") or expr.child_by_field_name("name")
    return expr is not None and expr.type in ("identifier", "field_identifier", "type_identifier") \
        and a.names_a_signal(sf.text(expr))


def _closed_check(sf: SourceFile, brk: Node, case: Node) -> Node | None:
    """The channel whose close ``brk`` answers: ``brk`` under ``if !ok`` (``ok == false``)
    inside ``case``, or ``case`` is ``case !ok:``, ``ok`` the second value of a receive (the
    case's own, or a ``v, ok := <-ch`` before it)."""
    conds = [x.child_by_field_name("condition") for x in a.ancestors(brk)
             if x.type == "if_statement" and a.is_within(x, case) and a.is_within(brk, x.child_by_field_name("consequence"))]
    if case.type == "expression_case":
        values = case.child_by_field_name("value")
        conds += values.named_children if values is not None else []
    for cond in conds:
        ok = _negated_name(sf, cond)
        chan = _received_with_ok(sf, case, ok) if ok is not None else None
        if chan is not None:
            return chan
    return None


def _negated_name(sf: SourceFile, cond: Node) -> Node | None:
    """``ok`` of ``!ok`` or ``ok == false``."""
    cond = a.unparen(cond)
    if cond.type == "unary_expression" and sf.text(cond.child_by_field_name("operator")) == "!":
        name = a.unparen(cond.child_by_field_name("operand"))
    elif cond.type == "binary_expression" and sf.text(cond.child_by_field_name("operator")) == "==" \
            and sf.text(cond.child_by_field_name("right")) == "false":
        name = a.unparen(cond.child_by_field_name("left"))
    else:
        return None
    return name if name.type == "identifier" else None


def _received_with_ok(sf: SourceFile, case: Node, ok: Node) -> Node | None:
    """The channel ``ch`` of the receive that gives ``ok`` its value: ``case v, ok := <-ch:``
    (the case's own) or ``v, ok := <-ch`` declared before it."""
    name = sf.text(ok)
    comm = case.child_by_field_name("communication") if case.type == "communication_case" else None
    if comm is not None and comm.type == "receive_statement":
        left = comm.child_by_field_name("left")
        if left is not None and len(left.named_children) == 2 and sf.text(left.named_children[1]) == name:
            return a.unparen(comm.child_by_field_name("right").child_by_field_name("operand"))
        if left is not None and name in (sf.text(n) for n in left.named_children):
            return None  # the case's own `ok` of another position
    b = a.local_binding(sf, name, ok)
    right = b.statement.child_by_field_name("right") if b is not None and b.index == 1 else None
    values = right.named_children if right is not None and right.type == "expression_list" else []
    if len(values) == 1 and a.is_receive(sf, a.unparen(values[0])):
        return a.unparen(a.unparen(values[0]).child_by_field_name("operand"))
    return None


def _reassigned(sf: SourceFile, case: Node, chan: Node | None) -> bool:
    """Whether ``case`` assigns to the channel it stops on (``ch = nil``: the case switched
    off on purpose, the loop meant to go on)."""
    if chan is None:
        return False
    text = a.flat(sf, chan)
    return any(a.flat(sf, left) == text
               for st in a.of_type(case, "assignment_statement", skip_functions=True)
               for left in st.child_by_field_name("left").named_children)


def _why_not(sf: SourceFile, loop: Node, go_version: tuple[int, int]) -> str | None:
    """Why the loop is not given a labeled break, or None."""
    fn = a.enclosing_function(loop)
    if a.loops_between(loop, fn):
        return "the loop sits inside another loop: leaving it goes round that one; decide which loop to leave"
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    ranged = a.unparen(clause.child_by_field_name("right")) if clause is not None else None
    if ranged is not None and not g_.is_ticker_channel(sf, ranged):  # a ticker's sender is the runtime, which never blocks
        return (f"the range ends when {sf.text(ranged)} is closed; leaving it earlier stops draining it, and a sender "
                "that does not watch the same signal would block: decide by hand")
    made = ranged.child_by_field_name("operand") if ranged is not None and ranged.type == "selector_expression" else ranged
    if made is not None and made.type == "call_expression" and go_version < (1, 23):
        return (f"the ticker is made in the loop's header ({sf.text(made)}): once the loop can end, nothing stops it "
                "(before Go 1.23 it is never collected); make it before the loop with a deferred Stop, then label the loop")
    leaves = a.breaks_out_of(loop)  # (an endless loop, or a range over a ticker's channel, which is never closed)
    if a.nothing_after(a.body(fn), loop):
        if fn.child_by_field_name("result") is not None and not leaves:
            return "the function has results and ends with this loop: leaving it needs a return only you can write"
    elif not leaves:
        return "the code after the loop has never run (nothing left the loop before): read it before the loop can end"
    line = sf.line_start(loop.start_byte)
    if loop.parent.type != "labeled_statement" \
            and (sf.data[line : loop.start_byte].strip() or not sf.indent_at(loop.start_byte).endswith(b"\t")):
        return "the loop does not start its own tab-indented line: label it by hand"
    return None


def reports(sf: SourceFile, loop: Node) -> bool:
    """Whether this rule reports a ``break`` of ``loop`` (loop-without-exit leaves a loop
    whose stop case only breaks the select to this rule, which fixes it)."""
    return any(found is not None and found.loop == loop
               for found in (_ineffective(sf, brk) for brk in a.of_type(loop, "break_statement", skip_functions=True)))


def _labels(sf: SourceFile, fn: Node) -> set[str]:
    return {sf.text(n) for n in a.of_type(a.body(fn), "label_name")}


def run(p: Pass) -> None:
    sf = p.file
    by_loop: dict[int, list[_Break]] = {}
    for brk in a.of_type(sf.root, "break_statement"):
        found = _ineffective(sf, brk)
        if found is not None:
            by_loop.setdefault(found.loop.id, []).append(found)
    given: dict[int, set[str]] = {}  # per function: labels this pass gave, applied in the same round
    for breaks in by_loop.values():
        loop = breaks[0].loop
        why = _why_not(sf, loop, p.go_version)
        fixes = []
        if why is None:
            fn = a.enclosing_function(loop)
            labeled = loop.parent if loop.parent.type == "labeled_statement" else None
            edits = []
            if labeled is not None:
                label = sf.text(labeled.child_by_field_name("label"))
            else:
                taken = _labels(sf, fn) | given.setdefault(fn.id, set())
                label = next(n for n in (f"loop{i}" if i > 1 else "loop" for i in range(1, 100)) if n not in taken)
                given[fn.id].add(label)
                line = sf.line_start(loop.start_byte)
                edits.append(TextEdit(line, line, sf.indent_at(loop.start_byte)[:-1] + f"{label}:".encode() + sf.newline))
            edits += [TextEdit(b.node.end_byte, b.node.end_byte, f" {label}".encode()) for b in breaks]
            fixes.append(Fix(f"label the loop and break {label}", tuple(edits), applicability=REVIEW))
        first, more = breaks[0], len(breaks) - 1
        kind = "range" if a.loop_kind(sf, loop) == "range" else "for loop"
        ranged = next((c.child_by_field_name("right") for c in loop.named_children if c.type == "range_clause"), None)
        closes = ranged is not None and not g_.is_ticker_channel(sf, a.unparen(ranged))  # ends when the channel is closed
        message = (f"this break {first.signal} leaves only the {first.what}, not the {kind} around it"
                   + (f" (as do {more} more of its breaks)" if more else "")
                   + ": the loop goes on after the stop signal" + ("" if closes else " and never ends"))
        p.report(first.node, message, fixes, notes=[why] if why else [])


RULE = Rule(
    name="ineffective-break",
    summary="an unlabeled break on a stop signal leaves only the select/switch, not the for loop -> label the loop, break it",
    doc=DOC,
    run=run,
    triggers=(b"break",),
)
