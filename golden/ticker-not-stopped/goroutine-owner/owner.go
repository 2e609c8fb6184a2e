package owner

import (
	clock "time"
)

// Heartbeat sends n beats from a goroutine that owns the ticker.
func Heartbeat(n int, out chan<- int) {
	tk := clock.NewTicker(clock.Millisecond) // want "ticker tk .* never stopped"
	go func() {
		for i := 0; i < n; i++ {
			<-tk.C
			out <- i
		}
		close(out)
	}()
}
