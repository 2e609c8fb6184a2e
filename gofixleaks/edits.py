"""TextEdit and Fix (byte ranges on the original file), applying them, and import insertion."""

from __future__ import annotations

from dataclasses import dataclass, field

from .source import SourceFile


@dataclass(frozen=True, order=True)
class TextEdit:
    start: int  # byte offset, inclusive
    end: int  # byte offset, exclusive; start == end is an insertion
    new: bytes

    def overlaps(self, other: "TextEdit") -> bool:
        if self.start == self.end == other.start == other.end:
            return True  # two insertions at one point: their order would be a guess
        return self.start < other.end and other.start < self.end or (
            self.start == self.end and other.start < self.start < other.end
        ) or (other.start == other.end and self.start < other.start < self.end)


SAFE, REVIEW = "safe", "review"
APPLICABILITIES = (SAFE, REVIEW)


@dataclass(frozen=True)
class Fix:
    """A suggested fix. Its applicability grades it as ruff grades fixes: ``safe`` fixes only
    release a resource or remove blocking (``defer cancel()``, ``defer t.Stop()``, a buffer
    for every sender) and keep behaviour otherwise; ``review`` fixes change concurrency
    behaviour (a semaphore, a new select that returns early, a new ctx parameter) and need a
    person's look. A fix that could hang or abandon work is not offered at all."""

    message: str
    edits: tuple[TextEdit, ...]
    imports: tuple[str, ...] = ()  # import paths the new code needs
    follow_ups: tuple[str, ...] = field(default=(), compare=False)
    applicability: str = REVIEW  # unless a rule says it is safe, a person looks at it

    def __post_init__(self) -> None:
        if self.applicability not in APPLICABILITIES:
            raise ValueError(f"unknown applicability {self.applicability!r}")

    def overlaps(self, other: "Fix") -> bool:
        return any(a.overlaps(b) for a in self.edits for b in other.edits)

    @property
    def self_overlapping(self) -> bool:
        """Whether two of its own edits overlap: no round could ever apply it."""
        return any(a.overlaps(b) for i, a in enumerate(self.edits) for b in self.edits[i + 1:])


class EditConflict(ValueError):
    pass


def apply(data: bytes, edits: list[TextEdit] | tuple[TextEdit, ...]) -> bytes:
    """Apply non-overlapping edits to ``data``; untouched bytes are copied as they are."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if a.overlaps(b):
            raise EditConflict(f"overlapping edits at bytes {a.start}-{a.end} and {b.start}-{b.end}")
    out = []
    pos = 0
    for e in ordered:
        out.append(data[pos : e.start])
        out.append(e.new)
        pos = e.end
    out.append(data[pos:])
    return b"".join(out)


def import_edit(sf: SourceFile, paths: set[str] | tuple[str, ...]) -> TextEdit | None:
    """One edit adding the missing ``paths`` to the file's imports, the way goimports would."""
    missing = sorted(set(paths) - set(sf.imports.values()))
    if not missing:
        return None
    nl = sf.newline
    decls = [c for c in sf.root.children if c.type == "import_declaration"]
    specs_line = lambda indent: b"".join(indent + b'"' + p.encode() + b'"' + nl for p in missing)  # noqa: E731
    for decl in decls:
        lst = next((c for c in decl.named_children if c.type == "import_spec_list"), None)
        if lst is None:
            continue
        specs = [c for c in lst.named_children if c.type == "import_spec"]
        if not specs:
            continue
        # gofmt sorts each run of specs; put each path where it sorts within the first run
        first_run = _first_run(sf, specs)
        indent = sf.indent_at(first_run[0].start_byte)
        edits_at: dict[int, list[str]] = {}
        for p in missing:
            at = next((s for s in first_run if _spec_path(s) > p), None)
            offset = sf.line_start(at.start_byte) if at else _next_line(sf, first_run[-1].end_byte)
            edits_at.setdefault(offset, []).append(p)
        if len(edits_at) == 1:
            (offset, ps), = edits_at.items()
            return TextEdit(offset, offset, b"".join(indent + b'"' + p.encode() + b'"' + nl for p in ps))
        # several insertion points: rewrite the run as one sorted block
        start = sf.line_start(first_run[0].start_byte)
        end = _next_line(sf, first_run[-1].end_byte)
        lines = [sf.data[sf.line_start(s.start_byte) : _next_line(sf, s.end_byte)] for s in first_run]
        lines += [indent + b'"' + p.encode() + b'"' + nl for p in missing]
        lines.sort(key=lambda ln: ln.strip().split(b'"')[1] if b'"' in ln else ln)
        return TextEdit(start, end, b"".join(lines))
    if decls:
        # a single `import "fmt"`: turn it into a block
        decl = decls[0]
        spec = next(c for c in decl.named_children if c.type == "import_spec")
        old = sf.data[spec.start_byte : spec.end_byte]
        entries = sorted([(_spec_path(spec), b"\t" + old + nl)] + [(p, b'\t"' + p.encode() + b'"' + nl) for p in missing])
        return TextEdit(decl.start_byte, decl.end_byte, b"import (" + nl + b"".join(e for _, e in entries) + b")")
    pkg = next(c for c in sf.root.children if c.type == "package_clause")
    block = specs_line(b"\t")
    new = nl + nl + (b"import " + block.strip() if len(missing) == 1 else b"import (" + nl + block + b")")
    return TextEdit(pkg.end_byte, pkg.end_byte, new)


def _spec_path(spec) -> str:
    return spec.child_by_field_name("path").text.decode("utf-8").strip('"`')


def _first_run(sf: SourceFile, specs):
    """Specs on consecutive lines from the first one: gofmt sorts within such a run."""
    run = [specs[0]]
    for s in specs[1:]:
        prev_line = sf.line_col(run[-1].end_byte)[0]
        if sf.line_col(s.start_byte)[0] != prev_line + 1:
            break
        run.append(s)
    return run


def _next_line(sf: SourceFile, offset: int) -> int:
    i = sf.data.find(b"\n", offset)
    return len(sf.data) if i == -1 else i + 1


def insert_after_statement(sf: SourceFile, stmt, text: str) -> TextEdit | None:
    """A new line holding ``text`` after ``stmt``, indented like it. None when ``stmt`` does
    not end its line (``a; b``), where a new line would not be gofmt's layout."""
    indent = sf.indent_at(stmt.start_byte)
    stmt = _end_of_comment_run(sf, stmt)
    line_end = sf.data.find(b"\n", stmt.end_byte)
    line_end = len(sf.data) if line_end == -1 else line_end
    rest = sf.data[stmt.end_byte : line_end].rstrip(b"\r")
    if rest.strip() and not rest.strip().startswith(b"//"):
        return None
    if line_end > 0 and sf.data[line_end - 1 : line_end] == b"\r":
        line_end -= 1
    return TextEdit(line_end, line_end, sf.newline + indent + text.encode())


_PLAIN = ("short_var_declaration", "assignment_statement", "var_declaration", "const_declaration", "inc_statement", "dec_statement")


def line_comment_after(sf: SourceFile, node):
    """The comment that follows ``node`` on the line where ``node`` ends, or None."""
    nxt = node.next_sibling
    ends_line = nxt is not None and nxt.type == "comment" and sf.line_col(nxt.start_byte)[0] == sf.line_col(node.end_byte)[0]
    return nxt if ends_line else None


def realigned_comment(sf: SourceFile, fix: Fix) -> int | None:
    """The line of ``fix``'s first edit when its output has trailing comments laid out
    otherwise than gofmt lays them out, where its input had them as gofmt does (so the fix
    made the difference): gofmt aligns the `//` comments that end consecutive lines of one
    indentation, one space after the longest code. Replacing a line of such a run (its code
    grows or shrinks, or its comment goes) or putting a padded one's neighbour elsewhere
    would make gofmt move the others: xray-core's `time.Sleep(d)   // TODO` under `send //
    TODO`. None when the fix keeps every run as gofmt would have it."""
    near = sf.trailing_comments
    if not any(n in near for e in fix.edits for n in range(sf.line_col(e.start)[0] - 1, sf.line_col(e.end)[0] + 2)):
        return None  # no trailing comment on or beside an edited line: no run to move (and no parse per fix)
    try:
        new = SourceFile(sf.path, apply(sf.data, fix.edits), sf.go_version)
    except EditConflict:
        return None
    changed = _misaligned(new) - _misaligned(sf)
    return sf.line_col(min(e.start for e in fix.edits))[0] if changed else None


def _misaligned(sf: SourceFile) -> set[tuple[bytes, ...]]:
    """The runs of consecutive lines of one indentation that end in a `//` comment after
    code whose comments gofmt would move (not all in one column, or that column not one
    space after the longest code), each as the lines' text."""
    cells = {}  # line -> (indentation, code width, comment column), in runes as gofmt counts
    for n, start in sf.trailing_comments.items():
        head = sf.data[sf.line_start(start) : start].decode("utf-8", "replace")
        cells[n] = (sf.indent_at(start), len(head.rstrip()), len(head))
    out = set()
    run: list[int] = []
    for n in sorted(cells) + [-2]:
        if run and (n != run[-1] + 1 or cells[n][0] != cells[run[-1]][0]):
            if len({cells[k][2] for k in run}) > 1 or max(cells[k][1] for k in run) + 1 != cells[run[0]][2]:
                out.add(tuple(sf.line_text(k) for k in run))
            run = []
        if n >= 0:
            run.append(n)
    return out


def _padded(sf: SourceFile, stmt) -> bool:
    """The trailing comment sits further than one space after the code (gofmt aligned it)."""
    comment = stmt.next_sibling
    return sf.data[stmt.end_byte : comment.start_byte] != b" "


def _end_of_comment_run(sf: SourceFile, stmt):
    """gofmt aligns the trailing comments of consecutive one-line statements: a line put
    inside such a run would realign them. Step to the run's last plain statement when the
    alignment shows (some comment is padded)."""
    first, run = stmt, [stmt]
    while line_comment_after(sf, stmt):
        nxt = stmt.next_named_sibling
        while nxt is not None and nxt.type == "comment":
            nxt = nxt.next_named_sibling
        if (
            nxt is None
            or nxt.type not in _PLAIN
            or sf.line_col(nxt.start_byte)[0] != sf.line_col(stmt.end_byte)[0] + 1
            or sf.line_col(nxt.end_byte)[0] != sf.line_col(nxt.start_byte)[0]
            or not line_comment_after(sf, nxt)
        ):
            break
        stmt = nxt
        run.append(stmt)
    return stmt if any(line_comment_after(sf, st) and _padded(sf, st) for st in run) else first


def insert_at_block_start(sf: SourceFile, block, text: str) -> TextEdit | None:
    """``text`` as the first statement of ``block``; None for a block written on one line."""
    open_line = sf.line_col(block.start_byte)[0]
    if sf.line_col(block.end_byte)[0] == open_line:
        return None
    rest = sf.data[block.start_byte + 1 : sf.data.find(b"\n", block.start_byte)].strip()
    if rest and not rest.startswith(b"//"):
        return None
    next_line = sf.data.find(b"\n", block.start_byte) + 1
    first = next((c for c in block.named_children if c.type != "comment"), None)
    stmts = first.named_children if first is not None and first.type == "statement_list" else []
    if stmts:
        indent = sf.indent_at(stmts[0].start_byte)
    else:
        indent = sf.indent_at(block.start_byte) + b"\t"
    return TextEdit(next_line, next_line, indent + text.encode() + sf.newline)


def insert_before_statement(sf: SourceFile, stmt, lines: list[str]) -> TextEdit | None:
    """New ``lines`` before ``stmt``, indented like it and above the comment lines that lead
    into it. None when ``stmt`` does not start its line (``a; b``)."""
    start = sf.line_start(stmt.start_byte)
    if sf.data[start : stmt.start_byte].strip():
        return None
    indent = sf.indent_at(stmt.start_byte)
    if stmt.type == "labeled_statement":
        indent += b"\t"  # gofmt outdents a label one tab from the statements around it
    prev = stmt.prev_named_sibling
    if prev is None and stmt.parent is not None and stmt.parent.type == "statement_list":
        prev = stmt.parent.prev_named_sibling  # comments that open a block sit outside its list
    while prev is not None and prev.type == "comment" and sf.line_col(prev.end_byte)[0] == sf.line_col(start)[0] - 1:
        line = sf.line_start(prev.start_byte)
        if sf.data[line : prev.start_byte].strip():
            break  # a trailing comment of the statement before
        start = line
        prev = prev.prev_named_sibling
    return TextEdit(start, start, b"".join(indent + ln.encode() + sf.newline for ln in lines))


def delete_line(sf: SourceFile, stmt, with_comment: bool = False) -> TextEdit | None:
    """An edit removing the line that holds only ``stmt`` (``with_comment``: and its
    trailing comment), and with it a blank line above when the blank below or the closing
    brace would leave it where gofmt allows none. None when ``stmt`` shares its line with
    other code."""
    start = sf.line_start(stmt.start_byte)
    end = sf.data.find(b"\n", stmt.end_byte)
    rest = sf.data[stmt.end_byte : end].strip() if end != -1 else b""
    if sf.data[start : stmt.start_byte].strip() or end == -1 or rest and not (with_comment and rest.startswith(b"//")):
        return None
    end += 1
    prev_blank = start > 0 and not sf.data[sf.line_start(start - 1) : start].strip()
    nxt = sf.data[end : sf.data.find(b"\n", end) + 1]
    if prev_blank and (not nxt.strip() or nxt.strip().startswith(b"}")):
        start = sf.line_start(start - 1)
    return TextEdit(start, end, b"")
