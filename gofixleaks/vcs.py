"""Git through GitPython, as small functions: find the work tree, tell which files have
uncommitted changes, read committed content, commit exact file contents, and write
work-tree files all or nothing. Where to look for the work tree, paths relative to it and
the one line a failed git command is reported as are worktree.py's, which `pr` uses too."""

from __future__ import annotations

import io
import os

import git
from git.index.base import IndexFile
from git.index.typ import BaseIndexEntry
from git.objects.commit import Commit
from gitdb.base import IStream

from .worktree import problem, relative, start_dir

_REGULAR_FILE = 0o100644


class VcsError(Exception):
    """Not a usable git work tree, or a git operation failed: the CLI prints it and exits 2."""


def _git(repo: git.Repo, command: str, *args: str, **kwargs) -> str:
    """``git command args...`` in ``repo``'s work tree; its stdout. A failure (say a corrupt
    index: GitPython opens the repository and reads HEAD without git, so only here does it
    show) is a VcsError with git's own line, which the CLI reports."""
    status, out, err = getattr(repo.git, command.replace("-", "_"))(
        *args, with_extended_output=True, with_exceptions=False, **kwargs)
    if status != 0:
        raise VcsError(f"git {command}: {problem(err, f'exited {status}')}")
    return out


def open_repo(path: str) -> git.Repo:
    """The work tree containing ``path`` (a file or a directory)."""
    start = start_dir(path)
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise VcsError(f"{os.path.abspath(start)} is not inside a git work tree") from None
    if repo.bare or repo.working_tree_dir is None:
        raise VcsError(f"{repo.git_dir} is a bare repository; run inside a work tree")
    return repo


def head_sha(repo: git.Repo) -> str:
    try:
        return repo.head.commit.hexsha
    except ValueError:
        raise VcsError("the repository has no commits yet; commit something first") from None


def operation_in_progress(repo: git.Repo) -> str | None:
    """A merge, rebase, cherry-pick, revert or bisect under way: a commit of ours would
    cut across it."""
    for name, what in (("MERGE_HEAD", "a merge"), ("rebase-merge", "a rebase"), ("rebase-apply", "a rebase or am"),
                       ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert"), ("BISECT_LOG", "a bisect")):
        if os.path.exists(os.path.join(repo.git_dir, name)):
            return what
    return None


def relpath(repo: git.Repo, abspath: str) -> str:
    """``abspath`` relative to the work tree root, with forward slashes (git's spelling)."""
    rel = relative(repo.working_tree_dir, abspath)
    if rel is None:
        raise VcsError(f"{abspath} is outside the work tree {os.path.realpath(repo.working_tree_dir)}")
    return rel


def uncommitted(repo: git.Repo) -> dict[str, str]:
    """Paths (relative to the root) that differ from HEAD in the index or the work tree,
    or are untracked, mapped to their two-letter `git status` code."""
    out = _git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", strip_newline_in_stdout=False)
    entries = out.split("\0")
    status: dict[str, str] = {}
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        status[path] = code
        if code[0] in "RC":  # a rename or copy names its source next: that path changed too
            status[entries[i]] = code
            i += 1
    return status


def committed(repo: git.Repo, path: str) -> bytes | None:
    """The content of ``path`` (relative to the root) at HEAD, or None if HEAD lacks it."""
    blob = _at(repo.head.commit, path)
    return None if blob is None else blob.data_stream.read()


def _at(commit: Commit, path: str):
    """The object at ``path`` in ``commit``'s tree, or None."""
    try:
        return commit.tree[path]
    except KeyError:
        return None


def commit_files(repo: git.Repo, files: dict[str, bytes], message: str, parent: str | None = None) -> str:
    """Commit exactly ``files`` (root-relative path -> content) on top of HEAD and return
    the new commit's sha. The tree is HEAD's with those files replaced, so whatever else the
    user has staged stays staged and out of the commit; the index entries of ``files`` that
    matched HEAD are moved to the new content so they do not show as changed. ``parent``:
    the commit the contents were computed on; if HEAD is elsewhere, nothing is committed."""
    parent = repo.commit(parent) if parent is not None else repo.head.commit
    before = {path: _at(parent, path) for path in files}
    entries = []
    for path, data in sorted(files.items()):
        stored = repo.odb.store(IStream("blob", len(data), io.BytesIO(data)))
        mode = _REGULAR_FILE if before[path] is None else before[path].mode
        entries.append(BaseIndexEntry((mode, stored.binsha, 0, path)))
    index = IndexFile.from_tree(repo, parent)  # a temporary index: the real one is left alone
    index.add(entries)
    commit = Commit.create_from_tree(repo, index.write_tree(), message, parent_commits=[parent])
    # compare-and-swap: a commit made meanwhile by someone else is an error, not lost
    try:
        _git(repo, "update-ref", "-m", f"commit: {commit.summary}", "HEAD", commit.hexsha, parent.hexsha)
    except VcsError as e:
        raise VcsError(f"HEAD moved while committing; nothing was committed ({e})") from None
    staged = {e.path: e for e in repo.index.entries.values()}
    for entry in entries:
        current = staged.get(entry.path)
        old = before[entry.path]
        if current is None or (old is not None and current.binsha == old.binsha):
            _git(repo, "update-index", "--add", "--cacheinfo", f"{entry.mode:o},{entry.hexsha},{entry.path}")
    return commit.hexsha
