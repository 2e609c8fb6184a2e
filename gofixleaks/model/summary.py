"""Per-function summaries of goroutines and channels, from one file's syntax alone.

A summary says what a function does with the channel values it is given (its channel and
pipe parameters), with channels kept in struct fields (by field name), whether it returns a
channel that a goroutine of its own feeds (a generator), which named functions it runs on
goroutines, and whether it waits on anything itself. Everything is plain, frozen data: it
is cached with the file's facts and crosses processes; what crosses functions is resolved
when a package's summaries merge (model/index.py).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from tree_sitter import Node

from .. import analysis as a
from ..source import SourceFile

MANY = 2  # a count that is more than one: two operations, or one in a loop

_CLOSERS = ("Close", "CloseWithError")  # an io.Pipe end's


@dataclass(frozen=True)
class Handoff:
    """A channel handed to a call: ``f(ch)``, ``s.m(ch)``, ``go f(ch)``."""

    callee: str
    method: bool  # x.m(...): any method of that name in the package (the receiver's type is not known)
    index: int  # the argument's position
    go: bool  # started on a goroutine
    looped: bool = False  # the call is in a loop of the function: whatever it does, it may do many times
    endless: bool = False  # one of those loops has no round count fixed when it starts (analysis.fixed_rounds)


@dataclass(frozen=True)
class ChanUse:
    """What a function does with one channel (or io.Pipe end): its own operations and those
    of the closures and goroutines it starts."""

    sends: int = 0  # 0, 1 (at most once per call; for a field: once per value) or MANY
    receives: bool = False
    ranges: bool = False
    closes: bool = False
    closes_always: bool = False  # closed on every path out of the function
    blocking: bool = False  # some send or receive is not a select case with an alternative
    in_goroutine: bool = False  # some operation runs in a goroutine the function starts
    handoffs: tuple[Handoff, ...] = ()
    escapes: bool = False  # returned, stored, sent, or passed where it cannot be followed
    awaits: bool = False  # after some send, waits on a channel the sent value carries (a handshake)
    endless: bool = False  # some send is in a loop with no round count fixed when it starts (for it.Next(), for {})


@dataclass(frozen=True)
class ParamUse:
    name: str
    index: int
    kind: str  # "chan", "pipe-writer", "pipe-reader", "closer"
    use: ChanUse


@dataclass(frozen=True)
class FieldUse:
    """Operations on ``x.field`` for any x: fields are matched by name across the package."""

    field: str
    use: ChanUse
    # the stop signal every receive of it here waits beside, in a select of a loop that
    # leaves when it fires (connManager's `case <-t.stop: ...; return`): "stop", or
    # "ctx.Done()" for a context field; "" when some receive is not so, or there is none
    leaves_on: str = ""


@dataclass(frozen=True)
class Generator:
    """The function returns a channel it made, fed by a goroutine it starts."""

    capacity: str  # the make's buffer size as written; "" when unbuffered
    sends: int  # MANY when the goroutine sends in a loop
    closes: bool  # the goroutine closes the channel
    watches: tuple[int, ...]  # positions of context / channel parameters every send also waits on
    guarded: bool  # every send is a select case with an alternative (some way to give up)
    through_callee: bool  # the goroutine hands the channel to another function
    endless: bool = False  # a send is in a loop with no round count fixed when it starts, or in the callee


@dataclass(frozen=True)
class Start:
    """A named function or method run on a goroutine: ``go f()``, ``go s.m()``, called by a
    goroutine's literal (``go func() { defer wg.Done(); s.run() }()``), or handed as a value
    to a call that may be a launcher (``safe.Go(s.loop)``, ``wg.Go(work)``)."""

    callee: str
    method: bool
    via: str  # "" for a go statement or a goroutine's literal; else the call's name ("Go")
    via_path: str  # the import path of ``pkg.Via(...)``; "" for a call of this package
    via_method: bool  # the call is x.Via(...)
    index: int  # the value's argument position in that call
    caller: str  # the function whose body holds the start


@dataclass(frozen=True)
class FieldFacts:
    name: str
    kind: str  # "context", "done" (a chan struct{} named like a stop signal), "chan", "cancel", "func"


@dataclass(frozen=True)
class StructFacts:
    name: str
    fields: tuple[FieldFacts, ...]


@dataclass(frozen=True)
class Summary:
    params: tuple[ParamUse, ...] = ()
    fields: tuple[FieldUse, ...] = ()
    generator: Generator | None = None
    starts: tuple[Start, ...] = ()
    blocks: bool = False  # sends, receives, selects or Wait()s itself or in a closure it calls (not in its goroutines)
    results: bool = False  # declares results
    contexts: tuple[int, ...] = ()  # positions of its context.Context parameters
    buffered: tuple[str, ...] = ()  # fields it fills with a buffered make (`x.f = make(chan T, n)`, `T{f: make(...)}`)
    made: tuple[str, ...] = ()  # fields it fills with any channel make


EMPTY = Summary()


# ---------------------------------------------------------------------------- one file


@dataclass(frozen=True)
class _Op:
    node: Node
    kind: str  # "send", "recv", "range", "close"
    chan: Node  # the channel expression
    goroutine: Node | None  # the `go func` literal it runs in, within the function
    # may run more than once per call: inside a loop of the function (or of a goroutine
    # started in one), but for a send of the function's own body its run ends with
    looped: bool
    guarded: bool  # a select case with an alternative
    ends: bool = False  # a send of the function's own body that ends its run (analysis.ends_run)


# What the file's statement index (analysis.of_type) already holds is taken from it; the
# rest is found by searching the bytes and stepping to the node at each hit, which costs
# far less than another query over the whole tree.
_INDEXED_KINDS = {"send_statement": "send", "range_clause": "range", "go_statement": "go", "select_statement": "select"}
# ``close(``, ``.Close(``/``.CloseWithError(`` and ``.Wait()``: one pattern each, as a
# pattern opening with a literal is searched for fast and one alternating (or opening with
# ``\b``) is tried at every byte (most of the time spent on the bytes); close's ``\b`` is checked
# on the match
_CALLS = (re.compile(rb"close\("), re.compile(rb"\.Close(?:WithError)?\("), re.compile(rb"\.Wait\(\)"))
_ARGUMENT = re.compile(rb"[(,]\s*(?:\w+\.)?(\w+)\s*(?=[,)])")  # a name, or x.name, passed as an argument
_RECEIVES = re.compile(rb"<-(?![\s]|chan\b)")  # not a send's `ch <- v`, nor a `<-chan T` type


def summaries(sf: SourceFile, decls: list[Node]) -> list[Summary]:
    """The summary of each function declaration of ``decls`` (top-level, with bodies)."""
    starts = [d.start_byte for d in decls]
    found: list[list[tuple[str, Node]]] = [[] for _ in decls]
    here = {(sf.text(d.child_by_field_name("name")), d.type == "method_declaration") for d in decls}

    def add(kind: str, n: Node) -> None:
        i = bisect.bisect_right(starts, n.start_byte) - 1
        if i >= 0 and n.end_byte <= decls[i].end_byte:
            found[i].append((kind, n))

    if decls and _worth_reading(sf):
        for n in a.of_type(sf.root, *_INDEXED_KINDS):
            add(_INDEXED_KINDS[n.type], n)
            if n.type == "go_statement":
                for call in _literal_statement_calls(n):
                    add("calls", call)
        for kind, n in _found_in_bytes(sf):
            add(kind, n)
        for n in _field_makes(sf):
            add("make", n)
        # a function worth knowing is started on a goroutine loops or uses channels: only
        # such functions of this file are looked for where they are passed as values
        looping = {bisect.bisect_right(starts, n.start_byte) - 1 for n in a.of_type(sf.root, "for_statement")}
        worth = {(sf.text(d.child_by_field_name("name")), d.type == "method_declaration")
                 for i, d in enumerate(decls) if found[i] or i in looping}
        for n in _passed_as_values(sf, worth):
            add("arg", n)
    return [_summary(sf, d, sorted(nodes, key=lambda kn: kn[1].start_byte), here) for d, nodes in zip(decls, found)]


def _field_makes(sf: SourceFile) -> list[Node]:
    """The file's ``make(chan T...)`` calls with a buffer or that fill a field (Summary.buffered, made)."""
    from .channels import channel_makes  # channels reads this module's summaries

    return [c for c in channel_makes(sf) if _buffered(sf, c) or _field_made(sf, c)]


def _buffered(sf: SourceFile, make: Node) -> bool:
    """``make(chan T, n)`` with a buffer (n not 0)."""
    return len(args := a.arguments(make)) > 1 and sf.text(args[1]) != "0"


def _field_made(sf: SourceFile, make: Node) -> str | None:
    """The field ``make`` fills: ``x.f = make(...)`` or ``T{f: make(...)}``."""
    holder = make.parent
    if holder.type == "literal_element" and holder.parent.type == "keyed_element":
        key = holder.parent.named_children[0]
        return sf.text(key) if holder.parent.named_children[1] == holder and key.named_child_count == 1 \
            and key.named_children[0].type in ("identifier", "field_identifier") else None
    stmt = holder.parent if holder.type == "expression_list" else None
    left = stmt.child_by_field_name("left") if stmt is not None and stmt.type == "assignment_statement" else None
    if left is None or left.named_child_count != holder.named_child_count:
        return None
    target = left.named_children[holder.named_children.index(make)]
    return sf.text(target.child_by_field_name("field")) if target.type == "selector_expression" else None


def _literal_statement_calls(go: Node) -> list[Node]:
    """The calls that are statements of their own in the body of `go func(){...}()`."""
    call = go.named_children[0] if go.named_children else None
    lit = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if lit is None or lit.type != "func_literal":
        return []
    return [s.named_children[0] for s in a.statements(a.body(lit))
            if s.type == "expression_statement" and s.named_children and s.named_children[0].type == "call_expression"]


def _found_in_bytes(sf: SourceFile) -> list[tuple[str, Node]]:
    """Receives, closes and ``Wait()`` calls."""
    data, root = sf.data, sf.root
    out = []
    for m in _RECEIVES.finditer(data):
        n = root.named_descendant_for_byte_range(m.start(), m.end())
        if n is not None and n.type == "unary_expression" and a.is_receive(sf, n):
            out.append(("recv", n))
    found = (m for p in _CALLS for m in p.finditer(data) if p is not _CALLS[0] or not _word_byte(data, m.start() - 1))
    for m in sorted(found, key=lambda m: m.start()):
        at = m.start() + (1 if data[m.start():m.start() + 1] == b"." else 0)
        n = root.named_descendant_for_byte_range(at, at + 1)
        call = n.parent.parent if n is not None and n.type == "field_identifier" else n.parent if n is not None else None
        if call is not None and call.type == "call_expression":
            out.append(("wait" if m.group().endswith(b"()") else "close", call))
    return out


def _word_byte(data: bytes, i: int) -> bool:
    """Whether byte ``i`` of ``data`` is one ``\\w`` matches in a bytes pattern."""
    return i >= 0 and (data[i:i + 1].isalnum() or data[i:i + 1] == b"_")


def _passed_as_values(sf: SourceFile, names: set[tuple[str, bool]]) -> list[Node]:
    """Arguments ``f`` or ``x.f`` naming one of ``names``: one pass of a pattern for any
    plain argument, then a set look-up (a pattern, or a search, per name costs more)."""
    root = sf.root
    wanted = {name.encode() for name, _ in names}
    out = []
    for m in _ARGUMENT.finditer(sf.data):
        if m.group(1) not in wanted:
            continue
        n = root.named_descendant_for_byte_range(m.start(1), m.end(1))
        if n is not None and n.type == "field_identifier":
            n = n.parent
        if n is not None and n.type in ("identifier", "selector_expression") and n.parent is not None \
                and n.parent.type == "argument_list":
            out.append(n)
    return out


def _worth_reading(sf: SourceFile) -> bool:
    data = sf.data
    return b"chan" in data or b"<-" in data or b"go " in data or b"Pipe" in data or b".Go(" in data or b"Wait()" in data


def _summary(sf: SourceFile, fn: Node, nodes: list[tuple[str, Node]], here: set[tuple[str, bool]]) -> Summary:
    params = _params(sf, fn, _TRACKED)
    if not params and all(kind == "make" and not _buffered(sf, n) for kind, n in nodes):
        # unbuffered makes are only read for ``made``: nothing else of the summary changes with them
        made = tuple(sorted({_field_made(sf, n) for _, n in nodes}))
        return Summary(results=fn.child_by_field_name("result") is not None, made=made)
    body = a.body(fn)
    chan_ops: list[_Op] = []
    blocks = False
    for kind, n in nodes:
        op = _op(sf, kind, n, fn)
        if op is not None:
            chan_ops.append(op)
            if op.goroutine is None and (op.kind in ("send", "recv") or op.kind == "range" and _may_range_a_channel(sf, fn, n)):
                blocks = True
        elif (kind == "select" or kind == "wait" and not a.arguments(n)) and goroutine_around(n, fn) is None:
            blocks = True
    return Summary(
        params=tuple(_param_use(sf, fn, body, name, i, kind, chan_ops) for name, i, kind in params),
        fields=_field_uses(sf, fn, chan_ops),
        generator=_generator(sf, fn, body, chan_ops),
        starts=_starts(sf, fn, nodes, here),
        blocks=blocks,
        results=fn.child_by_field_name("result") is not None,
        contexts=tuple(i for _, i, kind in _params(sf, fn, _SIGNALS, receivable=True) if kind == "context"),
        buffered=tuple(sorted({f for kind, n in nodes if kind == "make" and _buffered(sf, n) and (f := _field_made(sf, n))})),
        made=tuple(sorted({f for kind, n in nodes if kind == "make" and (f := _field_made(sf, n))})),
    )


def _params(sf: SourceFile, fn: Node, kinds: tuple[str, ...], receivable: bool = False) -> list[tuple[str, int, str]]:
    """(name, position, kind) of the named parameters whose kind (param_kind) is one of
    ``kinds``; ``receivable``: leaving out send-only channels (``chan<- T``), which cannot
    say "stop"."""
    out = []
    params = fn.child_by_field_name("parameters")
    i = 0
    for p in params.named_children if params is not None else ():
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        typ = p.child_by_field_name("type")
        kind = param_kind(sf, typ)
        wanted = kind in kinds and not (receivable and sf.text(typ).replace(" ", "").startswith("chan<-"))
        for n in p.children_by_field_name("name") or [None]:
            if n is not None and wanted and sf.text(n) != "_":
                out.append((sf.text(n), i, kind))
            i += 1
    return out


_TRACKED = ("chan", "pipe-writer", "pipe-reader", "closer")  # the parameters whose use the summary follows
_SIGNALS = ("context", "chan")  # parameters that can say "stop" (receive-capable channels)


def param_kind(sf: SourceFile, typ: Node | None) -> str:
    """"chan", "pipe-writer", "pipe-reader", "closer" (an io.Closer interface), "context" or
    "" for a parameter's type."""
    if typ is None:
        return ""
    if typ.type == "channel_type":
        return "chan"
    inner = typ.named_children[0] if typ.type == "pointer_type" and typ.named_children else typ
    if inner.type == "qualified_type":
        path = sf.imports.get(sf.text(inner.child_by_field_name("package")))
        name = sf.text(inner.child_by_field_name("name"))
        if path == "io" and typ.type == "pointer_type":
            return {"PipeWriter": "pipe-writer", "PipeReader": "pipe-reader"}.get(name, "")
        if path == "io" and name in ("Closer", "WriteCloser", "ReadCloser", "ReadWriteCloser"):
            return "closer"  # an io.Pipe end may be handed over as one
        if path == "context" and name == "Context":
            return "context"
    return ""


def goroutine_around(node: Node, fn: Node) -> Node | None:
    """The outermost `go func(){...}` literal around ``node`` inside ``fn``."""
    found = None
    for x in a.ancestors(node):
        if x == fn:
            break
        if x.type == "func_literal" and a.goroutine_literal(x) is not None:
            found = x
    return found


def _op(sf: SourceFile, kind: str, n: Node, fn: Node) -> _Op | None:
    if kind == "send":
        chan = n.child_by_field_name("channel")
    elif kind == "recv":
        chan = n.child_by_field_name("operand")
    elif kind == "range":
        chan = n.child_by_field_name("right")
    elif kind == "close":
        f = n.child_by_field_name("function")
        chan = f.child_by_field_name("operand") if f.type == "selector_expression" else next(iter(a.arguments(n)), None)
    else:
        return None
    if chan is None:
        return None
    chan = a.unparen(chan)
    looped, goroutine = False, None
    for x in a.ancestors(n):
        if x == fn:
            break
        if x.type == "for_statement" and not (kind == "range" and x == n.parent):
            looped = True
        elif x.type == "func_literal" and a.goroutine_literal(x) is not None:
            goroutine = x
    ends = kind == "send" and a.enclosing_function(n) == fn and a.ends_run(n, fn)
    # followed by return (controller-runtime's pollURLUntilOK): once, whatever loops surround it
    return _Op(n, kind, chan, goroutine, looped and not ends, kind in ("send", "recv") and is_guarded(n), ends)


def _may_range_a_channel(sf: SourceFile, fn: Node, clause: Node) -> bool:
    """may_be_channel for a summary, where a full look-up per range would cost too much:
    a parameter is judged by its type, anything else of one value by the doubt."""
    left = clause.child_by_field_name("left")
    if left is not None and len(left.named_children) >= 2:
        return False
    right = a.unparen(clause.child_by_field_name("right"))
    if right.type == "identifier":
        for p in a.of_type(fn.child_by_field_name("parameters"), "parameter_declaration"):
            if any(sf.text(n) == sf.text(right) for n in p.children_by_field_name("name")):
                return a.type_kind(sf, p.child_by_field_name("type")) not in ("collection", "int")
    return right.type not in ("int_literal", "composite_literal")


def may_be_channel(sf: SourceFile, clause: Node) -> bool:
    """Whether a range clause may range over a channel: one value (or none) from something
    not known to be a collection, a count or a literal."""
    left = clause.child_by_field_name("left")
    if left is not None and len(left.named_children) >= 2:
        return False
    return a.value_kind(sf, a.unparen(clause.child_by_field_name("right")), clause) in ("chan", None)


def is_guarded(op: Node) -> bool:
    """A send or receive that is the communication of a select case with another case or a
    default: the select can give up on it."""
    node = op
    if op.type == "unary_expression":
        node = op.parent
        if node is not None and node.type in ("expression_list",):
            node = node.parent
    case = node.parent if node is not None else None
    if case is None or case.type != "communication_case" or case.child_by_field_name("communication") != node:
        return False
    select = case.parent
    return sum(1 for c in select.named_children if c.type in ("communication_case", "default_case")) > 1


def _count(ops: list[_Op], kind: str) -> int:
    """How many ``kind`` operations one call makes: of the sends that end its run, one at
    most (k6's runWaitForEventHandler: ``out <- p; return`` in two branches)."""
    n = 0
    for op in ops:
        if op.kind == kind and not op.ends:
            n += MANY if op.looped else 1
    n += any(op.kind == kind and op.ends for op in ops)
    return min(n, MANY)


def _param_use(sf: SourceFile, fn: Node, body: Node, name: str, index: int, kind: str, chan_ops: list[_Op]) -> ParamUse:
    mine = [op for op in chan_ops if op.chan.type == "identifier" and sf.text(op.chan) == name]
    handoffs: list[Handoff] = []
    escapes = False
    for ident in a.of_type(body, "identifier"):
        if sf.text(ident) != name or any(op.chan == ident for op in mine):
            continue
        use = a.classify(sf, ident)
        if use.kind == "argument":
            call = ident.parent.parent
            h = _handoff(sf, call, ident, fn)
            if h is None:
                escapes = escapes or a.callee(sf, call) not in ((None, "len"), (None, "cap"))
            else:
                handoffs.append(h)
        elif a.escapes(use) or use.kind == "other" and ident.parent.type == "send_statement":
            escapes = True
    return ParamUse(name, index, kind, ChanUse(
        sends=_count(mine, "send"),
        receives=any(op.kind == "recv" for op in mine),
        ranges=any(op.kind == "range" for op in mine),
        closes=any(op.kind == "close" for op in mine),
        closes_always=_closes_always(sf, body, name),
        blocking=any(op.kind in ("send", "recv", "range") and not op.guarded for op in mine),
        in_goroutine=any(op.goroutine is not None for op in mine) or any(h.go for h in handoffs),
        handoffs=tuple(handoffs),
        escapes=escapes,
        awaits=any(op.kind == "send" and _awaits(sf, op, chan_ops) for op in mine),
        endless=any(op.kind == "send" and a.in_open_loop(sf, op.node, fn) for op in mine),
    ))


def _handoff(sf: SourceFile, call: Node, arg: Node, fn_node: Node) -> Handoff | None:
    """The call ``arg`` is handed to, when it is a function or method of the package (a
    call through an import, or of a func value, cannot be followed)."""
    fn = call.child_by_field_name("function")
    index = next((i for i, x in enumerate(a.arguments(call)) if x == arg), -1)
    go = call.parent is not None and call.parent.type == "go_statement"
    looped = bool(a.loops_between(call, fn_node))
    endless = a.in_open_loop(sf, call, fn_node)
    if fn.type == "identifier":
        return Handoff(sf.text(fn), False, index, go, looped, endless)
    if fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        if operand.type == "identifier" and sf.text(operand) in sf.imports:
            return None
        return Handoff(sf.text(fn.child_by_field_name("field")), True, index, go, looped, endless)
    return None


def _closes_always(sf: SourceFile, body: Node, name: str) -> bool:
    """Whether every path out of the function closes ``name`` (close(name), name.Close(),
    name.CloseWithError(err), directly or deferred)."""
    def closes(stmt: Node) -> bool:
        if stmt.type not in ("expression_statement", "defer_statement"):
            return False
        for call in a.of_type(stmt, "call_expression"):
            if a.callee(sf, call) == (None, "close") and [sf.text(x) for x in a.arguments(call)[:1]] == [name]:
                return True
            m = a.method_call(sf, call)
            if m is not None and m[1] in _CLOSERS and sf.text(m[0]) == name:
                return stmt.type == "defer_statement" or a.unparen(stmt.named_children[0]) == call
        return False
    return a.every_exit_passes(sf, a.statements(body), closes)


def _field_uses(sf: SourceFile, fn: Node, chan_ops: list[_Op]) -> tuple[FieldUse, ...]:
    by_field: dict[str, list[_Op]] = {}
    for op in chan_ops:
        if op.chan.type == "selector_expression":
            by_field.setdefault(sf.text(op.chan.child_by_field_name("field")), []).append(op)
    out = []
    for field, ops in sorted(by_field.items()):
        per_value = [op if not op.looped or not _per_value(sf, op) else _Op(op.node, op.kind, op.chan, op.goroutine, False, op.guarded, op.ends)
                     for op in ops]
        out.append(FieldUse(field, ChanUse(
            sends=_count(per_value, "send"),
            receives=any(op.kind == "recv" for op in ops),
            ranges=any(op.kind == "range" for op in ops),
            closes=any(op.kind == "close" for op in ops),
            blocking=any(op.kind in ("send", "recv", "range") and not op.guarded for op in ops),
            in_goroutine=any(op.goroutine is not None for op in ops),
            awaits=any(op.kind == "send" and _awaits(sf, op, chan_ops) for op in ops),
        ), _leaves_on(sf, ops, a.receiver_name(sf, fn))))
    return tuple(out)


def _leaves_on(sf: SourceFile, ops: list[_Op], recv: str | None) -> str:
    """The signal (FieldUse.leaves_on) beside which every receive of ``ops`` (one field's,
    of ``recv``, the method's receiver) waits in a select of a loop, where that signal's
    case leaves the loop for good (its last statement a `return` or a `break` out of it)
    without receiving the field again; "" otherwise."""
    found = set()
    for op in ops:
        if op.kind == "range" or (op.kind == "recv" and not op.guarded):
            return ""
        if op.kind == "recv":
            operand = op.chan.child_by_field_name("operand")
            found.add(_exit_signal(sf, op) if recv is not None and sf.text(operand) == recv else "")
    return found.pop() if len(found) == 1 else ""


def _exit_signal(sf: SourceFile, op: _Op) -> str:
    """For one guarded receive of ``x.field``: the signal ``S`` of another case of its select
    that receives ``<-x.S`` or ``<-x.S.Done()`` and then leaves the loop around the select
    without receiving the field again; "" when there is none."""
    case = next(x for x in a.ancestors(op.node) if x.type == "communication_case")
    loop = a.enclosing(case, "for_statement", stop_at=a.FUNCTION_TYPES)
    operand = op.chan.child_by_field_name("operand")
    if loop is None or operand is None:
        return ""
    prefix, field = sf.text(operand) + ".", sf.text(op.chan)
    for c in case.parent.named_children:
        comm = c.child_by_field_name("communication") if c != case and c.type == "communication_case" else None
        waited = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else None
        if waited is None or comm.child_by_field_name("left") is not None or not a.is_receive(sf, waited):
            continue
        text = sf.text(waited.child_by_field_name("operand")).replace(" ", "")
        signal = text.removeprefix(prefix)
        body = a.statements(c)
        if text == signal or "." in signal.removesuffix(".Done()") or text == field or not body \
                or not (body[-1].type == "return_statement" or body[-1] in a.loop_breaks(loop)):
            continue
        if not any(a.is_receive(sf, r) and sf.text(a.unparen(r.child_by_field_name("operand"))) == field
                   for x in body for r in a.of_type(x, "unary_expression")):
            return signal
    return ""


def _awaits(sf: SourceFile, send: _Op, ops: list[_Op]) -> bool:
    """Whether, after ``send``, its function waits on a channel the sent value carries
    (``sink <- res`` then ``<-res.Done``; ``sink <- req{ack: ack}`` then ``<-ack``): a
    handshake, whose receiver owes the sender an answer."""
    value = send.node.child_by_field_name("value")
    if value is None:
        return False
    value = a.unparen(value)
    if value.type == "unary_expression" and sf.text(value.child_by_field_name("operator")) == "&":
        value = a.unparen(value.child_by_field_name("operand"))
    carried = {sf.text(value)}  # the value, and what its literal holds (`Response{Done: done}`: done)
    if value.type == "composite_literal":
        carried |= {sf.text(e) for e in a.of_type(value.child_by_field_name("body"), "literal_element")
                    if not (e.parent.type == "keyed_element" and e.parent.named_children[0] == e)}  # not a field's name
    scope = a.enclosing_function(send.node)
    for op in ops:
        if op.kind != "recv" or op.node.start_byte < send.node.end_byte or a.enclosing_function(op.node) != scope:
            continue
        chan = sf.text(op.chan)
        if any(chan == c or chan.startswith(c + ".") for c in carried):
            return True
    return False


def _per_value(sf: SourceFile, op: _Op) -> bool:
    """Whether ``x.f`` in a loop names a new value each round: ``x`` is declared in the
    innermost loop around the operation (``for req := range reqs { req.reply <- v }``)."""
    operand = op.chan.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return False
    name = sf.text(operand)
    loop = next((x for x in a.ancestors(op.node) if x.type == "for_statement"), None)
    if loop is None:
        return False
    for d in a.of_type(loop, "range_clause", "short_var_declaration", "receive_statement", "var_declaration"):
        if d.start_byte >= op.node.start_byte:
            break
        if a.declares(sf, d, name) and next((x for x in a.ancestors(d) if x.type == "for_statement"), None) == loop:
            return True
    return False


def _generator(sf: SourceFile, fn: Node, body: Node, chan_ops: list[_Op]) -> Generator | None:
    """A channel made in the function's own statements, returned, and fed by a goroutine
    the function starts (itself or through a function it hands the channel to)."""
    result = fn.child_by_field_name("result")
    if result is None or "chan" not in sf.text(result):
        return None
    returned = None
    for ret in a.of_type(body, "return_statement", skip_functions=True):
        values = ret.named_children[0].named_children if ret.named_children else []
        names = [sf.text(v) for v in values if v.type == "identifier"]
        returned = returned or (names[0] if len(names) == 1 else None)
    if returned is None:
        return None
    make = None
    for stmt in a.statements(body):
        if stmt.type == "short_var_declaration" and [sf.text(x) for x in a.left_names(stmt)] == [returned]:
            value = stmt.child_by_field_name("right").named_children
            if len(value) == 1 and a.callee(sf, value[0]) == (None, "make") and a.arguments(value[0]) \
                    and a.arguments(value[0])[0].type == "channel_type":
                make = value[0]
    if make is None:
        return None
    ops = [op for op in chan_ops if op.goroutine is not None and op.chan.type == "identifier" and sf.text(op.chan) == returned]
    sends = [op for op in ops if op.kind == "send"]
    through = any(
        sf.text(x) == returned and (c.parent is not None and c.parent.type == "go_statement" or goroutine_around(c, fn) is not None)
        for c in a.of_type(body, "call_expression") if a.callee(sf, c) != (None, "close")
        for x in a.arguments(c)
    )
    if not sends and not through:
        return None
    args = a.arguments(make)
    watches: set[int] | None = None
    signals = {name: i for name, i, kind in _params(sf, fn, _SIGNALS, receivable=True)}
    for op in sends:
        watched = {signals[s] for s in _select_signals(sf, op.node) if s in signals}
        watches = watched if watches is None else watches & watched
    return Generator(
        capacity=sf.text(args[1]) if len(args) > 1 and sf.text(args[1]) != "0" else "",
        sends=_count(sends, "send"),
        closes=any(op.kind == "close" for op in ops),
        watches=tuple(sorted(watches or ())),
        guarded=bool(sends) and all(op.guarded for op in sends),
        through_callee=through,
        endless=through or any(a.in_open_loop(sf, op.node, fn) for op in sends),
    )


def _select_signals(sf: SourceFile, op: Node) -> list[str]:
    """The names whose signal another case of the select around ``op`` receives: ``ctx``
    for ``<-ctx.Done()``, ``done`` for ``<-done``."""
    case = next((x for x in a.ancestors(op) if x.type == "communication_case"), None)
    if case is None:
        return []
    out = []
    for other in case.parent.named_children:
        comm = other.child_by_field_name("communication") if other.type == "communication_case" else None
        if other == case or comm is None:
            continue
        recv = next((r for r in a.of_type(comm, "unary_expression") if a.is_receive(sf, r)), None)
        operand = a.unparen(recv.child_by_field_name("operand")) if recv is not None else None
        if operand is None:
            continue
        m = a.method_call(sf, operand) if operand.type == "call_expression" else None
        if m is not None and m[1] == "Done" and m[0].type == "identifier":
            out.append(sf.text(m[0]))
        elif operand.type == "identifier":
            out.append(sf.text(operand))
    return out


_BUILTINS = ("append", "cap", "close", "copy", "delete", "len", "make", "new", "panic", "print", "println")


def _starts(sf: SourceFile, fn: Node, nodes: list[tuple[str, Node]], here: set[tuple[str, bool]]) -> tuple[Start, ...]:
    caller = sf.text(fn.child_by_field_name("name"))
    recv = a.receiver_name(sf, fn) or ""
    out: list[Start] = []
    for kind, n in nodes:
        if kind == "go" or kind == "calls":
            call = n.named_children[0] if kind == "go" and n.named_children else n
            target = named_callee(sf, call.child_by_field_name("function")) if call.type == "call_expression" else None
            if target is not None and target[0] not in _BUILTINS:
                out.append(Start(target[0], target[1], "", "", False, -1, caller))
        elif kind == "arg":
            value = _function_value(sf, n, recv, here)
            call = n.parent.parent
            via = call.child_by_field_name("function") if value is not None and call.type == "call_expression" else None
            if via is None or via.type not in ("identifier", "selector_expression"):
                continue
            via_name = sf.text(via) if via.type == "identifier" else sf.text(via.child_by_field_name("field"))
            if via.type == "identifier" and via_name in _BUILTINS:
                continue
            operand = via.child_by_field_name("operand") if via.type == "selector_expression" else None
            via_path = sf.imports.get(sf.text(operand), "") if operand is not None and operand.type == "identifier" else ""
            index = next(i for i, x in enumerate(a.arguments(call)) if x == n)
            out.append(Start(value[0], value[1], via_name, via_path, operand is not None and not via_path, index, caller))
    return tuple(dict.fromkeys(out))


def named_callee(sf: SourceFile, f: Node | None) -> tuple[str, bool] | None:
    """(name, is a method) of ``f()`` / ``x.m()`` that is not a call through an import."""
    if f is None:
        return None
    if f.type == "identifier":
        return sf.text(f), False
    if f.type == "selector_expression":
        operand = f.child_by_field_name("operand")
        if operand.type == "identifier" and sf.text(operand) in sf.imports:
            return None
        return sf.text(f.child_by_field_name("field")), True
    return None


def _function_value(sf: SourceFile, arg: Node, recv: str, here: set[tuple[str, bool]]) -> tuple[str, bool] | None:
    """A function declared in this file (``loop``), or a method declared in this file taken
    on the receiver (``s.loop``), passed as an argument."""
    if arg.type == "identifier" and (sf.text(arg), False) in here:
        return sf.text(arg), False
    if arg.type == "selector_expression" and recv:
        operand = arg.child_by_field_name("operand")
        name = sf.text(arg.child_by_field_name("field"))
        if operand.type == "identifier" and sf.text(operand) == recv and (name, True) in here:
            return name, True
    return None


def handed_fields(sf: SourceFile, fn: Node) -> tuple[str, ...]:
    """Unexported fields whose value declaration ``fn`` hands on (``x.f`` as an argument of
    a call other than ``len``/``cap``/``close``, returned, sent, assigned to something,
    put in a literal, or its address taken) or takes from elsewhere (``x.f = ch``, ``T{f:
    ch}``, ``ch`` not a channel made right there: a call's result, a parameter): whoever
    gets it, or whoever made it, may close it, out of view (watermill's router ranges over
    `h.messagesCh`, the channel its subscriber's `Subscribe(ctx, topic)` returned and
    closes when ctx ends)."""
    return sf.cached("handed-fields", lambda: _handed_by_declaration(sf)).get(fn.start_byte, ())


def _handed_by_declaration(sf: SourceFile) -> dict[int, tuple[str, ...]]:
    """handed_fields of each declaration of the file, by its start: the file's selectors
    and keyed literal elements (from its index) split among the bodies by position, as
    analysis.field_reads does."""
    decls = [d for d in sf.root.named_children if d.type in ("function_declaration", "method_declaration")]
    bodies = [(b.start_byte, b.end_byte, d.start_byte) for d in decls if (b := a.body(d)) is not None]
    starts = [b[0] for b in bodies]
    found: list[set[str]] = [set() for _ in bodies]
    for n in a.of_type(sf.root, "selector_expression", "keyed_element"):
        i = bisect.bisect_right(starts, n.start_byte) - 1
        if i < 0 or n.end_byte > bodies[i][1]:
            continue
        f = n.child_by_field_name("field") if n.type == "selector_expression" else _literal_key(n)
        name = sf.data[f.start_byte:f.end_byte] if f is not None else b""
        if name[:1].islower() and name.decode() not in found[i] and (
                _handed(sf, n) if n.type == "selector_expression" else not _fresh(sf, n.named_children[-1])):
            found[i].add(name.decode())
    return {b[2]: tuple(sorted(names)) for b, names in zip(bodies, found) if names}


def field_fills(sf: SourceFile) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fills, positional) of the whole file, package-level declarations included:
    ``fills``, the unexported field names it gives a value other than ``nil`` (``x.f = v``,
    ``T{f: v}``) or takes the address of (``&x.f``); ``positional``, the type names of its
    struct literals written without keys (``T{a, b}``, ``[]T{{a, b}}``), whose fields it
    fills unnamed, and "*" for one whose type cannot be told. A field that no file of the
    package fills, in a type nobody builds by position, is never anything but nil."""
    fills: set[str] = set()
    positional: set[str] = set()
    for n in a.of_type(sf.root, "selector_expression", "keyed_element", "literal_value"):
        if n.type == "literal_value":
            if any(c.type == "literal_element" for c in n.named_children):
                positional |= _positional_type(sf, n)
            continue
        f = n.child_by_field_name("field") if n.type == "selector_expression" else _literal_key(n)
        name = sf.text(f) if f is not None else ""
        if name[:1].islower() and name not in fills and (
                _filled(sf, n) if n.type == "selector_expression" else not _nil(n.named_children[-1])):
            fills.add(name)
    return tuple(sorted(fills)), tuple(sorted(positional))


def _nil(value: Node) -> bool:
    value = value.named_children[0] if value.type == "literal_element" and value.named_child_count == 1 else value
    return a.unparen(value).type == "nil"


def _filled(sf: SourceFile, sel: Node) -> bool:
    """Whether ``x.f`` is given a value other than nil here, or its address is taken."""
    node = sel
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "unary_expression":
        return sf.text(parent.child_by_field_name("operator")) == "&"
    holder = parent.parent if parent is not None and parent.type == "expression_list" else None
    if holder is None or holder.type != "assignment_statement" or parent != holder.child_by_field_name("left"):
        return False
    right = holder.child_by_field_name("right").named_children
    return len(right) != len(parent.named_children) or not _nil(right[parent.named_children.index(node)])


def _positional_type(sf: SourceFile, value: Node) -> set[str]:
    """The name of the struct type a literal without keys builds: {} for a slice, array or
    map literal (its elements are values, not fields) or another package's type (its
    unexported fields are not this package's), {"*"} when the type cannot be told."""
    t = _literal_type(value)
    while t is not None and t.type in ("pointer_type", "parenthesized_type"):
        t = t.named_children[0] if t.named_children else None
    if t is None:
        return {"*"}
    if t.type in ("slice_type", "array_type", "implicit_length_array_type", "map_type", "qualified_type", "struct_type"):
        return set()
    if t.type == "generic_type":
        t = t.child_by_field_name("type")
    return {sf.text(t)} if t is not None and t.type == "type_identifier" else {"*"}


def _literal_type(value: Node) -> Node | None:
    """The type node of a literal value: written on its composite literal, or elided inside
    a slice, array or map literal (``[]T{{...}}``, ``map[K]*T{k: {...}}``); None when it
    cannot be told (a named slice type, say)."""
    parent = value.parent
    if parent is not None and parent.type == "composite_literal":
        return parent.child_by_field_name("type")
    if parent is None or parent.type != "literal_element":
        return None
    holder, key = parent.parent, False
    if holder is not None and holder.type == "keyed_element":
        key = holder.named_children[0] == parent
        holder = holder.parent
    container = _literal_type(holder) if holder is not None and holder.type == "literal_value" else None
    while container is not None and container.type in ("pointer_type", "parenthesized_type"):
        container = container.named_children[0] if container.named_children else None
    if container is None:
        return None
    if container.type in ("slice_type", "array_type", "implicit_length_array_type"):
        return container.child_by_field_name("element")
    if container.type == "map_type":
        return container.child_by_field_name("key" if key else "value")
    return None


def _literal_key(element: Node) -> Node | None:
    """The field name of a keyed element ``f: v`` (an identifier key, as a struct literal's)."""
    key = element.named_children[0] if element.named_child_count == 2 else None
    key = key.named_children[0] if key is not None and key.type == "literal_element" and key.named_child_count == 1 else key
    return key if key is not None and key.type in ("identifier", "field_identifier") else None


def _fresh(sf: SourceFile, value: Node) -> bool:
    """Whether ``value`` is a channel made right there, or none: ``make(...)``, ``nil``, a
    literal or constant that is not a channel, or a local made by ``make`` (``ch :=
    make(chan T)``); a parameter or a call's result comes from elsewhere."""
    value = value.named_children[0] if value.type == "literal_element" and value.named_child_count == 1 else value
    value = a.unparen(value)
    if value.type != "identifier" and value.type not in ("call_expression", "selector_expression", "index_expression",
                                                         "unary_expression", "type_assertion_expression"):
        return True  # nil, a literal, a func literal, a composite: no channel from elsewhere
    if value.type == "call_expression":
        return a.callee(sf, value) == (None, "make")
    if value.type != "identifier":
        return False
    if sf.text(value) in ("nil", "true", "false", "iota"):
        return True
    decl = a.local_declaration(sf, sf.text(value), value)
    right = decl.child_by_field_name("right") if decl is not None and decl.type == "short_var_declaration" else None
    return right is not None and right.named_child_count == 1 and right.named_children[0].type == "call_expression" \
        and a.callee(sf, right.named_children[0]) == (None, "make")


def _handed(sf: SourceFile, sel: Node) -> bool:
    node = sel
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "argument_list":
        return a.callee(sf, parent.parent) not in ((None, "len"), (None, "cap"), (None, "close"))
    if parent.type == "expression_list":
        holder = parent.parent
        if holder.type == "assignment_statement" and parent == holder.child_by_field_name("left"):
            # filled from elsewhere: the value at its position, or a call giving them all
            right = holder.child_by_field_name("right").named_children
            at = parent.named_children.index(node) if node in parent.named_children else -1
            return sf.text(holder.child_by_field_name("operator")) == "=" and (
                not _fresh(sf, right[at]) if len(right) == len(parent.named_children) else True)
        if holder.type in ("assignment_statement", "short_var_declaration", "var_spec"):
            return parent != holder.child_by_field_name("left")
        return holder.type in ("return_statement", "var_spec")
    if parent.type == "unary_expression":
        return sf.text(parent.child_by_field_name("operator")) == "&"
    if parent.type == "send_statement":
        return parent.child_by_field_name("value") == node
    return parent.type in ("literal_element", "var_spec", "return_statement")


def structs(sf: SourceFile) -> tuple[StructFacts, ...]:
    """The file's top-level struct types with fields that matter to goroutines: contexts,
    stop channels, other channels, cancel funcs, func values (a call through one runs code
    that cannot be followed)."""
    if b"struct" not in sf.data:
        return ()
    out = []
    for decl in sf.root.named_children:
        if decl.type != "type_declaration":
            continue
        for spec in a.specs(decl):
            st = spec.child_by_field_name("type")
            if spec.type != "type_spec" or st is None or st.type != "struct_type":
                continue
            fields = []
            for fd in (f for lst in st.named_children if lst.type == "field_declaration_list" for f in lst.named_children):
                kind = _field_kind(sf, fd) if fd.type == "field_declaration" else ""
                if kind:
                    fields += [FieldFacts(sf.text(n), kind) for n in fd.children_by_field_name("name")]
            if fields:
                out.append(StructFacts(sf.text(spec.child_by_field_name("name")), tuple(fields)))
    return tuple(out)


def _field_kind(sf: SourceFile, fd: Node) -> str:
    typ = fd.child_by_field_name("type")
    if typ is None:
        return ""
    text = sf.text(typ).replace(" ", "")
    if typ.type == "channel_type":
        names = [sf.text(n) for n in fd.children_by_field_name("name")]
        signal = text.endswith("struct{}") and not text.startswith("chan<-") and all(a.names_a_signal(n) for n in names)
        return "done" if signal else "chan"
    kind = param_kind(sf, typ)
    if kind == "context":
        return "context"
    if typ.type == "qualified_type" and sf.imports.get(sf.text(typ.child_by_field_name("package"))) == "context" \
            and sf.text(typ.child_by_field_name("name")) in ("CancelFunc", "CancelCauseFunc"):
        return "cancel"
    return "func" if typ.type == "function_type" else ""


# ---------------------------------------------------------------------------- package-level channels


def package_channels(sf: SourceFile) -> tuple[str, ...]:
    """Unexported package-level variables the file declares with a channel make
    (syncthing's `var incomingIndexes = make(chan incomingIndex, 100)`)."""
    if b"make(chan" not in sf.data:
        return ()
    out = []
    for decl in sf.root.named_children:
        for spec in a.specs(decl) if decl.type == "var_declaration" else ():
            value = spec.child_by_field_name("value")
            for name, v in zip(spec.children_by_field_name("name"), value.named_children if value is not None else ()):
                if sf.data[name.start_byte:name.start_byte + 1].islower() and a.callee(sf, v) == (None, "make") and a.arguments(v) \
                        and a.arguments(v)[0].type == "channel_type":
                    out.append(sf.text(name))
    return tuple(sorted(set(out)))


# where a plain name's value is handed on, beside calls' arguments: the field holding it
_HOLDERS = {"return_statement": None, "send_statement": "value", "assignment_statement": "right",
            "short_var_declaration": "right", "var_spec": "value", "literal_value": None}


def passed_names(sf: SourceFile) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(closed, handed): lower-case names the file closes (`close(name)`, where no local or
    parameter surely declares ``name``: a package variable's close then) and names whose
    value it hands on anywhere (an argument, a result, sent, assigned, put in a literal; by
    name alone: a local of the same name counts too, which only reports less; `&name` is
    among FileFacts.writes); `len`, `cap` and `close` hand nothing on. From the file's
    index (analysis.of_type), in bytes: a query of its own cost a third of the parse."""
    data = sf.data
    closed, handed = set(), set()
    for call in a.of_type(sf.root, "call_expression"):
        args = call.child_by_field_name("arguments")
        names = [x for x in args.named_children if x.type == "identifier"] if args is not None else ()
        if not names:
            continue
        fn = call.child_by_field_name("function")
        callee = data[fn.start_byte:fn.end_byte] if fn.type == "identifier" else b""
        if callee == b"close":
            closed.update(data[x.start_byte:x.end_byte] for x in names if not a.surely_local(sf, x))
        elif callee not in (b"len", b"cap"):
            handed.update(data[x.start_byte:x.end_byte] for x in names)
    for node in a.of_type(sf.root, *_HOLDERS):
        side = _HOLDERS[node.type]
        held = [node.child_by_field_name(side)] if side else node.named_children
        for x in held:
            if x is not None and x.type in ("expression_list", "literal_element", "keyed_element"):
                held.extend(x.named_children[1:] if x.type == "keyed_element" else x.named_children)
            elif x is not None and x.type == "identifier":
                handed.add(data[x.start_byte:x.end_byte])
    return tuple(sorted(x.decode() for x in closed if x[:1].islower())), \
        tuple(sorted(x.decode() for x in handed if x[:1].islower()))
