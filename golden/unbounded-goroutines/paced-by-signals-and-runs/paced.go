// Package paced starts goroutines that the process's own events pace: one per OS signal,
// one watchdog per run of a child that the run's end cancels. Neither is a finding; their
// near shapes are.
package paced

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// HandleSignals starts a delayed exit for each signal: a person or a supervisor sends
// them, not the load.
func HandleSignals(exit func(os.Signal)) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		for {
			sig := <-ch
			go func() {
				time.Sleep(time.Second)
				exit(sig)
			}()
		}
	}()
}

// HandleEvents starts one goroutine per event whoever sends them pleases: a finding.
func HandleEvents(events <-chan int, work func(int), count func()) {
	for {
		ev := <-events
		count()
		go func() { // want "goroutine started in an endless loop"
			work(ev)
		}()
	}
}

// Supervise runs the child again each time it fails; the run's watchdog is given a
// context the run's end cancels, so one watchdog is alive at a time.
func Supervise(run func() error, watch func(context.Context)) {
	for {
		ctx, cancel := context.WithCancel(context.Background())
		go watch(ctx)
		err := run()
		cancel()
		if err == nil {
			return
		}
	}
}

// SuperviseBlind cancels a context its watchdog is never given: the watchdogs pile up.
func SuperviseBlind(run func(context.Context) error, watch func()) {
	for {
		ctx, cancel := context.WithCancel(context.Background())
		go watch() // want "goroutine started in an endless loop"
		err := run(ctx)
		cancel()
		if err == nil {
			return
		}
	}
}
