// Package queue moves work from producers to consumers that quit when the work channel
// is closed, which Start does once every producer has returned.
package queue

import "sync"

// Queue has producers that stop on quit and consumers that read until channel closes.
type Queue struct {
	produce func() (string, bool)
	consume func(string)
	channel chan string
	events  chan string
	quit    chan struct{}
}

// New makes a queue.
func New(produce func() (string, bool), consume func(string)) *Queue {
	return &Queue{produce: produce, consume: consume, channel: make(chan string), events: make(chan string), quit: make(chan struct{})}
}

// Start runs n producers and n consumers until Stop, and returns once all are done.
func (q *Queue) Start(n int) {
	var producers, consumers sync.WaitGroup
	for i := 0; i < n; i++ {
		producers.Add(1)
		go func() {
			defer producers.Done()
			q.run()
		}()
		consumers.Add(1)
		go func() {
			defer consumers.Done()
			q.drain()
		}()
	}
	producers.Wait()
	close(q.channel)
	consumers.Wait()
}

// Stop tells the producers to finish.
func (q *Queue) Stop() {
	close(q.quit)
}

// The consumers read the channel until it is closed, so this send always finds a
// reader: a case on quit would only drop an item already produced. Not reported.
func (q *Queue) run() {
	for {
		select {
		case <-q.quit:
			return
		default:
			if v, ok := q.produce(); ok {
				q.channel <- v
			}
		}
	}
}

func (q *Queue) drain() {
	for {
		select {
		case v, ok := <-q.channel:
			if ok {
				q.consume(v)
			} else {
				return
			}
		case e := <-q.events:
			q.consume(e)
		}
	}
}

// Pool's consumers may also give up on a bad item, while its producers still send.
type Pool struct {
	produce func() (string, bool)
	consume func(string) error
	work    chan string
	quit    chan struct{}
}

func (p *Pool) run() {
	for {
		select {
		case <-p.quit:
			return
		default:
			if v, ok := p.produce(); ok {
				p.work <- v // want "this send on p.work blocks forever once its receiver is gone"
			}
		}
	}
}

func (p *Pool) drain() {
	for {
		select {
		case v, ok := <-p.work:
			if !ok {
				return
			}
			if err := p.consume(v); err != nil {
				return
			}
		}
	}
}
