package poll

import (
	"fmt"
	"time"
)

// Poll prints a line per tick, three times.
func Poll(d time.Duration) {
	t := time.NewTicker(d)
	for i := 0; i < 3; i++ {
		<-t.C
		fmt.Println("tick", i)
	}
}
