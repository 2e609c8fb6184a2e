"""Writing files so that nothing is lost: for `fix --write`, and for `review`, which writes
several files all or nothing. A file is replaced only if it still holds the bytes the
fixes were computed from, keeps what it is (a symbolic link stays a link, hard links stay
one file, owner, group and mode stay), and an interruption never leaves half of one.

A file is written to a temporary file next to it and renamed into place: atomic, but a
rename makes a new inode. So a file with several hard links, or whose owner the running
user cannot give to a new file, is written in place instead (every link sees the fix, the
owner stays); its old content is kept in a backup next to it until the write is complete,
so even a kill during that write loses nothing."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

from .textsafe import printable


class Refused(Exception):
    """A file that must not be rewritten; the message says why in a few words, ``path``
    which file (as given)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


@dataclass
class _Write:
    given: str  # the path asked for
    path: str  # the file written (a link's target)
    data: bytes
    before: os.stat_result | None  # as read (None: the file is new)
    checked: bool  # its content was compared with the bytes the fixes were computed from
    tmp: str | None = None  # the new content, staged next to the file, renamed into place
    backup: str | None = None  # written in place: the old content, kept until it is done


def write_files(files: Mapping[str, bytes], expected: Mapping[str, bytes] | None = None,
                tree: str | None = None) -> None:
    """Write ``files`` (path -> content) all or nothing: every new content is staged next to
    its file first, then all are put in place; a failure before the last one puts back
    what was already written.

    ``expected`` (path -> the bytes the new content was computed from): such a file is
    written only if it still holds exactly those bytes, and its size, mtime and inode are
    compared again right before it is replaced. A symbolic link is written through to its
    target when that lies inside ``tree``. Refused (nothing written) for a file that
    changed, a link out of ``tree``, or a read-only file."""
    expected = {os.path.abspath(p): d for p, d in (expected or {}).items()}
    writes: list[_Write] = []
    try:
        for given, data in ((os.path.abspath(p), d) for p, d in files.items()):
            try:
                path = _through_link(given, tree)
                before = _as_read(path, expected.get(given))
                if before is not None and not _writable(path, before):
                    raise Refused("read-only; not rewritten")
            except Refused as e:
                raise Refused(str(e), given) from None
            w = _Write(given, path, data, before, given in expected)
            writes.append(w)
            _stage(w)
        for w in writes:
            if w.checked and _changed(w.path, w.before):
                raise Refused("changed while it was being written; not rewritten", w.given)
        done: list[tuple[str, bytes | None]] = []  # (path, old content) of what is written
        try:
            for w in writes:
                done.append((w.path, _read(w.path)))
                if w.tmp is not None:
                    os.replace(w.tmp, w.path)
                    w.tmp = None
                else:
                    _write_now(w.path, w.data)
        except BaseException:
            for path, old in reversed(done):
                if old is None:
                    os.unlink(path)
                else:
                    _write_now(path, old)
            raise
    finally:
        for w in writes:
            for leftover in (w.tmp, w.backup):
                if leftover is not None and os.path.exists(leftover):
                    os.unlink(leftover)


def _through_link(path: str, tree: str | None) -> str:
    """The file to write for ``path``: a link's target, if it lies inside ``tree``."""
    if not os.path.islink(path):
        return path
    target = os.path.realpath(path)
    root = os.path.realpath(tree) if tree is not None else None
    if root is None or not (target == root or target.startswith(root.rstrip(os.sep) + os.sep)):
        where = f"outside {tree}" if tree is not None else "and links are not written through here"
        raise Refused(printable(f"a symbolic link to {target}, {where}; not edited"))
    return target


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


def _writable(path: str, st: os.stat_result) -> bool:
    """No write permission for anyone (0444) counts as read-only even for root, who could
    write it: the mode says the file is not to be changed."""
    return bool(st.st_mode & 0o222) and os.access(path, os.W_OK)


def _stage(w: _Write) -> None:
    """Write the new content next to the file, with its mode, owner and group; a file with
    several hard links, or whose owner cannot be given to a new file, will be written in
    place, and its old content is staged as a backup instead."""
    directory, name = os.path.split(w.path)
    in_place = w.before is not None and w.before.st_nlink > 1
    if not in_place:
        w.tmp = _staged_copy(directory, ".gofixleaks-", ".tmp", w.data)
        mode = w.before.st_mode & 0o7777 if w.before is not None else 0o644
        os.chmod(w.tmp, mode)
        if w.before is not None and (w.before.st_uid, w.before.st_gid) != _owner(w.tmp):
            try:
                os.chown(w.tmp, w.before.st_uid, w.before.st_gid)
                os.chmod(w.tmp, mode)  # chown clears set-id bits
            except PermissionError:
                os.unlink(w.tmp)
                w.tmp, in_place = None, True
    if in_place:
        w.backup = _staged_copy(directory, f".gofixleaks-{name}.", ".orig", _read(w.path) or b"")


def _staged_copy(directory: str, prefix: str, suffix: str, data: bytes) -> str:
    fd, path = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(path)
        raise
    return path


def _owner(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_uid, st.st_gid


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
    """In place: the file keeps its inode, links, owner and mode."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
