"""Package facts: what each file says of its functions, how a package's files merge (lifetimes
resolved through calls across files), and how the engine hands them to the rules that ask
and keys cached results by them."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import analysis, config as config_mod, engine, facts
from gofixleaks.discover import discover
from gofixleaks.source import SourceFile

from .conftest import write_module

LOOPS = """\
package p

import (
	"context"
	"net"
	"time"
)

func forever() {
	for {
		work()
	}
}

func untilCancel(ctx context.Context, done chan struct{}) {
	t := time.NewTicker(time.Second)
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			return
		case <-t.C:
			work()
		}
	}
}

func untilErr(ctx context.Context) {
	for {
		if ctx.Err() != nil {
			return
		}
		work()
	}
}

func ticks(t *time.Ticker) {
	for range t.C {
		work()
	}
}

func serve(l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go handle(c)
	}
}

func drain(in <-chan int) {
	for v := range in {
		_ = v
	}
}

func events(ctx context.Context, in <-chan int) {
	exit := false
	for {
		select {
		case <-ctx.Done():
			exit = true
		case v, ok := <-in:
			if !ok {
				return
			}
			_ = v
		}
		if exit {
			return
		}
	}
}

func retry() error {
	for {
		if err := work(); err == nil {
			return nil
		}
	}
}

func own() {
	ch := make(chan int)
	go func() { ch <- 1; close(ch) }()
	for range ch {
	}
}

func counted(n int) {
	for i := 0; i < n; i++ {
		work()
	}
}

func inClosure() {
	go func() {
		for {
			work()
		}
	}()
}

func work() error   { return nil }
func handle(net.Conn) {}
"""


def file_facts(src: str, path: str = "/m/p.go") -> facts.FileFacts:
    return facts.file_facts(SourceFile.load("p.go", src.encode()), path)


def test_each_function_s_own_loop_is_classified_by_how_long_it_runs():
    loops = {f.name: f.loop for f in file_facts(LOOPS).functions}
    assert loops == {
        "forever": facts.FOREVER,
        "untilCancel": facts.UNTIL_SIGNAL,
        "untilErr": facts.UNTIL_SIGNAL,
        "ticks": facts.FOREVER,
        "serve": facts.SERVES,
        "drain": facts.DRAINS,
        "events": facts.UNTIL_SIGNAL,  # an event loop with a case on ctx.Done(), also left by a flag
        "retry": "",  # leaves when the work succeeds
        "own": "",  # ranges over a channel it made: it ends with the function's own goroutine
        "counted": "",
        "inClosure": "",  # the endless loop belongs to the goroutine, not the function
        "work": "",
        "handle": "",
    }


def test_launchers_are_functions_that_run_a_func_argument_on_a_goroutine():
    src = """package p

func Go(name string, f func()) {
	go func() {
		defer func() { recover() }()
		f()
	}()
}

func Direct(f, g func(int), n int) { go f(n) }

func Called(f func()) { f() }
"""
    by_name = {f.name: f.go_params for f in file_facts(src).functions}
    assert by_name == {"Go": (1,), "Direct": (0,), "Called": ()}
    pkg = facts.merge("/m", [file_facts(src)])
    assert pkg.launchers("p") == {"Go": (1,), "Direct": (0,)}


def test_a_func_parameter_handed_on_to_a_launcher_of_the_file_makes_a_launcher():
    src = """package safe

func Go(goroutine func()) { GoWithRecover(goroutine, func(any) {}) }

func GoWithRecover(goroutine func(), handle func(any)) {
	go func() {
		defer func() {
			if err := recover(); err != nil {
				handle(err)
			}
		}()
		goroutine()
	}()
}

func Run(f func()) { Called(f) }

func Called(f func()) { f() }
"""
    by_name = {f.name: f.go_params for f in file_facts(src).functions}
    assert by_name == {"Go": (0,), "GoWithRecover": (0, 1), "Run": (), "Called": ()}  # handle runs on it too


def test_a_launcher_of_another_package_of_the_module_starts_goroutines(tmp_path: Path):
    """traefik's consul provider starts its watchers with safe.Go: the errors they send on
    an unbuffered channel that watch stops reading after the first are sends with no
    receiver, which the model sees only if safe.Go is known to start its argument."""
    m = write_module(tmp_path / "m", {
        "safe/routine.go": 'package safe\n\nfunc Go(goroutine func()) { GoWithRecover(goroutine, nil) }\n\n'
                           'func GoWithRecover(goroutine func(), handle func(any)) {\n\tgo func() {\n'
                           '\t\tdefer func() {\n\t\t\tif err := recover(); err != nil && handle != nil {\n'
                           '\t\t\t\thandle(err)\n\t\t\t}\n\t\t}()\n\t\tgoroutine()\n\t}()\n}\n',
        "app/app.go": 'package app\n\nimport "example.com/m/safe"\n\nfunc First(a, b func() error) error {\n'
                      '\terrc := make(chan error)\n\tsafe.Go(func() { errc <- a() })\n\tsafe.Go(func() { errc <- b() })\n'
                      '\treturn <-errc\n}\n',
    })
    pkg = engine.package_facts(str(m / "app"), None)
    assert pkg.model.is_launcher("app", "example.com/m/safe", "Go", False)
    assert not pkg.model.is_launcher("app", "example.com/m/safe", "GoWithRecover", False)  # not called here: not asked
    cfg = config_mod.load((str(m),), select=("early-return-send",), jobs=1)
    found = [f for r in engine.run(discover((str(m),)), cfg) for f in r.findings]
    assert [(f.rule, f.line) for f in found] == [("early-return-send", 6)]


LOCKS = """\
package p

import "sync"

type S struct {
	mu   sync.Mutex
	rw   sync.RWMutex
	sync.Mutex
	n    int
}

func (s *S) Get() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rw.RLock()
	defer s.rw.RUnlock()
	return s.n
}

func (s *S) maybe(locked bool) {
	if !locked {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	s.n++
}

func (s *S) Tries() {
	if !s.mu.TryLock() {
		return
	}
	s.Lock()
	defer s.mu.Unlock()
}

func (s *S) Calls(locked bool) {
	s.Get()
	go s.Get()
	func() { s.Get() }()
	if !locked {
		s.maybe(false)
	}
}

// bumpLocked must be called with s.mu held.
func (s *S) bumpLocked() { s.n++ }

// grow must be called with s.mu held.
func (s *S) grow() { s.n *= 2 }

func (s *S) starter() (started func(), cleanup func()) {
	started = func() { s.Get() }
	return started, func() { s.mu.Lock(); s.bumpLocked() }
}

func (s *S) fetch(token string) {
	if token == "" {
		s.Get()
	}
}

func (s *S) lookup(create bool) {
	if !create {
		return
	}
	s.Get()
}
"""


def test_a_method_s_receiver_locks_calls_and_returned_funcs_are_facts():
    """lock-reentered's facts: the receiver's locks a method takes at its top level before
    anything touches them or an `if` reads a lock state; every one it touches; its calls on
    the receiver outside literals, `go`, lock-state `if`s and `if`s on its parameters (under
    them, or after one that returns); the funcs it returns."""
    fs = {f.name: f for f in file_facts(LOCKS).functions}
    assert fs["Get"].takes == (("mu", "Lock", 16), ("rw", "RLock", 18))
    assert fs["maybe"].takes == () and fs["maybe"].touches == ("mu",)
    assert fs["Tries"].takes == () and set(fs["Tries"].touches) == {"mu", ""}
    assert fs["Calls"].self_calls == (("Get", 40),)
    assert fs["bumpLocked"].expects_lock and fs["grow"].expects_lock and not fs["Get"].expects_lock
    assert fs["fetch"].self_calls == () and fs["lookup"].self_calls == ()  # the caller's arguments decide
    assert fs["starter"].returned == ((0, (("Get", 55),), ()), (1, (("bumpLocked", 56),), ("mu",)))


def test_lifetimes_are_resolved_through_calls_across_the_files_of_a_package():
    a = file_facts("package p\n\nfunc (s *S) Run() { s.setup(); s.loop() }\n\nfunc start() { run2() }\n\nfunc run2() { other() }\n", "/m/a.go")
    b = file_facts("package p\n\nfunc (s *S) loop() {\n\tfor {\n\t}\n}\n\nfunc (s *S) setup() {}\n\nfunc other() {}\n", "/m/b.go")
    pkg = facts.merge("/m", [a, b])
    assert pkg.is_long_lived("p", "Run", "S")  # through s.loop(), declared in another file
    assert pkg.is_long_lived("p", "loop", None)  # a method of any receiver
    assert not pkg.is_long_lived("p", "setup", "S")
    assert not pkg.is_long_lived("p", "start")
    assert not pkg.is_long_lived("q", "Run", "S")  # another package in the directory (x_test)
    assert pkg.digest == facts.merge("/m", [b, a]).digest  # file order does not matter


def test_fields_sent_on_are_followed_through_the_package_s_calls():
    a = file_facts("package p\n\nfunc (p *P) probe(n string) { p.report(n) }\n\nfunc quiet() {}\n", "/m/a.go")
    b = file_facts("package p\n\nfunc (p *P) report(m string) {\n\tgo func() { p.results <- m }()\n\tp.log <- m\n}\n", "/m/b.go")
    pkg = facts.merge("/m", [a, b])
    assert pkg.sends_on("p", "report", "P") == {"results", "log"}  # closures included
    assert pkg.sends_on("p", "probe", None) == {"results", "log"}  # through p.report, another file
    assert pkg.sends_on("p", "quiet") == frozenset()


def test_a_field_s_kind_is_known_when_every_struct_of_the_package_agrees():
    a = file_facts("package p\n\nimport \"context\"\n\ntype Config struct {\n\tWorkers int\n\tAddrs   []string\n\tName    Name\n"
                   "\tctx     context.Context\n\tquit    chan struct{}\n\tevents  chan struct{}\n}\n", "/m/a.go")
    b = file_facts("package p\n\ntype Other struct {\n\tAddrs map[string]bool\n\tName  string\n}\n", "/m/b.go")
    pkg = facts.merge("/m", [a, b])
    assert pkg.field_kind("Workers") == "int"
    assert pkg.field_kind("Addrs") == "collection"
    assert pkg.field_kind("Name") is None  # a named type says nothing
    assert pkg.field_kind("Missing") is None
    assert pkg.signal_fields("Config") == (("ctx", "context"), ("quit", "signal"))  # events is no signal
    assert pkg.signal_fields("Other") == ()


def test_any_declaration_under_build_tags_counts():
    linux = file_facts("package p\n\nfunc poll() {\n\tfor {\n\t}\n}\n", "/m/poll_linux.go")
    other = file_facts("package p\n\nfunc poll() {}\n", "/m/poll_other.go")
    assert facts.merge("/m", [linux, other]).is_long_lived("p", "poll")


def test_rules_that_need_the_package_get_its_facts_and_results_are_keyed_by_them(tmp_path: Path, monkeypatch):
    """A result cached for one state of the package is not served once another file of the
    package changes what the rules could know of it."""
    monkeypatch.setenv("GOFIXLEAKS_CACHE_DIR", str(tmp_path / "cache"))
    launcher = "package p\n\nfunc Run(items []int) {\n\tfor _, it := range items {\n\t\tgo work(it)\n\t}\n}\n"
    m = write_module(tmp_path / "m", {"run.go": launcher, "loop.go": "package p\n\nfunc work(int) {\n\tfor {\n\t}\n}\n"})
    cfg = config_mod.load((str(m),), select=("unbounded-goroutines",), jobs=1, option_flags={"fire-and-forget": True})

    def findings() -> list[tuple[str, int]]:
        return [(Path(r.path).name, f.line) for r in engine.run(discover((str(m),)), cfg) for f in r.findings]

    assert findings() == []  # work lives until shutdown: one per item is the configuration's
    (m / "loop.go").write_text("package p\n\nfunc work(int) {}\n")  # run.go itself is unchanged
    assert findings() == [("run.go", 5)]
    (m / "loop.go").write_text("package p\n\nfunc work(int) {\n\tfor {\n\t}\n}\n")
    assert findings() == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_engine_computes_each_package_s_facts_once_whatever_the_jobs(tmp_path: Path, jobs, monkeypatch):
    calls = []
    real = facts.file_facts
    monkeypatch.setattr(facts, "file_facts", lambda sf, path: calls.append(path) or real(sf, path))
    files = {f"f{i}.go": f"package p\n\nfunc F{i}(xs []int) {{\n\tfor _, x := range xs {{\n\t\tgo g(x)\n\t}}\n}}\n" for i in range(3)}
    m = write_module(tmp_path / "m", {**files, "g.go": "package p\n\nfunc g(int) {}\n"})
    cfg = config_mod.load((str(m),), select=("unbounded-goroutines",), jobs=jobs, use_cache=False,
                          option_flags={"fire-and-forget": True})
    results = list(engine.run(discover((str(m),)), cfg))
    assert sum(len(r.findings) for r in results) == 3
    if jobs == 1:  # (in worker processes the patched function is not seen)
        assert sorted(Path(c).name for c in calls) == ["f0.go", "f1.go", "f2.go", "g.go"]


def test_later_rounds_apply_no_fix_the_first_round_did_not_report(tmp_path: Path, monkeypatch):
    """A fix may change code so that another rule finds something new in the user's code
    around it; that finding was never shown to anyone (not by scan, not in a review), so
    the fixed point must not apply its fix. What a fix wrote may still be fixed further.
    Here `rewrite` turns a call to old() into new() (also flagging the new() it writes),
    and `flag` would then mark the g() after a new()."""
    from gofixleaks.edits import SAFE, Fix, TextEdit
    from gofixleaks.rule import Rule

    def rewrite(p):
        for i in _all(p.file.data, b"old()"):
            node = p.file.root.descendant_for_byte_range(i, i + 5)
            p.report(node, "old", [Fix("to new", (TextEdit(i, i + 3, b"new"),), applicability=SAFE)])

    def flag(p):
        for i in _all(p.file.data, b"new()\n\tg()"):
            j = i + len(b"new()\n\tg()")
            if p.file.data[j : j + 3] != b" //":  # not flagged yet
                node = p.file.root.descendant_for_byte_range(i + 7, j)
                p.report(node, "g after new", [Fix("flag", (TextEdit(j, j, b" // flagged"),), applicability=SAFE)])

    rules = [Rule("rewrite", "s", "d", rewrite, (b"old",)), Rule("flag", "s", "d", flag, (b"new",))]
    monkeypatch.setattr(engine, "rules_for", lambda cfg: rules)
    src = "package p\n\nfunc f() {\n\told()\n\tg()\n\tnew()\n\tg()\n}\n\nfunc g() {}\n"
    m = write_module(tmp_path / "m", {"a.go": src})
    cfg = config_mod.load((str(m),), jobs=1, use_cache=False)
    (r,) = list(engine.run(discover((str(m),)), cfg, want_fixes=True))
    # the g() after the new() that was there is flagged; the g() the rewrite put after a new() is not
    assert r.fixed.decode() == src.replace("\told()", "\tnew()").replace("\tnew()\n\tg()\n}", "\tnew()\n\tg() // flagged\n}")
    assert sorted(a.rule for a in r.applied) == ["flag", "rewrite"]
    assert r.error is None


def _all(data: bytes, needle: bytes):
    i = data.find(needle)
    while i != -1:
        yield i
        i = data.find(needle, i + 1)


def test_durations_resolve_across_the_files_of_a_package_and_leave_written_variables_out():
    a = file_facts('package p\n\nimport "time"\n\nconst short = 10 * time.Millisecond\n\nvar (\n\thalf = short / 2\n'
                   '\tretry = time.Second\n)\n\nfunc set(d time.Duration) { retry = d }\n', "/m/a.go")
    b = file_facts('package p\n\nimport (\n\t"time"\n\n\t"example.com/m/q"\n)\n\nfunc f(d time.Duration) {\n'
                   '\tlocal := 3 * short\n\tuse(short, half, retry, local, d, q.Wait)\n}\n', "/m/b.go")
    assert ("", "retry") in a.writes and ("example.com/m/q", "Wait") not in b.wants  # not a context call's argument
    pkg = facts.merge("/m", [a, b])
    sf = SourceFile.load("/m/b.go", b'package p\n\nimport (\n\t"time"\n\n\t"example.com/m/q"\n)\n\nfunc f(d time.Duration) {\n'
                         b'\tlocal := 3 * short\n\tuse(short, half, retry, local, d, q.Wait)\n}\n')
    call = [c for c in analysis.of_type(sf.root, "call_expression") if analysis.callee(sf, c) == (None, "use")][0]
    got = [pkg.duration("p", analysis.duration_term(sf, x)) for x in analysis.arguments(call)]
    assert got == [10e6, 5e6, None, 30e6, None, None]  # retry is written by set; d is a parameter; q lends nothing


def test_a_package_channel_is_its_own_when_no_file_closes_writes_or_hands_it_on():
    a = file_facts("package p\n\nvar (\n\tqueue   = make(chan int, 8)\n\tclosed  = make(chan int)\n"
                   "\tpassed  = make(chan int)\n\tkept    = make(chan int)\n\tsent    = make(chan int)\n"
                   "\treset   = make(chan int)\n\tPublic  = make(chan int)\n\tplain   chan int\n\tsized   = 3\n)\n\n"
                   "var alias = kept\n", "/m/a.go")
    b = file_facts("package p\n\nfunc f(queue chan int, out chan chan int) {\n\tclose(queue)\n\tn := len(passed)\n"
                   "\t_ = n\n\tuse(passed)\n\tout <- sent\n\treset = nil\n\tgo func() {\n\t\tclose(closed)\n\t}()\n}\n\n"
                   "func g() {\n\tqueue := make(chan int)\n\tclose(queue)\n}\n", "/m/b.go")
    assert a.chans == ("closed", "kept", "passed", "queue", "reset", "sent")  # made, unexported
    assert b.closes == ("closed",)  # queue is a parameter in f and a local in g: not the package's
    assert {"passed", "sent"} <= set(b.hands_out) and "kept" in a.hands_out
    model = facts.merge("/m", [a, b]).model
    assert [n for n in a.chans if model.own_channel("p", n)] == ["queue"]
    assert not model.own_channel("q", "queue")  # another package of the directory


def test_same_module_packages_lend_their_exported_makers_and_durations(tmp_path: Path):
    m = write_module(tmp_path / "m", {
        "q/q.go": 'package q\n\nimport (\n\t"context"\n\t"time"\n)\n\nconst Short = 2 * unit\n\nconst unit = time.Millisecond\n\n'
                  'var Tunable = time.Second\n\nfunc Open(p context.Context) (context.Context, context.CancelFunc) {\n'
                  '\treturn context.WithCancel(p)\n}\n',
        "q/set.go": 'package q\n\nimport "time"\n\nfunc Set(d time.Duration) { Tunable = d }\n',
        "app/app.go": 'package app\n\nimport (\n\t"context"\n\n\t"example.com/m/q"\n)\n\nfunc f(p context.Context) {\n'
                      '\tctx, cancel := q.Open(p)\n\tc2, cancel2 := context.WithTimeout(ctx, q.Short+q.Tunable)\n'
                      '\tdefer cancel()\n\tdefer cancel2()\n\t_ = c2\n}\n',
    })
    pkg = engine.package_facts(str(m / "app"), None)
    assert pkg.imported_maker("example.com/m/q", "Open") == (1, 2)
    assert pkg.duration("app", ("example.com/m/q:Short",)) == 2e6
    assert pkg.duration("app", ("example.com/m/q:Tunable",)) is None  # Set writes it
    own = [engine.file_facts_of(str(m / "app/app.go"), (m / "app/app.go").read_bytes(), None)]
    assert pkg.digest != facts.merge(str(m / "app"), own).digest  # what it imports is part of the results' key


def test_the_constant_facts_read_back_from_the_cache():
    """The cache reads back typed fields only: an untyped term would be computed again on
    every warm run."""
    from gofixleaks import cache

    src = ('package p\n\nimport (\n\t"context"\n\t"time"\n\n\t"example.com/m/q"\n)\n\nconst short = -2*time.Millisecond + q.X\n\n'
           'var v = short / 2\n\nfunc f(p context.Context) {\n\tc, cancel := context.WithTimeout(p, q.Y)\n\tdefer cancel()\n\t_ = c\n\tv = 1\n}\n')
    ff = file_facts(src)
    assert [(n, var) for n, _, var in ff.durations] == [("short", False), ("v", True)]
    assert ("", "v") in ff.writes and ff.wants == (("example.com/m/q", "Y"),)
    for f in (ff, facts.lent_facts(SourceFile.load("/m/p.go", src.encode()), "/m/p.go")):
        assert cache.from_plain(facts.FileFacts, cache.to_plain(f)) == f
