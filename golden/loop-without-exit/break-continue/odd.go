package odd

import (
	"context"
	"time"
)

// Odd sends the odd tick numbers up to n on out, then closes it.
func Odd(ctx context.Context, n int, every time.Duration, out chan<- int) {
	t := time.NewTicker(every)
	go func() {
		defer close(out)
		i := 0
		for range t.C { // want "ranging over t.C ends only where its body leaves it"
			i++
			if i%2 == 0 {
				continue
			}
			for j := 0; j < i; j++ {
				if j > 0 {
					break // leaves the inner loop only
				}
			}
			switch {
			case i > n:
				break // leaves the switch only
			default:
				out <- i
			}
			if i >= n {
				break
			}
		}
	}()
}
