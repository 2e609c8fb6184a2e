// Package notheld drops cancel funcs only on paths where nothing is held: the context is
// done, the maker failed, the context was cleared after its cancel, or the test failed.
package notheld

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// Walk stops early once the context has a cause: a context with a cause is done.
func Walk(ctx context.Context, items []string, visit func(context.Context, string) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	for _, it := range items {
		if err := visit(ctx, it); err != nil {
			cancel(err)
		}
	}
	if context.Cause(ctx) != nil {
		_ = cancel // vet's lostcancel cannot tell that a context with a cause is done
		return context.Cause(ctx)
	}
	cancel(nil)
	return nil
}

// WalkErr stops early on any error: the context is still live there.
func WalkErr(ctx context.Context, items []string, visit func(context.Context, string) error) error {
	ctx, cancel := context.WithCancelCause(ctx) // want "cancel from context.WithCancelCause is not called on every path"
	for _, it := range items {
		if err := visit(ctx, it); err != nil {
			return err
		}
	}
	cancel(nil)
	return nil
}

// requestContext gives no context when the request's timeout is malformed.
func requestContext(r *http.Request) (context.Context, context.CancelFunc, bool) {
	d, err := time.ParseDuration(r.Header.Get("Request-Timeout"))
	if err != nil {
		return nil, nil, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), d)
	return ctx, cancel, true
}

// Serve returns at once when there is no context: no cancel func came with it.
func Serve(r *http.Request, handle func(context.Context)) {
	ctx, cancel, ok := requestContext(r)
	if !ok {
		return
	}
	defer cancel()
	handle(ctx)
}

// ServeGet also returns for a HEAD, with a live context.
func ServeGet(r *http.Request, handle func(context.Context)) {
	ctx, cancel, ok := requestContext(r) // want "cancel from requestContext is not called on every path"
	if !ok || r.Method == http.MethodHead {
		return
	}
	defer cancel()
	handle(ctx)
}

// Repl starts a watch on "start" unless one runs, and cancels and clears it on "stop":
// a context is made again only once the last one was cancelled.
func Repl(ctx context.Context, cmds <-chan string, watches chan<- context.Context) {
	var watchCtx context.Context
	var watchCancel context.CancelFunc
	for cmd := range cmds {
		switch cmd {
		case "start":
			if watchCtx != nil {
				continue
			}
			watchCtx, watchCancel = context.WithCancel(ctx)
			watches <- watchCtx
		case "stop":
			if watchCtx == nil {
				continue
			}
			watchCancel()
			watchCtx = nil
		}
	}
	if watchCancel != nil {
		watchCancel()
	}
}

// ReplForget clears the context without cancelling it: "start" then makes another.
func ReplForget(ctx context.Context, cmds <-chan string, watches chan<- context.Context) {
	var watchCtx context.Context
	var watchCancel context.CancelFunc
	for cmd := range cmds {
		switch cmd {
		case "start":
			if watchCtx != nil {
				continue
			}
			watchCtx, watchCancel = context.WithCancel(ctx) // want "watchCancel from context.WithCancel is made again by the loop before it is called"
			watches <- watchCtx
		case "forget":
			watchCtx = nil
		}
	}
	if watchCancel != nil {
		watchCancel()
	}
}

// Ping retries only after failing the test: a passing run returns on its first pass, and
// runs the one deferred cancel.
func Ping(t *testing.T, ping func(context.Context) error) {
	for try := 0; try < 3; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ping(ctx); err != nil {
			t.Errorf("ping %d: %v", try, err)
			continue
		}
		return
	}
}

// PingLog retries after logging only: every retry's context waits for the return.
func PingLog(t *testing.T, ping func(context.Context) error) error {
	for try := 0; try < 3; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // want "cancel from context.WithTimeout is deferred inside a loop"
		defer cancel()
		if err := ping(ctx); err != nil {
			t.Logf("ping %d: %v", try, err)
			continue
		}
		return nil
	}
	return errors.New("no answer")
}
