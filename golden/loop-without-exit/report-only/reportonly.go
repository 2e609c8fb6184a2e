package reportonly

import (
	"context"
	"sync"
	"time"
)

// Poll may stop by itself: a loop with a way out is not reported (whether ready() comes true
// at shutdown cannot be told from the code).
func Poll(ctx context.Context, wg *sync.WaitGroup, t *time.Ticker, ready func() bool) {
	wg.Add(1)
	go func() {
		for range t.C {
			if ready() {
				break
			}
		}
		wg.Done()
	}()
}

// Count's goroutine function has a result, so a bare return would not compile.
func Count(ctx context.Context, in <-chan int) {
	go func() int {
		n := 0
		for { // want "select loop has no way out"
			select {
			case <-in:
				n++
			}
		}
	}()
}

// Query's loop body holds a multi-line raw string that cannot be re-indented.
func Query(ctx context.Context, ticker *time.Ticker, run func(string)) {
	go func() {
		for range ticker.C { // want "ranging over ticker.C never ends"
			run(`SELECT 1
FROM dual`)
		}
	}()
}

// Spin receives from done but goes round again: adding a second case would be wrong,
// the existing one must leave.
func Spin(work func()) {
	done := make(chan struct{})
	go func() {
		for { // want "select loop receives from done but never leaves"
			work()
			select {
			case <-done:
			default:
			}
		}
	}()
	close(done)
}

// SpinBreak's case on done only breaks out of the select: ineffective-break reports that
// break and labels the loop for it, so this rule does not report the loop as well.
func SpinBreak(work func()) {
	done := make(chan struct{})
	go func() {
		for {
			work()
			select {
			case <-done:
				break
			default:
			}
		}
	}()
	close(done)
}

// Guarded unlocks mu after each select: a return in the select would leave mu locked.
func Guarded(ctx context.Context, mu *sync.Mutex, in <-chan int, use func(int)) {
	go func() {
		for { // want "select loop has no way out"
			mu.Lock()
			select {
			case v := <-in:
				use(v)
			}
			mu.Unlock()
		}
	}()
}
