"""Lifetimes of local resources (tickers, timers, cancel funcs, response bodies): made,
used, handed on, released."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..source import SourceFile
from .bindings import Binding, Use, classify, escapes, references
from .flow import loops_between, runs_on_every_path
from .syntax import body, is_within, sole_goroutine, statement_of

# ---------------------------------------------------------------------------- resources


@dataclass(frozen=True)
class Lifetime:
    """What happens to a local resource (ticker, timer, cancel func, response) after it is made."""

    binding: Binding
    uses: tuple[Use, ...]
    escaped: bool  # returned, stored, passed on: its release is someone else's business
    released: bool  # released on every path out of its owner
    owner: Node | None  # the `go func` literal that alone uses it, if one does
    in_loop: bool  # declared inside a loop of its function: a defer would pile up


def lifetime(sf: SourceFile, binding: Binding, is_release) -> Lifetime:
    """Follow ``binding`` through its references; ``is_release(use)`` says which use frees it
    (``t.Stop()``, ``cancel()``, ``resp.Body.Close()``)."""
    uses = tuple(classify(sf, r) for r in references(sf, binding))
    releases = [u for u in uses if is_release(u)]
    escaped = any(escapes(u) and not is_release(u) for u in uses)
    owner = sole_goroutine([u.ident for u in uses], binding.function)
    if owner is not None and is_within(binding.statement, owner):
        owner = None
    released = False
    for u in releases:
        stmt = statement_of(u.ident)
        here = stmt.parent == binding.statement.parent and runs_on_every_path(sf, stmt, binding.statement)
        in_owner = owner is not None and stmt.parent is not None and stmt.parent.parent == body(owner)
        if here or (in_owner and runs_on_every_path(sf, stmt, None)):
            released = True
    in_loop = bool(loops_between(binding.statement, binding.function))
    return Lifetime(binding, uses, escaped, released, owner, in_loop)
