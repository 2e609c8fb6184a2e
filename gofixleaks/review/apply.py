"""The accepted units written to the work tree and committed, all or nothing."""

from __future__ import annotations

import copy
import signal
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import unidiff
from rich.console import Console
from rich.text import Text

from .. import atomic, changeset, diff as diff_mod, registry, vcs
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


def plan(fr: FileReview, units: list[Unit], report: Callable[[str], None]) -> tuple[list[Unit], bytes]:
    """The units of ``fr`` that can be applied, and the new work-tree content. With
    uncommitted changes, a unit whose hunks no longer apply to the file on disk (even
    moved, as patch would) is skipped, reported, and left out of the commit too."""
    if fr.ours or fr.disk == fr.base:
        return units, diff_mod.apply_hunks(fr.base, [h for u in units for h in u.current])
    lines = text_lines(fr.disk)
    kept, moved = [], []
    for u in units:
        hunks = [_relocated(h, lines) for h in u.current]
        if None in hunks:
            report(f"{fr.path}: skipped {u.rule} at line {u.fixes[0].line if u.fixes else '?'}: "
                   "it no longer applies to the file as it is on disk")
            continue
        try:
            diff_mod.apply_hunks(fr.disk, moved + hunks)
        except ValueError:
            report(f"{fr.path}: skipped {u.rule}: it collides with your uncommitted changes")
            continue
        kept.append(u)
        moved += hunks
    return kept, diff_mod.apply_hunks(fr.disk, moved)


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


def outcome(files: list[FileReview], per_rule: bool, report: Callable[[str], None]) -> Outcome:
    """What the decisions come to: the files to write and the commits to make. With
    ``per_rule`` there is one commit per rule, each adding its rule's fixes to the last
    (linked units go into one commit, so that every commit builds)."""
    rule_of = _commit_rules(files)
    order: list[str | None] = _rule_order(set(rule_of.values())) if per_rule else [None]
    out = Outcome([], [(rule, {}, []) for rule in order], {})
    for fr in files:
        accepted = [u for u in fr.units if u.decision == "y"]
        kept, disk = plan(fr, accepted, report) if accepted else ([], b"")
        if not kept:
            continue
        out.applied += [(fr, u) for u in kept]
        out.disk[fr.abspath] = disk
        for n, (rule, contents, items) in enumerate(out.commits):
            mine = [u for u in kept if rule is None or rule_of[id(u)] == rule]
            if mine:
                upto = [u for u in kept if rule is None or order.index(rule_of[id(u)]) <= n]
                contents[fr.path] = diff_mod.apply_hunks(fr.base, [h for u in upto for h in u.current])
                items += [changeset.ChangeItem(fx.rule, fr.path, fx.line, fx.reason) for u in mine for fx in u.fixes]
    out.commits = [c for c in out.commits if c[1]]
    return out


def finish(repo, files: list[FileReview], per_rule: bool, commit: bool, console: Console) -> tuple[Outcome, list[str]]:
    """Write the accepted units and commit them; returns what was done and the new commits.
    All or nothing: on Ctrl-C or an error before the first commit, every file is put back."""
    out = outcome(files, per_rule, lambda msg: console.print(Text(msg, style="yellow")))
    shas: list[str] = []
    if not out.disk:
        return out, shas
    before = {fr.abspath: fr.disk for fr in files if fr.abspath in out.disk}
    with _interrupts_deferred() as interrupted:
        atomic.write_files(out.disk)
        try:
            if interrupted:
                raise KeyboardInterrupt
            for rule, contents, items in out.commits if commit else ():
                shas.append(vcs.commit_files(repo, contents, changeset.commit_message(items, rule=rule)))
        except BaseException:
            if not shas:
                atomic.write_files(before)
            raise
    return out, shas


def _commit_rules(files: list[FileReview]) -> dict[int, str]:
    """The rule whose commit takes each unit (by id): its own, or for linked units the
    rule of the first of them."""
    first: dict[str, str] = {}
    return {id(u): first.setdefault(u.link, u.rule) if u.link else u.rule for fr in files for u in fr.units}


def _rule_order(rules: set[str]) -> list[str]:
    catalogue = list(registry.names())
    return sorted(rules, key=lambda r: (catalogue.index(r) if r in catalogue else len(catalogue), r))

