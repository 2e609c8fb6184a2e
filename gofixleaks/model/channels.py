"""Channels as values with partners: a channel made in a function of this file, followed
through its references, into the goroutines and closures that use it and the functions of
the package it is handed to."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from .. import analysis as a
from .summary import ChanUse, is_guarded
from .file import View

_IGNORED_ARGS = ("len", "cap")


@dataclass(frozen=True)
class ChanOp:
    """One thing done with the channel."""

    node: Node  # send_statement, receive (unary_expression), the ranging for_statement, close call, or the call it is handed to
    kind: str  # "send", "recv", "range", "close", "handoff"
    # where it runs: the outermost func literal around it in the channel's function, the call
    # of `go f(ch)`, or None for the function's own body
    where: Node | None
    go: bool  # ``where`` runs on a goroutine the function starts with a go statement
    looped: bool  # in a loop of the channel's function
    guarded: bool  # a select case with an alternative
    use: ChanUse | None = None  # for a handoff: what the callee does with it (None: it cannot be followed)

    @property
    def goroutine(self) -> Node | None:
        """The goroutine literal it runs in, when that is known (None: the function itself,
        or a closure whose timing is unknown: check ``where``)."""
        return self.where if self.go and self.where is not None and self.where.type == "func_literal" else None


@dataclass(frozen=True)
class LocalChannel:
    name: str
    make: Node  # the make(chan T[, n]) call
    capacity: str  # as written; "" when unbuffered
    binding: a.Binding
    ops: tuple[ChanOp, ...]
    stored: tuple[Node, ...]  # composite literal elements holding it: keyed (`request{reply: ch}`) or not
    escapes: bool  # returned, assigned, sent, or passed where it cannot be followed

    def of_kind(self, *kinds: str) -> list[ChanOp]:
        return [op for op in self.ops if op.kind in kinds]

    def senders(self) -> list[ChanOp]:
        """Operations that send: sends, and handoffs to functions that send on it."""
        return [op for op in self.ops if op.kind == "send" or (op.kind == "handoff" and op.use is not None and op.use.sends)]

    def closed(self) -> bool:
        """Whether something closes it: a close here or in a function it is handed to."""
        return any(op.kind == "close" or (op.kind == "handoff" and op.use is not None and op.use.closes) for op in self.ops)


def calls_at(sf, needle: bytes, name: str) -> list[Node]:
    """The calls whose text holds ``needle`` at the position of the function name ``name``
    (``make(chan``, ``.Pipe()``): found by searching the bytes, then stepping to the node,
    which costs far less than walking every call of the file."""
    out = []
    at = sf.data.find(needle)
    while at != -1:
        start = sf.data.find(name.encode(), at)
        n = sf.root.named_descendant_for_byte_range(start, start + len(name))
        if n is not None and n.type == "field_identifier":
            n = n.parent
        call = n.parent if n is not None else None
        if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == n:
            out.append(call)
        at = sf.data.find(needle, at + 1)
    return out


def channel_makes(sf) -> list[Node]:
    """Every ``make(chan ...)`` of the file."""
    return [c for c in calls_at(sf, b"make(chan", "make") if make_of(sf, c)]


def make_of(sf, node: Node) -> bool:
    """Whether ``node`` is ``make(chan ...)``."""
    if node.type != "call_expression" or a.callee(sf, node) != (None, "make"):
        return False
    args = a.arguments(node)
    return bool(args) and args[0].type == "channel_type"


def local_channel(v: View, make: Node) -> LocalChannel | None:
    """The channel ``make`` creates when it is bound to a local (``ch := make(chan T)``,
    ``var ch = make(...)``), with everything done to it; None for anything else. Remembered
    for the file's rules, which ask about the same makes."""
    held = _ASKED.get("file")
    if held is None or held[0] is not v.sf or held[1] is not v.facts:
        _ASKED.clear()  # only the file being checked: holding others would keep their trees alive
        _ASKED["file"] = (v.sf, v.facts)
    if make.start_byte not in _ASKED:
        _ASKED[make.start_byte] = _local_channel(v, make)
    return _ASKED[make.start_byte]


_ASKED: dict = {}


def _local_channel(v: View, make: Node) -> LocalChannel | None:
    sf = v.sf
    if not make_of(sf, make):
        return None
    binding = a.assignments(sf, make)
    if binding is None or binding.name == "_" or binding.statement.type == "assignment_statement":
        return None
    args = a.arguments(make)
    capacity = sf.text(args[1]) if len(args) > 1 and sf.text(args[1]) != "0" else ""
    fn = binding.function
    ops: list[ChanOp] = []
    stored: list[Node] = []
    escapes = False
    for ref in a.references(sf, binding):
        parent = ref.parent
        where = literal_around(ref, fn)
        go = where is not None and a.goroutine_literal(where) is not None
        looped = bool(a.loops_between(ref, fn))
        if parent.type == "send_statement" and parent.child_by_field_name("channel") == ref:
            ops.append(ChanOp(parent, "send", where, go, looped, is_guarded(parent)))
        elif a.is_receive(sf, parent):
            ops.append(ChanOp(parent, "recv", where, go, looped, is_guarded(parent)))
        elif parent.type == "range_clause" and parent.child_by_field_name("right") == ref:
            loop = parent.parent
            ops.append(ChanOp(loop, "range", where, go, bool(a.loops_between(loop, fn)), False))
        elif parent.type == "argument_list":
            call = parent.parent
            c = a.callee(sf, call)
            if c == (None, "close"):
                ops.append(ChanOp(call, "close", where, go, looped, False))
            elif c in {(None, n) for n in _IGNORED_ARGS}:
                continue
            else:
                op = _handoff(v, call, ref, where, looped)
                escapes = escapes or op.use is None or op.use.escapes
                ops.append(op)
        elif parent.type == "literal_element":
            holder = parent.parent
            if holder.type == "keyed_element" and holder.named_children[0] == parent:
                continue  # a field name (`reply: reply`), not the channel (a map keyed by channels aside)
            stored.append(holder if holder.type == "keyed_element" else parent)
        else:
            escapes = True
    return LocalChannel(binding.name, make, capacity, binding, tuple(ops), tuple(stored), escapes)


def literal_around(node: Node, fn: Node) -> Node | None:
    """The outermost func literal around ``node`` inside ``fn``."""
    found = None
    for x in a.ancestors(node):
        if x == fn:
            break
        if x.type == "func_literal":
            found = x
    return found


def _handoff(v: View, call: Node, arg: Node, where: Node | None, looped: bool) -> ChanOp:
    sf = v.sf
    started = call.parent is not None and call.parent.type == "go_statement"
    go = started or (where is not None and a.goroutine_literal(where) is not None)
    index = next(i for i, x in enumerate(a.arguments(call)) if x == arg)
    fn = call.child_by_field_name("function")
    use = None
    tests = sf.path.endswith("_test.go")  # a test's mock is no partner of the program's code
    if v.index is not None and fn is not None:
        if fn.type == "identifier":
            use = v.index.param_use(v.package, sf.text(fn), False, index, tests)
        elif fn.type == "selector_expression":
            operand = fn.child_by_field_name("operand")
            if not (operand.type == "identifier" and sf.text(operand) in sf.imports):
                use = v.index.param_use(v.package, sf.text(fn.child_by_field_name("field")), True, index, tests)
    if started:
        where = call  # `go f(ch)`: a goroutine of its own
    return ChanOp(call, "handoff", where, go, looped, False, use)


def drained_by_callers(v: View, send: Node) -> bool:
    """Whether ``send`` is on a channel its function made (``ch := make(chan T)``) and returns
    as its one result (every ``return ch``), sent from a func literal there (its feeding
    goroutine), and every caller of that function ranges over the returned channel until it
    is closed with no way out of the loop (PackageIndex.drained): no receiver ever leaves
    while the channel is open, so the send cannot be stranded (minio's IAM watch, whose one
    caller does ``for event := range ch``)."""
    chan = a.unparen(send.child_by_field_name("channel"))
    lit = a.enclosing_function(send)
    fn = a.enclosing_function(lit) if lit is not None and lit.type == "func_literal" else None
    key = a.function_key(v.sf, fn) if fn is not None else None
    if v.index is None or key is None or chan.type != "identifier":
        return False
    name = v.sf.text(chan)
    made = a.defined_value(v.sf, name, send)
    if made is None or not make_of(v.sf, made) or a.enclosing_function(made) != fn or any(
            v.sf.text(x) == name for st in a.of_type(a.body(fn), "assignment_statement")
            for x in st.child_by_field_name("left").named_children):
        return False  # another channel may be the one returned
    returns = a.of_type(a.body(fn), "return_statement", skip_functions=True)
    if not returns or any(not r.named_children or len(r.named_children[0].named_children) != 1
                          or v.sf.text(r.named_children[0].named_children[0]) != name for r in returns):
        return False
    return v.index.drained(v.package, key[0], fn.type == "method_declaration")
