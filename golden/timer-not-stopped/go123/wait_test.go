package wait

import (
	"testing"
	"time"
)

func TestResultFirst(t *testing.T) {
	results := make(chan int, 1)
	results <- 7
	if r, err := First(results, time.Hour); r != 7 || err != nil {
		t.Fatalf("First = %d, %v; want 7, nil", r, err)
	}
}

func TestTimeout(t *testing.T) {
	if _, err := First(make(chan int), 10*time.Millisecond); err != ErrTimeout {
		t.Fatalf("First = %v; want ErrTimeout", err)
	}
}
