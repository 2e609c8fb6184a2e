"""cancel-not-called: the cancel func of a derived context is discarded or not called on every path."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks.edits import SAFE, Fix, TextEdit, delete_line, insert_after_statement, insert_at_block_start
from gofixleaks.rule import Pass, Rule

DOC = """\
## What it finds
`ctx, cancel := context.WithCancel(parent)` (and `WithTimeout`, `WithDeadline` and their
`...Cause` variants, under any import name of "context") where the cancel func is
discarded with `_`, or is not called on every path out of the block that declares it: no
`defer cancel()`, and some `return`, `break` or `continue` (or the end of the block) is
reached without a `cancel()` call.

## Why it leaks
A derived context lives until it is cancelled or its parent is: it stays registered with
its parent, a `WithTimeout`/`WithDeadline` context keeps its timer, and when the parent is
a context of a custom type (one that overrides `Done`) the runtime starts a goroutine per
child that waits until cancel is called. Without cancel they live as long as the parent,
often the whole process. This is a leak in every Go version.

## When it is not reported
- cancel is deferred, or called on every path (an `if` that calls it and returns counts);
- cancel is returned, stored in a field, map or variable, passed to a function, or
  captured by a closure that is not deferred: someone else calls it (`Close`, a callback);
- a goroutine started here calls it on every path of its own;
- cancel is an existing variable (`ctx, cancel = ...`) or declared in an `if`/`switch` header.

## The fix
`defer cancel()` (`defer cancel(nil)` for `WithCancelCause`) right after the
declaration; a discarded `_` is first renamed to `cancel` (or a fresh name when `cancel` is
taken). When only one goroutine uses the context and its cancel func, the `defer` goes
first thing inside that goroutine. A `defer cancel()` that comes too late (after an early
return) is moved up rather than repeated. Calling cancel twice is harmless, so a path that
already calls it stays as it is. No fix is offered, only the finding, when the context outlives the
function (returned, stored, handed to a goroutine that may run on) or when it is made
inside a loop, where a `defer` would pile up until the function returns.
"""

WITH = ("WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause")
# how a use of the context shows that it outlives the function
_OUTLIVES = ("returned", "stored", "address")


def _declaration(call):
    """The ``ctx, cancel := call`` (or ``var ctx, cancel = call``) statement and its two names."""
    rhs = call.parent
    stmt = rhs.parent if rhs is not None and rhs.type == "expression_list" else None
    if stmt is None or len(rhs.named_children) != 1 or stmt.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return None
    lefts = a.left_names(stmt)
    return (stmt, lefts) if len(lefts) == 2 and all(n.type == "identifier" for n in lefts) else None


def _in_go_statement(node, fn) -> bool:
    """Whether ``node`` is part of a ``go`` statement of ``fn``: in what it starts, or the arguments."""
    go = a.enclosing(node, "go_statement")
    return go is not None and a.is_within(go, fn)


def _check(p: Pass, call) -> None:
    sf = p.file
    decl = _declaration(call)
    if decl is None:
        return
    stmt, (ctx_node, cancel_node) = decl
    fn_name = a.callee(sf, call)[1]
    cause = fn_name == "WithCancelCause"  # the one whose cancel func takes a cause
    discarded = sf.text(cancel_node) == "_"
    holder = a.var_declaration_of(stmt) if stmt.type == "var_spec" else stmt
    if holder.parent is None or holder.parent.type != "statement_list":
        return  # an if/switch header: the scope is the statement, rare and left alone
    if stmt.type == "assignment_statement" and not discarded:
        return  # an existing variable: whoever declared it may cancel it later
    function = a.enclosing_function(stmt)
    if function is None:
        return

    ctx = a.tuple_binding(sf, stmt, 0) if sf.text(ctx_node) != "_" else None
    ctx_uses = [a.classify(sf, r) for r in a.references(sf, ctx)] if ctx is not None else []
    cancel = None if discarded else a.tuple_binding(sf, stmt, 1)
    cancel_uses = [a.classify(sf, r) for r in a.references(sf, cancel)] if cancel is not None else []
    releases = [u for u in cancel_uses if u.kind in ("called", "deferred-call", "go-call")]

    def is_release(s) -> bool:
        """``cancel()``, ``defer cancel()``, ``go cancel()``, ``defer func() { ...cancel()... }()``."""
        return any(u.ident.parent.parent == s or a.deferred_literal(a.enclosing_function(u.ident)) == s for u in releases)

    if not discarded and _handled(sf, function, holder, cancel_uses, is_release):
        return

    if discarded:
        subject = f"the cancel func of context.{fn_name} is discarded"
    else:
        how = "not called on every path" if releases else "never called"
        subject = f"{sf.text(cancel_node)} from context.{fn_name} is {how}"
    what = "the context and its timer live" if "Timeout" in fn_name or "Deadline" in fn_name else "the context lives"
    message = f"{subject}: {what} until the parent is done (under a custom parent context, a goroutine too)"

    def no_fix(why: str) -> None:
        p.report(call, message, notes=[why])

    if stmt.type == "assignment_statement":
        return no_fix("assigned to existing variables: declare a cancel variable and defer it")
    if any(u.kind in _OUTLIVES for u in ctx_uses):
        return no_fix("the context outlives this function (returned or stored): keep its cancel func with it")
    if a.loops_between(stmt, function):
        return no_fix("made inside a loop: call cancel before the next iteration (a defer would pile up)")

    # the goroutine that alone uses the context and its cancel func owns them
    users = [u.ident for u in ctx_uses + cancel_uses if not _is_blank_assignment(sf, u.ident)]
    owner = a.sole_goroutine(users, function)
    if owner is not None and a.loops_between(a.goroutine_literal(owner), function):
        return no_fix("the goroutines started in a loop share the context: cancel it when the last one is done")
    if owner is None and any(_in_go_statement(u.ident, function) for u in ctx_uses):
        return no_fix("the context is handed to a goroutine that may outlive this function: cancel it where that goroutine ends")

    name = a.free_name(sf, stmt, "cancel") if discarded else sf.text(cancel_node)
    text = f"defer {name}({'nil' if cause else ''})"
    if owner is not None:
        edit = insert_at_block_start(sf, a.body(owner), text)
        where = "inside the goroutine that owns the context"
    else:
        edit = insert_after_statement(sf, holder, text)
        where = "after the context is made"
    if edit is None:
        return no_fix("the goroutine's body is on one line" if owner is not None else "the declaration shares its line with other code")
    edits = (TextEdit(cancel_node.start_byte, cancel_node.end_byte, name.encode()), edit) if discarded else (edit,)
    late = _late_defer(sf, holder, cancel_uses) if owner is None else None
    if late is not None:  # `defer cancel()` after an early return: move it up
        p.report(call, message, [Fix(f"move `{text}` up to right after the context is made", (edit, late), applicability=SAFE)])
        return
    prefix = f"name the cancel func {name} and " if discarded else ""
    p.report(call, message, [Fix(f"{prefix}add `{text}` {where}", edits, applicability=SAFE)])


def _late_defer(sf, holder, cancel_uses) -> TextEdit | None:
    """An edit deleting the line of a ``defer cancel()`` that comes after the declaration in
    the same block (too late: a path returns before it), when that line holds nothing else."""
    for u in cancel_uses:
        stmt = a.statement_of(u.ident)
        if u.kind == "deferred-call" and stmt.parent == holder.parent:
            return delete_line(sf, stmt)
    return None


def _handled(sf, function, holder, cancel_uses, is_release) -> bool:
    """Whether the cancel func is handed on (returned, stored, passed, captured by a closure
    that may run later) or called on every path, here or by a goroutine started here."""
    for u in cancel_uses:
        if _is_blank_assignment(sf, u.ident):
            continue  # `_ = cancel` only silences the compiler
        lit = a.enclosing_function(u.ident)
        captured = lit != function and a.goroutine_literal(lit) is None and a.deferred_literal(lit) is None
        if a.escapes(u) or captured:
            return True
    if a.every_exit_passes(sf, a.following(holder), is_release):
        return True
    goroutines = {a.enclosing_goroutine(u.ident, within=function) for u in cancel_uses} - {None}
    return any(a.every_exit_passes(sf, a.statements(a.body(g)), is_release) for g in goroutines)


def _is_blank_assignment(sf, ident) -> bool:
    """``_ = cancel``."""
    stmt = ident.parent.parent if ident.parent is not None else None
    if stmt is None or stmt.type != "assignment_statement" or ident.parent != stmt.child_by_field_name("right"):
        return False
    return all(sf.text(n) == "_" for n in stmt.child_by_field_name("left").named_children)


def run(p: Pass) -> None:
    for call in a.of_type(p.file.root, "call_expression"):
        if a.is_call_to(p.file, call, "context", WITH):
            _check(p, call)


RULE = Rule(
    name="cancel-not-called",
    summary="a context's cancel func is discarded or not called on every path -> defer cancel()",
    doc=DOC,
    run=run,
    triggers=(b"WithCancel", b"WithTimeout", b"WithDeadline"),
)
