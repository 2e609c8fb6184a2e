// Package service starts goroutines that are the service itself, one per configured
// entry point, peer or worker slot: each lives until shutdown, so their number is the
// configuration's and a semaphore would block the launch after its last slot forever.
package service

import (
	"net"
	"net/http"

	"example.com/service/peer"
)

// ServeAll serves every listener until it is closed.
func ServeAll(srv *http.Server, listeners []net.Listener) {
	for _, l := range listeners {
		go srv.Serve(l)
	}
}

// Connect starts a sender per peer; Run lives until the peer's queue closes.
func Connect(peers []*peer.Peer) {
	for _, p := range peers {
		go p.Run()
	}
}

// Warm runs cfg.Workers warm-ups: a counted pool (Workers is an int field of Config,
// which another file declares), not one goroutine per element of a collection.
func Warm(cfg Config, warm func(int)) {
	for i := range cfg.Workers {
		go warm(i)
	}
}

// Hub notifies its subscribers.
type Hub struct {
	subs []func(string)
}

// Publish notifies every subscriber without waiting: their number is the hub's state,
// not the input's.
func (h *Hub) Publish(msg string) {
	for _, sub := range h.subs {
		go sub(msg)
	}
}

// Conn is a connection that says when it closes.
type Conn interface {
	Closed() <-chan struct{}
}

// Track forgets each connection once it closes: each watcher lives as long as its
// connection.
func Track(conns <-chan Conn, forget func(Conn)) {
	for c := range conns {
		go func() {
			<-c.Closed()
			forget(c)
		}()
	}
}

// Zone is one configured zone with its shutdown signal.
type Zone struct {
	name     string
	shutdown chan bool
}

// Transfer keeps every zone up to date until its shutdown channel fires.
func Transfer(zones []Zone, transfer func(string, chan bool)) {
	for _, z := range zones {
		go transfer(z.name, z.shutdown)
	}
}
