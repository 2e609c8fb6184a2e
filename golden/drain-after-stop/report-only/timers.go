package timers

import (
	"log"
	"time"
)

// Last stops t and logs when it would have fired.
func Last(t *time.Timer) {
	if t.Stop() {
		at := <-t.C // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
		log.Println("would have fired at", at)
	}
}

// Either stops t, or notes that it fired.
func Either(t *time.Timer, fired func()) {
	if t.Stop() {
		<-t.C // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
	} else {
		fired()
	}
}

// Then stops t when verbose.
func Then(t *time.Timer, verbose bool) {
	if t.Stop() && verbose {
		<-t.C // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
	}
}

// Nested stops t.
func Nested(t *time.Timer, wait bool) {
	if t.Stop() {
		if wait {
			<-t.C // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
		}
	}
}

// Logged stops t in a select whose case logs.
func Logged(t *time.Timer) {
	if t.Stop() {
		select {
		case <-t.C: // want "receive from t's channel after t.Stop\\(\\) returned true blocks forever"
			log.Println("drained")
		}
	}
}
