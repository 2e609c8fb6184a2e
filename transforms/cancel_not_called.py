"""cancel-not-called: the cancel func of a derived context is dropped on some path before it is called."""

from __future__ import annotations

import re

from gofixleaks import analysis as a
from gofixleaks.analysis.handles import EVERY_BRANCH, EXITS, LEAVES, OVERWRITES, REMADE
from gofixleaks.edits import (
    REVIEW,
    SAFE,
    Fix,
    TextEdit,
    delete_line,
    insert_after_statement,
    insert_at_block_start,
    insert_before_statement,
)
from gofixleaks.rule import Pass, Rule

from . import _release as release

DOC = """\
## What it finds
A cancel func that is dropped before it is called, on any path. It comes from
`context.WithCancel`, `WithTimeout`, `WithDeadline` and their `...Cause` variants (under
any import name of "context" or "golang.org/x/net/context"), `signal.NotifyContext`, or a
function of the same package, or an exported one of another package of the same module,
that returns a context with its cancel func (a wrapper such as `withTimeout(parent)
(context.Context, context.CancelFunc)`), and is held in a local
variable, declared there (`ctx, cancel := ...`) or assigned (`ctx, cancel = ...`):
- it is discarded with `_`;
- some `return`, `break`, `continue` or the end of its block is reached without calling
  it, deferring it or handing it on (returned, stored, passed, captured by a closure):
  typically an early return before the line that stores it in the value being built;
- it is overwritten (a retry re-assigns `ctx, cancel =`) or made again by a loop before
  the old one was called;
- `defer cancel()` inside a loop: it runs only when the function returns, so every
  iteration's context lives until then;
- the only deferred call cancels it under a condition (`defer func() { if err != nil {
  cancel() } }()`) and a path that does not report an error returns without handing it on.

## Why it leaks
A derived context lives until it is cancelled or its parent is: it stays registered with
its parent, a `WithTimeout`/`WithDeadline` context keeps its timer, and when the parent is
a context of a custom type (one that overrides `Done`) the runtime starts a goroutine per
child that waits until cancel is called. Without cancel they live as long as the parent,
often the whole process, or until the deadline passes. This is a leak in every Go version.

## When it is not reported
- cancel is deferred, called, or handed on (returned, stored in a field, map or variable,
  passed to a function, captured by a closure that is not deferred) on every path;
- a goroutine started here calls it on every path of its own; a deferred func calls it on
  every path (a `cancel != nil` check around the call counts), or under a condition on
  paths that return an error;
- the path that skips it first receives from `ctx.Done()` (or from its parent's `Done()`, or
  from a field of a value just built around it, `lp := &proxy{ctx: cctx}; <-lp.ctx.Done()`),
  goes on only when `ctx.Err() != nil` or `context.Cause(ctx) != nil` (or the parent's),
  or only when an error is
  `context.DeadlineExceeded` or `Canceled` (gRPC's codes of them too; in a test, the other
  branch only failing the test counts too): a done context has released everything
  already, and a done parent cancels its children;
- the path cannot be taken while the context is held: it goes through the `ctx == nil`
  branch of an `if` (`if ctx != nil { continue }` before making it again), and the variable
  is only ever assigned a maker's context (never nil) or `nil` right after a statement that
  calls cancel (a REPL's `stop` command: `cancel(); ctx = nil`); or, in a test, it goes
  through a branch that fails the test itself (`t.Errorf(...); continue`): a passing run
  never takes it;
- it is dropped only where package main's `main` returns (or discarded there), outside any
  loop: the process ends with it, and nothing is made again;
- the line carries `//nolint:govet` (golangci-lint's govet runs vet's lostcancel, which
  reports the same dropped cancel);
- a `defer cancel()` inside a loop of a `WithTimeout` context whose timeout is a constant
  under a second (a literal; a constant, or a package variable nothing writes, of any file
  of the package; an exported one of another package of the module; a local set once from
  one of those), or of a `WithDeadline` context at `time.Now().Add(d)` with such a `d`: its
  deadline frees it about as soon as the end of the iteration would; up to 5 s when every
  loop around the `defer` goes round a fixed number of times (a range over a collection or
  a count, `for i := 0; i < n; i++`): a bounded number of contexts, each freed by its own
  timer within seconds (a test's few receives with 1-5 s timeouts). A loop that goes round
  until a condition (a poll until a deadline) or a longer timeout is still reported;
- the same when the timeout has no value in view at all: built only of parameters, fields
  and computed locals (raft's `c.conf.CommitTimeout`, a random test delay). The context's
  own timer frees it, and nothing shows that happens long after its iteration. A package
  variable that something writes still counts by its declared value;
- a `defer cancel()` inside a loop whose context, or a value derived from it (a stream, a
  watch channel), is stored in a variable outside the loop or handed to a goroutine: it is
  meant to live until the function returns;
- cancel is a parameter, a result, a package-level variable or one of an enclosing
  function, or is declared in an `if`/`switch` header: its owner is elsewhere;
- cancel is stored in a field of a value built here that was handed on (stored, passed,
  returned) before the field was set: whoever holds the value now releases it (grpc's
  `cc.conns = append(cc.conns, ac)`, then `ac.ctx, ac.cancel = context.WithCancel(...)`);
- it comes from a maker whose last result is an error or a flag, and the `if err != nil`
  or `if !ok` right after it leaves: a failed call returns no cancel func (temporal's
  `ctx, cancel, ok := h.contextWithTimeoutFromHTTPRequest(w, r); if !ok { return }`);
- it comes from a wrapper (not a context package's maker) that also returns a flag, and
  every use of it sits under `if flag` or a conjunction with it (`if flag && x`; dubbo-go's
  `ctx, flag, cancel := applyDefaultTimeout(ctx, timeout); if flag { defer cancel() }`): the wrapper returns a
  cancel func only with the flag set, nil otherwise; a `defer cancel()` outside the guard
  panics on nil;
- it is discarded from a maker that also returns an error, and the next statement fails
  the test unless that error is set (`require.Error(t, err)`, `assert.ErrorIs`, `if err
  == nil { t.Fatal(...) }`): in a passing run the call failed and returned no cancel func.

## When it is not fixed
- the context outlives the function (returned, stored) or is handed to a goroutine that may
  run on: cancelling it when the function returns would stop that work;
- goroutines started in a loop share it: no single one may cancel it for the others;
- it is handed to a call named for queueing work to run later (`Publish`, `Enqueue`,
  `Submit`, `Schedule`, `Dispatch`, `Post`, `Broadcast`, `Emit`, `Produce`, `...Async`):
  the context may go with the queued work as its deadline (xray-core's routing stats keep
  it with each message and drop the message once it is done);
- a value derived from the context (a response, a stream) is kept past the point where the
  fix would cancel it, or returned there; where the cancel is discarded, a value made from a
  request that carries the context (`req.WithContext(ctx)`, `http.NewRequestWithContext`)
  and returned itself, or a field, the address or a literal of it (v2ray's enrollment
  client returns the response, whose body its caller reads later; `return
  io.ReadAll(resp.Body)` reads it before the deferred cancel runs, and is fixed);
- an overwrite derives the new context from the old one (`ctx, cancel =
  context.WithTimeout(ctx, d)`): cancelling the old first would cancel the new;
- the cancel func is handed on somewhere: a `defer` would cancel what someone else owns
  (the fix then calls it only on the paths that drop it);
- the lines the fix needs are shared with other code (`a; b`, a one-line block).

## The fix
- `defer cancel()` (`defer cancel(nil)` for `WithCancelCause`) right after the declaration
  when cancel is never handed on (a discarded `_` is first renamed to `cancel`, or a fresh
  name when `cancel` is taken); first thing inside the goroutine when only one goroutine
  uses the context and its cancel func; a `defer cancel()` that comes too late (after an
  early return) is moved up rather than repeated. Safe: it only releases.
- `cancel()` right before each `return`, `break` or `continue` that drops it (and after the
  last statement of a block that ends with it held) when cancel is handed on elsewhere or
  made inside a loop. Safe: it releases only on paths that dropped it.
- `cancel()` (or `if cancel != nil { cancel() }` when the variable may still be nil) right
  before the statement that overwrites it. Safe.
- `defer cancel()` inside a loop becomes `cancel()` at the end of each iteration and before
  every `continue`, `break` and `return` that leaves it. Review: the context now ends with
  its iteration, not with the function.
Calling cancel twice is harmless, so a path that already calls it stays as it is.
"""

WITH = ("WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause")
_CAUSE = ("WithCancelCause",)  # whose cancel func takes a cause
_NOTIFY = "signal.NotifyContext"
# how a use of the context shows that it outlives the function
_OUTLIVES = ("returned", "stored", "address")


def _maker(sf, call, wrappers, package) -> tuple[str, int, int] | None:
    """(name shown, position of the cancel func, number of results) when ``call`` makes a
    context with its cancel func; ``wrappers``: the package's own makers (see
    PackageFacts.cancel_makers); ``package``: its facts, for the makers of same-module
    packages it imports."""
    c = a.callee(sf, call)
    if c is not None and c[0] in a.CONTEXT_PACKAGES and c[1] in WITH:
        return f"context.{c[1]}", 1, 2
    if c is not None and c == ("os/signal", "NotifyContext"):
        return _NOTIFY, 1, 2
    fn = call.child_by_field_name("function")
    if c is not None and c[0] is None:
        found = wrappers.get((c[1], False))
    elif c is not None and package is not None:
        found = package.imported_maker(*c)
    elif fn is not None and fn.type == "selector_expression" and sf.text(fn.child_by_field_name("operand")) not in sf.imports:
        found = wrappers.get((sf.text(fn.child_by_field_name("field")), True))
    else:
        return None
    return (sf.text(fn), *found) if found is not None else None


def _declaration(call, results: int):
    """The ``ctx, cancel := call`` (or ``=``, or ``var ctx, cancel = call``) statement and its names."""
    rhs = call.parent
    stmt = rhs.parent if rhs is not None and rhs.type == "expression_list" else None
    if stmt is None or len(rhs.named_children) != 1 or stmt.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return None
    if stmt.type == "assignment_statement" and stmt.child_by_field_name("operator").type != "=":
        return None
    lefts = a.left_names(stmt)
    return (stmt, lefts) if len(lefts) == results else None


def _check(p: Pass, call, maker: str, at: int, results: int) -> None:
    sf = p.file
    decl = _declaration(call, results)
    if decl is None:
        return
    stmt, lefts = decl
    if _holds_nothing(sf, call, maker):
        return
    cancel_node = lefts[at]
    ctx_node = next((n for i, n in enumerate(lefts) if i != at and n.type == "identifier" and sf.text(n) != "_"), None)
    holder = a.var_declaration_of(stmt) if stmt.type == "var_spec" else stmt
    if holder.parent is None or holder.parent.type != "statement_list":
        return  # an if/switch header: the scope is the statement, rare and left alone
    function = a.enclosing_function(stmt)
    if function is None:
        return
    cause = maker.endswith(_CAUSE)
    timed = "Timeout" in maker or "Deadline" in maker
    what = "the context and its timer live until the deadline or" if timed else "the context lives"
    why = f"{what} until the parent is done (under a custom parent context, a goroutine too)"
    if maker == _NOTIFY:
        why = "the signal registration and the goroutine that watches it live until the parent is done"
    if cancel_node.type == "selector_expression":
        return _field_of_local(p, call, stmt, cancel_node, maker, cause, why)
    if cancel_node.type != "identifier":
        return  # an element of a map or slice: its owner releases it
    discarded = sf.text(cancel_node) == "_"
    if discarded:
        cancel = None
    elif stmt.type == "assignment_statement":
        cancel = a.binding_of(sf, cancel_node)
        if cancel is None:
            return  # a parameter, result, or a variable of an enclosing function or the package
    else:
        cancel = a.tuple_binding(sf, stmt, at)
    ctx = a.binding_of(sf, ctx_node) if ctx_node is not None and stmt.type == "assignment_statement" else (
        a.tuple_binding(sf, stmt, lefts.index(ctx_node)) if ctx_node is not None else None
    )
    ctx_uses = [a.classify(sf, r) for r in a.references(sf, ctx)] if ctx is not None else []
    # a wrapper that also returns an error (`client, ctx, cancel, err := NewClient(c)`)
    # returns no cancel func with it: its check's error branch has nothing to call
    err = lefts[-1] if results > 2 and at != results - 1 and lefts[-1].type == "identifier" else None
    failed = (holder, sf.text(err)) if err is not None and sf.text(err) != "_" else None

    if cancel is not None and _guarded_by_flag(sf, call, lefts, at, cancel):
        return  # the wrapper's flag says when there is a cancel func to call
    if discarded and failed is not None and _required_to_fail(sf, holder, failed[1]):
        return  # a passing run has the error, and so no cancel func
    if discarded and _ends_process(sf, function, stmt):
        return  # main's one context lives as long as the process, by design
    if discarded:
        return _discarded(p, call, stmt, holder, cancel_node, ctx_uses, maker, cause, f"the cancel func of {maker} is discarded: {why}",
                          failed)

    life = a.follow(sf, cancel, holder, function, _is_release, settled=_settled(sf, call, ctx, function, failed, cancel.name))
    if not life.drops and not life.deferred_in_loop:
        return
    if not life.deferred_in_loop and all(d.how == EXITS for d in life.drops) and _ends_process(sf, function, stmt):
        return  # dropped only where main returns: the process ends with it
    name = cancel.name
    message = f"{name} from {maker} {_how(sf, life)}: {why}"
    if not life.drops:
        if _frees_itself(p, call, maker, life.deferred_in_loop[0]):
            return  # its deadline frees it before many can pile up, or nothing shows it does not
        return _deferred_in_loop(p, call, message, life, ctx, cause)
    overwritten = [d for d in life.drops if d.how in (OVERWRITES, REMADE)]
    if overwritten:
        return _overwritten(p, call, message, life, ctx, ctx_uses, overwritten, cause)
    handed = bool(life.handed_on) or any(
        a.escapes(u) and u.kind != "assigned" and not _blank(sf, u) for u in (a.classify(sf, r) for r in a.references(sf, cancel))
    )
    if handed or a.loops_between(stmt, function):
        return _release_at_drops(p, call, message, life, _context_names(sf, life, ctx), ctx_uses, _call_text(name, cause))
    _defer_after(p, call, message, stmt, holder, life, ctx_uses, name, cause, rename=None, failed=failed)


def _guarded_by_flag(sf, call, lefts, at: int, cancel: a.Binding) -> bool:
    """A wrapper (not a context package's maker) that also returns a flag, and every use of
    its cancel func sits under ``if flag`` or ``if flag && x`` (dubbo-go's ``ctx, flag, cancel :=
    applyDefaultTimeout(ctx, timeout); if flag { defer cancel() }``): the wrapper hands a
    cancel func only with the flag set, nil otherwise, so the guard is its contract, and a
    `defer cancel()` outside it would call nil."""
    c = a.callee(sf, call)
    if c is not None and c[0] in a.CONTEXT_PACKAGES:
        return False
    flags = {sf.text(n) for i, n in enumerate(lefts) if i != at and n.type == "identifier" and sf.text(n) != "_"}
    refs = [r for r in a.references(sf, cancel) if r not in lefts]
    if not refs:
        return False
    for r in refs:
        guard = next((n for n in a.ancestors(r) if n.type == "if_statement"
                      and a.is_within(r, n.child_by_field_name("consequence"))), None)
        cond = guard.child_by_field_name("condition") if guard is not None else None
        if cond is None or not flags.intersection(_conjuncts(sf, cond)):
            return False
    return True


def _conjuncts(sf, cond) -> list[str]:
    """The text of each operand of the ``&&`` chain ``cond`` (``flag && d > 0``: both must
    hold for its branch to run), or of ``cond`` itself."""
    cond = a.unparen(cond)
    if cond.type == "binary_expression" and cond.child_by_field_name("operator").type == "&&":
        return _conjuncts(sf, cond.child_by_field_name("left")) + _conjuncts(sf, cond.child_by_field_name("right"))
    return [sf.text(cond)]


def _how(sf, life: a.Lifecycle) -> str:
    """How the cancel func is lost, for the message."""
    first = life.drops[0] if life.drops else None
    line = lambda n: sf.line_col(n.start_byte)[0]  # noqa: E731
    if first is None:
        at = line(life.deferred_in_loop[0])
        return f"is deferred inside a loop (line {at}), so every iteration's context waits for the function to return"
    for d in life.drops:
        if d.how == OVERWRITES:
            return f"is overwritten at line {line(d.at)} before it is called"
        if d.how == REMADE:
            return "is made again by the loop before it is called"
    if any(d.conditional for d in life.drops):
        return "is not called on every path: the deferred func calls it only under a condition"
    return "is not called on every path" if life.releases or life.handed_on or life.shared else "is never called"


def _is_release(u: a.Use) -> bool:
    return u.kind in ("called", "deferred-call", "go-call")


def _settled(sf, call, ctx, function, failed: tuple | None = None, cancel: str | None = None) -> a.Settled:
    """What shows that the context is done: ``<-ctx.Done()``, the same through a value just
    built around it (``lp := &proxy{ctx: cctx}``; ``<-lp.ctx.Done()``) or on its parent
    (``<-parent.Done()``, a done parent cancels its children), ``if ctx.Err() != nil``; or
    that there is no context: ``failed`` = (the maker's statement, its error's name), whose
    ``if err != nil`` right after it is taken when the maker failed; or that the path cannot
    be taken while the context is held: its ``ctx == nil`` branch, when ``ctx`` is set to nil
    only right after ``cancel`` (named so) is called (nomad's REPL makes a context again
    only once ``stop`` cancelled and cleared the last one); a test's branch that fails it."""
    args = a.arguments(call)
    c = a.callee(sf, call)
    parent = a.unparen(args[0]) if args and c is not None and c[0] in a.CONTEXT_PACKAGES else None  # a wrapper's may not be
    parent = (a.binding_of(sf, parent) or a.parameter(sf, function, parent)) if parent is not None and parent.type == "identifier" else None
    contexts = [b for b in (ctx, parent) if b is not None]
    held = [h for b in contexts for h in a.holders(sf, function, b.name)]
    fields = {(b.name, f) for b, f in held}
    texts = {b.name for b in contexts} | {f"{b.name}.{f}" for b, f in held}

    def by_use(u: a.Use) -> bool:
        node = u.ident
        if u.kind == "field" and (sf.text(u.ident), u.detail) in fields:
            node = u.ident.parent
        elif u.kind != "method":
            return False
        return _receives_done(sf, node)

    cleared = ctx is not None and cancel is not None and _cleared_after_cancel(sf, ctx, cancel)

    def by_branch(sf, s) -> int | None:
        done = _done_branch(sf, s, texts)
        if done is None and cleared:
            done = _nil_branch(sf, s, ctx.name)
        if done is None:
            done = _failing_branch(sf, s)
        return done if done is not None or failed is None else _failed_branch(sf, s, *failed)

    return a.Settled((*contexts, *(b for b, _ in held)), by_use, by_branch)


def _receives_done(sf, operand) -> bool:
    """``<-x.Done()`` around the expression ``operand``."""
    sel = operand.parent
    call = sel.parent if sel is not None and sel.type == "selector_expression" and sel.child_by_field_name("operand") == operand else None
    done = call is not None and call.type == "call_expression" and sf.text(sel.child_by_field_name("field")) == "Done"
    return done and call.parent is not None and call.parent.type == "unary_expression" and (
        call.parent.child_by_field_name("operator").type == "<-"
    )


_DONE_ERRORS = {("context", "DeadlineExceeded"), ("context", "Canceled"), ("google.golang.org/grpc/codes", "DeadlineExceeded"),
                ("google.golang.org/grpc/codes", "Canceled")}


def _done_branch(sf, if_stmt, contexts: set[str]) -> int | None:
    """Which branch of ``if_stmt`` runs only once the context is done: the one where an error
    equals ``context.DeadlineExceeded`` (or ``Canceled``, or gRPC's codes of them), as in
    ``if err != context.DeadlineExceeded { t.Fatal(err) }`` after waiting on the context, or
    where ``x.Err() != nil`` for one of ``contexts`` (the context, its parent, a field
    holding it)."""
    cond = if_stmt.child_by_field_name("condition")
    cond = a.unparen(cond) if cond is not None else None
    if cond is not None and cond.type == "binary_expression" and if_stmt.child_by_field_name("initializer") is None:
        err = _err_test(sf, cond, contexts)
        if err is not None:
            return err
    if cond is not None and cond.type == "call_expression" and a.callee(sf, cond) == ("errors", "Is"):
        args = a.arguments(cond)
        done = 0 if len(args) == 2 and _is_done_error(sf, args[1]) else None
    elif cond is None or cond.type != "binary_expression":
        return None
    else:
        op = sf.text(cond.child_by_field_name("operator"))
        if op not in ("==", "!=") or not any(_is_done_error(sf, cond.child_by_field_name(f)) for f in ("left", "right")):
            return None
        done = 0 if op == "==" else 1
    # the other branch, taken while the context may still run, only fails the test: a
    # passing run never keeps it
    other = if_stmt.child_by_field_name("consequence" if done == 1 else "alternative")
    return EVERY_BRANCH if done is not None and _fails_test(sf, other) else done


def _err_test(sf, cond, contexts: set[str]) -> int | None:
    """0 for ``x.Err() != nil`` or ``context.Cause(x) != nil``, 1 for the same ``== nil``
    (``x`` one of ``contexts``): the branch taken once it is done (Cause is nil until the
    context is done)."""
    op = sf.text(cond.child_by_field_name("operator"))
    sides = [a.unparen(cond.child_by_field_name(f)) for f in ("left", "right")]
    if op not in ("==", "!=") or "nil" not in (sf.text(x) for x in sides):
        return None
    call = next((x for x in sides if x.type == "call_expression"), None)
    m = a.method_call(sf, call) if call is not None else None
    c = a.callee(sf, call) if call is not None else None
    args = a.arguments(call) if call is not None else []
    if m is not None and m[1] == "Err" and sf.text(m[0]) in contexts:
        return 0 if op == "!=" else 1
    if c is not None and c[0] in a.CONTEXT_PACKAGES and c[1] == "Cause" and len(args) == 1 and sf.text(args[0]) in contexts:
        return 0 if op == "!=" else 1
    return None


_FAILS = ("Error", "Errorf", "Fatal", "Fatalf", "Fail", "FailNow")


def _fails_test(sf, block) -> bool:
    """A block of a test file that only logs and fails the test (``t.Errorf(...)``)."""
    if block is None or block.type != "block" or not sf.path.endswith("_test.go"):
        return False
    names = []
    for stmt in a.statements(block):
        call = stmt.named_children[0] if stmt.type == "expression_statement" else None
        fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if fn is None or fn.type != "selector_expression":
            return False
        names.append(sf.text(fn.child_by_field_name("field")))
    return bool(names) and all(n in (*_FAILS, "Log", "Logf") for n in names) and any(n in _FAILS for n in names)


def _is_done_error(sf, expr) -> bool:
    if expr is None or expr.type != "selector_expression":
        return False
    pkg = expr.child_by_field_name("operand")
    path = sf.imports.get(sf.text(pkg)) if pkg is not None and pkg.type == "identifier" else None
    return (path, sf.text(expr.child_by_field_name("field"))) in _DONE_ERRORS or (
        path in a.CONTEXT_PACKAGES and sf.text(expr.child_by_field_name("field")) in ("DeadlineExceeded", "Canceled")
    )


def _blank(sf, u: a.Use) -> bool:
    """``_ = cancel``."""
    stmt = u.ident.parent.parent if u.ident.parent is not None else None
    if stmt is None or stmt.type != "assignment_statement" or u.ident.parent != stmt.child_by_field_name("right"):
        return False
    return all(sf.text(n) == "_" for n in stmt.child_by_field_name("left").named_children)


def _call_text(name: str, cause: bool) -> str:
    return f"{name}({'nil' if cause else ''})"


def _in_go_statement(node, fn) -> bool:
    """Whether ``node`` is part of a ``go`` statement of ``fn``: in what it starts, or the arguments."""
    go = a.enclosing(node, "go_statement")
    return go is not None and a.is_within(go, fn)


# ---------------------------------------------------------------------------- fixes


def _discarded(p: Pass, call, stmt, holder, cancel_node, ctx_uses, maker, cause, message, failed=None) -> None:
    sf = p.file
    function = a.enclosing_function(stmt)
    if stmt.type == "assignment_statement":
        return p.report(call, message, notes=["assigned to existing variables: declare a cancel variable and defer it"])
    name = a.free_name(sf, stmt, "stop" if maker == _NOTIFY else "cancel")
    _defer_after(p, call, message, stmt, holder, None, ctx_uses, name, cause, rename=cancel_node, function=function, failed=failed)


def _defer_after(p: Pass, call, message, stmt, holder, life, ctx_uses, name, cause, rename, function=None, failed=None) -> None:
    """``defer cancel()`` after the declaration (or first thing in the goroutine that owns the
    context), moving up a defer that comes too late; after the maker's error check when it
    also returns an error (``failed``, see _settled): before it, a failed call's nil cancel
    func would be deferred and panic."""
    sf = p.file
    function = function or a.enclosing_function(stmt)

    def no_fix(why: str) -> None:
        p.report(call, message, notes=[why])

    if any(u.kind in _OUTLIVES for u in ctx_uses):
        return no_fix("the context outlives this function (returned or stored): keep its cancel func with it")
    queued = _queued_with(ctx_uses)
    if queued is not None:
        return no_fix(f"the context goes with {queued}, which may keep it past the return (a queued message's "
                      "delivery deadline): a cancel deferred here could end that early; cancel it where it is done")
    carried = _returned_request_result(sf, function, ctx_uses)
    if carried is not None:
        return no_fix(f"a request carries the context and {carried} made from it is returned: a cancel deferred here "
                      "would cut its body short; cancel it where the caller is done with it")
    if a.loops_between(stmt, function):
        return no_fix("made inside a loop: call cancel before the next iteration (a defer would pile up)")
    cancel_uses = [a.classify(sf, r) for r in a.references(sf, life.binding)] if life is not None else []
    users = [u.ident for u in ctx_uses + cancel_uses if not _blank(sf, u)]
    owner = a.sole_goroutine(users, function)
    if owner is not None and a.loops_between(a.goroutine_literal(owner), function):
        return no_fix("the goroutines started in a loop share the context: cancel it when the last one is done")
    if owner is None and (any(_in_go_statement(u.ident, function) for u in ctx_uses) or (life is not None and life.shared)):
        return no_fix("the context is handed to a goroutine that may outlive this function: cancel it where that goroutine ends")
    text = f"defer {_call_text(name, cause)}"
    if owner is not None:
        edit = insert_at_block_start(sf, a.body(owner), text)
        where = "inside the goroutine that owns the context"
    else:
        anchor = holder if failed is None else _failure_check(sf, *failed)
        if anchor is None:
            return no_fix(f"it comes with {failed[1]}, and a failed call returns no cancel func: defer it after the error check by hand")
        edit = insert_after_statement(sf, anchor, text)
        where = "after the context is made" if failed is None else "after the error check"
    if edit is None:
        return no_fix("the goroutine's body is on one line" if owner is not None else "the declaration shares its line with other code")
    edits = (TextEdit(rename.start_byte, rename.end_byte, name.encode()), edit) if rename is not None else (edit,)
    late = _late_defer(sf, holder, cancel_uses) if owner is None else None
    if late is not None:  # `defer cancel()` after an early return: move it up
        p.report(call, message, [Fix(f"move `{text}` up to right after the context is made", (edit, late), applicability=SAFE)])
        return
    prefix = f"name the cancel func {name} and " if rename is not None else ""
    p.report(call, message, [Fix(f"{prefix}add `{text}` {where}", edits, applicability=SAFE)])


_REQUEST_CARRIERS = ("WithContext", "NewRequestWithContext")
# calls named for handing work on to run later: the context may go with it into a queue
_QUEUES = re.compile(r"(Publish|Enqueue|Submit|Schedule|Dispatch|Post|Broadcast|Emit|Produce)\w*|\w*Async")


def _queued_with(ctx_uses) -> str | None:
    """The call the context is handed to whose name says it queues work to run later
    (xray-core's ``s.routingStats.Publish(ctx, route)``: the stats channel keeps the context
    as the message's delivery deadline, which its broadcaster selects on after the caller
    has returned), as its text; None otherwise."""
    for u in ctx_uses:
        if u.kind == "argument" and _QUEUES.fullmatch(u.detail.rsplit(".", 1)[-1]):
            return f"`{u.detail}`"
    return None


def _returned_request_result(sf, function, ctx_uses) -> str | None:
    """The name of a value returned by ``function`` that was made from a request carrying
    the context (``request.WithContext(ctx)``, ``http.NewRequestWithContext(ctx, ...)``, then
    ``resp, err := rt.RoundTrip(request)`` and ``return resp, nil``: v2ray's enrollment
    client hands the response on, and its body is read with the context alive)."""
    def called(call) -> str:
        named = a.callee(sf, call) or a.method_call(sf, call)
        return named[1] if named is not None else ""

    carriers = [u.ident for u in ctx_uses
                if (call := a.enclosing(u.ident, "call_expression")) is not None and called(call) in _REQUEST_CARRIERS]
    if not carriers:
        return None
    names = {sf.text(u.ident) for u in ctx_uses}
    made = a.derived(sf, function, names) - names

    def handed(x) -> str | None:
        # the value itself, a field of it, its address or a literal holding it; a call's
        # result is computed before the deferred cancel runs (`return io.ReadAll(resp.Body)`)
        x = a.unparen(x)
        if x.type in ("identifier", "selector_expression", "index_expression"):
            root = a.root_of(x)
            return sf.text(root) if sf.text(root) in made else None
        if x.type in ("unary_expression", "composite_literal", "literal_value", "keyed_element", "literal_element"):
            return next((h for c in x.named_children if (h := handed(c)) is not None), None)
        return None

    for ret in a.of_type(a.body(function), "return_statement", skip_functions=True):
        results = ret.named_children[0].named_children if ret.named_children and ret.named_children[0].type == "expression_list" \
            else ret.named_children
        hit = next((h for x in results if (h := handed(x)) is not None), None)
        if hit is not None:
            return hit
    return None


def _required_to_fail(sf, made, err: str) -> bool:
    """Whether the statement after ``made`` fails the test unless ``err`` is set
    (``require.Error(t, err)``, ``assert.ErrorIs(t, err, x)``, ``if err == nil {
    t.Fatal(...) }``): in a passing run, it is."""
    check = made.next_named_sibling
    while check is not None and check.type == "comment":
        check = check.next_named_sibling
    if check is None:
        return False
    if check.type == "if_statement" and check.child_by_field_name("initializer") is None:
        cond = a.unparen(check.child_by_field_name("condition"))
        nil_test = cond.type == "binary_expression" and sf.text(cond.child_by_field_name("operator")) == "==" and {
            sf.text(cond.child_by_field_name("left")), sf.text(cond.child_by_field_name("right"))} == {err, "nil"}
        return nil_test and a.always_fails(sf, a.statements(check.child_by_field_name("consequence")))
    return a.asserts_error(sf, check, err)


def _failure_check(sf, made, err: str):
    """The ``if err != nil { ...; return }`` right after ``made`` (no else; its branch
    leaves the function), or None."""
    check = made.next_named_sibling
    while check is not None and check.type == "comment":
        check = check.next_named_sibling
    if check is None or check.type != "if_statement" or check.child_by_field_name("alternative") is not None:
        return None
    last = a.statements(check.child_by_field_name("consequence"))[-1:]
    leaves = bool(last) and (last[0].type == "return_statement" or a.never_returns(sf, last[0]))
    return check if leaves and _failed_branch(sf, check, made, err) == 0 else None


def _failed_branch(sf, if_stmt, made, err: str) -> int | None:
    """The branch of ``if_stmt`` right after ``made`` taken when the maker failed and gave
    no cancel func: ``if err != nil`` (see analysis.failed_branch), or ``if !ok`` for a
    maker whose last result is a flag (temporal's ``ctx, cancel, ok :=
    h.contextWithTimeoutFromHTTPRequest(w, r)``; ``!x`` and a bare ``if x`` only compile
    for a bool)."""
    found = a.failed_branch(sf, if_stmt, made, err)
    prev = if_stmt.prev_named_sibling
    while found is None and prev is not None and prev.type == "comment":
        prev = prev.prev_named_sibling
    if found is not None or prev != made or if_stmt.child_by_field_name("initializer") is not None:
        return found
    cond = a.unparen(if_stmt.child_by_field_name("condition"))
    if cond.type == "identifier" and sf.text(cond) == err:
        return 1
    negated = cond.type == "unary_expression" and sf.text(cond.child_by_field_name("operator")) == "!"
    return 0 if negated and sf.text(a.unparen(cond.child_by_field_name("operand"))) == err else None


def _cleared_after_cancel(sf, ctx, cancel: str) -> bool:
    """Whether the context variable ``ctx`` is only ever assigned calls (a maker's context is
    never nil) or ``nil`` right after a statement that calls ``cancel``: while the context
    is held, it is not nil."""
    for r in a.references(sf, ctx):
        stmt = a.statement_of(r)
        if a.classify(sf, r).kind != "assigned" or stmt.type != "assignment_statement":
            continue
        right = stmt.child_by_field_name("right").named_children
        if len(right) == 1 and right[0].type == "call_expression":
            continue
        prev = stmt.prev_named_sibling
        while prev is not None and prev.type == "comment":
            prev = prev.prev_named_sibling
        if [sf.text(x) for x in right] != ["nil"] or prev is None or not _calls_cancel(sf, prev, cancel):
            return False
    return True


def _calls_cancel(sf, stmt, cancel: str) -> bool:
    """``cancel()`` (any arguments), or ``if cancel != nil { cancel() }``: it has been called
    once ``stmt`` is past."""
    if stmt.type == "if_statement" and stmt.child_by_field_name("alternative") is None and _nil_branch(sf, stmt, cancel) == 1:
        body = a.statements(stmt.child_by_field_name("consequence"))
        return len(body) == 1 and _calls_cancel(sf, body[0], cancel)
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" and stmt.named_children else None
    return call is not None and call.type == "call_expression" and sf.text(call.child_by_field_name("function")) == cancel


def _nil_branch(sf, if_stmt, name: str) -> int | None:
    """The branch of ``if name != nil`` (1) or ``if name == nil`` (0) taken when it is nil."""
    cond = a.unparen(if_stmt.child_by_field_name("condition"))
    if if_stmt.child_by_field_name("initializer") is not None or cond.type != "binary_expression":
        return None
    op = sf.text(cond.child_by_field_name("operator"))
    if op not in ("==", "!=") or {sf.text(cond.child_by_field_name(f)) for f in ("left", "right")} != {name, "nil"}:
        return None
    return 1 if op == "!=" else 0


def _failing_branch(sf, if_stmt) -> int | None:
    """The branch of ``if_stmt`` (in test code) that fails the test itself (``if err !=
    nil { t.Errorf(...); continue }``): a passing run never takes it, so what it drops does
    not pile up there (tailscale's ping retries)."""
    cons, alt = if_stmt.child_by_field_name("consequence"), if_stmt.child_by_field_name("alternative")
    if a.always_fails(sf, a.statements(cons)):
        return 0
    return 1 if alt is not None and alt.type == "block" and a.always_fails(sf, a.statements(alt)) else None


def _ends_process(sf, function, stmt) -> bool:
    """Whether ``function`` is package main's ``main`` and ``stmt`` is not in a loop there:
    once main returns the process exits, so what it holds is not held for long, nor made
    again."""
    return (function.type == "function_declaration" and sf.text(function.child_by_field_name("name")) == "main"
            and sf.package_name == "main" and not a.loops_between(stmt, function))


def _late_defer(sf, holder, cancel_uses) -> TextEdit | None:
    """An edit deleting the line of a ``defer cancel()`` that comes after the declaration in
    the same block (too late: a path returns before it), when that line holds nothing else."""
    for u in cancel_uses:
        stmt = a.statement_of(u.ident)
        if u.kind == "deferred-call" and stmt.parent == holder.parent:
            return delete_line(sf, stmt)
    return None


def _context_names(sf, life: a.Lifecycle, ctx) -> set[str]:
    """The context's name and the names of values derived from it in the function."""
    return a.derived(sf, life.graph.function, {ctx.name}) if ctx is not None else set()


def _release_at_drops(p: Pass, call, message, life: a.Lifecycle, names, ctx_uses, text) -> None:
    """``text`` (``cancel()``) before each jump that drops the cancel func, after each block
    end that drops it; ``names``: the context and what derives from it."""
    if life.shared or any(_in_go_statement(u.ident, life.graph.function) for u in ctx_uses):
        return p.report(call, message, notes=["a goroutine uses the context or its cancel func: cancel it where that goroutine ends"])
    edits, why = release.at_drops(p.file, life, names, text.split("(")[0], text, "the context")
    if edits is None:
        return p.report(call, message, notes=[why])
    lines = ", ".join(str(p.file.line_col(d.at.start_byte)[0]) for d in life.drops)
    p.report(call, message, [Fix(f"call `{text}` where it is dropped (line {lines})", edits, applicability=SAFE)])


def _holds_nothing(sf, call, maker: str) -> bool:
    """``context.WithCancel(context.Background())``: a parent that is never done registers
    nothing, starts no goroutine and no timer; dropping its cancel func frees it all."""
    if not maker.endswith(("WithCancel", "WithCancelCause")):
        return False
    args = a.arguments(call)
    return bool(args) and _never_done(sf, a.unparen(args[0]))


def _never_done(sf, expr) -> bool:
    """``context.Background()``, ``context.TODO()``, ``context.WithoutCancel(x)``, or a
    ``context.WithValue`` of one of those."""
    c = a.callee(sf, expr) if expr.type == "call_expression" else None
    if c is None or c[0] not in a.CONTEXT_PACKAGES:
        return False
    if c[1] in ("Background", "TODO", "WithoutCancel"):
        return True
    args = a.arguments(expr)
    return c[1] == "WithValue" and bool(args) and _never_done(sf, a.unparen(args[0]))


_CLOSERS = ("Close", "Stop", "Cancel", "Shutdown")  # methods that may call the cancel func


def _field_of_local(p: Pass, call, stmt, target, maker, cause, why) -> None:
    """``w.ctx, w.cancel = context.WithCancel(parent)`` where ``w`` is a value this function
    just built: the cancel func lives as long as ``w`` is held, and is dropped with it."""
    sf = p.file
    operand, field = target.child_by_field_name("operand"), sf.text(target.child_by_field_name("field"))
    if operand.type != "identifier":
        return
    owner = a.binding_of(sf, operand)
    if owner is None or not _fresh_value(sf, owner):
        return  # a receiver, parameter or value made elsewhere: its owner releases it
    early = [a.classify(sf, r) for r in a.references(sf, owner) if r.end_byte <= stmt.start_byte]
    if any(a.escapes(u) or u.kind == "go-method" for u in early):
        return  # handed on before the cancel was stored (grpc's `cc.conns = append(cc.conns, ac)`): its holder releases it

    def is_release(u: a.Use) -> bool:
        return u.kind in ("method", "deferred-method", "go-method") and u.detail in (field, *_CLOSERS)

    def hands_on(u: a.Use) -> bool:
        return a.escapes(u) or (u.kind == "field" and u.detail == field) or u.kind in ("go-method", "deferred-method")

    life = a.follow(sf, owner, stmt, a.enclosing_function(stmt), is_release, hands_on)
    drops = [d for d in life.drops if d.how in (EXITS, LEAVES)]
    if not drops or life.shared or len(drops) != len(life.drops):
        return
    name = f"{owner.name}.{field}"
    line = sf.line_col(drops[0].at.start_byte)[0]
    message = f"{name} from {maker} is dropped with {owner.name} at line {line} before it is called: {why}"
    names = a.derived(sf, life.graph.function, {owner.name})
    _release_at_drops(p, call, message, life, names, [], _call_text(name, cause))


def _fresh_value(sf, binding) -> bool:
    """The local holds a value built right here: ``&T{...}``, ``T{...}``, ``new(T)``, or a
    ``var w T`` zero value."""
    v = binding.value
    if v is None:
        return binding.statement.type == "var_declaration"
    v = a.unparen(v)
    if v.type == "unary_expression" and sf.text(v.child_by_field_name("operator")) == "&":
        v = v.child_by_field_name("operand")
    if v.type == "call_expression":
        return a.callee(sf, v) == (None, "new")
    return v.type == "composite_literal"


def _overwritten(p: Pass, call, message, life: a.Lifecycle, ctx, ctx_uses, drops, cause) -> None:
    """``cancel()`` right before the statement that overwrites it."""
    sf = p.file

    def no_fix(why: str) -> None:
        p.report(call, message, notes=[why])

    if len(drops) != len(life.drops):
        return no_fix("also dropped on other paths: call it before each way out and before it is overwritten")
    binding = life.binding
    uses = [a.classify(sf, r) for r in a.references(sf, binding)]
    if any(a.escapes(u) and u.kind != "assigned" and not _blank(sf, u) for u in uses) or life.shared:
        return no_fix("the cancel func is handed on elsewhere: calling the old one could cancel what someone else owns")
    if any(u.kind in _OUTLIVES for u in ctx_uses) or any(_in_go_statement(u.ident, life.graph.function) for u in ctx_uses):
        return no_fix("the context outlives this function or is handed to a goroutine")
    names = _context_names(sf, life, ctx)
    edits = []
    for d in drops:
        target = d.at
        remake = _maker_call(target)
        if remake is not None and ctx is not None and any(sf.text(i) in names for i in a.of_type(remake, "identifier")):
            return no_fix("the new context derives from the old one: cancelling the old first would cancel the new")
        scope = a.enclosing(target, "for_statement") or life.graph.function
        leak = a.escaping(sf, life.graph, set(life.held), names, scope)
        if leak is not None:
            return no_fix(f"a value derived from the old context outlives it (line {sf.line_col(leak.start_byte)[0]})")
        text = _call_text(binding.name, cause)
        lines = [text] if _never_nil(sf, binding) else [f"if {binding.name} != nil {{", f"\t{text}", "}"]
        edit = insert_before_statement(sf, target, lines)
        if edit is None:
            return no_fix("the overwriting statement shares its line with other code")
        edits.append(edit)
    p.report(call, message, [Fix(f"call the old `{binding.name}` before it is overwritten", tuple(edits), applicability=SAFE)])


def _maker_call(stmt):
    right = stmt.child_by_field_name("right")
    values = right.named_children if right is not None else []
    return values[0] if len(values) == 1 and values[0].type == "call_expression" else None


def _never_nil(sf, binding) -> bool:
    """The variable is declared by a call (a context maker) and only ever assigned calls, so
    it holds a cancel func from the start."""
    if binding.statement.type != "short_var_declaration" or _maker_call(binding.statement) is None:
        return False
    assigned = [a.statement_of(r) for r in a.references(sf, binding) if a.classify(sf, r).kind == "assigned"]
    return all(s.type == "assignment_statement" and _maker_call(s) is not None for s in assigned)


def _deferred_in_loop(p: Pass, call, message, life: a.Lifecycle, ctx, cause) -> None:
    """``defer cancel()`` in a loop -> ``cancel()`` at the end of each iteration and before
    each jump that leaves it; with the cause the deferred call gives (``defer func() {
    cancel(errors.WithStack(context.Canceled)) }()`` in buildkit's session group), so that
    ``context.Cause`` says what it said."""
    text = _deferred_call_text(p.file, life.deferred_in_loop[0], life.binding.name) or _call_text(life.binding.name, cause)
    loop = a.enclosing(life.made, "for_statement")
    if ctx is not None and loop is not None and not a.is_within(ctx.statement, loop.child_by_field_name("body")):
        return p.report(call, message, notes=[f"{ctx.name} is declared outside the loop: its last value would be cancelled early"])
    names = _context_names(p.file, life, ctx)
    if loop is not None and _kept_past_iteration(p.file, life, names, loop.child_by_field_name("body")):
        return
    edits, why = release.each_iteration(p.file, life, names, text, "the context")
    if edits is None:
        return p.report(call, message, notes=[why])
    p.report(call, message, [Fix(
        f"call `{text}` at the end of each iteration and before each jump out of it, instead of deferring it",
        edits, applicability=REVIEW,
    )])


def _deferred_call_text(sf, deferred, name: str) -> str | None:
    """The text of the call of ``name`` that the defer statement around ``deferred`` makes,
    itself or in the literal it defers (``cancel(cause)``), when there is exactly one."""
    stmt = deferred if deferred.type == "defer_statement" else a.enclosing(deferred, "defer_statement")
    calls = [c for c in a.of_type(stmt, "call_expression") if sf.text(c.child_by_field_name("function")) == name] \
        if stmt is not None else []
    return sf.text(calls[0]) if len(calls) == 1 and "\n" not in sf.text(calls[0]) else None


_SOON = 1e9  # a deadline under a second: the context frees itself about as soon as a cancel would
# a deadline of a few seconds, in loops that go round a fixed number of times: at most one
# context per round lives, for seconds, and none after that (see _frees_itself)
_SOON_IN_FIXED_ROUNDS = 5e9


def _frees_itself(p: Pass, call, maker: str, deferred) -> bool:
    """A ``WithTimeout``/``WithDeadline`` context whose own timer ends it about as soon as the
    end of the iteration would: a timeout (or ``time.Now().Add(d)`` deadline) that resolves
    to under a second, or one with no value in view at all (a parameter, a field, a computed
    local, as in raft's ``c.conf.CommitTimeout`` or a random test delay): then nothing shows
    that the contexts outlive their iterations for long, and a finding would be a guess.
    Up to 5 s when every loop around the ``deferred`` cancel goes round a fixed number of times (a range
    over a collection or a count, ``for i := 0; i < n; i++``): the loop makes a bounded number
    of contexts, each freed by its timer within seconds (pulsar's tests' 1-5 s receives,
    tailscale's dnsfallback over at most 6 candidates with 3 s each). Not a loop that goes
    round until a condition (tsnet's mustDirect polls every 10 ms for 30 s with 5 s
    contexts: hundreds live at once), nor a longer timeout (kafka-go's writer test keeps five
    10 s contexts)."""
    args = a.arguments(call)
    if not maker.endswith(("WithTimeout", "WithTimeoutCause", "WithDeadline", "WithDeadlineCause")) or len(args) < 2:
        return False
    span = _deadline_span(p.file, args[1]) if "Deadline" in maker else args[1]
    if span is None:
        return not _declared_value(p.file, args[1])
    term = a.duration_term(p.file, span)
    d = p.package.duration(p.file.package_name, term) if p.package is not None else a.duration_value(term, lambda _: None)
    if d is None:
        return not _declared_value(p.file, span)
    loops = a.loops_between(deferred, a.enclosing_function(deferred))
    return d < _SOON or (d <= _SOON_IN_FIXED_ROUNDS and all(a.fixed_rounds(p.file, loop) for loop in loops))


def _deadline_span(sf, expr):
    """``d`` of a deadline ``time.Now().Add(d)``; None for any other deadline."""
    if expr.type != "call_expression" or len(a.arguments(expr)) != 1:
        return None
    fn = expr.child_by_field_name("function")
    if fn.type != "selector_expression" or sf.text(fn.child_by_field_name("field")) != "Add":
        return None
    now = fn.child_by_field_name("operand")
    return a.arguments(expr)[0] if now.type == "call_expression" and a.callee(sf, now) == ("time", "Now") else None


def _declared_value(sf, expr, depth: int = 0) -> bool:
    """Whether ``expr`` draws on a value declared in view: a package-level name (a variable
    that tests may shorten still has its declared default) or an imported one; not when it is
    built only of literals, time's units, parameters, fields and calls, through locals."""
    if expr is None or depth > 8:
        return False
    t = expr.type
    if t == "identifier":
        b = a.binding_of(sf, expr)
        if b is not None:
            return _declared_value(sf, b.value, depth + 1)
        name = sf.text(expr)
        fns = [f for f in a.ancestors(expr) if f.type in ("function_declaration", "method_declaration", "func_literal")]
        return not any(a.params_declare(sf, f, name) for f in fns)
    if t == "selector_expression":
        op = expr.child_by_field_name("operand")
        path = sf.imports.get(sf.text(op)) if op.type == "identifier" and a.binding_of(sf, op) is None else None
        return path is not None and path != "time"  # an imported name; otherwise a field
    if t == "call_expression":
        args = a.arguments(expr)
        return a.callee(sf, expr) == ("time", "Duration") and len(args) == 1 and _declared_value(sf, args[0], depth + 1)
    return any(_declared_value(sf, c, depth + 1) for c in expr.named_children)


def _kept_past_iteration(sf, life: a.Lifecycle, names: set[str], body) -> bool:
    """The context, or a value derived from it (a stream, a watch channel), is stored in a
    variable outside the loop's body or handed to a goroutine: the defer keeps it alive until
    the function returns on purpose (etcd's watch tests, grpc-go's stream lists)."""
    g = life.graph
    inside = {pid for pid, n in g.points.items() if a.is_within(n, body) and n.start_byte > life.made.start_byte}
    hit = a.escaping(sf, g, inside, names, body)
    return hit is not None and hit.type in ("assignment_statement", "go_statement")


def run(p: Pass) -> None:
    wrappers = p.package.cancel_makers(p.file.package_name) if p.package is not None else {}
    # only calls named like a maker can be one (see _maker)
    names = {*WITH, "NotifyContext", *(name for name, _ in wrappers)}
    names.update(m[0] for e in (p.package.imported if p.package is not None else ()) for m in e.makers)
    for call in a.calls_named(p.file, names):
        maker = _maker(p.file, call, wrappers, p.package)
        if maker is not None:
            _check(p, call, *maker)


RULE = Rule(
    name="cancel-not-called",
    summary="a context's cancel func is dropped on some path before it is called -> call or defer it",
    doc=DOC,
    run=run,
    # `cancel`: a file calling a wrapper of its package names no maker, but calls what it returns
    triggers=(b"WithCancel", b"WithTimeout", b"WithDeadline", b"NotifyContext", b"cancel"),
    needs_package=True,
    linters=("govet",),  # golangci-lint's govet runs vet's lostcancel, which reports the same dropped cancel
)
