"""Blocked sites tied to the scanned code: the file a site lies in (a dump names files as the
binary recorded them, which may be another machine's paths or -trimpath's module paths) and
the static findings that cover it — in the same file, spanning the blocked (or creating)
line or inside the same top-level function."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable

from ..discover import Target
from ..engine import FileResult
from ..rule import Finding
from ..source import parse
from .sites import Location, Site


@dataclass(frozen=True)
class Covered:
    site: Site
    path: str  # the blocked site's file: the scanned file's display path, else as the dump says
    in_scan: bool  # the site lies in a scanned file
    creator_path: str | None  # likewise for the `go` statement that started the goroutines
    findings: tuple[Finding, ...]  # the static findings covering the site, in source order


class Index:
    """The scanned files and their findings, to place dump locations in."""

    def __init__(self, targets: Iterable[Target], results: Iterable[FileResult]) -> None:
        self.targets = {os.path.normpath(t.path): t for t in targets}
        self.by_name: dict[str, list[Target]] = {}
        for t in self.targets.values():
            self.by_name.setdefault(os.path.basename(t.path), []).append(t)
        self.findings = {os.path.normpath(r.abspath): r.findings for r in results}
        self._decls: dict[str, list[tuple[int, int]]] = {}

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
            if t is None or loc is None:
                continue
            found += [f for f in self._covering(t, loc) if f not in found]
        found.sort(key=lambda f: (f.path, f.start, f.rule))
        return Covered(
            site,
            target.display if target else site.blocked.path,
            target is not None,
            creator.display if creator else (site.created_by.path if site.created_by else None),
            tuple(found),
        )

    def _covering(self, target: Target, loc: Location) -> list[Finding]:
        decl = self._decl_at(target.path, loc.line)
        return [
            f
            for f in self.findings.get(os.path.normpath(target.path), [])
            if f.line <= loc.line <= f.end_line or (decl is not None and decl == self._decl_at(target.path, f.line))
        ]

    def _decl_at(self, path: str, line: int) -> tuple[int, int] | None:
        """The line span of the top-level declaration holding ``line``."""
        if path not in self._decls:
            try:
                with open(path, "rb") as fh:
                    root = parse(fh.read()).root_node
            except OSError:
                root = None
            self._decls[path] = [(c.start_point[0] + 1, c.end_point[0] + 1) for c in root.children] if root else []
        return next((d for d in self._decls[path] if d[0] <= line <= d[1]), None)


def _common_suffix(a: list[str], b: list[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n
