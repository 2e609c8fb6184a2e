"""time-after-in-loop: `case <-time.After(d):` in a select that a loop runs again and again."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.edits import Fix, TextEdit, insert_before_statement
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from ._timers import fresh_name, package_of, top_level

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


# Expression nodes that read values without calling anything (a conversion is allowed below).
_PLAIN = {
    "identifier",
    "field_identifier",
    "package_identifier",
    "selector_expression",
    "int_literal",
    "float_literal",
    "binary_expression",
    "parenthesized_expression",
    "unary_expression",
    "argument_list",
}


def select_of(sf: SourceFile, channel: Node) -> Node | None:
    """The select statement when ``channel`` is received from as one of its cases."""
    recv = channel.parent
    if not a.is_receive(sf, recv):
        return None
    stmt = recv.parent
    if stmt is None or stmt.type != "receive_statement" or stmt.child_by_field_name("right") != recv:
        return None
    case = stmt.parent
    if case is None or case.type != "communication_case" or case.child_by_field_name("communication") != stmt:
        return None
    return case.parent


def piles_up(sf: SourceFile, call: Node, select: Node, loop: Node) -> bool:
    """Whether another case of ``select`` can win and let ``loop`` run it again, leaving
    this pass's timer behind: when every other case leaves the loop, at most one is left."""
    others = [
        c for c in select.named_children
        if c.type in ("communication_case", "default_case") and not a.is_within(call, c)
    ]
    return any(not _leaves(sf, a.statements(c), loop) for c in others)


def _leaves(sf: SourceFile, stmts: list[Node], loop: Node) -> bool:
    """Whether ``stmts`` (a case body) always end by leaving ``loop``."""
    stmts = [s for s in stmts if s.type != "comment"]
    if not stmts:
        return False
    last = stmts[-1]
    t = last.type
    if t in ("return_statement", "goto_statement"):
        return True
    if t in ("break_statement", "continue_statement") and last.named_children:
        label = sf.text(last.named_children[0])
        target = next(
            (x for x in a.ancestors(last) if x.type == "labeled_statement" and sf.text(x.child_by_field_name("label")) == label),
            None,
        )
        if target is None:
            return False
        inner = target.named_children[-1]
        return a.is_within(loop, target) and not (t == "continue_statement" and inner == loop)
    if a.never_returns(sf, last):
        return True
    if t == "block":
        return _leaves(sf, a.statements(last), loop)
    if t == "if_statement":
        alt = last.child_by_field_name("alternative")
        return alt is not None and _leaves(sf, a.statements(last.child_by_field_name("consequence")), loop) and _leaves(
            sf, a.statements(alt) if alt.type == "block" else [alt], loop
        )
    return False


def side_effect_free(sf: SourceFile, expr: Node) -> bool:
    for n in a.walk(expr):
        if n.type == "call_expression":
            if not (a.is_call_to(sf, n, "time", ("Duration",)) and len(a.arguments(n)) == 1):
                return False
        elif n.type == "unary_expression":
            if sf.text(n.child_by_field_name("operator")) not in ("-", "+", "^"):
                return False
        elif n.type not in _PLAIN:
            return False
    return True


def _root(node: Node) -> Node:
    """``x`` for ``x``, ``x.f.g``, ``x[i]``, ``*x``, ``(x)``."""
    while node.type in ("selector_expression", "index_expression", "parenthesized_expression", "unary_expression"):
        inner = node.child_by_field_name("operand")
        if inner is None:
            inner = node.named_children[0] if node.named_children else None
        if inner is None:
            break
        node = inner
    return node


def changes_in(sf: SourceFile, region: Node, names: set[str]) -> bool:
    """Whether ``region`` declares, assigns, increments or takes the address of a variable
    in ``names`` (or of a field or element of one)."""
    for n in a.walk(region):
        t = n.type
        if any(a.declares(sf, n, name) for name in names):
            return True
        targets: list[Node] = []
        if t in ("assignment_statement", "range_clause"):
            targets = a.left_names(n)
        elif t in ("inc_statement", "dec_statement"):
            targets = n.named_children[:1]
        elif t == "unary_expression" and sf.text(n.child_by_field_name("operator")) == "&":
            targets = [n.child_by_field_name("operand")]
        if any(sf.text(_root(x)) in names for x in targets if x is not None):
            return True
    return False


def _variables(sf: SourceFile, expr: Node) -> set[str]:
    """Identifiers ``expr`` reads, package names aside."""
    out = set()
    for n in a.of_type(expr, "identifier"):
        parent = n.parent
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n and sf.text(n) in sf.imports:
            continue
        out.add(sf.text(n))
    return out


def _fix(sf: SourceFile, call: Node, channel: Node, select: Node, loop: Node, given: set[str]) -> tuple[Fix | None, str]:
    """``channel``: what the case receives from, ``time.After(d)`` or ``time.NewTimer(d).C``."""
    args = a.arguments(call)
    if len(args) != 1:
        return None, "the timer's constructor takes one argument"
    d = args[0]
    # a comment inside the call but outside d would go with it: it is kept after the new
    # `timer.C`. A // comment has no place there (it would swallow the colon), nor in
    # the one-line statements d is copied into
    comments = list(a.of_type(call, "comment"))
    if any(sf.text(c).startswith("//") for c in comments):
        return None, "a // comment inside the time.After call would have no place once the call is replaced"
    comments = [c for c in comments if not a.is_within(c, d)]
    if not side_effect_free(sf, d):
        return None, "the timeout is computed by a call: evaluating it once more before the loop could change behaviour"
    if changes_in(sf, loop, _variables(sf, d)):
        return None, "the timeout changes or is declared inside the loop: one timer made before the loop would not mean the same"
    name = fresh_name(sf, call, "timer", given)
    pkg, dt = package_of(sf, call), sf.text(d)
    make = insert_before_statement(sf, a.statement_of(loop), [f"{name} := {pkg}.NewTimer({dt})", f"defer {name}.Stop()"])
    rearm = insert_before_statement(
        sf,
        a.statement_of(select),
        [f"if !{name}.Stop() {{", "\tselect {", f"\tcase <-{name}.C:", "\tdefault:", "\t}", "}", f"{name}.Reset({dt})"],
    )
    if make is None or rearm is None:
        return None, "the loop or the select shares its line with another statement"
    given.add(name)
    kept = "".join(f" {sf.text(c)}" for c in comments)
    if kept and sf.data[channel.end_byte:channel.end_byte + 1] == b":":
        kept += " "  # gofmt's spacing between a comment and the case's colon
    use = TextEdit(channel.start_byte, channel.end_byte, f"{name}.C{kept}".encode())
    return Fix(f"one timer {name} made before the loop, re-armed before the select, stopped on return", (make, rearm, use)), ""


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
        fix, why_not = _fix(sf, call, channel, select, loops[-1], given.setdefault(top_level(fn).start_byte, set()))
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
