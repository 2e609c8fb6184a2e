"""The swap shapes (targeted/swaps.py): lock-order deadlocks no early release of the first
lock breaks, fixed by taking an item's lock before the set's, by reading a loop's count
under the lock and looping after the release, or by releasing a captured mutex before the
send its waiter must receive. One module, one package per case, one `fix --evidence tests
--write --unsafe-fixes` run (the fixes are review however proven); unit cases on hand-made
stacks for the refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gofixleaks.edits import apply
from gofixleaks.evidence import targeted
from gofixleaks.evidence.targeted import swaps
from gofixleaks.evidence.match import Covered
from gofixleaks.evidence.sites import Location, Site

from . import gotools
from .test_evidence_targeted import _test, assert_fixed, assert_gofmt_and_vet_clean, assert_left, run_flow
from .test_evidence_targeted_ordering import _line, _paths

# moby's PR 4951: a removal holds the set, then the item; what it does under both drops and
# retakes the set's lock, so a second removal of the item, holding the set, waits for the
# item while the first, holding the item, waits for the set
SET = """\
package set

import (
	"sync"
	"time"
)

// Item is one member, locked while it changes.
type Item struct {
	mu   sync.Mutex
	name string
}

// Set holds items by name.
type Set struct {
	sync.Mutex
	items   map[string]*Item
	removed int
}

// Remove takes the named item out of the set.
func (s *Set) Remove(name string) {
	s.Lock()
	defer s.Unlock()

	it := s.items[name]

	it.mu.Lock()
	defer it.mu.Unlock()

	s.settle(it)
}

// settle waits for the item to go quiet without holding the set, then drops it.
func (s *Set) settle(it *Item) {
	s.Unlock()
	time.Sleep(50 * time.Millisecond)
	s.Lock()
	delete(s.items, it.name)
	s.removed++
}
"""

SET_FIXED = SET.replace("""\
	s.Lock()
	defer s.Unlock()

	it := s.items[name]

	it.mu.Lock()
	defer it.mu.Unlock()

	s.settle(it)
""", """\
	s.Lock()
	it := s.items[name]
	s.Unlock()

	it.mu.Lock()
	defer it.mu.Unlock()

	s.Lock()
	defer s.Unlock()
	s.settle(it)
""")

SET_TEST = """it := &Item{name: "a"}
	s := &Set{items: map[string]*Item{"a": it}}
	go s.Remove("a")
	for it.mu.TryLock() { // until the first removal holds the item
		it.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	go s.Remove("a")
	time.Sleep(150 * time.Millisecond)"""


SET_PATHS = _paths("set", "TestRemoveOne", """s := &Set{items: map[string]*Item{"a": {name: "a"}, "b": {name: "b"}}}
		s.Remove("a")
		s.Remove("b")
		done <- len(s.items) == 0 && s.removed == 2""")

# cockroach's PR 10214: queued heartbeats are sent holding the queue's lock, and a send
# takes the node's lock; a node's tick takes the queue's lock holding its own
QUEUE = """\
package queue

import (
	"sync"
	"time"
)

// Node reports to its store.
type Node struct {
	mu      sync.Mutex
	store   *Store
	reports int
}

// Report counts a report.
func (n *Node) Report() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.reports++
}

// Tick queues a heartbeat holding the node.
func (n *Node) Tick() {
	n.mu.Lock()
	defer n.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	n.store.enqueue(1)
}

// Store queues heartbeats for its node.
type Store struct {
	queue struct {
		sync.Mutex
		beats []int
	}
	node *Node
}

func (s *Store) enqueue(beat int) {
	s.queue.Lock()
	defer s.queue.Unlock()
	s.queue.beats = append(s.queue.beats, beat)
}

// Flush reports once per queued heartbeat.
func (s *Store) Flush() {
	s.queue.Lock()
	defer s.queue.Unlock()
	for i := 0; i < len(s.queue.beats); i++ {
		s.send()
	}
}

func (s *Store) send() {
	s.node.Report()
}
"""

QUEUE_FIXED = QUEUE.replace("""\
	s.queue.Lock()
	defer s.queue.Unlock()
	for i := 0; i < len(s.queue.beats); i++ {
""", """\
	s.queue.Lock()
	n := len(s.queue.beats)
	s.queue.Unlock()
	for i := 0; i < n; i++ {
""")

QUEUE_TEST = """s := &Store{}
	s.enqueue(1)
	s.enqueue(2)
	n := &Node{store: s}
	s.node = n
	go n.Tick()
	for n.mu.TryLock() { // until the tick holds the node
		n.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	go s.Flush()
	time.Sleep(150 * time.Millisecond)"""

QUEUE_PATHS = _paths("queue", "TestFlush", """s := &Store{}
		n := &Node{store: s}
		s.node = n
		s.enqueue(1)
		s.enqueue(2)
		s.Flush()
		done <- n.reports == 2""")

# istio's 16224: a handler holds a lock while it tells its waiter, who takes that lock
# before it listens
BUS = """\
package bus

import (
	"sync"
	"time"
)

// Bus hands each event to its handlers.
type Bus struct {
	handlers []func(int)
	events   chan int
}

// Run delivers events until the channel closes.
func (b *Bus) Run() {
	for e := range b.events {
		for _, h := range b.handlers {
			h(e)
		}
	}
}

// Handled reports whether one event reached a handler.
func Handled() bool {
	b := &Bus{events: make(chan int)}
	done := make(chan bool)
	mu := sync.Mutex{}
	b.handlers = append(b.handlers, func(e int) {
		mu.Lock()
		defer mu.Unlock()
		done <- true
	})
	go b.Run()
	b.events <- 1
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	mu.Unlock()
	ok := <-done
	close(b.events)
	return ok
}
"""

BUS_FIXED = BUS.replace("""\
		mu.Lock()
		defer mu.Unlock()
		done <- true
""", """\
		mu.Lock()
		mu.Unlock()
		done <- true
""")

BUS_TEST = """go Handled()
	time.Sleep(150 * time.Millisecond)"""

BUS_PATHS = _paths("bus", "TestRun", """b := &Bus{events: make(chan int)}
		got := 0
		b.handlers = append(b.handlers, func(e int) { got += e })
		ran := make(chan bool)
		go func() {
			b.Run()
			ran <- true
		}()
		b.events <- 1
		b.events <- 2
		close(b.events)
		<-ran
		done <- got == 3""")

# the near-shape: another method takes the set's lock and then the item's, the order the
# swap would give up; a swap would deadlock against it
ORDER = SET.replace("package set", "package order") + """
// Rename renames an item holding the set, then the item.
func (s *Set) Rename(from, to string) {
	s.Lock()
	defer s.Unlock()
	it := s.items[from]
	it.mu.Lock()
	it.name = to
	it.mu.Unlock()
}
"""

SLEEP = '\t"time"\n'
FILES = {
    "set/set.go": SET,
    "set/set_test.go": _test("set", SET_TEST, SLEEP),
    "set/paths_test.go": SET_PATHS,
    "queue/queue.go": QUEUE,
    "queue/queue_test.go": _test("queue", QUEUE_TEST, SLEEP),
    "queue/paths_test.go": QUEUE_PATHS,
    "bus/bus.go": BUS,
    "bus/bus_test.go": _test("bus", BUS_TEST, SLEEP),
    "bus/paths_test.go": BUS_PATHS,
    "order/order.go": ORDER,
    "order/order_test.go": _test("order", SET_TEST, SLEEP),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("swaps"), FILES, "--unsafe-fixes")


@pytest.mark.parametrize("pkg, fixed, where, said", [
    ("set", SET_FIXED, f"set.go:{_line(SET, 'it.mu.Lock()')}",
     "proven-leak (fixed): take it.mu before s: look it up under s, release it, lock it.mu, then s again"),
    ("queue", QUEUE_FIXED, f"queue.go:{_line(QUEUE, 'n.mu.Lock()')}",
     "proven-leak (fixed): read len(s.queue.beats) under s.queue, release it, then loop on the count"),
    ("bus", BUS_FIXED, f"bus.go:{_line(BUS, 'done <- true')}",
     "proven-leak (fixed): release mu before the send on done: its receiver takes mu before it receives"),
])
def test_the_lock_order_is_broken_without_holding_both(flow, pkg, fixed, where, said):
    # the leak is gone after, and the package's other tests, which never blocked, still pass
    assert_fixed(flow, pkg, fixed, where, said)


def test_a_swap_against_the_order_another_method_uses_is_refused(flow):
    # the stacks' diagnosis names the cycle; the swap's refusal is told on hand-made stacks below
    where = f"order.go:{_line(ORDER, 'it.mu.Lock()')}"
    assert_left(flow, "order", ORDER, f"/order/{where} ", "proven-leak (not fixed)", "a lock-order deadlock")


def test_fixed_files_are_gofmt_clean_and_vet_clean(flow):
    assert_gofmt_and_vet_clean(flow[0], ("set", "queue", "bus"))


# ---------------------------------------------------------------------------- hand-made stacks

PATH = "/src/m/p/p.go"
HELD = """\
package p

import "sync"

type Item struct {
	mu sync.Mutex
	n  int
}

func (it *Item) Take() {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.n++
}

type Set struct {
	sync.Mutex
	items map[int]*Item
	q     struct {
		sync.Mutex
		beats []int
	}
	flat  []int
	flatM sync.Mutex
	hook  func()
}

func (s *Set) Guarded(id int) {
	s.Lock()
	defer s.Unlock()
	it := s.items[id]
	if it == nil {
		return
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	s.wait()
}

func (s *Set) NoRetake(id int) {
	s.Lock()
	defer s.Unlock()
	it := s.items[id]
	it.mu.Lock()
	defer it.mu.Unlock()
	it.n++
}

func (s *Set) Swapped(id int) {
	s.Lock()
	defer s.Unlock()
	it := s.items[id]
	it.mu.Lock()
	defer it.mu.Unlock()
	s.wait()
}

func (s *Set) Count(id int) int {
	s.Lock()
	defer s.Unlock()
	s.items[id].Take()
	return s.items[id].n
}

func (s *Set) wait() {
	s.Unlock()
	s.Lock()
}

func (s *Set) Indexed() {
	s.q.Lock()
	defer s.q.Unlock()
	for i := 0; i < len(s.q.beats); i++ {
		s.items[s.q.beats[i]].Take()
	}
}

func (s *Set) Reaching() {
	s.q.Lock()
	defer s.q.Unlock()
	for i := 0; i < len(s.q.beats); i++ {
		s.take()
	}
}

func (s *Set) take() {
	s.q.beats = nil
	s.items[0].Take()
}

func (s *Set) Hooked() {
	s.q.Lock()
	defer s.q.Unlock()
	for i := 0; i < len(s.q.beats); i++ {
		s.hook()
	}
}

func (s *Set) Explicit() {
	s.q.Lock() // the queue
	for i := 0; i < len(s.q.beats); i++ {
		s.items[i].Take()
	}
	s.q.Unlock()
}

func (s *Set) Flat() {
	s.flatM.Lock()
	defer s.flatM.Unlock()
	for i := 0; i < len(s.flat); i++ {
		s.items[0].Take()
	}
}

func Unheard(run func(func())) {
	done := make(chan bool)
	mu := sync.Mutex{}
	run(func() {
		mu.Lock()
		defer mu.Unlock()
		done <- true
	})
	<-done
	mu.Lock()
	mu.Unlock()
}

func (s *Set) Nested(id int) {
	s.Lock()
	defer s.Unlock()
	it := s.items[id]
	it.mu.Lock()
	defer it.mu.Unlock()
	s.wait()
	s.items[id+1].Take()
}

func Rounds(next func()) {
	var mu sync.Mutex
	mu.Lock()
	next()
	mu.Unlock()
}

func Follow(ch chan bool) {
	<-ch
}

func Handed(run func(func()), lock func(*sync.Mutex)) {
	done := make(chan bool)
	mu := sync.Mutex{}
	run(func() {
		mu.Lock()
		defer mu.Unlock()
		done <- true
	})
	mu.Lock()
	lock(&mu)
	<-done
}
"""


def _aim(tmp_path: Path, state: str, blocked: tuple[int, str], *outer: tuple[int, str]) -> targeted.Aimed:
    path = tmp_path / "p.go"
    path.write_text(HELD)
    runtime = ("/usr/local/go/src/sync/mutex.go", 46, "sync.(*Mutex).Lock") if state.startswith("sync") \
        else ("/usr/local/go/src/runtime/chan.go", 160, "runtime.chansend1")
    stack = (Location(*runtime), *(Location(PATH, line, f"example.com/m/p.{fn}") for line, fn in (blocked, *outer)))
    site = Site(stack[1], state, True, None, 1, None, stack)
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


TAKE = (_line(HELD, "it.mu.Lock()"), "(*Item).Take")
LOCK = "sync.Mutex.Lock"


@pytest.mark.parametrize("state, frames, said", [
    # a return between the lookup and the item's lock would leave the set locked once its
    # deferred release goes
    (LOCK, [(_line(HELD, "it.mu.Lock()", 1), "(*Set).Guarded")],
     "more than plain assignments run under s before it.mu is locked"),
    # nothing holding the item takes the set: no order to swap into is in view
    (LOCK, [(_line(HELD, "it.mu.Lock()", 2), "(*Set).NoRetake")], "nothing the method calls holding it.mu takes s"),
    # other methods take the set's lock, then the item's (Guarded itself, Count through
    # Take): the swap would deadlock against them
    (LOCK, [(_line(HELD, "it.mu.Lock()", 3), "(*Set).Swapped")],
     "takes s's lock before a .mu lock: the other order is in use"),
    # what follows takes another item's lock holding the set: first, the item locks would nest around it
    (LOCK, [(_line(HELD, "it.mu.Lock()", 4), "(*Set).Nested")], "what follows locks another .mu lock holding s"),
    # the loop reads the slice itself, not only its count
    (LOCK, [TAKE, (_line(HELD, "s.items[s.q.beats[i]].Take()"), "(*Set).Indexed")],
     "the loop reads more of s.q than its count"),
    # a function the loop calls resets the slice: it needs the lock
    (LOCK, [TAKE, (_line(HELD, "s.items[0].Take()"), "(*Set).take"), (_line(HELD, "s.take()"), "(*Set).Reaching")],
     "take, which the loop calls, names q: it may need the lock held"),
    # a func value the loop calls: what it touches is out of view
    (LOCK, [TAKE, (_line(HELD, "s.hook()"), "(*Set).Hooked")], "s.hook, which the loop calls, is not a function of the file"),
    # a mutex beside the slice, not around it: what it guards is out of view
    (LOCK, [TAKE, (_line(HELD, "s.items[0].Take()", 1), "(*Set).Flat")],
     "s.flatM is not a mutex embedded in a struct beside what it guards"),
    # the receive comes before the Lock: the send does not hold the receiver up
    ("chan send", [(_line(HELD, "done <- true"), "Unheard.func1")],
     "no receive from done takes mu before it"),
    ("chan send", [(_line(HELD, "done <- true", 1), "Handed.func1")], "mu is used on line"),
])
def test_a_swap_that_could_be_wrong_is_refused(tmp_path, state, frames, said):
    aimed = _aim(tmp_path, state, *frames)
    assert aimed.finding is None
    assert said in aimed.reason, aimed.reason


def test_the_other_order_is_seen_through_a_call(tmp_path):
    # without Guarded, Count's call of Take (which locks an Item's mu) holding the set is the other order
    held = re.sub(r"func \(s \*Set\) (Guarded|NoRetake)\(.*?\n}\n", "", HELD, flags=re.S)
    path = tmp_path / "p.go"
    path.write_text(held)
    sf = targeted.load(str(path), "p.go")
    fix, why = swaps.item_lock_first(sf, _line(held, "it.mu.Lock()", 1), str(path))
    assert fix is None and why.startswith("Count takes s's lock before a .mu lock"), why


def test_a_wait_holding_a_lock_up_its_own_stack_is_diagnosed(tmp_path):
    # etcd's PR 7902: a follower waits for the next round holding the rounds' lock
    aimed = _aim(tmp_path, "chan receive", (_line(HELD, "<-ch"), "Follow"), (_line(HELD, "next()"), "Rounds"))
    assert aimed.finding is None
    assert aimed.reason.startswith(f"the goroutine waits here holding mu: its own frame at line {_line(HELD, 'next()')}, "
                                   f"in Rounds, locked it on line {_line(HELD, 'next()') - 1} and has not released it; "
                                   "a sender or closer that takes mu first can never come"), aimed.reason


def test_a_counted_loop_before_a_plain_release_loops_after_it(tmp_path):
    aimed = _aim(tmp_path, LOCK, TAKE, (_line(HELD, "s.items[i].Take()"), "(*Set).Explicit"))
    assert aimed.finding is not None and not aimed.proof_suffices
    fixed = apply(HELD.encode(), aimed.finding.fixes[0].edits).decode()
    assert """\
	s.q.Lock() // the queue
	n := len(s.q.beats)
	s.q.Unlock()
	for i := 0; i < n; i++ {
		s.items[i].Take()
	}
}
""" in fixed, fixed
    assert gotools.gofmt_clean(fixed.encode())
