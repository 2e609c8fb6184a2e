package unknowntimeout

import (
	"context"
	"math/rand"
	"time"
)

// A deferred cancel in a loop of a WithTimeout context whose timeout has no value in view
// (a parameter, a field, a computed local) is not reported: the context's own timer frees
// it, and nothing shows that happens long after the end of its iteration.

type config struct{ CommitTimeout time.Duration }

type cluster struct{ conf *config }

func (c *cluster) WaitReady(ready func(context.Context) bool) {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), c.conf.CommitTimeout)
		defer cancel()
		if ready(ctx) {
			return
		}
	}
}

func Probe(parent context.Context, timeout time.Duration, hosts []string, dial func(context.Context, string) error) error {
	for _, h := range hosts {
		ctx, cancel := context.WithDeadline(parent, time.Now().Add(timeout))
		defer cancel()
		if err := dial(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

func Race(try func(context.Context)) {
	run := func(delay time.Duration) {
		for i := 0; i < 10; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), delay)
			defer cancel()
			try(ctx)
		}
	}
	run(time.Millisecond)
	for i := 0; i < 100; i++ {
		delay := time.Duration(rand.Intn(5)) * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), delay)
		defer cancel()
		try(ctx)
	}
}

// A timeout with a value in view is still reported when it is long: a deadline ten seconds
// out, and a package variable whose declared default is a minute (tests may shorten it).

var dialTimeout = time.Minute

func SetDialTimeout(d time.Duration) { dialTimeout = d }

func ProbeLong(parent context.Context, hosts []string, dial func(context.Context, string) error) {
	for _, h := range hosts {
		ctx, cancel := context.WithDeadline(parent, time.Now().Add(10*time.Second)) // want "deferred inside a loop"
		defer cancel()
		_ = dial(ctx, h)
	}
}

func ProbeDefault(parent context.Context, hosts []string, dial func(context.Context, string) error) {
	for _, h := range hosts {
		ctx, cancel := context.WithTimeout(parent, dialTimeout) // want "deferred inside a loop"
		defer cancel()
		_ = dial(ctx, h)
	}
}
