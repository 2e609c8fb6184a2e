"""The synthesised done channel (stops.done_by_stop): a send on a receiver's channel field,
whose type has one once-only stop and is built only by keyed literals of its file, returns
once a new `done` field that stop closes is closed, checked first without blocking
(kubernetes' PR 38669 with its follow-up 39078). A review fix: applied with
`--unsafe-fixes`; near misses name each condition."""

from __future__ import annotations

import pytest

from gofixleaks.evidence.targeted import stops

from . import gotools
from .test_evidence_targeted import _line, _proven, _test, ask_shape, assert_fixed, assert_left, assert_gofmt_and_vet_clean, run_flow

# kubernetes' cacheWatcher: once the reader has taken the first event and stopped the
# watcher, process waits forever to send the second
WATCHER = """\
package watcher

import (
	"sync"
	"time"
)

type cacheWatcher struct {
	sync.Mutex
	input   chan int
	result  chan int
	stopped bool
}

func newWatcher(events []int) *cacheWatcher {
	w := &cacheWatcher{
		input:   make(chan int),
		result:  make(chan int),
		stopped: false,
	}
	go w.process(events)
	return w
}

func (w *cacheWatcher) process(events []int) {
	for _, e := range events {
		w.send(e)
	}
	defer close(w.result)
	defer w.Stop()
	for range w.input {
	}
}

func (w *cacheWatcher) send(e int) {
	w.result <- e // to the reader
}

// Next is the next event, or false after timeout.
func (w *cacheWatcher) Next(timeout time.Duration) (int, bool) {
	select {
	case e := <-w.result:
		return e, true
	case <-time.After(timeout):
		return 0, false
	}
}

// Stop ends the watcher.
func (w *cacheWatcher) Stop() {
	w.Lock()
	defer w.Unlock()
	if !w.stopped {
		w.stopped = true
		close(w.input)
	}
}
"""
WATCHER_FIXED = WATCHER.replace("\tstopped bool\n}\n", "\tstopped bool\n\tdone    chan struct{}\n}\n").replace(
    "\t\tstopped: false,\n", "\t\tstopped: false,\n\t\tdone:    make(chan struct{}),\n").replace(
    "\t\tw.stopped = true\n", "\t\tw.stopped = true\n\t\tclose(w.done)\n").replace("\tw.result <- e // to the reader\n", """\
\tselect {
\tcase <-w.done:
\t\treturn
\tdefault:
\t}
\tselect {
\tcase w.result <- e: // to the reader
\tcase <-w.done:
\t\treturn
\t}
""")
# the first event still reaches the reader on the fixed code (a no-hang proof)
WATCHER_TEST = """w := newWatcher([]int{1, 2})
	if e, ok := w.Next(time.Second); !ok || e != 1 {
		t.Fatal(e, ok)
	}
	w.Stop()
	time.Sleep(20 * time.Millisecond)"""

# a sync.Once stop, a one-line literal, and fields the new one cannot align with
FEED = """\
package feed

import (
	"sync"
	"time"
)

type feeder struct {
	once sync.Once

	in  chan int
	out chan int
}

func newFeeder() *feeder {
	f := &feeder{in: make(chan int), out: make(chan int)}
	go f.run()
	return f
}

func (f *feeder) run() {
	for v := range f.in {
		f.out <- 2 * v
	}
}

// Put hands v to the feeder.
func (f *feeder) Put(v int) { f.in <- v }

// Get is the next doubled value, or false after a while.
func (f *feeder) Get() (int, bool) {
	select {
	case v := <-f.out:
		return v, true
	case <-time.After(time.Second):
		return 0, false
	}
}

// Close ends the feeder.
func (f *feeder) Close() {
	f.once.Do(func() {
		close(f.in)
	})
}
"""
FEED_FIXED = FEED.replace("\tout chan int\n}\n", "\tout chan int\n\n\tdone chan struct{}\n}\n").replace(
    "out: make(chan int)}", "out: make(chan int), done: make(chan struct{})}").replace(
    "\t\tclose(f.in)\n", "\t\tclose(f.done)\n\t\tclose(f.in)\n").replace("\t\tf.out <- 2 * v\n", """\
\t\tselect {
\t\tcase <-f.done:
\t\t\treturn
\t\tdefault:
\t\t}
\t\tselect {
\t\tcase f.out <- 2 * v:
\t\tcase <-f.done:
\t\t\treturn
\t\t}
""")
FEED_TEST = """f := newFeeder()
	f.Put(1)
	if v, ok := f.Get(); !ok || v != 2 {
		t.Fatal(v, ok)
	}
	f.Put(2)
	f.Close()
	time.Sleep(20 * time.Millisecond)"""

# one condition short: a reader drains the results until they are closed (the tail the
# stop would drop is what it waits for)
DRAINED = WATCHER.replace("package watcher", "package drained") + """
// Each calls f with every event until the results end.
func (w *cacheWatcher) Each(f func(int)) {
	for e := range w.result {
		f(e)
	}
}
"""
DRAINED_TEST = """w := newWatcher([]int{1, 2})
	w.Stop()
	time.Sleep(20 * time.Millisecond)"""

FILES = {
    "go.mod": "module example.com/m\n\ngo 1.22\n",
    "watcher/watcher.go": WATCHER,
    "watcher/watcher_test.go": _test("watcher", WATCHER_TEST, '\t"time"\n'),
    "feed/feed.go": FEED,
    "feed/feed_test.go": _test("feed", FEED_TEST, '\t"time"\n'),
    "drained/drained.go": DRAINED,
    "drained/drained_test.go": _test("drained", DRAINED_TEST, '\t"time"\n'),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("stops"), FILES, "--unsafe-fixes")


def test_a_send_a_flagged_stop_leaves_behind_gets_a_done_channel(flow):
    assert_fixed(flow, "watcher", WATCHER_FIXED, "watcher.go:36", "proven-leak (fixed): add done to cacheWatcher, closed by its once-only stop in Stop")
    assert_gofmt_and_vet_clean(flow[0], ("watcher",))


def test_a_send_a_once_stop_leaves_behind_gets_a_done_channel(flow):
    assert_fixed(flow, "feed", FEED_FIXED, "feed.go:23", "proven-leak (fixed): add done to feeder, closed by its once-only stop in Close")
    assert_gofmt_and_vet_clean(flow[0], ("feed",))


def test_a_reader_draining_until_close_gets_no_done_channel(flow):
    assert_left(flow, "drained", DRAINED, "drained.go:36", "result is ranged over on line 61")


def test_without_unsafe_fixes_it_stays_review(tmp_path):
    module, before, result, after = run_flow(tmp_path, {k: v for k, v in FILES.items() if k.startswith(("go.mod", "watcher/"))})
    assert _proven(before["watcher"])
    assert (module / "watcher" / "watcher.go").read_text() == WATCHER
    assert "(review): add done to cacheWatcher" in _line(result.stderr, "watcher.go:36"), result.stderr


def _ask(tmp_path, source: str, text: str, others: dict[str, str] | None = None):
    return ask_shape(tmp_path, stops.done_by_stop, source, text, others)


SEND = "w.result <-"
NEXT = "\n// Next is"
MULTILINE = FEED.replace("f := &feeder{in: make(chan int), out: make(chan int)}",
                         "f := &feeder{\n\t\tin:  make(chan int),\n\t\tout: make(chan int),\n\t}")


@pytest.mark.parametrize("source, text, fixed", [
    (WATCHER, SEND, WATCHER_FIXED),
    (FEED, "f.out <- 2 * v", FEED_FIXED),
    # keys too short to align "done:" with: a section of its own after a blank line
    (MULTILINE, "f.out <- 2 * v", FEED_FIXED.replace(
        "f := &feeder{in: make(chan int), out: make(chan int), done: make(chan struct{})}",
        "f := &feeder{\n\t\tin:  make(chan int),\n\t\tout: make(chan int),\n\n\t\tdone: make(chan struct{}),\n\t}")),
    # a conversion is no call the check would skip
    (WATCHER.replace("\tw.result <- e // to the reader\n", "\tw.result <- int(e)\n"), "w.result <- int(e)",
     WATCHER_FIXED.replace("case w.result <- e: // to the reader", "case w.result <- int(e):")),
])
def test_the_fix_is_gofmt_layout(tmp_path, source, text, fixed):
    fix, why, out = _ask(tmp_path, source, text)
    assert why is None and out == fixed
    assert gotools.gofmt_clean(out.encode())


@pytest.mark.parametrize("change, why", [
    # the return path: no results, nothing after the send, no call the check skips
    (lambda s: s.replace("send(e int) {\n\tw.result <- e // to the reader\n", "send(e int) error {\n\tw.result <- e // to the reader\n\treturn nil\n"),
     "send has results"),
    (lambda s: s.replace("\tw.result <- e // to the reader\n", "\tw.result <- e // to the reader\n\tprintln(e)\n"),
     "send goes on after the send"),
    (lambda s: s.replace("w.result <- e // to the reader", "w.result <- w.next(e)"), "the value calls w.next"),
    # callers that would call it again and again once it returns at once, or are out of view
    (lambda s: s + "\nfunc (w *cacheWatcher) pump() {\n\tfor {\n\t\tw.send(1)\n\t}\n}\n",
     "send is called in a loop that ends only on its own (line 60)"),
    (lambda s: s + "\nfunc (w *cacheWatcher) pump(ok func() bool) {\n\tfor ok() {\n\t\tw.process(nil)\n\t}\n}\n",
     "process is called in a loop that ends only on its own"),
    (lambda s: s + "\nfunc (w *cacheWatcher) pump() {\n\tfor i := 0; i < 3; i++ {\n\t\tw.send(i)\n\t}\n}\n", None),
    (lambda s: s + "\nfunc (w *cacheWatcher) later() func(int) {\n\treturn w.send\n}\n", "send is named otherwise than called"),
    (lambda s: s + "\nfunc (w *cacheWatcher) each(f func(func(int))) {\n\tf(func(e int) { w.send(e) })\n}\n",
     "send is called from a function literal whose callers are out of view"),
    # room for a done field
    (lambda s: s.replace("\tstopped bool\n}", "\tstopped bool\n\tdone    chan struct{}\n}"), "has a done already"),
    (lambda s: s.replace("cacheWatcher", "CacheWatcher"), "CacheWatcher is exported"),
    (lambda s: s.replace("\tsync.Mutex\n", "\tsync.Mutex\n\tbase\n") + "\ntype base struct{ n int }\n", "embeds base"),
    # one once-only stop, named as one
    (lambda s: s.replace("\t\tclose(w.input)\n", ""), "has 0 once-only stops"),
    (lambda s: s.replace("Stop()", "Start()").replace("stopped", "started"), "has 0 once-only stops"),
    (lambda s: s + "\nfunc (w *cacheWatcher) Kill() {\n\tif !w.stopped {\n\t\tw.stopped = true\n\t\tclose(w.input)\n\t}\n}\n",
     "has 2 once-only stops"),
    # a stop signal the type has already: a new done would duplicate it
    (lambda s: s.replace("\tstopped bool\n}", "\tstopped bool\n\tquit    chan struct{}\n}").replace(
        "\t\tclose(w.input)\n", "\t\tclose(w.quit)\n\t\tclose(w.input)\n"), "Stop already closes quit, which carries nothing"),
    # one that carries wake-ups too is no stop signal to select on
    (lambda s: s.replace("\tstopped bool\n}", "\tstopped bool\n\tquit    chan struct{}\n}").replace(
        "\t\tclose(w.input)\n", "\t\tclose(w.quit)\n\t\tclose(w.input)\n").replace(
        "\tw.Lock()\n", "\tw.quit <- struct{}{}\n\tw.Lock()\n").replace("\t\tstopped: false,\n", "\t\tstopped: false,\n\t\tquit:    make(chan struct{}, 1),\n"), None),
    (lambda s: s + "\nfunc (w *cacheWatcher) Reset() {\n\tw.stopped = false\n}\n", "stopped is written on line"),
    # built only by keyed literals
    (lambda s: s + "\nfunc blank() *cacheWatcher { return new(cacheWatcher) }\n", "otherwise than as a pointer or a keyed literal"),
    (lambda s: s + "\nvar zero cacheWatcher\n", "otherwise than as a pointer or a keyed literal"),
    (lambda s: s + "\nvar _ interface{ Stop() } = (*cacheWatcher)(nil)\n", None),
    (lambda s: s + "\nfunc blank() *cacheWatcher { return &cacheWatcher{} }\n", "built without keys"),
    (lambda s: s + "\nvar all = []*cacheWatcher{{stopped: true}}\n", "a literal of []*cacheWatcher"),
    # readers that want values after the stop
    (lambda s: s.replace(NEXT, "\nfunc (w *cacheWatcher) Each(f func(int)) {\n\tfor e := range w.result {\n\t\tf(e)\n\t}\n}\n" + NEXT),
     "result is ranged over"),
    (lambda s: s.replace("case e := <-w.result:\n\t\treturn e, true", "case e, ok := <-w.result:\n\t\treturn e, ok"),
     "received with `, ok`"),
    (lambda s: s.replace(NEXT, "\nfunc (w *cacheWatcher) Wait() int {\n\treturn <-w.result\n}\n" + NEXT),
     "received outside a select with other cases"),
    (lambda s: s.replace("\t\tresult:  make(chan int),\n", "\t\tresult:  out,\n").replace("(events []int) *", "(events []int, out chan int) *"),
     "result is given out on line 18"),
    (lambda s: s.replace("\tgo w.process(events)\n", "\tw.result = out\n\tgo w.process(events)\n").replace("(events []int) *", "(events []int, out chan int) *"),
     "result is given another channel on line 21"),
    (lambda s: s.replace("\tgo w.process(events)\n", "\tw.result = make(chan int, 1)\n\tgo w.process(events)\n"), None),
    (lambda s: s.replace(NEXT, "\nfunc (w *cacheWatcher) Results() <-chan int {\n\treturn w.result\n}\n" + NEXT),
     "result is handed on"),
])
def test_each_condition_of_the_done_channel(tmp_path, change, why):
    fix, reason, _ = _ask(tmp_path, change(WATCHER), SEND)
    if why is None:  # the near miss's fixed counterpart
        assert fix is not None, reason
    else:
        assert fix is None and why in reason, reason


@pytest.mark.parametrize("other", ["package watcher\n\nvar _ = &cacheWatcher{stopped: true}\n",
                                   "package watcher\n\nfunc each(w interface{ x() }) {}\n\nvar _ = (*cacheWatcher).Stop\n",
                                   "package watcher\n\nfunc drain(w struct{ result chan int }) {\n\tfor range w.result {\n\t}\n}\n"])
def test_another_file_naming_the_type_or_field_is_out_of_view(tmp_path, other):
    fix, why, _ = _ask(tmp_path, WATCHER, SEND, {"other.go": other})
    assert fix is None and "other.go of its package names them too" in why, why
