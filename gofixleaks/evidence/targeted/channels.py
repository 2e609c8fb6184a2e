"""Targeted shapes for a goroutine blocked on a bare channel send or receive, or on a
single-case select (no default), which Go compiles to one: a shape adds a case to such a
select (a stop case, a default) or refuses it with a reason where its case body would
make that wrong."""

from __future__ import annotations

import os
import re

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
    from gofixleaks.transforms._chan import requested_reply, result_channel
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_
    from transforms._chan import requested_reply, result_channel

from ... import analysis as a
from ...edits import REVIEW, Fix, TextEdit, insert_at_block_start
from ...source import SourceFile
from ..dump import short_name
from ..match import Covered
from ._base import (
    add_case,
    frame_file,
    cancels_call,
    case_body,
    channel,
    names_field,
    operation,
    own_channel_field,
    paired_field,
    parsed_package,
    previous_statement,
    sole_case,
    struct_fields,
    used_elsewhere,
    with_cancel,
    zero_return,
)

def operation_at(sf: SourceFile, line: int, state: str) -> Node | None:
    """The one statement on ``line`` that is a bare send (state "chan send") or receive, or
    a `for range` over a channel; or the `select` whose only case (no default) is on
    ``line``: Go compiles it to that case's send or receive, reported on the case's line.
    The shapes rewrite the select itself (a case added to it) or refuse it."""
    found = []
    for kind in ("send_statement", "expression_statement", "short_var_declaration", "assignment_statement", "for_statement",
                 "select_statement"):
        for n in a.of_type(sf.root, kind):
            at = sole_case(n) if kind == "select_statement" else n
            if at is None or sf.line_col(at.start_byte)[0] != line or n.parent is None or n.parent.type != "statement_list":
                continue
            if (state == "chan send") == (operation(n).type == "send_statement") and channel(sf, n) is not None:
                found.append(n)
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------------------- buffer


def buffer(sf: SourceFile, send: Node) -> tuple[Fix | None, str | None]:
    """A buffer for every sender of the local channel ``send`` sends on, or (None, why not)."""
    chan = channel(sf, send)
    if chan.type != "identifier":
        return None, None
    decl = a.local_declaration(sf, sf.text(chan), send)
    make = next((n for n in a.of_type(decl, "call_expression") if a.callee(sf, n) == (None, "make")), None) if decl else None
    rc = result_channel(sf, make) if make is not None else None
    if rc is None or rc.binding.name != sf.text(chan):
        return None, None
    name = rc.binding.name
    if rc.capacity is None:
        return None, f"the number of sends on {name} is not bounded in the code (a send in a loop, or goroutines started in a loop of unknown length)"
    if rc.sender_goes_on and not all(_only_closes_after(sf, s, name) for s in rc.sends):
        return None, f"a sender of {name} goes on after its send: with a buffer that code would run after the receiver left"
    rival = _rival_signal(sf, rc.sends, name, a.enclosing_function(rc.make))
    if rival is not None:
        return None, (f"a sender of {name} also signals {rival}, which a select receives beside {name}: with a buffer both "
                      f"are ready at once and the select may take {rival}, dropping the value")
    args = a.arguments(rc.make)
    if len(args) == 2:  # make(chan T, 0)
        edit = TextEdit(args[1].start_byte, args[1].end_byte, rc.capacity.encode())
    else:
        edit = TextEdit(args[0].end_byte, args[0].end_byte, f", {rc.capacity}".encode())
    return Fix(f"buffer {name} with capacity {rc.capacity} so every sender can finish", (edit,), applicability=REVIEW), None


def _rival_signal(sf: SourceFile, sends: tuple[Node, ...] | list[Node], name: str, scope: Node) -> str | None:
    """A channel a sender of ``name`` closes or sends on (a ``defer close(done)``) that a
    select of ``scope`` receives from in a case beside one receiving from ``name``: unbuffered,
    the signal can only come after the value was taken; buffered, the select may pick it."""
    signalled = set()
    for send in sends:
        g = a.enclosing_function(send)
        for c in a.of_type(g, "call_expression"):
            if a.callee(sf, c) == (None, "close") and len(a.arguments(c)) == 1:
                signalled.add(sf.text(a.arguments(c)[0]))
        signalled.update(sf.text(x.child_by_field_name("channel")) for x in a.of_type(g, "send_statement"))
    signalled.discard(name)
    for select in a.of_type(scope, "select_statement"):
        received = {sf.text(a.unparen(u.child_by_field_name("operand"))) for case in select.named_children
                    if case.type == "communication_case" and case.named_children
                    for u in a.walk(case.named_children[0]) if a.is_receive(sf, u)}
        if name in received and received & signalled:
            return sorted(received & signalled)[0]
    return None


def _only_closes_after(sf: SourceFile, send: Node, name: str) -> bool:
    """Whether all a sender does after ``send`` is to close the channel and return: a buffer
    then changes nothing else it does (a closed buffered channel still delivers its values)."""
    top = a.body(a.enclosing_function(send))
    node = send
    while node != top:
        parent = node.parent
        if parent.type != "statement_list" and parent != top:
            return False
        for sib in a.following(node) if parent.type == "statement_list" else ():
            bare_return = sib.type == "return_statement" and not sib.named_children
            # a further send is counted among the sends the buffer has room for
            again = sib.type == "send_statement" and sf.text(sib.child_by_field_name("channel")) == name
            if not (sib.type == "comment" or bare_return or again or _closes(sf, sib, name)):
                return False
        node = parent
    return True


def _closes(sf: SourceFile, stmt: Node, name: str) -> bool:
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    return call is not None and a.callee(sf, call) == (None, "close") and [sf.text(x) for x in a.arguments(call)] == [name]


# ---------------------------------------------------------------------------- timer drain


def drain_without_blocking(sf: SourceFile, stmt: Node, state: str) -> tuple[Fix | None, str | None]:
    """``if !t.Stop() { <-t.C }``, the drain before a Reset, blocked: the value was already
    received (a select case on ``t.C`` took it), and since Go 1.23 a stopped timer's
    channel holds nothing anyway, so the receive waits forever (istio's 18454). A drain that
    does not block (``select`` with a default) takes a stale value when there is one, and
    goes on when there is none. A drain written as a single-case select gets the default
    case."""
    chan, op = channel(sf, stmt), operation(stmt)
    block = stmt.parent.parent if stmt.parent is not None and stmt.parent.type == "statement_list" else None
    cond = block.parent.child_by_field_name("condition") if block is not None and block.parent.type == "if_statement" else None
    bare = op.type == "expression_statement" or (op.type == "receive_statement" and op.child_by_field_name("left") is None)
    if state != "chan receive" or not bare or chan.type != "selector_expression" \
            or sf.text(chan.child_by_field_name("field")) != "C" or cond is None:
        return None, None
    timer = sf.text(chan.child_by_field_name("operand"))
    if " ".join(sf.text(a.unparen(cond)).split()) != f"!{timer}.Stop()" or [n for n in a.statements(block) if n.type != "comment"] != [stmt]:
        return None, None
    message = f"drain {timer}.C without blocking: its value was taken already, or (Go 1.23 on) was never kept"
    if stmt.type == "select_statement":
        return _with_default(sf, stmt, message, "drain")
    if not g_.own_line(sf, stmt) or g_.trailing_comment(sf, stmt) is not None:
        return None, "the drain shares its line: make it non-blocking by hand"
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    new = b"select {" + nl + indent + f"case <-{timer}.C:".encode() + nl + indent + b"default:" + nl + indent + b"}"
    return Fix(message, (TextEdit(stmt.start_byte, stmt.end_byte, new),)), None


# ---------------------------------------------------------------------------- select


def watch(sf: SourceFile, stmt: Node, state: str, abspath: str | None = None,
          c: Covered | None = None) -> tuple[Fix | None, str | None]:
    """``stmt`` as a select that also returns on a stop signal in scope (a single-case select
    gets that case added), or (None, why not). ``abspath``, the file's path, lets it ask the
    package's other files who calls the function with the context it would watch; ``c``,
    the proven site, its stack whether the goroutine's callers go on after the return."""
    chan = channel(sf, stmt)
    fn = a.enclosing_function(stmt)
    if chan.type == "call_expression" or (state == "chan receive" and a.names_a_signal(sf.text(chan).rsplit(".", 1)[-1])):
        return None, "it waits on a cancellation signal itself: whoever owns that signal must fire it"
    sig = _stop_signal(sf, stmt, fn)
    if sig is None:
        return None, "no stop signal in scope (a context some caller can cancel, or a done channel the function already selects on)"
    if sf.text(chan) == sig.name:
        return None, "it waits on a cancellation signal itself: whoever owns that signal must fire it"
    # asked only once there is a signal to watch: without one, "rewrite it by hand" misleads
    if stmt.type == "short_var_declaration":
        return None, "a `:=` receive needs its variables declared before a select: rewrite it by hand"
    # a select's case body is skipped on the new case's return too
    blocker = _cancelled_after(sf, fn, stmt, sig) or _cancelled_after_wait(sf, abspath, sig) \
        or g_.return_blocker(sf, g_.Goroutine(fn, None), operation(stmt), sig)
    if blocker is not None:
        return None, blocker
    if not g_.own_line(sf, stmt):
        return None, "the operation shares its line: rewrite it by hand"
    late = _after_cancellation(sf, fn, stmt, sig) or _ticking(sf, stmt, chan, state) or _lives_with_the_program(sf, stmt) \
        or _buffered_once(sf, stmt, chan, abspath) or _released_slot(sf, stmt, chan, state) \
        or _stranded_partner(sf, stmt, chan, state) or _drained(sf, stmt, chan, state) \
        or _joins_its_goroutine(sf, stmt, chan, state) or _test_own_goroutine(sf, stmt) \
        or _answers_http(sf, fn) or _carries_resource(sf, fn, stmt) or _reports_failure(sf, fn, stmt, sig) \
        or _value_reports_error(sf, fn, stmt, sig) or _cut_by_defer(sf, fn, stmt, chan, sig) or _reply_received(sf, stmt, chan) \
        or _answered_first(sf, stmt, chan, sig) \
        or _collector(sf, fn, chan) or _setup_deadline(sf, stmt, chan, sig) or _made_by_stop(sf, abspath, sig) \
        or _caller_goes_on(sf, abspath, c, stmt, state) \
        or _callers_never_cancel(sf, abspath, stmt, sig)
    if late is not None:
        return None, late
    body, at = g_.own_signal_case(sf, fn, stmt, sig, chan)
    if isinstance(body, str):
        return None, body
    message = f"select on {sig.done_expr()} too, and return when it fires" if at is None else \
        f"select on {sig.done_expr()} too, and do there what its case on the signal at line {at} does ({'; '.join(body)})"
    if stmt.type == "select_statement":
        edit = add_case(sf, stmt, [f"case <-{sig.done_expr()}:", *(f"\t{ln}" for ln in body)])
        return (Fix(message, (edit,)), None) if edit is not None else (None, "the select ends on a shared line: add the case by hand")
    comment = g_.trailing_comment(sf, stmt)
    comm = sf.text(stmt) if stmt.type != "expression_statement" else sf.text(stmt.named_children[0])
    new = g_.select_over(sf, comm, sig, sf.indent_at(stmt.start_byte), comment.text if comment else "", body)
    end = comment.end_byte if comment is not None else stmt.end_byte
    return Fix(message, (TextEdit(stmt.start_byte, end, new),)), None


def _buffered_once(sf: SourceFile, stmt: Node, chan: Node, abspath: str | None = None) -> str | None:
    """Why a select would drop a value a buffered channel keeps, or None: a send, not in a
    loop of its function (or followed by a return), on a channel every value of which the
    file shows is a ``make`` with a buffer (for a field of the one struct type of the
    package declaring a channel field of its name, what the package's files give it:
    go-ethereum's ``requestOp.resp``, made in client.go and sent on in handler.go). The buffer was sized for such sends, so a dump
    that shows one blocked is of other code or of a buffer too small (the buffer shape's
    question); and once the signal has fired, the select drops the value whenever there is
    room, though a reader may still take it (a Cleanup waiting for a server's error, a
    caller for an exit status: the corpus' commonest wrong answer)."""
    fn = a.enclosing_function(stmt)
    following = [x for x in a.following(stmt) if x.type != "comment"]
    loop = next((x for x in a.ancestors(stmt) if x.type == "for_statement" and a.is_within(x, fn)), None)
    # a reply channel looked up afresh in each turn of the loop (`ch, ok := pending[id]`),
    # or the field of a request received afresh (`case wr := <-pc.writech: wr.ch <- err`)
    looked_up = a.defined_value(sf, sf.text(chan), stmt) if chan.type == "identifier" else None
    operand = chan.child_by_field_name("operand") if chan.type == "selector_expression" else None
    request = a.binding_of(sf, operand) if operand is not None and operand.type == "identifier" else None
    fresh = loop is not None and (
        (looked_up is not None and a.unparen(looked_up).type == "index_expression" and a.is_within(looked_up, loop))
        or (request is not None and a.is_within(request.statement, loop)
            and a.received_type(sf, operand) is not None))
    once = (following and following[0].type == "return_statement") or loop is None or fresh
    if operation(stmt).type != "send_statement" or not once:
        return None
    made = _package_field_values(sf, abspath, chan) or [(sf, v) for v in _values_of(sf, chan, stmt)]
    sizes = [(f, a.arguments(m)) for f, m in made if a.is_call_to(f, m, None, ("make",))]
    if not made or len(sizes) != len(made) or any(len(x) != 2 or f.text(x[1]) == "0" for f, x in sizes):
        return None
    f, x = sizes[0]
    return (f"{sf.text(chan)} has a buffer ({f.text(x[1])}) and is sent on once here: a select would drop the "
            "value whenever the signal has fired and there is room, though a reader may still take it")


def _released_slot(sf: SourceFile, stmt: Node, chan: Node, state: str) -> str | None:
    """Why the receive gives back a slot, or None: it receives from a channel its function
    (or the one whose ``defer`` runs it) sends on before it, a semaphore's release, or it is
    deferred work the function owes as it leaves. Returning early would keep the slot (or
    skip that work) for good."""
    fn = a.enclosing_function(stmt)
    if state != "chan receive":
        return None
    owner = a.enclosing_function(fn.parent) if a.deferred_literal(fn) is not None else fn
    name = sf.text(chan)
    # the slot may be taken by the function that starts this one's literal (coredns' Accept)
    outer = [x for x in a.ancestors(stmt) if x.type in a.FUNCTION_TYPES]
    for send in (x for f in outer for x in a.of_type(a.body(f), "send_statement")):
        if send.start_byte < stmt.start_byte and sf.text(send.child_by_field_name("channel")) == name:
            return f"it gives back the slot the send on {name} at line {sf.line_col(send.start_byte)[0]} took: returning early would keep that slot for good"
    if owner != fn:
        return "it runs as the function leaves, by defer: returning from it early skips what the function owes"
    return None


def _values_of(sf: SourceFile, chan: Node, at: Node) -> list[Node]:
    """The values the file gives ``chan``: a local's ``:=`` value, what the file's one call
    (in no loop) passes for a parameter, what the map it was looked up in is given, or each a field of
    its name is given (a keyed struct literal element, an assignment): [] when not in
    view."""
    if chan.type == "identifier":
        binding = a.local_binding(sf, sf.text(chan), at)
        if binding is None:  # a parameter: what the file's one call passes (tailscale's `go sw.run(startedCh, ...)`)
            fn = a.enclosing_function(at)
            calls = a.passed_for(sf, fn, sf.text(chan), [sf]) if fn is not None and fn.type in (
                "function_declaration", "method_declaration") and a.params_declare(sf, fn, sf.text(chan)) else None
            # several calls (or one in a loop) may share one channel among more senders than its room
            if not calls or len(calls) != 1 or calls[0][2] is None or any(
                    x.type == "for_statement" for x in a.ancestors(calls[0][1])):
                return []
            return _given(sf, chan)
        element = a.unparen(binding.value or a.defined_value(sf, sf.text(chan), at) or chan)
        if element.type == "index_expression":  # `ch, ok := pending[id]`: what the map is given
            return _stored_in(sf, element.child_by_field_name("operand"))
        # `var ch chan T` given its value later: `ch = make(chan T, 1)`
        later = [st.child_by_field_name("right").named_children[0] for ref in a.references(sf, binding)
                 for st in [ref.parent.parent] if ref.parent.type == "expression_list" and st.type == "assignment_statement"
                 and st.child_by_field_name("left") == ref.parent and len(ref.parent.named_children) == 1
                 and len(st.child_by_field_name("right").named_children) == 1]
        return [v for v in (binding.value, *later) if v is not None]
    if chan.type != "selector_expression":
        return []
    # `wr.ch` of a `wr` received from a `chan writeRequest`: that struct's literals alone
    owner = a.received_type(sf, chan.child_by_field_name("operand"))
    values = a.field_values(sf, sf.text(chan.child_by_field_name("field")), owner)
    # a local stored in the field (T{errc: errc}) stands for the value it was given
    return [x for v in values for x in _given(sf, v)]


def _package_field_values(sf: SourceFile, abspath: str | None, chan: Node) -> list[tuple[SourceFile, Node]]:
    """For a field ``x.f`` sent on, the values the package's files give ``f`` when exactly one
    struct type of the package declares a channel field ``f`` (each with its file; a local
    stored in it stands for its value): [] without the package, or when no one type owns it."""
    if abspath is None or chan.type != "selector_expression":
        return []
    field = sf.text(chan.child_by_field_name("field"))
    files = _package(sf, abspath)
    owners = {name for f in files for spec in a.of_type(f.root, "type_spec")
              if (name := f.text(spec.child_by_field_name("name")))
              and (struct_fields(f, name) or {}).get(field, "").startswith("chan")}
    if len(owners) != 1:
        return []
    (owner,) = owners
    return [(f, x) for f in files for v in a.field_values(f, field, owner)
            if not _other_receivers_field(f, v, owner) for x in _given(f, v)]


def _other_receivers_field(sf: SourceFile, value: Node, owner: str) -> bool:
    """Whether ``value`` is assigned to the field of a method's receiver of another type than
    ``owner`` (``b.resp = append(b.resp, m)`` in a method of ``batchCallBuffer``), which
    ``field_values`` counts by the field's name alone."""
    st = next((x for x in a.ancestors(value) if x.type == "assignment_statement"), None)
    method = a.enclosing_function(value)
    if st is None or method is None or method.type != "method_declaration":
        return False
    recv, key = a.receiver_name(sf, method), a.function_key(sf, method)
    return key is not None and key[1] != owner and any(
        left.type == "selector_expression" and sf.text(left.child_by_field_name("operand")) == recv
        for left in st.child_by_field_name("left").named_children)


def _stored_in(sf: SourceFile, table: Node) -> list[Node]:
    """The values the file stores in map ``table`` (``m[k] = v``, or ``x.m[k] = v`` for a
    field, matched by name), a local standing for the value it was given and a parameter
    for what the file's calls pass it (cmd/go's ``writeToChild(req, resc)``); an unknown
    value stands for itself."""
    key = sf.text(table.child_by_field_name("field")) if table.type == "selector_expression" else sf.text(table)
    values = []
    for st in a.of_type(sf.root, "assignment_statement"):
        lefts, rights = st.child_by_field_name("left").named_children, st.child_by_field_name("right").named_children
        for left, right in zip(lefts, rights) if len(lefts) == len(rights) and sf.text(st.child_by_field_name("operator")) == "=" else ():
            m = left.child_by_field_name("operand") if left.type == "index_expression" else None
            named = sf.text(m.child_by_field_name("field")) if m is not None and m.type == "selector_expression" else \
                sf.text(m) if m is not None else None
            if named == key and m.type == table.type:
                values.extend(_given(sf, a.unparen(right)))
    return values


def _given(sf: SourceFile, value: Node) -> list[Node]:
    """What identifier ``value`` stands for: its local's ``:=`` value, or, for a parameter
    of a declared function, every argument the file's calls pass for it; else itself."""
    if value.type != "identifier":
        return [value]
    name = sf.text(value)
    local = a.defined_value(sf, name, value)
    fn = a.enclosing_function(value)
    if local is not None or fn is None or fn.type not in ("function_declaration", "method_declaration") \
            or not a.params_declare(sf, fn, name):
        return [local or value]
    calls = a.passed_for(sf, fn, name, [sf])
    if not calls or any(arg is None for _, _, arg in calls):
        return [value]
    return [a.defined_value(sf, sf.text(arg), arg) or arg if arg.type == "identifier" else arg for _, _, arg in calls]


def _ticking(sf: SourceFile, stmt: Node, chan: Node, state: str) -> str | None:
    """Why the receive cannot block for good, or None: it takes from ``t.C`` of a ticker its
    own function made (``time.NewTicker``) and stops only by defer, as it leaves. A ticker
    sends every period until stopped, so the wait lasts a period at most; a dump showing it
    is a snapshot of a loop's pause, not a leak (livekit's status worker)."""
    if state != "chan receive" or chan.type != "selector_expression" or sf.text(chan.child_by_field_name("field")) != "C":
        return None
    ticker = chan.child_by_field_name("operand")
    binding = a.local_binding(sf, sf.text(ticker), stmt) if ticker.type == "identifier" else None
    fn = a.enclosing_function(stmt)
    if binding is None or binding.function != fn or not a.is_call_to(sf, binding.value, "time", ("NewTicker",)):
        return None
    for ref in a.references(sf, binding):
        use = ref.parent
        field = sf.text(use.child_by_field_name("field")) if use.type == "selector_expression" and use.child_by_field_name("operand") == ref else None
        deferred = a.enclosing(use, "defer_statement", stop_at=a.FUNCTION_TYPES)
        if field in ("C", "Reset") or (field == "Stop" and deferred is not None and a.enclosing_function(deferred) == fn):
            continue
        return None
    return f"{sf.text(ticker)} is a ticker this function stops only as it leaves: it sends every period, so the receive waits a period at most"


def _lives_with_the_program(sf: SourceFile, stmt: Node) -> str | None:
    """Why the wait is no leak, or None: it is package main's ``main`` itself (a program
    waiting for Ctrl-C), or a literal ``main`` starts once (in no loop), which lives as long
    as the program at most and cannot pile up. A return would change how the program stops
    (grpc's and nats' examples: a context meant for start-up calls times out, and the
    select would drop the signal handler, or end the program), not end a leak."""
    fn = a.enclosing_function(stmt)
    if _is_main(sf, fn):
        return "main itself waits here: the program's own wait, not a leak, and a return would end the program early"
    lit = a.enclosing_goroutine(stmt)
    outer = a.enclosing_function(lit.parent) if lit is not None and fn == lit else None
    if outer is None or not _is_main(sf, outer) or any(x.type == "for_statement" for x in a.ancestors(lit) if a.is_within(x, outer)):
        return None
    return "main starts this goroutine once: it lives as long as the program at most, and a return would change how the program stops"


def _is_main(sf: SourceFile, fn: Node | None) -> bool:
    """Whether ``fn`` is package main's ``func main()``."""
    package = next((c for c in sf.root.named_children if c.type == "package_clause"), None)
    return fn is not None and fn.type == "function_declaration" and sf.text(fn.child_by_field_name("name")) == "main" \
        and package is not None and sf.text(package.named_children[0]) == "main"


def _stranded_partner(sf: SourceFile, stmt: Node, chan: Node, state: str) -> str | None:
    """Why returning from the operation would leave a partner waiting for good, or None: a
    send or receive on the same channel (the same local, or any field of that name in the
    file) that waits for this one bare, outside a select that could take another way out,
    or in a select whose case on it holds its loop's only way out. The new case would
    abandon that reader (or sender, or a semaphore's next taker)."""
    partner = "send" if state == "chan receive" else "receive"
    for op in _operations_on(sf, stmt, chan):
        kind = "send" if op.type == "send_statement" else "receive"
        comm = op if kind == "send" else op.parent if op.parent.type in ("expression_statement", "receive_statement") else None
        case = comm.parent if comm is not None and comm.parent.type == "communication_case" else None
        if kind != partner or op == operation(stmt) or a.is_within(op, operation(stmt)):
            continue
        line = sf.line_col(op.start_byte)[0]
        if case is not None and _only_way_out(case):
            return (f"a {partner} on {sf.text(chan)} at line {line} holds its loop's only way out: it waits for every "
                    f"{state.removeprefix('chan ')}, and returning on the signal would leave it waiting")
        if case is None or all(_times_out(sf, c) for c in case.parent.named_children if c != case):
            return (f"a {partner} on {sf.text(chan)} at line {line} waits for it with no way out (or only a timeout): "
                    f"returning on the signal would leave that {partner} blocked or failing")
    return None


def _joins_its_goroutine(sf: SourceFile, stmt: Node, chan: Node, state: str) -> str | None:
    """Why the receive is a join, or None: a bare ``<-x.dead`` right after ``close(x.dying)``,
    where a goroutine of the file (a ``go func`` literal, or a function some ``go``
    statement calls by name) closes ``dead`` by defer and has selects that each return in a
    case receiving ``dying`` (a field matched by name, on that function's receiver). Its
    stop was just closed, so the wait ends as it leaves; a return would skip the join and
    let the caller go on while the goroutine still works (sarama's release of
    heartbeatLoop). Where that goroutine is stuck elsewhere, the fix is there."""
    prev = previous_statement(stmt)
    call = a.unparen(prev.named_children[0]) if prev is not None and prev.type == "expression_statement" else None
    if state != "chan receive" or stmt.type != "expression_statement" or call is None \
            or a.callee(sf, call) != (None, "close") or len(a.arguments(call)) != 1:
        return None
    dying = a.arguments(call)[0]

    def named(f: Node, x: Node) -> str:  # x as function f writes it: the field on f's receiver, or x's own text
        recv = a.receiver_name(sf, f) if f.type == "method_declaration" else None
        field = x.child_by_field_name("field") if x.type == "selector_expression" else None
        return f"{recv}.{sf.text(field)}" if recv and field is not None else sf.text(x)

    started = {sf.text(c.child_by_field_name("function")).rsplit(".", 1)[-1]
               for g in a.of_type(sf.root, "go_statement") for c in g.named_children if c.type == "call_expression"}
    for f in a.of_type(sf.root, *a.FUNCTION_TYPES):
        goroutine = a.goroutine_literal(f) is not None if f.type == "func_literal" else sf.text(f.child_by_field_name("name")) in started
        if not goroutine or not a.closed_on_exit(sf, f, named(f, chan)):
            continue
        selects = list(a.of_type(a.body(f), "select_statement", skip_functions=True))
        if selects and all(_returns_on(sf, sel, named(f, dying)) for sel in selects):
            return (f"it joins the goroutine at line {sf.line_col(f.start_byte)[0]}, which closes {sf.text(chan)} as it returns and "
                    f"whose selects all return once {sf.text(dying)}, closed just before, is: the wait ends as it leaves, and "
                    "a return would skip the join")
    return None


def _returns_on(sf: SourceFile, select: Node, chan: str) -> bool:
    """Whether ``select`` has a case ``<-chan`` whose last statement is a ``return``."""
    for case in (c for c in select.named_children if c.type == "communication_case"):
        code = [n for n in a.statements(case) if n.type != "comment"]
        if sf.text(case.child_by_field_name("communication")).replace(" ", "") == f"<-{chan}" \
                and code and code[-1].type == "return_statement":
            return True
    return False


def _drained(sf: SourceFile, stmt: Node, chan: Node, state: str) -> str | None:
    """Why a send waits only while its reader is busy, or None: a ``for range`` over the
    same channel reads it until it is closed and has no way out before (no break, return,
    goto or call that does not return in its body). A send proven blocked there waits for
    a reader stuck elsewhere, which is the site to fix; the new case would drop values that
    reader still takes (prometheus' merge would return a silently partial result)."""
    if state != "chan send":
        return None
    for op in _operations_on(sf, stmt, chan, ranges=True):
        loop = op.parent.parent if op.parent.type == "range_clause" else None
        if loop is None or loop.type != "for_statement":
            continue
        body = loop.child_by_field_name("body")
        leaves = any(a.of_type(body, "return_statement", "goto_statement", skip_functions=True)) \
            or any(a.enclosing(b, *_BREAKABLE, stop_at=a.FUNCTION_TYPES) == loop or b.named_children
                   for b in a.of_type(body, "break_statement", skip_functions=True)) \
            or any(a.never_returns(sf, x) for x in a.of_type(body, "expression_statement", skip_functions=True))
        if not leaves:
            return (f"the range over {sf.text(chan)} at line {sf.line_col(loop.start_byte)[0]} reads it until it is closed, "
                    "with no way out before: the send waits only while that reader is busy elsewhere, the site to fix")
    return None


_BREAKABLE = ("for_statement", "select_statement", "expression_switch_statement", "type_switch_statement")


def _caller_goes_on(sf: SourceFile, abspath: str | None, c: Covered | None, stmt: Node, state: str) -> str | None:
    """Why returning would not end the goroutine, or None: its function is called by one of
    the goroutine that goes on after the call (code after it, or a loop around it), through
    callers whose call is their last. That caller would go on as if the operation had
    happened (frp's ``WaitForHandoff`` would pass its barrier; a loop calling ``publish``
    would spin). The proven site's stack tells who calls it (frames of the toolchain or out
    of the scanned code are launchers: ``wg.Go``, ``errgroup``); without one, the package:
    a function it never starts with ``go`` nor uses as a value, whose calls go on."""
    what = state.removeprefix("chan ")
    stack = c.site.stack if c is not None and abspath is not None else ()
    if not stack:
        return _callers_go_on(sf, abspath, stmt, what)
    at = next((i for i, loc in enumerate(stack) if (loc.path, loc.line, loc.function)
               == (c.site.blocked.path, c.site.blocked.line, c.site.blocked.function)), None)
    for j in range(at + 1, len(stack)) if at is not None else ():
        there = frame_file(sf, abspath, c, j)
        line = stack[j].line
        calls = [x for x in a.of_type(there.root, "call_expression") if there.line_col(x.start_byte)[0] <= line
                 <= there.line_col(x.end_byte)[0]] if there is not None else []
        if calls and _goes_on_after(min(calls, key=lambda x: x.end_byte - x.start_byte)):
            return (f"it runs called from {short_name(stack[j].function)} (line {line}), which goes on after the call: "
                    f"a bare return would let it go on as if the {what} had happened")
    return None


def _callers_go_on(sf: SourceFile, abspath: str | None, stmt: Node, what: str) -> str | None:
    """_caller_goes_on's answer from the package's files, for a site without a stack."""
    decl = a.enclosing_function(stmt)
    if abspath is None or decl is None or decl.type not in ("function_declaration", "method_declaration"):
        return None  # a literal: started or called where it is written, which a stack would tell
    name, method = sf.text(decl.child_by_field_name("name")), decl.type == "method_declaration"
    receiver = (a.function_key(sf, decl) or ("", ""))[1]
    files = _package(sf, abspath)
    going_on = None
    for f in files:
        for ident in a.of_type(f.root, "field_identifier" if method else "identifier"):
            head = ident.parent if method else ident
            if f.text(ident) != name or ident.parent.type in ("function_declaration", "method_declaration", "method_elem") \
                    or (method and head.type != "selector_expression"):
                continue
            # `x.Run()` on a value of another type is another method; of a type not told, maybe this one
            typ = _operand_type(files, f, head.child_by_field_name("operand")) if method else receiver
            if typ is not None and typ != receiver:
                continue
            call = head.parent
            if call.type != "call_expression" or call.child_by_field_name("function") != head or call.parent.type == "go_statement":
                return None  # started with go, or used as a value: a goroutine's own function maybe
            if going_on is None and typ is not None and _goes_on_after(call):
                going_on = (f, call)
    if going_on is None:
        return None
    f, call = going_on
    caller = a.enclosing_function(call).child_by_field_name("name")
    return (f"it is called by {f.text(caller) if caller is not None else 'a func literal'} "
            f"({os.path.basename(f.path)}:{f.line_col(call.start_byte)[0]}), which goes on after the call: "
            f"a bare return would let it go on as if the {what} had happened")


def _operand_type(files: list[SourceFile], f: SourceFile, operand: Node) -> str | None:
    """The type name of ``x`` in ``x.m()`` as the syntax tells it (g_.operand_type), or for
    a local given a call's first result: a package function's declared type (``ctl, err :=
    NewControl(...)``), "" for another package's function (``adapter.NewAdapter``)."""
    typ = g_.operand_type(f, operand)
    value = a.defined_value(f, f.text(operand), operand) if typ is None and operand.type == "identifier" else None
    named = a.callee(f, value) if value is not None and value.type == "call_expression" else None
    if typ is not None or named is None:
        return typ
    if named[0] is not None:
        return ""
    for g in files:
        for decl in g.root.named_children:
            result = decl.child_by_field_name("result") if decl.type == "function_declaration" else None
            if result is not None and g.text(decl.child_by_field_name("name")) == named[1]:
                first = next(iter(a.of_type(result, "type_identifier")), None)
                return g.text(first) if first is not None else None
    return None


def _goes_on_after(call: Node) -> bool:
    """Whether the function making ``call`` goes on after it: code after its statement, or
    a loop around it."""
    fn = a.enclosing_function(call)
    if fn is None:
        return False
    looped = any(x.type == "for_statement" and a.is_within(x, fn) for x in a.ancestors(call))
    return looped or not a.nothing_after(a.body(fn), a.statement_of(call))


def _reports_failure(sf: SourceFile, fn: Node, stmt: Node, sig: a.Cancellation) -> str | None:
    """Why a bare return would read as success, or None: another way out of the function
    first sends the failure on a channel (``errchan <- err; return``, etcd's ``respCh <-
    RangeStreamResponse{closeErr: ...}`` before its return): its readers take the end
    without one for a complete result (etcd's mirror would pass a cut base sync as done).
    Or records it in a field (``res.err = err; return``: nats' listers, whose readers ask
    ``Err()`` once the channel closes). Or the operation is such a report on a channel the
    function closes by defer: dropped, the close alone would end the stream as if complete."""
    op = operation(stmt)
    if any(a.waits_on(sf, c.child_by_field_name("communication"), sig) for c in a.of_type(fn, "communication_case", skip_functions=True)):
        return None  # the function's own way out on the signal says what it does then (own_signal_case)
    name = sf.text(op.child_by_field_name("channel")) if op.type == "send_statement" else None
    reports = name is not None and _ERR.search(sf.text(op.child_by_field_name("value"))) is not None
    if reports and a.closed_on_exit(sf, fn, name):
        return (f"it reports a failure on {name}, which the function closes by defer: dropped on the signal, the close "
                "alone would end the stream as if complete; send the context's error there by hand")
    for ret in a.of_type(a.body(fn), "return_statement", skip_functions=True):
        prev = ret.prev_named_sibling
        while prev is not None and prev.type == "comment":
            prev = prev.prev_named_sibling
        sends = [x for x in (prev, *a.of_type(prev, "send_statement", skip_functions=True)) if x.type == "send_statement"] \
            if prev is not None else []
        for send in sends:
            # another report on the channel the operation reports on says no more than it does
            if send != op and _ERR.search(sf.text(send)) and not (reports and sf.text(send.child_by_field_name("channel")) == name):
                return (f"its way out at line {sf.line_col(ret.start_byte)[0]} first reports the failure "
                        f"({sf.text(send.child_by_field_name('channel'))} <- ..., line {sf.line_col(send.start_byte)[0]}): "
                        "a bare return on the signal would read as success; send the context's error there by hand")
        # or records it in a field the reader checks once the stream ends (nats' listers: res.err = err)
        recorded = next((x for x in a.left_names(prev) if x.type == "selector_expression"
                         and _ERR.search(sf.text(x.child_by_field_name("field")))), None) \
            if prev is not None and prev.type == "assignment_statement" else None
        if recorded is not None:
            return (f"its way out at line {sf.line_col(ret.start_byte)[0]} first records the failure ({sf.text(recorded)} = ..., "
                    f"line {sf.line_col(prev.start_byte)[0]}): a bare return on the signal would read as success; "
                    "record the context's error there by hand")
    return None


# an error's name: err, errc, ErrClosed, closeErr, ContextError; not interrupt, stderr
_ERR = re.compile(r"(?<![A-Za-z])err|Err")


def _value_reports_error(sf: SourceFile, fn: Node, stmt: Node, sig: a.Cancellation) -> str | None:
    """Why the sent value must not be dropped, or None: it is the result a caller reads
    after cancelling, and it reports the error the signal may itself cause: a local whose
    error field the function fills (``result.Err = err``, then ``ch <- &result``: nomad's
    driver client), an error on a channel the function closes by defer (``out <-
    &R{Err: err}``: nomad's device plugin client), or the error of a call given the
    signal's own context (``if err := rn.Start(r.ctx); err != nil { r.errChan <- err }``:
    controller-runtime's runnable group, whose readers leave on other signals), or the
    whole outcome of such a call (``results <- process(ctx, j)``: a.outcome_of). With both cases ready the select picks
    one at random, and that caller reads a zero value from the closed channel."""
    op = operation(stmt)
    value = op.child_by_field_name("value") if op.type == "send_statement" else None
    if value is None:
        return None
    names = {sf.text(x) for x in a.of_type(value, "identifier")}
    filled = next((st for st in a.of_type(a.body(fn), "assignment_statement", skip_functions=True)
                   if st.start_byte < stmt.start_byte and any(
                       left.type == "selector_expression" and sf.text(left.child_by_field_name("operand")) in names
                       and _ERR.search(sf.text(left.child_by_field_name("field")))
                       for left in st.child_by_field_name("left").named_children)), None)
    chan = sf.text(op.child_by_field_name("channel"))
    closed = a.closed_on_exit(sf, fn, chan)
    # the error of a call given the signal's own context: its end is what made it fail
    caused = sig.kind == "context" and (any(
        _ERR.search(n) and (v := a.defined_value(sf, n, stmt)) is not None and v.type == "call_expression"
        and any(sf.text(x) == sig.name for x in a.arguments(v)) for n in names) or a.outcome_of(sf, value, stmt, sig.name))
    if filled is None and not caused and not (closed and _ERR.search(sf.text(value))):
        return None
    return (f"the value sent reports an error, which {sig.name} ending may itself cause: with both cases ready the select "
            "could drop it, and a caller that cancels and then reads the result would get none")


def _cut_by_defer(sf: SourceFile, fn: Node, stmt: Node, chan: Node, sig: a.Cancellation) -> str | None:
    """Why returning would end the stream early, or None: the function closes the channel
    it sends on by ``defer``, and has no case of its own on the signal saying that its end
    ends the stream (own_signal_case copies such a case). Its reader takes the close for a
    complete stream (nomad's artifact hook: a cut list of downloads read as all done)."""
    if operation(stmt).type != "send_statement" or any(
            a.waits_on(sf, c.child_by_field_name("communication"), sig) for c in a.of_type(fn, "communication_case", skip_functions=True)):
        return None
    name = sf.text(chan)
    if not a.closed_on_exit(sf, fn, name):
        return None
    return (f"the function closes {name} by defer: a return on the signal would end the stream early, and its reader "
            "would take what it got for all of it")


def _reply_received(sf: SourceFile, stmt: Node, chan: Node) -> str | None:
    """Why the reply must be delivered, or None: the channel was received itself (``case ch
    := <-b.snapshot:`` of a ``chan chan T``, nomad's ``case errCh := <-s.reassertLeaderCh:``):
    its asker made it and waits for the reply, bare (tailscale's eventbus: ``return <-resp``)
    or with room for it; returning would leave that asker waiting, or drop its answer. Or a
    send on the reply a received request returned, its asker waiting bare (k6's event
    emitter: ``case fn := <-e.syncCh: done := fn(); done <- struct{}{}``, requested_reply)."""
    if chan.type != "identifier":
        return None
    name = sf.text(chan)
    asker = requested_reply(sf, chan, operation(stmt)) if operation(stmt).type == "send_statement" else None
    if asker is not None:
        return (f"{name} is the reply its asker's request returned, and the asker waits for it bare (line "
                f"{sf.line_col(asker.start_byte)[0]}): returning would leave the asker waiting")
    for anc in a.ancestors(stmt):
        comm = anc.child_by_field_name("communication") if anc.type == "communication_case" else None
        if comm is not None and comm.type == "receive_statement" and a.declares(sf, comm, name):
            break
    else:
        value = a.defined_value(sf, name, stmt)
        if not a.is_receive(sf, a.unparen(value) if value is not None else None):
            return None
    return f"{name} is a reply channel its asker handed over and waits on: returning would leave the asker waiting"


def _answered_first(sf: SourceFile, stmt: Node, chan: Node, sig: a.Cancellation) -> str | None:
    """Why a case on the signal could never fire first, or None: the receive waits for the
    answer on ``ch``, which the function handed over with ``x.req <- ch`` in the case or
    block around it; the method of this file that receives ``x.req`` answers every request
    it takes (``close(ch)`` or a send on it, a statement of its case) and is the only one
    to close the signal, by its own ``defer``: the signal fires only after the answer
    (go-ethereum's txIndexer: ``close`` hands ``ch`` to ``loop``, which closes it, then
    returns and closes ``indexer.closed``)."""
    if operation(stmt).type == "send_statement" or chan.type != "identifier" or sig.kind != "channel" or "." not in sig.name:
        return None
    name, signal = sf.text(chan), sig.name.rsplit(".", 1)[1]
    handed = [x for x in a.of_type(a.enclosing_function(stmt), "send_statement", skip_functions=True)
              if x.start_byte < stmt.start_byte and sf.text(x.child_by_field_name("value")) == name
              and x.child_by_field_name("channel").type == "selector_expression"]
    if len(handed) != 1:
        return None
    request = sf.text(handed[0].child_by_field_name("channel").child_by_field_name("field"))
    closes = [c for c in a.of_type(sf.root, "call_expression") if a.callee(sf, c) == (None, "close")
              and (args := a.arguments(c)) and args[0].type == "selector_expression"
              and sf.text(args[0].child_by_field_name("field")) == signal]
    if len(closes) != 1 or closes[0].parent is None or closes[0].parent.type != "defer_statement":
        return None
    partner = a.enclosing_function(closes[0])
    for case in a.of_type(partner, "communication_case", skip_functions=True):
        comm = case.child_by_field_name("communication")
        right = a.unparen(comm.child_by_field_name("right")) if comm is not None and comm.type == "receive_statement" else None
        operand = right.child_by_field_name("operand") if right is not None and a.is_receive(sf, right) else None
        taken = comm.child_by_field_name("left") if operand is not None else None
        if operand is None or operand.type != "selector_expression" or taken is None or len(taken.named_children) != 1 \
                or sf.text(operand.child_by_field_name("field")) != request:
            continue
        got = sf.text(taken.named_children[0])
        answer = next((st for st in a.statements(case) if _closes(sf, st, got)
                       or (st.type == "send_statement" and sf.text(st.child_by_field_name("channel")) == got)), None)
        # no way out of the case before the answer
        if answer is not None and not any(r.start_byte < answer.start_byte for r in a.of_type(
                case, "return_statement", "goto_statement", skip_functions=True)):
            return (f"{a.function_key(sf, partner)[0]}, which takes the request on {request}, answers it on every "
                    f"path and closes {sig.name} only as it returns, by defer: the signal can fire only after the answer")
    return None


def _collector(sf: SourceFile, fn: Node, chan: Node) -> str | None:
    """Why the send cannot block for good, or None: it sends on a ``chan<-
    prometheus.Metric`` or ``*prometheus.Desc`` parameter of a ``Collect`` or ``Describe``
    method, which the registry drains until the method returns (tailscale's prober)."""
    method = next((f for f in a.ancestors(chan) if f.type == "method_declaration"), None)
    if chan.type != "identifier" or method is None or sf.text(method.child_by_field_name("name")) not in ("Collect", "Describe"):
        return None
    for p in a.of_type(method.child_by_field_name("parameters"), "parameter_declaration"):
        if sf.text(chan) in (sf.text(n) for n in p.children_by_field_name("name")) and \
                re.search(r"prometheus\.Metric|\*prometheus\.Desc", sf.text(p.child_by_field_name("type"))):
            return "it sends to a Prometheus registry, which reads every value until Collect or Describe returns"
    return None


def _setup_deadline(sf: SourceFile, stmt: Node, chan: Node, sig: a.Cancellation) -> str | None:
    """Why the signal says nothing of the partner, or None: it is a context made here with a
    deadline (``bootCtx, cancel := context.WithTimeout(ctx, 60*time.Second)``: tailscale's
    containerboot start-up, stunstamp's DERP map fetch), and no other use of the channel
    waits in a select on it. Its end is a step's time limit, not the partner leaving."""
    if sig.kind != "context" or "." in sig.name or operation(stmt).type != "send_statement":
        return None  # a receive that stops at the deadline drops nothing
    made = a.defined_value(sf, sig.name, stmt)
    if not a.is_call_to(sf, made, "context", ("WithTimeout", "WithDeadline", "WithTimeoutCause", "WithDeadlineCause")):
        return None
    for op in _operations_on(sf, stmt, chan):
        ref = op.child_by_field_name("channel") if op.type == "send_statement" else a.unparen(op.child_by_field_name("operand"))
        if op != operation(stmt) and ref is not None and _in_select_on(sf, ref, sig, stmt):
            return None  # the partner leaves on the same deadline
    return (f"{sig.name} is a deadline made for a step ({sf.text(made.child_by_field_name('function'))}): its end says nothing "
            "of whoever takes the value, which would be dropped")


_STOPPING = re.compile(r"stop|shutdown|close|terminate", re.I)


def _made_by_stop(sf: SourceFile, abspath: str | None, sig: a.Cancellation) -> str | None:
    """Why a context field is no stop signal for running code, or None: the package gives
    it a value only in assignments within methods named as stopping (controller-runtime's
    ``cm.shutdownCtx``, set by ``engageStopProcedure``), never in a literal. Until the stop
    starts it is nil, and a select on its ``Done()`` would panic; after, it times the stop
    procedure, not the partner."""
    if sig.kind != "context" or "." not in sig.name or abspath is None:
        return None
    field = sig.name.rsplit(".", 1)[1]
    givers: set[str] = set()
    for f in _package(sf, abspath):
        if any(f.text(n.named_children[0]) == field for n in a.of_type(f.root, "keyed_element") if n.named_child_count == 2):
            return None  # given in a literal: set as the value is built
        for st in a.of_type(f.root, "assignment_statement"):
            if any(left.type == "selector_expression" and f.text(left.child_by_field_name("field")) == field
                   for left in st.child_by_field_name("left").named_children):
                decl = next((x for x in a.ancestors(st) if x.type in ("function_declaration", "method_declaration")), None)
                givers.add(f.text(decl.child_by_field_name("name")) if decl is not None else "")
    if not givers or not all(_STOPPING.search(g) for g in givers):
        return None
    return (f"{sig.name} is given only by {', '.join(sorted(givers))}, as the value stops: before that it is nil (a select "
            "on it would panic), and its end times the stop, not whoever takes the value")


def _answers_http(sf: SourceFile, fn: Node) -> str | None:
    """Why a bare return is no way out of an HTTP handler, or None: the response is written
    as the handler returns, so returning without writing answers 200 OK to a request that
    did not happen (prometheus' /-/reload)."""
    for f in (x for x in a.ancestors(fn) if x.type in a.FUNCTION_TYPES) if fn.type == "func_literal" else (fn,):
        params = f.child_by_field_name("parameters")
        types = [sf.text(p.child_by_field_name("type")) for p in a.of_type(params, "parameter_declaration")] if params else []
        if any(t.endswith("ResponseWriter") for t in types):
            return "it serves an HTTP request: a bare return would answer 200 OK without doing the work; write the error by hand"
        if fn.type != "func_literal" or a.goroutine_literal(fn) is not None:
            break  # a goroutine's literal answers nobody's request
    return None


def _carries_resource(sf: SourceFile, fn: Node, stmt: Node) -> str | None:
    """Why the value sent holds something the function must close, or None: a local in
    the sent value that the function closes on another way out (syncthing's relay listener
    closes ``tc`` when the handshake fails, and hands it over otherwise). Returning on the
    signal would drop it unclosed."""
    if operation(stmt).type != "send_statement":
        return None
    value = operation(stmt).child_by_field_name("value")
    for ident in a.of_type(value, "identifier"):
        name = sf.text(ident)
        for call in a.of_type(fn, "call_expression", skip_functions=True):
            f = call.child_by_field_name("function")
            if f.type == "selector_expression" and sf.text(f) == f"{name}.Close" \
                    and a.local_declaration(sf, name, call) == a.local_declaration(sf, name, stmt) is not None:
                return (f"the value sent holds {name}, which the function closes on another way out (line "
                        f"{sf.line_col(call.start_byte)[0]}): a return here would drop it unclosed")
    return None


def _cancelled_after(sf: SourceFile, fn: Node, stmt: Node, sig: a.Cancellation) -> str | None:
    """Why the context can not be done while the operation waits, or None: it is a local
    ``WithCancel`` of a context nothing cancels, and its cancel is only called (never handed
    on) by the operation's own function, after it and outside any loop around it, or by
    ``defer`` (etcdctl's observe cancels once the signal it waits for has come; telegraf's
    aggregator once its source is drained; go-micro's NATS handler as it returns)."""
    if sig.kind != "context" or "." in sig.name:
        return None
    decl = a.local_declaration(sf, sig.name, stmt)
    made = a.defined_value(sf, sig.name, stmt)
    if decl is None or decl.type != "short_var_declaration" or not a.is_call_to(sf, made, "context", a.CANCELLED_BY_CALL):
        return None
    parent = a.unparen(a.arguments(made)[0]) if a.arguments(made) else None
    if parent is None or not a.never_cancelled(sf, a.Cancellation(sf.text(parent), "context"), made) and not a.never_done(sf, parent, made):
        return None
    binding = a.tuple_binding(sf, decl, 1)
    refs = a.references(sf, binding) if binding is not None else []
    # `ctx, cancel = context.WithTimeout(ctx, d)` later gives it another lifetime
    reassigned = any(sf.text(n) == sig.name for st in a.of_type(a.enclosing_function(decl), "assignment_statement")
                     for n in st.child_by_field_name("left").named_children)
    if not refs or reassigned:
        return None
    loops = [x for x in a.ancestors(stmt) if x.type == "for_statement" and a.is_within(x, fn)]
    for ref in refs:
        call = ref.parent
        if call.type != "call_expression" or call.child_by_field_name("function") != ref or a.enclosing_function(ref) != fn:
            return None
        # `defer cancel()` runs as the function leaves, after the operation too
        if call.parent.type != "defer_statement" and (ref.start_byte < stmt.end_byte or any(a.is_within(ref, x) for x in loops)):
            return None
    return (f"{sig.name}'s cancel is called only by this function, after the operation or as it leaves (line "
            f"{sf.line_col(refs[0].start_byte)[0]}): the new case could not fire while it waits")


def _only_way_out(case: Node) -> bool:
    """Whether a select's ``case`` holds every way out of the loop around the select (its
    returns, gotos and breaks of that loop): the loop waits on it until it has had every
    value, whatever else fires (go's fuzz coordinator counts its workers' results out
    even after its context ends)."""
    loop = a.enclosing(case, "for_statement", stop_at=a.FUNCTION_TYPES)
    if loop is None:
        return False
    body = loop.child_by_field_name("body")
    exits = [*a.of_type(body, "return_statement", "goto_statement", skip_functions=True),
             *(b for b in a.of_type(body, "break_statement", skip_functions=True)
               if b.named_children or a.enclosing(b, *_BREAKABLE, stop_at=a.FUNCTION_TYPES) == loop)]
    return bool(exits) and all(a.is_within(x, case) for x in exits)


def _cancelled_after_wait(sf: SourceFile, abspath: str | None, sig: a.Cancellation) -> str | None:
    """Why a context field can not be done while the goroutines its owner counts wait, or
    None: every call, in the package, of the cancel made with it (``n.ctx, n.ctxCancel =
    context.WithCancel(...)``) follows in its block a ``Wait()`` of a field through which
    the package starts goroutines (``n.waitGroup.Wrap(...)``, ``Go``, ``Add``): nsq's Exit
    waits for its loops, then cancels, so a loop waiting on the context waits for itself."""
    if sig.kind != "context" or "." not in sig.name or abspath is None:
        return None
    field = sig.name.rsplit(".", 1)[1]
    files = _package(sf, abspath)
    cancels = set()
    for f in files:
        for st in a.of_type(f.root, "assignment_statement"):
            left, right = a.left_names(st), st.child_by_field_name("right").named_children
            if len(left) == 2 and len(right) == 1 and all(x.type == "selector_expression" for x in left) \
                    and f.text(left[0].child_by_field_name("field")) == field and a.is_call_to(f, right[0], "context", a.CANCELLED_BY_CALL):
                cancels.add(f.text(left[1].child_by_field_name("field")))
    waited, first = set(), None
    for f in files:
        for ref in (x for x in a.of_type(f.root, "field_identifier") if f.text(x) in cancels):
            if ref.parent.type == "field_declaration" or (ref.parent.parent.type == "expression_list"
                                                          and ref.parent.parent == ref.parent.parent.parent.child_by_field_name("left")):
                continue  # its declaration, or the assignment that makes it
            call = ref.parent.parent
            st = a.statement_of(call)
            if call.type != "call_expression" or call.child_by_field_name("function") != ref.parent or st.named_children[:1] != [call]:
                return None  # handed on, or called inside an expression: who calls it is not told
            wait = next((x for x in reversed(_earlier(st)) if x.type == "expression_statement"
                         and _WAIT.fullmatch(f.text(x))), None)
            if wait is None:
                return None
            waited.add(_WAIT.fullmatch(f.text(wait)).group(1))
            first = first or (f, wait)
    started = any(re.search(rf"\.{re.escape(h)}\.(Wrap|Go|Add)\(", f.text(f.root)) for h in waited for f in files)
    if first is None or not started:
        return None
    f, wait = first
    return (f"{sig.name} is cancelled only after {f.text(wait)} ({os.path.basename(f.path)}:{f.line_col(wait.start_byte)[0]}), "
            "which waits for the goroutines it counts: the new case could not fire while they wait")


_WAIT = re.compile(r"[\w.]+\.(\w+)\.Wait\(\)")  # x.wg.Wait(): the field waited on


def _package(sf: SourceFile, abspath: str) -> list[SourceFile]:
    """``sf`` (as the fix sees it) and the other files of its package."""
    return [sf, *(f for path, f in parsed_package(os.path.dirname(abspath)) if os.path.abspath(path) != os.path.abspath(abspath))]


def _earlier(stmt: Node) -> list[Node]:
    """The statements before ``stmt`` in its block."""
    out, n = [], stmt.prev_named_sibling
    while n is not None:
        out.insert(0, n)
        n = n.prev_named_sibling
    return out


def _times_out(sf: SourceFile, case: Node) -> bool:
    """Whether a select's case (or a comment in it) is no way out but a deadline: a receive
    from ``time.After(...)``, ``time.Tick(...)`` or a timer's or ticker's ``.C``."""
    if case.type == "comment":
        return True
    comm = case.child_by_field_name("communication") if case.type == "communication_case" else None
    if comm is None:
        return False  # a default: the partner does not wait
    recv = a.unparen(comm.named_children[0] if comm.type == "expression_statement" else comm.child_by_field_name("right") or comm)
    if not a.is_receive(sf, recv):
        return False
    return re.fullmatch(r"time\.(After|Tick)\(.*\)|[\w.]+\.C", sf.text(a.unparen(recv.child_by_field_name("operand"))), re.S) is not None


def _operations_on(sf: SourceFile, stmt: Node, chan: Node, ranges: bool = False) -> list[Node]:
    """Sends and receives on ``chan`` in the file: uses of the local it names, or of any
    field of its name (a field is matched by name: another value's field of that name may
    be counted too, which only refuses more); ``ranges``: its ``for range`` loops' channel
    too."""
    if chan.type == "selector_expression":
        field = sf.text(chan.child_by_field_name("field"))
        refs = [x for x in a.of_type(sf.root, "selector_expression") if sf.text(x.child_by_field_name("field")) == field]
        for v in a.field_values(sf, field):  # a local stored in the field: its own uses count too
            made = a.defined_value(sf, sf.text(v), v) if v.type == "identifier" else None
            binding = a.assignments(sf, made) if made is not None else None
            refs += a.references(sf, binding) if binding is not None else []
    elif chan.type == "identifier":
        binding = a.local_binding(sf, sf.text(chan), stmt)
        refs = a.references(sf, binding) if binding is not None else []
    else:
        refs = []
    out = []
    for ref in refs:
        op = ref.parent
        if (op.type == "send_statement" and op.child_by_field_name("channel") == ref) or \
                (a.is_receive(sf, op) and a.unparen(op.child_by_field_name("operand")) == ref):
            out.append(op)
        elif op.type == "parenthesized_expression" and a.is_receive(sf, op.parent):
            out.append(op.parent)
        elif ranges and op.type == "range_clause" and op.child_by_field_name("right") == ref:
            out.append(ref)
    return out


def _callers_never_cancel(sf: SourceFile, abspath: str | None, stmt: Node, sig: a.Cancellation) -> str | None:
    """Why the context parameter ``sig`` can never be done, or None: every call of the
    function declaring it, in the files of its package, passes a context nothing cancels
    (see analysis.never_given_a_live_one; an exported function's callers in other packages
    are out of view, and only cost a fix). The new case would never fire: a fix that changes
    nothing, as context plumbing that passes ``context.TODO()``."""
    if sig.kind != "context" or "." in sig.name or abspath is None:
        return None
    decl = next((f for f in a.ancestors(stmt) if f.type in ("function_declaration", "method_declaration")
                 and a.params_declare(sf, f, sig.name)), None)
    files = _package(sf, abspath)
    found = a.never_given_a_live_one(sf, decl, sig.name, files, lambda f, fn: True) if decl is not None else None
    if found is None:
        return None
    f, call = found
    tested = not sf.path.endswith("_test.go") and any(
        c.path.endswith("_test.go") for c, _, _ in a.passed_for(sf, decl, sig.name, files) or ())
    where = "in its package" + (", its tests aside," if tested else "")
    return (f"every call of {sf.text(decl.child_by_field_name('name'))} {where} passes a context nothing "
            f"cancels ({os.path.basename(f.path)}:{f.line_col(call.start_byte)[0]}): the new case would never fire")


def _test_own_goroutine(sf: SourceFile, stmt: Node) -> str | None:
    """Why a return is the wrong way out of test code's own goroutine (not one it starts),
    or None: a silent return would let a hung test pass instead of failing it."""
    if a.enclosing_goroutine(stmt) is None and a.in_test(sf, stmt):
        return "it runs in the test's own goroutine: a silent return would pass a hung test; fail the test there by hand"
    return None


def watch_where_partners_leave(sf: SourceFile, stmt: Node, state: str, abspath: str | None = None,
                               c: Covered | None = None) -> tuple[Fix | None, str | None]:
    """watch's fix where it cannot take from anyone what they wait for, so that a re-run of
    the tests suffices: the operation ends a goroutine's ``go func`` literal (nothing but
    deferred code and the loop's next passes are skipped when the new case returns), and
    its channel is an unbuffered local ``make`` (a buffer for every send would never block:
    the case could only drop a value) that is never closed nor handed on, whose every other
    send and receive sits in a select that also waits on the same signal and returns on it:
    once the signal fires they all leave too, and no value is dropped that someone still
    takes (the corpus' wrong answers each lacked one of these: bench/corpus/FINDINGS.md).
    (None, None) elsewhere: watch answers, as review."""
    fix, _ = watch(sf, stmt, state, abspath, c)
    fn = a.enclosing_function(stmt)
    if fix is None or a.goroutine_literal(fn) is None or not a.nothing_after(a.body(fn), stmt):
        return None, None
    sig = _stop_signal(sf, stmt, fn)
    chan = a.unparen(channel(sf, stmt))
    made = a.defined_value(sf, sf.text(chan), stmt) if chan.type == "identifier" else None
    unbuffered = a.is_call_to(sf, made, None, ("make",)) and len(a.arguments(made)) == 1
    binding = a.assignments(sf, made) if unbuffered else None
    if sig is None or binding is None:
        return None, None
    for ref in a.references(sf, binding):
        if ref.start_byte != chan.start_byte and not _in_select_on(sf, ref, sig, stmt):
            return None, None
    return fix, None


def _in_select_on(sf: SourceFile, ref: Node, sig: a.Cancellation, stmt: Node) -> bool:
    """Whether ``ref`` (a use of the channel) is the send or receive of a select case whose
    select also has a case waiting on ``sig``, the same signal as at ``stmt``, that ends in a
    return (a case that goes on, as go's fuzz coordinator does, still waits for the value)."""
    op = ref.parent
    if op.type == "send_statement" and op.child_by_field_name("channel") == ref:
        comm = op
    elif a.is_receive(sf, op) and a.unparen(op.child_by_field_name("operand")) == ref:
        comm = op.parent if op.parent.type in ("expression_statement", "receive_statement") else None
    else:
        return False  # a close, a range, a len, a hand-off: not a partner that leaves on the signal
    case = comm.parent if comm is not None else None
    if case is None or case.type != "communication_case" or case.child_by_field_name("communication") != comm:
        return False
    root = re.match(r"\w+", sig.name).group()
    for other in (x for x in case.parent.named_children if x.type == "communication_case"):
        body = a.statements(other)
        if a.waits_on(sf, other.child_by_field_name("communication"), sig) and body \
                and body[-1].type == "return_statement" and _same_name(sf, root, other, stmt):
            return True
    return False


def _same_name(sf: SourceFile, name: str, x: Node, y: Node) -> bool:
    """Whether ``name`` at ``x`` and at ``y`` is one variable: the same local declaration, or
    the same function's parameter (a closure sees its outer function's)."""
    dx, dy = a.local_declaration(sf, name, x), a.local_declaration(sf, name, y)
    if dx is not None or dy is not None:
        return dx is not None and dy is not None and dx.start_byte == dy.start_byte

    def declaring(n: Node) -> int | None:
        return next((f.start_byte for f in a.ancestors(n) if f.type in a.FUNCTION_TYPES and a.params_declare(sf, f, name)), None)
    return declaring(x) == declaring(y)


def _stop_signal(sf: SourceFile, stmt: Node, fn: Node) -> a.Cancellation | None:
    """A context in scope that is not Background/TODO, or a done channel ``fn`` already
    receives from in a select and never closes or sends on itself; else a channel ``fn``
    already stops on: a select case of its that receives from it and only returns."""
    for c in a.cancellation_in_scope(sf, stmt):
        if c.kind == "context":
            if not a.never_cancelled(sf, c, stmt):
                return c
        elif _selects_on(sf, fn, c.name) and not _signals_itself(sf, fn, c.name):
            return c
    return _stops_on(sf, fn)


def _stops_on(sf: SourceFile, fn: Node) -> a.Cancellation | None:
    """``X`` of a case ``<-X: return`` of a select in ``fn``, ``X`` a name, a field or an
    argument-less method call on them named as a stop signal (``lt.stopper.ShouldStop()``):
    the code already treats it as its stop signal, so a blocked operation of ``fn`` may stop
    on it too."""
    for case in a.of_type(fn, "communication_case", skip_functions=True):
        comm = case.child_by_field_name("communication")
        expr = None
        if comm is not None and comm.type == "receive_statement" and comm.child_by_field_name("left") is None:
            expr = a.unparen(comm.child_by_field_name("right"))
        elif comm is not None and comm.type == "expression_statement":
            expr = a.unparen(comm.named_children[0])
        body = a.statements(case)
        if not (a.is_receive(sf, expr) and len(body) == 1 and body[0].type == "return_statement" and not body[0].named_children):
            continue
        chan = a.unparen(expr.child_by_field_name("operand"))
        # ctx.Done(): a context is cancellation_in_scope's to judge (Background is never done)
        done_call = chan.type == "call_expression" and sf.text(chan).endswith(".Done()")
        # named as a stop signal: a timer's channel stops a wait at a deadline, not for good
        named = a.names_a_signal(sf.text(chan).removesuffix("()").rsplit(".", 1)[-1])
        if _plain(chan) and named and not done_call and not _signals_itself(sf, fn, sf.text(chan)):
            return a.Cancellation(sf.text(chan), "channel")
    return None


def _plain(expr: Node) -> bool:
    """A name, a field chain, or an argument-less method call on one."""
    if expr.type == "call_expression":
        return not a.arguments(expr) and expr.child_by_field_name("function").type == "selector_expression" \
            and _plain(expr.child_by_field_name("function"))
    if expr.type == "selector_expression":
        return _plain(expr.child_by_field_name("operand"))
    return expr.type == "identifier"


def _selects_on(sf: SourceFile, fn: Node, name: str) -> bool:
    for case in a.of_type(fn, "communication_case", skip_functions=True):
        comm = case.child_by_field_name("communication")
        if comm is not None and sf.text(comm).replace(" ", "") in (f"<-{name}", f"_=<-{name}"):
            return True
    return False


def _signals_itself(sf: SourceFile, fn: Node, name: str) -> bool:
    for n in a.of_type(fn, "send_statement", "call_expression", skip_functions=True):
        if n.type == "send_statement" and sf.text(n.child_by_field_name("channel")) == name:
            return True
        if n.type == "call_expression" and a.callee(sf, n) == (None, "close") and [sf.text(x) for x in a.arguments(n)] == [name]:
            return True
    return False


def _after_cancellation(sf: SourceFile, fn: Node, stmt: Node, sig: a.Cancellation) -> str | None:
    """Why ``stmt`` runs once the signal has fired, so that the new case would fire at once
    and drop the operation (the code goes on after cancellation on purpose), or None: it
    sits in a case that waits on the signal (in its own function or one that starts it),
    follows such a wait in ``fn`` that does not return, follows a cancel call in ``fn``, or
    the signal's own cancel on every way to it through the func literals around it."""
    for case in (x for x in a.ancestors(stmt) if x.type == "communication_case"):
        if a.waits_on(sf, case.child_by_field_name("communication"), sig):
            return "it runs after the signal fired (in a case that waits on it): the new case would drop it"
    for n in a.of_type(fn, "communication_case", "expression_statement", skip_functions=True):
        if n.start_byte >= stmt.start_byte:
            break
        if n.type == "expression_statement" and cancels_call(sf, n):
            return "the function cancels before it: the new case would fire at once and drop it"
        head = n.child_by_field_name("communication") if n.type == "communication_case" else n
        body = a.statements(n) if n.type == "communication_case" else []
        if a.waits_on(sf, head, sig) and not (body and body[-1].type == "return_statement"):
            return "it follows a wait on the signal that goes on: the new case would fire at once and drop it"
    return _cancelled_on_the_way(sf, stmt, sig) or _called_after_cancel(sf, stmt)


def _cancelled_on_the_way(sf: SourceFile, stmt: Node, sig: a.Cancellation) -> str | None:
    """Why the signal's context is done before ``stmt`` runs, or None: its own cancel (see
    _cancels) is called on every path from the entry of ``stmt``'s function to it, or of a
    function around the func literal holding it to that literal, with no new context made
    in its place on the way (sarama's release: ``s.cancel(nil)``, then
    ``s.releaseOnce.Do(func() { ...; <-s.hbDead })``). A literal runs only once it exists,
    so after that cancel."""
    if sig.kind != "context":
        return None
    at = stmt
    for fn in (x for x in a.ancestors(stmt) if x.type in a.FUNCTION_TYPES):
        g = a.graph(sf, fn)
        point = g.point_of(at)
        cancels, remade = set(), set()
        for n in a.of_type(a.body(fn), "expression_statement", "assignment_statement", "short_var_declaration",
                           skip_functions=True):
            if n.type == "expression_statement" and _cancels(sf, n, sig, stmt):
                cancels.add(g.point_of(n))
            elif n.type != "expression_statement" and any(sf.text(x) == sig.name for x in a.left_names(n)):
                remade.add(g.point_of(n))
        cancels.discard(None)
        if point is None or any(point in g.reachable(r, avoiding=frozenset(cancels)) for r in remade if r is not None):
            return None
        if cancels and g.dominates(frozenset(cancels), point):
            first = min((g.points[c] for c in cancels), key=lambda n: n.start_byte)
            return (f"{sig.name} is cancelled on every way to it ({sf.text(first)} at line {sf.line_col(first.start_byte)[0]}): "
                    "the new case would fire at once and skip the operation")
        if fn.type != "func_literal":
            return None
        at = fn
    return None


def _cancels(sf: SourceFile, stmt: Node, sig: a.Cancellation, at: Node) -> bool:
    """Whether ``stmt`` calls the cancel of context ``sig``: ``cancel()`` of ``ctx, cancel
    := context.WithCancel(...)`` (or another maker with a cancel), or for a field ``r.ctx``
    of the receiver of the method around ``at``, ``r.cancel(...)`` of the field that the
    type's keyed literals or assignments pair with it (see paired_field)."""
    call = a.unparen(stmt.named_children[0]) if stmt.named_children else None
    f = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if f is None:
        return False
    if "." not in sig.name:
        made = with_cancel(sf, sf.text(f), call, a.CANCELLABLE) if f.type == "identifier" else None
        return made is not None and made[1] == sig.name
    recv, field = sig.name.rsplit(".", 1)
    method = a.enclosing(at, "method_declaration")
    if f.type != "selector_expression" or method is None or sf.text(f.child_by_field_name("operand")) != recv \
            or recv != a.receiver_name(sf, method):
        return False
    type_name = a.function_key(sf, method)[1]
    paired, _ = paired_field(sf, type_name, sf.text(f.child_by_field_name("field")), struct_fields(sf, type_name) or {},
                             a.CANCELLABLE, assigned=True)
    return paired == field


def _called_after_cancel(sf: SourceFile, stmt: Node) -> str | None:
    """Why the function declaring ``stmt`` runs once the signal has fired, or None: every
    call of it in the file follows a cancel call in its caller (go-redis' Close cancels,
    then drains: the new case would skip the drain)."""
    decl = next((f for f in a.ancestors(stmt) if f.type in ("function_declaration", "method_declaration")), None)
    name = sf.text(decl.child_by_field_name("name")) if decl is not None else None
    calls = [x for x in a.of_type(sf.root, "call_expression") if name is not None and x.child_by_field_name("function").type
             in ("identifier", "selector_expression") and sf.text(x.child_by_field_name("function")).rsplit(".", 1)[-1] == name]
    first = None
    for call in calls:
        caller = a.enclosing_function(call)
        cancel = next((n for n in a.of_type(a.body(caller), "expression_statement", skip_functions=True)
                       # in a block around the call: not one of an earlier branch
                       if n.end_byte <= call.start_byte and a.is_within(call, n.parent) and cancels_call(sf, n)), None) \
            if caller is not None else None
        if cancel is None:
            return None
        first = first or cancel
    if first is None:
        return None
    return (f"its callers cancel before they call it ({sf.text(first)} at line {sf.line_col(first.start_byte)[0]}): "
            "the new case would fire at once and skip what it does")


def done_field(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A send on a channel field of the method's receiver (``n.status <- c``) whose only
    receiver is one method of the type that closes a done field (``n.done``) as it returns:
    once that is closed nobody can take the value, so the send selects on it too and
    returns (zero values when the function has results), as etcd's PR 6857 did (a
    single-case select gets the case added)."""
    chan = channel(sf, stmt)
    method = a.enclosing(stmt, "method_declaration")
    if state != "chan send" or chan.type != "selector_expression" or method is None:
        return None, None
    recv, field = chan.child_by_field_name("operand"), sf.text(chan.child_by_field_name("field"))
    key = a.function_key(sf, method)
    if recv.type != "identifier" or key is None or sf.text(recv) != a.receiver_name(sf, method):
        return None, None
    fields = struct_fields(sf, key[1])
    if fields is None or fields.get(field, "").split(" ")[0] not in ("chan", "chan<-"):
        return None, None
    methods = [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == key[1]]
    done, why = _closed_at_exit(sf, methods, field, fields)
    if done is None:
        return None, why
    shared = used_elsewhere(abspath, [rb"\." + f.encode() + rb"\b" for f in (field, done)])
    if shared:
        return None, shared
    fn = a.enclosing_function(stmt)
    ret = zero_return(sf, fn)
    if ret is None:
        return None, "the function's results have no zero value this fix can spell: return from it by hand"
    if any(n.start_byte > operation(stmt).end_byte for n in a.of_type(a.body(fn), "expression_statement", skip_functions=True)):
        return None, "the function goes on with other calls after the send: a return would skip them"
    if not g_.own_line(sf, stmt):
        return None, "the operation shares its line: rewrite it by hand"
    message = f"select on {sf.text(recv)}.{done} too (closed when the receiver of {field} returns), and return"
    if stmt.type == "select_statement":
        edit = add_case(sf, stmt, [f"case <-{sf.text(recv)}.{done}:", "\t" + ret])
        return (Fix(message, (edit,)), None) if edit is not None else (None, "the select ends on a shared line: add the case by hand")
    comment = g_.trailing_comment(sf, stmt)
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    case = f"case {sf.text(stmt)}:" + (f" {comment.text}" if comment else "")
    stop = f"case <-{sf.text(recv)}.{done}:"
    new = b"select {" + nl + b"".join(indent + ln.encode() + nl for ln in (case, stop, "\t" + ret)) + indent + b"}"
    end = comment.end_byte if comment is not None else stmt.end_byte
    return Fix(message, (TextEdit(stmt.start_byte, end, new),)), None


def _closed_at_exit(sf: SourceFile, methods: list[Node], field: str, fields: dict[str, str]) -> tuple[str | None, str]:
    """(the done field the one method receiving from ``field`` closes as it returns, by a
    defer or right before a `return`, and closes nowhere else, ""), or (None, why none)."""
    receivers = {m for m in methods for n in a.of_type(m, "unary_expression") if a.is_receive(sf, n)
                 and _is_field(sf, a.unparen(n.child_by_field_name("operand")), m, field)}
    if len(receivers) != 1:
        return None, f"{field} is received from in {len(receivers)} methods of its type: no one receiver whose exit a done field marks"
    loop = next(iter(receivers))
    closes = [(m, n) for m in methods for n in a.of_type(m, "call_expression") if a.callee(sf, n) == (None, "close")
              and len(a.arguments(n)) == 1 and a.arguments(n)[0].type == "selector_expression"]
    for m, call in closes:
        arg = a.arguments(call)[0]
        done = sf.text(arg.child_by_field_name("field"))
        if m != loop or not _is_field(sf, arg, m, done) or fields.get(done) != "chan struct{}" or not a.names_a_signal(done):
            continue
        if all(c[0] == loop for c in closes if sf.text(a.arguments(c[1])[0].child_by_field_name("field")) == done) \
                and _at_exit(call, loop):
            return done, ""
    return None, f"the receiver of {field} closes no done field of its type as it returns"


def _is_field(sf: SourceFile, node: Node, method: Node, field: str) -> bool:
    """``r.field`` with ``r`` the receiver of ``method``."""
    return (node.type == "selector_expression" and sf.text(node.child_by_field_name("field")) == field
            and sf.text(node.child_by_field_name("operand")) == a.receiver_name(sf, method))


def _at_exit(call: Node, method: Node) -> bool:
    """``defer close(x)`` in the method's body, or ``close(x)`` just before a `return`."""
    stmt = call.parent
    if stmt.type == "defer_statement":
        return stmt.parent is not None and stmt.parent.parent == a.body(method)
    nxt = stmt.next_named_sibling if stmt.type == "expression_statement" else None
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    return nxt is not None and nxt.type == "return_statement" and a.enclosing_function(call) == method


# ---------------------------------------------------------------------------- wake-up


def wake_up(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """``x.f <- struct{}{}`` on a wake-up channel: a ``chan struct{}`` field every `make` of
    this file gives capacity 1, that nobody closes, and whose every receive is an empty
    select case inside a loop (``for { select { case <-x.f: } ... }``: a wake-up, after
    which the loop looks at the state again). A blocked send finds a wake-up already
    waiting in the buffer, which the receiver will see: sending without blocking (select
    with default) loses nothing, as cockroach's PR 24808 did. A single-case select gets the
    default, when its case does nothing more (a body would be skipped with the wake-up)."""
    chan = channel(sf, stmt)
    value = operation(stmt).child_by_field_name("value")
    if state != "chan send" or chan.type != "selector_expression" or sf.text(value).replace(" ", "") != "struct{}{}":
        return None, None
    field = sf.text(chan.child_by_field_name("field"))
    makes, receives = _values_of(sf, chan, stmt), []
    for n in a.of_type(sf.root, "unary_expression", "call_expression"):
        if a.is_receive(sf, n) and names_field(sf, n.child_by_field_name("operand"), field):
            receives.append(n)
        elif n.type == "call_expression" and a.callee(sf, n) == (None, "close") and any(
                names_field(sf, x, field) for x in a.arguments(n)):
            return None, f"{field} is closed: not a plain wake-up channel"
    if not makes or not all(sf.text(m).replace(" ", "") == "make(chanstruct{},1)" for m in makes):
        return None, f"{field} is not made here with a buffer of one (a wake-up channel's): a send may not be dropped"
    for r in receives:
        bare = r.parent.type == "expression_statement" or (
            r.parent.type == "receive_statement" and r.parent.child_by_field_name("left") is None)
        case = r.parent.parent if bare else None
        if case is None or case.type != "communication_case" or a.statements(case):
            return None, (f"a receive from {field} is not an empty select case (a semaphore's release, "
                          "a value that counts): no send may be dropped")
        # a loop that looks again after each wake-up; a receive outside one takes a token
        # (channels passing one token around as a lock: internal/nettest's connHalf)
        fn = a.enclosing_function(case)
        if fn is None or not a.loops_between(case, fn):
            return None, f"a receive from {field} is in no loop that looks again after each wake-up: it may take a token"
    if not receives or not g_.own_line(sf, stmt):
        return None, "no receiver in view, or the send shares its line"
    shared = used_elsewhere(abspath, [rb"\." + field.encode() + rb"\b"])
    if shared:
        return None, shared
    message = f"send without blocking on wake-up channel {field}: a wake-up already waits in its buffer of one"
    if stmt.type == "select_statement":
        return _with_default(sf, stmt, message, "send")
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    new = b"select {" + nl + indent + f"case {sf.text(stmt)}:".encode() + nl + indent + b"default:" + nl + indent + b"}"
    return Fix(message, (TextEdit(stmt.start_byte, stmt.end_byte, new),)), None


# ---------------------------------------------------------------------------- close when done


def closed_by_its_goroutine(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A wait ``<-done`` on a local channel nobody can ever send on or close: besides the
    receives, it is only handed to one goroutine, ``go f(done)``, whose function ignores
    that parameter. The wait reads as "until f is done" and never ends: f closes it as it
    returns (``defer close(done)``), f being called nowhere else. Also for a single-case
    select's ``case <-done:``."""
    chan, op = channel(sf, stmt), operation(stmt)
    bare = op.type == "expression_statement" or (op.type == "receive_statement" and op.child_by_field_name("left") is None)
    if state != "chan receive" or not bare or chan.type != "identifier":
        return None, None
    name = sf.text(chan)
    decl = a.local_declaration(sf, name, stmt)
    if decl is None or decl.type != "short_var_declaration" or not any(
            a.callee(sf, n) == (None, "make") for n in a.of_type(decl, "call_expression")):
        return None, None
    uses = [n for n in a.of_type(a.enclosing_function(decl), "identifier")
            if sf.text(n) == name and not a.is_within(n, decl.child_by_field_name("left"))]
    handed = [n for n in uses if n.parent.type == "argument_list" and n.parent.parent.parent.type == "go_statement"]
    received = [n for n in uses if n.parent.type == "unary_expression" and a.is_receive(sf, n.parent)]
    if len(handed) != 1 or len(handed) + len(received) != len(uses):
        return None, f"{name} is used otherwise than waited on and handed to one goroutine: its signaller is not plain"
    call = handed[0].parent.parent
    index = a.arguments(call).index(handed[0])
    f = call.child_by_field_name("function")
    callee = f.child_by_field_name("field") if f.type == "selector_expression" else f
    called = sf.text(callee)
    kind = "method_declaration" if f.type == "selector_expression" else "function_declaration"
    decls = [d for d in a.of_type(sf.root, kind) if sf.text(d.child_by_field_name("name")) == called]
    params = [(p, n) for d in decls for p in a.of_type(d.child_by_field_name("parameters"), "parameter_declaration")
              for n in p.children_by_field_name("name")]
    if len(decls) != 1 or index >= len(params) or a.body(decls[0]) is None:
        return None, f"the goroutine's function {called} is not one function of this file whose parameters are plain"
    body, (param, ident) = a.body(decls[0]), params[index]
    if " ".join(sf.text(param.child_by_field_name("type")).split()).split(" ")[0] != "chan":
        return None, f"{called} takes {name} as a channel it may not close"
    if any(sf.text(n) == sf.text(ident) for n in a.of_type(body, "identifier")):
        return None, f"{called} uses {name}: when it signals is its own logic"
    mentions = [n for n in a.of_type(sf.root, "identifier", "field_identifier") if sf.text(n) == called]
    if len(mentions) != 2:  # its declaration and this go statement
        return None, f"{called} is called or named elsewhere too: closing {name} in it would close others' channels"
    shared = used_elsewhere(abspath, [rb"\b" + called.encode() + rb"\b"])
    if shared:
        return None, shared
    edit = insert_at_block_start(sf, body, f"defer close({sf.text(ident)})")
    if edit is None:
        return None, f"{called}'s body is on one line: add `defer close({sf.text(ident)})` by hand"
    return Fix(f"close {sf.text(ident)} when {called} returns, ending the wait on it", (edit,)), None


# ---------------------------------------------------------------------------- a channel nobody signals


def received_field(sf: SourceFile, stmt: Node) -> str | None:
    """The unexported channel field ``f`` of a struct of this file that the receive
    ``stmt`` reads: ``<-r.f`` in a method of its receiver ``r``, or ``<-x.M()`` where the one
    method ``M`` of the file returns ``r.f`` after nothing but nil guards; else None."""
    chan = channel(sf, stmt)
    if chan is not None and chan.type == "call_expression" and (mc := a.method_call(sf, chan)) is not None and not a.arguments(chan):
        getters = [m for m in a.of_type(sf.root, "method_declaration") if sf.text(m.child_by_field_name("name")) == mc[1]]
        code = [n for n in a.statements(a.body(getters[0])) if n.type != "comment"] if len(getters) == 1 else []
        # ``return r.f``, after nothing but nil guards (``if r == nil { return nil }``)
        guards = all(n.type == "if_statement" and n.child_by_field_name("alternative") is None and
                     " ".join(sf.text(n.child_by_field_name("consequence")).split()) == "{ return nil }" for n in code[:-1])
        chan = code[-1].named_children[0].named_children[0] if code and guards and code[-1].type == "return_statement" \
            and code[-1].named_children and len(code[-1].named_children[0].named_children) == 1 else None
    return own_channel_field(sf, chan, a.enclosing_function(chan)) if chan is not None else None


def never_signalled(sf: SourceFile, stmt: Node, state: str, abspath: str) -> str | None:
    """A diagnosis, no fix: the blocked receive reads an unexported channel field of a
    struct of this file (``r.f`` of the method's receiver, or the result of a method whose
    body is ``return r.f``, after nil guards) that nothing in the package sends on,
    closes, copies or hands on, so no goroutine can ever end the wait (cockroach's 25456: a
    quiesce signal no Stop closes); None when that does not hold."""
    field = received_field(sf, stmt) if state == "chan receive" else None
    if field is None:
        return None
    f = re.escape(field).encode()
    # a send, a close, a copy (``x := r.f``, ``return r.f`` beyond a getter) or a hand-on (an argument)
    # or a channel of elsewhere stored in it (``r.f = ch``, ``T{f: ch}``)
    signals = [rb"\." + f + rb"\s*<-", rb"close\(\s*[\w.]*\." + f + rb"\s*\)", rb"[(,]\s*[\w.]*\." + f + rb"\s*[,)]",
               rb"[=\]]\s*[\w.]*\." + f + rb"\b(?!\s*[=(<])", rb"\." + f + rb"\s*=(?!=)(?!\s*make\()", rb"\b" + f + rb":(?!\s*make\()"]
    getters = len(re.findall(rb"return\s+[\w.]*\." + f + rb"\s*$", sf.data, re.M))
    if any(re.search(p, sf.data) for p in signals) or getters > 1 or used_elsewhere(abspath, [rb"\." + f + rb"\b"]) is not None:
        return None
    return f"nothing in its package sends on, closes or hands on {field}: no goroutine can end this wait; close it " \
           f"where its owner stops (or, if a poll was meant, receive in a select with a default)"


def _with_default(sf: SourceFile, select: Node, message: str, what: str) -> tuple[Fix | None, str | None]:
    """A single-case select made non-blocking by a `default:`, where its case does nothing
    more than the operation (a default would skip the rest along with it)."""
    if case_body(select):
        return None, f"the {what}'s case does more than {what}: a default would skip that; make it non-blocking by hand"
    edit = add_case(sf, select, ["default:"])
    return (Fix(message, (edit,)), None) if edit is not None else (None, "the select ends on a shared line: add its default by hand")
