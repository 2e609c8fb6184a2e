package transport

// Near shapes left alone: a receiver that does not leave on its signal, a stop channel
// that carries a message rather than closing, a receiver outside any select, a send on
// another value's field.
type Queue struct {
	jobs    chan int
	events  chan int
	flushes chan int
	quit    chan struct{}
	halt    chan struct{}
	done    []int
}

func (q *Queue) Run() {
	go q.work()
	go q.watch()
}

// Quit does not end work's loop: it goes on taking jobs.
func (q *Queue) Quit() { close(q.quit) }

// Halt hands watch one message: a case on it elsewhere would steal it.
func (q *Queue) Halt() { q.halt <- struct{}{} }

func (q *Queue) work() {
	stopped := false
	for {
		select {
		case j := <-q.jobs:
			q.done = append(q.done, j)
		case <-q.quit:
			stopped = true
		}
		_ = stopped
	}
}

func (q *Queue) watch() {
	for {
		select {
		case e := <-q.events:
			q.done = append(q.done, e)
		case f := <-q.flushes:
			q.done = append(q.done, f)
		case <-q.halt:
			return
		}
	}
}

// Drain also takes flushes outside any select.
func (q *Queue) Drain() int { return <-q.flushes }

func (q *Queue) Add(j int) { q.jobs <- j }

func (q *Queue) Event(e int) { q.events <- e }

func (q *Queue) Flush(f int) { q.flushes <- f }

// Forward sends on another queue's channel: its receiver is that queue's business.
func (q *Queue) Forward(other *Transport, c int) { other.yield <- c }
