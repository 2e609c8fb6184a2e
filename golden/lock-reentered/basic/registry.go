package registry

import "sync"

// Registry keeps named entries.
type Registry struct {
	mu    sync.Mutex
	items map[string]int
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{items: map[string]int{}}
}

// Add stores name and returns how many entries there are.
func (r *Registry) Add(name string, v int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[name] = v
	return r.Len() // want "Add holds r.mu \\(r.mu.Lock\\(\\) at line 18\\) and calls r.Len, which takes it again \\(Lock\\(\\) at registry.go:33\\): Go mutexes are not reentrant"
}

// Remove drops name when present.
func (r *Registry) Remove(name string) {
	r.mu.Lock()
	delete(r.items, name)
	r.mu.Unlock()
}

// Len says how many entries there are.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	// counted under the lock
	return len(r.items)
}
