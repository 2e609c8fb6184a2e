// Package crawl uses errgroups that are already bounded, or joined fan-outs.
package crawl

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Crawl fetches every URL received on urls, 8 at a time.
func Crawl(ctx context.Context, urls <-chan string, fetch func(context.Context, string) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for u := range urls {
		g.Go(func() error {
			return fetch(ctx, u)
		})
	}
	return g.Wait()
}

// Feed uses a group its caller made and may have limited.
func Feed(g *errgroup.Group, urls <-chan string, fetch func(string) error) {
	for u := range urls {
		g.Go(func() error { return fetch(u) })
	}
}

// FetchAll fans out over a slice it holds and waits for all of it.
func FetchAll(urls []string, fetch func(string) error) error {
	var g errgroup.Group
	for _, u := range urls {
		g.Go(func() error { return fetch(u) })
	}
	return g.Wait()
}
