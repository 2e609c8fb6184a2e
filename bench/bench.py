#!/usr/bin/env python3
"""Benchmark gofixleaks on the Go standard library, against baselines run on the same
machine in the same run (the machine is shared and noisy: compare ratios, not seconds).

    pip install -e '.[test,bench]' && python bench/bench.py [--src DIR] [--repeat N]

Measures: a cold scan with all rules (no cache), pure tree-sitter parsing of the same
files, `ast-grep scan` with 7 comparable patterns (ast-grep-cli), a warm re-scan (cache
filled by the cold run), and the peak memory (max RSS of the scan's process tree)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The same trigger shapes the rules look for, as ast-grep patterns.
AST_GREP_RULES = {
    "ticker": "$T := time.NewTicker($D)",
    "timer": "$T := time.NewTimer($D)",
    "tick": "time.Tick($D)",
    "after": "time.After($D)",
    "cancel": "$C, $F := context.WithCancel($P)",
    "go-in-loop": "go $F($$$A)",
    "make-chan": "make(chan $T)",
}


def goroot_src() -> Path:
    out = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
    return Path(out) / "src"


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest child process of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode()[-400:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak


def parse_only(src: Path) -> list[str]:
    code = (
        "import sys, os, tree_sitter as ts, tree_sitter_go as g\n"
        "from gofixleaks.discover import discover\n"
        "p = ts.Parser(ts.Language(g.language()))\n"
        f"for t in discover(({str(src)!r},)):\n"
        "    p.parse(open(t.path, 'rb').read())\n"
    )
    return [sys.executable, "-c", code]


def ast_grep_cmd(workdir: Path, src: Path) -> list[str] | None:
    exe = shutil.which("ast-grep") or shutil.which("sg")
    if exe is None:
        return None
    rules = workdir / "rules"
    rules.mkdir(exist_ok=True)
    for name, pattern in AST_GREP_RULES.items():
        (rules / f"{name}.yml").write_text(f"id: {name}\nlanguage: go\nseverity: warning\nrule:\n  pattern: {json.dumps(pattern)}\n")
    (workdir / "sgconfig.yml").write_text(f"ruleDirs:\n  - {rules}\n")
    return [exe, "scan", "--config", str(workdir / "sgconfig.yml"), "--json=compact", str(src)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=Path, default=None, help="tree to scan (default: $(go env GOROOT)/src)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported")
    args = ap.parse_args()
    src = args.src or goroot_src()
    scan = [sys.executable, "-m", "gofixleaks", "scan", "--format", "json", str(src)]
    results: dict[str, list[float]] = {}
    peaks: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="gofixleaks-bench-") as tmp:
        env = dict(os.environ, GOFIXLEAKS_CACHE_DIR=os.path.join(tmp, "cache"))
        sg = ast_grep_cmd(Path(tmp), src)
        for _ in range(args.repeat):
            shutil.rmtree(env["GOFIXLEAKS_CACHE_DIR"], ignore_errors=True)
            plan = [
                ("cold scan", scan, env),
                ("warm re-scan", scan, env),  # the cold run just filled the cache
                ("tree-sitter parse only", parse_only(src), env),
            ]
            if sg:
                plan.append(("ast-grep scan (7 patterns)", sg, env))
            for name, cmd, e in plan:
                wall, peak = timed(cmd, e)
                results.setdefault(name, []).append(wall)
                peaks[name] = max(peaks.get(name, 0.0), peak)
    med = {k: statistics.median(v) for k, v in results.items()}
    files = sum(1 for _ in src.rglob("*.go"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {files} .go files under {src}")
    for k, v in med.items():
        print(f"{k:28s} {v:7.2f} s  (runs: {', '.join(f'{x:.2f}' for x in results[k])})")
    cold = med["cold scan"]
    print(f"warm / cold                  {med['warm re-scan'] / cold:7.1%}   (target <= 10%)")
    print(f"cold / parse only            {cold / med['tree-sitter parse only']:7.2f}x")
    if "ast-grep scan (7 patterns)" in med:
        print(f"cold / ast-grep              {cold / med['ast-grep scan (7 patterns)']:7.2f}x  (target <= 1.0)")
    else:
        print("ast-grep: not installed (pip install ast-grep-cli)")
    print(f"peak memory (max RSS of one process, cold scan run included): {max(peaks.values()):.0f} MB  (target < 500 MB)")


if __name__ == "__main__":
    main()
