package transport

// Transport's manager goroutine serves requests until Stop closes stop (coredns's
// proxy.Transport: connManager and Dial).
type Transport struct {
	yield chan int
	dial  chan string
	ret   chan int
	stop  chan bool
	pool  []int
}

func New() *Transport {
	return &Transport{
		yield: make(chan int),
		dial:  make(chan string),
		ret:   make(chan int),
		stop:  make(chan bool),
	}
}

func (t *Transport) Start() { go t.manage() }

func (t *Transport) Stop() { close(t.stop) }

func (t *Transport) manage() {
	for {
		select {
		case c := <-t.yield:
			t.pool = append(t.pool, c)
		case <-t.dial:
			t.ret <- len(t.pool)
		case <-t.stop:
			t.pool = nil
			return
		}
	}
}
