// Package exchange starts a worker that reports when it is done. Its only caller with a
// context cancels that context itself and then waits for the report: the context ending
// does not mean the reader is gone, so plumbing it into start (and selecting on it before
// the send) could make the send lose to the cancellation and Run wait forever.
package exchange

import "context"

// start runs work and reports once it returns.
func start(work func()) chan bool {
	exited := make(chan bool)
	go func() {
		work()
		exited <- true
	}()
	return exited
}

// Run stops the work's context first, then waits for the worker's report.
func Run(parent context.Context, work func(context.Context)) bool {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	exited := start(func() { <-ctx.Done(); work(ctx) })
	cancel()
	return <-exited
}
