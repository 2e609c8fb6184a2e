package filled

// made: the constructor makes it.
type made struct{ done chan struct{} }

func newMade() *made { return &made{done: make(chan struct{})} }

func (m *made) wait() { <-m.done }

// local: a channel made in a local, then assigned.
type local struct{ quit chan struct{} }

func (l *local) start() {
	ch := make(chan struct{})
	l.quit = ch
}

func (l *local) wait() { <-l.quit }

// given: filled from a parameter.
type given struct{ in chan int }

func newGiven(in chan int) *given { return &given{in: in} }

func (g *given) loop() {
	for v := range g.in {
		_ = v
	}
}

// pointed: its address is handed to a function that may fill it.
type pointed struct{ ready chan int }

func fill(c *chan int) { *c = make(chan int, 1) }

func (p *pointed) init() { fill(&p.ready) }

func (p *pointed) get() int { return <-p.ready }

// byPosition: built without keys in a package-level var.
type byPosition struct {
	stop chan struct{}
	n    int
}

var shared = []byPosition{{make(chan struct{}), 1}}

func (b *byPosition) halt() { close(b.stop) }

// Exported: another package may fill it.
type Exported struct{ Events chan int }

func (e *Exported) next() int { return <-e.Events }

// inTests: only a test makes it; tests count as filling.
type inTests struct{ tick chan int }

func (i *inTests) next() int { return <-i.tick }
