"""Targeted shape for a lock taken again down a chain of calls: a goroutine's own frame
holds ``r.mu`` and calls, through functions the package calls only there, a method of the
same value that opens with that lock (cockroach's PR 16167: a read lock held through a
Cond's RLocker, taken again four calls down, waits once a writer queues)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ... import analysis as a
from ...edits import REVIEW, Fix
from ...source import SourceFile
from ..dump import short_name
from ..match import Covered
from ._base import lock_call, lock_key, used_elsewhere
from .holders import Holder, cond_lockers, holder
from .locks import split_locked

# a frame's function after its package: `(*T).M`, `T.M` (a value receiver) or `F`
_FRAME = re.compile(r"^(?:\(\*(\w+)\)\.|(\w+)\.)?(\w+)$")
# calls that may release the lock for a while (a Cond's Wait), or take or release another
_LOCKING = frozenset(("Lock", "Unlock", "RLock", "RUnlock", "TryLock", "TryRLock", "Wait"))


class _Refused(Exception):
    """Why the chain does not prove that every call of the method there holds the lock."""


def locked_down_the_chain(sf: SourceFile, line: int, abspath: str, c: Covered) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` (or ``RLock``) on ``line`` opens method ``m`` of T, and
    an outer frame of the same goroutine, a method of T, holds ``r.mu`` at the call its
    frame is at (see holders.holder), reaching ``m`` through one or more functions between
    them: a sync mutex is not reentrant, and a second read lock waits once a writer queues.
    Where the file proves that the call of ``m`` in the last of them runs only under the
    holder's lock, on the holder's own value, that call alone moves to ``mLocked``
    (locks.split_locked: ``m``'s body moved there, ``m`` locking and calling it; every other
    caller of ``m`` unchanged), which is what a person does for a lock already held.

    The proof, frame by frame from the stack, all in the blocked line's file: each function
    between is a declared function or method (no func literal), is named nowhere else in
    the package but at its one call (the frame's line in the frame above it, not started
    with ``go`` or deferred: no other caller, no value of it, no interface it could be
    called through), and is unexported unless the package is ``main``; the holder's value
    is handed down every call as the receiver or as exactly one argument, a plain name
    typed ``*T`` that no function on the way assigns, declares again or takes the address
    of, and ``m`` is called on it; and no function between calls Lock, Unlock, RLock,
    RUnlock or Wait (the lock may not be held at the call). Refused otherwise, or where
    the holder is in another file, or ``m`` takes the write lock under a read lock (see
    split_locked). Review however proven: the variant's body now relies on its caller's
    lock, which a later caller of the chain's functions must hold too."""
    held = holder(sf, line, abspath, c)
    if held is None or held.sf is not sf:
        return None, None  # no holder, or one in another file: holders' diagnosis says so
    blocked = next(n for n in a.of_type(sf.root, "expression_statement")
                   if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock")))
    method = a.enclosing_function(blocked)
    try:
        found = _chain(sf, held, method, c)
        if found is None:
            return None, None  # not a chain of declared functions of this file
        chain, lines = found
        final = _handed_down(sf, chain, lines)
        _only_called_there(sf, chain[1:-1], abspath)
    except _Refused as e:
        return None, str(e)  # after holders' diagnosis, which names the frames
    type_name = a.function_key(sf, held.method)[1]
    mode = a.method_call(sf, a.unparen(held.lock.named_children[0]))[1]
    cond = cond_lockers(sf, type_name).get(lock_key(sf, held.lock, held.method) or "")
    split = split_locked(sf, method, blocked, abspath, held=[(final, cond[1] if cond else mode)])
    if isinstance(split, str):
        return None, split
    name = [sf.text(fn.child_by_field_name("name")) for fn in chain]
    return Fix(f"{split.message} for its call in {name[-2]}: {name[0]} holds the lock across {' -> '.join(name)}, each "
               f"function between called only there, and the goroutine took its own lock again; review: a new caller "
               f"of {name[-2]} must hold the lock too", split.edits, applicability=REVIEW), None


def _chain(sf: SourceFile, held: Holder, method: Node, c: Covered) -> tuple[list[Node], list[int]] | None:
    """The declarations from the holder's method down to ``method``, in call order, and
    the line each calls the next from (its frame's line); None where the holder's frame
    is right above the blocked one (locks.locked_variant's split), or a frame between is
    a func literal (a callback: holders' diagnosis says so) or in another file."""
    stack, path = c.site.stack, c.site.blocked.path
    at = next(i for i, loc in enumerate(stack) if (loc.path, loc.line, loc.function)
              == (path, c.site.blocked.line, c.site.blocked.function))
    call_line = sf.line_col(held.call.child_by_field_name("arguments").start_byte)[0]
    top = next((j for j in range(at + 1, len(stack)) if stack[j].line == call_line
                and getattr(_declaration(sf, stack[j].function), "id", None) == held.method.id), None)
    if top is None or top == at + 1 or any(loc.path != path for loc in stack[at : top + 1]):
        return None
    between = [_declaration(sf, loc.function) for loc in reversed(stack[at + 1 : top])]
    if None in between:
        return None
    return [held.method, *between, method], [stack[j].line for j in range(top, at, -1)]


def _declaration(sf: SourceFile, function: str) -> Node | None:
    """The function or method declaration of ``sf`` a frame's symbol names, or None."""
    m = _FRAME.match(short_name(function).split(".", 1)[-1])
    if m is None:
        return None
    type_name, name = m.group(1) or m.group(2) or "", m.group(3)
    kind = "method_declaration" if type_name else "function_declaration"
    return next((fn for fn in a.of_type(sf.root, kind) if a.function_key(sf, fn) == (name, type_name)), None)


def _handed_down(sf: SourceFile, chain: list[Node], lines: list[int]) -> Node:
    """The call of the last method in the chain, on the holder's value: followed from the
    holder's receiver through each call (see locked_down_the_chain), or refused."""
    type_name = a.function_key(sf, chain[0])[1]
    carrier = a.receiver_name(sf, chain[0])
    for i, (caller, callee, line) in enumerate(zip(chain, chain[1:], lines)):
        call = _call_at(sf, caller, callee, line)
        _not_rebound(sf, caller, carrier)
        if i > 0 and any((a.method_call(sf, x) or (None, ""))[1] in _LOCKING for x in a.of_type(caller, "call_expression")):
            raise _Refused(f"{sf.text(caller.child_by_field_name('name'))} takes, releases or waits on a lock itself: "
                           "the lock may not be held at the call; release it by hand")
        function = call.child_by_field_name("function")
        operand = function.child_by_field_name("operand") if function.type == "selector_expression" else None
        if callee.type == "method_declaration" and operand is not None and sf.text(operand) == carrier:
            carrier, kind = a.receiver_name(sf, callee), _receiver_type(sf, callee)
        elif i == len(lines) - 1:
            raise _Refused("the method is called on another value than the holder's: release the lock by hand")
        else:
            at = [k for k, x in enumerate(a.arguments(call)) if sf.text(x) == carrier]
            params = _parameters(sf, callee)
            if len(at) != 1 or params is None or any(sf.text(x) == carrier for x in a.walk(operand or function)):
                raise _Refused(f"{sf.text(function)} is not handed the holder's value once: release the lock by hand")
            carrier, kind = params[at[0]]
        if kind != "*" + type_name or carrier in (None, "", "_"):
            raise _Refused(f"the holder's value is not passed down as a *{type_name} by name: release the lock by hand")
    return call


def _call_at(sf: SourceFile, caller: Node, callee: Node, line: int) -> Node:
    """The one call of ``callee`` by name in ``caller`` whose arguments open on ``line``,
    run on the caller's goroutine (not ``go``, not deferred)."""
    name = sf.text(callee.child_by_field_name("name"))
    calls = [x for x in a.of_type(caller, "call_expression", skip_functions=True)
             if sf.line_col(x.child_by_field_name("arguments").start_byte)[0] == line
             and sf.text(x.child_by_field_name("function")).rsplit(".", 1)[-1] == name]
    if len(calls) != 1 or calls[0].parent.type in ("go_statement", "defer_statement"):
        raise _Refused(f"the frame's line in {sf.text(caller.child_by_field_name('name'))} is not one call of {name}: "
                       "release the lock by hand")
    return calls[0]


def _not_rebound(sf: SourceFile, fn: Node, name: str) -> None:
    """Refused where ``fn`` (its func literals too) assigns ``name``, declares it again, or
    takes its address: the value handed on could be another."""
    for ident in a.of_type(a.body(fn), "identifier"):
        if sf.text(ident) != name:
            continue
        parent = ident.parent
        left = parent.parent if parent.type == "expression_list" else parent
        if (left.type in ("assignment_statement", "short_var_declaration", "range_clause", "receive_statement")
                and left.child_by_field_name("left") in (ident, parent)) or parent.type in ("var_spec", "parameter_declaration") \
                or (parent.type == "unary_expression" and sf.text(parent).startswith("&")):
            raise _Refused(f"{sf.text(fn.child_by_field_name('name'))} rebinds {name}: release the lock by hand")


def _receiver_type(sf: SourceFile, method: Node) -> str:
    decl = next(a.of_type(method.child_by_field_name("receiver"), "parameter_declaration"), None)
    return " ".join(sf.text(decl.child_by_field_name("type")).split()) if decl is not None else ""


def _parameters(sf: SourceFile, fn: Node) -> list[tuple[str, str]] | None:
    """(name, type) of each parameter in order, or None with a variadic or unnamed one."""
    out = []
    for p in a.of_type(fn.child_by_field_name("parameters"), "parameter_declaration", "variadic_parameter_declaration"):
        names = [sf.text(n) for n in p.children_by_field_name("name")]
        if p.type != "parameter_declaration" or not names:
            return None
        out += [(n, " ".join(sf.text(p.child_by_field_name("type")).split())) for n in names]
    return out


def _only_called_there(sf: SourceFile, between: list[Node], abspath: str) -> None:
    """Refused where a function between the holder and the lock may be called elsewhere:
    its name appears in the file besides its declaration and its one call, in another file
    of the package, or it is exported from a package other than main."""
    main = any(sf.text(n) == "main" for n in a.of_type(sf.root, "package_identifier"))
    for fn in between:
        name = sf.text(fn.child_by_field_name("name"))
        uses = sum(1 for n in a.of_type(sf.root, "identifier", "field_identifier") if sf.text(n) == name)
        if uses != 2:
            raise _Refused(f"{name} is called or named elsewhere too, without the lock: split it by hand")
        if name[0].isupper() and not main:
            raise _Refused(f"{name} is exported: callers outside the package need not hold the lock")
        elsewhere = used_elsewhere(abspath, [rb"\b" + name.encode() + rb"\b"])
        if elsewhere is not None:
            raise _Refused(f"{name}: {elsewhere}")
