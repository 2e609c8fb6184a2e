"""Diagnoses for sends no partner can take: a value handed to nobody."""

from __future__ import annotations

import re

from tree_sitter import Node

from ... import analysis as a
from ...source import SourceFile
from ._base import channel, own_channel_field, used_elsewhere


def never_received(sf: SourceFile, stmt: Node, state: str, abspath: str) -> str | None:
    """A diagnosis, no fix: the blocked send is on an unexported channel field of a struct
    of this file (``r.f``, ``r`` the method's receiver) that nothing in the package receives
    from and waits (at most a select with a default polls it), nor copies or hands on: no
    goroutine can ever take the value, so the sender waits for a consumer the code does not
    have (cockroach's 35931 and 35073: a row channel's buffer full, its reader gone or never
    there); None when that does not hold."""
    if state != "chan send" or stmt.type != "send_statement":
        return None
    chan = channel(sf, stmt)
    field = own_channel_field(sf, chan, a.enclosing_function(stmt)) if chan is not None else None
    if field is None:
        return None
    # a channel of elsewhere stored in it (``T{f: ch}``) may have its reader elsewhere
    stored = any(sf.text(k.child_by_field_name("key")) == field and not _made(sf, k.child_by_field_name("value"))
                 for k in a.of_type(sf.root, "keyed_element"))
    if stored or used_elsewhere(abspath, [rb"\." + re.escape(field).encode() + rb"\b"]) is not None:
        return None
    polls = []
    for use in a.of_type(sf.root, "selector_expression"):
        if sf.text(use.child_by_field_name("field")) != field:
            continue
        kind = _use(sf, use)
        if kind is None:
            return None
        if kind == "poll":
            polls.append(sf.line_col(use.start_byte)[0])
    if polls:
        where = f"line{'s' if len(polls) > 1 else ''} {', '.join(map(str, polls))}"
        return f"{field} is received from only by a select with a default ({where}): no goroutine waits to take this " \
               f"value; a consumer must receive it, or the send must also stop on its consumer's close"
    return f"nothing in its package receives from {field}: no goroutine can take this value; a consumer must receive " \
           f"it, or the send must also stop on its consumer's close"


def _use(sf: SourceFile, use: Node) -> str | None:
    """What a use of the field does: "send" (it is sent on), "make" (it is given a new
    channel), "poll" (a select with a default receives from it); None for anything else (a
    receive that waits, a range, a copy, a hand-on)."""
    parent = use.parent
    if parent.type == "send_statement" and parent.child_by_field_name("channel") == use:
        return "send"
    if parent.type == "expression_list" and parent.parent.type == "assignment_statement" \
            and parent == parent.parent.child_by_field_name("left"):
        right = parent.parent.child_by_field_name("right").named_children
        return "make" if len(right) == 1 and _made(sf, right[0]) else None
    if parent.type == "unary_expression" and a.is_receive(sf, parent):
        case = a.enclosing(parent, "communication_case", stop_at=("block", "func_literal"))
        comm = case.child_by_field_name("communication") if case is not None else None
        polled = comm is not None and comm.start_byte <= parent.start_byte and parent.end_byte <= comm.end_byte
        if polled and any(c.type == "default_case" for c in case.parent.named_children):
            return "poll"
    return None


def _made(sf: SourceFile, value: Node | None) -> bool:
    """Whether ``value`` (a keyed literal's value too) is a new channel, ``make(...)``."""
    value = value.named_children[0] if value is not None and value.type == "literal_element" and value.named_children else value
    return value is not None and value.type == "call_expression" and a.callee(sf, value) == (None, "make")
