package pump

import "time"

// Pump offers a tick to out every millisecond, dropping ticks nobody takes.
type Pump struct {
	out chan int
}

func (p *Pump) run() {
	t := time.NewTicker(time.Millisecond)
	go func() {
		for range t.C { // want "never closed\\) and has no context or done channel to watch"
			select {
			case p.out <- 1:
			default:
			}
		}
	}()
}
