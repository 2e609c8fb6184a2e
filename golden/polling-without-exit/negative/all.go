package negative

import (
	"context"
	"time"
)

// Exits: the loop stops on its own.
func Exits(ctx context.Context, work func() bool) {
	go func() {
		for {
			if !work() {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
}

// Selects: loop-without-exit's business.
func Selects(ctx context.Context, tick <-chan int) {
	go func() {
		for {
			select {
			case <-tick:
			}
			time.Sleep(time.Millisecond)
		}
	}()
}

// NotAGoroutine: the caller's own loop.
func NotAGoroutine(ctx context.Context, work func()) {
	for {
		work()
		time.Sleep(time.Millisecond)
	}
}

type daemon struct{ quit chan struct{} }

func (d *daemon) loop() {
	for {
		time.Sleep(time.Second)
	}
}

func main() {
	d := &daemon{quit: make(chan struct{})}
	go d.loop()
	close(d.quit)
}

// mirror is only ever given context.TODO(): its ctx never fires, and the progress loop
// lives as long as the command (etcdctl's make-mirror).
func mirror(ctx context.Context, total *int) {
	go func() {
		for {
			time.Sleep(time.Second)
			println(*total)
		}
	}()
	<-ctx.Done()
}

func Mirror() {
	n := 0
	mirror(context.TODO(), &n)
}
