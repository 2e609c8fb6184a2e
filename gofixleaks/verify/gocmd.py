"""The go command as --verify runs it, and what its JSON says.

Every run is offline and read-only: GOPROXY=off, so a module missing from the module cache
fails at once instead of waiting on a proxy (the verdict says to run `go mod download`), and
GOFLAGS' -mod=mod becomes -mod=readonly, so go never rewrites go.mod or go.sum. Patched files
reach go through -overlay; nothing is written to the tree."""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import subprocess
from dataclasses import dataclass
from typing import Callable, Iterator

LIST_TIMEOUT = 300  # s: a `go list` or `go vet` with no network to wait on
_BUILT = ("GoFiles", "CgoFiles", "TestGoFiles", "XTestGoFiles")
_FIELDS = "Dir,ImportPath,Error,DepsErrors,DepOnly," + ",".join(_BUILT)
_VARIANT = re.compile(r" \[.*\]$")
_TIMED_OUT = "panic: test timed out after"
TIMED_OUT = " (timed out)"  # what a test that hit -timeout is called after


class VerifyError(Exception):
    pass


@dataclass(frozen=True)
class Package:
    """A package --verify checks: where it is, what go calls it, the files a build on this
    platform compiles (tests included), and why it cannot be checked ("" when it can)."""

    dir: str
    import_path: str
    built: frozenset[str]  # base names
    problem: str = ""


@dataclass(frozen=True)
class TestOutcome:
    """One package's `go test` run. ``failures``: what failed, by test ("TestX", "TestY
    (timed out)"; "(package)" when the binary failed outside any test)."""

    status: str  # PASS | FAIL | NO_TESTS | BUILD_FAILED
    failures: frozenset[str] = frozenset()
    first: str = ""  # the first failure line, named after what failed, for messages

    @property
    def timed_out(self) -> bool:
        return any(n.endswith(TIMED_OUT) for n in self.failures)

    def also(self, other: TestOutcome) -> TestOutcome:
        """This outcome with ``other``'s failures too (the same package run again)."""
        if other.status == PASS or other.failures <= self.failures:
            return self
        return TestOutcome(FAIL, self.failures | other.failures, self.first or other.first)

    def describe(self) -> str:
        if not self.first:
            return ", ".join(sorted(self.failures))
        more = len(self.failures) - 1
        return self.first + (f" (and {more} more failure{'s' if more > 1 else ''})" if more > 0 else "")


PASS, FAIL, NO_TESTS, BUILD_FAILED = "pass", "fail", "no tests", "build failed"


def env() -> dict[str, str]:
    e = dict(os.environ, GOPROXY="off")
    flags = e.get("GOFLAGS", "").split()
    e["GOFLAGS"] = " ".join("-mod=readonly" if f == "-mod=mod" else f for f in flags)
    return e


def one_line(text: str) -> str:
    """go's multi-line message as one line (its `to add it:\\n\\tgo get X` kept)."""
    return " ".join(text.replace("go: ", "", 1).split()).replace(": to add it:", "; to add it:")


class Go:
    """Runs go commands for --verify; overlay files go to ``tmp``."""

    def __init__(self, go: str, tmp: str) -> None:
        self.go = go
        self.tmp = tmp
        self.env = env()
        self._n = 0
        self._overlays: dict[frozenset, str] = {}

    def overlay(self, files: dict[str, bytes]) -> list[str]:
        """The -overlay flag replacing ``files`` (path -> content); none for no files."""
        if not files:
            return []
        key = frozenset(files.items())
        if key not in self._overlays:
            self._n += 1
            replace_map = {}
            for i, (path, data) in enumerate(files.items()):
                copy = os.path.join(self.tmp, f"{self._n}-{i}-{os.path.basename(path)}")
                with open(copy, "wb") as f:
                    f.write(data)
                replace_map[path] = copy
            overlay = os.path.join(self.tmp, f"overlay-{self._n}.json")
            with open(overlay, "w") as f:
                json.dump({"Replace": replace_map}, f)
            self._overlays[key] = overlay
        return [f"-overlay={self._overlays[key]}"]

    def run(self, args: list[str], cwd: str, timeout: float = LIST_TIMEOUT) -> subprocess.CompletedProcess:
        try:
            return subprocess.run([self.go, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=self.env)
        except subprocess.TimeoutExpired:
            raise VerifyError(f"`go {args[0]}` in {cwd} did not finish within {timeout:.0f} s") from None
        except OSError as e:
            raise VerifyError(f"cannot run go: {e}") from None

    def platform(self) -> str:
        res = self.run(["env", "GOOS", "GOARCH"], os.getcwd())
        return "/".join(res.stdout.split()) or "this platform"

    def packages(self, root: str, dirs: list[str]) -> dict[str, Package]:
        """One `go list` for the packages in ``dirs`` of the module at ``root`` and their
        dependencies (tests' too): which can be built from what is on this machine, and
        in one line why not."""
        res = self.run(["list", "-e", "-deps", "-test", f"-json={_FIELDS}", *_patterns(root, dirs)], root)
        entries = list(_json_values(res.stdout))
        if res.returncode != 0 and not entries:
            reason = _module_problem(res.stderr)
            return {d: Package(d, "", frozenset(), reason) for d in dirs}
        missing = {_error_key(e["Error"]): e["ImportPath"] for e in entries if e.get("Error") and e.get("DepOnly")}
        variants: dict[str, list[dict]] = collections.defaultdict(list)
        for e in entries:
            if not e.get("DepOnly"):
                variants[e.get("Dir", "")].append(e)
        modules: list[tuple[str, str]] = []
        out: dict[str, Package] = {}
        for d in dirs:
            if not variants.get(d):
                out[d] = Package(d, "", frozenset(), _module_problem(res.stderr) or "go list does not know it")
                continue
            plain = min(variants[d], key=lambda e: len(e["ImportPath"]))  # p, then "p [p.test]", "p_test [p.test]"
            built = frozenset(f for e in variants[d] for k in _BUILT for f in e.get(k) or ())
            problem = ""
            for e in [plain, *variants[d]]:
                if e.get("Error"):
                    problem = _package_problem(e["Error"]["Err"])
                elif e.get("DepsErrors"):
                    # go loads in parallel: the order of DepsErrors varies from run to run
                    err = min(e["DepsErrors"], key=lambda x: (missing.get(_error_key(x)) or "", x.get("Err", "")))
                    path = missing.get(_error_key(err))
                    if path and ("GOPROXY=off" in err["Err"] or "missing go.sum entry" in err["Err"]):
                        modules = modules or self._modules(root)
                        problem = _missing_module(path, modules)
                    else:
                        problem = (f"cannot load {path}: " if path else "") + one_line(err["Err"])
                if problem:
                    break
            out[d] = Package(d, _VARIANT.sub("", plain["ImportPath"]), built, problem)
        return out

    def _modules(self, root: str) -> list[tuple[str, str]]:
        res = self.run(["list", "-m", "-e", "-json=Path,Version", "all"], root)
        return [(m["Path"], m.get("Version", "")) for m in _json_values(res.stdout)]

    def vet(self, root: str, pkgs: list[Package], files: dict[str, bytes]) -> tuple[bool, dict[str, collections.Counter], list[str]]:
        """`go vet -json` of ``pkgs`` (one module) with ``files`` in the overlay: whether
        everything type-checked, each package's diagnostics as (analyzer: message) counts
        (positions left out: a patch moves lines), and go's error lines."""
        res = self.run(["vet", "-json", *self.overlay(files), *_patterns(root, [p.dir for p in pkgs])], root)
        by_path = {p.import_path: p.dir for p in pkgs}
        diags: dict[str, collections.Counter] = {p.dir: collections.Counter() for p in pkgs}
        for doc in _json_values(res.stdout):
            for pkg_id, analyzers in doc.items():
                d = by_path.get(_VARIANT.sub("", pkg_id).removesuffix("_test"))
                for name, found in analyzers.items() if d else ():
                    if isinstance(found, list):  # an analyzer's error is a dict
                        diags[d].update(f"{name}: {x['message']}" for x in found)
        errors = [ln.removeprefix("vet: ") for ln in res.stderr.splitlines()
                  if ln.strip() and not ln.startswith(("#", "go: downloading"))]
        return res.returncode == 0, diags, errors

    def test(self, root: str, pkgs: list[Package], files: dict[str, bytes], timeout: float,
             started: Callable[[str], None], done: Callable[[str], None]) -> dict[str, TestOutcome]:
        """`go test -count=1 -short` of ``pkgs`` (one module) with ``files`` in the
        overlay, each test binary stopped after ``timeout`` seconds; the outcome by package
        directory. ``started``/``done`` are told each package's directory as go reports it."""
        by_path = {p.import_path: p.dir for p in pkgs}
        args = [self.go, "test", "-count=1", "-short", "-vet=off", "-json", f"-timeout={timeout:g}s",
                *self.overlay(files), *_patterns(root, [p.dir for p in pkgs])]
        reader = _TestEvents()
        # go builds before it tests and runs packages in parallel; this only guards a go that hangs
        guard = 600 + timeout * len(pkgs)
        try:
            proc = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=self.env, start_new_session=True)
        except OSError as e:
            raise VerifyError(f"cannot run go: {e}") from None
        timer = _Killer(proc, guard)
        try:
            for line in proc.stdout:
                event = reader.add(line)
                if event is not None and event[1] in by_path:
                    (started if event[0] == "start" else done)(by_path[event[1]])
            stderr = proc.stderr.read()
            proc.wait()
        finally:
            timer.cancel()
        if timer.fired:
            raise VerifyError(f"`go test` in {root} did not finish within {guard:.0f} s")
        outcomes = {}
        for path, d in by_path.items():
            o = reader.outcome(path)
            if o is None:  # go stopped before testing it: a module-level problem
                o = TestOutcome(BUILD_FAILED, frozenset({"(package)"}), one_line(stderr.strip().splitlines()[0]) if stderr.strip() else "go test failed")
            outcomes[d] = o
        return outcomes


class _Killer:
    """Kills a process group after ``seconds`` (go test and the test binaries it started)."""

    def __init__(self, proc: subprocess.Popen, seconds: float) -> None:
        import threading

        self.fired = False
        self._proc = proc
        self._timer = threading.Timer(seconds, self._kill)
        self._timer.daemon = True
        self._timer.start()

    def _kill(self) -> None:
        self.fired = True
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


class _TestEvents:
    """Folds `go test -json` events into one TestOutcome per package."""

    def __init__(self) -> None:
        self.result: dict[str, str] = {}  # package -> pass | fail | skip
        self.failed: dict[str, set[str]] = collections.defaultdict(set)
        self.first: dict[str, str] = {}
        self.output: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
        self.build: dict[str, list[str]] = collections.defaultdict(list)
        self.failed_build: set[str] = set()

    def add(self, line: str) -> tuple[str, str] | None:
        """Take one line of output; return (action, package) for a package's start or end."""
        try:
            e = json.loads(line)
        except ValueError:
            return None
        action, pkg, test = e.get("Action"), e.get("Package", ""), e.get("Test", "")
        if action == "build-output":
            self.build[_VARIANT.sub("", e.get("ImportPath", ""))].append(e.get("Output", ""))
        elif action == "output":
            text = e.get("Output", "")
            if text.startswith(_TIMED_OUT):
                self._fail(pkg, (test or _running(self.output[(pkg, '')])) + TIMED_OUT, text.strip())
            else:
                self.output[(pkg, test)].append(text)
        elif action == "fail" and test:
            self._fail(pkg, test, _first_failure(self.output[(pkg, test)]))
        elif action in ("pass", "fail", "skip") and not test:
            self.result[pkg] = action
            if e.get("FailedBuild"):
                self.failed_build.add(pkg)
            return "end", pkg
        elif action == "start":
            return "start", pkg
        return None

    def _fail(self, pkg: str, name: str, first: str) -> None:
        self.failed[pkg].add(name)
        if first and pkg not in self.first:
            self.first[pkg] = f"{name}: {first}"

    def outcome(self, pkg: str) -> TestOutcome | None:
        result = self.result.get(pkg)
        if result is None:
            return None
        if result == "skip":
            return TestOutcome(NO_TESTS)
        if pkg in self.failed_build:
            lines = [ln.strip() for ln in self.build[pkg] if ln.strip() and not ln.startswith("#")]
            return TestOutcome(BUILD_FAILED, frozenset({"(build)"}), lines[0] if lines else "the test binary does not build")
        if result == "pass":
            return TestOutcome(PASS)
        failures = self.failed[pkg] or {"(package)"}
        first = self.first.get(pkg) or f"(package): {_first_failure(self.output[(pkg, '')])}"
        return TestOutcome(FAIL, frozenset(failures), first)


def _running(lines: list[str]) -> str:
    """The test a timeout panic names ("running tests:" then one indented line a test)."""
    for ln in lines:
        m = re.match(r"\s+(Test\S*) \(", ln)
        if m:
            return m.group(1)
    return "(package)"


def _first_failure(lines: list[str]) -> str:
    for ln in lines:
        s = ln.strip()
        if s and not s.startswith(("=== ", "--- ", "FAIL", "PASS", "ok ", "exit status")):
            return s
    return ""


def _patterns(root: str, dirs: list[str]) -> list[str]:
    return ["./" + os.path.relpath(d, root).replace(os.sep, "/") for d in dirs]


def _json_values(text: str) -> Iterator[dict]:
    """The concatenated JSON values go prints (go list, go vet -json)."""
    dec = json.JSONDecoder()
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        try:
            value, i = dec.raw_decode(text, i)
        except ValueError:
            return
        if isinstance(value, dict):
            yield value


def _error_key(err: dict) -> tuple:
    return tuple(err.get("ImportStack") or ()), err.get("Pos", ""), err.get("Err", "")


def _missing_module(import_path: str, modules: list[tuple[str, str]]) -> str:
    owners = [(p, v) for p, v in modules if import_path == p or import_path.startswith(p + "/")]
    if not owners:
        return f"missing module for {import_path}: run go mod download"
    path, version = max(owners, key=lambda m: len(m[0]))
    return f"missing module {path}{' ' + version if version else ''}: run go mod download"


def _package_problem(err: str) -> str:
    if err.startswith("build constraints exclude all Go files"):
        return "build constraints exclude every file on this platform (a build-tag-only package)"
    return one_line(err)


def _module_problem(stderr: str) -> str:
    text = stderr.strip()
    if not text:
        return ""
    first = one_line(text.splitlines()[0].rstrip(":"))
    return first + ("; run go mod vendor" if "go mod vendor" in text else "")
