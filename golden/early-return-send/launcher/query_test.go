package launcher

import (
	"testing"
	"time"
)

// No-hang proofs: a receiver that waits for every answer gets them all.
func TestAnswers(t *testing.T) {
	within(t, 2*time.Second, func() {
		if r, err := Query(time.Second, func() string { return "hi" }); r != "hi" || err != nil {
			t.Errorf("Query = %q, %v", r, err)
		}
		if err := All([]int{1, 2, 3}, func(int) error { return nil }); err != nil {
			t.Errorf("All = %v", err)
		}
		if err := All(nil, func(int) error { return nil }); err != nil {
			t.Errorf("All(nil) = %v", err)
		}
	})
}
