// A server's main and the run it calls last wait for their server's error or for a
// signal: what they leave blocked was started by their one run and ends with the program.
package main

import (
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	errc := make(chan error)
	go func() { errc <- http.ListenAndServe(":8081", nil) }()
	select {
	case err := <-errc:
		log.Print(err)
	case <-sigs:
	}
}

// run is called once, by main: the program has one run of it.
func run() error {
	errc := make(chan error)
	go func() { errc <- http.ListenAndServe(":8080", nil) }()
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Hour):
		return errors.New("no server error within the hour")
	}
}

// probe is called in a loop: each call may leave one sender behind, and they pile up.
func probe(addr string) bool {
	ok := make(chan bool) // want "goroutines sending on unbuffered channel ok block forever once its receiver takes another case of its select"
	go func() {
		_, err := http.Get(addr)
		ok <- err == nil
	}()
	select {
	case v := <-ok:
		return v
	case <-time.After(time.Second):
		return false
	}
}

// poll calls probe forever.
func poll() {
	for {
		probe("http://localhost:8080/")
	}
}

// twice is called from two places: it may run more than once.
func twice() error {
	errc := make(chan error) // want "goroutines sending on unbuffered channel errc block forever once its receiver takes another case of its select"
	go func() { errc <- http.ListenAndServe(":8082", nil) }()
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return nil
	}
}

func init() {
	go poll()
	_ = twice()
	_ = twice()
}
