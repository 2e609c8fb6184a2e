// Command leaky serves two of the example's leaky code paths over HTTP, with
// net/http/pprof's profiles, on loopback: a live service for `gofixleaks evidence` to read.
//
//	go run ./cmd/leaky                    # prints the address it listens on
//	curl http://ADDR/refresh              # each call leaves a goroutine blocked on a send
//	curl http://ADDR/watch                # each call leaves a ticker loop running
//	gofixleaks evidence http://ADDR/debug/pprof/ .
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"time"

	service "example.com/leaky-service"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0: any free port)")
	flag.Parse()

	// A load slower than the timeout: every Refresh gives up and abandons its loader.
	cache := &service.Cache{
		Timeout: time.Millisecond,
		Load: func() (map[string]string, error) {
			time.Sleep(20 * time.Millisecond)
			return map[string]string{"doc": "ok"}, nil
		},
	}
	http.HandleFunc("/refresh", func(w http.ResponseWriter, r *http.Request) {
		if err := cache.Refresh(); err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		fmt.Fprintln(w, "refreshed")
	})
	// The refresher should stop with the request's context; it never looks at it.
	http.HandleFunc("/watch", func(w http.ResponseWriter, r *http.Request) {
		cache.StartRefresh(r.Context(), time.Hour)
		fmt.Fprintln(w, "watching")
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, nil))
}
