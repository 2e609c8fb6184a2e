"""`gofixleaks test`: run packages' tests with a leak check, changing nothing on disk.

The check is injected through `go test -overlay`. A package without a TestMain gets a
generated one (in an extra _test.go file that exists only in the overlay); a package with
one gets an overlaid copy of that file in which its TestMain is renamed and every `os.Exit`
becomes a call that runs the check first, and the generated TestMain wraps it. So the check
runs after the package's own teardown, however its TestMain ends (returning, or
`os.Exit(m.Run())`).

The check (in Go, in the test binary) dumps every goroutine before the tests, waits for the
tests' goroutines to finish with a short backoff (as uber-go/goleak retries), then writes
the goroutineleak profile at debug=2 (its detection GC tags goroutines blocked on
something nothing running can reach: `(leaked)`) or, on toolchains without that profile, a
plain goroutine dump. Here the two dumps are compared, goleak's way: a goroutine the tests
started that is still there (and is not the testing framework's own) is left behind; the
leak profile's tag says the runtime proved it can never run again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Iterable, Mapping

from ..edits import TextEdit, apply
from ..source import SourceFile
from .dump import Dump, DumpError, Goroutine, parse, parse_traceback
from .sites import Site, group, is_blocked, is_dumper

GENERATED_PREFIX = "gofixleaks"  # every identifier the overlay adds starts with it
USER_TEST_MAIN = "gofixleaksTestMain"
ANCESTORS = 10  # GODEBUG=tracebackancestors: creation chains deeper than net/http's three hops


class LeakCheckError(Exception):
    """The tests could not be run at all (no toolchain, no module): one line, exit 2."""


@dataclass(frozen=True)
class Package:
    import_path: str
    dir: str
    module_dir: str  # where `go test` runs for it
    name: str  # the package clause of its internal test files (or of its code)
    test_files: tuple[str, ...]  # absolute paths, internal and external test files
    error: str | None  # why it does not load (go list's error), if it does not


@dataclass(frozen=True)
class PackageResult:
    import_path: str
    dir: str
    # ok, leak (goroutines left behind), fail (tests failed, none left behind), timeout,
    # deadlock, build-error, unchecked (the check did not run)
    status: str
    message: str  # one line: the build error, the failing tests, why the check did not run
    left: tuple[Goroutine, ...]  # goroutines the tests left blocked (or, on a timeout, found blocked)

    @property
    def sites(self) -> list[Site]:
        return group(self.left)


@dataclass(frozen=True)
class Repeat:
    """How often each test runs in the one test process, before the one leak check after
    them all: go test's -count, under each of -cpu's GOMAXPROCS values (a racy leak shows
    in some runs only); and whether under the race detector (-race), whose scheduler
    picks at random which ready goroutine runs next (the plain one always runs the one a
    `go` statement just made): a leak that needs another interleaving shows there."""

    count: int = 1
    cpus: tuple[int, ...] = ()  # none: the process's GOMAXPROCS
    race: bool = False

    def args(self) -> list[str]:
        return ([f"-count={self.count}"] + ([f"-cpu={','.join(map(str, self.cpus))}"] if self.cpus else [])
                + (["-race"] if self.race else []))

    def describe(self) -> str:
        """For the summary line: empty when each test runs once as go test would run it."""
        parts = [f"{self.count} times"] if self.count > 1 else []
        under = ([f"GOMAXPROCS {','.join(map(str, self.cpus))}"] if self.cpus else []) + (["the race detector"] if self.race else [])
        if under:
            parts.append("under " + " and ".join(under))
        return f" (each test {', '.join(parts)})" if parts else ""


@dataclass(frozen=True)
class Run:
    packages: tuple[PackageResult, ...]
    leak_profile: bool  # the toolchain has the goroutineleak profile
    no_tests: int  # packages without test files (nothing to run)
    repeat: Repeat  # a re-run to compare with this one repeats the tests as often

    @property
    def sites(self) -> list[Site]:
        return group(g for p in self.packages for g in p.left)

    @property
    def exit_code(self) -> int:
        """2 when a package does not build, 1 when a leak is proven or tests failed, else 0."""
        if any(p.status == "build-error" for p in self.packages):
            return 2
        return 1 if any(p.status != "ok" for p in self.packages) else 0


def go_binary() -> str:
    go = shutil.which("go")
    if go is None:
        raise LeakCheckError("no Go toolchain: `go` was not found on PATH")
    return go


def run(
    paths: Iterable[str],
    test_run: str | None = None,
    timeout: str | None = None,
    env: dict[str, str] | None = None,
    use_leak_profile: bool = True,
    replace: Mapping[str, bytes] | None = None,
    repeat: Repeat = Repeat(),
) -> Run:
    """Run the tests of the packages at and below ``paths`` with the leak check, each test
    as often as ``repeat`` says; ``use_leak_profile=False`` compares goroutine dumps only,
    as on a Go without the profile; ``replace``: new contents for source files (absolute paths, not test files), overlaid
    as the check is, so patched code is tested without writing it."""
    go = go_binary()
    env = dict(env or os.environ)
    # creators' stacks in the dumps: a goroutine net/http started is traced back to the call
    # in the program that made it start
    env["GODEBUG"] = ",".join(x for x in (env.get("GODEBUG"), f"tracebackancestors={ANCESTORS}") if x)
    packages: list[Package] = []
    for path in paths:
        packages += _list_packages(go, path, env)
    seen: set[str] = set()
    packages = [p for p in packages if not (p.import_path in seen or seen.add(p.import_path))]
    results = [PackageResult(p.import_path, p.dir, "build-error", p.error, ()) for p in packages if p.error]
    testable = [p for p in packages if not p.error and p.test_files]
    leak_profile = use_leak_profile and _has_leak_profile(go, env)
    with tempfile.TemporaryDirectory(prefix="gofixleaks-test-") as tmp:
        by_module: dict[str, list[Package]] = {}
        for p in testable:
            by_module.setdefault(p.module_dir, []).append(p)
        for i, (module_dir, pkgs) in enumerate(by_module.items()):
            work = os.path.join(tmp, str(i))  # one directory of reports and overlay per module
            os.mkdir(work)
            results += _run_module(go, module_dir, pkgs, work, test_run, timeout, env, leak_profile, replace or {}, repeat)
    order = {p.import_path: i for i, p in enumerate(packages)}
    results.sort(key=lambda r: order.get(r.import_path, 0))
    return Run(tuple(results), leak_profile, sum(1 for p in packages if not p.error and not p.test_files), repeat)


def _has_leak_profile(go: str, env: dict[str, str]) -> bool:
    """Whether the toolchain's runtime/pprof has the goroutineleak profile (Go 1.26 with
    GOEXPERIMENT=goroutineleakprofile, on by default since 1.27)."""
    try:
        root = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, env=env, timeout=60).stdout.strip()
        with open(os.path.join(root, "src", "runtime", "pprof", "pprof.go"), encoding="utf-8") as f:
            return '"goroutineleak"' in f.read()
    except (OSError, subprocess.SubprocessError):
        return False


def _list_packages(go: str, path: str, env: dict[str, str]) -> list[Package]:
    if not os.path.exists(path):
        raise LeakCheckError(f"{path}: no such file or directory")
    directory = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    pattern = "./..." if os.path.isdir(path) else "."
    try:
        res = subprocess.run([go, "list", "-e", "-json", pattern], cwd=directory, capture_output=True, text=True, env=env, timeout=600)
    except (OSError, subprocess.SubprocessError) as e:
        raise LeakCheckError(f"cannot run `go list` in {path}: {e}") from None
    if res.returncode != 0 and not res.stdout.strip():
        first = next((ln for ln in res.stderr.splitlines() if ln.strip()), "go list failed")
        raise LeakCheckError(f"{path}: {first.removeprefix('go: ')}")
    out = []
    decoder = json.JSONDecoder()
    text, i = res.stdout, 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        obj, i = decoder.raw_decode(text, i)
        pkg = _package(obj)
        if pkg.import_path == pattern and pkg.error:  # no package at all: not in a module, no Go files
            raise LeakCheckError(f"{path}: {pkg.error}")
        out.append(pkg)
    return out


def _package(obj: dict) -> Package:
    d = obj.get("Dir", "")
    files = tuple(os.path.join(d, f) for f in (obj.get("TestGoFiles") or []) + (obj.get("XTestGoFiles") or []))
    error = (obj.get("Error") or {}).get("Err")
    if error is None and obj.get("DepsErrors"):
        error = obj["DepsErrors"][0].get("Err")
    module_dir = (obj.get("Module") or {}).get("Dir") or d
    name = obj.get("Name", "")
    if not obj.get("TestGoFiles") and not obj.get("GoFiles") and obj.get("XTestGoFiles"):
        name = name + "_test" if not name.endswith("_test") else name
    return Package(obj.get("ImportPath", d), d, module_dir, name, files, " ".join(error.split()) if error else None)


def _run_module(go, module_dir, pkgs, tmp, test_run, timeout, env, leak_profile, replace, repeat) -> list[PackageResult]:
    overlay: dict[str, str] = {}
    for n, (path, data) in enumerate(replace.items()):
        copy = os.path.join(tmp, f"replaced{n}-{os.path.basename(path)}")
        with open(copy, "wb") as f:
            f.write(data)
        overlay[path] = copy
    reports: dict[str, tuple[str, str]] = {}
    for n, p in enumerate(pkgs):
        key = _report_key(p.import_path)
        reports[p.import_path] = (os.path.join(tmp, f"{key}.before"), os.path.join(tmp, f"{key}.after"))
        for path, data in _overlay_files(p, key, leak_profile).items():
            copy = os.path.join(tmp, f"{n}-{os.path.basename(path)}")
            with open(copy, "wb") as f:
                f.write(data)
            overlay[path] = copy
    overlay_path = os.path.join(tmp, "overlay.json")
    with open(overlay_path, "w") as f:
        json.dump({"Replace": overlay}, f)
    # any -count, 1 too, keeps go test from reusing a cached result that ran no check
    args = [go, "test", "-json", *repeat.args(), f"-overlay={overlay_path}"]
    if test_run:
        args.append(f"-run={test_run}")
    if timeout:
        args.append(f"-timeout={timeout}")
    args += [p.import_path for p in pkgs]
    try:
        res = subprocess.run(args, cwd=module_dir, capture_output=True, text=True, env={**env, REPORT_DIR_ENV: tmp})
    except OSError as e:
        raise LeakCheckError(f"cannot run `go test`: {e}") from None
    events = _events(res.stdout)
    if not events and res.returncode != 0:  # go refused the command itself (-race without cgo)
        first = next((ln for ln in res.stderr.splitlines() if ln.strip()), "go test failed")
        raise LeakCheckError(f"cannot run `go test`: {first.removeprefix('go: ')}")
    return [_result(p, events.get(p.import_path, _Events()), reports[p.import_path], res.stderr) for p in pkgs]


@dataclass
class _Events:
    """What `go test -json` said about one package."""

    action: str = ""  # pass, fail, skip
    output: str = ""
    build_output: str = ""
    failed_tests: list[str] | None = None


def _events(stdout: str) -> dict[str, _Events]:
    out: dict[str, _Events] = {}
    # joined once at the end: a test that prints goroutine dumps, run -count times under
    # load, writes tens of megabytes a line at a time (appending to a field copied it all
    # per line: minutes)
    outputs: dict[str, list[str]] = {}
    builds: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if not isinstance(e, dict):
            continue
        if e.get("Action") in ("build-output", "build-fail"):
            pkg = e.get("ImportPath", "").split(" ", 1)[0]
            out.setdefault(pkg, _Events())
            builds.setdefault(pkg, []).append(e.get("Output", ""))
            continue
        pkg = e.get("Package", "")
        ev = out.setdefault(pkg, _Events())
        action = e.get("Action")
        if action == "output":
            outputs.setdefault(pkg, []).append(e.get("Output", ""))
        elif action == "fail" and e.get("Test"):
            ev.failed_tests = (ev.failed_tests or []) + [e["Test"]]
        elif action in ("pass", "fail", "skip") and not e.get("Test"):
            ev.action = action
    for pkg, ev in out.items():
        ev.output, ev.build_output = "".join(outputs.get(pkg, ())), "".join(builds.get(pkg, ()))
    return out


_TIMEOUT, _DEADLOCK = "panic: test timed out", "fatal error: all goroutines are asleep"


def _result(p: Package, ev: _Events, report: tuple[str, str], stderr: str) -> PackageResult:
    def result(status: str, message: str, left=()) -> PackageResult:
        return PackageResult(p.import_path, p.dir, status, message, tuple(left))

    if "[build failed]" in ev.output or (ev.build_output and ev.action != "pass"):
        lines = [ln for ln in (ev.build_output or stderr).splitlines() if ln.strip() and not ln.startswith("#")]
        return result("build-error", lines[0] if lines else "the tests do not build")
    crash = next((m for m in (_TIMEOUT, _DEADLOCK) if m in ev.output), None)
    if crash:
        status = "timeout" if crash == _TIMEOUT else "deadlock"
        # the dump after the crash line: tests may print goroutine dumps of their own before it
        crashed = parse_traceback(ev.output[ev.output.index(crash) :])
        blocked = [g for g in crashed.goroutines if is_blocked(g) and not _framework(g)]
        what = "timed out" if status == "timeout" else "deadlocked (all goroutines asleep)"
        return result(status, f"the tests {what}; {sum(g.count for g in blocked)} goroutine(s) blocked", blocked)
    # a test run -count times fails as often: named once
    failed = f"tests failed: {', '.join(dict.fromkeys(ev.failed_tests))}" if ev.failed_tests else ("tests failed" if ev.action == "fail" else "")
    before, after = (_read(path) for path in report)
    if after is None:
        why = "the test binary exited before the leak check ran (os.Exit or log.Fatal in a test, or a TestMain that exits from another file)"
        return result("fail" if failed else "unchecked", failed or why)
    left = leftovers(before, after)
    if left:
        n = sum(g.count for g in left)
        return result("leak", f"{n} goroutine(s) left behind" + (f"; {failed}" if failed else ""), left)
    return result("fail" if failed else "ok", failed)


def _read(path: str) -> Dump | None:
    try:
        with open(path, "rb") as f:
            return parse(f.read())
    except (OSError, DumpError):
        return None


def leftovers(before: Dump | None, after: Dump) -> list[Goroutine]:
    """Goroutines of ``after`` that were not there ``before`` (by id), other than the
    testing framework's and the check's own."""
    known = {g.id for g in before.goroutines} if before else set()
    return [
        g
        for g in after.goroutines
        if g.id not in known and not is_dumper(g) and not _framework(g) and not _ours(g) and g.state != "running"
    ]


# The testing framework's goroutines waiting for tests (goleak's isTestStack), os/signal's
# watcher and runtime/trace's reader (goleak's isStdLibStack and isTraceStack).
_FRAMEWORK_TOP = ("testing.RunTests", "testing.(*T).Run", "testing.(*T).Parallel", "testing.runFuzzing", "testing.runFuzzTests")


def _framework(g: Goroutine) -> bool:
    top = g.frames[0].function if g.frames else ""
    if top in _FRAMEWORK_TOP and (g.state or "").startswith("chan receive"):
        return True
    if top in ("os/signal.signal_recv", "os/signal.loop") or top.startswith("runtime/trace.Start"):
        return True
    return any(f.function == "runtime.ensureSigM" for f in g.frames)


def _ours(g: Goroutine) -> bool:
    return any(f.short_function.split(".", 1)[-1].startswith(GENERATED_PREFIX) for f in g.frames)


REPORT_DIR_ENV = "GOFIXLEAKS_REPORT_DIR"


def _report_key(import_path: str) -> str:
    """The name of a package's reports in the run's directory. The generated file names its
    reports by this key and finds the directory in the environment: the file's bytes are the
    same in every run, so go's build cache keeps the compiled test package between runs."""
    return hashlib.sha256(import_path.encode()).hexdigest()[:16]


def _overlay_files(p: Package, key: str, leak_profile: bool) -> dict[str, bytes]:
    """The generated TestMain file and, when the package has a TestMain, its file with the
    TestMain renamed and os.Exit routed through the check."""
    user = _find_test_main(p.test_files)
    if user is None:
        pkg, wrapped = p.name, None
    else:
        path, sf, node = user
        pkg = _package_name(sf)
        wrapped = (path, _wrap_user_test_main(sf, node))
    generated = os.path.join(p.dir, _free_name(p.dir))
    files = {generated: _generated(pkg, key, user is not None, leak_profile).encode()}
    if wrapped:
        files[wrapped[0]] = wrapped[1]
    return files


def _find_test_main(test_files: tuple[str, ...]):
    for path in test_files:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if b"TestMain" not in data:
            continue
        sf = SourceFile(path, data)
        for node in sf.root.children:
            name = node.child_by_field_name("name") if node.type == "function_declaration" else None
            if name is not None and sf.text(name) == "TestMain":
                return path, sf, node
    return None


def _package_name(sf: SourceFile) -> str:
    clause = next(c for c in sf.root.children if c.type == "package_clause")
    return sf.text(clause.named_children[0])


def _wrap_user_test_main(sf: SourceFile, test_main) -> bytes:
    name = test_main.child_by_field_name("name")
    edits = [TextEdit(name.start_byte, name.end_byte, USER_TEST_MAIN.encode())]
    os_names = sf.aliases("os")
    stack = [sf.root]
    while stack:
        n = stack.pop()
        if n.type == "selector_expression":
            operand, field = n.child_by_field_name("operand"), n.child_by_field_name("field")
            if operand.type == "identifier" and sf.text(operand) in os_names and sf.text(field) == "Exit":
                edits.append(TextEdit(n.start_byte, n.end_byte, b"gofixleaksExit"))
                continue
        stack.extend(n.children)
    data = apply(sf.data, edits)
    if len(edits) > 1:  # os may have been imported for Exit alone: keep the import used
        name = sorted(os_names)[0]
        data += f"{sf.newline.decode()}var _ = {name}.Exit{sf.newline.decode()}".encode()
    return data


def _free_name(directory: str) -> str:
    n = 0
    while os.path.exists(os.path.join(directory, f"zz_gofixleaks{n or ''}_test.go")):
        n += 1
    return f"zz_gofixleaks{n or ''}_test.go"


_TEMPLATE = """\
// Code generated by gofixleaks test. DO NOT EDIT.
// This file exists only in the -overlay of one `go test` run: a leak check around the tests.

package {package}

import (
\tgofixleaksos "os"
\tgofixleaksruntime "runtime"
\tgofixleakspprof "runtime/pprof"
\tgofixleakstesting "testing"
\tgofixleakstime "time"
)

var (
\tgofixleaksBase int
\tgofixleaksDone bool
)

func TestMain(m *gofixleakstesting.M) {{
\tgofixleaksDump({before}, "goroutine")
\tgofixleaksBase = gofixleaksruntime.NumGoroutine()
{body}
}}

// gofixleaksExit stands for os.Exit in the file of the package's own TestMain.
func gofixleaksExit(code int) {{
\tgofixleaksCheck()
\tgofixleaksos.Exit(code)
}}

// gofixleaksCheck lets the goroutines the tests started finish (a short backoff), then
// runs a GC and writes the leak profile, whose detection GC tags goroutines nothing can
// ever wake.
func gofixleaksCheck() {{
\tif gofixleaksDone {{
\t\treturn
\t}}
\tgofixleaksDone = true
\tfor i := 0; i < 10 && gofixleaksruntime.NumGoroutine() > gofixleaksBase; i++ {{
\t\td := gofixleakstime.Millisecond << i
\t\tif d > 100*gofixleakstime.Millisecond {{
\t\t\td = 100 * gofixleakstime.Millisecond
\t\t}}
\t\tgofixleakstime.Sleep(d)
\t}}
\t// a cycle before the detection's own: without it a goroutine blocked on a small lock the
\t// allocator still held went untagged in most runs of a minimal case
\tgofixleaksruntime.GC()
\tif {leak_profile} && gofixleakspprof.Lookup("goroutineleak") != nil {{
\t\tgofixleaksDump({after}, "goroutineleak")
\t}} else {{
\t\tgofixleaksDump({after}, "goroutine")
\t}}
}}

func gofixleaksDump(name, profile string) {{
\tdir := gofixleaksos.Getenv({report_dir_env})
\tif dir == "" {{
\t\treturn
\t}}
\tf, err := gofixleaksos.Create(dir + string(gofixleaksos.PathSeparator) + name)
\tif err != nil {{
\t\treturn
\t}}
\tdefer f.Close()
\tgofixleakspprof.Lookup(profile).WriteTo(f, 2)
}}
"""

_BODY_PLAIN = "\tcode := m.Run()\n\tgofixleaksCheck()\n\tgofixleaksos.Exit(code)"
_BODY_WRAP = f"\t{USER_TEST_MAIN}(m)\n\tgofixleaksCheck()"


def _generated(package: str, key: str, wraps_user: bool, leak_profile: bool) -> str:
    return _TEMPLATE.format(
        package=package,
        before=json.dumps(f"{key}.before"),
        after=json.dumps(f"{key}.after"),
        body=_BODY_WRAP if wraps_user else _BODY_PLAIN,
        leak_profile="true" if leak_profile else "false",
        report_dir_env=json.dumps(REPORT_DIR_ENV),
    )
