"""Targeted shapes for a goroutine blocked on a Lock some stretch of code keeps: a return,
break or continue that leaves a locked stretch, a pass holding it into the next, a lock
taken twice, or re-entered by a method its holder calls."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, TextEdit, delete_line, insert_after_statement, insert_before_statement
from ...source import SourceFile
from ._base import (
    PLAIN_RESULTS,
    defers,
    is_yield,
    lock_call,
    lock_key,
    lock_scope,
    named_call,
    struct_fields,
    used_elsewhere,
)

# ---------------------------------------------------------------------------- unlock


def unlock_before_leaving(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` (or ``RLock``) on ``line``: where a function of this file
    on the same receiver type (a func literal in one included; or a method of another type
    reaching the lock through a field of this type, ``r.client.mu``) locks ``r.mu`` (or
    read-locks it) and releases it later in the same block, a statement between the two that
    leaves the block with the lock held gets the release right before it (etcd's 5509: a read
    lock kept blocks every writer after): a `return` (whose results read nothing the lock
    may guard: none, literals, locals; moby's PR 17176, grpc's 3017), or in a loop body a
    `continue` or a `break` (cockroach's PR 584; a `break` only when nothing after the loop
    unlocks). The next Lock, of the next iteration or the next caller, would wait forever.
    Only when every Unlock is in a function that locks too (none returns the lock held for
    its caller to release) and none is deferred, and not in a function that runs holding its
    caller's lock (``...Locked``, or releasing before it takes). A loop holding the lock across iterations
    (moby's 7559: released after the loop, not in its body), or whose passes begin holding it
    (released in the body before it is taken again: nats' reconnect loop), is left alone: an
    Unlock before its `continue` would unlock twice."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    if blocked is None:
        return None, None
    scope = lock_scope(sf, blocked)
    if scope is None:
        return None, "the lock is not a receiver's field or a local: its other users are out of view"
    key, owners, type_name = scope
    calls = [(a.enclosing_function(n), n) for owner in owners for n in a.of_type(owner, "expression_statement", "defer_statement")
             if lock_key(sf, n, owner) == key] + _through_fields(sf, type_name, key)
    if any((n.type == "defer_statement" or lock_call(sf, n, ("Unlock", "RUnlock"))) and not any(
            f == fn and lock_call(sf, m, ("Lock", "RLock")) for f, m in calls) for fn, n in calls):
        return None, "a function unlocks what another locked: the lock's hand-off is a design decision"
    edits, seen = [], set()
    for fn, lock in calls:
        release = "RUnlock" if lock_call(sf, lock, ("RLock",)) else "Unlock"
        if _begins_held(sf, fn, [n for f, n in calls if f == fn]):
            continue  # it takes its caller's lock back: returning with it held is its contract
        unlocks = [n for f, n in calls if f == fn and n.start_byte > lock.end_byte and lock_call(sf, n, (release,))]
        in_block = next((n for n in unlocks if n.parent == lock.parent), None)
        if not lock_call(sf, lock, ("Lock", "RLock")) or in_block is None or any(f == fn and n.type == "defer_statement" for f, n in calls):
            continue  # not released in its own block (held across iterations may be the design), or by a defer too
        loop = lock.parent.parent.parent if lock.parent.parent is not None else None
        for leave in a.of_type(lock.parent, "return_statement", "continue_statement", "break_statement", skip_functions=True):
            if not (lock.end_byte <= leave.start_byte < in_block.start_byte) or leave.id in seen or any(
                    lock.end_byte <= u.start_byte < leave.start_byte for f, u in calls if f == fn and u.type == "expression_statement"):
                continue  # outside the locked stretch, or unlocked (or locked twice: taken_twice's) before it
            if leave.type == "return_statement":
                if not all(x.type in PLAIN_RESULTS for r in leave.named_children for x in a.walk(r)):
                    continue  # its results would be read after the Unlock
            elif leave.named_children or loop is None or loop.type != "for_statement" or _innermost(leave, leave.type) != loop \
                    or (leave.type == "break_statement" and any(u.start_byte > loop.end_byte for u in unlocks)) \
                    or (leave.type == "continue_statement" and _pass_begins_held(sf, loop, lock, [n for f, n in calls if f == fn], release)):
                continue  # labelled, not this loop's, a break the code after the loop unlocks for, or a continue into a pass that begins holding it
            edit = insert_before_statement(sf, leave, [sf.text(in_block.named_children[0])])
            if edit is None:
                return None, "a statement that leaves the locked stretch shares its line: unlock before it by hand"
            seen.add(leave.id)
            edits.append(edit)
    if not edits:
        return None, None
    return Fix(f"unlock before each return, break or continue that leaves a locked stretch holding the lock ({len(edits)})",
               tuple(edits)), None


def _begins_held(sf: SourceFile, fn: Node, stmts: list[Node]) -> bool:
    """Whether ``fn`` runs holding its caller's lock: named ``...Locked``, or its first
    statement on the lock (in order) is a release. Its Locks take the lock back after a
    stretch without it (tailscale's ``tkaSyncLocked`` around a network call), so it returns
    holding it by design, for its caller's deferred Unlock; one before its return would
    unlock twice."""
    name = fn.child_by_field_name("name") if fn.type in ("function_declaration", "method_declaration") else None
    own = sorted((n for n in stmts if n.type == "expression_statement" and a.enclosing_function(n) == fn), key=lambda n: n.start_byte)
    return (name is not None and sf.text(name).endswith("Locked")) or bool(
        own and lock_call(sf, own[0], ("Unlock", "RUnlock")))


def _pass_begins_held(sf: SourceFile, loop: Node, lock: Node, stmts: list[Node], release: str) -> bool:
    """Whether the loop's body releases the lock before it takes it at ``lock``: each pass
    begins holding it, so a ``continue`` carries it into the next pass by design (nats'
    doReconnect: "Continue to hold the lock"); an Unlock there would unlock twice."""
    body = loop.child_by_field_name("body")
    return any(a.is_within(n, body) and n.start_byte < lock.start_byte and lock_call(sf, n, (release,)) for n in stmts)


def _through_fields(sf: SourceFile, type_name: str, key: str) -> list[tuple[Node, Node]]:
    """(method, statement) for the lock statements of other types' methods that reach the
    lock through a field of type ``type_name`` (``r.client.mu.RLock()`` in a method on
    ``remoteClient``, whose field ``client`` is a ``*Client``: etcd's 5509)."""
    out = []
    for m in a.of_type(sf.root, "method_declaration"):
        owner, recv = (a.function_key(sf, m) or ("", ""))[1], a.receiver_name(sf, m)
        fields = struct_fields(sf, owner) if owner != type_name and recv else None
        for field, kind in (fields or {}).items():
            if kind.lstrip("*") != type_name:
                continue
            for n in a.of_type(m, "expression_statement", "defer_statement"):
                through = lock_key(sf, n, m)
                if through is not None and through == f".{field}{key}":
                    out.append((a.enclosing_function(n), n))
    return out


def _innermost(leave: Node, kind: str) -> Node | None:
    """The statement a `break` or `continue` leaves: its innermost loop (or, for a `break`,
    switch or select)."""
    stops = ("for_statement",) if kind == "continue_statement" else (
        "for_statement", "expression_switch_statement", "type_switch_statement", "select_statement")
    return a.enclosing(leave, *stops, stop_at=a.FUNCTION_TYPES)


# ---------------------------------------------------------------------------- a lock re-entered


def locked_variant(sf: SourceFile, line: int, abspath: str) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` (or ``RLock``) on ``line`` opens method ``m`` (after
    nothing but ``runtime.Gosched()``), released by the ``defer`` right after it or as its
    last statement, and another method of the type calls ``r.m(...)`` while it holds
    ``r.mu`` (locked earlier in a block around the call, not released in between): a sync
    mutex is not reentrant, so that goroutine waits for itself (moby's PR 36114; a second
    RLock waits too once a writer queues, syncthing's 4829). ``m``'s body moves to
    ``mLocked``, ``m`` locks and calls it, and the holding callers call ``mLocked``: every
    other caller is unchanged, and the holding ones run the body under the lock they hold.
    Where ``m`` only wraps an existing method in the lock, the holders call that. Every
    other method of the type opening with the same lock that the same holders call under it
    is split alike (kubernetes' 62464): its deadlock only waits for another schedule. Not
    when a holder has only a read lock and a method takes the write lock: the body would
    then write under a read lock."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    method = a.enclosing_function(blocked) if blocked is not None else None
    if method is None or method.type != "method_declaration" or lock_key(sf, blocked, method) is None:
        return None, None
    first = split_locked(sf, method, blocked, abspath)
    if isinstance(first, str):
        return None, first
    key, type_name = lock_key(sf, blocked, method), a.function_key(sf, method)[1]
    holders = {id(c) for c in first.holders}
    splits = [first]
    for other in a.of_type(sf.root, "method_declaration"):
        opening = next((n for n in a.statements(a.body(other)) if n.type != "comment" and not is_yield(sf, n)), None)
        if other == method or (a.function_key(sf, other) or ("", ""))[1] != type_name or opening is None \
                or not lock_call(sf, opening, ("Lock", "RLock")) or lock_key(sf, opening, other) != key:
            continue
        more = split_locked(sf, other, opening, abspath)
        if not isinstance(more, str) and any(a.enclosing_function(c) in {a.enclosing_function(h) for h in first.holders}
                                             for c in more.holders) and not holders & {id(c) for c in more.holders}:
            splits.append(more)
    edits = tuple(sorted((e for sp in splits for e in sp.edits), key=lambda e: e.start))
    names = ", ".join(sp.message for sp in splits)
    return Fix(f"{names}, for the callers already holding the lock", edits), None


@dataclass(frozen=True)
class Split:
    """A method's Locked variant: the edits that make it and point the holders at it."""

    edits: tuple[TextEdit, ...]
    holders: tuple[Node, ...]  # the calls made holding the lock
    message: str


def split_locked(sf: SourceFile, method: Node, lock: Node, abspath: str,
                 held: list[tuple[Node, str]] | None = None) -> Split | str:
    """``method`` (opening with ``lock``) split for the callers that hold that lock, or why
    not; ``held``: those calls with the lock they hold ("Lock" or "RLock"), when the caller
    knows them (lock-reentered's finding), else the file's calls `_held_calls` finds."""
    key, recv = lock_key(sf, lock, method), a.receiver_name(sf, method)
    code = [n for n in a.statements(a.body(method)) if n.type != "comment"]
    code = code[code.index(lock):] if lock in code and all(is_yield(sf, n) for n in code[:code.index(lock)]) else []
    wants = a.method_call(sf, a.unparen(lock.named_children[0]))[1]
    release = "Unlock" if wants == "Lock" else "RUnlock"
    results = method.child_by_field_name("result") is not None
    if len(code) < 2:
        return "the lock does not open its method: split the method by hand"
    if defers(sf, code[1], recv + key, release):
        kept, rest, upto = code[1], code[2:], a.body(method).end_byte - 1  # the body's closing brace
    elif code[-1].type == "expression_statement" and lock_key(sf, code[-1], method) == key and named_call(sf, code[-1], release) \
            and not results and not any(next(a.of_type(n, "return_statement", skip_functions=True), None) for n in code):
        kept, rest, upto = code[0], code[1:-1], code[-1].start_byte
    else:
        return "the lock is not released by a defer after it or as the method's last statement: split it by hand"
    if any(lock_key(sf, n, method) == key for r in rest for n in a.of_type(r, "expression_statement", "defer_statement")):
        return "the method releases or takes the lock again: split it by hand"
    type_name, name = a.function_key(sf, method)[1], sf.text(method.child_by_field_name("name"))
    held = _held_calls(sf, type_name, name, key) if held is None else held
    if not held:
        # no claim that another goroutine holds it: a callback or another type may lead back (holders)
        return f"no method of {type_name} calls {name} holding the lock"
    if wants == "Lock" and any(mode == "RLock" for _, mode in held):
        return f"a caller holds only the read lock and {name} takes the write lock: an upgrade needs a person"
    holders = tuple(c for c, _ in held)
    fields = [c.child_by_field_name("function").child_by_field_name("field") for c in holders]
    args = _forwarded(sf, method)
    wrapped = _wrapped(sf, rest, recv, args)
    if wrapped is not None:  # it only locks around a method that exists already: call that
        return Split(tuple(TextEdit(f.start_byte, f.end_byte, wrapped.encode()) for f in fields), holders,
                      f"call {wrapped} (which {name} wraps in the lock)")
    locked = _unexported(name) + "Locked"
    if any(sf.text(n) == locked for n in a.of_type(sf.root, "identifier", "field_identifier")) \
            or used_elsewhere(abspath, [rb"\b" + locked.encode() + rb"\b"]):
        return f"{locked} is already a name in its package: split the method by hand"
    if args is None:
        return f"{name} has a parameter without a name it could pass on: split the method by hand"
    close = a.body(method).end_byte - 1
    if sf.data[sf.line_start(upto):upto].strip() or sf.data[sf.line_start(close):close].strip() or any(
            sf.line_col(x.start_byte)[0] == sf.line_col(y.end_byte)[0] for x, y in zip(code[1:], code)):
        return "the method is not laid out one statement per line: split it by hand"
    nl, indent = sf.newline, sf.indent_at(lock.start_byte)
    call = ("return " if results else "") + f"{recv}.{locked}({args})"
    start = sf.data.find(b"\n", kept.end_byte) + 1  # the moved statements' leading comments go with them
    moved = sf.data[start:sf.line_start(upto)]
    while moved.startswith(nl):  # no blank line opens the new body
        moved = moved[len(nl):]
    name_node = method.child_by_field_name("name")
    signature = sf.data[method.start_byte:name_node.start_byte] + locked.encode() + sf.data[name_node.end_byte:a.body(method).start_byte]
    doc = f"// {locked} is {name} for a caller that holds {recv}'s lock.".encode()
    edits = [TextEdit(start, sf.line_start(upto), indent + call.encode() + nl),
             TextEdit(method.end_byte, method.end_byte, nl + nl + doc + nl + signature + b"{" + nl + moved + b"}")]
    edits += [TextEdit(f.start_byte, f.end_byte, locked.encode()) for f in fields]
    return Split(tuple(edits), holders, f"move {name}'s body to {locked}")


def _unexported(name: str) -> str:
    """``name`` as Go spells it unexported: a leading initialism is lowered whole
    (``IAMChangeHook`` -> ``iamChangeHook``, ``URLs`` -> ``urls``, ``Len`` -> ``len``)."""
    run = len(name) - len(name.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    plural = name[run:run + 1] == "s" and not name[run + 1:run + 2].islower()  # URLs, IDsFor
    if run > 1 and run < len(name) and name[run].isalpha() and not plural:
        run -= 1  # the last capital of the run starts the next word
    return name[:run].lower() + name[run:] if run else name


def _wrapped(sf: SourceFile, rest: list[Node], recv: str, args: str | None) -> str | None:
    """The name of ``recv.x`` when ``rest`` is only ``return recv.x(args)`` or ``recv.x(args)``
    with the method's own parameters passed on (cockroach's ``String`` around
    ``stringLocked``)."""
    if len(rest) != 1 or args is None or rest[0].type not in ("return_statement", "expression_statement"):
        return None
    call = a.unparen(rest[0].named_children[0]) if rest[0].named_children else None
    if call is not None and call.type == "expression_list" and call.named_child_count == 1:
        call = a.unparen(call.named_children[0])
    mc = a.method_call(sf, call) if call is not None else None
    if mc is None or sf.text(mc[0]) != recv or ", ".join(" ".join(sf.text(x).split()) for x in a.arguments(call)) != args:
        return None
    return mc[1]


def _held_calls(sf: SourceFile, type_name: str, name: str, key: str) -> list[tuple[Node, str]]:
    """The calls ``r.name(...)`` made directly (not in a func literal, nor started with
    ``go``) in methods of ``type_name`` while ``r``'s lock ``key`` is held, with how:
    "Lock" or "RLock"."""
    out = []
    for m in a.of_type(sf.root, "method_declaration"):
        if (a.function_key(sf, m) or ("", ""))[1] != type_name or sf.text(m.child_by_field_name("name")) == name \
                or _released_in_closure(sf, m, key):
            continue
        recv = a.receiver_name(sf, m)
        stmts = [n for n in a.of_type(m, "expression_statement", skip_functions=True) if lock_key(sf, n, m) == key]
        for call in a.of_type(m, "call_expression", skip_functions=True):
            mc = a.method_call(sf, call)
            if mc is None or mc[1] != name or sf.text(mc[0]) != recv or call.parent.type == "go_statement":
                continue  # `go r.name()` runs on a goroutine of its own, which holds nothing (tailscale's ReSTUN)
            before = [n for n in stmts if n.end_byte <= call.start_byte]
            last = before[-1] if before else None
            if last is None or not a.is_within(call, last.parent):
                continue
            mode = a.method_call(sf, a.unparen(last.named_children[0]))[1]
            if mode in ("Lock", "RLock"):
                out.append((call, mode))
    return out


def _forwarded(sf: SourceFile, method: Node) -> str | None:
    """The method's parameters as the arguments of a call passing them on (``a, b, rest...``),
    or None when one has no name (or is ``_``)."""
    names = []
    for p in a.of_type(method.child_by_field_name("parameters"), "parameter_declaration", "variadic_parameter_declaration"):
        given = [sf.text(n) for n in p.children_by_field_name("name")]
        if not given or "_" in given:
            return None
        names += [g + "..." if p.type == "variadic_parameter_declaration" else g for g in given]
    return ", ".join(names)


def _released_in_closure(sf: SourceFile, fn: Node, key: str) -> bool:
    """Whether a func literal inside ``fn`` releases the lock ``key`` (a goroutine that
    unlocks what ``fn`` locked: nats' tests hand a lock to one)."""
    return any(lock_key(sf, n, fn) == key and a.enclosing_function(n) != fn and (n.type == "defer_statement" or named_call(
        sf, n, "Unlock") or named_call(sf, n, "RUnlock")) for n in a.of_type(fn, "expression_statement", "defer_statement"))


def lock_per_pass(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` on ``line`` opens a loop's body and the loop's only
    release is the ``r.mu.Unlock()`` right after the loop: a pass that goes round again holds
    the lock into the next pass's Lock (moby's PR 7559, a `continue` past the release). Each
    pass releases instead: before each `break` and `continue` of the loop and at the end of
    the body, and the release after the loop goes. A run that leaves after one pass does the
    same; one that went round waited forever. Only when nothing else in the body touches
    the lock, nothing leaves the loop otherwise (`return`, `goto`, labels), and the loop's
    condition and post statement read only locals (they now run unlocked)."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock",))), None)
    loop = blocked.parent.parent.parent if blocked is not None and blocked.parent.type == "statement_list" else None
    if loop is None or loop.type != "for_statement" or blocked.parent.parent != loop.child_by_field_name("body"):
        return None, None
    fn = a.enclosing_function(loop)
    key = lock_key(sf, blocked, fn)
    body = [n for n in a.statements(loop.child_by_field_name("body")) if n.type != "comment"]
    after = next((n for n in a.following(loop) if n.type != "comment"), None)
    if key is None or body[0] != blocked or after is None or after.type != "expression_statement" \
            or lock_key(sf, after, fn) != key or not named_call(sf, after, "Unlock"):
        return None, None
    if any(lock_key(sf, n, fn) == key for n in a.of_type(fn, "expression_statement", "defer_statement")
           if n not in (blocked, after)):
        return None, "the function takes or releases the lock elsewhere too: release it per pass by hand"
    clause = next((c for c in loop.named_children if c.type == "for_clause"), None)
    for part in (clause.child_by_field_name(f) for f in ("condition", "update")) if clause is not None else ():
        if part is not None and next(a.of_type(part, "selector_expression", "call_expression", "index_expression"), None):
            return None, "the loop's condition reads more than locals: it ran under the lock"
    leaves = list(a.of_type(loop.child_by_field_name("body"), "return_statement", "goto_statement", "break_statement",
                            "continue_statement", skip_functions=True))
    mine = [x for x in leaves if x.type in ("break_statement", "continue_statement") and not x.named_children
            and _innermost(x, x.type) == loop]
    if any(x.type in ("return_statement", "goto_statement") or x.named_children for x in leaves):
        return None, "the loop is left by a return, goto or label: release it per pass by hand"
    unlock = sf.text(after.named_children[0])
    edits = [insert_before_statement(sf, x, [unlock]) for x in mine]
    if body[-1] not in mine:
        edits.append(insert_after_statement(sf, body[-1], unlock))
    edits.append(delete_line(sf, after))
    if any(e is None for e in edits):
        return None, "a statement the release goes beside shares its line: release it per pass by hand"
    return Fix("release the lock in every pass (before each break and continue, and at the end of the body) "
               "rather than once after the loop", tuple(edits)), None


def taken_twice(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``r.mu.Lock()`` on ``line`` follows a ``r.mu.Lock()`` of its own function,
    in a block around it, with no release between (or an ``RLock`` followed by this
    ``Lock``): every run that gets here waits for itself (grpc's PR 795, a Lock written for
    an Unlock). When a `return` follows it in its block with no release before and nothing
    deferred releases, it becomes the release; when a release follows it in its block
    before any `return`, or a deferred one waits at the return, it goes. A call between the
    two Locks that might release is the re-run's to rule out."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    fn = a.enclosing_function(blocked) if blocked is not None else None
    key = lock_key(sf, blocked, fn) if fn is not None else None
    if key is None:
        return None, None
    mine = [n for n in a.of_type(fn, "expression_statement", "defer_statement", skip_functions=True) if lock_key(sf, n, fn) == key]
    if _released_in_closure(sf, fn, key):
        return None, "a func literal of the function releases the lock: another goroutine may hand it back"
    before = [n for n in mine if n.end_byte <= blocked.start_byte and n.type == "expression_statement"]
    if not before or not a.is_within(blocked, before[-1].parent) or any(
            x.type == "for_statement" for x in a.ancestors(blocked) if x.start_byte > before[-1].start_byte and a.is_within(x, fn)):
        return None, None
    held = a.method_call(sf, a.unparen(before[-1].named_children[0]))[1]
    wants = a.method_call(sf, a.unparen(blocked.named_children[0]))[1]
    if not (held == "Lock" or (held == "RLock" and wants == "Lock")):
        return None, None
    release = "Unlock" if held == "Lock" else "RUnlock"
    deferred = any(n.type == "defer_statement" for n in mine)
    for nxt in (n for n in a.following(blocked) if n.type != "comment"):
        if nxt.type == "expression_statement" and lock_key(sf, nxt, fn) == key and named_call(sf, nxt, release):
            break  # released further on: the second Lock goes
        if nxt.type == "return_statement":
            if deferred:
                break
            field = a.unparen(blocked.named_children[0]).child_by_field_name("function").child_by_field_name("field")
            return Fix(f"{release} where the function locked a second time before returning: it held the lock already",
                       (TextEdit(field.start_byte, field.end_byte, release.encode()),)), None
    else:
        if not deferred:
            return None, "the lock is taken twice and the code after it goes on: release it by hand"
    edit = delete_line(sf, blocked)
    if edit is None:
        return None, "the second Lock shares its line: remove it by hand"
    return Fix("remove the second Lock: the function holds the lock already, and releases it after", (edit,)), None
