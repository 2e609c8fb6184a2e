package restore

import "context"

// First returns the first span that is ready, or false once ctx is done.
func First(ctx context.Context, spans int) bool {
	ready := make(chan bool, 2)
	go func() {
		defer close(ready)
		split(ready, spans)
	}()
	for span := range ready { // want "leaving this range over ready early abandons the goroutine producing it, blocked forever on its next send"
		select {
		case <-ctx.Done():
			return false
		default:
			return span
		}
	}
	return false
}
