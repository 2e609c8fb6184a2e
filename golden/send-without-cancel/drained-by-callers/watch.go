package drained

import (
	"context"
	"time"
)

type event struct {
	key string
	n   int
}

type store struct{ poll time.Duration }

// watch feeds events until ctx ends, then closes the channel; its one caller ranges over the channel with no way
// out of the loop, so the bare send is never stranded: not reported.
func (s *store) watch(ctx context.Context, key string) <-chan event {
	ch := make(chan event)
	go func() {
		defer close(ch)
		for n := 0; ; n++ {
			if ctx.Err() != nil {
				return
			}
			ch <- event{key, n}
			time.Sleep(s.poll)
		}
	}()
	return ch
}

// feed sends until its reader stops reading, which its caller may do: reported.
func (s *store) feed(ctx context.Context, key string) <-chan event {
	ch := make(chan event)
	go func() {
		for n := 0; ; n++ {
			ch <- event{key, n} // want "send on ch blocks forever"
			time.Sleep(s.poll)
		}
	}()
	return ch
}
