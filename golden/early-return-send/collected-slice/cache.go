// Package collected starts one goroutine per cache of a slice the function builds itself
// (controller-runtime's delegating cache: slices.Collect of a map's values, then append):
// its length is known at the make, so the error channel gets room for every sender.
package collected

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// Cache is started once and runs until its context ends.
type Cache interface {
	Start(ctx context.Context) error
}

// ByKind starts a cache per kind and a default one.
type ByKind struct {
	caches map[string]Cache
	def    Cache
}

// Start returns the first cache's error, or nil once ctx ends: the other caches' errors
// are left to block on errs.
func (d *ByKind) Start(ctx context.Context) error {
	all := slices.Collect(maps.Values(d.caches))
	all = append(all, d.def)
	errs := make(chan error) // want "goroutines sending on unbuffered channel errs block forever once its receiver takes another case of its select"
	for idx := range all {
		c := all[idx]
		go func() {
			if err := c.Start(ctx); err != nil {
				errs <- err
			}
		}()
	}
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return nil
	}
}

// Words starts a check per word of a line split here: strings.Fields returns a slice.
func Words(ctx context.Context, line string, check func(string) error) error {
	words := strings.Fields(line)
	errc := make(chan error) // want "goroutines sending on unbuffered channel errc block forever once its receiver takes another case of its select"
	for _, w := range words {
		go func() {
			errc <- check(w)
		}()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
