package numbers

import "context"

// FirstOver returns the first number above limit.
func FirstOver(ctx context.Context, limit int) int {
	for n := range count(ctx) { // want "leaving this range over count\\(...\\) early abandons the generator's goroutine, blocked forever on its next send"
		if n > limit {
			return n
		}
	}
	return -1
}
