package room

import (
	"fmt"
	"testing"
	"time"
)

// Fifty dispatches under the read lock: Dispatch returns and every job finishes.
func TestDispatchReturns(t *testing.T) {
	r := &Room{done: map[string]bool{}}
	var ds []string
	for i := 0; i < 50; i++ {
		ds = append(ds, fmt.Sprint(i))
	}
	within(t, 10*time.Second, func() {
		r.Dispatch(ds)
		for r.Done() < len(ds) {
			time.Sleep(time.Millisecond)
		}
	})
}
