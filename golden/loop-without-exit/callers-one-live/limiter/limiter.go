// Package limiter keeps one process-wide bandwidth limit.
package limiter

import "context"

// Bucket is the process's limiter.
var Bucket = &bucket{}

// Start starts the limiter's refill ticker, until ctx ends. worker.Run passes a
// context it cancels, so a case on ctx.Done() stops the ticker's goroutine
// with the job.
func Start(ctx context.Context) {
	Bucket.startTicker(ctx)
}
