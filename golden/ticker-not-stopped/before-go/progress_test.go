package beforego

import (
	"testing"
	"time"
)

// No-hang proofs: both paths of each function still finish.
func TestReport(t *testing.T) {
	Report(nil, func(int) {}, make(chan struct{}))
	ticked, done := make(chan int, 1), make(chan struct{})
	Report([]string{"a"}, func(i int) {
		select {
		case ticked <- i:
		default:
		}
	}, done)
	<-ticked
	close(done)
}

func TestWalk(t *testing.T) {
	for _, n := range []int{0, 3} {
		files, finished := make(chan string), make(chan struct{})
		Walk(files, func(int) {}, finished)
		for i := 0; i < n; i++ {
			files <- "f"
		}
		close(files)
		select {
		case <-finished:
		case <-time.After(5 * time.Second):
			t.Fatalf("%d files: Walk never finished", n)
		}
	}
}

func TestSpawn(t *testing.T) {
	Spawn(nil, func(int) {}, make(chan struct{}))
	ticked, done := make(chan int, 1), make(chan struct{})
	Spawn([]string{"a"}, func(n int) {
		select {
		case ticked <- n:
		default:
		}
	}, done)
	<-ticked
	close(done)
}
