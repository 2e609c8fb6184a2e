package safe

import (
	"context"
	"time"
)

// Idiom drains on the branch where Stop returned false.
func Idiom(t *time.Timer) {
	if !t.Stop() {
		<-t.C
	}
}

// IdiomOK is the idiom with the result kept.
func IdiomOK(t *time.Timer) {
	if ok := t.Stop(); !ok {
		<-t.C
	}
}

// Else drains in the else branch.
func Else(t *time.Timer) {
	if t.Stop() {
		return
	} else {
		<-t.C
	}
}

// NonBlocking drains without waiting.
func NonBlocking(t *time.Timer) {
	if t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
}

// Other waits for another timer.
func Other(a, b *time.Timer) {
	if a.Stop() {
		<-b.C
	}
}

// Rearmed resets the timer before waiting for it.
func Rearmed(t *time.Timer, d time.Duration) {
	if t.Stop() {
		t.Reset(d)
		<-t.C
	}
}

// Cancellable can stop waiting.
func Cancellable(ctx context.Context, t *time.Timer) {
	if t.Stop() {
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// Indexed may name another timer each time.
func Indexed(ts []*time.Timer, i int) {
	if ts[i].Stop() {
		<-ts[i].C
	}
}

// Alias waits on a channel that may be another timer's.
func Alias(a, b *time.Timer, first bool) {
	c := a.C
	if !first {
		c = b.C
	}
	if a.Stop() {
		<-c
	}
}
