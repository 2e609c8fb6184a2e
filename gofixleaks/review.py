"""`gofixleaks review`: walk the proposed fixes hunk by hunk in the spirit of `git add -p`,
apply the accepted ones to the files as committed, and commit exactly those.

The unit a person decides on is a fix, not a raw diff hunk: the changes of one fix (the
`defer` and, say, the import it needs) are kept together so that half a fix can never be
accepted, and changes of different fixes are split into separate hunks even when they
are close. Decisions are applied only at the end (or at `q`), so going back is safe, and
they are saved as they are made so that an interrupted session can be resumed."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import questionary
import unidiff
from prompt_toolkit import PromptSession
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from rich.console import Console
from rich.text import Text

from . import atomic, changeset, diff as diff_mod, edits, engine, gomod, registry, vcs
from .engine import AppliedFix, FileResult
from .source import SourceFile, parse

CONTEXT = 3
STATE_FILE = "gofixleaks-review.json"
EDIT_FILE = "gofixleaks-hunk-edit.diff"
KEYS = "ynadekq?"
HELP = """\
y - apply this fix
n - do not apply this fix
a - apply this fix and all later fixes in this file
d - do not apply this fix or any later fix in this file
e - edit this hunk by hand in $VISUAL / $EDITOR
k - go back to the previous fix and decide again
q - quit; apply the fixes accepted so far (`gofixleaks review --resume` continues)
? - print this help
Enter takes the answer shown in capitals."""
EDIT_GUIDE = """\
# ---
# To leave a '-' line in place, make it a ' ' line (context).
# To drop a '+' line, delete it.
# Lines starting with # are removed.
# If the edited hunk applies cleanly and parses, it is accepted.
# If it does not, you can edit it again.
# If you delete every line, the edit is aborted and the hunk is left as it was.
"""


@dataclass(frozen=True)
class Options:
    resume: bool = False
    allow_dirty: bool = False
    commit: bool = True
    per_rule: bool = False


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


# ---------------------------------------------------------------- hunks, one fix each


def _lines(data: bytes | str) -> list[str]:
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
    offered = {(f.rule, f.start) for f in result.findings if f.fixes}
    return any((ap.rule, ap.start) not in offered for ap in result.applied)


def build_units(path: str, result: FileResult, context: int = CONTEXT, link: str | None = None) -> list[Unit]:
    """Split ``result``'s change (original -> fixed) into units, one per fix where the
    fixes allow it; any subset of the units applies to the original. ``link``: see Unit."""
    a, b = _lines(result.original), _lines(result.fixed)
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
    _assign_keys(out)
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
            solo = _changes(a, _lines(edits.apply(result.original, solo_edits)))
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
        texts[chunk[0]] = _header(s, t, body, _section(a, s)) + "".join(_terminated(ln) for ln in body)
    return texts


def _section(a: list[str], s: int) -> str:
    """What git prints after @@: the nearest line above the hunk that starts a declaration
    (git's default: a line starting with a letter, '_' or '$')."""
    for ln in reversed(a[:s]):
        if ln[:1].isalpha() or ln[:1] in "_$":
            return ln.rstrip()[:80]
    return ""


def _header(s: int, t: int, body: list[str], section: str = "") -> str:
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


def _assign_keys(units: list[Unit]) -> None:
    """Twin fixes (two identical `defer t.Stop()`) are told apart by their order."""
    seen: Counter = Counter()
    for u in units:
        u.key = f"{u.fingerprint}.{seen[u.fingerprint]}"
        seen[u.fingerprint] += 1


def patch_text(unit: Unit) -> str:
    """The unit's hunks as shown, edited and saved (its edited version, if any)."""
    return "".join(str(h) for h in unit.current)


# ---------------------------------------------------------------- editing a hunk


_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


def parse_edited(path: str, text: str) -> list[unidiff.Hunk]:
    """Hunks from an edited patch: '#' lines dropped, counts recomputed (as git does), an
    emptied context line taken as an empty context line. Raises ValueError."""
    lines = [ln for ln in _lines(text) if not ln.startswith("#")]
    hunks: list[tuple[int, int, str, list[str]]] = []
    for ln in lines:
        m = _HUNK_HEADER.match(ln.rstrip("\r\n"))
        if m:
            s, sl, t, tl = (int(x) if x is not None else 1 for x in m.groups()[:4])
            hunks.append((s - 1 if sl else s, t - 1 if tl else t, m.group(5).strip(), []))
        elif not hunks:
            if ln.strip():
                raise ValueError(f"a line before the first @@ header: {ln.rstrip()!r}")
        elif ln[:1] in (" ", "-", "+", "\\"):
            hunks[-1][3].append(ln)
        elif ln in ("\n", "\r\n"):
            hunks[-1][3].append(" " + ln)
        else:
            raise ValueError(f"a line that is not context, '+' or '-': {ln.rstrip()!r}")
    body = ""
    for s, t, section, hl in hunks:
        content = [ln for ln in hl if ln[0] != "\\"]
        if content:
            body += _header(s, t, content, section) + "".join(hl)
    if not body:
        return []
    return diff_mod.hunks(f"--- a/{path}\n+++ b/{path}\n{body}")


def validate_edit(fr: FileReview, unit: Unit, hunks: list[unidiff.Hunk]) -> None:
    """An edited unit must apply to the original together with every other unit of the
    file (whatever else is accepted), and the result must still parse. Raises ValueError."""
    others = [h for u in fr.units if u is not unit for h in u.current]
    try:
        diff_mod.apply_hunks(fr.base, others + hunks)
    except ValueError as e:
        raise ValueError(f"it does not apply ({e})") from None
    if parse(diff_mod.apply_hunks(fr.base, hunks)).root_node.has_error:
        raise ValueError("the file would no longer parse as Go")


def run_editor(path: str) -> int:
    """$VISUAL, else $EDITOR, else vi, on ``path``; like git, the variable is a shell word list."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return subprocess.call([*shlex.split(editor), path])


# ---------------------------------------------------------------- asking


class Prompter:
    """Single-key questions through prompt_toolkit (the answer needs no Enter), yes/no
    through questionary. ``input``/``output`` are for tests (a pipe and DummyOutput)."""

    def __init__(self, input=None, output=None) -> None:
        self.input, self.output = input, output

    def key(self, message: str, keys: str, default: str | None) -> str:
        kb = KeyBindings()

        @kb.add(Keys.Any)
        def _ignore(event) -> None:  # any other key: no answer, nothing typed
            pass

        def answer(k: str):
            def handler(event) -> None:
                event.app.current_buffer.text = k  # left on screen, as git add -p echoes it
                event.app.exit(result=k)

            return handler

        for k in keys:
            kb.add(k)(answer(k))
            if k.isalpha():
                kb.add(k.upper())(answer(k))
        kb.add("enter")(answer(default) if default else _ignore)
        kb.add("c-d")(answer("q"))  # end of input: stop, like git add -p

        @kb.add("c-c")
        def _interrupt(event) -> None:
            event.app.exit(exception=KeyboardInterrupt)

        session = PromptSession(input=self.input, output=self.output)
        return session.prompt(message, key_bindings=kb)

    def confirm(self, message: str) -> bool:
        return questionary.confirm(
            message, default=True, auto_enter=True, input=self.input, output=self.output
        ).unsafe_ask()


# ---------------------------------------------------------------- saved decisions


class State:
    """Decisions as they are made, in the git dir, keyed by HEAD and each file's content;
    written atomically after every answer."""

    def __init__(self, git_dir: str, head: str) -> None:
        self.path = os.path.join(git_dir, STATE_FILE)
        self.head = head
        self.saved: dict = {}  # path -> {"sha256", "ours", "decisions": {key: {...}}}

    def exists(self) -> bool:
        return os.path.exists(self.path)

    def load(self) -> str | None:
        """Read the saved state; returns why it was discarded, or None."""
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            return "there is no interrupted review to resume"
        except (OSError, ValueError) as e:
            return f"the saved review state is unreadable ({e})"
        if data.get("version") != 1 or data.get("head") != self.head:
            return "the saved decisions were made at another commit (HEAD moved)"
        self.saved = data.get("files", {})
        return None

    def decisions_for(self, path: str, disk: bytes) -> dict | None:
        entry = self.saved.get(path)
        if entry is None or entry.get("sha256") != _sha(disk):
            return None
        return entry.get("decisions", {})

    def ours(self, path: str, disk: bytes) -> bool:
        """Did a `--no-commit` run of this review leave ``path`` as it is?"""
        entry = self.saved.get(path)
        return bool(entry and entry.get("ours") and entry.get("sha256") == _sha(disk))

    def save(self, files: list[FileReview]) -> None:
        out = {}
        for fr in files:
            decided = {
                u.key: {"decision": u.decision, "edited": patch_text(u) if u.edited is not None else None}
                for u in fr.units
                if u.decision is not None
            }
            if decided:
                out[fr.path] = {"sha256": _sha(fr.disk), "ours": fr.ours, "decisions": decided}
        data = json.dumps({"version": 1, "head": self.head, "files": out}, indent=1).encode()
        atomic.write_files({self.path: data})

    def remove(self) -> None:
        if os.path.exists(self.path):
            os.unlink(self.path)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- the session


Question = list[tuple[FileReview, Unit]]  # what one answer decides: usually one unit


def questions(files: list[FileReview]) -> list[Question]:
    """One question per unit, in file order, except that linked units (a fix whose changes
    span files) are one question, asked where the first of them comes."""
    out: list[Question] = []
    by_link: dict[str, Question] = {}
    for fr in files:
        for u in fr.units:
            if u.link is None:
                out.append([(fr, u)])
            elif u.link in by_link:
                by_link[u.link].append((fr, u))
            else:
                by_link[u.link] = [(fr, u)]
                out.append(by_link[u.link])
    return out


def decision(q: Question) -> str | None:
    """The question's answer; None while any of its units is undecided."""
    ds = {u.decision for _, u in q}
    return ds.pop() if len(ds) == 1 else None


class Session:
    def __init__(self, files: list[FileReview], console: Console, prompter: Prompter, git_dir: str,
                 save: Callable[[], None] = lambda: None, editor: Callable[[str], int] = run_editor) -> None:
        self.questions = questions(files)
        self.console, self.prompter, self.git_dir = console, prompter, git_dir
        self.save, self.editor = save, editor

    def walk(self) -> bool:
        """Ask every undecided question; False if the person quit early."""
        i = self._next_undecided(-1)
        while i is not None:
            q = self.questions[i]
            self.show(q)
            while True:
                default = decision(q) or "y"
                keys = KEYS if len(q) == 1 else KEYS.replace("e", "")  # no editing across files
                choices = ",".join(k.upper() if k == default else k for k in keys)
                what = "these fixes" if sum(len(u.fixes) for _, u in q) > 1 else "this fix"
                label = " (edited)" if q[0][1].edited is not None else ""
                key = self.prompter.key(f"({i + 1}/{len(self.questions)}) Apply {what}{label} [{choices}]? ", keys, default)
                if key == "?":
                    self.console.print(HELP, style="red", markup=False, highlight=False)
                    continue
                if key == "k":
                    if i == 0:
                        self.console.print("No previous fix.", style="red")
                        continue
                    i -= 1
                    break
                if key == "q":
                    return False
                if key == "e":
                    if not self.edit(*q[0]):
                        continue
                    key = "y"
                if key in "ad":
                    key = "y" if key == "a" else "n"
                    files = {id(fr) for fr, _ in q}
                    for later in self.questions[i + 1 :]:
                        if decision(later) is None and all(id(fr) in files for fr, _ in later):
                            self._decide(later, key)
                self._decide(q, key)
                self.save()
                i = self._next_undecided(i)
                break
        return True

    @staticmethod
    def _decide(q: Question, key: str) -> None:
        for _, u in q:
            u.decision = key

    def _next_undecided(self, after: int) -> int | None:
        order = list(range(after + 1, len(self.questions))) + list(range(0, after + 1))
        return next((j for j in order if decision(self.questions[j]) is None), None)

    def show(self, q: Question) -> None:
        c = self.console
        c.print()
        if len(q) > 1:
            c.print(Text(f"These changes in {len(q)} files go together: one fix needs the others.", style="bold"))
        for fr, u in q:
            for fx in u.fixes or [None]:
                head = Text()
                if fx is None:
                    head.append(f"{fr.path}: a change no finding explains", style="bold")
                else:
                    head.append(f"{fr.path}:{fx.line}", style="bold")
                    head.append(f" {fx.rule}", style="cyan")
                    head.append(f": {fx.reason}")
                    head.append(f"\n  fix: {fx.fix}", style="dim")
                c.print(head)
            for ln in patch_text(u).splitlines():
                style = {"@": "cyan", "+": "green", "-": "red", "\\": "dim"}.get(ln[:1])
                c.print(Text(ln, style=style or ""), highlight=False)

    def edit(self, fr: FileReview, u: Unit) -> bool:
        """Let the person edit the unit's hunks; True when an edited version was accepted."""
        path = os.path.join(self.git_dir, EDIT_FILE)
        text = "# Manual hunk edit mode -- see the bottom for a quick guide.\n" + patch_text(u) + EDIT_GUIDE
        while True:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            try:
                status = self.editor(path)
            except OSError as e:
                _take(path)
                self.console.print(f"Cannot run the editor: {e}", style="red")
                return False
            text = _take(path)
            if status != 0:
                self.console.print(f"The editor exited with status {status}; the hunk is left as it was.", style="red")
                return False
            try:
                hunks = parse_edited(fr.path, text)
                if not hunks:
                    self.console.print("Edit aborted: the hunk is left as it was.", style="red")
                    return False
                validate_edit(fr, u, hunks)
            except ValueError as e:
                self.console.print(f"Your edited hunk cannot be used: {e}", style="red")
                if self.prompter.confirm("Edit it again? (no keeps the hunk as it was)"):
                    continue
                return False
            u.edited = hunks
            return True


def _take(path: str) -> str:
    """The edited file's text; the file is removed (an editor that removed it: empty)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return ""
    finally:
        if os.path.exists(path):
            os.unlink(path)


# ---------------------------------------------------------------- applying and committing


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
    lines = _lines(fr.disk)
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


def finish(repo, files: list[FileReview], options: Options, console: Console) -> tuple[Outcome, list[str]]:
    """Write the accepted units and commit them; returns what was done and the new commits.
    All or nothing: on Ctrl-C or an error before the first commit, every file is put back."""
    out = outcome(files, options.per_rule, lambda msg: console.print(Text(msg, style="yellow")))
    shas: list[str] = []
    if not out.disk:
        return out, shas
    before = {fr.abspath: fr.disk for fr in files if fr.abspath in out.disk}
    with _interrupts_deferred() as interrupted:
        atomic.write_files(out.disk)
        try:
            if interrupted:
                raise KeyboardInterrupt
            for rule, contents, items in out.commits if options.commit else ():
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


# ---------------------------------------------------------------- the command


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
        console.print(Text(msg, style="yellow"))

    for r in results:
        if r.error:
            note(f"{r.path}: {r.error}")
        path = vcs.relpath(repo, r.abspath)
        code = status.get(path)
        # the changes of a file with later-round or plumbing fixes go with other files'
        link = _module_of(r.abspath) if r.changed and entangled(r) else None
        if code is None:
            if r.changed:
                files.append(FileReview(path, r.abspath, r.original, r.original, build_units(path, r, link=link)))
            continue
        disk = r.original if r.changed else _read(r.abspath)
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


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _module_of(abspath: str) -> str:
    return gomod.find_go_mod(os.path.dirname(abspath)) or ""


def _restore(files: list[FileReview], state: State, console: Console) -> list[FileReview]:
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
        files = _restore(files, state, console)
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
        out, shas = finish(repo, files, options, console)
    except KeyboardInterrupt:
        console.print("\nInterrupted: no file was changed. `gofixleaks review --resume` continues.", style="yellow")
        return 130
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
            _assign_keys(fr.units)
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

