"""The two levels of proof. Each first records the unpatched packages (its baseline), then
says of patched packages what is new against it: a failure that was already there is
never a fix's fault.

- vet: `go vet` type-checks the package and its tests; a patched package must still
  type-check and gain no vet diagnostic (counted by analyzer and message).
- tests: `go test -count=1 -short`; a patched package must not fail a test that passed
  unpatched (a timeout is a failure of the test that was running). A failure is the fix's
  only if the unpatched package, run again, passes: what fails unpatched too is flaky and
  joins the baseline, and a package that times out unpatched too is too slow for the
  timeout (on this machine, now) and is judged by vet alone."""

from __future__ import annotations

import collections
from typing import Callable

from .gocmd import BUILD_FAILED, NO_TESTS, PASS, TIMED_OUT, Go, Package, TestOutcome

VET, TESTS = "vet", "tests"
VET_OK = "type-checks; go vet finds nothing new"
TESTS_OK = "tests pass before and after"

Progress = Callable[[str, int, int, str], None]  # (stage, done, total, current package)


class Level:
    """What a level needs from the run: the go runner, the packages by directory and their
    module roots, and where progress goes."""

    name = ""

    def __init__(self, go: Go, packages: dict[str, Package], roots: dict[str, str], progress: Progress) -> None:
        self.go = go
        self.packages = packages
        self.roots = roots
        self.progress = progress

    def by_module(self, dirs: list[str]) -> dict[str, list[Package]]:
        out: dict[str, list[Package]] = {}
        for d in dirs:
            out.setdefault(self.roots[d], []).append(self.packages[d])
        return out

    def baseline(self, dirs: list[str]) -> dict[str, str]:
        """Record the unpatched packages; return those that cannot be judged at this level,
        each with why (a package the level cannot build unpatched is unverifiable)."""
        raise NotImplementedError

    def problems(self, dirs: list[str], files: dict[str, bytes], stage: str) -> dict[str, list[str]]:
        """The packages of ``dirs`` that, patched with ``files``, have problems their
        unpatched version did not have; with those problems (first ones first)."""
        raise NotImplementedError

    def verdict(self, d: str) -> tuple[str, str]:
        """(level, what it found) for a package that passed, after its last check."""
        raise NotImplementedError


class Vet(Level):
    name = VET

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.base: dict[str, collections.Counter] = {}

    def baseline(self, dirs: list[str]) -> dict[str, str]:
        unverifiable = {}
        done = 0
        for root, pkgs in self.by_module(dirs).items():
            self.progress("vet unpatched", done, len(dirs), _names(pkgs))
            ok, diags, _ = self.go.vet(root, pkgs, {})
            for p in pkgs:
                if not ok:  # which package fails: one at a time
                    self.progress("vet unpatched", done, len(dirs), p.import_path)
                    p_ok, p_diags, errors = self.go.vet(root, [p], {})
                    if not p_ok:
                        unverifiable[p.dir] = f"go vet fails on the unpatched package: {errors[0] if errors else 'no message'}"
                        done += 1
                        continue
                    diags[p.dir] = p_diags[p.dir]
                self.base[p.dir] = diags[p.dir]
                done += 1
        return unverifiable

    def problems(self, dirs: list[str], files: dict[str, bytes], stage: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for root, pkgs in self.by_module(dirs).items():
            self.progress(stage, 0, len(pkgs), _names(pkgs))
            ok, diags, errors = self.go.vet(root, pkgs, files)
            if not ok and len(pkgs) > 1:  # whose errors they are: one at a time
                for p in pkgs:
                    out.update(self.problems([p.dir], files, stage))
                continue
            for p in pkgs:
                new = diags[p.dir] - self.base[p.dir]
                found = (errors or ["go vet failed without a message"]) if not ok else [f"go vet: {k}" for k in sorted(new)]
                if found:
                    out[p.dir] = found
        return out

    def verdict(self, d: str) -> tuple[str, str]:
        return VET, VET_OK


class Tests(Level):
    name = TESTS

    def __init__(self, *args, timeout: float) -> None:
        super().__init__(*args)
        self.timeout = timeout
        self.before: dict[str, TestOutcome] = {}
        self.after: dict[str, TestOutcome] = {}
        self.exempt: dict[str, str] = {}  # judged by vet alone, and why
        self.rechecked: set[str] = set()  # run unpatched a second time

    def _run(self, dirs: list[str], files: dict[str, bytes], stage: str) -> dict[str, TestOutcome]:
        out: dict[str, TestOutcome] = {}
        for root, pkgs in self.by_module(dirs).items():
            n = len(out)
            finished: list[str] = []

            def started(d: str) -> None:
                self.progress(stage, n + len(finished), len(dirs), self.packages[d].import_path)

            def done(d: str) -> None:
                finished.append(d)
                started(d)

            out.update(self.go.test(root, pkgs, files, self.timeout, started, done))
        return out

    def baseline(self, dirs: list[str]) -> dict[str, str]:
        self.before = self._run(dirs, {}, "tests unpatched")
        for d, o in self.before.items():
            if o.status == NO_TESTS:
                self.exempt[d] = "no tests; checked by go vet only"
            elif o.status == BUILD_FAILED:
                self.exempt[d] = f"its tests do not build unpatched ({o.first}); checked by go vet only"
            elif o.timed_out:
                self.exempt[d] = _too_slow(o)
        return {}

    def problems(self, dirs: list[str], files: dict[str, bytes], stage: str) -> dict[str, list[str]]:
        dirs = [d for d in dirs if d not in self.exempt]
        outcomes = self._run(dirs, files, stage) if dirs else {}
        self.after.update(outcomes)
        # once per package: bisection fails again and again, by design
        suspects = [d for d, after in outcomes.items() if after.failures - self.before[d].failures and d not in self.rechecked]
        self.rechecked.update(suspects)
        for d, again in (self._run(suspects, {}, f"{stage}: unpatched again") if suspects else {}).items():
            if again.timed_out:
                self.exempt[d] = _too_slow(again)
            self.before[d] = self.before[d].also(again)
        out = {}
        for d, after in outcomes.items():
            new = after.failures - self.before[d].failures
            if new and d not in self.exempt:
                out[d] = [f"tests {'time out' if any(n.endswith(TIMED_OUT) for n in new) else 'fail'}: {after.describe()}"]
        return out

    def verdict(self, d: str) -> tuple[str, str]:
        if d in self.exempt:
            return VET, self.exempt[d]
        before, after = self.before[d], self.after[d]
        gone = sorted(before.failures - after.failures)
        fixed = f"fixed: {', '.join(gone)} failed before the fix and pass{'es' if len(gone) == 1 else ''} after it"
        if before.status == PASS:
            return TESTS, TESTS_OK
        if after.status == PASS:
            return TESTS, fixed
        return TESTS, (f"tests failed before and after, the same way ({after.describe()})"
                       + (f"; {fixed}" if gone else ""))


def _too_slow(unpatched: TestOutcome) -> str:
    return (f"its tests time out unpatched ({unpatched.describe()}); checked by go vet only "
            "(a longer --verify-timeout lets them judge)")


def _names(pkgs: list[Package]) -> str:
    return pkgs[0].import_path + (f" and {len(pkgs) - 1} more" if len(pkgs) > 1 else "")
