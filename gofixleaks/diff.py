"""Unified diffs that `git apply` accepts, and applying a chosen subset of a diff's hunks."""

from __future__ import annotations

import difflib
import os

import unidiff

from . import worktree


def diff_path(abspath: str, root: str) -> str:
    """The path as `git apply` wants it: relative to ``root`` (the repository's or module's),
    or to the cwd for a file outside it."""
    rel = worktree.relative(root, abspath)
    return rel if rel is not None else os.path.relpath(abspath).replace(os.sep, "/")


Opcode = tuple[str, int, int, int, int]  # difflib's: (tag, i1, i2, j1, j2)

# Regions up to this many line pairs go to difflib as they are; larger ones are first cut at
# lines that occur once on each side (patience diff's anchors).
_DIRECT = 40_000


def opcodes(a: list[str], b: list[str]) -> list[Opcode]:
    """difflib's opcodes for ``a`` -> ``b``, in near-linear time on large files.

    difflib compares every line with every other (quadratic: a 0.8 MB file with 10,000
    fixes took minutes). A small pair of files goes to difflib as it is. A large one has its
    common head and tail cut, and what remains is cut at lines unique to both sides that
    keep their order (the longest increasing run, as patience diff does): difflib sees only
    the small regions between those anchors."""
    if len(a) * len(b) <= _DIRECT:  # small: exactly difflib's answer
        return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out: list[Opcode] = []
    _diff(a, b, 0, len(a), 0, len(b), out)
    merged: list[Opcode] = []
    for op in out:
        if merged and merged[-1][0] == op[0] == "equal":
            t, i1, _, j1, _ = merged[-1]
            merged[-1] = (t, i1, op[2], j1, op[4])
        elif op[1] != op[2] or op[3] != op[4]:
            merged.append(op)
    return merged


def _diff(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int, out: list[Opcode]) -> None:
    head = 0
    while i1 + head < i2 and j1 + head < j2 and a[i1 + head] == b[j1 + head]:
        head += 1
    tail = 0
    while i2 - tail > i1 + head and j2 - tail > j1 + head and a[i2 - tail - 1] == b[j2 - tail - 1]:
        tail += 1
    if head:
        out.append(("equal", i1, i1 + head, j1, j1 + head))
    lo_a, hi_a, lo_b, hi_b = i1 + head, i2 - tail, j1 + head, j2 - tail
    anchors = _anchors(a, b, lo_a, hi_a, lo_b, hi_b) if (hi_a - lo_a) * (hi_b - lo_b) > _DIRECT else []
    if anchors:
        pa, pb = lo_a, lo_b
        for x, y in anchors:
            _diff(a, b, pa, x, pb, y, out)
            out.append(("equal", x, x + 1, y, y + 1))
            pa, pb = x + 1, y + 1
        _diff(a, b, pa, hi_a, pb, hi_b, out)
    elif hi_a > lo_a or hi_b > lo_b:
        sm = difflib.SequenceMatcher(None, a[lo_a:hi_a], b[lo_b:hi_b], autojunk=False)
        out += [(t, x1 + lo_a, x2 + lo_a, y1 + lo_b, y2 + lo_b) for t, x1, x2, y1, y2 in sm.get_opcodes()]
    if tail:
        out.append(("equal", i2 - tail, i2, j2 - tail, j2))


def _anchors(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines unique within each region and equal, in increasing order on
    both sides (the longest such run)."""
    count: dict[str, list[int]] = {}
    for i in range(i1, i2):
        count.setdefault(a[i], [0, -1, 0, -1])
        c = count[a[i]]
        c[0] += 1
        c[1] = i
    for j in range(j1, j2):
        c = count.get(b[j])
        if c is not None:
            c[2] += 1
            c[3] = j
    pairs = sorted((c[1], c[3]) for c in count.values() if c[0] == 1 and c[2] == 1)
    # longest increasing subsequence of the b positions (patience sorting)
    tails: list[int] = []  # index into pairs of the smallest tail of each length
    prev = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        n = _lis_pos(pairs, tails, j)
        if n > 0:
            prev[k] = tails[n - 1]
        if n == len(tails):
            tails.append(k)
        else:
            tails[n] = k
    run, k = [], tails[-1] if tails else -1
    while k != -1:
        run.append(pairs[k])
        k = prev[k]
    return run[::-1]


def _lis_pos(pairs: list[tuple[int, int]], tails: list[int], j: int) -> int:
    lo, hi = 0, len(tails)
    while lo < hi:
        mid = (lo + hi) // 2
        if pairs[tails[mid]][1] < j:
            lo = mid + 1
        else:
            hi = mid
    return lo


def unified(old: bytes, new: bytes, path: str, context: int = 3) -> str:
    """A git-style unified diff of one file. Lines keep their endings (CRLF included), so
    applying it restores the bytes exactly."""
    a = lines(old.decode("utf-8"))
    b = lines(new.decode("utf-8"))
    groups = _grouped(opcodes(a, b), context)
    if not groups:
        return ""
    out = [f"diff --git a/{path} b/{path}\n", f"--- a/{path}\n", f"+++ b/{path}\n"]
    for group in groups:
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + ln for ln in a[i1:i2]]
                continue
            out += ["-" + ln for ln in a[i1:i2]]
            out += ["+" + ln for ln in b[j1:j2]]
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in out)


def _grouped(ops: list[Opcode], n: int) -> list[list[Opcode]]:
    """Hunks of changes with up to ``n`` lines of context, as difflib groups them."""
    if not any(t != "equal" for t, *_ in ops):
        return []
    ops = list(ops)
    if ops[0][0] == "equal":  # no more than n lines of leading and trailing context
        t, i1, i2, j1, j2 = ops[0]
        ops[0] = (t, max(i1, i2 - n), i2, max(j1, j2 - n), j2)
    if ops[-1][0] == "equal":
        t, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (t, i1, min(i2, i1 + n), j1, min(j2, j1 + n))
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for t, i1, i2, j1, j2 in ops:
        if t == "equal" and i2 - i1 > 2 * n:  # a long unchanged run splits hunks
            group.append((t, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((t, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def _range(start: int, stop: int) -> str:
    """A unified diff's line range, as difflib writes it."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1  # an empty range begins at the line before
    return f"{beginning},{length}"


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
