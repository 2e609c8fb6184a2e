"""The `review` command: which files are reviewed, the session, the commit, the summary."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from .. import atomic, engine, gomod, vcs
from ..engine import FileResult
from ..source import read_regular
from ..textsafe import printable
from .apply import Outcome, finish
from .prompt import Prompter
from .session import Session, decision
from .state import State
from .editing import parse_edited, run_editor, validate_edit
from .units import FileReview, assign_keys, build_units, entangled


@dataclass(frozen=True)
class Options:
    resume: bool = False
    allow_dirty: bool = False
    commit: bool = True
    per_rule: bool = False



def collect(repo, cfg, targets, results: list[FileResult], options: Options, console: Console,
            state: State) -> list[FileReview]:
    """The files to review: every changed result, minus files with uncommitted changes
    unless --allow-dirty (then fixed as committed, applied to the file as it is), and
    minus files whose fixes go with fixes in a file that is not reviewed. A file a
    --no-commit run of the review being resumed left changed is not the person's work:
    it is reviewed again from its committed version, with the answers given then."""
    status = vcs.uncommitted(repo)
    by_path = {t.path: t for t in targets}
    files: list[FileReview] = []
    blocked: dict[str, str] = {}  # link -> a file of it that is not reviewed

    def note(msg: str) -> None:
        console.print(Text(printable(msg), style="yellow"))

    for r in results:
        if r.error:
            note(f"{r.path}: {r.error}")
        if os.path.islink(r.abspath):  # git holds the link, not the code: a commit cannot carry the fix
            if r.changed:
                note(f"{r.path}: not touched: it is a symbolic link (review changes regular files only)")
            continue
        path = vcs.relpath(repo, r.abspath)
        code = status.get(path)
        # the changes of a file with later-round or plumbing fixes go with other files'
        link = _module_of(r.abspath) if r.changed and entangled(r) else None
        if code is None:
            if r.changed:
                files.append(FileReview(path, r.abspath, r.original, r.original, build_units(path, r, link=link)))
            continue
        disk = r.original if r.changed else read_regular(r.abspath)
        ours = code != "??" and state.ours(path, disk)
        if not ours and (code == "??" or not options.allow_dirty or link is not None):
            if link is not None:
                blocked.setdefault(link, path)
            if r.changed:
                why = "git does not track it" if code == "??" else "it has uncommitted changes"
                hint = "" if code == "??" or link is not None else " (commit or stash them, or use --allow-dirty)"
                note(f"{path}: not touched: {why}{hint}")
            continue
        base = vcs.committed(repo, path)
        if base is None:
            note(f"{path}: not touched: it is not in HEAD yet")
            continue
        fixed = engine.process(by_path[r.abspath], cfg, True, data=base, plan=r.plan)
        if fixed.changed:
            files.append(FileReview(path, r.abspath, base, disk, build_units(path, fixed), ours=ours))
    kept = []
    for fr in files:
        link = next((u.link for u in fr.units if u.link in blocked), None)
        if link is None:
            kept.append(fr)
        else:
            note(f"{fr.path}: not touched: its fixes go with fixes in {blocked[link]}, which is not touched")
    return kept


def _module_of(abspath: str) -> str:
    return gomod.find_go_mod(os.path.dirname(abspath)) or ""


def restore(files: list[FileReview], state: State, console: Console) -> list[FileReview]:
    """Put back the saved answers; returns the files still to review. A file a --no-commit
    run changed is dropped unless every answer given then still fits: its content is
    rebuilt from those answers."""
    restored = 0
    kept = []
    for fr in files:
        saved = state.decisions_for(fr.path, fr.disk) or {}
        by_key = {u.key: u for u in fr.units}
        for key, d in saved.items():
            u = by_key.get(key)
            if u is None:
                continue
            u.decision = d.get("decision")
            try:
                if d.get("edited"):
                    u.edited = parse_edited(fr.path, d["edited"])
                    validate_edit(fr, u, u.edited)
            except ValueError:
                u.decision, u.edited = None, None
                continue
            restored += 1
        if fr.ours and any(by_key.get(k) is None or by_key[k].decision is None for k in saved):
            console.print(Text(f"{fr.path}: not touched: the answers saved for it no longer fit it", style="yellow"))
            continue
        kept.append(fr)
    console.print(f"Resuming: {restored} earlier answer(s) kept.", style="dim")
    return kept


def run(repo, cfg, targets, results: list[FileResult], options: Options, console: Console,
        prompter: Prompter | None = None, editor: Callable[[str], int] = run_editor) -> int:
    """The whole session; returns the exit code."""
    busy = vcs.operation_in_progress(repo)
    if busy and options.commit:
        raise vcs.VcsError(f"{busy} is in progress; finish or abort it first (or use --no-commit)")
    state = State(repo.git_dir, vcs.head_sha(repo))
    discarded = state.load() if options.resume else None
    if discarded:
        console.print(f"Starting a new review: {discarded}.", style="yellow")
    files = collect(repo, cfg, targets, results, options, console, state)
    if options.resume and not discarded:
        files = restore(files, state, console)
    elif state.exists():
        console.print("note: an earlier review was interrupted; this one starts over "
                      "(`gofixleaks review --resume` continues it instead)", style="dim")
    if not any(fr.units for fr in files):
        console.print("Nothing to review: no fixes to propose.")
        state.remove()
        return 0
    session = Session(files, console, prompter or Prompter(), repo.git_dir, lambda: state.save(files), editor)
    try:
        session.walk()
        out, shas = finish(repo, files, options.per_rule, options.commit, console)
    except KeyboardInterrupt:
        console.print("\nInterrupted: no file was changed. `gofixleaks review --resume` continues.", style="yellow")
        return 130
    except (OSError, atomic.Refused) as e:  # a file edited at that very moment, a full disk
        where = vcs.relpath(repo, e.path) if isinstance(e, atomic.Refused) else e.filename or "a file"
        why = str(e) if isinstance(e, atomic.Refused) else f"cannot write: {e.strerror or e}"
        console.print(Text(f"{printable(where)}: {why}. Nothing was written or committed; "
                           "`gofixleaks review --resume` continues.", style="red"))
        return 1
    _summary(repo, session, out, shas, options, console)
    if all(decision(q) is not None for q in session.questions):
        state.remove()
        return 0
    # keep what --resume needs: after a commit, the units left, keyed to the new HEAD and
    # contents; without one, every answer, against the files as committed
    state.head = vcs.head_sha(repo)
    done = {id(u) for _, u in out.applied}
    for fr in files:
        if fr.abspath not in out.disk:
            continue
        fr.disk = out.disk[fr.abspath]
        fr.ours = not options.commit
        if options.commit:
            fr.units = [u for u in fr.units if id(u) not in done]
            assign_keys(fr.units)
    state.save(files)
    return 0


def _summary(repo, session: Session, out: Outcome, shas: list[str], options: Options, console: Console) -> None:
    """Counts are of fixes: one answer may cover several (entangled) fixes."""
    counts: Counter = Counter()
    per_rule: dict[str, Counter] = {}
    for q in session.questions:
        for _, u in q:
            for fx in u.fixes:
                counts[u.decision] += 1
                per_rule.setdefault(fx.rule, Counter())[u.decision] += 1
    undecided = f", undecided {counts[None]}" if counts[None] else ""
    console.print()
    console.print(Text(f"Accepted {counts['y']}, rejected {counts['n']}{undecided} of {counts.total()} fix(es).", style="bold"))
    for rule, c in sorted(per_rule.items()):
        console.print(f"  {rule}: {c['y']} accepted, {c['n']} rejected" + (f", {c[None]} undecided" if c[None] else ""))
    if out.applied and not options.commit:
        console.print(f"Wrote {sum(len(u.fixes) for _, u in out.applied)} fix(es); nothing committed (--no-commit).")
    for sha in shas:
        console.print(Text(f"Committed {sha[:12]} {repo.commit(sha).summary}", style="green"))
    if counts[None]:
        console.print("`gofixleaks review --resume` goes on with the undecided ones.")


