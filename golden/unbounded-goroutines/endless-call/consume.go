// Package consume handles messages from a queue, one goroutine each.
package consume

// Queue hands out messages until it fails.
type Queue interface {
	Receive() (string, error)
}

// Consume handles every message q hands out until q fails.
func Consume(q Queue, handle func(string)) error {
	for {
		msg, err := q.Receive()
		if err != nil {
			return err
		}
		go handle(msg) // want "goroutine started in an endless loop with nothing bounding it"
	}
}
