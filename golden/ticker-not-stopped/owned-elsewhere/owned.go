package owned

import "time"

// Pacer hands the ticker to a closure that runs after Pacer returns: the closure owns it,
// and stopping it here would strand the closure.
func Pacer(d time.Duration) func() {
	t := time.NewTicker(d)
	return func() {
		<-t.C
	}
}

// Deferred stops the ticker from a deferred function literal.
func Deferred(d time.Duration, n int) {
	t := time.NewTicker(d)
	defer func() {
		t.Stop()
	}()
	for i := 0; i < n; i++ {
		<-t.C
	}
}

// Forever ticks in a goroutine that never ends: loop-without-exit's business, a defer
// inside it would never run.
func Forever(d time.Duration, beat func()) {
	t := time.NewTicker(d)
	go func() {
		for range t.C {
			beat()
		}
	}()
}

// Shared waits for one tick itself and lets a goroutine wait for n more: a defer here
// would stop the ticker under the goroutine.
func Shared(d time.Duration, n int, done chan<- bool) {
	t := time.NewTicker(d) // want "ticker t from time.NewTicker is never stopped"
	<-t.C
	go func() {
		for i := 0; i < n; i++ {
			<-t.C
		}
		done <- true
	}()
}
