package basic

import (
	"context"
	"net"
	"net/http"
)

// Module serves on the configured addresses; Cancel shuts down the servers it keeps.
type Module struct {
	Addrs   []string
	servers []*http.Server
}

func (m *Module) Run() error {
	for _, addr := range m.Addrs {
		s := &http.Server{Addr: addr}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		go s.Serve(ln) // want "s is served on a goroutine, but neither it nor its listener is kept, closed or handed on: Module.Cancel cannot shut it down"
	}
	return nil
}

func (m *Module) Cancel() error {
	for _, s := range m.servers {
		if err := s.Shutdown(context.Background()); err != nil {
			return err
		}
	}
	return nil
}
