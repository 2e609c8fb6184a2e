"""Control-flow graphs and handle lifecycles (analysis.cfg, analysis.handles) on the shapes
the cancel and timer rules ask about."""

from __future__ import annotations

from gofixleaks import analysis as a
from gofixleaks.analysis import handles as h
from gofixleaks.source import SourceFile


def _fn(sf: SourceFile, name: str):
    return next(f for f in a.of_type(sf.root, "function_declaration", "method_declaration")
                if sf.text(f.child_by_field_name("name")) == name)


def _line(sf: SourceFile, node) -> int:
    return sf.line_col(node.start_byte)[0]


def _cancel_of(sf: SourceFile, fn_name: str, nth: int = 0):
    """The statement making the nth context in ``fn_name`` and the binding of its cancel func."""
    fn = _fn(sf, fn_name)
    calls = [c for c in a.of_type(fn, "call_expression") if a.is_call_to(sf, c, "context", ("WithCancel", "WithTimeout"))]
    stmt = calls[nth].parent.parent
    lefts = a.left_names(stmt)
    binding = a.tuple_binding(sf, stmt, 1) if stmt.type == "short_var_declaration" else a.binding_of(sf, lefts[1])
    return stmt, binding, fn


def _called(u: a.Use) -> bool:
    return u.kind in ("called", "deferred-call", "go-call")


def _life(sf: SourceFile, fn_name: str, nth: int = 0) -> a.Lifecycle:
    stmt, binding, fn = _cancel_of(sf, fn_name, nth)
    return a.follow(sf, binding, stmt, fn, _called)


FLOW = b"""package p

func f(xs []int) int {
	n := 0
outer:
	for _, x := range xs {
		switch x {
		case 0:
			continue
		case 1:
			fallthrough
		case 2:
			break outer
		}
		n++
	}
	if n > 3 {
		panic("many")
	}
	return n
}
"""


def test_the_graph_follows_labeled_breaks_fallthrough_and_ends_at_panics():
    sf = SourceFile.load("f.go", FLOW)
    fn = _fn(sf, "f")
    g = a.graph(sf, fn)
    at = {_line(sf, n): pid for pid, n in g.points.items() if n.type != "labeled_statement"}
    assert g.successors[at[11]] == (at[13],)  # fallthrough runs the next case's body
    assert g.successors[at[13]] == (at[17],)  # break outer leaves both loop and switch
    assert g.successors[at[9]] == (at[6],)  # continue goes back to the loop header
    assert g.successors[at[18]] == ()  # panic ends the path
    assert g.successors[at[20]] == (a.EXIT,)
    assert g.dominates(at[4], at[20]) and not g.dominates(at[15], at[20])


LIFECYCLES = b"""package p

import "context"

func early(p context.Context) error {
	ctx, cancel := context.WithCancel(p)
	if err := setup(ctx); err != nil {
		return err
	}
	return keep(cancel)
}

func branches(p context.Context, d int) error {
	var cancel context.CancelFunc
	ctx := p
	if d > 0 {
		ctx, cancel = context.WithTimeout(p, 1)
	} else {
		ctx, cancel = context.WithCancel(p)
	}
	defer cancel()
	return setup(ctx)
}

func retry(p context.Context) error {
	ctx, cancel := context.WithTimeout(p, 1)
	defer cancel()
	for i := 0; i < 3; i++ {
		if setup(ctx) == nil {
			return nil
		}
		ctx, cancel = context.WithTimeout(p, 1)
	}
	return nil
}

func deferred(p context.Context, hs []string) {
	for range hs {
		ctx, cancel := context.WithTimeout(p, 1)
		defer cancel()
		setup(ctx)
	}
}

func conditional(p context.Context) (err error) {
	ctx, cancel := context.WithCancel(p)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	if err := setup(ctx); err != nil {
		return err
	}
	return nil
}

func guarded(p context.Context) {
	ctx, cancel := context.WithCancel(p)
	defer func() {
		if cancel != nil {
			cancel()
		}
	}()
	setup(ctx)
}

func skip(p context.Context, hs []string) {
	for range hs {
		ctx, cancel := context.WithTimeout(p, 1)
		if err := setup(ctx); err != nil {
			continue
		}
		cancel()
	}
}

func setup(ctx context.Context) error { return nil }
func keep(f func()) error           { return nil }
"""


def test_a_cancel_handed_on_at_the_end_is_dropped_by_the_early_return():
    sf = SourceFile.load("l.go", LIFECYCLES)
    life = _life(sf, "early")
    assert [(d.how, _line(sf, d.at)) for d in life.drops] == [(h.EXITS, 8)]
    assert [_line(sf, n) for n in life.handed_on] == [10]


def test_cancels_assigned_in_either_branch_are_released_by_the_defer_after_both():
    sf = SourceFile.load("l.go", LIFECYCLES)
    assert not _life(sf, "branches", 0).drops and not _life(sf, "branches", 1).drops


def test_a_retry_loses_the_cancel_it_overwrites_and_the_defer_holds_only_the_first():
    sf = SourceFile.load("l.go", LIFECYCLES)
    assert not _life(sf, "retry", 0).drops  # the first one is deferred before the loop
    again = _life(sf, "retry", 1)
    assert {(d.how, _line(sf, d.at)) for d in again.drops} == {(h.EXITS, 30), (h.REMADE, 32), (h.EXITS, 34)}


def test_a_defer_in_a_loop_releases_only_when_the_function_returns():
    sf = SourceFile.load("l.go", LIFECYCLES)
    life = _life(sf, "deferred")
    assert not life.drops and [_line(sf, n) for n in life.deferred_in_loop] == [40]


def test_a_conditional_deferred_cancel_covers_error_returns_only():
    sf = SourceFile.load("l.go", LIFECYCLES)
    life = _life(sf, "conditional")
    assert [(d.how, _line(sf, d.at), d.conditional) for d in life.drops] == [(h.EXITS, 55, True)]
    assert not _life(sf, "guarded").drops  # a nil check around the call is no condition


def test_a_continue_that_skips_the_cancel_leaves_the_block_with_it():
    sf = SourceFile.load("l.go", LIFECYCLES)
    life = _life(sf, "skip")
    assert [(d.how, _line(sf, d.at)) for d in life.drops] == [(h.LEAVES, 72)]


def test_values_derived_from_a_context_and_where_they_escape():
    src = b"""package p

import "context"

var keep []string

func f(p context.Context, get func(context.Context) (string, error)) {
	for i := 0; i < 2; i++ {
		ctx, cancel := context.WithCancel(p)
		v, err := get(ctx)
		w := v + "!"
		_ = err
		keep = append(keep, w)
		cancel()
	}
}
"""
    sf = SourceFile.load("d.go", src)
    fn = _fn(sf, "f")
    names = a.derived(sf, fn, {"ctx"})
    assert {"ctx", "v", "w"} <= names and "err" not in names
    g = a.graph(sf, fn)
    loop = next(a.of_type(fn, "for_statement"))
    body = loop.child_by_field_name("body")
    leak = a.escaping(sf, g, set(g.points), names, body)
    assert leak is not None and _line(sf, leak) == 13


def test_what_functions_do_with_handles():
    src = b"""package p

import (
	"context"
	"time"
)

type S struct {
	t      *time.Timer
	timers map[string]*time.Timer
}

func withTimeout(p context.Context) (context.Context, context.CancelFunc) { return context.WithTimeout(p, 1) }

func named(p context.Context) (ctx context.Context, stop func(), err error) { return }

func rearm(t *time.Timer, d time.Duration, keep *time.Timer) {
	t.Stop()
	t.Reset(d)
	_ = keep
}

func (s *S) arm(k string) {
	if s.t != nil {
		s.t.Reset(1)
	}
	s.t = time.AfterFunc(1, s.fire)
	s.timers[k] = time.AfterFunc(1, func() {})
}

func (s *S) fire() {}
"""
    sf = SourceFile.load("h.go", src)
    assert a.cancel_result(sf, _fn(sf, "withTimeout")) == (1, 2)
    assert a.cancel_result(sf, _fn(sf, "named")) == (1, 3)
    assert a.cancel_result(sf, _fn(sf, "rearm")) == (-1, 0)
    assert a.borrowed_params(sf, _fn(sf, "rearm")) == (0,)
    arm = _fn(sf, "arm")
    assert a.timer_fields(sf, arm) == ("t", "timers[]")
    assert "t" not in a.field_reads(sf, arm)  # assigned, nil-checked and re-armed only
    assert a.callbacks(sf, arm) == ("fire",)
    g = a.graph(sf, arm)
    assign = next(pid for pid, n in g.points.items() if sf.text(n).startswith("s.t = "))
    assert h.field_on_arrival(sf, g, assign, "s.t") == {h.LIVE, h.SAFE}


DURATIONS = b"""package p

import clock "time"

const short = 50 * clock.Millisecond

const pair, other = 1, 2

func f(short clock.Duration) {
	use(2*clock.Second, (clock.Minute - 30*clock.Second), -clock.Second, 1.5*clock.Millisecond, short, n*clock.Second)
}

func g() {
	use(short, pair, 3/clock.Second)
}
"""


def test_duration_evaluates_constants_and_leaves_variables_and_shadowed_names_out():
    from transforms._timers import duration

    sf = SourceFile.load("p.go", DURATIONS)
    args = {name: a.arguments(next(a.of_type(_fn(sf, name), "call_expression"))) for name in ("f", "g")}
    assert [duration(sf, x, consts=True) for x in args["f"]] == [2e9, 30e9, -1e9, 1.5e6, None, None]  # f's short is a parameter
    assert [duration(sf, x, consts=True) for x in args["g"]] == [50e6, None, None]  # a shared spec and `/` are not followed
    assert duration(sf, args["g"][0]) is None  # constants only when asked for


# nats' Fetch: the deferred func cancels while the function owns the context; the flag is
# cleared only as the goroutine that defers cancel takes it over
OWNER = b"""package p

import "context"

func fetch(p context.Context, fail bool) chan int {
	var (
		ctx, cancel = context.WithCancel(p)
		mine        = true
	)
	defer func() {
		// only if the fetching goroutine has not been started
		if mine {
			cancel()
		}
	}()
	out := make(chan int, 1)
	if fail {
		close(out)
		return out
	}
	mine = false
	go func() {
		defer cancel()
		out <- setup(ctx)
	}()
	return out
}

func setup(ctx context.Context) int { return 0 }
"""


def _owner_life(src: bytes) -> a.Lifecycle:
    sf = SourceFile.load("o.go", src)
    fn = _fn(sf, "fetch")
    spec = next(a.of_type(fn, "var_spec"))
    return a.follow(sf, a.tuple_binding(sf, spec, 1), a.var_declaration_of(spec), fn, _called)


def test_a_flag_cleared_only_for_the_goroutine_that_cancels_says_who_owns_the_cancel():
    assert not _owner_life(OWNER).drops
    # cleared, then a return: nobody cancels on that path
    early = OWNER.replace(b"\tmine = false\n", b"\tmine = false\n\tif len(out) > 0 {\n\t\treturn out\n\t}\n")
    assert {(d.how, d.conditional) for d in _owner_life(early).drops} == {(h.EXITS, True)}
    # the goroutine taking it over does not cancel it
    keeps = OWNER.replace(b"\t\tdefer cancel()\n", b"")
    assert {(d.how, d.conditional) for d in _owner_life(keeps).drops} == {(h.EXITS, True)}
    # the flag starts false, or is read elsewhere: what it says cannot be told
    assert _owner_life(OWNER.replace(b"mine        = true", b"mine        = false")).drops
    assert _owner_life(OWNER.replace(b"\tmine = false\n", b"\tmine = false\n\tprintln(mine)\n")).drops
