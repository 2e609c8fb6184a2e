package shorttimeout

import (
	"context"
	"time"

	"example.com/shorttimeout/timeouts"
)

// Each pass's context expires in milliseconds, about as soon as the end of the pass would
// cancel it: the deferred cancels pile up nothing worth reporting.

func PollShort(parent context.Context, ready func(context.Context) bool) {
	for {
		ctx, cancel := context.WithTimeout(parent, shortTimeout)
		defer cancel()
		if ready(ctx) {
			return
		}
	}
}

func PollProbe(parent context.Context, ready func(context.Context) bool) {
	for {
		ctx, cancel := context.WithTimeout(parent, probeTimeout)
		defer cancel()
		if ready(ctx) {
			return
		}
	}
}

func PollImported(parent context.Context, ready func(context.Context) bool) {
	for i := 0; ; i++ {
		wait := timeouts.Poll
		ctx, cancel := context.WithTimeout(parent, wait*time.Duration(1))
		defer cancel()
		if ready(ctx) {
			return
		}
		time.Sleep(timeouts.Short)
	}
}

// PollRetry's timeout is a variable someone may set to an hour.
func PollRetry(parent context.Context, ready func(context.Context) bool) {
	for {
		ctx, cancel := context.WithTimeout(parent, retryTimeout) // want "deferred inside a loop"
		defer cancel()
		if ready(ctx) {
			return
		}
	}
}
