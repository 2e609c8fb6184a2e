"""Targeted fixes for proven leaks no rule fixed (`fix --evidence tests`): one module, one
package per shape, so that each `go test` run serves every case. For each shape the leak
check proves the leak on the input, `fix --evidence tests --write` fixes it, and the leak
check finds nothing on the output; where no fix must be made (a mutex deadlock, an unbounded
number of sends, a context nobody cancels) the file is left as it was, with the reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gofixleaks.edits import apply
from gofixleaks.evidence import leakcheck, targeted
from gofixleaks.evidence.targeted import channels
from gofixleaks.source import SourceFile

from . import gotools
from .conftest import write_module

BUFFER = """\
package buffer

import "time"

// Fetch waits d for a result; the sender then closes its channel.
func Fetch(d time.Duration) (int, bool) {
	results := make(chan int)
	go func() {
		time.Sleep(20 * time.Millisecond)
		results <- 42
		close(results)
	}()
	select {
	case v := <-results:
		return v, true
	case <-time.After(d):
		return 0, false
	}
}
"""

CALLEE = """\
package callee

import "context"

// produce sends 0..n-1 on out.
func produce(ctx context.Context, out chan<- int, n int) {
	for i := 0; i < n; i++ {
		out <- i // one value
	}
}

// FirstEven returns the first even number above zero that produce sends.
func FirstEven(ctx context.Context, n int) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan int)
	go func() {
		defer close(out)
		produce(ctx, out, n)
	}()
	for v := range out {
		if v%2 == 0 && v > 0 {
			return v
		}
	}
	return -1
}
"""

GATHER = """\
package gather

import "sync"

// Sum adds what one goroutine per item sends.
func Sum(items []int) int {
	ch := make(chan int)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			ch <- v * 2
		}(it)
	}
	total := 0
	for v := range ch {
		total += v
	}
	wg.Wait()
	return total
}
"""

UNTRACKED = GATHER.replace("package gather", "package untracked").replace(
    "\ttotal := 0\n", "\tgo func() { ch <- 1 }()\n\ttotal := 0\n")

MUTEX = """\
package mutex

import "sync"

// Deadlock starts a goroutine that waits for a lock nobody releases.
func Deadlock() {
	var mu sync.Mutex
	mu.Lock()
	go func() {
		mu.Lock()
		defer mu.Unlock()
	}()
}
"""

UNBOUNDED = """\
package unbounded

// First returns the first of n values a goroutine sends.
func First(n int) int {
	ch := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			ch <- i
		}
	}()
	return <-ch
}
"""

BACKGROUND = """\
package background

import "context"

func send(ctx context.Context, out chan<- int) {
	out <- 1
	out <- 2
}

// One returns the first of two values; the caller passes a context nobody cancels.
func One(ctx context.Context) int {
	out := make(chan int)
	go send(ctx, out)
	return <-out
}
"""


# A send on a receiver's channel field whose only receiving method closes a done field as
# it returns (GoBench's Etcd6857 has this shape); the negative: the receiver hands Stop a
# value on done rather than closing it, and a select on done would steal that hand-off.
DONEFIELD = """\
package donefield

// Counter hands out counts from its own goroutine until Stop.
type Counter struct {
	reqs chan chan int
	quit chan struct{}
	done chan struct{}
	n    int
}

// New starts a counter.
func New() *Counter {
	c := &Counter{reqs: make(chan chan int), quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

func (c *Counter) loop() {
	for {
		select {
		case r := <-c.reqs:
			c.n++
			r <- c.n
		case <-c.quit:
			close(c.done)
			return
		}
	}
}

// Stop ends the counter's goroutine.
func (c *Counter) Stop() {
	close(c.quit)
	<-c.done
}

// Next is the next count.
func (c *Counter) Next() int {
	r := make(chan int)
	c.reqs <- r
	return <-r
}
"""

NODONE = DONEFIELD.replace("package donefield", "package nodone").replace(
    "\t\t\tclose(c.done)\n", "\t\t\tc.done <- struct{}{}\n")

# A blocked send in a loop whose select already stops on a signal and returns (GoBench's
# Cockroach1462); the negative: the stop case does more than return, so the signal is not
# plainly "stop here".
STOPCASE = """\
package stopcase

// Group runs workers until Stop.
type Group struct {
	stop chan struct{}
}

// Go runs f on a goroutine of the group.
func (g *Group) Go(f func()) {
	go f()
}

// Stopping is closed when the group stops.
func (g *Group) Stopping() <-chan struct{} {
	return g.stop
}

// Stop stops the group.
func (g *Group) Stop() {
	close(g.stop)
}

// Feed sends 0, 1, 2, ... on out until the group stops.
func Feed(g *Group, out chan int) {
	g.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-g.Stopping():
				return
			default:
				out <- i
			}
		}
	})
}
"""

NOSTOP = STOPCASE.replace("package stopcase", "package nostop").replace(
    "\t\t\tcase <-g.Stopping():\n\t\t\t\treturn\n", "\t\t\tcase <-g.Stopping():\n\t\t\t\tout <- -1\n\t\t\t\treturn\n")

# A wait on a done channel only handed to a goroutine that ignores it (GoBench's
# Grpc1424); the negative: the goroutine's function is also called elsewhere, where a close
# would close another caller's channel.
CLOSEWAIT = """\
package closewait

// Watcher sums the events it is sent.
type Watcher struct {
	events chan int
	sum    int
}

func (w *Watcher) watch(done chan bool) {
	for e := range w.events {
		w.sum += e
	}
}

// Run watches w's events on a goroutine and waits until the watcher is done.
func Run(w *Watcher) int {
	done := make(chan bool)
	go w.watch(done)
	<-done
	return w.sum
}
"""

NOCLOSE = CLOSEWAIT.replace("package closewait", "package noclose") + """
// Drain consumes w's events on the calling goroutine.
func Drain(w *Watcher) {
\tw.watch(nil)
}
"""


# A blocked send on a wake-up channel (struct{}, a buffer of one, received only by empty
# select cases; GoBench's Cockroach24808): sending without blocking drops a wake-up a slow
# receiver would have seen, so it stays review however proven. The negative: a one-slot
# semaphore, whose blocking send is the point.
WAKEUP = """\
package wakeup

// Flusher flushes in the background whenever it is poked.
type Flusher struct {
	poke    chan struct{}
	stop    chan struct{}
	flushes int
}

// New makes a flusher; Run runs it.
func New() *Flusher {
	return &Flusher{poke: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Poke asks for a flush.
func (f *Flusher) Poke() {
	f.poke <- struct{}{}
}

// Run flushes on every poke until Stop.
func (f *Flusher) Run() {
	for {
		select {
		case <-f.stop:
			return
		case <-f.poke:
		}
		f.flushes++
	}
}

// Stop ends Run.
func (f *Flusher) Stop() {
	close(f.stop)
}
"""

NOWAKE = """\
package nowake

// Store lets one writer at a time in through a one-slot semaphore.
type Store struct {
	sem  chan struct{}
	data []int
}

// New makes a store.
func New() *Store {
	return &Store{sem: make(chan struct{}, 1)}
}

// Add appends v; the writer calls Done when it is through.
func (s *Store) Add(v int) {
	s.sem <- struct{}{}
	s.data = append(s.data, v)
}

// Done lets the next writer in.
func (s *Store) Done() {
	<-s.sem
}
"""

WAKEUP_FIXED = WAKEUP.replace(
    "\tf.poke <- struct{}{}\n", "\tselect {\n\tcase f.poke <- struct{}{}:\n\tdefault:\n\t}\n")


# A loop body that locks, and breaks out with the lock held before its Unlock (GoBench's
# Cockroach584): the next Lock, in another method, waits forever. The negative holds the
# lock across iterations on purpose and unlocks after the loop (GoBench's Moby7559): an
# Unlock before its continue would unlock twice when the loop ends.
UNLOCK = """\
package unlock

import "sync"

// Queue is a queue of jobs, drained until it is closed.
type Queue struct {
	mu     sync.Mutex
	jobs   []int
	closed bool
	done   int
}

// Drain takes jobs until the queue is closed.
func (q *Queue) Drain() {
	for {
		q.mu.Lock()
		if q.closed {
			break
		}
		if len(q.jobs) > 0 {
			q.jobs = q.jobs[1:]
			q.done++
		}
		q.mu.Unlock()
	}
}

// Close closes the queue.
func (q *Queue) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}
"""

HELDLOCK = UNLOCK.replace("package unlock", "package heldlock").replace(
    "// Drain takes jobs until the queue is closed.", "// Drain takes one job, unless the queue is closed.").replace(
    "\t\tif len(q.jobs) > 0 {\n\t\t\tq.jobs = q.jobs[1:]\n\t\t\tq.done++\n\t\t}\n\t\tq.mu.Unlock()\n\t}\n",
    "\t\tif len(q.jobs) == 0 {\n\t\t\tcontinue\n\t\t}\n\t\tq.jobs = q.jobs[1:]\n\t\tq.done++\n\t\tbreak\n\t}\n\tq.mu.Unlock()\n")


# A return that leaves a locked stretch with the lock held (GoBench's Moby17176, Grpc3017):
# Hit gets the Unlock; Count's return reads what the lock guards, so moving an Unlock before
# it would read unguarded: it is left as it is.
UNLOCKRET = """\
package unlockret

import "sync"

// Cache counts hits under a lock.
type Cache struct {
	mu   sync.Mutex
	hits map[string]int
}

// Hit counts a hit on key; an empty key is ignored.
func (c *Cache) Hit(key string) error {
	c.mu.Lock()
	if key == "" {
		return nil
	}
	c.hits[key]++
	c.mu.Unlock()
	return nil
}

// Count is key's hits so far.
func (c *Cache) Count(key string) int {
	c.mu.Lock()
	if key == "" {
		return c.hits[key]
	}
	n := c.hits[key]
	c.mu.Unlock()
	return n
}
"""

# A method that locks and calls a method of its type that locks the same mutex (GoBench's
# Moby36114, Syncthing4829): the callee's body moves to a Locked variant the holder calls.
RELOCK = """\
package relock

import "sync"

// Registry holds names under a lock.
type Registry struct {
	mu    sync.Mutex
	names map[string]bool
	count int
}

// Add adds name and drops the empty one.
func (r *Registry) Add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[name] = true
	r.prune("")
	r.count = r.size()
}

// prune drops name.
func (r *Registry) prune(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// gone for good
	delete(r.names, name)
}

// size is how many names there are.
func (r *Registry) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.names)
}
"""

# prune blocks first; size, called under the same hold, is split too
RELOCK_FIXED = RELOCK.replace("\tr.prune(\"\")\n\tr.count = r.size()\n", "\tr.pruneLocked(\"\")\n\tr.count = r.sizeLocked()\n").replace(
    "\tdefer r.mu.Unlock()\n\t// gone for good\n\tdelete(r.names, name)\n}\n",
    "\tdefer r.mu.Unlock()\n\tr.pruneLocked(name)\n}\n\n"
    "// pruneLocked is prune for a caller that holds r's lock.\n"
    "func (r *Registry) pruneLocked(name string) {\n\t// gone for good\n\tdelete(r.names, name)\n}\n").replace(
    "\tdefer r.mu.Unlock()\n\treturn len(r.names)\n}\n",
    "\tdefer r.mu.Unlock()\n\treturn r.sizeLocked()\n}\n\n"
    "// sizeLocked is size for a caller that holds r's lock.\n"
    "func (r *Registry) sizeLocked() int {\n\treturn len(r.names)\n}\n")

# The holder has only the read lock and the callee wants the write lock: not split.
UPGRADE = """\
package upgrade

import "sync"

// Cache holds n under a lock.
type Cache struct {
	mu sync.RWMutex
	n  int
}

// Get is n, set to 1 first when it is 0.
func (c *Cache) Get() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.n == 0 {
		c.reset()
	}
	return c.n
}

func (c *Cache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n = 1
}
"""

# wg.Add counted every goroutine, but the loop waits after starting each (GoBench's Moby25348).
WAITLOOP = """\
package waitloop

import "sync"

// Start runs start for every name, side by side.
func Start(names []string, start func(string)) {
	var wg sync.WaitGroup
	wg.Add(len(names))
	for _, n := range names {
		go func(n string) {
			defer wg.Done()
			start(n)
		}(n)
		wg.Wait() // each in turn
	}
}
"""

# The same, with work after the Wait in each pass: moving it would reorder that work.
WAITWORK = WAITLOOP.replace("package waitloop", "package waitwork").replace(
    "\t\twg.Wait() // each in turn\n", "\t\twg.Wait() // each in turn\n\t\tstart(n + \" done\")\n")

# A read lock kept by a return, reached through a field of the lock's type (GoBench's
# Etcd5509): the writer waits forever; the return gets the RUnlock.
RLOCKFIELD = """\
package rlockfield

import "sync"

// Client is closed under its lock.
type Client struct {
	mu     sync.RWMutex
	closed bool
}

// Close marks the client closed.
func (c *Client) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}

type conn struct {
	client *Client
}

// ready says whether the client is open.
func (r *conn) ready() bool {
	r.client.mu.RLock()
	if r.client.closed {
		return false
	}
	r.client.mu.RUnlock()
	return true
}
"""

# A read lock taken again through a wrapper while a writer waits (GoBench's Cockroach6181):
# the holder calls the method the wrapper locks around.
WRAPPER = """\
package wrapper

import (
	"fmt"
	"sync"
	"time"
)

// Table holds rows under a lock.
type Table struct {
	mu   sync.RWMutex
	rows []string
}

// Dump is the rows, after a pause.
func (t *Table) Dump(pause time.Duration) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	time.Sleep(pause)
	return t.String()
}

// String is the rows.
func (t *Table) String() string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.stringLocked()
}

func (t *Table) stringLocked() string {
	return fmt.Sprint(t.rows)
}

// Add adds a row.
func (t *Table) Add(r string) {
	t.mu.Lock()
	t.rows = append(t.rows, r)
	t.mu.Unlock()
}
"""

# A Lock written for an Unlock (GoBench's Grpc795): the second Stop waits for itself.
TWICE = """\
package twice

import "sync"

// Server drains once.
type Server struct {
	mu       sync.Mutex
	draining bool
}

// Stop drains the server; a second Stop does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	if s.draining {
		s.mu.Lock()
		return
	}
	s.draining = true
	s.mu.Unlock()
}
"""

# A keyed-lock registry that locks a key's mutex holding the registry lock, whose release
# needs that lock to find the mutex (GoBench's Hugo3251): hugo's later form reads the mutex
# under the lock and locks it after the release.
KEYED = """\
package keyed

import (
	"runtime"
	"sync"
)

// URLs serialises the work on each URL.
type URLs struct {
	sync.RWMutex                        // L1
	m            map[string]*sync.Mutex // L2
	hits         map[string]int
}

// URLLock locks url's mutex, made on first use.
func (l *URLs) URLLock(url string) {
	l.Lock() // L1
	if _, ok := l.m[url]; !ok {
		l.m[url] = &sync.Mutex{}
	}
	l.m[url].Lock() // L2
	runtime.Gosched()
	l.Unlock() // L1
}

// URLUnlock unlocks url's mutex.
func (l *URLs) URLUnlock(url string) {
	l.RLock()         // L1
	defer l.RUnlock() // L1
	if um, ok := l.m[url]; ok {
		um.Unlock() // L2
	}
}
"""

KEYED_FIXED = KEYED.replace("""\
	if _, ok := l.m[url]; !ok {
		l.m[url] = &sync.Mutex{}
	}
	l.m[url].Lock() // L2
	runtime.Gosched()
	l.Unlock() // L1
""", """\
	um, ok := l.m[url]
	if !ok {
		um = &sync.Mutex{}
		l.m[url] = um
	}
	l.Unlock() // L1
	um.Lock()  // L2
	runtime.Gosched()
""")

# The same with the registry lock in a field, read-write mutexes, a nil test, and a
# constructor making the map.
STRIPES = """\
package stripes

import "sync"

// Stripes locks names one by one.
type Stripes struct {
	mu    sync.Mutex
	locks map[string]*sync.RWMutex
}

// New returns empty stripes.
func New() *Stripes {
	s := &Stripes{}
	s.locks = make(map[string]*sync.RWMutex)
	return s
}

// Acquire locks name.
func (s *Stripes) Acquire(name string) {
	s.mu.Lock()
	if s.locks[name] == nil {
		s.locks[name] = new(sync.RWMutex)
	}
	s.locks[name].Lock()
	s.mu.Unlock()
}

// Release unlocks name.
func (s *Stripes) Release(name string) {
	s.mu.Lock()
	s.locks[name].Unlock()
	s.mu.Unlock()
}
"""

# Near misses: a registry whose release deletes the key's mutex (a mutex read before the
# release could be made again for its key: two holders), and one that counts under the
# registry lock after the key's Lock (the count would run without it).
KEYDELETE = KEYED.replace("package keyed", "package keydelete").replace(
    "\tl.RLock()         // L1\n\tdefer l.RUnlock() // L1\n", "\tl.Lock()         // L1\n\tdefer l.Unlock() // L1\n").replace(
    "\t\tum.Unlock() // L2\n", "\t\tum.Unlock() // L2\n\t\tdelete(l.m, url)\n")
KEYWORK = KEYED.replace("package keyed", "package keywork").replace("\truntime.Gosched()\n", "\tl.hits[url]++\n").replace(
    '\t"runtime"\n', "")

# A transaction whose watcher only its Rollback cancels, dropped by its caller (GoBench's
# Cockroach13197); the same with a Rollback that also writes, and with a value that escapes.
OWNER = """\
package owner

import "context"

// Tx is a transaction; Rollback ends it.
type Tx struct {
	ctx    context.Context
	cancel context.CancelFunc
	steps  int
}

func begin(ctx context.Context) *Tx {
	ctx, cancel := context.WithCancel(ctx)
	tx := &Tx{ctx: ctx, cancel: cancel}
	go tx.awaitDone()
	return tx
}

func (tx *Tx) awaitDone() {
	<-tx.ctx.Done()
}

// Rollback ends the transaction.
func (tx *Tx) Rollback() { tx.rollback() }

func (tx *Tx) rollback() {
	tx.cancel()
}

func (tx *Tx) step() { tx.steps++ }

// Count runs n steps in a transaction of its own.
func Count(n int) int {
	tx := begin(context.Background())
	for i := 0; i < n; i++ {
		tx.step()
	}
	return tx.steps
}

// Probe starts a transaction and forgets it.
func Probe() {
	begin(context.Background()) // only its start matters
}
"""

OWNERFLUSH = OWNER.replace("package owner", "package ownerflush").replace(
    "func (tx *Tx) rollback() {\n\ttx.cancel()\n}", "func (tx *Tx) rollback() {\n\ttx.steps = 0\n\ttx.cancel()\n}")

OWNERKEPT = OWNER.replace("package owner", "package ownerkept").replace(
    "// Probe starts a transaction and forgets it.\nfunc Probe() {\n\tbegin(context.Background()) // only its start matters\n}",
    "var last *Tx\n\n// Probe starts a transaction and keeps it.\nfunc Probe() {\n\ttx := begin(context.Background())\n\tlast = tx\n}").replace(
    "\tfor i := 0; i < n; i++ {\n\t\ttx.step()\n\t}\n\treturn tx.steps\n", "\tlast = tx\n\treturn n\n")

# A waiter for an activation that failed: its loop ignores the error it returns (GoBench's
# Moby30408).
CONDWAIT = """\
package condwait

import (
	"errors"
	"sync"
)

// Plugin activates once; waiters wait for it.
type Plugin struct {
	cond     *sync.Cond
	err      error
	manifest *string
}

// New starts an activation that fails.
func New() *Plugin {
	p := &Plugin{cond: sync.NewCond(&sync.Mutex{})}
	p.err = errors.New("activation failed")
	return p
}

// Wait waits for the activation and returns its error.
func (p *Plugin) Wait() error {
	p.cond.L.Lock()
	for p.manifest == nil {
		p.cond.Wait()
	}
	p.cond.L.Unlock()
	return p.err
}
"""

# The Stop-and-drain idiom after the select took the timer's value (GoBench's Istio18454).
DRAIN = """\
package drain

import "time"

// Debouncer runs f once nothing pokes it for d.
type Debouncer struct {
	t    *time.Timer
	poke chan struct{}
	d    time.Duration
}

func (b *Debouncer) loop(f func(), stop chan struct{}) {
	for {
		select {
		case <-b.t.C:
			f()
		case <-b.poke:
			if !b.t.Stop() {
				<-b.t.C
			}
			b.t.Reset(b.d)
		case <-stop:
			return
		}
	}
}
"""

DRAIN_TEST = """b := &Debouncer{t: time.NewTimer(time.Millisecond), poke: make(chan struct{}), d: time.Hour}
	stop := make(chan struct{})
	go b.loop(func() {}, stop)
	time.Sleep(10 * time.Millisecond)
	b.poke <- struct{}{}
	close(stop)
	time.Sleep(20 * time.Millisecond)"""

# A lock taken at the top of each pass and released once after the loop (GoBench's
# Moby7559): a pass that goes round takes it again. Each pass releases it instead.
LOCKPASS = """\
package lockpass

import "sync"

// Pool hands out ids.
type Pool struct {
	mu   sync.Mutex
	next int
}

// Take tries ids until free says yes, three at most.
func (p *Pool) Take(free func(int) bool) int {
	id := 0
	for i := 0; i < 3; i++ {
		p.mu.Lock()
		id = p.next
		p.next++
		if !free(id) {
			continue
		}
		break
	}
	p.mu.Unlock()
	return id
}
"""

# stop holds the lock its worker takes before it can close done (GoBench's Etcd6873): the
# release moves before the wait, a review fix even when proven.
WAITHELD = """\
package waitheld

import (
	"sync"
	"time"
)

// Hub hands updates to a worker.
type Hub struct {
	mu      sync.Mutex
	updates chan int
	done    chan struct{}
	seen    int
}

// New starts the worker.
func New() *Hub {
	h := &Hub{updates: make(chan int, 1), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for u := range h.updates {
			time.Sleep(10 * time.Millisecond) // a slow worker: Stop holds the lock by now
			h.note(u)
		}
	}()
	return h
}

func (h *Hub) note(u int) {
	h.mu.Lock()
	h.seen += u
	h.mu.Unlock()
}

// Stop ends the worker and waits for it.
func (h *Hub) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.updates)
	<-h.done
}
"""

# A close waiting for the lock its blocked sender holds (GoBench's Kubernetes6632, spdystream's
# issue 49): the monitor has left its receiving, takes the write lock to close its copy of
# resetChan, and the writer holding it waits to send on resetChan. A drain started before the
# Lock lets the writer finish; the close ends the drain.
DRAINCLOSE = """\
package drainclose

import (
	"sync"
	"time"
)

// Framer resets an idle timer on every frame written, until its connection closes.
type Framer struct {
	writeLock sync.Mutex
	resetChan chan bool
	closeChan chan bool
}

// New starts the Framer's monitor.
func New() *Framer {
	f := &Framer{resetChan: make(chan bool), closeChan: make(chan bool)}
	go f.monitor(time.Minute)
	return f
}

func (f *Framer) monitor(idle time.Duration) {
	resetChan := f.resetChan
	timer := time.NewTimer(idle)
	defer timer.Stop()
Loop:
	for {
		select {
		case <-resetChan:
			timer.Reset(idle)
		case <-timer.C:
			return
		case <-f.closeChan:
			f.writeLock.Lock()
			close(resetChan)
			f.resetChan = nil
			f.writeLock.Unlock()
			break Loop
		}
	}
}

// WriteFrame writes a frame with write and resets the idle timer.
func (f *Framer) WriteFrame(write func()) {
	f.writeLock.Lock()
	defer f.writeLock.Unlock()
	if f.resetChan == nil {
		return
	}
	write()
	f.resetChan <- true
}
"""

# the writer holds the lock in a slow write while the close request comes, then sends
DRAINCLOSE_TEST = """f := New()
	writing := make(chan bool)
	go f.WriteFrame(func() {
		writing <- true
		time.Sleep(20 * time.Millisecond)
	})
	<-writing
	f.closeChan <- true
	time.Sleep(40 * time.Millisecond)"""

# near misses: the close of the field itself (a drain would read it unlocked), and a second
# receiver of the field (a drain would steal its values)
CLOSEFIELD = DRAINCLOSE.replace("package drainclose", "package closefield").replace("close(resetChan)", "close(f.resetChan)")
DRAINSTEAL = DRAINCLOSE.replace("package drainclose", "package drainsteal") + """
// Written waits for the next frame written.
func (f *Framer) Written() {
	<-f.resetChan
}
"""


# A single-case select is the plain operation it compiles to (the dump reports it as a
# bare send on the case's line): the stop case is added to it (CALLEE's shape otherwise).
SELECTWATCH = CALLEE.replace("package callee", "package selectwatch").replace(
    "\t\tout <- i // one value\n", "\t\tselect {\n\t\tcase out <- i: // one value\n\t\t}\n")

# The same for a wake-up send whose case also counts (WAKEUP's shape otherwise): a default
# would skip the count with the send, so it is left as it is.
WAKEBODY = WAKEUP.replace("package wakeup", "package wakebody").replace("\tflushes int\n", "\tflushes int\n\tpokes   int\n").replace(
    "\tf.poke <- struct{}{}\n", "\tselect {\n\tcase f.poke <- struct{}{}:\n\t\tf.pokes++\n\t}\n")

# pop waits for its stop holding the lock Add takes, and the stopper adds before it stops
# (GoBench's Kubernetes26980): the lock is released for the wait and taken again before
# the return, a review fix even when proven. The negative reads what the lock guards after
# the wait: released for the wait, the lock would not guard that read.
STOPWAIT = """\
package stopwait

import "sync"

// Listener queues notifications for Pop.
type Listener struct {
	mu      sync.Mutex
	pending []int
	dropped int
}

// Add queues n.
func (l *Listener) Add(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(l.pending, n)
}

// Pop waits for stop once something is pending.
func (l *Listener) Pop(stop <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) > 0 {
		select {
		case <-stop:
			return
		}
	}
}
"""

STOPWAIT_CHANGE = ("\t\tselect {\n\t\tcase <-stop:\n\t\t\treturn\n",
                   "\t\tl.mu.Unlock()\n\t\tselect {\n\t\tcase <-stop:\n\t\t\tl.mu.Lock()\n\t\t\treturn\n")
STOPWAIT_FIXED = STOPWAIT.replace(*STOPWAIT_CHANGE)

STOPREAD = STOPWAIT.replace("package stopwait", "package stopread").replace(
    "\t\tcase <-stop:\n\t\t\treturn\n", "\t\tcase <-stop:\n\t\t\tl.dropped += len(l.pending)\n\t\t\treturn\n")

# the stopper adds before it closes stop, while Pop holds the lock
STOPWAIT_TEST = """l := &Listener{}
	l.Add(1)
	stop := make(chan struct{})
	go l.Pop(stop)
	time.Sleep(10 * time.Millisecond)
	go func() {
		l.Add(2)
		close(stop)
	}()
	time.Sleep(20 * time.Millisecond)"""


def _test(pkg: str, call: str, imports: str = "") -> str:
    return f'package {pkg}\n\nimport (\n{imports}\t"testing"\n)\n\nfunc TestIt(t *testing.T) {{\n\t{call}\n}}\n'


# Sum blocks forever on the input: the test waits a little, then leaves it behind
SUM_TEST = """done := make(chan int, 1)
	go func() {{ done <- Sum([]int{{1, 2, 3}}) }}()
	select {{
	case v := <-done:
		if v != {want} {{
			t.Fatal(v)
		}}
	case <-time.After(50 * time.Millisecond):
	}}"""

COUNTER_TEST = """c := New()
	if c.Next() != 1 {
		t.Fatal("want 1")
	}
	c.Stop()
	go c.Next()
	time.Sleep(20 * time.Millisecond)"""

FEED_TEST = """g := &Group{stop: make(chan struct{})}
	out := make(chan int)
	Feed(g, out)
	if <-out != 0 {
		t.Fatal("want 0")
	}
	time.Sleep(20 * time.Millisecond) // the feeder is at its next send before the stop
	g.Stop()
	time.Sleep(20 * time.Millisecond)"""

# Run returns the sum once the watcher is done: on the fixed code the test sees 2
RUN_TEST = """w := &Watcher{events: make(chan int)}
	got := make(chan int, 1)
	go func() { got <- Run(w) }()
	w.events <- 2
	close(w.events)
	select {
	case v := <-got:
		if v != 2 {
			t.Fatal(v)
		}
	case <-time.After(50 * time.Millisecond):
	}"""

# "a" is held; a second locker of "a" waits holding the registry lock, and a locker of "b"
# and the release of "a" wait for that lock. A sync.Mutex is a tiny allocation: until a GC
# drops the allocator's hold on its block, the leak profile may see it reachable
KEYED_TEST = """r := {New}
	r.{Lock}("a")
	go r.{Lock}("a")
	time.Sleep(10 * time.Millisecond)
	go r.{Lock}("b")
	go r.{Unlock}("a")
	time.Sleep(20 * time.Millisecond)
	runtime.GC()"""

# nobody runs the flusher: the second poke blocks
POKE_TEST = "f := New()\n\tf.Poke()\n\tgo f.Poke()\n\ttime.Sleep(20 * time.Millisecond)"

FILES = {
    "buffer/buffer.go": BUFFER,
    "buffer/buffer_test.go": _test("buffer", '_, _ = Fetch(time.Millisecond)\n\ttime.Sleep(40 * time.Millisecond)', '\t"time"\n'),
    "callee/callee.go": CALLEE,
    "callee/callee_test.go": _test("callee", "if FirstEven(context.Background(), 10) != 2 {\n\t\tt.Fatal(\"want 2\")\n\t}", '\t"context"\n'),
    "gather/gather.go": GATHER,
    "gather/gather_test.go": _test("gather", SUM_TEST.format(want=12), '\t"time"\n'),
    "untracked/untracked.go": UNTRACKED,
    "untracked/untracked_test.go": _test("untracked", SUM_TEST.format(want=13), '\t"time"\n'),
    "mutex/mutex.go": MUTEX,
    "mutex/mutex_test.go": _test("mutex", "Deadlock()"),
    "unbounded/unbounded.go": UNBOUNDED,
    "unbounded/unbounded_test.go": _test("unbounded", "if First(3) != 0 {\n\t\tt.Fatal(\"want 0\")\n\t}"),
    "background/background.go": BACKGROUND,
    "background/background_test.go": _test("background", "One(context.Background())", '\t"context"\n'),
    # the same, its context from a helper the tool does not read: only the re-run can tell
    "opaque/opaque.go": BACKGROUND.replace("package background", "package opaque"),
    "opaque/opaque_test.go": _test("opaque", "One(background())", '\t"context"\n')
    + "\nfunc background() context.Context { return context.Background() }\n",
    "donefield/donefield.go": DONEFIELD,
    "donefield/donefield_test.go": _test("donefield", COUNTER_TEST, '\t"time"\n'),
    "nodone/nodone.go": NODONE,
    "nodone/nodone_test.go": _test("nodone", COUNTER_TEST, '\t"time"\n'),
    "stopcase/stopcase.go": STOPCASE,
    "stopcase/stopcase_test.go": _test("stopcase", FEED_TEST, '\t"time"\n'),
    "nostop/nostop.go": NOSTOP,
    "nostop/nostop_test.go": _test("nostop", FEED_TEST, '\t"time"\n'),
    "closewait/closewait.go": CLOSEWAIT,
    "closewait/closewait_test.go": _test("closewait", RUN_TEST, '\t"time"\n'),
    "noclose/noclose.go": NOCLOSE,
    "noclose/noclose_test.go": _test("noclose", RUN_TEST, '\t"time"\n'),
    "unlock/unlock.go": UNLOCK,
    "unlock/unlock_test.go": _test("unlock", "q := &Queue{closed: true}\n\tq.Drain()\n\tgo q.Close()\n\ttime.Sleep(20 * time.Millisecond)",
                                   '\t"time"\n'),
    "heldlock/heldlock.go": HELDLOCK,
    "heldlock/heldlock_test.go": _test(
        "heldlock", "q := &Queue{}\n\tgo q.Drain()\n\ttime.Sleep(20 * time.Millisecond)\n\tgo q.Close()\n\ttime.Sleep(20 * time.Millisecond)", '\t"time"\n'),
    "unlockret/unlockret.go": UNLOCKRET,
    "unlockret/unlockret_test.go": _test(
        "unlockret", 'c := &Cache{hits: map[string]int{}}\n\t_ = c.Hit("")\n\tgo c.Hit("a")\n\ttime.Sleep(20 * time.Millisecond)', '\t"time"\n'),
    "wakeup/wakeup.go": WAKEUP,
    "wakeup/wakeup_test.go": _test("wakeup", POKE_TEST, '\t"time"\n'),
    "nowake/nowake.go": NOWAKE,
    "nowake/nowake_test.go": _test("nowake", "s := New()\n\ts.Add(1)\n\tgo s.Add(2)\n\ttime.Sleep(20 * time.Millisecond)", '\t"time"\n'),
    "relock/relock.go": RELOCK,
    "relock/relock_test.go": _test("relock", 'r := &Registry{names: map[string]bool{}}\n\tgo r.Add("a")\n\ttime.Sleep(20 * time.Millisecond)',
                                   '\t"time"\n'),
    "upgrade/upgrade.go": UPGRADE,
    "upgrade/upgrade_test.go": _test("upgrade", "go (&Cache{}).Get()\n\ttime.Sleep(20 * time.Millisecond)", '\t"time"\n'),
    "waitloop/waitloop.go": WAITLOOP,
    "waitloop/waitloop_test.go": _test("waitloop", 'go Start([]string{"a", "b"}, func(string) {})\n\ttime.Sleep(20 * time.Millisecond)', '\t"time"\n'),
    "waitwork/waitwork.go": WAITWORK,
    "waitwork/waitwork_test.go": _test("waitwork", 'go Start([]string{"a", "b"}, func(string) {})\n\ttime.Sleep(20 * time.Millisecond)', '\t"time"\n'),
    "rlockfield/rlockfield.go": RLOCKFIELD,
    "rlockfield/rlockfield_test.go": _test(
        "rlockfield", "c := &Client{closed: true}\n\t(&conn{client: c}).ready()\n\tgo c.Close()\n\ttime.Sleep(20 * time.Millisecond)", '\t"time"\n'),
    "wrapper/wrapper.go": WRAPPER,
    "wrapper/wrapper_test.go": _test(
        "wrapper", 'tb := &Table{}\n\tgo tb.Dump(20 * time.Millisecond)\n\ttime.Sleep(5 * time.Millisecond)\n\tgo tb.Add("a")\n\ttime.Sleep(60 * time.Millisecond)',
        '\t"time"\n'),
    "drain/drain.go": DRAIN,
    "drain/drain_test.go": _test("drain", DRAIN_TEST, '\t"time"\n'),
    "lockpass/lockpass.go": LOCKPASS,
    "lockpass/lockpass_test.go": _test("lockpass", "go (&Pool{}).Take(func(id int) bool { return id > 0 })\n\ttime.Sleep(20 * time.Millisecond)",
                                       '\t"time"\n'),
    "waitheld/waitheld.go": WAITHELD,
    "waitheld/waitheld_test.go": _test("waitheld", "h := New()\n\th.updates <- 1\n\tgo h.Stop()\n\ttime.Sleep(40 * time.Millisecond)",
                                       '\t"time"\n'),
    "owner/owner.go": OWNER,
    "owner/owner_test.go": _test("owner", "if Count(3) != 3 {\n\t\tt.Fatal()\n\t}\n\tProbe()"),
    "ownerflush/ownerflush.go": OWNERFLUSH,
    "ownerflush/ownerflush_test.go": _test("ownerflush", "Count(3)\n\tProbe()"),
    "ownerkept/ownerkept.go": OWNERKEPT,
    "ownerkept/ownerkept_test.go": _test("ownerkept", "Count(3)\n\tProbe()"),
    "condwait/condwait.go": CONDWAIT,
    "condwait/condwait_test.go": _test("condwait", "go New().Wait()\n\ttime.Sleep(20 * time.Millisecond)", '\t"time"\n'),
    "keyed/keyed.go": KEYED,
    "keyed/keyed_test.go": _test("keyed", KEYED_TEST.format(New="&URLs{m: map[string]*sync.Mutex{}}", Lock="URLLock", Unlock="URLUnlock"),
                                 '\t"runtime"\n\t"sync"\n\t"time"\n'),
    "stripes/stripes.go": STRIPES,
    "stripes/stripes_test.go": _test("stripes", KEYED_TEST.format(New="New()", Lock="Acquire", Unlock="Release"), '\t"runtime"\n\t"time"\n'),
    "keydelete/keydelete.go": KEYDELETE,
    "keydelete/keydelete_test.go": _test("keydelete", KEYED_TEST.format(New="&URLs{m: map[string]*sync.Mutex{}}", Lock="URLLock",
                                                                        Unlock="URLUnlock"), '\t"runtime"\n\t"sync"\n\t"time"\n'),
    "keywork/keywork.go": KEYWORK,
    "keywork/keywork_test.go": _test("keywork", KEYED_TEST.format(New="&URLs{m: map[string]*sync.Mutex{}, hits: map[string]int{}}",
                                                                  Lock="URLLock", Unlock="URLUnlock"), '\t"runtime"\n\t"sync"\n\t"time"\n'),
    "twice/twice.go": TWICE,
    "twice/twice_test.go": _test("twice", "s := &Server{}\n\ts.Stop()\n\tgo s.Stop()\n\ttime.Sleep(20 * time.Millisecond)", '\t"time"\n'),
    "drainclose/drainclose.go": DRAINCLOSE,
    "drainclose/drainclose_test.go": _test("drainclose", DRAINCLOSE_TEST, '\t"time"\n'),
    "closefield/closefield.go": CLOSEFIELD,
    "closefield/closefield_test.go": _test("closefield", DRAINCLOSE_TEST, '\t"time"\n'),
    "drainsteal/drainsteal.go": DRAINSTEAL,
    "drainsteal/drainsteal_test.go": _test("drainsteal", DRAINCLOSE_TEST, '\t"time"\n'),
    "selectwatch/selectwatch.go": SELECTWATCH,
    "selectwatch/selectwatch_test.go": _test("selectwatch", "if FirstEven(context.Background(), 10) != 2 {\n\t\tt.Fatal(\"want 2\")\n\t}",
                                             '\t"context"\n'),
    "wakebody/wakebody.go": WAKEBODY,
    "wakebody/wakebody_test.go": _test("wakebody", POKE_TEST, '\t"time"\n'),
    "stopwait/stopwait.go": STOPWAIT,
    "stopwait/stopwait_test.go": _test("stopwait", STOPWAIT_TEST, '\t"time"\n'),
    "stopread/stopread.go": STOPREAD,
    "stopread/stopread_test.go": _test("stopread", STOPWAIT_TEST, '\t"time"\n'),
}


def run_flow(root: Path, files: dict[str, str], *flags: str):
    """The leak check before, `fix --evidence tests --write` (with ``flags``), the leak
    check after, on a module of ``files`` written under ``root``: (module, before's
    packages by name, the fix's result, after's packages by name). Other targeted-fix test
    files build their cases on it.

    The fix runs both checks itself, on the module as it is on disk: its evidence before
    anything is written, its re-run after the write. Those runs are the ones kept (a run of
    every package costs half a minute); only a check the fix did not run is run here."""
    from unittest import mock

    from click.testing import CliRunner

    from gofixleaks.cli import main

    gotools.require_go()
    module = write_module(root / "m", files)
    env = gotools.go_env()
    on_disk = []  # the fix's checks of the files as they are (the others overlay its fixes)
    check = leakcheck.run

    def recorded(paths, *args, **kwargs):
        run = check(paths, *args, **kwargs)
        if list(paths) == [str(module)] and not args and not kwargs.get("replace"):  # not a proof run over an overlay
            on_disk.append(run)
        return run

    with mock.patch.object(leakcheck, "run", recorded):
        result = CliRunner().invoke(main, ["fix", "--evidence", "tests", "--write", "--no-cache", *flags, str(module)],
                                    catch_exceptions=False, env=env)
    assert "Traceback" not in result.stderr
    before = on_disk[0] if on_disk else leakcheck.run([str(module)], env=env)
    after = on_disk[-1] if len(on_disk) > 1 else leakcheck.run([str(module)], env=env)
    by_pkg = lambda run: {Path(p.dir).name: p for p in run.packages}  # noqa: E731
    return module, by_pkg(before), result, by_pkg(after)


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """The leak check before, `fix --evidence tests --write`, the leak check after."""
    return run_flow(tmp_path_factory.mktemp("targeted"), FILES)


def _proven(pkg) -> bool:
    return pkg.status == "leak" and any(s.leaked for s in pkg.sites)


def _line(stderr: str, where: str) -> str:
    return next((ln for ln in stderr.splitlines() if ln.startswith("  targeted: ") and where in ln), "")


def _confirmed(stderr: str, where: str) -> str:
    """The evidence's confirmations of findings at ``where`` (several rules may cover a site)."""
    return "\n".join(ln for ln in stderr.splitlines() if ln.startswith("  confirmed: ") and where in ln)


@pytest.mark.parametrize("pkg, source, fixed, where, said", [
    ("buffer", BUFFER, BUFFER.replace("make(chan int)", "make(chan int, 1)"), "buffer.go:10",
     "proven-leak (fixed): buffer results with capacity 1"),
    ("gather", GATHER, GATHER.replace(
        "\tfor v := range ch {", "\tgo func() {\n\t\twg.Wait()\n\t\tclose(ch)\n\t}()\n\tfor v := range ch {"),
     # the same close is a rule's fix now (range-not-closed): the evidence confirms it, no
     # targeted fix is needed
     "gather.go:", "range-not-closed (fixed)"),
    ("donefield", DONEFIELD, DONEFIELD.replace(
        "\tc.reqs <- r\n", "\tselect {\n\tcase c.reqs <- r:\n\tcase <-c.done:\n\t\treturn 0\n\t}\n"),
     "donefield.go:40", "proven-leak (fixed): select on c.done too (closed when the receiver of reqs returns)"),
    ("closewait", CLOSEWAIT, CLOSEWAIT.replace(
        "func (w *Watcher) watch(done chan bool) {\n", "func (w *Watcher) watch(done chan bool) {\n\tdefer close(done)\n"),
     "closewait.go:19", "proven-leak (fixed): close done when watch returns"),
    ("unlock", UNLOCK, UNLOCK.replace("\t\tif q.closed {\n\t\t\tbreak\n", "\t\tif q.closed {\n\t\t\tq.mu.Unlock()\n\t\t\tbreak\n"),
     "unlock.go:30", "proven-leak (fixed): unlock before each return, break or continue that leaves a locked stretch"),
    # lock-not-released finds and fixes it, and Count's return that keeps the lock too
    ("unlockret", UNLOCKRET, UNLOCKRET.replace('\tif key == "" {\n\t\treturn nil\n', '\tif key == "" {\n\t\tc.mu.Unlock()\n\t\treturn nil\n').replace(
        '\tif key == "" {\n\t\treturn c.hits[key]\n', '\tif key == "" {\n\t\tc.mu.Unlock()\n\t\treturn c.hits[key]\n'),
     "unlockret.go:13", "lock-not-released (fixed)"),
    ("relock", RELOCK, RELOCK_FIXED, "relock.go:23",
     "proven-leak (fixed): move prune's body to pruneLocked, move size's body to sizeLocked, for the callers already holding the lock"),
    ("waitloop", WAITLOOP, WAITLOOP.replace("\t\twg.Wait() // each in turn\n\t}\n", "\t}\n\twg.Wait() // each in turn\n"),
     "waitloop.go:14", "proven-leak (fixed): wait for wg after the loop: len(names) goroutines were added before it"),
    ("rlockfield", RLOCKFIELD, RLOCKFIELD.replace("\tif r.client.closed {\n", "\tif r.client.closed {\n\t\tr.client.mu.RUnlock()\n"),
     "rlockfield.go:13", "proven-leak (fixed): lock-not-released's fix at line 24 releases the lock it waits for"),
    ("wrapper", WRAPPER, WRAPPER.replace("\treturn t.String()\n", "\treturn t.stringLocked()\n"),
     "wrapper.go:25", "proven-leak (fixed): call stringLocked (which String wraps in the lock), for the callers already holding the lock"),
    ("twice", TWICE, TWICE.replace("\t\ts.mu.Lock()\n", "\t\ts.mu.Unlock()\n"),
     "twice.go:15", "proven-leak (fixed): Unlock where the function locked a second time before returning"),
    # aimed from the key's Lock and from the registry's, where the locker of "b" waits: one edit
    ("keyed", KEYED, KEYED_FIXED, "keyed.go:21", "proven-leak (fixed): lock l.m[url] after l.Unlock(): its holder needs l's lock"),
    ("keyed", KEYED, KEYED_FIXED, "keyed.go:17", "proven-leak (fixed): lock l.m[url] after l.Unlock(): its holder needs l's lock"),
    ("stripes", STRIPES, STRIPES.replace(
        "\tif s.locks[name] == nil {\n\t\ts.locks[name] = new(sync.RWMutex)\n\t}\n\ts.locks[name].Lock()\n\ts.mu.Unlock()\n",
        "\tlock := s.locks[name]\n\tif lock == nil {\n\t\tlock = new(sync.RWMutex)\n\t\ts.locks[name] = lock\n\t}\n\ts.mu.Unlock()\n\tlock.Lock()\n"),
     "stripes.go:24", "proven-leak (fixed): lock s.locks[name] after s.mu.Unlock(): its holder needs s.mu's lock"),
    ("drain", DRAIN, DRAIN.replace("\t\t\t\t<-b.t.C\n", "\t\t\t\tselect {\n\t\t\t\tcase <-b.t.C:\n\t\t\t\tdefault:\n\t\t\t\t}\n"),
     "drain.go:19", "proven-leak (fixed): drain b.t.C without blocking"),
    # the loop that holds its lock into the next pass (an Unlock before the continue alone
    # would unlock twice once the loop ends): every pass releases it instead
    ("heldlock", HELDLOCK, HELDLOCK.replace("\t\t\tbreak\n", "\t\t\tq.mu.Unlock()\n\t\t\tbreak\n").replace(
        "\t\t\tcontinue\n", "\t\t\tq.mu.Unlock()\n\t\t\tcontinue\n").replace(
        "\t\tq.done++\n\t\tbreak\n\t}\n\tq.mu.Unlock()\n", "\t\tq.done++\n\t\tq.mu.Unlock()\n\t\tbreak\n\t}\n"),
     "heldlock.go:16", "proven-leak (fixed): release the lock in every pass"),
    ("lockpass", LOCKPASS, LOCKPASS.replace("\t\t\tcontinue\n\t\t}\n\t\tbreak\n\t}\n\tp.mu.Unlock()\n",
                                          "\t\t\tp.mu.Unlock()\n\t\t\tcontinue\n\t\t}\n\t\tp.mu.Unlock()\n\t\tbreak\n\t}\n"),
     "lockpass.go:15", "proven-leak (fixed): release the lock in every pass"),
    # the caller owns the transaction: every caller that keeps it to itself rolls it back
    ("owner", OWNER, OWNER.replace(
        "\ttx := begin(context.Background())\n", "\ttx := begin(context.Background())\n\tdefer tx.Rollback()\n").replace(
        "\tbegin(context.Background()) // only its start matters\n",
        "\ttx := begin(context.Background()) // only its start matters\n\tdefer tx.Rollback()\n"),
     "owner.go:20", "proven-leak (fixed): defer Rollback() where a Tx is made and dropped"),
    ("drainclose", DRAINCLOSE, DRAINCLOSE.replace(
        "\t\tcase <-f.closeChan:\n", "\t\tcase <-f.closeChan:\n\t\t\tgo func() {\n\t\t\t\tfor range resetChan {\n\t\t\t\t}\n\t\t\t}()\n"),
     "drainclose.go:34", "proven-leak (fixed): drain resetChan before locking f.writeLock to close it"),
])
def test_a_proven_leak_is_fixed_and_gone_after(flow, pkg, source, fixed, where, said):
    assert_fixed(flow, pkg, fixed, where, said)


def assert_fixed(run, pkg: str, fixed: str, where: str, said: str) -> None:
    """Of a ``run_flow`` result: ``pkg`` leaked before, its file is ``fixed`` after, stderr
    says ``said`` at ``where`` (a targeted line, or a rule's confirmation), the re-run is green."""
    module, before, result, after = run
    assert _proven(before[pkg]), before[pkg].message
    assert (module / pkg / f"{pkg}.go").read_text() == fixed
    assert said in (_line if "proven-leak" in said else _confirmed)(result.stderr, where), result.stderr
    assert after[pkg].status == "ok", after[pkg].message


def assert_left(run, pkg: str, source: str, where: str, *said: str) -> str:
    """Of a ``run_flow`` result: ``pkg`` leaked before, its file is still ``source`` after,
    the targeted line at ``where`` says each of ``said``, and the leak is still there. The
    line, for more checks."""
    module, before, result, after = run
    assert _proven(before[pkg]), before[pkg].message
    assert (module / pkg / f"{pkg}.go").read_text() == source
    line = _line(result.stderr, where)
    assert line and all(s in line for s in said), result.stderr
    assert _proven(after[pkg]), after[pkg].message
    return line


def ask_shape(tmp_path: Path, shape, source: str, text: str, others: dict[str, str] | None = None):
    """A send shape's answer (``shape(sf, stmt, "chan send", path)``) for the send on the line
    starting ``text`` of ``source``, the file of a package of its own (beside ``others``):
    (the fix, why not, the file it makes)."""
    path = tmp_path / "p.go"
    path.write_text(source)
    for name, content in (others or {}).items():
        (tmp_path / name).write_text(content)
    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln.strip().startswith(text))
    fix, why = shape(sf, channels.operation_at(sf, line, "chan send"), "chan send", str(path))
    return fix, why, apply(sf.data, fix.edits).decode() if fix is not None else None


def assert_gofmt_and_vet_clean(module: Path, pkgs: tuple[str, ...]) -> None:
    for pkg in pkgs:
        assert gotools.gofmt_clean((module / pkg / f"{pkg}.go").read_bytes()), pkg
    vet = gotools.run_go(["vet", *(f"./{pkg}" for pkg in pkgs)], cwd=str(module))
    assert vet.returncode == 0, vet.stderr


@pytest.mark.parametrize("pkg, source, where, said", [
    # a producer the WaitGroup does not count: a close after Wait could come before its send
    ("untracked", UNTRACKED, "untracked.go:18", "(not fixed): a range over a channel nobody closes, whose last sender range-not-closed cannot place"),
    ("mutex", MUTEX, "mutex.go:10", "(not fixed): blocked on sync.Mutex.Lock"),
    ("unbounded", UNBOUNDED, "unbounded.go:8", "(not fixed): the number of sends on ch is not bounded"),
    # the stop-signal select stays review however proven: applied only with --unsafe-fixes
    ("callee", CALLEE, "callee.go:8", "(review): select on ctx.Done() too"),
    ("stopcase", STOPCASE, "stopcase.go:31", "(review): select on g.Stopping() too"),
    ("nodone", NODONE, "nodone.go:40", "the receiver of reqs closes no done field of its type as it returns"),
    ("nostop", NOSTOP, "nostop.go:32", "(not fixed): no stop signal in scope"),
    ("noclose", NOCLOSE, "noclose.go:19", "watch is called or named elsewhere too"),
    ("nowake", NOWAKE, "nowake.go:16", "a receive from sem is not an empty select case"),
    ("wakeup", WAKEUP, "wakeup.go:17", "(review): send without blocking on wake-up channel poke"),
    ("waitheld", WAITHELD, "waitheld.go:40", "(review): release h.mu before the exchange on h.done"),
    ("upgrade", UPGRADE, "upgrade.go:22", "(not fixed): blocked on sync.RWMutex.Lock"),
    ("upgrade", UPGRADE, "upgrade.go:22", "a caller holds only the read lock and reset takes the write lock"),
    ("waitwork", WAITWORK, "waitwork.go:14", "the Wait is not the last statement of its loop's body"),
    # a retry that cleared the error would see waiters leave early: review however proven
    ("condwait", CONDWAIT, "condwait.go:26", "(review): stop waiting once p.err is set"),
    # a Rollback that also writes: the owner must call it where the writes are right
    ("ownerflush", OWNERFLUSH, "ownerflush.go:20", "no method of Tx does nothing but call cancel"),
    # the value is stored in a package variable: its owner is out of view
    ("ownerkept", OWNERKEPT, "ownerkept.go:20", "no caller in this file drops a Tx it keeps to itself"),
    ("closefield", CLOSEFIELD, "closefield.go:34", "the close after the Lock closes f.resetChan itself, not a copy taken before"),
    ("drainsteal", DRAINSTEAL, "drainsteal.go:34", "f.resetChan is read on line 56: a consumer there may lose values to a drain"),
    ("wakebody", WAKEBODY, "wakebody.go:19", "the send's case does more than send: a default would skip that"),
    ("stopwait", STOPWAIT, "stopwait.go:25", "(review): release l.mu while waiting for stop, and take it again before the return"),
    ("stopread", STOPREAD, "stopread.go:25", "more than a bare return follows the wait on stop: released for the wait, l.mu would not"),
    ("keydelete", KEYDELETE, "keydelete.go:21", "l.m loses entries (delete, line 32): a mutex read from it may be made again for its key"),
    ("keywork", KEYWORK, "keywork.go:20", "code runs between the key's Lock and the registry's release: it would run without the registry lock"),
])
def test_no_fix_where_none_is_right(flow, pkg, source, where, said):
    assert_left(flow, pkg, source, where, said)


WATCH = ("callee", "stopcase", "selectwatch", "background", "opaque")


@pytest.fixture(scope="module")
def unsafe_flow(tmp_path_factory):
    """The stop-signal select's cases, fixed with --unsafe-fixes (it stays review), with one
    rule that finds nothing here: send-without-cancel's review fix would take background's
    send first, unproven."""
    files = {k: v for k, v in FILES.items() if k.split("/")[0] in WATCH}
    return run_flow(tmp_path_factory.mktemp("watch"), files, "--unsafe-fixes", "--rule", "ticker-not-stopped")


@pytest.mark.parametrize("pkg, source, fixed, where, said", [
    ("callee", CALLEE, CALLEE.replace(
        "\t\tout <- i // one value\n",
        "\t\tselect {\n\t\tcase out <- i: // one value\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\t}\n"),
     "callee.go:8", "proven-leak (fixed): select on ctx.Done() too"),
    ("stopcase", STOPCASE, STOPCASE.replace(
        "\t\t\t\tout <- i\n",
        "\t\t\t\tselect {\n\t\t\t\tcase out <- i:\n\t\t\t\tcase <-g.Stopping():\n\t\t\t\t\treturn\n\t\t\t\t}\n"),
     "stopcase.go:31", "proven-leak (fixed): select on g.Stopping() too"),
    # a single-case select gets the stop case added
    ("selectwatch", SELECTWATCH, SELECTWATCH.replace(
        "\t\tcase out <- i: // one value\n\t\t}\n", "\t\tcase out <- i: // one value\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\t}\n"),
     "selectwatch.go:9", "proven-leak (fixed): select on ctx.Done() too"),
])
def test_a_stop_signal_select_is_fixed_with_unsafe_fixes_and_gone_after(unsafe_flow, pkg, source, fixed, where, said):
    assert_fixed(unsafe_flow, pkg, fixed, where, said)


def test_stop_signal_selects_are_gofmt_clean_and_vet_clean(unsafe_flow):
    assert_gofmt_and_vet_clean(unsafe_flow[0], ("callee", "stopcase", "selectwatch"))


def test_a_withdrawn_fix_says_why(unsafe_flow):
    module, _, result, after = unsafe_flow
    # the caller passes a context nobody cancels, from a helper: a select on it changes
    # nothing, and only the re-run shows it
    assert "(withdrawn): select on ctx.Done() too" in _line(result.stderr, "opaque.go:7"), result.stderr
    assert "the leak is still there with it" in _line(result.stderr, "opaque.go:7"), result.stderr
    assert (module / "opaque" / "opaque.go").read_text() == BACKGROUND.replace("package background", "package opaque")
    assert after["opaque"].status == "leak"


def test_a_context_every_caller_passes_as_background_is_no_stop_signal(unsafe_flow):
    # the package's own callers (its test included) show it: said before anything is applied
    assert_left(unsafe_flow, "background", BACKGROUND, "background.go:7",
                "(not fixed): every call of send in its package passes a context nothing cancels (background.go:13)")


def test_the_rerun_reports_the_fixed_leaks_gone(flow, unsafe_flow):
    _, _, result, _ = flow
    lines, unsafe_lines = result.stderr.splitlines(), unsafe_flow[2].stderr.splitlines()
    assert any(ln.startswith("  gone: buffer.Fetch.func1 (chan send (leaked)") for ln in lines), result.stderr
    assert any(ln.startswith("  still there: mutex.Deadlock.func1") for ln in lines), result.stderr
    assert any(ln.startswith("  gone: callee.produce (chan send (leaked)") for ln in unsafe_lines), result.stderr


def test_edits_carry_over_the_rules_fixes():
    from gofixleaks.edits import TextEdit

    original = b"a\nb\nc\n"
    assert targeted.carry(original, b"x\na\nb\nc\n", (TextEdit(2, 3, b"B"),)) == [TextEdit(4, 5, b"B")]
    assert targeted.carry(original, b"a\nB2\nc\n", (TextEdit(2, 3, b"B"),)) is None


def test_fixed_files_are_gofmt_clean_and_vet_clean(flow):
    module, _, _, _ = flow
    assert_gofmt_and_vet_clean(module, ("buffer", "gather", "donefield", "closewait", "unlock", "unlockret", "relock", "waitloop",
                                        "rlockfield", "wrapper", "twice", "drain", "lockpass", "heldlock", "drainclose", "keyed",
                                        "stripes"))


DUMP = """\
goroutine 7 [chan send (leaked)]:
example.com/m/buffer.Fetch.func1()
\t{path}:10 +0x2c
created by example.com/m/buffer.Fetch in goroutine 6
\t{path}:8 +0x7c
"""


def test_a_dumps_targeted_fix_is_review(cli, tmp_path):
    """A dump cannot be re-run: the targeted fix is shown in the diff, and --write applies
    it only with --unsafe-fixes."""
    module = write_module(tmp_path / "m", {"buffer/buffer.go": BUFFER})
    dump = tmp_path / "dump.txt"
    dump.write_text(DUMP.format(path=module / "buffer" / "buffer.go"))
    shown = cli("fix", "--evidence", str(dump), str(module))
    assert "+\tresults := make(chan int, 1)" in shown.stdout, shown.stderr
    kept = cli("fix", "--evidence", str(dump), "--write", str(module))
    assert (module / "buffer/buffer.go").read_text() == BUFFER
    assert "proven-leak (review): buffer results with capacity 1" in _line(kept.stderr, "buffer.go:10"), kept.stderr
    applied = cli("fix", "--evidence", str(dump), "--write", "--unsafe-fixes", str(module))
    assert (module / "buffer/buffer.go").read_text() == BUFFER.replace("make(chan int)", "make(chan int, 1)")
    assert "proven-leak (fixed)" in _line(applied.stderr, "buffer.go:10"), applied.stderr


def test_a_proven_leak_is_a_described_rule_in_sarif(cli, tmp_path):
    """SARIF's ruleIndex points at the descriptor of the finding's own rule, also for
    proven-leak, which no static rule describes; `rules proven-leak` documents it."""
    module = write_module(tmp_path / "m", {"buffer/buffer.go": BUFFER})
    dump = tmp_path / "dump.txt"
    dump.write_text(DUMP.format(path=module / "buffer" / "buffer.go"))
    out = cli("fix", "--evidence", str(dump), "--format", "sarif", str(module))
    run = json.loads(out.stdout)["runs"][0]
    proven = [r for r in run["results"] if r["ruleId"] == "proven-leak"]
    assert len(proven) == 1, out.stdout
    descriptor = run["tool"]["driver"]["rules"][proven[0]["ruleIndex"]]
    assert descriptor["id"] == "proven-leak"
    assert "blocked forever" in descriptor["shortDescription"]["text"]
    assert "**When it is not fixed**" in cli("rules", "proven-leak").stdout
    assert "proven-leak" in cli("rules").stdout


# Where a select on the signal would drop the operation rather than unblock it: no fix.
# (Kubernetes25331 and Cockroach10790 of GoBench have these shapes.)
CANCELLED = {
    "own cancel": ("""\
package p

import "context"

func run(ctx context.Context, cancel func(), out chan bool) {
	cancel()
	out <- true
}
""", 7, "chan send", "the function cancels before it"),
    "in its case": ("""\
package p

import "context"

func drain(ctx context.Context, chans []chan bool) {
	done := ctx.Done()
	select {
	case <-done:
		go func() {
			for _, ch := range chans {
				<-ch
			}
		}()
	}
}
""", 11, "chan receive", "in a case that waits on it"),
    # a select that returns on a timer's channel: a deadline, not a stop signal for the send
    "a timer": ("""\
package p

import "time"

func f(out chan int, d time.Duration) {
	t := time.After(d)
	select {
	case <-t:
		return
	default:
	}
	out <- 1
}
""", 12, "chan send", "no stop signal in scope"),
}


SESSION = """\
package p

import (
	"context"
	"sync"
	"time"
)

type session struct {
	ctx             context.Context
	cancel          context.CancelFunc
	releaseOnce     sync.Once
	hbDying, hbDead chan struct{}
}

func newSession(parent context.Context) *session {
	ctx, cancel := context.WithCancel(parent)
	s := &session{ctx: ctx, cancel: cancel, hbDying: make(chan struct{}), hbDead: make(chan struct{})}
	go s.heartbeatLoop()
	return s
}

func (s *session) heartbeatLoop() {
	defer close(s.hbDead)
	defer s.cancel()
	pause := time.NewTicker(time.Second)
	defer pause.Stop()
	for {
		select {
		case <-pause.C:
		case <-s.hbDying:
			return
		}
	}
}

func (s *session) release() {
	s.cancel()
	s.releaseOnce.Do(func() {
		close(s.hbDying)
		<-s.hbDead
	})
}
"""

# sarama's release: the cancel of the very context the select would watch, called before
# the func literal holding the receive (the existing check looks within the literal only)
CANCELLED["cancelled around its literal"] = (SESSION, 41, "chan receive", "s.ctx is cancelled on every way to it (s.cancel() at line 38)")


@pytest.mark.parametrize("name", sorted(CANCELLED))
def test_no_select_on_a_signal_that_has_fired(tmp_path, name):
    source, line, state, said = CANCELLED[name]
    aimed = _aimed(tmp_path, source, line, state)
    assert aimed.finding is None and said in aimed.reason, aimed.reason


def _aimed(tmp_path, source: str, line: int, state: str):
    """aim's answer for ``line`` of ``source`` as a proven site in ``state``."""
    from gofixleaks.evidence.match import Covered
    from gofixleaks.evidence.sites import Location, Site

    path = tmp_path / "p.go"
    path.write_text(source)
    site = Site(Location(str(path), line, ""), state, True, None, 1, None)  # no function named: not compared
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


# k6's event emitter, as send-without-cancel's golden case has it
REQUESTED = (Path(__file__).resolve().parent.parent / "golden/send-without-cancel/already-safe/requested.go").read_text()


@pytest.mark.parametrize("source, line, state, said", [
    # sarama's release without its cancel: close(s.hbDying); <-s.hbDead joins heartbeatLoop
    (SESSION.replace("\ts.cancel()\n\ts.releaseOnce", "\ts.releaseOnce"), 40, "chan receive",
     "it joins the goroutine at line 23, which closes s.hbDead as it returns"),
    # the join waits on a goroutine whose select does not return on the channel closed before
    (SESSION.replace("\ts.cancel()\n\ts.releaseOnce", "\ts.releaseOnce").replace("case <-s.hbDying:\n\t\t\treturn",
                                                                                 "case <-s.hbDying:\n\t\t\tpause.Reset(time.Second)"),
     40, "chan receive", None),
    # k6's event emitter: the requester waits bare for the done its closure returned
    (REQUESTED, 27, "chan send", "done is the reply its asker's request returned, and the asker waits for it bare (line 40)"),
    (REQUESTED.replace("\t<-done\n}", "\tselect {\n\tcase <-done:\n\tcase <-e.ctx.Done():\n\t}\n}"), 27, "chan send", None),
])
def test_no_select_where_a_partner_waits_for_the_operation(tmp_path, source, line, state, said):
    """Where the partner joins or waits bare, a select returning on the signal would strand
    it (the corpus' sarama and k6 answers); where it does not, watch answers as before."""
    aimed = _aimed(tmp_path, source, line, state)
    if said is None:
        assert aimed.finding is not None, aimed.reason
    else:
        assert aimed.finding is None and said in aimed.reason, aimed.reason


def test_a_generated_file_is_not_edited(tmp_path):
    from gofixleaks.evidence.match import Covered
    from gofixleaks.evidence.sites import Location, Site

    path = tmp_path / "buffer.go"
    path.write_text("// Code generated by hand. DO NOT EDIT.\n\n" + BUFFER)
    site = Site(Location(str(path), 12, "buffer.Fetch.func1"), "chan send", True, None, 1, None)
    aimed = targeted.aim(Covered(site, "buffer.go", True, None, ()), str(path), lambda: targeted.load(str(path), "buffer.go"))
    assert aimed.finding is None and aimed.reason == "a generated file: fix its generator"


@pytest.mark.parametrize("function, fixed", [
    ("example.com/m/buffer.Fetch.func1", True),
    ("example.com/m/buffer.Fetch.gowrap1", True),
    # a dump of another build: its line 10 ran in another function, and a fix aimed by the
    # line would rewrite whatever stands there now
    ("example.com/m/buffer.Prefetch.func1", False),
    ("example.com/m/buffer.(*Cache).Fetch.func1", False),
    # or in Fetch's own body, where the code now has a func literal
    ("example.com/m/buffer.Fetch", False),
])
def test_a_dump_of_another_build_aims_no_fix(tmp_path, function, fixed):
    from gofixleaks.evidence.match import Covered
    from gofixleaks.evidence.sites import Location, Site

    path = tmp_path / "buffer.go"
    path.write_text(BUFFER)
    site = Site(Location(str(path), 10, function), "chan send", True, None, 1, None)
    aimed = targeted.aim(Covered(site, "buffer.go", True, None, ()), str(path), lambda: targeted.load(str(path), "buffer.go"))
    assert (aimed.finding is not None) is fixed, aimed.reason
    if not fixed:
        assert re.search(r" blocked at line 10, where the code has (Fetch|a func literal of Fetch): the dump is of another build$",
                         aimed.reason), aimed.reason


def test_a_func_literals_code_in_the_dump_is_not_its_functions_own_body():
    from gofixleaks.evidence.targeted._base import another_function
    from gofixleaks.source import SourceFile

    sf = SourceFile.load("buffer.go", BUFFER.encode())
    # line 14 is Fetch's own select: a dump naming Fetch.func1 there is of another build
    assert another_function(sf, 14, "example.com/m/buffer.Fetch.func1") == (
        "the dump has buffer.Fetch.func1 blocked at line 14, where the code has Fetch's own body: the dump is of another build")
    assert another_function(sf, 14, "example.com/m/buffer.Fetch") is None
    # a literal's first line holds code of both: not told
    assert another_function(sf, 8, "example.com/m/buffer.Fetch") is None
    assert another_function(sf, 8, "example.com/m/buffer.Fetch.func1") is None


def test_a_review_targeted_fix_is_applied_with_unsafe_fixes(tmp_path):
    """Proven by the re-run, a fix that also changes what others see (a dropped wake-up, a
    lock released for a wait) is applied only with --unsafe-fixes; then the leak is gone."""
    module, _, done, after = run_flow(tmp_path, {k: v for k, v in FILES.items() if k.startswith(("wakeup/", "waitheld/", "condwait/", "stopwait/"))},
                                      "--unsafe-fixes")
    assert (module / "wakeup/wakeup.go").read_text() == WAKEUP_FIXED, done.stderr
    assert "(fixed): send without blocking" in _line(done.stderr, "wakeup.go:17"), done.stderr
    # a stop that waited holding its worker's lock releases it first
    assert (module / "waitheld/waitheld.go").read_text() == WAITHELD.replace(
        "\tdefer h.mu.Unlock()\n\tclose(h.updates)\n", "\tclose(h.updates)\n\th.mu.Unlock()\n"), done.stderr
    # a wait for an activation that failed stops on its error
    assert (module / "condwait/condwait.go").read_text() == CONDWAIT.replace(
        "\tfor p.manifest == nil {\n", "\tfor p.manifest == nil && p.err == nil {\n"), done.stderr
    # a wait for the stop holding the lock the stopper takes first releases it for the wait
    assert (module / "stopwait/stopwait.go").read_text() == STOPWAIT_FIXED, done.stderr
    assert "(fixed): release l.mu while waiting for stop" in _line(done.stderr, "stopwait.go:25"), done.stderr
    assert [p.status for p in after.values()] == ["ok", "ok", "ok", "ok"], [p.message for p in after.values()]


HANDOFF = """\
package handoff

import "sync"

type Store struct{ mu sync.Mutex }

// Swap locks s, lets a goroutine release it, and locks it again.
func Swap(s *Store) {
	s.mu.Lock()
	go func() {
		s.mu.Unlock()
	}()
	s.mu.Lock()
	s.mu.Unlock()
}
"""


def test_a_lock_a_goroutine_hands_back_is_not_taken_twice():
    """nats' tests lock, hand the lock to a goroutine that releases it, and lock again: the
    second Lock waits for that goroutine, not for itself, and stays."""
    from gofixleaks.source import SourceFile

    sf = SourceFile.load("handoff.go", HANDOFF.encode(), (1, 22))
    fix, why = targeted.locks.taken_twice(sf, 13)
    assert fix is None and "another goroutine may hand it back" in why
    # the same without the goroutine's release: a Lock taken twice, and a release after it
    alone = SourceFile.load("alone.go", HANDOFF.replace("\t\ts.mu.Unlock()\n\t}()\n", "\t}()\n").encode(), (1, 22))
    fix, _ = targeted.locks.taken_twice(alone, 12)
    assert fix is not None and fix.message.startswith("remove the second Lock")


HUB = """\
package hub

import "sync"

// Hub hands pokes to one waiter.
type Hub struct {
	mu   sync.Mutex
	wake chan struct{}
	n    int
}

// Wait waits for a poke, counting waiters.
func (h *Hub) Wait() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	<-h.wake
}

// Poke wakes the waiter.
func (h *Hub) Poke() {
	h.mu.Lock()
	h.n = 0
	h.mu.Unlock()
	h.wake <- struct{}{}
}
"""


@pytest.mark.parametrize("poke, fixed", [
    # a partner method that takes the lock itself, then sends: the wait holds it up
    ("\th.wake <- struct{}{}\n", True),
    # a partner that never waits: a release before the receive could lose its wake-up
    ("\tselect {\n\tcase h.wake <- struct{}{}:\n\tdefault:\n\t}\n", False),
])
def test_a_release_before_the_exchange_needs_a_partner_that_locks_and_waits(poke, fixed):
    from gofixleaks import analysis as a
    from gofixleaks.edits import apply
    from gofixleaks.evidence.targeted import exchanges
    from gofixleaks.source import SourceFile

    src = HUB.replace("\th.wake <- struct{}{}\n", poke)
    sf = SourceFile.load("hub.go", src.encode(), None)
    stmt = next(n for n in a.of_type(sf.root, "expression_statement") if sf.text(n) == "<-h.wake")
    fix, why = exchanges.release_before_exchange(sf, stmt, "chan receive")
    if fixed:
        assert fix is not None, why
        assert apply(sf.data, fix.edits).decode() == src.replace(
            "\tdefer h.mu.Unlock()\n\th.n++\n\t<-h.wake\n", "\th.n++\n\th.mu.Unlock()\n\t<-h.wake\n")
    else:
        assert fix is None and "with a blocking exchange" in why


DRAINGROUP = """\
package drain

import "sync"

// Server drains its requests on Stop.
type Server struct {
	drain sync.WaitGroup
}

// Handle counts a request.
func (s *Server) Handle() {
	s.drain.Add(1)
}

// Stop waits for the requests.
func (s *Server) Stop() {
	s.drain.Wait()
}
"""


@pytest.mark.parametrize("extra, said", [
    # nothing calls Done: the Wait cannot return, whichever goroutine owes it
    ("", "nothing in its package calls drain.Done() nor hands s.drain on"),
    # a method of another name may call Done (a wrapper's Wrap): no diagnosis
    ("\nfunc (s *Server) Finish() { s.drain.Done() }\n", None),
    ("\nfunc (s *Server) Spawn(f func()) { go run(&s.drain, f) }\n\nfunc run(wg *sync.WaitGroup, f func()) {}\n", None),
])
def test_a_wait_no_done_can_end_is_diagnosed(tmp_path, extra, said):
    from gofixleaks.evidence.targeted import waits

    path = tmp_path / "drain.go"
    path.write_text(DRAINGROUP + extra)
    sf = targeted.load(str(path), "drain.go")
    assert waits.never_done(sf, 17, str(path)) == (None, said and f"{said}: the Wait cannot return once an Add counted one; "
                                                              "call Done where each counted goroutine ends")
# DRAINCLOSE changed where a drain would be wrong, or would not help: (the change, the line
# of the blocked Lock, what the shape says)
NO_DRAIN = {
    # no nil under the lock: a sender after the close would send on the closed channel
    "field kept": (("\t\t\tf.resetChan = nil\n", ""), 34, "the close leaves f.resetChan set under the lock"),
    # values received after the close would go to the drain
    "received after": (("\t\t\tbreak Loop\n\t\t}\n\t}\n}\n", "\t\t\tbreak Loop\n\t\t}\n\t}\n\t<-resetChan\n}\n"), 34,
                       "the function receives from resetChan after the close"),
    # the break leaves the select, not the loop: the next pass receives again
    "loop goes on": (("\t\t\tbreak Loop\n", "\t\t\tbreak\n"), 34, "does not surely leave the loop around it"),
    # another goroutine receives from the copy
    "copy shared": (("\ttimer := time.NewTimer(idle)\n", "\tgo func() { <-resetChan }()\n\ttimer := time.NewTimer(idle)\n"), 35,
                    "resetChan is used otherwise than received from or closed by this function"),
    # a sender without the lock would race the close
    "unlocked sender": (("\tf.resetChan <- true\n}\n", "\tf.resetChan <- true\n}\n\nfunc (f *Framer) poke() {\n\tf.resetChan <- true\n}\n"),
                        34, "is made without the lock"),
    # the copy is taken of another value than the lock's owner's
    "another owner": (("\tresetChan := f.resetChan\n", "\tresetChan := New().resetChan\n"), 34, "is not a copy of a field of f"),
}


@pytest.mark.parametrize("name", sorted(NO_DRAIN))
def test_no_drain_where_it_would_lose_or_race(tmp_path, name):
    from gofixleaks.source import SourceFile

    (old, new), line, said = NO_DRAIN[name]
    assert old in DRAINCLOSE
    path = tmp_path / "drainclose.go"
    path.write_text(DRAINCLOSE.replace(old, new))
    sf = SourceFile.load("drainclose.go", path.read_bytes(), (1, 22))
    fix, why = targeted.exchanges.drain_before_close(sf, line, str(path))
    assert fix is None and said in why, why


def test_a_drain_of_a_channel_passed_in_or_drained_after(tmp_path):
    """The copy may be a parameter every call passes the field as, and the function may drain
    the channel itself after the close (spdystream's monitor did): the drain goes before the Lock."""
    from gofixleaks.edits import apply
    from gofixleaks.source import SourceFile

    drain = "\t\t\tgo func() {\n\t\t\t\tfor range resetChan {\n\t\t\t\t}\n\t\t\t}()\n\t\t\tf.writeLock.Lock()\n"
    passed = DRAINCLOSE.replace("go f.monitor(time.Minute)", "go f.monitor(f.resetChan, time.Minute)").replace(
        "monitor(idle time.Duration) {\n\tresetChan := f.resetChan\n", "monitor(resetChan chan bool, idle time.Duration) {\n")
    drained = DRAINCLOSE.replace("\t\t\tbreak Loop\n\t\t}\n\t}\n}\n", "\t\t\tbreak Loop\n\t\t}\n\t}\n\tfor _ = range resetChan {\n\t}\n}\n")
    for source, line in ((passed, 33), (drained, 34)):
        path = tmp_path / "drainclose.go"
        path.write_text(source)
        sf = SourceFile.load("drainclose.go", path.read_bytes(), (1, 22))
        fix, why = targeted.exchanges.drain_before_close(sf, line, str(path))
        assert fix is not None, why
        assert apply(sf.data, fix.edits).decode() == source.replace("\t\t\tf.writeLock.Lock()\n", drain)
    # a call that passes another field: where the channel comes from is out of view
    path.write_text(passed.replace("\treturn f\n", "\tgo f.monitor(f.closeChan, time.Minute)\n\treturn f\n"))
    fix, why = targeted.exchanges.drain_before_close(SourceFile.load("drainclose.go", path.read_bytes(), (1, 22)), 34, str(path))
    assert fix is None and "not every call of monitor passes the same field" in why, why


QUIESCE = """\
package quiesce

// Stopper signals quiescence.
type Stopper struct {
	quiescer chan struct{}
}

// NewStopper makes a stopper.
func NewStopper() *Stopper { return &Stopper{quiescer: make(chan struct{})} }

// ShouldQuiesce is closed when the stopper quiesces.
func (s *Stopper) ShouldQuiesce() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.quiescer
}

func process(s *Stopper) {
	<-s.ShouldQuiesce()
}
"""


@pytest.mark.parametrize("extra, said", [
    # nothing closes quiescer: the wait cannot end, whatever shape would rewrite it
    ("", True),
    ("\nfunc (s *Stopper) Stop() { close(s.quiescer) }\n", False),
    # a channel of elsewhere stored in the field: its senders are out of view
    ("\nfunc (s *Stopper) Use(ch chan struct{}) { s.quiescer = ch }\n", False),
])
def test_a_wait_on_a_channel_nobody_signals_is_diagnosed(tmp_path, extra, said):
    from gofixleaks import analysis as a
    from gofixleaks.evidence.targeted import channels

    path = tmp_path / "quiesce.go"
    path.write_text(QUIESCE + extra)
    sf = targeted.load(str(path), "quiesce.go")
    stmt = next(n for n in a.of_type(sf.root, "expression_statement") if sf.text(n) == "<-s.ShouldQuiesce()")
    why = channels.never_signalled(sf, stmt, "chan receive", str(path))
    assert (why is not None and why.startswith("nothing in its package sends on, closes or hands on quiescer")) == said, why


# Single-case selects of each form: Go compiles each to the plain operation, which a dump
# reports on the case's line; a select with a default or two cases is not one.
SELECTS = """\
package p

func recv(ch chan int) {
	select {
	case <-ch: // recv
	}
}

func assign(ch chan int) {
	select {
	case v := <-ch: // assign
		_ = v
	}
}

func pair(ch chan int) {
	select {
	case v, ok := <-ch: // pair
		_, _ = v, ok
	}
}

func send(ch chan int) {
	select {
	case ch <- 1: // send
	}
}

func defaulted(ch chan int) {
	select {
	case <-ch: // defaulted
	default:
	}
}

func two(a, b chan int) {
	select {
	case <-a: // two
	case <-b:
	}
}
"""


def _line_of(source: str, text: str) -> int:
    return next(i for i, ln in enumerate(source.splitlines(), 1) if text in ln)


@pytest.mark.parametrize("marker, state, operation", [
    ("// recv", "chan receive", "<-ch"),
    ("// assign", "chan receive", "v := <-ch"),
    ("// pair", "chan receive", "v, ok := <-ch"),
    ("// send", "chan send", "ch <- 1"),
    ("// send", "chan receive", None),  # a send case is no receive
    ("// recv", "chan send", None),
    ("// defaulted", "chan receive", None),  # never blocks
    ("// two", "chan receive", None),  # a dump says "select"
])
def test_a_single_case_select_is_the_operation_it_compiles_to(marker, state, operation):
    from gofixleaks.evidence.targeted import _base, channels
    from gofixleaks.source import SourceFile

    sf = SourceFile.load("p.go", SELECTS.encode(), (1, 22))
    stmt = channels.operation_at(sf, _line_of(SELECTS, marker), state)
    if operation is None:
        assert stmt is None
    else:
        assert stmt.type == "select_statement" and sf.text(_base.operation(stmt)) == operation
        assert sf.text(_base.channel(sf, stmt)) == "ch"


# What each channel shape makes of a single-case select: (source, the blocked case's text,
# state, the fixed source or None, what aim says)
SELECT_SHAPES = {
    "watch adds the stop case": ("""\
package p

import "context"

func pump(ctx context.Context, in chan int, out *int) {
	select {
	case v := <-in:
		*out = v
	}
}
""", "case v := <-in:", "chan receive", ("\t\t*out = v\n", "\t\t*out = v\n\tcase <-ctx.Done():\n\t\treturn\n"),
        "select on ctx.Done() too"),
    # the stop case would return from a function with results
    "watch: results": ("""\
package p

import "context"

func pump(ctx context.Context, in chan int) int {
	select {
	case v := <-in:
		return v
	}
}
""", "case v := <-in:", "chan receive", None, "the goroutine's function has results"),
    # a return on the new case would skip the Done the case body calls
    "watch: the case cleans up": ("""\
package p

import (
	"context"
	"sync"
)

func pump(ctx context.Context, in chan int, wg *sync.WaitGroup) {
	select {
	case <-in:
		wg.Done()
	}
}
""", "case <-in:", "chan receive", None, "a return would skip `wg.Done()`"),
    "watch: one line": ("""\
package p

import "context"

func pump(ctx context.Context, out chan int) {
	select { case out <- 1: }
}
""", "select {", "chan send", None, "the select ends on a shared line"),
    "buffer": ("""\
package p

import "time"

func first(d time.Duration) int {
	results := make(chan int)
	go func() {
		select {
		case results <- 1:
		}
	}()
	select {
	case v := <-results:
		return v
	case <-time.After(d):
		return 0
	}
}
""", "case results <- 1:", "chan send", ("make(chan int)", "make(chan int, 1)"), "buffer results with capacity 1"),
    "wake-up gets a default": (WAKEUP.replace("\tf.poke <- struct{}{}\n", "\tselect {\n\tcase f.poke <- struct{}{}:\n\t}\n"),
                               "case f.poke <- struct{}{}:", "chan send", ("\tcase f.poke <- struct{}{}:\n", "\tcase f.poke <- struct{}{}:\n\tdefault:\n"),
                               "send without blocking on wake-up channel poke"),
    "drain gets a default": (DRAIN.replace("\t\t\t\t<-b.t.C\n", "\t\t\t\tselect {\n\t\t\t\tcase <-b.t.C:\n\t\t\t\t}\n"),
                             "\t\t\t\tcase <-b.t.C:", "chan receive", ("\t\t\t\tcase <-b.t.C:\n", "\t\t\t\tcase <-b.t.C:\n\t\t\t\tdefault:\n"),
                             "drain b.t.C without blocking"),
    "done field": (DONEFIELD.replace("\tc.reqs <- r\n", "\tselect {\n\tcase c.reqs <- r:\n\t}\n"), "case c.reqs <- r:", "chan send",
                   ("\tcase c.reqs <- r:\n", "\tcase c.reqs <- r:\n\tcase <-c.done:\n\t\treturn 0\n"), "select on c.done too"),
    "closed by its goroutine": (CLOSEWAIT.replace("\t<-done\n", "\tselect {\n\tcase <-done:\n\t}\n"), "case <-done:", "chan receive",
                                ("func (w *Watcher) watch(done chan bool) {\n", "func (w *Watcher) watch(done chan bool) {\n\tdefer close(done)\n"),
                                "close done when watch returns"),
    "release before the exchange": (WAITHELD.replace("\t<-h.done\n", "\tselect {\n\tcase <-h.done:\n\t}\n"), "case <-h.done:", "chan receive",
                                    ("\tdefer h.mu.Unlock()\n\tclose(h.updates)\n\tselect {", "\tclose(h.updates)\n\th.mu.Unlock()\n\tselect {"),
                                    "release h.mu before the exchange on h.done"),
    # released before the select, the case's count would run unlocked
    "release before the exchange: the case does more": (
        WAITHELD.replace("\t<-h.done\n", "\tselect {\n\tcase <-h.done:\n\t\th.seen++\n\t}\n"), "case <-h.done:", "chan receive", None,
        "the select's case does more after the exchange"),
}


def _aim(tmp_path, source: str, line: int, state: str):
    from gofixleaks.evidence.match import Covered
    from gofixleaks.evidence.sites import Location, Site

    path = tmp_path / "p.go"
    path.write_text(source)
    site = Site(Location(str(path), line, ""), state, True, None, 1, None)  # no function named: not compared
    return targeted.aim(Covered(site, "p.go", True, None, ()), str(path), lambda: targeted.load(str(path), "p.go"))


@pytest.mark.parametrize("name", sorted(SELECT_SHAPES))
def test_each_channel_shape_rewrites_a_single_case_select_or_says_why_not(tmp_path, name):
    from gofixleaks.edits import apply

    source, case, state, change, said = SELECT_SHAPES[name]
    line = _line_of(source, case)
    aimed = _aim(tmp_path, source, line, state)
    if change is None:
        assert aimed.finding is None and said in aimed.reason, aimed.reason
        return
    assert aimed.finding is not None, aimed.reason
    assert said in aimed.reason and aimed.finding.line == line  # on the case's line, as the dump says
    fixed = apply(source.encode(), aimed.finding.fixes[0].edits).decode()
    assert source.count(change[0]) == 1 and fixed == source.replace(*change)
    assert gotools.gofmt_clean(fixed.encode())


# A wait for a stop holding a lock: the conditions of the release around it, one by one.
# (source, the wait's text, the change the fix makes (or None: no fix), what the fix's
# message or the reason says (None: the shape does not apply, silently))
STOPWAIT_CASES = {
    # `<-stop` then `return`, on ctx.Done(), in a plain function: released and taken again
    "a bare wait on ctx.Done()": ("""\
package p

import (
	"context"
	"sync"
)

type Q struct {
	mu sync.Mutex
	n  int
}

func (q *Q) Add() {
	q.mu.Lock()
	q.n++
	q.mu.Unlock()
}

func serve(ctx context.Context, q *Q) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n > 0 {
		<-ctx.Done()
		return
	}
	q.n = 1
}
""", "<-ctx.Done()", ("\t\t<-ctx.Done()\n\t\treturn\n", "\t\tq.mu.Unlock()\n\t\t<-ctx.Done()\n\t\tq.mu.Lock()\n\t\treturn\n"),
        "release q.mu while waiting for ctx.Done(), and take it again before the return: method Add takes it"),
    # a goroutine of the file takes the lock: the kernel's test does
    "a goroutine takes it": (STOPWAIT.replace("// Add queues n.\nfunc (l *Listener) Add(n int) {\n\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n", "")
                             .replace("\tl.pending = append(l.pending, n)\n}\n\n", "") + """
func run(l *Listener, stop chan struct{}) {
	go func() {
		l.mu.Lock()
		close(stop)
	}()
}
""", "case <-stop:", STOPWAIT_CHANGE, "take it again before the return: the goroutine at line"),
    "nobody else takes it": (STOPWAIT.replace("func (l *Listener) Add(n int) {\n\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n",
                                              "func (l *Listener) Add(n int) {\n"), "case <-stop:", None,
                             "no method of its type or goroutine of the file takes l.mu"),
    # released in a branch before the wait: whether it is held there is not plain
    "released elsewhere": (STOPWAIT.replace("\tif len(l.pending) > 0 {\n", "\tif len(l.pending) > 1 {\n\t\tl.mu.Unlock()\n\t\tl.mu.Lock()\n\t}\n"
                                            "\tif len(l.pending) > 0 {\n"), "case <-stop:", None,
                           "the function takes or releases l.mu elsewhere too"),
    # not deferred: the function decides where it releases
    "no deferred release": (STOPWAIT.replace("func (l *Listener) Pop(stop <-chan struct{}) {\n\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n",
                                             "func (l *Listener) Pop(stop <-chan struct{}) {\n\tl.mu.Lock()\n"), "case <-stop:", None, None),
    # the value received is used: not a plain stop
    "the value is used": (STOPWAIT.replace("\t\tcase <-stop:\n", "\t\tcase _, ok := <-stop:\n\t\t\t_ = ok\n"), "case _, ok := <-stop:", None, None),
    # not named as a stop signal: the wait is for data, which the lock may guard
    "not a stop signal": (STOPWAIT.replace("stop", "next"), "case <-next:", None, None),
    "two locks held": (STOPWAIT.replace("\tmu      sync.Mutex\n", "\tmu      sync.Mutex\n\tmu2     sync.Mutex\n").replace(
        "\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n\tif", "\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n\tl.mu2.Lock()\n\tdefer l.mu2.Unlock()\n\tif"),
        "case <-stop:", None, "it holds more than one lock across the wait"),
}


@pytest.mark.parametrize("name", sorted(STOPWAIT_CASES))
def test_a_lock_held_across_a_stop_wait_is_released_for_it_only_where_that_is_plain(name):
    from gofixleaks.edits import apply
    from gofixleaks.source import SourceFile

    source, wait, change, said = STOPWAIT_CASES[name]
    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    stmt = targeted.channels.operation_at(sf, _line_of(source, wait), "chan receive")
    assert stmt is not None
    fix, why = targeted.exchanges.release_across_stop_wait(sf, stmt, "chan receive")
    if change is None:
        assert fix is None and (why == said if said is None else said in why), why
        return
    assert fix is not None and said in fix.message, why
    fixed = apply(source.encode(), fix.edits).decode()
    assert source.count(change[0]) == 1 and fixed == source.replace(*change)


@pytest.mark.parametrize("change, said", [
    ({}, None),
    # the mutex read could be replaced, or the lock the method takes is not the registry's
    ({"\t\tum.Unlock() // L2\n": "\t\tum.Unlock() // L2\n\t\tl.m[url] = nil\n"}, "l.m is written other than where a key is absent"),
    ({"\tum.Unlock() // L2\n\t}\n}\n": "\tum.Unlock() // L2\n\t}\n}\n\nfunc (l *URLs) reset() {\n\tl.m = map[string]*sync.Mutex{}\n}\n"},
     "l.m is replaced (line 36)"),
    ({"\tum.Unlock() // L2\n\t}\n}\n": "\tum.Unlock() // L2\n\t}\n}\n\nfunc (l *URLs) each(f func(map[string]*sync.Mutex)) {\n\tf(l.m)\n}\n"},
     "l.m is handed to f (line 36)"),
    ({"\tl.Unlock() // L1\n}": "\tl.Unlock() // L1\n\tl.m[url].Unlock()\n}"}, "the method releases a key's mutex itself"),
    ({"\tl.Lock() // L1\n": "\tl.RLock() // L1\n", "\tl.Unlock() // L1\n}": "\tl.RUnlock() // L1\n}"}, "only read-locked"),
    ({"\tl.Lock() // L1\n": "\tl.Lock() // L1\n\tdefer l.Unlock()\n", "\tl.Unlock() // L1\n}": "}"}, "released by a defer"),
    ({"; !ok {": "; ok == false {"}, "another form than `if _, ok := l.m[url]; !ok` or `if l.m[url] == nil`"),
    ({"\tum.Unlock() // L2\n\t}\n}\n": "\tum.Unlock() // L2\n\t}\n}\n\nfunc (l *URLs) all() map[string]*sync.Mutex {\n\treturn (l.m)\n}\n"},
     "l.m escapes (returned, line 36)"),
    ({"l.m[url]": "l.m[key(url)]", "\tum.Unlock() // L2\n\t}\n}\n": "\tum.Unlock() // L2\n\t}\n}\n\nfunc key(s string) string { return s }\n"},
     "the key is computed by a call"),
    ({"map[string]*sync.Mutex // L2": "map[string]*keyLock     // L2", "&sync.Mutex{}": "&keyLock{}",
      "\tum.Unlock() // L2\n\t}\n}\n": "\tum.Unlock() // L2\n\t}\n}\n\ntype keyLock struct{ sync.Mutex }\n"}, "URLs.m is not a map to *sync.Mutex"),
])
def test_a_keyed_registry_is_reordered_only_where_it_only_grows(tmp_path, change, said):
    """The registry fix is aimed alike from the key's Lock and from the registry's, and only
    where the mutex read under the registry lock stays the key's mutex after the release."""
    from gofixleaks.edits import apply
    from gofixleaks.evidence.targeted import registries

    src = KEYED
    for old, new in change.items():
        assert old in src
        src = src.replace(old, new)
    path = tmp_path / "keyed.go"
    path.write_text(src)
    sf = targeted.load(str(path), "keyed.go")
    registry = src[:src.index("func (l *URLs) URLLock")].count("\n") + 2  # the line of the registry's Lock
    answers = [registries.registry_before_key(sf, line, str(path)) for line in (registry, src[:src.index(".Lock() // L2")].count("\n") + 1)]
    if said is None:
        assert [fix.edits for fix, _ in answers][0] == answers[1][0].edits  # one edit, whichever site it is aimed from
        assert apply(sf.data, answers[0][0].edits).decode() == KEYED_FIXED
        (tmp_path / "other.go").write_text("package keyed\n\nfunc size(l *URLs) int { return len(l.m) }\n")
        fix, why = registries.registry_before_key(targeted.load(str(path), "keyed.go"), registry, str(path))
        assert fix is None and why == "other.go of its package names them too: uses there are out of view"
    else:
        assert all(fix is None for fix, _ in answers) and said in (answers[1][1] or ""), answers


TOKEN = """\
package token

// Half passes one token around as its lock: whoever holds it may read or write.
type Half struct {
	lockr chan struct{}
	lockw chan struct{}
}

// New makes a half, unlocked.
func New() *Half {
	h := &Half{lockr: make(chan struct{}, 1), lockw: make(chan struct{}, 1)}
	h.lockw <- struct{}{}
	return h
}

func (h *Half) lock() {
	select {
	case <-h.lockr:
	case <-h.lockw:
	}
}

func (h *Half) unlock() {
	h.lockw <- struct{}{}
}
"""

RIVAL = """\
package rival

import "time"

// Read waits for the reader's error, its end, or a timeout.
func Read(lines []string) error {
	done := make(chan struct{})
	errc := make(chan error)
	go func() {
		defer close(done)
		for _, l := range lines {
			if l == "" {
				errc <- errEmpty
				return
			}
		}
	}()
	select {
	case <-done:
		return nil
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return nil
	}
}
"""


@pytest.mark.parametrize("source, sent, shape, said", [
    # channels passing one token as a lock: a receive outside a loop takes the token, and a
    # send that does not block would leave two
    (TOKEN, "h.lockw <- struct{}{}", "wake_up", "is in no loop that looks again after each wake-up"),
    # unbuffered, the sender's close(done) comes after its error was taken; buffered, the
    # select may take done and drop the error
    (RIVAL, "errc <- errEmpty", "buffer", "also signals done, which a select receives beside errc"),
])
def test_a_shape_refuses_what_the_corpus_judges_found_wrong(source, sent, shape, said):
    from gofixleaks import analysis as a
    from gofixleaks.evidence.targeted import channels
    from gofixleaks.source import SourceFile

    sf = SourceFile.load("p.go", source.encode(), (1, 22))
    stmt = [n for n in a.of_type(sf.root, "send_statement") if sf.text(n) == sent][-1]
    fix, why = (channels.wake_up(sf, stmt, "chan send", "/nonexistent/p.go") if shape == "wake_up"
                else channels.buffer(sf, stmt))
    assert fix is None and said in why, why


def test_a_dropped_owner_is_closed_only_where_the_starter_is_called(tmp_path):
    """A method of another type named like the starter is not a call of it: its result is
    no Tx, and a Rollback deferred on it would not build."""
    from gofixleaks import analysis as a
    from gofixleaks.edits import apply
    from gofixleaks.evidence.targeted import closers

    other = "\ntype Pool struct{}\n\nfunc (Pool) begin(ctx context.Context) int { return 0 }\n\n" \
            "// Warm begins on a pool.\nfunc Warm() {\n\tPool{}.begin(context.Background())\n}\n"
    path = tmp_path / "owner.go"
    path.write_text(OWNER + other)
    sf = targeted.load(str(path), "owner.go")
    stmt = next(n for n in a.of_type(sf.root, "expression_statement") if sf.text(n) == "<-tx.ctx.Done()")
    fix, why = closers.close_owner(sf, stmt, "chan receive", str(path))
    assert fix is not None, why
    fixed = apply(sf.data, fix.edits).decode()
    assert "\tPool{}.begin(context.Background())\n}\n" in fixed and fixed.count("defer tx.Rollback()") == 2


# nats' reconnect loop: each pass begins holding the lock (taken before the loop, released
# in the body before the dial, taken again after it), and a failed dial continues holding
# it on purpose. An Unlock before that continue would unlock an unlocked mutex (a fatal
# error) in the next pass.
RECONNECT = """\
package reconnect

import "sync"

type Conn struct {
	mu    sync.Mutex
	tries int
}

func (c *Conn) reconnect(dial func() error) {
	c.mu.Lock()
	for c.tries < 10 {
		c.tries++
		c.mu.Unlock()
		err := dial()
		c.mu.Lock()
		if err != nil {
			continue
		}
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
}

func (c *Conn) Tries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tries
}
"""


@pytest.mark.parametrize("source, fixed", [
    (RECONNECT, False),
    # a pass that takes the lock first and continues with it keeps it for good: the next
    # pass's Lock waits on its own goroutine (GoBench's Cockroach584)
    (RECONNECT.replace("\t\tc.tries++\n\t\tc.mu.Unlock()\n\t\terr := dial()\n\t\tc.mu.Lock()\n",
                       "\t\tc.mu.Lock()\n\t\tc.tries++\n\t\terr := dial()\n").replace(
        "\tc.mu.Lock()\n\tfor", "\tfor").replace("\t}\n\tc.mu.Unlock()\n}\n", "\t}\n}\n", 1), True),
])
def test_a_continue_into_a_pass_that_begins_holding_the_lock_keeps_it(source, fixed):
    from gofixleaks.evidence.targeted import locks
    from gofixleaks.source import SourceFile

    sf = SourceFile.load("reconnect.go", source.encode(), (1, 22))
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln == "\t\tc.mu.Lock()")
    fix, _ = locks.unlock_before_leaving(sf, line)
    assert (fix is not None) == fixed


# tailscale's tkaSyncLocked: called with b.mu held, it releases the lock around a network
# call and takes it back; its return with the lock held is the contract, for the caller's
# deferred Unlock. An Unlock before that return would unlock twice.
SYNC_LOCKED = """package p

import "sync"

type B struct {
	mu   sync.Mutex
	head int
}

func (b *B) SyncIfNeeded(fetch func() int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.syncLocked(fetch)
}

func (b *B) syncLocked(fetch func() int) {
	b.mu.Unlock()
	head := fetch()
	b.mu.Lock()
	if head == b.head {
		return
	}
	b.mu.Unlock()
	fetch()
	b.mu.Lock()
	b.head = head
}
"""


@pytest.mark.parametrize("source, fixed", [
    (SYNC_LOCKED, False),
    (SYNC_LOCKED.replace("syncLocked", "syncHeld"), False),  # it releases before it takes: the caller's lock
    # a function that takes its own lock first and returns with it in the middle keeps it
    (SYNC_LOCKED.replace("\tb.syncLocked(fetch)\n", "").replace(
        "func (b *B) syncLocked(fetch func() int) {\n\tb.mu.Unlock()\n\thead := fetch()\n", "func (b *B) sync(fetch func() int) {\n\thead := fetch()\n").replace(
        "\tb.mu.Lock()\n\tb.head = head\n}\n", "\tb.mu.Lock()\n\tb.head = head\n\tb.mu.Unlock()\n}\n"), True),
])
def test_a_function_that_runs_holding_its_callers_lock_keeps_it_at_return(source, fixed):
    from gofixleaks.evidence.targeted import locks
    from gofixleaks.source import SourceFile

    sf = SourceFile.load("sync.go", source.encode(), (1, 22))
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln == "\tb.mu.Lock()" and i > 14)
    fix, _ = locks.unlock_before_leaving(sf, line)
    assert (fix is not None) == fixed, fix


# tailscale's magicsock: the holders start ReSTUN with `go`; the new goroutine takes c.mu
# once they release it, so nobody calls it holding the lock
RESTUN = """package p

import "sync"

type C struct {
	mu sync.Mutex
	n  int
}

func (c *C) Update() {
	c.mu.Lock()
	defer c.mu.Unlock()
	go c.ReSTUN()
}

func (c *C) ReSTUN() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
}
"""


@pytest.mark.parametrize("source, split", [
    (RESTUN, False),
    (RESTUN.replace("\tgo c.ReSTUN()\n", "\tc.ReSTUN()\n"), True),  # called holding it: waits for itself
])
def test_a_method_started_with_go_by_the_holder_is_not_called_holding_the_lock(tmp_path, source, split):
    from gofixleaks.evidence.targeted import locks
    from gofixleaks.source import SourceFile

    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    (tmp_path / "c.go").write_text(source)
    sf = SourceFile.load("c.go", source.encode(), (1, 22))
    fix, why = locks.locked_variant(sf, 17, str(tmp_path / "c.go"))
    assert (fix is not None) == split, why


@pytest.mark.parametrize("name, want", [("Len", "len"), ("IAMChangeHook", "iamChangeHook"), ("HTTPServer", "httpServer"),
                                        ("ID", "id"), ("URLs", "urls"), ("S3Handler", "s3Handler"), ("lookup", "lookup")])
def test_a_locked_variant_is_named_as_go_spells_an_unexported_name(name, want):
    from gofixleaks.evidence.targeted.locks import _unexported
    assert _unexported(name) == want
