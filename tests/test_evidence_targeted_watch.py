"""The stop-signal select where a proof suffices (channels.watch_where_partners_leave): the
operation ends a `go func` literal and its channel is an unbuffered local that every other
send or receive takes in a select returning on the same signal. Without `--unsafe-fixes`
the fix is applied there, and left as review one condition short of it; unit near misses
name each condition."""

from __future__ import annotations

import pytest

from gofixleaks.evidence.targeted import channels
from gofixleaks.source import SourceFile

from .test_evidence_targeted import _test, assert_fixed, assert_left, assert_gofmt_and_vet_clean, run_flow

# an endless producer whose reader takes n values, or leaves when ctx ends: once it has its
# n values the producer blocks on its next send for good
STREAM = """\
package stream

import "context"

// First returns the first n squares, or fewer when ctx ends first.
func First(ctx context.Context, n int) []int {
	ch := make(chan int)
	go func() {
		for i := 0; ; i++ {
			ch <- i * i
		}
	}()
	var out []int
	for len(out) < n {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-ctx.Done():
			return out
		}
	}
	return out
}
"""
STREAM_FIXED = STREAM.replace("\t\t\tch <- i * i\n", """\t\t\tselect {
\t\t\tcase ch <- i * i:
\t\t\tcase <-ctx.Done():
\t\t\t\treturn
\t\t\t}
""")
# the test cancels its context as it returns (the request ends): the values must still be
# the first three squares on the fixed code, within the test's timeout (a no-hang proof)
STREAM_TEST = """ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := First(ctx, 3)
	if len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 4 {
		t.Fatal(got)
	}"""

# one condition short: the reader's ctx case goes on reading (go's fuzz coordinator does):
# a value the new case drops would leave it waiting, so the fix stays review
GOESON = STREAM.replace("package stream", "package goeson").replace(
    "\t\tcase <-ctx.Done():\n\t\t\treturn out\n", "\t\tcase <-ctx.Done():\n\t\t\tn = len(out)\n")

FILES = {
    "go.mod": "module example.com/m\n\ngo 1.22\n",
    "stream/stream.go": STREAM,
    "stream/stream_test.go": _test("stream", STREAM_TEST, '\t"context"\n'),
    "goeson/goeson.go": GOESON,
    "goeson/goeson_test.go": _test("goeson", STREAM_TEST, '\t"context"\n'),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    # no --unsafe-fixes: only a fix a proof suffices for is applied
    return run_flow(tmp_path_factory.mktemp("watch"), FILES, "--rule", "ticker-not-stopped")


def test_a_producer_whose_readers_leave_on_its_signal_is_fixed_without_unsafe_fixes(flow):
    assert_fixed(flow, "stream", STREAM_FIXED, "stream.go:10", "proven-leak (fixed): select on ctx.Done() too")
    assert_gofmt_and_vet_clean(flow[0], ("stream",))


def test_a_reader_that_goes_on_after_the_signal_leaves_the_fix_review(flow):
    assert_left(flow, "goeson", GOESON, "goeson.go:10", "(review): select on ctx.Done() too")


def _partners_leave(source: str, text: str) -> bool:
    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == text)
    stmt = channels.operation_at(sf, line, "chan send")
    fix, why = channels.watch_where_partners_leave(sf, stmt, "chan send")
    assert why is None  # watch gives the reasons where this one does not apply
    return fix is not None


@pytest.mark.parametrize("source, text, leave", [
    (STREAM, "ch <- i * i", True),
    (GOESON, "ch <- i * i", False),
    # a buffer: the send could only block once the reader has gone; dropping a value it
    # could have kept is all the case adds
    (STREAM.replace("make(chan int)", "make(chan int, 1)"), "ch <- i * i", False),
    # a close: a reader would take its zero value for the end
    (STREAM.replace("\t\tfor i := 0; ; i++ {", "\t\tdefer close(ch)\n\t\tfor i := 0; ; i++ {"), "ch <- i * i", False),
    # handed on: a reader out of view
    (STREAM.replace("\tvar out []int\n", "\tvar out []int\n\tkeep(ch)\n") + "\nfunc keep(chan int) {}\n", "ch <- i * i", False),
    # a bare receive elsewhere still waits for the value
    (STREAM.replace("\treturn out\n}\n", "\t<-ch\n\treturn out\n}\n"), "ch <- i * i", False),
    # code after the send that a return would skip
    (STREAM.replace("\t\t\tch <- i * i\n", "\t\t\tch <- i * i\n\t\t\tprintln(i)\n"), "ch <- i * i", False),
    (STREAM.replace("\t\t}\n\t}()\n", "\t\t}\n\t\tprintln()\n\t}()\n"), "ch <- i * i", False),
    # the reader leaves on another signal: not when the producer's fires
    (STREAM.replace("case <-ctx.Done():\n\t\t\treturn out", "case <-time.After(time.Second):\n\t\t\treturn out"),
     "ch <- i * i", False),
    # shadowed: the same name, another variable
    (STREAM.replace("\tfor len(out) < n {\n", "\tfor len(out) < n {\n\t\tctx := context.Background()\n"),
     "ch <- i * i", False),
])
def test_each_condition_of_a_safe_stop_signal_select(source, text, leave):
    assert _partners_leave(source, text) is leave
