package check

import (
	"errors"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Check validates every name at once and returns the first problem.
func Check(names []string) error {
	var g errgroup.Group
	for _, n := range names {
		g.Go(func() error { // want "one goroutine per element of names"
			if strings.TrimSpace(n) == "" {
				return errors.New("empty name")
			}
			return nil
		})
	}
	return g.Wait()
}
