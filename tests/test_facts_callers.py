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
    fc = callers.calls_of(sf, "/m/x/x.go")
    by_line = {(c.line, c.name): c for c in fc.calls}
    assert by_line[10, "Start"].dead == (0,) and by_line[10, "Start"].path == "example.com/m/lib"
    assert by_line[11, "Start"].through == ((0, 0),) and by_line[11, "Start"].caller == ("run", "")
    assert by_line[12, "Loop"].dead == (0,)
    assert ("example.com/m/lib", "Start", False) in fc.values
    assert ("example.com/m/lib", "Other", False) in fc.plain
    assert fc.contexts == (("run", "", (0,), False),)  # no literal or loop of its own watches it


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


def test_an_importer_s_calls_read_for_another_package_are_not_extracted_again_for_its_own(tmp_path, monkeypatch):
    """lib's facts read cmd/app/main.go's calls (it calls Start); when the scan reaches
    cmd/app, its facts take those calls instead of extracting them again, and say the same."""
    from gofixleaks import config as config_mod
    from gofixleaks import facts
    from gofixleaks.discover import discover

    engine._IMPORTING.clear()
    engine._CALLS.clear()
    m = write_module(tmp_path, {"lib/lib.go": LIB, "cmd/app/main.go": MAIN})
    extracted, given = [], []
    real_calls, real_facts = facts.calls_of, facts.file_facts
    monkeypatch.setattr(facts, "calls_of", lambda sf, path: extracted.append(path) or real_calls(sf, path))
    monkeypatch.setattr(facts, "file_facts",
                        lambda sf, path, known=None: given.append((path, known)) or real_facts(sf, path, known))
    lib = engine.package_facts(str(m / "lib"), None)
    assert lib.never_live("lib", "Start", "", 0) == ("cmd/app/main.go:11",)
    main_path = str(m / "cmd" / "app" / "main.go")
    assert extracted.count(main_path) == 1  # as lib's importer
    cfg = config_mod.load((str(m / "cmd" / "app"),), jobs=1, use_cache=False)
    list(engine.run(discover((str(m / "cmd" / "app"),)), cfg))
    known = [k for p, k in given if p == main_path]
    assert known and known[-1] is not None and known[-1] == real_calls(SourceFile.load("main.go", (m / "cmd/app/main.go").read_bytes()), main_path)
    assert extracted.count(main_path) == 1
