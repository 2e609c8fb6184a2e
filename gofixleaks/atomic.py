"""Writing files so that an interruption never leaves half of one: for `fix --write`, and
for `review`, which writes several files all or nothing."""

from __future__ import annotations

import os
import tempfile


def write_files(files: dict[str, bytes]) -> None:
    """Write ``files`` (path -> content) all or nothing: every new content goes to a
    temporary file next to its target first, then all are renamed into place; a failure
    before the last rename puts back what was already replaced. Modes are kept."""
    staged: list[tuple[str, str]] = []  # (temp file, target)
    try:
        for path, data in ((os.path.abspath(p), d) for p, d in files.items()):
            mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else 0o644
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".gofixleaks-", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, mode)
        backups: list[tuple[str, bytes | None]] = []
        try:
            for tmp, path in staged:
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
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _write_now(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
