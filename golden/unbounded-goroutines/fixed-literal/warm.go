// Package warm loops over fixed literals: the number of goroutines is in the source.
package warm

// Caches warms a fixed set of caches.
func Caches(warm func(string)) {
	for _, name := range []string{"users", "groups", "sessions"} {
		go warm(name)
	}
}

// Ports listens on a fixed set of ports.
func Ports(listen func(int)) {
	ports := [...]int{80, 443}
	for _, p := range ports {
		go listen(p)
	}
}
