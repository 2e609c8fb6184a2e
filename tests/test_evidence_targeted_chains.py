"""The chains shape (targeted/chains.py): a goroutine holding a lock that a method takes
again several calls down its own stack, through functions the package calls only there.
One module, one package per case, one `fix --evidence tests --write --unsafe-fixes` run
(the fix is review however proven)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks.evidence import targeted
from gofixleaks.evidence.match import Covered
from gofixleaks.evidence.sites import Location, Site

from .test_evidence_targeted import _test, assert_fixed, assert_gofmt_and_vet_clean, assert_left, run_flow

# cockroach's PR 16167 in small: Rename holds the write lock, and two calls down, current
# reads through Lookup, which read-locks it again: it waits for Rename's Lock forever
RENAME = """\
package rename

import "sync"

type Registry struct {
	mu    sync.RWMutex
	names map[string]int
}

func (r *Registry) Lookup(name string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.names[name]
}

func (r *Registry) Rename(from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.move(from, to)
}

func (r *Registry) move(from, to string) {
	r.names[to] = current(r, from)
	delete(r.names, from)
}

func current(r *Registry, name string) int {
	return r.Lookup(name)
}
"""

RENAME_FIXED = RENAME.replace("""	defer r.mu.RUnlock()
	return r.names[name]
}
""", """	defer r.mu.RUnlock()
	return r.lookupLocked(name)
}

// lookupLocked is Lookup for a caller that holds r's lock.
func (r *Registry) lookupLocked(name string) int {
	return r.names[name]
}
""").replace("	return r.Lookup(name)\n", "	return r.lookupLocked(name)\n")

# the renamed entry keeps its value, and Lookup still works for callers without the lock
RENAME_TEST = """r := &Registry{names: map[string]int{"a": 1}}
	done := make(chan struct{})
	go func() {
		r.Rename("a", "b")
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(100 * time.Millisecond):
		return
	}
	if r.Lookup("b") != 1 || r.Lookup("a") != 0 {
		t.Fatal(r.names)
	}"""

# the near shape: Get calls current too, without the lock; a lock-free current would let
# Get read the map while Rename writes it
SHARED = RENAME.replace("package rename", "package shared") + """
func (r *Registry) Get(name string) int {
	return current(r, name)
}
"""

SLEEP = '\t"time"\n'

FILES = {
    "rename/rename.go": RENAME,
    "rename/rename_test.go": _test("rename", RENAME_TEST, SLEEP),
    "shared/shared.go": SHARED,
    "shared/shared_test.go": _test("shared", RENAME_TEST, SLEEP),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("chains"), FILES, "--unsafe-fixes")


def test_a_lock_taken_again_down_a_chain_is_not_taken_by_the_call_under_it(flow):
    assert_fixed(flow, "rename", RENAME_FIXED, "rename.go:11",
                 "proven-leak (fixed): move Lookup's body to lookupLocked for its call in current: Rename holds the "
                 "lock across Rename -> move -> current -> Lookup, each function between called only there")


def test_a_chain_function_with_another_caller_is_left_alone(flow):
    assert_left(flow, "shared", SHARED, "shared.go:11", "proven-leak (not fixed)",
                "Lock at shared.go:17 in (*Registry).Rename", "current is called or named elsewhere too, without the lock")


def test_fixed_files_are_gofmt_clean_and_vet_clean(flow):
    assert_gofmt_and_vet_clean(flow[0], ("rename",))


# ---------------------------------------------------------------------------- hand-made stacks

PATH = "/src/m/p/p.go"
CHAIN = """\
package p

import "sync"

type R struct {
	mu    sync.RWMutex
	peer  *R
	names map[string]int
}

func (r *R) Lookup(name string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.names[name]
}

func (r *R) Rename(from string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.move(from)
}

func (r *R) move(from string) {
	r.names[from] = peer(r.peer, from)
	r.names[from] = Exported(r, from)
	r.names[from] = rebound(r, from)
	r.names[from] = waits(r, from)
}

func peer(r *R, name string) int { return r.Lookup(name) }

func Exported(r *R, name string) int { return r.Lookup(name) }

func rebound(r *R, name string) int {
	r = r.peer
	return r.Lookup(name)
}

func waits(r *R, name string) int {
	r.mu.Unlock()
	defer r.mu.Lock()
	return r.Lookup(name)
}
"""


def _line(text: str) -> int:
    return next(i for i, ln in enumerate(CHAIN.splitlines(), 1) if text in ln)


def _aim(tmp_path: Path, middle: str) -> targeted.Aimed:
    path = tmp_path / "p.go"
    path.write_text(CHAIN)
    inner = next(i for i, ln in enumerate(CHAIN.splitlines(), 1)  # its call of Lookup
                 if i >= _line(f"func {middle}(") and "r.Lookup(name)" in ln)
    stack = (
        Location("/usr/local/go/src/sync/rwmutex.go", 71, "sync.(*RWMutex).RLock"),
        Location(PATH, _line("r.mu.RLock()"), "example.com/m/p.(*R).Lookup"),
        Location(PATH, inner, f"example.com/m/p.{middle}"),
        Location(PATH, _line(f"= {middle}("), "example.com/m/p.(*R).move"),
        Location(PATH, _line("r.move(from)"), "example.com/m/p.(*R).Rename"),
    )
    site = Site(stack[1], "sync.RWMutex.RLock", True, None, 1, None, stack)
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


@pytest.mark.parametrize("middle, why", [
    ("peer", "peer is not handed the holder's value once"),  # another R's lock, for all the file shows
    ("Exported", "Exported is exported: callers outside the package need not hold the lock"),
    ("rebound", "rebound rebinds r"),
    ("waits", "waits takes, releases or waits on a lock itself"),  # it may run without the lock
])
def test_a_chain_that_does_not_prove_the_lock_held_at_the_call_is_refused(tmp_path, middle, why):
    aimed = _aim(tmp_path, middle)
    assert aimed.finding is None
    assert "the goroutine holds r.mu itself" in aimed.reason and why in aimed.reason, aimed.reason
