package count

import (
	"testing"
	"time"
)

// No-hang proof: more texts than the semaphore's slots are all counted, within a second.
func TestWordsCountsEveryText(t *testing.T) {
	texts := make([]string, 100)
	for i := range texts {
		texts[i] = "a b c"
	}
	done := make(chan int)
	go func() { done <- Words(texts) }()
	select {
	case n := <-done:
		if n != 300 {
			t.Fatalf("Words = %d, want 300", n)
		}
	case <-time.After(time.Second):
		t.Fatal("Words hangs")
	}
}
