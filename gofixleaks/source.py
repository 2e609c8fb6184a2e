"""SourceFile: one Go file's bytes, its syntax tree, a line table and its imports.

Everything downstream works on byte offsets into ``data``; tree-sitter offsets are bytes,
so a file with non-ASCII text never shifts an edit. The tree is the parse of a view of
``data``, the same bytes at the same offsets with the newer syntax tree-sitter-go lacks
masked (grammar.py), so its offsets are offsets into ``data``; read text with ``SourceFile.text``, never
``Node.text`` (which is the view's).
"""

from __future__ import annotations

import bisect
import dataclasses
import errno
import functools
import os
import re
import stat
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, TypeVar

import tree_sitter

from . import grammar
from .grammar import GO_LANGUAGE  # noqa: F401  (re-exported: rules and analysis build queries with it)

if TYPE_CHECKING:
    from .rule import Finding


T = TypeVar("T")


def parse(data: bytes) -> tree_sitter.Tree:
    """The tree of ``data`` as SourceFile reads it: through the masked view. Validating a
    fix with it judges the output exactly as the next round will read it."""
    return grammar.parse(data).tree


def line_starts(data: bytes) -> list[int]:
    """The offset of each line's first byte (lines end at \\n, so CRLF lines keep their \\r)."""
    starts = [0]
    find = data.find
    i = find(b"\n")
    while i != -1:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts


def read_regular(path: str) -> bytes:
    """The bytes of the regular file at ``path`` (a link is followed). Anything else is an
    OSError, found without blocking: opening a FIFO does not wait for a writer, and a
    device is never read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        return f.read()


class SourceError(Exception):
    """A file that cannot be analysed: the message is one line for the user."""


@dataclass
class SourceFile:
    path: str  # as shown to the user (relative where possible)
    data: bytes
    go_version: tuple[int, int] | None = None
    tree: tree_sitter.Tree = field(init=False, repr=False)
    masks: tuple[grammar.Mask, ...] = field(init=False, repr=False)  # what the parser did not read as written
    _line_starts: list[int] = field(init=False, repr=False)
    imports: dict[str, str] = field(init=False)  # local name -> import path
    go_accepted: bool = field(init=False, default=False)  # gofmt -e was asked and accepted the file
    # Where (line, column) a file Go accepts has syntax the parser lacks even masked: the
    # declarations holding it are blanked, the rest is analysed, nothing is fixed.
    unsupported: tuple[int, int] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._read(grammar.parse(self.data))
        self._line_starts = line_starts(self.data)

    def _read(self, view: grammar.View) -> None:
        self.tree, self.masks = view.tree, view.masks
        self.imports = _imports(self)
        _OWNERS[self.tree.root_node.id] = self

    @classmethod
    def load(cls, path: str, data: bytes, go_version=None) -> "SourceFile":
        """Validate and parse; raise SourceError with a one-line reason when we must not touch it."""
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1  # a byte column, like the rest
            raise SourceError(f"not valid UTF-8 at line {line}, column {column}; file left unchanged") from None
        sf = cls(path, data, go_version)
        if not sf.root.has_error:
            return sf
        line, col = sf.first_error()
        verdict = grammar.verdict(data)
        if verdict is None:  # no Go toolchain: grammar lag and broken code look alike
            raise SourceError(f"syntax error at {line}:{col}; file left unchanged")
        if not verdict.accepted:
            raise SourceError(f"syntax error at {verdict.message}; file left unchanged")
        sf.go_accepted = True
        isolated = grammar.isolate(data, grammar.View(data, sf.tree, sf.masks))
        if isolated is None:
            raise SourceError(
                f"not analysed: unsupported syntax at {line}:{col} (valid Go the parser does not know); file left unchanged"
            )
        sf._read(isolated)
        sf.unsupported = (line, col)
        return sf

    def rejected_edit(self, new: bytes) -> str | None:
        """Why ``new`` (this file with fixes applied) must not be written, asking Go where it
        is on PATH: tree-sitter accepts some code Go rejects (``if x`` with ``{`` on the next
        line, ``var`` before ``import``), and a file Go rejects is never edited."""
        if not self.go_accepted:
            before = grammar.verdict(self.data)
            if before is not None and not before.accepted:
                return f"syntax error at {before.message}; file left unchanged"
        after = grammar.verdict(new)
        if after is not None and not after.accepted:
            return f"internal: the fixes make code Go rejects ({after.message}); file left unchanged"
        return None

    def guard(self, findings: list[Finding]) -> list[Finding]:
        """``findings`` without the fixes that would edit code the parser did not read as
        written: every fix of a partially parsed file, and any fix touching a blanked type
        parameter list. A masked ``new`` or ``make`` may lie inside an edit: the tree reads it
        as go/parser does (a call whose arguments are expressions) and ``text`` gives its
        bytes, so a fix built from them is right for the real code."""
        if not self.masks:
            return findings
        out = []
        for f in findings:
            if self.unsupported is not None:
                keep, why = (), "not fixed: the file has syntax the parser does not support at {}:{}".format(*self.unsupported)
            else:
                keep = tuple(fx for fx in f.fixes if not any(self._hidden(e.start, e.end) for e in fx.edits))
                why = "not fixed: the fix would edit a method's type parameters, which the parser does not read"
            if len(keep) < len(f.fixes):
                f = dataclasses.replace(f, fixes=keep, notes=f.notes + (() if keep else (why,)))
            out.append(f)
        return out

    def _hidden(self, start: int, end: int) -> bool:
        return any(m.kind != "call" and m.overlaps(start, end) for m in self.masks)

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    @property
    def newline(self) -> bytes:
        """The file's line ending, so inserted lines match their neighbours (CRLF stays CRLF)."""
        i = self.data.find(b"\n")
        return b"\r\n" if i > 0 and self.data[i - 1 : i] == b"\r" else b"\n"

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8")

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and 1-based byte column (as go/token reports them)."""
        row = bisect.bisect_right(self._line_starts, offset) - 1
        return row + 1, offset - self._line_starts[row] + 1

    def line_start(self, offset: int) -> int:
        return self._line_starts[bisect.bisect_right(self._line_starts, offset) - 1]

    def line_text(self, line: int) -> bytes:
        """The bytes of 1-based ``line`` without its line ending."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.data)
        return self.data[start:end].rstrip(b"\r\n")

    def indent_at(self, offset: int) -> bytes:
        """Leading whitespace of the line holding ``offset``."""
        start = self.line_start(offset)
        end = start
        while end < len(self.data) and self.data[end : end + 1] in (b"\t", b" "):
            end += 1
        return self.data[start:end]

    def first_error(self) -> tuple[int, int]:
        stack = [self.root]
        while stack:
            n = stack.pop()
            if n.is_error or n.is_missing:
                return self.line_col(n.start_byte)
            if n.has_error:
                stack.extend(reversed(n.children))
        return 1, 1

    def aliases(self, import_path: str) -> set[str]:
        """Local names under which ``import_path`` is imported (``time``, ``t``, ...)."""
        return {name for name, path in self.imports.items() if path == import_path}

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """What the analysis layer computes about the file once (an index of its nodes, its
        declarations by name): it lives and dies with the file. Asked per finding, such
        answers made huge files quadratic."""
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    # Asked once per finding by some rules: computed once per file (a file with thousands of
    # functions made them quadratic).

    @functools.cached_property
    def trailing_comments(self) -> dict[int, int]:
        """Line (1-based) -> start byte of the `//` comment that ends it after code: the
        comments gofmt aligns when they end consecutive lines."""
        out, stack = {}, [self.root]
        while stack:
            node = stack.pop()
            if node.type == "comment":
                start = node.start_byte
                if self.data[start : start + 2] == b"//" and self.data[self.line_start(start) : start].strip():
                    out[self.line_col(start)[0]] = start
            else:
                stack.extend(node.children)
        return out

    @functools.cached_property
    def package_name(self) -> str:
        """The name in the file's package clause ("" if it has none)."""
        clause = next((c for c in self.root.named_children if c.type == "package_clause"), None)
        ident = clause.named_children[0] if clause is not None and clause.named_children else None
        return self.text(ident) if ident is not None else ""

    @functools.cached_property
    def top_level_names(self) -> frozenset[str]:
        """Names the file declares at package level: functions, vars, consts and types."""
        out = set()
        for decl in self.root.named_children:
            if decl.type == "function_declaration":
                out.add(self.text(decl.child_by_field_name("name")))
            elif decl.type in ("var_declaration", "const_declaration", "type_declaration"):
                for spec in decl.named_children:
                    lists = spec.named_children if spec.type.endswith("_spec_list") else [spec]
                    for one in lists:
                        if one.type.endswith("_spec"):
                            out.update(self.text(n) for n in one.children_by_field_name("name"))
        return frozenset(out)


# The SourceFile that owns each live tree, by its root node's id: what the analysis layer
# caches about a tree lives on the file, and dies with it (a tree takes about 30 times its
# file's size, so nothing may keep old trees alive).
_OWNERS: weakref.WeakValueDictionary[int, SourceFile] = weakref.WeakValueDictionary()


def owner_of(root: tree_sitter.Node) -> SourceFile | None:
    sf = _OWNERS.get(root.id)
    return sf if sf is not None and sf.tree.root_node == root else None


def assumed_name(import_path: str) -> str:
    """The package name an unaliased import binds, guessed from its path as goimports does
    (the package clause of the imported code is not read): foo/v2 is foo, gopkg.in/yaml.v3
    is yaml, github.com/mattn/go-isatty is isatty."""
    parts = import_path.split("/")
    base = parts[-1]
    if len(parts) > 1 and base[:1] == "v" and base[1:].isdigit():
        base = parts[-2]
    base = base.removeprefix("go-")
    return re.match(r"\w*", base).group()  # up to the first character no identifier holds


def _imports(sf: SourceFile) -> dict[str, str]:
    out: dict[str, str] = {}
    for decl in sf.root.children:
        if decl.type != "import_declaration":
            continue
        specs = [c for c in decl.named_children if c.type == "import_spec"]
        for lst in decl.named_children:
            if lst.type == "import_spec_list":
                specs += [c for c in lst.named_children if c.type == "import_spec"]
        for spec in specs:
            path_node = spec.child_by_field_name("path")
            if path_node is None:
                continue
            path = sf.text(path_node).strip('"`')
            name_node = spec.child_by_field_name("name")
            name = sf.text(name_node) if name_node is not None else assumed_name(path)
            if name in ("_", "."):
                continue
            out[name] = path
    return out
