package transport

// Socket's senders check its state, which onClose sets before it closes closed: on an
// event loop that runs both in turn, no send follows the close (k6's websocket).
type Socket struct {
	state  int
	out    chan int
	closed chan struct{}
	sent   []int
}

func (s *Socket) Open() { s.state = 1; go s.pump() }

func (s *Socket) onClose() {
	s.state = 2
	close(s.closed)
}

func (s *Socket) pump() {
	for {
		select {
		case v := <-s.out:
			s.sent = append(s.sent, v)
		case <-s.closed:
			return
		}
	}
}

func (s *Socket) Send(v int) {
	if s.state != 1 {
		return
	}
	s.out <- v
}

func (s *Socket) assertOpen() {
	if s.state != 1 {
		panic("not open")
	}
}

func (s *Socket) Ping() {
	s.assertOpen()
	s.sendRaw(0)
}

func (s *Socket) sendRaw(v int) { s.out <- v }

// Fetcher serves requests until its own shutdown; Processor holds a copy of its channel
// in a field of the same name, but Processor's shutdown says nothing of the fetcher.
type Fetcher struct {
	reqs     chan int
	shutdown chan struct{}
}

func (f *Fetcher) Stop() { close(f.shutdown) }

func (f *Fetcher) serve() {
	for {
		select {
		case <-f.reqs:
		case <-f.shutdown:
			return
		}
	}
}

type Processor struct {
	reqs     chan<- int
	shutdown chan struct{}
}

func (p *Processor) Stop() { close(p.shutdown) }

func (p *Processor) Fetch(n int) { p.reqs <- n }

// notes has room for both of its sends (made with a buffer in another function).
type Mapper struct {
	notes chan int
	quit  chan struct{}
}

func NewMapper() *Mapper { return &Mapper{notes: make(chan int, 2), quit: make(chan struct{})} }

func (m *Mapper) Close() { close(m.quit) }

func (m *Mapper) loop() {
	for {
		select {
		case <-m.notes:
		case <-m.quit:
			return
		}
	}
}

func (m *Mapper) Register(tcp, udp int) {
	m.notes <- tcp
	m.notes <- udp
}
