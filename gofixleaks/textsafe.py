"""Text made safe to show and to commit: a comment, a string or a file name may hold
terminal escapes, newlines or bidirectional overrides, which must not reach a terminal, a
commit message or a pull request as they are; and a secret (a forge token a server echoes
back) must not reach them at all."""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls, the bidirectional embeddings, overrides and
# isolates (which reorder what a reader sees), and lone surrogates (a file name's
# undecodable bytes, as os.fsdecode gives them)
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# the same, but line ends (\n, \r\n) are kept: for code shown line by line
_UNSAFE_IN_LINES = re.compile("\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(m: re.Match) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, keep_line_ends: bool = False) -> str:
    """``text`` with every unsafe character written as an escape (``\\x1b``, ``\\n``,
    ``\\u202e``; an undecodable byte of a file name as ``\\xff``); tabs are kept, and with
    ``keep_line_ends`` so are line ends (a patch or code shown on a terminal)."""
    return (_UNSAFE_IN_LINES if keep_line_ends else _UNSAFE).sub(_escape, text)


def is_printable(text: str) -> bool:
    return _UNSAFE.search(text) is None


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
