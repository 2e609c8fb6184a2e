"""Scan time grows linearly with the code a package holds: 2x the code costs well under 3x
the time (a per-node question that reads the whole package or file makes it 4x)."""

from __future__ import annotations

import time
from pathlib import Path

from gofixleaks import config, discover, engine

# One unit of code that the rules' package-wide questions are asked of: goroutines in a
# loop sending on a field, calls between the package's functions, a cancel-func wrapper,
# a timer kept in a field, tickers, selects. Each copy has its own names.
UNIT = """
type server{i} struct {{
	results chan int
	done    chan struct{{}}
	timer   *time.Timer
}}

func newCtx{i}(parent context.Context) (context.Context, context.CancelFunc) {{
	return context.WithCancel(parent)
}}

func (s *server{i}) work{i}(n int) {{
	s.results <- n
}}

func (s *server{i}) run{i}(items []int) {{
	for _, it := range items {{
		go s.work{i}(it)
	}}
	for range items {{
		<-s.results
	}}
	ctx, cancel := newCtx{i}(context.Background())
	_ = ctx
	_ = cancel
	s.timer = time.AfterFunc(time.Second, func() {{ close(s.done) }})
	t := time.NewTicker(time.Second)
	for {{
		select {{
		case <-t.C:
			s.work{i}(1)
		case <-time.After(time.Second):
			return
		}}
	}}
}}
"""


def _package(root: Path, units: int) -> Path:
    d = root / f"p{units}"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    body = "".join(UNIT.format(i=i) for i in range(units))
    (d / "p.go").write_text('package p\n\nimport (\n\t"context"\n\t"time"\n)\n' + body)
    return d


def _cpu(d: Path) -> float:
    cfg = config.load((str(d),), jobs=1, use_cache=False)
    targets = discover.discover((str(d),))
    start = time.process_time()
    results = list(engine.run(targets, cfg))
    assert sum(len(r.findings) for r in results) > 0  # the rules did run on it
    return time.process_time() - start


def test_twice_the_code_costs_under_three_times_the_time(tmp_path):
    small_pkg, large_pkg = _package(tmp_path, 80), _package(tmp_path, 160)
    # the best of three, the sizes taking turns: the machine (and the test run's other
    # workers) may be busy, and a busy spell should weigh on both sizes alike
    small = large = float("inf")
    for _ in range(3):
        small, large = min(small, _cpu(small_pkg)), min(large, _cpu(large_pkg))
    assert large < 3 * small, f"80 units: {small:.2f} s, 160 units: {large:.2f} s"
