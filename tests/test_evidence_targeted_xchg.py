"""release_before_exchange one call deep (targeted/exchanges.py, etcd's PR 7492): a method
that does nothing but a send on its receiver's channel field, called as the last act of a
locked stretch on a field of the locker, while the receiving loop calls back into a func that
takes that lock. One module, one package per case, one `fix --evidence tests --write
--unsafe-fixes` run (the fix is review however proven); unit cases for the refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import analysis as a
from gofixleaks.edits import apply
from gofixleaks.evidence.targeted import channels, exchanges
from gofixleaks.source import SourceFile

from .test_evidence_targeted import _line, _proven, assert_fixed, assert_gofmt_and_vet_clean, run_flow

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

FILES = {f"{pkg}/{pkg}.go": src for pkg, src in (("keeper", KEEPER), ("replaced", REPLACED), ("argread", ARGREAD))} | {
    f"{pkg}/{pkg}_test.go": KEEPER_TEST.format(pkg=pkg) for pkg in ("keeper", "replaced", "argread")}


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
    module, before, result, after = xchg_flow
    assert _proven(before[pkg]), before[pkg].message
    assert (module / pkg / f"{pkg}.go").read_text() == source
    assert said in _line(result.stderr, f"{pkg}.go:24"), result.stderr
    assert _proven(after[pkg]), after[pkg].message


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
