"""range-without-stop: a goroutine ranges over its receiver's channel field, or its package's channel, which nothing closes, although the receiver has a stop signal."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import Fix
from gofixleaks.rule import Pass, Rule

from . import _goroutine as g_

DOC = """\
## What it finds
A `for v := range x.f` loop over a channel field of the receiver `x`, in a method of `T`
that the package runs as a goroutine (`go x.loop()`, a goroutine's literal calling it,
or a launcher the facts know) or in a goroutine literal inside a method of `T`, where:
- no file of the package closes a field called `f` (`close(y.f)` for any `y`: a
  same-named field of another type cannot be told apart), hands its value on (an
  argument, a result, a value sent, assigned or put in a literal, its address taken) or
  fills it with a channel made elsewhere (`y.f = ch` or `T{f: ch}` for a call's result or
  a parameter, not a `make` of its own: whoever made it may close it, as watermill's
  subscribers close what `Subscribe(ctx, topic)` returned once ctx ends), and `f` is
  unexported (another package could close an exported one);
- or, in the same places, a `for v := range ch` over a package-level channel `ch`
  declared `var ch = make(chan T, n)` (syncthing's `incomingIndexes`), unexported, that
  no file of the package closes (`close(ch)` where no local or parameter declares `ch`),
  assigns, takes the address of, or hands on (by name: a local of the same name handed on
  counts too);
- `T` has a stop signal the package fires: a done/stop/quit/closed `chan struct{}` field
  some function of the package closes, or a `context.Context` field beside a cancel func
  field that some function calls.

## Why it leaks
A range over a channel ends only when the channel is closed, and nothing closes this one:
its senders live elsewhere and may still send, so closing it is not an option (a send on
a closed channel panics). Once `T` is stopped the loop waits for a value that never
comes, and its goroutine stays blocked forever with everything `x` references
(syncthing's `writerLoop` over `c.outbox` after the connection closed; its
`indexSerializerLoop` over the package's `incomingIndexes`, one per connection).

## When it is not reported
- the field is closed anywhere in the package (by any operand), handed on, filled from
  elsewhere, exported, or not declared a channel field of `T`;
- the package channel is closed, assigned, handed on or exported, is declared without a
  `make` (`var ch chan T`), or twice (build tags), or a local there shadows its name;
- `T` has no stop signal the package fires (a done channel nobody closes, a context with
  no cancel func called);
- the method's name is shared by methods of several types and the model started it
  (the `go` statement's receiver type cannot be told);
- a plain function (not a method) or a function literal outside a method.

## When it is not fixed
- the goroutine's function has results;
- the loop body has a `break` that leaves the loop: in a select it would leave the select;
- the loop sits inside another loop, or statements follow it that run otherwise than
  after the range ends (inside an `if`, after a labelled `break`): a `return` would skip
  them;
- the loop's layout cannot be kept (it shares a line, is not tab-indented, holds a
  multi-line raw string).
A done channel that may be nil (no constructor makes it) keeps today's behaviour: a
case on a nil channel never fires.

## The fix
The range becomes a for-select that also stops on the owner's signal (`review`: values
still queued when the signal fires are not read). A package channel is shared: several
goroutines (one per connection) range over the same one, and with the fix each leaves on
its own owner's signal, while values still queued are read by the others or, once none is
left, dropped, and a send on it outside a select then blocks (syncthing's readers, as
upstream's same fix left them); the fix's message says so.
`for { select { case v := <-x.f: BODY; case <-x.stop: return } }`, BODY moved one tab in
byte for byte.
"""


def run(p: Pass) -> None:
    v = m.view(p)
    if v.index is None:
        return
    sf = p.file
    for g in m.goroutines(v):
        method = g.body if g.body.type == "method_declaration" else a.enclosing(g.body, "method_declaration")
        key = a.function_key(sf, method) if method is not None else None
        recv = a.receiver_name(sf, method) if method is not None else None
        if key is None or recv is None or (g.body is method and not _started(v, key)):
            continue
        for clause in a.of_type(a.body(g.body), "range_clause", skip_functions=True):
            chan = _ranged(v, sf, clause, recv, key[1])
            sig = _stop_signal(v, key[1], recv, chan.removeprefix(recv + ".")) if chan is not None else None
            if sig is None:
                continue
            loop = clause.parent
            message = (f"nothing closes {chan}: ranging over it never ends, so this goroutine blocks "
                       f"forever once {key[1]} is stopped ({sig.done_expr()} fires)")
            edit, why = _fix(sf, g.body, loop, clause, sig)
            if edit is None:
                p.report(loop, message, notes=[why])
            else:
                shared = "" if chan.startswith(recv + ".") else (
                    f" (every {key[1]}'s goroutine ranges over the package's {chan}: each now leaves on its own "
                    f"{sig.done_expr()}: values still queued are read by the others or dropped, and a send outside a select "
                    f"blocks once all have left)")
                p.report(loop, message, [Fix(f"return on <-{sig.done_expr()}{shared}", (edit,))])


def _ranged(v: m.View, sf, clause: Node, recv: str, typ: str) -> str | None:
    """The channel ``clause`` ranges over that nothing ends a range over: ``recv.f``, an
    unclosed field of ``typ`` (_unclosed), or the package's own channel ``ch``
    (PackageIndex.own_channel), with at most one value on the left and neither name a
    local there."""
    left = clause.child_by_field_name("left")
    right = a.unparen(clause.child_by_field_name("right"))
    if left is not None and len(left.named_children) > 1:
        return None
    if right.type == "identifier":
        name = sf.text(right)
        return name if v.index.own_channel(v.package, name) and not a.surely_local(sf, right) else None
    field = _receiver_field(sf, right, recv, clause)
    return f"{recv}.{field}" if field is not None and _unclosed(v, typ, field) else None


def _started(v: m.View, key: tuple[str, str]) -> bool:
    """Whether the package's starts of method ``key`` are this type's: the model matches
    methods by name, so the name must belong to one type only."""
    return {f.recv for f in v.index.functions(v.package, key[0], True)} == {key[1]}


def _receiver_field(sf, right: Node, recv: str, clause: Node) -> str | None:
    """``f`` for `range recv.f`, ``recv`` not shadowed."""
    if right.type != "selector_expression":
        return None
    operand = right.child_by_field_name("operand")
    if operand.type != "identifier" or sf.text(operand) != recv or a.local_declaration(sf, recv, clause) is not None:
        return None
    return sf.text(right.child_by_field_name("field"))


def _unclosed(v: m.View, typ: str, field: str) -> bool:
    """An unexported channel field of ``typ`` that no function of the package closes or
    hands on (fields are matched by name, whatever their operand)."""
    facts = v.facts
    if not field[:1].islower() or (typ, field, "chan") not in facts.fields:
        return False
    return not v.index.field_use(v.package, field).closes and not v.index.handed_out(v.package, field)


def _stop_signal(v: m.View, typ: str, recv: str, field: str) -> a.Cancellation | None:
    """``recv.S`` for a done-channel field of ``typ`` that the package closes, else
    ``recv.ctx`` for a context field of it beside a cancel func field some function calls."""
    found = v.facts.signal_fields(typ)
    for name, kind in found:
        if kind == "signal" and name != field and v.index.field_use(v.package, name).closes:
            return a.Cancellation(f"{recv}.{name}", "channel")
    struct = v.index.struct(v.package, typ)
    cancels = {f.name for f in struct.fields if f.kind == "cancel"} if struct is not None else set()
    called = any(c in f.calls for f in v.facts.functions if f.package == v.package for c in cancels)
    return next((a.Cancellation(f"{recv}.{name}", "context") for name, kind in found if kind == "context" and called), None)


def _fix(sf, fn: Node, loop: Node, clause: Node, sig: a.Cancellation):
    """(edit, None), or (None, why not)."""
    if fn.child_by_field_name("result") is not None:
        return None, "the goroutine's function has results: decide what it returns when stopped"
    if any(not b.named_children for b in a.loop_breaks(loop)):
        return None, "a break in the loop body would leave the select instead of the loop: rewrite it by hand"
    why = _follows(sf, fn, loop)
    if why is not None:
        return None, why
    return g_.range_as_select(sf, loop, clause, sig)


def _follows(sf, fn: Node, loop: Node) -> str | None:
    """Why a `return` in place of the loop's end would skip code that runs today: the loop
    inside another loop, or statements after it reached otherwise than by the range ending
    (which never happens): the loop is not at the function's top level, or a labelled break
    leaves it."""
    stmt = loop.parent if loop.parent.type == "labeled_statement" else loop
    body = a.body(fn)
    for x in [stmt, *a.ancestors(stmt)]:
        if x == body:
            return None
        if x.type == "for_statement" and x != loop:
            return "the loop sits inside another loop, whose next round a return would skip: rewrite it by hand"
        after = x.next_named_sibling
        while after is not None and after.type == "comment":
            after = after.next_named_sibling
        top = x == stmt and (x.parent == body or x.parent.parent == body)
        if after is not None and x.parent.type in ("block", "statement_list") and (not top or a.loop_breaks(loop)):
            return f"code after the loop (line {sf.line_col(after.start_byte)[0]}) runs today, and a return would skip it: rewrite it by hand"
    return None


RULE = Rule(
    name="range-without-stop",
    summary="a goroutine ranges over its receiver's channel field or its package's channel that nothing closes -> also return on the receiver's stop signal",
    doc=DOC,
    run=run,
    triggers=(b"range",),
    severity="warning",
    example="writer-loop",
    needs_package=True,
)
