"""Per-file results cached by content, tool code and effective config.

One SQLite database in the user's cache dir (WAL mode: concurrent runs read and write it
safely). The key covers everything a result depends on: the file's bytes, the path it is
shown as, the code of gofixleaks and its rules (so an edited rule never serves stale
results), the config and the Go version in force. Any cache problem degrades to a miss."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sqlite3
import sys
from pathlib import Path

from . import __version__, registry

_SCHEMA = "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, fp TEXT NOT NULL, value BLOB NOT NULL)"


def cache_dir() -> Path:
    explicit = os.environ.get("GOFIXLEAKS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gofixleaks"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the installed engine and rule sources."""

    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for d in sorted(_source_dirs()):
        for f in sorted(d.rglob("*.py")):
            h.update(str(f.relative_to(d)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _source_dirs() -> set[Path]:
    """gofixleaks itself and the package of every rule, plugins included."""
    dirs = {Path(__file__).parent}
    for rule in registry.rules():
        module = sys.modules.get(getattr(rule.run, "__module__", ""))
        if module is not None and getattr(module, "__file__", None):
            dirs.add(Path(module.__file__).parent)
    return dirs


def key(data: bytes, *parts: object) -> str:
    h = hashlib.blake2b(data, digest_size=20)
    h.update(repr((code_fingerprint(), parts)).encode())
    return h.hexdigest()


class Cache:
    """``readonly``: a worker's view, which reads what the run's parent writes (one writer)."""

    def __init__(self, directory: Path | None = None, readonly: bool = False) -> None:
        self.db: sqlite3.Connection | None = None
        self.readonly = readonly
        self.pending: list[tuple[str, bytes]] = []
        try:
            directory = directory or cache_dir()
            path = directory / "results-v2.sqlite3"
            if readonly:
                self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
                return
            directory.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(_SCHEMA)
        except (OSError, sqlite3.Error):
            self.db = None

    def get(self, k: str):
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM results WHERE key = ?", (k,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.PickleError, EOFError, AttributeError, ImportError):
            return None

    def put(self, k: str, value) -> None:
        if self.db is not None and not self.readonly:
            self.pending.append((k, code_fingerprint(), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
            if len(self.pending) >= 500:
                self.flush()

    def flush(self) -> None:
        if self.db is None or not self.pending:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO results (key, fp, value) VALUES (?, ?, ?)", self.pending)
        except sqlite3.Error:
            pass  # another run holds the lock for too long: these results are simply not cached
        self.pending = []

    def _evict_other_versions(self) -> None:
        """Results of other code versions can never be hit again: keep the file small."""
        if self.db is None:
            return
        try:
            fp = code_fingerprint()
            if self.db.execute("SELECT 1 FROM results WHERE fp != ? LIMIT 1", (fp,)).fetchone():
                with self.db:
                    self.db.execute("DELETE FROM results WHERE fp != ?", (fp,))
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if not self.readonly:
            self.flush()
            self._evict_other_versions()
        if self.db is not None:
            self.db.close()
            self.db = None
