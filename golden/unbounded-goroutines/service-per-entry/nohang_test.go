package service

import (
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"example.com/service/peer"
)

// More entry points than any default bound: each must be served, and promptly.
func TestEveryEntryPointIsServed(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	defer srv.Close()
	var listeners []net.Listener
	for i := 0; i < 12; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		listeners = append(listeners, l)
	}
	go ServeAll(srv, listeners)
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for i, l := range listeners {
		resp, err := client.Get("http://" + l.Addr().String())
		if err != nil {
			t.Fatalf("listener %d is not served: %v", i, err)
		}
		resp.Body.Close()
	}
}

func TestEveryPeerGetsItsSender(t *testing.T) {
	sent := make(chan string, 25)
	var peers []*peer.Peer
	for i := 0; i < 25; i++ {
		q := make(chan string, 1)
		q <- fmt.Sprint(i)
		peers = append(peers, &peer.Peer{Queue: q, Sent: sent})
	}
	go Connect(peers)
	deadline := time.After(5 * time.Second)
	for i := 0; i < 25; i++ {
		select {
		case <-sent:
		case <-deadline:
			t.Fatalf("only %d of 25 peers got a sender", i)
		}
	}
	for _, p := range peers {
		close(p.Queue)
	}
}
