"""A drain started once a context is done (targeted/drains.done_in_drain): a goroutine that
only receives, to unblock senders that themselves return on that context's done, waits in
vain for a sender that left; it watches the same done (cockroach's PR 10790). A review fix:
applied with `--unsafe-fixes`; near misses, where the drain is what a sender needs or
its context may be another, name the condition."""

from __future__ import annotations

import pytest

from gofixleaks.edits import apply
from gofixleaks.evidence.targeted import channels, drains
from gofixleaks.source import SourceFile

from . import gotools
from .test_evidence_targeted import _line, assert_fixed, assert_gofmt_and_vet_clean, run_flow
from .test_evidence_targeted_unread import assert_refused

# replies gathered until ctx ends; then the rest are drained in the background, though the
# asker returns on the same ctx: the drain waits for replies nobody will send
GATHER = """\
package gather

import "context"

// Gather collects one reply per peer.
type Gather struct {
	replies []chan int
}

func newGather(n int) *Gather {
	g := &Gather{}
	for i := 0; i < n; i++ {
		g.replies = append(g.replies, make(chan int))
	}
	return g
}

// ask has each peer reply in turn, until ctx ends.
func (g *Gather) ask(ctx context.Context) {
	for i, ch := range g.replies {
		select {
		case ch <- i:
		case <-ctx.Done():
			return
		}
	}
}

// wait sums the replies; once ctx ends, the rest are drained in the background.
func (g *Gather) wait(ctx context.Context) int {
	sum := 0
	for _, ch := range g.replies {
		select {
		case v := <-ch:
			sum += v
		case <-ctx.Done():
			go func() {
				for _, ch := range g.replies {
					<-ch
				}
			}()
			return sum
		}
	}
	return sum
}

// collect sums the replies the peers give before ctx ends.
func collect(ctx context.Context, n int) int {
	g := newGather(n)
	go g.ask(ctx)
	return g.wait(ctx)
}
"""
GATHER_FIXED = GATHER.replace(
    "\t\t\t\t\t<-ch\n", "\t\t\t\t\tselect {\n\t\t\t\t\tcase <-ch:\n\t\t\t\t\tcase <-ctx.Done():\n\t\t\t\t\t\treturn\n\t\t\t\t\t}\n")

# the leak proof: with ctx already done, wait drains at once, and the asker leaves on ctx
# before its last reply (each of its 16 selects picks done or a ready drain at random: all
# 16 replies, no leak, at most once in 65,536 runs)
GATHER_TEST = """\
package gather

import (
	"context"
	"testing"
	"time"
)

func TestCancelledBeforeAnyReply(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	collect(ctx, 16)
	time.Sleep(20 * time.Millisecond)
}

func TestAllReplies(t *testing.T) {
	if got := collect(context.Background(), 4); got != 6 {
		t.Fatalf("sum %d, want 6", got)
	}
}
"""

FILES = {
    "go.mod": "module example.com/m\n\ngo 1.22\n",
    "gather/gather.go": GATHER,
    "gather/gather_test.go": GATHER_TEST,
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("drains"), FILES, "--unsafe-fixes")


def test_a_drain_whose_senders_leave_on_the_context_watches_it_too(flow):
    assert_fixed(flow, "gather", GATHER_FIXED, "gather.go:39",
                 "proven-leak (fixed): drain replies only until ctx.Done() fires, as its senders do")
    assert_gofmt_and_vet_clean(flow[0], ("gather",))


def test_without_unsafe_fixes_it_stays_review(tmp_path):
    module, before, result, after = run_flow(tmp_path, FILES)
    assert (module / "gather" / "gather.go").read_text() == GATHER
    assert "(review): drain replies only until ctx.Done() fires" in _line(result.stderr, "gather.go:39"), result.stderr


def _ask(tmp_path, source: str, others: dict[str, str] | None = None):
    """done_in_drain's answer for the drain's ``<-ch`` in ``source``, the file of a package of
    its own beside ``others``: (the fix, why not, the file it makes)."""
    path = tmp_path / "p.go"
    path.write_text(source)
    for name, content in (others or {}).items():
        (tmp_path / name).write_text(content)
    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln == "\t\t\t\t\t<-ch")
    fix, why = drains.done_in_drain(sf, channels.operation_at(sf, line, "chan receive"), "chan receive", str(path))
    return fix, why, apply(sf.data, fix.edits).decode() if fix is not None else None


SEND = "\t\tselect {\n\t\tcase ch <- i:\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\t}\n"
CALLS = "\tgo g.ask(ctx)\n\treturn g.wait(ctx)\n"


# why the fix is refused; None: it applies; "": the shape does not (no fix, no reason)
@pytest.mark.parametrize("change, why", [
    (lambda s: s, None),
    # the kernel's form: the done read into a local once
    (lambda s: s.replace("\tsum := 0\n", "\tsum := 0\n\tdone := ctx.Done()\n").replace("case <-ctx.Done():\n\t\t\tgo", "case <-done:\n\t\t\tgo"),
     None),
    # a sender the drain is there for: it waits bare, or leaves on something else
    (lambda s: s.replace(SEND, "\t\tch <- i\n"), "the send on line 21 waits bare"),
    (lambda s: s.replace(SEND, SEND.replace("\t\t\treturn\n", "\t\t\tprintln(\"late\")\n")), "does not also return on the done"),
    (lambda s: s.replace(CALLS, "\tgo g.ask(context.Background())\n\treturn g.wait(ctx)\n"), "does not also return on the done"),
    (lambda s: s.replace(CALLS, "\tgo g.ask(ctx)\n\tctx = context.Background()\n\treturn g.wait(ctx)\n"), "does not also return on the done"),
    (lambda s: s.replace(CALLS, "\tgo g.ask(ctx)\n\tgo g.ask(ctx)\n\treturn g.wait(ctx)\n"), "does not also return on the done"),
    (lambda s: s.replace(CALLS, "\tgo g.ask(ctx)\n\treturn newGather(n).wait(ctx)\n"), "does not also return on the done"),
    (lambda s: s.replace("func (g *Gather) ask(", "func (g *Gather) Ask(").replace("g.ask(ctx)", "g.Ask(ctx)"),
     "does not also return on the done"),
    # the drain does more than drain, or is not started once the context is done
    (lambda s: s.replace("\t\t\t\t\t<-ch\n\t\t\t\t}\n", "\t\t\t\t\t<-ch\n\t\t\t\t}\n\t\t\t\tprintln(\"drained\")\n"), "does more than drain"),
    (lambda s: s.replace("case <-ctx.Done():\n\t\t\tgo", "case <-make(chan struct{}):\n\t\t\tgo"), ""),
    (lambda s: s.replace("func (g *Gather) wait(ctx context.Context) int {\n\tsum := 0\n",
                         "func (g *Gather) wait(ctx context.Context) int {\n\tsum := 0\n\tctx = context.Background()\n"),
     ""),
    # the channels are used otherwise, or by code out of view
    (lambda s: s.replace("\treturn g\n}", "\tg.replies = g.replies[1:]\n\treturn g\n}"), "used otherwise than"),
    (lambda s: s + "\nfunc first(g *Gather) chan int {\n\treturn g.replies[0]\n}\n", "used otherwise than"),
    (lambda s: s.replace("\t\tg.replies = append(g.replies, make(chan int))\n",
                         "\t\tch := make(chan int)\n\t\tg.replies = append(g.replies, ch)\n\t\tgo func() { ch <- 0 }()\n"),
     "used otherwise than"),
    (lambda s: s.replace("replies", "Replies"), "exported"),
])
def test_each_condition_of_the_drain(tmp_path, change, why):
    fix, reason, out = _ask(tmp_path, change(GATHER))
    if why is None:
        assert reason is None and fix.applicability == "review", reason
        assert gotools.gofmt_clean(out.encode())
        if change(GATHER) == GATHER:
            assert out == GATHER_FIXED
    else:  # "": not a drain started once a context is done, the shape does not apply
        assert_refused(fix, reason, why)


def test_another_file_of_the_package_naming_the_field_is_out_of_view(tmp_path):
    other = "package gather\n\nfunc last(g *Gather) chan int {\n\treturn g.replies[len(g.replies)-1]\n}\n"
    fix, why, _ = _ask(tmp_path, GATHER, {"other.go": other})
    assert fix is None and "other.go" in why and "out of view" in why, why
