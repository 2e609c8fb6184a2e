package nofix

import "time"

type Config struct{ timeout time.Duration }

func (c Config) Timeout() time.Duration { return c.timeout }

// Backoff doubles its wait after every miss: the timeout changes inside the loop.
func Backoff(ready <-chan bool, wait time.Duration) bool {
	for i := 0; i < 5; i++ {
		select {
		case ok := <-ready:
			if ok {
				return true
			}
		case <-time.After(wait): // want "time.After\\(wait\\) in a select inside a loop"
			wait *= 2
		}
	}
	return false
}

// Stepped waits longer on every attempt: the timeout is declared inside the loop.
func Stepped(ready <-chan bool) bool {
	for i := 1; i <= 3; i++ {
		d := time.Duration(i) * time.Millisecond
		select {
		case ok := <-ready:
			if ok {
				return true
			}
		case <-time.After(d): // want "time.After\\(d\\) in a select inside a loop"
		}
	}
	return false
}

// Configured asks for the timeout on every pass: calling it once more could differ.
func Configured(ready <-chan bool, c Config) bool {
	for {
		select {
		case ok := <-ready:
			if ok {
				return true
			}
		case <-time.After(c.Timeout()): // want "time.After\\(c.Timeout\\(\\)\\) in a select inside a loop"
			return false
		}
	}
}
