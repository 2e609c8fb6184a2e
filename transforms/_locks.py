"""Mutex questions lock-not-released, wait-under-lock and lock-reentered share: the path of
a lock's value, which calls release a lock (directly, through a closure or a method of the
file), where a function holds the locks it takes, whether a function's first operation on a
lock takes or releases it, and the file's closures, methods and field types."""

from __future__ import annotations

import re

from dataclasses import dataclass

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.source import SourceFile

ACQUIRE = {"Lock": "Unlock", "RLock": "RUnlock"}
MUTEX_TYPE = re.compile(r"Mutex|Locker|\bLock\b")


def unlocks(sf: SourceFile, call: Node, key: str, release: str, closures: dict[str, Node], methods, depth: int = 0) -> bool:
    """Whether ``call`` unlocks ``key`` (``s.mu``): ``key.Unlock()``, a call whose name
    says it unlocks, a closure of ``closures`` or a func literal called on the spot whose
    body does, or a method of the file on the same receiver that does."""
    fn = a.unparen(call.child_by_field_name("function"))
    if fn.type == "func_literal":
        return depth < 2 and body_unlocks(sf, fn, key, release, closures, methods, depth + 1)
    if fn.type == "identifier":
        name = sf.text(fn)
        if "unlock" in name.lower():
            return True
        lit = closures.get(name)
        return lit is not None and depth < 2 and body_unlocks(sf, lit, key, release, closures, methods, depth + 1)
    if fn.type != "selector_expression":
        return False
    operand, name = a.flat(sf, fn.child_by_field_name("operand")), sf.text(fn.child_by_field_name("field"))
    if name in ("Unlock", "RUnlock"):
        return name == release and operand == key
    if "unlock" in name.lower():
        return True
    root, _, rest = key.partition(".")
    if operand != root or depth >= 2:
        return False
    for method in methods.get(name, ()):
        recv = a.receiver_name(sf, method)
        if recv is not None and first_op(sf, method, ".".join(x for x in (recv, rest) if x), release) == "release":
            return True
    return False


def body_unlocks(sf: SourceFile, lit: Node, key: str, release: str, closures, methods, depth: int) -> bool:
    return any(unlocks(sf, c, key, release, closures, methods, depth) for c in a.of_type(a.body(lit), "call_expression"))


def first_op(sf: SourceFile, fn: Node, key: str, release: str) -> str | None:
    """"release" when the first lock operation of ``fn`` on ``key`` is an unlock, "acquire"
    when it is a lock, None when it has none."""
    for c in a.of_type(a.body(fn), "call_expression"):
        m = a.method_call(sf, c)
        if m is not None and a.flat(sf, m[0]) == key:
            if m[1] == release:
                return "release"
            if m[1] in ACQUIRE:
                return "acquire"
    return None


def closures_of(sf: SourceFile, fn: Node) -> dict[str, Node]:
    """Names bound to func literals in ``fn`` and the functions around it (``doErr := func(...) {...}``)."""
    out: dict[str, Node] = {}
    for f in (fn, *(x for x in a.ancestors(fn) if x.type in a.FUNCTION_TYPES)):
        for decl in a.of_type(a.body(f), "short_var_declaration", "assignment_statement", "var_spec"):
            names = a.left_names(decl) if decl.type != "var_spec" else decl.children_by_field_name("name")
            right = decl.child_by_field_name("right") if decl.type != "var_spec" else decl.child_by_field_name("value")
            values = right.named_children if right is not None else []
            for name, value in zip(names, values):
                if value.type == "func_literal" and sf.text(name) not in out:
                    out[sf.text(name)] = value
    return out


def methods_of(sf: SourceFile) -> dict[str, list[Node]]:
    out: dict[str, list[Node]] = {}
    for m in a.of_type(sf.root, "method_declaration"):
        out.setdefault(sf.text(m.child_by_field_name("name")), []).append(m)
    return out


def declared_types(sf: SourceFile) -> dict[str, set[str]]:
    """Field names of the file's structs -> the types it declares them with."""
    out: dict[str, set[str]] = {}
    for decl in a.of_type(sf.root, "field_declaration"):
        t = decl.child_by_field_name("type")
        if t is None:
            continue
        for name in decl.children_by_field_name("name"):
            out.setdefault(sf.text(name), set()).add(a.flat(sf, t))
    return out


# ---------------------------------------------------------------------------- paths


def path(sf: SourceFile, node: Node | None, depth: int = 0) -> str | None:
    """``s.parts[i].wg`` -> ``s.parts[].wg``; ``&x.wg`` -> ``x.wg``; a local alias or range
    value is replaced by what it holds (``wg := &s.wg``, ``for _, p := range s.parts``)."""
    if node is None:
        return None
    node = a.unparen(node)
    t = node.type
    if t in ("identifier", "field_identifier"):
        name = sf.text(node)
        if depth < 3:
            held = alias(sf, name, node)
            if held is not None:
                inner = path(sf, held[0], depth + 1)
                return inner + held[1] if inner is not None else name
        return name
    if t == "selector_expression":
        inner = path(sf, node.child_by_field_name("operand"), depth)
        return f"{inner}.{sf.text(node.child_by_field_name('field'))}" if inner is not None else None
    if t == "index_expression":
        inner = path(sf, node.child_by_field_name("operand"), depth)
        return f"{inner}[]" if inner is not None else None
    if t == "unary_expression" and sf.text(node.child_by_field_name("operator")) in ("&", "*"):
        return path(sf, node.child_by_field_name("operand"), depth)
    return None


def alias(sf: SourceFile, name: str, at: Node) -> tuple[Node, str] | None:
    """What local ``name`` stands for: the value of its ``:=`` when that is a path (suffix
    ""), or the collection a range clause takes it from (suffix "[]")."""
    for x in a.ancestors(at):
        if x.type in ("function_declaration", "method_declaration"):
            break
        if x.type == "for_statement":
            clause = next((c for c in x.named_children if c.type == "range_clause"), None)
            left = clause.child_by_field_name("left") if clause is not None else None
            names = [sf.text(n) for n in left.named_children] if left is not None else []
            if len(names) == 2 and names[1] == name and a.is_within(at, x.child_by_field_name("body")):
                return clause.child_by_field_name("right"), "[]"
    value = a.defined_value(sf, name, at)
    if value is not None and value.type in ("selector_expression", "index_expression", "unary_expression"):
        return value, ""
    return None


def lock_calls(sf: SourceFile, body: Node):
    """(call, operand path, Lock/RLock) for lock statements of ``body`` outside goroutines it starts."""
    for call in a.of_type(a.body(body), "call_expression"):
        m = a.method_call(sf, call)
        if m is None or m[1] not in ACQUIRE or a.arguments(call) or call.parent is None \
                or call.parent.type != "expression_statement" or a.enclosing_goroutine(call, within=body) is not None:
            continue
        found = path(sf, m[0])
        if found is not None:
            yield call, found, m[1]


def is_mutex(types: dict[str, set[str]], key: str) -> bool:
    """Not declared in the file with a type that is not a mutex (a file lock, a custom Lock)."""
    declared = types.get(re.split(r"[.\]]", key)[-1], set()) if "." in key else set()
    return not declared or any(MUTEX_TYPE.search(t) for t in declared)


@dataclass(frozen=True)
class Held:
    key: str  # the lock's path (see path)
    kind: str  # Lock or RLock
    at: Node  # the Lock call


def held_regions(sf: SourceFile, fn: Node, g: a.Graph, types) -> list[tuple[Held, frozenset[int]]]:
    """Each lock ``fn`` takes itself, with the points of ``g`` where it is held: reached from
    the Lock on some path that neither unlocks it (a deferred unlock keeps it held) nor
    takes it again."""
    out = []
    closures = methods = None
    for call, key, kind in lock_calls(sf, fn):
        if a.enclosing_function(call) != fn or not is_mutex(types, key):
            continue
        stmt = call.parent
        if stmt.id not in g.points:
            continue
        if closures is None:
            closures, methods = closures_of(sf, fn), methods_of(sf)
        flat = a.flat(sf, call.child_by_field_name("function").child_by_field_name("operand"))
        release = ACQUIRE[kind]

        def releases(pid: int, flat=flat, release=release) -> bool:
            node = g.points[pid]
            if node.type == "defer_statement":
                return False
            return any(unlocks(sf, c, flat, release, closures, methods)
                       for part in a.own_parts(node) for c in a.of_type(part, "call_expression", skip_functions=True))

        stops = frozenset(pid for pid in g.points if pid != stmt.id and releases(pid))
        others = frozenset(pid for pid, n in g.points.items()
                           if pid != stmt.id and n.type == "expression_statement" and a.flat(sf, n) == f"{flat}.{kind}()")
        todo, seen = list(g.successors.get(stmt.id, ())), set()
        while todo:
            pid = todo.pop()
            if pid in seen or pid == a.EXIT or pid in stops or pid in others:
                continue
            seen.add(pid)
            todo.extend(g.successors.get(pid, ()))
        out.append((Held(key, kind, call), frozenset(seen)))
    return out
