"""Shared by cancel-not-called and the timer rules: fixes that release a handle where its
lifecycle (``analysis.follow``) drops it, rather than when the function returns.

Each returns the edits, or None and one line saying why no fix is offered."""

from __future__ import annotations

from tree_sitter import Node

from gofixleaks import analysis as a
from gofixleaks.analysis.handles import EXITS, LEAVES
from gofixleaks.edits import TextEdit, delete_line, insert_after_statement, insert_before_statement
from gofixleaks.source import SourceFile

_JUMPS = ("return_statement", "break_statement", "continue_statement", "goto_statement")

Result = tuple[tuple[TextEdit, ...] | None, str]


def at_drops(sf: SourceFile, life: a.Lifecycle, names: set[str], holder: str, text: str, guards: str) -> Result:
    """``text`` (``cancel()``, ``t.Stop()``) right before each return, break or continue that
    drops the handle, and after each statement that ends its block with it held. ``holder``:
    where the handle is kept (``cancel``, ``w.cancel``); ``names``: the values ``guards``
    (the context, what derives from it) that must not be used after."""
    g = life.graph
    scope = life.binding.statement.parent
    made = frozenset(_assigned_a_call(sf, g, holder) | ({life.made.id} if life.made is not None else set()))
    edits: dict[int, TextEdit] = {}
    for d in life.drops:
        pid, line = d.at.id, sf.line_col(d.at.start_byte)[0]
        if d.how not in (EXITS, LEAVES):
            return None, "dropped where no call can be put before it"
        leak = a.escaping(sf, g, g.reaching(pid, set(life.held)) - {pid}, names, scope)
        if leak is not None:
            return None, f"a value derived from {guards} outlives this path (line {sf.line_col(leak.start_byte)[0]})"
        if life.made is not None and not g.dominates(made, pid):
            return None, f"line {line} is also reached without it: release it where it is made"
        if d.at.type in _JUMPS[:3]:
            if d.at.type == "return_statement" and a.escaping(sf, g, {pid}, names, scope) is not None:
                return None, f"the return at line {line} hands on a value derived from {guards}"
            edit = insert_before_statement(sf, d.at, [text])
        elif d.at.type == "goto_statement" or d.at.type in a.CASE_TYPES:
            edit = None
        else:
            edit = insert_after_statement(sf, d.at, text)
        if edit is None:
            return None, f"the way out at line {line} shares its line with other code, or is a goto"
        edits[edit.start] = edit
    return tuple(edits.values()), ""


def _assigned_a_call(sf: SourceFile, g: a.Graph, holder: str) -> set[int]:
    """Points that assign ``holder`` the result of a call (a maker: never nil)."""
    out = set()
    for pid, node in g.points.items():
        if node.type not in ("assignment_statement", "short_var_declaration"):
            continue
        right = node.child_by_field_name("right")
        values = right.named_children if right is not None else []
        if len(values) == 1 and values[0].type == "call_expression" and holder in (sf.text(n) for n in a.left_names(node)):
            out.add(pid)
    return out


def each_iteration(sf: SourceFile, life: a.Lifecycle, names: set[str], text: str, guards: str) -> Result:
    """A ``defer`` release inside the loop that makes the handle becomes ``text`` at the end
    of each iteration and before every return, break, continue that leaves it."""
    g = life.graph
    defer, made = life.deferred_in_loop[0], life.made
    loop = a.enclosing(made, "for_statement") if made is not None else None
    body = loop.child_by_field_name("body") if loop is not None else None
    stmts = a.statements(body)
    if made not in stmts or defer not in stmts or defer.start_byte < made.start_byte or not a.runs_on_every_path(sf, defer, made):
        return None, "the handle and its defer are not both plain statements of the loop's body"
    if not a.is_within(life.binding.statement, body):
        return None, f"{life.binding.name} is declared outside the loop: its last value would be released early"
    later = [r for r in a.references(sf, life.binding) if r.start_byte > defer.start_byte and a.is_within(r, body)]
    if any(a.classify(sf, r).kind == "assigned" for r in later):
        return None, f"{life.binding.name} is assigned again later in the iteration: the end of it would release the new value only"
    after = {pid for pid, n in g.points.items() if a.is_within(n, body) and n.start_byte > defer.start_byte}
    leak = a.escaping(sf, g, {pid for pid in after if g.points[pid].type != "return_statement"}, names, body)
    if leak is not None:
        line = sf.line_col(leak.start_byte)[0]
        return None, f"a value derived from {guards} outlives the iteration (line {line}): it must live until the function returns"
    edits = []
    for jump in a.of_type(body, *_JUMPS, skip_functions=True):
        if jump.start_byte < defer.start_byte or not _leaves_iteration(sf, jump, loop):
            continue
        line = sf.line_col(jump.start_byte)[0]
        if jump.type == "goto_statement":
            return None, "a goto leaves the iteration"
        if jump.type == "return_statement" and a.escaping(sf, g, {jump.id}, names, body) is not None:
            return None, f"the return at line {line} hands on a value derived from {guards}"
        edit = insert_before_statement(sf, jump, [text])
        if edit is None:
            return None, f"the jump at line {line} shares its line with other code"
        edits.append(edit)
    if _falls_off_end(g, after | {defer.id}, loop):
        end = [s for s in a.following(defer) if s.type != "comment"]
        if not end:  # the defer ends the iteration: it becomes the release itself
            return (*edits, TextEdit(defer.start_byte, defer.end_byte, text.encode())), ""
        edit = insert_after_statement(sf, end[-1], text)
        if edit is None:
            return None, "the loop's last statement shares its line with other code"
        edits.append(edit)
    removal = delete_line(sf, defer)
    if removal is None:
        return None, "the defer shares its line with other code"
    return (removal, *edits), ""


def _falls_off_end(g: a.Graph, points: set[int], loop: Node) -> bool:
    """Whether some path reaches the end of ``loop``'s body (not by a continue)."""
    return any(loop.id in g.successors.get(p, ()) and g.points[p].type != "continue_statement" for p in points)


def _leaves_iteration(sf: SourceFile, jump: Node, loop: Node) -> bool:
    """Whether ``jump`` ends the current iteration of ``loop``: a return, goto, or a break or
    continue that targets ``loop`` or a statement around it."""
    if jump.type in ("return_statement", "goto_statement"):
        return True
    if jump.type == "break_statement":
        target = a.break_target(sf, jump)
        return target is None or target == loop or a.is_within(loop, target)
    label = next((c for c in jump.named_children if c.type == "label_name"), None)
    if label is None:
        return a.enclosing(jump, "for_statement") == loop
    return not any(
        x.type == "labeled_statement" and sf.text(x.child_by_field_name("label")) == sf.text(label)
        for x in a.ancestors(jump) if a.is_within(x, loop) and x != loop
    )
