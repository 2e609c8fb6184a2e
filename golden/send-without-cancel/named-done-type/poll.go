// Package namedtype polls until ready, with stop channels of named types.
package namedtype

import "time"

// stopChannel is a done channel under a name of its own (controller-runtime's
// internal/testing/process): a stop signal as much as a chan struct{}.
type stopChannel chan struct{}

// Start polls check until it holds, or gives up after timeout.
func Start(check func() bool, timeout time.Duration) bool {
	ready := make(chan bool)
	stopCh := make(stopChannel)
	go poll(check, ready, stopCh)
	select {
	case <-ready:
		return true
	case <-time.After(timeout):
		close(stopCh)
		return false
	}
}

func poll(check func() bool, ready chan bool, stopCh stopChannel) {
	for {
		if check() {
			ready <- true // want "send on ready blocks forever .* stopCh could end"
			return
		}
		select {
		case <-stopCh:
			return
		default:
			time.Sleep(time.Millisecond)
		}
	}
}

// doneCount carries counts, not a stop: a named channel type of int is no done channel,
// so watch has no signal to select on (not reported).
type doneCount chan int

func watch(check func() bool, ready chan bool, doneCh doneCount) {
	for {
		if check() {
			ready <- true
			return
		}
		select {
		case n := <-doneCh:
			_ = n
			return
		default:
			time.Sleep(time.Millisecond)
		}
	}
}

// Watch starts watch.
func Watch(check func() bool) chan int {
	ready, done := make(chan bool), make(doneCount)
	go watch(check, ready, done)
	return done
}
