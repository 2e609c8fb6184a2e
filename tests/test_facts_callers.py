"""The reverse index (callers.py): each file's calls and the contexts they pass, merged so
that a package's facts tell which of its context parameters the module only ever fills
with a context nothing cancels."""

from __future__ import annotations

from gofixleaks import callers, engine
from gofixleaks.source import SourceFile

from .conftest import write_module

LIB = """\
package lib

import "context"

var B = &bucket{}

type bucket struct{}

func Start(ctx context.Context) {
	B.startTicker(ctx)
}

func (b *bucket) startTicker(ctx context.Context) {
	go func() { <-ctx.Done() }()
}
"""

MAIN = """\
package main

import (
	"context"

	"example.com/m/lib"
)

func main() {
	ctx := context.Background()
	lib.Start(ctx)
}
"""


def _facts(tmp_path, files):
    engine._IMPORTING.clear()  # the process's view of the module is built once per root
    m = write_module(tmp_path, files)
    return engine.package_facts(str(m / "lib"), None)


def test_a_file_keeps_its_dead_and_handed_on_contexts():
    sf = SourceFile.load("x.go", b"""package x

import (
	"context"

	"example.com/m/lib"
)

func run(ctx context.Context, n int) {
	lib.Start(context.TODO())
	lib.Start(ctx)
	go lib.Loop(context.WithValue(context.Background(), k, 1))
	cb := lib.Start
	_ = cb
	lib.Other(n)
}
""")
    fc = callers.calls_of(sf, "/m/x/x.go", frozenset({"Start", "Loop", "Other", "cb"}))
    by_line = {(c.line, c.name): c for c in fc.calls}
    assert by_line[10, "Start"].dead == (0,) and by_line[10, "Start"].path == "example.com/m/lib"
    assert by_line[11, "Start"].through == ((0, 0),) and by_line[11, "Start"].caller == ("run", "")
    assert by_line[12, "Loop"].dead == (0,)
    assert ("example.com/m/lib", "Start", False) in fc.values and ("", "cb", False) in fc.values  # ``_ = cb``
    assert ("example.com/m/lib", "Other", False) in fc.plain
    assert callers.contexts_of(sf) == (("run", "", (0,), False),)  # no literal or loop of its own watches it
    # only the names asked about are read
    assert callers.calls_of(sf, "/m/x/x.go", frozenset({"Other"})) == callers.FileCalls(
        "/m/x/x.go", "x", (), (("example.com/m/lib", "Other", False),), ())


def test_every_module_caller_passing_background_makes_the_chain_dead(tmp_path):
    facts = _facts(tmp_path, {"lib/lib.go": LIB, "cmd/app/main.go": MAIN})
    assert facts.never_live("lib", "Start", "", 0) == ("cmd/app/main.go:11",)
    # the unexported method, through Start's own parameter, one call up
    assert facts.never_live("lib", "startTicker", "bucket", 0) == ("cmd/app/main.go:11",)


def test_one_live_caller_keeps_it_live(tmp_path):
    live = MAIN.replace("ctx := context.Background()", "ctx, cancel := context.WithCancel(context.Background())\n\tdefer cancel()")
    facts = _facts(tmp_path, {"lib/lib.go": LIB, "cmd/app/main.go": MAIN, "cmd/other/main.go": live})
    assert facts.never_live("lib", "Start", "", 0) is None
    assert facts.never_live("lib", "startTicker", "bucket", 0) is None


def test_no_caller_a_value_use_or_an_unknown_argument_is_live(tmp_path):
    assert _facts(tmp_path / "none", {"lib/lib.go": LIB}).never_live("lib", "Start", "", 0) is None
    valued = MAIN.replace("lib.Start(ctx)", "lib.Start(ctx)\n\trun(lib.Start)")
    assert _facts(tmp_path / "value", {"lib/lib.go": LIB, "cmd/app/main.go": valued}).never_live("lib", "Start", "", 0) is None
    # a caller's own parameter, in another package: its callers are not followed
    handed = MAIN.replace("func main() {", "func serve(ctx context.Context) {\n\tlib.Start(ctx)\n}\n\nfunc main() {")
    assert _facts(tmp_path / "handed", {"lib/lib.go": LIB, "cmd/app/main.go": handed}).never_live("lib", "Start", "", 0) is None


def test_test_callers_count_only_without_the_services_own(tmp_path):
    test = MAIN.replace("package main", "package app").replace("func main() {", "func TestX(t *testing.T) {") \
        .replace('"context"', '"context"\n\t"testing"').replace("ctx := context.Background()", "ctx := t.Context()")
    facts = _facts(tmp_path, {"lib/lib.go": LIB, "cmd/app/main.go": MAIN, "cmd/app/app_test.go": test})
    assert facts.never_live("lib", "Start", "", 0) == ("cmd/app/main.go:11",)


def test_the_depth_limit_holds(tmp_path):
    def chain(*names):
        calls = [f"func {a}(ctx context.Context) {{ {b}(ctx) }}" for a, b in zip(names, names[1:])]
        return LIB.replace("func Start(ctx context.Context) {\n\tB.startTicker(ctx)\n}",
                           "\n".join(calls) + f"\nfunc {names[-1]}(ctx context.Context) {{ B.startTicker(ctx) }}")
    three = _facts(tmp_path / "three", {"lib/lib.go": chain("Start", "b", "c"), "cmd/app/main.go": MAIN})
    assert three.never_live("lib", "startTicker", "bucket", 0) == ("cmd/app/main.go:11",)  # c, b, Start: three up
    four = _facts(tmp_path / "four", {"lib/lib.go": chain("Start", "a", "b", "c"), "cmd/app/main.go": MAIN})
    assert four.never_live("lib", "startTicker", "bucket", 0) is None  # four: beyond the limit


def test_tests_alone_do_not_answer_for_the_service(tmp_path):
    # nomad's drivers: Fingerprint(ctx) is called by an RPC server through an interface, out
    # of view, and by tests with context.Background()
    test = MAIN.replace("package main", "package app").replace("func main() {", "func TestX(t *testing.T) {") \
        .replace('"context"', '"context"\n\t"testing"')
    facts = _facts(tmp_path, {"lib/lib.go": LIB, "cmd/app/app_test.go": test})
    assert facts.never_live("lib", "Start", "", 0) is None


def test_an_exported_method_another_package_names_is_unknown(tmp_path):
    lib = LIB.replace("startTicker", "StartTicker")
    main = MAIN.replace("lib.Start(ctx)", "lib.Start(ctx)\n\tlib.B.StartTicker(context.Background())")
    facts = _facts(tmp_path, {"lib/lib.go": lib, "cmd/app/main.go": main})
    assert facts.never_live("lib", "Start", "", 0) is not None
    assert facts.never_live("lib", "StartTicker", "bucket", 0) is None  # its calls there are not read
    # named nowhere else: the package's own calls answer (rclone's StartTokenTicker)
    facts = _facts(tmp_path / "alone", {"lib/lib.go": lib, "cmd/app/main.go": MAIN})
    assert facts.never_live("lib", "StartTicker", "bucket", 0) == ("cmd/app/main.go:11",)


def test_only_a_package_with_context_parameters_reads_calls(tmp_path, monkeypatch):
    """Calls are read of the names a package declares with a context parameter, in its own
    files and in its importers' (when one of them is watched): none for a package with none."""
    asked = []
    real = callers.calls_of
    monkeypatch.setattr(callers, "calls_of", lambda sf, path, names: asked.append((path, names)) or real(sf, path, names))
    plain = LIB.replace("ctx context.Context", "n int").replace("(ctx)", "(n)").replace("<-ctx.Done()", "_ = n")
    assert _facts(tmp_path / "none", {"lib/lib.go": plain, "cmd/app/main.go": MAIN}).dead_contexts == ()
    assert asked == []
    _facts(tmp_path / "some", {"lib/lib.go": LIB, "cmd/app/main.go": MAIN})
    assert {(path.rsplit("/some/", 1)[1], tuple(sorted(names))) for path, names in asked} == {
        ("lib/lib.go", ("Start", "startTicker")), ("cmd/app/main.go", ("Start", "startTicker"))}


def test_a_declaration_the_bytes_do_not_show_is_still_asked_about(tmp_path):
    """callers.declared_names reads the names from the bytes before any parse; one it
    misses (a comment before the name) is found in the tree, and every file asked again."""
    from gofixleaks import config as config_mod

    odd = LIB.replace("func Start(", "func /* the entry */ Start(")
    assert "Start" not in callers.declared_names([odd.encode()])

    def facts(where, lib):  # as a run computes them (engine._merge_facts)
        engine._IMPORTING.clear()
        m = write_module(tmp_path / where, {"lib/lib.go": lib, "cmd/app/main.go": MAIN})
        return engine.package_facts_of(engine._Package(str(m / "lib"), ()), config_mod.load((str(m),), jobs=1), None)
    found = facts("odd", odd)
    assert found.never_live("lib", "Start", "", 0) == ("cmd/app/main.go:11",)
    assert found.never_live("lib", "startTicker", "bucket", 0) == ("cmd/app/main.go:11",)
    # the package's own calls of it are read too: one passing a cancellable context keeps it live
    again = odd + "\nfunc Restart(ctx context.Context) {\n\tctx, cancel := context.WithCancel(ctx)\n\tdefer cancel()\n\tStart(ctx)\n}\n"
    assert facts("again", again).never_live("lib", "Start", "", 0) is None


def test_a_warm_run_sees_an_importer_s_change(tmp_path, monkeypatch):
    """A package's cached digest is checked against its importers' calls: a caller that
    starts passing a cancellable context reaches the package's results, unchanged itself."""
    from gofixleaks import config as config_mod
    from gofixleaks.discover import discover

    monkeypatch.setenv("GOFIXLEAKS_CACHE_DIR", str(tmp_path / "cache"))
    stream = ("package lib\n\nimport \"context\"\n\nfunc Stream(ctx context.Context, n int) <-chan int {\n"
              "\tout := make(chan int)\n\tgo func() {\n\t\tdefer close(out)\n\t\tfor i := 0; i < n; i++ {\n"
              "\t\t\tout <- i\n\t\t}\n\t}()\n\treturn out\n}\n")
    main = MAIN.replace("lib.Start(ctx)", "<-lib.Stream(ctx, 3)")
    m = write_module(tmp_path / "w", {"lib/lib.go": stream, "cmd/app/main.go": main})

    def fixable() -> list[bool]:
        engine._IMPORTING.clear()  # a new process
        config = config_mod.load((str(m),), jobs=1)
        return [f.fixable for r in engine.run(discover((str(m),)), config) for f in r.findings]
    assert fixable() == [False]  # every caller passes Background: no case on ctx.Done() offered
    assert fixable() == [False]
    (m / "cmd/app/main.go").write_text(main.replace(
        "ctx := context.Background()", "ctx, cancel := context.WithCancel(context.Background())\n\tdefer cancel()"))
    assert fixable() == [True]
    (m / "cmd/app/main.go").write_text(main)
    assert fixable() == [False]


WATCH = """\
package lib

import "context"

type store struct{}

func (s *store) watch(ctx context.Context) <-chan int {
	ch := make(chan int)
	go func() { ch <- 1 }()
	return ch
}

func Run(ctx context.Context, s *store) {
	go func() {
		ch := s.watch(ctx)
		for v := range ch {
			if v < 0 {
				continue
			}
		}
	}()
	%s
}
"""


def test_a_function_every_caller_drains_is_drained(tmp_path):
    facts = _facts(tmp_path, {"lib/lib.go": WATCH % "for range s.watch(ctx) {\n\t}"})
    assert facts.drained == {("lib", "watch", True)}


def test_one_caller_that_may_leave_or_wait_elsewhere_is_not_drained(tmp_path):
    for other in ("for v := range s.watch(ctx) {\n\t\tif v > 0 {\n\t\t\treturn\n\t\t}\n\t}",
                  "for range s.watch(ctx) {\n\t\tbreak\n\t}",
                  "ch := s.watch(ctx)\n\tif ch == nil {\n\t\treturn\n\t}\n\tfor range ch {\n\t}",
                  "<-s.watch(ctx)", "f := s.watch\n\t_ = f"):
        engine._IMPORTING.clear()
        assert not _facts(tmp_path, {"lib/lib.go": WATCH % other}).drained, other
