"""Shared by send-without-cancel, loop-without-exit, goroutine-outlives-stop and
polling-without-exit: which functions run as goroutines, which cancellation signal such a
goroutine can watch, whether a `return` may be added to it, the select statements that
watch the signal, what starts a goroutine once per process, and which of loop-without-exit
and goroutine-outlives-stop reports a loop of a type with a stop method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks import model as m
from gofixleaks.edits import TextEdit, insert_after_statement, insert_at_block_start
from gofixleaks.facts import PackageFacts, no_exit, own_loop
from gofixleaks.model import owners
from gofixleaks.rule import Pass
from gofixleaks.source import SourceFile

from ._stoppable import is_stop

# what a goroutine owes on its way out: a WaitGroup's or lock's release, the wait for the
# goroutines it started, a connection's or file's close
_CLEANUP_METHODS = ("Done", "Unlock", "RUnlock", "Wait", "Close")


@dataclass(frozen=True)
class Goroutine:
    fn: Node  # the func_literal of `go func(){...}()`, or the declaration started by `go f(...)`
    launcher: Node | None  # the function holding the go statement, for a literal
    # the package model says it runs on a goroutine, maybe as one step of it (a function a
    # goroutine's literal calls): a `return` from it need not end the goroutine
    step: bool = False


def goroutines(sf: SourceFile, v: m.View | None = None) -> Iterator[Goroutine]:
    """Every function of this file that runs as a goroutine: `go func(){...}()` literals, and
    functions or methods declared here and started with `go f(...)` / `go x.m(...)`. With
    the package's model (``v``): also literals handed to `wg.Go`, `g.Go` or a launcher, and
    plain functions of this file that the package starts or that a goroutine's literal
    calls (one call below the goroutine; methods only by the syntax above, which checks the
    receiver's type)."""
    seen: set[Node] = set()
    for g in _started_here(sf):
        seen.add(g.fn)
        yield g
    if v is None:
        return
    for mg in m.goroutines(v):
        if mg.body in seen:
            continue
        if mg.body.type == "func_literal" and mg.via != "go":
            yield Goroutine(mg.body, mg.caller)
        elif mg.body.type == "function_declaration":
            yield Goroutine(mg.body, None, step=True)


def _started_here(sf: SourceFile) -> Iterator[Goroutine]:
    started: list[Node] = []
    for stmt in a.of_type(sf.root, "go_statement"):
        g = started_by(sf, stmt)
        if g is None or g.fn in started:
            continue
        if g.launcher is None:
            started.append(g.fn)
        yield g


def started_by(sf: SourceFile, stmt: Node) -> Goroutine | None:
    """What go statement ``stmt`` starts, as the syntax tells: its ``func(){...}`` literal, or
    the one function or method of this file it calls (a method only when the receiver's
    type is known to match)."""
    call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
    fn = call.child_by_field_name("function") if call is not None else None
    if fn is None:
        return None
    if fn.type == "func_literal":
        return Goroutine(fn, a.enclosing_function(stmt))
    kind = "function_declaration" if fn.type == "identifier" else "method_declaration"
    name = fn if fn.type == "identifier" else fn.child_by_field_name("field") if fn.type == "selector_expression" else None
    decls = [d for d in _declared_functions(sf).get(sf.text(name), []) if d.type == kind] if name is not None else []
    if kind == "method_declaration" and decls:
        # `go d.discovery.Run(ctx)` is not this file's `(k8sTest) Run`: the receiver must match
        recv = operand_type(sf, fn.child_by_field_name("operand"))
        decls = [d for d in decls if recv is not None and a.function_key(sf, d)[1] == recv]
    return Goroutine(decls[0], None) if len(decls) == 1 else None


def operand_type(sf: SourceFile, operand: Node | None) -> str | None:
    """The type name of ``x`` in ``x.m()`` when the syntax tells it: a receiver or parameter
    declared ``T``/``*T``, or a local made by ``&T{...}``, ``T{...}``, ``new(T)`` or
    ``var x T``; None otherwise."""
    if operand is None or operand.type != "identifier":
        return None
    name = sf.text(operand)

    def named(typ: Node | None) -> str | None:
        text = sf.text(typ).lstrip("*&").split("[")[0].split("{")[0].strip() if typ is not None else ""
        return text if text.isidentifier() else None

    for fn in (x for x in a.ancestors(operand) if x.type in a.FUNCTION_TYPES):
        for field in ("receiver", "parameters"):
            plist = fn.child_by_field_name(field)
            for p in a.of_type(plist, "parameter_declaration") if plist is not None else ():
                if any(sf.text(n) == name for n in p.children_by_field_name("name")):
                    return named(p.child_by_field_name("type"))
        decl = a.local_declaration(sf, name, operand)
        if decl is not None:
            if decl.type == "var_declaration":
                spec = next(a.of_type(decl, "var_spec"), None)
                return named(spec.child_by_field_name("type")) if spec is not None else None
            values = a.defined_values(sf, name, operand)
            value = a.unparen(values[0]) if len(values) == 1 else None
            if value is not None and value.type == "unary_expression":
                value = a.unparen(value.child_by_field_name("operand"))
            if value is not None and value.type == "composite_literal":
                return named(value.child_by_field_name("type"))
            if value is not None and value.type == "call_expression" and sf.text(value.child_by_field_name("function")) == "new":
                return named(next(iter(a.arguments(value)), None))
            return None
    return None


def _declared_functions(sf: SourceFile) -> dict[str, list[Node]]:
    """The file's functions and methods by name (methods of several types share one)."""
    return sf.cached("declared-functions", lambda: _by_name(sf))


def _by_name(sf: SourceFile) -> dict[str, list[Node]]:
    named: dict[str, list[Node]] = {}
    for decl in sf.root.named_children:
        if decl.type in ("function_declaration", "method_declaration"):
            named.setdefault(sf.text(decl.child_by_field_name("name")), []).append(decl)
    return named


def signal(sf: SourceFile, g: Goroutine, at: Node, assumed: Mapping[tuple[str, str], str],
           package: PackageFacts | None = None, other_files: bool = True) -> a.Cancellation | None:
    """The first cancellation signal visible at ``at`` that can fire for this goroutine: a
    context that some caller can cancel, or a done channel that this goroutine does not
    close or send on itself (then it signals the goroutine's own end); a message (see
    message_note) only when nothing else is in scope. ``assumed``: the Pass's assumed
    contexts (context plumbing); ``package``: its facts, which tell messages apart and,
    with ``other_files``, give the signal fields of a receiver whose struct another file
    declares."""
    found = a.cancellation_in_scope(sf, at, assumed) + _receiver_signals(sf, at, package if other_files else None)
    # a signal already in scope beats the one context plumbing would add; a broadcast, a message
    for c in sorted(found, key=lambda c: (c.assumed, message_note(sf, c, package) is not None)):
        if a.never_cancelled(sf, c, at):
            continue
        if c.kind == "channel" and _signals_itself(sf, c, g):
            continue
        return c
    return None


def rewritten_signal(sf: SourceFile, c: a.Cancellation, at: Node) -> str | None:
    """Why the receiver's field ``c`` (``s.ctx``) is no signal for a goroutine's loop: a
    method of its type in this file assigns it again after it was made (kapacitor's
    influxdb cluster replaces `c.ctx` per operation and cancels the last, `Open` by defer
    as it returns): the loop would read the field without the writer's lock, and stop
    when an unrelated operation ends."""
    operand, _, field = c.name.partition(".")
    method = a.enclosing(at, "method_declaration")
    key = a.function_key(sf, method) if method is not None else None
    if not field or "." in field or key is None or a.receiver_name(sf, method) != operand:
        return None
    calls = sf.cached("method-call-counts", lambda: _method_call_counts(sf))
    for other in a.of_type(sf.root, "method_declaration"):
        k = a.function_key(sf, other)
        recv = a.receiver_name(sf, other)
        if k is None or k[1] != key[1] or recv is None or calls.get(k[0], 0) < 2:
            continue  # set once, by a Start that runs once, it is the value's lifetime
        for stmt in a.of_type(a.body(other), "assignment_statement"):
            if any(sf.text(x) == f"{recv}.{field}" for x in a.left_names(stmt)):
                return (f"{c.name} is assigned again by {key[1]}.{k[0]} (line {sf.line_col(stmt.start_byte)[0]}), which "
                        f"{calls[k[0]]} calls make: a per-operation value, which the goroutine would read without its "
                        "writer's lock and which may end long before the goroutine should; stop it by hand")
    return None


def _method_call_counts(sf: SourceFile) -> dict[str, int]:
    """How many calls of the file name each method (``x.m(...)``, by name)."""
    out: dict[str, int] = {}
    for call in a.of_type(sf.root, "call_expression"):
        mc = a.method_call(sf, call)
        if mc is not None:
            out[mc[1]] = out.get(mc[1], 0) + 1
    return out


def message_note(sf: SourceFile, c: a.Cancellation, facts: PackageFacts | None) -> str | None:
    """Why a case on ``c`` would be wrong when it is a done-named channel field that the
    package sends on and never closes (go-ethereum's ``c.close``, which ``Client.Close``
    sends on once for ``dispatch`` to take): a message to one receiver, not a broadcast
    stop signal. Another goroutine watching it would steal that message, and its receiver
    would never learn of it."""
    if facts is None or c.kind != "channel" or "." not in c.name:
        return None
    field = c.name.rsplit(".", 1)[1]
    memo = sf.cached("message-fields", dict)
    if field not in memo:
        use = facts.model.field_use(sf.package_name, field)
        memo[field] = use.sends > 0 and not use.closes
    return (f"{c.name} is a message, not a stop signal: the package sends on it and never closes it, so a case "
            "on it here would steal it from the receiver it is meant for") if memo[field] else None


def _receiver_signals(sf: SourceFile, at: Node, package: PackageFacts | None) -> list[a.Cancellation]:
    """``s.ctx``, ``s.quit``: stop signals among the fields of the receiver's struct, as the
    package's facts know them (the struct may be declared in another file)."""
    method = a.enclosing(at, "method_declaration")
    if package is None or method is None:
        return []
    decl = next(a.of_type(method.child_by_field_name("receiver"), "parameter_declaration"), None)
    names = decl.children_by_field_name("name") if decl is not None else []
    key = a.function_key(sf, method)
    if not names or key is None:
        return []
    kinds = {"context": "context", "signal": "channel"}
    return [a.Cancellation(f"{sf.text(names[0])}.{f}", kinds[k]) for f, k in package.signal_fields(key[1])]


def declaration_visible(sf: SourceFile, name: str, at: Node) -> bool:
    """Parameters are visible; a local only where its block encloses ``at``."""
    for fn in (x for x in a.ancestors(at) if x.type in a.FUNCTION_TYPES):
        if a.params_declare(sf, fn, name):
            return True
    return a.local_declaration(sf, name, at) is not None


def _signals_itself(sf: SourceFile, c: a.Cancellation, g: Goroutine) -> bool:
    """Whether the goroutine closes or sends on ``c`` itself, directly or through the
    functions and methods of this file that it calls (``defer c.cleanup()`` closing
    ``c.donec``): then the channel marks the goroutine's own end."""
    field = "." + c.name.rsplit(".", 1)[-1] if "." in c.name else None
    signalled, called = a.signal_ops(sf, g.fn)
    if c.name in signalled:
        return True
    # in a callee, another receiver name may stand for the same struct: match the field
    decls = _declared_functions(sf)
    todo = [d for name in called for d in decls.get(name, ()) if d != g.fn]
    seen = {g.fn, *todo}
    while todo:
        fn = todo.pop()
        signalled, called = a.signal_ops(sf, fn)
        if field is not None and any(t.endswith(field) for t in signalled):
            return True
        for d in (d for name in called for d in decls.get(name, ())):
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return False


def return_blocker(sf: SourceFile, g: Goroutine, after: Node | None, sig: a.Cancellation) -> str | None:
    """Why a `return` added at ``after`` (a statement of ``g``), taken when ``sig`` fires,
    would be wrong, or None. ``after`` None: nothing of ``g`` runs after the return anyway."""
    if g.fn.child_by_field_name("result") is not None:
        return "the goroutine's function has results: decide what it returns when cancelled"
    if g.step:
        return "the function may run as one step of a goroutine (a goroutine's literal calls it): a return here would let its caller go on"
    if after is None:
        return None
    for n in a.walk(a.body(g.fn), skip_functions=True):
        if n.start_byte < after.end_byte or n.type != "call_expression" or n.parent.type != "expression_statement":
            continue  # ctx.Done() inside a select is no cleanup; wg.Done() as a statement is
        if a.enclosing(n, "defer_statement", stop_at=a.FUNCTION_TYPES) is not None:
            continue
        fn = n.child_by_field_name("function")
        text = sf.text(fn)
        last = sf.text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text
        cancel = fn.type == "identifier" and last.lower().startswith("cancel") and not _made_from(sf, n, sig)
        if text == "close" or (fn.type == "selector_expression" and last in _CLEANUP_METHODS) or cancel:
            return f"a return would skip `{sf.text(n)}` below it: make that a defer first"
    return None


def range_as_select(sf: SourceFile, loop: Node, clause: Node, sig: a.Cancellation, chan: str | None = None,
                    hoist: bytes = b"") -> tuple[TextEdit | None, str | None]:
    """(edit, None) turning `for [v :=] range CH { BODY }` into `for { select { case [v :=]
    <-CH: BODY; case <-sig: return } }`, BODY moved one tab in byte for byte (the caller
    makes sure it has no break that leaves the loop: in a select it would leave the select),
    or (None, why not). ``chan``: the channel to receive from in place of CH; ``hoist``:
    lines put before the loop, ending in the loop's indentation."""
    body = loop.child_by_field_name("body")
    stmt = a.statement_of(loop)
    open_end = sf.data.find(b"\n", body.start_byte)
    close_line = sf.line_start(body.end_byte - 1)
    comment = sf.data[body.start_byte + 1 : open_end].strip()  # stays on the loop's line
    if (comment and not comment.startswith(b"//")) or sf.data[close_line : body.end_byte - 1].strip():
        return None, "the loop body is not laid out one statement a line: rewrite it by hand"
    if not own_line(sf, stmt) or any(b"\n" in sf.data[s.start_byte : s.end_byte] for s in a.of_type(body, "raw_string_literal")) \
            or not sf.indent_at(stmt.start_byte).endswith(b"\t"):
        return None, "the loop shares a line, is not tab-indented, or holds a multi-line raw string: rewrite it by hand"
    nl = sf.newline
    indent = sf.indent_at(loop.start_byte)
    start = open_end + 1
    moved = b"".join(b"\t" + ln if ln.strip() else ln for ln in sf.data[start:close_line].splitlines(keepends=True))
    chan = chan or sf.text(clause.child_by_field_name("right"))
    left = clause.child_by_field_name("left")
    if left is None:
        comm = f"<-{chan}"
    else:
        op = ":=" if any(c.type == ":=" for c in clause.children) else "="
        comm = f"{sf.text(left)} {op} <-{chan}"
    inner = indent + b"\t"
    text = (
        b"for {" + (b" " + comment if comment else b"") + nl
        + inner + b"select {" + nl
        + inner + f"case {comm}:".encode() + nl
        + moved
        + watch_cases(sf, sig, inner)
        + inner + b"}" + nl
        + indent + b"}"
    )
    return TextEdit(loop.start_byte, loop.end_byte, hoist + text), None


def _made_from(sf: SourceFile, call: Node, sig: a.Cancellation) -> bool:
    """Whether ``cancel()`` cancels ``sig`` itself or a context made from it (``tctx, cancel :=
    context.WithTimeout(ctx, d)``, through such locals): once ``sig`` is done, so is that
    context, and the call does nothing a return would miss."""
    name = sf.text(call.child_by_field_name("function"))
    decl = a.local_declaration(sf, name, call)
    for _ in range(4):  # a few derivations deep
        if decl is None or decl.type != "short_var_declaration":
            return False
        names = [sf.text(x) for x in a.left_names(decl)]
        made = decl.child_by_field_name("right").named_children
        if len(made) != 1 or not a.is_call_to(sf, made[0], "context", a.CANCELLABLE) or not a.arguments(made[0]) \
                or len(names) != 2:
            return False
        parent = a.unparen(a.arguments(made[0])[0])
        if sig.kind == "context" and sig.name in (names[0], sf.text(parent)):
            return True
        if parent.type != "identifier":
            return False
        decl = a.local_declaration(sf, sf.text(parent), decl)
    return False



def own_line(sf: SourceFile, stmt: Node) -> bool:
    """Whether ``stmt`` alone fills its lines (a trailing comment aside): only such a
    statement can be replaced by a multi-line one the way gofmt lays it out."""
    before = sf.data[sf.line_start(stmt.start_byte) : stmt.start_byte]
    end = sf.data.find(b"\n", stmt.end_byte)
    rest = sf.data[stmt.end_byte : len(sf.data) if end == -1 else end].strip()
    return not before.strip() and (not rest or rest.startswith(b"//"))


@dataclass(frozen=True)
class Comment:
    """A `// ...` comment that ends a line, without a CRLF line's ``\r`` (the parser's token
    keeps it: copied as it is, a rewritten line would end in ``\r\r\n``)."""

    text: str
    end_byte: int  # where the text ends: the line ending follows


def trailing_comment(sf: SourceFile, node: Node) -> Comment | None:
    """The `// ...` comment after ``node`` on the line where ``node`` ends."""
    nxt = node.next_sibling
    if nxt is None or nxt.type != "comment" or not sf.text(nxt).startswith("//"):
        return None
    if b"\n" in sf.data[node.end_byte : nxt.start_byte]:
        return None
    text = sf.text(nxt).rstrip("\r")
    return Comment(text, nxt.start_byte + len(text.encode()))


def watch_cases(sf: SourceFile, sig: a.Cancellation, indent: bytes, body: tuple[str, ...] = ("return",)) -> bytes:
    """`case <-ctx.Done(): return` as lines at ``indent`` (a select's own indentation);
    ``body``, one-line statements, in place of the ``return``."""
    nl = sf.newline
    return indent + f"case <-{sig.done_expr()}:".encode() + nl + b"".join(indent + b"\t" + ln.encode() + nl for ln in body)


def select_over(sf: SourceFile, comm: str, sig: a.Cancellation, indent: bytes, comment: str = "",
                body: tuple[str, ...] = ("return",)) -> bytes:
    """`select { case COMM: case <-ctx.Done(): return }`, its first line unindented;
    ``comment`` (the operation's trailing comment) stays on the operation's line; ``body``
    as in watch_cases."""
    nl = sf.newline
    case = f"case {comm}:" + (f" {comment}" if comment else "")
    return b"select {" + nl + indent + case.encode() + nl + watch_cases(sf, sig, indent, body) + indent + b"}"


def ticker_stop(sf: SourceFile, g: Goroutine, chan: Node) -> TextEdit | None:
    """`defer t.Stop()` for the ticker behind ``chan`` (``t.C``) when it is a local
    `time.NewTicker` that only this goroutine uses and nobody stops, placed where
    ticker-not-stopped would place it (so the two never add it twice)."""
    if chan.type != "selector_expression" or sf.text(chan.child_by_field_name("field")) != "C":
        return None
    operand = chan.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return None
    values = a.defined_values(sf, sf.text(operand), chan)
    call = next((v for v in values if a.is_call_to(sf, v, "time", ("NewTicker",))), None)
    binding = a.assignments(sf, call) if call is not None else None
    if binding is None or binding.name != sf.text(operand):
        return None
    life = a.lifetime(sf, binding, is_stop)
    if life.escaped or life.released or life.in_loop:
        return None
    text = f"defer {binding.name}.Stop()"
    if a.is_within(binding.statement, g.fn):
        return insert_after_statement(sf, binding.statement, text)
    if life.owner == g.fn:
        return insert_at_block_start(sf, a.body(g.fn), text)
    return None


def is_ticker_channel(sf: SourceFile, chan: Node) -> bool:
    """``x.C`` where ``x`` is a ticker: made by time.NewTicker here, or typed *time.Ticker
    (a parameter, a var, a struct field of this file), or named like one; or ``time.Tick(d)``."""
    if a.is_call_to(sf, chan, "time", ("Tick",)):
        return True
    if chan.type != "selector_expression" or sf.text(chan.child_by_field_name("field")) != "C":
        return False
    operand = chan.child_by_field_name("operand")
    last = operand.child_by_field_name("field") if operand.type == "selector_expression" else operand
    name = sf.text(last) if last is not None else ""
    if "tick" in name.lower():
        return True
    times = sf.aliases("time")
    for n in a.of_type(sf.root, "parameter_declaration", "var_spec", "field_declaration"):
        typ = n.child_by_field_name("type")
        if (typ is not None and sf.text(typ).lstrip("*") in {f"{t}.Ticker" for t in times}
                and any(sf.text(x) == name for x in n.children_by_field_name("name"))):
            return True
    decl = a.local_declaration(sf, name, chan) if operand.type == "identifier" else None
    return decl is not None and any(a.is_call_to(sf, c, "time", ("NewTicker",)) for c in a.of_type(decl, "call_expression"))


def mentions(sf: SourceFile, node: Node, sig: a.Cancellation) -> bool:
    """Whether ``node`` already looks at the signal (ctx.Done(), ctx.Err(), <-done ...)."""
    return any(sf.text(n) == sig.name for n in a.of_type(node, "identifier", "selector_expression"))


def watches_any_signal(sf: SourceFile, node: Node) -> bool:
    """Whether ``node`` (closures aside) looks at some stop signal, whichever it is: a
    ``x.Done()`` or ``x.Err()`` call, or a receive from a channel named like a signal
    (``<-s.quit``), anywhere in it (a nested select, an ``if``)."""
    for n in a.of_type(node, "call_expression", "unary_expression", skip_functions=True):
        if n.type == "call_expression":
            m = a.method_call(sf, n)
            if m is not None and m[1] in ("Done", "Err") and not a.arguments(n):
                return True
        elif a.is_receive(sf, n):
            ch = a.unparen(n.child_by_field_name("operand"))
            last = ch.child_by_field_name("field") if ch.type == "selector_expression" else ch
            if last is not None and last.type in ("identifier", "field_identifier") and a.names_a_signal(sf.text(last)):
                return True
    return False


def own_signal_case(sf: SourceFile, fn: Node, stmt: Node, sig: a.Cancellation, chan: Node) -> tuple[tuple[str, ...] | str, int | None]:
    """What the new case does, and the line of the case it copies: ``return`` where ``fn``
    has no select case on the same signal that does more before it returns (logs and a
    timer's or ticker's ``Stop`` aside); else that case's body (``close(out)``,
    ``p.pp.Stop()``, ``doneCh <- nil`` before the ``return``), which a bare return would
    skip, copied where it means the same: one-line statements, none on the blocked
    operation's channel nor a ``break``/``continue``/``goto``, whose locals are the ones in
    scope at the operation. Else a str: why not."""
    cases = [c for c in a.of_type(fn, "communication_case", skip_functions=True)
             if a.waits_on(sf, c.child_by_field_name("communication"), sig)]
    bodies = [(c, tuple(x for x in a.statements(c) if x.type != "comment")) for c in cases]
    for c, b in bodies:
        # an empty case shares the code after its select with the other cases: not its own way
        if b and b[-1].type != "return_statement" and not a.never_returns(sf, b[-1]):
            # syncthing's pullBlock marks the block failed and goes on to hand it over
            return (f"its own case on the signal at line {sf.line_col(c.start_byte)[0]} goes on rather than return: "
                    "the function finishes its work once the signal fires, which a return here would cut short"), None
    more = [(c, b) for c, b in bodies if len([x for x in b if not _idle(sf, x)]) > 1 and b[-1].type == "return_statement"]
    if not more:
        return ("return",), None
    at = sf.line_col(more[0][0].start_byte)[0]
    why = f"its own case on the signal at line {at} does more before it returns, which a bare return would skip"
    body = more[0][1]
    if len({tuple(sf.text(x) for x in b) for _, b in more}) > 1:
        return f"{why}, and its cases on the signal differ: add the case by hand", None
    name = sf.text(chan)
    for x in body:
        moved = any(a.local_declaration(sf, sf.text(n), x) != a.local_declaration(sf, sf.text(n), stmt) for n in a.of_type(x, "identifier"))
        jumps = any(True for _ in a.of_type(x, "break_statement", "continue_statement", "goto_statement", "fallthrough_statement"))
        # another send or receive on the channel would wait again, or hand over another value
        again = any(sf.text(n.child_by_field_name("channel")) == name for n in a.of_type(x, "send_statement")) or any(
            a.is_receive(sf, n) and sf.text(a.unparen(n.child_by_field_name("operand"))) == name for n in a.of_type(x, "unary_expression"))
        if "\n" in sf.text(x) or moved or jumps or again:
            return f"{why}, and it cannot be copied to the operation: add the case by hand", None
    return tuple(sf.text(x) for x in body), at


_LOGS = frozenset({"Debug", "Debugf", "Info", "Infof", "Print", "Printf", "Println", "Warn", "Warnf", "Warning",
                   "Warningf", "Log", "Logf", "Msg", "Msgf", "Trace", "Tracef"})


def _idle(sf: SourceFile, stmt: Node) -> bool:
    """Whether a statement changes nothing a bare return would need: a log line, or stopping
    a timer or ticker (``t.Stop()``, or ``if !t.Stop() { <-t.C }``), which since Go 1.23 the
    collector reclaims unstopped."""
    if stmt.type == "if_statement":
        cond = sf.text(stmt.child_by_field_name("condition")).replace(" ", "")
        inner = [x for x in a.statements(stmt.child_by_field_name("consequence")) if x.type != "comment"]
        timer = cond.removeprefix("!").removesuffix(".Stop()")
        return cond == f"!{timer}.Stop()" and stmt.child_by_field_name("alternative") is None \
            and [sf.text(x).replace(" ", "") for x in inner] == [f"<-{timer}.C"]
    call = a.unparen(stmt.named_children[0]) if stmt.type == "expression_statement" else None
    if call is None or call.type != "call_expression":
        return False
    while call.type == "call_expression" and call.child_by_field_name("function").type == "selector_expression":
        name = sf.text(call.child_by_field_name("function").child_by_field_name("field"))
        operand = call.child_by_field_name("function").child_by_field_name("operand")
        if name in _LOGS:
            return True
        if name == "Stop" and not a.arguments(call):
            made = a.defined_value(sf, sf.text(operand), stmt) if operand.type == "identifier" else None
            return a.is_call_to(sf, made, "time", ("NewTimer", "NewTicker")) or f"{sf.text(operand)}.C".encode() in sf.data
        call = operand  # a chained logger: logger.Info().Msg("...")
    return False


def in_once_do(sf: SourceFile, fn: Node | None) -> bool:
    """Whether ``fn`` is the func literal handed to ``once.Do`` of a ``sync.Once`` that this
    file declares at package level: it runs once per process, and so does what it starts
    (juicefs' libjfs starts each metrics pusher's ticker loop in ``pOnce.Do(func() { go
    ... }())``). Not a ``sync.Once`` field (once per value), nor a name of unknown type."""
    call = fn.parent.parent if fn is not None and fn.type == "func_literal" and fn.parent.type == "argument_list" else None
    method = a.method_call(sf, call) if call is not None and call.type == "call_expression" else None
    if method is None or method[1] != "Do" or method[0].type != "identifier" or len(a.arguments(call)) != 1:
        return False
    name = sf.text(method[0])
    return not declaration_visible(sf, name, call) and name in sf.cached("package-onces", lambda: _package_onces(sf))


def _package_onces(sf: SourceFile) -> frozenset[str]:
    """The names of the file's package-level ``var x sync.Once``."""
    out = set()
    for decl in (d for d in sf.root.named_children if d.type == "var_declaration"):
        for spec in a.of_type(decl, "var_spec"):
            typ = spec.child_by_field_name("type")
            if typ is not None and typ.type == "qualified_type" and sf.text(typ.child_by_field_name("name")) == "Once" \
                    and sf.imports.get(sf.text(typ.child_by_field_name("package"))) == "sync":
                out.update(sf.text(n) for n in spec.children_by_field_name("name"))
    return frozenset(out)


def process_lifetime(sf: SourceFile, caller: Node) -> bool:
    """``init``, package main's ``main``, or the literal of a package-level ``once.Do``: what
    they start lives as long as the process."""
    if in_once_do(sf, caller):
        return True
    if sf.package_name == "main" and caller.type == "function_declaration":
        return sf.text(caller.child_by_field_name("name")) in ("main", "init")
    return caller.type == "function_declaration" and sf.text(caller.child_by_field_name("name")) == "init"


STOPS = (*owners.STOPS, "Cancel")  # the methods that promise to stop a value


@dataclass(frozen=True)
class TypeLoop:
    """What a goroutine started for a type ``T`` runs."""

    type: str  # T
    runs: str  # how long its loop runs (facts' own_loop kinds: UNTIL_SIGNAL, ...)
    stuck: bool  # a loop of it has no way out at all
    waits: frozenset[str]  # what every exit of it waits on: ``<-field``s of the receiver
    name: str  # what to call it in a message


def type_loop(p: Pass, go: Node) -> TypeLoop | None:
    """The loop of ``go t.m()`` of a method of the package, or of a literal written in a
    method of ``T``."""
    sf = p.file
    call = go.named_children[0] if go.named_children else None
    if call is None or call.type != "call_expression":
        return None
    fn = a.unparen(call.child_by_field_name("function"))
    if fn.type == "func_literal":
        method = a.enclosing_function(go)
        while method is not None and method.type == "func_literal":
            method = a.enclosing_function(method)
        key = a.function_key(sf, method) if method is not None else None
        recv = a.receiver_name(sf, method) if key is not None and key[1] else None
        body = a.body(fn)
        if recv is None or body is None:
            return None
        stuck = any(no_exit(sf, loop) for loop in a.of_type(body, "for_statement", skip_functions=True))
        return TypeLoop(key[1], own_loop(sf, body), stuck, frozenset(owners.waits(sf, body, recv)), "this goroutine")
    if fn.type != "selector_expression":
        return None
    name = sf.text(fn.child_by_field_name("field"))
    decls = [f for f in p.package.model.functions(sf.package_name, name, True) if not f.path.endswith("_test.go")]
    if len(decls) != 1:
        return None
    f = decls[0]
    return TypeLoop(f.recv, f.loop, f.no_exit, frozenset(f.owning.waits), f"{f.recv}.{name}")


def stuck_stop(p: Pass, v: m.View, loop: TypeLoop) -> str | None:
    """The stop method of ``loop``'s type, when the loop has no way out at all."""
    return p.package.has_method(v.package, loop.type, STOPS) if loop.stuck else None


def stop_owns(p: Pass, g: Goroutine, sig: a.Cancellation) -> bool:
    """Whether goroutine-outlives-stop, not loop-without-exit, reports the loop of ``g`` that
    loop-without-exit would give a case on ``sig``: a ``go`` statement of this file starts
    ``g``, whose loop has no way out and whose type has a stop method, and ``sig`` would not
    let that stop end it (context plumbing's new ctx, or a field of the receiver that the stop
    method does not fire). Where ``sig`` can end it (a context or channel the caller passes,
    a field the stop method closes), loop-without-exit names it and fixes the loop, and
    goroutine-outlives-stop leaves the loop to it."""
    v = m.view(p)
    if v.facts is None or p.file.path.endswith("_test.go"):
        return False
    for go in a.of_type(p.file.root, "go_statement"):
        caller = a.enclosing_function(go)
        started = started_by(p.file, go)
        if caller is None or process_lifetime(p.file, caller) or started is None or started.fn != g.fn:
            continue
        loop = type_loop(p, go)
        stop = stuck_stop(p, v, loop) if loop is not None else None
        if stop is not None and not _stop_ends(p, v, g, loop, stop, sig):
            return True
    return False


def _stop_ends(p: Pass, v: m.View, g: Goroutine, loop: TypeLoop, stop: str, sig: a.Cancellation) -> bool:
    """Whether a case on ``sig`` could end ``g`` once ``loop.type``'s ``stop`` method runs, or
    by its caller's doing: any signal but context plumbing's, and but a field of the receiver
    that ``stop`` does not fire (close, send on, write, or call anything that might)."""
    if sig.assumed:
        return False
    method = g.fn
    while method is not None and method.type == "func_literal":
        method = a.enclosing_function(method)
    recv = a.receiver_name(p.file, method) if method is not None and method.type == "method_declaration" else None
    operand, _, field = sig.name.partition(".")
    if recv is None or operand != recv or not field or "." in field:
        return True  # the caller's context or channel: it ends the goroutine when the caller is done
    fires = {x for f in p.package.declarations(v.package, stop, loop.type) for x in f.owning.fires}
    return any(x in (field, f"<-{field}") or x.endswith("()") for x in fires)
