// Command tool refills a rate budget on every tick for as long as the process runs: the
// goroutine main starts has nothing to stop it and needs nothing, so it is no finding.
package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

func main() {
	var budget atomic.Int64
	go func() {
		for range time.Tick(100 * time.Millisecond) {
			budget.Add(1)
		}
	}()
	time.Sleep(time.Second)
	fmt.Println(budget.Load() > 0)
}
