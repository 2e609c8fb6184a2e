package negative

import (
	"context"
	"time"
)

func answer(out chan<- int) { out <- 42 }

// Buffered already.
func Buffered() int {
	out := make(chan int, 1)
	go answer(out)
	select {
	case v := <-out:
		return v
	case <-time.After(time.Second):
		return 0
	}
}

// Waits for the answer, whatever it takes.
func Waits() int {
	out := make(chan int)
	go answer(out)
	return <-out
}

// Local: the goroutine literal sends (early-return-send's case).
func Local(ctx context.Context) int {
	out := make(chan int)
	go func() { out <- 1 }()
	select {
	case v := <-out:
		return v
	case <-ctx.Done():
		return 0
	}
}

// Returned: the caller receives.
func Returned() chan int {
	out := make(chan int)
	go answer(out)
	return out
}
