"""lock-not-released: a mutex locked by a function that returns on some path still holding it."""

from __future__ import annotations

import re

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.analysis.handles import EXITS, LEAVES, Drop, Lifecycle
from gofixleaks.edits import REVIEW, SAFE, Fix
from gofixleaks.rule import Pass, Rule
from gofixleaks.source import SourceFile

from . import _locks
from ._release import at_drops

DOC = """\
## What it finds
A function that calls `x.Lock()` (or `x.RLock()`) as a statement, where `x` is a mutex (a
field or variable the file declares as a `sync.Mutex`/`RWMutex` or a type named like one,
a value embedding one, or, where the file declares nothing under that name, any `x` the
function both locks and unlocks), and where some `return` (or the end of the body) is
reachable from the lock without passing `x.Unlock()` (`x.RUnlock()`), while another path
from the same lock does unlock it: the function means to release the lock and forgets to on
that path (`m.Lock(); if m.ackd { return ErrAlreadyAcked }; ...; m.Unlock()`).

The same for a lock in a loop's body where a path goes round the loop (a `continue`, or the
end of the body) back to that same `x.Lock()` without unlocking it, while another path of
the body unlocks it (`for msg := range in { mu.Lock(); if !ok { errs <- err; continue };
mu.Unlock(); ... }`). A `break` that leaves the loop holding it is followed to the return
or end of the body it reaches, as any other path.

A deferred unlock reached after the lock counts as an unlock on every path past it.

## Why it leaks
Nothing ever unlocks the mutex again: every later `Lock` on it blocks forever, and every
goroutine that takes it (request handlers, workers, the one calling `Close`) piles up
behind it. A classic production hang. Round a loop it is sooner: a sync mutex is not
reentrant, so the loop's own next `Lock` blocks the goroutine for good (a read lock taken
again is never released, and every `Lock` of it blocks).

## When it is not reported
- no path from the lock unlocks it (a deliberate hand-off: the function returns holding it);
- the function's doc comment says it returns with the lock held ("with the lock held",
  "must be called with", "caller must unlock", "returns locked", "i.mu is locked, and it is
  the caller's responsibility to unlock it", ...);
- every return that leaves holding it reports success (`return nil`, `return v, true`)
  while a return past an unlock reports failure: the lock is what the function acquires for
  its caller (`Begin` holds it until `Commit`);
- a return hands the mutex itself on (`return &c.mu`);
- the unlock is done by a call on that path: a closure of the function (or of a function
  around it) whose body unlocks `x` (`doErr := func(err error) { m.Unlock(); ... }`), a func
  literal called on the spot (`func() { defer c.mu.Unlock(); ... }()`), a function or
  method whose name says it unlocks (`clearAndUnlock`, `sendAndUnlock`, `unlockAll`), or a
  method of this file on the same receiver that unlocks the same field before locking it;
- a goroutine literal in the function unlocks `x` (the mutex is a signal between
  goroutines), or the function unlocks `x` before it ever locks it (it is called with the
  lock held and hands it back held);
- the path ends the goroutine, the process or the test instead of returning (`panic`,
  `os.Exit`, `log.Fatal`, `runtime.Goexit`, `t.Fatal`, `s.tb.Fatal` and other `Fatal`s),
  or, in test code, follows a call that failed the test (`t.Errorf(...); return`);
- the return sits in a branch that never runs (`if false { return }`);
- the return (or the `continue`) is also reached on a path that has unlocked (`if ok { ...;
  m.Unlock() }; return`): whether the function still holds the lock there is its own state
  (a flag such as `rs.closemuScanHold`, a `locked` variable), and an unlock there could
  unlock an unlocked mutex, which is a fatal error;
- a path going round the loop could instead leave it and unlock `x` after the loop (`for _,
  c := range conns { c.mu.Lock(); if c.busy { continue } ... }`, then a loop unlocking the
  busy ones): the locks kept are the function's own state;
- in test code, a `continue` that follows a call failing the test, as for a return;
- the file declares `x` with a type that is not a mutex (a file lock, a custom `Lock`).
A path reaching another `x.Lock()` statement than the one it started from is not followed.

## When it is not fixed
- a path from the lock leaves by `panic` or `goto` while holding it (an unlock before the
  returns would not cover it);
- the end of the body (of the function, or of the loop when going round it) is reached
  holding it after a compound statement (no single place for the unlock), or the return or
  jump shares its line with other code.

## The fix
`x.Unlock()` (or `x.RUnlock()`) on its own line right before each return, `break` or
`continue` that leaves holding the lock or goes round the loop with it (after the last
statement, when the path falls off the end of the function or of the loop's body). It is
`safe` when the function's other paths already unlock the same way: an explicit unlock
right before a return, for the returns; an explicit `x.Unlock()` statement inside the loop
on another path from the lock, for the ways round it (its own convention); otherwise it is
marked for review.
"""

_HANDOFF_DOC = re.compile(
    r"with\s+(the\s+|its\s+)?[\w.]*\s*(lock|mutex|mu)\w*\s+(still\s+)?(held|locked|acquired)"
    r"|(lock|mutex)\w*\s+(is\s+)?(still\s+)?held\s+(on|upon|after)\s+return|must\s+be\s+called\s+with"
    r"|callers?\s+(must|should|is\s+responsible\s+for)\s+(\w+\s+){0,2}(unlock|release|call\s+[\w.]*unlock)"
    r"|returns?\s+(with\s+[\w.]+\s+)?locked|\b(is|are|left|remains|stays)\s+locked\b|unlocked\s+by\s+the\s+caller"
    r"|responsib\w+\s+to\s+(unlock|release)",
    re.IGNORECASE,
)


def _documented_handoff(sf: SourceFile, fn: Node) -> bool:
    """The doc comment of ``fn``'s declaration says it returns with a lock held."""
    decl = fn
    while decl is not None and decl.type not in ("function_declaration", "method_declaration"):
        decl = decl.parent
    if decl is None:
        return False
    lines, prev = [], decl.prev_named_sibling
    while prev is not None and prev.type == "comment":
        lines.append(sf.text(prev))
        prev = prev.prev_named_sibling
    return bool(_HANDOFF_DOC.search(" ".join(reversed(lines))))


def _success(sf: SourceFile, node: Node) -> bool:
    """A return whose last value says it succeeded (``return nil``, ``return v, true``)."""
    values = node.named_children[0].named_children if node.type == "return_statement" and node.named_children else []
    return bool(values) and sf.text(values[-1]) in ("nil", "true")


def _dead(sf: SourceFile, node: Node, fn: Node) -> bool:
    """``node`` sits in the body of an ``if false``."""
    for x in a.ancestors(node):
        if x == fn:
            return False
        if x.type == "if_statement" and a.flat(sf, x.child_by_field_name("condition")) == "false" \
                and a.is_within(node, x.child_by_field_name("consequence")):
            return True
    return False


class _Check:
    """One function's locks of one key."""

    def __init__(self, sf: SourceFile, g: a.Graph, key: str, release: str, closures, methods):
        self.sf, self.g, self.key, self.release = sf, g, key, release
        self.closures, self.methods = closures, methods
        self._memo: dict[int, bool] = {}

    def releases(self, pid: int) -> bool:
        if pid not in self._memo:
            node = self.g.points[pid]
            self._memo[pid] = any(
                _locks.unlocks(self.sf, c, self.key, self.release, self.closures, self.methods)
                for part in a.own_parts(node)
                for c in a.of_type(part, "call_expression", skip_functions=True)
            )
        return self._memo[pid]

    def held_on_entry(self, locks: set[int]) -> bool:
        """Some unlock is reached from the entry before any lock: the function is called
        with the lock held."""
        return any(self.releases(pid) for pid in self.g.reachable(self.g.entry, avoiding=frozenset(locks)) if pid != a.EXIT)

    def walk(self, lock: int, locks: set[int]):
        """From the lock: (points held, release points reached, drops: points from which
        the function leaves holding it)."""
        g = self.g
        held, released, drops = {lock}, set(), []
        todo = list(g.successors.get(lock, ()))
        seen = set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            if pid == a.EXIT or pid in locks:
                continue
            if self.releases(pid):
                released.add(pid)
                continue
            held.add(pid)
            node = g.points[pid]
            succ = g.successors.get(pid, ())
            if node.type == "return_statement" or a.EXIT in succ:
                drops.append(pid)
            todo.extend(s for s in succ if s != a.EXIT)
        return held, released, drops

    def rounds(self, lock: int, held: set[int], locks: set[int]) -> list[int]:
        """Points from which a path goes round a loop back to ``lock`` with it held: a
        ``continue``, or the last statement of the loop's body. A point from which a path
        also leaves the loop and unlocks it is left out: whether it is held there is the
        function's own state."""
        g = self.g
        loops = {loop.id: loop for loop in a.loops_between(g.points[lock], g.function)}
        out = []
        for pid in g.reaching(lock, held) - {lock, *loops}:
            node = g.points[pid]
            back = [s for s in g.successors.get(pid, ()) if s in loops and a.is_within(node, loops[s])]
            if back and not any(self.releases(q) for s in back for q in g.reachable(s, avoiding=frozenset(locks)) if q != a.EXIT):
                out.append(pid)
        return out


def run(p: Pass) -> None:
    sf = p.file
    graphs: dict[int, a.Graph] = {}
    types = methods = None
    for call in a.calls_named(sf, tuple(_locks.ACQUIRE)):
        m = a.method_call(sf, call)
        stmt = call.parent
        if m is None or a.arguments(call) or stmt is None or stmt.type != "expression_statement":
            continue
        fn = a.enclosing_function(call)
        if fn is None or a.body(fn) is None:
            continue
        key, release = a.flat(sf, m[0]), _locks.ACQUIRE[m[1]]
        if types is None:
            types, methods = _locks.declared_types(sf), _locks.methods_of(sf)
        declared = types.get(key.rpartition(".")[2], set()) if "." in key else set()
        if declared and not any(_locks.MUTEX_TYPE.search(t) for t in declared):
            continue  # the file says it is something else with a Lock method
        if fn.id not in graphs:
            graphs[fn.id] = a.graph(sf, fn)
        _check(p, fn, graphs[fn.id], stmt, key, release, methods)


def _check(p: Pass, fn: Node, g: a.Graph, stmt: Node, key: str, release: str, methods) -> None:
    sf = p.file
    if stmt.id not in g.points:
        return
    if _documented_handoff(sf, fn):
        return
    closures = _locks.closures_of(sf, fn)
    check = _Check(sf, g, key, release, closures, methods)
    lock_name = "RLock" if release == "RUnlock" else "Lock"
    locks = {pid for pid, n in g.points.items() if n.type == "expression_statement" and a.flat(sf, n) == f"{key}.{lock_name}()"}
    # a goroutine of the function unlocks it: the mutex is a signal between goroutines
    for lit in a.of_type(a.body(fn), "func_literal"):
        if a.goroutine_literal(lit) is not None and _locks.body_unlocks(sf, lit, key, release, closures, methods, 1):
            return
    if check.held_on_entry(locks) or f"&{key}" in a.flat(sf, a.body(fn)):
        return  # called with it held, or hands the mutex itself on (`lock = &c.mu`)
    after = g.reachable(stmt.id)
    if any(n.type == "defer_statement" and pid not in after and check.releases(pid) for pid, n in g.points.items()):
        return  # a deferred unlock made before this lock covers every return (an unlock, work, a lock again)
    held, released, drops = check.walk(stmt.id, locks)
    if not released:
        return  # never unlocked here: a hand-off
    unheld = set()
    for r in released:
        unheld |= g.reachable(r, avoiding=frozenset(locks))
    unheld |= g.reachable(g.entry, avoiding=frozenset(locks))
    if any(_success(sf, g.points[pid]) for pid in drops) and any(
            g.points[pid].type == "return_statement" and not _success(sf, g.points[pid]) for pid in unheld if pid != a.EXIT):
        drops = []  # fails unlocked, succeeds holding it: the lock is what it acquires for its caller
    exits, rounds = (
        sorted((g.points[pid] for pid in found if not _ignored(sf, g.points[pid], fn) and pid not in unheld),
               key=lambda n: n.start_byte)
        for found in (drops, check.rounds(stmt.id, held, locks))
    )
    if not exits and not rounds:
        return
    fix, note = _fix(sf, fn, g, stmt, key, release, held, exits, rounds, released, locks)
    p.report(stmt.named_children[0], _message(sf, stmt, key, release, exits, rounds), [fix] if fix else [], notes=[] if fix else [note])


def _ignored(sf: SourceFile, node: Node, fn: Node) -> bool:
    """A way out that never runs, or that test code takes only once the test has failed."""
    return _dead(sf, node, fn) or (node.type in ("return_statement", "continue_statement") and a.exit_after_failure(sf, node))


def _message(sf: SourceFile, stmt: Node, key: str, release: str, exits: list[Node], rounds: list[Node]) -> str:
    lock_name = "RLock" if release == "RUnlock" else "Lock"

    def lines(nodes: list[Node]) -> str:
        return f"line{'s' if len(nodes) > 1 else ''} {', '.join(str(sf.line_col(n.start_byte)[0]) for n in nodes)}"

    parts, fresh = [], False
    if exits:
        noun = "return" if all(n.type == "return_statement" for n in exits) else "way out"
        plural = len(exits) > 1
        parts.append(f"the {noun}{'s' if plural else ''} at {lines(exits)} leave{'' if plural else 's'} with it held")
    if rounds:
        noun = "continue" if all(n.type == "continue_statement" for n in rounds) else "way round the loop"
        plural = len(rounds) > 1
        # `for _, c := range conns { c.mu.Lock()`: the next iteration locks another value
        root = a.binding_of(sf, a.root_of(a.method_call(sf, stmt.named_children[0])[0]))
        fresh = root is not None and a.is_within(root.statement, a.loops_between(stmt, sf.root)[0])
        verb = ("end", "the iteration") if fresh else ("come", "back to it")
        parts.append(f"the {noun}{'s' if plural else ''} at {lines(rounds)} {verb[0]}{'' if plural else 's'} {verb[1]} with it held")
    if not rounds or fresh or lock_name == "RLock":
        tail = f"so every later {lock_name if not rounds else 'Lock'} of it blocks forever"
    else:
        tail = "and a mutex is not reentrant: that Lock blocks forever"
    return f"{key}.{lock_name}() is not matched by {key}.{release}() on every path: {' and '.join(parts)}, {tail}"


def _fix(sf: SourceFile, fn: Node, g: a.Graph, stmt: Node, key: str, release: str, held: set[int], exits: list[Node],
         rounds: list[Node], released: set[int], locks: set[int]):
    line = lambda n: sf.line_col(n.start_byte)[0]  # noqa: E731
    kept = exits + rounds
    for other in locks - {stmt.id}:
        reach = g.reachable(other, avoiding=frozenset(locks - {other}))
        hit = next((n for n in kept if n.id in reach), None)
        if hit is not None:
            return None, f"the Lock at line {line(g.points[other])} reaches line {line(hit)} too: unlock it by hand, once"
    for pid in held:
        node = g.points[pid]
        if node.type == "goto_statement":
            return None, f"a goto at line {line(node)} jumps while it is held: unlock it by hand"
        if node.type == "expression_statement" and a.never_returns(sf, node) and a.flat(sf, node).startswith("panic("):
            return None, f"the panic at line {line(node)} leaves with it held (a recover upstream would keep it locked)"
    for node in kept:
        if node.type not in _SIMPLE and node.type not in ("return_statement", "break_statement", "continue_statement"):
            return None, f"the path {'falls off the end' if node in exits else 'goes round the loop'} after the compound " \
                         f"statement at line {line(node)}: unlock it by hand"
    binding = a.Binding(key, stmt.named_children[0], stmt, None, 0, fn)
    drops = (*(Drop(EXITS, n) for n in exits), *(Drop(LEAVES, n) for n in rounds))
    life = Lifecycle(binding, stmt, g, drops, (), (), (), (), frozenset(held))
    text = f"{key}.{release}()"
    edits, note = at_drops(sf, life, set(), key, text, "the lock")
    if edits is None:
        return None, note
    safe = (not exits or _unlocks_before_return(sf, fn, text)) and (not rounds or _unlocks_in_loop(sf, g, stmt, released, text))
    if not rounds:
        what = f"before the return{'s' if len(kept) > 1 else ''} that leave{'' if len(kept) > 1 else 's'} it held"
    else:
        what = f"on each of the {len(kept)} paths that keep it held" if len(kept) > 1 else "on the path that keeps it held"
    return Fix(f"call `{text}` {what}", edits, applicability=SAFE if safe else REVIEW), ""


_SIMPLE = ("expression_statement", "short_var_declaration", "assignment_statement", "inc_statement", "dec_statement",
           "send_statement", "var_declaration", "const_declaration", "defer_statement", "go_statement")


def _unlocks_before_return(sf: SourceFile, fn: Node, text: str) -> bool:
    """The function's own convention: some return of it follows an explicit ``x.Unlock()``."""
    for ret in a.of_type(a.body(fn), "return_statement", skip_functions=True):
        prev = ret.prev_named_sibling
        while prev is not None and prev.type == "comment":
            prev = prev.prev_named_sibling
        if prev is not None and prev.type == "expression_statement" and a.flat(sf, prev) == text:
            return True
    return False


def _unlocks_in_loop(sf: SourceFile, g: a.Graph, stmt: Node, released: set[int], text: str) -> bool:
    """The loop's own convention: another path from the lock releases it with an explicit
    ``x.Unlock()`` inside the loop."""
    loop = a.loops_between(stmt, g.function)[-1]
    return any(g.points[pid].type == "expression_statement" and a.flat(sf, g.points[pid]) == text
               and a.is_within(g.points[pid], loop) for pid in released)


RULE = Rule(
    name="lock-not-released",
    summary="a function returns, or goes round a loop to the same Lock, on some path still holding a mutex it unlocks on "
            "others -> x.Unlock() before that return or continue",
    doc=DOC,
    run=run,
    triggers=(b"Lock()",),
)
