"""Goroutine entry points of one file, and how long each one runs."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from .. import analysis as a
from ..facts import DRAINS, FOREVER, LONG_LIVED_LOOPS, SERVES, UNTIL_SIGNAL, own_loop
from .file import View

ENDS = "ends"  # a goroutine that returns on its own (as far as its loops tell)


@dataclass(frozen=True)
class Goroutine:
    """A function that runs on a goroutine."""

    body: Node  # a func_literal, or a function or method declaration of this file
    start: Node | None  # the statement of this file that starts it (None: a declaration started elsewhere)
    caller: Node | None  # the function holding ``start``
    via: str  # "go", "Go" (wg.Go, errgroup's g.Go), "launcher" (a function that runs its argument with go)


def goroutines(v: View) -> list[Goroutine]:
    """Every function of the file that runs on a goroutine: `go func(){...}()` literals,
    literals handed to `x.Go(...)` or to a launcher (the package's own, found from their
    bodies, or the configured ones), and declarations of this file that the package starts
    anywhere (`go s.run()`, a goroutine literal calling `s.run()`, `safe.Go(s.run)`).
    Kept on the file per package facts: several rules ask it of each file."""
    memo = v.sf.cached("model-goroutines", dict)
    hit = memo.get(id(v.facts))
    if hit is None or hit[0] is not v.facts:
        hit = memo[id(v.facts)] = (v.facts, tuple(_goroutines(v)))
    return list(hit[1])


def _goroutines(v: View) -> list[Goroutine]:
    sf = v.sf
    out: list[Goroutine] = []
    for lit in a.of_type(sf.root, "func_literal"):
        call = lit.parent.parent if lit.parent is not None and lit.parent.type == "argument_list" else None
        go = a.goroutine_literal(lit)
        if go is not None:
            out.append(Goroutine(lit, go, a.enclosing_function(go), "go"))
        elif call is not None and call.type == "call_expression" and _launches(v, call):
            m = a.method_call(sf, call)
            via = "Go" if m is not None and m[1] == "Go" else "launcher"
            out.append(Goroutine(lit, a.statement_of(call), a.enclosing_function(call), via))
    if v.index is not None:
        for decl in sf.root.named_children:
            key = a.function_key(sf, decl)
            if key is None or a.body(decl) is None:
                continue
            if v.index.starts(v.package, key[0], bool(key[1])):
                out.append(Goroutine(decl, None, None, "go"))
    return sorted(out, key=lambda g: g.body.start_byte)


def _launches(v: View, call: Node) -> bool:
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    c = a.callee(v.sf, call)
    if c is not None and c[0] is not None:
        return v.index is not None and v.index.is_launcher(v.package, c[0], c[1], False)
    if fn.type == "selector_expression":
        name = v.sf.text(fn.child_by_field_name("field"))
        return name == "Go" or (v.index is not None and v.index.is_launcher(v.package, None, name, True))
    return fn.type == "identifier" and v.index is not None and v.index.is_launcher(v.package, None, v.sf.text(fn), False)


def lifetime(v: View, g: Goroutine) -> str:
    """How long ``g`` runs: FOREVER, UNTIL_SIGNAL, SERVES, DRAINS (its own loops, or those of
    the package's functions it calls, followed a few calls deep), or ENDS."""
    body = a.body(g.body)
    loop = own_loop(v.sf, body) if body is not None else ""
    if loop:
        return loop
    if v.index is not None:
        for call in a.of_type(body, "call_expression", skip_functions=True):
            m = a.method_call(v.sf, call)
            name = m[1] if m is not None else a.callee(v.sf, call)
            if m is None and (name is None or name[0] is not None):
                continue
            name = name if isinstance(name, str) else name[1]
            if v.facts.is_long_lived(v.package, name, None if m is not None else ""):
                return UNTIL_SIGNAL
    return ENDS


def runs_once(v: View, fn: Node | None) -> bool:
    """Whether ``fn`` runs once per program at most, so what it starts cannot pile up: a
    function of package main that the package calls once from one that does, up to ``main``
    (facts.PackageFacts.runs_once; the file alone: ``main`` only), or a literal such a
    function starts in no loop (``go``, or a ``Go`` method such as errgroup's)."""
    if fn is None or v.package != "main":
        return False
    if fn.type == "function_declaration":
        name = v.sf.text(fn.child_by_field_name("name"))
        return name == "main" if v.facts is None else v.facts.runs_once(v.package, name)
    start = a.goroutine_literal(fn) if fn.type == "func_literal" else None
    call = fn.parent.parent if start is None and fn.parent is not None and fn.parent.type == "argument_list" else None
    m = a.method_call(v.sf, call) if call is not None and call.type == "call_expression" else None
    start = start or (a.statement_of(call) if m is not None and m[1] == "Go" else None)
    caller = a.enclosing_function(start) if start is not None else None
    return caller is not None and not a.loops_between(start, caller) and runs_once(v, caller)


__all__ = ["ENDS", "runs_once", "FOREVER", "UNTIL_SIGNAL", "SERVES", "DRAINS", "LONG_LIVED_LOOPS", "Goroutine", "goroutines", "lifetime"]
