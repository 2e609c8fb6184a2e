#!/usr/bin/env python3
"""Benchmark run-time evidence on real blocking bugs: the GoBench kernels the Go runtime's
own leak-profile tests use ($(go env GOROOT)/src/runtime/testdata/testgoroutineleakprofile/
goker/). Nothing of them is copied into this repository: each run materialises them from
the GOROOT at hand, one package per kernel (the kernel's file, goker's main.go, and a test
that calls the kernel), in a temporary module.

    pip install -e '.[test]' && python bench/kernels.py [--runs N] [--procs 1,2,4] [--json FILE]

Reports, per kernel and in total:
- proven: `gofixleaks test` left goroutines blocked after the kernel's test in at least one
  of the runs (runs x GOMAXPROCS values; the kernels are racy by nature); GC-proven when
  the leak profile tagged one of them `(leaked)`;
- fixed: after `gofixleaks fix --evidence tests --write`, every run is green with no
  goroutine left behind;
- regressions: a kernel whose tests built and passed (leaks aside) before the fix and fail,
  hang or do not build after it, or that leaks somewhere it did not before.
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

MODULE = "example.com/goker"
TEST = """\
package main

import "testing"

func TestKernel(t *testing.T) {{
	cmds[{name}]()
}}
"""


@dataclass
class Kernel:
    name: str  # as registered: Cockroach1055
    file: str  # goker/cockroach1055.go
    expected_leaky: bool  # the runtime's leak test lists it
    runs_before: list[str] = field(default_factory=list)  # status of each run
    gc_proven: bool = False
    keys_before: set = field(default_factory=set)
    changed: bool = False
    confirmed: list[str] = field(default_factory=list)  # "file:line rule" of findings the evidence confirmed
    runs_after: list[str] = field(default_factory=list)
    new_keys_after: set = field(default_factory=set)

    @property
    def package(self) -> str:
        return f"{MODULE}/{self.dir}"

    @property
    def dir(self) -> str:
        return "k_" + Path(self.file).stem

    @property
    def proven(self) -> bool:
        return "leak" in self.runs_before

    @property
    def fixed(self) -> bool:
        return self.proven and bool(self.runs_after) and all(s == "ok" for s in self.runs_after)

    @property
    def regression(self) -> bool:
        healthy_before = all(s in ("ok", "leak") for s in self.runs_before)
        broken_after = any(s not in ("ok", "leak") for s in self.runs_after)
        return (healthy_before and broken_after) or bool(self.new_keys_after)


def go(*args: str, cwd: str | None = None) -> str:
    return subprocess.run(["go", *args], capture_output=True, text=True, check=True, cwd=cwd).stdout.strip()


def materialise(goker: Path, expected: set[str], root: Path) -> list[Kernel]:
    version = re.match(r"go(\d+\.\d+)", go("env", "GOVERSION")).group(1)
    (root / "go.mod").write_text(f"module {MODULE}\n\ngo {version}\n")
    kernels = []
    for src in sorted(goker.glob("*.go")):
        if src.name == "main.go":
            continue
        text = src.read_text()
        for name in re.findall(r'\bregister\("(\w+)"', text):
            k = Kernel(name, f"goker/{src.name}", name in expected)
            d = root / k.dir
            d.mkdir()
            shutil.copy(src, d / src.name)
            shutil.copy(goker / "main.go", d / "main.go")
            (d / "kernel_test.go").write_text(TEST.format(name=json.dumps(name)))
            kernels.append(k)
    return kernels


def expected_leaks(goroot: Path) -> set[str]:
    """The kernels goroutineleakprofile_test.go lists under gokerTestCases (each with the
    leaks it expects, flaky or not)."""
    text = (goroot / "src" / "runtime" / "goroutineleakprofile_test.go").read_text()
    start = text.index("gokerTestCases := []testCase{")
    end = text.index("\n\t}\n", start)
    body = "\n".join(ln for ln in text[start:end].splitlines() if not ln.lstrip().startswith("//"))
    return set(re.findall(r'make(?:Flaky)?Test\("(\w+)"', body))


def run_tests(root: Path, procs: int, timeout: str) -> dict:
    env = {**os.environ, "GOMAXPROCS": str(procs)}
    cmd = [sys.executable, "-m", "gofixleaks", "test", ".", "--format", "json", "--timeout", timeout]
    res = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    if res.returncode not in (0, 1, 2) or not res.stdout.strip():
        sys.exit(f"gofixleaks test failed ({res.returncode}): {res.stderr[-600:]}")
    return json.loads(res.stdout)


def record(kernels: list[Kernel], doc: dict, before: bool) -> None:
    packages = {p["package"]: p for p in doc["packages"]}
    for k in kernels:
        p = packages.get(k.package, {"status": "missing", "sites": []})
        keys = {(s["function"], (s["state"] or "").replace(" (leaked)", "")) for s in p["sites"]}
        if before:
            k.runs_before.append(p["status"])
            k.gc_proven |= any((s["state"] or "").endswith("(leaked)") for s in p["sites"])
            k.keys_before |= keys
        else:
            k.runs_after.append(p["status"])
            k.new_keys_after |= keys - k.keys_before


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.go")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2, help="runs per GOMAXPROCS value, before and after the fix")
    ap.add_argument("--procs", default="1,2,4", help="GOMAXPROCS values")
    ap.add_argument("--timeout", default="60s", help="go test -timeout per package")
    ap.add_argument("--kernel", action="append", default=[], help="only these kernels (by registered name)")
    ap.add_argument("--json", help="write per-kernel results to this file")
    ap.add_argument("--keep", help="materialise into this directory (kept) instead of a temporary one")
    args = ap.parse_args()
    procs = [int(p) for p in args.procs.split(",")]
    goroot = Path(go("env", "GOROOT"))
    goker = goroot / "src" / "runtime" / "testdata" / "testgoroutineleakprofile" / "goker"
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="gofixleaks-goker-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        expected = expected_leaks(goroot)
        kernels = materialise(goker, expected, root)
        if args.kernel:
            kernels = [k for k in kernels if k.name in args.kernel]
            for d in root.glob("k_*"):
                if d.name not in {k.dir for k in kernels}:
                    shutil.rmtree(d)
        print(f"materialised {len(kernels)} kernel(s) from {goker} into {root}", file=sys.stderr)
        for p in procs:
            for i in range(args.runs):
                print(f"before: GOMAXPROCS={p} run {i + 1}", file=sys.stderr)
                record(kernels, run_tests(root, p, args.timeout), before=True)
        original = snapshot(root)
        fix = subprocess.run(
            [sys.executable, "-m", "gofixleaks", "fix", "--evidence", "tests", "--write", "--no-cache", "."],
            cwd=root, capture_output=True, text=True,
        )
        print(f"fix --evidence tests --write: exit {fix.returncode}", file=sys.stderr)
        for line in fix.stderr.splitlines():
            m = re.match(r"\s+confirmed: (k_\w+)/(\S+) (\S+)", line)
            if m:
                for k in kernels:
                    if k.dir == m.group(1):
                        k.confirmed.append(f"{m.group(2)} {m.group(3)}")
        after_files = snapshot(root)
        for k in kernels:
            k.changed = any(original.get(f) != after_files.get(f) for f in set(original) | set(after_files) if f.startswith(k.dir + "/"))
        for p in procs:
            for i in range(args.runs):
                print(f"after: GOMAXPROCS={p} run {i + 1}", file=sys.stderr)
                record(kernels, run_tests(root, p, args.timeout), before=False)
    report(kernels, args, procs, goroot, time.time() - started, fix.stderr)


def report(kernels: list[Kernel], args, procs: list[int], goroot: Path, seconds: float, fix_log: str) -> None:
    leaking = [k for k in kernels if k.expected_leaky]
    proven = [k for k in leaking if k.proven]
    gc = [k for k in leaking if k.gc_proven]
    fixed = [k for k in proven if k.fixed]
    changed = [k for k in proven if k.changed]
    confirmed = [k for k in proven if k.confirmed]
    regressions = [k for k in kernels if k.regression]
    runs = f"{args.runs} run(s) x GOMAXPROCS {','.join(map(str, procs))}"
    print(f"GoBench kernels from {goroot} ({go('env', 'GOVERSION')}): {len(kernels)} materialised, "
          f"{len(leaking)} listed as leaking by the runtime's goroutineleakprofile_test.go")
    print(f"proven by `gofixleaks test` ({runs}): {len(proven)} of {len(leaking)} ({_pct(proven, leaking)}); "
          f"GC-proven by the leak profile: {len(gc)}")
    print(f"a finding confirmed by the evidence: {len(confirmed)} of {len(proven)}; changed by a fix: {len(changed)}")
    print(f"fixed by `fix --evidence tests` (green, nothing left behind in every run after): "
          f"{len(fixed)} of {len(proven)} ({_pct(fixed, proven)})")
    print(f"regressions: {len(regressions)}" + (f" ({', '.join(k.name for k in regressions)})" if regressions else ""))
    print(f"not proven: {', '.join(k.name for k in leaking if not k.proven) or 'none'}")
    print(f"fixed: {', '.join(k.name for k in fixed) or 'none'}")
    print(f"time: {seconds:.0f} s")
    if args.json:
        doc = [
            {**{k_: v for k_, v in asdict(k).items() if k_ not in ("keys_before", "new_keys_after")},
             "proven": k.proven, "fixed": k.fixed, "regression": k.regression,
             "new_sites_after": sorted(map(list, k.new_keys_after))}
            for k in kernels
        ]
        Path(args.json).write_text(json.dumps({"kernels": doc, "fix_log": fix_log}, indent=2))


def _pct(part: list, whole: list) -> str:
    return f"{100 * len(part) / len(whole):.0f}%" if whole else "n/a"


if __name__ == "__main__":
    main()
