"""`gofixleaks campaign`: real bare repositories as the remotes (cloned over file://), the fake
forge of forge_server.py on 127.0.0.1 as GitHub, the same campaign on the local process pool
and on a Dask cluster (a LocalCluster in this process, reached over TCP), a re-run, a rate
limit, and a run killed in the middle and resumed."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gofixleaks.campaign import report, work
from gofixleaks.campaign.proposals import RateLimiter
from gofixleaks.campaign.state import State

from .conftest import LEAKY, LEAKY_FIXED, SAFE, git
from .forge_server import FakeForge
from .test_pr import isolated  # noqa: F401  (a fixture)

TOKEN = "campaign-token-0123456789"
CANCEL = """\
package p

import (
	"context"
	"time"
)

func Wait(ctx context.Context) {
	waitCtx, _ := context.WithTimeout(ctx, time.Second)
	<-waitCtx.Done()
}
"""
GO_MOD = "module example.com/m\n\ngo 1.22\n"
# OWNER/NAME -> the files of its main branch (None: a repository that cannot be cloned)
REPOS = {
    "acme/leaky": {"go.mod": GO_MOD, "poll.go": LEAKY, "wait.go": CANCEL},
    "acme/other": {"go.mod": GO_MOD, "poll.go": LEAKY},
    "acme/clean": {"go.mod": GO_MOD, "poll.go": SAFE},
    "acme/foreign": {"go.mod": GO_MOD, "poll.go": LEAKY},  # someone else's gofixleaks/main is there
    "acme/gone": None,
}
EXPECTED = {
    "acme/leaky": ("fixed", (("cancel-not-called", 1), ("ticker-not-stopped", 1))),
    "acme/other": ("fixed", (("ticker-not-stopped", 1),)),
    "acme/clean": ("nothing", ()),
    "acme/foreign": ("push-refused", ()),
    "acme/gone": ("error", ()),
}


@pytest.fixture
def env(isolated, monkeypatch):  # noqa: F811 (the fixture imported above)
    """test_pr's isolation (no user git config, a fixed identity: the workers commit), and a token."""
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    return isolated


class Fleet:
    """Bare remotes for REPOS under ``root``, the repositories file naming them, and a fake
    GitHub serving every one of them."""

    def __init__(self, root: Path, repos: dict = REPOS):
        self.root = root
        root.mkdir()
        self.remotes: dict[str, Path] = {}
        lines = ["# clone URL, then OWNER/NAME", ""]
        for name, files in repos.items():
            remote = root / (name.replace("/", "-") + ".git")
            if files is not None:
                self._make(remote, files)
                self.remotes[name] = remote
            lines.append(f"{remote.as_uri()} {name}")
        if "acme/foreign" in repos:  # a branch of the name gofixleaks uses, made by a person
            work_dir = root / "foreign-work"
            git(root, "clone", "-q", str(self.remotes["acme/foreign"]), str(work_dir))
            (work_dir / "notes.txt").write_text("mine\n")
            git(work_dir, "add", ".")
            git(work_dir, "commit", "-q", "-m", "my own work")
            git(work_dir, "push", "-q", "origin", "HEAD:refs/heads/gofixleaks/main")
        self.file = root / "repos.txt"
        self.file.write_text("\n".join(lines) + "\n")
        first = next(iter(self.remotes))
        self.forge = FakeForge(TOKEN, github_repo=first, git_dir=str(self.remotes[first]),
                               github_repos={n: str(r) for n, r in self.remotes.items()})

    @staticmethod
    def _make(remote: Path, files: dict[str, str]) -> None:
        git(remote.parent, "init", "-q", "--bare", "-b", "main", str(remote))
        src = remote.with_suffix(".src")
        git(remote.parent, "clone", "-q", str(remote), str(src))
        for name, text in files.items():
            (src / name).write_text(text)
        git(src, "add", ".")
        git(src, "commit", "-q", "-m", "init")
        git(src, "push", "-q", "origin", "HEAD:main")

    def args(self, state: Path, *extra: str) -> list[str]:
        return ["campaign", "run", str(self.file), "--state", str(state), "--provider", "github",
                "--api-url", self.forge.url + "/api/v3", "--workdir", str(self.root / "work"),
                "--verify", "none", "--prs-per-minute", "0", *extra]

    def branch_file(self, repo: str, path: str, branch: str = "gofixleaks/main") -> str:
        return subprocess.run(["git", "--git-dir", str(self.remotes[repo]), "show", f"{branch}:{path}"],
                              capture_output=True, text=True).stdout

    def branch_sha(self, repo: str, branch: str = "gofixleaks/main") -> str:
        return subprocess.run(["git", "--git-dir", str(self.remotes[repo]), "rev-parse", "--verify", "--quiet",
                               f"refs/heads/{branch}"], capture_output=True, text=True).stdout.strip()

    def writes(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.forge.requests if r.method != "GET"]


@pytest.fixture
def fleet(env):
    f = Fleet(env / "fleet")
    with f.forge:
        yield f


@pytest.fixture(scope="module")
def dask_scheduler():
    """One Dask cluster for the module (start-up is the slow part): a scheduler on a TCP port of
    127.0.0.1 and a worker with two threads in this process."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        yield cluster


def outcomes(state: Path) -> dict[str, tuple]:
    st = State(str(state), create=False)
    try:
        return {r.repo: (r.status, r.fixes) for r in st.rows()}
    finally:
        st.close()


def pr_bodies(forge: FakeForge) -> dict[str, str]:
    return {p["base"]["repo"]["full_name"]: p["body"] for p in forge.pulls}


def test_local_pool_and_dask_cluster_give_the_same_outcomes(cli, env, dask_scheduler):
    runs = {}
    for where, extra in (("pool", ["--jobs", "2"]), ("dask", ["--cluster", dask_scheduler.scheduler_address])):
        fleet = Fleet(env / where)
        with fleet.forge:
            r = cli(*fleet.args(env / f"{where}.sqlite3", *extra))
        assert r.code == 1, r.stderr  # two repositories failed; the others went on
        assert outcomes(env / f"{where}.sqlite3") == EXPECTED
        runs[where] = (fleet, r)
        # what `pr` would push and propose: the fixed files on gofixleaks/main, a draft per repository
        assert fleet.branch_file("acme/leaky", "poll.go") == LEAKY_FIXED
        assert fleet.branch_file("acme/other", "poll.go") == LEAKY_FIXED
        assert sorted(p["base"]["repo"]["full_name"] for p in fleet.forge.pulls) == ["acme/leaky", "acme/other"]
        assert all(p["draft"] and p["head"]["ref"] == "gofixleaks/main" for p in fleet.forge.pulls)
        assert fleet.branch_file("acme/foreign", "notes.txt") == "mine\n"  # not overwritten
        assert "acme/foreign: push refused: remote branch 'gofixleaks/main' has commits gofixleaks did not make" in r.stdout
        assert re.search(r"acme/gone: error: fatal: .* does not appear to be a git repository", r.stdout)
        assert "5 repositories: 1 error, 2 fixed, 1 nothing to fix, 1 push refused" in r.stdout
    assert dask_scheduler.scheduler_address.startswith("tcp://127.0.0.1:")
    # every repository's work ran on the cluster's worker (the scheduler counts each task's states)
    assert dask_scheduler.scheduler.task_prefixes["do"].state_counts["memory"] == len(REPOS)
    pool, dask = runs["pool"][0], runs["dask"][0]
    assert pr_bodies(pool.forge).keys() == pr_bodies(dask.forge).keys()
    for repo, body in pr_bodies(pool.forge).items():
        assert body.replace(str(env / "pool"), "") == pr_bodies(dask.forge)[repo].replace(str(env / "dask"), "")
        assert "Running `gofixleaks pr --base main` again updates this branch" in body


def test_a_rerun_opens_nothing_new_with_or_without_the_state(cli, env, fleet):
    state = env / "c.sqlite3"
    assert cli(*fleet.args(state)).code == 1
    pulls, sha, writes = len(fleet.forge.pulls), fleet.branch_sha("acme/leaky"), len(fleet.writes())
    again = cli(*fleet.args(state))
    assert again.stdout.count("skipped: fixed in an earlier run") == 2
    assert "acme/gone: skipped: error in an earlier run (--retry-failed retries it)" in again.stdout
    assert len(fleet.writes()) == writes and again.code == 0
    # a new state file: everything is done again, and finds its own branch and pull request
    fresh = cli(*fleet.args(env / "fresh.sqlite3"))
    assert "acme/leaky: pull request #1 is up to date" in fresh.stdout
    assert len(fleet.forge.pulls) == pulls and fleet.branch_sha("acme/leaky") == sha
    assert len(fleet.writes()) == writes  # no push, no API write
    retried = cli(*fleet.args(state, "--retry-failed"))
    assert "acme/foreign: push refused" in retried.stdout and "acme/leaky: skipped" in retried.stdout


def test_a_killed_run_resumes_without_a_second_pull_request(cli, env, fleet):
    state = env / "c.sqlite3"
    reached, release = threading.Event(), threading.Event()
    creates = []

    def gate(method, path, body):
        if method == "POST" and path.endswith("/pulls"):
            creates.append(path)
            if len(creates) == 2:  # the second pull request: the driver dies waiting for it
                reached.set()
                release.wait(60)
                return 503, {"message": "gone"}
        return None

    fleet.forge.gate = gate
    args = fleet.args(state, "--jobs", "1")
    proc = subprocess.Popen([sys.executable, "-m", "gofixleaks", *args], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert reached.wait(60), proc.communicate(timeout=5)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        release.set()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    fleet.forge.gate = None
    killed = outcomes(state)
    assert sorted(s for s, _ in killed.values()).count("fixed") == 1
    assert "pushed" in {s for s, _ in killed.values()}  # its branch is pushed, its pull request is not open
    (opened,) = fleet.forge.pulls
    r = cli(*fleet.args(state))
    assert outcomes(state) == EXPECTED
    assert f"{opened['base']['repo']['full_name']}: skipped: fixed in an earlier run" in r.stdout
    repos = sorted(p["base"]["repo"]["full_name"] for p in fleet.forge.pulls)
    assert repos == ["acme/leaky", "acme/other"]  # one each: the resumed one opened, nothing twice


def test_a_rate_limited_pull_request_waits_as_told_and_one_failure_stops_nothing(cli, env):
    fleet = Fleet(env / "fleet", {"acme/leaky": REPOS["acme/leaky"], "acme/other": REPOS["acme/other"]})
    limited = (403, {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."},
               {"Retry-After": "1"})
    times = []
    with fleet.forge:
        fleet.forge.gate = lambda method, path, body: times.append(time.monotonic()) if method == "POST" else None
        # the first pull request is limited once then opens; the second is limited more often than --max-tries
        fleet.forge.queued[("POST", "create")] = [limited, (429, {"message": "slow down"}, {"Retry-After": "0"}),
                                                   (429, {"message": "slow down"}, {"Retry-After": "0"})]
        r = cli(*fleet.args(env / "c.sqlite3", "--jobs", "1", "--max-tries", "2"))
    statuses = {repo: s for repo, (s, _) in outcomes(env / "c.sqlite3").items()}
    assert sorted(statuses.values()) == ["fixed", "pr-failed"] and r.code == 1
    assert len(fleet.forge.pulls) == 1
    assert times[1] - times[0] >= 1.0  # Retry-After: 1 was honoured
    assert "secondary rate limit" in r.stderr and "retrying in 1 s (try 2 of 2)" in r.stderr
    failed = next(repo for repo, s in statuses.items() if s == "pr-failed")
    assert f"{failed}: PR failed: github API POST /repos/{failed}/pulls: HTTP 429: slow down" in r.stdout


def test_the_rate_limiter_spaces_pull_requests_evenly():
    now, slept = [100.0], []

    def sleep(s):
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(per_minute=4, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()
    assert slept == [15.0, 15.0]
    now[0] += 60
    limiter.wait()
    assert slept == [15.0, 15.0]  # a slot long past: no wait


def test_status_prints_a_table_and_writes_an_html_report_with_counts_per_rule(cli, env, fleet):
    state = env / "c.sqlite3"
    cli(*fleet.args(state))
    r = cli("campaign", "status", "--state", str(state))
    assert r.code == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["REPOSITORY", "STATUS", "FIXES", "PULL", "REQUEST", "/", "DETAIL"]
    assert lines[1].split()[:3] == ["acme/clean", "nothing", "to"]
    assert re.match(r"acme/leaky\s+fixed\s+2\s+https://github.example/acme/leaky/pull/1$", lines[4])
    page = (env / "c.html").read_text()
    assert "<td><code>ticker-not-stopped</code></td><td>2</td><td>2</td><td>0</td>" in page
    assert "<td><code>cancel-not-called</code></td><td>1</td><td>1</td><td>0</td>" in page
    assert '<a href="https://github.example/acme/leaky/pull/1">#1</a>' in page
    assert "push refused" in page and "&lt;" not in r.stdout


def test_usage_errors_stop_before_anything_is_cloned_or_pushed(cli, env, fleet, monkeypatch):
    bad = env / "bad.txt"
    bad.write_text("file:///x.git\n")
    r = cli("campaign", "run", str(bad), "--state", str(env / "c.sqlite3"))
    assert (r.code, r.stderr) == (2, f"gofixleaks: error: {bad}:1: expected `CLONE_URL OWNER/NAME`, got 'file:///x.git'\n")
    monkeypatch.delenv("GH_TOKEN")
    r = cli(*fleet.args(env / "c.sqlite3"))
    assert r.code == 2 and "no github token: set GH_TOKEN or GITHUB_TOKEN" in r.stderr
    assert not (fleet.root / "work").exists() and fleet.forge.requests == []
    r = cli("campaign", "status", "--state", str(env / "missing.sqlite3"))
    assert r.code == 2 and "no such campaign state file" in r.stderr
    (env / "junk.sqlite3").write_text("not a database")
    assert cli("campaign", "status", "--state", str(env / "junk.sqlite3")).code == 2


def test_verify_runs_go_vet_and_a_missing_toolchain_is_verify_failed(env, fleet, monkeypatch):
    job = work.Job("acme/other", fleet.remotes["acme/other"].as_uri(), str(env / "w"), verify="vet")
    ok = work.do(job)
    assert (ok.status, ok.fixes, ok.dropped) == ("pushed", (("ticker-not-stopped", 1),), 0)
    monkeypatch.setenv("PATH", os.path.dirname(shutil.which("git")))  # git, but no Go toolchain
    assert shutil.which("go") is None
    failed = work.do(job)
    assert failed.status == "verify-failed" and "`go` was not found" in failed.detail
    assert (env / "w" / "acme__other").is_dir()  # a failure's clone is kept for a look


# A test of the kind real repositories keep, pinning a line number its package reports
# (a log line's position): the fix's added line moves it, which only running the tests sees.
POLL_WHERE = LEAKY.replace('import "time"', 'import (\n\t"runtime"\n\t"time"\n)') + """
func Where() int {
	_, _, line, _ := runtime.Caller(0)
	return line
}
"""
WHERE_TEST = """\
package p

import "testing"

func TestWhere(t *testing.T) {
	if got := Where(); got != 14 {
		t.Fatalf("Where() = %d, want 14", got)
	}
}
"""


def test_verify_tests_runs_the_tests_and_drops_a_fix_they_reject(env, tmp_path):
    fleet = Fleet(tmp_path / "fleet", {"acme/snap": {"go.mod": GO_MOD, "poll.go": POLL_WHERE, "poll_test.go": WHERE_TEST}})
    url = fleet.remotes["acme/snap"].as_uri()
    vetted = work.do(work.Job("acme/snap", url, str(env / "w1"), verify="vet"))
    assert (vetted.status, vetted.fixes) == ("pushed", (("ticker-not-stopped", 1),))
    tested = work.do(work.Job("acme/snap", url, str(env / "w2"), verify="tests", verify_timeout=60.0))
    assert tested.status == "verify-failed" and tested.dropped == 1, tested
    assert "Where() = 15, want 14" in tested.detail, tested.detail


def test_the_state_file_is_plain_sqlite(env, fleet, cli):
    state = env / "c.sqlite3"
    cli(*fleet.args(state))
    with sqlite3.connect(state) as db:
        rows = dict(db.execute("SELECT repo, pr_url FROM repos WHERE status = 'fixed'").fetchall())
    assert rows == {"acme/leaky": "https://github.example/acme/leaky/pull/1",
                    "acme/other": "https://github.example/acme/other/pull/1"}
    assert report.per_rule(State(str(state), create=False).rows())[0].rule == "cancel-not-called"


def test_a_temp_dir_too_long_for_a_unix_socket_runs_the_pool_by_spawn(monkeypatch, tmp_path):
    # forkserver would fail with "AF_UNIX path too long" before any repository is done
    import multiprocessing.process

    from gofixleaks.campaign import runner
    config = multiprocessing.process.current_process()._config
    monkeypatch.setitem(config, "tempdir", str(tmp_path / ("d" * (runner.UNIX_PATH_MAX - len(str(tmp_path))))))
    assert runner.start_method() == "spawn"
    monkeypatch.setitem(config, "tempdir", "/tmp/pymp-short")
    assert runner.start_method() == "forkserver"
