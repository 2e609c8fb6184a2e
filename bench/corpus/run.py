#!/usr/bin/env python3
"""Measure gofixleaks' precision on the real-world corpus against the hand-read verdicts.

    python bench/corpus/fetch.py --mirror /work/.mirror     # or without --mirror: git clone
    python bench/corpus/run.py [--only NAME ...] [--reuse] [--json] [--strict]

For every repository of repos.toml materialised under ``--src`` (default
``bench/corpus/.src/``), run from the repository's root:

    gofixleaks scan --format json --no-cache .
    gofixleaks fix --diff --no-cache .

and keep their raw output in ``--out`` (default ``bench/corpus/.out/``, git-ignored):
``<name>.scan.json``, ``<name>.diff``, ``<name>.fix.txt`` (fix's stderr) and
``<name>.time.json`` (wall seconds of each command). ``--reuse`` reads those files instead of
running gofixleaks again (for re-joining after editing verdicts).

Findings are joined with ``verdicts/<name>.csv`` (columns ``path,line,rule,verdict,fix,reason``;
verdict ``real``/``false``; fix ``right``/``wrong``/``none``, none when no fix is offered),
keyed by (path relative to the repository root, line, rule). The table, one row per repo and
rule, counts: findings; judged; real; false; fixable; fixable-real (fixable and real); fix
right / wrong (judged fixes); unjudged (no verdict row, or a fixable finding whose row says
fix ``none``: the fix has not been read). Each repo also reports files that failed to parse
(``errors`` of the scan, syntax errors counted apart), files only partially parsed, stale
verdict rows (no finding has their key any more, or their fix column judges a fix the finding
no longer has) and the scan's wall seconds. Unjudged findings are listed as path:line so
someone reads them.

``--json`` prints the same numbers as one JSON document. Exit status: 0; 1 with
``--strict`` when a finding is unjudged or a verdict row is stale; 2 on bad input (an unknown repo, a malformed
verdict file, gofixleaks failing). Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch import HERE, Repo, load_repos  # noqa: E402

VERDICT_COLUMNS = ["path", "line", "rule", "verdict", "fix", "reason"]
VERDICTS = {"real", "false"}
FIXES = {"right", "wrong", "none"}
COUNTS = ("findings", "judged", "real", "false", "fixable", "fixable_real", "fix_right", "fix_wrong", "unjudged")


class BadInput(Exception):
    """A one-line reason run.py cannot go on."""


@dataclass(frozen=True)
class Verdict:
    verdict: str
    fix: str
    reason: str


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    fixable: bool
    message: str


@dataclass
class Row:
    """The counts of one repo and rule (or a total)."""

    repo: str
    rule: str
    findings: int = 0
    judged: int = 0
    real: int = 0
    false: int = 0
    fixable: int = 0
    fixable_real: int = 0
    fix_right: int = 0
    fix_wrong: int = 0
    unjudged: int = 0

    def add(self, other: Row) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RepoResult:
    repo: str
    kind: str
    commit: str
    scan_seconds: float
    fix_seconds: float
    go_files: int
    syntax_errors: int
    other_errors: int
    partially_parsed: int
    rows: list[Row] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def load_verdicts(path: Path) -> dict[tuple[str, int, str], Verdict]:
    if not path.exists():
        return {}
    out: dict[tuple[str, int, str], Verdict] = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != VERDICT_COLUMNS:
            raise BadInput(f"{path}: columns must be {','.join(VERDICT_COLUMNS)}")
        for n, row in enumerate(reader, start=2):
            if row["verdict"] not in VERDICTS or row["fix"] not in FIXES or not row["line"].isdigit():
                raise BadInput(f"{path}:{n}: bad verdict/fix/line: {row}")
            key = (row["path"], int(row["line"]), row["rule"])
            if key in out:
                raise BadInput(f"{path}:{n}: duplicate key {key}")
            out[key] = Verdict(row["verdict"], row["fix"], row["reason"])
    return out


def gofixleaks_cmd() -> list[str]:
    exe = shutil.which("gofixleaks")
    return [exe] if exe else [sys.executable, "-m", "gofixleaks"]


def run_tool(repo: Repo, tree: Path, out: Path) -> None:
    """Run scan and fix in ``tree`` and keep their output in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    times = {}
    for name, args, dest in (
        ("scan", ["scan", "--format", "json", "--no-cache", "."], f"{repo.name}.scan.json"),
        ("fix", ["fix", "--diff", "--no-cache", "."], f"{repo.name}.diff"),
    ):
        start = time.perf_counter()
        proc = subprocess.run(gofixleaks_cmd() + args, cwd=tree, capture_output=True, text=True)
        times[name] = round(time.perf_counter() - start, 2)
        if proc.returncode not in (0, 1):
            raise BadInput(f"{repo.name}: gofixleaks {name} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
        (out / dest).write_text(proc.stdout, encoding="utf-8")
        if name == "fix":
            (out / f"{repo.name}.fix.txt").write_text(proc.stderr, encoding="utf-8")
    (out / f"{repo.name}.time.json").write_text(json.dumps(times) + "\n", encoding="utf-8")


def go_file_count(tree: Path) -> int:
    proc = subprocess.run(["git", "ls-files", "--", "*.go"], cwd=tree, capture_output=True, text=True)
    return len(proc.stdout.splitlines())


def evaluate(repo: Repo, tree: Path, out: Path, verdicts_dir: Path = HERE / "verdicts") -> RepoResult:
    scan_path = out / f"{repo.name}.scan.json"
    try:
        scan = json.loads(scan_path.read_text(encoding="utf-8"))
        times = json.loads((out / f"{repo.name}.time.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{repo.name}: no usable output in {out} (run without --reuse): {exc}") from None
    findings = [
        Finding(f["path"].removeprefix("./"), f["line"], f["rule"], bool(f["fixable"]), f["message"])
        for f in scan["findings"]
    ]
    verdicts = load_verdicts(verdicts_dir / f"{repo.name}.csv")
    errors = scan.get("errors", [])
    syntax = sum("syntax error" in e.get("message", "") for e in errors)
    result = RepoResult(
        repo=repo.name,
        kind=repo.kind,
        commit=repo.commit,
        scan_seconds=times["scan"],
        fix_seconds=times["fix"],
        go_files=go_file_count(tree),
        syntax_errors=syntax,
        other_errors=len(errors) - syntax,
        partially_parsed=len(scan.get("partially_parsed", [])),
    )
    rows: dict[str, Row] = {}
    seen = set()
    judged_fix: list[str] = []  # a fix judged right or wrong that the finding no longer has
    for f in findings:
        row = rows.setdefault(f.rule, Row(repo.name, f.rule))
        key = (f.path, f.line, f.rule)
        seen.add(key)
        row.findings += 1
        row.fixable += f.fixable
        v = verdicts.get(key)
        if v is None or (f.fixable and v.fix == "none"):
            row.unjudged += 1
            what = "no verdict" if v is None else "fix not judged"
            fix = "fixable" if f.fixable else "no fix"
            result.unjudged.append(f"{f.path}:{f.line}: {f.rule} ({fix}; {what}): {f.message}")
            if v is None:
                continue
        row.judged += 1
        real = v.verdict == "real"
        row.real += real
        row.false += not real
        if f.fixable:
            row.fixable_real += real
            row.fix_right += v.fix == "right"
            row.fix_wrong += v.fix == "wrong"
        elif v.fix != "none":
            judged_fix.append(f"{f.path}:{f.line}: {f.rule} (fix judged {v.fix}, none offered)")
    result.rows = [rows[r] for r in sorted(rows)]
    result.stale = [f"{p}:{n}: {r}" for (p, n, r) in sorted(set(verdicts) - seen)] + judged_fix
    return result


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}%" if den else "-"


COUNT_HEAD = ["findings", "judged", "real", "false", "fixable", "fixable-real", "fix right", "fix wrong", "unjudged"]


def row_line(first: list[str], row: Row) -> str:
    return "| " + " | ".join(first + [str(getattr(row, c)) for c in COUNTS]) + " |"


def table(results: list[RepoResult]) -> str:
    """Markdown: totals by rule, by repo (with files, errors and seconds), then repo x rule."""
    total = Row("total", "")
    by_rule: dict[str, Row] = {}
    for res in results:
        for row in res.rows:
            total.add(row)
            by_rule.setdefault(row.rule, Row("", row.rule)).add(row)
    out = [
        f"Precision: {pct(total.real, total.judged)} of judged findings real ({total.real}/{total.judged}); "
        f"{pct(total.fixable_real, total.fixable)} of fixable findings real ({total.fixable_real}/{total.fixable}); "
        f"fixes right {total.fix_right}, wrong {total.fix_wrong} "
        f"({pct(total.fix_right, total.fix_right + total.fix_wrong)} right); unjudged {total.unjudged}.",
        "",
        "| rule | " + " | ".join(COUNT_HEAD) + " | precision |",
        "|" + "---|" * (len(COUNT_HEAD) + 2),
    ]
    for rule in sorted(by_rule):
        r = by_rule[rule]
        out.append(row_line([rule], r)[:-1] + f"| {pct(r.real, r.judged)} |")
    out.append(row_line(["**total**"], total)[:-1] + f"| {pct(total.real, total.judged)} |")
    out += [
        "",
        "| repo | kind | Go files | scan s | fix s | syntax errors | other errors | partially parsed | "
        + " | ".join(COUNT_HEAD) + " |",
        "|" + "---|" * (8 + len(COUNT_HEAD)),
    ]
    for res in results:
        r = Row(res.repo, "")
        for row in res.rows:
            r.add(row)
        out.append(
            row_line(
                [res.repo, res.kind, str(res.go_files), f"{res.scan_seconds:.1f}", f"{res.fix_seconds:.1f}",
                 str(res.syntax_errors), str(res.other_errors), str(res.partially_parsed)],
                r,
            )
        )
    out += ["", "| repo | rule | " + " | ".join(COUNT_HEAD) + " |", "|" + "---|" * (2 + len(COUNT_HEAD))]
    for res in results:
        out += [row_line([row.repo, row.rule], row) for row in res.rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=HERE / ".src", help="where fetch.py put the work trees")
    ap.add_argument("--out", type=Path, default=HERE / ".out", help="where raw gofixleaks output is kept")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="only this repo (repeatable)")
    ap.add_argument("--reuse", action="store_true", help="read the kept output instead of running gofixleaks")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    ap.add_argument("--strict", action="store_true", help="exit 1 when any finding is unjudged or a verdict stale")
    args = ap.parse_args(argv)
    try:
        repos = [r for r in load_repos() if not args.only or r.name in args.only]
        unknown = set(args.only) - {r.name for r in repos}
        if unknown:
            raise BadInput(f"unknown repo(s): {', '.join(sorted(unknown))}")
        results = []
        for repo in repos:
            tree = args.src / repo.name
            if not (tree / ".git").exists():
                print(f"run.py: {repo.name}: not materialised in {args.src} (run fetch.py); skipped", file=sys.stderr)
                continue
            if not args.reuse:
                print(f"run.py: {repo.name}: running gofixleaks ...", file=sys.stderr)
                run_tool(repo, tree, args.out)
            results.append(evaluate(repo, tree, args.out))
    except BadInput as exc:
        print(f"run.py: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=1))
    else:
        print(table(results))
        for res in results:
            for line in res.unjudged:
                print(f"unjudged {res.repo}/{line}")
            for line in res.stale:
                print(f"stale verdict {res.repo}/{line}")
    unjudged = sum(len(r.unjudged) + len(r.stale) for r in results)
    return 1 if args.strict and unjudged else 0


if __name__ == "__main__":
    sys.exit(main())
