// Package crawl fetches what it is sent through an errgroup.
package crawl

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Crawl fetches every URL received on urls, stopping at the first error.
func Crawl(ctx context.Context, urls <-chan string, fetch func(context.Context, string) error) error {
	g, ctx := errgroup.WithContext(ctx)
	for u := range urls {
		g.Go(func() error { // want "goroutine started by g.Go \\(no SetLimit\\) for every value received from urls"
			return fetch(ctx, u)
		})
	}
	return g.Wait()
}
