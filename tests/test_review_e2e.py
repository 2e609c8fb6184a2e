"""`gofixleaks review` end to end: the real command in a pseudo-terminal (pexpect) on a
temporary git repository with two fixes in each of two files, answered key by key. Every
test checks the exact content of the commit it makes, that rejected fixes are absent, and
that an unrelated uncommitted change in a third file is still there, untouched and
uncommitted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import unidiff

from gofixleaks import __version__, diff as diff_mod

from . import gotools
from .conftest import git, git_repo, write_module

pexpect = pytest.importorskip("pexpect")

PROMPT = r"\((\d+)/(\d+)\) Apply (?:this fix|these fixes)[^\]]*\]\?"

POLL = """\
package poll

import (
	"fmt"
	"time"
)

// First waits for one tick.
func First(d time.Duration) {
	t1 := time.NewTicker(d)
	<-t1.C
	fmt.Println("first")
}

// Second waits for two ticks.
func Second(d time.Duration) {
	t2 := time.NewTicker(d)
	for i := 0; i < 2; i++ {
		<-t2.C
	}
	fmt.Println("second")
}
"""

WORKER = """\
package worker

import "time"

// Run waits in a goroutine for n ticks.
func Run(d time.Duration, n int) {
	t := time.NewTicker(d)
	done := make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			<-t.C
		}
		close(done)
	}()
	<-done
}

// Wait blocks for one tick.
func Wait(d time.Duration) {
	w := time.NewTicker(d)
	<-w.C
}
"""

# committed, then changed without committing: review must leave it alone
EXTRA = """\
package poll

import "time"

// Third waits for one tick.
func Third(d time.Duration) {
	t3 := time.NewTicker(d)
	<-t3.C
}
"""
EXTRA_DIRTY = EXTRA.replace("package poll\n", "package poll\n\n// Work in progress: not ready to commit.\n")

T1 = ("\tt1 := time.NewTicker(d)\n", "\tdefer t1.Stop()\n")
T2 = ("\tt2 := time.NewTicker(d)\n", "\tdefer t2.Stop()\n")
T = ("\tt := time.NewTicker(d)\n\tdone := make(chan struct{})\n\tgo func() {\n", "\t\tdefer t.Stop()\n")
W = ("\tw := time.NewTicker(d)\n", "\tdefer w.Stop()\n")
T3 = ("\tt3 := time.NewTicker(d)\n", "\tdefer t3.Stop()\n")

WHY = "from time.NewTicker is never stopped: before Go 1.23 an unstopped ticker is never garbage collected"
LINE = {T1: "poll/poll.go:10: ticker t1", T2: "poll/poll.go:17: ticker t2", T: "worker/worker.go:7: ticker t",
        W: "worker/worker.go:20: ticker w", T3: "poll/extra.go:7: ticker t3"}


def fixed(src: str, *fixes: tuple[str, str]) -> str:
    for after, line in fixes:
        assert src.count(after) == 1
        src = src.replace(after, after + line)
    return src


def message(*fixes, packages: str = "poll, worker") -> str:
    body = "".join(f"- ticker-not-stopped: {LINE[f]} {WHY}\n" for f in fixes)
    return f"fix: stop goroutine leaks in {packages} (gofixleaks)\n\n{body}\nGenerated-by: gofixleaks {__version__}\n"


@pytest.fixture
def repo(tmp_path) -> Path:
    root = write_module(tmp_path / "repo", {"poll/poll.go": POLL, "poll/extra.go": EXTRA, "worker/worker.go": WORKER})
    git_repo(root)
    # the identity and line endings review's own commits are made with
    git(root, "config", "user.name", "Rev Iewer")
    git(root, "config", "user.email", "reviewer@example.com")
    git(root, "config", "core.autocrlf", "false")
    git(root, "add", ".")
    git(root, "commit", "-qm", "initial")
    (root / "poll/extra.go").write_text(EXTRA_DIRTY)
    return root


def spawn(repo: Path, *args: str, editor: str = "false"):
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", VISUAL="", EDITOR=editor)
    env.pop("PROMPT_TOOLKIT_NO_CPR", None)  # review must not need it: pexpect answers no CPR
    child = pexpect.spawn(sys.executable, ["-m", "gofixleaks", "review", "--rule", "ticker-not-stopped", *args],
                          cwd=str(repo), env=env, encoding="utf-8", timeout=60, dimensions=(50, 150))
    child.logfile_read = transcript = _Transcript()
    child.transcript = transcript
    return child


class _Transcript:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def answer(child, *keys: str) -> list[str]:
    """Wait for each prompt and press one key; returns the prompts' "(i/n)" seen."""
    seen = []
    for k in keys:
        child.expect(PROMPT)
        seen.append(f"({child.match.group(1)}/{child.match.group(2)})")
        child.send(k)
        child.expect(PROMPT + " " + re.escape(k))  # the answered prompt is drawn again with the key
    return seen


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    # prompt_toolkit asks the terminal where the cursor is (CPR, ESC [6n) and, with no
    # answer within 2 s, prints a warning: review never asks
    assert "\x1b[6n" not in child.transcript.text and "cursor position requests" not in child.transcript.text
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def assert_third_file_untouched(repo: Path) -> None:
    assert (repo / "poll/extra.go").read_text() == EXTRA_DIRTY
    assert git(repo, "status", "--porcelain") == " M poll/extra.go\n"
    assert git(repo, "show", "HEAD:poll/extra.go") == EXTRA


def assert_commit(repo: Path, rev: str, files: dict[str, str], msg: str) -> None:
    assert git(repo, "log", "-1", "--format=%B", rev) == msg + "\n"
    assert git(repo, "show", "--name-only", "--format=", rev).split() == sorted(files)
    for path, content in files.items():
        assert git(repo, "show", f"{rev}:{path}") == content
    assert git(repo, "log", "-1", "--format=%an <%ae>", rev) == "Rev Iewer <reviewer@example.com>\n"


def assert_gofmt_clean(repo: Path, *paths: str) -> None:
    gofmt = gotools.gofmt()
    if gofmt is None:
        return
    out = subprocess.run([gofmt, "-l", *paths], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert out == ""


def test_accept_reject_and_go_back_to_change_a_decision(repo):
    child = spawn(repo)
    # t1: yes; t2: no, then back (k) and yes after all; t (worker): no; w: yes
    assert answer(child, "y", "n", "k", "y", "n", "y") == ["(1/4)", "(2/4)", "(3/4)", "(2/4)", "(3/4)", "(4/4)"]
    assert finish(child) == 0
    out = child.transcript.text
    assert "poll/extra.go: not touched: it has uncommitted changes" in out
    assert "Accepted 3, rejected 1 of 4 fix(es)." in out
    assert_commit(repo, "HEAD", {"poll/poll.go": fixed(POLL, T1, T2), "worker/worker.go": fixed(WORKER, W)},
                  message(T1, T2, W))
    assert "defer t.Stop()" not in git(repo, "show", "HEAD:worker/worker.go")  # the rejected fix
    assert git(repo, "rev-parse", "HEAD~1") == git(repo, "rev-parse", "main@{1}")  # one new commit
    assert_third_file_untouched(repo)
    assert not (repo / ".git/gofixleaks-review.json").exists()
    assert_gofmt_clean(repo, "poll/poll.go", "worker/worker.go")


def test_edit_a_hunk_then_reject_and_accept_the_rest_of_each_file(repo, tmp_path):
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "p = sys.argv[1]\n"
        "s = open(p).read()\n"
        "s = s.replace('+\\tdefer t1.Stop()\\n', '+\\tdefer t1.Stop() // stops the ticker when First returns\\n')\n"
        "open(p, 'w').write(s)\n"
    )
    child = spawn(repo, editor=f"{sys.executable} {editor}")
    # t1: edit; then d rejects t2 (the rest of poll.go); a accepts t and w (all of worker.go)
    assert answer(child, "e", "d", "a") == ["(1/4)", "(2/4)", "(3/4)"]
    assert finish(child) == 0
    edited = (T1[0], "\tdefer t1.Stop() // stops the ticker when First returns\n")
    assert_commit(repo, "HEAD", {"poll/poll.go": fixed(POLL, edited), "worker/worker.go": fixed(WORKER, T, W)},
                  message(T1, T, W))
    assert "defer t2.Stop()" not in git(repo, "show", "HEAD:poll/poll.go")
    assert_third_file_untouched(repo)
    assert_gofmt_clean(repo, "poll/poll.go", "worker/worker.go")


def test_quit_then_resume(repo):
    child = spawn(repo)
    assert answer(child, "y", "n", "q") == ["(1/4)", "(2/4)", "(3/4)"]
    assert finish(child) == 0
    assert "undecided 2" in child.transcript.text
    assert_commit(repo, "HEAD", {"poll/poll.go": fixed(POLL, T1)}, message(T1, packages="poll"))
    assert (repo / ".git/gofixleaks-review.json").exists()
    assert_third_file_untouched(repo)

    child = spawn(repo, "--resume")
    # t2 was rejected before quitting: it is not asked again
    assert answer(child, "y", "y") == ["(2/3)", "(3/3)"]
    assert finish(child) == 0
    assert "t2 from time.NewTicker" not in child.transcript.text
    assert_commit(repo, "HEAD", {"worker/worker.go": fixed(WORKER, T, W)}, message(T, W, packages="worker"))
    assert_commit(repo, "HEAD~1", {"poll/poll.go": fixed(POLL, T1)}, message(T1, packages="poll"))
    assert "defer t2.Stop()" not in git(repo, "show", "HEAD:poll/poll.go")
    assert not (repo / ".git/gofixleaks-review.json").exists()
    assert_third_file_untouched(repo)


def test_ctrl_c_changes_nothing_and_resume_keeps_the_answers(repo):
    head = git(repo, "rev-parse", "HEAD")
    child = spawn(repo)
    answer(child, "y", "n")
    child.expect(PROMPT)
    child.sendintr()
    assert finish(child) == 130
    assert "Interrupted: no file was changed" in child.transcript.text
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / "poll/poll.go").read_text() == POLL and (repo / "worker/worker.go").read_text() == WORKER
    assert_third_file_untouched(repo)

    child = spawn(repo, "--resume")
    assert answer(child, "y", "y") == ["(3/4)", "(4/4)"]
    assert finish(child) == 0
    assert_commit(repo, "HEAD", {"poll/poll.go": fixed(POLL, T1), "worker/worker.go": fixed(WORKER, T, W)},
                  message(T1, T, W))
    assert git(repo, "rev-parse", "HEAD~1") == head
    assert_third_file_untouched(repo)


def test_answers_made_at_another_commit_are_dropped(repo):
    child = spawn(repo)
    answer(child, "y", "n")
    child.expect(PROMPT)
    child.sendintr()
    assert finish(child) == 130
    git(repo, "commit", "-q", "--allow-empty", "-m", "meanwhile")
    child = spawn(repo, "--resume")
    assert answer(child, "n", "n", "n", "y") == ["(1/4)", "(2/4)", "(3/4)", "(4/4)"]
    assert finish(child) == 0
    assert "Starting a new review: the saved decisions were made at another commit (HEAD moved)." in child.transcript.text
    assert_commit(repo, "HEAD", {"worker/worker.go": fixed(WORKER, W)}, message(W, packages="worker"))


def test_no_commit_in_the_middle_of_a_merge(repo):
    (repo / ".git/MERGE_HEAD").write_text(git(repo, "rev-parse", "HEAD"))
    child = spawn(repo)
    assert finish(child) == 2
    assert "a merge is in progress; finish or abort it first" in child.transcript.text
    assert_third_file_untouched(repo)


def test_allow_dirty_commits_the_fix_but_not_the_uncommitted_change(repo):
    child = spawn(repo, "--allow-dirty", "poll")
    # extra.go (t3) comes first: yes; then d rejects both fixes of poll.go
    assert answer(child, "y", "d") == ["(1/3)", "(2/3)"]
    assert finish(child) == 0
    assert_commit(repo, "HEAD", {"poll/extra.go": fixed(EXTRA, T3)}, message(T3, packages="poll"))
    # on disk: the person's change and the fix; uncommitted: only the person's change
    assert (repo / "poll/extra.go").read_text() == fixed(EXTRA_DIRTY, T3)
    assert git(repo, "status", "--porcelain") == " M poll/extra.go\n"
    changed = [ln for ln in git(repo, "diff", "HEAD", "--", "poll/extra.go").splitlines()[4:] if ln[:1] in "+-"]
    assert changed == ["+// Work in progress: not ready to commit.", "+"]


def test_no_commit_leaves_the_fixes_in_the_work_tree(repo):
    head = git(repo, "rev-parse", "HEAD")
    child = spawn(repo, "--no-commit")
    assert answer(child, "a", "d") == ["(1/4)", "(3/4)"]
    assert finish(child) == 0
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / "poll/poll.go").read_text() == fixed(POLL, T1, T2)
    assert (repo / "worker/worker.go").read_text() == WORKER
    assert git(repo, "status", "--porcelain") == " M poll/extra.go\n M poll/poll.go\n"
    assert (repo / "poll/extra.go").read_text() == EXTRA_DIRTY


def test_no_commit_then_resume_and_commit(repo):
    head = git(repo, "rev-parse", "HEAD")
    child = spawn(repo, "--no-commit")
    assert answer(child, "y", "q") == ["(1/4)", "(2/4)"]
    assert finish(child) == 0
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / "poll/poll.go").read_text() == fixed(POLL, T1)
    # poll.go now has changes of the review's own making: resuming takes it up again
    child = spawn(repo, "--resume")
    assert answer(child, "n", "y", "y") == ["(2/4)", "(3/4)", "(4/4)"]
    assert finish(child) == 0
    assert_commit(repo, "HEAD", {"poll/poll.go": fixed(POLL, T1), "worker/worker.go": fixed(WORKER, T, W)},
                  message(T1, T, W))
    assert git(repo, "rev-parse", "HEAD~1") == head
    assert_third_file_untouched(repo)


TIMER = """\
package worker

import "time"

// Within reports whether a value arrives on c within d.
func Within(c <-chan int, d time.Duration) bool {
	t := time.NewTimer(d)
	select {
	case <-c:
		return true
	case <-t.C:
		return false
	}
}
"""


def test_one_commit_per_rule(repo):
    (repo / "worker/within.go").write_text(TIMER)
    git(repo, "add", "worker/within.go")
    git(repo, "commit", "-qm", "within")
    base = git(repo, "rev-parse", "HEAD")
    child = spawn(repo, "--rule", "timer-not-stopped", "--commit-per-rule")
    # poll.go: both; within.go: the timer; worker.go: t yes, w no
    assert answer(child, "a", "y", "y", "n") == ["(1/5)", "(3/5)", "(4/5)", "(5/5)"]
    assert finish(child) == 0
    assert git(repo, "rev-parse", "HEAD~2") == base
    # the commits follow the rules' catalogue order (`gofixleaks rules`): ticker, then timer
    assert git(repo, "log", "-2", "--format=%s").splitlines() == [
        "fix: stop goroutine leaks in worker (gofixleaks: timer-not-stopped)",
        "fix: stop goroutine leaks in poll, worker (gofixleaks: ticker-not-stopped)",
    ]
    assert git(repo, "show", "--name-only", "--format=", "HEAD~1").split() == ["poll/poll.go", "worker/worker.go"]
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["worker/within.go"]
    assert git(repo, "show", "HEAD:poll/poll.go") == fixed(POLL, T1, T2)
    assert git(repo, "show", "HEAD:worker/worker.go") == fixed(WORKER, T)
    assert git(repo, "show", "HEAD:worker/within.go") == fixed(TIMER, ("\tt := time.NewTimer(d)\n", "\tdefer t.Stop()\n"))
    assert_third_file_untouched(repo)


# Context plumbing: the fix of worker.go adds a ctx parameter to startWorker, so its
# callers in service.go must pass one. Neither change builds without the other.
SERVICE = """\
package worker

import "context"

// Service runs the worker for as long as its context lives.
type Service struct {
	ctx context.Context
}

func (s *Service) Start() {
	go startWorker()
}

// Serve blocks until ctx is done.
func Serve(ctx context.Context) {
	go startWorker()
	<-ctx.Done()
}
"""

STARTER = """\
package worker

import "time"

var results = make(chan int, 1)

func heavyCompute() int {
	time.Sleep(20 * time.Millisecond)
	return 42
}

// startWorker starts a goroutine every 10 ms, forever, and has no way to stop.
func startWorker() {
	for {
		go func() {
			result := heavyCompute()
			select {
			case results <- result:
			default:
			}
		}()
		time.Sleep(10 * time.Millisecond)
	}
}
"""


@pytest.fixture
def plumbed(repo) -> Path:
    (repo / "worker/service.go").write_text(SERVICE)
    (repo / "worker/starter.go").write_text(STARTER)
    git(repo, "add", "worker")
    git(repo, "commit", "-qm", "worker service")
    return repo


def engine_output(repo: Path, rule: str) -> dict[str, str]:
    """What `fix` makes of each file: review's accepted output must be exactly this."""
    out = subprocess.run([sys.executable, "-m", "gofixleaks", "fix", "--rule", rule, "--diff", "worker"],
                         cwd=repo, capture_output=True, text=True, check=True).stdout
    return {f.path: diff_mod.apply_hunks((repo / f.path).read_bytes(), list(f)).decode() for f in unidiff.PatchSet(out)}


def test_fixes_that_span_files_are_one_question(plumbed):
    want = engine_output(plumbed, "unbounded-goroutines")
    assert sorted(want) == ["worker/service.go", "worker/starter.go"]
    child = spawn(plumbed, "--rule", "unbounded-goroutines")
    answer(child, "y", "n")  # poll.go's two tickers
    child.expect(PROMPT)
    prompt = child.match.group(0)
    assert prompt.startswith("(3/5) Apply these fixes") and ",e," not in prompt  # no editing across files
    assert "These changes in 2 files go together" in child.transcript.text
    child.send("y")
    child.expect(PROMPT + " y")
    assert answer(child, "d") == ["(4/5)"]  # worker.go's tickers
    assert finish(child) == 0
    msg = git(plumbed, "log", "-1", "--format=%B")
    assert msg.startswith("fix: stop goroutine leaks in poll, worker (gofixleaks)\n")
    assert git(plumbed, "show", "--name-only", "--format=", "HEAD").split() == [
        "poll/poll.go", "worker/service.go", "worker/starter.go"]
    for path, content in want.items():
        assert git(plumbed, "show", f"HEAD:{path}") == content
    assert git(plumbed, "show", "HEAD:poll/poll.go") == fixed(POLL, T1)
    assert_third_file_untouched(plumbed)
    go = gotools.go()
    if go is not None:
        vet = subprocess.run([go, "vet", "./worker/"], cwd=plumbed, env=gotools.go_env(), capture_output=True, text=True)
        assert vet.returncode == 0, vet.stderr


def test_a_dirty_file_keeps_its_partners_out_too(plumbed):
    (plumbed / "worker/starter.go").write_text(STARTER + "\n// unfinished\n")
    child = spawn(plumbed, "--rule", "unbounded-goroutines", "--allow-dirty")
    # extra.go's ticker, poll.go's two, worker.go's two: nothing of starter.go or service.go
    assert answer(child, "y", "y", "n", "d") == ["(1/5)", "(2/5)", "(3/5)", "(4/5)"]
    assert finish(child) == 0
    out = child.transcript.text
    assert "worker/starter.go: not touched: it has uncommitted changes" in out
    assert "worker/service.go: not touched: its fixes go with fixes in worker/starter.go" in out
    assert git(plumbed, "show", "--name-only", "--format=", "HEAD").split() == ["poll/extra.go", "poll/poll.go"]
    assert (plumbed / "worker/service.go").read_text() == SERVICE


def test_a_commit_made_in_another_shell_while_review_waits_is_not_undone(repo):
    child = spawn(repo)
    answer(child, "y", "y")  # poll.go's two tickers
    child.expect(PROMPT)
    # meanwhile, in another shell: a commit that changes poll.go, and an edit of worker.go
    moved = "// Package poll waits for tickers.\n" + POLL
    (repo / "poll/poll.go").write_text(moved)
    git(repo, "commit", "-q", "-m", "document poll", "--", "poll/poll.go")
    meanwhile = git(repo, "rev-parse", "HEAD")
    mine = WORKER + "\n// not ready yet\n"
    (repo / "worker/worker.go").write_text(mine)
    child.send("y")
    answer(child, "n")
    assert finish(child) == 0
    assert git(repo, "rev-parse", "HEAD~1") == meanwhile
    assert git(repo, "show", "HEAD:poll/poll.go") == fixed(moved, T1, T2)
    assert git(repo, "show", "HEAD:worker/worker.go") == fixed(WORKER, T)
    assert (repo / "poll/poll.go").read_text() == fixed(moved, T1, T2)
    assert (repo / "worker/worker.go").read_text() == fixed(mine, T)  # the edit kept, uncommitted
    assert_gofmt_clean(repo, "poll/poll.go", "worker/worker.go")


def test_enter_never_applies_a_new_fix_and_takes_the_earlier_answer_after_k(repo):
    head = git(repo, "rev-parse", "HEAD")
    child = spawn(repo)
    child.expect(PROMPT)
    assert child.match.group(0).startswith("(1/4) Apply this fix [y,n,a,d,e,k,q,?]")  # no default in capitals
    child.send("\r")
    child.expect("Enter does not answer a new fix")
    child.expect(PROMPT)
    assert child.match.group(0).startswith("(1/4) ")  # asked again, nothing decided
    child.send("n")
    child.expect(PROMPT + " n")
    assert answer(child, "k") == ["(2/4)"]
    child.expect(PROMPT)
    assert child.match.group(0).startswith("(1/4) Apply this fix [y,N,")  # the earlier answer
    child.send("\r")
    child.expect(PROMPT + " n")  # Enter took it
    child.expect(PROMPT)
    assert child.match.group(0).startswith("(2/4) ")
    child.send("?")
    child.expect("Enter on a new fix does nothing")
    child.expect(PROMPT)
    child.send("q")
    assert finish(child) == 0
    assert "Accepted 0, rejected 1, undecided 3 of 4 fix(es)." in child.transcript.text
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / "poll/poll.go").read_text() == POLL
