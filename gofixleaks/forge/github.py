"""GitHub and GitHub Enterprise pull requests (REST API v3)."""

from __future__ import annotations

from urllib.parse import quote

from .base import Forge, ForgeError, PullRequest


class GitHub(Forge):
    name = "github"
    kind = "pull request"
    token_vars = ("GH_TOKEN", "GITHUB_TOKEN")

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    @property
    def _repo_path(self) -> str:
        return "/repos/" + quote(self.repo, safe="/")

    @property
    def _owner(self) -> str:
        return self.repo.split("/", 1)[0]

    def find_open(self, branch: str, base: str) -> PullRequest | None:
        found = self.request("GET", self._repo_path + "/pulls",
                             {"head": f"{self._owner}:{branch}", "base": base, "state": "open"})
        return _pr(found[0]) if found else None

    def create(self, branch, base, title, body, draft, labels, reviewers) -> PullRequest:
        pr = _pr(self.request("POST", self._repo_path + "/pulls",
                              payload={"title": title, "head": branch, "base": base, "body": body, "draft": draft}))
        try:
            self._decorate(pr, labels, reviewers)
        except ForgeError as e:
            e.opened = pr
            raise
        return pr

    def update(self, pr, body, labels, reviewers) -> PullRequest:
        if body != pr.body:
            pr = _pr(self.request("PATCH", f"{self._repo_path}/pulls/{pr.number}", payload={"body": body}))
        self._decorate(pr, labels, reviewers)
        return pr

    def _decorate(self, pr: PullRequest, labels: tuple[str, ...], reviewers: tuple[str, ...]) -> None:
        # Labels live on the issue behind the pull request; adding one already there is a no-op.
        if labels:
            self.request("POST", f"{self._repo_path}/issues/{pr.number}/labels", payload={"labels": list(labels)})
        if reviewers:
            # "org/team" names a team; GitHub wants the team's slug alone.
            users = [r for r in reviewers if "/" not in r]
            teams = [r.split("/", 1)[1] for r in reviewers if "/" in r]
            self.request("POST", f"{self._repo_path}/pulls/{pr.number}/requested_reviewers",
                         payload={"reviewers": users, "team_reviewers": teams})


def _pr(doc: dict) -> PullRequest:
    return PullRequest(number=int(doc["number"]), url=str(doc.get("html_url") or ""), body=doc.get("body") or "")
