package branches

import (
	clock "time"
)

// Fetch answers from the cache at once, else waits for the backend or the deadline.
func Fetch(cached string, backend <-chan string, d clock.Duration) string {
	t := clock.NewTimer(d) // want "timer t from time.NewTimer is not stopped on every path"
	if cached != "" {
		t.Stop()
		return cached
	}
	select {
	case v := <-backend:
		return v
	case <-t.C:
		return "timeout"
	}
}

// Race waits for ok under a soft and a hard deadline; neither timer is stopped when ok
// arrives first.
func Race(ok <-chan bool, soft, hard clock.Duration) string {
	s := clock.NewTimer(soft) // want "timer s .* never stopped"
	h := clock.NewTimer(hard) // want "timer h .* never stopped"
	for {
		select {
		case v := <-ok:
			if v {
				return "ok"
			}
		case <-s.C:
			return "soft"
		case <-h.C:
			return "hard"
		}
	}
}
