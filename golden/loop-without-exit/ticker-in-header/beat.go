// Package header ranges over tickers made in the loop's own header.
package header

import (
	"context"
	"time"
)

// Beat pings on every tick of a ticker it makes in the range clause.
func Beat(ctx context.Context, every time.Duration, ping func()) {
	go func() {
		for range time.NewTicker(every).C { // want "ranging over time.NewTicker\\(every\\).C never ends"
			ping()
		}
	}()
}

// Count counts ticks of time.Tick, stopping after n: a loop with a way out is not reported.
func Count(ctx context.Context, every time.Duration, n int, tick func(int)) {
	go func() {
		i := 0
		for range time.Tick(every) {
			i++
			tick(i)
			if i == n {
				break
			}
		}
	}()
}
