package watcher

import (
	"context"
	"fmt"
)

// Watcher owns a context that Close cancels.
type Watcher struct {
	ctx    context.Context
	cancel context.CancelFunc
	name   string
}

// New hands its cancel func to the Watcher it builds, but a failed check drops it.
func New(parent context.Context, name string, check func(context.Context) error) (*Watcher, error) {
	ctx, cancel := context.WithCancel(parent) // want "cancel from context.WithCancel is not called on every path"
	if err := check(ctx); err != nil {
		return nil, fmt.Errorf("watch %s: %w", name, err)
	}
	if name == "" {
		return nil, fmt.Errorf("no name")
	}
	return &Watcher{ctx: ctx, cancel: cancel, name: name}, nil
}

// Close ends the watch.
func (w *Watcher) Close() { w.cancel() }
