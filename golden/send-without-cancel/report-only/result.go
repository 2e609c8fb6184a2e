package reportonly

import (
	"context"
	"errors"
)

// ExitResult carries the error of the wait it reports.
type ExitResult struct {
	Code int
	Err  error
}

// WaitTask hands its caller the task's exit, whose Err is the context's when the caller
// cancels (nomad's driver client): a caller that cancels and then reads the result needs
// it, and a select returning on ctx.Done() would hand it a nil from the closed channel.
func WaitTask(ctx context.Context, wait func(context.Context) (int, error)) <-chan *ExitResult {
	ch := make(chan *ExitResult)
	go func() {
		defer close(ch)
		var result ExitResult
		code, err := wait(ctx)
		if err != nil {
			result.Err = errors.Join(err, ctx.Err())
		} else {
			result.Code = code
		}
		ch <- &result // want "send on ch blocks forever"
	}()
	return ch
}
