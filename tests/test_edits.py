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
)
from gofixleaks.source import SourceFile

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


ALIGNED = """package p

func f() {
	a := 1     // one
	bbbbbb := 2 // two
	c := 3
	_, _, _ = a, bbbbbb, c
}
"""


def test_insert_after_statement_keeps_aligned_comments_aligned():
    # gofmt aligned the two comments; a line between them would realign them
    sf = sf_of(ALIGNED)
    e = insert_after_statement(sf, stmt_at(sf, "a := 1"), "defer g()")
    assert apply(sf.data, [e]).decode() == ALIGNED.replace("// two\n", "// two\n\tdefer g()\n")


def test_offsets_map_back_through_rounds_of_edits():
    from gofixleaks.engine import _origin, _Round

    # round 1 inserts 4 bytes at 10 and replaces 20..25 by 2 bytes; round 2 inserts 3 at 0
    rounds = [_Round([TextEdit(10, 10, b"abcd"), TextEdit(20, 25, b"xy")]), _Round([TextEdit(0, 0, b"123")])]
    assert _origin(3 + 5, rounds) == (5, False)  # before every edit
    assert _origin(3 + 10 + 4 + 2, rounds) == (12, False)  # between the two edits of round 1
    assert _origin(3 + 30 + 4 - 3, rounds) == (30, False)  # after both
    assert _origin(3 + 11, rounds) == (10, True)  # inside text round 1 wrote: its insertion point
    assert _origin(1, rounds) == (0, True)  # inside text round 2 wrote


def _naive_to_input(offset: int, round_edits) -> int:
    """The straightforward walk over a round's edits that _Round's bisection replaces."""
    shift = 0
    for e in sorted(round_edits, key=lambda e: (e.start, e.end)):
        start = e.start + shift
        if offset < start:
            break
        if offset < start + len(e.new):
            return e.start
        shift += len(e.new) - (e.end - e.start)
    return offset - shift


def test_mapping_offsets_by_bisection_agrees_with_walking_every_edit():
    import random

    from gofixleaks.engine import _Round

    rng = random.Random(7)
    for _ in range(300):
        size, pos, round_edits = 200, 0, []
        while pos < size:  # non-overlapping edits: deletions, insertions, replacements
            start = pos + rng.randrange(0, 12)
            end = min(size, start + rng.choice([0, 0, 1, 3, 7]))
            if start > size:
                break
            round_edits.append(TextEdit(start, end, b"x" * rng.choice([0, 1, 2, 5])))
            pos = end + (1 if start == end else 0)
        r = _Round(round_edits)
        out_size = size + sum(len(e.new) - (e.end - e.start) for e in round_edits)
        for offset in range(out_size + 1):
            assert r.to_input(offset)[0] == _naive_to_input(offset, round_edits), (round_edits, offset)


def test_choosing_fixes_of_a_round_rejects_exactly_the_overlapping_ones():
    import random

    from gofixleaks.engine import _Intervals

    rng = random.Random(11)
    for _ in range(200):
        chosen_naive: list = []
        taken = _Intervals()
        for _ in range(40):
            start = rng.randrange(0, 100)
            fix = (TextEdit(start, start + rng.choice([0, 0, 1, 4, 9]), b"y"),)
            if rng.random() < 0.3:
                s2 = rng.randrange(0, 100)
                fix += (TextEdit(s2, s2 + rng.choice([0, 2]), b"z"),)
            free = not any(a.overlaps(b) for c in chosen_naive for a in c for b in fix) and not (
                len(fix) == 2 and fix[0].overlaps(fix[1]))
            assert taken.add_if_free(fix) == free, (chosen_naive, fix)
            if free:
                chosen_naive.append(fix)


def test_delete_line_takes_a_blank_line_with_it_only_where_gofmt_would():
    from gofixleaks.edits import delete_line

    src = "package p\n\nfunc f() {\n\ta()\n\n\tb()\n}\n"
    sf = sf_of(src)
    assert apply(sf.data, [delete_line(sf, stmt_at(sf, "a()"))]).decode() == src.replace("\ta()\n", "")
    e = delete_line(sf, stmt_at(sf, "b()"))  # the blank above would end up before the brace
    assert apply(sf.data, [e]).decode() == src.replace("\n\n\tb()\n", "\n")
    shared = sf_of("package p\n\nfunc f() {\n\ta(); b()\n}\n")
    assert delete_line(shared, stmt_at(shared, "a()")) is None


def test_a_fix_whose_own_edits_overlap_is_reported_without_it():
    # the engine can never apply such a fix: scan must not call the finding fixable while
    # fix silently applies nothing (a defer deleted and a stop inserted inside its line)
    from gofixleaks.rule import Pass
    from gofixleaks.source import SourceFile
    from gofixleaks.transforms import RULES

    sf = SourceFile.load("x.go", b"package x\n\nfunc f() {\n\tdefer g()\n}\n\nfunc g() {}\n")
    p = Pass(sf, RULES[0], (1, 22))
    bad = Fix("move it", (TextEdit(13, 24, b""), TextEdit(23, 23, b"\n\tg()")))
    good = Fix("fine", (TextEdit(13, 24, b"g()"),))
    assert bad.self_overlapping and not good.self_overlapping
    p.report(sf.root, "finding", [bad])
    p.report(sf.root, "finding", [good])
    assert [f.fixable for f in p.findings] == [False, True]
    assert "cannot be applied" in p.findings[0].notes[0] and not p.findings[1].notes
