"""The exchanges under a lock (targeted/exchanges.py) that kernels etcd7492 and grpc1460
need: release_before_exchange one call deep (a method that does nothing but a send on its
receiver's channel field, called as the last act of a locked stretch on a field of the
locker, while the receiving loop calls back into a func that takes that lock), and
wake_up_under_lock (a wake-up waited for holding the lock its non-blocking senders take).
One module, one package per case, one `fix --evidence tests --write --unsafe-fixes` run
(both fixes are review however proven); unit cases for the refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import analysis as a
from gofixleaks.edits import apply
from gofixleaks.evidence.targeted import channels, exchanges
from gofixleaks.source import SourceFile

from .test_evidence_targeted import assert_fixed, assert_left, assert_gofmt_and_vet_clean, run_flow

# etcd's 7492: Add holds the store's lock and hands the keeper a token; the keeper's loop
# deletes through a func that takes the store's lock before it receives again
KEEPER = """\
package keeper

import "sync"

// Keeper counts the tokens it is handed and deletes them through its store.
type Keeper struct {
	ch   chan struct{}
	stop chan struct{}
	del  func(string)
}

func (k *Keeper) run() {
	for {
		k.del("x")
		select {
		case <-k.ch:
		case <-k.stop:
			return
		}
	}
}

func (k *Keeper) add() {
	k.ch <- struct{}{}
}

// Store hands each new token to its keeper.
type Store struct {
	mu     sync.Mutex
	n      int
	keeper *Keeper
}

func newDeleter(s *Store) func(string) {
	return func(string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.n--
	}
}

// New makes a store and its keeper, not running yet.
func New() *Store {
	s := &Store{}
	s.keeper = &Keeper{ch: make(chan struct{}), stop: make(chan struct{}), del: newDeleter(s)}
	return s
}

// Add counts a token and hands it to the keeper.
func (s *Store) Add() {
	s.mu.Lock()
	s.n++
	s.keeper.add()
	s.mu.Unlock()
}
"""

KEEPER_FIXED = KEEPER.replace("\ts.keeper.add()\n\ts.mu.Unlock()\n", "\tkeeper := s.keeper\n\ts.mu.Unlock()\n\tkeeper.add()\n")

# the lock orders the keeper's lifetime: Reset replaces it holding the lock
REPLACED = KEEPER.replace("package keeper", "package replaced") + """
// Reset gives the store a new keeper.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keeper = &Keeper{ch: make(chan struct{}), stop: make(chan struct{}), del: newDeleter(s)}
}
"""

# the call reads the count the lock guards: after the release it would read it unlocked
ARGREAD = KEEPER.replace("package keeper", "package argread").replace(
    "func (k *Keeper) add() {", "func (k *Keeper) add(n int) {").replace("\ts.keeper.add()\n", "\ts.keeper.add(s.n)\n")

# Add leaves while the keeper's loop waits for the store's lock: the test leaks on the input
# (a no-hang proof too: TestUse passes on the input and must on the output)
KEEPER_TEST = """\
package {pkg}

import (
	"testing"
	"time"
)

func TestIt(t *testing.T) {{
	s := New()
	done := make(chan struct{{}})
	go func() {{
		s.Add()
		close(done)
	}}()
	time.Sleep(10 * time.Millisecond)
	go s.keeper.run()
	select {{
	case <-done:
	case <-time.After(50 * time.Millisecond):
	}}
	close(s.keeper.stop)
}}

func TestUse(t *testing.T) {{
	s := New()
	go s.keeper.run()
	time.Sleep(10 * time.Millisecond) // the keeper waits for a token: no delete holds the lock
	s.Add()
	close(s.keeper.stop)
}}
"""

# grpc's 1460: keepalive waits for a wake-up holding the lock NewStream needs to send it
ALIVE = """\
package alive

import "sync"

// Client wakes its keepalive when the first stream opens.
type Client struct {
	mu      sync.Mutex
	wake    chan struct{}
	streams int
}

// New makes a client.
func New() *Client {
	return &Client{wake: make(chan struct{})}
}

// Keepalive waits for a stream when there is none.
func (c *Client) Keepalive() {
	c.mu.Lock()
	if c.streams < 1 {
		<-c.wake
		runtime.Gosched()
		c.mu.Unlock()
	} else {
		c.mu.Unlock()
	}
}

// NewStream opens a stream and wakes the keepalive on the first.
func (c *Client) NewStream() {
	c.mu.Lock()
	c.streams++
	if c.streams == 1 {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
}
""".replace('import "sync"', 'import (\n\t"runtime"\n\t"sync"\n)')

ALIVE_FIXED = ALIVE.replace("make(chan struct{})}", "make(chan struct{}, 1)}").replace(
    "\t\t<-c.wake\n\t\truntime.Gosched()\n\t\tc.mu.Unlock()\n",
    "\t\tselect { // drop a wake-up sent before the check\n\t\tcase <-c.wake:\n\t\tdefault:\n\t\t}\n\t\tc.mu.Unlock()\n"
    "\t\t<-c.wake\n\t\truntime.Gosched()\n")

# a wake-up whose case does more: buffered, it would now run when nobody waits
ALIVEBODY = ALIVE.replace("package alive", "package alivebody").replace(
    "\t\tcase c.wake <- struct{}{}:\n", "\t\tcase c.wake <- struct{}{}:\n\t\t\tc.streams++\n")

# the keepalive waits while the stream opens; TestUse (a stream first, no wait) passes on the
# input and must on the output
ALIVE_TEST = """\
package {pkg}

import (
	"testing"
	"time"
)

func TestIt(t *testing.T) {{
	c := New()
	go c.Keepalive()
	time.Sleep(10 * time.Millisecond)
	done := make(chan struct{{}})
	go func() {{
		c.NewStream()
		close(done)
	}}()
	select {{
	case <-done:
	case <-time.After(50 * time.Millisecond):
	}}
	time.Sleep(10 * time.Millisecond)
}}

func TestUse(t *testing.T) {{
	c := New()
	c.NewStream()
	c.Keepalive()
}}
"""

FILES = {f"{pkg}/{pkg}.go": src for pkg, src in (("keeper", KEEPER), ("replaced", REPLACED), ("argread", ARGREAD),
                                                  ("alive", ALIVE), ("alivebody", ALIVEBODY))} | {
    f"{pkg}/{pkg}_test.go": KEEPER_TEST.format(pkg=pkg) for pkg in ("keeper", "replaced", "argread")} | {
    f"{pkg}/{pkg}_test.go": ALIVE_TEST.format(pkg=pkg) for pkg in ("alive", "alivebody")}


@pytest.fixture(scope="module")
def xchg_flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("xchg"), FILES, "--unsafe-fixes")


def test_an_exchange_one_call_deep_is_released_before_the_call(xchg_flow):
    assert_fixed(xchg_flow, "keeper", KEEPER_FIXED, "keeper.go:24",
                 "proven-leak (fixed): release s.mu before calling s.keeper.add, whose exchange on ch waits for a partner "
                 "that takes that lock first (s.keeper read under the lock)")
    assert_gofmt_and_vet_clean(xchg_flow[0], ("keeper",))


@pytest.mark.parametrize("pkg, source, said", [
    ("replaced", REPLACED, "s.keeper is replaced holding s.mu: the lock orders its lifetime"),
    ("argread", ARGREAD, "an argument of s.keeper.add reads more than names and literals"),
])
def test_no_release_before_the_call_where_the_lock_guards_what_it_reads(xchg_flow, pkg, source, said):
    assert_left(xchg_flow, pkg, source, f"{pkg}.go:24", said)


def test_a_wake_up_waited_for_under_its_senders_lock_is_buffered_and_waited_for_unlocked(xchg_flow):
    assert_fixed(xchg_flow, "alive", ALIVE_FIXED, "alive.go:24",
                 "proven-leak (fixed): release c.mu before waiting for c.wake, draining a stale wake-up first, and give wake a "
                 "buffer of one")
    assert_gofmt_and_vet_clean(xchg_flow[0], ("alive",))


def test_no_buffered_wake_up_where_a_sender_does_more(xchg_flow):
    assert_left(xchg_flow, "alivebody", ALIVEBODY, "alivebody.go:24",
                "c.wake on line 38 is more than an unbuffered make of wake or a wake-up sent holding the lock")


@pytest.mark.parametrize("change, said", [
    # made with a buffer already: a wake-up may be waiting, the drain could not tell
    (("make(chan struct{})}", "make(chan struct{}, 1)}"), "is more than an unbuffered make of wake"),
    # a channel replaced under the lock: the wait would read it unlocked, maybe stale
    (("// NewStream opens", "func (c *Client) Reset() {\n\tc.mu.Lock()\n\tc.wake = make(chan struct{})\n\tc.mu.Unlock()\n}\n\n"
      "// NewStream opens"), "c.wake on line 34 is more than an unbuffered make"),
    # a literal without keys: its make is out of view
    (("// New makes", "func blank() *Client {\n\treturn &Client{sync.Mutex{}, make(chan struct{}), 0}\n}\n\n// New makes"),
     "a Client literal sets its fields without keys"),
    # a second receiver: a kept wake-up could wake it instead
    (("// NewStream opens", "func (c *Client) poll() {\n\t<-c.wake\n}\n\n// NewStream opens"), "is more than an unbuffered make"),
    # a sender that does not hold the lock: not what keeps the wait from ending
    (("\tc.mu.Lock()\n\tc.streams++\n", "\tc.streams++\n"), "is more than an unbuffered make"),
    # a blocking sender: it waits for the lock, then for a receiver; a buffer changes when it goes on
    (("\t\tdefault:\n\t\t}\n\t}\n\tc.mu.Unlock()", "\t\t}\n\t}\n\tc.mu.Unlock()"), "is more than an unbuffered make"),
    # closed: a wake-up for every waiter, and a drain after the close would not wait
    (("// NewStream opens", "func (c *Client) Close() {\n\tclose(c.wake)\n}\n\n// NewStream opens"), "is more than an unbuffered make"),
    # more than a yield after the wait runs under the lock now: released before it, it would not
    (("\t\truntime.Gosched()\n\t\tc.mu.Unlock()\n\t} else", "\t\tc.streams--\n\t\tc.mu.Unlock()\n\t} else"), None),
    # a wait in a loop: held or not on the next pass is not plain
    (("\tif c.streams < 1 {\n\t\t<-c.wake\n\t\truntime.Gosched()\n\t\tc.mu.Unlock()\n\t} else {\n\t\tc.mu.Unlock()\n\t}\n",
      "\tfor c.streams < 1 {\n\t\t<-c.wake\n\t\truntime.Gosched()\n\t\tc.mu.Unlock()\n\t\tc.mu.Lock()\n\t}\n\tc.mu.Unlock()\n"),
     "the wait on c.wake is in a loop"),
])
def test_no_buffered_wake_up_where_it_is_not_plain(tmp_path, change, said):
    src = ALIVE.replace(*change)
    assert src != ALIVE
    path = tmp_path / "alive.go"
    path.write_text(src)
    sf = SourceFile.load("alive.go", src.encode(), None)
    stmt = next(n for n in a.of_type(sf.root, "expression_statement") if sf.text(n) == "<-c.wake"
                and a.enclosing(n, "method_declaration").child_by_field_name("name").text == b"Keepalive")
    fix, why = exchanges.wake_up_under_lock(sf, stmt, "chan receive", str(path))
    assert fix is None
    assert (said in why) if said else why is None, why


def test_no_buffered_wake_up_when_another_file_names_the_field(tmp_path):
    path = tmp_path / "alive.go"
    path.write_text(ALIVE)
    (tmp_path / "other.go").write_text("package alive\n\nfunc poke(c *Client) { c.wake <- struct{}{} }\n")
    sf = SourceFile.load("alive.go", ALIVE.encode(), None)
    fix, why = exchanges.wake_up_under_lock(sf, channels.operation_at(sf, 24, "chan receive"), "chan receive", str(path))
    assert fix is None and "other.go of its package names them too" in why, why


def _aim(tmp_path: Path, source: str, extra: str | None = None):
    """release_before_exchange on keeper.go's send (line 24), written to ``tmp_path`` with
    ``extra`` as another file of its package."""
    path = tmp_path / "keeper.go"
    path.write_text(source)
    if extra is not None:
        (tmp_path / "other.go").write_text(extra)
    sf = SourceFile.load("keeper.go", source.encode(), None)
    stmt = channels.operation_at(sf, 24, "chan send")
    return sf, exchanges.release_before_exchange(sf, stmt, "chan send", str(path))


def test_the_fix_copies_the_field_under_the_lock(tmp_path):
    sf, (fix, why) = _aim(tmp_path, KEEPER)
    assert fix is not None, why
    assert apply(sf.data, fix.edits).decode() == KEEPER_FIXED


HUB = """\
package hub

import "sync"

// Hub counts what it is handed.
type Hub struct {
	mu sync.Mutex
	n  int
	ch chan struct{}
}

func (h *Hub) loop() {
	for {
		h.count()
		<-h.ch
	}
}

func (h *Hub) count() {
	h.mu.Lock()
	h.n--
	h.mu.Unlock()
}

func (h *Hub) poke() {
	h.ch <- struct{}{}
}

// Add counts and pokes the loop.
func (h *Hub) Add() {
	h.mu.Lock()
	h.n++
	h.poke()
	h.mu.Unlock()
}
"""


def test_a_call_on_the_receiver_itself_needs_no_copy(tmp_path):
    # the exchange's method is the locker's own, its partner calls a method taking the lock
    path = tmp_path / "hub.go"
    path.write_text(HUB)
    sf = SourceFile.load("hub.go", HUB.encode(), None)
    fix, why = exchanges.release_before_exchange(sf, channels.operation_at(sf, 26, "chan send"), "chan send", str(path))
    assert fix is not None, why
    assert apply(sf.data, fix.edits).decode() == HUB.replace("\th.poke()\n\th.mu.Unlock()\n", "\th.mu.Unlock()\n\th.poke()\n")
    assert fix.message == "release h.mu before calling h.poke, whose exchange on ch waits for a partner that takes that lock first"


@pytest.mark.parametrize("change, said", [
    # a statement after the call in the stretch would run unlocked
    (("\ts.keeper.add()\n\ts.mu.Unlock()\n", "\ts.keeper.add()\n\ts.n++\n\ts.mu.Unlock()\n"),
     "s.keeper.add is not followed by s.mu.Unlock()"),
    # a deferred release: the call is not the stretch's last act before a plain release
    (("\ts.mu.Lock()\n\ts.n++\n\ts.keeper.add()\n\ts.mu.Unlock()\n", "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.n++\n\ts.keeper.add()\n"),
     "s.keeper.add is not followed by s.mu.Unlock()"),
    # a second call of add: one out of view of this stretch may hold the lock otherwise
    (("\ts.n++\n\ts.keeper.add()\n", "\ts.n++\n\ts.keeper.add()\n\ts.keeper.add()\n"), None),
    # the keeper's callback takes no lock of a Store: its loop does not wait for Add's lock
    (("\t\ts.mu.Lock()\n\t\tdefer s.mu.Unlock()\n", ""), "no partner of ch takes s.mu with a blocking exchange"),
    # the keeper's loop never waits to receive: a release would not unblock anything it needs
    (("\t\tcase <-k.stop:\n", "\t\tdefault:\n"), "no partner of ch takes s.mu with a blocking exchange"),
    # a keeper held by value: the copy would copy it
    (("\tkeeper *Keeper\n", "\tkeeper Keeper\n"), "s.keeper.add is not called on s or a field of s of type *Keeper"),
    # the copy's name is taken
    (("\ts.n++\n\ts.keeper.add()\n", "\tkeeper := 1\n\ts.n += keeper\n\ts.keeper.add()\n"),
     "keeper, the name for the copy of s.keeper, is taken in Add"),
    # the stretch returns early: the release is not plain
    (("\ts.n++\n\ts.keeper.add()\n", "\tif s.n < 0 {\n\t\treturn\n\t}\n\ts.keeper.add()\n"),
     "the stretch before s.keeper.add returns or touches a lock again"),
])
def test_no_release_before_the_call_where_it_is_not_plain(tmp_path, change, said):
    src = KEEPER.replace(*change)
    assert src != KEEPER
    sf, (fix, why) = _aim(tmp_path, src)
    assert fix is None
    assert (said in why) if said else why is None, why


def test_no_release_when_another_file_names_the_method(tmp_path):
    _, (fix, why) = _aim(tmp_path, KEEPER, "package keeper\n\nfunc poke(k *Keeper) { k.add() }\n")
    assert fix is None and "add is named elsewhere too" in why, why
