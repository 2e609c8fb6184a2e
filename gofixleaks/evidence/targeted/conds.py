"""Goroutines blocked on a condition variable or inside a sync.Once. One fix: a Wait in the
classic loop (``for COND { c.Wait() }`` holding c.L) whose signaller sets COND's state and
signals without that lock gets the lock around that stretch (signal_under_lock). Otherwise
diagnoses told from the code and the goroutine's own stack: a Wait with no condition around
it has no state a fix could check (which state it waits for is the author's to choose), and
a Once/mutex cycle is broken by deciding which of the two is taken first."""

from __future__ import annotations

import os
import re

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, insert_after_statement, insert_before_statement
from ...source import SourceFile
from ..dump import Frame, short_name
from ..match import Covered
from ._base import lock_call, lock_operand, named_call, parsed_package, used_elsewhere
from .holders import cond_lockers
from .waits import cond_loop

_ONCE_SLOW = "sync.(*Once).doSlow"  # the frame a Do waiting for (or running) the first call is in
_CLOSURE = re.compile(r"\.func\d+$")
_BUILTINS = ("len", "cap", "append")  # calls a condition or a state change may make: they run no code of the program


def signal_under_lock(sf: SourceFile, line: int, abspath: str) -> tuple[Fix | None, str | None]:
    """The blocked ``r.c.Wait()`` on ``line`` is the whole body of ``for COND`` in a method
    of T that took ``r.mu.Lock()`` (the mutex ``sync.NewCond(&r.mu)`` made ``c`` with, or
    ``r.c.L``) in the block before the loop: the classic form, the waiter checks COND under
    the lock. A method of T signals ``s.c`` (Signal or Broadcast) with no lock taken, right
    after setting fields of its receiver, one of them read by COND (directly or through a
    method of T that COND calls and that locks nothing): between the waiter's check and its
    Wait the state changes and the signal goes to nobody; the waiter then waits for a
    signal that came (a lost wake-up). Fixed by the lock around the state change and the
    signal, as Go's sync.Cond requires of the state:

        s.v = v                               s.mu.Lock()
        s.full = true             ->          s.v = v
        s.c.Signal()                          s.full = true
                                              s.c.Signal()
                                              s.mu.Unlock()

    Only where the lock is an unexported field that only T's methods lock (no caller could
    already hold it: no function of the package that takes it calls the signaller), the
    state statements' values call nothing but builtins, nothing outside T's methods
    signals ``c`` and no other file of the package names ``c``. Review however proven:
    the signaller now waits for the lock, so a holder of it waiting for the signaller
    would deadlock where no re-run may look."""
    found = cond_loop(sf, line)
    if found is None:
        return None, None
    loop, cond = found
    method = a.enclosing_function(loop)
    recv = a.receiver_name(sf, method) if method is not None and method.type == "method_declaration" else None
    wait = a.statements(loop.child_by_field_name("body"))[-1]
    waits_on = sf.text(a.method_call(sf, a.unparen(wait.named_children[0]))[0])
    if cond is None or recv is None or not waits_on.startswith(f"{recv}.") or waits_on.count(".") != 1:
        return None, None
    type_name, field = a.function_key(sf, method)[1], waits_on.split(".")[1]
    made = cond_lockers(sf, type_name).get(f".{field}.L")
    if made is not None and made[1] != "Lock":
        return None, f"{waits_on} waits on a read lock (RLocker): a signaller's read lock would not exclude the check"
    if made is None and b"RLocker()" in sf.data:
        return None, f"{waits_on}'s lock may be a read lock (the file makes an RLocker): lock it by hand"
    key = made[0] if made is not None else f".{field}.L"
    if not re.fullmatch(r"\.[a-z_]\w*(\.L)?", key):
        return None, f"{waits_on}'s lock is not an unexported field of {type_name}: a caller may hold it"
    if not any(lock_call(sf, n, ("Lock",)) and lock_operand(sf, n) in (f"{recv}{key}", f"{waits_on}.L")
               for n in a.statements(loop.parent.parent) if n.start_byte < loop.start_byte):
        return None, f"the loop does not follow a Lock of {recv}{key} in its block: the waiter's check is not shown to hold it"
    checked = _fields_read(sf, cond, recv, type_name)
    if checked is None:
        return None, "the loop's condition calls more than builtins and lock-free methods of its type"
    if used_elsewhere(abspath, [rb"\." + name.encode() + rb"\b" for name in {field, key.split(".")[1]}]) is not None:
        return None, f"another file of the package names {field} or its lock: signallers and holders there are out of view"
    signals, outside = [], []
    for n in (n for n in a.of_type(sf.root, "expression_statement") if _signals(sf, n, field)):
        m = a.enclosing(n, "method_declaration")
        own = m is not None and sf.text(a.method_call(sf, a.unparen(n.named_children[0]))[0]) \
            == f"{a.receiver_name(sf, m)}.{field}"
        if own and a.function_key(sf, m)[1] != type_name:
            continue  # another type's own field of that name
        (signals if own and a.enclosing_function(n) == m else outside).append(n)
    if outside:
        return None, f"{field} is signalled outside the plain body of a method of {type_name}, on line " \
                     f"{sf.line_col(outside[0].start_byte)[0]}: its lock there is out of view"
    edits, names = [], []
    for stmt in signals:
        m = a.enclosing_function(stmt)
        s = a.receiver_name(sf, m)
        if any(lock_call(sf, n, ("Lock", "RLock")) for n in a.of_type(m, "expression_statement") if n.start_byte < stmt.start_byte):
            continue  # it takes a lock first: not the lost wake-up
        name = a.function_key(sf, m)[0]
        state = _state_before(sf, stmt, s)
        if not state or not any(f in checked for n in state for f in _fields_set(sf, n, s)):
            return None, f"(*{type_name}).{name} signals without the lock and does not set what the loop checks right " \
                         f"before: which state it stands for is the author's choice"
        holder = next((fn for fn in a.of_type(sf.root, "function_declaration", "method_declaration", "func_literal")
                       if any(lock_call(sf, n, ("Lock", "RLock")) and (lock_operand(sf, n) or "").endswith(key)
                              for n in a.of_type(fn, "expression_statement", skip_functions=True))
                       and re.search(rb"\." + name.encode() + rb"\(", sf.data[fn.start_byte:fn.end_byte])), None)
        if holder is not None:
            return None, f"a function taking the lock calls (*{type_name}).{name} on line " \
                         f"{sf.line_col(holder.start_byte)[0]}: a lock there would wait for itself"
        before = insert_before_statement(sf, state[0], [f"{s}{key}.Lock()"])
        after = insert_after_statement(sf, stmt, f"{s}{key}.Unlock()")
        if before is None or after is None:
            return None, "the state change or the signal shares its line: lock it by hand"
        edits += [before, after]
        names.append(f"(*{type_name}).{name}")
    if not edits:
        return None, None
    return Fix(f"set the state and signal under {recv}{key} in {', '.join(names)}: the waiter checks it under that lock, "
               f"so a signal between its check and its Wait is no longer lost", tuple(edits)), None


def _signals(sf: SourceFile, stmt: Node, field: str) -> bool:
    call = a.unparen(stmt.named_children[0]) if stmt.named_children else None
    mc = a.method_call(sf, call) if call is not None else None
    return mc is not None and mc[1] in ("Signal", "Broadcast") and not a.arguments(call) \
        and sf.text(mc[0]).rsplit(".", 1)[-1] == field


def _fields_read(sf: SourceFile, cond: Node, recv: str, type_name: str) -> set[str] | None:
    """The fields of the receiver ``cond`` reads, through methods of the type it calls that
    lock nothing, start no goroutine and call nothing but builtins, each other and the
    standard library (with no func literal to call back); None when it calls more."""
    fields, seen = set(), set()
    todo = [(cond, recv)]
    while todo:
        node, r = todo.pop()
        for call in a.of_type(node, "call_expression", skip_functions=True):
            callee = a.unparen(call.child_by_field_name("function"))
            if callee.type == "identifier" and sf.text(callee) in _BUILTINS or _standard(sf, call):
                continue
            mc = a.method_call(sf, call)
            if mc is None or sf.text(mc[0]) != r:
                return None
            m = next((d for d in a.of_type(sf.root, "method_declaration") if a.function_key(sf, d) == (mc[1], type_name)), None)
            if m is None or next(a.of_type(m, "go_statement", "func_literal"), None) is not None \
                    or any(lock_call(sf, n, ("Lock", "RLock")) for n in a.of_type(m, "expression_statement")):
                return None
            if mc[1] not in seen:
                seen.add(mc[1])
                todo.append((a.body(m), a.receiver_name(sf, m) or ""))
        fields |= {sf.text(n.child_by_field_name("field")) for n in a.of_type(node, "selector_expression")
                   if sf.text(n.child_by_field_name("operand")) == r}
    return fields


def _standard(sf: SourceFile, call: Node) -> bool:
    """``pkg.F(...)`` of a standard library package (``time.Sleep(d)``), handed no func literal."""
    callee = a.unparen(call.child_by_field_name("function"))
    operand = callee.child_by_field_name("operand") if callee.type == "selector_expression" else None
    path = sf.imports.get(sf.text(operand)) if operand is not None and operand.type == "identifier" else None
    return path is not None and "." not in path.split("/")[0] and next(a.of_type(call, "func_literal"), None) is None


def _state_before(sf: SourceFile, stmt: Node, s: str) -> list[Node]:
    """The statements right before ``stmt`` in its block that set fields of ``s`` and call
    nothing but builtins, first first."""
    out = []
    prev = stmt.prev_named_sibling
    while prev is not None and prev.type in ("assignment_statement", "inc_statement", "dec_statement") \
            and _fields_set(sf, prev, s) and all(
                sf.text(a.unparen(c.child_by_field_name("function"))) in _BUILTINS for c in a.of_type(prev, "call_expression")):
        out.insert(0, prev)
        prev = prev.prev_named_sibling
    return out


def _fields_set(sf: SourceFile, stmt: Node, s: str) -> list[str]:
    """The fields of ``s`` an assignment or ``s.f++`` sets; empty when it sets anything else."""
    lefts = stmt.child_by_field_name("left").named_children if stmt.type == "assignment_statement" else stmt.named_children[:1]
    names = [sf.text(n.child_by_field_name("field")) for n in lefts
             if n.type == "selector_expression" and sf.text(n.child_by_field_name("operand")) == s]
    return names if len(names) == len(lefts) else []


def lost_wakeup(sf: SourceFile, line: int, abspath: str, c: Covered) -> tuple[None, str | None]:
    """A diagnosis, no fix: the blocked ``x.c.Wait()`` on ``line`` is guarded by no
    condition (no ``for``, ``if``, ``switch`` or ``select`` around it in its function), so
    a Signal or Broadcast sent before it began waiting is lost, and nothing tells the
    waiter that what it waits for already came (kubernetes' 58107: a queue's Get waits
    with no look at the queue). Said with it where it holds: the function around the Wait
    takes no lock before it and is a func literal another function calls (it runs on a
    goroutine of its own, so Wait released ``c.L`` for whichever goroutine held it:
    kubernetes' 11298); where the Wait is on a field of a method's receiver, the methods of
    its type signalling that field with no lock taken before (it can come between the
    waiter's check and its Wait). None where the Wait is guarded (``for !ready {
    c.Wait() }``: its state's setters are the question)."""
    wait = next((n for n in a.of_type(sf.root, "expression_statement")
                 if sf.line_col(n.start_byte)[0] == line and named_call(sf, n, "Wait")), None)
    fn = a.enclosing_function(wait) if wait is not None else None
    if fn is None or a.enclosing(wait, "for_statement", "if_statement", "select_statement", "expression_switch_statement",
                                 "type_switch_statement", stop_at=("func_literal", "function_declaration",
                                                                    "method_declaration")) is not None:
        return None, None
    cond = sf.text(a.method_call(sf, a.unparen(wait.named_children[0]))[0])
    facts = [f"{cond}.Wait() on line {line} is guarded by no condition (`for !ready {{ {cond}.Wait() }}`): a Signal or "
             f"Broadcast sent before it began waiting is lost, and nothing it checks says that what it waits for came"]
    elsewhere = _runs_elsewhere(sf, fn, wait, c)
    if elsewhere is not None:
        facts.append(f"the func literal around it takes no lock and is called by {elsewhere}, not by the function "
                     f"that wrote it: its Wait released {cond}.L for whichever goroutine held it")
    method = a.enclosing(wait, "method_declaration")
    recv = a.receiver_name(sf, method) if method is not None else None
    field = cond.removeprefix(f"{recv}.") if recv and cond.startswith(f"{recv}.") and cond.count(".") == 1 else None
    unlocked = _unlocked_signals(a.function_key(sf, method)[1], field, abspath, sf) if field else []
    if unlocked:
        facts.append(f"{', '.join(unlocked)} {'signals' if len(unlocked) == 1 else 'signal'} without taking a lock first")
    return None, "; ".join(facts) + f": wait in a loop on state the signaller sets under {cond}.L (which state is " \
                                    "the author's choice)"


def _runs_elsewhere(sf: SourceFile, fn: Node, wait: Node, c: Covered) -> str | None:
    """The caller's name when ``fn``, a func literal that takes no lock before ``wait``, is
    called by another function than the one it is written in (the stack's next frame)."""
    if fn.type != "func_literal" or any(lock_call(sf, n, ("Lock", "RLock")) for n in
                                        a.of_type(fn, "expression_statement", skip_functions=True)
                                        if n.start_byte < wait.start_byte):
        return None
    stack = c.site.stack
    at = next((i for i, loc in enumerate(stack) if (loc.path, loc.line, loc.function)
               == (c.site.blocked.path, c.site.blocked.line, c.site.blocked.function)), None)
    if at is None or at + 1 >= len(stack) or not _CLOSURE.search(stack[at].function):
        return None
    caller = stack[at + 1].function
    return None if caller == _CLOSURE.sub("", stack[at].function) else short_name(caller)


def _unlocked_signals(type_name: str, field: str, abspath: str, sf: SourceFile) -> list[str]:
    """The methods of ``type_name`` in the package calling ``s.field.Signal()`` or
    ``Broadcast()`` on their receiver ``s`` with no Lock before it in the function around
    the call."""
    files = parsed_package(os.path.dirname(abspath)) or (("", sf),)
    out = []
    for _, there in files:
        for method in a.of_type(there.root, "method_declaration"):
            s = a.receiver_name(there, method)
            if s is None or a.function_key(there, method)[1] != type_name:
                continue
            for stmt in a.of_type(method, "expression_statement"):
                call = a.unparen(stmt.named_children[0]) if stmt.named_children else None
                mc = a.method_call(there, call) if call is not None else None
                if mc is None or mc[1] not in ("Signal", "Broadcast") or a.arguments(call) \
                        or there.text(mc[0]) != f"{s}.{field}":
                    continue
                fn = a.enclosing_function(stmt)
                if not any(lock_call(there, n, ("Lock", "RLock")) for n in
                           a.of_type(fn, "expression_statement", skip_functions=True) if n.start_byte < stmt.start_byte):
                    name = f"(*{type_name}).{a.function_key(there, method)[0]}"
                    out += [name] if name not in out else []
    return out


def once_held(sf: SourceFile, line: int, abspath: str, c: Covered) -> tuple[None, str | None]:
    """A diagnosis, no fix, for a Lock waited on by a goroutine whose stack runs through a
    sync.Once (hugo's 5379): a ``x.Do(f)`` on ``line`` that waits in the Once for another
    goroutine's first call to return (every caller waits until f returns, and that f is
    blocked itself); or a Lock of ``m`` taken inside a Once's function, an outer frame's
    ``x.Do(...)`` on the stack: every other caller of ``x.Do`` waits until this Lock is
    granted, so a goroutine holding ``m`` that calls ``x.Do`` never releases it. None
    where the stack runs through no Once."""
    stack = c.site.stack
    at = next((i for i, loc in enumerate(stack) if (loc.path, loc.line, loc.function)
               == (c.site.blocked.path, c.site.blocked.line, c.site.blocked.function)), None)
    if at is None:
        return None, None
    if any(loc.function == _ONCE_SLOW for loc in stack[:at]):  # the Do itself waits
        once = _do_at(sf, line)
        if once is None:
            return None, None
        return None, (f"{once}.Do on line {line} waits for another goroutine's first {once}.Do to return (a Once "
                      f"holds every caller until its function returns), and that function is blocked itself: see "
                      f"its site")
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    slow = next((j for j in range(at + 1, len(stack)) if stack[j].function == _ONCE_SLOW), None)
    outer = next((j for j in range(slow + 1, len(stack)) if not Frame(stack[j].function, stack[j].path,
                                                                        stack[j].line).in_std), None) if slow else None
    if blocked is None or outer is None or stack[outer].path != c.site.blocked.path:
        return None, None
    once = _do_at(sf, stack[outer].line)
    if once is None:
        return None, None
    lock = sf.text(a.method_call(sf, a.unparen(blocked.named_children[0]))[0])
    return None, (f"the goroutine is inside {once}.Do's function ({short_name(stack[outer].function)}, line "
                  f"{stack[outer].line}) as it waits for {lock}: every other caller of {once}.Do waits until this "
                  f"Lock is granted, so a goroutine that holds {lock} and calls {once}.Do never releases it (a "
                  f"Once/mutex cycle): take {lock} before {once}.Do on every path, or take no lock in the Once's function")


def _do_at(sf: SourceFile, line: int) -> str | None:
    """``x`` of the ``x.Do(...)`` call (one argument) starting on ``line``."""
    for call in a.of_type(sf.root, "call_expression"):
        mc = a.method_call(sf, call)
        if mc is not None and mc[1] == "Do" and len(a.arguments(call)) == 1 and sf.line_col(call.start_byte)[0] == line:
            return sf.text(mc[0])
    return None
