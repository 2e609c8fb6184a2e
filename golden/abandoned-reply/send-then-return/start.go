package start

import (
	"errors"
	"time"
)

var ErrTimeout = errors.New("timeout waiting to start")

// poll asks healthy until it answers true, then says so once and returns; it checks stop
// only between failed polls (controller-runtime's pollURLUntilOK).
func poll(healthy func() bool, interval time.Duration, ready chan bool, stop chan struct{}) {
	for {
		if healthy() {
			ready <- true
			return
		}
		select {
		case <-stop:
			return
		default:
			time.Sleep(interval)
		}
	}
}

// Start waits up to d for healthy to answer true. The send in poll's loop is followed by
// return: it happens once, and one slot is enough.
func Start(healthy func() bool, d time.Duration) error {
	ready, stop := make(chan bool), make(chan struct{}) // want "ready is handed to poll, which sends the answer on it, but this select can stop waiting \\(a timeout\\)"
	go poll(healthy, time.Millisecond, ready, stop)
	select {
	case <-ready:
		return nil
	case <-time.After(d):
		close(stop)
		return ErrTimeout
	}
}

// watch says ready every time healthy answers true, and goes on polling.
func watch(healthy func() bool, ready chan bool, stop chan struct{}) {
	for {
		if healthy() {
			ready <- true
		}
		select {
		case <-stop:
			return
		default:
			time.Sleep(time.Millisecond)
		}
	}
}

// Watch is reported without a fix: the send in watch's loop may happen again and again.
func Watch(healthy func() bool, d time.Duration) error {
	ready, stop := make(chan bool), make(chan struct{}) // want "ready is handed to watch, which sends the answer on it"
	go watch(healthy, ready, stop)
	select {
	case <-ready:
		close(stop)
		return nil
	case <-time.After(d):
		close(stop)
		return ErrTimeout
	}
}
