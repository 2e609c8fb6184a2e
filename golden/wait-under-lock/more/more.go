package more

import "sync"

type entry struct {
	wg sync.WaitGroup
}

// Consumer starts two handlers per partition, counted by the partition's group.
type Consumer struct {
	lock  sync.Mutex
	parts map[int]*entry
	held  int
}

func (c *Consumer) Add(id int, in <-chan int) {
	c.lock.Lock()
	c.parts[id] = &entry{}
	c.parts[id].wg.Add(1)
	c.lock.Unlock()
	go c.handle(id, in)
}

func (c *Consumer) handle(id int, in <-chan int) {
	c.lock.Lock()
	wg := &c.parts[id].wg
	c.held++
	c.lock.Unlock()
	defer wg.Done()
	for range in {
	}
}

// Close waits for every partition's handlers while holding the lock they take first.
func (c *Consumer) Close() {
	c.lock.Lock()
	for _, p := range c.parts {
		p.wg.Wait() // want "p.wg.Wait\\(\\) waits holding c.lock \\(c.lock.Lock\\(\\) at line 36\\) for the goroutine handle at line 24, which locks it at line 25 before it is done"
	}
	c.lock.Unlock()
}

// Store hands tasks to a group; a task takes the store's lock through a method.
type Store struct {
	sync.Mutex
	tasks   sync.WaitGroup
	backlog map[string]bool
}

func (s *Store) removeBacklog(k string) {
	s.Lock()
	defer s.Unlock()
	delete(s.backlog, k)
}

func (s *Store) Enqueue(k string) {
	s.tasks.Go(func() {
		s.removeBacklog(k)
	})
}

func (s *Store) Destroy() {
	s.Lock()
	defer s.Unlock()
	s.tasks.Wait() // want "s.tasks.Wait\\(\\) waits holding s \\(s.Lock\\(\\) at line 63\\) for the goroutine at line 57, which locks it at line 51 before it is done"
}

// Tailer's workers are methods that count themselves out; one reads under RLock, and
// Stop holds the write lock.
type Tailer struct {
	mu    sync.RWMutex
	wg    sync.WaitGroup
	files map[string]int
}

func (t *Tailer) follow(name string) {
	defer t.wg.Done()
	t.mu.RLock()
	_ = t.files[name]
	t.mu.RUnlock()
}

func (t *Tailer) Follow(name string) {
	t.wg.Add(1)
	go t.follow(name)
}

func (t *Tailer) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wg.Wait() // want "t.wg.Wait\\(\\) waits holding t.mu \\(t.mu.Lock\\(\\) at line 89\\) for the goroutine follow at line 76, which locks it at line 78 before it is done"
}

var (
	regMu sync.Mutex
	reg   = map[string]int{}
)

// Register waits, holding a package-level lock, for goroutines that register under it.
func Register(names []string) {
	regMu.Lock()
	defer regMu.Unlock()
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			record(n)
		}()
	}
	wg.Wait() // want "wg.Wait\\(\\) waits holding regMu \\(regMu.Lock\\(\\) at line 101\\) for the goroutine at line 106, which locks it at line 115 before it is done"
}

func record(n string) {
	regMu.Lock()
	reg[n]++
	regMu.Unlock()
}
