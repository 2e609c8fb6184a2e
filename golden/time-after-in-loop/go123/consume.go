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
		case <-time.After(idle):
			return n
		}
	}
}
