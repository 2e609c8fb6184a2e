package basic

import (
	"os"
	"time"
)

// Reloader re-reads a file every few seconds.
type Reloader struct {
	path string
	data []byte
	quit chan struct{}
}

func NewReloader(path string) *Reloader {
	r := &Reloader{path: path, quit: make(chan struct{})}
	go r.watch() // want "Reloader.watch leaves only on quit, and Reloader\\.shut.own, which fires it, is never called outside tests"
	return r
}

func (r *Reloader) watch() {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-r.quit:
			return
		case <-t.C:
			r.data, _ = os.ReadFile(r.path)
		}
	}
}

// shutdown would stop watch, but nothing calls it.
func (r *Reloader) shutdown() {
	close(r.quit)
}

// Pinger pings forever; Close cannot stop it.
type Pinger struct {
	pings int
	done  chan struct{}
}

func (p *Pinger) Start() {
	go func() { // want "this goroutine loops forever with no way out, so Pinger.Close cannot end it"
		for range time.Tick(time.Second) {
			p.pings++
		}
	}()
}

func (p *Pinger) Close() error {
	return nil
}
