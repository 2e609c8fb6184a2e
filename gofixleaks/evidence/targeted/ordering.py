"""Targeted shape for a lock-order deadlock: the first lock released before the second is taken."""

from __future__ import annotations

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, TextEdit, delete_line, insert_after_statement, insert_before_statement, line_comment_after
from ...source import SourceFile
from ..match import Covered
from ._base import another_function, defers, lock_call, lock_operand, struct_fields

DOC = """\
## What it finds
A goroutine blocked on a Lock (or RLock) while a frame of its own stack, a method in the same
file, holds another lock: the method opens with `X.Lock()` and `defer X.Unlock()`, and the
statement of its top-level block at the frame's line is on the way to the blocked Lock (the
blocked Lock itself, or the call leading to it). With a goroutine that takes the two locks
in the other order, each waits for the other (holders.lock_order names the cycle).

## Why it leaks
Both goroutines wait for a lock the other holds, forever.

## When it is not reported
A lock the goroutine waits for itself (holders' shapes and diagnosis come first).

## When it is not fixed
Where a release earlier than the method's end could let the statements after it see what
the first lock guards unguarded, or leave the lock held: the receiver (the lock's root)
named after the point the release moves to; a local read under the lock used after it other
than in a nil check or as the root of its own Lock/Unlock (what its pointee's fields need is
a person's call; a comma-ok's `ok` and a `len`/`cap` are copies); a call between the Lock
and that point other than `len`/`cap` (a panic there would now keep the lock), a `return`,
`defer`, `go` or func literal there; a call named `...Locked` after it; another Lock or
Unlock of the lock in the method; a stretch that reads nothing of the receiver (the lock
then serialises the calls themselves, DeltaFIFO's Pop); a call through a method of the
receiver itself (presumed to need the lock: a `fooLocked` split is a person's call), or on a
field of struct type (a copy would be called), or in a loop that reads the receiver; a
trailing comment gofmt would realign.

## The fix
Where the receiver is last named before the statement that leads to the second lock, the
deferred release goes and the release follows that last statement (cockroach's PR 7504:
the name cache read under its lock, the lease locked after the release):

    c.mu.Lock()                             c.mu.Lock()
    defer c.mu.Unlock()           ->        l, ok := c.leases[id]
    l, ok := c.leases[id]                   c.mu.Unlock()
    if !ok {                                if !ok {
        return                                  return
    }                                       }
    l.mu.Lock()                             l.mu.Lock()

Where that statement is the last to name it and calls a method on a field of pointer or
interface type (`f.informer.controller.HasSynced()`, kubernetes' PR 30872), the field is
copied under the lock, the lock released, the copy called. Review however proven: the read
and what follows no longer happen under one holding of the lock, another goroutine may
change or remove what was read in between; and the deferred release is gone, so a panic
in a plain statement before the new release (a slice index out of range, a nil
dereference) now leaves the lock held where a recover up the stack goes on."""

_RELEASE = {"Lock": "Unlock", "RLock": "RUnlock"}
_COPIES = ("len", "cap")  # builtins whose result is a copy and that call no code
_PLAIN = ("short_var_declaration", "assignment_statement", "inc_statement", "dec_statement", "var_declaration")
_LOCKS = ("Lock", "Unlock", "RLock", "RUnlock")


def release_first(sf: SourceFile, line: int, abspath: str, c: Covered) -> tuple[Fix | None, str | None]:
    """The blocked Lock on ``line``, where a frame of its goroutine in this file holds the
    lock its method opens with (see DOC): that lock released before the second is taken,
    or why not (the first frame's reason that holds one); (None, None) when none does."""
    stack = c.site.stack
    at = next((i for i, loc in enumerate(stack) if (loc.path, loc.line, loc.function)
               == (c.site.blocked.path, c.site.blocked.line, c.site.blocked.function)), None)
    reasons = []
    for loc in stack[at:] if at is not None else ():
        if loc.path != c.site.blocked.path or another_function(sf, loc.line, loc.function) is not None:
            continue
        point = _point(sf, loc.line, first=loc is stack[at])
        fn = a.enclosing_function(point) if point is not None else None
        if fn is None or fn.type != "method_declaration":
            continue  # a func literal's frame, or a function: no receiver whose lock it holds
        code = [n for n in a.statements(a.body(fn)) if n.type != "comment"]
        if len(code) < 3 or not lock_call(sf, code[0], ("Lock", "RLock")):
            continue
        lock = lock_operand(sf, code[0])
        mode = a.method_call(sf, a.unparen(code[0].named_children[0]))[1]
        stmt = next((n for n in code[2:] if a.is_within(point, n)), None)
        if not defers(sf, code[1], lock, _RELEASE[mode]) or stmt is None:
            continue
        why = _release(sf, fn, code, lock, _RELEASE[mode], stmt)
        if isinstance(why, Fix):
            return why, None
        reasons.append(f"{a.function_key(sf, fn)[0]} holds {lock} as it goes on: {why}")
    return None, "; ".join(reasons) or None


def _point(sf: SourceFile, line: int, first: bool) -> Node | None:
    """The frame's operation on ``line``: the blocked Lock statement (``first``), else a call
    there, outside deferred and started calls."""
    if first:
        return next((n for n in a.of_type(sf.root, "expression_statement")
                     if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    return next((x for x in a.of_type(sf.root, "call_expression")
                 if sf.line_col(x.child_by_field_name("arguments").start_byte)[0] == line
                 and not any(y.type in ("defer_statement", "go_statement") for y in a.ancestors(x))), None)


def _release(sf: SourceFile, fn: Node, code: list[Node], lock: str, release: str, stmt: Node) -> Fix | str:
    """The fix for method ``fn`` whose top-level ``code`` opens with the Lock of ``lock`` and
    its deferred ``release``, holding it at ``stmt`` (see DOC), or why not."""
    root = lock.split(".")[0]
    if root != a.receiver_name(sf, fn):
        return f"{lock} is not a lock of the receiver: its other users are out of view"
    if any(lock_operand(sf, n) == lock for n in a.of_type(fn, "expression_statement", "defer_statement")
           if n not in code[:2]):
        return f"the method takes or releases {lock} again: move its release by hand"
    named = [i for i, n in enumerate(code) if i >= 2 and _names(sf, n, root)]
    if not named:
        return f"the stretch reads nothing of {root}: {lock} serialises the calls themselves (release it by hand)"
    last, at = named[-1], code.index(stmt)
    if last > at:
        return f"{root} is read after the call that takes the second lock: release {lock} by hand"
    copied = _hoisted(sf, fn, stmt, root, lock) if last == at else None
    if isinstance(copied, str):
        return copied
    point = at if copied is not None else last + 1  # the release goes before code[point]
    for n in code[2:point]:
        why = _unguarded(sf, n)
        if why:
            return why
    why = _after(sf, code[2:point], code[point:], root, lock, copied)
    if why:
        return why
    edits = _edits(sf, code, lock, release, point, copied)
    if isinstance(edits, str):
        return edits
    if copied is not None:
        path, name, call = copied
        return Fix(f"copy {sf.text(path)} under {lock}, release it, then call {name}.{call}: this goroutine held {lock} "
                   f"while the call took another lock that a goroutine holding it waits for {lock} with; review: the "
                   f"call now runs after another goroutine may have changed {sf.text(path)}", edits)
    return Fix(f"release {lock} after its last use, before the second lock is taken: this goroutine held {lock} while "
               f"another goroutine holding the second waits for {lock}; review: what was read under {lock} may change or "
               f"be removed before it is used", edits)


def _names(sf: SourceFile, node: Node, name: str) -> bool:
    return any(sf.text(n) == name for n in a.of_type(node, "identifier"))


def _hoisted(sf: SourceFile, fn: Node, stmt: Node, root: str, lock: str) -> tuple[Node, str, str] | str:
    """(the field path, the copy's name, the method) where ``stmt``, the last statement
    to name ``root``, calls a method on a field of pointer or interface type
    (``f.informer.controller.HasSynced()``), the arguments reading nothing of ``root``;
    else why not."""
    call = a.unparen(stmt.named_children[0]) if stmt.type in ("expression_statement", "return_statement") \
        and len(stmt.named_children) == 1 else None
    if call is not None and call.type == "expression_list" and call.named_child_count == 1:
        call = a.unparen(call.named_children[0])
    mc = a.method_call(sf, call) if call is not None else None
    if mc is None:
        return f"the statement that takes the second lock reads {root} itself: release {lock} by hand"
    path, method = mc
    if method in _LOCKS:
        return f"the second lock is reached through {root}: release {lock} by hand"
    fields = []
    node = a.unparen(path)
    while node.type == "selector_expression":
        fields.insert(0, sf.text(node.child_by_field_name("field")))
        node = a.unparen(node.child_by_field_name("operand"))
    if node.type != "identifier" or sf.text(node) != root or not fields or sf.text(path) == lock:
        return f"it calls {sf.text(call.child_by_field_name('function'))}, not a method of a field of {root}: a method " \
               f"or callback of {root} itself called under {lock} is presumed to need it"
    if method.endswith("Locked") or any(_names(sf, x, root) for x in a.arguments(call)):
        return f"the call {method} needs {lock} or its arguments read {root}: release {lock} by hand"
    kind = a.function_key(sf, fn)[1]
    for f in fields[:-1]:
        kind = (struct_fields(sf, kind) or {}).get(f, "").lstrip("*")
    last = (struct_fields(sf, kind) or {}).get(fields[-1]) if kind else None
    if last is None or not (last.startswith("*") or _interface(sf, last)):
        return f"{sf.text(path)} is not a field of pointer or interface type the file declares: a copy might not be " \
               "the value the call acts on"
    name = fields[-1]
    if _names(sf, fn, name):
        return f"{name} is a name in the method already: copy {sf.text(path)} by hand"
    return path, name, method


def _interface(sf: SourceFile, kind: str) -> bool:
    spec = next((s for s in a.of_type(sf.root, "type_spec") if sf.text(s.child_by_field_name("name")) == kind), None)
    return spec is not None and spec.child_by_field_name("type").type == "interface_type"


def _unguarded(sf: SourceFile, stmt: Node) -> str | None:
    """Why ``stmt``, run under the lock before the release, keeps the move from being
    exact: anything but a plain statement calling only ``len``/``cap`` (a panic in a call
    would now keep the lock)."""
    if stmt.type not in _PLAIN or any(n.type == "func_literal" for n in a.of_type(stmt, "func_literal")):
        return f"{' '.join(sf.text(stmt).split()[:3])}... runs under the lock before the release point and is not a plain " \
               "assignment: move the release by hand"
    for call in a.of_type(stmt, "call_expression"):
        callee = call.child_by_field_name("function")
        if callee.type != "identifier" or sf.text(callee) not in _COPIES:
            return f"{sf.text(callee)} is called under the lock before the release point: a panic there would now keep " \
                   "the lock; move the release by hand"
    return None


def _after(sf: SourceFile, before: list[Node], after: list[Node], root: str, lock: str,
           copied: tuple[Node, str, str] | None) -> str | None:
    """Why the statements ``after`` the release still need the lock: a name given what it
    reads of the receiver in ``before`` used other than in a nil check or as its own lock's root, or a
    ``...Locked`` call; None when nothing does."""
    values = {}  # a name assigned under the lock: whether its value is a copy (free to use after the release)
    for n in before:
        for left, right in _assigned(n):
            names = [sf.text(x) for x in left.named_children if x.type == "identifier"]
            rights = [a.unparen(x) for x in right.named_children if x.type != "comment"] if right is not None else []
            for i, name in enumerate(names):
                value = rights[i] if len(rights) == len(names) else right
                comma_ok = len(names) == 2 and len(rights) == 1 and i == 1 and \
                    rights[0].type in ("index_expression", "type_assertion_expression", "unary_expression")
                copy = value is not None and value.type == "call_expression"  # _unguarded lets only len and cap get here
                values[name] = comma_ok or copy or value is None or not _names(sf, value, root)
    for n in after:
        for x in a.of_type(n, "identifier"):
            name = sf.text(x)
            if name == root and not (copied is not None and a.is_within(x, copied[0])):
                return f"{root} is read after the release point: release {lock} by hand"
            if values.get(name) is False and not _nil_check(sf, x) and not _own_lock(sf, x):
                return f"{name}, read under {lock}, is used after the release point other than in a nil check or its " \
                       f"own Lock: whether {lock} still guards what it points to is a person's call"
        for call in a.of_type(n, "call_expression"):
            callee = call.child_by_field_name("function")
            last = callee.child_by_field_name("field") if callee.type == "selector_expression" else callee
            if sf.text(last).endswith("Locked"):
                return f"{sf.text(callee)} is called after the release point and by its name needs a lock held"
    return None


def _assigned(stmt: Node) -> list[tuple[Node, Node | None]]:
    """(left, right) of ``a, b := x, y``, ``a = x``, each spec of ``var a = x``."""
    if stmt.type in ("short_var_declaration", "assignment_statement"):
        return [(stmt.child_by_field_name("left"), stmt.child_by_field_name("right"))]
    return [(spec, spec.child_by_field_name("value")) for spec in a.of_type(stmt, "var_spec")]


def _nil_check(sf: SourceFile, x: Node) -> bool:
    parent = x.parent
    return parent is not None and parent.type == "binary_expression" and \
        sf.text(parent.child_by_field_name("operator")) in ("==", "!=") and \
        {parent.child_by_field_name("left").type, parent.child_by_field_name("right").type} == {"identifier", "nil"}


def _own_lock(sf: SourceFile, x: Node) -> bool:
    """``x.mu.Lock()`` (or its release, deferred too): the local's own lock."""
    node = x
    while node.parent is not None and node.parent.type == "selector_expression" and \
            node.parent.child_by_field_name("operand") == node:
        node = node.parent
    call = node.parent
    mc = a.method_call(sf, call) if node != x and call is not None and call.type == "call_expression" else None
    return mc is not None and mc[1] in _LOCKS and not a.arguments(call)


def _edits(sf: SourceFile, code: list[Node], lock: str, release: str, point: int,
           copied: tuple[Node, str, str] | None) -> tuple[TextEdit, ...] | str:
    """The deferred release removed and the release put before ``code[point]`` (after the
    field's copy), or why gofmt's layout cannot be kept."""
    gone = delete_line(sf, code[1], with_comment=True)
    if gone is None:
        return "the deferred release shares its line: move it by hand"
    edits = [gone]
    following = code[2] if point > 2 else None  # what will follow the Lock's line
    comment = line_comment_after(sf, code[0])
    if comment is not None:
        if following is not None and line_comment_after(sf, following) is not None:
            return "the lines around the release carry trailing comments gofmt aligns: move the release by hand"
        edits.append(TextEdit(code[0].end_byte, comment.start_byte, b" "))  # no longer aligned with the release's
    if copied is not None:
        path, name, _ = copied
        put = insert_before_statement(sf, code[point], [f"{name} := {sf.text(path)}", f"{lock}.{release}()"])
        edits.append(TextEdit(path.start_byte, path.end_byte, name.encode()))
    else:
        if line_comment_after(sf, code[point - 1]) is not None:
            return "the release would follow a trailing comment gofmt aligns: move it by hand"
        put = insert_after_statement(sf, code[point - 1], f"{lock}.{release}()")
    if put is None:
        return "the release's neighbours share their lines: move it by hand"
    return tuple(sorted([*edits, put], key=lambda e: (e.start, e.end)))
