"""The ordering shape (targeted/ordering.py): a lock-order deadlock broken by releasing the
first lock before the second is taken, where nothing after the release reads what the
first guards. One module, one package per case, one `fix --evidence tests --write
--unsafe-fixes` run (the fix is review however proven); unit cases on hand-made stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks.evidence import targeted
from gofixleaks.evidence.match import Covered
from gofixleaks.evidence.sites import Location, Site

from .test_evidence_targeted import _test, assert_fixed, assert_gofmt_and_vet_clean, assert_left, run_flow

# cockroach's PR 7504: the name cache is read under its lock, the lease locked after the
# release; a release of the lease holds it while the cache forgets it
NAMES = """\
package names

import (
	"sync"
	"time"
)

// Lease is one lease, locked while it is in use.
type Lease struct {
	mu   sync.Mutex
	refs int
}

// Cache names leases by id.
type Cache struct {
	mu     sync.Mutex // guards leases
	leases map[int]*Lease
}

// Acquire waits until the named lease is free, and reports whether it is cached.
func (c *Cache) Acquire(id int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.leases[id]
	if !ok || l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return true
}

// Forget drops a lease from the cache.
func (c *Cache) Forget(id int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.leases, id)
}

// Table holds the leases in use.
type Table struct {
	cache *Cache
}

// Release drops a lease, holding it while the cache forgets it.
func (tb *Table) Release(id int, l *Lease) {
	l.mu.Lock()
	defer l.mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	tb.cache.Forget(id)
}
"""

NAMES_FIXED = NAMES.replace("""\
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.leases[id]
""", """\
	c.mu.Lock()
	l, ok := c.leases[id]
	c.mu.Unlock()
""")

DEADLOCK = """l := &Lease{}
	c := &Cache{leases: map[int]*Lease{0: l}}
	tb := &Table{cache: c}
	go tb.Release(0, l)
	for l.mu.TryLock() { // until Release holds the lease: a loaded machine may start it late
		l.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	go c.Acquire(0)
	time.Sleep(150 * time.Millisecond)"""


def _paths(pkg: str, name: str, work: str) -> str:
    """A test of the paths that never block: ``work`` sends whether its answers are right
    on ``done``; it passes before and after the fix, within a deadline."""
    return f"""package {pkg}

import (
	"testing"
	"time"
)

func {name}(t *testing.T) {{
	done := make(chan bool, 1)
	go func() {{
		{work}
	}}()
	select {{
	case ok := <-done:
		if !ok {{
			t.Fatal("wrong answers")
		}}
	case <-time.After(time.Second):
		t.Fatal("hangs")
	}}
}}
"""


NAMES_PATHS = _paths("names", "TestAcquireAndForget", """c := &Cache{leases: map[int]*Lease{0: {}}}
		got := c.Acquire(0)
		c.Forget(0)
		done <- got && !c.Acquire(0) && !c.Acquire(1)""")

# kubernetes' PR 30872: the informer reads its cluster's queue under its lock and asks it
# whether it synced; the queue runs its handler holding its own lock, and the handler
# takes the informer's
INFORMER = """\
package informer

import (
	"sync"
	"time"
)

// Queue is what an informer watches.
type Queue interface {
	HasSynced() bool
}

// FIFO runs its handler holding its lock.
type FIFO struct {
	lock    sync.Mutex
	handler func()
}

func (f *FIFO) HasSynced() bool {
	f.lock.Lock()
	defer f.lock.Unlock()
	return true
}

// Pop hands one item to the handler.
func (f *FIFO) Pop() {
	f.lock.Lock()
	defer f.lock.Unlock()
	time.Sleep(50 * time.Millisecond)
	f.handler()
}

type cluster struct {
	queue Queue
}

// Informer watches one cluster.
type Informer struct {
	sync.Mutex
	cluster  cluster
	clusters int
}

// Synced reports whether the cluster's queue has synced.
func (in *Informer) Synced() bool {
	in.Lock()
	defer in.Unlock()
	return in.cluster.queue.HasSynced()
}

// AddCluster counts a cluster: the queue's handler.
func (in *Informer) AddCluster() {
	in.Lock()
	defer in.Unlock()
	in.clusters++
}
"""

INFORMER_FIXED = INFORMER.replace("""\
	in.Lock()
	defer in.Unlock()
	return in.cluster.queue.HasSynced()
""", """\
	in.Lock()
	queue := in.cluster.queue
	in.Unlock()
	return queue.HasSynced()
""")

INFORMER_TEST = """f := &FIFO{}
	in := &Informer{cluster: cluster{queue: f}}
	f.handler = in.AddCluster
	go f.Pop()
	time.Sleep(time.Millisecond)
	go in.Synced()
	time.Sleep(150 * time.Millisecond)"""

INFORMER_PATHS = _paths("informer", "TestSynced", """f := &FIFO{}
		in := &Informer{cluster: cluster{queue: f}}
		f.handler = in.AddCluster
		f.Pop()
		done <- in.Synced() && in.clusters == 1""")

# the near-shape: the lease's count is kept under the cache's lock too (it is read through
# the pointer taken under it), so releasing the cache first would race
REFS = NAMES.replace("package names", "package refs").replace("""\
	l.mu.Lock()
	defer l.mu.Unlock()
	return true
""", """\
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refs++
	return true
""")

SLEEP = '\t"time"\n'
FILES = {
    "names/names.go": NAMES,
    "names/names_test.go": _test("names", DEADLOCK, SLEEP),
    "names/paths_test.go": NAMES_PATHS,
    "informer/informer.go": INFORMER,
    "informer/informer_test.go": _test("informer", INFORMER_TEST, SLEEP),
    "informer/paths_test.go": INFORMER_PATHS,
    "refs/refs.go": REFS,
    "refs/refs_test.go": _test("refs", DEADLOCK, SLEEP),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("ordering"), FILES, "--unsafe-fixes")


def _line(source: str, text: str, nth: int = 0) -> int:
    return [i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == text][nth]


@pytest.mark.parametrize("pkg, fixed, where, said", [
    ("names", NAMES_FIXED, f"names.go:{_line(NAMES, 'l.mu.Lock()')}",
     "proven-leak (fixed): release c.mu after its last use, before the second lock is taken"),
    ("informer", INFORMER_FIXED, f"informer.go:{_line(INFORMER, 'f.lock.Lock()')}",
     "proven-leak (fixed): copy in.cluster.queue under in, release it, then call queue.HasSynced"),
])
def test_the_first_lock_is_released_before_the_second_is_taken(flow, pkg, fixed, where, said):
    # the leak is gone after, and the package's other tests, which never blocked, still pass
    assert_fixed(flow, pkg, fixed, where, said)


def test_the_pointer_read_under_the_first_lock_and_used_after_keeps_it(flow):
    where = f"refs.go:{_line(REFS, 'l.mu.Lock()')}"
    assert_left(flow, "refs", REFS, f"/refs/{where} ", "proven-leak (not fixed)", "a lock-order deadlock")


def test_fixed_files_are_gofmt_clean_and_vet_clean(flow):
    assert_gofmt_and_vet_clean(flow[0], ("names", "informer"))


# ---------------------------------------------------------------------------- hand-made stacks

PATH = "/src/m/p/p.go"
HELD = """\
package p

import "sync"

type Inner struct {
	mu sync.Mutex
	n  int
}

type Box struct{ in *Inner }

type T struct {
	mu    sync.Mutex
	items map[int]*Inner
	box   Box
	ptr   *Inner
	run   func()
}

func (in *Inner) Take() {
	in.mu.Lock()
	defer in.mu.Unlock()
}

func (t *T) Count(id int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	in := t.items[id]
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.n
}

func (t *T) Serial() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.run()
}

func (t *T) Own() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.take()
}

func (t *T) take() {
	t.ptr.Take()
}

func (t *T) ByValue() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.box.Take()
}

func (b *Box) Take() { b.in.Take() }

func (t *T) Loaded(id int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	in := t.load(id)
	in.mu.Lock()
	in.mu.Unlock()
}

func (t *T) load(id int) *Inner { return t.items[id] }

func (t *T) Pointer() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ptr.Take()
}
"""


def _aim(tmp_path: Path, blocked: tuple[int, str], *outer: tuple[int, str]) -> targeted.Aimed:
    path = tmp_path / "p.go"
    path.write_text(HELD)
    stack = (Location("/usr/local/go/src/sync/mutex.go", 46, "sync.(*Mutex).Lock"),
             *(Location(PATH, line, f"example.com/m/p.{fn}") for line, fn in (blocked, *outer)))
    site = Site(stack[1], "sync.Mutex.Lock", True, None, 1, None, stack)
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


TAKE = (_line(HELD, "in.mu.Lock()"), "(*Inner).Take")


def test_a_field_of_pointer_type_is_copied_and_the_fix_is_review(tmp_path):
    aimed = _aim(tmp_path, TAKE, (_line(HELD, "t.ptr.Take()", 1), "(*T).Pointer"))
    assert aimed.finding is not None and not aimed.proof_suffices
    assert aimed.reason.startswith("copy t.ptr under t.mu, release it, then call ptr.Take: "), aimed.reason


@pytest.mark.parametrize("frames, said", [
    # the lease's count is read through the pointer taken under the first lock
    ([(_line(HELD, "in.mu.Lock()", 1), "(*T).Count")],
     "Count holds t.mu as it goes on: in, read under t.mu, is used after the release point other than in a nil check "
     "or its own Lock"),
    # the method exists to run its callback holding the lock
    ([TAKE, (_line(HELD, "t.run()"), "(*T).Serial")],
     "Serial holds t.mu as it goes on: it calls t.run, not a method of a field of t: a method or callback of t itself"),
    ([TAKE, (_line(HELD, "t.ptr.Take()"), "(*T).take"), (_line(HELD, "t.take()"), "(*T).Own")],
     "Own holds t.mu as it goes on: it calls t.take, not a method of a field of t"),
    # a copy of a struct field would be what the pointer method acts on
    ([TAKE, (_line(HELD, "func (b *Box) Take() { b.in.Take() }"), "(*Box).Take"), (_line(HELD, "t.box.Take()"), "(*T).ByValue")],
     "t.box is not a field of pointer or interface type"),
    # a panic in the call would now keep the lock
    ([(_line(HELD, "in.mu.Lock()", 2), "(*T).Loaded")],
     "t.load is called under the lock before the release point"),
])
def test_a_release_that_could_expose_what_the_first_lock_guards_is_refused(tmp_path, frames, said):
    aimed = _aim(tmp_path, *frames)
    assert aimed.finding is None
    assert said in aimed.reason, aimed.reason
