"""The stop-signal select where a proof suffices (channels.watch_where_partners_leave): the
operation ends a `go func` literal and its channel is an unbuffered local that every other
send or receive takes in a select returning on the same signal. Without `--unsafe-fixes`
the fix is applied there, and left as review one condition short of it; unit near misses
name each condition."""

from __future__ import annotations

import pytest

from gofixleaks.edits import apply
from gofixleaks.evidence.targeted import channels
from gofixleaks.source import SourceFile

from . import gotools

from .test_evidence_targeted import _test, assert_fixed, assert_left, assert_gofmt_and_vet_clean, run_flow

# an endless producer whose reader takes n values, or leaves when ctx ends: once it has its
# n values the producer blocks on its next send for good
STREAM = """\
package stream

import "context"

// First returns the first n squares, or fewer when ctx ends first.
func First(ctx context.Context, n int) []int {
	ch := make(chan int)
	go func() {
		for i := 0; ; i++ {
			ch <- i * i
		}
	}()
	var out []int
	for len(out) < n {
		select {
		case v := <-ch:
			out = append(out, v)
		case <-ctx.Done():
			return out
		}
	}
	return out
}
"""
STREAM_FIXED = STREAM.replace("\t\t\tch <- i * i\n", """\t\t\tselect {
\t\t\tcase ch <- i * i:
\t\t\tcase <-ctx.Done():
\t\t\t\treturn
\t\t\t}
""")
# the test cancels its context as it returns (the request ends): the values must still be
# the first three squares on the fixed code, within the test's timeout (a no-hang proof)
STREAM_TEST = """ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := First(ctx, 3)
	if len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 4 {
		t.Fatal(got)
	}"""

# one condition short: the reader's ctx case goes on reading (go's fuzz coordinator does):
# a value the new case drops would leave it waiting, so the fix stays review
GOESON = STREAM.replace("package stream", "package goeson").replace(
    "\t\tcase <-ctx.Done():\n\t\t\treturn out\n", "\t\tcase <-ctx.Done():\n\t\t\tn = len(out)\n")

# a reader that waits bare, on a path the test does not take: the producer leaks there, and
# a select on ctx would leave the reader of another run blocked for good once ctx ends first
STRAND = STREAM[:STREAM.index("\tvar out []int\n")].replace("package stream", "package strand") + """\
	if n == 0 {
		return nil
	}
	return []int{<-ch}
}
"""

# the send is in a helper its goroutine's loop calls: a return there would not end the
# goroutine, whose loop would go on as if the value had been handed over
HELPER = """package helper

import "context"

type Relay struct{ out chan int }

func (r *Relay) publish(ctx context.Context, v int) {
	r.out <- v
}

// Run hands every value over, in order.
func (r *Relay) Run(ctx context.Context, vals []int) {
	for _, v := range vals {
		r.publish(ctx, v)
	}
}
"""

FILES = {
    "go.mod": "module example.com/m\n\ngo 1.22\n",
    "helper/helper.go": HELPER,
    "helper/helper_test.go": _test("helper", """r := &Relay{out: make(chan int)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx, []int{1, 2})
	if <-r.out != 1 {
		t.Fatal("want 1")
	}""", '\t"context"\n'),
    "strand/strand.go": STRAND,
    "strand/strand_test.go": _test("strand", """if First(context.Background(), 0) != nil {
		t.Fatal("want nothing")
	}""", '\t"context"\n'),
    "stream/stream.go": STREAM,
    "stream/stream_test.go": _test("stream", STREAM_TEST, '\t"context"\n'),
    "goeson/goeson.go": GOESON,
    "goeson/goeson_test.go": _test("goeson", STREAM_TEST, '\t"context"\n'),
}


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    # no --unsafe-fixes: only a fix a proof suffices for is applied
    return run_flow(tmp_path_factory.mktemp("watch"), FILES, "--rule", "ticker-not-stopped")


def test_a_producer_whose_readers_leave_on_its_signal_is_fixed_without_unsafe_fixes(flow):
    assert_fixed(flow, "stream", STREAM_FIXED, "stream.go:10", "proven-leak (fixed): select on ctx.Done() too")
    assert_gofmt_and_vet_clean(flow[0], ("stream",))


def test_a_reader_that_goes_on_after_the_signal_leaves_the_fix_review(flow):
    assert_left(flow, "goeson", GOESON, "goeson.go:10", "(review): select on ctx.Done() too")


def test_a_reader_that_waits_bare_is_not_abandoned(flow):
    assert_left(flow, "strand", STRAND, "strand.go:10", "a receive on ch at line 16 waits for it with no way out")


def test_a_helper_whose_caller_goes_on_is_not_given_the_select(flow):
    # the dump's stack shows publish called from Run's loop
    assert_left(flow, "helper", HELPER, "helper.go:8", "it runs called from", "(*Relay).Run (line 14), which goes on after the call")


def _partners_leave(source: str, text: str) -> bool:
    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == text)
    stmt = channels.operation_at(sf, line, "chan send")
    fix, why = channels.watch_where_partners_leave(sf, stmt, "chan send")
    assert why is None  # watch gives the reasons where this one does not apply
    return fix is not None


@pytest.mark.parametrize("source, text, leave", [
    (STREAM, "ch <- i * i", True),
    (GOESON, "ch <- i * i", False),
    # a buffer: the send could only block once the reader has gone; dropping a value it
    # could have kept is all the case adds
    (STREAM.replace("make(chan int)", "make(chan int, 1)"), "ch <- i * i", False),
    # a close: a reader would take its zero value for the end
    (STREAM.replace("\t\tfor i := 0; ; i++ {", "\t\tdefer close(ch)\n\t\tfor i := 0; ; i++ {"), "ch <- i * i", False),
    # handed on: a reader out of view
    (STREAM.replace("\tvar out []int\n", "\tvar out []int\n\tkeep(ch)\n") + "\nfunc keep(chan int) {}\n", "ch <- i * i", False),
    # a bare receive elsewhere still waits for the value
    (STREAM.replace("\treturn out\n}\n", "\t<-ch\n\treturn out\n}\n"), "ch <- i * i", False),
    # code after the send that a return would skip
    (STREAM.replace("\t\t\tch <- i * i\n", "\t\t\tch <- i * i\n\t\t\tprintln(i)\n"), "ch <- i * i", False),
    (STREAM.replace("\t\t}\n\t}()\n", "\t\t}\n\t\tprintln()\n\t}()\n"), "ch <- i * i", False),
    # the reader leaves on another signal: not when the producer's fires
    (STREAM.replace("case <-ctx.Done():\n\t\t\treturn out", "case <-time.After(time.Second):\n\t\t\treturn out"),
     "ch <- i * i", False),
    # shadowed: the same name, another variable
    (STREAM.replace("\tfor len(out) < n {\n", "\tfor len(out) < n {\n\t\tctx := context.Background()\n"),
     "ch <- i * i", False),
])
def test_each_condition_of_a_safe_stop_signal_select(source, text, leave):
    assert _partners_leave(source, text) is leave


# the review select (channels.watch) refuses where the corpus found it wrong: each case was
# answered with a select before, and is a reason now (bench/corpus/FINDINGS.md)
_CTX = "package p\n\nimport (\n\t\"context\"\n\t\"testing\"\n\t\"time\"\n)\n\nvar _ = time.Second\nvar _ = testing.Verbose\n\n"


def _watched(body: str, text: str, state: str) -> tuple[bool, str | None]:
    source = _CTX + body
    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == text)
    fix, why = channels.watch(sf, channels.operation_at(sf, line, state), state)
    return fix is not None, why


READER_LEAVES = """func Get(ctx context.Context) error {
	errc := make(chan error)
	go func() {
		errc <- work()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func work() error { return nil }
"""


# the function's own case on the signal closes its output before it returns
PUMP = """func Pump(ctx context.Context, in <-chan int, out chan<- int) {
	for {
		select {
		case <-ctx.Done():
			close(out)
			return
		case v := <-in:
			out <- v
		}
	}
}
"""


def test_the_review_select_does_what_the_functions_own_signal_case_does():
    # a bare return would leave out open, and a reader ranging over it waiting for good
    sf = SourceFile.load("p.go", (_CTX + PUMP).encode(), (1, 22))
    fix, why = channels.watch(sf, channels.operation_at(sf, 19, "chan send"), "chan send")
    assert why is None and fix.message == (
        "select on ctx.Done() too, and do there what its case on the signal at line 15 does (close(out); return)")
    fixed = apply(sf.data, fix.edits).decode()
    assert fixed == _CTX + PUMP.replace("\t\t\tout <- v\n", """\t\t\tselect {
\t\t\tcase out <- v:
\t\t\tcase <-ctx.Done():
\t\t\t\tclose(out)
\t\t\t\treturn
\t\t\t}
""")
    assert gotools.gofmt_clean(fixed.encode())


TICKING = """func Status(ctx context.Context, send func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for ctx.Err() == nil {
		send()
		<-t.C
	}
}
"""

LISTER = """type Lister struct {
	names chan string
	err   error
}

func Names(ctx context.Context, page func(context.Context) ([]string, error)) *Lister {
	res := &Lister{names: make(chan string)}
	go func() {
		defer close(res.names)
		for {
			ns, err := page(ctx)
			if err != nil {
				res.err = err
				return
			}
			for _, n := range ns {
				res.names <- n
			}
		}
	}()
	return res
}
"""

PENDING = """type Client struct {
	ctx     context.Context
	pending map[int]chan int
}

func (c *Client) Ask(id int) int {
	ch := make(chan int, 1)
	c.pending[id] = ch
	return <-ch
}

func (c *Client) read(next func() (int, int)) {
	for {
		id, v := next()
		ch, ok := c.pending[id]
		delete(c.pending, id)
		if ok {
			ch <- v
		}
	}
}
"""


# net/http's writeLoop: each request received carries its own reply channel, made with a
# buffer of one by the round trip that sends it (positionally); a reply type of another
# struct has an unbuffered ch of the same name
WRITELOOP = """type writeRequest struct {
	req int
	ch  chan<- error
}

type reply struct{ ch chan error }

type conn struct {
	ctx     context.Context
	writech chan writeRequest
	replies chan reply
}

func (c *conn) roundTrip(req int) error {
	errc := make(chan error, 1)
	c.writech <- writeRequest{req, errc}
	c.replies <- reply{ch: make(chan error)}
	return <-errc
}

func (c *conn) writeLoop() {
	for {
		select {
		case wr := <-c.writech:
			wr.ch <- write(wr.req)
		case <-c.ctx.Done():
			return
		}
	}
}
"""


@pytest.mark.parametrize("body, text, state, reason", [
    # a buffer: the send never waits while there is room, so the select would only drop
    # the value whenever ctx has ended (a Cleanup, a waiter for an exit status still reads it)
    (READER_LEAVES.replace("make(chan error)", "make(chan error, 1)"), "errc <- work()", "chan send",
     "errc has a buffer (1) and is sent on once here"),
    # a reader that waits bare: the new case would leave it blocked for good
    (READER_LEAVES.replace("""	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}""", "\treturn <-errc"), "errc <- work()", "chan send", "a receive on errc at line 17 waits for it with no way out"),
    # a reader whose only other way out is a deadline (a test's Cleanup: 5 s, then Fatal)
    (READER_LEAVES.replace("case <-ctx.Done():\n\t\treturn ctx.Err()", "case <-time.After(time.Second):\n\t\treturn nil"),
     "errc <- work()", "chan send", "(or only a timeout)"),
    # a semaphore's release: skipping it keeps the slot for good
    ("""func Limit(ctx context.Context, sem chan struct{}) {
	sem <- struct{}{}
	defer func() {
		<-sem
	}()
}
""", "<-sem", "chan receive", "it gives back the slot the send on sem at line 13 took"),
    # the test's own goroutine: a silent return would pass a hung test
    ("""func check(t *testing.T, ctx context.Context, ch chan int) {
	ch <- 1
}
""", "ch <- 1", "chan send", "the test's own goroutine"),
    # the function's own case on the signal does more before it returns, and cannot be
    # copied: a reply on the same channel (raft's doneCh), a local of the case's own block
    (PUMP.replace("\t\t\tclose(out)\n", "\t\t\tout <- -1\n"), "out <- v", "chan send",
     "its own case on the signal at line 15 does more before it returns, which a bare return would skip, and it cannot be copied"),
    (PUMP.replace("\t\tcase <-ctx.Done():\n\t\t\tclose(out)\n", "\t\tcase <-ctx.Done():\n\t\t\tn := 1\n\t\t\tprintln(n)\n"),
     "out <- v", "chan send", "and it cannot be copied"),
    # two cases on the signal that do different things: which one to copy is a choice
    (PUMP.replace("\t\tcase v := <-in:\n", "\t\tcase <-ctx.Done():\n\t\t\tprintln()\n\t\t\treturn\n\t\tcase v := <-in:\n"),
     "out <- v", "chan send", "its cases on the signal differ"),
    # contexts nothing cancels: the case would never fire
    ("""type C struct{ ctx context.Context }

func New() *C { return &C{ctx: context.Background()} }

func (c *C) Send(ch chan int) {
	ch <- 1
}
""", "ch <- 1", "chan send", "no stop signal in scope"),
    ("""func Send(ch chan int) {
	ctx := context.WithValue(context.Background(), "k", 1)
	_ = ctx
	ch <- 1
}
""", "ch <- 1", "chan send", "no stop signal in scope"),
    # the function's own case on the signal goes on (syncthing's pullBlock marks the block
    # failed and hands it over all the same): it means to finish its work once the signal fires
    ("""func Pull(ctx context.Context, out chan<- error, cached bool) {
	if cached {
		out <- nil
		return
	}
	var err error
	select {
	case <-ctx.Done():
		err = ctx.Err()
	case <-time.After(time.Second):
	}
	out <- err
}
""", "out <- nil", "chan send", "its own case on the signal at line 19 goes on rather than return"),
    # what the function owes on its way out, below the operation: the wait for its own
    # goroutines, a connection's close, the cancel of a context the signal does not end
    ("""func Run(ctx context.Context, in <-chan int, out chan<- int) {
	var wg sync.WaitGroup
	for v := range in {
		wg.Add(1)
		go func() { defer wg.Done() }()
		out <- v
	}
	wg.Wait()
}
""", "out <- v", "chan send", "a return would skip `wg.Wait()` below it"),
    ("""func Serve(ctx context.Context, c io.Closer, out chan<- int) {
	out <- 1
	c.Close()
}
""", "out <- 1", "chan send", "a return would skip `c.Close()` below it"),
    ("""func Stream(ctx context.Context, out chan<- int) {
	sctx, cancel := context.WithCancel(context.Background())
	go use(sctx)
	out <- 1
	cancel()
}
""", "out <- 1", "chan send", "a return would skip `cancel()` below it"),
    # a reader that ranges until close with no way out before: the send waits only while
    # that reader is busy, and the case would drop what it still takes (prometheus' merge)
    ("""func Merge(ctx context.Context, qs []func() int) []int {
	ch := make(chan int)
	var wg sync.WaitGroup
	for _, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- q()
		}()
	}
	go func() { wg.Wait(); close(ch) }()
	var out []int
	for v := range ch {
		out = append(out, v)
	}
	return out
}
""", "ch <- q()", "chan send", "the range over ch at line 24 reads it until it is closed"),
    # an HTTP handler: a bare return answers 200 OK to a reload that never ran
    ("""func Reload(ctx context.Context, w http.ResponseWriter, reload chan<- int) {
	reload <- 1
}
""", "reload <- 1", "chan send", "it serves an HTTP request"),
    # the value sent holds a connection the function closes on its other way out
    ("""func Accept(ctx context.Context, dial func() (io.Closer, error), conns chan<- io.Closer) {
	for {
		c, err := dial()
		if err != nil {
			continue
		}
		if err := check(c); err != nil {
			c.Close()
			continue
		}
		conns <- c
	}
}
""", "conns <- c", "chan send", "the value sent holds c, which the function closes on another way out (line 19)"),
    # the context's only cancel follows the operation in its own goroutine (etcdctl's
    # observe): the case could not fire while it waits
    ("""func Observe(events chan int) {
	ctx, cancel := context.WithCancel(context.TODO())
	go func() {
		<-events
		cancel()
	}()
	use(ctx)
}
""", "<-events", "chan receive", "ctx's cancel is called only by this function, after the operation or as it leaves (line 16)"),
    # a partner declared with `var`, and a buffer given by a later assignment
    ("""func Dial(ctx context.Context) int {
	var synC = make(chan int)
	go func() {
		synC <- 1
	}()
	return <-synC
}
""", "synC <- 1", "chan send", "a receive on synC at line 17 waits for it with no way out"),
    ("""func Lookup(ctx context.Context) int {
	var ch chan int
	if ctx.Err() == nil {
		ch = make(chan int, 1)
		go func() {
			ch <- 1
		}()
	}
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}
""", "ch <- 1", "chan send", "ch has a buffer (1) and is sent on once here"),
    # the slot is taken by the function that starts the releasing goroutine (coredns' Accept)
    ("""func Hold(ctx context.Context, sem chan struct{}, closed <-chan struct{}) {
	sem <- struct{}{}
	go func() {
		<-closed
		<-sem
	}()
}
""", "<-sem", "chan receive", "it gives back the slot the send on sem at line 13 took"),
    # the reader's loop leaves only through its case on the channel: it counts every result
    # in, even after its context ends (go's fuzz coordinator)
    ("""func Coordinate(ctx context.Context, n int) error {
	errC := make(chan error)
	for i := 0; i < n; i++ {
		go func() {
			errC <- work()
		}()
	}
	active := n
	for {
		select {
		case <-ctx.Done():
			println("stopping")
		case err := <-errC:
			active--
			if active == 0 {
				return err
			}
		}
	}
}
""", "errC <- work()", "chan send", "a receive on errC at line 24 holds its loop's only way out"),
    # another way out reports the failure on a channel first: a bare return reads as success
    # (etcd's mirror); or the operation is that report, on a channel closed by defer
    ("""func Sync(ctx context.Context, get func() (int, error), out chan<- int, errc chan<- error) {
	defer close(out)
	for {
		v, err := get()
		if err != nil {
			errc <- err
			return
		}
		out <- v
	}
}
""", "out <- v", "chan send", "its way out at line 18 first reports the failure (errc <- ..., line 17)"),
    ("""func Stream(ctx context.Context, recv func() (int, error), out chan<- Resp) {
	defer close(out)
	for {
		v, err := recv()
		if err != nil {
			out <- Resp{err: err}
			return
		}
	}
}
""", "out <- Resp{err: err}", "chan send", "it reports a failure on out, which the function closes by defer"),
    # every caller cancels before it calls the function (go-redis' Close, then its drain)
    ("""type P struct{ ctx context.Context; cancel func(); wg sync.WaitGroup }

func (p *P) Close() {
	p.cancel()
	p.drain()
}

func (p *P) drain() {
	flushed := make(chan struct{})
	go func() { defer close(flushed); p.wg.Wait() }()
	<-flushed
}
""", "<-flushed", "chan receive", "its callers cancel before they call it (p.cancel() at line 15)"),
    # a context whose only cancel is deferred by the waiting function (go-micro's NATS handler)
    ("""func Handle(out chan<- int, v int) {
	ctx, cancel := context.WithCancel(context.TODO())
	defer cancel()
	out <- v
	use(ctx)
}
""", "out <- v", "chan send", "ctx's cancel is called only by this function, after the operation or as it leaves (line 14)"),
    # a lister whose other ways out record their failure in a field its reader checks once
    # the channel closes (nats' KeyValueStoreNames): a bare return would read as a full list
    (LISTER, "res.names <- n", "chan send", "first records the failure (res.err = ..., line 24)"),
    # a ticker its function stops only as it leaves sends every period (livekit's status worker)
    (TICKING, "<-t.C", "chan receive", "t is a ticker this function stops only as it leaves"),
    # a reply channel looked up afresh each turn, every one stored in the map made with a
    # buffer (cmd/go's GOCACHEPROG reader): the select would only drop replies
    (PENDING, "ch <- v", "chan send", "ch has a buffer (1) and is sent on once here"),
    # ... the map given a parameter: what the file's calls pass for it counts
    (PENDING.replace("\tc.pending[id] = ch\n\treturn <-ch", "\tc.register(id, ch)\n\treturn <-ch").replace(
        "func (c *Client) read(", "func (c *Client) register(id int, reply chan int) {\n\tc.pending[id] = reply\n}\n\n"
        "func (c *Client) read("), "ch <- v", "chan send", "ch has a buffer (1) and is sent on once here"),
    # ... a request's reply channel, received afresh each turn: its type's literals count
    (WRITELOOP, "wr.ch <- write(wr.req)", "chan send", "wr.ch has a buffer (1) and is sent on once here"),
    # a `:=` receive: without a signal to watch, that is the reason (not a rewrite by hand:
    # knative's breaker test helper, `ok := <-req.accepted`, has nothing to watch)
    ("""func Wait(ch chan bool) {
	ok := <-ch
	ch <- ok
}
""", "ok := <-ch", "chan receive", "no stop signal in scope"),
    ("""func Wait(ctx context.Context, ch chan bool) {
	ok := <-ch
	ch <- ok
}
""", "ok := <-ch", "chan receive", "a `:=` receive needs its variables declared before a select"),
])
def test_the_review_select_refuses_where_it_would_strand_or_drop(body, text, state, reason):
    fixed, why = _watched(body, text, state)
    assert not fixed and why is not None and reason in why, why


@pytest.mark.parametrize("body, text, state", [
    (READER_LEAVES, "errc <- work()", "chan send"),
    # logging and stopping a timer in the function's own stop case skip nothing a return needs
    ("""func Tick(ctx context.Context, out chan<- int) {
	t := time.NewTicker(time.Second)
	for {
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			out <- 1
		}
	}
}
""", "out <- 1", "chan send"),
    # the request's reply channel unbuffered: the round trip's reader may be gone
    (WRITELOOP.replace("errc := make(chan error, 1)", "errc := make(chan error)"), "wr.ch <- write(wr.req)", "chan send"),
    # a context whose field is also given a cancellable one is a stop signal
    ("""type C struct{ ctx context.Context }

func New(ctx context.Context) *C { return &C{ctx: context.Background()} }

func (c *C) Reset(ctx context.Context) { c.ctx = ctx }

func (c *C) Send(ch chan int) {
	ch <- 1
}
""", "ch <- 1", "chan send"),
    # the cancel below cancels a context made from the signal: once that fires, it does nothing
    ("""func Ask(ctx context.Context, out chan<- int) {
	tctx, cancel := context.WithTimeout(ctx, time.Second)
	go use(tctx)
	out <- 1
	cancel()
}
""", "out <- 1", "chan send"),
    # a range reader that may leave early (a break) strands the senders it stops reading
    ("""func Firsts(ctx context.Context, qs []func() int) []int {
	ch := make(chan int)
	for _, q := range qs {
		go func() {
			ch <- q()
		}()
	}
	var out []int
	for v := range ch {
		if out = append(out, v); len(out) == 2 {
			break
		}
	}
	return out
}
""", "ch <- q()", "chan send"),
    # an empty case on the signal shares the code after its select with the other cases
    ("""func Report(ctx context.Context, out chan<- int, errc chan<- error) {
	out <- 1
	select {
	case errc <- nil:
	case <-ctx.Done():
	}
}
""", "out <- 1", "chan send"),
    # its own case on the signal returns bare: the function's own answer, however it reports
    # its failures (etcd's purge loop)
    ("""func Purge(ctx context.Context, list func() ([]string, error), purged chan<- string, errc chan<- error) {
	for {
		names, err := list()
		if err != nil {
			errc <- err
			return
		}
		for _, n := range names {
			purged <- n
		}
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return
		}
	}
}
""", "purged <- n", "chan send"),
    # the operation is itself a report, on the channel the other ways out report on
    ("""func Watch(ctx context.Context, read func() (int, error), errc chan<- error) {
	for {
		n, err := read()
		if err != nil {
			errc <- err
			return
		}
		if n > 5 {
			errc <- errTooMany
			return
		}
	}
}
""", "errc <- errTooMany", "chan send"),
    # a report that names no error ("interrupts" only spells "err" inside a word)
    ("""func Relay(ctx context.Context, lines <-chan string, out chan<- string, interrupts chan<- int) {
	for l := range lines {
		if l == "" {
			interrupts <- 1
			return
		}
		out <- l
	}
}
""", "out <- l", "chan send"),
    # a ticker stopped before the receive, or one a goroutine it starts receives from after
    # the function has left and stopped it: the receive can wait for good
    (TICKING.replace("\tdefer t.Stop()\n", "").replace("\t\tsend()\n", "\t\tsend()\n\t\tt.Stop()\n"), "<-t.C", "chan receive"),
    ("""func Status(ctx context.Context, send func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	go func() {
		for ctx.Err() == nil {
			send()
			<-t.C
		}
	}()
}
""", "<-t.C", "chan receive"),
    # a parameter whose one caller passes an unbuffered channel
    (PENDING.replace("\tc.pending[id] = ch\n\treturn <-ch", "\tc.register(id, ch)\n\treturn <-ch").replace(
        "func (c *Client) read(", "func (c *Client) register(id int, reply chan int) {\n\tc.pending[id] = reply\n}\n\n"
        "func (c *Client) Tell(id int) {\n\tc.register(id, make(chan int))\n}\n\nfunc (c *Client) read("),
     "ch <- v", "chan send"),
    # a field named for anything but an error is no failure recorded
    # (not closed by defer either: a deferred close would read a cut list as whole)
    (LISTER.replace("res.err = err", "res.last = err").replace("\terr   error\n", "\tlast  error\n").replace(
        "\t\tdefer close(res.names)\n", ""), "res.names <- n", "chan send"),
    # one reply channel stored unbuffered: that send waits for its asker
    (PENDING.replace("make(chan int, 1)", "make(chan int)"), "ch <- v", "chan send"),
])
def test_the_review_select_still_answers_where_nothing_is_stranded(body, text, state):
    assert _watched(body, text, state) == (True, None)


def test_a_context_reassigned_after_background_is_a_stop_signal():
    # ctx := context.Background(); ctx, cancel = context.WithCancel(ctx): cancellable after all
    body = """func Run(ch chan int) {
	ctx := context.Background()
	var cancel context.CancelFunc
	ctx, cancel = context.WithCancel(ctx)
	defer cancel()
	go func() {
		ch <- 1
	}()
	<-ctx.Done()
}
"""
    assert _watched(body, "ch <- 1", "chan send") == (True, None)


CALLEE_PKG = """package p

import "context"

func send(ctx context.Context, ch chan int) {
	ch <- 1
}
"""


@pytest.mark.parametrize("caller, watched", [
    # every caller in the package passes a context nothing cancels: the case would never fire
    ("func Start(ch chan int) { send(context.Background(), ch) }\n", False),
    ("func Start(ch chan int) {\n\tctx := context.WithValue(context.TODO(), key{}, 1)\n\tsend(ctx, ch)\n}\n\ntype key struct{}\n", False),
    # through a parameter, a caller up: Start's only caller passes Background
    ("func Start(ctx context.Context, ch chan int) { send(ctx, ch) }\n\nfunc main2() { Start(context.Background(), nil) }\n", False),
    # a caller that can cancel, or callers out of view (Start is called nowhere here): a signal
    ("func Start(ctx context.Context, ch chan int) { send(ctx, ch) }\n", True),
    ("func Start(ctx context.Context, ch chan int) { send(ctx, ch) }\n\nfunc Other(ch chan int) { send(context.Background(), ch) }\n", True),
    # used as a value: whoever calls it is out of view
    ("var hook = send\n", True),
    # another package's wrapper named as adding a value hands back a context no more live
    # (containerd's namespaces.WithNamespace, zerolog's WithContext), with := or var
    ("func Start(ch chan int) {\n\tctx := namespaces.WithNamespace(context.Background(), \"ns\")\n\tsend(ctx, ch)\n}\n", False),
    ("func Start(ch chan int) {\n\tvar ctx = logger.WithContext(context.TODO())\n\tsend(ctx, ch)\n}\n", False),
    # named as giving it an end, or handing back a stop function: a signal
    ("func Start(ch chan int) {\n\tctx := signals.WithCancelOnSignal(context.Background())\n\tsend(ctx, ch)\n}\n", True),
    ("func Start(ch chan int) {\n\tctx, stop := signal.NotifyContext(context.Background())\n\tdefer stop()\n\tsend(ctx, ch)\n}\n", True),
])
def test_the_review_select_asks_the_package_who_passes_the_context(tmp_path, caller, watched):
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    (tmp_path / "p.go").write_text(CALLEE_PKG)
    (tmp_path / "q.go").write_text('package p\n\nimport "context"\n\nvar _ = context.Background\n\n' + caller)
    path = str(tmp_path / "p.go")
    sf = SourceFile.load("p.go", CALLEE_PKG.encode(), (1, 22))
    fix, why = channels.watch(sf, channels.operation_at(sf, 6, "chan send"), "chan send", path)
    assert (fix is not None) is watched, why
    if not watched:
        assert why.startswith("every call of send in its package passes a context nothing cancels (q.go:"), why


# a helper of the package: Relay.publish waits to hand a value over
PUBLISH_PKG = """package p

import "context"

type Relay struct{ out chan int }

func (r *Relay) publish(ctx context.Context, v int) {
	r.out <- v
}
"""


@pytest.mark.parametrize("caller, reason", [
    # called in a loop, or with code after it: that caller goes on as if the value were sent
    ("func (r *Relay) Run(ctx context.Context, vals []int) {\n\tfor _, v := range vals {\n\t\tr.publish(ctx, v)\n\t}\n}\n",
     "it is called by Run (q.go:7), which goes on after the call"),
    ("func Start(ctx context.Context) {\n\tr := NewRelay()\n\tr.publish(ctx, 1)\n\tprintln(\"sent\")\n}\n\n"
     "func NewRelay() *Relay { return &Relay{out: make(chan int)} }\n", "it is called by Start (q.go:7)"),
    # the goroutine's own function: started with go, or used as a value (wg.Go(r.publish))
    ("func Start(ctx context.Context, r *Relay) {\n\tgo r.publish(ctx, 1)\n}\n", None),
    ("func Start(ctx context.Context, r *Relay, run func(func(context.Context, int))) {\n\trun(r.publish)\n}\n", None),
    # its last statement: the return ends the caller too
    ("func (r *Relay) Once(ctx context.Context) {\n\tr.publish(ctx, 1)\n}\n", None),
    # another type's publish, and one of another package, going on: not this method's callers
    ("type Bus struct{}\n\nfunc (b *Bus) publish(ctx context.Context, v int) {}\n\n"
     "func Start(ctx context.Context, b *Bus) {\n\tb.publish(ctx, 1)\n\tprintln()\n}\n", None),
    ("func Start(ctx context.Context) {\n\tq := bus.New()\n\tq.publish(ctx, 1)\n\tprintln()\n}\n", None),
])
def test_the_review_select_asks_the_package_whether_callers_go_on(tmp_path, caller, reason):
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    (tmp_path / "p.go").write_text(PUBLISH_PKG)
    (tmp_path / "q.go").write_text('package p\n\nimport "context"\n\n' + caller)
    sf = SourceFile.load("p.go", PUBLISH_PKG.encode(), (1, 22))
    fix, why = channels.watch(sf, channels.operation_at(sf, 8, "chan send"), "chan send", str(tmp_path / "p.go"))
    if reason is None:
        assert fix is not None, why
    else:
        assert fix is None and why.startswith(reason) and why.endswith("as if the send had happened"), why


# nsq's shutdown order: Exit waits for the loops it counts, then cancels their context
WAIT_THEN_CANCEL = """package p

import (
	"context"
	"sync"
)

type N struct {
	ctx       context.Context
	ctxCancel context.CancelFunc
	wg        sync.WaitGroup
	out       chan int
}

func New() *N {
	n := &N{out: make(chan int)}
	n.ctx, n.ctxCancel = context.WithCancel(context.Background())
	n.wg.Add(1)
	go n.loop()
	return n
}

func (n *N) loop() {
	defer n.wg.Done()
	n.out <- 1
}

func (n *N) Exit() {
	n.wg.Wait()
	n.ctxCancel()
}
"""


@pytest.mark.parametrize("source, reason", [
    (WAIT_THEN_CANCEL, "n.ctx is cancelled only after n.wg.Wait() (p.go:29), which waits for the goroutines it counts"),
    # cancelled first, then waited for: the loop leaves on the signal
    (WAIT_THEN_CANCEL.replace("\tn.wg.Wait()\n\tn.ctxCancel()\n", "\tn.ctxCancel()\n\tn.wg.Wait()\n"), None),
])
def test_a_context_cancelled_after_the_wait_for_its_goroutines_is_no_signal(tmp_path, source, reason):
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    (tmp_path / "p.go").write_text(source)
    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    fix, why = channels.watch(sf, channels.operation_at(sf, 25, "chan send"), "chan send", str(tmp_path / "p.go"))
    if reason is None:
        assert fix is not None and fix.message == "select on n.ctx.Done() too, and return when it fires", why
    else:
        assert fix is None and why.startswith(reason), why


def test_a_local_named_as_the_method_is_none_of_its_callers(tmp_path):
    # `send` the local is no use of the method send as a value: the one call passes Background
    callee = "package p\n\nimport \"context\"\n\ntype W struct{}\n\nfunc (w *W) send(ctx context.Context, ch chan int) {\n\tch <- 1\n}\n"
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    (tmp_path / "p.go").write_text(callee)
    (tmp_path / "q.go").write_text('package p\n\nimport "context"\n\nfunc Start(ch chan int) {\n\tsend := &W{}\n'
                                   '\tsend.send(context.Background(), ch)\n}\n')
    sf = SourceFile.load("p.go", callee.encode(), (1, 22))
    fix, why = channels.watch(sf, channels.operation_at(sf, 8, "chan send"), "chan send", str(tmp_path / "p.go"))
    assert fix is None and why.startswith("every call of send in its package passes a context nothing cancels (q.go:7)"), why


# traefik's entry point: Start(ctx) is called with a logger-wrapped Background, beside a
# watcher's Start() and a State.Start field of the same name; only the tests pass a live one
ENTRY_PKG = """package p

import (
	"context"
	"time"
)

type State struct{ Start time.Time }

type Entry struct{ errCh chan error }

func (e *Entry) Start(ctx context.Context) {
	e.errCh <- nil
}

type Watcher struct{}

func (w *Watcher) Start() {}

func Run(es []*Entry, w *Watcher, s *State) {
	w.Start()
	_ = s.Start.Unix()
	for _, e := range es {
		ctx := logger.WithContext(context.Background())
		go e.Start(ctx)
	}
}
"""


@pytest.mark.parametrize("test_file, where", [
    (None, "in its package"),
    # the tests' t.Context() would only let them pass while the service leaks as before
    ("package p\n\nimport \"testing\"\n\nfunc TestStart(t *testing.T) {\n\t(&Entry{}).Start(t.Context())\n}\n",
     "in its package, its tests aside,"),
])
def test_only_the_services_own_calls_say_whether_its_context_fires(tmp_path, test_file, where):
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.24\n")
    (tmp_path / "p.go").write_text(ENTRY_PKG)
    if test_file is not None:
        (tmp_path / "p_test.go").write_text(test_file)
    sf = SourceFile.load("p.go", ENTRY_PKG.encode(), (1, 24))
    fix, why = channels.watch(sf, channels.operation_at(sf, 13, "chan send"), "chan send", str(tmp_path / "p.go"))
    assert fix is None and why.startswith(f"every call of Start {where} passes a context nothing cancels (p.go:25)"), why


def test_a_live_context_from_the_service_keeps_the_review_select(tmp_path):
    live = ENTRY_PKG.replace("func Run(es", "func Serve(ctx context.Context, e *Entry) { go e.Start(ctx) }\n\nfunc Run(es")
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.24\n")
    (tmp_path / "p.go").write_text(live)
    sf = SourceFile.load("p.go", live.encode(), (1, 24))
    fix, why = channels.watch(sf, channels.operation_at(sf, 13, "chan send"), "chan send", str(tmp_path / "p.go"))
    assert fix is not None and fix.message == "select on ctx.Done() too, and return when it fires", why


# the copied stop case, proven: TestLeak leaves Pump blocked sending to a reader that never
# comes; TestDrain is its no-hang proof: a reader ranges over out until Pump closes it,
# and ctx ends while Pump waits to send. With a bare return in the new case, out would not
# be closed when that case is taken, and the range would wait for good.
PUMP_PKG = "package pump\n\nimport \"context\"\n\n// Pump forwards in to out until ctx ends, then closes out.\n" + PUMP
PUMP_FIXED = PUMP_PKG.replace("\t\t\tout <- v\n", """\t\t\tselect {
\t\t\tcase out <- v:
\t\t\tcase <-ctx.Done():
\t\t\t\tclose(out)
\t\t\t\treturn
\t\t\t}
""")
PUMP_TEST = """package pump

import (
	"context"
	"testing"
)

func TestLeak(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in, out := make(chan int), make(chan int)
	go Pump(ctx, in, out)
	in <- 1
	cancel()
}

func TestDrain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in, out := make(chan int), make(chan int)
	go Pump(ctx, in, out)
	in <- 1
	if v := <-out; v != 1 {
		t.Fatal(v)
	}
	in <- 2 // Pump waits to send it
	cancel()
	for range out { // ends once Pump closes out
	}
}
"""


def test_the_copied_stop_case_is_proven_and_keeps_the_reader_ending(tmp_path):
    files = {"go.mod": "module example.com/m\n\ngo 1.22\n", "pump/pump.go": PUMP_PKG, "pump/pump_test.go": PUMP_TEST}
    run = run_flow(tmp_path, files, "--unsafe-fixes", "--rule", "ticker-not-stopped")
    assert_fixed(run, "pump", PUMP_FIXED, "pump.go:13",
                 "proven-leak (fixed): select on ctx.Done() too, and do there what its case on the signal at line 9 does "
                 "(close(out); return)")
    assert_gofmt_and_vet_clean(run[0], ("pump",))


# package main's signal handler, and a context meant for one start-up call (grpc's example)
SIGNAL_MAIN = """package main

import (
	"context"
	"os"
	"os/signal"
	"time"
)

func start(ctx context.Context) error { return ctx.Err() }

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := start(ctx); err != nil {
		os.Exit(1)
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	go func() {
		<-c
		os.Exit(0)
	}()
	select {}
}
"""


@pytest.mark.parametrize("source, watched", [
    (SIGNAL_MAIN, False),
    # started in a loop, the goroutines pile up: the select is still offered
    (SIGNAL_MAIN.replace("\tgo func() {\n\t\t<-c\n\t\tos.Exit(0)\n\t}()\n",
                         "\tfor range 3 {\n\t\tgo func() {\n\t\t\t<-c\n\t\t\tos.Exit(0)\n\t\t}()\n\t}\n"), True),
    # outside package main, main is just a function
    (SIGNAL_MAIN.replace("package main", "package p", 1), True),
    # main itself waiting for Ctrl-C (nats' examples: ctx is a start-up timeout)
    (SIGNAL_MAIN.replace("\tgo func() {\n\t\t<-c\n\t\tos.Exit(0)\n\t}()\n\tselect {}\n", "\t<-c\n"), False),
])
def test_a_goroutine_main_starts_once_is_no_leak(source, watched):
    sf = SourceFile.load("main.go", source.encode(), (1, 22))
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln.strip() == "<-c")
    fix, why = channels.watch(sf, channels.operation_at(sf, line, "chan receive"), "chan receive")
    assert (fix is not None) == watched, why
    assert watched or "main starts this goroutine once" in why or "main itself waits here" in why


# the corpus' wrong review selects on tailscale and nomad (shape-verdicts.csv), each with
# its near miss that keeps the select
@pytest.mark.parametrize("body, text, reason", [
    # nomad's driver client: the result carries the error the cancel causes, and the caller
    # cancels, then reads it; dropped, it would read nil from the closed channel
    ("""type Res struct{ Err error }

func Wait(ctx context.Context, call func(context.Context) error) <-chan *Res {
	ch := make(chan *Res)
	go func() {
		defer close(ch)
		var r Res
		if err := call(ctx); err != nil {
			r.Err = err
		}
		ch <- &r
	}()
	return ch
}
""", "ch <- &r", "the value sent reports an error"),
    # nomad's device client: an error on a channel closed by defer, with an own case elsewhere
    ("""type Res struct{ Err error }

func Stream(ctx context.Context, next func() (int, error), out chan *Res) {
	defer close(out)
	for {
		v, err := next()
		if err != nil {
			out <- &Res{Err: err}
			return
		}
		select {
		case out <- &Res{}:
		case <-ctx.Done():
			return
		}
		_ = v
	}
}
""", "out <- &Res{Err: err}", "the value sent reports an error"),
    # controller-runtime's runnable group: the error of a call given the signal's context,
    # which the signal's end may cause; its readers leave on other signals, not on r.ctx
    ("""type G struct{ ctx context.Context; errc chan error }

func (g *G) Run(start func(context.Context) error) {
	go func() {
		if err := start(g.ctx); err != nil {
			g.errc <- err
		}
	}()
}
""", "g.errc <- err", "the value sent reports an error"),
    # nomad's artifact hook: the deferred close would read as the whole list
    ("""func Jobs(ctx context.Context, items []string) <-chan string {
	jobs := make(chan string)
	go func() {
		defer close(jobs)
		for _, it := range items {
			jobs <- it
		}
	}()
	return jobs
}
""", "jobs <- it", "closes jobs by defer"),
    # tailscale's eventbus: the asker handed over its reply channel and waits on it bare
    ("""func Serve(ctx context.Context, reqs chan chan int, v func() int) {
	for {
		select {
		case ch := <-reqs:
			ch <- v()
		case <-time.After(time.Second):
		}
	}
}
""", "ch <- v()", "a reply channel its asker handed over"),
    # tailscale's containerboot: a start-up deadline says nothing of the reader
    ("""func Boot(next func() int, out chan<- int) {
	boot, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() {
		for {
			out <- next()
		}
	}()
	<-boot.Done()
}
""", "out <- next()", "boot is a deadline made for a step"),
    # tailscale's session watcher: the one call passes a channel with room for its one send
    ("""type W struct{ ctx context.Context }

func (w *W) Start() error {
	started := make(chan error, 1)
	go w.run(started)
	return <-started
}

func (w *W) run(started chan<- error) {
	var err error
	started <- err
	<-w.ctx.Done()
}
""", "started <- err", "has a buffer (1) and is sent on once here"),
    # tailscale's prober: a Collector's channel, which the registry drains until Collect returns
    ("""type P struct{ ctx context.Context; m []prometheus.Metric }

func (p *P) Collect(ch chan<- prometheus.Metric) {
	for _, m := range p.m {
		ch <- m
	}
}
""", "ch <- m", "a Prometheus registry"),
    # temporal's flakereport worker: the outcome of a call given ctx, which the reader ranges on for
    ("""type Outcome struct{ Err error }

func worker(ctx context.Context, jobs <-chan int, results chan<- Outcome, process func(context.Context, int) Outcome) {
	for j := range jobs {
		outcome := process(ctx, j)
		results <- outcome
	}
}
""", "results <- outcome", "reports an error"),
])
def test_the_review_select_refuses_the_shapes_of_tailscale_and_nomad(body, text, reason):
    fixed, why = _watched(body, text, "chan send")
    assert not fixed and why is not None and reason in why, why


@pytest.mark.parametrize("body, text", [
    # the error value goes on a channel nobody closes by defer, with no field filled
    ("""func Report(ctx context.Context, errc chan<- error, work func() error) {
	errc <- work()
}
""", "errc <- work()"),
    # the reader leaves on the same deadline: nothing is dropped that someone still takes
    ("""func Ask(ctx context.Context, work func() int) int {
	tctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	ch := make(chan int)
	go func() {
		ch <- work()
	}()
	select {
	case v := <-ch:
		return v
	case <-tctx.Done():
		return 0
	}
}
""", "ch <- work()"),
    # two launches share the channel of room one: the second send may wait
    ("""type W struct{ ctx context.Context }

func (w *W) Start() error {
	started := make(chan error, 1)
	go w.run(started)
	go w.run(started)
	return <-started
}

func (w *W) run(started chan<- error) {
	var err error
	started <- err
	<-w.ctx.Done()
}
""", "started <- err"),
])
def test_the_review_select_keeps_their_near_misses(body, text):
    fixed, why = _watched(body, text, "chan send")
    assert fixed, why


# go-ethereum's rpc handler: requestOp.resp is made with room for its one response in
# client.go and sent on in handler.go; a select there would drop a response its caller waits for
# (a batch's resp slice, given by its own method, is no value of it)
OP_HANDLER = """package p

import "context"

type handler struct {
	rootCtx context.Context
	wait    map[string]*requestOp
}

func (h *handler) respond(id string, v int) {
	op := h.wait[id]
	if op == nil {
		return
	}
	delete(h.wait, id)
	op.resp <- v
}

// a field of the same name on another type, given by its own methods: not requestOp's
type batch struct{ resp []int }

func (b *batch) push(v int) { b.resp = append(b.resp, v) }
"""
OP_CLIENT = """package p

type requestOp struct {
	id   string
	resp chan int
}

func newOp(id string) *requestOp {
	return &requestOp{id: id, resp: make(chan int%s)}
}
"""


def _watched_in_package(tmp_path, files: dict[str, str], text: str) -> tuple[bool, str | None]:
    """watch() asked of the send ``text`` in the first of ``files``, a package on disk."""
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    for name, source in files.items():
        (tmp_path / name).write_text(source)
    name, source = next(iter(files.items()))
    sf = SourceFile.load(name, source.encode(), (1, 22))
    line = source.splitlines().index(text) + 1
    fix, why = channels.watch(sf, channels.operation_at(sf, line, "chan send"), "chan send", str(tmp_path / name))
    return fix is not None, why


@pytest.mark.parametrize("room, watched", [(", 1", False), ("", True)])
def test_the_review_select_reads_a_field_made_in_another_file_of_the_package(tmp_path, room, watched):
    fixed, why = _watched_in_package(tmp_path, {"handler.go": OP_HANDLER, "client.go": OP_CLIENT % room}, "\top.resp <- v")
    assert fixed is watched, why
    if not watched:
        assert "op.resp has a buffer (1) and is sent on once here" in why, why


# controller-runtime's manager: shutdownCtx is set only as the manager stops, nil before;
# set as it starts (the near miss), it is the running value's signal
STOP_CTX = """package p

import (
	"context"
	"errors"
	"time"
)

type mgr struct {
	errChan     chan error
	shutdownCtx context.Context
}

func (m *mgr) lost() {
	m.errChan <- errors.New("leader election lost")
}

func (m *mgr) %s() {
	var cancel context.CancelFunc
	m.shutdownCtx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
}
"""


@pytest.mark.parametrize("giver, watched", [("engageStopProcedure", False), ("start", True)])
def test_the_review_select_refuses_a_context_field_the_stop_sets(tmp_path, giver, watched):
    fixed, why = _watched_in_package(tmp_path, {"p.go": STOP_CTX % giver}, '\tm.errChan <- errors.New("leader election lost")')
    assert fixed is watched, why
    if not watched:
        assert "m.shutdownCtx is given only by engageStopProcedure" in why, why


# go-ethereum's txIndexer: close hands ch to loop, which answers every request it takes and
# closes the signal only as it returns; the near miss may return before answering
INDEXER = """package p

type indexer struct {
	term   chan chan struct{}
	closed chan struct{}
}

func (ix *indexer) loop(work <-chan int) {
	defer close(ix.closed)
	for {
		select {
		case <-work:
		case ch := <-ix.term:
%s			close(ch)
			return
		}
	}
}

func (ix *indexer) close() {
	ch := make(chan struct{})
	select {
	case ix.term <- ch:
		<-ch
	case <-ix.closed:
	}
}
"""


@pytest.mark.parametrize("before, watched", [("", False), ("\t\t\tif len(work) > 0 {\n\t\t\t\treturn\n\t\t\t}\n", True)])
def test_the_review_select_refuses_a_signal_closed_after_the_answer(before, watched):
    source = INDEXER % before
    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    line = source.splitlines().index("\t\t<-ch") + 1
    fix, why = channels.watch(sf, channels.operation_at(sf, line, "chan receive"), "chan receive")
    assert (fix is not None) is watched, why
    if not watched:
        assert "loop, which takes the request on term, answers it on every path" in why, why
