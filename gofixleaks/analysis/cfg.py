"""Control-flow graphs of function bodies, one point per statement, for questions that follow
a value along every path ("is this cancel func called or handed on before each way out?").

A point is a simple statement, the header of a compound one (an ``if``'s initializer and
condition, a loop's clause, a switch's tag), or a case (its value or communication).
Function literals are not entered: a ``defer``/``go`` statement or an expression holding a
literal is one point, and a question about what the literal does is asked separately.
Paths end at EXIT (a return, or the end of the body) or nowhere: ``panic``, ``os.Exit``,
``log.Fatal``, ``select {}``, a loop nothing leaves. Panics are not followed to the
deferred calls they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from tree_sitter import Node

from ..source import SourceFile
from .flow import CASE_TYPES, loop_kind, never_returns
from .syntax import ancestors, body, is_call_to, statements, unparen

EXIT = -1  # the point every return and the end of the body lead to

_SWITCHES = ("expression_switch_statement", "type_switch_statement")


@dataclass(frozen=True)
class Graph:
    """The statement-level control flow of one function body."""

    function: Node
    entry: int  # the first point, or EXIT for an empty body
    points: Mapping[int, Node]  # point id (the node's id) -> statement, header or case
    successors: Mapping[int, tuple[int, ...]]

    def point_of(self, node: Node) -> int | None:
        """The point whose own parts hold ``node``; a node inside a function literal belongs
        to the point holding the literal. None: not in this body."""
        for n in (node, *ancestors(node)):
            if n == self.function:
                return None
            if n.id in self.points and any(p.start_byte <= node.start_byte and node.end_byte <= p.end_byte for p in own_parts(n)):
                return n.id
        return None

    def reachable(self, start: int, avoiding: frozenset[int] = frozenset()) -> set[int]:
        """Points reachable from ``start`` (itself included), not passing ``avoiding``."""
        if start in avoiding:
            return set()
        seen, todo = {start}, [start]
        while todo:
            for s in self.successors.get(todo.pop(), ()):
                if s not in seen and s not in avoiding:
                    seen.add(s)
                    todo.append(s)
        return seen

    def dominates(self, first: int | frozenset[int], then: int) -> bool:
        """Whether every path from the entry to ``then`` passes ``first`` (one of them)."""
        firsts = first if isinstance(first, frozenset) else frozenset((first,))
        return then in firsts or then not in self.reachable(self.entry, avoiding=firsts)

    def reaching(self, target: int, within: set[int]) -> set[int]:
        """Points of ``within`` from which ``target`` can be reached through ``within``."""
        preds: dict[int, list[int]] = {}
        for p in within:
            for s in self.successors.get(p, ()):
                preds.setdefault(s, []).append(p)
        seen, todo = {target}, [target]
        while todo:
            for p in preds.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen


def own_parts(node: Node) -> list[Node]:
    """The parts of a point that run there: a whole simple statement; a compound statement's
    header (not its blocks); a case's value or communication."""
    t = node.type
    if t == "if_statement":
        return [c for c in (node.child_by_field_name("initializer"), node.child_by_field_name("condition")) if c is not None]
    if t == "for_statement":
        return [c for c in node.named_children if c.type not in ("block", "comment")]
    if t in _SWITCHES:
        return [c for c in node.named_children if c.type not in CASE_TYPES and c.type != "comment"]
    if t in CASE_TYPES:
        return [c for c in node.named_children if c.type not in ("statement_list", "comment")]
    if t in ("select_statement", "labeled_statement"):
        return []
    return [node]


def graph(sf: SourceFile, fn: Node) -> Graph:
    """The control flow of ``fn``'s body (a function declaration, method or literal)."""
    b = _Builder(sf)
    entry = b.block(statements(body(fn)), EXIT, ())
    for goto in b.gotos:
        label = next((sf.text(c) for c in goto.named_children if c.type == "label_name"), "")
        b.successors[goto.id] = (b.labels[label],) if label in b.labels else (EXIT,)
    return Graph(fn, entry, b.points, b.successors)


@dataclass(frozen=True)
class _Frame:
    """A statement a break or continue can target."""

    node: Node
    label: str | None
    breaks_to: int
    continues_to: int | None  # loops only
    falls_to: int | None = None  # switch cases: the next case's body


class _Builder:
    """Builds the graph backwards: each statement is built knowing where control goes next."""

    def __init__(self, sf: SourceFile) -> None:
        self.sf = sf
        self.points: dict[int, Node] = {}
        self.successors: dict[int, tuple[int, ...]] = {}
        self.labels: dict[str, int] = {}
        self.gotos: list[Node] = []

    def add(self, node: Node, successors) -> int:
        self.points[node.id] = node
        self.successors[node.id] = tuple(successors)
        return node.id

    def block(self, stmts: list[Node], follow: int, frames: tuple[_Frame, ...]) -> int:
        entry = follow
        for s in reversed(stmts):
            entry = self.statement(s, entry, frames, None)
        return entry

    def statement(self, s: Node, nxt: int, frames: tuple[_Frame, ...], label: str | None) -> int:
        t, sf = s.type, self.sf
        if t in ("comment", "empty_statement"):
            return nxt
        if t == "block":
            return self.block(statements(s), nxt, frames)
        if t == "return_statement":
            return self.add(s, [EXIT])
        if t == "goto_statement":
            self.gotos.append(s)
            return self.add(s, [])
        if t in ("break_statement", "continue_statement", "fallthrough_statement"):
            return self.add(s, [_jump_target(sf, s, frames)])
        if t == "expression_statement" and never_returns(sf, s):
            return self.add(s, [])
        if t == "labeled_statement":
            name = sf.text(s.child_by_field_name("label"))
            inner = [c for c in s.named_children if c.type != "label_name"]
            entry = self.statement(inner[0], nxt, frames, name) if inner else nxt
            self.labels[name] = s.id
            return self.add(s, [entry])
        if t == "if_statement":
            then = self.block(statements(s.child_by_field_name("consequence")), nxt, frames)
            alt = s.child_by_field_name("alternative")
            other = nxt if alt is None else self.statement(alt, nxt, frames, None)
            return self.add(s, [then, other])
        if t == "for_statement":
            frame = _Frame(s, label, nxt, s.id)
            entry = self.block(statements(s.child_by_field_name("body")), s.id, (*frames, frame))
            return self.add(s, [entry] if loop_kind(sf, s) == "endless" or _ranges_over_ticks(sf, s) else [entry, nxt])
        if t in _SWITCHES or t == "select_statement":
            cases = [c for c in s.named_children if c.type in CASE_TYPES]
            entries: list[int] = []
            falls = nxt
            for c in reversed(cases):
                frame = _Frame(s, label, nxt, None, falls)
                falls = self.block(statements(c), nxt, (*frames, frame))
                entries.append(self.add(c, [falls]))
            entries.reverse()
            if t != "select_statement" and not any(c.type == "default_case" for c in cases):
                entries.append(nxt)  # no case matched
            return self.add(s, entries)
        return self.add(s, [nxt])


def _ranges_over_ticks(sf: SourceFile, loop: Node) -> bool:
    """``for range t.C`` or ``for range time.Tick(d)``: a timer's channel is never closed,
    so only a break or return leaves the loop."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    right = unparen(clause.child_by_field_name("right")) if clause is not None else None
    if right is None:
        return False
    if right.type == "selector_expression":
        return sf.text(right.child_by_field_name("field")) == "C"
    return is_call_to(sf, right, "time", ("Tick",))


def _jump_target(sf: SourceFile, jump: Node, frames: tuple[_Frame, ...]) -> int:
    label = next((sf.text(c) for c in jump.named_children if c.type == "label_name"), None)
    for f in reversed(frames):
        if jump.type == "fallthrough_statement":
            if f.falls_to is not None:
                return f.falls_to
            continue
        if label is not None and f.label != label:
            continue
        if jump.type == "continue_statement":
            if f.continues_to is not None:
                return f.continues_to
            continue
        return f.breaks_to
    return EXIT  # not valid Go; the compiler rejects it
