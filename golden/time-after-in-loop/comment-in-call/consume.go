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
		case <-time.After(idle /* restarts with every message */): // want "time.After\\(idle /\\* restarts with every message \\*/\\) in a select inside a loop makes a new timer on every pass"
			return n
		}
	}
}

// Drain is Consume with the comment on a line of its own: it would have no place left
// once the call is replaced, so there is no fix.
func Drain(msgs <-chan string, idle time.Duration) int {
	n := 0
	for {
		select {
		case <-msgs:
			n++
		case <-time.After( // want "in a select inside a loop makes a new timer on every pass"
			// restarts with every message
			idle,
		):
			return n
		}
	}
}
