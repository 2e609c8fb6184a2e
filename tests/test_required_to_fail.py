"""cancel-not-called: a cancel func discarded from a maker the test requires to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover

SRC = """package p

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type Lock struct{}

func (l *Lock) Acquire(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	return context.WithCancel(ctx)
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := new(Lock).Acquire(ctx)
	%s
}
"""


def _findings(tmp_path: Path, check: str) -> list[tuple[int, str]]:
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    (tmp_path / "p_test.go").write_text(SRC % check)
    cfg = config_mod.load((str(tmp_path),), select=("cancel-not-called",), jobs=1, use_cache=False)
    return [(f.line, f.message) for r in engine.run(discover((str(tmp_path),)), cfg) for f in r.findings]


@pytest.mark.parametrize("check", ["require.Error(t, err)", "require.ErrorIs(t, err, context.Canceled)",
                                   'require.ErrorContains(t, err, "canceled")',
                                   "assert.ErrorIs(t, err, context.Canceled)"])
def test_a_call_required_to_fail_has_no_cancel_func_to_discard(tmp_path, check):
    assert _findings(tmp_path, check) == []


@pytest.mark.parametrize("check", ["require.NoError(t, err)", "t.Log(err)", "require.Error(t, nil)"])
def test_a_call_that_may_succeed_still_discards_one(tmp_path, check):
    found = _findings(tmp_path, check)
    assert [line for line, _ in found] == [23] and "discarded" in found[0][1]
