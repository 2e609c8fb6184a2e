"""GitLab (gitlab.com and self-hosted) merge requests (REST API v4)."""

from __future__ import annotations

from urllib.parse import quote

from .base import Forge, ForgeError, PullRequest


class GitLab(Forge):
    name = "gitlab"
    kind = "merge request"
    token_vars = ("GITLAB_TOKEN",)

    def _auth_headers(self) -> dict[str, str]:
        return {"PRIVATE-TOKEN": self._token}

    @property
    def _project(self) -> str:
        # A project is addressed by its URL-encoded full path: group%2Fsubgroup%2Fname.
        return "/projects/" + quote(self.repo, safe="")

    def find_open(self, branch: str, base: str) -> PullRequest | None:
        found = self.request("GET", self._project + "/merge_requests",
                             {"source_branch": branch, "target_branch": base, "state": "opened"})
        return _mr(found[0]) if found else None

    def create(self, branch, base, title, body, draft, labels, reviewers) -> PullRequest:
        payload = {
            "source_branch": branch,
            "target_branch": base,
            # The create endpoint has no draft flag: GitLab reads it from the title prefix.
            "title": f"Draft: {title}" if draft else title,
            "description": body,
            "remove_source_branch": True,
        }
        if labels:
            payload["labels"] = ",".join(labels)
        if reviewers:
            payload["reviewer_ids"] = self._user_ids(reviewers)
        return _mr(self.request("POST", self._project + "/merge_requests", payload=payload))

    def update(self, pr, body, labels, reviewers) -> PullRequest:
        if body == pr.body and not labels and not reviewers:
            return pr
        # The description always goes along: older GitLab rejects an update made of
        # reviewer_ids alone ("at least one parameter must be provided").
        payload: dict = {"description": body}
        if labels:
            payload["add_labels"] = ",".join(labels)
        if reviewers:
            payload["reviewer_ids"] = self._user_ids(reviewers)
        return _mr(self.request("PUT", f"{self._project}/merge_requests/{pr.number}", payload=payload))

    def _user_ids(self, usernames: tuple[str, ...]) -> list[int]:
        """Reviewers are given by username; the API wants numeric user ids."""
        ids = []
        for name in usernames:
            found = self.request("GET", "/users", {"username": name})
            if not found:
                raise ForgeError(f"gitlab: no user named {name!r} (for --reviewer)")
            ids.append(int(found[0]["id"]))
        return ids


def _mr(doc: dict) -> PullRequest:
    return PullRequest(number=int(doc["iid"]), url=str(doc.get("web_url") or ""), body=doc.get("description") or "")
