package sum

// Squares adds up the squares of xs, computed by a goroutine.
func Squares(xs []int) int {
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			ch <- x * x
		}
	}()
	total := 0
	for sq := range ch { // want "nothing closes ch: reading it until it is closed never ends, so Squares blocks forever after the last value"
		total += sq
	}
	return total
}
