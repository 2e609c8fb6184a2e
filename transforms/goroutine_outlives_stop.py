"""goroutine-outlives-stop: a type's goroutine loops forever, and its stop method cannot end it or is never called."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.facts import UNTIL_SIGNAL, FuncFacts
from gofixleaks.model import owners
from gofixleaks.rule import Pass, Rule

from . import _goroutine as g_
from . import loop_without_exit as lwe

DOC = """\
## What it finds
A `go` statement, outside tests and outside `main` and `init`, that starts something a
type `T` of the package is meant to stop (`T` has a `Close`, `Stop`, `Shutdown` or
`Cancel` method), where that stop cannot end it:
- a loop of `T` (`go t.loop()` of a method of the package, or a `go func(){...}()`
  literal written in a method of `T`) with no way out at all: an endless `for` or a
  `for range` over a ticker's channel with no `return`, `break` or `goto`. Whatever `T`'s
  stop method does, the goroutine goes on after it (go-micro's `sqlStore.expiryLoop`,
  minio's log `Writer.listen`);
- a loop of `T` whose every exit waits on an unexported channel field of the receiver
  (`case <-r.quit: return`), where every function of the package that closes or sends on a
  field of that name (tests aside) is an unexported, stop-like one that no other function
  of the package names outside tests (no call, no method value): the stop exists, but
  nothing ever calls it (opentelemetry-collector's `clientCAsFileReloader.shutdown`). A
  field nothing closes or sends on outside tests counts the same way; here `T` needs no
  stop method;
- in a method of `T`, `go s.Serve(ln)` (`ServeTLS`, `ListenAndServe`,
  `ListenAndServeTLS`) of a local `s` made by an `http.Server` literal, where neither `s`
  nor the local listener is used afterwards but for their fields and other methods (not
  kept in a field or a slice, returned, passed, `Shutdown` or `Close`d): nothing can ever
  shut that server down (caddy's `httpModuleConfig.Run`, whose `Cancel` shuts down a list
  the servers were never added to).

## Why it leaks
The goroutine belongs to a value that is meant to be stopped, and each value started and
then stopped (a reload, a reconnect, a test) leaves one goroutine behind, looping,
waiting or serving for the life of the process, with everything it references.

## When it is not reported
- the goroutine is started in a `_test.go` file, by `init`, by package main's `main`, in
  the func literal handed to `once.Do` of a package-level `sync.Once`, or through a
  launcher or an errgroup (only `go` statements are read);
- `go x.m()` where the package declares `m` on several types, or on none;
- a loop with no way out that loop-without-exit reports on a signal that can end it (a
  context or channel the caller passes, a field of the receiver that the stop method
  closes, sends on, writes or calls something on): that rule names the signal and adds the
  case, which lets the stop end the goroutine; the same loop is reported once;
- a loop with an exit that is not a receive from a receiver's channel field (a `return`
  on an error or on a condition, a context's `Done()`): whether it comes true at shutdown
  cannot be told from the code; a loop with no exit whose type has no stop method (it may
  be meant to run as long as the process: loop-without-exit and polling-without-exit
  report it when a stop signal is in scope);
- the field is exported, its value is handed on somewhere in the package (an argument,
  a result, stored or aliased: someone else may close it), or no function of the package
  outside tests fills it with a `make(chan ...)` (it may come from outside: an injected
  stop channel);
- some function firing the field is exported (another package may call it), or its name
  is not stop-like (`stop`, `close`, `shut`, `cancel`, `quit`, `exit`, `halt`, `term`,
  `kill`, `tear`, `finish`, `destroy`, `release` in it), or a non-test function of the
  package names it anywhere in its body, even in a comment or a string;
- a server whose listener is not a local of the function (a parameter, a field: its
  owner may close it), or that is not a literal `http.Server`.

## When it is not fixed
Never: the fix is a decision about the type's lifecycle (a done channel that the stop
method closes, and whether it may run twice; a call of the unused stop method where the
owner is released; keeping the server where the stop method finds it; or no goroutine at
all), which the code alone does not make.

## The fix
None; the message names the stop method and why it cannot end the goroutine.
"""


def run(p: Pass) -> None:
    v = m.view(p)
    if v.facts is None:
        return
    sf = p.file
    for go in a.of_type(sf.root, "go_statement"):
        caller = a.enclosing_function(go)
        if caller is None or g_.process_lifetime(sf, caller):
            continue
        dropped = _dropped_server(sf, go)
        if dropped is not None:
            stop = _stop_of_caller(p, caller)
            if stop is not None:
                p.report(go, f"{dropped} is served on a goroutine, but neither it nor its listener is kept, closed or "
                             f"handed on: {stop} cannot shut it down, and it serves until the process exits",
                         notes=[_NOT_FIXED])
            continue
        loop = g_.type_loop(p, go)
        if loop is None:
            continue
        if loop.stuck:
            stop = g_.stuck_stop(p, v, loop)
            if stop is not None and not _watched_by_loop_rule(p, go):  # the same loop, left to loop-without-exit
                p.report(go, f"{loop.name} loops forever with no way out, so {loop.type}.{stop} cannot end it: "
                             f"each {loop.type} stopped leaves this goroutine running",
                         notes=[_NOT_FIXED])
        elif loop.runs == UNTIL_SIGNAL and loop.waits:
            why = _never_fired(p, loop.waits)
            if why is not None:
                p.report(go, f"{loop.name} leaves only on {', '.join(w[2:] for w in sorted(loop.waits))}, {why}: "
                             f"the goroutine outlives every {loop.type}", notes=[_NOT_FIXED])


def _watched_by_loop_rule(p: Pass, go: Node) -> bool:
    """Whether loop-without-exit reports the loop ``go`` starts (a goroutine of this file) on
    a signal that can end it: it names that signal and fixes the loop with it (``_goroutine.stop_owns``)."""
    g = g_.started_by(p.file, go)
    return g is not None and any(not g_.stop_owns(p, g, sig) for sig in lwe.signals(p, g))


_NOT_FIXED = "not fixed: how the type's goroutine should stop (a done channel its stop method closes, " \
             "a call of the unused stop method, no goroutine) is a decision the code alone does not make"


_SERVES = ("Serve", "ServeTLS", "ListenAndServe", "ListenAndServeTLS")


def _dropped_server(sf, go: Node) -> str | None:
    """``s`` of ``go s.Serve(ln)`` (``ListenAndServe()``...) when ``s`` is a local made by an
    ``http.Server`` literal and neither ``s`` nor a local ``ln`` is used afterwards but for
    their fields and methods other than ``Shutdown``/``Close`` (nothing kept, returned, handed
    on or captured by address: nobody can ever stop the serving)."""
    call = go.named_children[0] if go.named_children else None
    m = a.method_call(sf, call) if call is not None and call.type == "call_expression" else None
    if m is None or m[1] not in _SERVES or m[0].type != "identifier":
        return None
    server = a.local_binding(sf, sf.text(m[0]), go)
    value = a.unparen(server.value) if server is not None and server.value is not None else None
    if value is not None and value.type == "unary_expression" and sf.text(value.child_by_field_name("operator")) == "&":
        value = a.unparen(value.child_by_field_name("operand"))
    typ = value.child_by_field_name("type") if value is not None and value.type == "composite_literal" else None
    if typ is None or typ.type != "qualified_type" or sf.text(typ.child_by_field_name("name")) != "Server" \
            or sf.imports.get(sf.text(typ.child_by_field_name("package"))) != "net/http":
        return None
    kept = [server]
    for arg in a.arguments(call):
        if arg.type != "identifier":
            return None
        ln = a.local_binding(sf, sf.text(arg), go)
        if ln is None:
            return None  # a parameter or a field: its owner may close it
        kept.append(ln)
    for b in kept:
        for ref in a.references(sf, b):
            use = a.classify(sf, ref)
            if (a.escapes(use) and ref.parent.parent != call) or use.detail in ("Shutdown", "Close"):
                return None
    return server.name


def _stop_of_caller(p: Pass, caller: Node) -> str | None:
    """``T.Stop`` when ``caller`` is a method of a type ``T`` of the package with a stop method."""
    key = a.function_key(p.file, caller)
    if key is None or not key[1]:
        return None
    stop = p.package.has_method(p.file.package_name, key[1], g_.STOPS)
    return f"{key[1]}.{stop}" if stop is not None else None


def _never_fired(p: Pass, waits: frozenset[str]) -> str | None:
    """Why nothing outside tests ever fires any of ``waits`` (``<-field``s), or None."""
    if not all(w.startswith("<-") and w[2:3].islower() for w in waits):
        return None
    package = p.file.package_name
    index = p.package.model
    functions = [f for f in p.package.functions if f.package == package and not f.path.endswith("_test.go")]
    firers: list[FuncFacts] = []
    for w in waits:
        field = w[2:]
        if index.handed_out(package, field) or not any(field in f.summary.made for f in functions):
            return None  # someone else may close it, or it comes from outside (an injected stop channel)
        firers += [f for f in functions for u in f.summary.fields if u.field == field and (u.use.closes or u.use.sends)]
    if not firers:
        return "which nothing in the package closes or sends on outside tests"
    names = {f.name for f in firers}
    if any(not n[:1].islower() or not owners.stop_like(n) for n in names):
        return None
    if any(n in f.mentions for f in functions for n in names if f.name not in names):
        return None
    shown = ", ".join(sorted(f"{f.recv}.{f.name}" if f.recv else f.name for f in firers))
    return f"and {shown}, which fires it, is never called outside tests"


RULE = Rule(
    name="goroutine-outlives-stop",
    summary="a type's goroutine loops forever, and its stop method cannot end it or is never called (report only)",
    doc=DOC,
    run=run,
    triggers=(b"go ",),
    skips_tests=True,
    needs_package=True,
    fixes=False,
)
