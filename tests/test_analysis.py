"""Shared analysis facts on shapes real code uses."""

from __future__ import annotations

import pytest

from gofixleaks import analysis as a
from gofixleaks.source import SourceFile

BLOCKS = b"""package p

import "time"

var (
	ticker = 1
)

func f(d time.Duration) {
	var (
		t = time.NewTicker(d)
	)
	<-t.C
}
"""


def test_var_blocks_declare_names_at_package_and_function_level():
    sf = SourceFile.load("x.go", BLOCKS)
    assert "ticker" in a.package_level_names(sf)
    call = next(c for c in a.of_type(sf.root, "call_expression") if sf.text(c).startswith("time.NewTicker"))
    binding = a.assignments(sf, call)
    assert binding.name == "t" and binding.statement.type == "var_declaration"
    assert [sf.line_col(r.start_byte)[0] for r in a.references(sf, binding)] == [13]
    assert a.free_name(sf, call, "ticker") == "ticker2"


def test_of_type_skips_nested_functions_only_when_asked():
    sf = SourceFile.load("y.go", b"package p\n\nfunc f() {\n\tgo func() { g() }()\n\tg()\n}\n\nfunc g() {}\n")
    fn = sf.root.named_children[1]
    assert len(list(a.of_type(fn, "call_expression"))) == 3
    assert [sf.text(c) for c in a.of_type(fn, "call_expression", skip_functions=True)] == ["func() { g() }()", "g()"]


def test_a_context_from_a_closed_block_is_not_in_scope_later():
    src = b"""package p

import "context"

func f(parent context.Context, ok bool) {
	if ok {
		inner, cancel := context.WithCancel(parent)
		defer cancel()
		_ = inner
	}
	for {
		go g()
	}
}

func g() {}
"""
    sf = SourceFile.load("s.go", src)
    loop = next(a.of_type(sf.root, "for_statement"))
    assert [c.name for c in a.cancellation_in_scope(sf, loop)] == ["parent"]
    inner_use = next(n for n in a.of_type(sf.root, "identifier") if sf.text(n) == "inner" and n.start_byte > src.index(b"_ = inner"))
    assert [c.name for c in a.cancellation_in_scope(sf, inner_use)] == ["parent", "inner"]


def test_never_returns_knows_the_calls_that_end_a_process_goroutine_or_test():
    src = b"""package p

import (
	"log"
	"os"
	"runtime"
	"testing"
)

func f(t *testing.T, logger interface{ Fatalf(string, ...any) }) {
	panic("x")
	os.Exit(1)
	runtime.Goexit()
	log.Fatalf("x")
	t.Fatal("x")
	t.SkipNow()
	logger.Fatalf("x")
	log.Printf("x")
	t.Log("x")
	println("x")
}
"""
    sf = SourceFile.load("n.go", src)
    body = a.statements(a.body(sf.root.named_children[-1]))
    assert [a.never_returns(sf, s) for s in body] == [True] * 7 + [False] * 3


def test_signal_names_are_read_by_words_not_substrings():
    for name in ("done", "doneCh", "stopc", "quit", "closing", "shutdownC", "exit_chan", "cancelled", "die"):
        assert a.names_a_signal(name), name
    for name in ("studies", "equity", "results", "unclosed", "jobs"):
        assert not a.names_a_signal(name), name



NEVER = b"""package p

import "context"

type key struct{}

type S struct{ base context.Context }

func New() *S { return &S{base: context.Background()} }

type R struct{ ctx context.Context }

func NewR(ctx context.Context) *R { return &R{ctx: ctx} }

func f(parent context.Context) {
	bg := context.Background()
	val := context.WithValue(context.TODO(), key{}, 1)
	nested := context.WithValue(val, key{}, 2)
	child := context.WithValue(parent, key{}, 3)
	re := context.Background()
	var cancel context.CancelFunc
	re, cancel = context.WithCancel(re)
	defer cancel()
	ns := namespaces.WithNamespace(context.Background(), "x")
	var logged = log.WithContext(ns)
	ended := signals.WithCancelOnSignal(context.Background())
	sig, stop := signal.NotifyContext(context.Background())
	defer stop()
	_, _, _, _, _, _, _, _, _ = bg, val, nested, child, re, ns, logged, ended, sig
}

func g(ctx context.Context) {
	if ctx != nil {
		ctx := namespaces.WithNamespace(ctx, "x")
		_ = ctx
	}
}
"""


def test_never_cancelled_follows_values_fields_and_reassignments():
    # the contexts nothing can cancel, which a select on Done() would wait on in vain
    sf = SourceFile.load("n.go", NEVER)
    at = next(n for n in a.of_type(sf.root, "assignment_statement") if sf.text(n).startswith("_, _"))
    never = {name: a.never_cancelled(sf, a.Cancellation(name, "context"), at)
             for name in ("bg", "val", "nested", "child", "re", "parent", "s.base", "r.ctx", "ns", "logged", "ended", "sig")}
    assert never == {
        "bg": True, "val": True, "nested": True,  # WithValue of a context nothing cancels
        "child": False, "parent": False,  # from a parameter: its callers decide
        "re": False,  # reassigned from WithCancel after its :=
        "s.base": True,  # every value the file gives a field named base is Background
        "r.ctx": False,  # a field named ctx is given a parameter
        # another package's wrapper named as adding a value (:= or var), not one named as
        # giving an end nor one handing back a stop function
        "ns": True, "logged": True, "ended": False, "sig": False,
    }
    # a wrapper of the parameter it reassigns: the parameter's callers decide (no recursion
    # through the := whose right side names the ctx before it)
    inner = next(n for n in a.of_type(sf.root, "short_var_declaration") if sf.text(n).startswith("ctx :="))
    assert a.never_cancelled(sf, a.Cancellation("ctx", "context"), inner.next_named_sibling) is False


def test_nothing_after_a_statement_but_a_loops_next_pass():
    src = b"""package p

func f(a, b bool, c chan int) {
	if a {
		c <- 1
		return
	}
	for b {
		c <- 2
	}
	if b {
		c <- 3
	} else {
		c <- 4
	}
}

func g(c chan int) {
	if true {
		c <- 5
	}
	c <- 6
	for {
		c <- 7
	}
}
"""
    sf = SourceFile.load("after.go", src)
    sends = {sf.text(s.child_by_field_name("value")): s for s in a.of_type(sf.root, "send_statement")}
    body = {sf.text(fn.child_by_field_name("name")): a.body(fn) for fn in a.of_type(sf.root, "function_declaration")}
    # 1 is followed by its return, 2 by the if after its loop; 3 and 4 (one branch each) by nothing
    assert [a.nothing_after(body["f"], sends[v]) for v in "1234"] == [False, False, True, True]
    # 5 is followed by the send of 6; 7 only by its loop's next pass
    assert [a.nothing_after(body["g"], sends[v]) for v in "567"] == [False, False, True]


def test_ends_run_is_a_return_after_or_nothing_after_outside_loops():
    src = b"""package p

func f(ok bool, c chan int) {
	for ok {
		c <- 1
		return
	}
	for ok {
		c <- 2
	}
	if ok {
		c <- 3
	}
}
"""
    sf = SourceFile.load("run.go", src)
    fn = next(a.of_type(sf.root, "function_declaration"))
    sends = {sf.text(s.child_by_field_name("value")): s for s in a.of_type(sf.root, "send_statement")}
    # 1 returns right after; 2 goes round its loop again; 3 ends the run
    assert [a.ends_run(sends[v], fn) for v in "123"] == [True, False, True]


def test_ends_run_goes_out_through_blocks_to_a_return_with_no_jump_between():
    src = b"""package p

func f(ok bool, c, d chan int) {
	for {
		if ok {
			c <- 1
			close(d)
			return
		}
		if ok {
			if len(d) > 0 {
				c <- 2
			} else {
				c <- 3
			}
			return
		}
		if ok {
			c <- 4
			if len(d) > 0 {
				continue
			}
			return
		}
		if ok {
			c <- 5
		}
	}
}
"""
    sf = SourceFile.load("run.go", src)
    fn = next(a.of_type(sf.root, "function_declaration"))
    sends = {sf.text(s.child_by_field_name("value")): s for s in a.of_type(sf.root, "send_statement")}
    # 1: a close, then the return; 2 and 3: out of the if/else to its return; 4: a continue
    # may come back first; 5: round the loop again
    assert [a.ends_run(sends[v], fn) for v in "12345"] == [True, True, True, False, False]


REQUESTS = b"""package p

type writeRequest struct {
	req int
	ch  chan<- error
}

type reply struct{ ch chan error }

type conn struct {
	writech chan writeRequest
	replies chan reply
	mixed   chan writeRequest
}

type other struct{ mixed chan reply }

func (c *conn) roundTrip() {
	errc := make(chan error, 1)
	c.writech <- writeRequest{1, errc}
	c.replies <- reply{ch: make(chan error)}
}

func (c *conn) loop() {
	for {
		select {
		case wr := <-c.writech:
			wr.ch <- nil
		case rp := <-c.replies:
			rp.ch <- nil
		case m := <-c.mixed:
			m.ch <- nil
		}
	}
}
"""


def test_received_type_reads_the_element_type_of_the_channel_field():
    sf = SourceFile.load("req.go", REQUESTS)
    chans = {sf.text(s.child_by_field_name("channel")): s.child_by_field_name("channel") for s in a.of_type(sf.root, "send_statement")}
    owner = {k: a.received_type(sf, v.child_by_field_name("operand")) for k, v in chans.items() if k.endswith(".ch")}
    # two fields named mixed, of two element types: which one cannot be told by name
    assert owner == {"wr.ch": "writeRequest", "rp.ch": "reply", "m.ch": None}


def test_field_values_of_an_owner_read_its_literals_positional_ones_too():
    sf = SourceFile.load("req.go", REQUESTS)
    by_name = [sf.text(v) for v in a.field_values(sf, "ch")]
    assert by_name == ["make(chan error)"]  # keyed only, whoever's it is
    assert [sf.text(v) for v in a.field_values(sf, "ch", "writeRequest")] == ["errc"]
    assert [sf.text(v) for v in a.field_values(sf, "ch", "reply")] == ["make(chan error)"]


def test_fixed_rounds_are_slices_maps_counts_not_conditions_or_iterators():
    src = b"""package p

func f(xs []int, m map[string]int, n int, ch chan int, it interface{ Next() bool }, s struct{ Files []string }) {
	for _, x := range xs {
	}
	for k := range m {
	}
	for i := 0; i < n; i++ {
	}
	var j int
	for j = n; j > 0; j -= 2 {
	}
	for _, f := range s.Files {
	}
	for range 3 {
	}
	for it.Next() {
	}
	for {
	}
	for v := range ch {
	}
	for p := head(); p != nil; p = p.next {
	}
	for i := 0; it.Next(); i++ {
	}
}
"""
    sf = SourceFile.load("loops.go", src, (1, 23))
    loops = list(a.of_type(sf.root, "for_statement"))
    assert [a.fixed_rounds(sf, lp) for lp in loops] == [True] * 6 + [False] * 5


def test_counter_reads_the_clause_with_the_counter_on_the_left():
    src = b"""package p

func f(n int, it interface{ Next() bool }) {
	for i := 0; i < n; i++ {
	}
	for j = n; 0 <= j; j -= 2 {
	}
	for p := head(); p != nil; p = p.next {
	}
	for i := 0; it.Next(); i++ {
	}
	for i, k := 0, 1; i < n; i++ {
	}
}
"""
    sf = SourceFile.load("loops.go", src, (1, 23))
    clauses = [next(c for c in lp.named_children if c.type == "for_clause") for lp in a.of_type(sf.root, "for_statement")]
    got = [a.counter(sf, c) for c in clauses]
    assert [(c.name, c.declared, sf.text(c.start), c.op, sf.text(c.bound), c.step) for c in got[:2]] == [
        ("i", True, "0", "<", "n", "++"), ("j", False, "n", ">=", "0", "-=")]
    assert got[2:] == [None, None, None]


@pytest.mark.parametrize("version, fixed", [((1, 22), True), ((1, 23), False), (None, False)])
def test_fixed_rounds_of_two_variables_over_a_call_depend_on_go_version(version, fixed):
    """``for k, v := range seq.All()``: a slice's before Go 1.23, maybe a func iterator since,
    and maybe one when the version is not known yet (facts are read before it is resolved)."""
    src = b"package p\n\nfunc f(seq interface{ All() []int }) {\n\tfor k, v := range seq.All() {\n\t\t_, _ = k, v\n\t}\n}\n"
    sf = SourceFile.load("seq.go", src, version)
    assert a.fixed_rounds(sf, next(a.of_type(sf.root, "for_statement"))) is fixed


def test_outcome_of_a_call_given_the_context_not_a_value_split_from_its_error():
    src = b"""package p

func f(ctx context.Context, other context.Context, j int) {
	results <- process(ctx, j)
	outcome := process(ctx, j)
	results <- outcome
	v, err := recv(ctx)
	results <- v
	w := process(other, j)
	results <- w
	results <- process(other, j)
	results <- j
	_ = err
}
"""
    sf = SourceFile.load("send.go", src, (1, 23))
    sends = list(a.of_type(sf.root, "send_statement"))
    assert [a.outcome_of(sf, s.child_by_field_name("value"), s, "ctx") for s in sends] == [
        True, True, False, False, False, False]


def test_closed_on_exit_directly_or_through_a_helper_in_a_deferred_literal():
    src = b"""package p

func direct(out chan int) {
	defer close(out)
}

func helper(out chan int) {
	defer func() {
		cleanup()
		xioutil.SafeClose(out)
	}()
}

func other(out, in chan int) {
	defer close(in)
	defer func() { log(out) }()
	close(out)
}
"""
    sf = SourceFile.load("c.go", src, (1, 23))
    fns = list(a.of_type(sf.root, "function_declaration"))
    assert [a.closed_on_exit(sf, fn, "out") for fn in fns] == [True, True, False]


def test_channel_element_from_a_parameter_a_make_or_a_field():
    src = b"""package p

type S struct{ respCh chan *Response }

func f(out chan<- Response, s *S, n int) {
	w := make(chan Window, 1)
	var ints []int
	out <- Response{}
	w <- Window{}
	s.respCh <- nil
	ints = append(ints, n)
}
"""
    sf = SourceFile.load("e.go", src, (1, 23))
    sends = list(a.of_type(sf.root, "send_statement"))
    assert [a.channel_element(sf, s.child_by_field_name("channel"), s) for s in sends] == ["Response", "Window", "Response"]
    ident = next(x for x in a.of_type(sf.root, "identifier") if sf.text(x) == "ints")
    assert a.channel_element(sf, ident, sends[0]) is None


@pytest.mark.parametrize("path, src, checks", [
    ("main_test.go", 'package p\n\nimport (\n\t"testing"\n\n\t"go.uber.org/goleak"\n)\n\n'
                     'func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }\n', True),
    ("s_test.go", 'package p\n\nimport "google.golang.org/grpc/internal/grpctest"\n\ntype s struct {\n\tgrpctest.Tester\n}\n', True),
    ("w_test.go", 'package p\n\nimport (\n\t"testing"\n\n\t"go.etcd.io/etcd/client/pkg/v3/testutil"\n)\n\n'
                  'func TestW(t *testing.T) { defer testutil.AfterTest(t) }\n', True),
    # a testutil of another kind, and a leak check outside a test file: no
    ("u_test.go", 'package p\n\nimport "example.com/m/testutil"\n\nvar _ = testutil.MustNew\n', False),
    ("main.go", 'package p\n\nimport "go.uber.org/goleak"\n\nvar _ = goleak.VerifyNone\n', False),
    # goleak per test: counted, unless IgnoreCurrent makes it blind to earlier tests' goroutines
    ("v_test.go", 'package p\n\nimport (\n\t"testing"\n\n\t"go.uber.org/goleak"\n)\n\n'
                  'func TestV(t *testing.T) { defer goleak.VerifyNone(t) }\n', True),
    ("i_test.go", 'package p\n\nimport (\n\t"testing"\n\n\t"go.uber.org/goleak"\n)\n\n'
                  'func TestI(t *testing.T) { defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) }\n', False),
])
def test_a_test_file_that_runs_a_goroutine_leak_check_is_told(path, src, checks):
    assert a.checks_leaks(SourceFile.load(path, src.encode())) is checks


@pytest.mark.parametrize("src, expected", [
    # a helper marking itself with the testing.TB it keeps in a field is test code anywhere
    ("type h struct{ t testing.TB }\n\nfunc (b *h) wait() {\n\tb.t.Helper()\n\tx := 1\n\t_ = x\n}\n", True),
    # Helper with arguments, or as a value, is some other method
    ("type h struct{}\n\nfunc (h) Helper(int) {}\n\nfunc (b h) wait() {\n\tb.Helper(1)\n\tx := 1\n\t_ = x\n}\n", False),
])
def test_a_function_that_calls_helper_is_test_code(src, expected):
    sf = SourceFile.load("h.go", f'package p\n\nimport "testing"\n\nvar _ testing.TB\n\n{src}'.encode())
    x = next(n for n in a.of_type(sf.root, "short_var_declaration"))
    assert a.in_test(sf, x) is expected
