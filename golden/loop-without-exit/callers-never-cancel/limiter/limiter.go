// Package limiter keeps one process-wide bandwidth limit.
package limiter

import "context"

// Bucket is the process's limiter.
var Bucket = &bucket{}

// Start starts the limiter's refill ticker. Every caller in the module passes
// context.Background(): the ticker lives as long as the process, and a case on
// ctx.Done() would never run.
func Start(ctx context.Context) {
	Bucket.startTicker(ctx)
}
