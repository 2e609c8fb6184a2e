"""time-tick: time.Tick in code that does not live as long as the process."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.edits import REVIEW, SAFE, Fix, TextEdit, insert_after_statement, insert_before_statement
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from ._timers import duration, fresh_name, one_timer, package_of, piles_up, select_of, top_level

DOC = """\
## What it finds
`time.Tick(d)` (under any import name of "time") in a function that returns: the ticker
behind the channel can never be stopped, because `time.Tick` does not hand it out.

## Why it leaks
Before Go 1.23 a ticker that is never stopped is never garbage collected: it keeps
firing for the life of the process. A function that calls `time.Tick` and returns leaks
one ticker per call; a `time.Tick` inside a loop leaks one per pass.

## When it is not reported
- the module's go.mod says `go 1.23` or later (unreferenced tickers are collected);
- test files (`_test.go`): a test binary is short-lived, its timers die with it;
- code that lives as long as the process: package main's `main`, a function or goroutine
  that reaches a loop that never ends (no return, no break out of it) or an empty
  `select {}`, a `for range time.Tick(d)` loop that never ends, a package-level variable.
A `time.Tick` evaluated on every pass of a loop is reported even there.

## The fix
- `for range time.Tick(d)` -> `ticker := time.NewTicker(d)` and `defer ticker.Stop()`
  before the loop, which ranges over `ticker.C`;
- `c := time.Tick(d)` whose uses all receive from `c` in the same function ->
  `ticker := time.NewTicker(d)`, `defer ticker.Stop()`, and each use becomes `ticker.C`;
- `<-time.Tick(d)` received from once (a select case, even in a loop) with a constant,
  positive `d` -> `<-time.After(d)`: the same first tick, and the timer is released once
  it fires. Safe. In a select that a loop runs again while the tick may not have come, one
  timer made before the loop and re-armed each pass (time-after-in-loop's fix). Review.
The new name is one the function does not use yet. The NewTicker fixes are safe when `d`
is a positive constant, review otherwise (see below). Anything else (the channel is stored,
passed on or used by another goroutine, a defer would pile up in a loop) is reported
without a fix. `time.Tick` with `d <= 0` returns nil and blocks forever where
`time.NewTicker` panics: the fix turns that silent hang into a visible failure.
"""

_ONCE_NOTE = "the duration is not a positive constant: for d <= 0 time.After(d) fires at once, time.Tick(d) never"


def _leaves(loop: Node) -> bool:
    """Whether the loop can end: a return, a goto, or a break out of it."""
    jumps = a.of_type(loop, "return_statement", "goto_statement", skip_functions=True)
    return next(jumps, None) is not None or a.breaks_out_of(loop)


def _is_tick(sf: SourceFile, node: Node | None) -> bool:
    return node is not None and a.is_call_to(sf, node, "time", ("Tick",))


def endless(sf: SourceFile, stmt: Node, channels: set[str] = frozenset()) -> bool:
    """A statement that never completes: ``select {}``, ``for {}`` or a range over a ticker
    channel (``time.Tick(d)``, ``t.C``, or one of ``channels``) that nothing leaves."""
    if stmt.type == "labeled_statement":
        stmt = stmt.named_children[-1]
    if stmt.type == "select_statement":
        return not any(c.type in ("communication_case", "default_case") for c in stmt.named_children)
    if stmt.type != "for_statement":
        return False
    kind = a.loop_kind(sf, stmt)
    if kind == "range":
        clause = next(c for c in stmt.named_children if c.type == "range_clause")
        ch = clause.child_by_field_name("right")
        ticking = _is_tick(sf, ch) or (ch.type == "selector_expression" and sf.text(ch.child_by_field_name("field")) == "C")
        if not (ticking or sf.text(ch) in channels):
            return False
    elif kind != "endless":
        return False
    return not _leaves(stmt)


def lives_forever(sf: SourceFile, fn: Node, channels: set[str] = frozenset()) -> bool:
    """Package main's ``main``, or a function that reaches an endless statement on every path."""
    if fn.type == "function_declaration" and sf.text(fn.child_by_field_name("name")) == "main":
        pkg = next((c for c in sf.root.named_children if c.type == "package_clause"), None)
        if pkg is not None and sf.text(pkg.named_children[0]) == "main":
            return True
    return any(
        endless(sf, s, channels) and a.runs_on_every_path(sf, s, None) for s in a.statements(a.body(fn))
    )


def _per_pass(call: Node, fn: Node) -> bool:
    """Whether a loop of ``fn`` evaluates ``call`` again on every pass (a range expression
    and a for-clause initializer are evaluated once)."""
    for loop in a.loops_between(call, fn):
        once = [c for c in loop.named_children if c.type == "range_clause"]
        clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
        if clause is not None and clause.child_by_field_name("initializer") is not None:
            once.append(clause.child_by_field_name("initializer"))
        if not any(a.is_within(call, o) for o in once):
            return True
    return False


def _constant_positive(sf: SourceFile, d: Node) -> bool:
    """``time.Second``, ``500 * time.Millisecond``, ``2``: a constant above zero."""
    v = duration(sf, d)
    return v is not None and v > 0


def _received_once(sf: SourceFile, call: Node) -> bool:
    parent = call.parent
    return a.is_receive(sf, parent)


class _Checker:
    def __init__(self, p: Pass):
        self.p = p
        self.sf = p.file
        self.given: dict[int, set[str]] = {}  # names handed out per top-level declaration

    def check(self, call: Node) -> None:
        sf = self.sf
        fn = a.enclosing_function(call)
        if fn is None:
            return  # a package-level variable lives as long as the process
        text = sf.text(call)
        if _per_pass(call, fn):
            msg = f"{text} inside a loop starts a new ticker on every pass that nothing can stop: before Go 1.23 each one runs forever"
            why_not = _ONCE_NOTE if _received_once(sf, call) else "made on every pass: keep one time.NewTicker outside the loop"
            select = select_of(sf, call)
            loops = a.loops_between(select, fn) if select is not None else []
            if loops and piles_up(sf, call, select, loops[-1]) and self._after_fix(call) is not None:
                # time.After would leave one timer per pass (time-after-in-loop): go to one timer at once
                fix, why_not = one_timer(sf, call, call, select, loops[-1], self.given.setdefault(top_level(fn).start_byte, set()))
                self._report(call, msg, fix, why_not)
                return
            self._report(call, msg, self._after_fix(call), why_not)
            return
        if _received_once(sf, call):
            if lives_forever(sf, fn):
                return
            msg = f"{text} starts a ticker that nothing can stop, to wait once: before Go 1.23 it runs forever after"
            self._report(call, msg, self._after_fix(call), _ONCE_NOTE)
            return
        parent = call.parent
        if parent.type == "range_clause" and parent.child_by_field_name("right") == call:
            loop = parent.parent
            if endless(sf, loop) or lives_forever(sf, fn):
                return
            msg = f"for range {text} starts a ticker that nothing can stop: before Go 1.23 it runs forever after the loop ends"
            self._report(call, msg, self._range_fix(call, loop), "the loop shares its line with another statement")
            return
        binding = a.assignments(sf, call)
        if binding is not None and binding.statement.type in ("short_var_declaration", "var_declaration"):
            self._check_binding(call, binding, fn)
            return
        if lives_forever(sf, fn):
            return
        msg = f"{text} starts a ticker that nothing can stop and hands its channel on: before Go 1.23 it runs forever"
        self._report(call, msg, None, "the channel is stored or passed on: keep a *time.Ticker where it lives and stop it there")

    def _check_binding(self, call: Node, binding: a.Binding, fn: Node) -> None:
        sf = self.sf
        refs = a.references(sf, binding)
        owners = {a.enclosing_function(r) for r in refs}
        if lives_forever(sf, fn, {binding.name}) or (
            refs and fn not in owners and all(lives_forever(sf, o, {binding.name}) for o in owners)
        ):
            return  # the channel is read by code that runs as long as the process
        op = ":=" if binding.statement.type == "short_var_declaration" else "="
        msg = f"{binding.name} {op} {sf.text(call)} starts a ticker that nothing can stop: before Go 1.23 it runs forever after the function returns"
        why_not = ""
        if binding.statement.type != "short_var_declaration":
            why_not = "declared with var: rewrite it by hand as a *time.Ticker"
        elif len(a.left_names(binding.statement)) != 1:
            why_not = "declared together with other names"
        elif owners - {fn}:
            why_not = "used inside a function literal: where to stop it is not clear"
        elif not all(_receives(sf, r) for r in refs):
            why_not = f"{binding.name} is used other than by receiving from it"
        fix = None
        if not why_not:
            name = self._name(call)
            pkg, d = package_of(sf, call), sf.text(a.arguments(call)[0])
            stmt = binding.statement
            defer = insert_after_statement(sf, stmt, f"defer {name}.Stop()")
            if defer is None:
                why_not = "the declaration shares its line with another statement"
            else:
                edits = [TextEdit(stmt.start_byte, stmt.end_byte, f"{name} := {pkg}.NewTicker({d})".encode()), defer]
                edits += [TextEdit(r.start_byte, r.end_byte, f"{name}.C".encode()) for r in refs]
                fix = self._fix(name, call, edits)
        self._report(call, msg, fix, why_not)

    def _range_fix(self, call: Node, loop: Node) -> Fix | None:
        sf = self.sf
        name = self._name(call)
        pkg, d = package_of(sf, call), sf.text(a.arguments(call)[0])
        make = insert_before_statement(sf, a.statement_of(loop), [f"{name} := {pkg}.NewTicker({d})", f"defer {name}.Stop()"])
        if make is None:
            return None
        return self._fix(name, call, [make, TextEdit(call.start_byte, call.end_byte, f"{name}.C".encode())])

    def _after_fix(self, call: Node) -> Fix | None:
        sf = self.sf
        args = a.arguments(call)
        if not (_received_once(sf, call) and len(args) == 1 and _constant_positive(sf, args[0])):
            return None
        field = call.child_by_field_name("function").child_by_field_name("field")
        # the edit spans `time.Tick` (its package name rewritten as it was), so the call it
        # leaves is text this fix wrote, which time-after-in-loop may finish in a later round
        callee = sf.data[call.start_byte : field.start_byte] + b"After"
        return Fix("receive from time.After: the same first tick, and the timer is released once it fires",
                   (TextEdit(call.start_byte, field.end_byte, callee),), applicability=SAFE)

    def _name(self, call: Node) -> str:
        given = self.given.setdefault(top_level(call).start_byte, set())
        name = fresh_name(self.sf, call, "ticker", given)
        given.add(name)
        return name

    def _fix(self, name: str, call: Node, edits: list[TextEdit]) -> Fix:
        # for d <= 0 time.Tick blocks forever where time.NewTicker panics: only a positive
        # constant keeps behaviour for certain
        safe = _constant_positive(self.sf, a.arguments(call)[0])
        return Fix(f"a time.NewTicker {name} stopped when the function returns", tuple(edits), applicability=SAFE if safe else REVIEW)

    def _report(self, call: Node, msg: str, fix: Fix | None, why_not: str) -> None:
        self.p.report(call, msg, fixes=[fix] if fix else [], notes=[why_not] if not fix and why_not else [])


def _receives(sf: SourceFile, ident: Node) -> bool:
    """``<-c`` or ``range c``: a use that only reads the channel."""
    parent = ident.parent
    if parent.type == "unary_expression":
        return a.is_receive(sf, parent)
    return parent.type == "range_clause" and parent.child_by_field_name("right") == ident


def run(p: Pass) -> None:
    checker = _Checker(p)
    for call in a.of_type(p.file.root, "call_expression"):
        if _is_tick(p.file, call) and len(a.arguments(call)) == 1:
            checker.check(call)


RULE = Rule(
    name="time-tick",
    summary="time.Tick outside code that lives as long as the process -> NewTicker + Stop",
    doc=DOC,
    run=run,
    triggers=(b"Tick(",),
    fixed_in_go=(1, 23),
    skips_tests=True,
)
