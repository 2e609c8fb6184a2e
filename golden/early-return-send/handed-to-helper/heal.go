package heal

import (
	"context"
	"time"
)

// await waits for the result, unless ctx ends first, writing a keepalive meanwhile.
func await(ctx context.Context, out chan string, keepalive func(), res chan string) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			keepalive()
		case r := <-res:
			out <- r
			return
		}
	}
}

// Heal runs the heal and hands its result to await, which gives up when ctx ends.
func Heal(ctx context.Context, heal func() string, out chan string) {
	res := make(chan string) // want "goroutines sending on unbuffered channel res block forever once its receiver hands it to await, which can return without receiving it \\(`case <-ctx.Done\\(\\):`\\)"
	go func() {
		res <- heal()
	}()
	await(ctx, out, func() {}, res)
}

// Stop asks a local helper to wait for the stop, which gives up on ctx too.
func Stop(ctx context.Context, stop func() error) error {
	wait := func(ctx context.Context, errc chan error) error {
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	errc := make(chan error) // want "goroutines sending on unbuffered channel errc block forever once its receiver hands it to wait, which can return without receiving it \\(`case <-ctx.Done\\(\\):`\\)"
	go func() { errc <- stop() }()
	return wait(ctx, errc)
}

// patient's other case goes round again: it always receives in the end.
func patient(keepalive func(), res chan string) string {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			keepalive()
		case r := <-res:
			return r
		}
	}
}

// Wait's helper never leaves without the result: not reported.
func Wait(heal func() string) string {
	res := make(chan string)
	go func() { res <- heal() }()
	return patient(func() {}, res)
}

// plain receives outside a select: it cannot leave first.
func plain(res chan string) string { return <-res }

// Plain's helper receives unconditionally: not reported.
func Plain(heal func() string) string {
	res := make(chan string)
	go func() { res <- heal() }()
	return plain(res)
}

// relay hands the channel on: what its partner does is not read.
func relay(ctx context.Context, res chan string, sink func(chan string)) {
	select {
	case <-ctx.Done():
		return
	default:
		sink(res)
	}
}

// Relay's helper passes the channel on: not reported.
func Relay(ctx context.Context, heal func() string, sink func(chan string)) {
	res := make(chan string)
	go func() { res <- heal() }()
	relay(ctx, res, sink)
}

// Twice receives itself after the helper left: not reported.
func Twice(ctx context.Context, heal func() string, out chan string) string {
	res := make(chan string)
	go func() { res <- heal() }()
	await(ctx, out, func() {}, res)
	return <-res
}

// finish leaves on done, which the sender closes only once its send was taken.
func finish(res chan string, done chan struct{}) string {
	select {
	case r := <-res:
		return r
	case <-done:
		return ""
	}
}

// Finish's helper leaves on a signal the sender may give only after its send: not reported.
func Finish(heal func() string) string {
	res := make(chan string)
	done := make(chan struct{})
	go func() {
		defer close(done)
		res <- heal()
	}()
	return finish(res, done)
}
