"""`gofixleaks pr` end to end: a real bare repository is the remote (what was pushed is read
back from it) and tests/forge_server.py plays GitHub or GitLab on 127.0.0.1, recording every
request. The user's checkout is dirty and on a feature branch in every test, and must come
out byte for byte as it went in."""

from __future__ import annotations

import shlex
import socket
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gofixleaks import __version__
from gofixleaks.forge import ForgeError, SetupError, parse_remote, resolve
from gofixleaks.forge.github import GitHub
from gofixleaks.pr import Fixed, Unfixed, default_branch, render_body

from .conftest import LEAKY, LEAKY_FIXED, SAFE, git
from .forge_server import FakeForge

TOKEN = "s3cret-token-0123456789"
REASON = ("ticker t from time.NewTicker is never stopped: before Go 1.23 an unstopped ticker "
          "is never garbage collected")
# A second leak, added to the base branch between two runs.
WORKER = LEAKY.replace("func Poll(", "func Work(")
WORKER_FIXED = LEAKY_FIXED.replace("func Poll(", "func Work(")
# A leak that exists only in the user's uncommitted edit: the PR must not carry it.
DIRTY_EXTRA = "\nfunc Dirty(d time.Duration) {\n\tt := time.NewTicker(d)\n\t<-t.C\n}\n"


def sh(cwd: Path, *args: str) -> str:
    return git(cwd, *args).strip()


class Repo:
    """A bare remote, a second clone standing for other people pushing to main, and the
    user's clone, left dirty on a feature branch."""

    def __init__(self, tmp: Path, files: dict[str, str]):
        self.remote = tmp / "remote.git"
        sh(tmp, "init", "-q", "--bare", "-b", "main", str(self.remote))
        self.upstream = tmp / "upstream"
        sh(tmp, "clone", "-q", str(self.remote), str(self.upstream))
        self.commit_to_main({"go.mod": "module example.com/m\n\ngo 1.22\n", **files}, "init")
        self.work = tmp / "work"
        sh(tmp, "clone", "-q", str(self.remote), str(self.work))
        sh(self.work, "switch", "-q", "-c", "feature")
        (self.work / "poll.go").write_text((self.work / "poll.go").read_text() + DIRTY_EXTRA)
        (self.work / "notes.txt").write_text("staged, not committed\n")
        sh(self.work, "add", "notes.txt")
        (self.work / "scratch.go").write_text(LEAKY.replace("Poll", "Scratch"))

    def commit_to_main(self, files: dict[str, str], message: str) -> str:
        for name, text in files.items():
            (self.upstream / name).write_text(text)
        sh(self.upstream, "add", ".")
        sh(self.upstream, "commit", "-q", "-m", message)
        sh(self.upstream, "push", "-q", "origin", "HEAD:main")
        return sh(self.upstream, "rev-parse", "HEAD")

    def on_remote(self, *args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(self.remote), *args],
                              capture_output=True, text=True).stdout.strip()

    def remote_branch(self, name: str = "gofixleaks/main") -> str:
        return self.on_remote("rev-parse", "--verify", "--quiet", f"refs/heads/{name}")

    def snapshot(self) -> dict:
        """Everything of the user's checkout that `pr` must leave alone."""
        files = {str(p.relative_to(self.work)): p.read_bytes()
                 for p in self.work.rglob("*") if p.is_file() and ".git" not in p.relative_to(self.work).parts}
        return {
            "files": files,
            "head": sh(self.work, "symbolic-ref", "HEAD"),
            "status": sh(self.work, "status", "--porcelain=v1", "--untracked-files=all"),
            "index": sh(self.work, "diff", "--cached"),
            "branches": sh(self.work, "for-each-ref", "--format=%(refname)", "refs/heads"),
            "worktrees": sh(self.work, "worktree", "list", "--porcelain"),
        }


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No user or system git config, a fixed identity, no forge token, a private temp dir."""
    (tmp_path / "gitconfig").write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Dev")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "dev@example.com")
    for var in ("GH_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    return tmp_path


@pytest.fixture
def repo(isolated):
    return Repo(isolated, {"poll.go": LEAKY, "safe.go": SAFE.replace("Poll", "Safe")})


@pytest.fixture
def forge(repo):
    with FakeForge(TOKEN, git_dir=str(repo.remote)) as f:
        yield f


def github(forge: FakeForge, *extra: str) -> list[str]:
    return ["pr", "--base", "main", "--provider", "github", "--repo", "acme/svc",
            "--api-url", forge.url + "/api/v3", *extra]


def gitlab(forge: FakeForge, *extra: str) -> list[str]:
    return ["pr", "--base", "main", "--provider", "gitlab", "--repo", "acme/backend/svc",
            "--api-url", forge.url + "/api/v4", *extra]


def unused_port() -> int:
    """A local port nobody listens on (it was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_clean(repo: Repo, before: dict, isolated: Path) -> None:
    assert repo.snapshot() == before
    assert not list((isolated / "tmp").iterdir()), "a temporary worktree was left behind"


# Opening, updating, leaving alone


def test_opens_a_pull_request_with_the_fixes_of_the_base_branch(cli, repo, forge, isolated):
    before = repo.snapshot()
    base = repo.on_remote("rev-parse", "main")
    r = cli(*github(forge, "--draft", "--label", "leaks", "--reviewer", "alice", "--reviewer", "acme/core"),
            cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 0, r.stderr
    assert r.stdout == "gofixleaks: opened pull request #1: https://github.example/acme/svc/pull/1\n"

    # What was pushed: one commit on the remote's main (not the user's dirty tree or branch).
    head = repo.remote_branch()
    assert repo.on_remote("rev-parse", f"{head}^") == base
    assert repo.on_remote("show", f"{head}:poll.go") + "\n" == LEAKY_FIXED
    assert repo.on_remote("diff", "--name-only", base, head) == "poll.go"
    assert repo.on_remote("log", "-1", "--format=%B", head) + "\n" == (
        "fix: stop goroutine leaks in the root package (gofixleaks)\n\n"
        f"- ticker-not-stopped: poll.go:6: {REASON}\n\n"
        f"Generated-by: gofixleaks {__version__}\n"
    )

    calls = [(c.method, c.path) for c in forge.requests]
    assert calls == [
        ("GET", "/api/v3/repos/acme/svc/pulls"),
        ("POST", "/api/v3/repos/acme/svc/pulls"),
        ("POST", "/api/v3/repos/acme/svc/issues/1/labels"),
        ("POST", "/api/v3/repos/acme/svc/pulls/1/requested_reviewers"),
    ]
    assert {c.auth for c in forge.requests} == {f"Bearer {TOKEN}"}
    assert forge.requests[0].query == {"head": "acme:gofixleaks/main", "base": "main", "state": "open"}
    create = forge.requests[1].body
    assert (create["head"], create["base"], create["draft"]) == ("gofixleaks/main", "main", True)
    assert create["title"] == "fix: stop goroutine leaks in the root package (gofixleaks)"
    body = create["body"]
    assert f"| `ticker-not-stopped` | `poll.go:6` | {REASON} | add `defer t.Stop()` after it is made |" in body
    assert "Dirty" not in body and "scratch.go" not in body
    assert "go vet ./... && go test ./..." in body and f"gofixleaks {__version__}" in body
    assert forge.requests[2].body == {"labels": ["leaks"]}
    assert forge.requests[3].body == {"reviewers": ["alice"], "team_reviewers": ["core"]}

    assert TOKEN not in r.stdout + r.stderr
    assert_clean(repo, before, isolated)


def test_a_new_leak_on_base_updates_the_same_pull_request_and_an_unchanged_one_pushes_nothing(cli, repo, forge, isolated):
    before = repo.snapshot()
    env = {"GH_TOKEN": TOKEN}
    assert cli(*github(forge), cwd=repo.work, env=env).code == 0
    first = repo.remote_branch()

    new_base = repo.commit_to_main({"worker.go": WORKER}, "add a worker")
    r = cli(*github(forge), cwd=repo.work, env=env)
    assert r.code == 0, r.stderr
    assert r.stdout == "gofixleaks: pull request #1 updated: https://github.example/acme/svc/pull/1\n"
    second = repo.remote_branch()
    assert second != first
    assert repo.on_remote("rev-parse", f"{second}^") == new_base  # rebuilt on the new base, force-pushed
    assert repo.on_remote("show", f"{second}:worker.go") + "\n" == WORKER_FIXED
    assert len(forge.pulls) == 1 and len(forge.calls("POST", "/pulls")) == 1
    patch = forge.calls("PATCH")
    assert [c.path for c in patch] == ["/api/v3/repos/acme/svc/pulls/1"]
    assert "`poll.go:6`" in patch[0].body["body"] and "`worker.go:6`" in patch[0].body["body"]
    assert forge.pulls[0]["body"] == patch[0].body["body"]

    n = len(forge.requests)
    r = cli(*github(forge), cwd=repo.work, env=env)
    assert r.code == 0, r.stderr
    assert r.stdout == "gofixleaks: pull request #1 is up to date: https://github.example/acme/svc/pull/1\n"
    assert repo.remote_branch() == second  # nothing pushed
    assert [c.method for c in forge.requests[n:]] == ["GET"]  # nothing but the lookup
    assert_clean(repo, before, isolated)


def test_gitlab_merge_request_is_opened_then_refreshed(cli, repo, forge, isolated):
    before = repo.snapshot()
    env = {"GITLAB_TOKEN": TOKEN}
    r = cli(*gitlab(forge, "--draft", "--label", "leaks", "--label", "bot", "--reviewer", "alice"),
            cwd=repo.work, env=env)
    assert r.code == 0, r.stderr
    assert r.stdout == "gofixleaks: opened merge request #1: https://gitlab.example/acme/backend/svc/-/merge_requests/1\n"
    assert {c.auth for c in forge.requests} == {TOKEN}  # PRIVATE-TOKEN
    project = "/api/v4/projects/acme%2Fbackend%2Fsvc/merge_requests"
    assert [(c.method, c.path) for c in forge.requests] == [("GET", project), ("GET", "/api/v4/users"), ("POST", project)]
    mr = forge.merge_requests[0]
    assert mr["title"] == "Draft: fix: stop goroutine leaks in the root package (gofixleaks)" and mr["draft"]
    assert (mr["source_branch"], mr["target_branch"]) == ("gofixleaks/main", "main")
    assert mr["labels"] == ["leaks", "bot"] and mr["reviewers"] == [{"id": 7}]
    assert mr["sha"] == repo.remote_branch()

    repo.commit_to_main({"worker.go": WORKER}, "add a worker")
    r = cli(*gitlab(forge), cwd=repo.work, env=env)
    assert r.code == 0, r.stderr
    assert "merge request #1 updated" in r.stdout
    assert len(forge.merge_requests) == 1
    put = forge.calls("PUT")
    assert [c.path for c in put] == [project + "/1"] and "`worker.go:6`" in put[0].body["description"]

    r = cli(*gitlab(forge), cwd=repo.work, env=env)
    assert "merge request #1 is up to date" in r.stdout and len(forge.calls("PUT")) == 1
    assert_clean(repo, before, isolated)


def test_dry_run_prints_branch_message_and_body_and_touches_nothing(cli, repo, forge, isolated):
    before = repo.snapshot()
    r = cli(*github(forge, "--dry-run", "--branch", "bot/leaks"), cwd=repo.work)  # no token needed
    assert r.code == 0, r.stderr
    assert r.stdout.startswith("branch: bot/leaks (onto origin/main)\ntitle: fix: stop goroutine leaks in the root package (gofixleaks)\n")
    assert f"--- commit message ---\nfix: stop goroutine leaks in the root package (gofixleaks)\n\n- ticker-not-stopped: poll.go:6: {REASON}\n" in r.stdout
    assert "--- pull request body ---\n" in r.stdout and "| `ticker-not-stopped` | `poll.go:6` |" in r.stdout
    assert forge.requests == []
    assert repo.on_remote("for-each-ref", "--format=%(refname)", "refs/heads") == "refs/heads/main"
    assert_clean(repo, before, isolated)


def test_nothing_to_fix_says_so_and_does_nothing(cli, isolated, monkeypatch):
    repo = Repo(isolated, {"poll.go": SAFE})
    before = repo.snapshot()
    with FakeForge(TOKEN, git_dir=str(repo.remote)) as forge:
        r = cli(*github(forge), cwd=repo.work, env={"GH_TOKEN": TOKEN})
        assert forge.requests == []
    assert r.code == 0
    assert "nothing to fix on origin/main" in r.stdout
    assert repo.remote_branch() == ""
    assert_clean(repo, before, isolated)


def test_paths_and_rules_scope_the_default_branch(cli, repo, forge, isolated):
    r = cli(*github(forge, "--dry-run", "--rule", "ticker-not-stopped", "poll.go"), cwd=repo.work)
    assert r.code == 0, r.stderr
    assert r.stdout.startswith("branch: gofixleaks/main-poll.go-ticker-not-stopped ")
    assert "\ngofixleaks scan --rule ticker-not-stopped .   # the fixed findings are gone\n" in r.stdout
    assert "Running `gofixleaks pr poll.go --rule ticker-not-stopped --base main` again" in r.stdout


# Failures: one line, non-zero, nothing half-done


def test_missing_token_fails_before_anything_is_pushed(cli, repo, forge, isolated):
    before = repo.snapshot()
    r = cli(*github(forge), cwd=repo.work)
    assert r.code == 2
    assert r.stderr == "gofixleaks: error: no github token: set GH_TOKEN or GITHUB_TOKEN\n"
    assert forge.requests == [] and repo.remote_branch() == ""
    assert_clean(repo, before, isolated)


def test_401_fails_before_the_push_and_never_shows_the_token(cli, repo, forge, isolated):
    before = repo.snapshot()
    wrong = "wrong-token-9876543210"
    r = cli(*github(forge), cwd=repo.work, env={"GITHUB_TOKEN": wrong})
    assert r.code == 1
    assert r.stderr == ("gofixleaks: error: github API GET /repos/acme/svc/pulls: HTTP 401: Bad credentials "
                        "(check GH_TOKEN or GITHUB_TOKEN)\n")
    assert wrong not in r.stdout + r.stderr
    assert repo.remote_branch() == ""
    assert_clean(repo, before, isolated)


def test_404_for_a_wrong_repository_fails_before_the_push(cli, repo, forge, isolated):
    before = repo.snapshot()
    args = github(forge)
    args[args.index("acme/svc")] = "acme/nope"
    r = cli(*args, cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 1
    assert r.stderr == ("gofixleaks: error: github API GET /repos/acme/nope/pulls: HTTP 404: Not Found "
                        "(does the token have write access to acme/nope?)\n")
    assert repo.remote_branch() == ""
    assert_clean(repo, before, isolated)


def test_422_on_create_takes_the_new_branch_back(cli, repo, forge, isolated):
    before = repo.snapshot()
    forge.fail[("POST", "create")] = (422, {"message": "Validation Failed", "errors": [
        {"resource": "PullRequest", "code": "custom", "message": "No commits between main and gofixleaks/main"}]})
    r = cli(*github(forge), cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 1
    assert r.stderr == ("gofixleaks: error: github API POST /repos/acme/svc/pulls: HTTP 422: Validation Failed; "
                        "No commits between main and gofixleaks/main\n")
    assert repo.remote_branch() == ""
    assert_clean(repo, before, isolated)


def test_a_failure_after_the_pull_request_is_opened_keeps_it_and_its_branch(cli, repo, forge, isolated):
    forge.fail[("POST", "labels")] = (403, {"message": "Resource not accessible by integration"})
    r = cli(*github(forge, "--label", "leaks"), cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 1
    assert r.stderr == (
        "gofixleaks: error: opened pull request #1 (https://github.example/acme/svc/pull/1), but github API "
        "POST /repos/acme/svc/issues/1/labels: HTTP 403: Resource not accessible by integration "
        "(does the token have write access to acme/svc?)\n")
    assert len(forge.pulls) == 1 and forge.pulls[0]["head"]["sha"] == repo.remote_branch() != ""


def test_a_path_not_on_the_base_branch(cli, repo, forge, isolated):
    r = cli(*github(forge, "--dry-run", "scratch.go"), cwd=repo.work)  # untracked in the user's tree
    assert (r.code, r.stderr) == (2, "gofixleaks: error: scratch.go: not on origin/main\n")
    assert not list((isolated / "tmp").iterdir())


def test_rejected_push_opens_nothing(cli, repo, forge, isolated):
    before = repo.snapshot()
    hook = repo.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'policy: bots may not push' >&2\nexit 1\n")
    hook.chmod(0o755)
    r = cli(*github(forge), cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 1
    assert r.stderr.startswith("gofixleaks: error: push of 'gofixleaks/main' to 'origin' rejected: ")
    assert "pre-receive hook declined" in r.stderr and r.stderr.count("\n") == 1
    assert forge.calls("POST") == []
    assert repo.remote_branch() == ""
    assert_clean(repo, before, isolated)


def test_unreachable_api_fails_before_the_push(cli, repo, isolated):
    before = repo.snapshot()
    port = unused_port()
    r = cli("pr", "--base", "main", "--provider", "github", "--repo", "acme/svc",
            "--api-url", f"http://127.0.0.1:{port}/api/v3", cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 1
    assert r.stderr.startswith(f"gofixleaks: error: github API at http://127.0.0.1:{port}/api/v3 unreachable: ")
    assert repo.remote_branch() == ""
    assert_clean(repo, before, isolated)


def test_credentials_in_the_remote_url_stay_out_of_errors(cli, repo, isolated):
    port = unused_port()
    sh(repo.work, "remote", "set-url", "origin", f"https://bob:hunter2@127.0.0.1:{port}/acme/svc.git")
    r = cli("pr", "--base", "main", "--dry-run", "--provider", "github", cwd=repo.work)
    assert r.code == 1 and r.stderr.startswith("gofixleaks: error: ")
    assert "hunter2" not in r.stdout + r.stderr


def test_a_git_message_that_names_credentials_is_masked():
    # git anonymizes the URLs of its own transport errors (so the test above passes even
    # without this); a hook's or helper's message may still carry them
    from gofixleaks.worktree import problem

    stderr = "remote: see https://bob:hunter2@git.example/acme/svc\nerror: failed to push some refs to 'https://bob:hunter2@git.example/acme/svc.git'\n"
    assert problem(stderr, "fallback") == "error: failed to push some refs to 'https://***@git.example/acme/svc.git'"
    assert problem("\n", "git push exited 1") == "git push exited 1"


def test_the_token_is_not_forwarded_on_a_redirect():
    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(307)
            self.send_header("Location", target.url + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    with FakeForge(TOKEN) as target:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            hub = GitHub(f"http://127.0.0.1:{server.server_address[1]}/api/v3", "acme/svc", TOKEN)
            with pytest.raises(ForgeError, match="HTTP 401"):
                hub.find_open("gofixleaks/main", "main")
        finally:
            server.shutdown()
            server.server_close()
    assert [(c.method, c.auth) for c in target.requests] == [("GET", None)]


def test_a_branch_with_someone_elses_commits_is_not_overwritten(cli, repo, forge, isolated):
    sh(repo.upstream, "push", "-q", "origin", "HEAD:refs/heads/gofixleaks/main")
    theirs = repo.remote_branch()
    r = cli(*github(forge), cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 1
    assert "has commits gofixleaks did not make" in r.stderr
    assert repo.remote_branch() == theirs and forge.requests == []


def test_unknown_base_branch(cli, repo, forge, isolated):
    r = cli("pr", "--base", "trunk", "--dry-run", "--provider", "github", "--repo", "acme/svc",
            "--api-url", forge.url, cwd=repo.work)
    assert r.code == 1
    assert r.stderr == "gofixleaks: error: base branch 'trunk' not found on remote 'origin'\n"


# Pieces


@pytest.mark.parametrize("url, host, path", [
    ("https://github.com/acme/svc.git", "github.com", "acme/svc"),
    ("https://x-access-token:abc@github.com/acme/svc", "github.com", "acme/svc"),
    ("git@github.com:acme/svc.git", "github.com", "acme/svc"),
    ("ssh://git@github.example.com:2222/acme/svc.git", "github.example.com", "acme/svc"),
    ("https://gitlab.example.com:8443/group/sub/svc.git", "gitlab.example.com:8443", "group/sub/svc"),
    ("git@gitlab.com:group/sub/svc.git", "gitlab.com", "group/sub/svc"),
])
def test_parse_remote(url, host, path):
    remote = parse_remote(url)
    assert (remote.host, remote.path) == (host, path)


@pytest.mark.parametrize("url", ["/srv/git/svc.git", "../remote.git", "file:///srv/git/svc.git", "C:/repos/svc"])
def test_local_remotes_give_nothing_to_infer(url):
    assert parse_remote(url) is None


@pytest.mark.parametrize("url, provider, api, repo", [
    ("git@github.com:acme/svc.git", "github", "https://api.github.com", "acme/svc"),
    ("https://github.corp.example/acme/svc.git", "github", "https://github.corp.example/api/v3", "acme/svc"),
    ("git@gitlab.com:group/sub/svc.git", "gitlab", "https://gitlab.com/api/v4", "group/sub/svc"),
    ("https://gitlab.corp.example:8443/team/svc", "gitlab", "https://gitlab.corp.example:8443/api/v4", "team/svc"),
])
def test_resolve_infers_provider_api_and_repository(url, provider, api, repo):
    forge = resolve(url, None, None, None, {"GH_TOKEN": "t", "GITLAB_TOKEN": "t"}, need_token=True)
    assert (forge.name, forge.api_url, forge.repo) == (provider, api, repo)


def test_resolve_asks_for_what_it_cannot_infer():
    with pytest.raises(SetupError, match="--provider"):
        resolve("https://git.example.com/acme/svc.git", None, None, None, {}, need_token=False)
    with pytest.raises(SetupError, match="--repo"):
        resolve("/srv/git/svc.git", "github", None, None, {}, need_token=False)
    with pytest.raises(SetupError, match="--api-url"):
        resolve("/srv/git/svc.git", "gitlab", "a/b", None, {}, need_token=False)
    with pytest.raises(SetupError, match="GITLAB_TOKEN"):
        resolve("git@gitlab.com:a/b.git", None, None, None, {"GH_TOKEN": "t"}, need_token=True)


def test_default_branch_is_stable_per_scope_and_a_valid_ref():
    assert default_branch("main", ["."], ()) == "gofixleaks/main"
    assert default_branch("main", ["cmd/api", "internal"], ("timer-not-stopped", "cancel-not-called")) == \
        "gofixleaks/main-cmd-api-internal-cancel-not-called-timer-not-stopped"
    long = default_branch("release/1.2", [f"pkg/{'x' * 30}/{i}" for i in range(5)], ())
    assert long == default_branch("release/1.2", [f"pkg/{'x' * 30}/{i}" for i in range(5)], ())
    assert len(long) <= len("gofixleaks/") + 80
    assert long != default_branch("release/1.2", [f"pkg/{'x' * 30}/{i}" for i in range(6)], ())
    for name in (long, default_branch("v1..x", ["a b/c.lock"], ())):
        subprocess.run(["git", "check-ref-format", "--branch", name], check=True, capture_output=True)


def test_body_lists_fixes_follow_ups_and_what_was_left_with_cells_escaped():
    fixed = [Fixed("r", "a|b.go", 3, "x | y\nz", "f", ("callers of F now pass a ctx",))]
    unfixed = [Unfixed("q", "pkg/c.go", 9, "blocks forever", "the channel escapes")]
    body = render_body(fixed, unfixed, base="main", remote="origin", branch="gofixleaks/main-pkg",
                       module_dirs=[".", "tools"], rerun="gofixleaks pr pkg --base main")
    assert "| `r` | `a\\|b.go:3` | x \\| y z | f |" in body
    assert "### Follow-ups\n\n- `a|b.go:3`: callers of F now pass a ctx\n" in body
    assert "| `q` | `pkg/c.go:9` | blocks forever | the channel escapes |" in body
    assert "git fetch origin gofixleaks/main-pkg && git switch --detach FETCH_HEAD\n" in body
    assert "\ngo vet ./... && go test ./...\n(cd tools && go vet ./... && go test ./...)\n" in body
    assert "Running `gofixleaks pr pkg --base main` again" in body


def test_relative_is_git_spelling_inside_the_work_tree_and_none_outside(tmp_path):
    from gofixleaks.worktree import relative, start_dir

    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (tmp_path / "link").symlink_to(root)
    assert relative(str(root), str(root / "pkg" / "a.go")) == "pkg/a.go"
    assert relative(str(root), str(root)) == "."
    assert relative(str(root), str(root / "..dots.go")) == "..dots.go"  # a name, not a way out
    assert relative(str(tmp_path / "link"), str(root / "pkg")) == "pkg"  # the same checkout, resolved
    assert relative(str(root), str(tmp_path / "other.go")) is None
    assert start_dir(str(root / "pkg")) == str(root / "pkg")
    assert start_dir(str(root / "pkg" / "a.go")) == str(root / "pkg")


# Hardening: whose branch it is, secrets, clear text, quoting, dry runs without a forge


def test_a_branch_whose_tip_only_carries_the_trailer_is_not_overwritten(cli, repo, forge, isolated):
    # someone's branch: their own commit, then a squash-merged gofixleaks pull request on top
    (repo.upstream / "theirs.go").write_text("package p\n")
    sh(repo.upstream, "add", "theirs.go")
    sh(repo.upstream, "commit", "-q", "-m", "their work")
    (repo.upstream / "poll.go").write_text(LEAKY_FIXED)
    sh(repo.upstream, "commit", "-q", "-am", f"fix: stop goroutine leaks (#3)\n\nGenerated-by: gofixleaks {__version__}\n")
    sh(repo.upstream, "push", "-q", "origin", "HEAD:refs/heads/release-fixes")
    theirs = repo.remote_branch("release-fixes")
    r = cli(*github(forge, "--branch", "release-fixes"), cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 1
    assert "remote branch 'release-fixes' has commits gofixleaks did not make" in r.stderr
    assert repo.remote_branch("release-fixes") == theirs and forge.requests == []


def test_a_token_echoed_by_the_forge_is_redacted(cli, repo, forge, isolated):
    forge.fail[("GET", "list")] = (401, {"message": f"Bad credentials: {TOKEN} is expired"})
    r = cli(*github(forge), cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 1
    assert TOKEN not in r.stdout + r.stderr
    assert "Bad credentials: *** is expired" in r.stderr


@pytest.mark.parametrize("url, ok", [
    ("http://forge.example/api/v3", False),
    ("http://10.0.0.7:8080/api/v3", False),
    ("http://127.0.0.1:9/api/v3", True),
    ("http://localhost:9/api/v3", True),
    ("http://[::1]:9/api/v3", True),
    ("https://forge.example/api/v3", True),
])
def test_an_api_url_in_clear_text_is_refused_unless_loopback_or_insecure(url, ok):
    env = {"GH_TOKEN": TOKEN}
    if ok:
        assert resolve("/srv/x.git", "github", "a/b", url, env, need_token=True).api_url == url
    else:
        with pytest.raises(SetupError, match="would send the token in clear text.*--insecure"):
            resolve("/srv/x.git", "github", "a/b", url, env, need_token=True)
        assert resolve("/srv/x.git", "github", "a/b", url, env, need_token=True, insecure=True).api_url == url


def test_an_http_api_url_fails_before_anything_is_pushed(cli, repo, isolated):
    r = cli("pr", "--base", "main", "--provider", "github", "--repo", "acme/svc",
            "--api-url", "http://forge.example/api/v3", cwd=repo.work, env={"GH_TOKEN": TOKEN})
    assert r.code == 2 and "would send the token in clear text" in r.stderr
    assert repo.remote_branch() == ""


def test_branch_remote_and_rules_are_shell_quoted_in_the_commands_of_the_body():
    fixed = [Fixed("r", "a.go", 3, "why", "fix")]
    body = render_body(fixed, [], base="main", remote="up stream;id", branch="bot/$(touch pwned)",
                       module_dirs=["."], rerun="gofixleaks pr --base main", rules=("ticker-not-stopped",))
    fetch = next(ln for ln in body.splitlines() if ln.startswith("git fetch"))
    assert shlex.split(fetch) == ["git", "fetch", "up stream;id", "bot/$(touch pwned)", "&&", "git", "switch",
                                  "--detach", "FETCH_HEAD"]


def test_dry_run_with_a_plain_git_remote_needs_no_forge_settings(cli, repo, isolated):
    before = repo.snapshot()
    r = cli("pr", "--base", "main", "--dry-run", "--branch", "bot/$x", cwd=repo.work)  # origin is a local path
    assert r.code == 0, r.stderr
    assert r.stdout.startswith("branch: bot/$x (onto origin/main)\n")
    assert "--- pull request body ---\n" in r.stdout and "| `ticker-not-stopped` | `poll.go:6` |" in r.stdout
    assert "git fetch origin 'bot/$x' && git switch --detach FETCH_HEAD" in r.stdout
    assert "Running `gofixleaks pr --branch 'bot/$x' --base main` again" in r.stdout
    assert_clean(repo, before, isolated)


def readme_block(after: str, fence: str) -> str:
    """The fenced block of the README that follows the line starting with ``after``."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    start = text.index(fence, text.index(after)) + len(fence)
    start = text.index("\n", start) + 1
    return text[start:text.index("\n" + fence.rstrip("abcdefghijklmnopqrstuvwxyz") + "\n", start) + 1]


def test_the_readmes_commit_message_and_body_are_what_pr_makes_of_the_example(cli, isolated, tmp_path):
    """The README shows the commit and pull request of a real run over examples/leaky-service:
    regenerated here, so it cannot drift from what pr writes."""
    import shutil

    work, remote = tmp_path / "leaky-service", tmp_path / "remote.git"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "leaky-service", work)
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "init")
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "-q", "origin", "main")
    r = cli("pr", "--base", "main", "--rule", "ticker-not-stopped", "--rule", "cancel-not-called", "--dry-run",
            "--no-cache", cwd=work)
    assert r.code == 0, r.stderr
    message = r.stdout.split("--- commit message ---\n", 1)[1].split("\n--- pull request body ---\n", 1)[0]
    body = r.stdout.split("--- pull request body ---\n", 1)[1].rstrip("\n") + "\n"
    assert readme_block("The commit (on `gofixleaks/main-cancel-not-called-ticker-not-stopped`", "```text") == message
    assert readme_block("and the pull request's body is", "````markdown") == body
