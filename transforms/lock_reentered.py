"""lock-reentered: a method holding its receiver's mutex calls a method of the same value that takes it again."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.edits import Fix
from gofixleaks.facts import PackageFacts
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from . import _locks

DOC = """\
## What it finds
A method that holds a mutex of its receiver (`s.mu.Lock()`, `s.mu.RLock()`, or `s.Lock()`
on a mutex the type embeds, not released on some path to the call; a deferred unlock keeps
it held) and calls a method on the same receiver, `s.m(...)`, that takes the same mutex
again: `m` itself, or a method `m` calls on its own receiver, and so on, up to 4 methods
deep, across every file of the package (the package facts say, for each method, which of
its receiver's locks it takes, what it calls on its receiver, and what the func literals it
returns call on it). The callee must take the lock at the top level of its body, before
anything else locks or unlocks it: a call that reaches it always takes it. One kind of func
value is followed too: `f(...)` where `f, g := s.m(...)` and `m` returns a func literal
there (a named result assigned a literal, or `return func(...) {...}`) that calls methods
on the receiver (containerd's shim: `Create` holds `s.mu` and calls the `handleStarted`
that `s.preStart()` returned, which handles an early exit with `s.handleProcessExit`,
which locks `s.mu`).

The finding sits on the call in the locked stretch; its message names the lock, the line
where it was taken, the chain of calls and the file and line of the second Lock.

## Why it leaks
Go's mutexes are not reentrant: a `Lock` (or `RLock`) waits until the holder unlocks,
even when the holder is the goroutine asking. The goroutine waits for itself forever, and
every other goroutine that needs the lock piles up behind it (a shim's `Create` that
handles an early exit under `s.mu`, a server's `SetLogger` that logs an error under the
logging lock). `Lock` under `Lock`, `RLock` under `Lock` and `Lock` under `RLock` hang
whenever they are reached; `RLock` under `RLock` hangs as soon as a writer queues between
the two (a waiting `Lock` blocks new readers), which the `sync` documentation forbids for
that reason: it is reported too, and the message says which it is.

## When it is not reported
- the callee locks a different value: another value's mutex of the same type (`other.mu`,
  a parameter, a child `s.child.mu`), a local, or a method called on anything but the
  receiver itself (`s.child.m()`);
- the call runs on another goroutine or later: in a function literal, under `go`, or
  deferred, unless the lock's release is a `defer` registered before it (deferred calls run
  last in, first out, so that one runs first, holding the lock);
- the lock is released on every path to the call;
- the callee takes the lock only under a condition (`if !locked { s.mu.Lock() }`, the
  `muLocked bool` parameter pattern), after an `if` that reads a lock state, or after it
  has unlocked or tried it (`TryLock`); a method on the way that touches the lock any other
  way cuts the chain; a call under an `if` that reads a lock state is not followed;
- a call on the way sits under an `if` that reads its method's parameters, or after such an
  `if` that returns: the caller's arguments may keep it from running (rclone's `rpc` asks
  `getToken` only when its params carry no token, and `getToken`'s own `rpc` calls pass
  one; `findRoot(ctx, false)` never reaches its `mkdir`);
- a method on the way is named `...Locked` or its doc comment says it runs with a lock held;
- the call is through an interface, a function value (a field, a parameter, a closure of
  the function: what it holds is not known without types; only the funcs a method of the
  receiver returns, above, are followed) or a method the type gets from an embedded field,
  or a method has several declarations (build tags): only methods declared on the
  receiver's own type in the package are followed.

## When it is not fixed
When the holder's call does not reach the second Lock directly (a chain through other
methods or a func value: which of them should change is a design decision), when the callee is declared in
another file, and wherever the split below does not fit: the lock does not open the callee
with its release deferred right after it (or as its last statement), the callee takes or
releases the lock again, a holder holds only the read lock while the callee takes the write
lock, `mLocked` is already a name of the package, a parameter has no name to pass on, or the
callee is not laid out one statement per line. The finding says which.

## The fix
The callee `m` that opens with `s.mu.Lock(); defer s.mu.Unlock()` (or the `RLock` pair) is
split: its body after the lock moves to a new method `mLocked` (documented as called with
the lock held), `m` keeps the lock and calls `mLocked`, and the calls of this file made
holding the lock call `mLocked`. Where `m` only wraps an existing method in the lock, the
holders call that method instead. Every other caller of `m` is unchanged.
Applicability: `review`. The holding call no longer hangs, but it now runs `m`'s body in the
middle of the caller's critical section, where the caller may have left the state half
updated; whether that body may run there (or the call should move after the unlock, as
upstream projects often chose) is for a person to judge.
"""

_MAX_DEPTH = 4  # methods followed from the holding call
_LOCK_OPS = ("Lock", "RLock", "Unlock", "RUnlock", "TryLock", "TryRLock")


@dataclass(frozen=True)
class _Step:
    """A call on the way to the second Lock."""

    name: str  # the method it calls
    path: str  # the file it is in
    line: int


@dataclass(frozen=True)
class _Chain:
    """The calls a holding call goes through to the method that takes the lock again."""

    steps: tuple[_Step, ...]
    kind: str  # how the last method takes the lock: Lock or RLock
    path: str  # where that Lock is
    line: int


def _chain(facts: PackageFacts, package: str, recv_type: str, starts: list[_Step], key: str) -> _Chain | None:
    """The shortest chain of calls of methods of ``recv_type`` from one of ``starts`` to a
    method that takes the receiver's lock ``key`` unconditionally, or None."""
    todo: list[tuple[_Step, ...]] = [(s,) for s in starts]
    seen: set[str] = set()
    for _ in range(_MAX_DEPTH):
        nxt = []
        for steps in todo:
            name = steps[-1].name
            decls = facts.declarations(package, name, recv_type)
            if name in seen or len(decls) != 1 or decls[0].expects_lock:
                continue
            seen.add(name)
            f = decls[0]
            take = next((t for t in f.takes if t[0] == key), None)
            if take is not None:
                return _Chain(steps, take[1], f.path, take[2])
            if key not in f.touches:
                nxt += [(*steps, _Step(n, f.path, at)) for n, at in f.self_calls]
        todo = nxt
    return None


def _relative(path: str, recv: str) -> str | None:
    """A lock's path below the receiver: "mu" for ``s.mu``, "" for ``s`` itself."""
    return "" if path == recv else path[len(recv) + 1:] if path.startswith(recv + ".") else None


@dataclass(frozen=True)
class _Hit:
    call: Node  # s.m(...) or f(...) in the locked stretch
    held: _locks.Held
    chain: _Chain
    value: str | None = None  # for f(...): "the func s.m returns at line N"


def _hits(sf: SourceFile, facts: PackageFacts, method: Node, types) -> list[_Hit]:
    recv, key = a.receiver_name(sf, method), a.function_key(sf, method)
    if not recv or key is None or b"Lock()" not in sf.data[method.start_byte:method.end_byte]:
        return []
    keys = sorted({rel for call, path, _ in _locks.lock_calls(sf, method)
                   if a.enclosing_function(call) == method and (rel := _relative(path, recv)) is not None})
    here = next((f.path for f in facts.declarations(sf.package_name, *key) if f.line == sf.line_col(method.start_byte)[0]), "")
    made = {sf.text(n) for d in a.of_type(a.body(method), "short_var_declaration") if (r := d.child_by_field_name("right")) is not None
            and r.named_child_count == 1 and (m := a.method_call(sf, a.unparen(r.named_children[0]))) is not None
            and sf.text(m[0]) == recv for n in a.left_names(d)} if keys else set()  # names of funcs a method may return
    # the facts first: the control flow is worth building only for a call that leads to a Lock
    found: list[tuple[Node, str, _Chain, str | None]] = []
    for call in a.of_type(a.body(method), "call_expression") if keys else ():
        fn = call.child_by_field_name("function")
        mc = a.method_call(sf, call)
        mine = mc is not None and mc[1] not in _LOCK_OPS and mc[0].type == "identifier" and sf.text(mc[0]) == recv
        if not (mine or fn is not None and fn.type == "identifier" and sf.text(fn) in made) or a.enclosing_function(call) != method \
                or call.parent.type == "go_statement" or call.parent.type != "defer_statement" and a.enclosing(
                    call, "defer_statement", stop_at=a.FUNCTION_TYPES) is not None:
            continue
        line = sf.line_col(call.start_byte)[0]
        if mine:
            starts, value, cut = [_Step(mc[1], here, line)], None, ()
        elif (returned := _made_by(sf, facts, call, recv, key[1])) is not None:
            starts, value, cut = [_Step(n, returned[0].path, at) for n, at in returned[1]], returned[2], returned[3]
        else:
            continue
        if a.local_declaration(sf, recv, call) is not None:
            continue  # the receiver's name stands for another value here
        found += [(call, rel, chain, value) for rel in keys if rel not in cut
                  and (chain := _chain(facts, sf.package_name, key[1], starts, rel)) is not None]
    if not found:
        return []
    g = a.graph(sf, method)
    regions = [(h, r, rel) for h, r in _locks.held_regions(sf, method, g, types)
               if (rel := _relative(h.key, recv)) is not None and a.local_declaration(sf, recv, h.at) is None]
    out: list[_Hit] = []
    for call, rel, chain, value in found:
        pid = g.point_of(call)
        held = next((h for h, region, r in regions if r == rel and pid in region and (
            call.parent.type != "defer_statement" or _runs_before_unlock(sf, method, h, call))), None)
        if held is not None and all(x.call != call for x in out):
            out.append(_Hit(call, held, chain, value))
    return out


def _made_by(sf: SourceFile, facts: PackageFacts, call: Node, recv: str, recv_type: str):
    """For ``f(...)``, ``f`` a local from ``f, g := recv.m(...)`` where method ``m`` returns a
    func literal there: (m's facts, the literal's calls on the receiver, how the message
    names it, the locks the literal touches itself), else None."""
    fn = call.child_by_field_name("function")
    decl = a.local_declaration(sf, sf.text(fn), call) if fn is not None and fn.type == "identifier" else None
    right = decl.child_by_field_name("right") if decl is not None and decl.type == "short_var_declaration" else None
    maker = a.unparen(right.named_children[0]) if right is not None and right.named_child_count == 1 else None
    mc = a.method_call(sf, maker) if maker is not None else None
    if mc is None or mc[0].type != "identifier" or sf.text(mc[0]) != recv:
        return None
    names = [sf.text(n) for n in a.left_names(decl)]
    decls = facts.declarations(sf.package_name, mc[1], recv_type)
    position = names.index(sf.text(fn))
    found = next((r for r in decls[0].returned if r[0] == position), None) if len(decls) == 1 else None
    if found is None:
        return None
    return decls[0], found[1], f"{sf.text(fn)} (the func {recv}.{mc[1]} returns at line {sf.line_col(maker.start_byte)[0]})", found[2]


def _runs_before_unlock(sf: SourceFile, method: Node, held: _locks.Held, call: Node) -> bool:
    """Whether ``defer s.m()`` runs holding the lock: the lock's release is a ``defer`` the
    method registered before it (deferred calls run last in, first out)."""
    release = f"{a.flat(sf, held.at.child_by_field_name('function').child_by_field_name('operand'))}.{_locks.ACQUIRE[held.kind]}()"
    return any(d.start_byte < call.start_byte and a.enclosing_function(d) == method and d.named_children
               and a.flat(sf, d.named_children[0]) == release for d in a.of_type(a.body(method), "defer_statement"))


def run(p: Pass) -> None:
    sf, facts = p.file, p.package
    if facts is None:
        return
    types = None
    hits: list[_Hit] = []
    for method in sf.root.named_children:
        if method.type == "method_declaration" and a.body(method) is not None:
            types = _locks.declared_types(sf) if types is None else types
            hits += _hits(sf, facts, method, types)
    fixes: dict[str, tuple[Fix | None, str | None]] = {}
    for hit in hits:
        if hit.value is not None or len(hit.chain.steps) > 1:
            why = "the second Lock is reached through a func value" if hit.value else \
                f"the second Lock is {len(hit.chain.steps)} calls down"
            fix, why = None, why + ": release the lock before the call, or split a method on the way, by hand"
        else:
            name = hit.chain.steps[0].name
            if name not in fixes:
                fixes[name] = _fix(sf, hit, [h for h in hits if h.value is None and [s.name for s in h.chain.steps] == [name]])
            fix, why = fixes[name]
        p.report(hit.call, _message(sf, hit), [fix] if fix is not None else [], [why] if why else [])


def _message(sf: SourceFile, hit: _Hit) -> str:
    line = lambda n: sf.line_col(n.start_byte)[0]  # noqa: E731
    steps = hit.chain.steps
    first, rest = (hit.value, steps) if hit.value else (f"{sf.text(a.method_call(sf, hit.call)[0])}.{steps[0].name}", steps[1:])
    holder = sf.text(a.enclosing_function(hit.call).child_by_field_name("name"))
    via = "".join(f", which calls {s.name} ({os.path.basename(s.path)}:{s.line})" for s in rest)
    head = (f"{holder} holds {hit.held.key} ({hit.held.key}.{hit.held.kind}() at line {line(hit.held.at)}) and calls "
            f"{first}{via}, which takes it again ({hit.chain.kind}() at {os.path.basename(hit.chain.path)}:{hit.chain.line})")
    if hit.held.kind == "RLock" and hit.chain.kind == "RLock":
        return head + ": a second read lock by the same goroutine waits forever once a writer queues between the two"
    return head + ": Go mutexes are not reentrant, so the goroutine waits for itself forever"


def _fix(sf: SourceFile, hit: _Hit, same: list[_Hit]) -> tuple[Fix | None, str | None]:
    """The callee of a direct holding call split into a Locked variant for the holding calls
    of this file, ``same`` (see DOC), or why not."""
    name, here, there = hit.chain.steps[0].name, hit.chain.steps[0].path, hit.chain.path
    if here != there:
        return None, f"{name} is declared in {os.path.basename(there)}: split it into a Locked variant by hand"
    recv_type = a.function_key(sf, a.enclosing_function(hit.call))[1]
    method = next((m for m in sf.root.named_children if m.type == "method_declaration" and a.body(m) is not None
                   and a.function_key(sf, m) == (name, recv_type)), None)
    lock = next((n for n in a.statements(a.body(method)) if sf.line_col(n.start_byte)[0] == hit.chain.line), None) if method else None
    if lock is None:
        return None, None
    from gofixleaks.evidence.targeted.locks import split_locked  # the dump machinery loads only when a fix is wanted
    split = split_locked(sf, method, lock, here, [(h.call, h.held.kind) for h in same])
    if isinstance(split, str):
        return None, split
    return Fix(f"{split.message}, for the calls already holding the lock", split.edits), None


RULE = Rule(
    name="lock-reentered",
    summary="a method holding its receiver's mutex calls a method of the same value that locks it again -> split it into a Locked variant",
    doc=DOC,
    run=run,
    triggers=(b"Lock()",),
    needs_package=True,
)
