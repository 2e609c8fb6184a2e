#!/usr/bin/env python3
"""Materialise the precision corpus: every repository of repos.toml at its pinned commit.

    python bench/corpus/fetch.py [--mirror DIR] [--dest DIR] [--only NAME ...]

Each repository becomes ``DEST/<name>`` (default ``bench/corpus/.src/``, git-ignored), a git
work tree of its own checked out at the pinned commit. It is a clone, not an extracted
archive, because gofixleaks reads the files ``git ls-files`` lists inside a work tree: a plain
tree below this repository's ignored ``.src/`` would be ignored whole.

Source of each clone:
- ``--mirror DIR``: a local git directory ``DIR/<owner>+<name>`` (or its ``repo/`` child, as
  the search tool's ``fetch`` lays snapshots out), cloned with ``--shared`` (no copy of the
  objects);
- otherwise the repository's URL (``git clone --filter=blob:none``, then the commit).

Idempotent: a destination already at the pinned commit with unchanged Go files is left
alone; one at another commit, or with changed Go files, is checked out again. Nothing is built or run. Standard library only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Repo:
    name: str
    url: str
    commit: str
    kind: str
    why: str

    @property
    def slug(self) -> str:
        """``owner+name`` as mirror directories are named."""
        owner, name = self.url.rstrip("/").removesuffix(".git").split("/")[-2:]
        return f"{owner}+{name}"


def load_repos(path: Path = HERE / "repos.toml") -> list[Repo]:
    with open(path, "rb") as f:
        return [Repo(**entry) for entry in tomllib.load(f)["repo"]]


def git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip().splitlines()[-1:]}")
    return proc.stdout.strip()


def mirror_gitdir(mirror: Path, repo: Repo) -> Path | None:
    for candidate in (mirror / repo.slug / "repo", mirror / repo.slug):
        if (candidate / "HEAD").is_file() or (candidate / ".git").exists():
            return candidate
    return None


def materialise(repo: Repo, dest: Path, mirror: Path | None) -> str:
    """Bring ``dest`` to ``repo.commit``; say what was done."""
    if (dest / ".git").exists():
        head = git("rev-parse", "HEAD", cwd=dest)
        # Only Go files count: snapshots lack files of 4 MiB and more (test data), which
        # then show as deleted in every checkout.
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "*.go", cwd=dest)
        if head == repo.commit and not dirty:
            return "up to date"
        git("checkout", "-q", "--force", repo.commit, cwd=dest)
        return f"checked out again (was {head[:12]})"
    dest.parent.mkdir(parents=True, exist_ok=True)
    source = mirror_gitdir(mirror, repo) if mirror else None
    if mirror and source is None:
        raise RuntimeError(f"no mirror of {repo.slug} under {mirror}")
    if source:
        git("clone", "-q", "--shared", "--no-checkout", str(source), str(dest))
    else:
        git("clone", "-q", "--filter=blob:none", "--no-checkout", repo.url, str(dest))
    git("checkout", "-q", "--detach", repo.commit, cwd=dest)
    return f"cloned from {source or repo.url}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, help="directory of local mirrors named owner+name")
    ap.add_argument("--dest", type=Path, default=HERE / ".src", help="where the work trees go")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="only this repo (repeatable)")
    args = ap.parse_args(argv)
    repos = [r for r in load_repos() if not args.only or r.name in args.only]
    unknown = set(args.only) - {r.name for r in repos}
    if unknown:
        print(f"fetch.py: unknown repo(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    failed = 0
    for repo in repos:
        try:
            print(f"{repo.name}: {materialise(repo, args.dest / repo.name, args.mirror)}")
        except RuntimeError as exc:
            failed += 1
            print(f"{repo.name}: failed: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
