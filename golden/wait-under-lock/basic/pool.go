package pool

import "sync"

// Pool runs workers until Stop.
type Pool struct {
	mu    sync.Mutex
	wg    sync.WaitGroup
	quit  chan struct{}
	stats map[string]int
}

// Start runs n workers; each records its exit under the lock.
func (p *Pool) Start(n int) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			<-p.quit
			p.mu.Lock()
			p.stats["exited"]++
			p.mu.Unlock()
		}()
	}
}

// Stop holds the lock while it waits for the workers, which need it to finish.
func (p *Pool) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.quit)
	p.wg.Wait() // want "p.wg.Wait\\(\\) waits holding p.mu \\(p.mu.Lock\\(\\) at line 29\\) for the goroutine at line 17, which locks it at line 20 before it is done"
}
