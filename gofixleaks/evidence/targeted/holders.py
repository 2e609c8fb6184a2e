"""Targeted shape for a goroutine blocked on a Lock that it holds itself, further up its own
stack: the proof is in its frames (Site.stack), not in the code alone. A method of type T
holds ``r.mu`` at the line its frame is at (locked before it in a block around it, not
released in between), and deeper in the same stack, on the same T (where the traceback prints
receivers, the same address in both frames), a method of T locks ``r.mu`` again: a sync mutex is
not reentrant, the goroutine waits for itself (etcd's PR 10492: Renew calls the
checkpointer callback under the lessor's lock, and the callback takes it)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Hashable, TypeVar

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, TextEdit, delete_line
from ...source import SourceFile
from ..dump import Frame, short_name
from ..match import Covered
from ..sites import Location
from ._base import channel, frame_file, is_yield, lock_call, lock_key, lock_operand, lock_scope, named_call, struct_fields, used_elsewhere

# `pkg.(*T).M` (a generic type's `(*T[...])`): a method on a pointer receiver, not a func literal in one
_METHOD = re.compile(r"\.\(\*(\w+)(?:\[\.\.\.\])?\)\.(\w+)$")
# builtins that call no code of the program (panic runs the deferred calls), and predeclared types
_PREDECLARED = frozenset((
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new", "print",
    "println", "real", "any", "bool", "byte", "complex64", "complex128", "error", "float32", "float64", "int", "int8",
    "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr"))
_LITERALS = ("int_literal", "float_literal", "imaginary_literal", "rune_literal", "interpreted_string_literal",
             "raw_string_literal", "true", "false", "nil")


@dataclass(frozen=True)
class Holder:
    """The outer frame of the blocked goroutine that holds the lock it waits for."""

    sf: SourceFile
    method: Node  # the method declaration of that frame
    lock: Node  # its Lock (or RLock) statement that took the lock
    call: Node  # the call at its frame's line: what it is doing while it holds the lock
    same_value: bool | None  # the two frames' receivers are one address (None: the traceback does not say)
    text: str  # the diagnosis, one line


def callback_under_lock(sf: SourceFile, line: int, abspath: str, c: Covered) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` (or ``RLock``) on ``line``, in a method of T, where an
    outer frame of the same goroutine is a method of T on the same value holding ``r.mu`` at
    the line it calls from (see holder): the goroutine waits for itself. (Where the traceback
    prints no receivers, `0x0?` for most register-passed ones, a frame on the same type is
    taken for the same value: the fix's message says only what is proven, and a re-run of
    the tests withdraws a fix that does not end the leak.) Fixed where that
    call is the holder's last act under the lock and calls a callback, a function-typed field
    of T (``r.cp(...)``), rather than a method of T (a method of T called under the lock is
    presumed to need it: locked_variant's split) or a parameter (a method that takes a
    function to run holding its lock, ``do(fn)``, exists to run it under the lock: what fn
    calls must not take it):

        r.mu.Lock()                           r.mu.Lock()
        defer r.mu.Unlock()         ->        cp := r.cp
        if r.cp != nil {                      r.mu.Unlock()
            r.cp(ctx)                         if cp != nil {
        }                                         cp(ctx)
                                              }

    The field is copied under the lock, the lock released, the copy called (upstream etcd's
    fix). Only when the holder is in the blocked line's file, its body after the Lock is
    nothing but the release (a ``defer`` of it, the ``unlock := func() {...}`` idiom deferred,
    or an explicit release after the call) and the call, alone or as the only statement of
    an ``if r.cp != nil`` without else; the call's arguments read only locals, parameters,
    literals and calls of imported packages (they run unlocked now); and the copy's name is
    free in the method. Review however proven: the check and the call no longer happen
    under one holding of the lock, another goroutine may change T's state in between, and
    the callback runs outside the lock's order with other holders. Otherwise no fix, and
    the reason says exactly which frame holds the lock and how it reaches the Lock again."""
    held = holder(sf, line, abspath, c)
    if held is None:
        return None, None
    if held.sf is not sf:
        return None, f"{held.text}; the holder is in another file: release the lock around that call by hand"
    why = _callback_fix(held)
    if isinstance(why, str):
        return None, f"{held.text}; {why}"
    return why, None


def holder(sf: SourceFile, line: int, abspath: str, c: Covered) -> Holder | None:
    """The outer frame of the blocked goroutine (innermost first) that holds the lock the
    blocked ``r.mu.Lock()`` on ``line`` waits for: a method of the same type T on a pointer
    receiver, in the scanned code, whose frame's line is a call (one that may call on: see
    _may_call_on) inside a stretch of its own that locked ``r.mu`` (before it, in a block around it, with no release between
    them, nor a loop around the call inside the stretch that takes or releases it, nor a
    func literal releasing it that runs undeferred before the call). None when no frame does, or the stack is not
    known, or receivers show another value's lock (that goroutine waits for another)."""
    stack = c.site.stack
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    method = a.enclosing_function(blocked) if blocked is not None else None
    if method is None or method.type != "method_declaration" or lock_scope(sf, blocked) is None:
        return None
    key, _, type_name = lock_scope(sf, blocked)
    at = next((i for i, loc in enumerate(stack) if (loc.path, loc.line, loc.function)
               == (c.site.blocked.path, c.site.blocked.line, c.site.blocked.function)), None)
    inner = _method_of(stack[at]) if at is not None else None
    if inner is None or inner[0] != type_name:
        return None  # not a method on *T (a func literal in one, a value receiver): no receiver to compare
    for j in range(at + 1, len(stack)):
        outer = _method_of(stack[j])
        if outer is None or outer[0] != type_name:
            continue
        same = None if stack[at].arg0 is None or stack[j].arg0 is None else stack[at].arg0 == stack[j].arg0
        if same is False:
            continue  # another T's lock: it waits for whoever holds that one
        there = frame_file(sf, abspath, c, j)
        found = _held_at(there, outer[1], type_name, key, stack[j].line) if there is not None else None
        if found is None:
            continue
        fn, lock, call = found
        mode = a.method_call(there, a.unparen(lock.named_children[0]))[1]
        wants = a.method_call(sf, a.unparen(blocked.named_children[0]))[1]
        recv = a.receiver_name(there, fn)
        taken = lock_key(there, lock, fn) or ""
        cond = cond_lockers(there, type_name).get(taken)
        if cond is not None:  # the Cond's L.Lock() is the mutex's RLock (or Lock)
            mode = cond[1]
        via = f" (as {recv}{taken}.Lock())" if cond is not None else ""
        path = (c.stack_paths()[j] if c.stack_files else stack[j].path)
        through = [short_name(loc.function) for loc in reversed(stack[at + 1 : j])  # in call order
                   if not Frame(loc.function, loc.path, loc.line).in_std]
        whose = f"the same {type_name}, {stack[j].arg0}" if same else \
            f"the one it waits for unless the calls reached another {type_name}: the traceback shows no receiver"
        text = (f"the goroutine holds {recv}{key} itself ({whose}): {mode}{via} at {os.path.basename(path)}:"
                f"{there.line_col(lock.start_byte)[0]} in (*{type_name}).{outer[1]}, which calls "
                f"{_callee(there, call)} at line {stack[j].line}"
                + (f", then {' -> '.join(through)}" if through else "")
                + f", and (*{type_name}).{inner[1]}'s {wants} on line {line} waits for that {mode}"
                + (" forever: a sync mutex is not reentrant" if "Lock" in (mode, wants) else
                   ": a second read lock waits once a writer queues"))
        return Holder(there, fn, lock, call, same, text)
    return None


def waits_for_own_close(sf: SourceFile, stmt: Node, state: str, abspath: str, c: Covered) -> str | None:
    """A diagnosis, no fix: the blocked receive ``<-r.f`` in a method of T (or a func literal
    in one) waits for a close that a frame of its own goroutine defers: a method of T, on the
    same value where the traceback prints receivers, whose top-level block has ``defer
    close(r.f)`` before the line the frame is at. That close runs only once the frame
    returns, which waits for this receive: the goroutine waits for itself (syncthing's PR
    5795: the dispatcher loop calls a callback that calls Close, and Close waits for the loop
    to stop). How to break it is the caller's contract (wait on another goroutine, or not
    from the loop's own), so none is written. None when the stack does not show it."""
    method = next((x for x in a.ancestors(stmt) if x.type == "method_declaration"), None)
    key = a.function_key(sf, method) if method is not None else None
    chan = channel(sf, stmt) if state == "chan receive" else None
    if key is None or chan is None or chan.type != "selector_expression" \
            or sf.text(chan.child_by_field_name("operand")) != a.receiver_name(sf, method):
        return None
    name, type_name = key
    field = sf.text(chan.child_by_field_name("field"))
    stack = c.site.stack
    own = next((loc.arg0 for loc in stack if _method_of(loc) == (type_name, name)), None)
    for j, loc in enumerate(stack):
        outer = _method_of(loc)
        if outer is None or outer[0] != type_name or None not in (own, loc.arg0) and own != loc.arg0:
            continue
        there = frame_file(sf, abspath, c, j)
        fn = _method(there, type_name, outer[1]) if there is not None else None
        recv = a.receiver_name(there, fn) if fn is not None else None
        closer = next((d for d in a.statements(a.body(fn)) if d.type == "defer_statement" and there.line_col(d.start_byte)[0]
                       < loc.line and " ".join(there.text(d).split()) == f"defer close({recv}.{field})"), None) if recv else None
        if closer is None:
            continue
        through = [short_name(x.function) for x in reversed(stack[:j]) if not Frame(x.function, x.path, x.line).in_std]
        return (f"the goroutine waits for itself: (*{type_name}).{outer[1]} closes {recv}.{field} as it returns (defer on "
                f"line {there.line_col(closer.start_byte)[0]}), and it is this goroutine's own frame at line {loc.line}"
                + (f", which calls {' -> '.join(through)}" if through else "")
                + f": the close can only come after this receive ends; do not wait for {outer[1]} to stop from a call it "
                  f"makes (wait on another goroutine, or skip the wait on {outer[1]}'s own)")
    return None


def _method(sf: SourceFile, type_name: str, name: str) -> Node | None:
    """The declaration of method ``name`` of ``type_name`` in ``sf``."""
    return next((m for m in a.of_type(sf.root, "method_declaration") if a.function_key(sf, m) == (name, type_name)), None)


def _method_of(loc: Location) -> tuple[str, str] | None:
    """(T, M) of a frame of method M on a pointer receiver *T."""
    m = _METHOD.search(short_name(loc.function))
    return (m.group(1), m.group(2)) if m else None


KeyOf = Callable[[SourceFile, Node, Node], "str | None"]  # a Lock/Unlock statement's key in its function


def _held_at(sf: SourceFile, name: str, type_name: str, key: str, line: int,
             key_of: KeyOf = lock_key) -> tuple[Node, Node, Node] | None:
    """(method, Lock statement, call) where method ``name`` of ``type_name`` holds lock
    ``key`` at a call on ``line`` (see holder); ``key_of`` keys its lock statements."""
    fn = _method(sf, type_name, name)
    if fn is None:
        return None
    call = next((x for x in a.of_type(fn, "call_expression", skip_functions=True)
                 if sf.line_col(x.child_by_field_name("arguments").start_byte)[0] == line and _may_call_on(sf, x) and not any(
                     y.type in ("defer_statement", "go_statement") for y in a.ancestors(x) if a.is_within(y, fn))), None)
    lock = _held_over(sf, fn, type_name, key, call, key_of) if call is not None else None
    return (fn, lock, call) if lock is not None else None


def _held_over(sf: SourceFile, fn: Node, type_name: str, key: str, point: Node, key_of: KeyOf) -> Node | None:
    """The Lock statement of ``fn`` that still holds lock ``key`` at ``point``: the last
    statement on ``key`` before it, a Lock whose block holds ``point``, with no loop around
    ``point`` inside the stretch that takes or releases it, nor a func literal releasing it
    that runs undeferred before ``point``."""
    lockers = cond_lockers(sf, type_name)
    mine = [n for n in a.of_type(fn, "expression_statement", "defer_statement", skip_functions=True)
            if _stands_for(key_of(sf, n, fn), lockers) == key]
    before = [n for n in mine if n.type == "expression_statement" and n.end_byte <= point.start_byte]
    lock = before[-1] if before else None
    if lock is None or not lock_call(sf, lock, ("Lock", "RLock")) or not a.is_within(point, lock.parent):
        return None
    if any(x.type == "for_statement" and x.start_byte > lock.start_byte and any(a.is_within(n, x) for n in mine)
           for x in a.ancestors(point) if a.is_within(x, fn)):
        return None  # a loop inside the stretch that releases it may have done so in an earlier pass
    if _released_by_closure(sf, fn, key, lock, point, key_of):
        return None
    return lock


def _stands_for(key: str | None, lockers: dict[str, tuple[str, str]]) -> str | None:
    """The lock a statement's ``key`` takes: a Cond's locker stands for its mutex."""
    return lockers[key][0] if key in lockers else key


def cond_lockers(sf: SourceFile, type_name: str) -> dict[str, tuple[str, str]]:
    """``.c.L`` -> (``.mu``, the mode its Lock takes) for each ``*sync.Cond`` field ``c`` of
    ``type_name`` that every assignment of the file makes ``sync.NewCond(x.mu.RLocker())``
    (its ``L.Lock()`` is ``mu.RLock()``: cockroach's 16167) or ``sync.NewCond(&x.mu)``."""
    out = {}
    for field, kind in (struct_fields(sf, type_name) or {}).items():
        if kind != "*sync.Cond":
            continue
        made = set()
        for n in a.of_type(sf.root, "assignment_statement", "keyed_element"):
            if n.type == "assignment_statement":
                lefts, rights = n.child_by_field_name("left").named_children, n.child_by_field_name("right").named_children
                pairs = [(sf.text(x).rsplit(".", 1)[-1], y) for x, y in zip(lefts, rights) if x.type == "selector_expression"]
            else:
                pairs = [(sf.text(n.named_children[0]), n.named_children[-1])] if len(n.named_children) == 2 else []
            made |= {_locker(sf, v) for name, v in pairs if name == field}
        if len(made) == 1 and None not in made:
            out[f".{field}.L"] = made.pop()
    return out


def _locker(sf: SourceFile, value: Node) -> tuple[str, str] | None:
    """(``.mu``, mode) of ``sync.NewCond(x.mu.RLocker())`` or ``sync.NewCond(&x.mu)``."""
    value = a.unparen(value)
    args = a.arguments(value) if a.is_call_to(sf, value, "sync", ("NewCond",)) else []
    arg = a.unparen(args[0]) if len(args) == 1 else None
    if arg is not None and arg.type == "call_expression" and not a.arguments(arg) \
            and sf.text(arg.child_by_field_name("function")).endswith(".RLocker"):
        path = sf.text(arg.child_by_field_name("function")).removesuffix(".RLocker")
        mode = "RLock"
    elif arg is not None and arg.type == "unary_expression" and sf.text(arg).startswith("&") \
            and arg.child_by_field_name("operand").type == "selector_expression":
        path, mode = sf.text(arg.child_by_field_name("operand")), "Lock"
    else:
        return None
    return ("." + path.split(".", 1)[1], mode) if "." in path else None


def _may_call_on(sf: SourceFile, call: Node) -> bool:
    """Whether a frame at ``call`` may be the caller of the frames inside it: not a builtin
    nor a conversion to a predeclared type, nor a lock's own ``Lock()``/``Unlock()``, nor a
    standard library function called without arguments (``time.Now()``). (A traceback
    whose frame sits on such a line only, a dump of another build of the code, does not
    prove the goroutine waits for itself.)"""
    callee = a.unparen(call.child_by_field_name("function"))
    if callee.type == "identifier":
        return sf.text(callee) not in _PREDECLARED
    mc = a.method_call(sf, call)
    if mc is not None and mc[1] in ("Lock", "Unlock", "RLock", "RUnlock") and not a.arguments(call):
        return False
    operand = callee.child_by_field_name("operand") if callee.type == "selector_expression" else None
    path = sf.imports.get(sf.text(operand)) if operand is not None and operand.type == "identifier" else None
    return path is None or "." in path.split("/")[0] or bool(a.arguments(call))


def _released_by_closure(sf: SourceFile, fn: Node, key: str, lock: Node, call: Node, key_of: KeyOf) -> bool:
    """Whether a func literal of ``fn`` that releases ``key`` may run between ``lock`` and
    ``call``: called there other than by a ``defer`` (directly, or through the local it is
    assigned to), or run by a goroutine."""
    releasing = [lit for lit in a.of_type(fn, "func_literal") if any(
        key_of(sf, n, fn) == key and (n.type == "defer_statement" or named_call(sf, n, "Unlock") or named_call(sf, n, "RUnlock"))
        for n in a.of_type(lit, "expression_statement", "defer_statement"))]
    names = set()
    for lit in releasing:
        holder_stmt = lit.parent.parent if lit.parent is not None else None
        if holder_stmt is not None and holder_stmt.type == "short_var_declaration" and lit.parent.type == "expression_list":
            names.add(sf.text(holder_stmt.child_by_field_name("left")))
        elif not _deferred(lit, fn):
            return True  # called in place, or started: it may release before the call
    for x in a.of_type(fn, "call_expression"):
        callee = x.child_by_field_name("function")
        if callee.type == "identifier" and sf.text(callee) in names and lock.end_byte <= x.start_byte < call.start_byte \
                and not _deferred(x, fn):
            return True
    return False


def _deferred(node: Node, fn: Node) -> bool:
    """Whether ``node`` runs only at a ``defer`` of ``fn`` (inside a deferred call or func literal)."""
    return any(x.type == "defer_statement" for x in a.ancestors(node) if a.is_within(x, fn))


def _callee(sf: SourceFile, call: Node) -> str:
    return " ".join(sf.text(call.child_by_field_name("function")).split())


def _callback_fix(held: Holder) -> Fix | str:
    """The release before the holder's callback call (see callback_under_lock), or why not."""
    sf, fn, call = held.sf, held.method, held.call
    recv = a.receiver_name(sf, fn)
    key = lock_key(sf, held.lock, fn)
    callee = call.child_by_field_name("function")
    type_name = a.function_key(sf, fn)[1]
    if callee.type == "identifier" and _func_parameter(sf, fn, sf.text(callee)):
        return f"it calls its parameter {sf.text(callee)} holding the lock: the method exists to run it under the lock, " \
               "so what it calls must not take the lock (call a variant that does not)"
    if callee.type != "selector_expression" or sf.text(callee.child_by_field_name("operand")) != recv:
        return f"it calls {_callee(sf, call)}, not a function-typed field of {type_name}: release the lock by hand"
    field = sf.text(callee.child_by_field_name("field"))
    if not _func_typed(sf, (struct_fields(sf, type_name) or {}).get(field)):
        return f"it calls {_callee(sf, call)}, a method of {type_name} or a field not of a function type: a method " \
               "called under the lock is presumed to need it; split or release it by hand"
    stmt = call.parent
    if stmt.type != "expression_statement" or a.unparen(stmt.named_children[0]) != call:
        return "the call is not a statement of its own: release the lock around it by hand"
    guard = _guard(sf, stmt, sf.text(callee))
    if guard is False:
        return "the call is guarded by more than a nil check of the callback: the check reads state the lock guards"
    last = guard or stmt
    code = [n for n in a.statements(a.body(fn)) if n.type != "comment"]
    if held.lock not in code or last not in code:
        return "the lock or the call is not in the method's top-level block: release it by hand"
    mode = a.method_call(sf, a.unparen(held.lock.named_children[0]))[1]
    release = "RUnlock" if mode == "RLock" else "Unlock"
    between, after = code[code.index(held.lock) + 1 : code.index(last)], code[code.index(last) + 1 :]
    explicit = after[0] if len(after) == 1 and lock_key(sf, after[0], fn) == key and named_call(sf, after[0], release) else None
    if after and explicit is None:
        return "the method goes on after the call: release the lock around it by hand"
    if not _only_release(sf, fn, key, release, between, explicit is not None):
        return "the method does more under the lock than release it and call: release the lock around the call by hand"
    if not all(_plain(sf, x, recv) for x in a.arguments(call)):
        return "the call's arguments read more than locals (they would run unlocked): release the lock by hand"
    if any(sf.text(n) == field for n in a.of_type(fn, "identifier")):
        return f"{field} is a name in the method already: copy the callback by hand"
    start = sf.data.find(b"\n", held.lock.end_byte) + 1
    if sf.data[held.lock.end_byte:start].strip() or any(n.type == "comment" for n in a.statements(a.body(fn))
                                                         if start <= n.start_byte < last.start_byte):
        return "a comment or code shares the stretch's lines: release the lock by hand"
    nl, indent = sf.newline, sf.indent_at(held.lock.start_byte)
    lines = [f"{field} := {recv}.{field}", f"{recv}{key}.{release}()"]
    blank = not sf.data[sf.line_start(sf.line_start(last.start_byte) - 1):sf.line_start(last.start_byte)].strip()
    edits = [TextEdit(start, sf.line_start(last.start_byte), b"".join(indent + x.encode() + nl for x in lines) + (nl if blank else b""))]
    edits += [TextEdit(n.start_byte, n.end_byte, field.encode()) for n in a.of_type(last, "selector_expression")
              if sf.text(n) == sf.text(callee)]
    if explicit is not None:
        edit = delete_line(sf, explicit)
        if edit is None:
            return "the release shares its line: release the lock by hand"
        edits.append(edit)
    why = f"the callback takes {recv}{key} itself and the goroutine waited for its own lock" if held.same_value else \
        f"the callback takes the {key.lstrip('.') or 'lock'} of a {type_name} while this goroutine held {recv}{key}"
    return Fix(f"release {recv}{key} before calling {_callee(sf, call)} ({field} copied under it): {why}; review: the "
               f"callback may now run after another goroutine changed or cleared {recv}.{field}", tuple(sorted(edits)))


def _func_typed(sf: SourceFile, kind: str | None) -> bool:
    """Whether a field's type text is a function type, or names one declared in the file."""
    if kind is None:
        return False
    if kind.startswith("func("):
        return True
    spec = next((s for s in a.of_type(sf.root, "type_spec") if sf.text(s.child_by_field_name("name")) == kind), None)
    return spec is not None and spec.child_by_field_name("type").type == "function_type"


def _func_parameter(sf: SourceFile, fn: Node, name: str) -> bool:
    for p in a.of_type(fn.child_by_field_name("parameters"), "parameter_declaration"):
        if name in [sf.text(n) for n in p.children_by_field_name("name")]:
            return _func_typed(sf, " ".join(sf.text(p.child_by_field_name("type")).split()))
    return False


def _guard(sf: SourceFile, stmt: Node, callee: str) -> Node | bool | None:
    """The ``if CALLEE != nil { stmt }`` (no init, no else, nothing else in it) around
    ``stmt``; None when ``stmt`` is not in an ``if``; False for another ``if``."""
    block = stmt.parent.parent if stmt.parent is not None and stmt.parent.type == "statement_list" else stmt.parent
    outer = block.parent if block is not None else None
    if outer is None or outer.type != "if_statement":
        return None
    cond = a.unparen(outer.child_by_field_name("condition"))
    body = [n for n in a.statements(outer.child_by_field_name("consequence")) if n.type != "comment"]
    if outer.child_by_field_name("initializer") is not None or outer.child_by_field_name("alternative") is not None \
            or body != [stmt] or cond.type != "binary_expression" or sf.text(cond.child_by_field_name("operator")) != "!=":
        return False
    sides = {" ".join(sf.text(cond.child_by_field_name(s)).split()) for s in ("left", "right")}
    return outer if sides == {callee, "nil"} else False


def _only_release(sf: SourceFile, fn: Node, key: str, release: str, between: list[Node], explicit: bool) -> bool:
    """Whether ``between`` (the statements from the Lock to the call) only release the lock
    at the end: ``defer r.mu.Unlock()``, or ``unlock := func() { r.mu.Unlock() }`` and a
    ``defer`` of ``unlock()`` (the local used nowhere else); nothing when it is released
    explicitly after the call."""
    if explicit:
        return not between
    recv = a.receiver_name(sf, fn)
    operand = f"{recv}{key}"
    if len(between) == 1:
        return _defers_call(sf, between[0], f"{operand}.{release}")
    if len(between) != 2 or between[0].type != "short_var_declaration":
        return False
    left, right = between[0].child_by_field_name("left"), between[0].child_by_field_name("right")
    lit = a.unparen(right.named_children[0]) if right.named_child_count == 1 else None
    body = [n for n in a.statements(lit.child_by_field_name("body"))] if lit is not None and lit.type == "func_literal" else []
    local = sf.text(left)
    if left.named_child_count != 1 or len(body) != 1 or " ".join(sf.text(body[0]).split()) != f"{operand}.{release}()":
        return False
    uses = [n for n in a.of_type(fn, "identifier") if sf.text(n) == local]
    return len(uses) == 2 and _defers_call(sf, between[1], local)


def _defers_call(sf: SourceFile, stmt: Node, callee: str) -> bool:
    """``defer CALLEE()`` or ``defer func() { CALLEE() }()``."""
    if stmt.type != "defer_statement":
        return False
    text = " ".join(sf.text(stmt).split())
    return text in (f"defer {callee}()", f"defer func() {{ {callee}() }}()")


def _plain(sf: SourceFile, node: Node, recv: str) -> bool:
    """Whether an argument reads nothing the lock may guard: a literal, a local or
    parameter (not the receiver), or a call of an imported package's function with such
    arguments (``context.Background()``)."""
    node = a.unparen(node)
    if node.type in _LITERALS:
        return True
    if node.type == "identifier":
        fn = a.enclosing(node, "method_declaration")
        return sf.text(node) != recv and (a.local_declaration(sf, sf.text(node), node) is not None or any(
            sf.text(n) == sf.text(node) for p in a.of_type(fn.child_by_field_name("parameters"), "parameter_declaration")
            for n in p.children_by_field_name("name")))
    if node.type == "call_expression":
        callee = node.child_by_field_name("function")
        operand = callee.child_by_field_name("operand") if callee.type == "selector_expression" else None
        return operand is not None and operand.type == "identifier" and sf.text(operand) in sf.imports \
            and all(_plain(sf, x, recv) for x in a.arguments(node))
    return False


def range_under_lock(sf: SourceFile, line: int, abspath: str, c: Covered) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` or ``RLock()`` on ``line`` held by an outer frame of its
    own goroutine (see holder) whose call lies in the body of ``for _, v := range r.f``, a
    loop over a map or slice field of T that is the whole locked stretch: the lock taken,
    the loop, the release right after it (cockroach's PR 3710: a replica scan under the
    store's read lock queues each replica, and the queue asks the store again; a second
    RLock waits once a writer queues). The elements are copied into a slice under the lock,
    the lock released, the copy looped over:

        r.mu.RLock()                          r.mu.RLock()
        for _, v := range r.f {     ->        f := make([]V, 0, len(r.f))
            r.q.Add(v)                        for _, v := range r.f {
        }                                         f = append(f, v)
        r.mu.RUnlock()                        }
                                              r.mu.RUnlock()
                                              for _, v := range f {
                                                  r.q.Add(v)
                                              }

    Only when nothing but ``runtime.Gosched()`` stands between the Lock and the loop; the
    body neither takes nor releases the lock, nor leaves the loop by `return`, `goto` or a
    label, nor calls a ``...Locked`` function (named for a caller holding a lock), nor reads
    a field of an element that is a pointer (``v.f``: its methods only); the receiver appears in the body only as ``r.g`` for fields no code of the package assigns
    (set where T is made, read unlocked now), never calling its methods; the field's
    element type is spelt in T's declaration; and the copy's name is free in the method. Review however
    proven: the loop no longer runs under one holding of the lock, so an element removed or
    added meanwhile is still or not yet visited, and the callees run without the lock."""
    held = holder(sf, line, abspath, c)
    if held is None or held.sf is not sf:
        return None, None  # callback_under_lock says why
    fn, lock, call = held.method, held.lock, held.call
    loop = a.enclosing(call, "for_statement", stop_at=a.FUNCTION_TYPES)
    clause = next((x for x in loop.named_children if x.type == "range_clause"), None) if loop is not None else None
    if clause is None:
        return None, None
    recv, key = a.receiver_name(sf, fn), lock_key(sf, lock, fn)
    ranged, left = clause.child_by_field_name("right"), clause.child_by_field_name("left")
    names = [sf.text(x) for x in left.named_children] if left is not None else []
    if ranged.type != "selector_expression" or sf.text(ranged.child_by_field_name("operand")) != recv \
            or len(names) != 2 or names[0] != "_" or names[1] == "_" or ":=" not in sf.text(clause):
        return None, "the loop is not `for _, v := range` over a field of its receiver: snapshot it by hand"
    field = sf.text(ranged.child_by_field_name("field"))
    kind = (struct_fields(sf, a.function_key(sf, fn)[1]) or {}).get(field, "")
    element = kind[kind.index("]") + 1:] if kind.startswith(("map[", "[]")) and kind.count("[") == 1 else None
    if not element:
        return None, f"{recv}.{field} is not a map or slice whose element type its struct spells: snapshot it by hand"
    code = [n for n in a.statements(lock.parent) if n.type != "comment"]
    mode = a.method_call(sf, a.unparen(lock.named_children[0]))[1]
    release = "RUnlock" if mode == "RLock" else "Unlock"
    after = code[code.index(loop) + 1] if loop in code and code.index(loop) + 1 < len(code) else None
    if loop not in code or not all(is_yield(sf, n) for n in code[code.index(lock) + 1 : code.index(loop)]) \
            or after is None or lock_key(sf, after, fn) != key or not named_call(sf, after, release):
        return None, "the loop is not the whole locked stretch (the lock, the loop, its release): snapshot it by hand"
    body = loop.child_by_field_name("body")
    if any(lock_key(sf, n, fn) == key for n in a.of_type(body, "expression_statement", "defer_statement")) or next(
            a.of_type(body, "return_statement", "goto_statement", "labeled_statement", skip_functions=True), None) \
            or any(x.named_children for x in a.of_type(body, "break_statement", "continue_statement")):
        return None, "the loop's body takes or releases the lock, or leaves by return, goto or a label: snapshot it by hand"
    if any(_callee(sf, x).lower().endswith("locked") for x in a.of_type(body, "call_expression")):
        return None, "the loop's body calls a function named for a caller that holds a lock: snapshot it by hand"
    uses = [x.parent for x in a.of_type(body, "identifier") if sf.text(x) == recv]
    if any(u.type != "selector_expression" or u.parent.type == "call_expression" for u in uses):
        return None, f"the loop's body uses {recv} itself or calls its methods (which may expect the lock held): snapshot it by hand"
    if element.startswith("*") and any(
            x.parent.type == "selector_expression" and x.parent.child_by_field_name("operand") == x
            and not (x.parent.parent.type == "call_expression" and x.parent.parent.child_by_field_name("function") == x.parent)
            for x in a.of_type(body, "identifier") if sf.text(x) == names[1]):
        # the copy holds the same pointers: their fields would be read unlocked now
        return None, f"the loop's body reads fields of {names[1]}, a pointer whose fields the lock's other holders may write: " \
                     "snapshot it by hand"
    reads = {sf.text(u.child_by_field_name("field")) for u in uses}
    assigned = [re.escape(f".{g}").encode() + rb"\s*(=(?!=)|\[[^\]]*\]\s*=(?!=)|\+\+|--|[-+*/|&^]=)" for g in sorted(reads)]
    if any(re.search(p.decode(), sf.text(sf.root)) for p in assigned) or used_elsewhere(abspath, assigned):
        return None, f"the loop's body reads fields of {recv} some code assigns (they would be read unlocked): snapshot it by hand"
    if any(sf.text(n) == field for n in a.of_type(fn, "identifier")):
        return None, f"{field} is a name in the method already: snapshot it by hand"
    start, end = sf.line_start(loop.start_byte), sf.data.find(b"\n", after.end_byte) + 1
    if sf.data[start:loop.start_byte].strip() or end == 0 or sf.data[after.end_byte:end].strip() \
            or sf.line_col(body.start_byte)[0] == sf.line_col(body.end_byte)[0]:
        return None, "the loop or its release shares a line: snapshot it by hand"
    nl, indent = sf.newline, sf.indent_at(loop.start_byte)
    value = names[1]
    inner = sf.data[sf.data.find(b"\n", body.start_byte) + 1 : sf.line_start(body.end_byte - 1)]
    text = b"".join(indent + x.encode() + nl for x in (
        f"{field} := make([]{element}, 0, len({recv}.{field}))", f"for _, {value} := range {recv}.{field} {{",
        f"\t{field} = append({field}, {value})", "}", f"{recv}{key}.{release}()", f"for _, {value} := range {field} {{"))
    text += inner + indent + b"}" + nl
    return Fix(f"copy {recv}.{field} under {recv}{key}, release it, then loop over the copy: the loop's calls take "
               f"{recv}{key} again; review: an element removed or added meanwhile is still or not yet visited",
               (TextEdit(start, end, text),)), None


# ---------------------------------------------------------------------------- lock order across goroutines


K = TypeVar("K", bound=Hashable)  # whatever the caller keys its blocked goroutines by


@dataclass(frozen=True)
class LockWait:
    """A goroutine blocked on a Lock, with the locks its own stack holds: each lock named by
    the struct type it is a field of and its path there, ``("Store", ".coalescedMu")``."""

    wants: tuple[str, str]
    holds: tuple[tuple[tuple[str, str], str], ...]  # (lock, where its frame took it)
    at: str  # where it waits: "replica.go:61 in (*Replica).reportUnreachable"


def lock_wait(sf: SourceFile, abspath: str, c: Covered) -> LockWait | None:
    """The lock the blocked ``Lock()`` of site ``c`` waits for and the ones the frames of its
    stack hold: the blocked frame before its Lock, the ones above at the lines they call
    from (a method of a type in the scanned code, inside a locked stretch: see holder).
    A lock reached through a local (``s := t.active.find(id); s.mu.Lock()``) is named by
    the type the local's value has (see _type_of). None when the Lock's type is not known
    or no frame holds one."""
    line = c.site.blocked.line
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    fn0 = (a.enclosing(blocked, "method_declaration") or a.enclosing_function(blocked)) if blocked is not None else None
    if fn0 is None:
        return None
    owner = a.function_key(sf, fn0)[1] if fn0.type == "method_declaration" else ""
    wants = _identity(sf, fn0, owner, _stands_for(_any_key(sf, blocked, fn0), cond_lockers(sf, owner)), blocked)
    if wants is None:
        return None
    holds = []
    for j, loc in enumerate(c.site.stack):
        outer = _method_of(loc)
        there = frame_file(sf, abspath, c, j) if outer is not None else None
        fn = _method(there, outer[0], outer[1]) if there is not None else None
        if fn is None:
            continue
        lockers = cond_lockers(there, outer[0])  # a Cond's L.Lock() takes the mutex it stands for
        keys = dict.fromkeys(_stands_for(_any_key(there, n, fn), lockers) for n in
                             a.of_type(fn, "expression_statement", skip_functions=True) if lock_call(there, n, ("Lock", "RLock")))
        for key in (k for k in keys if k is not None):
            if there is sf and fn == fn0 and loc.line == line:  # the blocked frame: what it holds as it waits
                lock = _held_over(sf, fn, outer[0], key, blocked, _any_key)
            else:
                found = _held_at(there, outer[1], outer[0], key, loc.line, _any_key)
                lock = found[1] if found is not None else None
            held = _identity(there, fn, outer[0], key, lock) if lock is not None else None
            if held is not None:
                shown = f"{a.receiver_name(there, fn) or ''}{key}" if key == "" or key.startswith(".") else key
                holds.append((held, f"{shown} (taken at {os.path.basename(loc.path)}:{there.line_col(lock.start_byte)[0]} in "
                                    f"(*{outer[0]}).{outer[1]})"))
    if not holds:
        return None
    where = f"{os.path.basename(c.site.blocked.path)}:{line} in {short_name(c.site.blocked.function)}"
    return LockWait(wants, tuple(holds), where)


def _any_key(sf: SourceFile, stmt: Node, fn: Node) -> str | None:
    """lock_key, and in a method also a lock reached through a local or parameter: its
    operand as written (``s.mu``), to be typed by _identity."""
    key = lock_key(sf, stmt, fn)
    return key if key is not None or fn.type != "method_declaration" else lock_operand(sf, stmt)


def _identity(sf: SourceFile, fn: Node, owner: str, key: str | None, at: Node) -> tuple[str, str] | None:
    """A lock named by the struct type it is a field of and its path there (see _lock_of):
    ``key`` from the receiver of ``owner`` (``.mu``, "" embedded), else rooted at a name of
    ``fn`` whose type _type_of finds (``s.mu`` of ``s := t.active.find(id)``)."""
    if key is None:
        return None
    if owner and (key == "" or key.startswith(".")):
        return _lock_of(sf, owner, key)
    root, _, rest = key.partition(".")
    kind = _type_of(sf, fn, owner, root, at, 3)
    return _lock_of(sf, kind, "." + rest if rest else "") if kind is not None else None


def _type_of(sf: SourceFile, fn: Node, owner: str, expr: Node | str, at: Node, depth: int) -> str | None:
    """The struct type (declared in the file, pointer and type arguments stripped) of
    ``expr`` (a node, or a name) as ``fn`` sees it at ``at``: the receiver, a parameter, a
    local's ``:=`` value, a field, a method's result, a map's or slice's element, ``&T{}``;
    None when the syntax does not say."""
    if depth < 0:
        return None
    if isinstance(expr, str) or expr.type == "identifier":
        name = expr if isinstance(expr, str) else sf.text(expr)
        if fn.type == "method_declaration" and name == a.receiver_name(sf, fn):
            return owner or None
        value = a.defined_value(sf, name, at)
        if value is not None:
            return _type_of(sf, fn, owner, value, value, depth - 1)
        param = next((p for p in a.of_type(fn.child_by_field_name("parameters"), "parameter_declaration")
                      if any(sf.text(n) == name for n in p.children_by_field_name("name"))), None)
        return _struct(sf, sf.text(param.child_by_field_name("type"))) if param is not None else None
    expr = a.unparen(expr)
    if expr.type == "unary_expression" and sf.text(expr).startswith("&"):
        return _type_of(sf, fn, owner, expr.named_children[0], at, depth)
    if expr.type == "composite_literal":
        return _struct(sf, sf.text(expr.child_by_field_name("type")))
    if expr.type == "selector_expression":
        base = _type_of(sf, fn, owner, expr.child_by_field_name("operand"), at, depth - 1)
        field = (struct_fields(sf, base) or {}).get(sf.text(expr.child_by_field_name("field"))) if base else None
        return _struct(sf, field) if field else None
    if expr.type == "index_expression":
        base = _type_of_field(sf, fn, owner, expr.child_by_field_name("operand"), at, depth - 1)
        element = re.sub(r"^(map\[[^\]]*\]|\[\d*\])", "", base) if base else None
        return _struct(sf, element) if element and element != base else None
    if expr.type == "call_expression" and expr.child_by_field_name("function").type == "selector_expression":
        callee = expr.child_by_field_name("function")
        base = _type_of(sf, fn, owner, callee.child_by_field_name("operand"), at, depth - 1)
        method = _method(sf, base, sf.text(callee.child_by_field_name("field"))) if base else None
        result = method.child_by_field_name("result") if method is not None else None
        if result is not None and result.type == "parameter_list":
            result = next((p.child_by_field_name("type") for p in a.of_type(result, "parameter_declaration")), None)
        return _struct(sf, sf.text(result)) if result is not None else None
    return None


def _type_of_field(sf: SourceFile, fn: Node, owner: str, expr: Node, at: Node, depth: int) -> str | None:
    """The declared type, as written, of a field ``x.f`` whose ``x`` _type_of finds (a map
    or a slice, for its element)."""
    expr = a.unparen(expr)
    if expr.type != "selector_expression":
        return None
    base = _type_of(sf, fn, owner, expr.child_by_field_name("operand"), at, depth)
    return (struct_fields(sf, base) or {}).get(sf.text(expr.child_by_field_name("field"))) if base else None


def _struct(sf: SourceFile, written: str | None) -> str | None:
    """``*T``, ``T``, ``T[K]`` as the struct type T when the file declares one."""
    name = (written or "").lstrip("*").split("[")[0].strip()
    return name if name.isidentifier() and struct_fields(sf, name) is not None else None


def _lock_of(sf: SourceFile, type_name: str, key: str) -> tuple[str, str]:
    """(the struct type a lock is a field of, its path there): ``.store.coalescedMu`` of a
    Replica whose ``store`` is a ``*Store`` is Store's ``.coalescedMu``."""
    parts = key.lstrip(".").split(".")
    while len(parts) > 1:
        kind = (struct_fields(sf, type_name) or {}).get(parts[0], "").lstrip("*")
        if not kind.isidentifier() or struct_fields(sf, kind) is None:
            break
        type_name, parts = kind, parts[1:]
    return type_name, "." + ".".join(parts) if parts != [""] else ""


def lock_order(waits: dict[K, LockWait]) -> dict[K, str]:
    """For each goroutine in a cycle of ``waits`` (each waits for a lock the next one's stack
    holds, back to the first), the diagnosis: a lock-order deadlock, with the locks each
    holds and waits for. Keyed as ``waits``."""
    out: dict[K, str] = {}

    def holders_of(k: K) -> list[K]:
        return [o for o, w in waits.items() if any(lock == waits[k].wants for lock, _ in w.holds)]

    def cycle(path: list[K]) -> list[K] | None:
        """``path`` extended, through the goroutines holding what its last one waits for,
        back to its first; None when no way leads back."""
        for nxt in holders_of(path[-1]):
            if nxt == path[0] and len(path) > 1:
                return path
            if nxt not in path:
                found = cycle([*path, nxt])
                if found is not None:
                    return found
        return None

    for first in waits:
        path = cycle([first])
        if path is None:
            continue
        steps = []
        for i, k in enumerate(path):
            held = next(where for lock, where in waits[k].holds if lock == waits[path[i - 1]].wants)
            steps.append(f"the goroutine at {waits[k].at} holds {held} and waits for {_name(waits[k].wants)}")
        out[first] = ("a lock-order deadlock: " + "; ".join(steps) +
                      ": each waits for a lock the next holds; take these locks in one order everywhere, or release "
                      "the first before the call that takes the second")
    return out


def _name(lock: tuple[str, str]) -> str:
    """``Store.mu``; a mutex the type embeds: ``Store's embedded lock``."""
    return f"{lock[0]}{lock[1]}" if lock[1] else f"{lock[0]}'s embedded lock"
