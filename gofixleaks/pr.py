"""`gofixleaks pr`: fix the base branch in a temporary worktree, push the fixes to a
branch of their own, and open (or refresh) the pull request that proposes them.

Order matters for failures: everything that can be checked without side effects (options,
token, remote branches, the forge's answer for the open pull request) is checked before the
push, and a branch this run created is deleted again if the pull request cannot be opened."""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import re
import shlex
from dataclasses import dataclass
from typing import Callable

from . import __version__, forge as forge_mod, gomod, verify, worktree
from .changeset import ChangeItem, commit_message, subject
from .engine import FileResult
from .textsafe import printable, redact

TRAILER = "Generated-by: gofixleaks"
MAX_BRANCH = 80


class PRError(Exception):
    """One line for the user; ``code`` is the exit status (2: usage, 1: the rest)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Request:
    base: str
    remote: str = "origin"
    branch: str | None = None
    title: str | None = None
    draft: bool = False
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    dry_run: bool = False
    provider: str | None = None
    repo: str | None = None
    api_url: str | None = None
    rules: tuple[str, ...] = ()  # the --rule selection, part of the default branch name
    insecure: bool = False  # allow an API reached over plain http (the token in clear text)


@dataclass(frozen=True)
class Fixed:
    """One applied fix, with its repository-relative path."""

    rule: str
    path: str
    line: int
    reason: str
    fix: str
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unfixed:
    """A finding with no automatic fix: listed so reviewers know it is still there."""

    rule: str
    path: str
    line: int
    reason: str
    why_not: str


def default_branch(base: str, rel_paths: list[str], rules: tuple[str, ...]) -> str:
    """`gofixleaks/<scope>`: the same base, paths and rules give the same branch, so a
    re-run finds the branch and pull request it made before."""
    parts = [base] + [p for p in rel_paths if p != "."] + sorted(rules)
    scope = "-".join(parts)
    slug = re.sub(r"[^A-Za-z0-9._]+", "-", scope).strip("-.") or "fixes"
    slug = re.sub(r"\.{2,}", ".", slug)
    if len(slug) > MAX_BRANCH:
        digest = hashlib.sha1(scope.encode("utf-8")).hexdigest()[:8]
        slug = slug[: MAX_BRANCH - 9].rstrip("-.") + "-" + digest
    if slug.endswith(".lock"):
        slug = slug[: -len(".lock")] + "-lock"
    return f"gofixleaks/{slug}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell, its control characters escaped."""
    return printable(" ".join(text.split())).replace("|", "\\|")


def check_commands(fixed: list[Fixed], module_dirs: list[str], remote: str, branch: str,
                   rules: tuple[str, ...]) -> list[str]:
    """Shell commands a reviewer runs to check the branch: build, test, re-scan."""
    cmds = [f"git fetch {shlex.quote(remote)} {shlex.quote(branch)} && git switch --detach FETCH_HEAD"]
    for d in module_dirs:
        prefix = "" if d == "." else f"(cd {shlex.quote(d)} && "
        suffix = "" if d == "." else ")"
        cmds.append(f"{prefix}go vet ./... && go test ./...{suffix}")
    where = " ".join(shlex.quote(d) for d in sorted({posixpath.dirname(f.path) or "." for f in fixed}))
    only = "".join(f"--rule {shlex.quote(r)} " for r in rules)
    cmds.append(f"gofixleaks scan {only}{where}   # the fixed findings are gone")
    return cmds


def render_body(fixed: list[Fixed], unfixed: list[Unfixed], *, base: str, remote: str, branch: str,
                module_dirs: list[str], rerun: str, rules: tuple[str, ...] = (), verification: tuple[str, ...] = ()) -> str:
    """The pull request's description: what was fixed and why, what is left, how it was
    verified (``verification``: --verify's summary line, then its notes), how to check it."""
    files = len({f.path for f in fixed})
    lines = [
        f"gofixleaks found goroutine leaks on `{base}` and rewrote them into safe code: "
        f"{_count(len(fixed), 'fix', 'fixes')} in {_count(files, 'file', 'files')}.",
        "",
        "| Rule | Location | Why it leaked | Fix |",
        "| --- | --- | --- | --- |",
    ]
    for f in sorted(fixed, key=lambda f: (f.path, f.line, f.rule)):
        lines.append(f"| `{f.rule}` | `{_cell(f.path)}:{f.line}` | {_cell(f.reason)} | {_cell(f.fix)} |")
    follow_ups = [(f, text) for f in fixed for text in f.follow_ups]
    if follow_ups:
        lines += ["", "### Follow-ups", ""]
        lines += [f"- `{f.path}:{f.line}`: {_cell(text)}" for f, text in follow_ups]
    if unfixed:
        lines += ["", "### Found but not fixed automatically", "",
                  "| Rule | Location | Why it leaks | Why no fix |", "| --- | --- | --- | --- |"]
        for u in sorted(unfixed, key=lambda u: (u.path, u.line, u.rule)):
            lines.append(f"| `{u.rule}` | `{_cell(u.path)}:{u.line}` | {_cell(u.reason)} | {_cell(u.why_not) or '-'} |")
    if verification:
        lines += ["", "### Verification", "", f"--verify {verification[0]}.", ""]
        lines += [f"- {printable(' '.join(note.split()))}" for note in verification[1:]]  # they quote vet and tests
    lines += [
        "",
        "### How to check",
        "",
        "```sh",
        *check_commands(fixed, module_dirs, remote, branch, rules),
        "```",
        "",
        "`gofixleaks rules NAME` explains each rule with a before and after.",
        "",
        "---",
        f"<sub>Generated by gofixleaks {__version__}. Running `{rerun}` again "
        "updates this branch and description instead of opening another.</sub>",
        "",
    ]
    return "\n".join(lines)


def _module_dirs(wt: str, rel_files: list[str]) -> list[str]:
    dirs = set()
    for rel in rel_files:
        go_mod = gomod.find_go_mod(os.path.dirname(os.path.join(wt, rel)))
        # a go.mod above the worktree (none in the repository) stands for its root
        dirs.add((go_mod and worktree.relative(wt, os.path.dirname(go_mod))) or ".")
    return sorted(dirs)


@dataclass(frozen=True)
class Proposal:
    """What `pr` commits and proposes for the fixes made in a worktree."""

    message: str  # the commit message
    title: str
    body: str
    files: tuple[str, ...]  # the fixed files, worktree-relative, already written
    fixed: tuple[Fixed, ...]


def prepare(wt: str, results: list[FileResult], req: Request, rel_paths: list[str], branch: str) -> Proposal:
    """Write the changed files of ``results`` into the worktree ``wt`` and compose the
    commit message, title and body (`campaign` proposes its fixes with it too)."""
    fixed, rel_files = [], []
    for r in results:
        if not r.changed:
            continue
        rel = worktree.relative(wt, r.abspath)
        rel_files.append(rel)
        with open(r.abspath, "wb") as fh:
            fh.write(r.fixed)
        fixed += [Fixed(a.rule, rel, a.line, a.reason, a.fix, a.follow_ups) for a in r.applied]
    unfixed = [Unfixed(f.rule, worktree.relative(wt, r.abspath), f.line, f.message, " ".join(f.notes))
               for r in results for f in r.findings if not f.fixable]
    items = [ChangeItem(f.rule, f.path, f.line, f.reason) for f in fixed]
    q = shlex.quote
    rerun = " ".join(["gofixleaks pr", *(q(p) for p in rel_paths if p != "."), *(f"--rule {q(r)}" for r in req.rules),
                      *([f"--branch {q(branch)}"] if req.branch else []), f"--base {q(req.base)}"])
    checked = verify.summarize(results, lambda r: worktree.relative(wt, r.abspath))
    body = render_body(fixed, unfixed, base=req.base, remote=req.remote, branch=branch,
                       module_dirs=_module_dirs(wt, rel_files), rerun=rerun, rules=req.rules,
                       verification=(checked.line(), *checked.notes) if checked.judged else ())
    return Proposal(commit_message(items), req.title or subject(items), body, tuple(rel_files), tuple(fixed))


def _only_ours(root: str, base: str, tip: str) -> bool:
    """Whether the branch at ``tip`` is what `pr` pushes: one commit, with one parent, on
    the base's history, carrying the trailer. The trailer on the tip proves nothing alone: a
    squash-merged pull request carries it too, on top of someone's own commits. The push
    that replaces the branch is leased on exactly this ``tip``."""
    since = worktree.commits_since(root, base, tip)
    return len(since) == 1 and since[0][1] == 1 and TRAILER in worktree.message_of(root, tip)


def run(paths: tuple[str, ...], req: Request, compute: Callable[[tuple[str, ...]], list[FileResult]],
        echo: Callable[..., None], env: dict[str, str] | None = None) -> None:
    """Do the whole `pr` command; raises PRError with one line on failure."""
    env = os.environ if env is None else env
    # every token this run could hold: none of them is ever printed, whoever echoes it
    secrets = [env[v] for cls in forge_mod.PROVIDERS.values() for v in cls.token_vars if env.get(v)]

    def say(message: str, **kwargs) -> None:
        echo(redact(message, secrets), **kwargs)

    try:
        _run(paths or (".",), req, compute, say, env)
    except PRError as e:
        raise PRError(redact(str(e), secrets), e.code) from None
    except worktree.GitError as e:
        raise PRError(redact(str(e), secrets)) from None
    except forge_mod.SetupError as e:
        raise PRError(redact(str(e), secrets), code=2) from None
    except forge_mod.ForgeError as e:
        raise PRError(redact(str(e), secrets)) from None


def _run(paths, req: Request, compute, echo, env) -> None:
    root = worktree.toplevel(paths[0])
    rel_paths = []
    for p in paths:
        rel = worktree.relative(root, p)
        if rel is None:
            raise PRError(f"{p}: outside the repository at {root}", code=2)
        rel_paths.append(rel)
    branch = req.branch or default_branch(req.base, rel_paths, req.rules)
    if not worktree.valid_branch_name(root, branch):
        raise PRError(f"{branch!r} is not a valid branch name", code=2)
    if branch == req.base:
        raise PRError("the pull request branch cannot be the base branch", code=2)
    try:
        forge = forge_mod.resolve(worktree.remote_url(root, req.remote), req.provider, req.repo, req.api_url,
                                  env, need_token=not req.dry_run, insecure=req.insecure)
    except forge_mod.SetupError:
        if not req.dry_run:
            raise
        forge = None  # a dry run calls no API: what cannot be inferred is not needed
    kind = forge.kind if forge else forge_mod.PROVIDERS[req.provider].kind if req.provider else "pull request"

    heads = worktree.remote_heads(root, req.remote, req.base, branch)
    if req.base not in heads:
        raise PRError(f"base branch {req.base!r} not found on remote {req.remote!r}")
    existing = heads.get(branch)
    worktree.fetch(root, req.remote, *([req.base, branch] if existing else [req.base]))
    if existing and not _only_ours(root, heads[req.base], existing):
        raise PRError(f"remote branch {branch!r} has commits gofixleaks did not make; "
                      "not overwriting them (choose another with --branch)")

    with worktree.temporary_worktree(root, heads[req.base]) as wt:
        for p, rel in zip(paths, rel_paths):
            if not os.path.exists(os.path.join(wt, rel)):
                raise PRError(f"{p}: not on {req.remote}/{req.base}", code=2)
        results = compute(tuple(posixpath.join(wt, p) for p in rel_paths))
        for r in results:
            if r.error:
                echo(printable(f"gofixleaks: {worktree.relative(wt, r.abspath)}: error: {r.error}"), err=True)
        changed = [r for r in results if r.changed]
        if not changed:
            echo(f"gofixleaks: nothing to fix on {req.remote}/{req.base}; no branch pushed, no {kind} opened")
            return
        proposal = prepare(wt, results, req, rel_paths, branch)
        message, title, body, rel_files = proposal.message, proposal.title, proposal.body, list(proposal.files)
        if req.dry_run:
            echo(f"branch: {branch} (onto {req.remote}/{req.base})\ntitle: {title}\n\n"
                 f"--- commit message ---\n{message}\n--- {kind} body ---\n{body}")
            return
        commit_id = worktree.commit(wt, rel_files, message)

        # Ask the forge first: a bad token or repository fails here, before anything is pushed.
        pr = forge.find_open(branch, req.base)
        unchanged = existing is not None and worktree.tree_of(root, existing) == worktree.tree_of(root, commit_id)
        if not unchanged:
            try:
                worktree.push(root, req.remote, commit_id, branch, existing)
            except worktree.GitError as e:
                raise PRError(f"push of {branch!r} to {req.remote!r} rejected: {e}") from None
        try:
            if pr is None:
                pr = forge.create(branch, req.base, title, body, req.draft, req.labels, req.reviewers)
                echo(f"gofixleaks: opened {forge.kind} #{pr.number}: {pr.url}")
            else:
                state = "is up to date" if unchanged and pr.body == body else "updated"
                pr = forge.update(pr, body, req.labels, req.reviewers)
                echo(f"gofixleaks: {forge.kind} #{pr.number} {state}: {pr.url}")
        except forge_mod.ForgeError as e:
            if e.opened is not None:  # too late to take anything back: say what exists
                raise PRError(f"opened {forge.kind} #{e.opened.number} ({e.opened.url}), but {e}") from None
            if existing is None:
                # The branch exists only because of this run: take it back, best effort.
                with contextlib.suppress(worktree.GitError):
                    worktree.delete_remote_branch(root, req.remote, branch, commit_id)
            raise
