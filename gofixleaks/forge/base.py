"""What every forge provider shares: the pull-request record, errors, and JSON over HTTP
with the standard library (one request per call, no retries: a failure is reported, not hidden)."""

from __future__ import annotations

import contextlib
import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .. import __version__
from ..textsafe import redact

TIMEOUT = 30  # seconds per request


class ForgeError(Exception):
    """A failed API call, as one line that never contains the token. ``opened`` is the
    pull request when the failure came after it was opened (adding labels, say)."""

    opened: "PullRequest | None" = None
    status: int | None = None  # the HTTP status of the answer (None: no answer)
    retry_after: float | None = None  # seconds the forge asked to wait before trying again

    @property
    def rate_limited(self) -> bool:
        """429, or GitHub's 403 for an exhausted primary or a secondary rate limit."""
        return self.status == 429 or self.status == 403 and (
            self.retry_after is not None or "rate limit" in str(self).lower())


@dataclass(frozen=True)
class PullRequest:
    number: int  # GitHub's number, GitLab's iid
    url: str  # the page a person opens
    body: str


class Forge:
    """A pull-request API: find the open one for a branch, open one, refresh one."""

    name = ""  # "github" or "gitlab", for messages
    kind = "pull request"  # what the forge calls it
    token_vars: tuple[str, ...] = ()

    def __init__(self, api_url: str, repo: str, token: str):
        self.api_url = api_url.rstrip("/")
        self.repo = repo
        self._token = token

    def find_open(self, branch: str, base: str) -> PullRequest | None:
        raise NotImplementedError

    def create(self, branch: str, base: str, title: str, body: str, draft: bool,
               labels: tuple[str, ...], reviewers: tuple[str, ...]) -> PullRequest:
        raise NotImplementedError

    def update(self, pr: PullRequest, body: str, labels: tuple[str, ...], reviewers: tuple[str, ...]) -> PullRequest:
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        """Headers every request carries."""
        return {}

    def _auth_headers(self) -> dict[str, str]:
        """The token's header(s): never forwarded on a redirect, which may lead to another host."""
        raise NotImplementedError

    def request(self, method: str, path: str, query: dict | None = None, payload=None):
        """Send one JSON request to ``api_url + path``; return the decoded JSON answer."""
        url = self.api_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": f"gofixleaks/{__version__}", **self._headers()}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        for name, value in self._auth_headers().items():
            req.add_unredirected_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            err = ForgeError(self._describe(method, path, e.code, e.reason, e.read()))
            err.status, err.retry_after = e.code, retry_after(e.headers, time.time())
            raise err from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise ForgeError(f"{self.name} API at {self.api_url} unreachable: {reason}") from None
        try:
            return json.loads(raw) if raw.strip() else None
        except ValueError:
            raise ForgeError(f"{self.name} API {method} {path}: answer is not JSON") from None

    def _describe(self, method: str, path: str, status: int, reason: str, raw: bytes) -> str:
        detail = redact(_error_detail(raw) or reason, [self._token])  # a server may echo the token
        hint = ""
        if status == 401:
            hint = f" (check {' or '.join(self.token_vars)})"
        elif status in (403, 404):
            hint = f" (does the token have write access to {self.repo}?)"
        return f"{self.name} API {method} {path}: HTTP {status}: {detail}{hint}"


def retry_after(headers, now: float) -> float | None:
    """How long the answer asks to wait: Retry-After (seconds or an HTTP date), else, once
    the rate limit is used up, until its reset time (GitHub's X-RateLimit-*, GitLab's RateLimit-*)."""
    value = (headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return float(value)
    if value:
        with contextlib.suppress(TypeError, ValueError):
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    for prefix in ("X-RateLimit-", "RateLimit-"):
        reset = (headers.get(prefix + "Reset") or "").strip()
        if headers.get(prefix + "Remaining") == "0" and reset.isdigit():
            return max(0.0, int(reset) - now)
    return None


def _error_detail(raw: bytes) -> str:
    """The human part of an error answer: GitHub's message and errors[], GitLab's message/error."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return ""
    if not isinstance(doc, dict):
        return ""
    parts = []
    for key in ("message", "error"):
        value = doc.get(key)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, (list, dict)):  # GitLab: {"message": {"field": ["problem"]}} or a list
            parts.append(json.dumps(value, sort_keys=True))
    for err in doc.get("errors") or []:
        if isinstance(err, dict):
            msg = err.get("message") or " ".join(str(err.get(k)) for k in ("resource", "field", "code") if err.get(k))
            if msg:
                parts.append(str(msg))
        elif isinstance(err, str):
            parts.append(err)
    return "; ".join(parts).replace("\n", " ")
