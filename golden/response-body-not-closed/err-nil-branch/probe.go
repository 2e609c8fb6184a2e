package probe

import (
	"log"
	"net/http"
)

// Probe logs the status of each url; failures are logged, not returned.
func Probe(urls []string) {
	for _, u := range urls {
		probeOne(u)
	}
}

func probeOne(u string) {
	resp, err := http.DefaultClient.Get(u) // want "the body of resp from http.DefaultClient.Get is never closed"
	if err == nil {
		log.Printf("%s: %s", u, resp.Status)
	} else {
		log.Printf("%s: %v", u, err)
	}
}

func probeElse(u string) {
	resp, err := http.Get(u) // want "the body of resp from http.Get is never closed"
	if err != nil {
		log.Printf("%s: %v", u, err)
	} else {
		log.Printf("%s: %s", u, resp.Status)
	}
}
