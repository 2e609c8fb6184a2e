package notinloop

import "time"

// Once waits a single time: one timer per call, released when it fires.
func Once(ready <-chan bool, d time.Duration) bool {
	select {
	case ok := <-ready:
		return ok
	case <-time.After(d):
		return false
	}
}

// Paced sleeps between items: a plain receive waits for its timer, which is then released.
func Paced(items []string, d time.Duration, out chan<- string) {
	for _, it := range items {
		<-time.After(d)
		out <- it
	}
}

// Fan starts one goroutine per item; each waits once, outside any loop of its own.
func Fan(items []chan string, d time.Duration) {
	for _, it := range items {
		go func(c chan string) {
			select {
			case c <- "x":
			case <-time.After(d):
			}
		}(it)
	}
}

// Heartbeat beats until stopped: the only other case leaves the loop, so at most one
// timer is ever left behind.
func Heartbeat(stop <-chan struct{}, d time.Duration, beat func()) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(d):
			beat()
		}
	}
}

// Drain reads until the input closes or goes quiet; the other cases break out of the loop.
func Drain(in <-chan int, d time.Duration) (n int) {
loop:
	for {
		select {
		case _, ok := <-in:
			if !ok {
				break loop
			} else {
				panic("unexpected value")
			}
		case <-time.After(d):
			break loop
		}
	}
	return n
}

// Close writes until interrupted, then waits once for the close or a second, and
// returns: the select with the timer runs at most once per call.
func Close(done, interrupt <-chan struct{}, tick <-chan time.Time, write func() error) {
	for {
		select {
		case <-done:
			return
		case <-tick:
			if write() != nil {
				return
			}
		case <-interrupt:
			select {
			case <-done:
			case <-time.After(time.Second):
			}
			return
		}
	}
}
