package conn

type pump struct {
	in      chan int
	closing chan struct{}
	total   int
}

func newPump() *pump {
	p := &pump{in: make(chan int), closing: make(chan struct{})}
	go p.run()
	go p.runThenReport()
	return p
}

func (p *pump) run() {
	for v := range p.in { // want "nothing closes p.in"
		if v < 0 {
			break
		}
		p.total += v
	}
}

func (p *pump) runThenReport() {
	if p.total >= 0 {
		for v := range p.in { // want "nothing closes p.in"
			p.total += v
		}
	}
	p.report()
}

func (p *pump) report() {}

func (p *pump) Close() { close(p.closing) }
