"""The handoffs diagnosis (targeted/handoffs.py): a send blocked on a channel field that
nothing in the package receives from, or only polls with a default, is told so instead of
the shapes' refusals, where unread.drop_unread does not fix it (a poll that acts on what
it takes; a send nobody reads at all is dropped, tests/test_evidence_targeted_unread.py). One module, one package per case, one `fix --evidence tests --write
--unsafe-fixes` run (nothing may change); near misses asked of aim directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from gofixleaks.evidence import targeted
from gofixleaks.evidence.match import Covered
from gofixleaks.evidence.sites import Location, Site

from .test_evidence_targeted import _test, assert_left, run_flow

# cockroach's 35931: a row channel that buffers a row for a consumer this flow never starts
ROWS = """\
package rows

// RowChannel buffers rows for its consumer.
type RowChannel struct {
	dataChan chan int
}

// Init makes the buffer.
func (rc *RowChannel) Init(size int) {
	rc.dataChan = make(chan int, size)
}

// Push buffers a row, waiting for room.
func (rc *RowChannel) Push(row int) {
	rc.dataChan <- row
}
"""

# cockroach's 35073: the consumer's close drops one buffered row without waiting, and says
# so (a send dropped instead would change what it says: unread refuses)
POLLED = ROWS.replace("package rows", "package polled") + """
// ConsumerClosed drops a buffered row, if any.
func (rc *RowChannel) ConsumerClosed() {
	select {
	case <-rc.dataChan:
		println("dropped a row")
	default:
	}
}
"""

PUSH = """rc := &RowChannel{}
	rc.Init(1)
	rc.Push(1)
	go rc.Push(2)
	time.Sleep(20 * time.Millisecond)"""

SLEEP = '\t"time"\n'
FILES = {
    "polled/polled.go": POLLED,
    "polled/polled_test.go": _test("polled", PUSH, SLEEP),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("handoffs"), FILES, "--unsafe-fixes")


@pytest.mark.parametrize("pkg, source, said", [
    ("polled", POLLED, "dataChan is received from only by a select with a default (line 21): no goroutine waits to take "
                       "this value"),
])
def test_a_send_nothing_waits_to_receive_is_told_so(flow, pkg, source, said):
    line = assert_left(flow, pkg, source, f"{pkg}.go:15", "proven-leak (not fixed)", said)
    assert "no stop signal in scope" not in line, line  # the diagnosis, not the shapes' refusals


# ---------------------------------------------------------------------------- near misses


def _aim(tmp_path: Path, source: str) -> targeted.Aimed:
    path = tmp_path / "p.go"
    path.write_text(source)
    site = Site(Location(str(path), 15, ""), "chan send", True, None, 1, None)
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


@pytest.mark.parametrize("extra", [
    # a consumer that waits: the value has a taker (when it comes is another question)
    "\n// Next waits for a row.\nfunc (rc *RowChannel) Next() int {\n\treturn <-rc.dataChan\n}\n",
    # a poll in a select's body is no poll of the select: the receive there waits
    "\nfunc (rc *RowChannel) Wait(stop chan struct{}) {\n\tselect {\n\tcase <-stop:\n\t\t<-rc.dataChan\n\tdefault:\n\t}\n}\n",
    # handed on: its reader is out of view
    "\n// Rows gives the buffer to a reader.\nfunc (rc *RowChannel) Rows() <-chan int {\n\treturn rc.dataChan\n}\n",
    # a channel of elsewhere stored in it
    "\n// Wrap buffers into ch.\nfunc Wrap(ch chan int) *RowChannel {\n\treturn &RowChannel{dataChan: ch}\n}\n",
])
def test_no_diagnosis_where_something_may_take_the_value(tmp_path, extra):
    aimed = _aim(tmp_path, ROWS.replace("package rows", "package p") + extra)
    assert aimed.finding is None and "receives from dataChan" not in aimed.reason and "default (line" not in aimed.reason, \
        aimed.reason


def test_an_exported_field_is_not_diagnosed(tmp_path):
    aimed = _aim(tmp_path, ROWS.replace("package rows", "package p").replace("dataChan", "DataChan"))
    assert aimed.finding is None and "receives from DataChan" not in aimed.reason, aimed.reason
