"""The conds shapes (targeted/conds.py): a signaller that changes the waiter's state and
signals without the Cond's lock gets the lock (review); diagnoses, no fix, for a Cond's
Wait guarded by no condition and a Lock waited on through a sync.Once. One module, one
package per case, one `fix --evidence tests --write --unsafe-fixes` run; unit cases on
hand-made stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks.evidence import targeted
from gofixleaks.evidence.match import Covered
from gofixleaks.evidence.sites import Location, Site

from .test_evidence_targeted import _test, assert_fixed, assert_gofmt_and_vet_clean, assert_left, run_flow

# the classic form, with the lost wake-up: Take checks under the lock (its check takes a
# while), Put sets the state and signals without it, between Take's check and its Wait
HANDOFF = """\
package handoff

import (
	"sync"
	"time"
)

// Slot hands one value from Put to Take.
type Slot struct {
	mu   sync.Mutex
	cond *sync.Cond
	full bool
	v    int
}

// NewSlot makes an empty slot.
func NewSlot() *Slot {
	s := &Slot{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// empty reports whether no value waits; its audit of the slot takes a while.
func (s *Slot) empty() bool {
	full := s.full
	time.Sleep(300 * time.Millisecond)
	return !full
}

// Take waits for a value.
func (s *Slot) Take() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.empty() {
		s.cond.Wait()
	}
	s.full = false
	return s.v
}

// Put hands v to a Take.
func (s *Slot) Put(v int) {
	s.v = v
	s.full = true
	s.cond.Signal()
}
"""

HANDOFF_FIXED = HANDOFF.replace("""\
	s.v = v
	s.full = true
	s.cond.Signal()
""", """\
	s.mu.Lock()
	s.v = v
	s.full = true
	s.cond.Signal()
	s.mu.Unlock()
""")

HANDOFF_TEST = """s := NewSlot()
	go s.Take()
	time.Sleep(100 * time.Millisecond)
	s.Put(1)
	time.Sleep(400 * time.Millisecond)"""

# the path that never blocked: a Put before the Take; it passes before and after the fix
HANDOFF_PATHS = """package handoff

import (
	"testing"
	"time"
)

func TestPutThenTake(t *testing.T) {
	done := make(chan int, 1)
	go func() {
		s := NewSlot()
		s.Put(2)
		done <- s.Take()
	}()
	select {
	case v := <-done:
		if v != 2 {
			t.Fatal(v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hangs")
	}
}
"""

# kubernetes' 58107 in small: a queue whose Get waits with no look at its items, and whose
# Put signals without the lock: a Put before the Get is lost
LOSTWAKE = """\
package lostwake

import "sync"

// Queue wakes a Get for each Put.
type Queue struct {
	cond *sync.Cond
}

// NewQueue makes an empty queue.
func NewQueue() *Queue {
	return &Queue{cond: sync.NewCond(&sync.Mutex{})}
}

// Get waits for a Put.
func (q *Queue) Get() {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	q.cond.Wait()
}

// Put wakes a waiting Get.
func (q *Queue) Put() {
	q.cond.Signal()
}
"""

LOSTWAKE_TEST = """q := NewQueue()
	q.Put()
	go q.Get()
	time.Sleep(100 * time.Millisecond)"""

# kubernetes' 11298 in small: the Wait runs in a func literal on a goroutine of its own,
# under a lock its caller took; the abort's Signal comes before it waits
ELSEWHERE = """\
package elsewhere

import (
	"sync"
	"time"
)

// After runs f on a goroutine of its own; the channel closes once f returns.
func After(f func()) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		f()
	}()
	return ch
}

// Notifier serves until aborted.
type Notifier struct {
	mu   sync.Mutex
	cond *sync.Cond
}

// NewNotifier makes a notifier whose Cond uses its lock.
func NewNotifier() *Notifier {
	n := &Notifier{}
	n.cond = sync.NewCond(&n.mu)
	return n
}

// Serve waits for a signal or the abort.
func (n *Notifier) Serve(abort <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	ch := After(func() {
		time.Sleep(20 * time.Millisecond)
		n.cond.Wait()
	})
	select {
	case <-abort:
		n.cond.Signal()
		<-ch
	case <-ch:
	}
}
"""

ELSEWHERE_TEST = """abort := make(chan struct{})
	close(abort)
	go NewNotifier().Serve(abort)
	time.Sleep(150 * time.Millisecond)"""

# hugo's 5379 in small: Summarise locks the page inside a Once's function; Render holds the
# page's lock and calls Summarise: each waits for what the other holds
ONCE = """\
package once

import (
	"sync"
	"time"
)

// Page renders its summary once.
type Page struct {
	mu      sync.Mutex
	summary sync.Once
	text    string
}

// Summarise computes the summary once, under the page's lock.
func (p *Page) Summarise() {
	p.summary.Do(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.text = "summary"
	})
}

// Render needs the summary while it holds the page's lock.
func (p *Page) Render() {
	p.mu.Lock()
	defer p.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	p.Summarise()
}
"""

ONCE_TEST = """p := &Page{}
	go p.Render()
	for p.mu.TryLock() { // until Render holds the lock: a loaded machine may start it late
		p.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	go p.Summarise()
	time.Sleep(150 * time.Millisecond)"""

# the near-shape: the Wait is guarded by state (nobody opens the gate): no lost signal to report
GUARDED = """\
package guarded

import "sync"

// Gate lets waiters through once open.
type Gate struct {
	mu   sync.Mutex
	cond *sync.Cond
	open bool
}

// NewGate makes a closed gate.
func NewGate() *Gate {
	g := &Gate{}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// Pass waits until the gate is open.
func (g *Gate) Pass() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for !g.open {
		g.cond.Wait()
	}
}
"""

GUARDED_TEST = """go NewGate().Pass()
	time.Sleep(100 * time.Millisecond)"""

SLEEP = '\t"time"\n'
FILES = {
    "handoff/handoff.go": HANDOFF,
    "handoff/handoff_test.go": _test("handoff", HANDOFF_TEST, SLEEP),
    "handoff/paths_test.go": HANDOFF_PATHS,
    "lostwake/lostwake.go": LOSTWAKE,
    "lostwake/lostwake_test.go": _test("lostwake", LOSTWAKE_TEST, SLEEP),
    "elsewhere/elsewhere.go": ELSEWHERE,
    "elsewhere/elsewhere_test.go": _test("elsewhere", ELSEWHERE_TEST, SLEEP),
    "once/once.go": ONCE,
    "once/once_test.go": _test("once", ONCE_TEST, SLEEP),
    "guarded/guarded.go": GUARDED,
    "guarded/guarded_test.go": _test("guarded", GUARDED_TEST, SLEEP),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("conds"), FILES, "--unsafe-fixes")


def _line(source: str, text: str, nth: int = 0) -> int:
    return [i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == text][nth]


def test_the_signaller_sets_the_state_and_signals_under_the_lock(flow):
    # the leak is gone after, and the path that never blocked still passes
    assert_fixed(flow, "handoff", HANDOFF_FIXED, f"handoff.go:{_line(HANDOFF, 's.cond.Wait()')}",
                 "proven-leak (fixed): set the state and signal under s.mu in (*Slot).Put: the waiter checks it under "
                 "that lock, so a signal between its check and its Wait is no longer lost")
    assert_gofmt_and_vet_clean(flow[0], ("handoff",))


@pytest.mark.parametrize("pkg, source, where, said", [
    ("lostwake", LOSTWAKE, f"lostwake.go:{_line(LOSTWAKE, 'q.cond.Wait()')}",
     (f"q.cond.Wait() on line {_line(LOSTWAKE, 'q.cond.Wait()')} is guarded by no condition",
      "a Signal or Broadcast sent before it began waiting is lost",
      "(*Queue).Put signals without taking a lock first",
      "wait in a loop on state the signaller sets under q.cond.L")),
    ("elsewhere", ELSEWHERE, f"elsewhere.go:{_line(ELSEWHERE, 'n.cond.Wait()')}",
     ("n.cond.Wait()", "is guarded by no condition",
      "the func literal around it takes no lock and is called by elsewhere.After.func1, not by the function that "
      "wrote it: its Wait released n.cond.L for whichever goroutine held it")),
    ("once", ONCE, f"once.go:{_line(ONCE, 'p.summary.Do(func() {')}",
     ("p.summary.Do on line", "waits for another goroutine's first p.summary.Do to return",)),
    ("once", ONCE, f"once.go:{_line(ONCE, 'p.mu.Lock()')}",
     (f"the goroutine is inside p.summary.Do's function (once.(*Page).Summarise, line {_line(ONCE, 'p.summary.Do(func() {')}) "
      "as it waits for p.mu", "a goroutine that holds p.mu and calls p.summary.Do never releases it (a Once/mutex cycle)",
      "take p.mu before p.summary.Do on every path")),
])
def test_the_proven_site_is_left_with_what_its_stack_and_code_prove(flow, pkg, source, where, said):
    line = assert_left(flow, pkg, source, f"/{pkg}/{where} ", "proven-leak (not fixed)", *said)
    assert "(*Queue).Get signal" not in line  # the waiter takes the lock: only the signaller is named


def test_a_wait_guarded_by_state_is_not_called_a_lost_signal(flow):
    line = assert_left(flow, "guarded", GUARDED, f"/guarded/guarded.go:{_line(GUARDED, 'g.cond.Wait()')} ",
                       "proven-leak (not fixed): blocked on sync.Cond.Wait")
    assert "guarded by no condition" not in line


def test_a_lock_of_the_signaller_is_not_reported_as_missing(flow):
    line = assert_left(flow, "elsewhere", ELSEWHERE, f"/elsewhere/elsewhere.go:{_line(ELSEWHERE, 'n.cond.Wait()')} ")
    assert "signals without taking a lock" not in line  # Serve signals holding n.mu


# ---------------------------------------------------------------------------- hand-made stacks

PATH = "/src/m/p/p.go"
HELD = """\
package p

import "sync"

type N struct {
	mu   sync.Mutex
	cond *sync.Cond
	once sync.Once
}

func (n *N) Inline() {
	n.mu.Lock()
	defer n.mu.Unlock()
	func() {
		n.cond.Wait()
	}()
}

func (n *N) Checked(ready bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !ready {
		n.cond.Wait()
	}
}

func (n *N) Plain() {
	n.mu.Lock()
	defer n.mu.Unlock()
}

func (n *N) Signal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cond.Broadcast()
}

func (n *N) Bare() {
	n.mu.Lock()
	n.cond.Wait()
	n.mu.Unlock()
}

func (n *N) Wake() {
	n.cond.Signal()
}

type M struct {
	cond *sync.Cond
}

func (m *M) Poke() {
	m.cond.Signal()
}
"""


def _aim(tmp_path: Path, state: str, std: tuple[Location, ...], *frames: tuple[int, str], source: str = HELD,
         others: dict[str, str] | None = None) -> targeted.Aimed:
    path = tmp_path / "p.go"
    path.write_text(source)
    for name, text in (others or {}).items():
        (tmp_path / name).write_text(text)
    stack = (*std, *(Location(PATH, line, f"example.com/m/p.{fn}") for line, fn in frames))
    site = Site(stack[len(std)], state, True, None, 1, None, stack)
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


COND = (Location("/usr/local/go/src/sync/cond.go", 70, "sync.(*Cond).Wait"),)
MUTEX = (Location("/usr/local/go/src/sync/mutex.go", 46, "sync.(*Mutex).Lock"),)


def test_a_literal_its_own_function_calls_is_not_said_to_run_elsewhere(tmp_path):
    aimed = _aim(tmp_path, "sync.Cond.Wait", COND, (_line(HELD, "n.cond.Wait()"), "(*N).Inline.func1"),
                 (_line(HELD, "}()"), "(*N).Inline"))
    assert aimed.finding is None
    assert "is guarded by no condition" in aimed.reason, aimed.reason
    assert "called by" not in aimed.reason, aimed.reason


def test_a_wait_under_an_if_is_not_called_unguarded(tmp_path):
    aimed = _aim(tmp_path, "sync.Cond.Wait", COND, (_line(HELD, "n.cond.Wait()", 1), "(*N).Checked"))
    assert aimed.finding is None and "guarded by no condition" not in aimed.reason, aimed.reason


def test_a_lock_outside_any_once_gets_no_once_diagnosis(tmp_path):
    aimed = _aim(tmp_path, "sync.Mutex.Lock", MUTEX, (_line(HELD, "n.mu.Lock()", 2), "(*N).Plain"))
    assert aimed.finding is None and "Once" not in aimed.reason, aimed.reason


def test_only_the_waiters_type_signalling_that_field_without_a_lock_is_named(tmp_path):
    aimed = _aim(tmp_path, "sync.Cond.Wait", COND, (_line(HELD, "n.cond.Wait()", 2), "(*N).Bare"))
    assert "(*N).Wake signals without taking a lock first" in aimed.reason, aimed.reason
    assert "Poke" not in aimed.reason and "(*N).Signal" not in aimed.reason, aimed.reason


# the classic loop with near-misses of the lost wake-up's fix, one waiter per Cond
SIGNALLERS = """\
package p

import "sync"

type Slot struct {
	mu    sync.Mutex
	cond  *sync.Cond
	full  bool
	count int
}

func (s *Slot) Take() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.full {
		s.cond.Wait()
	}
}

func (s *Slot) Put() {
	s.count++
	s.full = true
	s.cond.Broadcast()
}

func (s *Slot) Refill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Put()
}

type Bell struct {
	mu    sync.Mutex
	cond  *sync.Cond
	rung  bool
	count int
}

func (b *Bell) Await() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for !b.rung {
		b.cond.Wait()
	}
}

func (b *Bell) Ring() {
	b.count++
	b.cond.Signal()
}

type View struct {
	mu   sync.RWMutex
	cv   *sync.Cond
	open bool
}

func NewView() *View {
	v := &View{}
	v.cv = sync.NewCond(v.mu.RLocker())
	return v
}

func (v *View) Await() {
	v.cv.L.Lock()
	defer v.cv.L.Unlock()
	for !v.open {
		v.cv.Wait()
	}
}

func (v *View) Open() {
	v.open = true
	v.cv.Broadcast()
}

type Gate struct {
	mu   sync.Mutex
	cond *sync.Cond
	open bool
}

func (g *Gate) Pass() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for !g.open {
		g.cond.Wait()
	}
}

func (g *Gate) Open() {
	g.mu.Lock()
	g.open = true
	g.mu.Unlock()
	g.cond.Broadcast()
}

func NewSlot() *Slot {
	s := &Slot{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func NewBell() *Bell {
	b := &Bell{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func NewGate() *Gate {
	g := &Gate{}
	g.cond = sync.NewCond(&g.mu)
	return g
}
"""


@pytest.mark.parametrize("nth, fn, said", [
    # Refill holds the lock as it calls Put: a Lock in Put would wait for itself
    (0, "(*Slot).Take", "a function taking the lock calls (*Slot).Put"),
    # Ring changes no state the loop checks: which state it stands for is the author's choice
    (1, "(*Bell).Await", "(*Bell).Ring signals without the lock and does not set what the loop checks right before"),
    # a read lock would not exclude the waiter's check
    (2, "(*View).Await", "v.cv waits on a read lock (RLocker)"),
])
def test_a_signaller_the_lock_cannot_be_added_to_is_refused(tmp_path, nth, fn, said):
    source = SIGNALLERS
    wait = [i for i, ln in enumerate(source.splitlines(), 1) if ln.strip().endswith(".Wait()")][nth]
    aimed = _aim(tmp_path, "sync.Cond.Wait", COND, (wait, fn), source=source)
    assert aimed.finding is None
    assert said in aimed.reason, aimed.reason


def test_a_signaller_that_sets_the_state_under_the_lock_is_left_alone(tmp_path):
    wait = [i for i, ln in enumerate(SIGNALLERS.splitlines(), 1) if ln.strip() == "g.cond.Wait()"][0]
    aimed = _aim(tmp_path, "sync.Cond.Wait", COND, (wait, "(*Gate).Pass"), source=SIGNALLERS)
    assert aimed.finding is None and aimed.reason.endswith("the method does more than unlock and return after the loop"), \
        aimed.reason  # wait_for_error's reason alone: Open sets the state under the lock, no wake-up is lost


def test_a_cond_another_file_names_is_out_of_view(tmp_path):
    wait = [i for i, ln in enumerate(SIGNALLERS.splitlines(), 1) if ln.strip() == "s.cond.Wait()"][0]
    other = "package p\n\nfunc poke(s *Slot) { s.cond.Signal() }\n"
    aimed = _aim(tmp_path, "sync.Cond.Wait", COND, (wait, "(*Slot).Take"), source=SIGNALLERS, others={"q.go": other})
    assert aimed.finding is None and "another file of the package names cond or its lock" in aimed.reason, aimed.reason
