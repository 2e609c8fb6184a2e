"""A send on a channel whose values nobody reads (targeted/unread.drop_unread): nothing
receives from the field and waits, and each poll discards what it takes, so a send that
finds the buffer full waits for good; it sends without blocking instead (cockroach's 35931
and 35073). A review fix: applied with `--unsafe-fixes`; near misses name the condition."""

from __future__ import annotations

import pytest

from gofixleaks.evidence.targeted import unread

from . import gotools
from .test_evidence_targeted import _line, _proven, ask_shape, assert_fixed, assert_gofmt_and_vet_clean, assert_left, run_flow

# a backlog whose consumer was taken out: Trim only makes room, dropping what it takes
BACKLOG = """\
package backlog

// Backlog holds up to a fixed number of pending jobs.
type Backlog struct {
	jobs chan int
}

// NewBacklog makes a Backlog of n jobs.
func NewBacklog(n int) *Backlog {
	return &Backlog{jobs: make(chan int, n)}
}

// Add records a pending job.
func (b *Backlog) Add(job int) {
	b.jobs <- job
}

// Trim drops the oldest pending job, if any.
func (b *Backlog) Trim() {
	select {
	case <-b.jobs:
	default:
	}
}
"""
BACKLOG_FIXED = BACKLOG.replace("\tb.jobs <- job\n", "\tselect {\n\tcase b.jobs <- job:\n\tdefault:\n\t}\n")

# the leak proof: a second Add finds the buffer of one full; and one after a Trim (the
# tests name no field: a file of the package naming .jobs would put uses out of view)
BACKLOG_TEST = """\
package backlog

import "testing"

func TestAddWhenFull(t *testing.T) {
	b := NewBacklog(1)
	b.Add(1)
	go b.Add(2)
}

func TestTrimMakesRoom(t *testing.T) {
	b := NewBacklog(1)
	b.Add(1)
	b.Trim()
	b.Add(2)
}
"""

# cockroach's 35931: cancels pushed, one per stream, into channels nobody receives from
STREAMS = """\
package streams

// Stream is an inbound stream whose reader has not connected.
type Stream struct {
	cancelled chan struct{}
}

func newStream() *Stream {
	return &Stream{cancelled: make(chan struct{}, 1)}
}

// Cancel tells the stream's reader, if one ever comes, that the flow is cancelled.
func (s *Stream) Cancel() {
	s.cancelled <- struct{}{}
}

// CancelAll cancels every stream in turn.
func CancelAll(streams []*Stream) {
	for _, s := range streams {
		s.Cancel()
	}
}
"""
STREAMS_FIXED = STREAMS.replace("\ts.cancelled <- struct{}{}\n", "\tselect {\n\tcase s.cancelled <- struct{}{}:\n\tdefault:\n\t}\n")
STREAMS_TEST = """\
package streams

import "testing"

func TestCancelTwice(t *testing.T) {
	a, b := newStream(), newStream()
	go CancelAll([]*Stream{a, a, b})
}
"""

# one condition short: the poll counts what it takes, so a dropped job would be one less
COUNTED = BACKLOG.replace("package backlog", "package counted").replace(
    "\tjobs chan int\n", "\tjobs    chan int\n\ttrimmed int\n").replace(
    "\tcase <-b.jobs:\n", "\tcase <-b.jobs:\n\t\tb.trimmed++\n")
COUNTED_TEST = BACKLOG_TEST.replace("package backlog", "package counted").split("\nfunc TestTrimMakesRoom")[0]

FILES = {
    "go.mod": "module example.com/m\n\ngo 1.22\n",
    "backlog/backlog.go": BACKLOG,
    "backlog/backlog_test.go": BACKLOG_TEST,
    "streams/streams.go": STREAMS,
    "streams/streams_test.go": STREAMS_TEST,
    "counted/counted.go": COUNTED,
    "counted/counted_test.go": COUNTED_TEST,
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    return run_flow(tmp_path_factory.mktemp("unread"), FILES, "--unsafe-fixes")


@pytest.mark.parametrize("pkg, fixed, where, field", [
    ("backlog", BACKLOG_FIXED, "backlog.go:15", "jobs"),
    ("streams", STREAMS_FIXED, "streams.go:14", "cancelled"),
])
def test_a_send_nobody_reads_does_not_wait_for_room(flow, pkg, fixed, where, field):
    assert_fixed(flow, pkg, fixed, where, f"proven-leak (fixed): send on {field} without blocking: nothing reads its values")
    assert_gofmt_and_vet_clean(flow[0], (pkg,))


def test_a_poll_that_counts_what_it_takes_keeps_the_send(flow):
    # the shape's reason (test_each_condition_of_the_drop) gives way to never_received's diagnosis
    assert_left(flow, "counted", COUNTED, "counted.go:16", "jobs is received from only by a select with a default (line 22)")


def test_without_unsafe_fixes_it_stays_review(tmp_path):
    module, before, result, after = run_flow(tmp_path, {k: v for k, v in FILES.items() if k.startswith(("go.mod", "streams/"))})
    assert _proven(before["streams"])
    assert (module / "streams" / "streams.go").read_text() == STREAMS
    assert "(review): send on cancelled without blocking" in _line(result.stderr, "streams.go:14"), result.stderr


def _ask(tmp_path, source: str, others: dict[str, str] | None = None):
    return ask_shape(tmp_path, unread.drop_unread, source, "b.jobs <- ", others)


# why the fix is refused; None: it applies; "": the shape does not (no fix, no reason)
@pytest.mark.parametrize("change, why", [
    (lambda s: s, None),
    # the value is read, or what a poll does depends on each value it takes
    (lambda s: s.replace("\tcase <-b.jobs:\n", "\tcase job := <-b.jobs:\n\t\tprintln(job)\n"), "keeps the value it takes"),
    (lambda s: s.replace("\tcase <-b.jobs:\n", "\tcase <-b.jobs:\n\t\tprintln(\"trimmed\")\n"), "acts on each value it takes"),
    (lambda s: s + "\n// Next waits for a job.\nfunc (b *Backlog) Next() int {\n\treturn <-b.jobs\n}\n", ""),
    (lambda s: s + "\nfunc (b *Backlog) wait() {\n\t<-b.jobs\n}\n", ""),
    (lambda s: s + "\nfunc (b *Backlog) drain() {\n\tfor range b.jobs {\n\t}\n}\n", ""),
    # what the channel holds is seen otherwise, or the field is in others' hands
    (lambda s: s + "\nfunc (b *Backlog) Pending() int {\n\treturn len(b.jobs)\n}\n", ""),
    (lambda s: s + "\nfunc (b *Backlog) Jobs() chan int {\n\treturn b.jobs\n}\n", ""),
    (lambda s: s.replace("func NewBacklog(n int) *Backlog {\n\treturn &Backlog{jobs: make(chan int, n)}",
                         "func NewBacklog(jobs chan int) *Backlog {\n\treturn &Backlog{jobs: jobs}"), ""),
    (lambda s: s.replace("jobs", "Jobs"), ""),  # exported: other packages may read it
])
def test_each_condition_of_the_drop(tmp_path, change, why):
    source = change(BACKLOG)
    fix, reason, out = ask_shape(tmp_path, unread.drop_unread, source, "b.jobs <- " if "b.jobs <- " in source else "b.Jobs <- ")
    if why is None:
        assert reason is None and out == BACKLOG_FIXED and fix.applicability == "review"
        assert gotools.gofmt_clean(out.encode())
    else:
        assert_refused(fix, reason, why)


def assert_refused(fix, reason: str | None, why: str) -> None:
    """A shape's answer to a near miss: no fix, and ``why`` in its reason; with ``why`` "",
    none (the shape does not apply: a channel with a reader is another shape's)."""
    assert fix is None and (why in reason if why else reason is None), reason


def test_another_file_of_the_package_naming_the_field_is_out_of_view(tmp_path):
    other = "package backlog\n\nfunc next(b *Backlog) int {\n\treturn <-b.jobs\n}\n"
    fix, why, _ = _ask(tmp_path, BACKLOG, {"other.go": other})
    assert fix is None and why is None, why
