"""The stop-signal diagnoses (targeted/signals.py): a goroutine blocked receiving a signal
that will never fire gets no fix but a reason naming what keeps it from firing. One
module, one package per case, one `fix --evidence tests --write --unsafe-fixes` run (the
leaks are proven and left as they are); near misses on parsed files, where the diagnosis
would be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks.evidence import targeted
from gofixleaks.evidence.targeted import channels, signals

from .test_evidence_targeted import assert_left, run_flow

# a close that comes after a Wait for tasks nobody marks done (cockroach's PR 1055: a
# drain group nobody drains, so the stopper is never closed)
POOL = """\
package pool

import "sync"

// Pool runs tasks until it is closed.
type Pool struct {
	quit  chan struct{}
	tasks sync.WaitGroup
}

// NewPool makes a Pool.
func NewPool() *Pool {
	return &Pool{quit: make(chan struct{})}
}

// Quit is closed once the pool closes.
func (p *Pool) Quit() <-chan struct{} {
	return p.quit
}

// Begin counts a task the pool waits for as it closes.
func (p *Pool) Begin() {
	p.tasks.Add(1)
}

// Close waits for the tasks begun, then tells the workers to quit.
func (p *Pool) Close() {
	p.tasks.Wait()
	close(p.quit)
}

// Work runs until the pool closes.
func Work(p *Pool) {
	<-p.Quit()
}
"""

POOL_TEST = """\
package pool

import (
	"testing"
	"time"
)

func TestWork(t *testing.T) {
	p := NewPool()
	p.Begin()
	go Work(p)
	go p.Close()
	time.Sleep(20 * time.Millisecond)
}
"""

# the channel a callback is handed back is the caller's own, closed by its defer
# (kubernetes' PR 70277: WaitFor hands its caller's done channel to the wait func)
POLL = """\
package poll

// Waiter makes a channel of ticks that ends once stop is closed.
type Waiter func(stop <-chan struct{}) <-chan struct{}

// Until reads ticks from the channel wait makes until cond holds.
func Until(wait Waiter, cond func() bool, stop <-chan struct{}) {
	ticks := wait(stop)
	for range ticks {
		if cond() {
			return
		}
	}
}

// Ticks sends ticks until stop is closed, then closes its channel.
func Ticks(stop <-chan struct{}) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		for {
			select {
			case ch <- struct{}{}:
			case <-stop:
				return
			}
		}
	}()
	return ch
}

// Check waits for cond, then for the stop channel Until was given.
func Check(cond func() bool) {
	stop := make(chan struct{})
	defer close(stop)
	var given <-chan struct{}
	Until(func(s <-chan struct{}) <-chan struct{} {
		given = s
		return Ticks(s)
	}, cond, stop)
	<-given
}
"""

POLL_TEST = """\
package poll

import (
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	go Check(func() bool { return true })
	time.Sleep(20 * time.Millisecond)
}
"""

# a consumer that leaves its loop early skips the close its caller waits for (moby's PR
# 21233: the test's consumer left through t.Fatalf)
CONSUME = """\
package consume

// Total sums the values up to the first negative one.
func Total(values []int) int {
	ch := make(chan int)
	done := make(chan struct{})
	total := 0
	go func() {
		for v := range ch {
			if v < 0 {
				return
			}
			total += v
		}
		close(done)
	}()
	for _, v := range values {
		ch <- v
	}
	close(ch)
	<-done
	return total
}
"""

CONSUME_TEST = """\
package consume

import (
	"testing"
	"time"
)

func TestTotal(t *testing.T) {
	go Total([]int{1, -1})
	time.Sleep(20 * time.Millisecond)
}
"""

FILES = {
    "pool/pool.go": POOL, "pool/pool_test.go": POOL_TEST,
    "poll/poll.go": POLL, "poll/poll_test.go": POLL_TEST,
    "consume/consume.go": CONSUME, "consume/consume_test.go": CONSUME_TEST,
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("signals"), FILES, "--unsafe-fixes")


@pytest.mark.parametrize("pkg, source, where, said", [
    ("pool", POOL, "pool.go:34", "(not fixed): the signal never fires: its only close, close(p.quit) in Close (line 29), "
                                 "comes after p.tasks.Wait() (line 28): nothing in its package calls tasks.Done()"),
    ("poll", POLL, "poll.go:41", "(not fixed): the goroutine waits for itself: given is stop, which Until hands back as its "
                                 "stop to the callback that sets given, and this function closes stop by defer (line 35)"),
    ("consume", CONSUME, "consume.go:21", "(not fixed): done's only close ends the goroutine started on line 8, which can "
                                          "leave before it (the return on line 11): then nothing closes done"),
])
def test_a_signal_that_never_fires_is_told_and_left(flow, pkg, source, where, said):
    assert_left(flow, pkg, source, where, said)


def _ask(tmp_path: Path, source: str, text: str, diagnosis=signals.never_fires, others: dict[str, str] | None = None):
    """``diagnosis`` of the receive on the line starting ``text`` of ``source``, the file of
    a package of its own (beside ``others``)."""
    path = tmp_path / "p.go"
    path.write_text(source)
    for name, content in (others or {}).items():
        (tmp_path / name).write_text(content)
    sf = targeted.load(str(path), "p.go")
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln.strip().startswith(text))
    return diagnosis(sf, channels.operation_at(sf, line, "chan receive"), "chan receive", str(path))


def test_each_diagnosis_holds_on_its_own_case(tmp_path):
    assert "its only close, close(p.quit) in Close" in _ask(tmp_path / "a", POOL, "<-p.Quit()", others={})
    assert "the goroutine waits for itself: given is stop" in _ask(tmp_path / "b", POLL, "<-given")
    assert "done's only close ends the goroutine" in _ask(tmp_path / "c", CONSUME, "<-done")


@pytest.fixture(autouse=True)
def _folders(tmp_path):
    for sub in "abc":
        (tmp_path / sub).mkdir()


@pytest.mark.parametrize("source, text", [
    # someone marks the tasks done: the Wait can return
    (POOL.replace("func Work(p *Pool) {\n", "func Work(p *Pool) {\n\tdefer p.tasks.Done()\n"), "<-p.Quit()"),
    # the Wait does not run on every way to the close
    (POOL.replace("\tp.tasks.Wait()\n", "\tif p == nil {\n\t\tp.tasks.Wait()\n\t}\n"), "<-p.Quit()"),
    # a caller could close the channel the getter returns
    (POOL.replace("Quit() <-chan struct{}", "Quit() chan struct{}"), "<-p.Quit()"),
    # a second close that no Wait holds up
    (POOL + "\n// Abort quits at once.\nfunc (p *Pool) Abort() {\n\tclose(p.quit)\n}\n", "<-p.Quit()"),
    # the pool is given a channel made elsewhere
    (POOL.replace("&Pool{quit: make(chan struct{})}", "&Pool{quit: quit}").replace("NewPool()", "NewPool(quit chan struct{})"),
     "<-p.Quit()"),
    # Until hands the callback a channel of its own, not its caller's
    (POLL.replace("\tticks := wait(stop)\n", "\tticks := wait(make(chan struct{}))\n"), "<-given"),
    # Until may return before it calls the callback: given may be nil
    (POLL.replace("\tticks := wait(stop)\n", "\tif cond() {\n\t\treturn\n\t}\n\tticks := wait(stop)\n"), "<-given"),
    # the callback may be called again later with something else
    (POLL.replace("\tfor range ticks {\n", "\tfor range ticks {\n\t\twait(nil)\n"), "<-given"),
    # given is set elsewhere too
    (POLL.replace("\t<-given\n", "\tgiven = make(chan struct{})\n\t<-given\n"), "<-given"),
    # the defer comes after the receive: not registered when it blocks
    (POLL.replace("\tdefer close(stop)\n", "").replace("\t<-given\n", "\t<-given\n\tdefer close(stop)\n"), "<-given"),
    # the close is deferred: no way out skips it
    (CONSUME.replace("\tgo func() {\n", "\tgo func() {\n\t\tdefer close(done)\n").replace("\t\tclose(done)\n", ""), "<-done"),
    # the early return is in a func literal of its own
    (CONSUME.replace("\t\t\tif v < 0 {\n\t\t\t\treturn\n\t\t\t}\n", "\t\t\tfunc() {\n\t\t\t\treturn\n\t\t\t}()\n"), "<-done"),
    # done is handed on: someone else may close it
    (CONSUME.replace("\t<-done\n", "\tfinish(done)\n\t<-done\n") + "\nfunc finish(chan struct{}) {}\n", "<-done"),
    # the close is not the goroutine's last statement
    (CONSUME.replace("\t\tclose(done)\n", "\t\tclose(done)\n\t\ttotal++\n"), "<-done"),
])
def test_near_misses_get_no_diagnosis(tmp_path, source, text):
    assert _ask(tmp_path / "a", source, text) is None


def test_a_goroutine_ending_call_skips_the_close_too(tmp_path):
    source = CONSUME.replace("package consume\n", "package consume\n\nimport \"runtime\"\n").replace(
        "\t\t\t\treturn\n", "\t\t\t\truntime.Goexit()\n")
    assert "(runtime.Goexit on line 13)" in _ask(tmp_path / "a", source, "<-done")


def test_a_plain_self_wait_is_told(tmp_path):
    source = "package p\n\nfunc f() {\n\tdone := make(chan struct{})\n\tdefer close(done)\n\t<-done\n}\n"
    assert _ask(tmp_path / "a", source, "<-done") == (
        "the goroutine waits for itself: this function closes done by defer (line 5) only as it returns, after this receive")
