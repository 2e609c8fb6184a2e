package slots

import (
	"context"
	"time"
)

type job struct{ delay time.Duration }

type scheduler struct{ jobs []job }

// RunAll starts one worker per job on a channel with a slot for each (k6's scheduler): a
// worker's one send always fits, so it needs no case on ctx.
func (s *scheduler) RunAll(ctx context.Context) error {
	n := len(s.jobs)
	res := make(chan error, n)
	for _, j := range s.jobs {
		go s.runJob(ctx, res, j)
	}
	var first error
	for range s.jobs {
		if err := <-res; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// RunN does the same for n workers counted by the loop (rclone's ListR runners).
func (s *scheduler) RunN(ctx context.Context, n int) {
	res := make(chan error, n)
	for i := 0; i < n; i++ {
		go s.runJob(ctx, res, job{})
	}
	for range n {
		<-res
	}
}

func (s *scheduler) runJob(ctx context.Context, res chan<- error, j job) {
	if j.delay > 0 {
		select {
		case <-ctx.Done():
			res <- nil
			return
		case <-time.After(j.delay):
		}
	}
	err := ctx.Err()
	res <- err
}

// RunTwice starts two workers per job on one slot per job: a second send may block once
// the reader has left.
func (s *scheduler) RunTwice(ctx context.Context) {
	res := make(chan error, len(s.jobs))
	for range s.jobs {
		go s.twice(ctx, res)
		go s.twice(ctx, res)
	}
	<-res
}

func (s *scheduler) twice(ctx context.Context, res chan<- error) {
	if ctx.Err() != nil {
		return
	}
	err := ctx.Err()
	res <- err // want "blocks forever once its receiver is gone"
}
