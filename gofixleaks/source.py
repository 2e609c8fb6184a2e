"""SourceFile: one Go file's bytes, its syntax tree, a line table and its imports.

Everything downstream works on byte offsets into ``data``; tree-sitter offsets are bytes,
so a file with non-ASCII text never shifts an edit.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_go

GO_LANGUAGE = tree_sitter.Language(tree_sitter_go.language())


@functools.lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(GO_LANGUAGE)


def parse(data: bytes) -> tree_sitter.Tree:
    return _parser().parse(data)


def line_starts(data: bytes) -> list[int]:
    """The offset of each line's first byte (lines end at \\n, so CRLF lines keep their \\r)."""
    starts = [0]
    find = data.find
    i = find(b"\n")
    while i != -1:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts


class SourceError(Exception):
    """A file that cannot be analysed: the message is one line for the user."""


@dataclass
class SourceFile:
    path: str  # as shown to the user (relative where possible)
    data: bytes
    go_version: tuple[int, int] | None = None
    tree: tree_sitter.Tree = field(init=False, repr=False)
    _line_starts: list[int] = field(init=False, repr=False)
    imports: dict[str, str] = field(init=False)  # local name -> import path

    def __post_init__(self) -> None:
        self.tree = parse(self.data)
        self._line_starts = line_starts(self.data)
        self.imports = _imports(self.tree.root_node)

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
        if sf.root.has_error:
            line, col = sf.first_error()
            raise SourceError(f"syntax error at {line}:{col}; file left unchanged")
        return sf

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


def _imports(root: tree_sitter.Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for decl in root.children:
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
            path = path_node.text.decode("utf-8").strip('"`')
            name_node = spec.child_by_field_name("name")
            name = name_node.text.decode("utf-8") if name_node is not None else assumed_name(path)
            if name in ("_", "."):
                continue
            out[name] = path
    return out
