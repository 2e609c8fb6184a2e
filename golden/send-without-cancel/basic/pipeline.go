package pipeline

import "context"

// Gen emits nums on the returned channel until they run out.
func Gen(ctx context.Context, nums ...int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for _, n := range nums {
			out <- n * 2 // want "send on out blocks forever once its receiver is gone, although ctx could end the goroutine"
		}
	}()
	return out
}
