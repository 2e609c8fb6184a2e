// Package every receives every send: the receive loops and counts here match the senders'
// sends, so no finding.
package every

// Rounds ranges over every round the producer sends; the labeled break leaves only the
// inner polling loop, and the outer range keeps draining until close.
func Rounds(rounds int, poll func(int) bool) int {
	starts := make(chan int)
	go func() {
		defer close(starts)
		for i := 0; i < rounds; i++ {
			starts <- i
		}
	}()
	n := 0
	for start := range starts {
	poll:
		for {
			if poll(start) {
				break poll
			}
			n++
		}
	}
	return n
}

// Both starts one goroutine per element of a literal list and receives exactly as many.
func Both(get func(string) int) int {
	results := make(chan int)
	for _, name := range []string{"a", "b"} {
		go func(n string) { results <- get(n) }(name)
	}
	return <-results + <-results
}

// Halfway sends once, when the loop is half done (Twice below with a counted loop): a counter compared with a value the
// loop does not change is equal in one iteration only.
func Halfway(n int, step func(int)) {
	half := make(chan bool)
	done := make(chan bool)
	go func() {
		for i := range n {
			step(i)
			if i == n/2 {
				half <- true
			}
		}
		done <- true
	}()
	<-half
	<-done
}

// Twice sends once at each of two counts that the loop does not change.
func Twice(n int, step func(int)) {
	first, last := make(chan int), make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			step(i)
			if i == 0 {
				first <- i
			}
			if n-1 == i {
				last <- i
			}
		}
	}()
	<-first
	<-last
}
