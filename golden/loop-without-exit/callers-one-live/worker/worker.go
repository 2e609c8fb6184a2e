// Package worker runs a job with its own limiter, until the job's context ends.
package worker

import (
	"context"

	"example.com/bwlimit/limiter"
)

// Run starts the limiter on a context it cancels when the job is done: the ticker's
// goroutine must stop with it.
func Run(parent context.Context, job func(context.Context)) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	limiter.Start(ctx)
	job(ctx)
}
