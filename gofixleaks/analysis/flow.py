"""Control flow over statement lists: loops, jumps, whether a statement runs on every path,
and whether every exit of a region passes a release."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..source import SourceFile
from .bindings import assignments, references
from .syntax import FUNCTION_TYPES, ancestors, arguments, body, callee, following, is_within, method_call, of_type, statements, unparen
from .values import value_kind


def loops_between(node: Node, outer: Node) -> list[Node]:
    """for_statements enclosing ``node`` inside ``outer`` (innermost first)."""
    out = []
    for a in ancestors(node):
        if a == outer:
            break
        if a.type == "for_statement":
            out.append(a)
    return out


def nothing_after(block: Node, stmt: Node) -> bool:
    """Whether nothing of ``block`` runs after ``stmt`` but the next pass of a loop around it."""
    node = stmt
    while node != block:
        parent = node.parent
        # an if's else, a switch's or select's other cases, a loop's header: not run after it
        if parent.type not in ("if_statement", "for_statement", "select_statement", "labeled_statement",
                               "expression_switch_statement", "type_switch_statement") \
                and any(n.type != "comment" for n in following(node)):
            return False
        node = parent
    return True


def ends_run(stmt: Node, fn: Node) -> bool:
    """Whether ``fn``'s run ends after ``stmt`` without coming back to it nor sending
    again: from ``stmt`` out through the blocks around it, in no loop of ``fn``, what
    follows has no jump and no send and reaches a ``return`` (``errCh <- err;
    close(frames); return``, or an ``if``/``else`` whose branches each send, then
    ``return``) or the end of ``fn``. A send every one of which ends its run happens once
    per run."""
    node, top = stmt, body(fn)
    while True:
        rest = [x for x in following(node) if x.type != "comment"]
        if any(x.type in _ANY_JUMP + ("send_statement",)
               or next(of_type(x, *_ANY_JUMP, "send_statement", skip_functions=True), None) for x in rest):
            return False
        if rest and rest[-1].type == "return_statement":
            return True
        block = node.parent  # its statement_list
        if block is None or block.parent == top:
            return block is not None
        outer = next((x for x in ancestors(block) if x.parent is not None and x.parent.type == "statement_list"), None)
        if outer is None or not is_within(outer, top):
            return False
        for x in ancestors(node):
            if x.type == "for_statement" or x.type in FUNCTION_TYPES:
                return False  # round a loop again, or out of the function
            if x == outer:
                break
        node = outer


def loop_kind(sf: SourceFile, loop: Node) -> str:
    """"range", "counted" (for i := 0; i < n; i++), "endless" (for {}), or "cond"."""
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        cond = [c for c in loop.named_children if c.type not in ("block", "comment")]
        return "cond" if cond else "endless"
    if clause.type == "range_clause":
        return "range"
    if clause.child_by_field_name("condition") is None:
        return "endless"
    return "counted" if clause.child_by_field_name("initializer") is not None else "cond"


def fixed_rounds(sf: SourceFile, loop: Node) -> bool:
    """Whether ``loop`` goes round a number of times fixed when it starts: a range over a
    slice, array, map, string literal or int (as the code spells its kind), a range with two
    variables over a name (``for _, f := range cg.Files``: a channel gives one; a func
    iterator is called where it is ranged over, ``range seq.All()``, which before Go 1.23
    is a collection too), or a counter ``for i := a; i < n; i++`` (or ``i = a``; any comparison
    of ``i``, stepped by ``++``, ``--``, ``+=`` or ``-=``). Not: ``for {}``, ``for cond()``, ``for
    it.Next()``, a range over a channel, an iterator or a value of unknown kind."""
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        return False
    if clause.type == "range_clause":
        left, right = clause.child_by_field_name("left"), unparen(clause.child_by_field_name("right"))
        # an unknown Go version (facts read before it is resolved) may range over a func iterator
        before_iterators = sf.go_version is not None and sf.go_version < (1, 23)
        if left is not None and len(left.named_children) == 2 and (right.type in ("identifier", "selector_expression")
                                                                   or before_iterators):
            return True
        return value_kind(sf, right, loop) in ("int", "collection", "literal")
    return counter(sf, clause) is not None


@dataclass(frozen=True)
class Counter:
    """The counter of ``for i := a; i < n; i++``: ``i``, how it starts, is compared and stepped."""

    name: str
    declared: bool  # `i := a` (not `i = a`)
    start: Node  # a
    op: str  # the comparison, written with the counter on its left: `n > i` is ">" read as "i < n"
    bound: Node  # n
    step: str  # "++", "--", "+=" or "-="


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "!=": "!="}


def counter(sf: SourceFile, clause: Node) -> Counter | None:
    """The counter of a for clause that sets one variable, compares it and steps it by
    ``++``, ``--``, ``+=`` or ``-=``; None for any other clause (``for p := head(); p !=
    nil; p = p.next``, ``for i := 0; it.Next(); i++``)."""
    init, cond, update = (clause.child_by_field_name(f) for f in ("initializer", "condition", "update"))
    names = init.child_by_field_name("left").named_children \
        if init is not None and init.type in ("short_var_declaration", "assignment_statement") else []
    values = init.child_by_field_name("right").named_children if names else []
    if len(names) != 1 or len(values) != 1 or cond is None or update is None or cond.type != "binary_expression":
        return None
    name, op = sf.text(names[0]), sf.text(cond.child_by_field_name("operator"))
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    if op not in _FLIPPED or name not in (sf.text(left), sf.text(right)):
        return None
    if sf.text(left) != name:
        op, right = _FLIPPED[op], left
    if update.type in ("inc_statement", "dec_statement"):
        step = "++" if update.type == "inc_statement" else "--"
        stepped = sf.text(update.named_children[0])
    elif update.type == "assignment_statement":
        step, stepped = sf.text(update.child_by_field_name("operator")), sf.text(update.child_by_field_name("left"))
    else:
        return None
    if stepped != name or step not in ("++", "--", "+=", "-="):
        return None
    return Counter(name, init.type == "short_var_declaration", values[0], op, right, step)


def in_open_loop(sf: SourceFile, node: Node, outer: Node) -> bool:
    """Whether ``node`` is in a loop inside ``outer`` whose rounds are not fixed when it
    starts (``fixed_rounds``): what it does may go on as long as the loop's condition says."""
    return any(not fixed_rounds(sf, loop) for loop in loops_between(node, outer))


def closed_on_exit(sf: SourceFile, fn: Node, name: str) -> bool:
    """Whether ``fn`` may close channel ``name`` as it returns: a ``defer close(name)``, or
    a deferred func literal that closes it itself or through a helper given it (minio's
    ``defer func() { ...; xioutil.SafeClose(responseCh) }()``): a call named for closing
    (``close``, ``SafeClose``, ``closeOnce``) with ``name`` among its arguments. A defer
    anywhere in the body counts, one in a branch too: for the refusals that ask, a close
    that may come is enough to make a dropped value read as a clean end."""
    for d in of_type(body(fn), "defer_statement", skip_functions=True):
        call = next((c for c in d.named_children if c.type == "call_expression"), None)
        if call is None:
            continue
        target = unparen(call.child_by_field_name("function"))
        calls = of_type(body(target), "call_expression", skip_functions=True) if target.type == "func_literal" else [call]
        for c in calls:
            f = unparen(c.child_by_field_name("function"))
            named = sf.text(f.child_by_field_name("field") if f.type == "selector_expression" else f)
            if "close" in named.lower() and any(sf.text(x) == name for x in arguments(c)):
                return True
    return False


# ---------------------------------------------------------------------------- control flow


_JUMPS = ("return_statement", "goto_statement")
_ANY_JUMP = ("goto_statement", "break_statement", "continue_statement")  # what may lead back round a loop


def exits_between(stmts: list[Node]) -> bool:
    """Whether any of ``stmts`` can leave the enclosing region (return, goto, a break or
    continue that targets a statement outside them, a call to panic/os.Exit aside)."""
    for stmt in stmts:
        for n in of_type(stmt, *_JUMPS, "break_statement", "continue_statement", skip_functions=True):
            if n.type in _JUMPS or n.named_children or not _inside_breakable(n, stmt, n.type):
                return True
    return False


def drained_result(sf: SourceFile, call: Node) -> bool:
    """Whether the one value ``call`` returns is ranged over until it is closed, with no way
    out of the loop: ``for v := range f() {...}``, or ``ch := f()`` whose only reference is
    the range of the very next statement (nothing can return between them), the loop's
    body holding no return, goto, labeled jump or break of its own (panics aside). Whoever
    feeds that channel is never left waiting: the loop takes every value until the close."""
    clause = call.parent
    if clause is not None and clause.type == "range_clause" and clause.child_by_field_name("right") == call:
        return _never_leaves(clause.parent)
    binding = assignments(sf, call)
    if binding is None or binding.statement.type != "short_var_declaration" or binding.value != call \
            or len(binding.statement.child_by_field_name("left").named_children) != 1:
        return False
    loop = binding.statement.next_named_sibling
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None) \
        if loop is not None and loop.type == "for_statement" else None
    if clause is None or sf.text(clause.child_by_field_name("right")) != binding.name:
        return False  # looked at first: most calls end here, before their references are walked
    refs = references(sf, binding)
    return len(refs) == 1 and clause.child_by_field_name("right") == refs[0] and _never_leaves(loop)


def _never_leaves(loop: Node) -> bool:
    """Whether nothing in ``loop``'s body jumps out of it: no return or goto, no labeled
    break or continue (it may name the loop or one around it), no break of its own (an
    unlabeled continue stays in some loop inside)."""
    body = loop.child_by_field_name("body")
    return not any(
        n.type in _JUMPS or n.named_children or (n.type == "break_statement" and not _inside_breakable(n, body, n.type))
        for n in of_type(body, *_JUMPS, "break_statement", "continue_statement", skip_functions=True))


def _inside_breakable(jump: Node, top: Node, kind: str) -> bool:
    """Whether unlabeled ``jump`` is caught inside ``top`` (``top`` included): a continue by
    a loop, a break by any breakable statement."""
    targets = ("for_statement",) if kind == "continue_statement" else _BREAKABLE
    for a in ancestors(jump):
        if a.type in targets:
            return True
        if a == top:
            return False
    return False


def runs_on_every_path(sf: SourceFile, stmt: Node, region_start: Node | None) -> bool:
    """Whether statement ``stmt`` is reached on every path that passes ``region_start``.

    Both must be in one statement list (``region_start`` None: from the list's start) and no
    statement in between may jump out. A deferred call that is reached runs at every exit.
    """
    lst = stmt.parent
    if lst is None or lst.type != "statement_list":
        return False
    siblings = list(lst.named_children)
    if region_start is not None and region_start not in siblings:
        return False
    start = siblings.index(region_start) + 1 if region_start is not None else 0
    end = siblings.index(stmt)
    return start <= end and not exits_between(siblings[start:end])

# ---------------------------------------------------------------------------- every exit


_BREAKABLE = ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement")
CASE_TYPES = ("expression_case", "default_case", "type_case", "communication_case")


def every_exit_passes(sf: SourceFile, stmts: list[Node], is_release, absent=None) -> bool:
    """Whether every path through ``stmts`` to their end, or out of them by return, goto, or a
    break/continue that leaves them, passes a statement for which ``is_release(stmt)`` holds
    (``cancel()``, ``defer cancel()``). ``stmts`` are the rest of a block after a declaration,
    so a name declared there is released before it goes out of scope. Conservative: a loop
    releases nothing for the code after it. ``absent(if_stmt)``, when given, says that the
    if's consequence runs only where there is nothing to release (``if err != nil && ...``
    after a request that failed): its paths count as released."""
    if not stmts:
        return False
    ok, out = _flow(sf, stmts, False, (is_release, absent), 0, (stmts[0].start_byte, stmts[-1].end_byte), {})
    return ok and out is not False


def _flow(sf: SourceFile, stmts, released: bool, preds, nested: int, region, exits) -> tuple[bool, bool | None]:
    """(no exit is unreleased, released at the fall-through end; None: no fall-through).
    ``preds``: every_exit_passes's (is_release, absent).
    ``nested``: breakable statements entered, which catch an unlabeled break; ``region``:
    the byte range analysed, where a labeled statement catches a break to its label;
    ``exits``: for each loop being analysed (by node id), the state at each break leaving it."""
    for i, s in enumerate(stmts):
        if released:
            for rest in stmts[i:]:
                _note_breaks(sf, of_type(rest, "break_statement", skip_functions=True), True, exits)
            return True, True
        t = s.type
        if t == "comment":
            continue
        if preds[0](s):
            released = True
        elif t == "return_statement" or t == "goto_statement":
            return False, None
        elif t in ("break_statement", "continue_statement"):
            if t == "break_statement":
                _note_breaks(sf, [s], released, exits)
            # a jump caught inside joins the code after its target, approximated by its entry state
            return (nested > 0 and not s.named_children) or _label_within(sf, s, region), None
        elif never_returns(sf, s):
            return True, None
        elif t == "block":
            ok, out = _flow(sf, statements(s), released, preds, nested, region, exits)
            if not ok or out is None:
                return ok, None
            released = out
        elif t == "labeled_statement":
            inner = [c for c in s.named_children if c.type != "label_name"]
            ok, out = _flow(sf, inner, released, preds, nested, region, exits)
            if not ok or out is None:
                return ok, None
            released = out
        elif t == "if_statement":
            alt = s.child_by_field_name("alternative")
            nothing = preds[1] is not None and preds[1](s)
            ok1, out1 = _flow(sf, statements(s.child_by_field_name("consequence")), released or nothing, preds, nested, region, exits)
            if alt is None:
                ok2, out2 = True, released
            else:
                ok2, out2 = _flow(sf, statements(alt) if alt.type == "block" else [alt], released, preds, nested, region, exits)
            outs = [o for o in (out1, out2) if o is not None]
            if not (ok1 and ok2) or not outs:
                return ok1 and ok2, None
            released = all(outs)
        elif t in _BREAKABLE:
            if t == "for_statement":
                exits[s.id] = []
                ok, _ = _flow(sf, statements(s.child_by_field_name("body")), released, preds, nested + 1, region, exits)
                leaving = exits.pop(s.id)
                if not ok:
                    return False, None
                every_break_seen = len(leaving) >= len(loop_breaks(s))
                if loop_kind(sf, s) == "endless":
                    if not leaving and not breaks_out_of(s):
                        return True, None
                    released = every_break_seen and all(leaving)  # only breaks get past it
                else:
                    released = released and every_break_seen and all(leaving)  # or the condition
                continue
            cases = [c for c in s.named_children if c.type in CASE_TYPES]
            outs = []
            for c in cases:
                ok, out = _flow(sf, statements(c), released, preds, nested + 1, region, exits)
                if not ok:
                    return False, None
                outs.append(released if out is None else out)
            if t != "select_statement" and not any(c.type == "default_case" for c in cases):
                outs.append(released)  # no case matched
            released = all(outs) if outs else released
    return True, released


def _note_breaks(sf: SourceFile, breaks, released: bool, exits) -> None:
    for brk in breaks:
        target = break_target(sf, brk)
        if target is not None and target.id in exits:
            exits[target.id].append(released)


def break_target(sf: SourceFile, brk: Node) -> Node | None:
    """The statement a break leaves: the innermost breakable one, or the labeled one."""
    if brk.named_children:
        labeled = _labeled(sf, brk)
        return next((c for c in labeled.named_children if c.type in _BREAKABLE), None) if labeled is not None else None
    for x in ancestors(brk):
        if x.type in FUNCTION_TYPES:
            return None
        if x.type in _BREAKABLE:
            return x
    return None


def _label_within(sf: SourceFile, jump: Node, region: tuple[int, int]) -> bool:
    """Whether labeled ``jump`` targets a statement inside ``region``."""
    target = _labeled(sf, jump)
    return target is not None and region[0] <= target.start_byte and target.end_byte <= region[1]


def _labeled(sf: SourceFile, jump: Node) -> Node | None:
    """The labeled_statement that ``jump`` (break, continue, goto) names, if it encloses it."""
    label = next((c for c in jump.named_children if c.type == "label_name"), None)
    if label is None:
        return None
    for x in ancestors(jump):
        if x.type in FUNCTION_TYPES:
            return None
        if x.type == "labeled_statement" and sf.text(x.child_by_field_name("label")) == sf.text(label):
            return x
    return None


# Calls after which control does not go on: the process, the goroutine or the test ends.
_NO_RETURN = {(None, "panic"), ("os", "Exit"), ("runtime", "Goexit")} | {
    ("log", f) for f in ("Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln")
}
_FATAL = ("Fatal", "Fatalf", "Fatalln")  # any logger's: by convention they exit
_NO_RETURN_METHODS = _FATAL + ("FailNow", "Skip", "Skipf", "SkipNow")  # and testing.TB's


def never_returns(sf: SourceFile, stmt: Node) -> bool:
    """Whether statement ``stmt`` is a call that does not return (panic, os.Exit, log.Fatal,
    t.Fatal, runtime.Goexit, ...)."""
    call = unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    if call is None or call.type != "call_expression":
        return False
    c = callee(sf, call)
    if c is not None:
        return c in _NO_RETURN or (c[0] is not None and c[1] in _FATAL)
    m = method_call(sf, call)
    return m is not None and m[1] in _NO_RETURN_METHODS


def loop_breaks(loop: Node) -> list[Node]:
    """The breaks that leave ``loop``: its own unlabeled ones and any labeled one (not followed)."""
    return [
        b
        for b in of_type(loop, "break_statement", skip_functions=True)
        if b.named_children or next((a for a in ancestors(b) if a.type in _BREAKABLE), None) == loop
    ]


def breaks_out_of(loop: Node) -> bool:
    """Whether some break leaves ``loop``."""
    return bool(loop_breaks(loop))
