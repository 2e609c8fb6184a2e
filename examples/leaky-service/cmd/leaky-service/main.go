// Command leaky-service serves a cached document and keeps an eye on its upstream.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	service "example.com/leaky-service"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "listen address")
	upstream := flag.String("upstream", "https://example.com/", "document to serve")
	flag.Parse()

	ctx := context.Background()
	fetcher := &service.Fetcher{Client: http.DefaultClient, Timeout: 5 * time.Second}
	cache := &service.Cache{
		Timeout: 10 * time.Second,
		Load: func() (map[string]string, error) {
			body, err := fetcher.Fetch(ctx, *upstream)
			if err != nil {
				return nil, err
			}
			return map[string]string{"doc": string(body)}, nil
		},
	}
	if err := cache.Refresh(); err != nil {
		log.Printf("initial load: %v", err)
	}
	cache.StartRefresh(ctx, time.Minute)
	poller := &service.Poller{
		Interval: 30 * time.Second,
		Check: func(ctx context.Context) error {
			if !fetcher.Reachable(ctx, *upstream) {
				return service.ErrUnreachable
			}
			return nil
		},
	}
	go poller.Run(ctx)

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		doc, ok := cache.Get("doc")
		if !ok {
			http.Error(w, "not loaded yet", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(doc))
	})
	http.HandleFunc("/words", func(w http.ResponseWriter, r *http.Request) {
		doc, _ := cache.Get("doc")
		var jobs []service.Job
		for i, line := range strings.Split(doc, "\n") {
			jobs = append(jobs, service.Job{ID: i, Payload: line})
		}
		for _, res := range service.ProcessAll(jobs) {
			fmt.Fprintf(w, "%d\t%d\n", res.ID, res.Words)
		}
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
