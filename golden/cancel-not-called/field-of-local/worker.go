package worker

import "context"

// Worker owns a context that Stop cancels.
type Worker struct {
	ctx    context.Context
	cancel context.CancelFunc
	name   string
}

// Start builds a worker; a failed init drops it, and its cancel func with it.
func Start(parent context.Context, name string, init func(context.Context) error) (*Worker, error) {
	w := &Worker{name: name}
	w.ctx, w.cancel = context.WithCancel(parent) // want "w.cancel from context.WithCancel is dropped with w at line 17 before it is called"
	if err := init(w.ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// Stop ends the worker.
func (w *Worker) Stop() { w.cancel() }

// Restart keeps the new context in a worker it was given: the caller owns it.
func Restart(parent context.Context, w *Worker) {
	w.ctx, w.cancel = context.WithCancel(parent)
}

// Detach stops the worker itself when init fails.
func Detach(parent context.Context, init func(context.Context) error) (*Worker, error) {
	var w Worker
	w.ctx, w.cancel = context.WithCancel(parent)
	if err := init(w.ctx); err != nil {
		w.Stop()
		return nil, err
	}
	return &w, nil
}
