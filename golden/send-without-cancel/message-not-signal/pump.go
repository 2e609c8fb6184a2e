package message

// Pump's stop is a message that only loop takes: produce has no stop signal to watch.
// Reported without a fix: a case on p.stop would steal Stop's message.
type Pump struct {
	stop chan struct{}
	out  chan int
}

// Stop hands loop its stop.
func (p *Pump) Stop() { p.stop <- struct{}{} }

func (p *Pump) loop() {
	for {
		select {
		case <-p.stop:
			return
		case v := <-p.out:
			_ = v
		}
	}
}

func (p *Pump) produce() {
	go func() {
		for i := 0; ; i++ {
			p.out <- i // want "send on p.out blocks forever"
		}
	}()
}

// Feed's quit is closed: every goroutine may watch it.
type Feed struct {
	quit chan struct{}
	out  chan int
}

// NewFeed starts a feed.
func NewFeed() *Feed {
	f := &Feed{quit: make(chan struct{}), out: make(chan int)}
	go f.loop()
	f.produce()
	return f
}

// Stop ends the feed.
func (f *Feed) Stop() { close(f.quit) }

func (f *Feed) loop() {
	for {
		select {
		case <-f.quit:
			return
		case v := <-f.out:
			_ = v
		}
	}
}

func (f *Feed) produce() {
	go func() {
		for i := 0; ; i++ {
			f.out <- i // want "send on f.out blocks forever .* f.quit could end"
		}
	}()
}
