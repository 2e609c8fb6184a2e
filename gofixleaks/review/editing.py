"""Editing a hunk by hand (`e`), as `git add -p` does: the edited patch is parsed, checked
against the file's other units and the Go syntax, and may be edited again."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Callable

import unidiff
from rich.console import Console

from .. import diff as diff_mod
from ..source import parse
from .prompt import Prompter
from .units import FileReview, Unit, hunk_header, patch_text, text_lines

EDIT_FILE = "gofixleaks-hunk-edit.diff"
EDIT_GUIDE = """\
# ---
# To leave a '-' line in place, make it a ' ' line (context).
# To drop a '+' line, delete it.
# Lines starting with # are removed.
# If the edited hunk applies cleanly and parses, it is accepted.
# If it does not, you can edit it again.
# If you delete every line, the edit is aborted and the hunk is left as it was.
"""


_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


def parse_edited(path: str, text: str) -> list[unidiff.Hunk]:
    """Hunks from an edited patch: '#' lines dropped, counts recomputed (as git does), an
    emptied context line taken as an empty context line. Raises ValueError."""
    lines = [ln for ln in text_lines(text) if not ln.startswith("#")]
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
            body += hunk_header(s, t, content, section) + "".join(hl)
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


def edit_unit(fr: FileReview, u: Unit, git_dir: str, editor: Callable[[str], int], prompter: Prompter,
              console: Console) -> bool:
    """Let the person edit the unit's hunks; True when an edited version was accepted."""
    path = os.path.join(git_dir, EDIT_FILE)
    text = "# Manual hunk edit mode -- see the bottom for a quick guide.\n" + patch_text(u) + EDIT_GUIDE
    while True:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        try:
            status = editor(path)
        except OSError as e:
            _take(path)
            console.print(f"Cannot run the editor: {e}", style="red")
            return False
        text = _take(path)
        if status != 0:
            console.print(f"The editor exited with status {status}; the hunk is left as it was.", style="red")
            return False
        try:
            hunks = parse_edited(fr.path, text)
            if not hunks:
                console.print("Edit aborted: the hunk is left as it was.", style="red")
                return False
            validate_edit(fr, u, hunks)
        except ValueError as e:
            console.print(f"Your edited hunk cannot be used: {e}", style="red")
            if prompter.confirm("Edit it again? (no keeps the hunk as it was)"):
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

