package main

import (
	"fmt"
	"time"
)

// A package-level ticker lives as long as the process.
var heartbeat = time.Tick(time.Minute)

func main() {
	go metrics(time.Second)
	go func() {
		for now := range time.Tick(time.Second) {
			fmt.Println("tick", now)
		}
	}()
	tick := time.Tick(time.Hour)
	go func() {
		for {
			<-tick
			fmt.Println("hourly")
		}
	}()
	serve(make(chan string))
}

// metrics never returns: its loop has no way out.
func metrics(d time.Duration) {
	t := time.Tick(d)
	for {
		select {
		case <-t:
			fmt.Println("metrics")
		case <-heartbeat:
			fmt.Println("alive")
		}
	}
}

// serve prints requests forever, then blocks: the break leaves only the select.
func serve(reqs <-chan string) {
	tick := time.Tick(time.Second)
	for {
		select {
		case r := <-reqs:
			if r == "" {
				break
			}
			fmt.Println(r)
		case <-tick:
		}
	}
}

// park waits forever after starting its ticker.
func park() {
	go func() {
		for range time.Tick(time.Second) {
			fmt.Println("parked")
		}
	}()
	select {}
}
