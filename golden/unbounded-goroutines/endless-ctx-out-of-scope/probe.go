// Package probe makes a context inside an if: it is out of scope at the loop below.
package probe

import (
	"context"
	"time"
)

// Probe checks once under a deadline, then launches work forever. The ctx of the if is
// not visible at the loop, so the loop gets the semaphore alone (a select on ctx.Done()
// there would not compile), and Probe is exported, so no ctx parameter is added.
func Probe(check func(context.Context) error, work func()) error {
	if check != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := check(ctx); err != nil {
			return err
		}
	}
	for {
		go work() // want "endless loop"
		time.Sleep(time.Millisecond)
	}
}
