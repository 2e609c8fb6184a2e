"""Grammar lag: Go 1.26's new(expr) and Go 1.27's generic methods are read through a masked
view of the same length; files Go accepts but the parser cannot read whole are analysed
around the unsupported declarations and never edited; files Go rejects are never edited,
even when tree-sitter reads them cleanly (`if x` + newline + `{`, `var` before `import`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine, grammar
from gofixleaks.discover import discover
from gofixleaks.edits import Fix, TextEdit
from gofixleaks.rule import Finding
from gofixleaks.source import SourceError, SourceFile, parse

from . import gotools
from .conftest import LEAKY, LEAKY_FIXED, write_module

NEW_EXPR = b"""package p

type T struct{ x int }

func f() int { return 1 }

func g(s *S, make func(int) int) (*int, *string) {
	a := new(f())
	b := new("x")
	c := new(s.next())
	d := new(T{x: 1}.x)
	e := new(int)
	h := new([]int)
	m := struct{ p *int }{p: new(42)}
	n := new(new(5))
	use(a, b, c, d, e, h, m, n, new(-1), make(3), new(struct {
		T int
	}))
	return new(len("ab")), new("y")
}
"""

GENERIC_METHOD = b"""package p

type R struct{}

func (r *R) N[T any, U ~int](x T) U {
	var u U
	return u
}
"""

# Valid Go (go vet is clean) that tree-sitter-go 0.25 cannot parse: two labels end a block.
TWO_LABELS = """
func run(n int, f func()) {
	if n > 0 {
		goto skip
	}
	f()
	goto done
skip:
done:
}
"""


@pytest.fixture
def no_go(monkeypatch):
    """As on a machine without a Go toolchain: neither go nor gofmt on PATH."""
    path = [d for d in os.environ["PATH"].split(os.pathsep) if not any(
        os.path.exists(os.path.join(d, exe)) for exe in ("go", "gofmt"))]
    monkeypatch.setenv("PATH", os.pathsep.join(path))
    grammar.gofmt.cache_clear()
    yield
    grammar.gofmt.cache_clear()


def go_required():
    gotools.require_go()
    assert grammar.gofmt() is not None


def test_new_of_a_value_parses_through_a_view_of_the_same_bytes():
    assert grammar._parser().parse(NEW_EXPR).root_node.has_error  # the grammar takes only a type
    view = grammar.parse(NEW_EXPR)
    assert not view.tree.root_node.has_error
    assert len(view.data) == len(NEW_EXPR)
    masked = [NEW_EXPR.count(b"\n", 0, m.start) + 1 for m in view.masks]
    # new(int), new([]int) and new(struct{...}) parse as they are: not masked
    assert masked == [8, 9, 10, 11, 14, 15, 15, 16, 16, 19, 19]
    assert {NEW_EXPR[m.start : m.end] for m in view.masks} == {b"new", b"make"}
    assert all(m.kind == "call" for m in view.masks)


def test_text_reads_the_original_bytes_of_a_masked_call():
    sf = SourceFile("p.go", NEW_EXPR)
    calls = [n for n in _walk(sf.root) if n.type == "call_expression"]
    names = {sf.text(c.child_by_field_name("function")) for c in calls}
    assert "new" in names and "n_w" not in names and "make" in names
    arg = next(c for c in calls if sf.text(c) == 'new("x")')
    assert arg.child_by_field_name("arguments").named_children[0].type == "interpreted_string_literal"


def test_a_file_that_parses_as_written_is_not_masked():
    data = b"package p\n\nvar x = new(int)\nvar y = make([]int, new(T).n)\n"
    view = grammar.parse(data)
    assert view.masks == () and view.data is data


def test_a_method_named_new_is_left_alone():
    data = b'package p\n\nfunc f() { _ = x.new("a"); _ = new("b") }\n'
    view = grammar.parse(data)
    assert [data[m.start : m.start + 6] for m in view.masks] == [b'new("b']


def test_a_generic_method_parses_with_its_type_parameters_blanked():
    view = grammar.parse(GENERIC_METHOD)
    assert not view.tree.root_node.has_error
    (mask,) = view.masks
    assert (mask.kind, GENERIC_METHOD[mask.start : mask.end]) == ("type-params", b"[T any, U ~int]")
    assert view.data == GENERIC_METHOD.replace(b"[T any, U ~int]", b" " * 15)
    sf = SourceFile("p.go", GENERIC_METHOD)
    (method,) = [n for n in sf.root.named_children if n.type == "method_declaration"]
    assert sf.text(method.child_by_field_name("name")) == "N"


def test_type_parameters_spanning_lines_keep_their_line_ends():
    data = b"package p\n\nfunc (r R) N[\r\n\tT any,\r\n](x T) {}\n"
    view = grammar.parse(data)
    assert not view.tree.root_node.has_error
    assert view.data.count(b"\r\n") == 2 and len(view.data) == len(data)


def test_no_line_end_after_a_last_type_declaration():
    data = b"package p\n\ntype T interface{ int | string }"
    assert grammar._parser().parse(data).root_node.has_error
    sf = SourceFile.load("p.go", data)
    assert not sf.root.has_error and sf.masks == ()


def _finding(sf: SourceFile, start: int, end: int) -> Finding:
    fix = Fix("change it", (TextEdit(start, end, b"x"),))
    return Finding("r", "warning", sf.path, start, end, 1, 1, 1, 1, "m", (fix,))


def test_a_fix_touching_blanked_type_parameters_is_dropped_and_one_beside_them_kept():
    sf = SourceFile("p.go", GENERIC_METHOD)
    (mask,) = sf.masks
    inside, across = _finding(sf, mask.start + 1, mask.start + 2), _finding(sf, mask.start - 1, mask.end + 1)
    before, after = _finding(sf, mask.start, mask.start), _finding(sf, mask.end, mask.end + 1)
    guarded = sf.guard([inside, across, before, after])
    assert [bool(f.fixes) for f in guarded] == [False, False, True, True]
    assert "type parameters" in guarded[0].notes[0]


def test_a_fix_around_a_masked_new_is_kept():
    sf = SourceFile("p.go", NEW_EXPR)
    m = sf.masks[0]
    f = _finding(sf, m.start - 5, m.end + 5)
    assert sf.guard([f]) == [f]


@pytest.mark.parametrize(
    "src, message",
    [
        (b"package p\n\nfunc f() {\n\tx := new(\n}\n", "syntax error at 5:1: expected operand, found '}'"),
        (b"package p\n\nfunc (r R) N[T any](x T) {\n\treturn x +\n}\n", "syntax error at 5:1: expected operand, found '}'"),
    ],
)
def test_go_decides_a_file_the_parser_cannot_read_and_its_words_are_reported(src, message):
    go_required()
    with pytest.raises(SourceError) as e:
        SourceFile.load("p.go", src)
    assert str(e.value) == f"{message}; file left unchanged"


def test_without_go_any_error_left_after_masking_is_a_syntax_error(no_go):
    with pytest.raises(SourceError, match=r"^syntax error at 10:5; file left unchanged$"):
        SourceFile.load("p.go", ("package p\n" + TWO_LABELS).encode())
    assert not SourceFile.load("p.go", NEW_EXPR).root.has_error  # masking needs no Go


def test_a_file_go_accepts_is_read_around_its_unsupported_declaration():
    go_required()
    src = LEAKY + TWO_LABELS
    sf = SourceFile.load("p.go", src.encode())
    assert sf.unsupported == (len(LEAKY.splitlines()) + 9, 5)
    assert not sf.root.has_error
    names = [sf.text(n.child_by_field_name("name")) for n in sf.root.named_children if n.type == "function_declaration"]
    assert names == ["Poll"]  # run is blanked, Poll is read


def test_a_partially_parsed_file_is_reported_and_counted_but_never_fixed(cli, tmp_path):
    go_required()
    src = LEAKY + TWO_LABELS
    m = write_module(tmp_path / "m", {"poll.go": src, "ok.go": LEAKY.replace("Poll", "Poll2")})
    line = len(LEAKY.splitlines()) + 9
    scan = cli("scan", "--format", "json", cwd=m)
    doc = json.loads(scan.stdout)
    assert doc["errors"] == []
    assert doc["partially_parsed"] == [
        {"path": "poll.go", "line": line, "column": 5, "message": f"partially parsed: Go accepts the file but the parser "
         f"does not support the syntax at {line}:5; the declarations holding it were not analysed and the file is not fixed"}
    ]
    poll = [f for f in doc["findings"] if f["path"] == "poll.go"]
    assert [(f["line"], f["fixable"]) for f in poll] == [(6, False)]
    assert poll[0]["notes"] == [f"not fixed: the file has syntax the parser does not support at {line}:5"]
    sarif = json.loads(cli("scan", "--format", "sarif", cwd=m).stdout)
    (note,) = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["locations"][0]["physicalLocation"]["region"]["startLine"] == line
    text = cli("scan", cwd=m)
    assert "poll.go: note: partially parsed" in text.stdout
    assert text.stderr.startswith("2 finding(s) in 2 file(s), partially parsed: 1 file(s)")
    fix = cli("fix", "--write", cwd=m)
    assert fix.code == 0
    assert "applied 1 fix(es) in 1 file(s) (ticker-not-stopped 1); partially parsed: 1 file(s)" in fix.stderr
    assert (m / "poll.go").read_text() == src
    assert (m / "ok.go").read_text() == LEAKY_FIXED.replace("Poll", "Poll2")


IF_NEWLINE = LEAKY.replace("\t<-t.C\n", "\tif d > 0\n\t{\n\t\treturn\n\t}\n\t<-t.C\n")
VAR_BEFORE_IMPORT = LEAKY.replace('import "time"\n', 'var x = 1\n\nimport "time"\n')


@pytest.mark.parametrize(
    "src, message",
    [
        (IF_NEWLINE, "syntax error at 7:10: unexpected newline, expecting { after if clause; file left unchanged"),
        (VAR_BEFORE_IMPORT, "syntax error at 5:1: imports must appear before other declarations; file left unchanged"),
    ],
    ids=["if-newline-brace", "var-before-import"],
)
def test_a_file_go_rejects_is_never_edited_even_when_tree_sitter_reads_it(cli, tmp_path, src, message):
    go_required()
    assert not parse(src.encode()).root_node.has_error  # tree-sitter accepts it
    m = write_module(tmp_path / "m", {"poll.go": src, "ok.go": LEAKY.replace("Poll", "Poll2")})
    r = cli("fix", "--write", cwd=m)
    assert r.code == 1
    assert f"poll.go: error: {message}" in r.stderr
    assert (m / "poll.go").read_text() == src
    assert (m / "ok.go").read_text() == LEAKY_FIXED.replace("Poll", "Poll2")
    (result,) = [r for r in _fix(m) if r.path.endswith("poll.go")]
    assert (result.error, result.findings, result.changed) == (message, [], False)


def test_an_output_go_rejects_is_refused():
    go_required()
    sf = SourceFile("p.go", LEAKY.encode())
    assert sf.rejected_edit(LEAKY_FIXED.encode()) is None
    assert sf.rejected_edit(IF_NEWLINE.encode()) == (
        "internal: the fixes make code Go rejects (7:10: unexpected newline, expecting { after if clause); file left unchanged"
    )


WORKER = """package p

import "time"

func startWorker(task func()) {
	for {
		go func() {
			task()
		}()
		time.Sleep(time.Millisecond)
	}
}
"""


@pytest.mark.parametrize("partial", [False, True], ids=["caller-parsed-whole", "caller-partially-parsed"])
def test_plumbing_refuses_when_a_caller_may_hide_in_a_partially_parsed_file(tmp_path, partial):
    go_required()
    other = ('package p\n\nimport "context"\n\nfunc Start(ctx context.Context, task func()) {\n\tgo startWorker(task)\n}\n'
             + (TWO_LABELS if partial else ""))
    m = write_module(tmp_path / "m", {"worker.go": WORKER, "other.go": other})
    results = {Path(r.abspath).name: r for r in _fix(m)}
    (f,) = [f for f in results["worker.go"].findings if f.rule == "unbounded-goroutines"]
    if not partial:  # the control: plumbing threads a ctx through startWorker and its caller
        assert b"func startWorker(ctx context.Context, task func())" in results["worker.go"].fixed
        assert b"go startWorker(ctx, task)" in results["other.go"].fixed
        return
    assert not results["other.go"].changed
    assert b"context" not in (results["worker.go"].fixed or b"")  # at most the semaphore, no ctx
    assert any("other.go mentions startWorker but cannot be parsed whole" in n for n in f.notes), f.notes


def test_results_cached_with_go_are_not_served_without_it(tmp_path, monkeypatch, request):
    go_required()
    monkeypatch.setenv("GOFIXLEAKS_CACHE_DIR", str(tmp_path / "cache"))
    m = write_module(tmp_path / "m", {"poll.go": LEAKY + TWO_LABELS})
    cfg = config_mod.load((str(m),), jobs=1, use_cache=True)
    (with_go,) = engine.run(discover((str(m),)), cfg)
    assert with_go.error is None and with_go.unsupported is not None
    request.getfixturevalue("no_go")
    (without,) = engine.run(discover((str(m),)), cfg)
    assert without.error.startswith("syntax error at") and without.unsupported is None


STD_FILES_THAT_FAILED = [
    # new(expr), Go 1.26
    "cmd/compile/internal/types2/trie_test.go",
    "encoding/json/v2/arshal_test.go",  # also `make` as a local variable, and new(new(5))
    "go/types/trie_test.go",
    "net/http/internal/http2/server.go",
    "runtime/secret/secret_test.go",
    # methods with type parameters, Go 1.27
    "math/rand/v2/rand.go",
    "runtime/traceback_test.go",
    # no line end after a last type declaration (testdata: the tool skips it unless named)
    "internal/types/testdata/fixedbugs/issue48083.go",
]


@pytest.mark.parametrize("rel", STD_FILES_THAT_FAILED)
def test_std_files_that_did_not_parse_are_read_whole(rel):
    go_required()
    path = Path(gotools.goroot()) / "src" / rel
    if not path.exists():
        pytest.skip(f"{rel} is not in this Go version")
    data = path.read_bytes()
    assert grammar._parser().parse(data).root_node.has_error  # the grammar alone fails on it
    sf = SourceFile.load(rel, data)
    assert not sf.root.has_error and sf.unsupported is None


def _fix(module: Path):
    cfg = config_mod.load((str(module),), jobs=1, use_cache=False, unsafe_fixes=True)
    return list(engine.run(discover((str(module),)), cfg, want_fixes=True))


def _walk(node):
    yield node
    for c in node.children:
        yield from _walk(c)



@pytest.mark.slow
def test_every_std_file_go_accepts_is_analysed():
    """The whole of $(go env GOROOT)/src, testdata included: each file the grammar alone
    cannot parse is judged by gofmt -e, and each one Go accepts must load (none skipped);
    outside testdata each must also parse whole (testdata holds the type checker's deliberately
    odd inputs, which may be read around their unsupported declarations)."""
    go_required()
    src = Path(gotools.goroot()) / "src"
    files = sorted(p for p in src.rglob("*.go") if p.is_file())
    failing = [p for p in files if grammar._parser().parse(p.read_bytes()).root_node.has_error]
    res = subprocess.run([grammar.gofmt(), "-l", "-e", *map(str, failing)], capture_output=True, text=True)
    rejected = {Path(m.group(1)) for m in re.finditer(r"^(.+?\.go):\d+:\d+: ", res.stderr, re.M)}
    accepted = [p for p in failing if p not in rejected]
    skipped, partial = [], []
    for p in accepted:
        try:
            sf = SourceFile.load(str(p.relative_to(src)), p.read_bytes())
        except SourceError as e:
            skipped.append(f"{p.relative_to(src)}: {e}")
        else:
            if sf.unsupported is not None:
                partial.append(p.relative_to(src))
    print(f"\n{len(files)} files; the grammar alone fails on {len(failing)}; Go rejects {len(rejected)}; "
          f"of the {len(accepted)} Go accepts: {len(accepted) - len(partial) - len(skipped)} read whole, "
          f"{len(partial)} partially parsed, {len(skipped)} not analysed")
    assert skipped == []
    assert [p for p in partial if "testdata" not in p.parts] == []
    assert len(accepted) >= len(STD_FILES_THAT_FAILED)  # the corpus really was read
