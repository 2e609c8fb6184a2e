package quiet

import "context"

// Checked sets stopped in the select and returns on it after: the break reaches that check.
func Checked(done <-chan struct{}, in <-chan int, sink func(int)) {
	stopped := false
	for {
		select {
		case <-done:
			stopped = true
			break
		case v := <-in:
			sink(v)
		}
		if stopped {
			return
		}
	}
}

// Labeled already breaks its loop.
func Labeled(ctx context.Context, in <-chan int, sink func(int)) {
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case v := <-in:
			sink(v)
		}
	}
}

// Once waits once: its select is in no loop, so the break leaves all there is.
func Once(ctx context.Context, in <-chan int, sink func(int)) {
	select {
	case <-ctx.Done():
		break
	case v := <-in:
		sink(v)
	}
	sink(0)
}

// Conditioned loops while running, which its stop case clears.
func Conditioned(stop <-chan struct{}, in <-chan int, sink func(int)) {
	running := true
	for running {
		select {
		case <-stop:
			running = false
			break
		case v := <-in:
			sink(v)
		}
	}
}

// Merge switches each input off as it closes (the nil-channel idiom) and ends when both are.
func Merge(a, b <-chan int, sink func(int)) {
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				break
			}
			sink(v)
		case v, ok := <-b:
			if !ok {
				b = nil
				break
			}
			sink(v)
		}
	}
}

// MergeForever is Merge written as an endless loop that returns once both are off.
func MergeForever(a, b <-chan int, sink func(int)) {
	for {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				break
			}
			sink(v)
		case v, ok := <-b:
			if !ok {
				b = nil
				break
			}
			sink(v)
		}
		if a == nil && b == nil {
			return
		}
	}
}

// Skip breaks out of a data case to skip the rest of it: not a stop signal.
func Skip(ctx context.Context, in <-chan int, sink func(int)) {
	for {
		select {
		case <-ctx.Done():
			return
		case v := <-in:
			if v < 0 {
				break
			}
			sink(v)
		}
	}
}

// Forced returns on a forced stop and goes on otherwise: the break is deliberate.
func Forced(stop <-chan bool, in <-chan int, sink func(int)) {
	for {
		select {
		case force := <-stop:
			if force {
				return
			}
			break
		case v := <-in:
			sink(v)
		}
	}
}

// Nested has its select inside an if: not a statement of the loop's own body.
func Nested(ctx context.Context, in <-chan int, sink func(int), busy func() bool) {
	for {
		if busy() {
			select {
			case <-ctx.Done():
				break
			case v := <-in:
				sink(v)
			}
		}
	}
}

// Batch ranges over a slice: the loop ends with it.
func Batch(ctx context.Context, vs []int, sink func(int)) {
	for _, v := range vs {
		select {
		case <-ctx.Done():
			break
		default:
			sink(v)
		}
	}
}
