// Command mainexit holds its contexts for as long as the process runs: main's own are not
// leaks, the ones its loop makes are.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"time"
)

func withBudget(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, time.Hour)
}

func main() {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt)
	ctx, cancel := withBudget(ctx)
	if len(os.Args) < 2 {
		log.Print("nothing to check")
		return
	}
	for _, name := range os.Args[1:] {
		c, stop := withBudget(ctx) // want "stop from withBudget is not called on every path"
		if err := check(c, name); err != nil {
			log.Print(err)
			continue
		}
		stop()
	}
	cancel()
}

func check(ctx context.Context, name string) error {
	if name == "" {
		return context.Cause(ctx)
	}
	return nil
}
