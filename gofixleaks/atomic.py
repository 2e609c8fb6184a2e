"""Writing files so that nothing is lost: for `fix --write`, and for `review`, which writes
several files all or nothing. A file is replaced only if it still holds the bytes the
fixes were computed from, and an interruption never leaves half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping


class Refused(Exception):
    """A file that must not be rewritten; the message says why in a few words."""


def write_files(files: Mapping[str, bytes], expected: Mapping[str, bytes] | None = None) -> None:
    """Write ``files`` (path -> content) all or nothing: every new content goes to a
    temporary file next to its target first, then all are renamed into place; a failure
    before the last rename puts back what was already replaced. Modes are kept.

    ``expected`` (path -> the bytes the new content was computed from): such a file is
    written only if it still holds exactly those bytes, and its size, mtime and inode are
    compared again right before it is replaced; otherwise Refused, and nothing is written."""
    expected = {os.path.abspath(p): d for p, d in (expected or {}).items()}
    staged: list[tuple[str, str, os.stat_result | None]] = []  # (temp file, target, its stat as read)
    try:
        for path, data in ((os.path.abspath(p), d) for p, d in files.items()):
            before = _as_read(path, expected.get(path))
            mode = before.st_mode & 0o7777 if before is not None else 0o644
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".gofixleaks-", suffix=".tmp")
            staged.append((tmp, path, before))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, mode)
        for _, path, before in staged:
            if path in expected and _changed(path, before):
                raise Refused("changed while it was being written; not rewritten")
        backups: list[tuple[str, bytes | None]] = []
        try:
            for tmp, path, _ in staged:
                backups.append((path, _read(path)))
                os.replace(tmp, path)
        except BaseException:
            for path, old in reversed(backups):
                if old is None:
                    os.unlink(path)
                else:
                    _write_now(path, old)
            raise
    finally:
        for tmp, _, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _as_read(path: str, want: bytes | None) -> os.stat_result | None:
    """The file's stat (None: it does not exist yet); with ``want``, Refused unless the file
    holds exactly those bytes."""
    try:
        before = os.stat(path)
    except FileNotFoundError:
        if want is not None:
            raise Refused("removed since it was read; not written") from None
        return None
    if want is not None and (_read(path) != want or _changed(path, before)):
        raise Refused("changed since it was read; not rewritten")
    return before


def _changed(path: str, before: os.stat_result | None) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return True
    return before is None or (now.st_size, now.st_mtime_ns, now.st_ino) != (before.st_size, before.st_mtime_ns, before.st_ino)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _write_now(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
