"""The campaign driver: which repositories to do, who does them (a local process pool or a
Dask cluster), and the pull requests, opened here one at a time as the pushes come back."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Callable, Iterator

from .. import forge as forge_mod
from . import work
from .proposals import Proposer, RateLimiter, Settings
from .repos import CampaignError, RepoSpec
from .report import LABELS
from .state import FAILED, FIXED, PR_FAILED, State, should_run

CONNECT_TIMEOUT = "10s"  # to reach the Dask scheduler


@dataclass(frozen=True)
class Options:
    state: str
    workdir: str
    cluster: str | None = None  # tcp://HOST:PORT of a Dask scheduler; None: a local process pool
    jobs: int = 0  # local pool size (0: one per core)
    base: str | None = None
    rules: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    verify: str = "vet"  # vet, tests or none
    verify_timeout: float = 120.0  # s, a package's tests with verify tests
    retry_failed: bool = False
    provider: str | None = None
    api_url: str | None = None
    per_minute: float = 4.0  # pull requests opened or updated a minute, at most
    proposals: Settings = field(default_factory=Settings)


def run(specs: list[RepoSpec], opts: Options, echo: Callable[..., None], env) -> int:
    """Do the campaign; 0 when no repository failed in this run, else 1. Raises
    CampaignError (or forge.SetupError) for what stops it before any work starts."""
    state = State(opts.state)
    try:
        rows = {r.repo: r for r in state.rows()}
        todo = [s for s in specs if should_run(rows.get(s.repo), opts.retry_failed)]
        # every forge and token is checked before anything is cloned or pushed
        forges = {s.repo: forge_mod.resolve(s.url, opts.provider, s.repo, opts.api_url, env, need_token=True) for s in todo}
        for s in specs:
            if s not in todo:
                echo(f"{s.repo}: skipped: {LABELS[rows[s.repo].status]} in an earlier run" +
                     (" (--retry-failed retries it)" if rows[s.repo].status in FAILED else ""))
        proposer = Proposer(RateLimiter(opts.per_minute), opts.proposals, lambda m: echo(f"gofixleaks: {m}", err=True))
        failed = 0
        with _executor(opts) as executor:
            futures = {}
            for s in todo:
                state.start(s.repo, s.url)
                job = work.Job(s.repo, s.url, opts.workdir, opts.base, opts.rules, opts.excludes, opts.verify,
                               opts.verify_timeout)
                futures[executor.submit(work.do, job)] = s
            for fut in as_completed(futures):
                outcome = _outcome(fut, futures[fut])
                failed += _finish(state, forges[outcome.repo], proposer, outcome, echo) in FAILED
        return 1 if failed else 0
    finally:
        state.close()


# sun_path's size on Linux, with its terminating NUL
UNIX_PATH_MAX = 108


def start_method() -> str:
    """forkserver where it can listen, else spawn. Not fork: the driver may have threads (a forge
    client, a Dask client in the same process). forkserver's socket is a file under the temp dir,
    and a long TMPDIR leaves no room for its name (``listener-`` and 8 characters)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"
    socket = os.path.join(multiprocessing.util.get_temp_dir(), "listener-" + "x" * 8)
    return "forkserver" if len(os.fsencode(socket)) < UNIX_PATH_MAX else "spawn"


@contextlib.contextmanager
def _executor(opts: Options) -> Iterator[Executor]:
    if not opts.cluster:
        pool = ProcessPoolExecutor(max_workers=opts.jobs or os.cpu_count() or 1,
                                   mp_context=multiprocessing.get_context(start_method()))
        try:
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)
        return
    try:
        from distributed import Client
    except ImportError:
        raise CampaignError("--cluster needs Dask: pip install 'gofixleaks[campaign]'") from None
    try:
        client = Client(opts.cluster, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        raise CampaignError(f"cannot reach the Dask scheduler at {opts.cluster}: {e}") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()


def _outcome(fut, spec: RepoSpec) -> work.Outcome:
    try:
        return fut.result()
    except Exception as e:  # the worker died or could not run the task: this repository only
        return work.Outcome(spec.repo, work.ERROR, f"worker failed: {type(e).__name__}: {e}")


def _finish(state: State, forge: forge_mod.Forge, proposer: Proposer, o: work.Outcome, echo) -> str:
    """Record the outcome, open or update the pull request of a pushed branch; the final status."""
    kept = dict(base=o.base, branch=o.branch, fixes=o.fixes, unfixed=o.unfixed)
    n_fixes = sum(n for _, n in o.fixes)
    if o.status != work.PUSHED:
        state.record(o.repo, o.status, o.detail, **kept)
        echo(f"{o.repo}: {LABELS[o.status]}" + (f": {o.detail}" if o.detail else ""))
        return o.status
    state.record(o.repo, work.PUSHED, **kept)  # a kill before the pull request: done again
    try:
        pull, verb = proposer.propose(forge, o)
    except forge_mod.ForgeError as e:
        opened = e.opened
        detail = f"opened {forge.kind} #{opened.number} ({opened.url}), but {e}" if opened else str(e)
        state.record(o.repo, PR_FAILED, detail, **kept, pr_number=opened.number if opened else None,
                     pr_url=opened.url if opened else "")
        echo(f"{o.repo}: {LABELS[PR_FAILED]}: {detail}")
        return PR_FAILED
    state.record(o.repo, FIXED, f"{forge.kind} #{pull.number} {verb}", **kept, pr_number=pull.number, pr_url=pull.url)
    echo(f"{o.repo}: {forge.kind} #{pull.number} {verb}: {pull.url} ({n_fixes} fix{'' if n_fixes == 1 else 'es'}"
         + (f", --verify dropped {o.dropped}" if o.dropped else "") + ")")
    return FIXED
