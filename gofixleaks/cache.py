"""Per-file results cached by content, tool code and effective config.

One SQLite database in the user's cache dir (WAL mode: concurrent runs read and write it
safely). The key covers everything a result depends on: the file's bytes, the path it is
shown as, the code of gofixleaks and its rules (so an edited rule never serves stale
results), the config and the Go version in force.

Values are plain JSON, written and read from the dataclass fields' types, so a field added
to a result needs no edit here. Nothing read from the cache is trusted: a value that does
not have the expected shape, or a database that cannot be read, is a miss (the entry is
replaced, the database rebuilt) with one warning per run."""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import json
import os
import sqlite3
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from . import __version__, registry

_SCHEMA = "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, fp TEXT NOT NULL, value TEXT NOT NULL)"
_DB_NAME = "results-v3.sqlite3"

T = TypeVar("T")


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


# Keys and contents hash with SHA-256: a warm run hashes every file it reads, and with the
# CPU's SHA instructions it is about three times as fast as BLAKE2b.
def key(data: bytes, *parts: object) -> str:
    h = hashlib.sha256(data)
    h.update(repr((code_fingerprint(), parts)).encode())
    return h.hexdigest()[:40]


def content(data: bytes) -> bytes:
    """A digest of ``data`` that keys may be built on instead of ``data`` itself (``key(content(data),
    ...)``): a file's bytes are hashed once for all its keys."""
    return hashlib.sha256(data).digest()


# ---------------------------------------------------------------- dataclasses as plain data


def to_plain(value: Any) -> Any:
    """A dataclass value as JSON-ready data: a dataclass is an object of its fields, bytes
    are base64, tuples are lists. Raises TypeError for what it cannot write back exactly."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def from_plain(hint: Any, data: Any) -> Any:
    """The value of type ``hint`` that to_plain wrote as ``data``, checked all the way
    down; ValueError for anything of another shape."""
    return _decoder(hint)(data)


_PRIMITIVES = (str, int, float, bool)


@functools.lru_cache(maxsize=None)
def _decoder(hint: Any) -> Callable[[Any], Any]:
    """A checking reader for values of type ``hint``, built once per type from its hints (a
    warm run reads tens of thousands of values: the type is not taken apart each time)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = [f.name for f in dataclasses.fields(hint) if f.init]
        names = set(fields)
        # str, int and bool fields are checked in place, the others read by their decoder
        plain = [(name, hints[name]) for name in fields if hints[name] in (str, int, bool)]
        other = [(name, _decoder(hints[name])) for name in fields if hints[name] not in (str, int, bool)]

        def read_dataclass(data: Any) -> Any:
            if type(data) is not dict or data.keys() != names:
                raise ValueError(f"not a {hint.__name__}")
            for name, kind in plain:
                if type(data[name]) is not kind:
                    raise ValueError(f"{hint.__name__}.{name} is not a {kind.__name__}")
            values = dict(data)
            for name, read in other:
                values[name] = read(data[name])
            return hint(**values)

        return read_dataclass
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) != 1:
            raise TypeError(f"cannot read a {hint}")
        inner = _decoder(others[0])
        optional = type(None) in args
        return lambda data: None if data is None and optional else inner(data)
    if hint in (list, tuple):  # untyped: only an empty one can be read back as written
        def read_empty(data: Any) -> Any:
            if type(data) is not list or data:
                raise ValueError("not an empty list")
            return hint()

        return read_empty
    if origin in (list, tuple):
        return _sequence_decoder(origin, args)
    if hint is bytes:
        def read_bytes(data: Any) -> bytes:
            if type(data) is not str:
                raise ValueError("not bytes")
            return base64.b64decode(data.encode("ascii"), validate=True)

        return read_bytes
    if hint in _PRIMITIVES:
        def read_primitive(data: Any) -> Any:
            if type(data) is hint:  # type(): a bool is no int here
                return data
            if hint is float and type(data) is int:
                return float(data)
            raise ValueError(f"not a {hint.__name__}")

        return read_primitive
    raise TypeError(f"cannot read a {hint}")


def _sequence_decoder(origin: type, args: tuple) -> Callable[[Any], Any]:
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):  # tuple[X, Y]: fixed length
        items = [_decoder(a) for a in args]

        def read_fixed(data: Any) -> tuple:
            if type(data) is not list or len(data) != len(items):
                raise ValueError("not a tuple of that length")
            return tuple(read(v) for read, v in zip(items, data))

        return read_fixed
    element = args[0]
    if element in (str, int):  # the common case, checked without a call per element
        def read_plain(data: Any) -> Any:
            if type(data) is not list or any(type(v) is not element for v in data):
                raise ValueError(f"not a list of {element.__name__}")
            return origin(data)

        return read_plain
    read = _decoder(element)

    def read_sequence(data: Any) -> Any:
        if type(data) is not list:
            raise ValueError("not a list")
        return origin(read(v) for v in data) if origin is tuple else [read(v) for v in data]

    return read_sequence


# ---------------------------------------------------------------- the store


def _damaged(e: sqlite3.Error) -> bool:
    """Not a database, or damaged pages: rebuild it. Busy, locked, missing: leave it."""
    return getattr(e, "sqlite_errorcode", None) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


class Cache:
    """Dataclass values by key. ``readonly``: a worker's view, which reads what the run's
    parent writes (one writer); it keeps its warning in ``warnings`` for the parent's store
    to give, which prints one at most: one warning per run."""

    def __init__(self, directory: Path | None = None, readonly: bool = False) -> None:
        self.db: sqlite3.Connection | None = None
        self.readonly = readonly
        self.pending: list[tuple[str, str, str]] = []
        self.warnings: list[str] = []  # given (writable) or kept for the parent (readonly): one at most
        try:
            self.path = (directory or cache_dir()) / _DB_NAME
            if not readonly:
                self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        try:
            self._open()
        except sqlite3.Error as e:
            if _damaged(e):
                self._rebuild(e)
            else:  # no database yet (a worker's view), locked for too long: no cache this time
                self.db = None

    def _open(self) -> None:
        if self.readonly:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        else:
            self.db = sqlite3.connect(self.path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(_SCHEMA)
        self.db.execute("SELECT key, fp, value FROM results LIMIT 1").fetchall()

    def _rebuild(self, why: Exception) -> None:
        """A database that cannot be read is replaced by an empty one (a worker's view only
        stops reading it: the parent rebuilds)."""
        if self.db is not None:
            self.db.close()
        self.db = None
        if self.readonly:
            self.warn(f"the result cache {self.path} cannot be read ({why})")
            return
        self.warn(f"the result cache {self.path} cannot be read ({why}); it was rebuilt")
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._open()
        except (OSError, sqlite3.Error):
            self.db = None

    def warn(self, message: str) -> None:
        if self.warnings:
            return
        self.warnings.append(message)
        if not self.readonly:
            print(f"gofixleaks: warning: {message}", file=sys.stderr)

    def get(self, k: str, kind: type[T]) -> T | None:
        """The value of type ``kind`` stored under ``k``; None when there is none or it
        cannot be read back as one."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM results WHERE key = ?", (k,)).fetchone()
        except sqlite3.Error as e:
            if _damaged(e):
                self._rebuild(e)
            return None
        if row is None:
            return None
        try:
            return from_plain(kind, json.loads(row[0]))
        except (ValueError, TypeError, UnicodeDecodeError, RecursionError) as e:
            self.warn(f"the result cache {self.path} held an unreadable entry ({type(e).__name__}); "
                      "such entries are computed again")
            return None

    def put(self, k: str, value: Any) -> None:
        if self.db is None or self.readonly:
            return
        try:
            text = json.dumps(to_plain(value), separators=(",", ":"))
        except TypeError:
            return  # not something the cache can hold: computed again next time
        self.pending.append((k, code_fingerprint(), text))
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
