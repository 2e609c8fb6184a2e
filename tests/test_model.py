"""The goroutine and channel model: per-function summaries from one file, what the package
index resolves across functions and files, and what a rule sees of its file (entry points,
stop signals, channels with their partners)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import analysis as a, config as config_mod, facts, model as m
from gofixleaks.model.index import Launcher
from gofixleaks.rule import Pass
from gofixleaks.source import SourceFile
from gofixleaks.transforms import RULES

from .conftest import write_module


def file_facts(src: str, path: str = "/m/p.go") -> facts.FileFacts:
    return facts.file_facts(SourceFile.load(Path(path).name, src.encode()), path)


def package(*files: tuple[str, str], launchers: tuple[str, ...] = ()) -> facts.PackageFacts:
    return facts.merge("/m", [file_facts(src, f"/m/{name}") for name, src in files], launchers)


def view(src: str, pkg: facts.PackageFacts | None, go=(1, 22)) -> m.View:
    sf = SourceFile.load("p.go", src.encode(), go)
    return m.view(Pass(sf, RULES[0], go, package=pkg))


PRODUCE = """\
package p

import "io"

func produce(out chan<- int, n int) {
	defer close(out)
	for i := 0; i < n; i++ {
		relay(out, i)
	}
}

func relay(out chan<- int, v int) { out <- v }

func once(reply chan int) { reply <- 1 }

func loop(in chan int) { for range in {} }

func keep(ch chan int, s *S) { s.ch = ch }

func write(pw *io.PipeWriter) {
	defer pw.Close()
	pw.Write(nil)
}

type S struct{ ch chan int }
"""


def test_a_channel_parameter_is_followed_into_the_functions_it_is_handed_to():
    ix = package(("a.go", PRODUCE)).model
    use = ix.param_use("p", "produce", False, 0)
    assert use.closes and use.sends == m.MANY and not use.escapes  # relay's send, in produce's loop
    assert ix.param_use("p", "relay", False, 0).sends == 1
    assert ix.param_use("p", "once", False, 0).sends == 1
    assert ix.param_use("p", "loop", False, 0).ranges
    assert ix.param_use("p", "keep", False, 0).escapes  # stored in a field: anyone may use it
    assert ix.param_use("p", "write", False, 0).closes_always
    assert ix.param_use("p", "produce", False, 1) is None  # an int, not followed
    assert ix.param_use("p", "missing", False, 0) is None


def test_handoffs_are_followed_across_files_and_cycles_are_cut():
    a = "package p\n\nfunc ping(c chan int, n int) {\n\tif n > 0 {\n\t\tpong(c, n-1)\n\t}\n}\n"
    b = "package p\n\nfunc pong(c chan int, n int) {\n\tc <- n\n\tping(c, n)\n}\n"
    use = package(("a.go", a), ("b.go", b)).model.param_use("p", "ping", False, 0)
    assert use.sends >= 1 and not use.escapes


def test_a_call_through_another_package_cannot_be_followed():
    src = 'package p\n\nimport "other"\n\nfunc f(c chan int) { other.Take(c) }\n'
    assert package(("a.go", src)).model.param_use("p", "f", False, 0).escapes


def test_field_sends_in_a_loop_over_requests_count_once_per_request():
    src = """package p

type req struct{ reply chan int }

func serve(reqs chan req) {
	for r := range reqs {
		r.reply <- 1
	}
}

func spam(r req) {
	for {
		r.reply <- 1
	}
}
"""
    ff = file_facts(src)
    by = {f.name: f.summary for f in ff.functions}
    assert [(u.field, u.use.sends) for u in by["serve"].fields] == [("reply", 1)]
    assert [(u.field, u.use.sends) for u in by["spam"].fields] == [("reply", m.MANY)]


def test_generators_say_what_they_watch_and_whether_they_close():
    src = """package p

import "context"

func gen(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 0; i < n; i++ {
			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func plain() chan string {
	ch := make(chan string, 1)
	go func() { ch <- "x" }()
	return ch
}

func notOne() chan int { return make(chan int) }
"""
    ix = package(("a.go", src)).model
    g = ix.generator("p", "gen", False)
    assert (g.watches, g.closes, g.sends, g.capacity) == ((0,), True, m.MANY, "")
    p = ix.generator("p", "plain", False)
    assert (p.watches, p.closes, p.sends, p.capacity) == ((), False, 1, "1")
    assert ix.generator("p", "notOne", False) is None
    assert ix.generators("p") == {("gen", False), ("plain", False)}


def test_functions_run_on_goroutines_are_found_however_they_are_started(tmp_path: Path):
    src = """package p

import (
	"sync"

	"example.com/kit/safe"
)

type S struct{}

// Each loops: only functions that loop or use channels are worth knowing as goroutines,
// and only those are looked for where they are passed as values.
func (s *S) direct()  { for range 3 {} }
func (s *S) literal() { for range 3 {} }
func (s *S) byValue() { for range 3 {} }
func (s *S) byWg()    { for range 3 {} }
func (s *S) config()  { for range 3 {} }
func (s *S) never()   { for range 3 {} }

func Go(f func()) { go f() }

func (s *S) Start(wg *sync.WaitGroup) {
	go s.direct()
	go func() {
		defer wg.Done()
		s.literal()
	}()
	Go(s.byValue)
	wg.Go(s.byWg)
	safe.Run(s.config)
	s.never()
}
"""
    plain = package(("a.go", src)).model
    configured = package(("a.go", src), launchers=("example.com/kit/safe.Run",)).model
    started = {n for n in ("direct", "literal", "byValue", "byWg", "config", "never") if plain.starts("p", n, True)}
    assert started == {"direct", "literal", "byValue", "byWg"}
    assert configured.starts("p", "config", True)
    assert plain.is_launcher("p", None, "Go", False) and configured.is_launcher("p", "example.com/kit/safe", "Run", False)


@pytest.mark.parametrize("entry, parsed", [
    ("example.com/kit/safe.Go", Launcher("example.com/kit/safe", "Go", False)),
    ("example.com/kit/stop.Stopper.RunWorker", Launcher("example.com/kit/stop", "RunWorker", True)),
    ("safe.Go", Launcher("safe", "Go", False)),
])
def test_launcher_entries(entry, parsed):
    assert Launcher.parse(entry) == parsed


def test_a_malformed_launcher_entry_is_a_one_line_config_error(tmp_path: Path):
    mod = write_module(tmp_path / "m", {"a.go": "package p\n", ".gofixleaks.toml": 'launchers = ["no dots here"]\n'})
    with pytest.raises(config_mod.ConfigError, match="launchers: 'no dots here' is not IMPORT/PATH.Func"):
        config_mod.load((str(mod),))
    (mod / ".gofixleaks.toml").write_text('launchers = ["example.com/kit/safe.Go"]\n')
    assert config_mod.load((str(mod),)).launchers == ("example.com/kit/safe.Go",)


def test_the_digest_changes_with_the_model_and_the_configured_launchers():
    base = package(("a.go", PRODUCE))
    assert base.digest == package(("a.go", PRODUCE)).digest
    assert base.digest != package(("a.go", PRODUCE.replace("defer close(out)", ""))).digest
    assert base.digest != package(("a.go", PRODUCE), launchers=("x/y.Go",)).digest


STRUCT = """package p

import "context"

type W struct {
	ctx  context.Context
	quit chan struct{}
	stopc chan struct{}
	call func()
}

func (w *W) Stop() { close(w.quit) }
"""


def test_stop_signals_reach_fields_declared_in_another_file_and_say_whether_they_fire():
    pkg = package(("w.go", STRUCT))
    src = """package p

import (
	"context"
	"net/http"
	"time"
)

func (w *W) run(r *http.Request, parent context.Context) {
	bg := context.Background()
	short, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	_, _ = bg, short
	time.Sleep(time.Second)
}
"""
    v = view(src, pkg)
    at = next(n for n in v.sf.root.named_children if n.type == "method_declaration")
    sleep = [n for n in a.of_type(at, "expression_statement") if "Sleep" in v.sf.text(n)][0]
    signals = {s.name: s for s in m.stop_signals(v, sleep)}
    assert "bg" not in signals  # never done
    assert signals["short"].deadline and signals["parent"].origin == "param"
    assert signals["r.Context()"].origin == "request"
    assert signals["w.ctx"].fires and signals["w.quit"].fires  # Stop closes it
    assert not signals["w.stopc"].fires  # nothing closes or sends on it
    assert pkg.model.is_func_field("p", "call")


def test_a_local_channel_with_every_partner():
    pkg = package(("a.go", PRODUCE))
    src = """package p

func use(n int) int {
	ch := make(chan int)
	go produce(ch, n)
	go func() { ch <- 1 }()
	r := struct{ c chan int }{c: ch}
	_ = r
	total := 0
	for v := range ch {
		total += v
	}
	return total
}
"""
    v = view(src, pkg)
    (make,) = m.channel_makes(v.sf)
    ch = m.local_channel(v, make)
    kinds = sorted(op.kind for op in ch.ops)
    assert kinds == ["handoff", "range", "send"]
    handoff = ch.of_kind("handoff")[0]
    assert handoff.go and handoff.use.closes
    assert ch.closed() and len(ch.senders()) == 2 and len(ch.stored) == 1 and not ch.escapes


def test_goroutine_entry_points_of_a_file():
    pkg = package(("s.go", "package p\n\nfunc start(w *W) { go w.poll() }\n"), ("w.go", STRUCT))
    src = """package p

import "sync"

func (w *W) poll() {}

func (w *W) idle() {}

func f(wg *sync.WaitGroup) {
	go func() {}()
	wg.Go(func() {})
	func() {}()
}
"""
    v = view(src, pkg)
    names = [(g.via, v.sf.text(g.body.child_by_field_name("name")) if g.body.type != "func_literal" else "literal")
             for g in m.goroutines(v)]
    assert names == [("go", "poll"), ("go", "literal"), ("Go", "literal")]


def test_unbounded_fan_out_guesses_no_width(tmp_path: Path):
    """Without fan-out-limit the finding says how to get a fix and offers none; with it, the
    same launch gets a semaphore of that width."""
    from gofixleaks import engine
    from gofixleaks.discover import discover

    case = Path(__file__).resolve().parent.parent / "golden" / "unbounded-fan-out" / "basic"
    files = {p.name: p.read_bytes() for p in case.glob("*.go") if not p.name.endswith("_test.go")}
    found = {}
    for name, toml in (("default", ""), ("set", "fan-out-limit = 4\n")):
        mod = write_module(tmp_path / name, {**files, ".gofixleaks.toml": toml})
        cfg = config_mod.load((str(mod),), select=("unbounded-fan-out",), jobs=1, unsafe_fixes=True)
        found[name] = [f for r in engine.run(discover((str(mod),)), cfg) for f in r.findings]
    [plain], [limited] = found["default"], found["set"]
    assert not plain.fixes and "set fan-out-limit" in plain.notes[0]
    assert limited.line == plain.line and "at most 4 goroutines" in limited.fixes[0].message


def test_field_fills_names_what_a_file_fills_and_builds_without_keys():
    """FileFacts.fills and positional (nil-chan-field's facts): nil is no value, an address
    taken or a multi-value call may fill, and an elided literal's type comes from its
    container."""
    ff = file_facts(
        "package p\n"
        "type T struct{ a, b, c, d, e chan int; n int }\n"
        "type Ts []T\n"
        "var byKey = []T{{a: nil}, {b: make(chan int)}}\n"
        "var byMap = map[*T]*T{{c: nil}: {1: nil}}\n"
        "var named = Ts{{nil}}\n"
        "func f(x *T, ch chan int) { x.a = nil; (x.c) = ch; p := &x.d; _ = p; x.e, x.n = g() }\n"
        "func g() (chan int, int) { return nil, 0 }\n"
    )
    assert ff.fills == ("b", "c", "d", "e", "n")
    # keyed literals are not positional, in a map's keys and values too; the elements of the
    # named slice type `Ts` cannot be told ("*"), and `Ts{...}` itself is unkeyed
    assert ff.positional == ("*", "Ts")
    assert file_facts("package p\ntype U struct{ a chan int; n int }\nvar u = []*U{{nil, 1}}\n").positional == ("U",)
