package producer

import (
	"errors"
	"sync"
)

var errNoTxn = errors.New("not in a transaction")

// Producer forwards the messages sent inside a transaction and reports the others.
type Producer struct {
	txnLock sync.Mutex
	inTxn   bool
	input   chan string
	errors  chan error
	out     chan string
	done    chan struct{}
}

// New starts a producer.
func New() *Producer {
	p := &Producer{
		input:  make(chan string),
		errors: make(chan error, 10),
		out:    make(chan string, 10),
		done:   make(chan struct{}),
	}
	go p.run()
	return p
}

func (p *Producer) run() {
	defer close(p.done)
	for msg := range p.input {
		p.txnLock.Lock() // want "p.txnLock.Lock\\(\\) is not matched by p.txnLock.Unlock\\(\\) on every path: the continue at line 38 comes back to it with it held, and a mutex is not reentrant"
		if !p.inTxn {
			p.errors <- errNoTxn
			continue
		}
		p.txnLock.Unlock()
		p.out <- msg
	}
}

// Begin starts a transaction.
func (p *Producer) Begin() {
	p.txnLock.Lock()
	p.inTxn = true
	p.txnLock.Unlock()
}

// Close stops the producer once the messages sent are handled.
func (p *Producer) Close() {
	close(p.input)
}
