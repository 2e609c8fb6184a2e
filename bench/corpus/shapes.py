#!/usr/bin/env python3
"""Measure the targeted fixes' precision on the real-world corpus: ask every shape about
every operation a goroutine could block on, as if the evidence had proven it blocked there.

    python bench/corpus/fetch.py --mirror /work/.mirror     # or without --mirror: git clone
    python bench/corpus/shapes.py [--only NAME ...] [--goroot] [--json] [--strict]

A targeted fix is only offered where `gofixleaks test` or a dump proves goroutines blocked
for good, so on a real service it is aimed at few lines. Its conditions must still hold on
any line it could be aimed at: here every `Lock()`/`RLock()`, `Wait()`, bare send and bare
receive statement, and the case of every single-case select, of every repository of
repos.toml (materialised under ``--src``; with ``--goroot``, also the standard library of
the Go at hand) is handed to
``gofixleaks.evidence.targeted.aim`` as a proven leak site in the matching wait state.
The shapes that read the goroutine's stack (holders.py: a lock its own outer frame holds)
are asked as class ``holder``, with a stack built for every call a method's locked stretch
makes (see holder_questions); their state names the blocked Lock's, ``(held by its own
frame)``, and their line is the holder's call.
Each line where a shape answers with a fix is listed and joined with
``shape-verdicts.csv`` (columns ``repo,path,state,text,fix,verdict,reason``: ``text`` is
the line, stripped, rather than its number, so verdicts survive unrelated edits above;
``fix`` is the fix's message, so a line another shape answers now is judged again; verdict
``right`` when the fix would be the one to make were goroutines blocked there for good,
``wrong`` otherwise). A ``wrong`` row is a bug to fix in
the shape, not a number to live with.

Prints, per class of operation (lock, wait, channel, holder): lines asked, lines answered with a fix, right, wrong,
unjudged, answered with a ``safe`` fix (one a proof alone applies) and of those the ones not
judged right (it must be 0); then every answered line (``--show``: with its diff). ``--json`` prints the same as one JSON document.
Exit status 0; 1 with ``--strict`` when an answer is wrong or unjudged; 2 on bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch import HERE, load_repos  # noqa: E402

if TYPE_CHECKING:  # imported where used: the workers import gofixleaks, the driver need not
    from gofixleaks.evidence.sites import Site
    from gofixleaks.source import SourceFile

VERDICT_COLUMNS = ["repo", "path", "state", "text", "fix", "verdict", "reason"]
HELD = " (held by its own frame)"  # a holder question's state: the blocked Lock's, and whose frame holds it
CLASSES = {"sync.Mutex.Lock": "lock", "sync.RWMutex.RLock": "lock", "sync.WaitGroup.Wait": "wait",
           "sync.Cond.Wait": "wait", "chan send": "channel", "chan receive": "channel",
           "sync.Mutex.Lock" + HELD: "holder", "sync.RWMutex.RLock" + HELD: "holder"}
_SKIP_DIRS = {"vendor", "testdata", ".git", "node_modules"}


@dataclass(frozen=True)
class Answer:
    repo: str
    path: str  # relative to the repository's root
    line: int
    state: str
    text: str  # the line, stripped: the verdicts' key beside path and state
    fix: str  # the fix's message
    grade: str  # safe: applied once a re-run proves it; review: only with --unsafe-fixes
    diff: str  # the fix, as a unified diff of the file


def go_files(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith((".", "_"))]
        found += [Path(dirpath, f) for f in filenames if f.endswith(".go") and not f.endswith("_test.go")]
    return sorted(found)


def ask_file(job: tuple[str, str, str]) -> tuple[Counter, list[Answer]]:
    """Every candidate line of one file, asked of aim in the state a goroutine would show."""
    from gofixleaks import analysis as a
    from gofixleaks.diff import unified
    from gofixleaks.edits import apply
    from gofixleaks.evidence import targeted
    from gofixleaks.evidence.match import Covered
    from gofixleaks.evidence.sites import Location, Site
    from gofixleaks.evidence.targeted import holders
    from gofixleaks.evidence.targeted._base import channel, sole_case

    repo, root, path = job
    rel = os.path.relpath(path, root)
    sf = targeted.load(path, rel)
    asked: Counter = Counter()
    answers: list[Answer] = []
    if isinstance(sf, str):
        return asked, answers
    lines: dict[int, tuple[str, ...]] = {}
    for n in a.of_type(sf.root, "send_statement", "expression_statement", "short_var_declaration", "assignment_statement"):
        line = sf.line_col(n.start_byte)[0]
        if n.type == "send_statement":
            lines.setdefault(line, ("chan send",))
            continue
        text = sf.text(n).strip()
        if n.type == "expression_statement" and text.endswith((".Lock()", ".RLock()", ".Wait()")):
            # a Wait() may be a WaitGroup's or a Cond's: ask both, each shape checks its own
            lines.setdefault(line, ("sync.RWMutex.RLock",) if text.endswith(".RLock()") else
                             ("sync.Mutex.Lock",) if text.endswith(".Lock()") else ("sync.WaitGroup.Wait", "sync.Cond.Wait"))
        elif channel(sf, n) is not None:
            lines.setdefault(line, ("chan receive",))
    for n in a.of_type(sf.root, "select_statement"):  # a single-case select blocks as its case's operation
        case = sole_case(n)
        if case is not None:
            send = case.child_by_field_name("communication").type == "send_statement"
            lines.setdefault(sf.line_col(case.start_byte)[0], ("chan send",) if send else ("chan receive",))
    stackless: dict[int, targeted.Aimed] = {}  # a Lock line's answer without a stack, by line

    def ask(site: Site) -> targeted.Aimed:
        return targeted.aim(Covered(site, rel, True, None, ()), path, lambda: sf)

    def answer(line: int, state: str, x: targeted.Aimed) -> Answer:
        """The answer on ``line`` (its text, stripped, is the verdicts' key), with its fix's diff."""
        text = sf.data.split(b"\n")[line - 1].decode("utf-8", "replace").strip()
        diff = unified(sf.data, apply(sf.data, x.finding.fixes[0].edits), rel)
        return Answer(repo, rel, line, state, text, x.reason, "safe" if x.proof_suffices else "review", diff)

    for line, state in sorted((line, state) for line, states in lines.items() for state in states):
        asked[CLASSES[state]] += 1
        x = stackless[line] = ask(Site(Location(rel, line, ""), state, True, None, 1, None))
        if x.finding is not None:
            answers.append(answer(line, state, x))
    for line, state, site in holder_questions(sf, rel):
        asked[CLASSES[state]] += 1
        # aim asks the shapes that read no stack first: where one fixes the blocked Lock, that
        # is aim's answer here too, and the lock class's; elsewhere aim answers as holders do,
        # so only their fixes are asked of aim (for its grade), not every question (4x faster)
        before = stackless.get(site.blocked.line) or ask(Site(site.blocked, site.state, True, None, 1, None))
        stackless[site.blocked.line] = before
        c = Covered(site, rel, True, None, ())
        if before.finding is not None or not any(
                shape(sf, site.blocked.line, path, c)[0] for shape in (holders.callback_under_lock, holders.range_under_lock)):
            continue
        x = ask(site)
        if x.finding is not None:
            answers.append(answer(line, state, x))
    return asked, answers


def holder_questions(sf: SourceFile, rel: str) -> list[tuple[int, str, Site]]:
    """A goroutine blocked on a lock its own outer frame holds (holders.py), asked wherever
    the code could show one: for each call made inside a locked stretch of a method M of
    ``*T`` (holders._held_at: the frame's line holds the lock), a goroutine blocked on the
    first ``Lock()``/``RLock()`` of the same lock in another method N of ``*T`` of the file,
    its stack N's frame then M's at the call, receivers unknown (as most tracebacks print
    them). Each as (the holder's line, its state, the site); the answer's text is the
    holder's line, the question's own (the blocked Lock is the lock class's)."""
    from gofixleaks import analysis as a
    from gofixleaks.evidence.sites import Location, Site
    from gofixleaks.evidence.targeted import holders
    from gofixleaks.evidence.targeted._base import lock_call, lock_key

    if b"Lock()" not in sf.data:
        return []
    locks: dict[str, list[tuple]] = {}  # T: (method name, method, key, Lock statement), in order
    for m in a.of_type(sf.root, "method_declaration"):
        key = a.function_key(sf, m)
        receiver = m.child_by_field_name("receiver")
        if key is None or a.receiver_name(sf, m) is None or "*" not in sf.text(receiver):
            continue
        for n in a.of_type(m, "expression_statement", skip_functions=True):
            if lock_call(sf, n, ("Lock", "RLock")) and lock_key(sf, n, m) is not None:
                locks.setdefault(key[1], []).append((key[0], m, lock_key(sf, n, m), n))
    questions = []
    for type_name, taken in locks.items():
        for name, m in dict.fromkeys((name, m) for name, m, _, _ in taken):
            first = min(n.start_byte for x, _, _, n in taken if x == name)
            seen = set()
            for call in a.of_type(m, "call_expression", skip_functions=True):
                line = sf.line_col(call.child_by_field_name("arguments").start_byte)[0]
                if call.start_byte < first or any(y.type in ("defer_statement", "go_statement")
                                                  for y in a.ancestors(call) if a.is_within(y, m)):
                    continue
                for key in dict.fromkeys(k for x, _, k, _ in taken if x == name):
                    if (line, key) in seen:
                        continue
                    seen.add((line, key))
                    blocked = next(((other, n) for other, o, k, n in taken if o != m and k == key), None)
                    if blocked is None or holders._held_at(sf, name, type_name, key, line) is None:
                        continue
                    other, n = blocked
                    blocked_line = sf.line_col(n.start_byte)[0]
                    state = ("sync.RWMutex.RLock" if lock_call(sf, n, ("RLock",)) else "sync.Mutex.Lock") + HELD
                    stack = (Location(rel, blocked_line, f"p.(*{type_name}).{other}"),
                             Location(rel, line, f"p.(*{type_name}).{name}"))
                    questions.append((line, state, Site(stack[0], state.removesuffix(HELD), True, None, 1, None, stack)))
    return questions


def load_verdicts(path: Path) -> dict[tuple[str, str, str, str, str], tuple[str, str]]:
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != VERDICT_COLUMNS:
            raise SystemExit(f"{path}: columns must be {','.join(VERDICT_COLUMNS)}")
        rows = {}
        for row in reader:
            if row["verdict"] not in ("right", "wrong"):
                raise SystemExit(f"{path}: verdict must be right or wrong, not {row['verdict']!r}")
            rows[(row["repo"], row["path"], row["state"], row["text"], row["fix"])] = (row["verdict"], row["reason"])
        return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=HERE / ".src")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--goroot", action="store_true", help="also the standard library of `go env GOROOT` (as repo go; "
                    "--only go asks it alone)")
    ap.add_argument("--verdicts", type=Path, default=HERE / "shape-verdicts.csv")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each answer's diff")
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()
    roots = [(r.name, args.src / r.name) for r in load_repos() if not args.only or r.name in args.only]
    missing = [name for name, root in roots if not root.is_dir()]
    if missing:
        print(f"shapes.py: not materialised: {', '.join(missing)} (run bench/corpus/fetch.py)", file=sys.stderr)
        return 2
    if args.goroot or "go" in args.only:
        goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
        roots.append(("go", Path(goroot) / "src"))
    jobs = [(name, str(root), str(p)) for name, root in roots for p in go_files(root)]
    verdicts = load_verdicts(args.verdicts)
    asked: dict[str, Counter] = {}
    answers: list[Answer] = []
    with ProcessPoolExecutor() as pool:
        for (repo, _, _), (n, found) in zip(jobs, pool.map(ask_file, jobs, chunksize=16)):
            asked.setdefault(repo, Counter()).update(n)
            answers += found
    judged = {x: verdicts.get((x.repo, x.path, x.state, x.text, x.fix)) for x in answers}
    total = Counter()
    for n in asked.values():
        total.update(n)
    table = {cls: {"asked": total[cls], "answered": sum(CLASSES[x.state] == cls for x in answers),
                   "right": sum(CLASSES[x.state] == cls and (judged[x] or ("",))[0] == "right" for x in answers),
                   "wrong": sum(CLASSES[x.state] == cls and (judged[x] or ("",))[0] == "wrong" for x in answers),
                   "unjudged": sum(CLASSES[x.state] == cls and judged[x] is None for x in answers),
                   # what a proof alone applies: every one must be right
                   "safe": sum(CLASSES[x.state] == cls and x.grade == "safe" for x in answers),
                   "safe_not_right": sum(CLASSES[x.state] == cls and x.grade == "safe" and (judged[x] or ("",))[0] != "right"
                                         for x in answers)}
             for cls in ("lock", "wait", "channel", "holder")}
    if args.json:
        print(json.dumps({"repos": sorted(asked), "classes": table,
                          "answers": [{**asdict(x), "verdict": (judged[x] or (None, None))[0]} for x in answers]}, indent=1))
    else:
        print(f"{len(jobs)} files of {len(asked)} repositories")
        print(f"{'class':<8} {'asked':>7} {'answered':>9} {'right':>6} {'wrong':>6} {'unjudged':>9} {'safe':>5} "
              f"{'safe, not right':>15}")
        for cls, row in table.items():
            print(f"{cls:<8} {row['asked']:>7} {row['answered']:>9} {row['right']:>6} {row['wrong']:>6} {row['unjudged']:>9} "
                  f"{row['safe']:>5} {row['safe_not_right']:>15}")
        for x in answers:
            verdict = judged[x][0] if judged[x] else "UNJUDGED"
            print(f"{verdict:<8} {x.repo}/{x.path}:{x.line} [{x.state}] {x.text}\n         -> {x.fix} ({x.grade})")
            if args.show:
                print(x.diff)
    bad = sum(row["wrong"] + row["unjudged"] for row in table.values())
    return 1 if args.strict and bad else 0


if __name__ == "__main__":
    sys.exit(main())
