#!/usr/bin/env python3
"""Benchmark gofixleaks against baselines run on the same machine in the same run (the
machine is shared and noisy: compare ratios, not seconds).

    pip install -e '.[test,bench]' && python bench/bench.py [--src DIR]... [--repeat N] [--big]

For each tree (default: the Go standard library, `$(go env GOROOT)/src`; give real services
with --src, e.g. the precision corpus materialised by bench/corpus/fetch.py) it measures,
interleaved so that every ratio compares runs made at the same time: a cold scan with all
rules (no cache), a warm re-scan (the cache the cold run filled), pure tree-sitter parsing
of the same files in one process, and `ast-grep scan` with 7 comparable patterns
(ast-grep-cli); and the peak memory of the scan (max RSS over its process tree).

--big scans one file of 23 MB made of the standard library's code, and each of its two
halves as a file of its own, and reports time and memory per MB and the ratio of the whole's
time to the halves' (1.0 when linear in size, 2.0 when quadratic); memory should stay
under 2 GB.

Targets (issue 11): cold <= 0.7 x ast-grep on each tree, warm <= 5 % of cold, peak RSS
< 500 MB, the 23 MB file under 2 GB and linear.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
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
    """Wall seconds, and the peak RSS (MB) of the largest process of ``cmd``'s tree (its
    worker processes included), sampled from /proc every 20 ms (wait4's maxrss leaves out
    the workers' peaks)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max([peak] + [_rss_kb(p) for p in _tree(proc.pid)])
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({proc.returncode})")
    return wall, peak / 1024


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def parse_only(src: Path, workers: int = 1) -> list[str]:
    """Pure tree-sitter parsing of the files a scan reads, in ``workers`` processes given
    equal shares of bytes (largest files first, each to the lightest share): with the scan's
    worker count, the floor of any design that parses every file with tree-sitter from
    Python (ast-grep runs the same C parser)."""
    code = (
        "import os, tree_sitter as ts, tree_sitter_go as g\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from gofixleaks.discover import discover\n"
        "def parse(paths):\n"
        "    p = ts.Parser(ts.Language(g.language()))\n"
        "    for path in paths:\n"
        "        p.parse(open(path, 'rb').read())\n"
        "if __name__ == '__main__':\n"
        f"    shares, sizes = [[] for _ in range({workers})], [0] * {workers}\n"
        f"    for size, path in sorted(((os.path.getsize(t.path), t.path) for t in discover(({str(src)!r},))), reverse=True):\n"
        "        i = sizes.index(min(sizes))\n"
        "        shares[i].append(path)\n"
        "        sizes[i] += size\n"
        "    with ProcessPoolExecutor(len(shares)) as pool:\n"
        "        list(pool.map(parse, shares))\n"
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


def _scan_env() -> dict[str, str]:
    """The environment of the scans: as installed, with bytecode kept. pip compiles an
    installed package's modules; PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make
    every run compile all of gofixleaks again, which a warm re-scan would mostly measure."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def scan_cmd(src: Path) -> list[str]:
    return [sys.executable, "-m", "gofixleaks", "scan", "--format", "json", str(src)]


def bench_tree(src: Path, repeat: int, tmp: Path) -> dict:
    env = dict(_scan_env(), GOFIXLEAKS_CACHE_DIR=str(tmp / "cache"))
    sg = ast_grep_cmd(tmp, src)
    times: dict[str, list[float]] = {}
    peak = 0.0
    for _ in range(repeat):
        shutil.rmtree(env["GOFIXLEAKS_CACHE_DIR"], ignore_errors=True)
        plan = [("cold", scan_cmd(src)), ("warm", scan_cmd(src)),  # warm: the cold run filled the cache
                ("parse", parse_only(src)), ("parse floor", parse_only(src, os.cpu_count() or 1))]
        if sg:
            plan.append(("ast-grep", sg))
        for name, cmd in plan:
            wall, rss = timed(cmd, env)
            times.setdefault(name, []).append(wall)
            if name in ("cold", "warm"):
                peak = max(peak, rss)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"tree": str(src), "files": sum(1 for _ in src.rglob("*.go")), "median": med, "runs": times, "peak_mb": peak}


def bench_big(tmp: Path) -> dict:
    """One file of 23 MB made of real code (the standard library's non-test files, their
    package clauses dropped, under one `package big`) and its two halves (11.5 MB each,
    split at a file boundary) as files of their own, scanned in the same run.

    The halves hold different code, so seconds per MB differ between them with what each
    holds; the whole holds exactly the code of both, so ``whole / (first + second)`` is 1.0
    when the cost is linear in size and nears 2.0 when a cost grows with the square of it
    (a per-node question that reads the whole file)."""
    sources = sorted(p for p in goroot_src().rglob("*.go") if not p.name.endswith("_test.go") and "testdata" not in p.parts)
    halves: list[list[bytes]] = [[], []]
    size = 0
    for src in sources:
        if size >= 23e6:
            break
        data = re.sub(rb"(?m)^package \w+.*$", b"", src.read_bytes(), count=1)
        halves[size >= 11.5e6].append(data)
        size += len(data)
    out = {}
    for name, parts in (("first", halves[0]), ("second", halves[1]), ("whole", halves[0] + halves[1])):
        d = tmp / f"big-{name}"
        d.mkdir()
        (d / "go.mod").write_text("module example.com/big\n\ngo 1.22\n")
        data = b"\n".join([b"package big\n"] + parts)
        (d / "big.go").write_bytes(data)
        env = dict(_scan_env(), GOFIXLEAKS_CACHE_DIR=str(tmp / "bigcache"))
        wall, rss = timed([sys.executable, "-m", "gofixleaks", "scan", "--no-cache", "--format", "json", str(d)], env)
        out[name] = {"mb": len(data) / 1e6, "seconds": wall, "peak_mb": rss}
        shutil.rmtree(d)
    out["whole_over_halves"] = out["whole"]["seconds"] / (out["first"]["seconds"] + out["second"]["seconds"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", type=Path, action="append", help="tree to scan (repeatable; default: $(go env GOROOT)/src)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported")
    ap.add_argument("--big", action="store_true", help="also scan one generated file of 23 MB and each of its halves")
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = ap.parse_args()
    trees = args.src or [goroot_src()]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", file=sys.stderr)
    results, big = [], {}
    with tempfile.TemporaryDirectory(prefix="gofixleaks-bench-") as tmp:
        for src in trees:
            t = Path(tmp) / src.name
            t.mkdir()
            results.append(bench_tree(src, args.repeat, t))
        if args.big:
            big = bench_big(Path(tmp))
    if args.json:
        print(json.dumps({"trees": results, "big": big}, indent=2))
        return
    print("| Tree | Go files | cold scan | ast-grep | cold / ast-grep | parse only | parse floor / ast-grep | warm | warm / cold | peak RSS |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        m = r["median"]
        sg = m.get("ast-grep")
        print(f"| {Path(r['tree']).name} | {r['files']} | {m['cold']:.2f} s | " + (f"{sg:.2f} s | {m['cold'] / sg:.2f} x" if sg else "- | -")
              + f" | {m['parse']:.2f} s | " + (f"{m['parse floor'] / sg:.2f} x" if sg else "-") + f" | {m['warm']:.2f} s | {m['warm'] / m['cold']:.1%} | {r['peak_mb']:.0f} MB |")
    for name in ("first", "second", "whole") if big else ():
        b = big[name]
        print(f"one file, {name} half{'s' if name == 'whole' else ''}: {b['mb']:.2f} MB, {b['seconds']:.2f} s "
              f"({b['seconds'] / b['mb']:.3f} s/MB), peak {b['peak_mb']:.0f} MB ({b['peak_mb'] / b['mb']:.0f} MB per MB)")
    if big:
        print(f"whole / (first + second): {big['whole_over_halves']:.2f} (1.0: linear; 2.0: quadratic)")


if __name__ == "__main__":
    main()
