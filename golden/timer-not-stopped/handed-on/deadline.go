package deadline

import "time"

// Deadline hands the caller a timer for the rest of the exchange, unless the first reply
// is already there: then the timer is dropped.
func Deadline(replies <-chan string, d time.Duration) (string, *time.Timer) {
	t := time.NewTimer(d) // want "timer t from time.NewTimer is never stopped"
	select {
	case r := <-replies:
		return r, nil
	default:
	}
	return "", t
}
