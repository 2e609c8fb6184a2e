package sample

import "time"

// Sample takes n ticks from each source in turn; every ticker ticks on until Sample returns.
func Sample(sources []func() int, n int, every time.Duration) (sum int) {
	for _, src := range sources {
		tk := time.NewTicker(every) // want "ticker tk from time.NewTicker is stopped by a defer inside a loop"
		defer tk.Stop()
		for i := 0; i < n; i++ {
			<-tk.C
			sum += src()
		}
	}
	return sum
}
