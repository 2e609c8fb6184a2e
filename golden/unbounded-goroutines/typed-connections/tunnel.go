// Package tunnel serves every channel a peer opens on a goroutine of its own, for as long
// as the channel is open: the peer decides how many are open at once, and a semaphore of
// ten would hang the eleventh. Not reported, whatever the parameter is called.
package tunnel

import "io"

// NewChannel is a channel a peer asks to open (an SSH channel request's shape).
type NewChannel interface {
	Accept() (io.ReadWriteCloser, error)
}

// Job is a unit of work.
type Job struct{ ID int }

// Serve proxies each opened channel until it closes.
func Serve(chans <-chan NewChannel, proxy func(io.ReadWriteCloser)) {
	for ch := range chans {
		go handle(ch, proxy)
	}
}

func handle(ch NewChannel, proxy func(io.ReadWriteCloser)) {
	rw, err := ch.Accept()
	if err != nil {
		return
	}
	defer rw.Close()
	proxy(rw)
}

// Work starts a goroutine per job received: nothing bounds them.
func Work(jobs <-chan Job, do func(Job)) {
	for j := range jobs {
		go do(j) // want "goroutine started for every value received from jobs with nothing bounding it"
	}
}
