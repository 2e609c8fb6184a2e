"""bench/recall/run.py finds a case at the parent, tells the fix ended it, and the checked-in
cases are well-formed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

RECALL = Path(__file__).resolve().parents[1] / "bench" / "recall"
spec = importlib.util.spec_from_file_location("bench_recall_run", RECALL / "run.py")
run = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = run  # dataclasses look their module up there
spec.loader.exec_module(run)

LEAKY = """\
package svc

import "time"

// Fetch gives up after d; the worker then blocks on its send forever.
func Fetch(d time.Duration, work func() int) (int, bool) {
	ch := make(chan int)
	go func() {
		ch <- work()
	}()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(d):
		return 0, false
	}
}

func other() {}
"""
FIXED = LEAKY.replace("make(chan int)", "make(chan int, 1)")


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
           "HOME": str(repo), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def mirror(tmp_path):
    """A mirror directory holding owner+demo/repo with a leak and the commit that fixes it."""
    repo = tmp_path / "mirror" / "owner+demo" / "repo"
    (repo / "svc").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "go.mod").write_text("module example.com/demo\n\ngo 1.22\n")
    (repo / "svc" / "fetch.go").write_text(LEAKY)
    (repo / "README").write_text("not Go\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "leaky")
    parent = _git(repo, "rev-parse", "HEAD")
    (repo / "svc" / "fetch.go").write_text(FIXED)
    _git(repo, "commit", "-q", "-am", "buffer the result")
    return tmp_path / "mirror", parent, _git(repo, "rev-parse", "HEAD")


def _case(parent: str, fix: str, line: int, kind: str = "chan-send") -> run.Case:
    return run.Case("owner/demo", fix, parent, "svc/fetch.go", line, "svc.Fetch.func1", kind, False, "n")


def test_case_found_at_its_line_and_gone_after_the_fix(mirror):
    root, parent, fix = mirror
    outcome = run.run_case(_case(parent, fix, 9), root)  # ch <- work()
    assert outcome.found in ("line", "function")
    assert {h.rule for h in outcome.hits} == {"early-return-send"}
    assert outcome.fixable
    assert outcome.after == "gone"


def test_case_outside_any_finding_is_missed(mirror):
    root, parent, _ = mirror
    outcome = run.run_case(_case(parent, parent, 19, "other"), root)  # func other() {}, a "fix" changing nothing
    assert (outcome.found, outcome.hits, outcome.after) == ("", (), "")


def test_a_finding_on_a_line_the_fix_changes_counts_when_the_fix_ends_it(mirror):
    root, parent, fix = mirror
    assert run.changed_lines(run.gitdir_for("owner/demo", root), _case(parent, fix, 19)) == {"svc/fetch.go": {7}}
    outcome = run.run_case(_case(parent, fix, 19, "other"), root)  # the case's line is elsewhere; the fix is on the make
    assert outcome.found == "fix" and outcome.after == "gone" and outcome.fixable
    assert {(h.rule, h.line) for h in outcome.hits} == {("early-return-send", 7)}


def test_a_finding_on_a_changed_line_that_stays_is_not_counted(mirror):
    root, parent, _ = mirror
    repo = root / "owner+demo" / "repo"
    _git(repo, "checkout", "-q", parent)
    (repo / "svc" / "fetch.go").write_text(LEAKY.replace("make(chan int)", "make(chan int) // unbuffered"))
    _git(repo, "commit", "-q", "-am", "a comment only")
    outcome = run.run_case(_case(parent, _git(repo, "rev-parse", "HEAD"), 19, "other"), root)
    assert (outcome.found, outcome.hits) == ("", ())


def test_changed_lines_of_an_insertion_are_the_line_it_follows(tmp_path):
    repo = tmp_path / "r"
    (repo / "svc").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "svc" / "a.go").write_text("package svc\n\nfunc f() {\n}\n")
    (repo / "svc" / "b_test.go").write_text("package svc\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    parent = _git(repo, "rev-parse", "HEAD")
    (repo / "svc" / "a.go").write_text("package svc\n\nfunc f() {\n\tdefer g()\n}\n")
    (repo / "svc" / "new.go").write_text("package svc\n")  # new in the fix: no parent line
    (repo / "svc" / "b_test.go").write_text("package svc_test\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "two")
    case = run.Case("o/r", _git(repo, "rev-parse", "HEAD"), parent, "svc/a.go", 3, "svc.f", "other", False, "n")
    assert run.changed_lines(repo / ".git", case) == {"svc/a.go": {3}, "svc/b_test.go": {1}}


def test_a_finding_at_a_caller_counts_when_its_message_names_the_function():
    msg = {"message": "the range over listIAMConfigItems(ctx, ...) stops early and leaves its goroutine blocked"}
    assert run.names(msg, "listIAMConfigItems")
    assert run.names({"message": "s.Close() never runs"}, "server.Close")  # a method: by its name
    assert not run.names(msg, "listIAMConfig")  # a whole word, not a prefix
    assert not run.names({"message": "the goroutine of another call"}, "other")


def test_finding_kept_after_a_fix_that_did_not_end_it(mirror):
    root, parent, _ = mirror
    outcome = run.run_case(_case(parent, parent, 9), root)  # "fixed" by the leaky commit itself
    assert outcome.found and outcome.after == "kept"


def test_table_counts_found_fixable_gone(mirror):
    root, parent, fix = mirror
    outcomes = [run.run_case(_case(parent, fix, 9), root), run.run_case(_case(parent, fix, 19, "other"), root)]
    outcomes.append(run.run_case(_case(parent, parent, 19, "other"), root))
    total = run.table(outcomes).splitlines()[-1].split()
    # line, at fix, found, %, fixable, gone, kept
    assert total == ["total", "3", str(int(outcomes[0].found == "line")), "1", "2", "67%", "2", "2", "0"]


@pytest.mark.parametrize("edit", [
    lambda r: r.replace("chan-send", "chan-sent"),  # unknown kind
    lambda r: r.replace(",no,", ",maybe,"),  # test must be yes/no
    lambda r: r.replace(",9,", ",nine,"),
])
def test_malformed_cases_are_refused(tmp_path, edit):
    row = f"owner/demo,{'a' * 40},{'b' * 40},svc/fetch.go,9,svc.Fetch,chan-send,no,n\n"
    path = tmp_path / "cases.csv"
    path.write_text(",".join(run.COLUMNS) + "\n" + edit(row))
    with pytest.raises(run.BadInput):
        run.load_cases(path)


def test_missing_file_at_parent_is_bad_input(mirror):
    root, parent, fix = mirror
    case = run.Case("owner/demo", fix, parent, "svc/gone.go", 3, "svc.X", "other", False, "n")
    with pytest.raises(run.BadInput, match="no file svc/gone.go"):
        run.run_case(case, root)


def test_materialise_brings_the_module_packages_imported_and_skips_absent_blobs(tmp_path):
    """The case's package, the module's packages it imports (their non-test files: where
    launchers and context makers live), not the others; a file whose blob the snapshot
    lacks is left out rather than failing the case."""
    repo = tmp_path / "repo"
    for d in ("svc", "util", "other"):
        (repo / d).mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "go.mod").write_text("module example.com/demo\n\ngo 1.22\n")
    (repo / "svc" / "svc.go").write_text('package svc\n\nimport (\n\t"fmt"\n\t"example.com/demo/util"\n)\n\n'
                                         'func F() { fmt.Println(util.G()) }\n')
    (repo / "util" / "util.go").write_text("package util\n\nfunc G() int { return 1 }\n")
    (repo / "util" / "util_test.go").write_text("package util\n")
    (repo / "util" / "big.go").write_text("package util\n\nvar Big = 1\n")
    (repo / "other" / "other.go").write_text("package other\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "c")
    commit = _git(repo, "rev-parse", "HEAD")
    big = _git(repo, "rev-parse", f"{commit}:util/big.go")
    (repo / ".git" / "objects" / big[:2] / big[2:]).unlink()  # as a snapshot lacks its largest files
    dest = tmp_path / "out"
    assert run.materialise(repo / ".git", commit, "svc", dest)
    got = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert got == ["go.mod", "svc/svc.go", "util/util.go"]
    assert not run.materialise(repo / ".git", commit, "nowhere", tmp_path / "none")


def test_unknown_commit_is_bad_input(mirror):
    root, parent, _ = mirror
    with pytest.raises(run.BadInput, match="no commit 000000000000"):
        run.run_case(_case(parent, "0" * 40, 9), root)


def test_checked_in_cases_parse():
    cases = run.load_cases(RECALL / "cases.csv")
    assert cases and all(c.line > 0 and c.path.endswith(".go") for c in cases)
