// Package mark walks a graph concurrently, as containerd's garbage collector does: the
// goroutine started for each node sends the node's children back to the loop that starts
// them, and the function waits for them all. Their number is the graph's, and they end
// before it returns: no finding (and a semaphore at that launch would deadlock once every
// slot held a goroutine blocked sending a child).
package mark

import "sync"

// Reachable returns every node reachable from roots.
func Reachable(roots []int, children func(int) []int) map[int]bool {
	var (
		grays = make(chan int)
		seen  = map[int]bool{}
		wg    sync.WaitGroup
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for gray := range grays {
			if seen[gray] {
				wg.Done()
				continue
			}
			seen[gray] = true
			go func(gray int) {
				defer wg.Done()
				for _, c := range children(gray) {
					wg.Add(1)
					grays <- c
				}
			}(gray)
		}
	}()
	for _, r := range roots {
		wg.Add(1)
		grays <- r
	}
	wg.Wait()
	close(grays)
	<-done
	return seen
}
