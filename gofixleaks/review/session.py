"""The questions, one per unit (linked units together), asked in order with going back."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from ..textsafe import printable
from .editing import edit_unit, run_editor
from .prompt import Prompter
from .units import FileReview, Unit, patch_text

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
Enter on a new fix does nothing: an accidental Enter never changes code. Back on a fix
with k, Enter keeps the earlier answer (shown in capitals)."""


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
                default = decision(q)  # None on a new fix: Enter must not apply code
                keys = KEYS if len(q) == 1 else KEYS.replace("e", "")  # no editing across files
                choices = ",".join(k.upper() if k == default else k for k in keys)
                what = "these fixes" if sum(len(u.fixes) for _, u in q) > 1 else "this fix"
                label = " (edited)" if q[0][1].edited is not None else ""
                key = self.prompter.key(f"({i + 1}/{len(self.questions)}) Apply {what}{label} [{choices}]? ", keys, default)
                if key == "":
                    self.console.print("Enter does not answer a new fix: press y or n (? for help).", style="red")
                    continue
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
                    head.append(f"{printable(fr.path)}: a change no finding explains", style="bold")
                else:
                    head.append(f"{printable(fr.path)}:{fx.line}", style="bold")
                    head.append(f" {printable(fx.rule)}", style="cyan")
                    head.append(f": {printable(fx.reason)}")
                    head.append(f"\n  fix: {printable(fx.fix)}", style="dim")
                c.print(head)
            # code is shown, never interpreted: a CRLF line shows as one line, any other
            # control character (a terminal escape in a comment) escaped
            for ln in patch_text(u).removesuffix("\n").split("\n"):
                style = {"@": "cyan", "+": "green", "-": "red", "\\": "dim"}.get(ln[:1])
                c.print(Text(printable(ln.removesuffix("\r")), style=style or ""), highlight=False)

    def edit(self, fr: FileReview, u: Unit) -> bool:
        """Let the person edit the unit's hunks; True when an edited version was accepted."""
        return edit_unit(fr, u, self.git_dir, self.editor, self.prompter, self.console)
