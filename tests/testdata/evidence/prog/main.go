// Command dumps leaves goroutines blocked in known ways, then writes every goroutine
// profile in every format (dumps DIR), panics (panic) or sleeps until it gets SIGQUIT
// (wait). tests/test_evidence_dump.py runs it; the checked-in dumps beside it came from it.
package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"
)

// leakSend leaves n goroutines sending on channels nobody receives from.
func leakSend(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		go func() {
			ch <- i
		}()
	}
}

func worker(ch chan int) {
	for range ch {
	}
}

// leakRange leaves a worker ranging over a channel nobody closes.
func leakRange() {
	ch := make(chan int)
	go worker(ch)
}

var global = make(chan int)

// blockedOnGlobal blocks on a channel a global keeps reachable: not a provable leak.
func blockedOnGlobal() {
	go func() {
		global <- 1
	}()
}

// deep recurses before blocking, so its traceback elides frames (with DEEP set).
func deep(n int, ch chan int) {
	if n == 0 {
		<-ch
		return
	}
	deep(n-1, ch)
}

type box[T any] struct{ ch chan T }

func (b *box[T]) wait() T { return <-b.ch }

func setUp() {
	leakSend(3)
	leakRange()
	blockedOnGlobal()
	if os.Getenv("DEEP") != "" {
		go deep(110, make(chan int))
	}
	go func() {
		b := &box[string]{ch: make(chan string)}
		b.wait()
	}()
	pprof.Do(context.Background(), pprof.Labels("request", "r1"), func(context.Context) {
		go func() {
			select {}
		}()
	})
	go func() {
		runtime.LockOSThread()
		var mu sync.Mutex
		mu.Lock()
		mu.Lock()
	}()
	time.Sleep(50 * time.Millisecond)
}

func main() {
	setUp()
	switch os.Args[1] {
	case "dumps":
		for _, name := range []string{"goroutineleak", "goroutine"} {
			for debug := 0; debug <= 2; debug++ {
				f, err := os.Create(filepath.Join(os.Args[2], name+"-"+strconv.Itoa(debug)))
				if err != nil {
					panic(err)
				}
				pprof.Lookup(name).WriteTo(f, debug)
				f.Close()
			}
		}
	case "panic":
		panic("boom")
	case "wait":
		os.Stdout.WriteString("ready\n")
		time.Sleep(time.Hour)
	}
}
