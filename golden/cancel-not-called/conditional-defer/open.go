package open

import "context"

// Session is what Open hands back.
type Session struct {
	id string
}

// Open cancels its context when something fails, and forgets it when nothing does.
func Open(parent context.Context, dial func(context.Context) (string, error)) (s *Session, err error) {
	ctx, cancel := context.WithCancel(parent) // want "cancel from context.WithCancel is not called on every path: the deferred func calls it only under a condition"
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	id, err := dial(ctx)
	if err != nil {
		return nil, err
	}
	return &Session{id: id}, nil
}

// Fetch clears its flag without handing the cancel on: after that, nothing cancels.
func Fetch(parent context.Context, check func() error, work func(context.Context)) error {
	ctx, cancel := context.WithCancel(parent) // want "cancel from context.WithCancel is not called on every path: the deferred func calls it only under a condition"
	mine := true
	defer func() {
		if mine {
			cancel()
		}
	}()
	if err := check(); err != nil {
		return err
	}
	mine = false
	work(ctx)
	return nil
}
