"""Targeted shape for a goroutine blocked sending a stop token on a channel field: a close
replaces the send, which every receiver sees and none has to be there for (moby's PR 28462)."""

from __future__ import annotations

import os

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_

from ... import analysis as a
from ...edits import REVIEW, Fix, TextEdit
from ...source import SourceFile
from ._base import channel, parsed_package, struct_fields

_TOKENS = ("struct{}{}", "true", "false")  # values whose sending does nothing but the send
_DEPTH = 4  # handoffs followed from a read of the field to its receivers


class _Refused(Exception):
    """Why the channel's uses do not make the send a stop token a close can replace."""


def close_token(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """``if r.f != nil { r.f <- struct{}{} }`` in a method of ``T`` (``r`` its receiver,
    ``f`` a channel field of ``T``), blocked: a stop token, a value nobody reads. A close
    stops the receiver as the token did, and does not wait for one to be there (moby's
    health monitor: the monitor took the lock the sender's caller held between its checks
    of ``case <-stop: return``). Where ``r.f = nil`` follows the send, the send becomes
    ``close(r.f)`` (upstream's diff); where the field is never nil but as a zero value, the
    close is followed by ``r.f = make(chan T)``, a new channel for the next stop: a receiver
    handed the field later waits for the next close as it would for the next token, where
    setting it to nil would hand it a channel that never fires (upstream's getter made a new
    channel when it was nil).

    Every use of ``.f`` in the package's files (fields matched by name) is followed: nil
    comparisons, the ``make`` or nil it is given (by keyed or positional literals of ``T``
    too), and reads whose value goes, through locals, parameters and getters (a method
    returning it), to receives. Refused where: the sending method's name says no stop
    (``Shrink``: a token that stops one worker of several); there is no ``!= nil`` guard
    (a second call would close it twice and panic; reported only); the send is in a loop,
    or ``f`` is sent on or closed elsewhere; a receive uses the value (it was more than a
    token), or its case neither returns nor breaks out of its loop, or a bare receive
    waits in a loop (for several tokens, whose waits a close would end at once); a receive
    reads the field afresh (set to nil or renewed right after the close, it could miss
    it); the value goes anywhere else (out of view); one read of the field (a getter's
    call) reaches two goroutine starts, or a receiving function is called otherwise than
    started by ``go`` outside any loop of its function (goroutines sharing one channel,
    each stopped by a token of its own: a close would stop them all); ``f``, a getter or
    a receiving function is exported outside package main (its callers out of view; a
    test the framework runs once aside); for the renewal, the field is given nil, a
    buffered channel, or channels made differently. Review however proven: callers must
    still serialise the check and the close (a lock upstream held), which no re-run shows."""
    chan = channel(sf, stmt)
    method = a.enclosing_function(stmt)
    value = stmt.child_by_field_name("value") if stmt.type == "send_statement" else None
    if state != "chan send" or value is None or chan.type != "selector_expression" \
            or method is None or method.type != "method_declaration" or "".join(sf.text(value).split()) not in _TOKENS:
        return None, None
    recv, field = sf.text(chan.child_by_field_name("operand")), sf.text(chan.child_by_field_name("field"))
    key = a.function_key(sf, method)
    fields = struct_fields(sf, key[1]) if key is not None and recv == a.receiver_name(sf, method) else None
    if fields is None or fields.get(field, "").split(" ")[0] != "chan":
        return None, None
    where, name = f"{recv}.{field}", sf.text(method.child_by_field_name("name"))
    if not a.names_a_signal(name):
        return None, (f"the token on {where} is sent by {name}, whose name says no stop: it may stop one receiver of "
                      "several (a pool shrunk by one), where a close would stop them all")
    if not _guarded(sf, stmt, where):
        return None, (f"the stop token on {where} has no `if {where} != nil` guard: a close there would panic when "
                      "called twice; close it once by hand")
    if a.loops_between(stmt, method):
        return None, f"the token on {where} is sent in a loop: one per receiver, which a close would not count"
    nxt = next((n for n in a.following(stmt) if n.type != "comment"), None)
    nilled = nxt is not None and " ".join(sf.text(nxt).split()) == f"{where} = nil"
    try:
        made = _Uses(sf, stmt, abspath, key[1], field).check(nilled)
    except _Refused as why:
        return None, str(why)
    if not g_.own_line(sf, stmt):
        return None, "the send shares its line: close the channel by hand"
    new = f"close({where})"
    if made is not None:
        new += (sf.newline + sf.indent_at(stmt.start_byte)).decode() + f"{where} = {made}"
        message = (f"close {where} instead of sending a stop token nobody reads, and give it a new channel for the next stop: "
                   "every receiver sees the close, and none has to be there for it")
    else:
        message = (f"close {where} instead of sending a stop token nobody reads (it is set to nil after): every receiver "
                   "sees the close, and none has to be there for it")
    return Fix(message, (TextEdit(stmt.start_byte, stmt.end_byte, new.encode()),), applicability=REVIEW), None


def _guarded(sf: SourceFile, stmt: Node, where: str) -> bool:
    """The send is in the block of ``if r.f != nil`` (no initializer, no else)."""
    block = stmt.parent.parent if stmt.parent is not None and stmt.parent.type == "statement_list" else None
    guard = block.parent if block is not None and block.type == "block" else None
    return guard is not None and guard.type == "if_statement" and guard.child_by_field_name("consequence") == block \
        and guard.child_by_field_name("alternative") is None and guard.child_by_field_name("initializer") is None \
        and " ".join(sf.text(guard.child_by_field_name("condition")).split()) == f"{where} != nil"


class _Uses:
    """Every use of the field across the package, followed to its receivers (see
    close_token); ``check`` raises _Refused with the first use that does not fit."""

    def __init__(self, sf: SourceFile, send: Node, abspath: str, type_name: str, field: str) -> None:
        self.field, self.type_name = field, type_name
        self.main = any(sf.text(p.named_children[0]) == "main" for p in a.of_type(sf.root, "package_clause"))
        here = os.path.realpath(abspath)
        self.files = parsed_package(os.path.dirname(abspath))
        self.send = next(((pf, send.start_byte) for path, pf in self.files if os.path.realpath(path) == here), None)
        self.makes: list[str] = []
        self.nils = 0
        self.seen: set[tuple[int, int, str]] = set()
        self.starts: set[tuple[int, int]] = set()  # the goroutine starts one evaluation of the channel reaches

    def check(self, nilled: bool) -> str | None:
        """The ``make`` to renew the field with, or None where it is set to nil after the send."""
        if self.send is None:
            raise _Refused("the sender's file is not among its package's files")
        if self.field[0].isupper() and not self.main:
            raise _Refused(f"{self.field} is exported: other packages' receivers are out of view")
        for _, pf in self.files:
            for sel in a.of_type(pf.root, "selector_expression"):
                if pf.text(sel.child_by_field_name("field")) == self.field:
                    self._field_use(pf, sel)
            for lit in a.of_type(pf.root, "composite_literal"):
                self._literal(pf, lit)
        if nilled:
            return None
        if self.nils or not self.makes or len(set(self.makes)) != 1 or len(self.makes[0].split(",")) != 1:
            raise _Refused(f"{self.field} is given nil or channels made differently (or buffered): a new channel after "
                           "the close would not be what it holds; close it by hand")
        return self.makes[0]

    def _at(self, pf: SourceFile, node: Node) -> str:
        return f"{os.path.basename(pf.path)}:{pf.line_col(node.start_byte)[0]}"

    def _field_use(self, pf: SourceFile, sel: Node) -> None:
        parent = sel.parent
        if (pf, sel.start_byte) == self.send and parent.type == "send_statement":
            return
        if parent.type == "send_statement" and parent.child_by_field_name("channel") == sel:
            raise _Refused(f"{self.field} is sent on at {self._at(pf, sel)} too: more than one token to count")
        if parent.type == "argument_list" and a.callee(pf, parent.parent) == (None, "close"):
            raise _Refused(f"{self.field} is closed at {self._at(pf, sel)} already: a second close would panic")
        if a.is_receive(pf, parent):
            raise _Refused(f"{self.field} is received from at {self._at(pf, sel)}, read afresh: set to nil or renewed "
                           "right after the close, that receiver could miss it")
        if parent.type == "expression_list" and parent.parent.type == "assignment_statement" \
                and parent.parent.child_by_field_name("left") == parent:
            values = parent.parent.child_by_field_name("right").named_children
            if len(values) != len(parent.named_children):
                raise _Refused(f"{self.field} is given a call's result at {self._at(pf, sel)}: its receivers are out of view")
            self._given(pf, values[parent.named_children.index(sel)])
            return
        self._evaluated(pf, sel, 0)

    def _evaluated(self, pf: SourceFile, expr: Node, depth: int) -> None:
        """One evaluation of the channel (a read of the field, a getter's call), handed to
        one goroutine start at most: two goroutines started on one channel would each have
        stopped at a token of their own, and a close stops them both."""
        outer, self.starts = self.starts, set()
        self._next(pf, expr, depth)
        if len(self.starts) > 1:
            raise _Refused(f"the channel read at {self._at(pf, expr)} is handed to {len(self.starts)} goroutines: "
                           "each would stop at a token of its own, and a close stops them all")
        self.starts = outer

    def _literal(self, pf: SourceFile, lit: Node) -> None:
        """What a literal gives the field: ``f: V`` (any struct's, fields matched by name),
        or the value at its position in an unkeyed literal of ``T``."""
        elements = [c for c in lit.child_by_field_name("body").named_children if c.type != "comment"]
        for el in elements:
            if el.type == "keyed_element" and pf.text(el.named_children[0]) == self.field:
                self._given(pf, el.named_children[-1])
        if pf.text(lit.child_by_field_name("type")) == self.type_name and elements and elements[0].type != "keyed_element":
            spec = next((s for s in a.of_type(pf.root, "type_spec") if pf.text(s.child_by_field_name("name")) == self.type_name), None)
            # an embedded field takes a position too, under no name
            order = [pf.text(n) if n.type == "field_identifier" else "" for fd in a.of_type(spec, "field_declaration")
                     for n in (fd.children_by_field_name("name") or [fd])]
            if self.field in order and order.index(self.field) < len(elements):
                self._given(pf, elements[order.index(self.field)])

    def _given(self, pf: SourceFile, value: Node) -> None:
        v = a.unparen(value.named_children[0] if value.type == "literal_element" else value)
        if v.type == "nil":
            self.nils += 1
        elif a.is_call_to(pf, v, None, ("make",)) and a.arguments(v) and a.arguments(v)[0].type == "channel_type":
            self.makes.append(" ".join(pf.text(v).split()))
        else:
            raise _Refused(f"{self.field} is given {pf.text(v)} at {self._at(pf, v)}: a channel made elsewhere, whose "
                           "receivers are out of view")

    def _value(self, pf: SourceFile, expr: Node, depth: int) -> None:
        """Where the channel ``expr`` evaluates to goes: each place must end in a receive."""
        parent = expr.parent
        while parent.type == "parenthesized_expression":
            expr, parent = parent, parent.parent
        if parent.type == "binary_expression" and pf.text(parent.child_by_field_name("operator")) in ("==", "!=") \
                and any(c.type == "nil" for c in parent.named_children):
            return
        if a.is_receive(pf, parent):
            raise _Refused(f"{self.field} is received from at {self._at(pf, expr)}, read afresh: set to nil or renewed "
                           "right after the close, that receiver could miss it")
        if parent.type == "return_statement" or (parent.type == "expression_list" and parent.parent.type == "return_statement"):
            self._getter(pf, expr, depth)
        elif parent.type == "argument_list":
            self._handed(pf, parent.parent, parent.named_children.index(expr), depth)
        elif parent.type == "expression_list" and parent.parent.type == "short_var_declaration" \
                and parent.parent.child_by_field_name("right") == parent:
            left = parent.parent.child_by_field_name("left").named_children
            if len(left) != len(parent.named_children):
                raise _Refused(f"the value of {self.field} is unpacked at {self._at(pf, expr)}: out of view")
            self._local(pf, a.enclosing_function(parent), left[parent.named_children.index(expr)], depth)
        else:
            raise _Refused(f"{self.field}'s channel is used at {self._at(pf, expr)} otherwise than compared with nil, "
                           "handed to a receiver or received from: its readers are out of view")

    def _getter(self, pf: SourceFile, expr: Node, depth: int) -> None:
        """``return r.f`` as a method's one result: each call of that method is followed."""
        fn = a.enclosing_function(expr)
        ret = expr.parent if expr.parent.type == "return_statement" else expr.parent.parent
        if fn is None or fn.type != "method_declaration" or len(ret.named_children[0].named_children or [expr]) != 1:
            raise _Refused(f"{self.field} is returned at {self._at(pf, expr)} otherwise than by a getter: out of view")
        name = pf.text(fn.child_by_field_name("name"))
        if name[0].isupper() and not self.main:
            raise _Refused(f"{name} hands {self.field} out and is exported: other packages' receivers are out of view")
        for _, other in self.files:
            for n in a.of_type(other.root, "field_identifier", "identifier"):
                if other.text(n) != name or n.parent == fn:
                    continue
                call = n.parent.parent if n.parent.type == "selector_expression" else None
                if call is None or call.type != "call_expression" or call.child_by_field_name("function") != n.parent:
                    raise _Refused(f"{name} is named otherwise than called at {self._at(other, n)}: its callers are out of view")
                self._evaluated(other, call, depth)

    def _handed(self, pf: SourceFile, call: Node, index: int, depth: int) -> None:
        """The channel as argument ``index`` of ``call``: the callee's parameter is followed."""
        f = call.child_by_field_name("function")
        name = pf.text(f.child_by_field_name("field") if f.type == "selector_expression" else f)
        kind = "method_declaration" if f.type == "selector_expression" else "function_declaration"
        decls = [(other, d) for _, other in self.files for d in a.of_type(other.root, kind)
                 if other.text(d.child_by_field_name("name")) == name]
        params = [n for d in decls[:1] for p in a.of_type(d[1].child_by_field_name("parameters"), "parameter_declaration",
                                                           "variadic_parameter_declaration")
                  for n in (p.children_by_field_name("name") if p.type == "parameter_declaration" else [None])]
        if len(decls) != 1 or index >= len(params) or params[index] is None:
            raise _Refused(f"{self.field}'s channel is handed to {name} at {self._at(pf, call)}, which is not one function "
                           "of its package with plain parameters: its receivers are out of view")
        if call.parent.type == "go_statement":
            self.starts.add((id(pf), call.start_byte))
        other, decl = decls[0]
        self._local(other, decl, params[index], depth + 1)

    def _next(self, pf: SourceFile, expr: Node, depth: int) -> None:
        if depth >= _DEPTH:
            raise _Refused(f"{self.field}'s channel is handed on more than {_DEPTH} times: its receivers are out of view")
        self._value(pf, expr, depth)

    def _local(self, pf: SourceFile, fn: Node, name: Node, depth: int) -> None:
        """Each use of the local or parameter ``name`` of ``fn`` (closures included)."""
        text = pf.text(name)
        if (id(pf), fn.start_byte, text) in self.seen:
            return
        self.seen.add((id(pf), fn.start_byte, text))
        for n in a.of_type(a.body(fn), "identifier"):
            if pf.text(n) != text or n.start_byte == name.start_byte:
                continue
            if a.is_receive(pf, n.parent):
                self._received(pf, n.parent)
            else:
                self._next(pf, n, depth)

    def _received(self, pf: SourceFile, recv: Node) -> None:
        """A receive that takes a token and leaves: its value discarded, and a select case on it
        returning or breaking out of its loop, or a bare receive in no loop of its function,
        which is started once by ``go``."""
        comm, fn = recv.parent, a.enclosing_function(recv)
        at = self._at(pf, recv)
        if comm.type not in ("expression_statement", "receive_statement") or comm.child_by_field_name("left") is not None:
            raise _Refused(f"the receive from {self.field}'s channel at {at} uses its value: more than a stop token")
        case = comm.parent if comm.type == "receive_statement" else None
        if case is not None and case.type == "communication_case":
            body = [s for s in a.statements(case) if s.type != "comment"]
            if not body or not _leaves(pf, body[-1], case):
                raise _Refused(f"the case on {self.field}'s channel at {at} neither returns nor breaks out of its loop: "
                               "a closed channel would fire it again and again")
        elif comm.type != "expression_statement" or a.loops_between(recv, fn):
            raise _Refused(f"the receive from {self.field}'s channel at {at} waits in a loop: for several tokens, "
                           "which a close would end at once")
        self._started_once(pf, fn, at)

    def _started_once(self, pf: SourceFile, fn: Node, at: str) -> None:
        """The receiving function runs on goroutines started outside loops only, one receiver
        per channel a start is handed: goroutines started in a loop on one channel are each
        stopped by a token of their own (a pool shrunk one at a time), and all by a close."""
        if fn.type == "func_literal":
            go = fn.parent.parent if fn.parent.type == "call_expression" else None
            if go is None or go.type != "go_statement" or a.loops_between(go, a.enclosing_function(go)):
                raise _Refused(f"the receiver at {at} is a function literal not started once by `go` outside a loop: "
                               "several goroutines may each wait for a token of their own")
            self.starts.add((id(pf), go.start_byte))
            return
        name = pf.text(fn.child_by_field_name("name"))
        if name[0].isupper() and not (self.main or (pf.path.endswith("_test.go") and name.startswith("Test"))):
            raise _Refused(f"{name}, which receives the token at {at}, is exported: its callers are out of view")
        for _, other in self.files:
            for n in a.of_type(other.root, "identifier", "field_identifier"):
                if other.text(n) != name or n.parent == fn:
                    continue
                f = n.parent if n.parent.type == "selector_expression" else n
                call = f.parent
                go = call.parent if call.type == "call_expression" and call.child_by_field_name("function") == f else None
                if go is None or go.type != "go_statement" or a.loops_between(go, a.enclosing_function(go)):
                    raise _Refused(f"{name}, which receives the token at {at}, is used at {self._at(other, n)} otherwise than "
                                   "started once by `go` outside a loop: several goroutines may each wait for a token of their own")


def _leaves(sf: SourceFile, last: Node, case: Node) -> bool:
    """``return``, or ``break L`` with ``L`` the label of a loop around the case's select."""
    if last.type == "return_statement":
        return True
    label = next((c for c in last.named_children if c.type == "label_name"), None) if last.type == "break_statement" else None
    return label is not None and any(
        n.type == "labeled_statement" and sf.text(n.child_by_field_name("label")) == sf.text(label)
        and n.named_children[-1].type == "for_statement" for n in a.ancestors(case))
