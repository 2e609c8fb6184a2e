"""The accepted units written to the work tree and committed, all or nothing."""

from __future__ import annotations

import copy
import signal
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import unidiff
from rich.console import Console
from rich.text import Text

from .. import atomic, changeset, diff as diff_mod, registry, vcs
from ..source import parse, read_regular
from ..textsafe import printable
from .units import FileReview, Unit, text_lines


def _relocated(hunk: unidiff.Hunk, lines: list[str]) -> unidiff.Hunk | None:
    """``hunk`` moved to where its old lines are in ``lines`` (nearest first, as patch
    does), or None if they are nowhere."""
    old = [ln.value.rstrip("\r\n") for ln in hunk if ln.is_context or ln.is_removed]
    start = hunk.source_start - 1 if hunk.source_length else hunk.source_start
    have = [ln.rstrip("\r\n") for ln in lines]
    for offset in sorted(range(-start, len(lines) - len(old) - start + 1), key=abs):
        if have[start + offset : start + offset + len(old)] == old:
            moved = copy.copy(hunk)
            moved.source_start += offset
            return moved
    return None


@dataclass(frozen=True)
class Now:
    """A file as it is when the accepted units are applied, which may not be as it was
    read: review waits for answers, and meanwhile a commit may move HEAD or the person may
    edit the file."""

    base: bytes | None  # committed at the HEAD the fixes are committed onto (None: not there)
    disk: bytes | None  # in the work tree (None: gone or unreadable)


@dataclass(frozen=True)
class Placed:
    """An accepted unit, with its hunks moved to where they apply now."""

    unit: Unit
    on_base: list[unidiff.Hunk]  # onto the committed content
    on_disk: list[unidiff.Hunk]  # onto the work-tree content


def plan(fr: FileReview, units: list[Unit], report: Callable[[str], None],
         now: Now | None = None) -> tuple[list[Placed], bytes]:
    """The units of ``fr`` that can be applied and the new work-tree content. Their hunks
    were made against ``fr.base``; the file as committed and on disk ``now`` (as read, if
    None) may differ from what review read. Each unit is then moved to where its lines
    are (nearest first, as patch does) in both; a unit that applies to one of them no
    longer is skipped and reported, and left out of the commit too. Bytes review did not
    read are never written over: every content is computed from the content now."""
    now = now or Now(fr.base, fr.disk)
    if now.base is None or now.disk is None:
        report(f"{fr.path}: not touched: it is no longer {'in HEAD' if now.base is None else 'readable'}")
        return [], b""
    if fr.ours:  # disk is base with this review's own earlier answers: computed from base
        if (now.base, now.disk) != (fr.base, fr.disk):
            report(f"{fr.path}: not touched: it changed while the review waited")
            return [], b""
        hunks = [h for u in units for h in u.current]
        return [Placed(u, u.current, u.current) for u in units], diff_mod.apply_hunks(fr.base, hunks)
    where = "as committed now" if now.base != fr.base else "as it is on disk"
    base_lines, disk_lines = text_lines(now.base), text_lines(now.disk)
    placed: list[Placed] = []
    for u in units:
        on_base = _placed(u.current, base_lines, now.base, [h for p in placed for h in p.on_base])
        on_disk = _placed(u.current, disk_lines, now.disk, [h for p in placed for h in p.on_disk])
        if on_base is None or on_disk is None:
            at = u.fixes[0].line if u.fixes else "?"
            report(f"{fr.path}: skipped {u.rule} at line {at}: it no longer applies to the file "
                   f"{where if on_base is None else 'as it is on disk'}")
            continue
        placed.append(Placed(u, on_base, on_disk))
    new_disk = diff_mod.apply_hunks(now.disk, [h for p in placed for h in p.on_disk])
    moved = (now.base, now.disk) != (fr.base, fr.disk)
    if moved and placed and _breaks(now.disk, new_disk):
        report(f"{fr.path}: not touched: its fixes, moved to where the file changed meanwhile, would not parse")
        return [], b""
    return placed, new_disk


def _placed(hunks: list[unidiff.Hunk], lines: list[str], content: bytes,
            taken: list[unidiff.Hunk]) -> list[unidiff.Hunk] | None:
    """``hunks`` moved to where they apply in ``content`` together with ``taken``, or None."""
    moved = [_relocated(h, lines) for h in hunks]
    if None in moved:
        return None
    try:
        diff_mod.apply_hunks(content, taken + moved)
    except ValueError:
        return None
    return moved


def _breaks(old: bytes, new: bytes) -> bool:
    return not parse(old).root_node.has_error and parse(new).root_node.has_error


@contextmanager
def _interrupts_deferred():
    """Hold Ctrl-C while files are written and committed; the caller looks at the list."""
    caught: list[bool] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    except ValueError:  # not the main thread: nothing to defer
        yield caught
        return
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class Outcome:
    applied: list[tuple[FileReview, Unit]]  # accepted and written
    commits: list[tuple[str | None, dict[str, bytes], list[changeset.ChangeItem]]]  # (rule, files, items)
    disk: dict[str, bytes]  # absolute path -> new work-tree content


def outcome(files: list[FileReview], per_rule: bool, report: Callable[[str], None],
            now: Mapping[str, Now] | None = None) -> Outcome:
    """What the decisions come to: the files to write and the commits to make, from the
    files as they are ``now`` (by absolute path; as read when missing). With ``per_rule``
    there is one commit per rule, each adding its rule's fixes to the last (linked units
    go into one commit, so that every commit builds). Units linked to a skipped one are
    skipped too: half of a change that spans files does not build."""
    now = now or {}
    rule_of = _commit_rules(files)
    order: list[str | None] = _rule_order(set(rule_of.values())) if per_rule else [None]
    accepted = {fr.abspath: [u for u in fr.units if u.decision == "y"] for fr in files}
    plans = {fr.abspath: plan(fr, accepted[fr.abspath], report, now.get(fr.abspath)) for fr in files if accepted[fr.abspath]}
    kept = {id(p.unit) for placed, _ in plans.values() for p in placed}
    broken = {u.link for us in accepted.values() for u in us if u.link and id(u) not in kept}
    out = Outcome([], [(rule, {}, []) for rule in order], {})
    for fr in files:
        placed, disk = plans.get(fr.abspath, ([], b""))
        if any(p.unit.link in broken for p in placed):
            for p in placed:
                if p.unit.link in broken:
                    at = p.unit.fixes[0].line if p.unit.fixes else "?"
                    report(f"{fr.path}: skipped {p.unit.rule} at line {at}: it goes with a fix that was skipped")
            placed = [p for p in placed if p.unit.link not in broken]
            disk = diff_mod.apply_hunks(_current(fr, now).disk, [h for p in placed for h in p.on_disk])
        if not placed:
            continue
        base = _current(fr, now).base
        out.applied += [(fr, p.unit) for p in placed]
        out.disk[fr.abspath] = disk
        for n, (rule, contents, items) in enumerate(out.commits):
            mine = [p.unit for p in placed if rule is None or rule_of[id(p.unit)] == rule]
            if mine:
                upto = [p for p in placed if rule is None or order.index(rule_of[id(p.unit)]) <= n]
                contents[fr.path] = diff_mod.apply_hunks(base, [h for p in upto for h in p.on_base])
                items += [changeset.ChangeItem(fx.rule, fr.path, fx.line, fx.reason) for u in mine for fx in u.fixes]
    out.commits = [c for c in out.commits if c[1]]
    return out


def _current(fr: FileReview, now: Mapping[str, Now]) -> Now:
    return now.get(fr.abspath) or Now(fr.base, fr.disk)


def finish(repo, files: list[FileReview], per_rule: bool, commit: bool, console: Console) -> tuple[Outcome, list[str]]:
    """Write the accepted units and commit them; returns what was done and the new commits.
    HEAD and every file are read again first, and the fixes put onto what they are now
    (see plan); the commits go onto that HEAD, and a file that changes again before it is
    written stops everything (atomic.Refused). All or nothing: on Ctrl-C or an error
    before the first commit, every file is put back."""
    head = vcs.head_sha(repo)
    now = {fr.abspath: _read_now(repo, fr) for fr in files if any(u.decision == "y" for u in fr.units)}
    out = outcome(files, per_rule, lambda msg: console.print(Text(printable(msg), style="yellow")), now)
    shas: list[str] = []
    if not out.disk:
        return out, shas
    before = {path: now[path].disk for path in out.disk}
    with _interrupts_deferred() as interrupted:
        atomic.write_files(out.disk, expected=before, tree=repo.working_tree_dir)
        try:
            if interrupted:
                raise KeyboardInterrupt
            for rule, contents, items in out.commits if commit else ():
                shas.append(vcs.commit_files(repo, contents, changeset.commit_message(items, rule=rule),
                                             parent=shas[-1] if shas else head))
        except BaseException:
            if not shas:
                atomic.write_files(before, expected=out.disk, tree=repo.working_tree_dir)
            raise
    return out, shas


def _read_now(repo, fr: FileReview) -> Now:
    try:
        disk = read_regular(fr.abspath)
    except OSError:
        disk = None
    return Now(vcs.committed(repo, fr.path), disk)


def _commit_rules(files: list[FileReview]) -> dict[int, str]:
    """The rule whose commit takes each unit (by id): its own, or for linked units the
    rule of the first of them."""
    first: dict[str, str] = {}
    return {id(u): first.setdefault(u.link, u.rule) if u.link else u.rule for fr in files for u in fr.units}


def _rule_order(rules: set[str]) -> list[str]:
    catalogue = list(registry.names())
    return sorted(rules, key=lambda r: (catalogue.index(r) if r in catalogue else len(catalogue), r))

