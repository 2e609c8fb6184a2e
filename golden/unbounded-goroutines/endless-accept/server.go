// Package server answers connections, one goroutine each.
package server

import "net"

// Serve answers every connection l accepts until l fails.
func Serve(l net.Listener, handle func(net.Conn)) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go handle(c) // want "goroutine started in an endless loop with nothing bounding it"
	}
}
