package session

import (
	"errors"
	"time"
)

var errIdle = errors.New("idle")

// Serve handles messages until the stream ends or stays idle; rearm pushes the deadline
// back but leaves the timer to Serve.
func Serve(msgs <-chan string, idle time.Duration, handle func(string)) error {
	t := time.NewTimer(idle) // want "timer t from time.NewTimer is never stopped"
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			handle(m)
			rearm(t, idle)
		case <-t.C:
			return errIdle
		}
	}
}

func rearm(t *time.Timer, d time.Duration) {
	t.Stop()
	t.Reset(d)
}

var kept []*time.Timer

// Keep hands its timer to a helper that keeps it: the helper owns it now.
func Keep(d time.Duration) {
	t := time.NewTimer(d)
	keep(t)
}

func keep(t *time.Timer) { kept = append(kept, t) }
