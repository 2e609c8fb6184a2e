package twice

import "time"

type job struct {
	progress chan int
}

func (j job) run() {
	for i := 0; i < 3; i++ {
		j.progress <- i
	}
}

func work(out chan int) {
	out <- 1
	out <- 2
}

// First waits a little for the first answer of work.
func First() int {
	out := make(chan int) // want "out is handed to work"
	go work(out)
	select {
	case v := <-out:
		return v
	case <-time.After(time.Millisecond):
		return 0
	}
}

// Progress waits a little for a job's first progress report.
func Progress() int {
	ch := make(chan int) // want "ch is handed to whoever serves its .progress"
	go job{progress: ch}.run()
	select {
	case v := <-ch:
		return v
	default:
		return -1
	}
}
