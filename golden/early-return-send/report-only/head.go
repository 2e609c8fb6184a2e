package head

import "time"

// Head returns the first line; the producer, which sends them all, is left behind.
func Head(lines []string) string {
	ch := make(chan string) // want "goroutines sending on unbuffered channel ch block forever once its receiver receives fewer values than its goroutines send"
	go func() {
		for _, l := range lines {
			ch <- l
		}
		close(ch)
	}()
	return <-ch
}

// Any starts a goroutine per job of a list it does not know the length of.
func Any(jobs func() []func() int) int {
	ch := make(chan int) // want "goroutines sending on unbuffered channel ch block forever once its receiver receives fewer values than its goroutines send"
	for _, job := range jobs() {
		go func() { ch <- job() }()
	}
	return <-ch
}

// Started hands over a ready signal and then works: with a buffer, work would run even
// after the caller gave up waiting, so this is left to a person.
func Started(d time.Duration, work func()) bool {
	ready := make(chan struct{}) // want "goroutines sending on unbuffered channel ready block forever once its receiver takes another case of its select"
	go func() {
		ready <- struct{}{}
		work()
	}()
	select {
	case <-ready:
		return true
	case <-time.After(d):
		return false
	}
}
