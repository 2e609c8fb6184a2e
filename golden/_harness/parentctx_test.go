// What the golden cases' leak proofs share. The golden runner (tests/test_golden.py,
// materialize) copies this file into a case's package, under that package's name, when a
// test there uses parentCtx and does not declare its own.
package harness

import "context"

// parentCtx is a parent of a custom type (its own Done channel): the context package cannot
// register a child with it and starts a goroutine per child that waits until cancel.
type parentCtx struct {
	context.Context
	done chan struct{}
}

func (p parentCtx) Done() <-chan struct{} { return p.done }
