package launchargs

import (
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"
)

// Every launch must see the value its argument had at the launch: 0..n-1 (Dispatch,
// Advance, Pointer) or 1..n (Number), each once. One P runs each goroutine only once the
// launcher blocks on its next receive, after it has changed the value.
func TestArgumentsAreEvaluatedAtTheLaunch(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 30
	for name, tc := range map[string]struct {
		start  func(<-chan string, func(int, string))
		offset int
	}{
		"Number":   {Number, 1},
		"Advance":  {Advance, 0},
		"Pointer":  {Pointer, 0},
		"Dispatch": {(&Server{}).Dispatch, 0},
	} {
		var mu sync.Mutex
		var got []int
		var wg sync.WaitGroup
		wg.Add(n)
		lines := make(chan string)
		go tc.start(lines, func(i int, _ string) {
			mu.Lock()
			got = append(got, i)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			wg.Done()
		})
		for i := 0; i < n; i++ {
			lines <- "x"
		}
		close(lines)
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the goroutines did not all finish", name)
		}
		sort.Ints(got)
		for i, v := range got {
			if v != i+tc.offset {
				t.Fatalf("%s: goroutine %d got %d, want %d (arguments read after the launch): %v", name, i, v, i+tc.offset, got)
			}
		}
	}
}
