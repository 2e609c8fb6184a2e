"""`--verify`: prove the patches before anything is written, against a baseline of the
unpatched code. Patched files reach go through -overlay; nothing is written while proving.

1. Load: one `go list` per module (offline: see gocmd). A package that cannot be built
   from what is on this machine (a module missing from the cache, a build-tag-only package,
   inconsistent vendoring) is *unverifiable*: its fixes are left out, with a one-line
   reason. So is a patched file this platform does not build.
2. vet, then with --verify=tests also tests (levels.py): each level records the unpatched
   packages first (a package vet cannot check unpatched is unverifiable; one whose tests
   are missing or do not build is judged by vet alone), then checks every patched package
   with every patched file of the run in the overlay (context plumbing spans packages).
3. A package with new problems is bisected: first over its patched files, then over the
   fixes of each guilty file, re-running the engine with the guilty fixes skipped. What
   still fails together loses all its fixes: a wrong fix is worse than none.

Every fix left applied carries its verdict (AppliedFix.verified and .verification); every
fix left out is a Dropped with its verdict (dropped or unverifiable) and why."""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from typing import Callable

from .. import gomod
from ..discover import Target
from ..engine import AppliedFix, FileResult, process
from .gocmd import Go, Package, VerifyError
from .levels import TESTS, TESTS_OK, VET, VET_OK, Level, Progress, Tests, Vet

__all__ = ["LEVELS", "TESTS", "VET", "DROPPED", "UNVERIFIABLE", "Dropped", "Summary", "VerifyError",
           "bisect", "summarize", "verify"]

LEVELS = (VET, TESTS)
DROPPED, UNVERIFIABLE = "dropped", "unverifiable"
DEFAULT_TIMEOUT = 120.0  # s per package's test binary


@dataclass(frozen=True)
class Dropped:
    """A fix --verify left out: ``verdict`` dropped (it broke its package; ``message`` says
    how) or unverifiable (its package cannot be checked here, even unpatched; ``message``
    says why)."""

    fix: AppliedFix
    message: str
    verdict: str = DROPPED


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise VerifyError("--verify needs a Go toolchain: `go` was not found on PATH")
    return go


def bisect(items: list, fails: Callable[[list], bool]) -> list:
    """The items that make ``fails`` true, assuming failures add up (one bad item is
    enough to fail a set that holds it)."""
    if not items or not fails(items):
        return []
    if len(items) == 1:
        return items
    mid = len(items) // 2
    return bisect(items[:mid], fails) + bisect(items[mid:], fails)


def verify(results: list[FileResult], config, level: str = VET, timeout: float = DEFAULT_TIMEOUT,
           progress: Progress | None = None) -> list[FileResult]:
    """``results`` with every fix proved at ``level`` (vet or tests; a test binary is
    stopped after ``timeout`` s), and every other fix left out and recorded in ``dropped``.
    ``progress(stage, done, total, package)`` hears how far it got."""
    if level not in LEVELS:
        raise VerifyError(f"unknown --verify level {level!r} (vet or tests)")
    if not any(r.changed for r in results):
        return results
    go = _go()
    with tempfile.TemporaryDirectory(prefix="gofixleaks-verify-") as tmp:
        run = _Run(Go(go, tmp), results, config, progress or (lambda *_: None))
        run.load()
        run.check(Vet(run.go, run.packages, run.roots, run.progress))
        if level == TESTS:
            run.check(Tests(run.go, run.packages, run.roots, run.progress, timeout=timeout))
        return run.results()


class _Run:
    def __init__(self, go: Go, results: list[FileResult], config, progress: Progress) -> None:
        self.go = go
        self.config = config
        self.progress = progress
        self.order = [r.abspath for r in results]
        self.out = {r.abspath: r for r in results}
        self.by_pkg: dict[str, list[str]] = {}
        for r in results:
            if r.changed:
                self.by_pkg.setdefault(os.path.dirname(r.abspath), []).append(r.abspath)
        self.roots = {d: _module_root(d) for d in self.by_pkg}
        self.packages: dict[str, Package] = {}
        self.verdicts: dict[str, tuple[str, str]] = {}

    def patched(self) -> dict[str, bytes]:
        return {p: r.fixed for p, r in self.out.items() if r.changed}

    def live(self) -> list[str]:
        """The packages with fixes still in."""
        return sorted(d for d, paths in self.by_pkg.items() if any(self.out[p].changed for p in paths))

    def leave_out(self, paths: list[str], message: str, verdict: str) -> None:
        for p in paths:
            if self.out[p].changed:
                r = self.out[p]
                self.out[p] = replace(r, original=None, fixed=None, applied=[],
                                      dropped=r.dropped + [Dropped(a, message, verdict) for a in r.applied])

    def load(self) -> None:
        dirs = sorted(self.by_pkg)
        by_root: dict[str, list[str]] = {}
        for d in dirs:
            by_root.setdefault(self.roots[d], []).append(d)
        done = 0
        for root, ds in by_root.items():
            self.progress("load", done, len(dirs), root)
            self.packages.update(self.go.packages(root, ds))
            done += len(ds)
        platform = ""
        for d in dirs:
            pkg = self.packages[d]
            if pkg.problem:
                self.leave_out(self.by_pkg[d], pkg.problem, UNVERIFIABLE)
                continue
            for p in self.by_pkg[d]:
                if os.path.basename(p) not in pkg.built:
                    platform = platform or self.go.platform()
                    self.leave_out([p], f"{os.path.basename(p)} is not built on {platform} "
                                        "(its build constraints or cgo exclude it)", UNVERIFIABLE)

    def check(self, level: Level) -> None:
        for d, why in level.baseline(self.live()).items():
            self.leave_out(self.by_pkg[d], why, UNVERIFIABLE)
        stage = f"{level.name} patched"
        failing = level.problems(self.live(), self.patched(), stage)
        if failing:
            first = self.patched()
            for d in sorted(failing):
                files = [self.out[p] for p in self.by_pkg[d] if self.out[p].changed]
                for r in _repair_package(self._judge(level, d, first, failing[d]), files, self.config, self.patched()):
                    self.out[r.abspath] = r
            # a safety net for fixes that break only in combination: drop whole packages
            for _ in range(3):
                failing = level.problems(self.live(), self.patched(), stage)
                if not failing:
                    break
                for d, problems in failing.items():
                    self.leave_out(self.by_pkg[d], "; ".join(problems[:3]), DROPPED)
            else:
                for d in self.live():
                    self.leave_out(self.by_pkg[d], "the patched packages still fail together; no fix kept", DROPPED)
        for d in self.live():
            self.verdicts[d] = level.verdict(d)

    def _judge(self, level: Level, d: str, patched: dict[str, bytes], found: list[str]) -> Callable[[dict[str, bytes]], list[str]]:
        """Package ``d``'s new problems with an overlay, knowing it has ``found`` with
        ``patched`` (as first checked); bisection asks the same question more than once, and a test run can
        take the whole timeout."""
        memo: dict[frozenset, list[str]] = {frozenset(patched.items()): found}

        def problems(files: dict[str, bytes]) -> list[str]:
            key = frozenset(files.items())
            if key not in memo:
                memo[key] = level.problems([d], files, f"{level.name}: bisecting").get(d, [])
            return memo[key]

        return problems

    def results(self) -> list[FileResult]:
        for d, (level, why) in self.verdicts.items():
            for p in self.by_pkg[d]:
                r = self.out[p]
                if r.changed:
                    self.out[p] = replace(r, applied=[replace(a, verified=level, verification=why) for a in r.applied])
        return [self.out[p] for p in self.order]


def _module_root(d: str) -> str:
    go_mod = gomod.find_go_mod(d)
    return os.path.dirname(go_mod) if go_mod else d


def _repair_package(problems: Callable[[dict[str, bytes]], list[str]], files: list[FileResult], config,
                    patched: dict[str, bytes]) -> list[FileResult]:
    """``files`` (one package's) with the fixes that cause ``problems`` dropped."""
    mine = {f.abspath for f in files}
    rest = {p: d for p, d in patched.items() if p not in mine}  # other packages, patched

    def breaks(subset: list[FileResult]) -> bool:
        return bool(problems({**rest, **{r.abspath: r.fixed for r in subset}}))

    guilty_files = bisect(files, breaks)
    innocent = {f.abspath: f.fixed for f in files if f not in guilty_files}
    repaired = []
    for r in guilty_files:
        others = {**rest, **innocent}
        target = Target(r.abspath, r.path, True)

        def with_only(fixes: list[AppliedFix]) -> FileResult:
            skip = frozenset((a.rule, a.line) for a in r.applied if a not in fixes)
            return process(target, config, True, skip, plan=r.plan)

        def problems_with(fixes: list[AppliedFix]) -> list[str]:
            trial = with_only(fixes)
            return problems({**others, r.abspath: trial.fixed if trial.changed else r.original})

        guilty = bisect(list(r.applied), lambda subset: bool(problems_with(subset)))
        message = "; ".join(problems({**others, r.abspath: r.fixed})[:3])
        kept = [a for a in r.applied if a not in guilty]
        if problems_with(kept):
            kept = []  # the remaining fixes still break it together: keep none
        fixed = with_only(kept)
        dropped = [Dropped(a, message) for a in r.applied if a not in kept]
        repaired.append(replace(fixed, dropped=r.dropped + dropped))
    return repaired


@dataclass(frozen=True)
class Summary:
    """What --verify did, for people: counts by verdict, and one line per package (or per
    dropped fix) worth a word."""

    by_tests: int
    by_vet: int
    dropped: int
    unverifiable: int
    notes: tuple[str, ...]

    @property
    def judged(self) -> int:
        """How many fixes --verify judged (none without --verify)."""
        return self.by_tests + self.by_vet + self.dropped + self.unverifiable

    @property
    def nothing_verified(self) -> bool:
        return self.unverifiable > 0 and self.by_tests + self.by_vet == 0

    def line(self) -> str:
        parts = [f"{n} by {how}" for n, how in ((self.by_tests, "tests"), (self.by_vet, "vet")) if n]
        return ("verified " + ", ".join(parts) if parts else "verified none") + "".join(
            f"; {n} {what}" for n, what in ((self.dropped, "dropped"), (self.unverifiable, "unverifiable, not applied")) if n)


def summarize(results: list[FileResult], path: Callable[[FileResult], str] = lambda r: r.path) -> Summary:
    """What --verify did to ``results``, files named by ``path``."""
    counts: collections.Counter = collections.Counter()
    groups: dict[tuple[str, str, str], int] = collections.Counter()
    fix_notes = []
    for r in results:
        where = os.path.dirname(path(r)) or "."
        for a in r.applied:
            if a.verified:
                counts[a.verified] += 1
                if a.verification not in (VET_OK, TESTS_OK):
                    groups[(where, a.verified, a.verification)] += 1
        for d in r.dropped:
            counts[d.verdict] += 1
            if d.verdict == UNVERIFIABLE:
                groups[(where, UNVERIFIABLE, d.message)] += 1
            else:
                fix_notes.append(f"{path(r)}:{d.fix.line}: {d.fix.rule}: fix dropped by --verify: {d.message}")
    notes = [f"{where}: unverifiable, {n} fix(es) not applied: {why}" if verdict == UNVERIFIABLE
             else f"{where}: {why} ({n} fix(es) kept, verified by {verdict})"
             for (where, verdict, why), n in sorted(groups.items())]
    return Summary(counts[TESTS], counts[VET], counts[DROPPED], counts[UNVERIFIABLE], tuple(notes + fix_notes))
