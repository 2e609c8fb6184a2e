"""Targeted shape for a goroutine blocked sending on a channel field whose values nobody
reads: the send gives up instead of waiting for room that no reader will make."""

from __future__ import annotations

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_

from ... import analysis as a
from ...edits import REVIEW, Fix, TextEdit
from ...source import SourceFile
from ._base import channel, names_field
from .handoffs import never_received


def drop_unread(sf: SourceFile, stmt: Node, state: str, abspath: str) -> tuple[Fix | None, str | None]:
    """``r.f <- v`` blocked, ``f`` an unexported channel field of the method's receiver whose
    values nobody reads: nothing in the package receives from ``f`` and waits, and each
    select that polls it with a default discards what it takes and does nothing with it
    (``select { case <-r.f: default: }``, a drain making room), nor copies ``f`` or hands it
    on (handoffs.never_received: every use of ``.f`` in the package is a send, a ``make`` it
    is given or such a poll). A value sent is then never seen by anyone: the send matters
    only by whether it waits, and once the buffer is full it waits for good, or until a
    poll frees a slot for a value nobody will read. ``select { case r.f <- v: default: }``
    sends the same values while there is room and drops, rather than waits, once there is
    none (cockroach's 35931: a cancel pushed into a row channel whose reader is gone; 35073:
    a row pushed into the outbox's channel that only its ConsumerClosed drains). Upstream
    made the reader's side drain or close (35073) or sent each cancel on a goroutine of
    its own (35931, which leaks that goroutine where nobody reads).

    Refused where a poll keeps the value (``case v := <-r.f``) or does something once it
    took one (a count of polls that succeed would change), and for anything
    never_received refuses (a receive that waits, a range, ``len``, a copy, a channel
    stored in the field from elsewhere, another file of the package naming ``.f``).
    Review however proven: the sender no longer waits for a poll to make room, so what
    follows the send runs before that poll rather than after it, which no re-run shows."""
    if state != "chan send" or stmt.type != "send_statement":
        return None, None
    if never_received(sf, stmt, state, abspath) is None:  # a reader, or uses out of view: the values may be read
        return None, None
    chan = channel(sf, stmt)
    field = sf.text(chan.child_by_field_name("field"))
    for recv in a.of_type(sf.root, "unary_expression"):
        if not (a.is_receive(sf, recv) and names_field(sf, recv.child_by_field_name("operand"), field)):
            continue
        # never_received let only polls through: a receive in a case of a select with a default
        case = a.enclosing(recv, "communication_case", stop_at=("block", "func_literal"))
        line = sf.line_col(recv.start_byte)[0]
        if case is None:
            return None, f"{field} is received from on line {line} outside a select's case"
        comm = case.child_by_field_name("communication")
        if comm.type == "receive_statement" and comm.child_by_field_name("left") is not None:
            return None, f"the poll of {field} on line {line} keeps the value it takes: a dropped value would be missed"
        if a.statements(case):
            return None, f"the poll of {field} on line {line} acts on each value it takes: a dropped value changes what it does"
    if not g_.own_line(sf, stmt):
        return None, "the send shares its line"
    indent, nl = sf.indent_at(stmt.start_byte), sf.newline
    new = b"select {" + nl + indent + f"case {sf.text(stmt)}:".encode() + nl + indent + b"default:" + nl + indent + b"}"
    message = f"send on {field} without blocking: nothing reads its values, so one dropped once its buffer is full is never missed"
    return Fix(message, (TextEdit(stmt.start_byte, stmt.end_byte, new),), applicability=REVIEW), None
