#!/usr/bin/env python3
"""Benchmark run-time evidence on real blocking bugs: the GoBench kernels the Go runtime's
own leak-profile tests use ($(go env GOROOT)/src/runtime/testdata/testgoroutineleakprofile/
goker/). Nothing of them is copied into this repository: each run materialises them from
the GOROOT at hand, one package per kernel (the kernel's file, goker's main.go, and a test
that calls the kernel), in a temporary module.

    pip install -e '.[test]' && python bench/kernels.py [--runs N] [--procs 1,2,4] [--count N] [--race] [--json FILE]

Reports, per kernel and in total:
- proven: `gofixleaks test` left goroutines blocked after the kernel's test in at least one
  of the runs (runs x GOMAXPROCS values, each running the test --count times before its
  leak check; the kernels are racy by nature); GC-proven when the leak profile tagged one
  of them `(leaked)`;
- fixed: `gofixleaks fix --evidence tests --write --count N` (safe fixes only, as by
  default; and again with --unsafe-fixes, on a fresh copy) changed the kernel, and every run after is
  green with no goroutine left behind;
- regressions: a kernel the fix changed whose tests built and passed (leaks aside) before
  the fix and fail, hang or do not build after it, or that leaks somewhere it did not before.
The denominator "leaking" is the set of kernels the runtime's goroutineleakprofile_test.go
expects to leak."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

MODULE = "example.com/goker"
TEST = """\
package main

import "testing"

func TestKernel(t *testing.T) {{
	cmds[{name}]()
}}
"""
VARIANTS = {"safe": [], "unsafe": ["--unsafe-fixes"]}  # fix's flags per variant


@dataclass
class Outcome:
    """One kernel after one `fix --evidence tests --write` variant."""

    changed: bool = False
    confirmed: list[str] = field(default_factory=list)  # "file:line rule (status)" the evidence confirmed
    runs: list[str] = field(default_factory=list)  # status of each run after the fix
    new_sites: set = field(default_factory=set)  # (function, state) not seen before the fix


@dataclass
class Kernel:
    name: str  # as registered: Cockroach1055
    file: str  # goker/cockroach1055.go
    expected_leaky: bool  # the runtime's leak test lists it
    runs: list[str] = field(default_factory=list)  # status of each run before the fix
    gc_proven: bool = False
    sites: set = field(default_factory=set)  # (function, state) seen before the fix
    after: dict[str, Outcome] = field(default_factory=dict)  # by variant

    @property
    def dir(self) -> str:
        return "k_" + Path(self.file).stem

    @property
    def package(self) -> str:
        return f"{MODULE}/{self.dir}"

    @property
    def proven(self) -> bool:
        return "leak" in self.runs

    def fixed(self, variant: str) -> bool:
        """Changed by the fix, and green with nothing left behind in every run after: a racy
        kernel the fix did not touch that happens not to leak in the later runs is not fixed."""
        o = self.after[variant]
        return self.proven and o.changed and bool(o.runs) and all(s == "ok" for s in o.runs)

    def regression(self, variant: str) -> bool:
        """Only a kernel the fix changed can regress: an unchanged racy kernel reaching other
        blocking points in other runs is scheduling, not the fix."""
        o = self.after[variant]
        healthy_before = all(s in ("ok", "leak") for s in self.runs)
        return o.changed and ((healthy_before and any(s not in ("ok", "leak") for s in o.runs)) or bool(o.new_sites))


def go(*args: str) -> str:
    return subprocess.run(["go", *args], capture_output=True, text=True, check=True).stdout.strip()


def expected_leaks(goroot: Path) -> set[str]:
    """The kernels goroutineleakprofile_test.go lists under gokerTestCases (each with the
    leaks it expects, flaky or not)."""
    text = (goroot / "src" / "runtime" / "goroutineleakprofile_test.go").read_text()
    start = text.index("gokerTestCases := []testCase{")
    end = text.index("\n\t}\n", start)
    body = "\n".join(ln for ln in text[start:end].splitlines() if not ln.lstrip().startswith("//"))
    return set(re.findall(r'make(?:Flaky)?Test\("(\w+)"', body))


def materialise(goker: Path, expected: set[str], root: Path, only: list[str]) -> list[Kernel]:
    version = re.match(r"go(\d+\.\d+)", go("env", "GOVERSION")).group(1)
    (root / "go.mod").write_text(f"module {MODULE}\n\ngo {version}\n")
    kernels = []
    for src in sorted(goker.glob("*.go")):
        if src.name == "main.go":
            continue
        for name in re.findall(r'\bregister\("(\w+)"', src.read_text()):
            if only and name not in only:
                continue
            k = Kernel(name, f"goker/{src.name}", name in expected)
            d = root / k.dir
            d.mkdir()
            shutil.copy(src, d / src.name)
            shutil.copy(goker / "main.go", d / "main.go")
            (d / "kernel_test.go").write_text(TEST.format(name=json.dumps(name)))
            kernels.append(k)
    return kernels


def gofixleaks(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gofixleaks", *args], cwd=root, capture_output=True, text=True, env=env)


def run_tests(root: Path, procs: int, timeout: str, repeat: list[str]) -> dict[str, dict]:
    """`gofixleaks test`'s report for each package, by import path."""
    res = gofixleaks(root, "test", ".", "--format", "json", "--timeout", timeout, *repeat,
                     env={**os.environ, "GOMAXPROCS": str(procs)})
    if res.returncode not in (0, 1, 2) or not res.stdout.strip():
        sys.exit(f"gofixleaks test failed ({res.returncode}): {res.stderr[-600:]}")
    return {p["package"]: p for p in json.loads(res.stdout)["packages"]}


def each_run(root: Path, procs: list[int], args, label: str) -> Iterator[dict[str, dict]]:
    """`gofixleaks test`'s packages for each GOMAXPROCS value, ``args.runs`` times each."""
    for p in procs:
        for i in range(args.runs):
            print(f"{label}: GOMAXPROCS={p} run {i + 1}", file=sys.stderr)
            yield run_tests(root, p, args.timeout, repeat(args))


def repeat(args) -> list[str]:
    """How every `gofixleaks test` and `fix --evidence tests` run runs the tests."""
    return ["--count", str(args.count)] + (["--race"] if args.race else [])


def site_keys(package: dict) -> set:
    return {(s["function"], (s["state"] or "").replace(" (leaked)", "")) for s in package["sites"]}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.go")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1, help="runs per GOMAXPROCS value, before and after each fix")
    ap.add_argument("--procs", default="1,2,4", help="GOMAXPROCS values")
    ap.add_argument("--count", type=int, default=1,
                    help="each test this many times in every run before its leak check, and in fix --evidence tests (go test -count)")
    ap.add_argument("--race", action="store_true",
                    help="every test run, and fix --evidence tests, under the race detector (go test -race), whose "
                         "scheduler randomises which ready goroutine runs next")
    ap.add_argument("--timeout", default="60s", help="go test -timeout per package")
    ap.add_argument("--kernel", action="append", default=[], help="only these kernels (by registered name)")
    ap.add_argument("--json", help="write per-kernel results to this file")
    args = ap.parse_args()
    if args.count < 1:
        ap.error("--count: want a positive number of runs")
    procs = [int(p) for p in args.procs.split(",")]
    goroot = Path(go("env", "GOROOT"))
    goker = goroot / "src" / "runtime" / "testdata" / "testgoroutineleakprofile" / "goker"
    started = time.time()
    missing = {"status": "missing", "sites": []}
    logs = {}
    with tempfile.TemporaryDirectory(prefix="gofixleaks-goker-") as tmp:
        pristine = Path(tmp) / "kernels"
        pristine.mkdir()
        kernels = materialise(goker, expected_leaks(goroot), pristine, args.kernel)
        print(f"materialised {len(kernels)} kernel(s) from {goker}", file=sys.stderr)
        for packages in each_run(pristine, procs, args, "before"):
            for k in kernels:
                pkg = packages.get(k.package, missing)
                k.runs.append(pkg["status"])
                k.gc_proven |= any((s["state"] or "").endswith("(leaked)") for s in pkg["sites"])
                k.sites |= site_keys(pkg)
        original = snapshot(pristine)
        for variant, flags in VARIANTS.items():
            root = Path(shutil.copytree(pristine, Path(tmp) / variant))
            fix = gofixleaks(root, "fix", "--evidence", "tests", *repeat(args), "--write", "--no-cache", *flags, ".")
            logs[variant] = fix.stderr
            print(f"{variant}: fix --evidence tests {' '.join(repeat(args))} --write {' '.join(flags)}: exit {fix.returncode}", file=sys.stderr)
            fixed_files = snapshot(root)
            for k in kernels:
                o = k.after[variant] = Outcome()
                o.changed = any(original[f] != fixed_files.get(f) for f in original if f.startswith(k.dir + "/"))
                o.confirmed = re.findall(rf"^  confirmed: {k.dir}/(\S+ \S+ \([^)]*\))", fix.stderr, re.M)
            for packages in each_run(root, procs, args, f"{variant}, after"):
                for k in kernels:
                    pkg = packages.get(k.package, missing)
                    k.after[variant].runs.append(pkg["status"])
                    k.after[variant].new_sites |= site_keys(pkg) - k.sites
    report(kernels, args, procs, goroot, time.time() - started)
    if args.json:
        doc = [
            {
                "name": k.name, "file": k.file, "expected_leaky": k.expected_leaky, "runs": k.runs,
                "proven": k.proven, "gc_proven": k.gc_proven,
                "after": {
                    v: {**asdict(o), "new_sites": sorted(map(list, o.new_sites)), "fixed": k.fixed(v), "regression": k.regression(v)}
                    for v, o in k.after.items()
                },
            }
            for k in kernels
        ]
        Path(args.json).write_text(json.dumps({"count": args.count, "race": args.race, "kernels": doc, "fix_logs": logs}, indent=2))


def report(kernels: list[Kernel], args, procs: list[int], goroot: Path, seconds: float) -> None:
    leaking = [k for k in kernels if k.expected_leaky]
    proven = [k for k in leaking if k.proven]
    runs = (f"{args.runs} run(s) x GOMAXPROCS {','.join(map(str, procs))}, each test {args.count} time(s) per run"
            + (" under the race detector" if args.race else ""))
    print(f"GoBench kernels from {goroot} ({go('env', 'GOVERSION')}): {len(kernels)} materialised, "
          f"{len(leaking)} listed as leaking by the runtime's goroutineleakprofile_test.go")
    print(f"proven by `gofixleaks test` ({runs}): {len(proven)} of {len(leaking)} ({_pct(proven, leaking)}); "
          f"GC-proven by the leak profile: {sum(1 for k in leaking if k.gc_proven)}")
    print(f"not proven: {', '.join(k.name for k in leaking if not k.proven) or 'none'}")
    for variant, flags in VARIANTS.items():
        fixed = [k for k in proven if k.fixed(variant)]
        regressions = [k for k in kernels if k.regression(variant)]
        label = " ".join(["fix --evidence tests --write", *flags] + ([f"--count {args.count}"] if args.count > 1 else [])
                         + (["--race"] if args.race else []))
        print(f"[{label}] a finding confirmed: {sum(1 for k in proven if k.after[variant].confirmed)} of {len(proven)}; "
              f"changed: {sum(1 for k in proven if k.after[variant].changed)}; "
              f"fixed (green, nothing left behind in every run): {len(fixed)} of {len(proven)} ({_pct(fixed, proven)}); "
              f"regressions: {len(regressions)}" + (f" ({', '.join(k.name for k in regressions)})" if regressions else ""))
        print(f"[{label}] fixed: {', '.join(k.name for k in fixed) or 'none'}")
    print(f"time: {seconds:.0f} s")


def _pct(part: list, whole: list) -> str:
    return f"{100 * len(part) / len(whole):.0f}%" if whole else "n/a"


if __name__ == "__main__":
    main()
