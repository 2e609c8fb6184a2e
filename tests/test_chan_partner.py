"""send-without-cancel on a goroutine that is a named function given its channel by its
caller: when the caller receives every send before any way out (early-return-send's
count), nothing can strand and the send is not reported; a caller that may leave first, or
one that does not receive, keeps the finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover

WORKER = """\
package p

import "context"

type router struct{ ctx context.Context }

func (r *router) keepalive(started chan error) {
	if err := r.ctx.Err(); err != nil {
		started <- err
		return
	}
	close(started)
}
"""

WAITS = """
func (r *router) Start() error {
	started := make(chan error)
	go r.keepalive(started)
	return <-started
}
"""

GIVES_UP = """
func (r *router) Start(ctx context.Context) error {
	started := make(chan error)
	go r.keepalive(started)
	select {
	case err := <-started:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
"""

RETURNS_FIRST = """
func (r *router) Start(skip bool) error {
	started := make(chan error)
	go r.keepalive(started)
	if skip {
		return nil
	}
	return <-started
}
"""

STORED = """
type hub struct{ started chan error }

func (r *router) Start(h *hub) {
	started := make(chan error)
	h.started = started
	go r.keepalive(started)
}
"""


def _findings(tmp_path: Path, source: str) -> list[tuple[str, int]]:
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    (tmp_path / "p.go").write_text(source)
    cfg = config_mod.load((str(tmp_path),), select=("send-without-cancel", "early-return-send", "abandoned-reply"), jobs=1, use_cache=False)
    return sorted((f.rule, f.line) for r in engine.run(discover((str(tmp_path),)), cfg) for f in r.findings)


@pytest.mark.parametrize(("caller", "want"), [
    (WAITS, []),  # the caller always takes the one report: nothing can strand
    (RETURNS_FIRST, [("early-return-send", 16), ("send-without-cancel", 9)]),  # the caller may leave first
    (GIVES_UP, [("abandoned-reply", 16), ("send-without-cancel", 9)]),  # one giving-up select
    (STORED, [("send-without-cancel", 9)]),  # the caller does not receive: its partner is out of view
], ids=["waits", "returns-first", "gives-up", "stored"])
def test_the_caller_that_receives_is_the_partner(tmp_path: Path, caller: str, want: list[tuple[str, int]]):
    assert _findings(tmp_path, WORKER + caller) == want


HANDED = """\
package p

import "context"

func await(ctx context.Context, res chan string) string {
	select {
	case r := <-res:
		return r
	case <-ctx.Done():
		return ""
	}
}

func Heal(ctx context.Context, heal func() string) string {
	res := make(chan string)
	go func() {
		res <- heal()
	}()
	return await(ctx, res)
}
"""


def test_a_helper_that_leaves_makes_one_finding_at_the_make(tmp_path: Path):
    # the receiver hands the channel to a helper that may return without receiving:
    # early-return-send buffers it at the make, and send-without-cancel, which alone
    # reported the send (report only, its receiver out of view), leaves it to that rule
    assert _findings(tmp_path, HANDED) == [("early-return-send", 15)]
