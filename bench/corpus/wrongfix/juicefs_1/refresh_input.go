//go:build !patched

package meta

// newLauncher: the input's `go m.CleanStaleSessions(ctx)`.
func newLauncher() func(func()) {
	return func(f func()) { go f() }
}
