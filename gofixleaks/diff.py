"""Unified diffs that `git apply` accepts, and applying a chosen subset of a diff's hunks."""

from __future__ import annotations

import difflib
import os

import unidiff

from . import worktree


def diff_path(abspath: str, root: str | None) -> str:
    """The path as `git apply` wants it: relative to the repository root (or the cwd)."""
    rel = worktree.relative(root, abspath) if root else None
    return rel if rel is not None else os.path.relpath(abspath).replace(os.sep, "/")


def unified(old: bytes, new: bytes, path: str, context: int = 3) -> str:
    """A git-style unified diff of one file. Lines keep their endings (CRLF included), so
    applying it restores the bytes exactly."""
    a = lines(old.decode("utf-8"))
    b = lines(new.decode("utf-8"))
    body = list(difflib.unified_diff(a, b, f"a/{path}", f"b/{path}", n=context))
    if not body:
        return ""
    out = [f"diff --git a/{path} b/{path}\n"]
    for ln in body:
        if ln.endswith("\n"):
            out.append(ln)
        else:  # last line without a newline
            out.append(ln + "\n\\ No newline at end of file\n")
    return "".join(out)


def hunks(patch: str) -> list[unidiff.Hunk]:
    ps = unidiff.PatchSet(patch)
    return [h for f in ps for h in f]


def apply_hunks(old: bytes, selected: list[unidiff.Hunk]) -> bytes:
    """Apply ``selected`` hunks (from a diff of ``old``) to ``old``; the rest stay out.
    Raises ValueError if a hunk's context no longer matches."""
    src = lines(old.decode("utf-8"))
    out: list[str] = []
    pos = 0  # index into src
    for h in sorted(selected, key=lambda h: h.source_start):
        start = h.source_start - 1 if h.source_length else h.source_start
        if start < pos:
            raise ValueError("overlapping hunks")
        out.extend(src[pos:start])
        pos = start
        for ln in h:
            if ln.is_context or ln.is_removed:
                if pos >= len(src) or _strip_eol(src[pos]) != _strip_eol(ln.value):
                    raise ValueError(f"hunk at line {h.source_start} does not apply")
                if ln.is_context:
                    out.append(src[pos])
                pos += 1
            elif ln.is_added:
                out.append(ln.value)
    out.extend(src[pos:])
    return "".join(out).encode("utf-8")


def lines(text: str) -> list[str]:
    """Lines with their endings, split at "\n" only: str.splitlines would also split at
    form feeds and U+2028, which Go source may hold and git does not treat as line ends."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _strip_eol(s: str) -> str:
    return s.rstrip("\r\n")
