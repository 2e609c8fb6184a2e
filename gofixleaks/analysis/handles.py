"""Handle lifecycles: a value that must be released (a cancel func, a timer, a ticker),
followed from the statement that makes it along every path of its function: released,
handed on (returned, stored, passed, captured), overwritten, made again by a loop, or
dropped at a way out. A value, not a name: ``defer cancel()`` releases the value ``cancel``
holds when the defer runs, ``defer func() { cancel() }()`` the one it holds at return."""

from __future__ import annotations

import bisect
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from ..source import SourceFile
from .bindings import (
    Binding, Use, binding_of, classify, declares, escapes, left_names, local_binding, params_declare, references, root_of,
    specs, assignments,
)
from .cfg import EXIT, Graph, graph, own_parts
from .flow import loops_between
from .syntax import (
    ancestors, arguments, body, callee, calls_named, deferred_literal, enclosing_function, goroutine_literal, is_within,
    of_type, statements, unparen,
)

# What a point does to the handle.
RELEASE = "release"  # cancel(), t.Stop(), go cancel(), a goroutine that releases it on every path
DEFERRED = "deferred"  # defer cancel(): released at return, the value bound now
AT_RETURN = "at-return"  # defer func() { cancel() }(): whatever value the name holds at return
HANDED_ON = "handed-on"  # returned, stored, passed, captured by a closure that may run later
OVERWRITTEN = "overwritten"  # the name is assigned again
CONDITIONAL = "conditional"  # a deferred func releases it only under a condition
SHARED = "shared"  # a goroutine uses it but neither releases nor hands it on

# How a handle is dropped.
EXITS = "exits"  # the function returns (or ends) while it is held
LEAVES = "leaves"  # the block of its variable ends (a continue, a break, a loop body's end)
OVERWRITES = "overwrites"  # a later assignment replaces it while it is held
REMADE = "remade"  # a loop comes back to the statement that makes it while it is held


@dataclass(frozen=True)
class Drop:
    how: str  # EXITS, LEAVES, OVERWRITES or REMADE
    at: Node  # the return, jump or last statement; the overwriting statement; or the make
    conditional: bool = False  # a deferred func would release it, but only under a condition


@dataclass(frozen=True)
class Lifecycle:
    """Where a handle goes from the statement that makes it."""

    binding: Binding
    made: Node | None  # the making statement; None: held from the start of the function
    graph: Graph
    drops: tuple[Drop, ...]
    releases: tuple[Node, ...]  # points that release it on some path
    handed_on: tuple[Node, ...]  # points that hand it on
    deferred_in_loop: tuple[Node, ...]  # `defer release` run on every pass of a loop that makes it again
    shared: tuple[Node, ...]  # goroutine literals that use it and leave it to this function
    held: frozenset[int]  # points reached while it is held (what runs before a drop)


IsRelease = Callable[[Use], bool]
EVERY_BRANCH = -1  # Settled.by_branch: no branch of the if leaves the handle to release


@dataclass(frozen=True)
class Settled:
    """What shows, on a path, that a handle has released itself (a done context needs no
    cancel): a use of other names (``<-ctx.Done()``, ``<-parent.Done()``, ``<-s.ctx.Done()``
    of a value holding it), or the branch of an ``if`` that is taken only once it is done
    (``err == context.DeadlineExceeded``: 0 the then-branch, 1 the other way, EVERY_BRANCH
    both: the other branch only fails a test)."""

    bindings: tuple[Binding, ...]
    by_use: IsRelease
    by_branch: Callable[[SourceFile, Node], int | None]


def follow(
    sf: SourceFile,
    binding: Binding,
    made: Node | None,
    fn: Node,
    is_release: IsRelease,
    hands_on: Callable[[Use], bool] = escapes,
    settled: Settled | None = None,
    taker: Node | None = None,
) -> Lifecycle:
    """Follow the handle that statement ``made`` of ``fn`` puts in ``binding``'s variable
    (``made`` None: a handle ``fn`` holds from its start, such as a goroutine that owns it).
    ``is_release(use)`` says which uses free it (``cancel()``, ``t.Stop()``); ``hands_on(use)``
    which give it to someone else (by default returned, stored, passed, address taken);
    ``settled``: another name whose uses show that the handle has released itself (a
    receive from ``ctx.Done()``: a done context needs no cancel); ``taker``: a function
    literal whose start releases the handle here (a goroutine known to release it)."""
    g = _graph(sf, fn)
    by_point: dict[int, list[Node]] = {}
    for ident in references(sf, binding):
        pid = g.point_of(ident)
        if pid is not None and (made is None or pid != made.id):
            by_point.setdefault(pid, []).append(ident)
    events = {pid: _event(sf, binding, idents, g.points[pid], is_release, hands_on, settled, taker) for pid, idents in by_point.items()}
    for other in settled.bindings if settled is not None else ():
        for ident in references(sf, other):
            pid = g.point_of(ident)
            if pid is not None and _outermost_literal(ident, g.points[pid]) is None and settled.by_use(classify(sf, ident)):
                events[pid] = (RELEASE, None)
    fresh = made is not None and made == binding.statement  # a new variable each time it runs
    late = made is not None and _registered_before(sf, g, events, made)
    starts = g.successors.get(made.id, ()) if made is not None and made.id in g.points else (g.entry,)
    origin = made.id if made is not None and made.id in g.points else None

    drops: dict[tuple[str, int], Drop] = {}
    releases: set[int] = set()
    handed: set[int] = set()
    in_loop: set[int] = set()
    shared: dict[int, Node] = {}
    held: set[int] = set()
    seen: set[tuple[int, bool, bool, int | None]] = set()
    scope = binding.statement.parent  # where its variable lives
    # ``piled``: the `defer release` of a loop this path passed; the handle is released at
    # return, but if the path comes round to the next iteration first, it piles up
    stack: list[tuple[int, bool, bool, int | None, int | None]] = [(s, False, late, origin, None) for s in starts]
    while stack:
        p, cond, at_return, prev, piled = stack.pop()
        last = g.points[prev] if prev is not None else made
        if p == EXIT or (last is not None and not _inside(g.points[p], scope) and _inside(last, scope)):
            if piled is not None and p != EXIT:
                in_loop.add(piled)
            if piled is not None or at_return or last is None or (cond and error_return(sf, last)):
                continue
            how = EXITS if p == EXIT else LEAVES
            drops.setdefault((how, last.id), Drop(how, last, cond))
            continue
        if (p, cond, at_return, piled) in seen:
            continue
        seen.add((p, cond, at_return, piled))
        if p == origin:
            if piled is not None:
                in_loop.add(piled)
            else:
                drops.setdefault((REMADE, p), Drop(REMADE, made))
            continue
        held.add(p)
        ev, where = events.get(p, (None, None))
        if piled is not None and ev == OVERWRITTEN:
            in_loop.add(piled)  # the name holds another value now: nothing can release this one early
            continue
        if piled is not None and ev in (RELEASE, DEFERRED, AT_RETURN, HANDED_ON):
            continue  # released, or handed on, before the next iteration
        if ev in (RELEASE, DEFERRED) or (ev == AT_RETURN and fresh):
            releases.add(p)
            if ev != RELEASE and origin is not None and _shares_loop(g.points[p], made, fn):
                piled = p  # follow on: does the loop come round before it is done?
            else:
                continue
        if ev == HANDED_ON:
            handed.add(p)
            continue
        if ev == OVERWRITTEN:
            drops.setdefault((OVERWRITES, p), Drop(OVERWRITES, g.points[p]))
            continue
        if ev == AT_RETURN:
            releases.add(p)
            at_return = True
        elif ev == CONDITIONAL:
            cond = True
        elif ev == SHARED:
            shared[where.id] = where
        done = settled.by_branch(sf, g.points[p]) if settled is not None and g.points[p].type == "if_statement" else None
        if done == EVERY_BRANCH:
            releases.add(p)
            continue
        succ, feasible = g.successors.get(p, ()), _feasible(sf, g, p, binding.name)
        for i, s in enumerate(succ):
            if s not in feasible:
                continue
            if done is not None and i == done and len(succ) == 2:
                releases.add(p)  # it has released itself on this branch
                continue
            stack.append((s, cond, at_return, p, piled))
    points = g.points
    return Lifecycle(
        binding, made, g,
        tuple(sorted(drops.values(), key=lambda d: d.at.start_byte)),
        tuple(points[p] for p in sorted(releases, key=lambda p: points[p].start_byte)),
        tuple(points[p] for p in sorted(handed, key=lambda p: points[p].start_byte)),
        tuple(points[p] for p in sorted(in_loop, key=lambda p: points[p].start_byte)),
        tuple(sorted(shared.values(), key=lambda n: n.start_byte)),
        frozenset(held),
    )


def _event(
    sf: SourceFile, binding: Binding, idents: list[Node], point: Node, is_release: IsRelease, hands_on, settled,
    taker: Node | None = None,
) -> tuple[str | None, Node | None]:
    """What the uses ``idents`` at ``point`` do to the handle, the strongest first."""
    found: dict[str, Node | None] = {}
    literals: dict[int, tuple[Node, list[Node]]] = {}
    for ident in idents:
        lit = _outermost_literal(ident, point)
        if lit is not None and lit == taker:
            found.setdefault(RELEASE, None)
        elif lit is not None:
            literals.setdefault(lit.id, (lit, []))[1].append(ident)
            continue
        u = classify(sf, ident)
        if is_release(u):
            found.setdefault(DEFERRED if u.kind.startswith("deferred") else RELEASE, None)
        elif _blank_assignment(sf, ident):
            continue  # `_ = cancel` only silences the compiler
        elif u.kind == "assigned":
            found.setdefault(OVERWRITTEN, None)
        elif hands_on(u):
            found.setdefault(HANDED_ON, None)
    for lit, inside in literals.values():
        ev = _literal_event(sf, binding, lit, inside, is_release, hands_on, settled)
        if ev is not None:
            found.setdefault(ev, lit)
    for ev in (RELEASE, DEFERRED, AT_RETURN, HANDED_ON, OVERWRITTEN, CONDITIONAL, SHARED):
        if ev in found:
            return ev, found[ev]
    return None, None


def _literal_event(
    sf: SourceFile, binding: Binding, lit: Node, idents: list[Node], is_release: IsRelease, hands_on, settled
) -> str | None:
    """What a function literal that uses the handle does with it: a deferred or goroutine
    literal releases it when its body does on every path; any other literal captures it."""
    uses = [classify(sf, i) for i in idents]
    released = any(is_release(u) for u in uses)
    everywhere = released and releases_on_every_path(sf, binding, lit, is_release, hands_on, settled)
    deferred, goroutine = deferred_literal(lit) is not None, goroutine_literal(lit) is not None
    immediate = lit.parent is not None and lit.parent.type == "call_expression" and lit.parent.child_by_field_name("function") == lit
    if everywhere and (goroutine or (immediate and not deferred)):
        return RELEASE
    if everywhere and deferred:
        return AT_RETURN
    handed = any(hands_on(u) and not is_release(u) and not _blank_assignment(sf, u.ident) for u in uses)
    if handed or not (deferred or goroutine or immediate):
        return HANDED_ON
    if deferred and released:
        return AT_RETURN if _owner_flag(sf, binding, lit, is_release, hands_on, settled) else CONDITIONAL
    return SHARED if goroutine else None


def _owner_flag(sf: SourceFile, binding: Binding, lit: Node, is_release: IsRelease, hands_on, settled) -> bool:
    """Whether deferred literal ``lit`` releases the handle under ``if flag`` alone, for a
    local ``flag`` made ``true`` and set ``false`` only right before a goroutine that
    releases the handle on every path (nats' Fetch: ``cancelContext = false``, then ``go
    func() { defer cancel() ... }()``): the flag says who owns the handle, and either owner
    releases it. Any other use of the flag, or another statement after it is cleared, keeps
    the release conditional."""
    only = statements(body(lit))
    test = only[0].child_by_field_name("condition") if len(only) == 1 and only[0].type == "if_statement" else None
    if test is None or only[0].child_by_field_name("alternative") is not None or unparen(test).type != "identifier" \
            or only[0].child_by_field_name("initializer") is not None:
        return False
    flag = local_binding(sf, sf.text(unparen(test)), lit)
    if flag is None or flag.value is None or sf.text(flag.value) != "true":
        return False
    owner = enclosing_function(lit.parent)
    for ref in references(sf, flag):
        stmt = ref.parent.parent if ref.parent is not None else None
        if is_within(ref, lit):
            continue
        if ref.parent.type != "expression_list" or stmt.type != "assignment_statement" or enclosing_function(stmt) != owner \
                or stmt.child_by_field_name("left") != ref.parent or len(ref.parent.named_children) != 1 \
                or sf.text(stmt.child_by_field_name("operator")) != "=":
            return False  # read, or set elsewhere than in the function itself
        value = sf.text(stmt.child_by_field_name("right"))
        if value == "true":
            continue
        after = stmt.next_named_sibling
        while after is not None and after.type == "comment":
            after = after.next_named_sibling
        call = after.named_children[0] if value == "false" and after is not None and after.type == "go_statement" else None
        started = unparen(call.child_by_field_name("function")) if call is not None and call.type == "call_expression" else None
        if started is None or started.type != "func_literal" \
                or not releases_on_every_path(sf, binding, started, is_release, hands_on, settled):
            return False
    return True


def releases_on_every_path(
    sf: SourceFile, binding: Binding, lit: Node, is_release: IsRelease, hands_on=escapes, settled: Settled | None = None
) -> bool:
    """Whether the body of function literal ``lit`` releases (or hands on) the handle in
    ``binding``, which it holds from its start, on every path (a nil check around the
    release counts: a held handle is never nil)."""
    return not follow(sf, binding, None, lit, is_release, hands_on, settled).drops


def _feasible(sf: SourceFile, g: Graph, p: int, name: str) -> tuple[int, ...]:
    """Successors of ``p`` a held handle can take: ``if name != nil`` does not take its else."""
    succ = g.successors.get(p, ())
    node = g.points[p]
    if node.type == "if_statement" and len(succ) == 2:
        test = _nil_test(sf, node, name)
        if test == "!=":
            return succ[:1]
        if test == "==":
            return succ[1:]
    return succ


def _nil_test(sf: SourceFile, if_stmt: Node, name: str) -> str | None:
    """"!=" for ``if name != nil``, "==" for ``if name == nil`` (no initializer), else None."""
    cond = if_stmt.child_by_field_name("condition")
    if cond is None or if_stmt.child_by_field_name("initializer") is not None:
        return None
    cond = unparen(cond)
    if cond.type != "binary_expression":
        return None
    op = sf.text(cond.child_by_field_name("operator"))
    sides = {sf.text(cond.child_by_field_name("left")), sf.text(cond.child_by_field_name("right"))}
    return op if op in ("!=", "==") and sides == {name, "nil"} else None


def _registered_before(sf: SourceFile, g: Graph, events, made: Node) -> bool:
    """A ``defer func() { ...release... }()`` registered on every path to ``made``: it
    releases whatever the name holds at return."""
    for pid, (ev, _) in events.items():
        if ev != AT_RETURN:
            continue
        defer = g.points[pid]
        for a in (made, *ancestors(made)):
            if a.parent is not None and a.parent == defer.parent and a.start_byte > defer.start_byte:
                return True
            if a == g.function:
                break
    return False


def _inside(node: Node, region: Node) -> bool:
    return region.start_byte <= node.start_byte and node.end_byte <= region.end_byte


def _shares_loop(defer: Node, made: Node, fn: Node) -> bool:
    """Whether ``defer`` runs on every iteration of a loop that also makes the handle: it
    stands in the loop's body itself, not under an if or a case that may run once."""
    block = defer.parent.parent if defer.parent is not None else None
    loop = block.parent if block is not None and block.type == "block" else None
    return loop is not None and loop.type == "for_statement" and loop.id in {n.id for n in loops_between(made, fn)}


def _outermost_literal(ident: Node, point: Node) -> Node | None:
    out = None
    for a in ancestors(ident):
        if a == point:
            break
        if a.type == "func_literal":
            out = a
    return out


def _blank_assignment(sf: SourceFile, ident: Node) -> bool:
    """``_ = cancel``."""
    stmt = ident.parent.parent if ident.parent is not None else None
    if stmt is None or stmt.type != "assignment_statement" or ident.parent != stmt.child_by_field_name("right"):
        return False
    return all(sf.text(n) == "_" for n in stmt.child_by_field_name("left").named_children)


def failed_branch(sf: SourceFile, if_stmt: Node, made: Node, err: str) -> int | None:
    """0 for ``if err != nil`` (1 for ``err == nil``) right after the statement ``made``
    that bound ``err``: the branch taken when the maker failed and returned no handle (a
    nil cancel func, which would panic if called; no client to close). Calls between them
    that do not name ``err`` (``dsn.Destroy()``) leave it as the maker set it."""
    prev = if_stmt.prev_named_sibling
    while prev is not None and (prev.type == "comment" or (
            prev != made and prev.type == "expression_statement" and prev.named_children
            and prev.named_children[0].type == "call_expression"
            and not any(sf.text(n) == err for n in of_type(prev, "identifier")))):
        prev = prev.prev_named_sibling
    cond = if_stmt.child_by_field_name("condition")
    cond = unparen(cond) if cond is not None else None
    if prev != made or if_stmt.child_by_field_name("initializer") is not None or cond is None or cond.type != "binary_expression":
        return None
    op = sf.text(cond.child_by_field_name("operator"))
    sides = sorted(sf.text(cond.child_by_field_name(f)) for f in ("left", "right"))
    if op not in ("==", "!=") or sides != sorted([err, "nil"]):
        return None
    return 0 if op == "!=" else 1


def error_return(sf: SourceFile, stmt: Node) -> bool:
    """Whether ``stmt`` is a return that reports an error: its last result is not ``nil``
    and is a call (``fmt.Errorf(...)``), or sits beside zero values only (``return nil, err``),
    or is returned under ``if err != nil``."""
    if stmt.type != "return_statement" or not stmt.named_children:
        return False
    results = stmt.named_children[0]
    values = results.named_children if results.type == "expression_list" else [results]
    last = unparen(values[-1])
    text = sf.text(last)
    if text == "nil":
        return False
    zeros = all(sf.text(v) in ("nil", "0", '""', "false") or v.type == "composite_literal" for v in values[:-1])
    if last.type == "call_expression" or (len(values) > 1 and zeros):
        return True
    for a in ancestors(stmt):
        if a.type == "if_statement":
            cond = a.child_by_field_name("condition")
            if cond is not None and sf.text(cond).replace(" ", "") in (f"{text}!=nil", f"nil!={text}"):
                return True
        if a.type in ("func_literal", "function_declaration", "method_declaration"):
            break
    return False


def _after_funcs_in(sf: SourceFile, fn: Node) -> list[Node]:
    """The calls named AfterFunc in ``fn``'s body, its closures included: a slice, by
    position, of the file's (the facts ask for every function of every file)."""
    block = body(fn)
    if block is None:
        return []
    calls, starts = sf.cached("after-func-calls", lambda: _after_func_calls(sf))
    return calls[bisect.bisect_left(starts, block.start_byte):bisect.bisect_left(starts, block.end_byte)]


def _after_func_calls(sf: SourceFile) -> tuple[list[Node], list[int]]:
    calls = calls_named(sf, ("AfterFunc",)) if b"AfterFunc" in sf.data else []
    return calls, [c.start_byte for c in calls]


# One graph per function, kept while its tree lives: several handles in a function ask for it.
_GRAPHS: OrderedDict = OrderedDict()


def _graph(sf: SourceFile, fn: Node) -> Graph:
    key = (fn.id, fn.start_byte, fn.end_byte)
    hit = _GRAPHS.get(key)
    if hit is not None and hit[0] == fn and hit[1] is sf:
        return hit[2]
    g = graph(sf, fn)
    _GRAPHS[key] = (fn, sf, g)
    if len(_GRAPHS) > 64:
        _GRAPHS.popitem(last=False)
    return g


# ---------------------------------------------------------------------------- what a handle guards


_ERROR_NAMES = ("err", "ok")


def derived(sf: SourceFile, fn: Node, roots: set[str]) -> set[str]:
    """``roots`` and the local names of ``fn`` assigned from an expression that mentions one
    of them (``resp, err := client.Do(req.WithContext(ctx))`` makes ``resp`` derived from
    ``ctx``): what may stop working once a context is cancelled. Error values and flags are
    left out: they hold nothing the context guards."""
    out = set(roots)
    assigns = list(of_type(body(fn), "short_var_declaration", "assignment_statement", "var_spec", "range_clause"))
    grew = True
    while grew:
        grew = False
        for stmt in assigns:
            right = stmt.child_by_field_name("right") or stmt.child_by_field_name("value")
            if right is None or not _mentions(sf, right, out):
                continue
            for left in left_names(stmt):
                name = sf.text(left)
                if left.type == "identifier" and name not in out and not _is_error_name(name):
                    out.add(name)
                    grew = True
    return out


def _is_error_name(name: str) -> bool:
    return name in _ERROR_NAMES or name.endswith(("Err", "Error")) or name == "_"


def _mentions(sf: SourceFile, node: Node, names: set[str]) -> bool:
    return any(sf.text(i) in names for i in of_type(node, "identifier"))


def escaping(sf: SourceFile, g: Graph, points: set[int], names: set[str], scope: Node) -> Node | None:
    """The first of ``points`` where a value named in ``names`` leaves ``scope`` (stored in a
    field, map, channel or a variable declared outside it, returned, started with a
    goroutine, captured by a closure that may run later): cancelling the context it
    depends on at the end of ``scope`` would change what that value does."""
    for pid in sorted(points, key=lambda p: g.points[p].start_byte):
        for part in own_parts(g.points[pid]):
            hit = _leaves_scope(sf, part, names, scope)
            if hit is not None:
                return hit
    return None


def _leaves_scope(sf: SourceFile, part: Node, names: set[str], scope: Node) -> Node | None:
    if not _mentions(sf, part, names):
        return None
    t = part.type
    if t in ("return_statement", "go_statement", "send_statement"):
        return part
    for lit in of_type(part, "func_literal"):
        if deferred_literal(lit) is None and _mentions(sf, lit, names):
            return part
    if t in ("assignment_statement", "short_var_declaration"):
        right = part.child_by_field_name("right")
        if right is None or not _mentions(sf, right, names):
            return None
        for left in left_names(part):
            if left.type != "identifier":
                if sf.text(root_of(left)) in names:
                    continue  # a field or element of a value it guards: it stays inside
                return part  # a field, a map or slice element of something else
            if t == "assignment_statement" and sf.text(left) != "_":
                decl = binding_of(sf, left)
                if decl is None or not _inside(decl.statement, scope):
                    return part
    return None


# ---------------------------------------------------------------------------- what a function does with handles

CONTEXT_PACKAGES = ("context", "golang.org/x/net/context")


def cancel_result(sf: SourceFile, fn: Node) -> tuple[int, int]:
    """(position of the cancel func among ``fn``'s results, number of results) when ``fn``
    returns a context with its cancel func (``(context.Context, context.CancelFunc)``, or a
    ``func()`` beside a context); (-1, n) otherwise."""
    result = fn.child_by_field_name("result")
    types: list[Node] = []
    if result is not None and result.type == "parameter_list":
        for p in result.named_children:
            if p.type == "parameter_declaration":
                types += [p.child_by_field_name("type")] * max(1, len(p.children_by_field_name("name")))
    elif result is not None:
        types = [result]
    texts = [_qualified(sf, t) for t in types]
    if "context.Context" not in texts:
        return -1, len(types)
    for i, t in enumerate(texts):
        if t in ("context.CancelFunc", "context.CancelCauseFunc", "func()"):
            return i, len(types)
    return -1, len(types)


def _qualified(sf: SourceFile, t: Node | None) -> str:
    """A type as ``context.X`` when it comes from a context package, else its text."""
    if t is None:
        return ""
    if t.type == "qualified_type" and sf.imports.get(sf.text(t.child_by_field_name("package"))) in CONTEXT_PACKAGES:
        return "context." + sf.text(t.child_by_field_name("name"))
    return sf.text(t).replace(" ", "")


_REARMS = ("Reset",)  # a helper lent a timer re-arms it (after a Stop, perhaps): it stays armed


def borrowed_params(sf: SourceFile, fn: Node) -> tuple[int, ...]:
    """Positions of ``fn``'s parameters it only borrows: it re-arms them (``t.Reset(d)``,
    perhaps after a ``t.Stop()``) and otherwise only reads a field (``t.C``), so they stay
    armed and the caller still owns them and must release them."""
    params = fn.child_by_field_name("parameters")
    b = body(fn)
    if params is None or b is None:
        return ()
    out, i = [], 0
    for p in params.named_children:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        timer = _is_timer_type(sf, p.child_by_field_name("type"))
        for ident in p.children_by_field_name("name") or [None]:
            if timer and ident is not None and _borrows(sf, b, sf.text(ident)):
                out.append(i)
            i += 1
    return tuple(out)


def _is_timer_type(sf: SourceFile, t: Node | None) -> bool:
    """``*time.Timer`` or ``*time.Ticker``, under any import name of "time"."""
    if t is None or t.type != "pointer_type" or not t.named_children:
        return False
    q = t.named_children[0]
    return q.type == "qualified_type" and sf.imports.get(sf.text(q.child_by_field_name("package"))) == "time" and (
        sf.text(q.child_by_field_name("name")) in ("Timer", "Ticker")
    )


def _borrows(sf: SourceFile, b: Node, name: str) -> bool:
    if name == "_":
        return False
    uses = [i for i in of_type(b, "identifier") if sf.text(i) == name]
    decls = of_type(b, "short_var_declaration", "var_declaration", "range_clause", "receive_statement")
    if not uses or any(declares(sf, d, name) for d in decls):
        return False
    rearmed = False
    for ident in uses:
        u = classify(sf, ident)
        if any(a.type == "func_literal" for a in ancestors(ident) if _inside(a, b)):
            return False
        if u.kind == "method" and u.detail in _REARMS:
            rearmed = True
        elif not ((u.kind == "method" and u.detail == "Stop") or u.kind == "field"):
            return False
    return rearmed


# ---------------------------------------------------------------------------- timers kept in fields


def is_after_func(sf: SourceFile, node: Node | None) -> bool:
    """``time.AfterFunc(d, f)``."""
    return node is not None and node.type == "call_expression" and callee(sf, node) == ("time", "AfterFunc")


def timer_fields(sf: SourceFile, fn: Node) -> tuple[str, ...]:
    """Fields ``fn`` keeps a ``time.AfterFunc`` timer in: ``f`` for ``x.f = time.AfterFunc(...)``
    (or ``T{f: time.AfterFunc(...)}``), ``f[]`` for ``x.f[k] = time.AfterFunc(...)``."""
    out: set[str] = set()
    for call in _after_funcs_in(sf, fn):
        if not is_after_func(sf, call):
            continue
        target = assigned_to(call)
        if target is not None and target.type == "selector_expression":
            out.add(sf.text(target.child_by_field_name("field")))
        elif target is not None and target.type == "index_expression":
            inner = target.child_by_field_name("operand")
            if inner is not None and inner.type == "selector_expression":
                out.add(sf.text(inner.child_by_field_name("field")) + "[]")
        elif call.parent is not None and call.parent.type == "keyed_element":
            key = call.parent.named_children[0]
            out.add(sf.text(key).strip())
    return tuple(sorted(out))


def assigned_to(value: Node) -> Node | None:
    """The target ``value`` is assigned to in ``a, b = x, y`` (one-to-one), if any."""
    rhs = value.parent
    stmt = rhs.parent if rhs is not None and rhs.type == "expression_list" else None
    if stmt is None or stmt.type != "assignment_statement" or stmt.child_by_field_name("right") != rhs:
        return None
    lefts, values = left_names(stmt), list(rhs.named_children)
    return lefts[values.index(value)] if len(lefts) == len(values) else None


def field_reads(sf: SourceFile, fn: Node) -> tuple[str, ...]:
    """Names of the fields function or method declaration ``fn`` reads in a way that may
    stop a timer kept there or hand it on: every ``x.f`` but an assignment to it, a nil
    check and a re-arm (``x.f.Reset(d)``)."""
    return sf.cached("field-reads", lambda: _field_reads_by_declaration(sf)).get(fn.start_byte, ())


def _field_reads_by_declaration(sf: SourceFile) -> dict[int, tuple[str, ...]]:
    """field_reads of each declaration of the file, by its start: the file's selectors (from
    its index) split among the bodies by position (the facts ask of every function: a query
    per body walked the whole tree again, a third of the parse)."""
    decls = [d for d in sf.root.named_children if d.type in ("function_declaration", "method_declaration")]
    bodies = [(b.start_byte, b.end_byte, d.start_byte) for d in decls if (b := body(d)) is not None]
    starts = [b[0] for b in bodies]
    found: list[set[bytes]] = [set() for _ in bodies]
    data = sf.data
    for sel in of_type(sf.root, "selector_expression"):
        i = bisect.bisect_right(starts, sel.start_byte) - 1
        if i < 0 or sel.end_byte > bodies[i][1]:
            continue
        f = sel.child_by_field_name("field")
        name = data[f.start_byte:f.end_byte]
        if name not in found[i] and not _field_written_or_checked(sf, sel):
            found[i].add(name)
    return {b[2]: tuple(sorted(n.decode() for n in names)) for b, names in zip(bodies, found)}


def _field_written_or_checked(sf: SourceFile, sel: Node) -> bool:
    parent = sel.parent
    if parent is None:
        return False
    if parent.type == "expression_list" and parent.parent is not None and parent.parent.type == "assignment_statement":
        return parent == parent.parent.child_by_field_name("left")
    if parent.type == "index_expression" and parent.child_by_field_name("operand") == sel:
        grand = parent.parent
        return grand is not None and grand.type == "expression_list" and grand.parent is not None and (
            grand.parent.type == "assignment_statement" and grand == grand.parent.child_by_field_name("left")
        )
    sides = ("left", "right")
    if parent.type == "binary_expression" and "nil" in (sf.text(parent.child_by_field_name(f)) for f in sides):
        return True
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == sel:
        return sf.text(parent.child_by_field_name("field")) in _REARMS
    return False


def callbacks(sf: SourceFile, fn: Node) -> tuple[str, ...]:
    """Methods ``fn`` hands to ``time.AfterFunc`` as its callback (``time.AfterFunc(d, x.m)``),
    or that a literal it hands there calls as a statement of its own (``time.AfterFunc(d,
    func() { m.processPluginEvent(name) })``, navidrome's plugin watcher): they run once the
    timer has fired."""
    out: set[str] = set()
    for call in _after_funcs_in(sf, fn):
        args = arguments(call) if is_after_func(sf, call) else []
        if len(args) == 2 and args[1].type == "selector_expression":
            out.add(sf.text(args[1].child_by_field_name("field")))
        elif len(args) == 2 and args[1].type == "func_literal":
            for st in statements(body(args[1])):
                inner = st.named_children[0] if st.type == "expression_statement" and st.named_children else None
                callee = inner.child_by_field_name("function") if inner is not None and inner.type == "call_expression" else None
                if callee is not None and callee.type == "selector_expression":
                    out.add(sf.text(callee.child_by_field_name("field")))
    return tuple(sorted(out))


UNKNOWN, LIVE, SAFE = "unknown", "live", "safe"  # what a field holds, as far as a path tells


def field_on_arrival(sf: SourceFile, g: Graph, point: int, holder: str) -> set[str]:
    """What ``holder`` (a field such as ``s.timer``) may hold when paths from the entry of
    ``g``'s function reach ``point``: LIVE (checked non-nil or re-armed, not stopped since),
    SAFE (stopped, cleared, handed on, or checked nil), UNKNOWN (nothing on the path tells)."""
    found: set[str] = set()
    seen: set[tuple[int, str]] = set()
    stack = [(g.entry, UNKNOWN)]
    while stack:
        p, state = stack.pop()
        if p == EXIT or (p, state) in seen:
            continue
        seen.add((p, state))
        if p == point:
            found.add(state)
            continue
        node = g.points[p]
        state = _field_event(sf, node, holder, state)
        succ = g.successors.get(p, ())
        test = _nil_test(sf, node, holder) if node.type == "if_statement" else None
        if test is not None and len(succ) == 2:
            then, other = (LIVE, SAFE) if test == "!=" else (SAFE, LIVE)
            stack += [(succ[0], then), (succ[1], other)]
            continue
        stack += [(s, state) for s in succ]
    return found


def _field_event(sf: SourceFile, node: Node, holder: str, state: str) -> str:
    """The state of ``holder`` after point ``node``."""
    for part in own_parts(node):
        for sel in of_type(part, "selector_expression"):
            if sf.text(sel) != holder:
                continue
            parent = sel.parent
            if parent.type == "selector_expression" and parent.child_by_field_name("operand") == sel:
                method = sf.text(parent.child_by_field_name("field"))
                state = LIVE if method in _REARMS else SAFE if method == "Stop" else state
            elif parent.type == "expression_list" and parent.parent is not None and parent.parent.type == "assignment_statement" \
                    and parent == parent.parent.child_by_field_name("left"):
                state = SAFE  # cleared, or a new timer that the caller of this question looks at
            elif not _field_written_or_checked(sf, sel):
                state = SAFE  # handed on: whoever gets it may stop it
    return state


def parameter(sf: SourceFile, fn: Node, ident: Node) -> Binding | None:
    """The parameter of ``fn`` that ``ident`` (used in ``fn``'s own body) names, as a Binding
    whose references are those in the body (its statement: the parameter list)."""
    params, name = fn.child_by_field_name("parameters"), sf.text(ident)
    if params is None or binding_of(sf, ident) is not None or enclosing_function(ident) != fn:
        return None
    names = [n for p in params.named_children for n in p.children_by_field_name("name")]
    at = next((i for i, n in enumerate(names) if sf.text(n) == name), None)
    return Binding(name, names[at], params, None, at, fn) if at is not None else None


def holders(sf: SourceFile, fn: Node, name: str) -> tuple[tuple[Binding, str], ...]:
    """(local, field) for each local of ``fn`` set from a composite literal that keeps the
    variable ``name`` in a field (``lp := &leaseProxy{ctx: cctx}``: ``lp.ctx`` is ``cctx``)."""
    out = []
    for kv in of_type(body(fn), "keyed_element"):
        key, value = (kv.named_children + [None, None])[:2]
        value = value.named_children[0] if value is not None and value.type == "literal_element" and value.named_children else value
        if value is None or value.type != "identifier" or sf.text(value) != name:
            continue
        lit = kv.parent.parent if kv.parent is not None else None
        top = lit.parent if lit is not None and lit.parent is not None and lit.parent.type == "unary_expression" else lit
        b = assignments(sf, top) if top is not None else None
        if b is not None and b.statement.type == "short_var_declaration" and b.value == top:
            out.append((b, sf.text(key).strip()))
    return tuple(out)


# ---------------------------------------------------------------------------- constant durations
#
# A duration as plain data (it crosses the facts cache, which reads back typed fields only):
# its tokens in prefix order, each an operator (+ - * /), a number ("1e+07"), "=name" for a
# package-level name of the file's own package, or "path:Name" for an exported name of
# another package. Facts keep the package's constants as terms; PackageFacts.duration
# resolves the names across its files and the same-module packages it imports.
Term = tuple[str, ...]

TIME_UNITS = {"Nanosecond": 1, "Microsecond": 1e3, "Millisecond": 1e6, "Second": 1e9, "Minute": 60e9, "Hour": 3600e9}
_TERM_OPS = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x / y if y else None}
_MAX_TERM_DEPTH = 8


def duration_term(sf: SourceFile, expr: Node | None, depth: int = 0) -> Term | None:
    """``expr`` as a Term when it is built of number literals, time's units, names of the
    package (or exported names of an imported one) and locals declared once from such a value
    and never written again; None otherwise (a parameter, a field, a call)."""
    if expr is None or depth > _MAX_TERM_DEPTH:
        return None
    t = expr.type
    if t == "parenthesized_expression":
        return duration_term(sf, expr.named_children[0], depth + 1)
    if t in ("int_literal", "float_literal"):
        return (repr(float(_literal_number(sf.text(expr)))),)
    if t == "selector_expression":
        op, field = expr.child_by_field_name("operand"), sf.text(expr.child_by_field_name("field"))
        path = sf.imports.get(sf.text(op)) if op.type == "identifier" and binding_of(sf, op) is None else None
        if path == "time":
            return (repr(float(TIME_UNITS[field])),) if field in TIME_UNITS else None
        return (f"{path}:{field}",) if path is not None and field[:1].isupper() else None
    if t == "unary_expression" and sf.text(expr.child_by_field_name("operator")) == "-":
        inner = duration_term(sf, expr.child_by_field_name("operand"), depth + 1)
        return ("-", "0.0", *inner) if inner is not None else None
    if t == "binary_expression":
        op = sf.text(expr.child_by_field_name("operator"))
        left = duration_term(sf, expr.child_by_field_name("left"), depth + 1)
        right = duration_term(sf, expr.child_by_field_name("right"), depth + 1)
        return (op, *left, *right) if op in _TERM_OPS and left is not None and right is not None else None
    if t == "call_expression" and callee(sf, expr) == ("time", "Duration") and len(arguments(expr)) == 1:
        return duration_term(sf, arguments(expr)[0], depth + 1)  # a conversion
    if t != "identifier":
        return None
    b = binding_of(sf, expr)
    if b is None:
        name = sf.text(expr)
        fns = [f for f in ancestors(expr) if f.type in ("function_declaration", "method_declaration", "func_literal")]
        return None if any(params_declare(sf, f, name) or _declares_anywhere(sf, f, name) for f in fns) else (f"={name}",)
    if b.value is None or b.statement.type not in ("short_var_declaration", "var_declaration", "const_declaration") or _written(sf, b):
        return None
    return duration_term(sf, b.value, depth + 1)


def _declares_anywhere(sf: SourceFile, fn: Node, name: str) -> bool:
    """Whether ``fn`` declares a local ``name`` (a closure's captured variable is not the package's)."""
    kinds = ("short_var_declaration", "var_declaration", "const_declaration", "range_clause", "receive_statement")
    return any(declares(sf, d, name) for d in of_type(body(fn), *kinds))


def _written(sf: SourceFile, b: Binding) -> bool:
    """Whether a local is assigned again, incremented or has its address taken."""
    for ident in references(sf, b):
        if ident == b.ident:
            continue
        u = classify(sf, ident)
        if u.kind in ("assigned", "address") or (ident.parent is not None and ident.parent.type in ("inc_statement", "dec_statement")):
            return True
    return False


def _literal_number(text: str) -> float:
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return 0  # hex floats and the like


def duration_value(term: Term | None, lookup: Callable[[str], Term | None], depth: int = 0) -> float | None:
    """The nanoseconds ``term`` stands for, ``lookup`` giving the term of a name token
    ("=name", "path:Name"; None: unknown, or a variable someone writes)."""
    if not term or depth > _MAX_TERM_DEPTH:
        return None
    value, end = _evaluate(term, 0, lookup, depth)
    return value if end == len(term) else None


def _evaluate(term: Term, i: int, lookup: Callable[[str], Term | None], depth: int) -> tuple[float | None, int]:
    """The value of the sub-term starting at token ``i``, and where it ends."""
    if i >= len(term):
        return None, i
    token = term[i]
    if token in _TERM_OPS:
        left, j = _evaluate(term, i + 1, lookup, depth)
        right, k = _evaluate(term, j, lookup, depth)
        return (_TERM_OPS[token](left, right) if left is not None and right is not None else None), k
    if _is_name(token):
        return duration_value(lookup(token), lookup, depth + 1), i + 1
    return float(token), i + 1


def _is_name(token: str) -> bool:
    """A Term's token naming a constant: "=name" or "path:Name"."""
    return token.startswith("=") or ":" in token


def package_durations(sf: SourceFile) -> tuple[tuple[str, Term, bool], ...]:
    """(name, term, whether a variable) of the file's package-level constants and variables
    that have a term (one name per value; an ``iota`` or a call is not a term)."""
    out = []
    for decl in sf.root.named_children:
        if decl.type not in ("const_declaration", "var_declaration"):
            continue
        for spec in specs(decl):
            names, values = spec.children_by_field_name("name"), spec.child_by_field_name("value")
            vals = values.named_children if values is not None and values.type == "expression_list" else []
            for n, v in zip(names, vals) if len(names) == len(vals) else ():
                term = duration_term(sf, v)
                if term is not None:
                    out.append((sf.text(n), term, decl.type == "var_declaration"))
    return tuple(out)


# `&name`; the `&` of `&&` is left out by the match's first byte (a pattern opening with a
# look-behind is tried at every byte of the file, one opening with `&` only at each `&`)
_ADDRESS = re.compile(rb"&(?!&)\s*([A-Za-z_]\w*)\b(?!\s*[.{(\[])")


def package_writes(sf: SourceFile) -> tuple[tuple[str, str], ...]:
    """Variables the file's functions may write (assign, increment, take the address of):
    ("", name) for a plain name, (import path, name) for another package's: a package-level
    variable of that name is no constant. By name alone (binding each one cost as much as the
    rest of the facts): a local of the same name makes it look written, which only reports more."""
    # `&name` by the bytes (a query for unary expressions cost a whole-file pass): `a & b`
    # and `&name` in a comment count too, which only reports more
    data = sf.data
    out = {("", m.group(1).decode()) for m in _ADDRESS.finditer(data) if data[m.start() - 1:m.start()] != b"&"}
    for node in of_type(sf.root, "assignment_statement", "inc_statement", "dec_statement"):
        if node.type in ("inc_statement", "dec_statement"):
            targets = node.named_children[:1]
        else:
            targets = left_names(node)
        for target in targets:
            target = unparen(target) if target is not None else None
            if target is not None and target.type == "identifier":
                out.add(("", sf.text(target)))
            elif target is not None and target.type == "selector_expression":
                out.update(_imported_name(sf, target))
    return tuple(sorted(out))


_ERROR_RESULTS = ("err", "ok", "_")


def foreign_wants(sf: SourceFile) -> tuple[tuple[str, str], ...]:
    """(import path, name) of other packages' names a file that imports a context package
    may ask about: the callee of
    a call whose results go to several names, not only to an error or flag (a context maker
    of another package: ``ctx, cancel := testutils.WithShortTimeout(parent)``), and names in
    the arguments of a context package's calls (a timeout constant), and the callee of a
    call given a function literal (a launcher of another package: traefik's ``safe.Go``)."""
    out: set[tuple[str, str]] = set()
    for lit in of_type(sf.root, "func_literal"):
        args = lit.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is not None and fn.type == "selector_expression":
            out.update(_imported_name(sf, fn))
    if not any(p in CONTEXT_PACKAGES for p in sf.imports.values()):
        return tuple(sorted(out))  # a file that never names a context: what it derives is someone else's
    for call in of_type(sf.root, "call_expression"):
        c = callee(sf, call)
        if c is not None and c[0] in CONTEXT_PACKAGES:
            names = (t for arg in arguments(call) for t in duration_term(sf, arg) or () if ":" in t)
            out.update(tuple(t.rsplit(":", 1)) for t in names)
            continue
        rhs = call.parent
        stmt = rhs.parent if rhs is not None and rhs.type == "expression_list" else None
        if stmt is None or stmt.type not in ("short_var_declaration", "assignment_statement", "var_spec") or len(rhs.named_children) != 1:
            continue
        lefts = [sf.text(n) for n in left_names(stmt)]
        if len(lefts) > 1 and not all(n in _ERROR_RESULTS or n.endswith(("Err", "Error")) for n in lefts[1:]):
            fn = call.child_by_field_name("function")
            out.update(_imported_name(sf, fn) if fn is not None and fn.type == "selector_expression" else ())
    return tuple(sorted(out))


def _imported_name(sf: SourceFile, sel: Node) -> tuple[tuple[str, str], ...]:
    op, field = sel.child_by_field_name("operand"), sf.text(sel.child_by_field_name("field"))
    path = sf.imports.get(sf.text(op)) if op is not None and op.type == "identifier" else None
    return ((path, field),) if path is not None and path != "time" and field[:1].isupper() else ()
