"""The holders shape (targeted/holders.py): a goroutine blocked on a Lock that it holds itself
further up its own stack, told from the frames the leak check's traceback keeps
(Site.stack). One module, one package per case, one `fix --evidence tests --write
--unsafe-fixes` run (the fix is review however proven); unit cases on hand-made stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks.evidence import targeted
from gofixleaks.evidence.match import Covered
from gofixleaks.evidence.sites import Location, Site
from gofixleaks.evidence.targeted import holders
from gofixleaks.source import SourceFile

from .test_evidence_targeted import _test, assert_fixed, assert_left, assert_gofmt_and_vet_clean, run_flow

# etcd's PR 10492: Renew calls the checkpointer under the lessor's lock, the checkpointer
# calls Checkpoint, which takes that lock again
CHECKPOINT = """\
package checkpoint

import (
	"context"
	"sync"
)

type Checkpointer func(ctx context.Context)

type Lessor struct {
	mu sync.RWMutex
	cp Checkpointer
}

func (le *Lessor) Checkpoint() {
	le.mu.Lock()
	defer le.mu.Unlock()
}

func (le *Lessor) SetCheckpointer(cp Checkpointer) {
	le.mu.Lock()
	defer le.mu.Unlock()
	le.cp = cp
}

func (le *Lessor) Renew() {
	le.mu.Lock()
	unlock := func() { le.mu.Unlock() }
	defer func() { unlock() }()

	if le.cp != nil {
		le.cp(context.Background())
	}
}
"""

CHECKPOINT_FIXED = CHECKPOINT.replace("""	le.mu.Lock()
	unlock := func() { le.mu.Unlock() }
	defer func() { unlock() }()

	if le.cp != nil {
		le.cp(context.Background())
	}
""", """	le.mu.Lock()
	cp := le.cp
	le.mu.Unlock()

	if cp != nil {
		cp(context.Background())
	}
""")

CHECKPOINT_TEST = """\
package checkpoint

import (
	"context"
	"testing"
	"time"
)

func TestRenew(t *testing.T) {
	le := &Lessor{}
	le.SetCheckpointer(func(ctx context.Context) { le.Checkpoint() })
	go le.Renew()
	time.Sleep(20 * time.Millisecond)
}

// the path that never deadlocked: a checkpointer that does not take the lock still runs
func TestRenewCalls(t *testing.T) {
	le := &Lessor{}
	called := make(chan struct{}, 1)
	le.SetCheckpointer(func(ctx context.Context) { called <- struct{}{} })
	le.Renew()
	select {
	case <-called:
	case <-time.After(time.Second):
		t.Fatal("the checkpointer was not called")
	}
}
"""

# a `defer` release, a callback field of a func type written out, a parameter passed on;
# the callback read-locks what its caller write-locked
NOTIFY = """\
package notify

import "sync"

type Store struct {
	mu      sync.RWMutex
	data    map[string]int
	onWrite func(key string)
}

func (s *Store) Get(key string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.data[key]
}

func (s *Store) Set(key string, v int) {
	s.mu.Lock()
	s.data[key] = v
	s.mu.Unlock()
	s.fire(key)
}

func (s *Store) fire(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.onWrite != nil {
		s.onWrite(key)
	}
}
"""

NOTIFY_FIXED = NOTIFY.replace("""	s.mu.Lock()
	defer s.mu.Unlock()
	if s.onWrite != nil {
		s.onWrite(key)
	}
""", """	s.mu.Lock()
	onWrite := s.onWrite
	s.mu.Unlock()
	if onWrite != nil {
		onWrite(key)
	}
""")

NOTIFY_TEST = """s := &Store{data: map[string]int{}}
	s.onWrite = func(key string) { _ = s.Get(key) }
	go s.Set("a", 1)
	time.Sleep(20 * time.Millisecond)"""

# near miss: a method that takes a function to run holding its lock exists to run it under
# the lock (containerd's reaper `do(fn)` keeps a send atomic with a close): diagnosed only
VISIT = """\
package visit

import "sync"

type Registry struct {
	mu sync.Mutex
	n  int
}

func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *Registry) Visit(fn func()) {
	r.mu.Lock()
	fn()
	r.mu.Unlock()
}
"""

VISIT_TEST = """r := &Registry{}
	go r.Visit(func() { _ = r.Len() })
	time.Sleep(20 * time.Millisecond)"""

# near miss: the callback's argument reads what the lock guards
ARGS = """\
package args

import "sync"

type Counter struct {
	mu     sync.Mutex
	n      int
	onTick func(n int)
}

func (c *Counter) Value() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *Counter) Tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onTick(c.n)
}
"""

ARGS_TEST = """c := &Counter{}
	c.onTick = func(int) { _ = c.Value() }
	go c.Tick()
	time.Sleep(20 * time.Millisecond)"""

# near miss: the holder calls a method of its type, which calls the callback
VIA = """\
package via

import "sync"

type Bus struct {
	mu    sync.Mutex
	subs  int
	onMsg func()
}

func (b *Bus) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.subs
}

func (b *Bus) Publish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deliver()
}

func (b *Bus) deliver() {
	b.onMsg()
}
"""

VIA_TEST = """b := &Bus{}
	b.onMsg = func() { _ = b.Count() }
	go b.Publish()
	time.Sleep(20 * time.Millisecond)"""

# each goroutine holds its own value's lock and waits for the other's (a lock-order deadlock
# between two values of one type, not a goroutine waiting for itself): the traceback shows
# no receivers (`0x0?`), so the holder is taken for the same value; the release before the
# callback ends this deadlock too, and the fix's message claims no more than it knows
CROSS = """\
package cross

import "sync"

type Node struct {
	mu sync.Mutex
	v  int
	cb func()
}

func (n *Node) Get() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.v
}

func (n *Node) Fire() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cb != nil {
		n.cb()
	}
}

func Cross() {
	a, b := &Node{}, &Node{}
	var wg sync.WaitGroup
	wg.Add(2)
	a.cb = func() { wg.Done(); wg.Wait(); _ = b.Get() }
	b.cb = func() { wg.Done(); wg.Wait(); _ = a.Get() }
	go a.Fire()
	go b.Fire()
}
"""

CROSS_FIXED = CROSS.replace("""	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cb != nil {
		n.cb()
	}
""", """	n.mu.Lock()
	cb := n.cb
	n.mu.Unlock()
	if cb != nil {
		cb()
	}
""")

# cockroach's PR 3710: a scan of the replicas under the store's read lock queues each one,
# and the queue asks the store again, whose second RLock waits behind a writer that queued
SCAN = """\
package scan

import "sync"

type Store struct {
	mu       sync.RWMutex
	queue    *Queue
	replicas map[int]*Replica
}

type Replica struct{ store *Store }

type Queue struct{ hook func() }

func (q *Queue) Add(r *Replica) {
	if q.hook != nil {
		q.hook()
	}
	_ = r.store.Status()
}

func (s *Store) Status() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.replicas)
}

func (s *Store) Remove(id int) {
	s.mu.Lock()
	delete(s.replicas, id)
	s.mu.Unlock()
}

func (s *Store) Scan() {
	s.mu.RLock()
	for _, r := range s.replicas {
		s.queue.Add(r)
	}
	s.mu.RUnlock()
}
"""

SCAN_FIXED = SCAN.replace("""	s.mu.RLock()
	for _, r := range s.replicas {
		s.queue.Add(r)
	}
	s.mu.RUnlock()
""", """	s.mu.RLock()
	replicas := make([]*Replica, 0, len(s.replicas))
	for _, r := range s.replicas {
		replicas = append(replicas, r)
	}
	s.mu.RUnlock()
	for _, r := range replicas {
		s.queue.Add(r)
	}
""")

# the hook starts a writer and lets it queue while Scan holds the read lock
SCAN_TEST = """s := &Store{queue: &Queue{}, replicas: map[int]*Replica{}}
	s.replicas[1] = &Replica{store: s}
	s.queue.hook = func() {
		go s.Remove(1)
		time.Sleep(10 * time.Millisecond)
	}
	go s.Scan()
	time.Sleep(50 * time.Millisecond)"""

# near miss: the loop's body reads a field another method assigns (it would read it unlocked)
RESCAN = SCAN.replace("package scan", "package rescan") + """
func (s *Store) SetQueue(q *Queue) {
	s.mu.Lock()
	s.queue = q
	s.mu.Unlock()
}
"""

# syncthing's PR 5795: the loop calls its handler, the handler calls Close, and Close waits
# for the loop to stop, which it does only after the handler returns
SELFWAIT = """\
package selfwait

import "sync"

// Handler is told of each message.
type Handler interface {
	Handle(msg int)
}

// Conn dispatches messages to its handler until it is closed.
type Conn struct {
	h       Handler
	inbox   chan int
	closed  chan struct{}
	stopped chan struct{}
	once    sync.Once
}

// NewConn returns a Conn; Start runs its loop.
func NewConn(h Handler) *Conn {
	return &Conn{h: h, inbox: make(chan int), closed: make(chan struct{}), stopped: make(chan struct{})}
}

// Start runs the dispatch loop on a goroutine.
func (c *Conn) Start() {
	go c.loop()
}

func (c *Conn) loop() {
	defer close(c.stopped)
	for {
		select {
		case msg := <-c.inbox:
			c.h.Handle(msg)
		case <-c.closed:
			return
		}
	}
}

// Close stops the loop and waits for it.
func (c *Conn) Close() {
	c.once.Do(func() {
		close(c.closed)
		<-c.stopped
	})
}
"""
SELFWAIT_TEST = """\
package selfwait

import (
	"testing"
	"time"
)

type closer struct{ c *Conn }

func (x *closer) Handle(int) { x.c.Close() }

func TestIt(t *testing.T) {
	x := &closer{}
	x.c = NewConn(x)
	x.c.Start()
	x.c.inbox <- 1
	time.Sleep(20 * time.Millisecond)
}
"""

# cockroach's 10214: two types' locks taken in opposite orders by two goroutines
ORDER = """\
package order

import (
	"sync"
	"time"
)

// Store queues heartbeats for its replicas.
type Store struct {
	queueMu  sync.Mutex
	replicas []*Replica
}

// Flush reports every replica, holding the queue.
func (s *Store) Flush() {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	for _, r := range s.replicas {
		r.report()
	}
}

// Replica is one range's state.
type Replica struct {
	raftMu sync.Mutex
	store  *Store
}

func (r *Replica) report() {
	r.raftMu.Lock()
	defer r.raftMu.Unlock()
}

// Tick queues a heartbeat, holding the replica.
func (r *Replica) Tick() {
	r.raftMu.Lock()
	defer r.raftMu.Unlock()
	time.Sleep(50 * time.Millisecond)
	r.enqueue()
}

func (r *Replica) enqueue() {
	r.store.queueMu.Lock()
	r.store.queueMu.Unlock()
}
"""
ORDER_TEST = """s := &Store{}
	r := &Replica{store: s}
	s.replicas = []*Replica{r}
	go r.Tick()
	for r.raftMu.TryLock() { // until Tick holds the replica: a loaded machine may start it late
		r.raftMu.Unlock()
		time.Sleep(time.Millisecond)
	}
	go s.Flush()
	time.Sleep(100 * time.Millisecond)"""

# cockroach's 7504: the second lock of each is reached through a local, typed by what it is
# given: a map's element (lease := c.leases[id]), a method's result (s := tb.find(id))
LEASES = """\
package leases

import (
	"sync"
	"time"
)

// Lease is one lease's state.
type Lease struct {
	mu sync.Mutex
	id int
}

// Cache names leases by id.
type Cache struct {
	mu     sync.Mutex
	leases map[int]*Lease
}

// Get locks the cache, then the lease.
func (c *Cache) Get(id int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	lease := c.leases[id]
	lease.mu.Lock()
	lease.mu.Unlock()
}

// Remove drops a lease from the cache.
func (c *Cache) Remove(l *Lease) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.leases, l.id)
}

// Table holds the active leases.
type Table struct {
	cache  *Cache
	active []*Lease
}

func (tb *Table) find(id int) *Lease { return tb.active[id] }

// Release locks the lease, then the cache.
func (tb *Table) Release(id int) {
	s := tb.find(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	tb.cache.Remove(s)
}
"""
LEASES_TEST = """l := &Lease{}
	c := &Cache{leases: map[int]*Lease{0: l}}
	tb := &Table{cache: c, active: []*Lease{l}}
	go tb.Release(0)
	for l.mu.TryLock() { // until Release holds the lease
		l.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	go c.Get(0)
	time.Sleep(100 * time.Millisecond)"""

SLEEP = '\t"time"\n'
FILES = {
    "order/order.go": ORDER,
    "order/order_test.go": _test("order", ORDER_TEST, SLEEP),
    "leases/leases.go": LEASES,
    "leases/leases_test.go": _test("leases", LEASES_TEST, SLEEP),
    "selfwait/selfwait.go": SELFWAIT,
    "selfwait/selfwait_test.go": SELFWAIT_TEST,
    "checkpoint/checkpoint.go": CHECKPOINT,
    "checkpoint/checkpoint_test.go": CHECKPOINT_TEST,
    "notify/notify.go": NOTIFY,
    "notify/notify_test.go": _test("notify", NOTIFY_TEST, SLEEP),
    "visit/visit.go": VISIT,
    "visit/visit_test.go": _test("visit", VISIT_TEST, SLEEP),
    "args/args.go": ARGS,
    "args/args_test.go": _test("args", ARGS_TEST, SLEEP),
    "via/via.go": VIA,
    "via/via_test.go": _test("via", VIA_TEST, SLEEP),
    "scan/scan.go": SCAN,
    "scan/scan_test.go": _test("scan", SCAN_TEST, SLEEP),
    "rescan/rescan.go": RESCAN,
    "rescan/rescan_test.go": _test("rescan", SCAN_TEST, SLEEP),
    "cross/cross.go": CROSS,
    "cross/cross_test.go": _test("cross", "Cross()\n\ttime.Sleep(20 * time.Millisecond)", SLEEP),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("holders"), FILES, "--unsafe-fixes")


@pytest.mark.parametrize("pkg, source, fixed, where, said", [
    ("checkpoint", CHECKPOINT, CHECKPOINT_FIXED, "checkpoint.go:16",
     "proven-leak (fixed): release le.mu before calling le.cp (cp copied under it): the callback takes "),
    ("notify", NOTIFY, NOTIFY_FIXED, "notify.go:12",
     "proven-leak (fixed): release s.mu before calling s.onWrite (onWrite copied under it)"),
    ("scan", SCAN, SCAN_FIXED, "/scan/scan.go:23",
     "proven-leak (fixed): copy s.replicas under s.mu, release it, then loop over the copy: the loop's calls take s.mu "
     "again; review: an element removed or added meanwhile is still or not yet visited"),
    ("cross", CROSS, CROSS_FIXED, "cross.go:12",
     "proven-leak (fixed): release n.mu before calling n.cb (cb copied under it): the callback takes the mu of a Node "
     "while this goroutine held n.mu; review: the callback may now run after another goroutine changed or cleared n.cb"),
])
def test_a_callback_called_holding_the_lock_it_takes_is_called_after_the_release(flow, pkg, source, fixed, where, said):
    assert_fixed(flow, pkg, fixed, where, said)  # checkpoint: its test of the path that never blocked passes too


@pytest.mark.parametrize("pkg, source, where, said", [
    ("args", ARGS, "args.go:12",
     "the goroutine holds c.mu itself (the one it waits for unless the calls reached another Counter: the traceback "
     "shows no receiver): Lock at args.go:18 in (*Counter).Tick, which calls c.onTick at line 20, then args.TestIt.func1, and (*Counter).Value's "
     "Lock on line 12 waits for that Lock forever: a sync mutex is not reentrant; the call's arguments read more than locals"),
    ("rescan", RESCAN, "rescan.go:23",
     "RLock at rescan.go:35 in (*Store).Scan, which calls s.queue.Add at line 37, then rescan.(*Queue).Add, and "
     "(*Store).Status's RLock on line 23 waits for that RLock: a second read lock waits once a writer queues; "
     "it calls s.queue.Add, not a function-typed field of Store: release the lock by hand; the loop's body reads fields "
     "of s some code assigns"),
    ("visit", VISIT, "visit.go:11",
     "Lock at visit.go:17 in (*Registry).Visit, which calls fn at line 18, then visit.TestIt.func1, and (*Registry).Len's "
     "Lock on line 11 waits for that Lock forever: a sync mutex is not reentrant; it calls its parameter fn holding the "
     "lock: the method exists to run it under the lock"),
    ("via", VIA, "via.go:12",
     "Lock at via.go:18 in (*Bus).Publish, which calls b.deliver at line 20, then via.(*Bus).deliver -> via.TestIt.func1, "
     "and (*Bus).Count's Lock on line 12 waits for that Lock forever: a sync mutex is not reentrant; it calls b.deliver, a "
     "method of Bus"),
])
def test_a_goroutine_holding_its_own_lock_is_diagnosed_where_it_is_not_fixed(flow, pkg, source, where, said):
    line = assert_left(flow, pkg, source, where, "proven-leak (not fixed)", said)
    # its own frame holds the lock: no reason that blames another goroutine
    assert "held by a goroutine that is blocked itself" not in line, line


def test_a_goroutine_waiting_for_its_own_deferred_close_is_told_so(flow):
    assert_left(flow, "selfwait", SELFWAIT, "selfwait.go:45",
                "proven-leak (not fixed): the goroutine waits for itself: (*Conn).loop closes c.stopped as it returns (defer "
                "on line 30), and it is this goroutine's own frame at line 34, which calls selfwait.(*closer).Handle -> "
                "selfwait.(*Conn).Close -> selfwait.(*Conn).Close.func1: the close can only come after this receive ends; do "
                "not wait for loop to stop from a call it makes")


@pytest.mark.parametrize("where, holds, wants", [
    ("order.go:30", "s.queueMu (taken at order.go:16 in (*Store).Flush)", "Replica.raftMu"),
    ("order.go:43", "r.raftMu (taken at order.go:36 in (*Replica).Tick)", "Store.queueMu"),
])
def test_two_goroutines_taking_two_locks_in_opposite_orders_are_told_so(flow, where, holds, wants):
    # the other site's line names this one too: the path before it tells them apart
    assert_left(flow, "order", ORDER, f"/order/{where} ",
                "proven-leak (not fixed): blocked on sync.Mutex.Lock: a lock-order deadlock: the goroutine at " + where,
                f"holds {holds} and waits for {wants}", "take these locks in one order everywhere")


def _lines(source: str, text: str) -> list[int]:
    return [i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == text]


@pytest.mark.parametrize("blocked, holds, wants", [
    (_lines(LEASES, "lease.mu.Lock()")[0], f"c.mu (taken at leases.go:{_lines(LEASES, 'c.mu.Lock()')[0]} in (*Cache).Get)",
     "Lease.mu"),
    (_lines(LEASES, "c.mu.Lock()")[1], f"s.mu (taken at leases.go:{_lines(LEASES, 's.mu.Lock()')[0]} in (*Table).Release)",
     "Cache.mu"),
])
def test_locks_reached_through_locals_are_named_by_their_type_in_a_lock_order_deadlock(flow, blocked, holds, wants):
    # Get's own frame holds c.mu as it waits (taken before its blocked Lock); Release's
    # holds s.mu, a *Lease from find: the two wait for each other
    where = f"leases.go:{blocked}"
    assert_left(flow, "leases", LEASES, f"/leases/{where} ",
                "proven-leak (not fixed): blocked on sync.Mutex.Lock: a lock-order deadlock: the goroutine at " + where,
                f"holds {holds} and waits for {wants}", "take these locks in one order everywhere")


def test_fixed_files_are_gofmt_clean_and_vet_clean(flow):
    assert_gofmt_and_vet_clean(flow[0], ("checkpoint", "notify", "cross", "scan"))


# ---------------------------------------------------------------------------- hand-made stacks

PATH = "/src/m/p/p.go"
HELD = """\
package p

import "sync"

type T struct {
	mu sync.Mutex
	cb func()
}

func (t *T) Get() {
	t.mu.Lock()
	defer t.mu.Unlock()
}

func (t *T) Fire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cb()
}

func (t *T) Loop() {
	t.mu.Lock()
	for i := 0; i < 2; i++ {
		t.cb()
		t.mu.Unlock()
	}
}

func (t *T) Each(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := 0; i < n; i++ {
		t.cb()
	}
}

func (t *T) Early() {
	t.mu.Lock()
	unlock := func() { t.mu.Unlock() }
	unlock()
	t.cb()
	t.mu.Lock()
	t.cb()
}
"""


def _aim(tmp_path: Path, holder: str, line: int, inner: str | None, outer: str | None) -> targeted.Aimed:
    path = tmp_path / "p.go"
    path.write_text(HELD)
    stack = (
        Location("/usr/local/go/src/sync/mutex.go", 46, "sync.(*Mutex).Lock"),
        Location(PATH, 11, "example.com/m/p.(*T).Get", inner),
        Location(PATH, 40, "example.com/m/p.TestIt.func1"),
        Location(PATH, line, f"example.com/m/p.(*T).{holder}", outer),
    )
    site = Site(stack[1], "sync.Mutex.Lock", True, None, 1, None, stack)
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


def test_the_same_receiver_in_both_frames_proves_it_and_the_fix_is_review(tmp_path):
    aimed = _aim(tmp_path, "Fire", 18, "0xc000010000", "0xc000010000")
    assert aimed.finding is not None and not aimed.proof_suffices
    assert aimed.reason == ("release t.mu before calling t.cb (cb copied under it): the callback takes t.mu itself "
                            "and the goroutine waited for its own lock; review: the callback may now run after another "
                            "goroutine changed or cleared t.cb")


def test_receivers_the_dump_does_not_print_leave_the_same_value_unclaimed(tmp_path):
    aimed = _aim(tmp_path, "Fire", 18, None, "0xc000010000")
    assert aimed.finding is not None and not aimed.proof_suffices
    assert aimed.reason.startswith("release t.mu before calling t.cb (cb copied under it): the callback takes the mu of a "
                                   "T while this goroutine held t.mu; review")


def test_a_loop_that_leaves_the_lock_alone_keeps_it_held(tmp_path):
    aimed = _aim(tmp_path, "Each", 33, "0xc000010000", "0xc000010000")
    assert aimed.finding is None
    assert "the goroutine holds t.mu itself (the same T, 0xc000010000): Lock at p.go:30 in (*T).Each, which calls t.cb " \
           "at line 33" in aimed.reason and aimed.reason.endswith("the lock or the call is not in the method's top-level block: release it by hand")


def test_a_diagnosis_where_the_holder_is_not_fixed(tmp_path):
    aimed = _aim(tmp_path, "Early", 43, "0xc000010000", "0xc000010000")  # released, and taken again before the call
    assert aimed.finding is None
    assert ("the goroutine holds t.mu itself (the same T, 0xc000010000): Lock at p.go:42 in (*T).Early, which calls t.cb "
            "at line 43, then p.TestIt.func1, and (*T).Get's Lock on line 11 waits for that Lock forever: a sync mutex is "
            "not reentrant; the method does more under the lock than release it and call") in aimed.reason


@pytest.mark.parametrize("holder, line, inner, outer", [
    ("Fire", 18, "0xc000010000", "0xc000020000"),  # another T's lock
    ("Loop", 24, "0xc000010000", "0xc000010000"),  # an earlier pass released it
    ("Early", 41, "0xc000010000", "0xc000010000"),  # the unlock closure ran before this call
    ("Fire", 17, "0xc000010000", "0xc000010000"),  # no call on the frame's line
])
def test_no_holder_where_the_frames_do_not_prove_one(tmp_path, holder, line, inner, outer):
    aimed = _aim(tmp_path, holder, line, inner, outer)
    assert aimed.finding is None and "the goroutine holds" not in aimed.reason


def test_no_stack_no_answer(tmp_path):
    path = tmp_path / "p.go"
    path.write_text(HELD)
    sf = SourceFile.load("p.go", HELD.encode(), (1, 22))
    site = Site(Location(PATH, 11, "example.com/m/p.(*T).Get"), "sync.Mutex.Lock", True, None, 1, None)
    assert holders.callback_under_lock(sf, 11, str(path), Covered(site, "p.go", True, None, ())) == (None, None)


def _self_wait(tmp_path: Path, loop_line: int, close_arg0: str | None, loop_arg0: str | None) -> str | None:
    path = tmp_path / "selfwait.go"
    path.write_text(SELFWAIT)
    fn = "example.com/m/selfwait."
    stack = (
        Location(str(path), 45, fn + "(*Conn).Close.func1"),
        Location("/usr/local/go/src/sync/once.go", 78, "sync.(*Once).doSlow"),
        Location(str(path), 43, fn + "(*Conn).Close", close_arg0),
        Location(str(path), loop_line, fn + "(*Conn).loop", loop_arg0),
    )
    sf = SourceFile.load("selfwait.go", SELFWAIT.encode(), (1, 22))
    site = Site(stack[0], "chan receive", True, None, 1, None, stack)
    stmt = targeted.channels.operation_at(sf, 45, "chan receive")
    return holders.waits_for_own_close(sf, stmt, "chan receive", str(path), Covered(site, "selfwait.go", True, None, ()))


@pytest.mark.parametrize("loop_line, close_arg0, loop_arg0, told", [
    (34, "0xc000010000", "0xc000010000", True),
    (34, None, None, True),  # receivers not printed: the same type is taken for the same value
    (34, "0xc000010000", "0xc000020000", False),  # another Conn's loop: this one may still stop
    (30, None, None, False),  # a frame at the defer itself: not registered yet
])
def test_a_wait_for_a_close_its_own_frame_defers(tmp_path, loop_line, close_arg0, loop_arg0, told):
    said = _self_wait(tmp_path, loop_line, close_arg0, loop_arg0)
    assert (said is not None and said.startswith("the goroutine waits for itself: (*Conn).loop closes c.stopped")) is told


INERT = """\
package p

import (
	"sync"
	"time"
)

var other sync.Mutex

type T struct {
	mu    sync.Mutex
	items []*T
	n     int
}

func (t *T) Get() {
	t.mu.Lock()
	defer t.mu.Unlock()
}

func (t *T) Collect() (seen time.Time) {
	var out []*T
	t.mu.Lock()
	for _, x := range t.items {
		out = append(out, x)
		other.Lock()
		seen = time.Now()
		other.Unlock()
		x.Get()
	}
	t.mu.Unlock()
	return seen
}

func (t *T) Sum() (n int) {
	t.mu.Lock()
	for _, x := range t.items {
		n += x.n
		x.Get()
	}
	t.mu.Unlock()
	return n
}
"""


def _inert(tmp_path: Path, line: int, holder: str = "Collect") -> targeted.Aimed:
    path = tmp_path / "p.go"
    path.write_text(INERT)
    stack = (Location(PATH, 17, "example.com/m/p.(*T).Get"), Location(PATH, line, f"example.com/m/p.(*T).{holder}"))
    site = Site(stack[0], "sync.Mutex.Lock", True, None, 1, None, stack)
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


@pytest.mark.parametrize("line", [25, 26, 27, 28])  # append, a lock's own Lock, time.Now(), its Unlock
def test_a_frame_at_a_call_that_cannot_call_back_holds_nothing(tmp_path, line):
    # a traceback whose frame sits on such a line (a dump of another build of the code) is
    # not a goroutine waiting for itself: nothing there can reach (*T).Get
    aimed = _inert(tmp_path, line)
    assert aimed.finding is None and "the goroutine holds" not in aimed.reason


def test_a_frame_at_a_call_that_may_call_back_holds_the_lock(tmp_path):
    aimed = _inert(tmp_path, 29)
    assert aimed.finding is not None and aimed.reason.startswith("copy t.items under t.mu, release it, then loop over the copy")


def test_a_loop_reading_fields_of_pointer_elements_is_not_snapshot(tmp_path):
    # the lock's other holders may write x.n through the same pointer (traefik's
    # addCertificateForDomain rewrites a *CertAndStore's Certificate under certificatesMu)
    aimed = _inert(tmp_path, 39, "Sum")
    assert aimed.finding is None
    assert aimed.reason.endswith("the loop's body reads fields of x, a pointer whose fields the lock's other holders may "
                                 "write: snapshot it by hand")


def test_a_lock_order_is_a_cycle_or_nothing():
    a_, b_, c_ = ("A", ".mu"), ("B", ".mu"), ("C", "")
    waits = {
        "g1": holders.LockWait(a_, ((b_, "b.mu (taken at p.go:3 in (*B).F)"),), "p.go:1 in p.(*A).G"),
        # a.mu is held by g3 too, found first: the search goes on to g2
        "g3": holders.LockWait(c_, ((a_, "a.mu (taken at p.go:5 in (*A).J)"),), "p.go:6 in p.(*C).L"),
        "g2": holders.LockWait(b_, ((a_, "a.mu (taken at p.go:4 in (*A).H)"),), "p.go:2 in p.(*B).K"),
    }
    told = holders.lock_order(waits)
    assert set(told) == {"g1", "g2"}  # g3 waits for a lock nobody here holds: no cycle through it
    assert told["g1"].startswith("a lock-order deadlock: the goroutine at p.go:1 in p.(*A).G holds b.mu (taken at p.go:3 "
                                 "in (*B).F) and waits for A.mu; the goroutine at p.go:2 in p.(*B).K holds a.mu")
    assert holders.lock_order({"g3": waits["g3"]}) == {}


# moby's 4951: the set's embedded lock, and a device's lock reached through the local a
# method returns; DeleteDevice holds both, and removeDeviceAndWait gives the set's back and
# takes it again, while a second DeleteDevice holds the set's and waits for the device's
DEVICES = """\
package p

import "sync"

type DeviceSet struct {
	sync.Mutex
	infos map[string]*DevInfo
}

type DevInfo struct {
	lock sync.Mutex
	name string
}

func (devices *DeviceSet) DeleteDevice(hash string) {
	devices.Lock()
	defer devices.Unlock()
	info := devices.lookupDevice(hash)
	info.lock.Lock()
	defer info.lock.Unlock()
	devices.deleteDevice(info)
}

func (devices *DeviceSet) lookupDevice(hash string) *DevInfo {
	return devices.infos[hash]
}

func (devices *DeviceSet) deleteDevice(info *DevInfo) {
	devices.removeDeviceAndWait(info.name)
}

func (devices *DeviceSet) removeDeviceAndWait(name string) {
	devices.Unlock()
	devices.Lock()
}
"""


def test_an_embedded_lock_and_a_local_one_in_opposite_orders_are_a_lock_order_deadlock(tmp_path):
    path = tmp_path / "p.go"
    path.write_text(DEVICES)
    sf = targeted.load(str(path), "p.go")
    lock = Location("/usr/local/go/src/sync/mutex.go", 46, "sync.(*Mutex).Lock")

    def wait(*frames: tuple[int, str]) -> holders.LockWait:
        stack = (lock, *(Location(str(path), line, f"example.com/m/p.(*DeviceSet).{name}") for line, name in frames))
        site = Site(stack[1], "sync.Mutex.Lock", True, None, 1, None, stack)
        return holders.lock_wait(sf, str(path), Covered(site, "p.go", True, None, ()))

    # g1: in removeDeviceAndWait's Lock, below DeleteDevice, which holds info.lock at its call
    g1 = wait((34, "removeDeviceAndWait"), (29, "deleteDevice"), (21, "DeleteDevice"))
    # g2: in DeleteDevice's info.lock.Lock(), its own frame holding the set's embedded lock
    g2 = wait((19, "DeleteDevice"))
    assert g1.wants == ("DeviceSet", "") and ("DevInfo", ".lock") in [h for h, _ in g1.holds]
    assert g2.wants == ("DevInfo", ".lock") and [h for h, _ in g2.holds] == [("DeviceSet", "")]
    told = holders.lock_order({"g1": g1, "g2": g2})
    assert set(told) == {"g1", "g2"}
    assert "holds info.lock (taken at p.go:19 in (*DeviceSet).DeleteDevice) and waits for DeviceSet's embedded lock" in told["g1"]
    assert "holds devices (taken at p.go:16 in (*DeviceSet).DeleteDevice) and waits for DevInfo.lock" in told["g1"]


# cockroach's 16167: a Cond made on the mutex's RLocker; its L.Lock() is the mutex's RLock
CONDREAD = """\
package p

import "sync"

type Exec struct {
	cond *sync.Cond
	mu   sync.RWMutex
}

func New() *Exec {
	e := &Exec{}
	e.cond = sync.NewCond(e.mu.RLocker())
	return e
}

func (e *Exec) Run() {
	e.cond.L.Lock()
	defer e.cond.L.Unlock()
	e.cache()
}

func (e *Exec) cache() {
	e.mu.RLock()
	defer e.mu.RUnlock()
}
"""


@pytest.mark.parametrize("made, told", [
    ("sync.NewCond(e.mu.RLocker())", True),
    ("sync.NewCond(&sync.Mutex{})", False),  # a lock of its own: not e.mu
])
def test_a_read_lock_held_through_a_conds_locker_is_told(tmp_path, made, told):
    source = CONDREAD.replace("sync.NewCond(e.mu.RLocker())", made)
    path = tmp_path / "p.go"
    path.write_text(source)
    stack = (Location(str(path), 23, "example.com/m/p.(*Exec).cache", "0xc000010000"),
             Location(str(path), 19, "example.com/m/p.(*Exec).Run", "0xc000010000"))
    site = Site(stack[0], "sync.RWMutex.RLock", True, None, 1, None, stack)
    aimed = targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))
    said = "the goroutine holds e.mu itself (the same Exec, 0xc000010000): RLock (as e.cond.L.Lock()) at p.go:17 in " \
           "(*Exec).Run, which calls e.cache at line 19, and (*Exec).cache's RLock on line 23 waits for that RLock: a " \
           "second read lock waits once a writer queues"
    assert aimed.finding is None
    assert (said in aimed.reason) is told, aimed.reason
