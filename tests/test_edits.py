"""edits.py: byte-range edits, their conflicts, import insertion the way goimports lays it
out, and the statement-level insertion helpers rules build fixes from."""

from __future__ import annotations

import pytest

from gofixleaks import analysis as a
from gofixleaks.edits import (
    EditConflict,
    Fix,
    TextEdit,
    apply,
    import_edit,
    insert_after_statement,
    insert_at_block_start,
    insert_before_statement,
    realigned_comment,
)
from gofixleaks.source import SourceFile, line_starts

from . import gotools


def sf_of(text: str | bytes) -> SourceFile:
    return SourceFile("x.go", text.encode() if isinstance(text, str) else text)


def first(sf: SourceFile, type_: str):
    return next(a.of_type(sf.root, type_))


# apply and conflicts


def test_apply_copies_untouched_bytes_and_ignores_edit_order():
    data = "héllo, 世界\r\n".encode()
    edits = [TextEdit(0, 1, b"H"), TextEdit(len("héllo, ".encode()), len("héllo, 世界".encode()), b"world")]
    assert apply(data, edits) == b"H\xc3\xa9llo, world\r\n"
    assert apply(data, list(reversed(edits))) == apply(data, edits)
    assert apply(data, []) == data


def test_adjacent_edits_apply_and_overlapping_ones_conflict():
    data = b"0123456789"
    assert apply(data, [TextEdit(0, 2, b"ab"), TextEdit(2, 4, b"cd")]) == b"abcd456789"
    assert apply(data, [TextEdit(2, 2, b"+"), TextEdit(0, 2, b"ab")]) == b"ab+23456789"
    for pair in (
        [TextEdit(0, 3, b""), TextEdit(2, 4, b"")],  # ranges overlap
        [TextEdit(5, 5, b"a"), TextEdit(5, 5, b"b")],  # two insertions at one point: order unknown
        [TextEdit(1, 8, b""), TextEdit(4, 4, b"x")],  # an insertion inside a replaced range
    ):
        with pytest.raises(EditConflict):
            apply(data, pair)
        assert pair[0].overlaps(pair[1]) and pair[1].overlaps(pair[0])


def test_fix_overlap_is_any_edit_overlapping():
    f1 = Fix("a", (TextEdit(0, 2, b""), TextEdit(10, 12, b"")))
    f2 = Fix("b", (TextEdit(11, 11, b"x"),))
    f3 = Fix("c", (TextEdit(2, 10, b""),))
    assert f1.overlaps(f2) and not f1.overlaps(f3)


# imports


def with_imports(sf: SourceFile, *paths: str) -> str:
    edit = import_edit(sf, paths)
    return apply(sf.data, [edit]).decode() if edit else sf.data.decode()


def test_import_into_a_block_sorts_within_the_first_run():
    src = 'package p\n\nimport (\n\t"fmt"\n\t"time"\n\n\t"example.com/x"\n)\n'
    assert with_imports(sf_of(src), "context") == src.replace('\t"fmt"', '\t"context"\n\t"fmt"')
    assert with_imports(sf_of(src), "sync") == src.replace('\t"time"\n', '\t"sync"\n\t"time"\n')
    assert with_imports(sf_of(src), "unicode") == src.replace('\t"time"\n', '\t"time"\n\t"unicode"\n')
    both = with_imports(sf_of(src), "context", "sync")
    assert both == src.replace('\t"fmt"\n\t"time"\n', '\t"context"\n\t"fmt"\n\t"sync"\n\t"time"\n')


def test_unaliased_imports_bind_the_name_goimports_assumes():
    src = 'package p\n\nimport (\n\t"time"\n\t"example.com/m/v2"\n\t"gopkg.in/yaml.v3"\n\t"github.com/mattn/go-isatty"\n\t"example.com/fast-json"\n\tclock "time"\n\t_ "embed"\n)\n'
    assert sf_of(src).imports == {
        "time": "time",
        "m": "example.com/m/v2",
        "yaml": "gopkg.in/yaml.v3",
        "isatty": "github.com/mattn/go-isatty",
        "fast": "example.com/fast-json",
        "clock": "time",
    }


def test_an_import_already_there_adds_nothing_even_under_an_alias():
    assert import_edit(sf_of('package p\n\nimport clock "time"\n'), ["time"]) is None


def test_a_single_import_becomes_a_block():
    src = 'package p\n\nimport "time"\n\nvar _ = time.Now\n'
    assert with_imports(sf_of(src), "context") == src.replace('import "time"', 'import (\n\t"context"\n\t"time"\n)')


def test_a_file_without_imports_gets_one_after_the_package_clause():
    assert with_imports(sf_of("package p\n\nvar x int\n"), "context") == 'package p\n\nimport "context"\n\nvar x int\n'
    assert with_imports(sf_of("package p\n"), "context", "sync") == 'package p\n\nimport (\n\t"context"\n\t"sync"\n)\n'


def test_import_edits_keep_crlf():
    src = 'package p\r\n\r\nimport (\r\n\t"fmt"\r\n)\r\n'
    assert with_imports(sf_of(src), "time") == src.replace('\t"fmt"\r\n', '\t"fmt"\r\n\t"time"\r\n')
    single = 'package p\r\n\r\nimport "fmt"\r\n'
    assert with_imports(sf_of(single), "time") == single.replace('import "fmt"', 'import (\r\n\t"fmt"\r\n\t"time"\r\n)')


@pytest.mark.parametrize(
    "src",
    [
        'package p\n\nimport (\n\t"fmt"\n\t"time"\n\n\t"example.com/x"\n)\n\nvar _, _, _ = fmt.Sprint, time.Now, x.X\n',
        'package p\n\nimport "time"\n\nvar _ = time.Now\n',
        "package p\n\nvar x int\n",
        'package p\n\n// 中文注释\nimport (\n\tt "time" // 时钟\n)\n\nvar _ = t.Now\n',
    ],
)
def test_import_edits_are_gofmt_clean(src):
    out = with_imports(sf_of(src), "context", "sync")
    assert gotools.gofmt_clean(out.encode()), out


# statement insertion


FUNC = "package p\n\nfunc f() {\n\tx := 1 // 一\n\tif x > 0 {\n\t\tx++\n\t}\n\t_ = x\n}\n"


def stmt_at(sf: SourceFile, text: str):
    return next(n for n in a.walk(sf.root) if n.parent and n.parent.type == "statement_list" and sf.text(n) == text)


def test_insert_after_statement_goes_after_a_trailing_comment_with_its_indent():
    sf = sf_of(FUNC)
    e = insert_after_statement(sf, stmt_at(sf, "x := 1"), "defer g()")
    assert apply(sf.data, [e]).decode() == FUNC.replace("// 一\n", "// 一\n\tdefer g()\n")
    inner = insert_after_statement(sf, stmt_at(sf, "x++"), "g()")
    assert apply(sf.data, [inner]).decode() == FUNC.replace("\t\tx++\n", "\t\tx++\n\t\tg()\n")


def test_insert_after_statement_refuses_a_statement_sharing_its_line():
    sf = sf_of("package p\n\nfunc f() {\n\tx := 1; _ = x\n}\n")
    assert insert_after_statement(sf, stmt_at(sf, "x := 1"), "g()") is None


def test_insert_after_statement_keeps_crlf():
    src = FUNC.replace("\n", "\r\n")
    sf = sf_of(src)
    e = insert_after_statement(sf, stmt_at(sf, "_ = x"), "g()")
    assert apply(sf.data, [e]).decode() == src.replace("\t_ = x\r\n", "\t_ = x\r\n\tg()\r\n")


def test_insert_at_block_start():
    sf = sf_of(FUNC)
    body = first(sf, "function_declaration").child_by_field_name("body")
    e = insert_at_block_start(sf, body, "defer g()")
    assert apply(sf.data, [e]).decode() == FUNC.replace("{\n\tx := 1", "{\n\tdefer g()\n\tx := 1")
    empty = sf_of("package p\n\nfunc f() {\n}\n")
    e = insert_at_block_start(empty, first(empty, "block"), "g()")
    assert apply(empty.data, [e]).decode() == "package p\n\nfunc f() {\n\tg()\n}\n"


def test_insert_at_block_start_refuses_a_one_line_block():
    sf = sf_of("package p\n\nfunc f() { g() }\n\nfunc g() {}\n")
    assert insert_at_block_start(sf, first(sf, "block"), "x()") is None


def test_insert_before_statement_goes_above_its_leading_comments():
    src = "package p\n\nfunc f() {\n\tx := 1\n\t// 注释 about the loop\n\tfor x < 3 {\n\t\tx++\n\t}\n}\n"
    sf = sf_of(src)
    e = insert_before_statement(sf, first(sf, "for_statement"), ["t := 1", "_ = t"])
    assert apply(sf.data, [e]).decode() == src.replace("\t// 注释", "\tt := 1\n\t_ = t\n\t// 注释")
    same_line = sf_of("package p\n\nfunc f() {\n\tx := 1; _ = x\n}\n")
    assert insert_before_statement(same_line, stmt_at(same_line, "_ = x"), ["g()"]) is None



ALIGNED = "package p\n\nfunc f() {\n\ta := 1   // one\n\tbbb := 2 // two\n\n\tc := 3 // three\n\t_, _, _ = a, bbb, c\n}\n"


@pytest.mark.parametrize("where, expected", [
    ("replace a", 4),  # a's code changes width: gofmt would move bbb's comment
    ("between a and bbb", 4),  # a new line splits the run, and a keeps its padding
    ("below bbb", None),  # after the run's last line: the run stays as it is
    ("above a", None),
    ("replace c", None),  # c's comment has no neighbour to align with
])
def test_realigned_comment_refuses_edits_inside_an_aligned_run(where, expected):
    sf = sf_of(ALIGNED)
    starts = line_starts(sf.data)
    end = {n: sf.data.index(b"\n", starts[n - 1]) for n in (4, 5)}
    edit = {
        "replace a": TextEdit(starts[3] + 1, starts[3] + 1 + len("a := 1"), b"a := 100000"),
        "between a and bbb": TextEdit(end[4], end[4], b"\n\tx := 0"),
        "below bbb": TextEdit(end[5], end[5], b"\n\tx := 0"),
        "above a": TextEdit(starts[3], starts[3], b"\tx := 0\n"),
        "replace c": TextEdit(starts[6] + 1, starts[6] + 1 + len("c := 3"), b"c := 300000"),
    }[where]
    assert realigned_comment(sf, Fix("f", (edit,))) == expected
    if gotools.gofmt() is not None:  # the claim, checked against gofmt itself
        assert gotools.gofmt_clean(apply(sf.data, [edit])) == (expected is None)


def test_realigned_comment_lets_a_run_of_equal_lines_be_split():
    # both comments sit one space after code of one width: apart, each is still gofmt's
    sf = sf_of("package p\n\nfunc f() {\n\ts := g(1) // soft\n\th := g(2) // hard\n\t_, _ = s, h\n}\n\nfunc g(int) int { return 0 }\n")
    at = sf.data.index(b"\n", line_starts(sf.data)[3])
    edit = TextEdit(at, at, b"\n\tdefer f()")
    assert realigned_comment(sf, Fix("f", (edit,))) is None
    if gotools.gofmt() is not None:
        assert gotools.gofmt_clean(sf.data) and gotools.gofmt_clean(apply(sf.data, [edit]))
