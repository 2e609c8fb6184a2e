package workers

import (
	"context"
	"sync"
)

// Work squares jobs until jobs is closed.
func Work(ctx context.Context, jobs <-chan int, results *sync.Map) {
	go func() {
		for {
			j, ok := <-jobs // want "receive from jobs blocks forever once its sender is gone, although ctx could end the goroutine"
			if !ok {
				return
			}
			results.Store(j, j*j)
		}
	}()
}

// Latest keeps the last value seen on in, after a first one arrives.
func Latest(ctx context.Context, in <-chan string, seen func(string)) {
	go func() {
		var last string
		last = <-in // want "receive from in blocks forever"
		seen(last)
	}()
}

// Gate runs f once start fires.
func Gate(ctx context.Context, start chan int, f func()) {
	go func() {
		<-start // want "receive from start blocks forever"
		f()
	}()
}

// Mailbox hands each message to deliver.
type Mailbox struct {
	inbox chan string
}

func (m *Mailbox) Run(ctx context.Context, deliver func(string)) {
	go func() {
		for {
			msg := <-m.inbox // want "receive from m.inbox blocks forever"
			deliver(msg)
		}
	}()
}
