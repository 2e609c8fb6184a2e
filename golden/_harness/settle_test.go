// What the golden cases' leak proofs share. The golden runner (tests/test_golden.py,
// materialize) copies this file into a case's package, under that package's name, when a
// test there calls settle and does not declare its own.
package harness

import (
	"runtime"
	"time"
)

func settle(base int) int { // poll until back to base or 2 s pass
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}
