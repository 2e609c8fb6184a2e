"""Result channels: an unbuffered local channel that goroutines started in the same function
send on and that the function itself receives from. early-return-send reports the ones
whose receiver can stop listening first; send-without-cancel asks
``abandoned_result_send`` so that one construct gets one finding.

The channel and its partners come from the package model (``m.local_channel``): the
goroutines are every literal the model sees started (``go``, ``wg.Go``, a launcher), and a
send may sit one call below one, in a closure of the function or in a function of the
package it hands the channel to (``go func() { fetch(ch) }()``, ``go fetch(ch)``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.source import SourceFile

_NEVER = float("-inf")  # sends counted on a path that does not fall through
_GOES_ON = ": with a buffer that code would run after the receiver has left; move it before the send, then buffer the channel"


@dataclass(frozen=True)
class Sender:
    """One goroutine started where the channel is made, and where it sends on it."""

    start: Node  # the statement that starts it: `go ...`, or the call handing a literal to wg.Go or a launcher
    body: Node | None  # its func_literal; None for `go f(ch)`, whose sends are f's
    # where it sends, each counted where it stands in ``body`` (a send, a defer, a call that
    # sends one call below), with how many sends one passage makes (None: unknown)
    sites: tuple[tuple[Node, int | None], ...]


@dataclass(frozen=True)
class ResultChannel:
    make: Node  # make(chan T) or make(chan T, 0)
    binding: a.Binding
    sends: tuple[Node, ...]  # the send_statements of this file: in a goroutine started here, or a closure it calls
    why: str | None  # how the receiver stops listening first; None: it never does
    capacity: str | None  # a buffer with room for every send; None: unknown
    no_fix: str | None  # why a buffer would change more than the leak (a sender goes on after its send)

    @property
    def sender_goes_on(self) -> bool:
        return self.no_fix is not None


class _Unknown(Exception):
    """A count the syntax cannot bound (a send in a loop, a loop of unknown length)."""


def result_channel(v: m.View | SourceFile, make: Node) -> ResultChannel | None:
    """The result channel that ``make`` creates, or None when it is something else: buffered,
    not a fresh local, passed on, sent on outside a goroutine started here, received from
    inside one, or sent on only in ``select``s that can give up. Given a bare file (no
    package: evidence asks so), only sends written in goroutine literals count, as before
    the model: a no_fix then always means a send that goes on."""
    if isinstance(v, SourceFile):
        v = m.View(v, None, v.package_name)
    # asked by early-return-send per make and by send-without-cancel per send: kept on the file
    memo = v.sf.cached(f"result-channels-{id(v.facts)}", dict)
    if make.start_byte not in memo:
        memo[make.start_byte] = _result_channel(v, make)
    return memo[make.start_byte]


def _result_channel(v: m.View, make: Node) -> ResultChannel | None:
    sf = v.sf
    ch = m.local_channel(v, make)
    args = a.arguments(make)
    if ch is None or ch.capacity or ch.stored or len(args) > 2:
        return None
    if ch.escapes and not _escapes_by_own_call(sf, ch):
        return None
    if sf.text(args[0]).replace(" ", "").startswith("chan<-"):
        return None
    fn = ch.binding.function
    starts = _started_literals(v, fn)
    # start -> (site, what sends there: a send, a closure, a call) -> sends per passage
    senders: dict[Node, dict[tuple[Node, Node], int | None]] = {}
    bodies: dict[Node, Node | None] = {}
    sends: list[Node] = []
    goes_on: list[str] = []
    handed: list[str] = []  # how each function the receiver hands the channel to leaves without it
    guarded = True
    for op in ch.ops:
        if op.kind in ("recv", "range"):
            if op.where is not None:
                return None  # received inside a closure or goroutine: not the function's result
        elif op.kind == "send":
            found = _send_sites(sf, op.node, fn, starts, v.facts is not None)
            if found is None:
                return None
            sends.append(op.node)
            guarded = guarded and _guarded(sf, op.node)
            if not _last_action(op.node, [o.node for o in ch.of_kind("send")]):
                goes_on.append(f"a sender goes on after its send{_GOES_ON}")
            for start, site, weight in found:
                # a closure's sends are counted once per call of it, whichever of them asks
                origin = op.node if site.type in ("send_statement", "defer_statement") else a.enclosing_function(op.node)
                senders.setdefault(start, {})[site, origin] = weight
                bodies[start] = starts[start]
                if site.type not in ("send_statement", "defer_statement") and not _last_action(site, []):
                    goes_on.append(f"a sender goes on after the call that sends{_GOES_ON}")
        elif op.kind == "handoff" and op.where is None and op.node.parent.type != "go_statement":
            # the function hands it over itself, not to a goroutine: its receiving partner
            leaves = None if op.looped else _callee_leaves(sf, op.node, ch.name)
            if leaves is None:
                return None
            handed.append(leaves)
        elif op.kind == "handoff":
            use = op.use
            if use is None or use.sends == 0 or use.receives or use.ranges or use.in_goroutine:
                return None  # what the callee does is not a plain send: not a result channel
            guarded = guarded and not use.blocking
            weight = 1 if use.sends == 1 else None
            callee_goes_on = _callee_goes_on(v, op.node, ch.name, use)
            if callee_goes_on:
                goes_on.append(callee_goes_on)
            if op.node.parent is not None and op.node.parent.type == "go_statement" and a.enclosing_function(op.node) == fn:
                start = op.node.parent  # `go f(ch)`: f is the goroutine
                senders.setdefault(start, {})[start, op.node] = weight
                bodies[start] = None
                continue
            lit = a.enclosing_function(op.node)
            start = next((s for s, body in starts.items() if body == lit), None)
            if start is None:
                return None  # handed over by the function itself, or by a closure: not a sender we can count
            site = a.statement_of(op.node)
            senders.setdefault(start, {})[site, op.node] = weight if _counted_once(site, op.node) else None
            bodies[start] = lit
            if not _last_action(site, []):
                goes_on.append(f"a sender goes on after the call that sends{_GOES_ON}")
    receives = [op.node for op in ch.of_kind("recv", "range")]
    if not senders or guarded or _reply_shape(ch):
        return None
    group = {s: Sender(s, bodies[s], tuple((site, w) for (site, _), w in sites.items())) for s, sites in senders.items()}
    # a failed test's stranded sender is everyone's problem when the package checks for leaks
    failing = v.facts is not None and v.facts.checks_leaks and a.in_test(sf, make)
    if handed:
        if receives or len(handed) > 1:
            return None  # received here too, or by several callees: not followed
        why = handed[0]
    else:
        why = _abandoned(sf, ch.binding, receives, group, _finished_receives(v, ch, group), failing)
    if why is not None and not failing and a.in_test(sf, make) and _failures_only(sf, receives, sends, bodies):
        why = None
    try:
        capacity = _capacity(sf, ch.binding, group)
    except _Unknown:
        capacity = None
    return ResultChannel(make, ch.binding, tuple(sends), why, capacity, goes_on[0] if goes_on else None)


def _escapes_by_own_call(sf: SourceFile, ch: m.LocalChannel) -> bool:
    """Whether the only way ``ch`` escapes is being handed, by its function itself, to a
    call the package summaries cannot follow (a local closure: `keepConnLive(w, r, respCh)`):
    every reference is the operand or argument of one of its operations, and every such
    handoff is in the function's own body, where _callee_leaves reads the callee."""
    direct = {op.node for op in ch.ops}
    if any(ref.parent not in direct and ref.parent.parent not in direct for ref in a.references(sf, ch.binding)):
        return False
    return all(op.where is None and op.node.parent.type != "go_statement"
               for op in ch.ops if op.kind == "handoff" and (op.use is None or op.use.escapes))


def _callee_leaves(sf: SourceFile, call: Node, name: str) -> str | None:
    """How the function ``call`` hands channel ``name`` to may return without receiving from
    it, when it only ever receives from it in select cases and another case of such a
    select returns (minio's HealHandler: its `keepConnLive` closure leaves on `case
    <-r.Context().Done(): return`, and the goroutine's send on respCh strands); None when
    it does anything else with the channel, or cannot be read (a local func literal bound
    once and only called, or the one declaration of its name in this file). A case that
    fails the test is no way out of a passing run."""
    callee = _callee_body(sf, call)
    args = a.arguments(call)
    index = next((i for i, x in enumerate(args) if x.type == "identifier" and sf.text(x) == name), -1)
    param = _param_name(sf, callee, index) if callee is not None else None
    if param is None or param == "_" or sum(sf.text(x) == name for x in args) != 1:
        return None
    cases: list[Node] = []
    for ref in a.walk(a.body(callee)):
        if ref.type != "identifier" or sf.text(ref) != param:
            continue
        recv, stmt = ref.parent, ref.parent.parent
        case = stmt.parent if stmt is not None else None
        if not (a.is_receive(sf, recv) and stmt.type == "receive_statement" and case.type == "communication_case"
                and case.child_by_field_name("communication") == stmt and a.enclosing_function(case) == callee):
            return None  # sent on, passed on, closed, received outside a select, or shadowed
        cases.append(case)
    exits = [c for case in cases for c in case.parent.named_children
             if c not in cases and c.type in ("communication_case", "default_case") and not _may_wait_for_sender(sf, c)
             and next(a.of_type(c, "return_statement", skip_functions=True), None) is not None and not a.fails_test(sf, c)]
    if not exits:
        return None
    head = exits[0].child_by_field_name("communication")
    how = f"case {sf.text(head)}:" if head is not None else "default:"
    return f"hands it to {sf.text(call.child_by_field_name('function'))}, which can return without receiving it (`{how}`)"


def _may_wait_for_sender(sf: SourceFile, case: Node) -> bool:
    """Whether select ``case`` receives from a plain local or parameter (`case <-done:`),
    which the sender may close only once its send was taken (`defer close(done)`): not
    read, so no way out. A context's `Done()`, a timer, a field stop channel are."""
    comm = case.child_by_field_name("communication")
    recv = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else None
    operand = a.unparen(recv.child_by_field_name("operand")) if recv is not None and a.is_receive(sf, recv) else None
    return operand is not None and operand.type == "identifier"


def _callee_body(sf: SourceFile, call: Node) -> Node | None:
    """The function ``call`` runs, when this file says which: a func literal bound once to a
    local (`keep := func(...) {...}`) that is only ever called, or the one declaration of
    its name in this file."""
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "identifier" and a.local_declaration(sf, sf.text(fn), call) is not None:
        values = a.defined_values(sf, sf.text(fn), call)
        lit = a.unparen(values[0]) if len(values) == 1 else None
        binding = a.assignments(sf, lit) if lit is not None and lit.type == "func_literal" else None
        if binding is None or binding.statement.type == "assignment_statement" or any(
                ref.parent.type != "call_expression" or ref.parent.child_by_field_name("function") != ref
                for ref in a.references(sf, binding)):
            return None
        return lit
    decls = _declarations(sf, call)
    return decls[0] if len(decls) == 1 else None


def _started_literals(v: m.View, fn: Node) -> dict[Node, Node]:
    """The statement that starts each goroutine literal written directly in ``fn`` (``go``,
    ``wg.Go``, ``errgroup``'s ``g.Go``, a launcher), mapped to the literal."""
    every = v.sf.cached(f"started-literals-{id(v.facts)}", lambda: [g for g in m.goroutines(v) if g.start is not None])
    return {g.start: g.body for g in every if g.caller == fn and g.body.type == "func_literal"}


def _send_sites(sf: SourceFile, send: Node, fn: Node, starts: dict[Node, Node], closures: bool) -> list[tuple[Node, Node, int | None]] | None:
    """(goroutine start, site, sends per passage) for ``send``: in a goroutine literal of
    ``fn`` (a deferred send counts where its defer statement is), or in a closure of ``fn``
    that only goroutine literals call (counted at each call; ``closures``); None otherwise."""
    scope = a.enclosing_function(send)
    deferred = a.deferred_literal(scope) if scope is not None else None
    lit = a.enclosing_function(scope) if deferred else scope
    start = next((s for s, body in starts.items() if body == lit), None)
    if start is not None:
        return [(start, deferred or send, 1)]
    binding = a.assignments(sf, scope) if scope is not None and scope.type == "func_literal" and closures else None
    if deferred is not None or binding is None or binding.function != fn or binding.statement.type == "assignment_statement":
        return None
    out = []
    for ref in a.references(sf, binding):
        call = ref.parent
        caller = a.enclosing_function(call)
        start = next((s for s, body in starts.items() if body == caller), None)
        if call.type != "call_expression" or call.child_by_field_name("function") != ref or start is None:
            return None  # called by the function itself, or passed on: its sends cannot be counted
        site = a.statement_of(call)
        out.append((start, site, _closure_sends(sf, scope, send) if _counted_once(site, call) else None))
    return out


def _closure_sends(sf: SourceFile, closure: Node, send: Node) -> int | None:
    """The most sends on ``send``'s channel one call of ``closure`` makes; None: unknown."""
    name = sf.text(send.child_by_field_name("channel"))
    sites = [s for s in a.of_type(a.body(closure), "send_statement", skip_functions=True)
             if sf.text(s.child_by_field_name("channel")) == name]
    try:
        return _weighed(sf, closure, [(s, 1) for s in sites])
    except _Unknown:
        return None


def _counted_once(site: Node, call: Node) -> bool:
    """Whether ``call`` runs once each time its statement ``site`` does (not in a loop's header)."""
    return site.type in ("expression_statement", "short_var_declaration", "assignment_statement", "return_statement") \
        and not any(x.type in ("func_literal", "for_statement") for x in a.ancestors(call) if a.is_within(x, site) and x != site)


def _callee_goes_on(v: m.View, call: Node, name: str, use: m.ChanUse) -> str | None:
    """Why the function ``call`` hands channel ``name`` to might do more than return after
    its send, or None when each of its sends on it is its last action. Only a declaration
    of this file is read; the summary of one elsewhere does not say."""
    sf = v.sf
    target = m.named_callee(sf, call.child_by_field_name("function"))
    index = next((i for i, x in enumerate(a.arguments(call)) if sf.text(x) == name), -1)
    decls = _declarations(sf, call)
    who = target[0] if target is not None else "the callee"
    if not decls or use.handoffs:
        return f"{who} is not declared in this file: whether it goes on after its send is not read; buffer the channel by hand once it does not"
    for d in decls:
        param = _param_name(sf, d, index)
        sends = [s for s in a.of_type(a.body(d), "send_statement") if sf.text(s.child_by_field_name("channel")) == param]
        if param is None or not sends or any(a.enclosing_function(s) != d or not _last_action(s, sends) for s in sends):
            return f"{who} goes on after its send{_GOES_ON}"
    return None


def _declarations(sf: SourceFile, call: Node) -> list[Node]:
    """The declarations of this file that ``call`` may run (every method of its name)."""
    target = m.named_callee(sf, call.child_by_field_name("function"))
    return [d for d in sf.root.named_children if target is not None and d.type in ("function_declaration", "method_declaration")
            and sf.text(d.child_by_field_name("name")) == target[0] and (d.type == "method_declaration") == target[1]]


def _param_name(sf: SourceFile, fn: Node, index: int) -> str | None:
    i = 0
    for p in fn.child_by_field_name("parameters").named_children:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        for n in p.children_by_field_name("name") or [None]:
            if i == index:
                return sf.text(n) if n is not None else None
            i += 1
    return None


def _last_action(send: Node, sends: list[Node]) -> bool:
    """Whether nothing but more ``sends`` and a return follows ``send`` in its function (the
    goroutine, or a closure it defers): a buffer then only lets the goroutine end, and
    changes nothing else it does."""
    top = a.body(a.enclosing_function(send))
    node = send
    while node != top:
        parent = node.parent
        if parent.type in ("statement_list", "communication_case"):
            # in a select case, what follows the send is the case's body
            siblings = a.statements(parent) if parent.type == "communication_case" else parent.named_children
            for x in siblings:
                if x.start_byte <= node.start_byte or x.type == "comment" or x in sends:
                    continue  # before it, or one more send on the channel
                return x.type == "return_statement" and not x.named_children
        elif parent.type in ("for_statement", "labeled_statement"):
            return False
        node = parent
    return True


def _reply_shape(ch: m.LocalChannel) -> bool:
    """abandoned-reply's construct (a channel only handed to helpers, awaited by one
    select outside any loop): that rule reports it, once."""
    recvs = ch.of_kind("recv")
    return (not ch.of_kind("send", "range", "close") and len(recvs) == 1 and recvs[0].guarded
            and recvs[0].where is None and not recvs[0].looped)


def abandoned_result_send(v: m.View, send: Node) -> bool:
    """Whether ``send`` (a send_statement) is on a channel early-return-send reports."""
    top = ([f for f in a.ancestors(send) if f.type in a.FUNCTION_TYPES] or [None])[-1]
    if top is None:
        return False
    return any(
        send in rc.sends
        for make in v.sf.cached("model-channel-makes", lambda: m.channel_makes(v.sf)) if a.is_within(make, top)
        for rc in [result_channel(v, make)]
        if rc is not None and rc.why is not None
    )


def _guarded(sf: SourceFile, send: Node) -> bool:
    """A send that is a case of a ``select`` which can take a default or a receive instead."""
    case = send.parent
    if case is None or case.type != "communication_case" or case.child_by_field_name("communication") != send:
        return False
    return any(
        c.type == "default_case" or (c.type == "communication_case" and c.child_by_field_name("communication").type == "receive_statement")
        for c in case.parent.named_children
    )


# ---------------------------------------------------------------------------- the receiver


def _outer_loop(node: Node, binding: a.Binding) -> Node | None:
    """The outermost loop around (or being) receive ``node`` that does not also hold the
    channel's ``make``: the receiver listens until that loop ends."""
    loops = ([node] if node.type == "for_statement" else []) + a.loops_between(node, binding.function)
    loops = [lp for lp in loops if not a.is_within(binding.statement, lp)]
    return loops[-1] if loops else None


def _abandoned(sf, binding, receives, senders, finished, failing: bool = False) -> str | None:
    """How the receiving side can stop listening while a sender still has to send;
    ``finished``: receives after which no sender has a send left (``_finished_receives``);
    ``failing``: a way out taken only once the test has failed counts too (its package
    checks for leaked goroutines, so the stranded sender fails that check and later tests)."""
    fails_test = (lambda sf, node: False) if failing else a.fails_test
    after_failure = (lambda sf, node: False) if failing else a.exit_after_failure
    if not receives:
        return None
    total = _send_total(sf, binding, senders)
    for r in receives:
        case = next((x for x in a.ancestors(r) if x.type == "communication_case"), None)
        if case is None or not a.is_within(r, case.child_by_field_name("communication")):
            continue
        select = case.parent
        others = [c for c in select.named_children if c.type in ("communication_case", "default_case") and c != case]
        # in a loop only a return or break stops listening; a case that receives later is fine,
        # and so is one that goes on to a receive after the select (`case <-timeout: log`,
        # then `return <-ch`): that receiver always drains
        drains_later = any(x.start_byte >= select.end_byte for x in receives)
        # a case that fails the test abandons the sender only in a run that already failed
        if _outer_loop(r, binding) is None and any(
            not any(a.is_within(x, c) for x in receives) and not (drains_later and not _leaves(sf, c))
            and not fails_test(sf, c) and not _finished(c, finished) for c in others
        ):
            return "takes another case of its select"
    first_started = min(g.start.end_byte for g in senders.values())
    outer = [_outer_loop(r, binding) for r in receives]
    loops = set(outer)
    region_end = max((lp or a.statement_of(r)).end_byte for lp, r in zip(outer, receives))
    exits = list(a.of_type(a.body(binding.function), "return_statement", skip_functions=True))
    # a labeled break that leaves only an inner loop is no exit of the receive loop
    exits += [b for lp in loops - {None} for b in a.loop_breaks(lp)
              if (t := a.break_target(sf, b)) is None or a.is_within(lp, t)]
    if failing:  # a failed assertion that ends the test's goroutine leaves it as a return does
        exits += [s for s in a.of_type(a.body(binding.function), "expression_statement", skip_functions=True)
                  if a.stops_test(sf, s)]
    for x in exits:
        if not (first_started <= x.start_byte < region_end) or any(a.is_within(r, x) for r in receives):
            continue
        if after_failure(sf, x) or _after_signal(x, finished):
            continue  # the run has failed, or the sender is done
        # after a receive, an exit is how the receiver ends when one value is all there is, or
        # when it counts values in an endless loop
        loop = next((lp for lp in loops if lp is not None and a.is_within(x, lp)), None)
        counted = total == 1 or (loop is not None and a.loop_kind(sf, loop) == "endless")
        if not (counted and _after_receive(x, receives)):
            if x.type == "break_statement":
                return "breaks out of its receive loop"
            if x.type == "expression_statement":
                return f"stops the test ({sf.text(x.named_children[0].child_by_field_name('function'))}) before it has received every send"
            return "returns before it has received every send"
    # a receive whose case fails the test is taken in no passing run, which leaves the
    # select by its other cases, found harmless above
    if all(lp is None for lp in loops) and (total is None or total > len(receives)) and (failing or not all(
            _fails_on_receipt(sf, r) for r in receives)) and not _waits_for_sender(sf, binding.function, finished, first_started, after_failure):
        return "receives fewer values than its goroutines send"
    return None


def _waits_for_sender(sf, fn: Node, finished: list[Node], since: int, after_failure=a.exit_after_failure) -> bool:
    """Whether ``fn`` waits, in a statement of its own body, for the one sender's signal that
    it is done (``<-done``, closed by its ``defer close(done)``), and no return before that
    leaves in a passing run: a send left unreceived would then hang ``fn`` itself, a hang a
    test or a caller sees, rather than strand the sender behind its back."""
    body = a.body(fn)
    wait = next((s for s in a.statements(body) if any(a.unparen(x) in finished for x in _values(s))), None)
    return wait is not None and not any(
        since <= r.start_byte < wait.start_byte and not after_failure(sf, r)
        for r in a.of_type(body, "return_statement", skip_functions=True))


def _fails_on_receipt(sf, receive: Node) -> bool:
    """Whether ``receive`` is a select case whose body fails the test unconditionally."""
    case = next((x for x in a.ancestors(receive) if x.type == "communication_case"), None)
    return case is not None and a.is_within(receive, case.child_by_field_name("communication")) \
        and a.always_fails(sf, a.statements(case))


# a condition naming these is a reader's check for the end of its stream (io.EOF, a closed
# pipe or connection: `err == io.EOF || strings.Contains(err.Error(), "closed")`)
_STREAM_END = re.compile(r'\bEOF\b|ErrClosed|"[^"]*closed[^"]*"')


def _failures_only(sf, receives: list[Node], sends: list[Node], bodies: dict[Node, Node | None]) -> bool:
    """Whether the channel carries only a test's failures from readers that end quietly with
    their stream: every receive is a select case that fails the test (`case err := <-errc:
    t.Fatal(err)`), and every send, written in a goroutine literal, follows a check in that
    literal that returns on the end of the stream (nomad's streaming-RPC tests: `if err ==
    io.EOF || strings.Contains(err.Error(), "closed") { return }; errCh <- err`). After a
    passing run the test's deferred Close ends the stream and the reader returns without
    sending; it is stranded only by an unexpected error after the test passed."""
    literals = [b for b in bodies.values() if b is not None]
    if not receives or not sends or len(literals) != len(bodies):
        return False
    if not all(_fails_on_receipt(sf, r) for r in receives):
        return False
    return all(any(a.is_within(s, lit) for lit in literals) and _after_stream_end(sf, s) for s in sends)


def _after_stream_end(sf, send: Node) -> bool:
    """Whether an earlier statement of a block around ``send``, in its function, is an `if`
    on the end of the stream (``_STREAM_END``) whose body only returns."""
    node = send
    while node.parent is not None and node.type not in a.FUNCTION_TYPES:
        block = node.parent
        for before in block.named_children if block.type in ("block", "statement_list") else ():
            if before.start_byte >= node.start_byte:
                break
            if before.type == "if_statement" and before.child_by_field_name("alternative") is None:
                cond = before.child_by_field_name("condition")
                stmts = a.statements(before.child_by_field_name("consequence"))
                if (cond is not None and _STREAM_END.search(sf.text(cond))
                        and len(stmts) == 1 and stmts[0].type == "return_statement"):
                    return True
        node = block
    return False


def _finished(case: Node, finished: list[Node]) -> bool:
    """Whether select case ``case`` receives a sender's signal that it is done."""
    comm = case.child_by_field_name("communication") if case.type == "communication_case" else None
    return comm is not None and any(a.is_within(r, comm) for r in finished)


def _finished_receives(v: m.View, ch: m.LocalChannel, senders: dict[Node, Sender]) -> list[Node]:
    """The function's receives from another local channel that complete only once the one
    goroutine sending on ``ch`` has nothing left to send: started once, it sends on or
    closes that channel only as its last action (then returns) or in a deferred close, and
    defers no send on ``ch``. An earlier send on ``ch`` has been received by then (it is
    unbuffered), so a receiver that leaves after such a receive abandons no sender."""
    sf, fn = v.sf, ch.binding.function
    if len(senders) != 1:
        return []
    (g,) = senders.values()
    if any(not a.is_within(ch.binding.statement, lp) for lp in a.loops_between(g.start, fn)):
        return []  # started once per iteration: another goroutine may still send
    if any(site.type == "defer_statement" for site, _ in g.sites):
        return []  # a deferred send comes after any signal
    out: list[Node] = []
    for make in sf.cached("model-channel-makes", lambda: m.channel_makes(sf)):
        d = m.local_channel(v, make) if make != ch.make and a.is_within(make, fn) else None
        if d is None or d.escapes or d.stored or d.binding.function != fn:
            continue
        signals = d.of_kind("send", "close", "handoff")
        if signals and all(_last_word(v, op, g, ch.name, d.name) for op in signals):
            out += [op.node for op in d.of_kind("recv") if op.where is None]
    return out


def _last_word(v: m.View, op: m.ChanOp, g: Sender, name: str, signal: str) -> bool:
    """Whether ``op`` (a send, close or hand-off of channel ``signal``) is done by goroutine
    ``g`` only where it sends no more on channel ``name``."""
    if g.body is None:  # `go f(ch, done)`: f's sends and closes of done are read
        return op.kind == "handoff" and op.node.parent == g.start and op.use is not None \
            and not op.use.handoffs and not op.use.in_goroutine and _callee_last_word(v.sf, op.node, name, signal)
    return op.kind in ("send", "close") and op.where == g.body and a.enclosing_function(op.node) == g.body \
        and _final(op.node if op.kind == "send" else op.node.parent)


def _callee_last_word(sf: SourceFile, call: Node, name: str, signal: str) -> bool:
    """For ``go f(..., name, ..., signal, ...)``: whether f, declared once in this file,
    sends on or closes its ``signal`` parameter only where it sends no more on its ``name``
    one, and defers nothing that mentions that one."""
    decls = _declarations(sf, call)
    args = [sf.text(x) for x in a.arguments(call)]
    if len(decls) != 1 or args.count(name) != 1 or args.count(signal) != 1:
        return False
    d = decls[0]
    out_param, signal_param = _param_name(sf, d, args.index(name)), _param_name(sf, d, args.index(signal))
    if out_param is None or signal_param is None:
        return False
    if any(out_param in a.names_in(sf, x) for x in a.of_type(a.body(d), "defer_statement")):
        return False
    ops = [x for x in a.of_type(a.body(d), "send_statement") if sf.text(x.child_by_field_name("channel")) == signal_param]
    ops += [c.parent for c in a.of_type(a.body(d), "call_expression") if a.callee(sf, c) == (None, "close")
            and [sf.text(x) for x in a.arguments(c)] == [signal_param]]
    return bool(ops) and all(a.enclosing_function(x) == d and _final(x) for x in ops)


def _after_signal(node: Node, finished: list[Node]) -> bool:
    """Whether one of the ``finished`` receives completes before ``node`` on every path to
    it: ``node`` is in the case of a select that receives it, or after a statement of its
    own (``<-done``, ``err := <-errc``) in an enclosing block."""
    child = node
    for anc in a.ancestors(node):
        if anc.type in a.FUNCTION_TYPES:
            return False
        if anc.type == "communication_case" and _finished(anc, finished):
            return True
        if anc.type == "statement_list":
            for sib in anc.named_children:
                if sib.end_byte > child.start_byte:
                    break
                if any(a.unparen(x) in finished for x in _values(sib)):
                    return True
        child = anc
    return False


def _values(stmt: Node) -> list[Node]:
    """The expressions a statement evaluates whole: an expression statement's, the right of
    ``:=`` or ``=``."""
    if stmt.type == "expression_statement":
        return stmt.named_children[:1]
    right = stmt.child_by_field_name("right") if stmt.type in ("short_var_declaration", "assignment_statement") else None
    return [] if right is None else right.named_children if right.type == "expression_list" else [right]


def _final(stmt: Node) -> bool:
    """A deferred statement (it runs after the rest), or one followed only by a return."""
    return stmt.type == "defer_statement" or _last_action(stmt, [])


def _leaves(sf, case: Node) -> bool:
    """Whether a select case can leave the function or the code after the select."""
    stmts = a.statements(case)
    return a.exits_between(stmts) or any(a.never_returns(sf, s) for s in stmts)


def _after_receive(node: Node, receives) -> bool:
    """Whether a receive from the channel runs before ``node`` on every path to it."""
    child = node
    for anc in a.ancestors(node):
        if anc.type == "communication_case" and any(a.is_within(r, anc.child_by_field_name("communication")) for r in receives):
            return True
        if anc.type == "for_statement" and anc in receives and child == anc.child_by_field_name("body"):
            return True  # the body of `for v := range ch`
        if anc.type == "if_statement" and child.type == "block":
            head = [anc.child_by_field_name(f) for f in ("initializer", "condition")]
            if any(h is not None and a.is_within(r, h) for h in head for r in receives):
                return True
        if anc.type == "statement_list":
            earlier = [sib for sib in anc.named_children if sib.end_byte <= child.start_byte]
            if any(a.is_within(r, sib) for sib in earlier for r in receives):
                return True
        if anc.type in a.FUNCTION_TYPES:
            return False
        child = anc
    return False


# ---------------------------------------------------------------------------- counting sends


def _send_total(sf, binding, senders) -> int | None:
    """The most sends any path of the function makes; None when a loop hides the count."""
    weights = {}
    try:
        for start, g in senders.items():
            weights[start] = _sends_per_run(sf, g)
        return int(max(_count(sf, a.following(binding.statement), weights)))
    except _Unknown:
        pass
    try:  # goroutines started in a loop of literal length
        formula = _launch_formula(sf, binding, senders)
    except _Unknown:
        return None
    return int(formula) if formula.isdigit() else None


def _capacity(sf, binding, senders) -> str:
    """A Go expression for the number of sends, valid where the channel is made."""
    total = _send_total(sf, binding, senders)
    return str(max(total, 1)) if total is not None else _launch_formula(sf, binding, senders)


def _launch_formula(sf, binding, senders) -> str:
    """The sum over ``go`` statements of launches times sends per run: ``len(xs)``, ``2*n + 1``."""
    const = 0
    terms: dict[str, int] = {}
    for g in senders.values():
        per_run = _sends_per_run(sf, g)
        launches = _launch_count(sf, binding, g.start)
        if launches.isdigit():
            const += per_run * int(launches)
        else:
            launches = _not_negative(sf, launches)
            terms[launches] = terms.get(launches, 0) + per_run
    parts = [expr if k == 1 else f"{k}*{expr}" for expr, k in sorted(terms.items())]
    return " + ".join(parts + ([str(const)] if const else []))


def _not_negative(sf, count: str) -> str:
    """``count`` (a loop bound) as a capacity: a loop up to a negative ``n`` runs no
    iteration, but make panics on a negative capacity. Before Go 1.21 there is no max."""
    if count.startswith("len(") or sf.go_version < (1, 21):
        return count
    return f"max({count}, 0)"


def _sends_per_run(sf, g: Sender) -> int:
    """The most sends one run of goroutine ``g`` makes on any path (a deferred send counts
    where its defer statement is, a call that sends where the call is)."""
    if g.body is None:
        weight = g.sites[0][1]
        if weight is None:
            raise _Unknown
        return weight
    return _weighed(sf, g.body, g.sites)


def _weighed(sf, fn: Node, sites) -> int:
    """The most weight on any path through ``fn``'s body, ``sites`` being (statement, weight)."""
    weights: dict[Node, int] = {}
    for site, weight in sites:
        if weight is None:
            raise _Unknown
        weights[site] = weights.get(site, 0) + weight
    return max(1, int(max(_count(sf, a.statements(a.body(fn)), weights))))


def _count(sf, stmts, weights) -> tuple[float, float, float]:
    """The most weight (sends, or sends of started goroutines) on a path through ``stmts``
    that (falls through, leaves by return, leaves by break). Raises _Unknown when a loop
    can go round again after adding weight."""
    through, exited, broke = 0.0, _NEVER, _NEVER
    for s in stmts:
        t, e, b = _count_stmt(sf, s, weights)
        exited, broke = max(exited, through + e), max(broke, through + b)
        through = through + t
    return through, exited, broke


def _count_stmt(sf, s, weights) -> tuple[float, float, float]:
    t = s.type
    if t == "return_statement" or (t == "break_statement" and s.named_children):
        return _NEVER, 0, _NEVER
    if t == "break_statement":
        return _NEVER, _NEVER, 0
    if not any(n in weights for n in a.walk(s, skip_functions=True)):
        return 0, 0, 0  # may leave (a return inside) with what was counted so far
    if s in weights:
        return weights[s], _NEVER, _NEVER
    if t == "block":
        return _count(sf, a.statements(s), weights)
    if t == "labeled_statement":
        return _count(sf, [c for c in s.named_children if c.type != "label_name"], weights)
    if t == "if_statement":
        alt = s.child_by_field_name("alternative")
        c1 = _count(sf, a.statements(s.child_by_field_name("consequence")), weights)
        c2 = (0, _NEVER, _NEVER) if alt is None else _count(sf, a.statements(alt) if alt.type == "block" else [alt], weights)
        return max(c1[0], c2[0]), max(c1[1], c2[1]), max(c1[2], c2[2])
    if t in ("expression_switch_statement", "type_switch_statement", "select_statement"):
        through, exited = _NEVER, _NEVER
        for c in s.named_children:
            if c.type not in a.CASE_TYPES:
                continue
            comm = c.child_by_field_name("communication")
            first = weights.get(comm, 0) if comm is not None else 0
            ct, ce, cb = _count(sf, a.statements(c), weights)
            through, exited = max(through, first + ct, first + cb), max(exited, first + ce)
        if t != "select_statement" and not any(c.type == "default_case" for c in s.named_children):
            through = max(through, 0)
        return through, exited, _NEVER
    if t == "for_statement":
        bt, be, bb = _count(sf, a.statements(s.child_by_field_name("body")), weights)
        if bt > 0 and not _once_per_loop(sf, s, weights):
            raise _Unknown  # weight on a path that goes round again
        return max(bt, bb, 0), be, _NEVER
    raise _Unknown


def _once_per_loop(sf, loop: Node, weights) -> bool:
    """Whether every weighted statement in ``loop`` runs in one iteration at most: it is in
    an ``if i == e`` on a counter that differs in every iteration (``for i := 0; ...; i++``,
    ``for i := range xs``) and an ``e`` of locals and constants that nothing changes."""
    counter = _distinct_counter(sf, loop)
    body = loop.child_by_field_name("body")
    if counter is None or next(a.of_type(body, "goto_statement", skip_functions=True), None) is not None:
        return False  # no counter, or a jump back may run the same iteration's if again
    sites = [n for n in a.walk(body, skip_functions=True) if n in weights]
    return bool(sites) and all(_under_equality(sf, n, loop, counter) for n in sites)


def _distinct_counter(sf, loop: Node) -> str | None:
    """The variable of ``loop`` that takes a different value in each iteration, if any."""
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        return None
    if clause.type == "for_clause":
        init, update = clause.child_by_field_name("initializer"), clause.child_by_field_name("update")
        names = a.left_names(init) if init is not None and init.type == "short_var_declaration" else []
        counter = sf.text(names[0]) if len(names) == 1 else None
        if counter is None or update is None or sf.text(update).replace(" ", "") != f"{counter}++":
            return None
    else:
        left = clause.child_by_field_name("left")
        counter = sf.text(left.named_children[0]) if left is not None and left.named_children else None
        if counter is None or a.value_kind(sf, clause.child_by_field_name("right"), loop) not in ("int", "collection", "literal"):
            return None  # a channel's or an iterator's values may repeat
    return None if _written(sf, counter, loop.child_by_field_name("body"), None) else counter


_INVARIANT_PARTS = ("identifier", "int_literal", "binary_expression", "parenthesized_expression")


def _under_equality(sf, node: Node, loop: Node, counter: str) -> bool:
    """Whether ``node`` is in the consequence of an ``if counter == e`` inside ``loop``,
    ``e`` being arithmetic on locals that nothing but their declaration writes."""
    top = ([f for f in a.ancestors(loop) if f.type in a.FUNCTION_TYPES] or [None])[-1]
    for x in a.ancestors(node):
        if x == loop:
            return False
        cond = x.child_by_field_name("condition") if x.type == "if_statement" else None
        if cond is None or cond.type != "binary_expression" or sf.text(cond.child_by_field_name("operator")) != "==" \
                or not a.is_within(node, x.child_by_field_name("consequence")):
            continue
        other = [e for e in (cond.child_by_field_name("left"), cond.child_by_field_name("right")) if sf.text(e) != counter]
        if len(other) != 1 or any(n.type not in _INVARIANT_PARTS for n in a.walk(other[0])):
            continue
        if all(_unchanged_local(sf, name, loop, top) for name in a.names_in(sf, other[0])):
            return True
    return False


def _unchanged_local(sf, name: str, at: Node, top: Node) -> bool:
    """Whether ``name`` at ``at`` is a local or parameter that nothing in ``top`` writes but
    its declaration."""
    decl = a.local_declaration(sf, name, at)
    if decl is None and not any(f.type in a.FUNCTION_TYPES and a.params_declare(sf, f, name) for f in a.ancestors(at)):
        return False  # a package-level name: any call may change it
    return not _written(sf, name, top, decl)


def _written(sf, name: str, scope: Node, decl: Node | None) -> bool:
    """Whether ``name`` is assigned, incremented, declared (but by ``decl``) or has its
    address taken anywhere in ``scope``, closures included."""
    for st in a.of_type(scope, "assignment_statement", "short_var_declaration", "inc_statement", "dec_statement", "unary_expression"):
        if st.type == "unary_expression":
            if sf.text(st.child_by_field_name("operator")) == "&" and name in a.names_in(sf, st.child_by_field_name("operand")):
                return True
        elif st != decl:
            targets = st.named_children[:1] if st.type in ("inc_statement", "dec_statement") else a.left_names(st)
            if any(name in a.names_in(sf, t) for t in targets):
                return True
    return False


def _launch_count(sf, binding: a.Binding, start: Node) -> str:
    """How many times ``start`` (a goroutine's go statement or launcher call) runs per
    ``make``: "1", a literal, ``len(xs)`` or ``n``, valid at the make."""
    loops = [lp for lp in a.loops_between(start, binding.function) if not a.is_within(binding.statement, lp)]
    if not loops:
        return "1"
    if len(loops) > 1:
        raise _Unknown
    loop = loops[0]
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        raise _Unknown
    if clause.type == "range_clause":
        right = clause.child_by_field_name("right")
        left = clause.child_by_field_name("left")
        # of unknown type, only what len() counts ranges with two variables: a slice, array,
        # map or string; since Go 1.23 a func iterator does too
        two_vars = left is not None and len(left.named_children) == 2 and sf.go_version < (1, 23)
        listed = _listed(right)
        if listed is not None:
            return listed
        kind = _kind_of(sf, right, binding, loop)
        if kind == "len" or (kind is None and two_vars and right.type in ("identifier", "selector_expression")):
            return f"len({sf.text(right)})"
        if kind == "int":
            return sf.text(right)
        raise _Unknown
    return _counted_bound(sf, clause, binding, loop)


def _listed(expr: Node) -> str | None:
    """The number of elements of a slice literal (or ``[...]T`` array) listed in full
    (``[]string{"a", "b"}``: "2"); None for anything else (a keyed element may leave gaps,
    a ``[n]T`` array has n elements however many are listed)."""
    kind = expr.child_by_field_name("type") if expr.type == "composite_literal" else None
    value = expr.child_by_field_name("body") if kind is not None else None
    if kind is None or value is None or kind.type not in ("slice_type", "implicit_length_array_type"):
        return None
    elements = [e for e in value.named_children if e.type != "comment"]
    return str(len(elements)) if all(e.type == "literal_element" for e in elements) else None


def _counted_bound(sf, clause: Node, binding, loop) -> str:
    """``n`` for ``for i := 0; i < n; i++``."""
    c = a.counter(sf, clause)
    if c is None or not c.declared or sf.text(c.start) != "0" or c.op != "<" or c.step != "++":
        raise _Unknown
    bound = c.bound
    if bound.type == "int_literal":
        return sf.text(bound)
    if _kind_of(sf, bound, binding, loop) in ("int", None) and bound.type == "identifier" and _stable(sf, bound, binding, loop):
        return sf.text(bound)
    if bound.type == "call_expression" and a.callee(sf, bound) == (None, "len"):
        args = a.arguments(bound)
        if len(args) == 1 and args[0].type in ("identifier", "selector_expression") and _stable(sf, args[0], binding, loop):
            _local_decl(sf, args[0], binding, loop)  # only to refuse a name declared after the make
            return sf.text(bound)
    raise _Unknown


def _kind_of(sf, expr: Node, binding, loop) -> str | None:
    """"len" (slice, array, map), "int", or None (unknown) for what a loop ranges over or
    counts up to; raises _Unknown when ``expr`` cannot be evaluated at the make or changes
    after it, or is of a kind whose len() is not the count (a channel, a func iterator)."""
    if expr.type == "int_literal":
        return "int"
    if expr.type not in ("identifier", "selector_expression") or not _stable(sf, expr, binding, loop):
        raise _Unknown
    decl = _local_decl(sf, expr, binding, loop)
    if expr.type != "identifier":
        return None
    if decl is not None:
        return _written_kind(sf, decl)
    name = sf.text(expr)
    params = binding.function.child_by_field_name("parameters")
    for p in a.of_type(params, "parameter_declaration", "variadic_parameter_declaration") if params is not None else ():
        if any(sf.text(n) == name for n in p.children_by_field_name("name")):
            if p.type == "variadic_parameter_declaration":
                return "len"
            return _type_kind(sf, p.child_by_field_name("type"))
    return None


def _local_decl(sf, expr: Node, binding, loop) -> Node | None:
    """The local declaration of ``expr`` (of its root name, for a selector) before ``loop``;
    raises _Unknown when it comes after the make, where the name does not exist yet."""
    root = expr
    while root.type == "selector_expression":
        root = root.child_by_field_name("operand")
    name = sf.text(root)
    for d in a.of_type(a.body(binding.function), "short_var_declaration", "var_spec", "range_clause", skip_functions=True):
        if d.start_byte >= loop.start_byte or not a.declares(sf, d.parent if d.type == "var_spec" else d, name):
            continue
        if d.start_byte >= binding.statement.start_byte:
            raise _Unknown
        return d
    return None


def _written_kind(sf, decl: Node) -> str | None:
    """The kind of a local as its declaration spells it: a type or a composite literal or make."""
    if decl.type == "var_spec" and decl.child_by_field_name("type") is not None:
        return _type_kind(sf, decl.child_by_field_name("type"))
    value = decl.child_by_field_name("right") or decl.child_by_field_name("value")
    v = value.named_children[0] if value is not None and len(value.named_children) == 1 else None
    if v is not None and v.type == "composite_literal":
        return _type_kind(sf, v.child_by_field_name("type"))
    if v is not None and v.type == "call_expression" and a.callee(sf, v) == (None, "make"):
        return _type_kind(sf, a.arguments(v)[0])
    if v is not None and a.value_kind(sf, v, decl) == "collection":
        return "len"  # `all := slices.Collect(...)`, `append(...)`: a slice
    return None


def _type_kind(sf, t: Node | None) -> str | None:
    """"len" for what len() counts, "int", None for no type written; a channel or a type
    of unknown kind raises _Unknown (its len() is not the number of iterations)."""
    if t is None:
        return None
    kind = a.type_kind(sf, t)
    if kind == "collection":
        return "len"
    if kind == "int":
        return "int"
    raise _Unknown


def _stable(sf, expr: Node, binding, loop) -> bool:
    """``expr`` is not assigned from the make to the end of the loop."""
    text = sf.text(expr)
    for st in a.of_type(a.body(binding.function), "assignment_statement", "short_var_declaration", "inc_statement", "dec_statement"):
        if not binding.statement.end_byte <= st.start_byte < loop.end_byte:
            continue
        left = st.child_by_field_name("left")
        targets = left.named_children if left is not None else st.named_children[:1]
        if any(sf.text(n) == text for n in targets):
            return False
    return True


def requested_reply(sf: SourceFile, chan: Node, at: Node) -> Node | None:
    """The asker's bare wait for the reply sent on ``chan`` at ``at``, or None: ``chan`` is a
    local given by calling a func received from a request channel (``case fn := <-e.reqs:
    done := fn()``), and every value the file sends on that channel (a field matched by
    name) is a func literal returning a local of the sender's function, which that function
    receives bare after the send (k6's event emitter: ``e.reqs <- func() chan struct{} {
    f(); return done }``, then ``<-done``). The asker waits for that reply for good."""
    values = a.defined_values(sf, sf.text(chan), at) if chan.type == "identifier" else []
    call = a.unparen(values[0]) if len(values) == 1 else None
    f = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    request = _received_from(sf, sf.text(f), at) if f is not None and f.type == "identifier" else None
    if request is None or request.type not in ("identifier", "selector_expression"):
        return None
    key = (lambda x: sf.text(x.child_by_field_name("field"))) if request.type == "selector_expression" else sf.text
    sends = [s for s in a.of_type(sf.root, "send_statement") if s.child_by_field_name("channel").type == request.type
             and key(s.child_by_field_name("channel")) == key(request)]
    waits = [_bare_wait_after(sf, s) for s in sends]
    return waits[0] if waits and all(waits) else None


def _received_from(sf: SourceFile, name: str, at: Node) -> Node | None:
    """The channel local ``name`` was received from at ``at``: by the communication of a
    select case around ``at`` (``case fn := <-reqs:``), or by its ``:=`` value."""
    for case in (x for x in a.ancestors(at) if x.type == "communication_case"):
        comm = case.child_by_field_name("communication")
        if comm.type == "receive_statement" and a.declares(sf, comm, name):
            right = a.unparen(comm.child_by_field_name("right"))
            return a.unparen(right.child_by_field_name("operand")) if a.is_receive(sf, right) else None
    values = a.defined_values(sf, name, at)
    value = a.unparen(values[0]) if len(values) == 1 else None
    return a.unparen(value.child_by_field_name("operand")) if a.is_receive(sf, value) else None


def _bare_wait_after(sf: SourceFile, send: Node) -> Node | None:
    """The bare receive (``<-done`` or ``v := <-done``, outside any select) by which the
    function making ``send`` waits, after it, for the one local that every ``return`` of
    the sent func literal gives back; None for another value."""
    literal = a.unparen(send.child_by_field_name("value"))
    returns = list(a.of_type(a.body(literal), "return_statement", skip_functions=True)) if literal.type == "func_literal" else []
    results = [r.named_children[0].named_children for r in returns if r.named_children]
    if not returns or len(results) != len(returns) or any(len(x) != 1 or x[0].type != "identifier" for x in results) \
            or len({sf.text(x[0]) for x in results}) != 1:
        return None
    name, fn = sf.text(results[0][0]), a.enclosing_function(send)
    decl = a.local_declaration(sf, name, send)
    if decl is None or a.enclosing_function(decl) != fn:
        return None  # the literal's own local, or not the sender's
    for r in a.of_type(a.body(fn), "unary_expression", skip_functions=True):
        holder = r.parent
        bare = holder.type == "expression_statement" or (
            holder.type == "expression_list" and holder.parent.type in ("short_var_declaration", "assignment_statement")
            and holder == holder.parent.child_by_field_name("right"))
        if bare and r.start_byte > send.end_byte and a.is_receive(sf, r) \
                and sf.text(a.unparen(r.child_by_field_name("operand"))) == name and a.local_declaration(sf, name, r) == decl:
            return r
    return None
