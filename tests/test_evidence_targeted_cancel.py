"""The cancel-then-send shape (targeted/cancels.py): a bare send right after the goroutine
cancelled the very context that could end it (kubernetes' PR 25331) becomes a select that
also watches that context, the cancel moved after it. One module, one package per case,
one `fix --evidence tests --write --unsafe-fixes` run (the fix is review however proven;
only a rule that finds nothing here runs, so the targeted shapes alone act); unit cases on
the conditions the shape refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks.evidence.targeted import cancels, channels
from gofixleaks.source import SourceFile

from .test_evidence_targeted import _test, assert_fixed, assert_left, assert_gofmt_and_vet_clean, run_flow

SLEEP = '\t"time"\n'

# the kernel's shape: the fields filled from one WithCancel in a keyed literal; Stop cancels too
WATCHER = """\
package watcher

import (
	"context"
	"errors"
)

type watchChan struct {
	ctx        context.Context
	cancel     context.CancelFunc
	resultChan chan bool
	errChan    chan error
}

func newWatchChan() *watchChan {
	ctx, cancel := context.WithCancel(context.Background())
	return &watchChan{
		ctx:        ctx,
		cancel:     cancel,
		resultChan: make(chan bool),
		errChan:    make(chan error),
	}
}

func (wc *watchChan) Stop() {
	wc.errChan <- errors.New("stopped")
	wc.cancel()
}

func (wc *watchChan) run() {
	select {
	case err := <-wc.errChan:
		failed := err != nil
		wc.cancel() // the watch is over
		wc.resultChan <- failed
	case <-wc.ctx.Done():
	}
}

func (wc *watchChan) ResultChan() <-chan bool {
	return wc.resultChan
}
"""

WATCHER_FIXED = WATCHER.replace("""		wc.cancel() // the watch is over
		wc.resultChan <- failed
""", """		select {
		case wc.resultChan <- failed:
		case <-wc.ctx.Done():
		}
		wc.cancel() // the watch is over
""")

# Stop leaves run behind; the other test reads the result as the code meant (the no-hang proof;
# through a getter: a receive of the field in another file, the test's too, is out of view)
WATCHER_TEST = """\
package watcher

import (
	"errors"
	"testing"
	"time"
)

func TestStop(t *testing.T) {
	wc := newWatchChan()
	go wc.run()
	go wc.Stop()
	time.Sleep(20 * time.Millisecond)
}

func TestResult(t *testing.T) {
	wc := newWatchChan()
	go wc.run()
	wc.errChan <- errors.New("failed")
	select {
	case failed := <-wc.ResultChan():
		if !failed {
			t.Fatal("want failed")
		}
	case <-time.After(time.Second):
		t.Fatal("no result")
	}
}
"""

# locals of one WithCancel, whose parent the caller cancels
FIRST = """\
package first

import "context"

func First(parent context.Context, events <-chan int, out chan<- int) {
	ctx, cancel := context.WithCancel(parent)
	go heartbeat(ctx)
	v := <-events
	cancel()
	out <- v // the first event
}

func heartbeat(ctx context.Context) {
	<-ctx.Done()
}
"""

FIRST_FIXED = FIRST.replace("""	cancel()
	out <- v // the first event
""", """	select {
	case out <- v: // the first event
	case <-ctx.Done():
	}
	cancel()
""")

FIRST_CALL = """ctx, cancel := context.WithCancel(context.Background())
	events := make(chan int, 1)
	events <- 1
	go First(ctx, events, make(chan int))
	time.Sleep(20 * time.Millisecond)
	cancel()
	time.Sleep(20 * time.Millisecond)"""

# near misses: each leaks before and after, the file unchanged
BETWEEN = FIRST.replace("package first", "package between").replace("\tcancel()\n\tout <- v", "\tcancel()\n\tv *= 2\n\tout <- v")
TIMEOUT = FIRST.replace("package first\n\nimport \"context\"", "package timeout\n\nimport (\n\t\"context\"\n\t\"time\"\n)").replace(
    "context.WithCancel(parent)", "context.WithTimeout(parent, time.Hour)")
NOBODY = FIRST.replace("package first", "package nobody").replace("context.WithCancel(parent)", "context.WithCancel(context.Background())")
CALLED = FIRST.replace("package first", "package called").replace("\tout <- v // the first event", "\tout <- double(v)").replace(
    "func heartbeat", "func double(v int) int { return 2 * v }\n\nfunc heartbeat")

# the receiver waits for the goroutines the cancel stops: a cancel after the send would deadlock Result
RESULT = """\
package result

import (
	"context"
	"sync"
)

type Job struct {
	wg  sync.WaitGroup
	out chan int
}

func (j *Job) Result() int {
	j.wg.Wait()
	return <-j.out
}

func Run(parent context.Context, j *Job) {
	ctx, cancel := context.WithCancel(parent)
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		<-ctx.Done()
	}()
	cancel()
	j.out <- 1
}
"""

RESULT_CALL = """ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j := &Job{out: make(chan int)}
	go Run(ctx, j)
	time.Sleep(20 * time.Millisecond)"""

FILES = {
    "watcher/watcher.go": WATCHER,
    "watcher/watcher_test.go": WATCHER_TEST,
    "first/first.go": FIRST,
    "first/first_test.go": _test("first", FIRST_CALL, '\t"context"\n' + SLEEP),
    "result/result.go": RESULT,
    "result/result_test.go": _test("result", RESULT_CALL, '\t"context"\n' + SLEEP),
    **{f"{pkg}/{pkg}.go": src for pkg, src in (("between", BETWEEN), ("timeout", TIMEOUT), ("nobody", NOBODY), ("called", CALLED))},
    **{f"{pkg}/{pkg}_test.go": _test(pkg, FIRST_CALL, '\t"context"\n' + SLEEP) for pkg in ("between", "timeout", "nobody", "called")},
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("cancel"), FILES, "--unsafe-fixes", "--rule", "ticker-not-stopped")


@pytest.mark.parametrize("pkg, fixed, where, said", [
    ("watcher", WATCHER_FIXED, "watcher.go:35",
     "proven-leak (fixed): select on wc.ctx.Done() too, and wc.cancel() after it: cancelled before the send, nothing could end it"),
    ("first", FIRST_FIXED, "first.go:10",
     "proven-leak (fixed): select on ctx.Done() too, and cancel() after it: cancelled before the send, nothing could end it"),
])
def test_a_send_after_its_own_cancel_selects_on_the_context_and_cancels_after(flow, pkg, fixed, where, said):
    assert_fixed(flow, pkg, fixed, where, said)  # watcher: TestResult, which never leaked, passes on the fix too


def test_the_fixes_are_gofmt_clean_and_vet_clean(flow):
    assert_gofmt_and_vet_clean(flow[0], ("watcher", "first"))


@pytest.mark.parametrize("pkg, source, where, said", [
    ("between", BETWEEN, "between.go:11", "the function cancels before the send, with other code between"),
    ("timeout", TIMEOUT, "timeout.go:13", "cancel is not the cancel of a local `ctx, cancel := context.WithCancel(...)`"),
    ("nobody", NOBODY, "nobody.go:10", "nobody else can cancel ctx (its parent is never done)"),
    ("called", CALLED, "called.go:10", "the send calls or receives to make its value or channel"),
    ("result", RESULT, "result.go:26", "a receiver of out waits (j.wg.Wait()) before it receives"),
])
def test_no_fix_where_the_cancel_is_not_provably_the_sends_to_move(flow, pkg, source, where, said):
    assert_left(flow, pkg, source, where, "proven-leak (not fixed)", said)


# ---------------------------------------------------------------------------- conditions


def _ask(tmp_path: Path, source: str, line: int):
    path = tmp_path / "p.go"
    path.write_text(source)
    sf = SourceFile.load("p.go", source.encode(), "1.22")
    stmt = channels.operation_at(sf, line, "chan send")
    assert stmt is not None
    return cancels.cancel_then_send(sf, stmt, "chan send", str(path))


KEYED = WATCHER.replace("package watcher", "package p")


@pytest.mark.parametrize("old, new, said", [
    # a literal that is not keyed: which field holds the context is not plain
    ("func (wc *watchChan) Stop() {", "var zero = watchChan{nil, nil, nil, nil}\n\nfunc (wc *watchChan) Stop() {",
     "a literal of watchChan is not keyed"),
    # the cancel field replaced after the literal
    ("\twc.errChan <- errors.New(\"stopped\")\n", "\twc.errChan <- errors.New(\"stopped\")\n\twc.cancel = func() {}\n",
     "cancel or ctx is assigned after the literal"),
    # the field set from another context's cancel than the context field's
    ("\treturn &watchChan{", "\t_, other := context.WithCancel(ctx)\n\treturn &watchChan{", None),
    # nothing else cancels: the select would wait as long
    ("\twc.errChan <- errors.New(\"stopped\")\n\twc.cancel()\n", "\twc.errChan <- errors.New(\"stopped\")\n",
     "nothing else calls cancel"),
    # cancelled before already: the context is done at the send anyway
    ("\t\tfailed := err != nil\n", "\t\twc.cancel()\n\t\tfailed := err != nil\n", "wc.cancel is called before too"),
    # the send is a single-case select's already
    ("\t\twc.resultChan <- failed\n", "\t\tselect {\n\t\tcase wc.resultChan <- failed:\n\t\t}\n",
     "a send that is a select's case already"),
])
def test_no_fix_where_the_field_cancel_is_not_plain(tmp_path, old, new, said):
    assert old in KEYED
    source = KEYED.replace(old, new)
    if said is None:  # the literal's cancel comes from another WithCancel than its ctx
        source = source.replace("\t\tcancel:     cancel,", "\t\tcancel:     other,")
        said = "a literal of watchChan sets cancel from no `ctx, cancel := context.WithCancel(...)` it also keeps"
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if "wc.resultChan <- failed" in ln)
    fix, why = _ask(tmp_path, source, line)
    assert fix is None and why is not None and said in why, why


def test_the_field_case_is_fixed_where_it_is_plain(tmp_path):
    fix, why = _ask(tmp_path, KEYED, 35)
    assert why is None and fix is not None and "wc.ctx.Done()" in fix.message


def test_a_send_in_a_case_that_waits_on_the_context_is_not_fixed(tmp_path):
    source = FIRST.replace("package first", "package p").replace("""	v := <-events
	cancel()
	out <- v // the first event
""", """	select {
	case <-ctx.Done():
		cancel()
		out <- 0
	case <-events:
	}
""")
    fix, why = _ask(tmp_path, source, 11)
    assert fix is None and "in a case that waits on it" in why, why


def test_no_answer_without_a_cancel_before_the_send(tmp_path):
    source = FIRST.replace("package first", "package p").replace("\tcancel()\n\tout <- v", "\tout <- v\n\tcancel()")
    assert _ask(tmp_path, source, 9) == (None, None)


LOCAL = FIRST.replace("package first", "package p")


@pytest.mark.parametrize("old, new, said", [
    # from the second pass on the context is done before the select: it would drop the value
    ("\tv := <-events\n\tcancel()\n\tout <- v // the first event\n",
     "\tfor v := range events {\n\t\tcancel()\n\t\tout <- v\n\t}\n", "the send is in a loop inside ctx's scope"),
    # the receiver waits for the context to be done before it receives: the cancel after the send never comes
    ("func heartbeat", "func drain(ctx context.Context, out chan int) int {\n\t<-ctx.Done()\n\treturn <-out\n}\n\nfunc heartbeat",
     "a receiver of out waits (ctx.Done()) before it receives"),
    # cancelled already (a deferred cancel does not count, this one does)
    ("\tgo heartbeat(ctx)\n", "\tgo heartbeat(ctx)\n\tcancel()\n", "cancel is called before too"),
    # ctx is assigned again: not provably the context the cancel cancels
    ("\tgo heartbeat(ctx)\n", "\tctx = context.TODO()\n\tgo heartbeat(ctx)\n", "ctx or cancel is assigned again"),
])
def test_no_fix_where_the_local_cancel_may_not_move(tmp_path, old, new, said):
    assert old in LOCAL
    source = LOCAL.replace(old, new)
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if "out <- v" in ln)
    fix, why = _ask(tmp_path, source, line)
    assert fix is None and why is not None and said in why, why


@pytest.mark.parametrize("old, new", [
    ("\tgo heartbeat(ctx)\n", "\tdefer cancel()\n\tgo heartbeat(ctx)\n"),  # a deferred cancel runs after the send
    # a receiver that selects on the context beside the value: either ends it
    ("func heartbeat", "func drain(ctx context.Context, out chan int) int {\n\tselect {\n\tcase <-ctx.Done():\n\t\treturn 0\n"
                       "\tcase v := <-out:\n\t\treturn v\n\t}\n}\n\nfunc heartbeat"),
    # a never-done parent, but a goroutine holds the cancel too
    ("context.WithCancel(parent)\n", "context.WithCancel(context.Background())\n\tgo func() { <-parent.Done(); cancel() }()\n"),
])
def test_the_local_case_is_fixed_where_it_is_plain(tmp_path, old, new):
    assert old in LOCAL
    source = LOCAL.replace(old, new)
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if "out <- v" in ln)
    fix, why = _ask(tmp_path, source, line)
    assert why is None and fix is not None and fix.message.startswith("select on ctx.Done() too, and cancel() after it")


def test_no_fix_where_another_file_receives_the_field(tmp_path):
    (tmp_path / "q.go").write_text("package p\n\nfunc (wc *watchChan) Result() bool { return <-wc.resultChan }\n")
    fix, why = _ask(tmp_path, KEYED, 35)
    assert fix is None and "a receiver of resultChan is in another file" in why, why


def test_no_fix_where_the_context_is_shadowed_at_the_send(tmp_path):
    source = LOCAL.replace("\tv := <-events\n\tcancel()\n\tout <- v // the first event\n",
                           "\tgo func(ctx context.Context) {\n\t\tcancel()\n\t\tout <- 1\n\t}(parent)\n")
    fix, why = _ask(tmp_path, source, 10)
    assert fix is None and "ctx at the send is not the context of cancel's WithCancel" in why, why


def test_no_gofmt_change_to_an_untouched_line(tmp_path):
    # `x := 1` aligns its comment with the cancel's: moving the cancel away would realign it
    source = LOCAL.replace("\tv := <-events\n", "\tv := <-events // one\n").replace("\tcancel()\n", "\tcancel()      // two\n")
    fix, why = _ask(tmp_path, source, 10)
    assert fix is None and "comments gofmt aligns" in why, why


def test_aim_offers_it_as_review_however_proven(tmp_path):
    from gofixleaks.evidence import targeted
    from gofixleaks.evidence.match import Covered
    from gofixleaks.evidence.sites import Location, Site

    path = tmp_path / "p.go"
    path.write_text(KEYED)
    site = Site(Location(str(path), 35, "p.(*watchChan).run"), "chan send", True, None, 1, None)
    aimed = targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))
    assert aimed.finding is not None and aimed.reason.startswith("select on wc.ctx.Done() too, and wc.cancel() after it")
    assert aimed.proof_suffices is False
