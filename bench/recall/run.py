#!/usr/bin/env python3
"""Measure gofixleaks' recall on leaks that real projects fixed upstream.

    python bench/recall/run.py [--mirror /work/.mirror] [--only OWNER/NAME ...] [--json FILE]

Each row of ``cases.csv`` is one leak a project fixed, read by hand from the fixing commit
before anyone ran the tool on it (the cases were chosen blind): the repository, the fixing
commit and its parent, and at the parent the file, line and function of the operation that
blocks forever or the resource never released (the blocked send, the ticker never stopped,
the ``WithCancel`` whose cancel is dropped, the body never closed), its kind, whether it is
test code, and a note on what leaked and how upstream fixed it.

For each case the package directory of that file is materialised at the parent (its Go
files and the nearest ``go.mod``, nothing else: the rules read a package), and again at the
fixing commit, and ``gofixleaks scan --format json --no-cache`` runs on both. A case is

- found at the line: a finding within 3 lines of the case's line (same file);
- found in the function: a finding anywhere in the top-level declaration holding that line
  (a rule may point at the channel's ``make`` or the ``go`` statement rather than the send);
- found at a caller: otherwise, a finding elsewhere in the package whose message names that
  declaration's function (a generator's goroutine blocked forever is reported where a
  caller abandons it, which is where upstream fixes it: minio's listIAMConfigItems);
- found at the fix: otherwise, a finding in the case's directory on a line the fixing commit
  changes (a line it deletes or rewrites, or the line an insertion follows) and gone at the
  fixing commit: the tool points where upstream fixed the leak, away from where it blocks
  (temporal's task writers: the blocked send is in the writer loop, the fix and the
  abandoned-reply finding are on the requester's ``make(chan error)``);
- fixable: a finding found either way carries a fix (``scan``'s safe fixes);
- gone after: none of the rules found at the parent reports in the declaration of the same
  name at the fixing commit (or, found at a caller, names it; found at the fix, in the
  declaration holding the finding) (the tool agrees the upstream fix ended the leak); "kept"
  when one still does, "n/a" when the declaration is gone. A finding at the fix is counted
  only when gone.

Cases split into two halves by the fixing commit's hash (``dev``: its first hex digit even;
``held-out``: odd). Rules may be tuned looking at dev misses only; held-out is reported apart
so that tuning shows as what it is.

Mirrors are bare or work-tree clones named ``owner+name`` under ``--mirror`` (what the tool
library's fetch brings); without one, the repository is cloned (blobs on demand) into
``bench/recall/.repos/``. Exit 0; 2 on bad input (a malformed case, a commit or file missing,
gofixleaks failing). Standard library and gofixleaks only."""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
COLUMNS = ["repo", "fix", "parent", "path", "line", "function", "kind", "test", "note"]
KINDS = ("chan-send", "chan-receive", "select", "endless-loop", "ticker", "timer", "context-cancel",
         "response-body", "pipe", "lock", "waitgroup", "cond", "other")
NEAR = 3  # lines either side that count as "at the line"


class BadInput(Exception):
    """A one-line reason run.py cannot go on."""


@dataclass(frozen=True)
class Case:
    repo: str  # owner/name
    fix: str
    parent: str
    path: str
    line: int
    function: str
    kind: str
    test: bool
    note: str

    @property
    def half(self) -> str:
        return "dev" if int(self.fix[0], 16) % 2 == 0 else "held-out"


@dataclass(frozen=True)
class Hit:
    rule: str
    line: int
    fixable: bool


@dataclass(frozen=True)
class Outcome:
    case: Case
    found: str  # "line", "function", "caller", "fix" or ""
    hits: tuple[Hit, ...]  # the findings in the case's declaration at the parent (or naming it)
    fixable: bool
    after: str  # "gone", "kept", "n/a" (declaration gone at the fix), "" (nothing found)


def load_cases(path: Path) -> list[Case]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise BadInput(f"{path}: header must be {','.join(COLUMNS)}")
        cases, seen = [], set()
        for n, row in enumerate(reader, start=2):
            try:
                case = Case(row["repo"], row["fix"], row["parent"], row["path"], int(row["line"]), row["function"],
                            row["kind"], {"yes": True, "no": False}[row["test"]], row["note"])
            except (ValueError, KeyError) as e:
                raise BadInput(f"{path}:{n}: malformed row ({e})") from None
            if case.kind not in KINDS or len(case.fix) != 40 or len(case.parent) != 40 or "/" not in case.repo:
                raise BadInput(f"{path}:{n}: bad kind, commit or repo")
            key = (case.repo, case.fix, case.path, case.line)
            if key in seen:
                raise BadInput(f"{path}:{n}: duplicate case {key}")
            seen.add(key)
            cases.append(case)
    return cases


def _git(gitdir: Path, *args: str) -> bytes | None:
    """git's output, or None when it fails (a path absent at that commit, a blob the
    snapshot lacks: its largest files, such as generated bindata, are listed but absent)."""
    proc = subprocess.run(["git", "--git-dir", str(gitdir), *args], capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def gitdir_for(repo: str, mirror: Path | None) -> Path:
    slug = repo.replace("/", "+")
    for candidate in ((mirror / slug / "repo", mirror / slug / "repo" / ".git", mirror / slug) if mirror else ()):
        if (candidate / "HEAD").is_file():
            return candidate
    local = HERE / ".repos" / slug
    if not (local / "HEAD").is_file():
        local.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["git", "clone", "-q", "--bare", "--filter=blob:none", f"https://github.com/{repo}", str(local)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise BadInput(f"{repo}: no mirror and clone failed: {proc.stderr.strip()[-200:]}")
    return local


_IMPORTS = re.compile(rb'^import\s*(?:\w+\s+)?"([^"]+)"|^import\s*\((.*?)^\)', re.M | re.S)


def _go_files(gitdir: Path, commit: str, directory: str) -> list[str]:
    listing = _git(gitdir, "ls-tree", "--name-only", commit, directory.rstrip("/") + "/") or b""
    return [f for f in listing.decode().splitlines() if f.endswith(".go")]


def materialise(gitdir: Path, commit: str, directory: str, dest: Path) -> bool:
    """The Go files of ``directory`` at ``commit``, the nearest go.mod above it, and the Go
    files of the module's packages it imports (where launchers such as ``safe.Go`` and
    context makers are declared: the package-wide facts read them), under ``dest``; False
    when the directory has no Go file there."""
    files = _go_files(gitdir, commit, directory)
    if not files:
        return False
    parts = PurePosixPath(directory).parts
    module = None
    for i in range(len(parts), -1, -1):
        mod = "/".join(parts[:i] + ("go.mod",))
        text = _git(gitdir, "show", f"{commit}:{mod}")
        if text is not None:
            found = re.search(rb"^module\s+(\S+)", text, re.M)
            module = (found.group(1).decode(), "/".join(parts[:i])) if found else None
            files.append(mod)
            break
    contents = {f: data for f in files if (data := _git(gitdir, "show", f"{commit}:{f}")) is not None}
    imported = set()
    for f, data in contents.items():
        for single, block in _IMPORTS.findall(data) if f.endswith(".go") else ():
            imported |= {single.decode()} if single else {x.decode() for x in re.findall(rb'"([^"]+)"', block)}
    for imp in sorted(imported):
        sub = _module_dir(gitdir, commit, imp, module)
        for f in _go_files(gitdir, commit, sub) if sub and sub != directory else ():
            if not f.endswith("_test.go") and (data := _git(gitdir, "show", f"{commit}:{f}")) is not None:
                contents[f] = data
    for f, data in contents.items():
        target = dest / f
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return True


def _module_dir(gitdir: Path, commit: str, imp: str, module: tuple[str, str] | None) -> str | None:
    """The repository directory of an import of the module's own (by go.mod's module path;
    before modules, GOPATH days, the longest tail of the path that is a directory here)."""
    if module is not None:
        path, root = module
        return "/".join(x for x in (root, imp[len(path) + 1:]) if x) if imp.startswith(path + "/") else None
    parts = imp.split("/")
    for k in range(1, len(parts)):
        sub = "/".join(parts[k:])
        if _go_files(gitdir, commit, sub):
            return sub
    return None


def scan(root: Path, directory: str) -> list[dict]:
    """The findings of a scan of the materialised tree (the package beside the packages
    it imports: their facts reach it only when they are scanned together)."""
    proc = subprocess.run([sys.executable, "-m", "gofixleaks", "scan", "--format", "json", "--no-cache", "."],
                          cwd=root, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise BadInput(f"gofixleaks scan {directory} exited {proc.returncode}: {proc.stderr.strip()[-200:]}")
    return json.loads(proc.stdout)["findings"]


def declarations(path: Path) -> list[tuple[str, int, int]]:
    """The file's top-level functions and methods: (name, first line, last line), a method
    named ``T.M`` whatever its receiver's pointer or type parameters."""
    from gofixleaks.source import SourceError, SourceFile

    try:
        sf = SourceFile.load(str(path), path.read_bytes())
    except SourceError:
        return []
    out = []
    for node in sf.root.named_children:
        if node.type not in ("function_declaration", "method_declaration"):
            continue
        name = sf.text(node.child_by_field_name("name"))
        receiver = node.child_by_field_name("receiver")
        if receiver is not None:
            kind = sf.text(receiver).strip("()").split()[-1].lstrip("*").split("[")[0]
            name = f"{kind}.{name}"
        out.append((name, sf.line_col(node.start_byte)[0], sf.line_col(node.end_byte)[0]))
    return out


def holding(decls: list[tuple[str, int, int]], line: int) -> tuple[str, int, int] | None:
    return next((d for d in decls if d[1] <= line <= d[2]), None)


def evaluate(case: Case, gitdir: Path, work: Path) -> Outcome:
    directory = str(PurePosixPath(case.path).parent)
    before, after = work / "before", work / "after"
    for commit in (case.parent, case.fix):
        if _git(gitdir, "cat-file", "-e", f"{commit}^{{commit}}") is None:
            raise BadInput(f"{case.repo}: no commit {commit[:12]}")
    if not materialise(gitdir, case.parent, directory, before):
        raise BadInput(f"{case.repo}@{case.parent[:12]}: no Go files in {directory}")
    if not (before / case.path).is_file():
        raise BadInput(f"{case.repo}@{case.parent[:12]}: no file {case.path}")
    decl = holding(declarations(before / case.path), case.line)
    everywhere = scan(before, directory)
    mine = [f for f in everywhere if f["path"] == case.path]
    near = [f for f in mine if abs(f["line"] - case.line) <= NEAR]
    inside = [f for f in mine if decl is not None and decl[1] <= f["line"] <= decl[2]]
    callers = [f for f in everywhere if decl is not None and names(f, decl[0])] if not (near or inside) else []
    hits = tuple(Hit(f["rule"], f["line"], bool(f["fixable"])) for f in (inside or near or callers))
    found = "line" if near else "function" if inside else "caller" if callers else ""
    if not found:
        return _at_fix(case, gitdir, everywhere, before, after)
    state = "n/a"
    if decl is not None and materialise(gitdir, case.fix, directory, after) and (after / case.path).is_file():
        same = next((d for d in declarations(after / case.path) if d[0] == decl[0]), None)
        if same is not None:
            rules = {h.rule for h in hits}
            kept = [f for f in scan(after, directory) if f["rule"] in rules and (
                names(f, decl[0]) if found == "caller" else f["path"] == case.path and same[1] <= f["line"] <= same[2])]
            state = "kept" if kept else "gone"
    return Outcome(case, found, hits, any(h.fixable for h in hits), state)


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? ", re.M)


def changed_lines(gitdir: Path, case: Case) -> dict[str, set[int]]:
    """The lines of the parent's Go files in the case's directory that the fixing commit
    changes: each line it deletes or rewrites, and for a pure insertion the line it follows."""
    directory = str(PurePosixPath(case.path).parent)
    diff = (_git(gitdir, "diff", "-U0", "--no-color", "--no-renames", case.parent, case.fix, "--", f"{directory}/") or b"").decode(errors="replace")
    out: dict[str, set[int]] = {}
    for part in re.split(r"^diff --git ", diff, flags=re.M)[1:]:
        old = re.search(r"^--- a/(\S+)$", part, re.M)
        if old is None or not old.group(1).endswith(".go") or str(PurePosixPath(old.group(1)).parent) != directory:
            continue
        lines = out.setdefault(old.group(1), set())
        for start, count in _HUNK.findall(part):
            n = 1 if count == "" else int(count)
            lines |= set(range(int(start), int(start) + n)) if n else {int(start)}
    return out


def _at_fix(case: Case, gitdir: Path, everywhere: list[dict], before: Path, after: Path) -> Outcome:
    """The case found at the fix (see the module's docstring), or not found."""
    changed = changed_lines(gitdir, case)
    at = [f for f in everywhere if f["line"] in changed.get(f["path"], ())]
    if not at or not materialise(gitdir, case.fix, str(PurePosixPath(case.path).parent), after):
        return Outcome(case, "", (), False, "")
    later = scan(after, str(PurePosixPath(case.path).parent))
    gone = []
    for f in at:
        decl = holding(declarations(before / f["path"]), f["line"])
        same = next((d for d in declarations(after / f["path"]) if d[0] == decl[0]), None) \
            if decl is not None and (after / f["path"]).is_file() else None
        if same is not None and not any(g["rule"] == f["rule"] and g["path"] == f["path"] and same[1] <= g["line"] <= same[2] for g in later):
            gone.append(f)
    if not gone:
        return Outcome(case, "", (), False, "")
    return Outcome(case, "fix", tuple(Hit(f["rule"], f["line"], bool(f["fixable"])) for f in gone),
                   any(f["fixable"] for f in gone), "gone")


def names(finding: dict, declaration: str) -> bool:
    """Whether a finding's message names the function of ``declaration`` (``T.M``: ``M``)."""
    return re.search(rf"\b{re.escape(declaration.rsplit('.', 1)[-1])}\b", finding["message"]) is not None


def run_case(case: Case, mirror: Path | None) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="recall-") as tmp:
        return evaluate(case, gitdir_for(case.repo, mirror), Path(tmp))


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:.0f}%" if den else "-"


def table(outcomes: list[Outcome]) -> str:
    def row(label: str, group: list[Outcome]) -> str:
        n = len(group)
        line = sum(o.found == "line" for o in group)
        at_fix = sum(o.found == "fix" for o in group)
        anywhere = sum(bool(o.found) for o in group)
        fixable = sum(o.fixable for o in group)
        gone = sum(o.after == "gone" for o in group)
        return (f"{label:<16}{n:>6}{line:>7}{at_fix:>7}{anywhere:>7} {pct(anywhere, n):>5}{fixable:>8}{gone:>6}"
                f"{sum(o.after == 'kept' for o in group):>6}")

    lines = [f"{'':<16}{'cases':>6}{'line':>7}{'at fix':>7}{'found':>7} {'':>5}{'fixable':>8}{'gone':>6}{'kept':>6}"]
    for kind in KINDS:
        group = [o for o in outcomes if o.case.kind == kind]
        if group:
            lines.append(row(kind, group))
    lines.append("")
    for label, group in (("program code", [o for o in outcomes if not o.case.test]),
                         ("test code", [o for o in outcomes if o.case.test]),
                         ("dev half", [o for o in outcomes if o.case.half == "dev"]),
                         ("held-out half", [o for o in outcomes if o.case.half == "held-out"]),
                         ("total", outcomes)):
        lines.append(row(label, group))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=HERE / "cases.csv")
    ap.add_argument("--mirror", type=Path, help="directory of mirrors named owner+name")
    ap.add_argument("--only", action="append", default=[], metavar="OWNER/NAME", help="only this repo (repeatable)")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--json", type=Path, help="write every case's outcome here")
    ap.add_argument("--show", action="store_true", help="list every case with what was found")
    args = ap.parse_args(argv)
    try:
        cases = [c for c in load_cases(args.cases) if not args.only or c.repo in args.only]
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            outcomes = list(pool.map(lambda c: run_case(c, args.mirror), cases))
    except BadInput as e:
        print(f"run.py: {e}", file=sys.stderr)
        return 2
    if args.show:
        for o in outcomes:
            c = o.case
            rules = ",".join(sorted({h.rule for h in o.hits})) or "-"
            print(f"{o.found or 'missed':<9}{o.after or '':<5} {c.kind:<15} {c.repo} {c.path}:{c.line} ({c.fix[:10]}) {rules}")
        print()
    print(table(outcomes))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
