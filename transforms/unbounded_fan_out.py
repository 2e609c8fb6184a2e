"""unbounded-fan-out: one goroutine per element of a caller-supplied collection, joined after the loop, with nothing bounding how many run."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import Fix, TextEdit, insert_after_statement, insert_at_block_start, insert_before_statement
from gofixleaks.facts import own_loop
from gofixleaks.rule import Option, Pass, Rule

DOC = """\
## What it finds
A loop over a collection the function is handed (a parameter, a field, the result of a
call, or a local taken from one of those) that starts one goroutine per element (`go
func(){...}()`, `wg.Go(...)`, an errgroup's `g.Go(...)` without `SetLimit`) and waits for
them after the loop (`wg.Wait()`, `g.Wait()`, or receiving their results), with nothing
bounding how many run at once.

## Why it leaks
The width of the fan-out is the size of the input, which the function does not control:
ten items start ten goroutines, a hundred thousand start a hundred thousand, each with its
stack, its connections and its share of a backend that then slows every one of them. This
is a warning, not a leak that lasts: the goroutines end, but a large input can exhaust
memory, file descriptors or a rate limit before they do.

## When it is not reported
- in the default scan: the rule is opt-in (`--rule unbounded-fan-out`, or `enable` /
  `extend-enable` in .gofixleaks.toml). On the real-world corpus (bench/corpus) 1 of its 26
  findings was real (4%): almost every fan-out ran over configured items, cluster members,
  zones or endpoints, parallel on purpose, and no sign in the code told those from a
  collection that grows with outside input;
- the goroutines are not waited for after the loop, the loop is endless, or it ranges over
  a channel (those are `unbounded-goroutines`' findings), or a semaphore is taken before the
  launch or inside the goroutine;
- the loop ranges over a literal, a count (`for i := range n`), `make([]T, n)`, a local the
  function built itself, or takes no element (`for range xs`, `for i := range xs`: a pool
  sized by xs, which may be a fixed-size array);
- the goroutines live until shutdown (one per configured target is the configuration's
  width), run a service per item or stop things in parallel, as far as the names they call
  tell (`Run`, `Serve`, `Start`, `Listen`, `Watch`, `Loop`; `Stop`, `Shutdown`, `Close`,
  `Cancel`, `Kill`): a shutdown fan-out is parallel on purpose;
- `_test.go` files.

## When it is not fixed
- `fan-out-limit` is 0 (the default): the width that suits a fan-out depends on what its
  goroutines use (a backend's connection limit, a deadline the whole fan-out must meet), so
  no number is guessed. On the real-world corpus every fan-out a default of 10 would have
  bounded was either over configuration (a semaphore that never fills) or over slow I/O (a
  refresh that then outlasts its interval).
- a semaphore makes the launching loop wait for a free slot. That is safe only if every
  goroutine can finish without the loop's help, so the fix is offered only when the model
  proves the goroutines cannot block on anything the launching loop must drain: the
  goroutine (and every function of the package it calls, a few calls deep) sends,
  receives, selects and waits on nothing, calls no function value it was given, and the
  loop does not hold a lock. Otherwise the finding says what could block.
- `go f(x)` is not rewritten (wrapping it would change when its arguments are evaluated).

## The fix
With `fan-out-limit = 10` set, a channel semaphore of that many slots, taken before each launch and
given back when the goroutine returns:

    sem := make(chan struct{}, 10)
    for _, it := range items {
        wg.Add(1)
        sem <- struct{}{}
        go func() {
            defer func() { <-sem }()
            defer wg.Done()
            process(it)
        }()
    }

For an errgroup, `g.SetLimit(10)` right after the group is made. Both are `review` fixes:
they change how much runs at once.
"""

_ERRGROUP = "golang.org/x/sync/errgroup"


@dataclass(frozen=True)
class _Launch:
    stmt: Node  # the go statement, or the statement calling x.Go(...)
    literal: Node | None  # the func literal it runs
    loop: Node
    fn: Node
    group: str | None  # an errgroup's name


def run(p: Pass) -> None:
    v = m.view(p)
    sf = p.file
    for launch in _launches(sf):
        what = _caller_supplied(sf, launch.loop)
        if what is None or not _joined_after(sf, launch) or _bounded(sf, launch) or _lives_on(v, launch) or _teardown_or_service(sf, launch):
            continue
        message = (f"one goroutine per element of {what}, which the caller supplies, with nothing bounding how many run "
                   "at once: a large input starts as many goroutines")
        why = _may_block(v, launch)
        if why is not None:
            p.report(launch.stmt, message, notes=[f"not bounded automatically: {why}, and a semaphore would make the loop wait for it"])
            continue
        if not p.option("fan-out-limit"):
            p.report(launch.stmt, message, notes=["not bounded automatically: how many may run at once depends on what the goroutines use; set fan-out-limit to get a semaphore"])
            continue
        fix = _fix(p, launch)
        p.report(launch.stmt, message, [fix] if fix else [], [] if fix else ["the code around the launch is not laid out one statement a line: bound it by hand"])


def _launches(sf) -> list[_Launch]:
    out = []
    for n in a.of_type(sf.root, "go_statement", "expression_statement"):
        call = n.named_children[0] if n.named_children else None
        if call is None or call.type != "call_expression":
            continue
        fn = a.enclosing_function(n)
        loops = a.loops_between(n, fn) if fn is not None else []
        if not loops or a.loop_kind(sf, loops[0]) != "range":
            continue
        if n.type == "go_statement":
            f = call.child_by_field_name("function")
            out.append(_Launch(n, f if f.type == "func_literal" else None, loops[0], fn, None))
            continue
        mc = a.method_call(sf, call)
        args = a.arguments(call)
        if mc is None or mc[1] != "Go" or len(args) != 1 or args[0].type != "func_literal" or mc[0].type != "identifier":
            continue
        group = sf.text(mc[0]) if _is_errgroup(sf, fn, sf.text(mc[0])) else None
        out.append(_Launch(n, args[0], loops[0], fn, group))
    return out


def _is_errgroup(sf, fn: Node, name: str) -> bool:
    return _group_declaration(sf, fn, name) is not None


def _group_declaration(sf, fn: Node, name: str) -> Node | None:
    """The statement making errgroup ``name``: ``g, ctx := errgroup.WithContext(..)``,
    ``var g errgroup.Group``, ``g := new(errgroup.Group)``, ``g := &errgroup.Group{}``."""
    groups = {f"{alias}.Group" for alias in sf.aliases(_ERRGROUP)}
    for d in a.of_type(a.body(fn), "short_var_declaration", "var_declaration", skip_functions=True):
        if not a.declares(sf, d, name):
            continue
        text = sf.text(d).replace(" ", "")
        if any(g in text for g in groups) or any(a.is_call_to(sf, c, _ERRGROUP, ("WithContext",)) for c in a.of_type(d, "call_expression")):
            return d
    return None


def _caller_supplied(sf, loop: Node) -> str | None:
    """The text of what the loop ranges over when the caller supplies it: a parameter, a
    field, a call's result, or a local taken from one of those."""
    clause = next(c for c in loop.named_children if c.type == "range_clause")
    left = clause.child_by_field_name("left")
    right = a.unparen(clause.child_by_field_name("right"))
    if left is None or len(left.named_children) < 2:
        return None  # `for range xs`, `for i := range xs`: a pool sized by xs (an array, maybe)
    kind = a.value_kind(sf, right, loop)
    if kind in ("chan", "int", "literal"):
        return None
    if right.type == "selector_expression" and sf.text(right.child_by_field_name("field")) == "C":
        return None
    if right.type == "call_expression":
        return sf.text(right) if a.callee(sf, right) not in ((None, "make"), (None, "append")) else None
    if right.type == "selector_expression":
        return sf.text(right)
    if right.type != "identifier":
        return None
    if _is_param(sf, loop, sf.text(right)):
        return sf.text(right)
    value = _local_value(sf, loop, sf.text(right))
    if value is not None and (value.type == "selector_expression" or (value.type == "call_expression" and a.callee(sf, value) not in ((None, "make"),))):
        return sf.text(right)
    return None


def _is_param(sf, at: Node, name: str) -> bool:
    return any(a.params_declare(sf, fn, name) for fn in a.ancestors(at) if fn.type in a.FUNCTION_TYPES)


def _local_value(sf, at: Node, name: str) -> Node | None:
    fn = a.enclosing_function(at)
    found = None
    for d in a.of_type(a.body(fn), "short_var_declaration", skip_functions=True):
        if d.start_byte >= at.start_byte:
            break
        names = [sf.text(n) for n in a.left_names(d)]
        values = d.child_by_field_name("right").named_children
        if name in names:
            found = values[names.index(name)] if len(values) == len(names) else values[0] if len(values) == 1 else None
    for st in a.of_type(a.body(fn), "assignment_statement", skip_functions=True):
        if st.start_byte < at.start_byte and name in [sf.text(n) for n in a.left_names(st)]:
            return None  # reassigned (appended to, built up): the function's own collection
    return found


def _joined_after(sf, launch: _Launch) -> bool:
    """Something after the loop waits for the goroutines: a ``Wait()``, or a receive."""
    outer = a.loops_between(launch.stmt, launch.fn)[-1]
    for n in a.of_type(a.body(launch.fn), "call_expression", "unary_expression", "range_clause", skip_functions=True):
        if n.start_byte < outer.end_byte:
            continue
        if n.type == "call_expression" and (mc := a.method_call(sf, n)) is not None and mc[1] == "Wait" and not a.arguments(n):
            return True
        if n.type == "unary_expression" and a.is_receive(sf, n) or n.type == "range_clause" and a.value_kind(sf, n.child_by_field_name("right"), n) == "chan":
            return True
    return False


def _bounded(sf, launch: _Launch) -> bool:
    """A semaphore before the launch (a send or an Acquire in the iteration), one inside the
    goroutine (``unbounded-goroutines`` reports that), or an errgroup with SetLimit."""
    if launch.group is not None:
        return any((mc := a.method_call(sf, c)) is not None and mc[1] == "SetLimit" and sf.text(mc[0]) == launch.group
                   for c in a.of_type(a.body(launch.fn), "call_expression"))
    body = launch.loop.child_by_field_name("body")
    for n in a.of_type(body, "send_statement", "call_expression", skip_functions=True):
        if n.start_byte >= launch.stmt.start_byte:
            break
        if n.type == "send_statement" or ((mc := a.method_call(sf, n)) is not None and mc[1] in ("Acquire", "TryAcquire")):
            return True
    if launch.literal is not None:
        sends = {sf.text(s.child_by_field_name("channel")) for s in a.of_type(launch.literal, "send_statement")}
        receives = {sf.text(r.child_by_field_name("operand")) for r in a.of_type(launch.literal, "unary_expression") if a.is_receive(sf, r)}
        if sends & receives:
            return True
    return False


def _lives_on(v: m.View, launch: _Launch) -> bool:
    """The goroutine runs until shutdown: one per configured item is the configuration's width."""
    if launch.literal is None:
        return False
    if own_loop(v.sf, a.body(launch.literal)):
        return True
    return m.lifetime(v, m.Goroutine(launch.literal, launch.stmt, launch.fn, "go")) != m.ENDS


_TEARDOWN = ("stop", "shutdown", "close", "cancel", "teardown", "kill")
_SERVICE = ("run", "serve", "start", "listen", "watch", "loop")


def _teardown_or_service(sf, launch: _Launch) -> bool:
    """The goroutines stop things in parallel (``go s.Stop()``, a literal calling
    ``srv.Shutdown(ctx)``), which is the point of a shutdown fan-out, or they run a service
    per item (``go informer.Run(stop)``), whose number is the configuration's: judged by
    the names the goroutine calls itself."""
    scope = launch.literal if launch.literal is not None else launch.stmt
    for call in a.of_type(a.body(scope) if launch.literal is not None else scope, "call_expression", skip_functions=True):
        fn = call.child_by_field_name("function")
        name = sf.text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn).lower()
        if name.startswith(_TEARDOWN + _SERVICE):
            return True
    return False


def _may_block(v: m.View, launch: _Launch) -> str | None:
    """Why a goroutine of the fan-out might wait on something the loop must drain, or None
    when the model proves it cannot."""
    sf = v.sf
    if launch.literal is None:
        return "`go f(x)` is not rewritten (its arguments are evaluated at the launch)"
    body = a.body(launch.literal)
    for n in a.of_type(body, "send_statement", "unary_expression", "select_statement", "range_clause", "call_expression", "go_statement"):
        if n.type == "send_statement" and not _room_for_every_send(v, launch, n):
            return f"the goroutine sends on {sf.text(n.child_by_field_name('channel'))}"
        if n.type == "unary_expression" and a.is_receive(sf, n):
            return f"the goroutine receives from {sf.text(n.child_by_field_name('operand'))}"
        if n.type == "select_statement":
            return "the goroutine selects"
        if n.type == "range_clause" and m.may_be_channel(sf, n):
            return f"the goroutine ranges over {sf.text(n.child_by_field_name('right'))}, which may be a channel"
        if n.type == "call_expression":
            why = _call_may_block(v, launch, n)
            if why is not None:
                return why
    held = _lock_held(sf, launch)
    return f"the loop runs with {held} locked" if held else None


def _room_for_every_send(v: m.View, launch: _Launch, send: Node) -> bool:
    """A send of the goroutine's, once per goroutine, on a local channel made with room for
    one value per element (``make(chan T, len(xs))`` for ``range xs``): it never waits."""
    sf = v.sf
    chan = send.child_by_field_name("channel")
    if chan.type != "identifier" or a.loops_between(send, launch.literal):
        return False
    clause = next(c for c in launch.loop.named_children if c.type == "range_clause")
    room = f"len({sf.text(a.unparen(clause.child_by_field_name('right')))})"
    for make in m.channel_makes(sf):
        ch = m.local_channel(v, make) if a.is_within(make, launch.fn) else None
        if ch is not None and ch.name == sf.text(chan) and ch.capacity == room and launch.loop.start_byte > make.end_byte:
            return not a.loops_between(launch.stmt, launch.fn)[1:]  # one loop of launches
    return False


def _call_may_block(v: m.View, launch: _Launch, call: Node) -> str | None:
    sf = v.sf
    fn = call.child_by_field_name("function")
    text = sf.text(fn)
    mc = a.method_call(sf, call)
    if mc is not None and mc[1] in ("Wait", "Lock", "RLock") and not a.arguments(call):
        return f"the goroutine calls {text}()" if mc[1] == "Wait" else None
    if fn.type == "identifier":
        name = sf.text(fn)
        if v.index is not None and v.index.functions(v.package, name, False):
            return f"the goroutine calls {name}, which may wait on a channel" if v.index.blocks(v.package, name, False) else None
        if name in ("len", "cap", "append", "copy", "delete", "make", "new", "panic", "print", "println", "min", "max", "clear") \
                or name in a.INT_TYPES or name in ("string", "float64", "float32", "bool"):
            return None
        return f"the goroutine calls the function value {name}, whose body is not known"
    if fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        if operand.type == "identifier" and sf.text(operand) in sf.imports:
            chans = [x for x in a.arguments(call) if a.value_kind(sf, x, call) == "chan"]
            return f"the goroutine hands the channel {sf.text(chans[0])} to {text}" if chans else None
        name = sf.text(fn.child_by_field_name("field"))
        if v.index is None or v.index.is_func_field(v.package, name):
            return f"the goroutine calls {text}, which may be a func value whose body is not known"
        if v.index.blocks(v.package, name, True):
            return f"the goroutine calls {text}, which may wait on a channel"
        return None
    return f"the goroutine calls {text}, whose body is not known"


def _lock_held(sf, launch: _Launch) -> str | None:
    """A mutex the function locks before the loop and does not unlock before it."""
    held: dict[str, int] = {}
    for call in a.of_type(a.body(launch.fn), "call_expression", skip_functions=True):
        if call.start_byte >= launch.loop.start_byte:
            break
        mc = a.method_call(sf, call)
        if mc is None or mc[1] not in ("Lock", "RLock", "Unlock", "RUnlock"):
            continue
        if a.enclosing(call, "defer_statement", stop_at=a.FUNCTION_TYPES) is not None:
            continue
        name = sf.text(mc[0])
        held[name] = held.get(name, 0) + (1 if mc[1] in ("Lock", "RLock") else -1)
    return next((k for k, n in held.items() if n > 0), None)


def _fix(p: Pass, launch: _Launch) -> Fix | None:
    sf = p.file
    n = p.option("fan-out-limit")
    if launch.group is not None:
        decl = _group_declaration(sf, launch.fn, launch.group)
        edit = insert_after_statement(sf, decl, f"{launch.group}.SetLimit({n})") if decl is not None else None
        return Fix(f"limit the errgroup to {n} goroutines at once", (edit,)) if edit else None
    sem = a.free_name(sf, launch.loop, "sem")
    outer = a.statement_of(a.loops_between(launch.stmt, launch.fn)[-1])
    edits = (
        insert_before_statement(sf, outer, [f"{sem} := make(chan struct{{}}, {n})"]),
        insert_before_statement(sf, launch.stmt, [f"{sem} <- struct{{}}{{}}"]),
        insert_at_block_start(sf, a.body(launch.literal), f"defer func() {{ <-{sem} }}()"),
    )
    if any(e is None for e in edits):
        return None
    return Fix(f"run at most {n} goroutines at once (semaphore {sem})", tuple(e for e in edits if isinstance(e, TextEdit)))


RULE = Rule(
    name="unbounded-fan-out",
    summary="one goroutine per element of a caller-supplied collection, joined after the loop, unbounded -> a semaphore when provably safe",
    doc=DOC,
    run=run,
    triggers=(b"go ", b".Go("),
    skips_tests=True,
    default=False,  # 4% precision on the corpus: see DOC
    # no default width: on real services every fixed fan-out was over configuration (a
    # semaphore that never fills) or over I/O a fixed 10 slows past its deadline
    options=(Option("fan-out-limit", 0, "slots of the semaphore the fix puts in; 0: report only", minimum=0),),
    needs_package=True,
)
