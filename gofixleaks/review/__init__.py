"""`gofixleaks review`: walk the proposed fixes hunk by hunk in the spirit of `git add -p`,
apply the accepted ones to the files as committed, and commit exactly those.

The unit a person decides on is a fix, not a raw diff hunk: the changes of one fix (the
`defer` and, say, the import it needs) are kept together so that half a fix can never be
accepted, and changes of different fixes are split into separate hunks even when they
are close. Decisions are applied only at the end (or at `q`), so going back is safe, and
they are saved as they are made so that an interrupted session can be resumed.

- ``units``: the hunks of a file's change, one unit per fix, and their stable keys;
- ``editing``: a hunk edited by hand (`e`), parsed and checked;
- ``prompt``: the single-key questions (prompt_toolkit);
- ``state``: the answers saved as they are given, for `--resume`;
- ``session``: the questions asked in order, with going back (`k`);
- ``apply``: the accepted units written to the work tree and committed;
- ``command``: the whole command, from the engine's results to the summary.
"""

from .apply import Outcome, finish, outcome, plan
from .command import Options, collect, run
from .editing import EDIT_FILE, parse_edited, run_editor, validate_edit
from .prompt import Prompter
from .session import HELP, KEYS, Question, Session, decision, questions
from .state import STATE_FILE, State
from .units import CONTEXT, FileReview, Unit, build_units, entangled, patch_text

__all__ = [
    "CONTEXT", "EDIT_FILE", "HELP", "KEYS", "STATE_FILE", "FileReview", "Options", "Outcome", "Prompter", "Question",
    "Session", "State", "Unit", "build_units", "collect", "decision", "entangled", "finish", "outcome", "parse_edited",
    "patch_text", "plan", "questions", "run", "run_editor", "validate_edit",
]
