package poll

import (
	"fmt"
	"time"
)

// Poll prints a line per tick, three times.
func Poll(d time.Duration) {
	t := time.NewTicker(d) // want "ticker t from time.NewTicker is never stopped"
	for i := 0; i < 3; i++ {
		<-t.C
		fmt.Println("tick", i)
	}
}
