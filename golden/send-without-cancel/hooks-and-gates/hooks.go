// Package hooks has channel operations whose partner is owed the exchange although a stop
// signal is in scope: an opt-in observer channel, a gate opened by another method and a
// done channel with room for the one value sent on it.
package hooks

import (
	"context"
	"os"
	"os/signal"
	"time"
)

// Purge removes old files every interval until stop closes; when purged is non-nil (a
// test asked for it) every removed name is sent on it, and the test counts them: a select
// on stop could drop names it waits for, so this is no finding.
func Purge(list func() []string, remove func(string), interval time.Duration, stop <-chan struct{}, purged chan<- string) {
	go func() {
		for {
			for _, name := range list() {
				remove(name)
				if purged != nil {
					purged <- name
				}
			}
			select {
			case <-time.After(interval):
			case <-stop:
				return
			}
		}
	}()
}

// Manager starts groups that wait until Run opens the gate.
type Manager struct {
	block chan struct{}
	done  chan struct{}
}

// NewManager returns a manager whose groups wait for Run.
func NewManager() *Manager {
	return &Manager{block: make(chan struct{}), done: make(chan struct{})}
}

// Run lets every group start.
func (m *Manager) Run() { close(m.block) }

// Stop closes done once every group has run: a select on done while waiting at the gate
// would never fire, so the finding comes without a fix.
func (m *Manager) Stop(wait func()) {
	wait()
	close(m.done)
}

// Update starts a group that runs once the gate is open.
func (m *Manager) Update(run func()) {
	go m.start(run)
}

func (m *Manager) start(run func()) {
	<-m.block // want "receive from m.block blocks forever"
	run()
}

// Transfer is started with a done channel its launcher made with room for one value, and
// sends on it at most once before it ends: the send never blocks, so it is no finding
// (a select on stop could drop the value the launcher waits for).
func (m *Manager) Transfer(stop <-chan struct{}, work func() error, done chan error) {
	select {
	case <-stop:
		done <- nil
		return
	default:
	}
	done <- work()
}

// Transfers starts one transfer per request and waits for each.
func (m *Manager) Transfers(stop <-chan struct{}, reqs <-chan func() error) error {
	for work := range reqs {
		done := make(chan error, 1)
		go m.Transfer(stop, work, done)
		if err := <-done; err != nil {
			return err
		}
	}
	return nil
}

// Poll reports the first error of its polling goroutine on a channel with room for it:
// every send is followed by return, so one value is all it ever holds: no finding.
func Poll(poll func() error, interval time.Duration, stop <-chan struct{}) <-chan error {
	errc := make(chan error, 1)
	go func() {
		for {
			if err := poll(); err != nil {
				errc <- err
				return
			}
			select {
			case <-time.After(interval):
			case <-stop:
				return
			}
		}
	}()
	return errc
}

// Checker hands each target to a check goroutine that reports it on healthy, made with
// room for every target: a send on it cannot block, so it is no finding.
type Checker struct {
	healthy chan string
}

// NewChecker makes the channel before it stores it in the struct.
func NewChecker(targets []string) *Checker {
	healthy := make(chan string, len(targets))
	return &Checker{healthy: healthy}
}

// Check reports target once probe says it is up.
func (c *Checker) Check(ctx context.Context, target string, probe func(context.Context, string) bool) {
	go func() {
		if probe(ctx, target) {
			c.healthy <- target
		}
	}()
}

// OnInterrupt calls stop on the first interrupt: the signal channel's sender is the
// runtime, which never leaves, so the receive is no finding.
func OnInterrupt(ctx context.Context, stop func()) {
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt)
	go func() {
		<-sigc
		stop()
	}()
}

// Runner's waitCh is closed by a defer of Run, so it opens whenever Run ends, however it
// ends: Destroy's goroutine waits for Run by design, and no finding says its "sender" is
// gone (a select on ctx there would skip the cleanup after Run).
type Runner struct {
	waitCh chan struct{}
	ctx    context.Context
}

// Run works until ctx ends.
func (r *Runner) Run(work func(context.Context)) {
	defer close(r.waitCh)
	work(r.ctx)
}

// Destroy cleans up in the background once Run has ended.
func (r *Runner) Destroy(cleanup func()) {
	go func() {
		<-r.waitCh
		cleanup()
	}()
}
