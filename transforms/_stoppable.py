"""Shared by ticker-not-stopped and timer-not-stopped: they differ in the constructor and
in what releases the value (a timer that has fired is released too)."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks.edits import Fix, insert_after_statement, insert_at_block_start
from gofixleaks.rule import Pass


def is_stop(use: a.Use) -> bool:
    return use.kind in ("method", "deferred-method") and use.detail == "Stop"


def check_stoppable(p: Pass, constructor: str, noun: str, why: str, is_release=is_stop) -> None:
    """Report each local ``time.<constructor>`` value that is not released on every path:
    ``why`` ends the message, ``is_release(use)`` says which uses release it (Stop, and for
    a timer also a receive that proves it fired)."""
    sf = p.file
    for call in a.of_type(sf.root, "call_expression"):
        if not a.is_call_to(sf, call, "time", (constructor,)):
            continue
        binding = a.assignments(sf, call)
        if binding is None or binding.name == "_" or binding.statement.type == "assignment_statement":
            continue  # not a fresh local: stored or reassigned, owned elsewhere
        life = a.lifetime(sf, binding, is_release)
        if life.escaped or life.released:
            continue
        name = binding.name
        never = "is not stopped on every path" if any(is_release(u) for u in life.uses) else "is never stopped"
        message = f"{noun} {name} from time.{constructor} {never}: {why}"
        if life.in_loop:
            p.report(call, message, notes=["made inside a loop: stop it before the next iteration (a defer would pile up)"])
            continue
        text = f"defer {name}.Stop()"
        if life.owner is not None:
            edit = insert_at_block_start(sf, a.body(life.owner), text)
            where = "inside the goroutine that owns it"
        else:
            edit = insert_after_statement(sf, binding.statement, text)
            where = "after it is made"
        fixes = [Fix(f"add `{text}` {where}", (edit,))] if edit is not None else []
        p.report(call, message, fixes)
