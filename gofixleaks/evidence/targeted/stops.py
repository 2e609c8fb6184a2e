"""Targeted shape for a goroutine blocked sending on a channel field of its receiver that
nobody will read once the value's type has stopped: a done channel is synthesised, closed
by the type's once-only stop, and the send returns once it is closed (kubernetes' PR 38669,
with the pre-check of its follow-up PR 39078)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_

from ... import analysis as a
from ...edits import Fix, TextEdit, insert_before_statement
from ...source import SourceFile
from ._base import channel, struct_fields, unsent_uses, used_elsewhere

DONE = "done"  # the new field's name: upstream's
_SMALL_KEY = 40  # gofmt aligns a literal's key-value lines when both keys are at most this long (go/printer's smallSize)
_BUILTIN_TYPES = frozenset("bool string int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr "
                           "float32 float64 complex64 complex128 byte rune".split())


@dataclass(frozen=True)
class Stop:
    """A block of a method of the type that runs at most once per value and closes a
    channel field: ``if !r.flag { r.flag = true; ...; close(r.G) }`` or ``r.once.Do(func()
    { ...; close(r.G) })``, in a method or on a flag named as a stop."""

    method: str  # the method holding it
    guard: str  # the field that makes it run once: a bool flag or a sync.Once
    block: Node  # the block that runs once: the if's, or the func literal's
    close: Node  # the ``close(r.G)`` statement the new close goes before
    receiver: str  # the receiver's name in that method


def done_by_stop(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """A bare send ``r.F <- v`` in a method of ``T`` (``r`` its receiver) that no done
    field of ``T`` guards: once ``T`` stops, nobody may read ``F`` again (kubernetes'
    cacheWatcher: ``process`` sends the initial events, the watcher is stopped, nobody reads
    the results, and the goroutine waits forever before its defers are even registered).
    ``T`` gets a ``done chan struct{}`` field, made in each of its literals, closed by its
    one once-only stop block (see Stop) before that block's close; the send becomes a
    non-blocking check that returns once done is closed, then a select on the send and on
    done that returns too. The check first: with done closed and room in ``F``, a select
    alone picks at random, and a reader still reading would see values after the stop,
    with gaps (PR 39078).

    Not fixed (with the reason) where: the method has results (a caller would take zero
    values for the sent one's answer) or goes on after the send (a return would skip it);
    the value calls a function (the check would skip that call once stopped); ``T`` has a
    ``done`` already, or embeds a type of its package (which may have one); ``T`` is
    exported or named in another file, or built otherwise than by a keyed literal of this
    file (a zero value's nil done would make the stop's close panic); ``T`` has no
    once-only stop, or several, or its stop closes a ``chan struct{}`` nothing sends on
    (the type's stop signal already: select on that by hand, minding what a dropped value
    holds, rather than duplicate it); ``F`` is ranged over, received with ``, ok`` or
    outside a select with other cases, or handed on (a reader that drains it until it is
    closed, or waits for a value after the stop, would lose the tail or wait for good); the
    guard is written elsewhere (reset, the stop could run twice and close done twice).
    Review however proven: a value dropped after the stop is lost to any reader the tests
    do not show, and what it holds (a connection) is not released."""
    chan = channel(sf, stmt)
    method = a.enclosing_function(stmt)
    if state != "chan send" or stmt.type != "send_statement" or chan.type != "selector_expression" \
            or method is None or method.type != "method_declaration":
        return None, None
    recv, field = chan.child_by_field_name("operand"), sf.text(chan.child_by_field_name("field"))
    key = a.function_key(sf, method)
    if recv.type != "identifier" or key is None or sf.text(recv) != a.receiver_name(sf, method):
        return None, None
    type_name = key[1]
    fields = struct_fields(sf, type_name)
    if fields is None or fields.get(field, "").split(" ")[0] not in ("chan", "chan<-"):
        return None, None
    methods = [m for m in a.of_type(sf.root, "method_declaration") if (a.function_key(sf, m) or ("", ""))[1] == type_name]
    why = no_room(sf, type_name, fields, methods) or no_return(sf, method, stmt)
    if why:
        return None, why
    stops = [s for m in methods for s in _stops(sf, m, fields)]
    if len(stops) != 1:
        return None, (f"{type_name} has {len(stops)} once-only stops (`if !r.stopped {{ r.stopped = true; ...; close(r.ch) }}` "
                      "or a sync.Once.Do closing a channel field): no one place to close a done channel")
    stop = stops[0]
    signal = _signal_closed(sf, stop, fields)
    if signal is not None:
        return None, (f"{stop.method} already closes {signal}, which carries nothing: it is the stop signal to select on "
                      f"(mind what a dropped value holds), not a new {DONE}")
    literals, why = type_literals(sf, type_name)
    why = why or _guard_written(sf, stop) or _readers(sf, field, literals)
    callers, spins = _callers(sf, method)
    if why or spins:
        return None, why or spins
    shared = used_elsewhere(abspath, [rb"\b" + re.escape(type_name).encode() + rb"\b",
                                      *(rb"\." + f.encode() + rb"\b" for f in (field, stop.guard)),
                                      *(rb"\b" + f.encode() + rb"\b" for f in callers)])
    if shared:
        return None, shared
    edits = [field_edit(sf, type_name), *(literal_edit(sf, lit) for lit in literals),
             insert_before_statement(sf, stop.close, [f"close({stop.receiver}.{DONE})"]), _send_edit(sf, stmt, sf.text(recv))]
    if None in edits:
        return None, f"{type_name}'s struct, a literal of it, its stop or the send is laid out on shared lines: add the done channel by hand"
    message = (f"add {DONE} to {type_name}, closed by its once-only stop in {stop.method}, and return from the send on "
               f"{field} once it is closed (checked first, so no value goes out after the stop)")
    return Fix(message, tuple(edits)), None


def no_room(sf: SourceFile, type_name: str, fields: dict[str, str], methods: list[Node]) -> str | None:
    """Why ``T`` cannot take a field ``done``, or None."""
    if DONE in fields or any(sf.text(m.child_by_field_name("name")) == DONE for m in methods):
        return f"{type_name} has a {DONE} already: a done field this fix does not know how to use"
    if type_name[0].isupper():
        return f"{type_name} is exported: other packages may build it without a {DONE} channel, whose nil the stop's close would panic on"
    spec = next(s for s in a.of_type(sf.root, "type_spec") if sf.text(s.child_by_field_name("name")) == type_name)
    if spec.child_by_field_name("type_parameters") is not None:
        return f"{type_name} is generic: its literals are not told apart here"
    for fd in a.of_type(spec, "field_declaration"):
        embedded = fd.child_by_field_name("type") if not fd.children_by_field_name("name") else None
        inner = embedded.named_children[0] if embedded is not None and embedded.type == "pointer_type" else embedded
        if inner is not None and inner.type != "qualified_type":  # another package's type promotes no unexported done
            return f"{type_name} embeds {sf.text(embedded)}, whose own fields or methods may be named {DONE}"
    return None


def no_return(sf: SourceFile, method: Node, stmt: Node) -> str | None:
    """Why the method cannot simply return instead of sending, or None."""
    name = sf.text(method.child_by_field_name("name"))
    if method.child_by_field_name("result") is not None:
        return f"{name} has results: a caller would take zero values for an answer once stopped"
    if not a.nothing_after(a.body(method), stmt):
        return f"{name} goes on after the send: a return would skip that"
    if not g_.own_line(sf, stmt):
        return "the send shares its line: rewrite it by hand"
    value = stmt.child_by_field_name("value")
    types = {sf.text(s.child_by_field_name("name")) for s in a.of_type(sf.root, "type_spec")} | _BUILTIN_TYPES
    for n in a.of_type(value, "call_expression", "unary_expression"):
        if n.type == "unary_expression" and a.is_receive(sf, n):
            return "the value receives from a channel: the check would skip that once stopped"
        if n.type == "call_expression" and sf.text(a.unparen(n.child_by_field_name("function"))) not in types:
            return f"the value calls {sf.text(n.child_by_field_name('function'))}: the check would skip that call once stopped"
    return None


def _callers(sf: SourceFile, method: Node) -> tuple[set[str], str | None]:
    """The names of ``method`` and of the functions calling it, up to the goroutines they
    start (``go f()``); and why returning early from it could leave a caller calling it
    again and again, spinning where the goroutine used to wait: a call in a `for` with no
    range or clause (a loop that ends only on its own), or a name that is not only called
    (a method value, a callback: its callers are out of view)."""
    todo, seen = [method], set()
    while todo:
        fn = todo.pop()
        name = sf.text(fn.child_by_field_name("name"))
        if name in seen:
            continue
        seen.add(name)
        calls = a.calls_named(sf, {name})
        if sum(sf.text(n) == name for n in a.of_type(sf.root, "identifier", "field_identifier")) != len(calls) + 1:
            return seen, f"{name} is named otherwise than called (a method value, another declaration): its callers are out of view"
        for call in calls:
            caller = a.enclosing_function(call)
            for loop in a.ancestors(call):
                if loop == caller:
                    break
                if loop.type == "for_statement" and not any(c.type in ("range_clause", "for_clause") for c in loop.named_children):
                    return seen, (f"{name} is called in a loop that ends only on its own (line {sf.line_col(loop.start_byte)[0]}): "
                                  "once stopped, it would be called again and again without blocking")
            if call.parent.type == "go_statement" or caller is None:
                continue  # a goroutine of its own: it ends where the call returns
            if caller.type == "func_literal":
                started = caller.parent.type == "call_expression" and caller.parent.parent.type == "go_statement"
                if not started:
                    return seen, f"{name} is called from a function literal whose callers are out of view"
                continue
            todo.append(caller)
    return seen, None


def _stops(sf: SourceFile, method: Node, fields: dict[str, str]) -> list[Stop]:
    """The once-only stop blocks of ``method`` (see Stop)."""
    recv, name = a.receiver_name(sf, method), sf.text(method.child_by_field_name("name"))
    found = []
    for n in a.of_type(method, "if_statement", "call_expression"):
        if n.type == "if_statement":
            cond = a.unparen(n.child_by_field_name("condition"))
            guard = _own_field(sf, cond.child_by_field_name("operand"), recv) if cond.type == "unary_expression" \
                and sf.text(cond).startswith("!") else None
            if guard is None or fields.get(guard) != "bool" or n.child_by_field_name("alternative") is not None \
                    or n.child_by_field_name("initializer") is not None:
                continue
            block = n.child_by_field_name("consequence")
            body = a.statements(block)
            if not any(s.type == "assignment_statement" and " ".join(sf.text(s).split()) == f"{recv}.{guard} = true" for s in body):
                continue
        else:
            mc = a.method_call(sf, n)
            guard = _own_field(sf, mc[0], recv) if mc is not None and mc[1] == "Do" else None
            args = a.arguments(n)
            if guard is None or fields.get(guard) != "sync.Once" or len(args) != 1 or args[0].type != "func_literal":
                continue
            block = a.body(args[0])
            body = a.statements(block)
        close = next((s for s in body if s.type == "expression_statement" and _closes_own_channel(sf, s, recv, fields)), None)
        # a block that runs once is a stop by its method's or its guard's name (a start may run once too)
        if close is not None and (a.names_a_signal(name) or a.names_a_signal(guard)):
            found.append(Stop(name, guard, block, close, recv))
    return found


def _signal_closed(sf: SourceFile, stop: Stop, fields: dict[str, str]) -> str | None:
    """A ``chan struct{}`` field the stop block closes and nothing sends on: a done signal
    the type has already (traefik's httpForwarder closes closeChan in its Once)."""
    for s in a.statements(stop.block):
        if s.type == "expression_statement" and _closes_own_channel(sf, s, stop.receiver, fields):
            f = _own_field(sf, a.unparen(a.arguments(a.unparen(s.named_children[0]))[0]), stop.receiver)
            sent = any(sf.text(x.child_by_field_name("channel")).endswith("." + f) for x in a.of_type(sf.root, "send_statement"))
            if fields[f] == "chan struct{}" and not sent:
                return f
    return None


def _own_field(sf: SourceFile, node: Node | None, recv: str | None) -> str | None:
    """``f`` of ``recv.f``, else None."""
    if node is None or node.type != "selector_expression" or sf.text(node.child_by_field_name("operand")) != recv:
        return None
    return sf.text(node.child_by_field_name("field"))


def _closes_own_channel(sf: SourceFile, stmt: Node, recv: str | None, fields: dict[str, str]) -> bool:
    """``close(recv.G)``, ``G`` a channel field."""
    call = a.unparen(stmt.named_children[0])
    args = a.arguments(call) if call.type == "call_expression" else []
    if len(args) != 1 or a.callee(sf, call) != (None, "close"):
        return False
    return fields.get(_own_field(sf, a.unparen(args[0]), recv) or "", "").split(" ")[0] in ("chan", "chan<-")


def type_literals(sf: SourceFile, type_name: str) -> tuple[list[Node], str | None]:
    """The keyed literals of ``T`` in the file, or why ``T`` may be built otherwise (a zero
    value, ``new(T)``, a literal without keys, one whose type another literal leaves out):
    every use of the name is its declaration, a pointer type, a receiver's type, or such a
    literal's type."""
    literals = []
    word = re.compile(rf"\b{re.escape(type_name)}\b")
    for lit in a.of_type(sf.root, "composite_literal"):
        typ = sf.text(lit.child_by_field_name("type"))
        line = sf.line_col(lit.start_byte)[0]
        if typ == type_name:
            elements = [c for c in lit.child_by_field_name("body").named_children if c.type != "comment"]
            if not elements or any(c.type != "keyed_element" for c in elements):
                return [], f"{type_name} is built without keys on line {line}: a done channel cannot be added there"
            literals.append(lit)
        elif word.search(typ) and [c for c in lit.child_by_field_name("body").named_children if c.type != "comment"]:
            # an empty one (``map[int]*T{}``) builds none
            return [], f"a literal of {typ} on line {line} may build {type_name}s whose type it leaves out"
    for n in a.of_type(sf.root, "type_identifier", "identifier"):
        if sf.text(n) != type_name:
            continue
        parent, method = n.parent, a.enclosing(n, "method_declaration")
        declared = parent.type == "type_spec" and parent.child_by_field_name("name") == n
        received = method is not None and a.is_within(n, method.child_by_field_name("receiver"))
        # ``*T`` as a type, or in an expression (``(*T)(nil)``): a pointer builds no T
        pointer = parent.type == "pointer_type" or (parent.type == "unary_expression" and sf.text(parent).startswith("*"))
        if not (declared or received or pointer or parent.type == "composite_literal"):
            return [], (f"{type_name} is used on line {sf.line_col(n.start_byte)[0]} otherwise than as a pointer or a keyed "
                        f"literal (a zero value there would have a nil {DONE}, which the stop's close panics on)")
    if not literals:
        return [], f"{type_name} is built nowhere in this file: where its {DONE} channel would be made is out of view"
    return literals, None


def _guard_written(sf: SourceFile, stop: Stop) -> str | None:
    """Why the stop block may run twice on one value (its guard is written outside the
    block, a reset; or its address is taken), or None."""
    for n in a.of_type(sf.root, "assignment_statement", "unary_expression"):
        if n.type == "assignment_statement":
            target = n.child_by_field_name("left")
        else:
            target = n.child_by_field_name("operand") if sf.text(n).startswith("&") else None
        if target is None or a.is_within(n, stop.block) and n.type == "assignment_statement":
            continue
        if any(sf.text(x.child_by_field_name("field")) == stop.guard for x in a.of_type(target, "selector_expression")):
            return (f"{stop.guard} is written on line {sf.line_col(n.start_byte)[0]}, outside {stop.method}'s once-only "
                    f"block: the stop could run twice and close {DONE} twice")
    return None


def _readers(sf: SourceFile, field: str, literals: list[Node]) -> str | None:
    """Why a reader of ``F`` may want values after the stop (it drains ``F`` until it is
    closed, waits for a value with no other way out, or is out of view), or None: the
    literals give ``F`` a `make`, and every use of ``.F`` is a send, a close, a `make`
    stored in it, ``len``/``cap``, or a receive in a select with other cases."""
    for el in (c for lit in literals for c in lit.child_by_field_name("body").named_children):
        if sf.text(el.named_children[0]) == field and not a.is_call_to(sf, a.unparen(el.named_children[-1].named_children[0]), None, ("make",)):
            return f"{field} is given {sf.text(el.named_children[-1])} on line {sf.line_col(el.start_byte)[0]}: its readers are out of view"
    for sel, line, parent in unsent_uses(sf, field):
        if parent.type == "argument_list" and sf.text(parent.parent.child_by_field_name("function")) in ("close", "len", "cap"):
            continue
        if parent.type == "expression_list" and parent.parent.type == "assignment_statement" \
                and parent.parent.child_by_field_name("left") == parent:
            values = parent.parent.child_by_field_name("right").named_children
            index = parent.named_children.index(sel)
            if len(values) == len(parent.named_children) and a.is_call_to(sf, a.unparen(values[index]), None, ("make",)):
                continue  # a new channel, read nowhere else yet
            return f"{field} is given another channel on line {line}: its readers are out of view"
        if parent.type == "range_clause":
            return f"{field} is ranged over on line {line}: its reader drains it until it is closed, and would lose the tail the stop drops"
        if not (parent.type == "unary_expression" and a.is_receive(sf, parent)):
            return f"{field} is handed on on line {line}: its readers are out of view, and one may drain it until it is closed"
        comm = parent.parent.parent if parent.parent.type == "expression_list" else parent.parent
        left = comm.child_by_field_name("left") if comm.type == "receive_statement" else None
        if left is not None and left.named_child_count > 1:
            return f"{field} is received with `, ok` on line {line}: its reader drains it until it is closed, and would lose the tail"
        case = comm.parent
        others = [c for c in case.parent.named_children if c.type in ("communication_case", "default_case") and c != case] \
            if case is not None and case.type == "communication_case" and case.child_by_field_name("communication") == comm else []
        if not others:
            return f"{field} is received outside a select with other cases on line {line}: a reader after the stop would wait for good"
    return None


def field_edit(sf: SourceFile, type_name: str) -> TextEdit | None:
    """``done chan struct{}`` as the struct's last field, aligned with the fields above it
    as gofmt does; after a blank line (a section of its own) where aligning would move them."""
    spec = next(s for s in a.of_type(sf.root, "type_spec") if sf.text(s.child_by_field_name("name")) == type_name)
    fl = next(c for c in spec.child_by_field_name("type").named_children if c.type == "field_declaration_list")
    close = fl.end_byte - 1
    start = sf.line_start(close)
    last = fl.named_children[-1] if fl.named_children else None
    if sf.data[start:close].strip() or last is None or last.type != "field_declaration":
        return None
    indent, nl = sf.indent_at(last.start_byte), sf.newline
    typ = last.child_by_field_name("type")
    lead = sf.data[last.start_byte:typ.start_byte]
    single = sf.line_col(last.start_byte)[0] == sf.line_col(last.end_byte)[0]
    if last.children_by_field_name("name") and single and lead.isascii() and len(lead) > len(DONE):
        return TextEdit(start, start, indent + DONE.encode() + b" " * (len(lead) - len(DONE)) + b"chan struct{}" + nl)
    return TextEdit(start, start, nl + indent + f"{DONE} chan struct{{}}".encode() + nl)


def literal_edit(sf: SourceFile, lit: Node) -> TextEdit | None:
    """``done: make(chan struct{})`` as the literal's last element, laid out as gofmt does
    (aligned with the keys above where that moves none of them, else after a blank line);
    None for a literal with comments among its elements or a brace sharing a line."""
    body = lit.child_by_field_name("body")
    elements = body.named_children
    if any(c.type == "comment" for c in elements):
        return None
    last, close = elements[-1], body.end_byte - 1
    made = f"{DONE}: make(chan struct{{}})"
    if sf.line_col(body.start_byte)[0] == sf.line_col(close)[0]:
        return TextEdit(last.end_byte, last.end_byte, f", {made}".encode()) if last.end_byte == close else None
    start = sf.line_start(close)
    if sf.data[start:close].strip() or sf.data[last.end_byte:last.end_byte + 1] != b"," \
            or sf.data[sf.line_start(last.start_byte):last.start_byte].strip():
        return None
    key, value = last.named_children[0], last.named_children[-1]
    indent, nl = sf.indent_at(last.start_byte), sf.newline
    lead = sf.data[key.start_byte:value.start_byte]
    single = sf.line_col(last.start_byte)[0] == sf.line_col(last.end_byte)[0]
    if single and lead.isascii() and len(lead) > len(DONE) + 1 and key.end_byte - key.start_byte <= _SMALL_KEY:
        aligned = f"{DONE}:".encode() + b" " * (len(lead) - len(DONE) - 1) + b"make(chan struct{}),"
        return TextEdit(start, start, indent + aligned + nl)
    return TextEdit(start, start, nl + indent + made.encode() + b"," + nl)


def _send_edit(sf: SourceFile, stmt: Node, recv: str) -> TextEdit:
    """The send as a check that returns once done is closed, then a select on the send and
    on done that returns too (its trailing comment stays on the send's case)."""
    comment = g_.trailing_comment(sf, stmt)
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    stopped = f"case <-{recv}.{DONE}:"
    lines = ["select {", stopped, "\treturn", "default:", "}", "select {",
             f"case {sf.text(stmt)}:" + (f" {comment.text}" if comment else ""), stopped, "\treturn", "}"]
    end = comment.end_byte if comment is not None else stmt.end_byte
    return TextEdit(stmt.start_byte, end, nl.join(ln.encode() if i == 0 else indent + ln.encode() for i, ln in enumerate(lines)))
