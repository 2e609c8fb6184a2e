"""The git side of `gofixleaks pr`: read the remote, work in a temporary worktree, push.

Everything runs in a detached worktree outside the user's checkout, so their work tree,
index and current branch are never touched, and no local branch is ever created: the commit
is pushed straight to the remote branch. Plain `git` subprocesses keep git's own error text,
which is what a failure reports.

The path arithmetic of a work tree (where to ask git from, a path relative to the root) and
the one line a failed git command is reported as are here too, and vcs.py (git for `review`,
through GitPython) uses them: both commands agree on what is inside a checkout and speak of
git's failures alike."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from typing import Iterator


class GitError(Exception):
    """A git command failed; the message is one line."""


def git(*args: str, cwd: str, input: str | None = None) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, text=True)
    except OSError as e:
        raise GitError(f"cannot run git: {e.strerror or e}") from None
    if proc.returncode != 0:
        raise GitError(problem(proc.stderr, f"git {args[0]} exited {proc.returncode}"))
    return proc.stdout


# Credentials written into a remote URL (https://user:token@host/...) stay out of messages.
_USERINFO = re.compile(r"(://)[^/@\s]+@")


def problem(stderr: str, fallback: str) -> str:
    """What a failed git command said, as the one line a message has room for (``fallback``
    if it said nothing), with any credentials masked. vcs.py reports its failures so too."""
    return _USERINFO.sub(r"\1***@", _first_problem(stderr) or fallback)


def _first_problem(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for marker in ("! [", "fatal:", "error:"):  # a rejected ref says the most; then git's own verdict
        for ln in lines:
            if ln.startswith(marker):
                return ln
    return lines[-1] if lines else ""


def start_dir(path: str) -> str:
    """The directory to ask git from about ``path`` (a file or a directory)."""
    return path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)) or "."


def relative(root: str, path: str) -> str | None:
    """``path`` relative to the work tree ``root`` with forward slashes (git's spelling), or
    None if it lies outside. Both are resolved first: a checkout reached through a symlink
    is still the same checkout."""
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    if rel == ".." or rel.startswith(".." + os.sep):
        return None
    return rel.replace(os.sep, "/")


def toplevel(path: str) -> str:
    try:
        return git("rev-parse", "--show-toplevel", cwd=start_dir(path)).strip()
    except GitError:
        raise GitError(f"{path}: not inside a git repository") from None


def remote_url(root: str, remote: str) -> str:
    try:
        return git("remote", "get-url", remote, cwd=root).strip()
    except GitError:
        raise GitError(f"no git remote named {remote!r}") from None


def remote_heads(root: str, remote: str, *branches: str) -> dict[str, str]:
    """branch -> commit on the remote, for those of ``branches`` that exist there."""
    out = git("ls-remote", "--heads", remote, *(f"refs/heads/{b}" for b in branches), cwd=root)
    heads = {}
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        heads[ref.removeprefix("refs/heads/")] = sha
    return heads


def fetch(root: str, remote: str, *branches: str) -> None:
    """Bring the branches' commits into the object store. No local branch and no FETCH_HEAD
    is written; the remote-tracking branches (``origin/<branch>``) do move, as on any fetch."""
    git("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote,
        *(f"refs/heads/{b}" for b in branches), cwd=root)


@contextlib.contextmanager
def temporary_worktree(root: str, commit: str) -> Iterator[str]:
    """A detached worktree of ``commit`` in a temporary directory, removed on the way out
    whatever happens (an exception, SystemExit, Ctrl-C)."""
    path = tempfile.mkdtemp(prefix="gofixleaks-pr-")
    try:
        git("worktree", "add", "--quiet", "--detach", path, commit, cwd=root)
        yield path
    finally:
        with contextlib.suppress(GitError):
            git("worktree", "remove", "--force", path, cwd=root)
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(GitError):
            git("worktree", "prune", cwd=root)


def commit(worktree: str, paths: list[str], message: str) -> str:
    """Commit ``paths`` (worktree-relative) with ``message``; the new commit's id."""
    git("add", "--", *paths, cwd=worktree)
    git("commit", "--quiet", "--file", "-", cwd=worktree, input=message)
    return git("rev-parse", "HEAD", cwd=worktree).strip()


def tree_of(root: str, rev: str) -> str:
    return git("rev-parse", f"{rev}^{{tree}}", cwd=root).strip()


def message_of(root: str, rev: str) -> str:
    return git("log", "-1", "--format=%B", rev, cwd=root)


def commits_since(root: str, base: str, tip: str) -> list[tuple[str, int]]:
    """The commits reachable from ``tip`` but not from ``base``, newest first, each with its
    number of parents."""
    out = git("rev-list", "--parents", f"{base}..{tip}", cwd=root)
    return [(ids[0], len(ids) - 1) for ids in (line.split() for line in out.splitlines()) if ids]


def push(root: str, remote: str, commit_id: str, branch: str, expected: str | None) -> None:
    """Point the remote ``branch`` at ``commit_id``, only if it is still at ``expected``
    (None: only if it does not exist yet)."""
    ref = f"refs/heads/{branch}"
    git("push", "--quiet", f"--force-with-lease={ref}:{expected or ''}", remote,
        f"{commit_id}:{ref}", cwd=root)


def delete_remote_branch(root: str, remote: str, branch: str, expected: str) -> None:
    ref = f"refs/heads/{branch}"
    git("push", "--quiet", f"--force-with-lease={ref}:{expected}", remote, f":{ref}", cwd=root)


def valid_branch_name(root: str, name: str) -> bool:
    try:
        git("check-ref-format", "--branch", name, cwd=root)
    except GitError:
        return False
    return True
