"""`--verify`: type-check the touched packages with the patches applied through
`go vet -overlay` (nothing is written), and drop the fixes that break them.

All touched packages are checked in one `go vet` run, with every patched file of the run
in the overlay (context plumbing spans packages). For a package that fails with problems
its original source did not have, bisect: first over its patched files, then over the
fixes of each guilty file, re-running the engine with the guilty fixes skipped. Whatever
still fails together after that loses all its fixes: a wrong fix is worse than none."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from typing import Callable

from .discover import Target
from .engine import AppliedFix, FileResult, process


class VerifyError(Exception):
    pass


@dataclass(frozen=True)
class Dropped:
    fix: AppliedFix
    message: str  # what the compiler or vet said


_POSITION = re.compile(r":\d+(:\d+)?")


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise VerifyError("--verify needs a Go toolchain: `go` was not found on PATH")
    return go


class Checker:
    """Runs `go vet` on package directories with an overlay of patched files."""

    def __init__(self, go: str, tmp: str) -> None:
        self.go = go
        self.tmp = tmp
        self.n = 0
        self._baseline: dict[str, set[str]] = {}

    def _overlay(self, files: dict[str, bytes]) -> str:
        self.n += 1
        replace_map = {}
        for i, (path, data) in enumerate(files.items()):
            copy = os.path.join(self.tmp, f"{self.n}-{i}-{os.path.basename(path)}")
            with open(copy, "wb") as f:
                f.write(data)
            replace_map[path] = copy
        overlay = os.path.join(self.tmp, f"overlay-{self.n}.json")
        with open(overlay, "w") as f:
            json.dump({"Replace": replace_map}, f)
        return overlay

    def _run(self, args: list[str], cwd: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run([self.go, "vet", *args], cwd=cwd, capture_output=True, text=True, timeout=1800)
        except subprocess.TimeoutExpired:
            raise VerifyError("`go vet` did not finish within 30 minutes") from None
        except OSError as e:
            raise VerifyError(f"cannot run go: {e}") from None

    def all_clean(self, pkg_dirs: list[str], files: dict[str, bytes]) -> bool:
        """One `go vet` over every package of each module: the fast path when all is well."""
        overlay = [f"-overlay={self._overlay(files)}"]
        by_module: dict[str, list[str]] = {}
        for d in pkg_dirs:
            by_module.setdefault(_module_root(d), []).append(d)
        for root, dirs in by_module.items():
            rel = ["./" + os.path.relpath(d, root).replace(os.sep, "/") for d in dirs]
            if self._run(overlay + rel, root).returncode != 0:
                return False
        return True

    def problems(self, pkg_dir: str, files: dict[str, bytes]) -> list[str]:
        """What `go vet` says about one package (empty when it vets clean)."""
        args = [f"-overlay={self._overlay(files)}"] if files else []
        res = self._run(args + ["."], pkg_dir)
        if res.returncode == 0:
            return []
        return [ln for ln in (res.stderr + res.stdout).splitlines() if ln.strip() and not ln.startswith("#")]

    def new_problems(self, pkg_dir: str, files: dict[str, bytes]) -> list[str]:
        """Problems of ``pkg_dir`` patched with ``files`` that the original does not have
        (vet may already complain about the leaks themselves, such as lostcancel)."""
        got = self.problems(pkg_dir, files)
        if not got:
            return []
        if pkg_dir not in self._baseline:
            self._baseline[pkg_dir] = {_normalise(p) for p in self.problems(pkg_dir, {})}
        return [p for p in got if _normalise(p) not in self._baseline[pkg_dir]]


def _module_root(d: str) -> str:
    cur = d
    while True:
        if os.path.isfile(os.path.join(cur, "go.mod")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return d
        cur = parent


def _normalise(problem: str) -> str:
    return _POSITION.sub("", problem.split(" ", 1)[-1]).strip()


def bisect(items: list, fails: Callable[[list], bool]) -> list:
    """The items that make ``fails`` true, assuming failures add up (one bad item is
    enough to fail a set that holds it)."""
    if not items or not fails(items):
        return []
    if len(items) == 1:
        return items
    mid = len(items) // 2
    return bisect(items[:mid], fails) + bisect(items[mid:], fails)


def verify(results: list[FileResult], config) -> list[FileResult]:
    """Results with every fix that breaks its package dropped (and recorded in ``dropped``).
    Packages are checked with every patched file of the run in the overlay, so fixes that
    span packages (context plumbing) are judged together."""
    changed = [r for r in results if r.changed]
    if not changed:
        return results
    go = _go()
    by_pkg: dict[str, list[FileResult]] = {}
    for r in changed:
        by_pkg.setdefault(os.path.dirname(r.abspath), []).append(r)
    packages = sorted(by_pkg)
    out = {r.abspath: r for r in results}

    def patched() -> dict[str, bytes]:
        return {path: r.fixed for path, r in out.items() if r.changed}

    with tempfile.TemporaryDirectory(prefix="gofixleaks-verify-") as tmp:
        checker = Checker(go, tmp)
        if checker.all_clean(packages, patched()):
            return results
        for pkg in packages:
            if checker.new_problems(pkg, patched()):
                for r in _repair_package(checker, pkg, [out[f.abspath] for f in by_pkg[pkg]], config, patched()):
                    out[r.abspath] = r
        # a safety net for fixes that break only in combination: drop whole packages
        for _ in range(3):
            if checker.all_clean(packages, patched()):
                break
            for pkg in packages:
                problems = checker.new_problems(pkg, patched())
                for r in (f for f in by_pkg[pkg] if problems and out[f.abspath].changed):
                    out[r.abspath] = _revert(out[r.abspath], "; ".join(problems[:3]))
        else:
            for path, r in list(out.items()):
                if r.changed:
                    out[path] = _revert(r, "the patched packages still fail together; no fix kept")
    return [out[r.abspath] for r in results]


def _revert(r: FileResult, message: str) -> FileResult:
    return replace(r, original=None, fixed=None, applied=[], dropped=r.dropped + [Dropped(a, message) for a in r.applied])


def _repair_package(checker: Checker, pkg: str, files: list[FileResult], config, patched: dict[str, bytes]) -> list[FileResult]:
    mine = {f.abspath for f in files}
    rest = {p: d for p, d in patched.items() if p not in mine}  # other packages, patched

    def breaks(subset: list[FileResult]) -> bool:
        return bool(checker.new_problems(pkg, {**rest, **{r.abspath: r.fixed for r in subset}}))

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
            return checker.new_problems(pkg, {**others, r.abspath: trial.fixed if trial.changed else r.original})

        guilty = bisect(list(r.applied), lambda subset: bool(problems_with(subset)))
        message = "; ".join(checker.new_problems(pkg, {**others, r.abspath: r.fixed})[:3])
        kept = [a for a in r.applied if a not in guilty]
        if problems_with(kept):
            kept = []  # the remaining fixes still break it together: keep none
        fixed = with_only(kept)
        dropped = [Dropped(a, message) for a in r.applied if a not in kept]
        repaired.append(replace(fixed, dropped=dropped))
    return repaired
