"""wait-under-lock: a function waits for goroutines while holding a mutex one of them takes before it is done."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from . import _locks

DOC = """\
## What it finds
A function that waits for a group of goroutines (`wg.Wait()` of a `sync.WaitGroup`,
errgroup's `g.Wait()`, a worker pool's `StopAndWait()`) while it holds a mutex `M`: locked
earlier in the function and not unlocked on the way to the Wait, or with its unlock
deferred. And a goroutine counted by that same group takes `M` on the same value before it
is done:

- the group: the same expression, rooted at the same receiver (a field of the type, in any
  method of the file: `s.wg`), at a local of the function, or reached through a range value
  or a local alias (`for _, p := range c.parts { p.wg.Wait() }` is `c.parts[].wg`);
- its goroutines: a func literal or method value handed to `g.Go(...)` / `pool.Submit(...)`,
  a `go func(){...}()` whose body calls `wg.Done()`, a `go s.worker()` / `go work()` of this
  file started after `wg.Add(n)`, or a method of the type whose own body calls `s.wg.Done()`;
- the lock: `M.Lock()` (or `M.RLock()`) in the goroutine, or in a method of the same value
  (or a function of the file, for a package-level mutex) it calls, one call deep, that takes
  the lock before it releases it; `M` is the same value when it hangs off the same receiver
  (the goroutine's receiver is the value whose group counts it), is the same local, or is a
  package-level mutex.

The finding sits on the Wait; its message names the lock, the line where it was taken, the
goroutine and the line where it takes the lock.

## Why it leaks
Wait returns only when every goroutine of the group is done, and a goroutine that still has
to take `M` cannot be done while the waiting function holds `M`: each waits for the other,
forever. A classic shutdown hang: `Stop()` locks `mu` and waits for the workers, a worker
takes `mu` on its way out (or was just about to when `Stop` came). Every later `Lock` of
`M` piles up behind them.

## When it is not reported
- the lock is released on the way to the Wait (only a deferred unlock keeps it held);
- the goroutine takes the lock only after its `Done` (`wg.Done(); mu.Lock()`, or after the
  `Done` in its deferred func): the group no longer waits for it then;
- the goroutine locks a different value: another instance's mutex of the same type (`go
  child.run()` locking `child.mu`), a local, a parameter;
- the goroutine is counted by another group;
- the Wait is a `sync.Cond`'s (a Cond waits with its lock held by design, and releases it
  while it waits) or anything that is not a group: nothing in the file counts goroutines on
  it (`cmd.Wait()`, `proc.Wait()`);
- both hold it as readers: the waiting function holds `M.RLock()` and the goroutine takes
  `M.RLock()`. A read lock does not block another read lock; it does once a writer queues
  for `M` (Go's `RWMutex` then makes new readers wait), so this is a deadlock only with a
  third party, and is left alone;
- the function the goroutine calls takes the lock only after releasing it (it is called
  with the lock held and hands it back), or is called after the goroutine is done.
Calls are followed one level, in this file only, and interface calls not at all.

## When it is not fixed
Never: the rule only reports.

## The fix
There is no automatic fix. Where the release goes is a design decision: unlocking before
the Wait lets other callers in while the goroutines shut down (a `Start` racing a `Stop`,
a second `Stop`), which the lock may be there to prevent; taking the lock later in the
goroutine, or not at all on its way out, changes what it protects. The finding names the
goroutine and the line where it takes the lock, so the owner can choose: release the lock
for the Wait and take it again after it, copy what the goroutine needs before `Wait`, or
guard the shutdown with a flag and its own lock.
"""

_WAITS = ("Wait", "StopAndWait")
_RUNS = ("Go", "Submit", "TrySubmit", "SubmitErr")  # methods that run a func on a goroutine the group counts
_COND = re.compile(r"\bCond\b|sync\.Cond")


# ---------------------------------------------------------------------------- paths


def _root(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _reroot(path: str, old: str, new: str) -> str | None:
    root = _root(path)
    return new + path[len(root):] if root == old else None


# ---------------------------------------------------------------------------- goroutines


@dataclass(frozen=True)
class _Goroutine:
    body: Node  # func literal or declaration
    start: Node  # what shows it: the go statement, the Go/Submit call, or its Done
    dones: tuple[Node, ...] | None  # the group's Done calls in it; None: handed to Go/Submit (done when it returns)
    to_wait: Callable[[str], str | None]  # a lock's path in the body -> the same value in the waiting function
    adds: tuple[Node, ...] = ()  # a method that counts itself (`s.wg.Add(1)` ... `s.wg.Done()`): counted from there


def _decls(sf: SourceFile) -> tuple[dict[str, list[Node]], dict[str, list[Node]]]:
    """Methods by receiver type, functions by name."""
    def build():
        by_type: dict[str, list[Node]] = {}
        funcs: dict[str, list[Node]] = {}
        for d in sf.root.named_children:
            if d.type == "method_declaration" and a.body(d) is not None:
                by_type.setdefault(_recv_type(sf, d), []).append(d)
            elif d.type == "function_declaration" and a.body(d) is not None:
                funcs.setdefault(sf.text(d.child_by_field_name("name")), []).append(d)
        return by_type, funcs
    return sf.cached("wait-under-lock-decls", build)


def _recv_type(sf: SourceFile, method: Node) -> str:
    recv = method.child_by_field_name("receiver")
    ids = list(a.of_type(recv, "type_identifier")) if recv is not None else []
    return sf.text(ids[0]) if ids else ""


def _top(node: Node) -> Node | None:
    """The top-level declaration holding ``node``."""
    top = None
    for x in (node, *a.ancestors(node)):
        if x.type in ("function_declaration", "method_declaration"):
            top = x
    return top


def _is_local(sf: SourceFile, name: str, at: Node) -> bool:
    if a.local_declaration(sf, name, at) is not None or _locks.alias(sf, name, at) is not None:
        return True
    return any(a.params_declare(sf, f, name) for f in a.ancestors(at) if f.type in a.FUNCTION_TYPES)


def _shadowed(sf: SourceFile, name: str, at: Node) -> bool:
    """Whether the receiver's ``name`` is redeclared at ``at`` (a local, a literal's parameter)."""
    if a.local_declaration(sf, name, at) is not None or _locks.alias(sf, name, at) is not None:
        return True
    for f in a.ancestors(at):
        if f.type == "func_literal" and a.params_declare(sf, f, name):
            return True
        if f.type == "method_declaration":
            return _declares_param(sf, f, name)
    return False


def _declares_param(sf: SourceFile, fn: Node, name: str) -> bool:
    for field in ("parameters", "result"):
        plist = fn.child_by_field_name(field)
        if plist is not None and any(sf.text(i) == name for i in a.of_type(plist, "identifier")):
            return True
    return False


def _global(sf: SourceFile, name: str, at: Node) -> bool:
    return name in a.package_level_names(sf) and not _is_local(sf, name, at)


def _goroutines(sf: SourceFile, wait_fn: Node, group: str) -> list[_Goroutine]:
    """The goroutines of this file counted by ``group`` (a path in ``wait_fn``'s names)."""
    root, top = _root(group), _top(wait_fn)
    if top is None:
        return []
    methods, funcs = _decls(sf)
    recv = a.receiver_name(sf, top) if top.type == "method_declaration" else None
    if recv == root and not _shadowed(sf, root, wait_fn):
        rtype = _recv_type(sf, top)
        scopes = [(m, a.receiver_name(sf, m)) for m in methods.get(rtype, ())]
        scopes = [(m, r) for m, r in scopes if r]
    elif _global(sf, root, wait_fn):
        rtype = None
        scopes = [(d, root) for d in sf.root.named_children if d.type in ("function_declaration", "method_declaration")]
    else:
        rtype = None
        scopes = [(top, root)]
    last = re.split(r"[.\]]", group)[-1]
    out: dict[int, _Goroutine] = {}

    def add(g: _Goroutine) -> None:
        if g.body.id not in out:
            out[g.body.id] = g

    for scope, r in scopes:
        gpath = _reroot(group, root, r)
        to_wait = (lambda p, r=r: _reroot(p, r, root) or _same_global(sf, p, wait_fn))
        for call in a.of_type(scope, "call_expression"):
            m = a.method_call(sf, call)
            if m is None or m[1] not in ("Done", "Add", *_RUNS):
                continue
            if _locks.path(sf, m[0]) != gpath:
                continue
            if m[1] in _RUNS:
                for arg in a.arguments(call):
                    arg = a.unparen(arg)
                    if arg.type == "func_literal":
                        add(_Goroutine(arg, call, None, to_wait))
                    elif arg.type == "selector_expression" and rtype is not None:
                        for g in _callees(sf, arg, r, rtype, methods, funcs, to_wait, call, None):
                            add(g)
            elif m[1] == "Done":
                lit = a.enclosing_goroutine(call, within=scope)
                if lit is not None:
                    add(_Goroutine(lit, call, _dones(sf, lit, last), to_wait))
                elif rtype is not None and scope.type == "method_declaration" and _owner(call) == scope:
                    adds = tuple(x for x in a.of_type(a.body(scope), "call_expression") if a.enclosing_function(x) == scope
                                 and (mx := a.method_call(sf, x)) is not None and mx[1] == "Add" and _locks.path(sf, mx[0]) == gpath)
                    add(_Goroutine(scope, call, _dones(sf, scope, last), to_wait, adds))
            elif m[1] == "Add":
                for later in a.following(a.statement_of(call)):
                    for go in a.of_type(later, "go_statement"):
                        if a.enclosing_function(go) != a.enclosing_function(call):
                            continue
                        c = next((x for x in go.named_children if x.type == "call_expression"), None)
                        fn = a.unparen(c.child_by_field_name("function")) if c is not None else None
                        if fn is None:
                            continue
                        if fn.type == "func_literal":
                            add(_Goroutine(fn, go, _dones(sf, fn, last), to_wait))
                        else:
                            for g in _callees(sf, fn, r, rtype, methods, funcs, to_wait, go, last):
                                add(g)
    return sorted(out.values(), key=lambda g: g.body.start_byte)


def _owner(call: Node) -> Node | None:
    """The declaration ``call`` runs in directly, or through a deferred literal; None when it
    sits in another literal."""
    for x in a.ancestors(call):
        if x.type == "func_literal":
            if a.deferred_literal(x) is None:
                return None
            continue
        if x.type in ("function_declaration", "method_declaration"):
            return x
    return None


def _same_global(sf: SourceFile, path: str, at: Node) -> str | None:
    return path if _global(sf, _root(path), at) else None


def _callees(sf, fn: Node, r: str, rtype, methods, funcs, to_wait, start: Node, last) -> list[_Goroutine]:
    """``go r.work(...)`` / ``g.Go(r.work)``: the methods ``work`` of the receiver's type;
    ``go work(...)``: the file's functions ``work`` (only package-level locks map)."""
    out = []
    if fn.type == "selector_expression":
        if rtype is None or _locks.path(sf, fn.child_by_field_name("operand")) != r:
            return out
        name = sf.text(fn.child_by_field_name("field"))
        for m in methods.get(rtype, ()):
            rc = a.receiver_name(sf, m)
            if sf.text(m.child_by_field_name("name")) == name and rc:
                out.append(_Goroutine(m, start, _dones(sf, m, last) if last else None,
                                      lambda p, rc=rc, m=m: _then(to_wait, _reroot(p, rc, r)) or _same_global(sf, p, m)))
    elif fn.type == "identifier":
        for d in funcs.get(sf.text(fn), ()):
            out.append(_Goroutine(d, start, _dones(sf, d, last) if last else None, lambda p, d=d: _same_global(sf, p, d)))
    return out


def _dones(sf: SourceFile, body: Node, last: str) -> tuple[Node, ...]:
    """``X.Done()`` calls in ``body`` (outside goroutines it starts) on a group named ``last``."""
    out = []
    for call in a.of_type(a.body(body), "call_expression"):
        m = a.method_call(sf, call)
        if m is None or m[1] != "Done" or a.arguments(call) or a.enclosing_goroutine(call, within=body) is not None:
            continue
        p = _locks.path(sf, m[0])
        if p is not None and re.split(r"[.\]]", p)[-1] == last:
            out.append(call)
    return tuple(out)


# ---------------------------------------------------------------------------- before Done


def _still_counted(sf: SourceFile, g: _Goroutine) -> Callable[[Node], bool]:
    """Whether a node of ``g``'s body runs while the group still counts ``g`` (before its Done)."""
    if not g.dones:
        return lambda n: True
    body = g.body
    for d in g.dones:
        stmt = a.statement_of(d)
        if stmt.type == "defer_statement" and a.enclosing_function(d) == body and not g.adds:
            return lambda n: True  # `defer wg.Done()`: done when it returns
    graph = a.graph(sf, body)
    plain = frozenset(p for p in (graph.point_of(d) for d in g.dones if a.enclosing_function(d) == body
                                  and a.statement_of(d).type != "defer_statement") if p is not None)
    reach: set[int] = set()
    for start in {graph.point_of(x) for x in g.adds} - {None} if g.adds else {graph.entry}:
        reach |= graph.reachable(start, avoiding=plain)
    in_literals = [d for d in g.dones if a.enclosing_function(d) != body]

    def counted(n: Node) -> bool:
        lit = a.enclosing_function(n)
        while lit is not None and lit != body and lit.type == "func_literal":
            if a.deferred_literal(lit) is not None and a.enclosing_function(lit) == body:
                done = next((d for d in in_literals if a.is_within(d, lit)), None)
                if done is not None:
                    return n.start_byte < done.start_byte
                return not plain  # runs at the end, after a plain Done
            lit = a.enclosing_function(lit)
        pid = graph.point_of(n)
        return pid is not None and pid in reach
    return counted


# ---------------------------------------------------------------------------- locks


@dataclass(frozen=True)
class _Take:
    key: str  # in the waiting function's names
    kind: str  # Lock or RLock
    at: Node  # the Lock call (in the goroutine or the function it calls)


def _takes(sf: SourceFile, g: _Goroutine, types) -> list[_Take]:
    """The locks ``g`` takes while still counted, directly or one call deep."""
    counted = _still_counted(sf, g)
    methods, funcs = _decls(sf)
    out = []
    for call, path, kind in _locks.lock_calls(sf, g.body):
        key = g.to_wait(path)
        if key is not None and counted(call) and _locks.is_mutex(types, key):
            out.append(_Take(key, kind, call))
    for call in a.of_type(a.body(g.body), "call_expression"):
        if a.enclosing_goroutine(call, within=g.body) is not None or not counted(call):
            continue
        fn = a.unparen(call.child_by_field_name("function"))
        callees: list[tuple[Node, Callable[[str], str | None]]] = []
        if fn.type == "selector_expression":
            operand = _locks.path(sf, fn.child_by_field_name("operand"))
            if operand is None or "." in operand or "[" in operand:
                continue
            name = sf.text(fn.child_by_field_name("field"))
            if name in _locks.ACQUIRE or name in ("Unlock", "RUnlock"):
                continue
            decl = _top(g.body)
            rtype = _recv_type(sf, decl) if decl is not None and decl.type == "method_declaration" else None
            if rtype is None or operand != a.receiver_name(sf, decl):
                continue
            for m in methods.get(rtype, ()):
                rc = a.receiver_name(sf, m)
                if rc and sf.text(m.child_by_field_name("name")) == name and m != g.body:
                    callees.append((m, lambda p, rc=rc, operand=operand: _then(g.to_wait, _reroot(p, rc, operand))))
        elif fn.type == "identifier":
            for d in funcs.get(sf.text(fn), ()):
                if d != g.body:
                    callees.append((d, lambda p, d=d: g.to_wait(p) if _same_global(sf, p, d) else None))
        for decl, to_wait in callees:
            for inner, path, kind in _locks.lock_calls(sf, decl):
                key = to_wait(path)
                release = _locks.ACQUIRE[kind]
                if key is not None and _locks.is_mutex(types, key) and _locks.first_op(sf, decl, a.flat(sf, inner.child_by_field_name("function").child_by_field_name("operand")), release) == "acquire":
                    out.append(_Take(key, kind, inner))
    return out


def _then(f, p):
    return f(p) if p is not None else None


# ---------------------------------------------------------------------------- the rule


def run(p: Pass) -> None:
    sf = p.file
    types = None
    graphs: dict[int, a.Graph] = {}
    for call in a.calls_named(sf, _WAITS):
        m = a.method_call(sf, call)
        if m is None or a.arguments(call):
            continue
        group = _locks.path(sf, m[0])
        fn = a.enclosing_function(call)
        if group is None or fn is None or a.body(fn) is None:
            continue
        if types is None:
            types = _locks.declared_types(sf)
        if any(_COND.search(t) for t in types.get(re.split(r"[.\]]", group)[-1], ())):
            continue  # a sync.Cond waits with its lock held by design
        if next(_locks.lock_calls(sf, fn), None) is None:
            continue
        if fn.id not in graphs:
            graphs[fn.id] = a.graph(sf, fn)
        g = graphs[fn.id]
        pid = g.point_of(call)
        if pid is None:
            continue
        held = [h for h, region in _locks.held_regions(sf, fn, g, types) if pid in region]
        if not held:
            continue
        _check(p, call, group, fn, held, types)


def _counted_takes(sf: SourceFile, fn: Node, group: str, types) -> list[tuple[_Goroutine, _Take]]:
    """What the goroutines counted by ``group`` lock before they are done; asked once per
    group and receiver type (or declaration) of the file."""
    top = _top(fn)
    rtype = _recv_type(sf, top) if top is not None and top.type == "method_declaration" else None
    key = (rtype or (top.id if top is not None else fn.id), group)
    memo = sf.cached("wait-under-lock-takes", dict)
    if key not in memo:
        memo[key] = [(g, t) for g in _goroutines(sf, fn, group) for t in _takes(sf, g, types)]
    return memo[key]


def _check(p: Pass, call: Node, group: str, fn: Node, held: list[_locks.Held], types) -> None:
    sf = p.file
    line = lambda n: sf.line_col(n.start_byte)[0]  # noqa: E731
    takes = _counted_takes(sf, fn, group, types)
    for h in held:
        for g, take in takes:
            if take.key != h.key or (h.kind == "RLock" and take.kind == "RLock"):
                continue
            name = "" if g.body.type == "func_literal" else f" {sf.text(g.body.child_by_field_name('name'))}"
            who = f"the goroutine{name} at line {line(g.body)}" if not g.adds else \
                f"{name.strip()} at line {line(g.body)} (counted from its Add at line {line(g.adds[0])})"
            message = (f"{sf.text(call.child_by_field_name('function'))}() waits holding {h.key} "
                       f"({h.key}.{h.kind}() at line {line(h.at)}) for {who}, "
                       f"which locks it at line {line(take.at)} before it is done: neither can go on, so both block forever")
            p.report(call, message)
            return


RULE = Rule(
    name="wait-under-lock",
    summary="a function waits for goroutines (wg.Wait, g.Wait, StopAndWait) holding a mutex one of them takes -> report only",
    doc=DOC,
    run=run,
    triggers=(b"Wait()",),
    example="basic",
    fixes=False,
)
