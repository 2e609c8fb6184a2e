"""Mutex questions lock-not-released and wait-under-lock share: which calls release a lock
(directly, through a closure or a method of the file), whether a function's first operation
on a lock takes or releases it, and the file's closures, methods and field types."""

from __future__ import annotations

import re

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
