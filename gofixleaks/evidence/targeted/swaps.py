"""Targeted shapes for lock-order deadlocks the stacks prove, where releasing the first
lock early (ordering.py) does not hold: the inner lock taken first, a counted loop run
after the release, a captured lock released before the send its waiter must receive.

- ``item_lock_first``: a method holding its receiver's lock looks an item up, locks the
  item's own lock until it returns, and goes on with both (moby's PR 4951: DeleteDevice
  locks the set, then the device; the delete under both drops and retakes the set's lock,
  so a second DeleteDevice holding the set waits for the device while the first, holding
  the device, waits for the set). The item's lock is taken before the set's, as every
  other site of the file does: the lookup under the set's lock, its release, the item's
  lock, then the set's again for the rest. Only where something of the file already takes
  the pair in that order (a method of the type the rest calls takes the set's lock again:
  it runs holding the item's); no function of the file may take it the other way (a method
  of the type locking the set's lock, or any other function locking anything, before it
  locks an item's lock or calls a method of another type that does); no other file of the
  package takes the item's lock; nothing that follows, nor a method of the type it calls,
  takes another item's lock (holding the set, the item locks would nest around it); and
  nothing but plain assignments (the lookup) runs before the item's lock. Review however proven: the item may be removed
  from the set between the lookup and the second holding, which the rest then acts on
  anyway; and a panic in the lookup now keeps the set's lock.
- ``count_before_release``: a method whose whole locked stretch (``r.mu.Lock()``, its
  deferred or trailing release) is ``for i := 0; i < len(r.mu.f); i++ { ... }``, ``r.mu``
  a struct that embeds the mutex beside the fields it guards (``mu struct { sync.Mutex;
  f []T }``), whose body takes, through its calls, a lock another goroutine holds while it
  waits for ``r.mu`` (cockroach's PR 10214: heartbeats sent holding the queue's lock take
  each replica's raft lock, and a replica's tick takes the queue's lock holding its raft
  lock). The count is read under the lock, the lock released, the loop run on the count.
  Only where neither the body nor any function of the file it calls (followed by name)
  names the lock's struct, every call they make is to a function of the file, a builtin,
  another package or a lock's own method (a func value could touch anything), and no
  other file of the package names the struct: the body then reads
  nothing the lock guards, and the count it would have seen under the lock is the one
  read (nobody else could change it while the lock was held). Review however proven: the
  calls no longer run under the lock, so another goroutine may now add to or reset the
  slice meanwhile (upstream also reset the queue it copied: whether the loop consumes
  the queue is a person's call).
- ``release_before_send``: a bare send ``ch <- v`` ending a func literal's locked stretch
  (``mu.Lock(); defer mu.Unlock()``, plain assignments between), ``mu`` and ``ch`` locals
  of the function around it (a sync mutex and a ``make(chan ...)``, neither handed on),
  where that function receives from ``ch`` only after it takes ``mu`` in the same block
  (a handler holding the lock sends to a test that takes the lock before it receives:
  istio's 16224). The release moves before the send. Review however proven: others may
  take the lock before the send, and see what the stretch did before it.
"""

from __future__ import annotations

from tree_sitter import Node

from ... import analysis as a
from ...edits import Fix, TextEdit, delete_line, insert_after_statement, insert_before_statement, line_comment_after
from ...source import SourceFile
from ..match import Covered
from ._base import PLAIN_RESULTS, another_function, channel, defers, is_yield, lock_call, lock_key, lock_operand, \
    used_elsewhere

_RELEASE = {"Lock": "Unlock", "RLock": "RUnlock"}
_ASSIGNS = ("short_var_declaration", "assignment_statement", "var_declaration")


def _code(block: Node | None) -> list[Node]:
    return [n for n in a.statements(block) if n.type != "comment"]


def _mode(sf: SourceFile, stmt: Node) -> str:
    return a.method_call(sf, a.unparen(stmt.named_children[0]))[1]


def _callee(sf: SourceFile, call: Node) -> str:
    fn = call.child_by_field_name("function")
    last = fn.child_by_field_name("field") if fn.type == "selector_expression" else fn
    return sf.text(last) if last is not None else ""


def _functions(sf: SourceFile, name: str) -> list[Node]:
    return [d for d in a.of_type(sf.root, "function_declaration", "method_declaration")
            if sf.text(d.child_by_field_name("name")) == name]


# ---------------------------------------------------------------------------- the item's lock first


def item_lock_first(sf: SourceFile, line: int, abspath: str) -> tuple[Fix | None, str | None]:
    """The blocked ``x.L.Lock()`` on ``line``, taken by a method holding its receiver's lock
    A after ``x`` is looked up under it (see the module's doc): the lookup, A's release,
    the item's lock, A again."""
    blocked = next((n for n in a.of_type(sf.root, "expression_statement")
                    if sf.line_col(n.start_byte)[0] == line and lock_call(sf, n, ("Lock", "RLock"))), None)
    fn = a.enclosing_function(blocked) if blocked is not None else None
    if fn is None or fn.type != "method_declaration" or blocked.parent.parent != a.body(fn):
        return None, None
    code = _code(a.body(fn))
    k = code.index(blocked)
    outer = lock_operand(sf, code[0]) if code and lock_call(sf, code[0], ("Lock",)) else None
    key = lock_key(sf, code[0], fn) if outer is not None else None
    inner = lock_operand(sf, blocked)
    if key is None or k < 3 or not defers(sf, code[1], outer, "Unlock"):
        return None, None
    root, _, field = inner.partition(".")
    lookup = code[2:k]
    declared = {sf.text(x) for n in lookup if n.type == "short_var_declaration"
                for x in n.child_by_field_name("left").named_children}
    if root not in declared or not field or "." in field:
        return None, None
    if any(n.type not in _ASSIGNS or next(a.of_type(n, "func_literal"), None) for n in lookup):
        return None, f"more than plain assignments run under {outer} before {inner} is locked: reorder the locks by hand"
    release = _RELEASE[_mode(sf, blocked)]
    j = next((i for i in range(k + 1, len(code)) if not is_yield(sf, code[i])), len(code))
    if j == len(code) or not defers(sf, code[j], inner, release) or j + 1 == len(code):
        return None, f"{inner} is not held by a deferred release for the rest of the method: reorder the locks by hand"
    recv, type_name = a.receiver_name(sf, fn), a.function_key(sf, fn)[1]
    if any(lock_operand(sf, n) == outer for n in a.of_type(fn, "expression_statement", "defer_statement") if n not in code[:2]):
        return None, f"the method takes or releases {outer} again: reorder the locks by hand"
    reached, lockers = _reached(sf, code[j + 1:], recv, type_name), _lockers(sf, type_name, field)
    if not any(lock_key(sf, n, m) == key and lock_call(sf, n, ("Lock",)) for m in reached for n in a.of_type(m, "expression_statement")):
        return None, f"nothing the method calls holding {inner} takes {outer}: the order to swap into is out of view"
    if any(_takes_item(sf, n, field, lockers) for n in [*code[j + 1:], *reached]):
        return None, f"what follows locks another .{field} lock holding {outer}: taking {inner} first would nest the " \
                     "item locks around the set's, reorder by hand"
    against = _against(sf, fn, type_name, key, field, lockers)
    if against is not None:
        return None, f"{against} takes {outer}'s lock before a .{field} lock: the other order is in use, reorder by hand"
    elsewhere = used_elsewhere(abspath, [rb"\." + field.encode() + rb"\.R?Lock\(\)"])
    if elsewhere is not None:
        return None, elsewhere
    gone = delete_line(sf, code[1])
    if gone is not None and not sf.data[gone.end:sf.data.find(b"\n", gone.end) + 1].strip():
        gone = TextEdit(gone.start, sf.data.find(b"\n", gone.end) + 1, b"")  # the lookup joins its Lock
    freed = insert_after_statement(sf, code[k - 1], f"{outer}.Unlock()")
    again = insert_before_statement(sf, code[j + 1], [f"{outer}.Lock()", f"defer {outer}.Unlock()"])
    if gone is None or freed is None or again is None or line_comment_after(sf, code[k - 1]) is not None:
        return None, "the locks' lines are shared or carry comments: reorder them by hand"
    return Fix(f"take {inner} before {outer}: look {root} up under {outer}, release it, lock {inner}, then {outer} again; "
               f"a goroutine holding {inner} takes {outer} in what follows, so holding {outer} while waiting for {inner} "
               f"deadlocks; review: {root} may be removed before {outer} is taken again",
               tuple(sorted((gone, freed, again), key=lambda e: e.start))), None


def _reached(sf: SourceFile, rest: list[Node], recv: str, type_name: str) -> list[Node]:
    """The methods of ``type_name`` that ``rest`` calls on ``recv``, followed through the
    methods they call on their own receiver."""
    seen, found, todo = set(), [], [(c, recv) for n in rest for c in a.of_type(n, "call_expression")]
    while todo:
        call, on = todo.pop()
        mc = a.method_call(sf, call)
        if mc is None or sf.text(mc[0]) != on or mc[1] in seen:
            continue
        seen.add(mc[1])
        for m in _functions(sf, mc[1]):
            if m.type == "method_declaration" and a.function_key(sf, m)[1] == type_name:
                found.append(m)
                todo += [(c, a.receiver_name(sf, m)) for c in a.of_type(a.body(m), "call_expression")]
    return found


def _lockers(sf: SourceFile, type_name: str, field: str) -> set[str]:
    """The names of the methods of other types than ``type_name`` that lock their receiver's ``.field``."""
    return {sf.text(m.child_by_field_name("name")) for m in a.of_type(sf.root, "method_declaration")
            if a.function_key(sf, m)[1] != type_name and any(
                lock_key(sf, n, m) == "." + field and lock_call(sf, n, ("Lock", "RLock"))
                for n in a.of_type(m, "expression_statement"))}


def _takes_item(sf: SourceFile, node: Node, field: str, lockers: set[str]) -> bool:
    """``node`` locks a ``.field`` lock, itself or through a call of one of ``lockers``."""
    return any(n.type == "expression_statement" and lock_call(sf, n, ("Lock", "RLock"))
               and (lock_operand(sf, n) or "").endswith("." + field)
               or n.type == "call_expression" and _callee(sf, n) in lockers for n in a.walk(node))


def _against(sf: SourceFile, fn: Node, type_name: str, key: str, field: str, lockers: set[str]) -> str | None:
    """The function of the file, other than ``fn``, that may take the pair the other way: a
    method of ``type_name`` that locks ``key`` of its receiver, or any other function that
    locks anything but a ``.field`` lock (its type is out of view), before it locks a
    ``.field`` lock itself or calls one of ``lockers``."""
    for d in a.of_type(sf.root, "function_declaration", "method_declaration"):
        mine = d.type == "method_declaration" and a.function_key(sf, d)[1] == type_name
        held = False
        for n in a.walk(d) if d != fn else ():
            item = n.type in ("expression_statement", "call_expression") and _takes_item(sf, n, field, lockers)
            if n.type == "expression_statement" and lock_call(sf, n, ("Lock", "RLock")) and not item \
                    and (not mine or lock_key(sf, n, d) == key):
                held = True
            elif held and item:
                return a.function_key(sf, d)[0]
    return None


# ---------------------------------------------------------------------------- the count read under the lock


def count_before_release(sf: SourceFile, line: int, abspath: str, c: Covered) -> tuple[Fix | None, str | None]:
    """A frame of the goroutine blocked on ``line`` holds ``r.mu`` over a counted loop over
    ``r.mu.f`` that leads to the blocked Lock (see the module's doc): the count read under
    the lock, the release, the loop on the count."""
    stack = c.site.stack
    at = next((i for i, loc in enumerate(stack) if (loc.path, loc.line, loc.function)
               == (c.site.blocked.path, c.site.blocked.line, c.site.blocked.function)), None)
    reasons = []
    for loc in stack[at + 1:] if at is not None else ():
        if loc.path != c.site.blocked.path or another_function(sf, loc.line, loc.function) is not None:
            continue
        call = next((x for x in a.of_type(sf.root, "call_expression")
                     if sf.line_col(x.child_by_field_name("arguments").start_byte)[0] == loc.line), None)
        fn = a.enclosing_function(call) if call is not None else None
        if fn is None or fn.type != "method_declaration":
            continue
        why = _counted(sf, fn, call, abspath)
        if isinstance(why, Fix):
            return why, None
        if why:
            reasons.append(why)
    return None, "; ".join(reasons) or None


def _counted(sf: SourceFile, fn: Node, call: Node, abspath: str) -> Fix | str | None:
    """The fix for method ``fn`` holding its lock over the loop around ``call``, or why not
    (None: not this shape)."""
    code = _code(a.body(fn))
    if len(code) != 3 or not lock_call(sf, code[0], ("Lock", "RLock")):
        return None
    lock, release = lock_operand(sf, code[0]), _RELEASE[_mode(sf, code[0])]
    deferred = defers(sf, code[1], lock, release)
    loop = code[2] if deferred else code[1]
    if not deferred and not (lock_call(sf, code[2], (release,)) and lock_operand(sf, code[2]) == lock):
        return None
    if loop.type != "for_statement" or not a.is_within(call, loop.child_by_field_name("body")):
        return None
    recv, _, group = lock.partition(".")
    if recv != a.receiver_name(sf, fn) or not group or "." in group or not _embeds_mutex(sf, a.function_key(sf, fn)[1], group):
        return f"{lock} is not a mutex embedded in a struct beside what it guards: what the loop may read unlocked is " \
               "out of view"
    clause = next((x for x in loop.named_children if x.type == "for_clause"), None)
    cond = clause.child_by_field_name("condition") if clause is not None else None
    count = a.unparen(cond.child_by_field_name("right")) if cond is not None and cond.type == "binary_expression" else None
    if count is None or sf.text(cond.child_by_field_name("operator")) != "<" or count.type != "call_expression" \
            or sf.text(count.child_by_field_name("function")) != "len" or len(a.arguments(count)) != 1 \
            or not sf.text(a.arguments(count)[0]).startswith(lock + "."):
        return f"the loop holding {lock} is not `for i := 0; i < len({lock}.f); i++`: copy what it needs by hand"
    if any(sf.text(x) == group for x in a.of_type(loop, "field_identifier") if not a.is_within(x, count)):
        return f"the loop reads more of {lock} than its count: copy what it needs by hand"
    named = _reaches(sf, loop.child_by_field_name("body"), group)
    if named is not None:
        return named
    elsewhere = used_elsewhere(abspath, [rb"\." + group.encode() + rb"\b"])
    if elsewhere is not None:
        return elsewhere
    if any(sf.text(x) == "n" for x in a.of_type(fn, "identifier")):
        return "n is a name in the method already: copy the count by hand"
    read = [f"n := {sf.text(count)}", f"{lock}.{release}()"]
    if deferred:
        # the release keeps the deferred one's comment; the Lock's, no longer beside it, is not aligned with it
        nl, indent = sf.newline.decode(), sf.indent_at(code[1].start_byte).decode()
        kept, opening = line_comment_after(sf, code[1]), line_comment_after(sf, code[0])
        moved = TextEdit(code[1].start_byte, kept.start_byte if kept is not None else code[1].end_byte,
                         ((nl + indent).join(read) + (" " if kept is not None else "")).encode())
        edits = (*([TextEdit(code[0].end_byte, opening.start_byte, b" ")] if opening is not None else []),
                 moved, TextEdit(count.start_byte, count.end_byte, b"n"))
    elif line_comment_after(sf, code[2]) is not None:
        return "the release's line carries a comment: copy the count by hand"
    else:
        put, gone = insert_before_statement(sf, loop, read), delete_line(sf, code[2])
        if put is None or gone is None:
            return "the loop or its release shares a line: copy the count by hand"
        edits = (put, TextEdit(count.start_byte, count.end_byte, b"n"), gone)
    return Fix(f"read {sf.text(count)} under {lock}, release it, then loop on the count: the loop's calls take a lock whose "
               f"holder waits for {lock}; review: the calls no longer run under {lock}, others may change "
               f"{sf.text(a.arguments(count)[0])} meanwhile", edits)


def _embeds_mutex(sf: SourceFile, type_name: str, group: str) -> bool:
    """Field ``group`` of struct ``type_name`` is a struct that embeds a sync mutex."""
    for spec in a.of_type(sf.root, "type_spec"):
        st = spec.child_by_field_name("type")
        if sf.text(spec.child_by_field_name("name")) != type_name or st is None or st.type != "struct_type":
            continue
        for fd in a.of_type(st, "field_declaration"):
            inner = fd.child_by_field_name("type")
            if [sf.text(n) for n in fd.children_by_field_name("name")] == [group] and inner.type == "struct_type":
                return any(not list(f.children_by_field_name("name")) and sf.text(f.child_by_field_name("type"))
                           in ("sync.Mutex", "sync.RWMutex") for f in a.of_type(inner, "field_declaration"))
    return False


_BUILTINS = {"append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new",
             "panic", "print", "println", "real", "recover"}


def _reaches(sf: SourceFile, body: Node, group: str) -> str | None:
    """Why what ``body`` calls, followed by name through the functions of the file, may
    need the lock whose struct is the field ``group``: a function naming ``group``, or a
    call that is not to a function of the file, a builtin, another package or a lock's
    own method (a func value or an outside method: what it touches is out of view)."""
    imported = {sf.text(x).split(".")[0] for x in a.of_type(sf.root, "package_identifier")}
    imported |= {sf.text(x.child_by_field_name("path")).strip('"`').rsplit("/", 1)[-1] for x in a.of_type(sf.root, "import_spec")}
    seen, todo = set(), list(a.of_type(body, "call_expression"))
    while todo:
        call = todo.pop()
        name, fn = _callee(sf, call), call.child_by_field_name("function")
        if name in seen:
            continue
        seen.add(name)
        declared = _functions(sf, name)
        if not declared:
            outside = fn.type == "selector_expression" and sf.text(fn.child_by_field_name("operand")) in imported
            if not (outside or fn.type == "identifier" and name in _BUILTINS or name in ("Lock", "Unlock", "RLock", "RUnlock")):
                return f"{sf.text(fn)}, which the loop calls, is not a function of the file: what it touches is out of view"
        for d in declared:
            if any(sf.text(x) == group for x in a.of_type(d, "field_identifier")):
                return f"{name}, which the loop calls, names {group}: it may need the lock held"
            todo += list(a.of_type(a.body(d), "call_expression"))
    return None


# ---------------------------------------------------------------------------- the release before the send


def release_before_send(sf: SourceFile, stmt: Node, state: str) -> tuple[Fix | None, str | None]:
    """A bare send on a captured local channel ending a func literal's locked stretch on a
    captured local mutex, whose receiver takes that mutex first (see the module's doc):
    the release before the send."""
    lit = a.enclosing_function(stmt)
    chan = channel(sf, stmt)
    if state != "chan send" or stmt.type != "send_statement" or chan is None or chan.type != "identifier" \
            or lit is None or lit.type != "func_literal":
        return None, None
    code = _code(a.body(lit))
    mu = lock_operand(sf, code[0]) if code and lock_call(sf, code[0], ("Lock",)) else None
    if mu is None or not mu.isidentifier() or len(code) < 3 or code[-1] != stmt or not defers(sf, code[1], mu, "Unlock"):
        return None, None
    name = sf.text(chan)
    outer = [a.local_declaration(sf, x, lit) for x in (mu, name)]
    if any(d is None or a.is_within(d, lit) for d in outer):
        return None, None
    scope = a.enclosing_function(outer[0])
    if scope is None or a.enclosing_function(outer[1]) != scope:
        return None, None
    if not _made(sf, outer[1], name, "make(chan") or not _made(sf, outer[0], mu, "sync.Mutex"):
        return None, f"{name} is not a channel made here or {mu} not a sync.Mutex declared here: their users are out of view"
    value = stmt.child_by_field_name("value")
    if not all(x.type in PLAIN_RESULTS for x in a.walk(value)) and "".join(sf.text(value).split()) != "struct{}{}":
        return None, "the value sent reads more than names and literals: it would be read after the release"
    for n in code[2:-1]:
        if n.type not in _ASSIGNS or next(a.of_type(n, "call_expression", "func_literal"), None) is not None:
            return None, f"more than plain assignments run under {mu} before the send: release it by hand"
    handed = _handed_on(sf, scope, mu, name, outer)
    if handed is not None:
        return None, handed
    receives = [x for x in a.of_type(scope, "unary_expression") if sf.text(x.child_by_field_name("operator")) == "<-"
                and sf.text(a.unparen(x.child_by_field_name("operand"))) == name]
    if not any(_locked_before(sf, x, mu) for x in receives):
        return None, f"no receive from {name} takes {mu} before it: the send is not what holds its receiver up"
    release = insert_before_statement(sf, stmt, [f"{mu}.Unlock()"])
    gone = delete_line(sf, code[1])
    if release is None or gone is None:
        return None, "the release shares its line: move it by hand"
    return Fix(f"release {mu} before the send on {name}: its receiver takes {mu} before it receives; review: others may "
               f"take {mu} before the send", tuple(sorted((release, gone), key=lambda e: e.start))), None


def _made(sf: SourceFile, decl: Node, name: str, kind: str) -> bool:
    """``decl`` declares ``name`` alone, as ``kind`` (``make(chan``, ``sync.Mutex``): ``x :=
    make(chan T)``, ``mu := sync.Mutex{}``, ``var mu sync.Mutex``."""
    if decl.type == "short_var_declaration":
        left, right = decl.child_by_field_name("left").named_children, decl.child_by_field_name("right").named_children
        return len(left) == len(right) == 1 and "".join(sf.text(right[0]).split()).startswith(kind.replace(" ", ""))
    specs = list(a.of_type(decl, "var_spec"))
    kinds = [s.child_by_field_name("type") for s in specs]
    return len(specs) == 1 and kinds[0] is not None and sf.text(kinds[0]) == kind and specs[0].child_by_field_name("value") is None


def _handed_on(sf: SourceFile, scope: Node, mu: str, name: str, decls: list[Node]) -> str | None:
    """Why ``mu`` or ``name`` may have users out of view: a mention in ``scope`` other than
    ``mu``'s Lock/Unlock calls and ``name``'s sends and receives."""
    for x in a.of_type(scope, "identifier"):
        if sf.text(x) not in (mu, name) or any(a.is_within(x, d) for d in decls):
            continue
        p = x.parent
        if sf.text(x) == mu and p.type == "selector_expression" and p.parent.type == "call_expression" \
                and sf.text(p.child_by_field_name("field")) in ("Lock", "Unlock"):
            continue
        if sf.text(x) == name and (p.type == "send_statement" and p.child_by_field_name("channel") == x
                                   or p.type == "unary_expression" and sf.text(p.child_by_field_name("operator")) == "<-"):
            continue
        return f"{sf.text(x)} is used on line {sf.line_col(x.start_byte)[0]} other than to lock, send or receive: its " \
               "users are out of view"
    return None


def _locked_before(sf: SourceFile, receive: Node, mu: str) -> bool:
    """The statement holding ``receive`` follows, in its block, a ``mu.Lock()``."""
    stmt = receive
    while stmt.parent is not None and stmt.parent.type != "statement_list":
        stmt = stmt.parent
    if stmt.parent is None:
        return False
    before = _code(stmt.parent.parent)
    return any(lock_call(sf, n, ("Lock",)) and lock_operand(sf, n) == mu for n in before[:before.index(stmt)])


# ---------------------------------------------------------------------------- a wait holding a lock up the stack


def held_across(sf: SourceFile, stmt: Node, state: str, c: Covered) -> str | None:
    """A diagnosis, no fix: the blocked send or receive runs while a frame of its own
    goroutine in this file holds a lock it took in the block of its call
    (``mu.Lock(); rc.release(); mu.Unlock()``, no release between): a partner that takes
    that lock before it sends or receives can never come (etcd's PR 7902: a follower waits
    for the next round's channel holding the rounds' lock, which the leader needs to
    start that round; upstream took the lock away from the rounds). Whether the lock may
    be released around the call is a person's call: what runs under it may need it. None
    when no frame shows it."""
    stack = c.site.stack
    at = next((i for i, loc in enumerate(stack) if (loc.path, loc.line, loc.function)
               == (c.site.blocked.path, c.site.blocked.line, c.site.blocked.function)), None)
    for loc in stack[at:] if at is not None else ():
        if loc.path != c.site.blocked.path or another_function(sf, loc.line, loc.function) is not None:
            continue
        point = stmt if loc is stack[at] else next((x for x in a.of_type(sf.root, "call_expression") if sf.line_col(
            x.child_by_field_name("arguments").start_byte)[0] == loc.line), None)
        held = _held_by_block(sf, point) if point is not None else None
        if held is not None:
            lock, taken = held
            partner = "sender or closer" if state == "chan receive" else "receiver"
            name = a.function_key(sf, a.enclosing(point, "function_declaration", "method_declaration"))[0]
            where = name if a.enclosing_function(point).type != "func_literal" else f"a func literal of {name}"
            return (f"the goroutine waits here holding {lock}: its own frame at line {loc.line}, in {where}, locked it on "
                    f"line {sf.line_col(taken.start_byte)[0]} and has not released it; a {partner} that takes {lock} first "
                    f"can never come; whether {lock} may be released before the wait (what runs under it may need it) is a "
                    "person's call")
    return None


def _held_by_block(sf: SourceFile, point: Node) -> tuple[str, Node] | None:
    """(the lock, its Lock) that an earlier statement of ``point``'s block locks, with no
    release of it between (a deferred one releases it only as the function returns)."""
    stmt = point
    while stmt.parent is not None and stmt.parent.type != "statement_list":
        stmt = stmt.parent
    if stmt.parent is None or a.enclosing_function(stmt) != a.enclosing_function(point):
        return None
    before = _code(stmt.parent.parent)
    before = before[:before.index(stmt)]
    for i, n in enumerate(before):
        if not lock_call(sf, n, ("Lock", "RLock")):
            continue
        lock = lock_operand(sf, n)
        if not any(lock_operand(sf, m) == lock and m.type != "defer_statement" for m in before[i + 1:]):
            return lock, n
    return None
