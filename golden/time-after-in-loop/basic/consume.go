package consume

import "time"

// Consume handles messages until none arrives for idle, then returns how many it saw.
func Consume(msgs <-chan string, idle time.Duration, handle func(string)) int {
	n := 0
	for {
		select {
		case m := <-msgs:
			handle(m)
			n++
		case <-time.After(idle): // want "time.After\\(idle\\) in a select inside a loop makes a new timer on every pass: before Go 1.23 each one stays in the runtime until it fires, even when `m := <-msgs` wins"
			return n
		}
	}
}
