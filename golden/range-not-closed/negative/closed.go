package negative

import "fmt"

// Closed by the producer itself.
func Closed(xs []int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, x := range xs {
			ch <- x
		}
	}()
	n := 0
	for v := range ch {
		n += v
	}
	return n
}

// Closed by a function of the package, in another file, that it is handed to.
func ClosedByCallee(n int) int {
	ch := make(chan int)
	go generate(ch, n)
	total := 0
	for v := range ch {
		total += v
	}
	return total
}

// Counted: the reader leaves after as many values as were sent.
func Counted(xs []int) int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- x }()
	}
	n, seen := 0, 0
	for v := range ch {
		n += v
		seen++
		if seen == len(xs) {
			break
		}
	}
	return n
}

// Ticks: the sender never stops, the reader is meant to last as long.
func Ticks(print func(int)) {
	ch := make(chan int)
	go func() {
		for i := 0; ; i++ {
			ch <- i
		}
	}()
	for v := range ch {
		print(v)
	}
}

// Handed over: someone else may close it.
func Handed(sink func(chan int)) {
	ch := make(chan int)
	sink(ch)
	go func() { ch <- 1 }()
	for v := range ch {
		fmt.Println(v)
	}
}

// Stored where others can reach it: someone else may close it.
func Stored(reg map[string]chan int) {
	ch := make(chan int)
	reg["x"] = ch
	go func() { ch <- 1 }()
	for range ch {
	}
}

// Fatal: the reader leaves at the first value, which the senders are waited for to send.
func Fatal(xs []int) {
	errs := make(chan int, len(xs))
	done := make(chan bool)
	for _, x := range xs {
		go func() {
			if x < 0 {
				errs <- x
			}
			done <- true
		}()
	}
	for range xs {
		<-done
	}
	if len(errs) > 0 {
		for x := range errs {
			panic(fmt.Sprint("negative: ", x))
		}
	}
}
