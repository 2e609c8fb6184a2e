"""Diagnoses for goroutines blocked on a condition variable or inside a sync.Once, told from
the code and the goroutine's own stack. No fix: a Wait with no condition around it has no
state a fix could check (which state it waits for is the author's to choose), and a
Once/mutex cycle is broken by deciding which of the two is taken first."""

from __future__ import annotations

import os
import re

from tree_sitter import Node

from ... import analysis as a
from ...source import SourceFile
from ..dump import Frame, short_name
from ..match import Covered
from ._base import lock_call, named_call, parsed_package

_ONCE_SLOW = "sync.(*Once).doSlow"  # the frame a Do waiting for (or running) the first call is in
_CLOSURE = re.compile(r"\.func\d+$")


def lost_wakeup(sf: SourceFile, line: int, abspath: str, c: Covered) -> tuple[None, str | None]:
    """A diagnosis, no fix: the blocked ``x.c.Wait()`` on ``line`` is guarded by no
    condition (no ``for`` or ``if`` around it in its function), so a Signal or Broadcast
    sent before it began waiting is lost, and nothing tells the waiter what it waits for
    already came (kubernetes' 58107: a queue's Get waits with no look at the queue). Said
    with it where it holds: the function around the Wait takes no lock before it and is a
    func literal another function calls (it runs on a goroutine of its own, so Wait
    released ``c.L`` for whichever goroutine held it: kubernetes' 11298); where the Wait is
    on a field of a method's receiver, the methods of its type signalling that field with
    no lock taken before (it can come between the waiter's check and its Wait). None where the
    Wait is guarded (``for !ready { c.Wait() }``: its state's setters are the question)."""
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
