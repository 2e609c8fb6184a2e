"""The protocols shape (targeted/protocols.py): a goroutine waiting for the context of a value
the function that started it built and keeps to itself, so that nothing left can cancel it;
the fix defers the value's cancel there. One module, one `fix --evidence tests --write
--unsafe-fixes` run (the fix is review however proven); unit cases on hand-made stacks for
the near-misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks.evidence import targeted
from gofixleaks.evidence.match import Covered
from gofixleaks.evidence.sites import Location, Site

from .test_evidence_targeted import _test, assert_fixed, assert_gofmt_and_vet_clean, assert_left, run_flow

# grpc's PR 862: Dial builds a connection whose goroutine serves it until its context ends,
# and its deferred cleanup closes the result, which it never set: nobody can close the
# connection it built
DIAL = """\
package dial

import "context"

// Conn is a connection a goroutine keeps up until it is closed.
type Conn struct {
	ctx    context.Context
	cancel context.CancelFunc
	subs   []*sub
}

type sub struct {
	conn   *Conn
	ctx    context.Context
	cancel context.CancelFunc
}

// Close ends the connection.
func (c *Conn) Close() {
	c.cancel()
	for _, s := range c.subs {
		s.cancel()
	}
}

func (c *Conn) connect() {
	s := &sub{conn: c}
	c.subs = append(c.subs, s)
	s.ctx, s.cancel = context.WithCancel(c.ctx)
	s.serve()
}

func (s *sub) serve() {
	<-s.ctx.Done()
}

// Dial starts a connection, and gives it up when ctx is done by then.
func Dial(ctx context.Context) (conn *Conn) {
	c := &Conn{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer func() {
		if ctx.Err() != nil && conn != nil {
			conn.Close()
		}
	}()
	go func() {
		c.connect()
	}()
	return conn
}
"""

DIAL_FIXED = DIAL.replace("""\
	c.ctx, c.cancel = context.WithCancel(context.Background())
""", """\
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer c.cancel()
""")

DIAL_TEST = """if Dial(context.Background()) != nil {
		t.Fatal("want nil")
	}
	time.Sleep(20 * time.Millisecond)"""

# the paths that never blocked still pass after the fix, within a deadline
DIAL_PATHS = """package dial

import (
	"context"
	"testing"
	"time"
)

func TestDialGivesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan bool, 1)
	go func() { done <- Dial(ctx) == nil }()
	select {
	case ok := <-done:
		if !ok {
			t.Fatal("want nil")
		}
	case <-time.After(time.Second):
		t.Fatal("hangs")
	}
}
"""

# the near-miss: Dial hands the connection out, so its caller owns it and must Close it
# (a Close that does more than cancel: closers' shape refuses it too)
KEPT = DIAL.replace("package dial", "package kept").replace("""\
	go func() {
		c.connect()
	}()
	return conn
""", """\
	go func() {
		c.connect()
	}()
	return c
""")

IMPORTS = '\t"context"\n\t"time"\n'
FILES = {
    "dial/dial.go": DIAL,
    "dial/dial_test.go": _test("dial", DIAL_TEST, IMPORTS),
    "dial/paths_test.go": DIAL_PATHS,
    "kept/kept.go": KEPT,
    "kept/kept_test.go": _test("kept", "Dial(context.Background())\n\ttime.Sleep(20 * time.Millisecond)", IMPORTS),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("protocols"), FILES, "--unsafe-fixes")


def _line(source: str, text: str, nth: int = 0) -> int:
    return [i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == text][nth]


def test_a_value_the_starter_keeps_to_itself_is_cancelled_when_it_returns(flow):
    # the leak is gone after, and the package's other test, which never blocked, still passes
    assert_fixed(flow, "dial", DIAL_FIXED, f"dial.go:{_line(DIAL, '<-s.ctx.Done()')}",
                 "proven-leak (fixed): defer c.cancel(): Dial keeps c to itself and the goroutines it starts")


def test_a_value_handed_out_is_its_callers_to_close(flow):
    where = f"kept.go:{_line(KEPT, '<-s.ctx.Done()')}"
    assert_left(flow, "kept", KEPT, where, "proven-leak (not fixed)", "Dial builds c and starts the goroutine on it, but c leaves it")


def test_fixed_files_are_gofmt_clean_and_vet_clean(flow):
    assert_gofmt_and_vet_clean(flow[0], ("dial",))


# ---------------------------------------------------------------------------- hand-made stacks

PATH = "/src/m/p/p.go"


def _aim(tmp_path: Path, source: str) -> targeted.Aimed:
    """The answer for the wait ``<-s.ctx.Done()`` of ``source`` (package p), started by
    its first `go` statement."""
    path = tmp_path / "p.go"
    path.write_text(source.replace("package dial", "package p"))
    wait, go = _line(source, "<-s.ctx.Done()"), _line(source, "go func() {")
    stack = (Location("/usr/local/go/src/runtime/chan.go", 1, "runtime.chanrecv1"),
             Location(PATH, wait, "example.com/m/p.(*sub).serve"))
    site = Site(stack[1], "chan receive", True, Location(PATH, go, "example.com/m/p.Dial"), 1, None, stack)
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


def test_the_hand_made_stack_gets_the_fix_and_it_is_review(tmp_path):
    aimed = _aim(tmp_path, DIAL)
    assert aimed.finding is not None and not aimed.proof_suffices
    assert aimed.reason.startswith("defer c.cancel(): Dial keeps c to itself"), aimed.reason


@pytest.mark.parametrize("old, new, said", [
    # stored where others can reach it
    ("\treturn conn\n}\n", "\tconns = append(conns, c)\n\treturn conn\n}\n\nvar conns []*Conn\n",
     "c leaves it at line"),
    # passed to a function: who keeps it is out of view
    ("\t\tc.connect()\n\t}()\n", "\t\tc.connect()\n\t}()\n\twatch(c)\n", "c leaves it at line"),
    # it already cancels on some path: the cleanup is the function's own
    ("\t\t\tconn.Close()\n", "\t\t\tconn.Close()\n\t\t\tc.cancel()\n", "it uses c.cancel itself"),
    # it hands the context out: others would see it cancelled
    ("\t\tc.connect()\n\t}()\n", "\t\tc.connect()\n\t}()\n\tlast = c.ctx\n", "it uses c.ctx itself"),
    # a method value carries the connection elsewhere
    ("\t\tc.connect()\n\t}()\n", "\t\tc.connect()\n\t}()\n\tonClose = c.Close\n", "c.Close is a method value"),
    ("\ts.serve()\n", "\ts.serve()\n\tonClose = c.Close\n", "connect hands its Conn on"),
    # the goroutine starts before the value has its context: the shape stays silent
    ("\t\tc.connect()\n\t}()\n", "\t\tc.connect()\n\t}()\n\tc.ctx, c.cancel = context.WithCancel(context.Background())\n",
     "0 go statements start serve in this file: its owner is not one"),
    # the goroutine hands its connection on
    ("\ts.serve()\n", "\ts.serve()\n\tlisteners = append(listeners, c)\n", "connect hands its Conn on"),
    # the waited context is not made from the connection's
    ("context.WithCancel(c.ctx)", "context.WithCancel(context.Background())", "sets a ctx from other than Conn's ctx"),
    # a literal sets the child's context: not provably a child
    ("s := &sub{conn: c}", "s := &sub{conn: c, ctx: context.TODO()}", "a literal of sub sets its ctx"),
    # a function returning no connection may start a service for the life of the process
    ("func Dial(ctx context.Context) (conn *Conn) {", "func Dial(ctx context.Context) (conn interface{ Close() }) {",
     "it returns no *Conn: c may be meant to outlive it"),
])
def test_a_value_that_may_be_reached_or_cancelled_elsewhere_is_refused(tmp_path, old, new, said):
    source = DIAL.replace(old, new)
    assert source != DIAL
    if "}()\n\tc.ctx, c.cancel" in source:
        source = source.replace("\tc.ctx, c.cancel = context.WithCancel(context.Background())\n\tdefer", "\tdefer", 1)
    if "watch(c)" in source:
        source += "\nfunc watch(c *Conn) {}\n"
    if "listeners" in source:
        source += "\nvar listeners []*Conn\n"
    if "last = " in source or "onClose" in source:
        source += "\nvar last context.Context\n\nvar onClose func()\n"
    aimed = _aim(tmp_path, source)
    assert aimed.finding is None
    assert said in aimed.reason, aimed.reason


def test_another_file_naming_the_type_keeps_it_out_of_view(tmp_path):
    (tmp_path / "other.go").write_text("package p\n\nvar last *Conn\n")
    aimed = _aim(tmp_path, DIAL)
    assert aimed.finding is None
    assert "other.go of its package names them too" in aimed.reason, aimed.reason
