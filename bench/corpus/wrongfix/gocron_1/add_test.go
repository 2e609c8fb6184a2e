package gocron

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// shutdownCtx stands for the scheduler's shutdown context and counts the children registered
// on it: context.WithCancel registers a child through AfterFunc (as it does in a *cancelCtx's
// children map for gocron's real parent), and the child's cancel unregisters it.
type shutdownCtx struct {
	done chan struct{}
	live atomic.Int64
}

func (p *shutdownCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (p *shutdownCtx) Done() <-chan struct{}       { return p.done }
func (p *shutdownCtx) Err() error                  { return nil }
func (p *shutdownCtx) Value(any) any               { return nil }

func (p *shutdownCtx) AfterFunc(func()) func() bool {
	p.live.Add(1)
	var stopped atomic.Bool
	return func() bool {
		if stopped.CompareAndSwap(false, true) {
			p.live.Add(-1)
			return true
		}
		return false
	}
}

var _ context.Context = (*shutdownCtx)(nil)

func validCron(*internalJob) error { return nil }

// TestRejectedJobsLeaveNoContext: a rejected NewJob must not leave its context registered on
// the scheduler until Shutdown. Fails on the input (all three), and with -tags patched for the
// option and crontab errors (the nil task passes); passes with -tags rightfix.
func TestRejectedJobsLeaveNoContext(t *testing.T) {
	for _, tc := range []struct {
		name       string
		task       func()
		definition JobDefinition
		options    []JobOption
		want       error
	}{
		{"nil task", nil, validCron, nil, ErrNewJobTaskNil},
		{"start in the past", func() {}, validCron, []JobOption{func(*internalJob) error { return ErrWithStartDateTimePast }}, ErrWithStartDateTimePast},
		{"bad crontab", func() {}, func(*internalJob) error { return ErrCronJobParse }, nil, ErrCronJobParse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := &shutdownCtx{done: make(chan struct{})}
			s := &scheduler{shutdownCtx: parent}
			for i := 0; i < 100; i++ {
				if err := s.addJob(tc.definition, tc.task, tc.options...); !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
			}
			if n := parent.live.Load(); n != 0 {
				t.Fatalf("%d rejected jobs' contexts still registered on the scheduler's shutdown context", n)
			}
		})
	}
}

// TestAcceptedJobKeepsItsContext: an accepted job's context stays live under every variant.
func TestAcceptedJobKeepsItsContext(t *testing.T) {
	parent := &shutdownCtx{done: make(chan struct{})}
	s := &scheduler{shutdownCtx: parent}
	if err := s.addJob(validCron, func() {}); err != nil {
		t.Fatal(err)
	}
	if s.jobs[0].ctx.Err() != nil || parent.live.Load() != 1 {
		t.Fatalf("accepted job's context: err %v, registered %d", s.jobs[0].ctx.Err(), parent.live.Load())
	}
}
