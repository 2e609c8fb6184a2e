"""The campaign's state: one SQLite row per repository, written as each outcome arrives, so a
run that is killed resumes where it stopped and `campaign status` can report at any time."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass

from .work import ERROR, NOTHING, PUSH_REFUSED, PUSHED, VERIFY_FAILED

PENDING = "pending"  # handed to a worker, no outcome yet
FIXED = "fixed"  # pushed, and its pull request opened or updated
PR_FAILED = "pr-failed"  # pushed, but the forge refused the pull request
DONE = (FIXED, NOTHING)  # skipped by a later run
FAILED = (VERIFY_FAILED, PUSH_REFUSED, PR_FAILED, ERROR)  # skipped unless --retry-failed
# PENDING and PUSHED rows are what a killed run left: a later run does them again

_SCHEMA = """
CREATE TABLE IF NOT EXISTS repos (
    repo TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    base TEXT NOT NULL DEFAULT '',
    branch TEXT NOT NULL DEFAULT '',
    fixes TEXT NOT NULL DEFAULT '{}',
    unfixed TEXT NOT NULL DEFAULT '{}',
    pr_number INTEGER,
    pr_url TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
)
"""


class StateError(Exception):
    pass


@dataclass(frozen=True)
class Row:
    repo: str
    url: str
    status: str
    detail: str
    base: str
    branch: str
    fixes: tuple[tuple[str, int], ...]  # (rule, fixes applied)
    unfixed: tuple[tuple[str, int], ...]  # (rule, findings left without a fix)
    pr_number: int | None
    pr_url: str
    attempts: int
    updated: float


class State:
    def __init__(self, path: str, create: bool = True) -> None:
        if not create and not os.path.isfile(path):
            raise StateError(f"{path}: no such campaign state file (`gofixleaks campaign run` writes it)")
        try:
            if not create:
                # mode=ro: `status` on a missing file is an error, not a new empty campaign
                self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            else:
                self.db = sqlite3.connect(path)
                self.db.execute(_SCHEMA)
                self.db.commit()
            self.rows()  # a file that is not a campaign's state fails here
        except sqlite3.Error as e:
            raise StateError(f"{path}: not a campaign state file ({e})") from None

    def close(self) -> None:
        self.db.close()

    def rows(self) -> list[Row]:
        cur = self.db.execute("SELECT repo, url, status, detail, base, branch, fixes, unfixed, pr_number, pr_url, "
                              "attempts, updated FROM repos ORDER BY repo")
        return [Row(*r[:6], _counts(r[6]), _counts(r[7]), *r[8:]) for r in cur.fetchall()]

    def get(self, repo: str) -> Row | None:
        return next((r for r in self.rows() if r.repo == repo), None)

    def start(self, repo: str, url: str) -> None:
        """The repository is handed to a worker (a kill now leaves it PENDING, done again later)."""
        self.db.execute(
            "INSERT INTO repos (repo, url, status, updated, attempts) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT(repo) DO UPDATE SET url = excluded.url, status = excluded.status, detail = '', "
            "attempts = attempts + 1, updated = excluded.updated",
            (repo, url, PENDING, time.time()))
        self.db.commit()

    def record(self, repo: str, status: str, detail: str = "", *, base: str = "", branch: str = "",
               fixes=(), unfixed=(), pr_number: int | None = None, pr_url: str = "") -> None:
        self.db.execute(
            "UPDATE repos SET status = ?, detail = ?, base = ?, branch = ?, fixes = ?, unfixed = ?, "
            "pr_number = COALESCE(?, pr_number), pr_url = COALESCE(NULLIF(?, ''), pr_url), updated = ? WHERE repo = ?",
            (status, detail, base, branch, json.dumps(dict(fixes)), json.dumps(dict(unfixed)), pr_number, pr_url,
             time.time(), repo))
        self.db.commit()


def _counts(text: str) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((str(k), int(v)) for k, v in json.loads(text or "{}").items()))


def should_run(row: Row | None, retry_failed: bool) -> bool:
    if row is None or row.status in (PENDING, PUSHED):
        return True
    return retry_failed and row.status in FAILED
