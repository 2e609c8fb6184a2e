// Package scrape starts one goroutine per configured target, peer or watch. Each lives
// until shutdown (its loop is in loops.go), so their number is the configuration's: a
// semaphore of N slots would block the launch of target N+1 forever.
package scrape

import "context"

// Target is one configured scrape target.
type Target struct {
	URL    string
	Period int
}

// Manager runs the scrape loops.
type Manager struct {
	ctx     context.Context
	started chan string
	scraped chan string
}

// Run starts a scrape loop per target.
func (m *Manager) Run(targets []Target) {
	for _, t := range targets {
		go m.scrapeLoop(t)
	}
}

// Watch starts a scrape loop for every target announced on updates.
func (m *Manager) Watch(updates <-chan Target) {
	for t := range updates {
		go func() {
			m.scrapeLoop(t)
		}()
	}
}

// Peers starts a send loop per peer queue; each drains its queue until it is closed.
func (m *Manager) Peers(queues map[string]chan string) {
	for name, q := range queues {
		go forward(name, q, m.scraped)
	}
}
