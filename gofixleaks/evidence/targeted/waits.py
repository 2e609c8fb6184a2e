"""Targeted shapes for a goroutine blocked on a WaitGroup.Wait or a Cond.Wait."""

from __future__ import annotations

import re

from tree_sitter import Node

try:  # installed, transforms/ is the package gofixleaks.transforms
    from gofixleaks.transforms import _goroutine as g_
except ImportError:  # an uninstalled checkout: transforms/ beside gofixleaks/ (as registry.py finds it)
    from transforms import _goroutine as g_

from ... import analysis as a
from ...edits import Fix, TextEdit, delete_line, insert_after_statement
from ...source import SourceFile
from ._base import lock_call, named_call, struct_fields, used_elsewhere

# ---------------------------------------------------------------------------- a Wait in the launching loop


def wait_after_loop(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``wg.Wait()`` on ``line`` ends the body of a loop that starts one goroutine
    per pass (``go func(...) { defer wg.Done(); ... }(...)``, unconditionally, nothing leaving
    the loop early), after ``wg.Add(len(xs))`` (``for ... range xs``), or ``wg.Add(n)`` (``for
    i := 0; i < n; i++``, ``for range n``), counted every goroutine before the loop: the first
    pass waits for Dones of goroutines not started yet, and never returns once there are two
    items (moby's PR 25384). After the loop the Wait waits for them all, as the Add meant. For
    one item or none nothing changes; for more the loop ran only once before. Before Go 1.22
    the goroutine must not use the loop's variables (one per loop then, shared)."""
    wait = next((n for n in a.of_type(sf.root, "expression_statement")
                 if sf.line_col(n.start_byte)[0] == line and named_call(sf, n, "Wait")), None)
    loop = wait.parent.parent.parent if wait is not None and wait.parent.type == "statement_list" else None
    if loop is None or loop.type != "for_statement":
        return None, None
    group = sf.text(a.method_call(sf, a.unparen(wait.named_children[0]))[0])
    code = [n for n in a.statements(loop.child_by_field_name("body")) if n.type != "comment"]
    if code[-1] != wait:
        return None, "the Wait is not the last statement of its loop's body: moving it would reorder what follows"
    launches = [n for n in code if n.type == "go_statement"]
    if len(launches) != 1 or next(a.of_type(loop.child_by_field_name("body"), "return_statement", "break_statement",
                                            "continue_statement", "goto_statement", skip_functions=True), None):
        return None, "the loop does not start exactly one goroutine on every pass: count its Dones by hand"
    lit = launches[0].named_children[0].child_by_field_name("function")
    if lit is None or lit.type != "func_literal" or sum(1 for c in a.of_type(lit, "call_expression")
                                                         if _is_group_call(sf, c, group, "Done")) != 1:
        return None, f"the goroutine is not a literal that calls {group}.Done() once"
    if any(_is_group_call(sf, c, group, m) for c in a.of_type(loop, "call_expression") for m in ("Add", "Go")):
        return None, f"the loop adds to {group} itself: its count is not the one before the loop"
    added = _added_before(sf, loop, group)
    if added is None or added not in _passes(sf, loop):
        return None, f"no {group}.Add before the loop counts its passes: the Wait may be meant per pass"
    if (sf.go_version or (1, 22)) < (1, 22) and _loop_vars(sf, loop) & {sf.text(n) for n in a.of_type(lit, "identifier")}:
        return None, "before Go 1.22 the goroutines would share the loop's variables once they run side by side"
    comment = g_.trailing_comment(sf, wait)
    end = comment.end_byte if comment is not None else wait.end_byte
    removed = delete_line(sf, wait) if comment is None else _delete_through(sf, wait, end)
    added_edit = insert_after_statement(sf, loop, sf.data[wait.start_byte:end].decode())
    if removed is None or added_edit is None:
        return None, "the Wait or the loop shares its line: move the Wait by hand"
    return Fix(f"wait for {group} after the loop: {added} goroutines were added before it, one starts per pass",
               (removed, added_edit)), None


def _is_group_call(sf: SourceFile, call: Node, group: str, method: str) -> bool:
    mc = a.method_call(sf, call)
    return mc is not None and mc[1] == method and sf.text(mc[0]).lstrip("&") == group.lstrip("&")


def _add_call(sf: SourceFile, loop: Node, group: str) -> Node | None:
    """The ``group.Add(n)`` statement's call right before ``loop`` (other statements between
    do not name the group)."""
    prev = loop.prev_named_sibling
    while prev is not None:
        call = a.unparen(prev.named_children[0]) if prev.type == "expression_statement" and prev.named_children else None
        if call is not None and call.type == "call_expression" and _is_group_call(sf, call, group, "Add"):
            return call
        if prev.type != "comment" and re.search(rb"\b" + re.escape(group.encode()) + rb"\b", sf.data[prev.start_byte:prev.end_byte]):
            return None
        prev = prev.prev_named_sibling
    return None


def _added_before(sf: SourceFile, loop: Node, group: str) -> str | None:
    call = _add_call(sf, loop, group)
    args = a.arguments(call) if call is not None else []
    return " ".join(sf.text(args[0]).split()) if len(args) == 1 else None


def _passes(sf: SourceFile, loop: Node) -> tuple[str, ...]:
    """How an Add before the loop spells its number of passes: ``len(xs)`` for ``range xs``
    (or ``xs`` itself, which an Add takes only when it is an int: ``for range n``), ``n``
    for ``i := 0; i < n; i++``."""
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        return ()
    if clause.type == "range_clause":
        right = " ".join(sf.text(clause.child_by_field_name("right")).split())
        return f"len({right})", right
    cond, init = clause.child_by_field_name("condition"), clause.child_by_field_name("initializer")
    if a.loop_kind(sf, loop) != "counted" or cond is None or init is None or cond.type != "binary_expression" \
            or sf.text(cond.child_by_field_name("operator")) != "<" or not re.fullmatch(r"\w+\s*:=\s*0", sf.text(init)):
        return ()
    return (" ".join(sf.text(cond.child_by_field_name("right")).split()),)


def _loop_vars(sf: SourceFile, loop: Node) -> set[str]:
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    left = clause.child_by_field_name("left") if clause is not None and clause.type == "range_clause" else \
        clause.child_by_field_name("initializer") if clause is not None else None
    return {sf.text(n) for n in a.of_type(left, "identifier")} if left is not None else set()


def _delete_through(sf: SourceFile, stmt: Node, end: int) -> TextEdit | None:
    """The line holding only ``stmt`` and its trailing comment (ending at ``end``)."""
    start = sf.line_start(stmt.start_byte)
    nl = sf.data.find(b"\n", end)
    if sf.data[start:stmt.start_byte].strip() or nl == -1 or sf.data[end:nl].strip():
        return None
    return TextEdit(start, nl + 1, b"")


# ---------------------------------------------------------------------------- a Cond waiting past the error


def wait_for_error(sf: SourceFile, line: int) -> tuple[Fix | None, str | None]:
    """The blocked ``c.Wait()`` on ``line`` is the whole body of ``for COND { c.Wait() }`` in a
    method that, right after the loop (past its Unlock), returns the error field ``r.E``
    of its type, which COND does not read and the file sets: once E is set the awaited
    state never comes (an activation that failed) and no Broadcast follows, so the waiter
    waits forever for something the method would report as failed anyway (moby's PR 30408).
    The loop also stops on the error: ``COND && r.E == nil``. `review` however proven: a
    caller that clears E and retries would see waiters leave early with the old error."""
    found = cond_loop(sf, line)
    if found is None:
        return None, None
    loop, cond = found
    method = a.enclosing_function(loop)
    if cond is None or method is None or method.type != "method_declaration" or loop.parent.parent != a.body(method):
        return None, "the Wait's loop is not a plain `for COND` opening a method's own block"
    recv, type_name = a.receiver_name(sf, method), a.function_key(sf, method)[1]
    after = [n for n in a.statements(a.body(method)) if n.type != "comment" and n.start_byte > loop.end_byte]
    if not after or after[-1].type != "return_statement" or not all(
            lock_call(sf, n, ("Unlock", "RUnlock")) for n in after[:-1]):
        return None, "the method does more than unlock and return after the loop"
    results = after[-1].named_children[0].named_children if after[-1].named_children else []
    last = sf.text(results[-1]) if results else ""
    field = last.removeprefix(f"{recv}.") if recv and last.startswith(f"{recv}.") and last.count(".") == 1 else None
    fields = struct_fields(sf, type_name) or {}
    if field is None or fields.get(field) != "error":
        return None, "the method returns no error field of its type after the loop"
    if field in {sf.text(n) for n in a.of_type(cond, "field_identifier")}:
        return None, f"the loop's condition reads {field} already"
    if not any(sf.text(n).endswith(f".{field}") for s in a.of_type(sf.root, "assignment_statement")
               for n in s.child_by_field_name("left").named_children):
        return None, f"nothing in this file sets {field}: stopping on it changes nothing"
    text = sf.text(cond)
    paren = cond.type == "binary_expression" and sf.text(cond.child_by_field_name("operator")) == "||"
    new = f"({text}) && {recv}.{field} == nil" if paren else f"{text} && {recv}.{field} == nil"
    return Fix(f"stop waiting once {recv}.{field} is set: the method returns it after the loop",
               (TextEdit(cond.start_byte, cond.end_byte, new.encode()),)), None


def cond_loop(sf: SourceFile, line: int) -> tuple[Node, Node | None] | None:
    """(the loop, its condition: None for a bare ``for``) of which the ``x.Wait()`` on
    ``line`` is the whole body; None when it is not."""
    wait = next((n for n in a.of_type(sf.root, "expression_statement")
                 if sf.line_col(n.start_byte)[0] == line and named_call(sf, n, "Wait")), None)
    loop = wait.parent.parent.parent if wait is not None and wait.parent.type == "statement_list" else None
    if loop is None or loop.type != "for_statement" or [n for n in a.statements(loop.child_by_field_name("body"))
                                                          if n.type != "comment"] != [wait]:
        return None
    return loop, next((c for c in loop.named_children if c.type not in ("block", "comment", "for_clause", "range_clause")), None)


# ---------------------------------------------------------------------------- a Done nobody calls


def never_done(sf: SourceFile, line: int, abspath: str) -> tuple[None, str | None]:
    """No fix, a diagnosis (None when it does not hold): the group the blocked ``g.Wait()``
    waits on is never handed on (no ``&g`` or ``g`` argument) and nothing in the package
    calls ``g.Done()`` (or ``g.Go``), so once an Add counted one the Wait cannot return
    (cockroach's 1055: a drain group nobody drains)."""
    wait = next((n for n in a.of_type(sf.root, "expression_statement")
                 if sf.line_col(n.start_byte)[0] == line and named_call(sf, n, "Wait")), None)
    if wait is None:
        return None, None
    group = sf.text(a.method_call(sf, a.unparen(wait.named_children[0]))[0])
    name = group.rsplit(".", 1)[-1]
    if not re.fullmatch(r"\w+", name) or name == "WaitGroup":  # an embedded group: Done is called on its holder
        return None, None
    if not _plain_group(sf, wait, group):
        return None, None
    # Done, Go 1.25's wg.Go (it calls Done itself), or any method but Add and Wait
    done = re.compile(rb"\b" + name.encode() + rb"\s*\.\s*(?!Add\b|Wait\b)\w+\s*\(")
    handed = re.compile(rb"[(,]\s*&?(?:\w+\.)*" + name.encode() + rb"\s*[,)]")
    others = used_elsewhere(abspath, [done.pattern, handed.pattern])
    if done.search(sf.data) or handed.search(sf.data) or others is not None:
        return None, None
    return None, f"nothing in its package calls {name}.Done() nor hands {group} on: the Wait cannot return once an Add " \
                 f"counted one; call Done where each counted goroutine ends"


def _plain_group(sf: SourceFile, wait: Node, group: str) -> bool:
    """``group`` is a ``sync.WaitGroup`` of this file's own: a field of the method's receiver
    declared with that type, or a local declared here as one (a parameter's Done is its
    caller's, out of view)."""
    fn = a.enclosing_function(wait)
    recv = a.receiver_name(sf, fn) if fn is not None and fn.type == "method_declaration" else None
    if recv is not None and group.startswith(f"{recv}.") and group.count(".") == 1:
        return (struct_fields(sf, a.function_key(sf, fn)[1]) or {}).get(group.split(".")[1]) == "sync.WaitGroup"
    decl = a.local_declaration(sf, group, wait) if "." not in group else None
    if decl is None:
        return False
    if decl.type == "var_declaration":
        return " ".join(sf.text(decl).split()) == f"var {group} sync.WaitGroup"
    values = a.defined_values(sf, group, wait)
    return len(values) == 1 and " ".join(sf.text(values[0]).split()) in ("sync.WaitGroup{}", "&sync.WaitGroup{}")
