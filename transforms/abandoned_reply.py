"""abandoned-reply: a reply channel handed to a helper or queued in a request, awaited in a select that can give up."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import SAFE, Fix, TextEdit
from gofixleaks.rule import Pass, Rule

DOC = """\
## What it finds
An unbuffered channel made in a function to carry one answer back (`reply := make(chan T)`)
that the function hands over, to a function or method of the package (`go s.lookup(key,
reply)`, `s.enqueue(reply)`) or inside a request value (`s.requests <- request{key, reply}`
with a `reply` field), and then waits for in a `select` that can stop waiting: a timeout,
`ctx.Done()`, a default.

## Why it leaks
The sender (the helper, or the loop that serves the requests) sends the answer on an
unbuffered channel and blocks until someone receives it. Once the requester has timed out
or been cancelled, nobody ever will: the helper's goroutine is blocked forever, and a
server loop that answers requests one at a time is stuck for good, so every later request
hangs too.

## When it is not reported
- the channel is buffered, or used only inside the function and its goroutine literals
  (that is `early-return-send`'s business);
- the function waits for the answer without a way out (a plain `<-reply`);
- it is returned, stored elsewhere, or handed to a function of another package: where it
  goes cannot be followed;
- nothing in the package sends on what it is handed to (no `x.reply <- v` for the field),
  or every such send is a `select` case that can give up, or the request is built without
  field names (who sends on it cannot be told);
- what it is handed to is declared only in `_test.go` files (a test's mock of an interface
  method, go-ethereum's skeleton sync handing its sink to `peer.RequestHeadersByNumber`):
  the program runs another implementation, out of view, as if of another package;
- `_test.go` files: a test's select with a timeout is its assertion, and the test ends.

## When it is not fixed
- the partner may send more than once (a send in a loop over the same value, two sends,
  two helpers): one slot would not be enough, and the finding says so. A send followed by
  `return` (its last action) counts once, whatever loops surround it (controller-runtime's
  pollURLUntilOK: `ready <- true; return` in its polling loop), and such sends together
  count once too: each ends the run (two branches each sending, then returning);
- the partner, after its send, waits on a channel carried in what it sent (`sink <- res`
  then `<-res.Done`, a handshake, as go-ethereum's peer dispatcher does): with a buffer it
  would block there instead, for good;
- the partner is also handed another channel that the same select receives from, and
  closes it (`defer close(errOut)` after `out <- p`): unbuffered, the close comes only
  once the answer was taken; with a buffer both can be ready when the select looks, and it
  may take the close's zero value instead of the answer.

## The fix
Give the channel room for the one answer, `make(chan T, 1)`: the sender's send then
completes whether or not the requester still listens, and the answer is dropped with the
channel. This is `safe`: it only removes the blocking of a send nobody will receive.
"""


def run(p: Pass) -> None:
    v = m.view(p)
    if v.index is None:
        return
    sf = p.file
    for make in m.channel_makes(sf):
        if len(a.arguments(make)) > 1:
            continue
        ch = m.local_channel(v, make)
        if ch is None or ch.escapes or ch.capacity or not (ch.of_kind("handoff") or ch.stored):
            continue
        if ch.of_kind("send", "range", "close"):
            continue
        recvs = ch.of_kind("recv")
        if len(recvs) != 1 or not recvs[0].guarded or recvs[0].where is not None or recvs[0].looped:
            continue
        why = _gives_up(sf, recvs[0].node)
        if why is None:
            continue
        partner = _partner(v, ch)
        if partner is None:
            continue
        sends, who, awaits = partner
        message = f"{ch.name} is handed to {who}, which sends the answer on it, but this select can stop waiting ({why}): the sender then blocks forever"
        if sends > 1:
            p.report(make, message, notes=["the partner may send more than once: one slot is not enough; buffer it for every send, or let the sender select on cancellation"])
            continue
        if awaits:
            p.report(make, message, notes=["the partner then waits for an answer on a channel in what it sent: with a buffer it would block there instead; let the sender select on cancellation"])
            continue
        rival = _closed_beside(v, ch, recvs[0].node)
        if rival is not None:
            p.report(make, message, notes=[f"the partner also closes {rival}, which this select receives beside {ch.name}: with a buffer both may be "
                                           "ready at once and the select may take the close, dropping the answer; let the sender select on cancellation"])
            continue
        edit = TextEdit(a.arguments(make)[0].end_byte, a.arguments(make)[0].end_byte, b", 1")
        p.report(make, message, [Fix(f"buffer {ch.name} with room for the one answer", (edit,), applicability=SAFE)])


def _gives_up(sf, recv: Node) -> str | None:
    """How the select around ``recv`` stops waiting for it: "a timeout", "cancellation", "a
    default", "another case"."""
    case = next(x for x in a.ancestors(recv) if x.type == "communication_case")
    select = case.parent
    reasons = []
    for other in select.named_children:
        if other == case:
            continue
        if other.type == "default_case":
            reasons.append("a default")
        elif other.type == "communication_case":
            text = sf.text(other.child_by_field_name("communication"))
            reasons.append("a timeout" if "After(" in text or ".C" in text else "cancellation" if "Done()" in text else "another case")
    return reasons[0] if reasons else None


def _closed_beside(v: m.View, ch: m.LocalChannel, recv: Node) -> str | None:
    """A local channel that another case of the select around ``recv`` receives from, handed
    to the same call as ``ch`` and closed by it (k6's runWaitForEventHandler closes ``out``
    and ``errOut`` by defer after its one send): unbuffered, the close can only follow the
    answer's receipt; buffered, both can be ready when the select looks. None: no such."""
    sf = v.sf
    calls = {op.node for op in ch.of_kind("handoff")}
    select = next(x for x in a.ancestors(recv) if x.type == "communication_case").parent
    for case in select.named_children:
        comm = case.child_by_field_name("communication") if case.type == "communication_case" else None
        other = a.unparen(comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else comm) \
            if comm is not None else None
        chan = a.unparen(other.child_by_field_name("operand")) if a.is_receive(sf, other) else None
        if chan is None or chan.type != "identifier" or a.is_within(recv, case):
            continue
        made = a.defined_value(sf, sf.text(chan), chan)
        lc = m.local_channel(v, made) if made is not None and a.is_call_to(sf, made, None, ("make",)) else None
        if lc is not None and any(op.node in calls and op.use is not None and op.use.closes for op in lc.of_kind("handoff")):
            return lc.name
    return None


def _partner(v: m.View, ch: m.LocalChannel) -> tuple[int, str, bool] | None:
    """(how many sends, who, whether a sender then awaits an answer) of what the channel is
    handed to, when they send on it without a way to give up; None when nobody does, or who
    it is cannot be told."""
    sf = v.sf
    sends, who, blocking, awaits = 0, [], False, False
    for op in ch.of_kind("handoff"):
        fn = op.node.child_by_field_name("function")
        who.append(sf.text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn))
        sends += op.use.sends + (m.MANY if op.looped else 0)
        blocking = blocking or op.use.blocking
        awaits = awaits or op.use.awaits
    for element in ch.stored:
        if element.type != "keyed_element":
            return None  # built without field names: its field, and who sends on it, cannot be told
        field = sf.text(element.named_children[0]).strip()
        use = v.index.field_use(v.package, field, sf.path.endswith("_test.go"))
        who.append(f"whoever serves its .{field}")
        sends += use.sends
        blocking = blocking or use.blocking
        awaits = awaits or use.awaits
    if not sends or not blocking:
        return None
    return min(sends, m.MANY), " and ".join(who), awaits


RULE = Rule(
    name="abandoned-reply",
    summary="a reply channel handed over, awaited in a select that can give up -> buffer it for the one answer",
    doc=DOC,
    run=run,
    triggers=(b"make(chan",),
    skips_tests=True,
    needs_package=True,
)
