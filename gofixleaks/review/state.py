"""The answers given so far, saved after each one for `gofixleaks review --resume`."""

from __future__ import annotations

import hashlib
import json
import os

from .. import atomic
from .units import FileReview, patch_text

STATE_FILE = "gofixleaks-review.json"


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

