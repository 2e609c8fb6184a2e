"""Pull requests for a campaign, opened or updated by the driver one at a time: a rate limiter
keeps writes well under the forges' secondary limits, and a rate-limited answer (429, or
GitHub's 403) is retried after the wait the forge asks for, with tenacity."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import tenacity

from ..forge import Forge, ForgeError, PullRequest
from .work import Outcome

MAX_WAIT = 900.0  # never sleep longer than this for one retry
# GitHub: with no Retry-After or reset time, wait at least a minute before retrying a rate limit
RATE_LIMIT_WAIT = 60.0
SERVER_ERROR_WAIT = 2.0


class RateLimiter:
    """At most ``per_minute`` calls of ``wait`` a minute, evenly spaced (0: no limit)."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_slot = float("-inf")

    def wait(self) -> None:
        now = self.clock()
        if now < self.next_slot:
            self.sleep(self.next_slot - now)
            now = self.next_slot
        self.next_slot = now + self.interval


@dataclass(frozen=True)
class Settings:
    draft: bool = True
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    attempts: int = 5  # tries of one pull request when the forge says to slow down


def _retryable(e: BaseException) -> bool:
    return isinstance(e, ForgeError) and (e.rate_limited or (e.status or 0) in (500, 502, 503, 504))


def _wait(state: tenacity.RetryCallState) -> float:
    e = state.outcome.exception()
    if isinstance(e, ForgeError) and e.retry_after is not None:
        return min(e.retry_after, MAX_WAIT)
    base = RATE_LIMIT_WAIT if isinstance(e, ForgeError) and e.rate_limited else SERVER_ERROR_WAIT
    return min(base * 2 ** (state.attempt_number - 1), MAX_WAIT)


class Proposer:
    def __init__(self, limiter: RateLimiter, settings: Settings, notify: Callable[[str], None],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.limiter, self.settings, self.notify, self.sleep = limiter, settings, notify, sleep

    def propose(self, forge: Forge, outcome: Outcome) -> tuple[PullRequest, str]:
        """Open the pull request for a pushed branch, or update the open one, as `pr` does;
        returns it with what happened ("opened", "updated", "is up to date"). Each try asks
        the forge afresh for the open pull request, so a retry never opens a second one."""

        def before_sleep(state: tenacity.RetryCallState) -> None:
            self.notify(f"{outcome.repo}: {state.outcome.exception()}; "
                        f"retrying in {state.upcoming_sleep:.0f} s (try {state.attempt_number + 1} of {self.settings.attempts})")

        retrying = tenacity.Retrying(retry=tenacity.retry_if_exception(_retryable), wait=_wait, sleep=self.sleep,
                                     stop=tenacity.stop_after_attempt(self.settings.attempts),
                                     before_sleep=before_sleep, reraise=True)
        return retrying(self._once, forge, outcome)

    def _once(self, forge: Forge, outcome: Outcome) -> tuple[PullRequest, str]:
        s = self.settings
        found = forge.find_open(outcome.branch, outcome.base)
        if found is None:
            self.limiter.wait()
            return forge.create(outcome.branch, outcome.base, outcome.title, outcome.body, s.draft, s.labels, s.reviewers), "opened"
        if found.body != outcome.body or s.labels or s.reviewers:
            self.limiter.wait()  # a write
        verb = "is up to date" if outcome.unchanged and found.body == outcome.body else "updated"
        return forge.update(found, outcome.body, s.labels, s.reviewers), verb
