// containerboot's shape: main calls run once; run starts one config watcher that reports
// its errors on a bare send. When run stops reading, the program is about to end: one
// goroutine, for the program's life at most.
package main

import (
	"context"
	"log"
	"os"
	"time"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error)
	go watch(ctx, "/etc/config", errc)
	for _, path := range os.Args[1:] {
		go follow(ctx, path, errc)
	}
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Minute):
		return nil
	}
}

// watch reports the config file's errors until ctx ends.
func watch(ctx context.Context, path string, errc chan<- error) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		if _, err := os.Stat(path); err != nil {
			errc <- err
		}
	}
}

// follow is started once per path: its goroutines pile up with the paths.
func follow(ctx context.Context, path string, errc chan<- error) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		if _, err := os.Stat(path); err != nil {
			errc <- err // want "this send on errc blocks forever once its receiver is gone, although ctx could end the goroutine"
		}
	}
}
