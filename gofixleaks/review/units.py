"""The hunks of a file's change, one unit per fix: any subset of the units applies to the
original, and each unit has a key that stays the same across sessions."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import unidiff

from .. import diff as diff_mod, edits
from ..engine import AppliedFix, FileResult
from ..source import SourceFile

CONTEXT = 3


@dataclass
class Unit:
    """The change of one fix in one file, or of fixes too entangled to split (overlapping
    edits, a shared import, a fix that exists only because of another)."""

    path: str  # repository-relative
    hunks: list[unidiff.Hunk]  # as proposed, against FileReview.base
    fixes: list[AppliedFix]
    fingerprint: str = ""  # what the change is, without line numbers
    key: str = ""  # fingerprint + occurrence in the file: stable across sessions
    decision: str | None = None  # "y", "n", or None while undecided
    edited: list[unidiff.Hunk] | None = None  # the person's version, after `e`
    link: str | None = None  # units with one link are decided together (across files)

    @property
    def current(self) -> list[unidiff.Hunk]:
        return self.edited if self.edited is not None else self.hunks

    @property
    def rule(self) -> str:
        return self.fixes[0].rule if self.fixes else "other"


@dataclass
class FileReview:
    path: str  # repository-relative
    abspath: str
    base: bytes  # what the hunks apply to: the committed content
    disk: bytes  # the work tree's content (differs from base with --allow-dirty, or if ours)
    units: list[Unit] = field(default_factory=list)
    # disk is base with this review's accepted units applied (by an earlier --no-commit
    # run of it), so the new content is computed from base again
    ours: bool = False


def text_lines(data: bytes | str) -> list[str]:
    return diff_mod.lines(data.decode("utf-8") if isinstance(data, bytes) else data)


def _changes(a: list[str], b: list[str]) -> list[tuple[int, int, int, int]]:
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in diff_mod.opcodes(a, b) if tag != "equal"]


def _touch(x: tuple[int, int], y: tuple[int, int]) -> bool:
    """Do two changes, as ranges [i1, i2) of original lines, meet? Ends count: an insertion
    at i meets a change of lines ending or starting at i (the full diff may have joined
    them; two changes of the full diff always have an unchanged line between them)."""
    return x[0] <= y[1] and y[0] <= x[1]


def entangled(result: FileResult) -> bool:
    """Did the engine apply a fix that no finding of the original file offered: one of a
    later round (it exists only because an earlier fix changed the code) or of context
    plumbing (it goes with changes in other files)? Such a file's changes are not split."""
    return bool(result.follow_on)


def build_units(path: str, result: FileResult, context: int = CONTEXT, link: str | None = None) -> list[Unit]:
    """Split ``result``'s change (original -> fixed) into units, one per fix where the
    fixes allow it; any subset of the units applies to the original. ``link``: see Unit."""
    a, b = text_lines(result.original), text_lines(result.fixed)
    groups = _changes(a, b)
    if entangled(result):
        comp = [0] * len(groups)
        parts = [(list(range(len(groups))), list(result.applied))] if groups else []
    else:
        comp, parts = _components(path, result, a, groups)
    texts = _hunk_texts(a, b, groups, comp, context)
    out = []
    for members, fixes in parts:
        body = "".join(texts[g] for g in members if g in texts)
        hunks = diff_mod.hunks(f"--- a/{path}\n+++ b/{path}\n{body}")
        fixes = sorted(set(fixes), key=lambda fx: (fx.line, fx.rule, fx.reason))
        out.append(Unit(path, hunks, fixes, _fingerprint(path, hunks, fixes), link=link))
    assign_keys(out)
    return out


def _components(path: str, result: FileResult, a: list[str], groups) -> tuple[list[int], list]:
    """Which changes of the full diff go together. Ownership comes from applying each fix
    alone to the original: a change belongs to every fix whose solo change meets it, and
    the changes of one fix, or shared by two, form one component. Returns each change's
    component and the components as (changes, fixes)."""
    parent = list(range(len(groups)))

    def find(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    owners: list[list[AppliedFix]] = [[] for _ in groups]
    sf = SourceFile(path, result.original)
    applied = {(ap.rule, ap.start) for ap in result.applied}
    for f in result.findings:
        if not f.fixes or (f.rule, f.start) not in applied:  # e.g. dropped by --verify
            continue
        fx = f.fixes[0]
        solo_edits = list(fx.edits)
        imp = edits.import_edit(sf, fx.imports)
        if imp is not None:
            solo_edits.append(imp)
        try:
            solo = _changes(a, text_lines(edits.apply(result.original, solo_edits)))
        except edits.EditConflict:
            continue
        met = [g for g, (i1, i2, _, _) in enumerate(groups) if any(_touch((i1, i2), (s1, s2)) for s1, s2, _, _ in solo)]
        for g in met:
            owners[g].append(AppliedFix(f.rule, f.line, f.message, fx.message, fx.follow_ups, f.start))
            parent[find(g)] = find(met[0])
    # a change no fix claims (it should not happen) goes with its nearest neighbour:
    # coarser, never half a fix
    owned = [g for g in range(len(groups)) if owners[g]]
    for g in range(len(groups)):
        if not owners[g] and owned:
            near = min(owned, key=lambda o: _distance(groups[o], groups[g][0]))
            parent[find(g)] = find(near)
    members: dict[int, list[int]] = {}
    for g in range(len(groups)):
        members.setdefault(find(g), []).append(g)
    parts = [(ms, [fx for g in ms for fx in owners[g]]) for ms in sorted(members.values())]
    return [find(g) for g in range(len(groups))], parts


def _distance(group: tuple[int, int, int, int], line: int) -> int:
    i1, i2 = group[0], max(group[0], group[1] - 1)
    return 0 if i1 <= line <= i2 else min(abs(line - i1), abs(line - i2))


def _hunk_texts(a, b, groups, comp, context) -> dict[int, str]:
    """Unified-diff hunks: changes of one unit closer than 2*context lines share a hunk;
    neighbouring hunks of different units split the lines between them, so that no two
    hunks overlap and any subset of them applies. Keyed by each hunk's first change."""
    chunks: list[list[int]] = []
    for g, (i1, _, _, _) in enumerate(groups):
        if chunks and comp[chunks[-1][-1]] == comp[g] and i1 - groups[chunks[-1][-1]][1] <= 2 * context:
            chunks[-1].append(g)
        else:
            chunks.append([g])
    texts = {}
    for n, chunk in enumerate(chunks):
        lo, hi = groups[chunk[0]][0], groups[chunk[-1]][1]
        before = lo - (groups[chunks[n - 1][-1]][1] if n else 0)
        after = (groups[chunks[n + 1][0]][0] if n + 1 < len(chunks) else len(a)) - hi
        lead = min(context, before if n == 0 else (before + 1) // 2)
        trail = min(context, after if n + 1 == len(chunks) else after // 2)
        s, e = lo - lead, hi + trail
        body: list[str] = []
        pos = s
        for g in chunk:
            i1, i2, j1, j2 = groups[g]
            body += [" " + ln for ln in a[pos:i1]]
            body += ["-" + ln for ln in a[i1:i2]]
            body += ["+" + ln for ln in b[j1:j2]]
            pos = i2
        body += [" " + ln for ln in a[pos:e]]
        t = groups[chunk[0]][2] - lead
        texts[chunk[0]] = hunk_header(s, t, body, _section(a, s)) + "".join(_terminated(ln) for ln in body)
    return texts


def _section(a: list[str], s: int) -> str:
    """What git prints after @@: the nearest line above the hunk that starts a declaration
    (git's default: a line starting with a letter, '_' or '$')."""
    for ln in reversed(a[:s]):
        if ln[:1].isalpha() or ln[:1] in "_$":
            return ln.rstrip()[:80]
    return ""


def hunk_header(s: int, t: int, body: list[str], section: str = "") -> str:
    """@@ line for a hunk whose source starts at 0-based line ``s`` (target ``t``)."""
    src = sum(1 for ln in body if ln[0] in " -")
    tgt = sum(1 for ln in body if ln[0] in " +")
    return f"@@ -{s + 1 if src else s},{src} +{t + 1 if tgt else t},{tgt} @@{' ' + section if section else ''}\n"


def _terminated(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


def _fingerprint(path: str, hunks: list[unidiff.Hunk], fixes: list[AppliedFix]) -> str:
    h = hashlib.sha256(path.encode())
    for fx in fixes:
        h.update(f"\0{fx.rule}\0{fx.reason}".encode())
    for hunk in hunks:
        for ln in hunk:
            if ln.is_added or ln.is_removed:
                h.update(f"\0{ln.line_type}{ln.value}".encode())
    return h.hexdigest()[:20]


def assign_keys(units: list[Unit]) -> None:
    """Twin fixes (two identical `defer t.Stop()`) are told apart by their order."""
    seen: Counter = Counter()
    for u in units:
        u.key = f"{u.fingerprint}.{seen[u.fingerprint]}"
        seen[u.fingerprint] += 1


def patch_text(unit: Unit) -> str:
    """The unit's hunks as shown, edited and saved (its edited version, if any)."""
    return "".join(str(h) for h in unit.current)
