"""Blocked sites tied to the scanned code: the file a site lies in (a dump names files as the
binary recorded them, which may be another machine's paths or -trimpath's module paths) and
the static findings that cover it — in the same file, spanning the blocked (or creating)
line or inside the same innermost function."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable

from ..discover import Target
from ..engine import FileResult
from ..rule import Finding
from ..source import parse
from .dump import Frame, runs_in
from .sites import Location, Site


@dataclass(frozen=True)
class Covered:
    site: Site
    path: str  # the blocked site's file: the scanned file's display path, else as the dump says
    in_scan: bool  # the site lies in a scanned file
    creator_path: str | None  # likewise for the `go` statement that started the goroutines
    findings: tuple[Finding, ...]  # the static findings covering the site, in source order
    stack_files: tuple[Target | None, ...] = ()  # the scanned file of each frame of site.stack (None: not scanned)

    def stack_paths(self) -> list[str]:
        """Each frame's file as ``path`` names the blocked one's: the scanned file's display
        path, else as the dump says."""
        return [t.display if t else loc.path for t, loc in zip(self.stack_files, self.site.stack)] \
            if self.stack_files else [loc.path for loc in self.site.stack]


class Index:
    """The scanned files and their findings, to place dump locations in."""

    def __init__(self, targets: Iterable[Target], results: Iterable[FileResult]) -> None:
        self.targets = {os.path.normpath(t.path): t for t in targets}
        self.by_name: dict[str, list[Target]] = {}
        for t in self.targets.values():
            self.by_name.setdefault(os.path.basename(t.path), []).append(t)
        self.findings = {os.path.normpath(r.abspath): r.findings for r in results}
        self._functions: dict[str, list[_Span]] = {}

    def local(self, path: str) -> Target | None:
        """The scanned file a dump's ``path`` names: the same file, or the one whose path
        ends the same way (most trailing directories in common; a bare file name only
        when no other scanned file has that name)."""
        exact = self.targets.get(os.path.normpath(os.path.abspath(path))) if os.path.isabs(path) else None
        if exact is not None:
            return exact
        parts = path.replace("\\", "/").split("/")
        candidates = self.by_name.get(parts[-1], [])
        best, best_n, tie = None, 0, False
        for t in candidates:
            n = _common_suffix(parts, t.path.replace(os.sep, "/").split("/"))
            if n > best_n:
                best, best_n, tie = t, n, False
            elif n == best_n:
                tie = True
        if best is None or tie or (best_n == 1 and len(candidates) > 1):
            return None
        return best

    def cover(self, site: Site) -> Covered:
        target = self.local(site.blocked.path)
        creator = self.local(site.created_by.path) if site.created_by else None
        found: list[Finding] = []
        for t, loc in ((target, site.blocked), (creator, site.created_by)):
            if t is None or loc is None or self._another_build(t.path, loc):
                continue
            found += [f for f in self._covering(t, loc) if f not in found]
        found.sort(key=lambda f: (f.path, f.start, f.rule))
        return Covered(
            site,
            target.display if target else site.blocked.path,
            target is not None,
            creator.display if creator else (site.created_by.path if site.created_by else None),
            tuple(found),
            # the toolchain's frames are never the scanned code's (a file of one's own may be named mutex.go too)
            tuple(None if Frame(loc.function, loc.path, loc.line).in_std else self.local(loc.path) for loc in site.stack),
        )

    def _covering(self, target: Target, loc: Location) -> list[Finding]:
        func = self.function_at(target.path, loc.line)
        return [
            f
            for f in self.findings.get(os.path.normpath(target.path), [])
            if f.line <= loc.line <= f.end_line or (func is not None and func == self.function_at(target.path, f.line))
        ]

    def _another_build(self, path: str, loc: Location) -> bool:
        """Whether the named function around ``loc``'s line is not the one the dump names
        there: a dump of another build, whose line may now hold other code, covered by
        findings that are not about it."""
        named = sorted((f for f in self._spans(path) if f.declared is not None and f.first <= loc.line <= f.last),
                       key=lambda f: f.last - f.first)
        return bool(named) and runs_in(loc.function, *named[0].declared) is False

    def _spans(self, path: str) -> list[_Span]:
        if path not in self._functions:
            self._functions[path] = _function_spans(path)
        return self._functions[path]

    def function_at(self, path: str, line: int) -> tuple[int, int] | None:
        """The line span of the innermost function (declaration or literal) whose body holds
        ``line``, where the body of a `go func() {...}()` counts as its launcher's: the
        goroutine and the channel it leaks on are made there (and `go func() {` itself
        belongs to the function running the `go` statement)."""
        inside = sorted((f for f in self._spans(path) if f.first < line <= f.last), key=lambda f: f.last - f.first)
        if len(inside) > 1 and inside[0].launched:
            inside = inside[1:]
        return (inside[0].first, inside[0].last) if inside else None


_FUNCTIONS = frozenset({"function_declaration", "method_declaration", "func_literal"})


@dataclass(frozen=True)
class _Span:
    """A function of a file, by its lines."""

    first: int
    last: int
    launched: bool  # the body of a `go` statement
    declared: tuple[str, str] | None  # (name, receiver type; "" for a function) of a declaration; None: a literal


def _function_spans(path: str) -> list[_Span]:
    """Every function in ``path``."""
    try:
        with open(path, "rb") as fh:
            stack = [parse(fh.read()).root_node]
    except OSError:
        return []
    spans = []
    while stack:
        node = stack.pop()
        if node.type in _FUNCTIONS:
            call = node.parent
            launched = call is not None and call.type == "call_expression" and call.parent is not None and call.parent.type == "go_statement"
            spans.append(_Span(node.start_point[0] + 1, node.end_point[0] + 1, launched, _declared(node)))
        stack.extend(node.named_children)
    return spans


def _declared(node) -> tuple[str, str] | None:
    """(name, receiver type without ``*`` or type parameters; "" for a function) of a
    declaration, None for a function literal."""
    name = node.child_by_field_name("name")
    if name is None:
        return None
    receiver = node.child_by_field_name("receiver")
    decl = next((c for c in receiver.named_children if c.type == "parameter_declaration"), None) if receiver is not None else None
    typ = decl.child_by_field_name("type") if decl is not None else None
    return name.text.decode(), typ.text.decode().lstrip("*").split("[")[0].strip() if typ is not None else ""


def _common_suffix(a: list[str], b: list[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n
