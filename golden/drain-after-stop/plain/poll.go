package poll

import "time"

// Cancel stops a pending timer; it reports whether the timer was still pending.
func Cancel(t *time.Timer) bool {
	if ok := t.Stop(); ok {
		<-t.C // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
	}
	return true
}

type job struct {
	timer   *time.Timer
	stopped int
}

// Halt stops the job's timer and counts it.
func (j *job) Halt() {
	if j.timer.Stop() {
		j.stopped++
		<-j.timer.C // want "receive from j.timer's channel after j.timer.Stop\\(\\) returned true blocks forever"
	}
}

// Drop stops t, waiting in a select that has no other way out.
func Drop(t *time.Timer) {
	if t.Stop() {
		select {
		case <-t.C: // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
		}
	}
}

// Discard stops t and throws the drained value away.
func Discard(t *time.Timer) {
	if t.Stop() {
		// nothing left to wait for
		_ = <-t.C // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
	}
}
