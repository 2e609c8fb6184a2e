package relay

import (
	"errors"
	clock "time"
)

var (
	ErrIdle  = errors.New("no input")
	ErrStuck = errors.New("output blocked")
)

// Relay forwards non-negative values from in to out, giving up on either side after wait.
func Relay(in <-chan int, out chan<- int, wait clock.Duration) error {
	for {
		var v int
		select {
		case v = <-in:
		case <-clock.After(wait): // want "clock.After\\(wait\\) in a select inside a loop makes a new timer on every pass"
			return ErrIdle
		}
		if v < 0 {
			continue
		}
		select {
		case out <- v:
		case <-clock.After(wait): // want "clock.After\\(wait\\) in a select inside a loop makes a new timer on every pass"
			return ErrStuck
		}
	}
}

type Job struct {
	Name  string
	Reply <-chan string
}

// Collect waits up to twice each.Timeout for the reply of every job that has one.
func Collect(jobs []Job, each struct{ Timeout clock.Duration }) (lines []string) {
jobs:
	for _, j := range jobs {
		if j.Reply == nil {
			continue
		}
		// one reply per job, or a timeout line
		select {
		case r, ok := <-j.Reply:
			if !ok {
				break jobs
			}
			lines = append(lines, j.Name+": "+r)
		case <-clock.After(each.Timeout * 2): // want "clock.After\\(each.Timeout \\* 2\\) in a select inside a loop makes a new timer on every pass"
			lines = append(lines, j.Name+": timeout")
		}
	}
	return lines
}
