package watch

import (
	"context"
	"net/http"
)

type Feed struct{ items []string }

// Items sends the feed's items, one by one, until ctx is done.
func (f *Feed) Items(ctx context.Context) chan string {
	ch := make(chan string)
	go func() {
		for _, it := range f.items {
			select {
			case ch <- it:
			case <-ctx.Done():
				return
			}
		}
		close(ch)
	}()
	return ch
}

// Handle writes the items up to the first empty one.
func Handle(f *Feed) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		items := f.Items(r.Context())
		for it := range items { // want "leaving this range over Items\\(...\\) early abandons the generator's goroutine"
			if it == "" {
				break
			}
			w.Write([]byte(it))
		}
		w.Write([]byte("."))
	}
}
