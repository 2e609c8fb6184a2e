"""drain-after-stop: a timer's channel is received from after a Stop that returned true."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.edits import REVIEW, SAFE, Fix, TextEdit, delete_line, line_comment_after
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

DOC = """\
## What it finds
An `if` whose body runs only when a timer's `Stop()` returned true, and that then receives
from that timer's channel:

```go
defer func() {
	if t.Stop() { // true: the timer had not fired
		<-t.C // so nothing is ever sent here
	}
}()
```

The condition is `t.Stop()`, `ok` after `if ok := t.Stop(); ok`, or one of the operands
of a chain of `&&` (`if t != nil && t.Stop()`). The receive is from `t.C`, `t.C()` or
`t.Chan()` of the same `t` (a `time.Timer`, or a clock package's timer such as
`k8s.io/utils/clock`'s or clockwork's, whose `Stop() bool` means the same), or from a local
that only ever holds that channel (`tC = t.C()` right after each time `t` is made) or nil;
as a statement, an assignment, or the only kind of case of a `select` with no `default`.

## Why it leaks
`Stop` returns true only when its call stopped the timer before it fired: no value is sent
on the channel, and from Go 1.23 none can be left over from an earlier firing either. The
receive waits for a value that never comes, and the goroutine (a deferred cleanup: its
whole goroutine) blocks forever with everything it references. The idiom drains on the
other branch: `if !t.Stop() { <-t.C }`. In every Go version (before 1.23 the receive can
complete only when an earlier firing's value was left in the channel by a `Reset` that did
not drain it).

## When it is not reported
- the receive is in the `else` branch, or the condition is `!t.Stop()` or `ok` is negated
  (the idiom);
- the receive is a case of a `select` with a `default`, or with a case that receives from
  anything else: it cannot block forever;
- the receive is from another timer's channel, or from a local that may hold another one;
- the body mentions the timer (or the variable that holds it) before the receive: a `Reset`
  there re-arms it, and the receive may complete; also a receive in a loop of the body or in
  a function literal;
- `t` is not a plain name or field path (`s.timers[i]`, a call): the two may not be the
  same timer.
Not reported either (out of scope): `if !t.Stop() { <-t.C }` when the value was already
received elsewhere, which blocks too.

## When it is not fixed
The finding comes without a fix when the receive's value is used (`v := <-t.C`,
`case v := <-t.C:` or a receive inside an expression: the code that reads it never ran,
and what it should do is a person's call), when a `select`'s case has statements of its
own, when the receive is nested deeper than the `if`'s own body, when the `if` has an
`else` branch, when a condition follows the `Stop()` operand (`t.Stop() && x`) or the
`&&` chain comes with an `ok :=` initializer, when the condition is parenthesised, when
the `if`'s initializer does more than call `Stop` (`if n := f(); t.Stop()`: replacing the
`if` would lose it), and when the receive shares its line with other code (gofmt's layout
could not be kept).

## The fix
Drop the receive: since `Stop` returned true it can never complete.
- `if t.Stop() { <-t.C }` (or `if ok := t.Stop(); ok { <-t.C }`) becomes `t.Stop()`;
- `if t != nil && t.Stop() { <-tC }` becomes `if t != nil { t.Stop() }`;
- a body with other statements (or comments) keeps them and loses only the receive line.

Applicability: `safe` where the module's Go version is 1.23 or later, or the `if` is in a
deferred function or ends its function (nothing reads the channel after it): it only
removes blocking. Otherwise `review`: before Go 1.23 a value left in the channel by an
undrained `Reset` would stay there for a later receive. Also `review` when statements
follow the receive in the body: they never ran, and now run right after `Stop`.
"""

_CHANNEL_MEMBERS = ("C", "Chan")  # t.C, t.C(), clockwork's t.Chan()


@dataclass(frozen=True)
class _Stop:
    timer: str  # the timer's expression, spaces removed (`nextTimer`, `s.timer`)
    call: Node  # the `t.Stop()` call
    conjunct: Node  # the operand of the condition that is true only when Stop returned true
    chain: bool  # the condition is a chain of `&&`


def run(p: Pass) -> None:
    sf = p.file
    for stmt in a.of_type(sf.root, "if_statement"):
        stop = _stop_condition(sf, stmt)
        if stop is None:
            continue
        found = _blocking_receive(sf, stmt, stop)
        if found is None:
            continue
        receive, holder = found
        name = sf.text(stop.call.child_by_field_name("function").child_by_field_name("operand"))
        message = (f"receive from {name}'s channel after {name}.Stop() returned true blocks forever: Stop returned true "
                   f"because the timer had not fired, so no value is ever sent")
        fix, note = _fix(p, stmt, stop, holder)
        p.report(receive, message, [fix] if fix else [], notes=[] if fix else [note])


def _stop_condition(sf: SourceFile, stmt: Node) -> _Stop | None:
    """What makes ``stmt``'s body run only when a timer's Stop returned true: the condition
    is ``t.Stop()``, ``ok`` from ``ok := t.Stop()`` in the header, or a chain of ``&&``
    with one of those as an operand."""
    cond = stmt.child_by_field_name("condition")
    if cond is None:
        return None
    init = stmt.child_by_field_name("initializer")
    ok_name, ok_call = None, None
    if init is not None and init.type == "short_var_declaration":
        lefts = a.left_names(init)
        right = init.child_by_field_name("right")
        values = right.named_children if right is not None else []
        if len(lefts) == 1 and len(values) == 1 and lefts[0].type == "identifier" and _stop_call(sf, values[0]) is not None:
            ok_name, ok_call = sf.text(lefts[0]), values[0]
    conjuncts = _conjuncts(sf, a.unparen(cond))
    for c in conjuncts:
        c = a.unparen(c)
        call = _stop_call(sf, c)
        if call is None and ok_name is not None and c.type == "identifier" and sf.text(c) == ok_name:
            call = ok_call
        if call is not None:
            timer = _timer_path(sf, call.child_by_field_name("function").child_by_field_name("operand"))
            if timer is None:
                return None
            return _Stop(timer, call, c, len(conjuncts) > 1)
    return None


def _conjuncts(sf: SourceFile, cond: Node) -> list[Node]:
    if cond.type == "binary_expression" and sf.text(cond.child_by_field_name("operator")) == "&&":
        return _conjuncts(sf, cond.child_by_field_name("left")) + _conjuncts(sf, cond.child_by_field_name("right"))
    return [cond]


def _stop_call(sf: SourceFile, node: Node) -> Node | None:
    """``node`` when it is a call ``x.Stop()`` with no arguments."""
    mc = a.method_call(sf, node)
    if mc is None or mc[1] != "Stop" or a.arguments(node):
        return None
    return node


def _timer_path(sf: SourceFile, node: Node | None) -> str | None:
    """``node``'s text, spaces removed, when it is a name or a path of fields (``s.t``,
    ``(*p).t``) naming one variable: two such texts that are equal name the same timer
    (a call or an index could give another one each time)."""
    if node is None:
        return None
    for n in a.walk(node):
        if n.type not in ("identifier", "field_identifier", "selector_expression", "parenthesized_expression") and not (
            n.type == "unary_expression" and sf.text(n.child_by_field_name("operator")) == "*"
        ) and n.type != "*":
            return None
    if node.type not in ("identifier", "selector_expression"):
        return None
    return "".join(sf.text(node).split())


def _root_name(sf: SourceFile, node: Node) -> str:
    while node.type in ("selector_expression", "parenthesized_expression", "unary_expression"):
        node = node.child_by_field_name("operand") or node.named_children[0]
    return sf.text(node)


def _channel_of(sf: SourceFile, expr: Node) -> str | None:
    """The timer path whose channel ``expr`` is: ``t.C``, ``t.C()``, ``t.Chan()``."""
    expr = a.unparen(expr)
    if expr.type == "call_expression" and not a.arguments(expr):
        expr = expr.child_by_field_name("function")
    elif expr.type == "call_expression":
        return None
    if expr.type != "selector_expression" or sf.text(expr.child_by_field_name("field")) not in _CHANNEL_MEMBERS:
        return None
    return _timer_path(sf, expr.child_by_field_name("operand"))


def _receives_from_timer(sf: SourceFile, recv: Node, stop: _Stop) -> bool:
    """``recv`` (``<-x``) receives from ``stop``'s timer's channel: ``x`` is its ``C``/``C()``,
    or a local that only ever holds that channel (or nil)."""
    operand = recv.child_by_field_name("operand")
    if operand is None:
        return False
    if _channel_of(sf, operand) == stop.timer:
        return True
    operand = a.unparen(operand)
    return operand.type == "identifier" and _alias_of_channel(sf, operand, stop)


def _alias_of_channel(sf: SourceFile, ident: Node, stop: _Stop) -> bool:
    """``ident`` is a local that holds nil or ``t.C()`` of ``stop``'s timer ``t`` (a plain
    local): every value it is given is one of those, and each time ``t`` is given a timer
    (not nil) the very next statement gives ``ident`` that timer's channel (dapr's
    ``ttlTimer = clock.NewTimer(d); ttlTimerC = ttlTimer.C()``)."""
    if "." in stop.timer or "(" in stop.timer:
        return False
    alias = a.local_binding(sf, sf.text(ident), ident)
    timer = a.local_binding(sf, stop.timer, stop.call)
    if alias is None or timer is None or alias.function != timer.function:
        return False
    alias_writes = _writes(sf, alias)
    timer_writes = _writes(sf, timer)
    if alias_writes is None or timer_writes is None:
        return False
    for _, value in alias_writes:
        if value is not None and sf.text(value) != "nil" and _channel_of(sf, value) != stop.timer:
            return False
    alias_statements = {stmt for stmt, value in alias_writes if value is not None}
    for stmt, value in timer_writes:
        if value is None or sf.text(value) == "nil":
            continue
        nxt = stmt.next_named_sibling
        while nxt is not None and nxt.type == "comment":
            nxt = nxt.next_named_sibling
        if nxt not in alias_statements:
            return False
    return True


def _writes(sf: SourceFile, binding: a.Binding) -> list[tuple[Node, Node | None]] | None:
    """(statement, value) for the binding's declaration and each plain ``=`` to it; None
    when it is written any other way (its address taken, several values from one call)."""
    out = [(binding.statement, binding.value)]
    if binding.value is None and binding.statement.type != "var_declaration":
        return None
    for ident in a.references(sf, binding):
        use = a.classify(sf, ident)
        if use.kind == "address":
            return None
        if use.kind != "assigned":
            continue
        stmt = ident.parent.parent
        if stmt.type != "assignment_statement" or sf.text(stmt.child_by_field_name("operator")) != "=":
            return None
        lefts, right = a.left_names(stmt), stmt.child_by_field_name("right")
        values = right.named_children if right is not None else []
        if len(values) != len(lefts):
            return None
        out.append((stmt, values[lefts.index(ident)]))
    return out


@dataclass(frozen=True)
class _Holder:
    """The statement that holds the receive, and whether dropping it keeps behaviour."""

    statement: Node
    direct: bool  # a statement of the if's own body
    removable: bool  # its value is not used and nothing else happens in it
    why_not: str = ""


def _blocking_receive(sf: SourceFile, stmt: Node, stop: _Stop) -> tuple[Node, _Holder] | None:
    """The first receive from ``stop``'s timer in ``stmt``'s body that blocks forever, and
    the statement that holds it; None when there is none, or the body may re-arm the timer
    (mentions it, or the variable holding it) before it."""
    body = stmt.child_by_field_name("consequence")
    root = _root_name(sf, stop.call.child_by_field_name("function").child_by_field_name("operand"))
    direct = a.statements(body)
    for recv in a.of_type(body, "unary_expression", skip_functions=True):
        if not a.is_receive(sf, recv) or not _receives_from_timer(sf, recv, stop):
            continue
        if any(_touches(sf, n, stop.timer) for n in a.of_type(body, "identifier") if sf.text(n) == root and n.start_byte < recv.start_byte):
            return None  # the timer may be re-armed (Reset) or replaced before the receive
        if any(x.type in ("for_statement", "func_literal") for x in a.ancestors(recv) if a.is_within(x, body) and x != body):
            return None
        holder = _holder(sf, recv, stop)
        if holder is None:
            continue  # a select that can take another case
        holder_stmt = holder.statement
        is_direct = holder_stmt in direct
        return recv, _Holder(holder_stmt, is_direct, holder.removable, holder.why_not)
    return None


def _touches(sf: SourceFile, ident: Node, timer: str) -> bool:
    """``ident`` (the timer path's first name) starts a use that may re-arm or replace the
    timer: the timer itself or a path leading to it (``j``, ``j.timer``, ``j.timer.Reset``),
    or a method called on any path from it (``j.reset()``). ``j.count++`` may not."""
    node = ident
    while node.parent is not None and node.parent.type == "selector_expression" and node.parent.child_by_field_name("operand") == node:
        node = node.parent
    path = "".join(sf.text(node).split())
    if path == timer or timer.startswith(path + ".") or path.startswith(timer + "."):
        return True
    parent = node.parent
    return parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == node


def _holder(sf: SourceFile, recv: Node, stop: _Stop) -> _Holder | None:
    parent = recv.parent
    if parent.type == "expression_statement":
        return _Holder(parent, False, True)
    if parent.type == "expression_list" and parent.parent is not None and parent.parent.type in (
        "assignment_statement", "short_var_declaration"
    ):
        assign = parent.parent
        lefts = a.left_names(assign)
        if assign.child_by_field_name("right") == parent and all(sf.text(x) == "_" for x in lefts) and len(parent.named_children) == 1:
            return _Holder(assign, False, True)
        return _Holder(assign, False, False, "the received value is used: the code that reads it never ran, decide what it should do")
    if parent.type == "receive_statement" and parent.child_by_field_name("right") == recv:
        case = parent.parent
        select = case.parent if case is not None and case.type == "communication_case" else None
        if select is None:
            return None
        cases = [c for c in select.named_children if c.type in ("communication_case", "default_case")]
        for c in cases:
            if c.type == "default_case":
                return None  # a select with a default cannot block
            comm = c.child_by_field_name("communication")
            right = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else None
            if right is None or not a.is_receive(sf, right) or not _receives_from_timer(sf, right, stop):
                return None  # another case can be taken
        for c in cases:
            comm = c.child_by_field_name("communication")
            if comm.child_by_field_name("left") is not None:
                return _Holder(select, False, False, "the received value is used: the code that reads it never ran, decide what it should do")
            case_line = sf.line_col(c.start_byte)[0]
            own_lines = [x for x in a.of_type(c, "comment") if sf.line_col(x.start_byte)[0] != case_line]
            if [s for s in a.statements(c) if s.type not in ("empty_statement", "comment")] or own_lines:
                return _Holder(select, False, False, "the select's case has statements of its own, which never ran: remove them by hand")
        return _Holder(select, False, True)
    return _Holder(a.statement_of(recv), False, False,
                   "the receive is part of a larger expression whose value is used: the code that reads it never ran")


def _fix(p: Pass, stmt: Node, stop: _Stop, holder: _Holder) -> tuple[Fix | None, str]:
    sf = p.file
    if not holder.removable:
        return None, holder.why_not
    if not holder.direct:
        return None, "the receive sits in a nested block of the if's body: drop it by hand"
    if stmt.child_by_field_name("alternative") is not None:
        return None, "the if has an else branch: write `if !t.Stop() { ...the else branch... }` by hand"
    body = stmt.child_by_field_name("consequence")
    trailing = line_comment_after(sf, holder.statement)
    # comments inside the receive's statement go with it (only those on a case's line are let through)
    comments = [c for c in a.of_type(body, "comment") if c != trailing and not a.is_within(c, holder.statement)]
    others = comments + [s for s in a.statements(body) if s != holder.statement]
    later = [s for s in a.statements(body) if s.start_byte > holder.statement.start_byte]
    grade = SAFE if _nothing_reads_after(p, stmt) and not later else REVIEW
    stop_text = sf.text(stop.call)
    if others:
        # the receive's line goes, with a comment that ends it (it is about the receive)
        edit = delete_line(sf, _Span(holder.statement.start_byte, (trailing or holder.statement).end_byte))
        if edit is None:
            return None, "the receive shares its line with other code: no layout gofmt keeps"
        return Fix("drop the receive: Stop returned true, so it can never complete", (edit,), applicability=grade), ""
    cond = stmt.child_by_field_name("condition")
    in_list = stmt.parent is not None and stmt.parent.type == "statement_list"
    if not in_list:
        return None, "the if is part of an else-if chain: drop the receive by hand"
    init = stmt.child_by_field_name("initializer")
    if init is not None and not a.is_within(stop.call, init):
        return None, "the if's initializer does more than call Stop: it would be lost with the if"
    if not stop.chain:
        if [c for c in a.of_type(stmt, "comment") if c != trailing and not a.is_within(c, holder.statement)]:
            return None, "the if's header holds comments that replacing it would lose"
        edit = TextEdit(stmt.start_byte, stmt.end_byte, stop_text.encode())
        return Fix(f"call `{stop_text}` alone: it returned true, so the receive after it can never complete", (edit,),
                   applicability=grade), ""
    if stmt.child_by_field_name("initializer") is not None:
        return None, "the condition chains an `ok :=` initializer with other conditions: rewrite it by hand"
    if cond.type != "binary_expression" or cond.child_by_field_name("right") != stop.conjunct:
        return None, "a condition follows the Stop call (or the condition is parenthesised): rewrite it by hand"
    left = cond.child_by_field_name("left")
    if sf.line_col(stmt.start_byte)[0] == sf.line_col(holder.statement.start_byte)[0]:
        return None, "the receive shares its line with the if: no layout gofmt keeps"
    edits = (
        TextEdit(cond.start_byte, cond.end_byte, sf.text(left).encode()),
        TextEdit(holder.statement.start_byte, holder.statement.end_byte, stop_text.encode()),
    )
    return Fix(f"call `{stop_text}` inside `if {sf.text(left)}` and drop the receive: it can never complete", edits,
               applicability=grade), ""


@dataclass(frozen=True)
class _Span:
    """A byte range for edits.delete_line: a statement and the comment that ends its line."""

    start_byte: int
    end_byte: int


def _nothing_reads_after(p: Pass, stmt: Node) -> bool:
    """Dropping the receive cannot leave a stale value for a later one: from Go 1.23 there is
    none, and a deferred function or the end of a function has no later receive."""
    if p.go_version >= (1, 23):
        return True
    fn = a.enclosing_function(stmt)
    if fn is None:
        return False
    if fn.type == "func_literal" and a.deferred_literal(fn) is not None:
        return True
    return bool(a.statements(a.body(fn))) and a.statements(a.body(fn))[-1] == stmt


RULE = Rule(
    name="drain-after-stop",
    summary="a receive from a timer's channel after its Stop() returned true blocks forever -> drop the receive",
    doc=DOC,
    run=run,
    triggers=(b"Stop()",),
)
