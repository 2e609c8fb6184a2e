package pipeline

// Total sums what produce sends: produce (in produce.go) never closes the channel.
func Total(n int) int {
	ch := make(chan int)
	go produce(ch, n)
	total := 0
	for v := range ch { // want "nothing closes ch"
		total += v
	}
	return total
}

// Each runs f on every value of xs in goroutines that are not tracked.
func Each(xs []int, f func(int) int) int {
	out := make(chan int)
	for _, x := range xs {
		go func() { out <- f(x) }()
	}
	sum := 0
	for v := range out { // want "nothing closes out"
		sum += v
	}
	return sum
}
