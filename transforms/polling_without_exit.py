"""polling-without-exit: a goroutine polls forever (`for { work(); time.Sleep(d) }`) although a stop signal is in scope."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import Fix, TextEdit
from gofixleaks.rule import Pass, Rule

from ._goroutine import in_once_do, own_line

DOC = """\
## What it finds
In a goroutine (a `go func(){...}()` literal, a literal handed to `wg.Go`, an errgroup or
a launcher, or a function or method of the package started with `go` anywhere in it), an
endless `for { ... time.Sleep(d) }` loop with nothing that leaves it (no `return`,
`break` or `goto`), while a stop signal is in scope: a `context.Context` parameter, a
local context from `context.WithCancel`, the `Context()` of an `*http.Request`, or a
context or done/stop/quit channel in a field of the receiver's (or a parameter's) struct,
declared in any file of the package.

## Why it leaks
Nothing ends the loop: the goroutine wakes up, works and sleeps for the life of the
process, although its owner was told to stop (its context was cancelled, its `Stop`
closed the quit channel). Each stopped owner leaves one such goroutine behind, with
everything it references.

## When it is not reported
- the loop can be left, or it already looks at a `select` (that is `loop-without-exit`'s
  business), or it starts goroutines (`unbounded-goroutines`');
- the goroutine is started by `main` or `init`, or in the func literal handed to `once.Do`
  of a package-level `sync.Once` (it lives as long as the process);
- no stop signal that can fire is in scope: a done channel nothing in the package closes or
  sends on, `context.Background()`, a ctx parameter every caller (all in this file) fills
  with `context.TODO()` or `Background()`. Context plumbing is not asked for: a ctx threaded
  from callers that have none would only ever be `context.TODO()`, which stops nothing;
- `_test.go` files.

## When it is not fixed
- the only signal is a local context with a timeout or deadline: it fires on its own, and
  stopping the polling then would change what the loop is for;
- the goroutine's function has results, or a `return` in place of the sleep would skip an
  `Unlock()`, `Done()` or `close()` later in the loop body;
- the sleep shares its line with other code;
- the signal is a ctx parameter that every caller in the module fills with a context
  nothing cancels (see loop-without-exit): a case on its `Done()` would never run.

## The fix
The sleep becomes a wait that also watches the signal and returns when it fires
(`review`: the goroutine now stops on cancellation). From Go 1.23:

    select {
    case <-ctx.Done():
        return
    case <-time.After(d):
    }

Before Go 1.23 a timer made with `time.After` lives until it fires, so a timer of its own is
made for each pause and stopped on the way out (nothing lingers, and `d` is evaluated where
the sleep evaluated it):

    timer := time.NewTimer(d)
    select {
    case <-ctx.Done():
        timer.Stop()
        return
    case <-timer.C:
    }
"""

_CLEANUP = ("Unlock", "RUnlock", "Done")


def run(p: Pass) -> None:
    v = m.view(p)
    sf = p.file
    for g in m.goroutines(v):
        if _process_lifetime(v, g):
            continue
        for loop in a.of_type(a.body(g.body), "for_statement", skip_functions=True):
            sleep = _polling_sleep(sf, loop)
            if sleep is None:
                continue
            signals = [s for s in m.stop_signals(v, sleep) if s.fires]
            usable = [s for s in signals if not s.deadline]
            sig = (usable or signals or [None])[0]
            if sig is None:
                continue
            message = f"this polling loop never ends, although {sig.name} could stop it: the goroutine sleeps and works until the process exits"
            why = _why_not(sf, g, loop, sleep, sig) or m.never_fires(v, sleep, sig.cancellation())
            if why is not None:
                p.report(loop, message, notes=[why])
                continue
            p.report(loop, message, [Fix(f"return on <-{sig.done_expr()} instead of sleeping through it", (_edit(sf, loop, sleep, sig),))])


def _process_lifetime(v: m.View, g: m.Goroutine) -> bool:
    """Started by main or init, or in a package-level ``once.Do``: it lives as long as the
    process, as it should."""
    if g.caller is not None:
        return in_once_do(v.sf, g.caller) or g.caller.type == "function_declaration" and v.sf.text(g.caller.child_by_field_name("name")) in ("main", "init")
    key = a.function_key(v.sf, g.body)
    starts = v.index.starts(v.package, key[0], bool(key[1])) if v.index is not None and key is not None else ()
    return bool(starts) and all(s.caller in ("main", "init") for s in starts)


def _polling_sleep(sf, loop: Node) -> Node | None:
    """The `time.Sleep(d)` statement of an endless loop that nothing leaves, does not
    select and starts no goroutines."""
    if a.loop_kind(sf, loop) != "endless":
        return None
    body = loop.child_by_field_name("body")
    stmts = a.statements(body)
    sleeps = [s for s in stmts if s.type == "expression_statement"
              and a.is_call_to(sf, a.unparen(s.named_children[0]), "time", ("Sleep",))]
    if len(sleeps) != 1:
        return None
    if next(a.of_type(body, "return_statement", "goto_statement", "select_statement", "go_statement", skip_functions=True), None) \
            is not None or a.loop_breaks(loop):
        return None
    if any(a.never_returns(sf, s) for s in stmts):
        return None
    return sleeps[0]


def _why_not(sf, g: m.Goroutine, loop: Node, sleep: Node, sig: m.Signal) -> str | None:
    if sig.deadline:
        return f"{sig.name} has a timeout or deadline: stopping the polling when it fires would change what the loop is for"
    if g.body.child_by_field_name("result") is not None:
        return "the goroutine's function has results: decide what it returns when stopped"
    for later in a.following(sleep):
        for call in a.of_type(later, "call_expression", skip_functions=True):
            mc = a.method_call(sf, call)
            if (mc is not None and mc[1] in _CLEANUP) or a.callee(sf, call) == (None, "close"):
                return f"a return would skip `{sf.text(call)}` after the sleep: make that a defer first"
    if not own_line(sf, sleep):
        return "the sleep shares its line with other code: rewrite it by hand"
    return None


def _edit(sf, loop: Node, sleep: Node, sig: m.Signal) -> TextEdit:
    call = a.unparen(sleep.named_children[0])
    pkg = sf.text(call.child_by_field_name("function").child_by_field_name("operand"))
    d = sf.text(a.arguments(call)[0])
    indent = sf.indent_at(sleep.start_byte)
    if sf.go_version >= (1, 23):
        lines = ["select {", f"case <-{sig.done_expr()}:", "\treturn", f"case <-{pkg}.After({d}):", "}"]
    else:
        timer = a.free_name(sf, loop, "timer")
        lines = [f"{timer} := {pkg}.NewTimer({d})", "select {", f"case <-{sig.done_expr()}:", f"\t{timer}.Stop()", "\treturn",
                 f"case <-{timer}.C:", "}"]
    nl = sf.newline
    text = (nl + indent).join(ln.encode() for ln in lines)
    return TextEdit(sleep.start_byte, sleep.end_byte, text)


RULE = Rule(
    name="polling-without-exit",
    summary="a goroutine's endless `for { work(); time.Sleep(d) }` ignores the stop signal in scope -> select on it instead of sleeping",
    doc=DOC,
    run=run,
    triggers=(b"Sleep(",),
    skips_tests=True,
    needs_package=True,
)
