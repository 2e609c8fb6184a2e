#!/usr/bin/env python3
"""Static findings and fixes on real blocking bugs: the GoBench kernels that the Go
runtime's leak-profile tests use ($(go env GOROOT)/src/runtime/testdata/
testgoroutineleakprofile/goker/). Nothing of them is copied into this repository: each run
materialises them from the GOROOT at hand, one package per kernel (its file and goker's
main.go) in a temporary module.

    python bench/gobench.py [--runs N] [--procs 1,4] [--gofixleaks "python -m gofixleaks"] [--json FILE]

For every kernel the runtime's goroutineleakprofile_test.go expects to leak, it reports:
- found: `gofixleaks scan` (all rules) reports something in the kernel's file;
- leaks: a run of the kernel (runs x GOMAXPROCS values) ends with a goroutine the leak
  profile tags `(leaked)` (the kernels are racy: a leak may need several runs to show);
- fixed: after `gofixleaks fix --write --unsafe-fixes`, the kernel builds, and every run
  exits 0 with no leaked goroutine, for a kernel that leaked before (a correct fix);
- broken: after the fix the kernel no longer builds, or a run fails or hangs.
``--gofixleaks`` is the command to run (another checkout's, to compare before and after).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

RUN_TIMEOUT = 30  # seconds one run of a kernel may take (they sleep 0.1 s to 2 s, then profile)


@dataclass
class Kernel:
    name: str
    file: str
    found: list[str] = field(default_factory=list)  # "line rule" of each finding
    leaked_before: int = 0  # runs with a leak, before the fix
    changed: bool = False
    leaked_after: int = 0
    failed_after: int = 0  # runs that did not build, failed or hung after the fix
    runs: int = 0

    @property
    def fixed(self) -> bool:
        return self.leaked_before > 0 and self.changed and self.leaked_after == 0 and self.failed_after == 0


def expected_leaks(goroot: Path) -> set[str]:
    text = (goroot / "src" / "runtime" / "goroutineleakprofile_test.go").read_text()
    start = text.index("gokerTestCases := []testCase{")
    end = text.index("\n\t}\n", start)
    body = "\n".join(ln for ln in text[start:end].splitlines() if not ln.lstrip().startswith("//"))
    return set(re.findall(r'make(?:Flaky)?Test\("(\w+)"', body))


def materialise(goker: Path, expected: set[str], root: Path, version: str) -> list[Kernel]:
    (root / "go.mod").write_text(f"module example.com/goker\n\ngo {version}\n")
    out = []
    for src in sorted(goker.glob("*.go")):
        if src.name == "main.go":
            continue
        for name in re.findall(r'\bregister\("(\w+)"', src.read_text()):
            if name not in expected:
                continue
            d = root / src.stem
            d.mkdir(exist_ok=True)
            shutil.copy(src, d / src.name)
            shutil.copy(goker / "main.go", d / "main.go")
            out.append(Kernel(name, f"{src.stem}/{src.name}"))
    return out


def run_kernels(root: Path, kernels: list[Kernel], runs: int, procs: list[int], after: bool) -> None:
    for k in kernels:
        d = root / Path(k.file).parent
        exe = d / "kernel.bin"
        build = subprocess.run(["go", "build", "-o", str(exe), "."], cwd=d, capture_output=True, text=True)
        for p in procs:
            for _ in range(runs):
                if not after:
                    k.runs += 1
                if build.returncode != 0:
                    k.failed_after += after
                    continue
                env = {**os.environ, "GODEBUG": "asyncpreemptoff=1", "GOMAXPROCS": str(p)}
                try:
                    res = subprocess.run([str(exe), k.name], capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
                except subprocess.TimeoutExpired:
                    k.failed_after += after
                    continue
                leaked = "(leaked)" in res.stdout
                if after:
                    k.leaked_after += leaked
                    k.failed_after += res.returncode != 0
                else:
                    k.leaked_before += leaked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs of each kernel per GOMAXPROCS value")
    ap.add_argument("--procs", default="1,4", help="GOMAXPROCS values, comma-separated")
    ap.add_argument("--gofixleaks", default=f"{sys.executable} -m gofixleaks", help="the command to run")
    ap.add_argument("--json", type=Path, help="write the per-kernel results here")
    args = ap.parse_args()
    procs = [int(p) for p in args.procs.split(",")]
    tool = shlex.split(args.gofixleaks)
    goroot = Path(subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip())
    version = re.match(r"go(\d+\.\d+)", subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True).stdout).group(1)
    goker = goroot / "src" / "runtime" / "testdata" / "testgoroutineleakprofile" / "goker"
    with tempfile.TemporaryDirectory(prefix="gofixleaks-gobench-") as tmp:
        root = Path(tmp)
        kernels = materialise(goker, expected_leaks(goroot), root, version)
        scan = subprocess.run([*tool, "scan", "--no-cache", "--format", "json", "."], cwd=root, capture_output=True, text=True)
        by_file = {k.file: k for k in kernels}
        for f in json.loads(scan.stdout)["findings"]:
            k = by_file.get(f["path"])
            if k is not None:
                k.found.append(f"{f['line']} {f['rule']}" + (" (fixable)" if f["fixable"] else ""))
        print(f"materialised {len(kernels)} kernels the runtime expects to leak; running them before the fix", file=sys.stderr)
        run_kernels(root, kernels, args.runs, procs, after=False)
        before = {k.file: (root / k.file).read_bytes() for k in kernels}
        subprocess.run([*tool, "fix", "--no-cache", "--write", "--unsafe-fixes", "."], cwd=root, capture_output=True, text=True)
        for k in kernels:
            k.changed = (root / k.file).read_bytes() != before[k.file]
        changed = [k for k in kernels if k.changed]
        print(f"{len(changed)} kernels changed by the fix; running them", file=sys.stderr)
        run_kernels(root, changed, args.runs, procs, after=True)
    print(f"{'kernel':18s} {'leaks':>6s} {'found':28s} {'fixed':>6s}")
    for k in kernels:
        state = "yes" if k.fixed else ("broken" if k.changed and k.failed_after else ("no" if k.changed else "-"))
        print(f"{k.name:18s} {k.leaked_before:>3d}/{k.runs:<2d} {', '.join(k.found)[:28]:28s} {state:>6s}")
    leaking = [k for k in kernels if k.leaked_before]
    print(f"\nkernels expected to leak: {len(kernels)}; leaked in these runs: {len(leaking)}")
    print(f"found (any finding in the kernel's file): {sum(bool(k.found) for k in kernels)}")
    print(f"changed by fix --unsafe-fixes: {len(changed)}; fixed (leaked before, no leak and no failure after): "
          f"{sum(k.fixed for k in kernels)}; broken after the fix: {sum(bool(k.changed and k.failed_after) for k in kernels)}")
    if args.json:
        args.json.write_text(json.dumps([{**asdict(k), "fixed": k.fixed} for k in kernels], indent=1))


if __name__ == "__main__":
    main()
