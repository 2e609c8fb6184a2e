"""One repository's work, run on a worker (a local process or a Dask worker): shallow clone,
fix as `pr` does, verify, commit, push the branch `pr` would push. The pull request itself is
opened by the driver. ``do`` never raises: whatever goes wrong becomes the Outcome."""

from __future__ import annotations

import collections
import os
import shutil
import threading
from dataclasses import dataclass

from .. import config as config_mod, engine, pr, worktree
from ..discover import DiscoveryError, discover
from ..worktree import GitError, git

# statuses a worker reports; the driver turns PUSHED into a pull request (see state.py)
PUSHED, NOTHING, VERIFY_FAILED, PUSH_REFUSED, ERROR = "pushed", "nothing", "verify-failed", "push-refused", "error"
VERIFY_LEVELS = ("none", "vet")

# The engine's parser is one per process: a Dask worker running several tasks in threads
# takes turns through the analysis (clones and pushes still overlap).
_ENGINE = threading.Lock()


@dataclass(frozen=True)
class Job:
    repo: str  # OWNER/NAME
    url: str
    workdir: str  # where the clone goes, on the worker's machine
    base: str | None = None  # None: the repository's default branch
    rules: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    verify: str = "vet"  # vet, tests or none (verify.LEVELS)
    verify_timeout: float = 120.0  # s, a package's tests with verify tests


@dataclass(frozen=True)
class Outcome:
    repo: str
    status: str
    detail: str = ""  # one line: why, for the statuses that are not PUSHED or NOTHING
    base: str = ""
    branch: str = ""
    commit: str = ""
    unchanged: bool = False  # the remote branch already holds exactly these fixes
    title: str = ""
    body: str = ""
    fixes: tuple[tuple[str, int], ...] = ()  # (rule, fixes applied)
    unfixed: tuple[tuple[str, int], ...] = ()  # (rule, findings left without a fix)
    dropped: int = 0  # fixes --verify dropped


def do(job: Job) -> Outcome:
    clone = os.path.join(job.workdir, job.repo.replace("/", "__"))
    try:
        outcome = _do(job, clone)
    except (GitError, config_mod.ConfigError, DiscoveryError) as e:
        outcome = Outcome(job.repo, ERROR, str(e))
    except Exception as e:  # a bug costs this repository, never the campaign
        outcome = Outcome(job.repo, ERROR, f"internal error: {type(e).__name__}: {e}")
    if outcome.status in (PUSHED, NOTHING):  # a failure's clone stays for a look
        shutil.rmtree(clone, ignore_errors=True)
    return outcome


def _do(job: Job, clone: str) -> Outcome:
    shutil.rmtree(clone, ignore_errors=True)
    os.makedirs(job.workdir, exist_ok=True)
    git("clone", "--quiet", "--depth", "1", "--no-tags", *(["--branch", job.base] if job.base else []),
        job.url, clone, cwd=job.workdir)
    base = job.base or git("rev-parse", "--abbrev-ref", "HEAD", cwd=clone).strip()
    branch = pr.default_branch(base, [], job.rules)  # what `gofixleaks pr --base BASE` pushes
    existing = worktree.remote_heads(clone, "origin", branch).get(branch)
    if existing:
        git("fetch", "--quiet", "--depth", "1", "--no-tags", "--no-write-fetch-head", "origin",
            f"refs/heads/{branch}", cwd=clone)
        if pr.TRAILER not in worktree.message_of(clone, existing):
            return Outcome(job.repo, PUSH_REFUSED, f"remote branch {branch!r} has commits gofixleaks did not make; "
                           "not overwriting them", base, branch)
    results, problem = _fix(clone, job)
    if problem:
        return Outcome(job.repo, VERIFY_FAILED, problem, base, branch)
    dropped = sum(len(r.dropped) for r in results)
    unfixed = collections.Counter(f.rule for r in results for f in r.findings if not f.fixable)
    if not any(r.changed for r in results):
        if dropped:
            first = next(d for r in results for d in r.dropped)
            return Outcome(job.repo, VERIFY_FAILED, f"--verify dropped every fix ({dropped}): {first.message}",
                           base, branch, unfixed=_pairs(unfixed), dropped=dropped)
        return Outcome(job.repo, NOTHING, "", base, branch, unfixed=_pairs(unfixed))
    proposal = pr.prepare(clone, results, pr.Request(base, rules=job.rules), ["."], branch)
    commit = worktree.commit(clone, list(proposal.files), proposal.message)
    unchanged = existing is not None and worktree.tree_of(clone, existing) == worktree.tree_of(clone, commit)
    fixes = _pairs(collections.Counter(f.rule for f in proposal.fixed))
    if not unchanged:
        try:
            worktree.push(clone, "origin", commit, branch, existing)
        except GitError as e:
            return Outcome(job.repo, PUSH_REFUSED, f"push of {branch!r} rejected: {e}", base, branch, commit,
                           fixes=fixes, unfixed=_pairs(unfixed), dropped=dropped)
    return Outcome(job.repo, PUSHED, "", base, branch, commit, unchanged, proposal.title, proposal.body,
                   fixes, _pairs(unfixed), dropped)


def _fix(clone: str, job: Job) -> tuple[list[engine.FileResult], str | None]:
    """The fixes `pr` would make (every fix: a person reviews the pull request), verified
    at the job's level; or the reason verification could not run."""
    with _ENGINE:
        cfg = config_mod.load((clone,), job.rules, job.excludes, jobs=1, use_cache=False, unsafe_fixes=True)
        results = list(engine.run(discover((clone,), cfg.excludes), cfg, want_fixes=True))
        if job.verify != "none":
            from .. import verify

            try:
                results = verify.verify(results, cfg, job.verify, job.verify_timeout)
            except verify.VerifyError as e:
                return results, str(e)
    return results, None


def _pairs(counts: collections.Counter) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items()))
