package scrape

import "time"

func (m *Manager) scrapeLoop(t Target) {
	tick := time.NewTicker(time.Duration(t.Period) * time.Millisecond)
	defer tick.Stop()
	m.started <- t.URL
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-tick.C:
			select {
			case m.scraped <- t.URL:
			default:
			}
		}
	}
}

func forward(name string, q <-chan string, out chan<- string) {
	for msg := range q {
		out <- name + ": " + msg
	}
}
