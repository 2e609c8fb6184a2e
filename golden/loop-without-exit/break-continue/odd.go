package odd

import (
	"context"
	"time"
)

// Odd sends the odd tick numbers up to n on out, then closes it. The loop leaves by its
// last break: it has a way out, so it is not reported (the breaks that leave only the inner
// loop or the switch do not count as ways out).
func Odd(ctx context.Context, n int, every time.Duration, out chan<- int) {
	t := time.NewTicker(every)
	go func() {
		defer close(out)
		i := 0
		for range t.C {
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
