"""Every targeted shape's fix keeps the bytes it does not rewrite: on a file with CRLF line
endings and a non-ASCII comment, the fix is the same edit as on the LF file, with CRLF in
every line it writes (a comment it moves without its CR), and the comment untouched."""

from __future__ import annotations

import pytest

from gofixleaks.edits import apply
from gofixleaks.evidence import targeted
from gofixleaks.evidence.match import Covered
from gofixleaks.evidence.sites import Location, Site

from . import test_evidence_targeted as base
from . import test_evidence_targeted_cancel as cancel
from . import test_evidence_targeted_stops as stops
from . import test_evidence_targeted_watch as watch
from . import test_evidence_targeted_xchg as xchg

NOTE = "// Überwachung der Kanäle — 通道の監視\n"

# (source, fixed, the blocked statement, state): one fixed case per shape family
CASES = {
    "buffer": (base.BUFFER, base.BUFFER.replace("make(chan int)", "make(chan int, 1)"), "results <- 42", "chan send"),
    "wake-up": (base.WAKEUP, base.WAKEUP_FIXED, "f.poke <- struct{}{}", "chan send"),
    "stop wait": (base.STOPWAIT, base.STOPWAIT_FIXED, "case <-stop:", "chan receive"),
    # the Wait moves with its trailing comment
    "wait after the loop": (base.WAITLOOP, base.WAITLOOP.replace("\t\twg.Wait() // each in turn\n\t}\n",
                                                                "\t}\n\twg.Wait() // each in turn\n"),
                            "wg.Wait() // each in turn", "sync.WaitGroup.Wait"),
    "locked variant": (base.RELOCK, base.RELOCK_FIXED, None, "sync.Mutex.Lock"),
    "keyed registry": (base.KEYED, base.KEYED_FIXED, None, "sync.Mutex.Lock"),
    "safe select": (watch.STREAM, watch.STREAM_FIXED, "ch <- i * i", "chan send"),
    # a trailing comment moves to the case: its token ends in the CRLF line's \r
    "safe select, commented": (watch.STREAM.replace("ch <- i * i\n", "ch <- i * i // the next\n"),
                               watch.STREAM_FIXED.replace("case ch <- i * i:\n", "case ch <- i * i: // the next\n"),
                               "ch <- i * i // the next", "chan send"),
    "cancel then send": (cancel.WATCHER, cancel.WATCHER_FIXED, "wc.resultChan <- failed", "chan send"),
    "done by stop": (stops.WATCHER, stops.WATCHER_FIXED, "w.result <- e // to the reader", "chan send"),
    "release one call deep": (xchg.KEEPER, xchg.KEEPER_FIXED, "k.ch <- struct{}{}", "chan send"),
    "wake-up under lock": (xchg.ALIVE, xchg.ALIVE_FIXED, "<-c.wake", "chan receive"),
}
# the lock cases' lines, as their flow tests name them
LINES = {"locked variant": 23, "keyed registry": 21}


def _line(name: str) -> int:
    source, _, text, _ = CASES[name]
    return LINES[name] if text is None else next(i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == text)


def _fixed(tmp_path, source: str, line: int, state: str) -> str:
    path = tmp_path / "p.go"
    path.write_bytes(source.encode())
    site = Site(Location(str(path), line, ""), state, True, None, 1, None)  # no function named: not compared
    aimed = targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))
    assert aimed.finding is not None, aimed.reason
    return apply(source.encode(), aimed.finding.fixes[0].edits).decode()


def _dressed(text: str) -> str:
    """``text`` with a non-ASCII comment after its package clause (no line moves: it joins
    the package line) and CRLF line endings."""
    head, rest = text.split("\n", 1)
    return (head + " " + NOTE.rstrip("\n") + "\n" + rest).replace("\n", "\r\n")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_fix_on_a_crlf_file_with_non_ascii_keeps_them(tmp_path, name):
    source, fixed, _, state = CASES[name]
    line = _line(name)
    assert _fixed(tmp_path, source, line, state) == fixed  # the case itself, on LF
    assert _fixed(tmp_path, _dressed(source), line, state) == _dressed(fixed)
