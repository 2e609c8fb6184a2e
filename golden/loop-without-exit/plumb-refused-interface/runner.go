package runner

import "time"

// Runner is satisfied by beat: adding a parameter to beat.run would break that.
type Runner interface {
	run()
}

type beat struct{ n int }

func (b *beat) run() {
	t := time.NewTicker(time.Second)
	go func() {
		for range t.C { // want "never closed\\) and has no context or done channel to watch"
			b.n++
		}
	}()
}

var _ Runner = &beat{}
