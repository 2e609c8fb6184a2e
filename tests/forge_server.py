"""A fake forge for tests: the parts of the GitHub (v3) and GitLab (v4) REST APIs that
`gofixleaks pr` uses, with their documented JSON shapes and status codes, served on
127.0.0.1 from a thread. Every request is recorded (method, path, query, auth, body).

GitHub lives under /api/v3 (as on GitHub Enterprise), GitLab under /api/v4. Pull requests
are checked against a real bare repository when one is given: GitHub answers 422 for a
head branch that was not pushed, as the real one does. More GitHub repositories (a campaign's)
can be served, each with its own bare repository and pull-request numbers; answers can be
forced (``fail``: always; ``queued``: once each, in order, headers included, as a rate limit
sends them), and ``gate`` sees every request first and may hold it or answer it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass
class Recorded:
    method: str
    path: str  # without the query, still URL-encoded as sent
    query: dict
    auth: str | None  # the Authorization or PRIVATE-TOKEN header
    body: object  # decoded JSON, or None


class FakeForge:
    def __init__(self, token: str, github_repo: str = "acme/svc", gitlab_repo: str = "acme/backend/svc",
                 git_dir: str | None = None, users: dict[str, int] | None = None,
                 github_repos: dict[str, str | None] | None = None):
        self.token = token
        self.github_repo = github_repo
        self.gitlab_repo = gitlab_repo
        self.git_dir = git_dir
        self.github_repos = {github_repo: git_dir, **(github_repos or {})}  # OWNER/NAME -> bare repository
        self.users = users or {"alice": 7, "bob": 8}
        self.requests: list[Recorded] = []
        self.pulls: list[dict] = []  # GitHub pull requests
        self.merge_requests: list[dict] = []  # GitLab merge requests
        self.fail: dict[tuple[str, str], tuple[int, dict]] = {}  # (method, route) -> forced answer
        # (method, route) -> answers given once each: (status, doc) or (status, doc, headers)
        self.queued: dict[tuple[str, str], list[tuple]] = {}
        self.gate: Callable[[str, str, object], tuple | None] | None = None  # (method, path, body) -> answer or None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.handle_error = _quiet_on_disconnect(self._server.handle_error)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeForge":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def calls(self, method: str | None = None, contains: str = "") -> list[Recorded]:
        return [r for r in self.requests if (method is None or r.method == method) and contains in r.path]

    # -- routing ---------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers, body) -> tuple:
        if self.gate is not None and (answer := self.gate(method, raw_path, body)) is not None:
            return answer
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query))
        segs = parts.path.strip("/").split("/")
        auth = headers.get("Authorization") or headers.get("PRIVATE-TOKEN")
        with self._lock:
            self.requests.append(Recorded(method, parts.path, query, auth, body))
            if segs[:2] == ["api", "v3"]:
                return self._github(method, segs[2:], query, headers, body)
            if segs[:2] == ["api", "v4"]:
                return self._gitlab(method, segs[2:], query, headers, body)
            return 404, {"message": "Not Found"}

    def _forced(self, method: str, route: str):
        if self.queued.get((method, route)):
            return self.queued[(method, route)].pop(0)
        return self.fail.get((method, route))

    def _branch_sha(self, branch: str, git_dir: str | None = None) -> str | None:
        git_dir = git_dir or self.git_dir
        if git_dir is None:
            return "0" * 40
        proc = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "--verify", "--quiet",
                               f"refs/heads/{branch}"], capture_output=True, text=True)
        return proc.stdout.strip() or None

    # -- GitHub ----------------------------------------------------------------------------

    def _github(self, method, segs, query, headers, body):
        auth = headers.get("Authorization", "")
        if auth not in (f"Bearer {self.token}", f"token {self.token}"):
            return 401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
        repo = "/".join(segs[1:3])
        if segs[:1] != ["repos"] or repo not in self.github_repos:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        rest = segs[3:]
        owner = repo.split("/")[0]
        if rest == ["pulls"] and method == "GET":
            return self._forced("GET", "list") or (200, [
                p for p in self.pulls
                if p["base"]["repo"]["full_name"] == repo
                and (query.get("state", "open") in ("all", p["state"]))
                and ("head" not in query or query["head"] == p["head"]["label"])
                and ("base" not in query or query["base"] == p["base"]["ref"])
            ])
        if rest == ["pulls"] and method == "POST":
            if forced := self._forced("POST", "create"):
                return forced
            missing = [k for k in ("title", "head", "base") if not body.get(k)]
            if missing:
                return 422, _gh_invalid(missing[0], "missing_field")
            sha = self._branch_sha(body["head"], self.github_repos[repo])
            if sha is None:
                return 422, _gh_invalid("head", "invalid")
            label = f"{owner}:{body['head']}"
            mine = [p for p in self.pulls if p["base"]["repo"]["full_name"] == repo]
            if any(p["state"] == "open" and p["head"]["label"] == label and p["base"]["ref"] == body["base"] for p in mine):
                return 422, {"message": "Validation Failed", "errors": [
                    {"resource": "PullRequest", "code": "custom", "message": f"A pull request already exists for {label}."}]}
            n = len(mine) + 1
            pr = {
                "id": 1000 + len(self.pulls) + 1, "number": n, "state": "open", "title": body["title"], "body": body.get("body"),
                "draft": bool(body.get("draft")), "html_url": f"https://github.example/{repo}/pull/{n}",
                "head": {"ref": body["head"], "label": label, "sha": sha},
                "base": {"ref": body["base"], "repo": {"full_name": repo}},
                "labels": [], "requested_reviewers": [], "requested_teams": [],
            }
            self.pulls.append(pr)
            return 201, pr
        if len(rest) == 2 and rest[0] == "pulls" and method == "PATCH":
            pr = self._gh_pull(repo, rest[1])
            if pr is None:
                return 404, {"message": "Not Found"}
            if forced := self._forced("PATCH", "update"):
                return forced
            for key in ("title", "body", "state", "base"):
                if key in body:
                    pr[key] = body[key] if key != "base" else {"ref": body[key], "repo": {"full_name": repo}}
            return 200, pr
        if len(rest) == 3 and rest[0] == "issues" and rest[2] == "labels" and method == "POST":
            pr = self._gh_pull(repo, rest[1])
            if pr is None:
                return 404, {"message": "Not Found"}
            if forced := self._forced("POST", "labels"):
                return forced
            for name in body.get("labels", []):
                if name not in [lb["name"] for lb in pr["labels"]]:
                    pr["labels"].append({"id": len(pr["labels"]) + 1, "name": name})
            return 200, pr["labels"]
        if len(rest) == 3 and rest[0] == "pulls" and rest[2] == "requested_reviewers" and method == "POST":
            pr = self._gh_pull(repo, rest[1])
            if pr is None:
                return 404, {"message": "Not Found"}
            pr["requested_reviewers"] += [{"login": u} for u in body.get("reviewers", [])]
            pr["requested_teams"] += [{"slug": t} for t in body.get("team_reviewers", [])]
            return 201, pr
        return 404, {"message": "Not Found"}

    def _gh_pull(self, repo: str, number: str) -> dict | None:
        return next((p for p in self.pulls if p["base"]["repo"]["full_name"] == repo and str(p["number"]) == number), None)

    # -- GitLab ----------------------------------------------------------------------------

    def _gitlab(self, method, segs, query, headers, body):
        token = headers.get("PRIVATE-TOKEN") or headers.get("Authorization", "").removeprefix("Bearer ")
        if token != self.token:
            return 401, {"message": "401 Unauthorized"}
        if segs == ["users"] and method == "GET":
            uid = self.users.get(query.get("username", ""))
            return 200, ([{"id": uid, "username": query["username"], "state": "active"}] if uid else [])
        if segs[:1] != ["projects"] or len(segs) < 3 or unquote(segs[1]) != self.gitlab_repo:
            return 404, {"message": "404 Project Not Found"}
        rest = segs[2:]
        if rest == ["merge_requests"] and method == "GET":
            return self._forced("GET", "list") or (200, [
                m for m in self.merge_requests
                if query.get("state", "all") in ("all", m["state"])
                and query.get("source_branch", m["source_branch"]) == m["source_branch"]
                and query.get("target_branch", m["target_branch"]) == m["target_branch"]
            ])
        if rest == ["merge_requests"] and method == "POST":
            if forced := self._forced("POST", "create"):
                return forced
            missing = [k for k in ("source_branch", "target_branch", "title") if not body.get(k)]
            if missing:
                return 400, {"error": f"{missing[0]} is missing"}
            dup = next((m for m in self.merge_requests
                        if m["state"] == "opened" and m["source_branch"] == body["source_branch"]), None)
            if dup:
                return 409, {"message": [f"Another open merge request already exists for this source branch: !{dup['iid']}"]}
            iid = len(self.merge_requests) + 1
            mr = {
                "id": 2000 + iid, "iid": iid, "state": "opened", "title": body["title"],
                "description": body.get("description"), "source_branch": body["source_branch"],
                "target_branch": body["target_branch"], "draft": body["title"].startswith("Draft:"),
                "web_url": f"https://gitlab.example/{self.gitlab_repo}/-/merge_requests/{iid}",
                "labels": [s for s in (body.get("labels") or "").split(",") if s],
                "reviewers": [{"id": i} for i in body.get("reviewer_ids", [])],
                "sha": self._branch_sha(body["source_branch"]),
            }
            self.merge_requests.append(mr)
            return 201, mr
        if len(rest) == 2 and rest[0] == "merge_requests" and method == "PUT":
            mr = next((m for m in self.merge_requests if str(m["iid"]) == rest[1]), None)
            if mr is None:
                return 404, {"message": "404 Not found"}
            if forced := self._forced("PUT", "update"):
                return forced
            if "description" in body:
                mr["description"] = body["description"]
            mr["labels"] += [s for s in (body.get("add_labels") or "").split(",") if s and s not in mr["labels"]]
            if "reviewer_ids" in body:
                mr["reviewers"] = [{"id": i} for i in body["reviewer_ids"]]
            return 200, mr
        return 404, {"message": "404 Not Found"}


def _quiet_on_disconnect(handle_error):
    """A client that went away (a killed test subject) is no error of the fake forge's."""

    def handle(request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            handle_error(request, client_address)

    return handle


def _gh_invalid(field: str, code: str) -> dict:
    return {"message": "Validation Failed", "errors": [{"resource": "PullRequest", "field": field, "code": code}],
            "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"}


def _handler(forge: FakeForge):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            status, doc, *extra = forge.handle(self.command, self.path, self.headers, body)
            out = json.dumps(doc).encode()
            self.send_response(status)
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PATCH = do_PUT = _serve

        def log_message(self, *args):  # keep test output clean
            pass

    return Handler
