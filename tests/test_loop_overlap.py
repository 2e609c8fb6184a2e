"""goroutine-outlives-stop and loop-without-exit both read a goroutine's loop with no way
out; on one loop only one of them reports: loop-without-exit where the signal it would add a
case on can end the goroutine, goroutine-outlives-stop where it cannot (context plumbing's
new ctx, or a receiver's channel the type's stop method never fires). A loop whose case on
the signal only breaks out of the select is ineffective-break's, not loop-without-exit's."""

from __future__ import annotations

from pathlib import Path

from gofixleaks import config as config_mod, engine
from gofixleaks.discover import discover

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
BOTH = ("goroutine-outlives-stop", "loop-without-exit")


def findings(path: Path, rules: tuple[str, ...] = BOTH) -> set[tuple[str, int, str]]:
    cfg = config_mod.load((str(path),), select=rules, jobs=1)
    return {(Path(r.path).name, f.line, f.rule) for r in engine.run(discover((str(path),)), cfg) for f in r.findings}


def test_the_stop_method_owns_a_loop_no_signal_in_scope_can_end():
    # protoactor-go's test provider (nothing in scope: plumbing's ctx), and a done field Close never closes
    assert findings(GOLDEN / "loop-without-exit" / "stop-method-owns") == {
        ("provider.go", 19, "goroutine-outlives-stop"),
        ("provider.go", 44, "goroutine-outlives-stop"),
    }


def test_a_signal_the_stop_method_fires_leaves_the_loop_to_loop_without_exit():
    got = {f for f in findings(GOLDEN / "goroutine-outlives-stop" / "not-reported") if f[0] == "watched.go"}
    assert got == {("watched.go", 13, "loop-without-exit")}


def test_a_stop_case_that_only_breaks_the_select_is_ineffective_breaks():
    got = findings(GOLDEN / "loop-without-exit" / "report-only", ("loop-without-exit", "ineffective-break"))
    assert ("reportonly.go", 71, "ineffective-break") in got
    assert not [f for f in got if f[2] == "loop-without-exit" and 62 <= f[1] <= 76], got  # SpinBreak's loop
