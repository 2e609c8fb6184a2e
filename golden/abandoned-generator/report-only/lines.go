package lines

import "strings"

// split sends the lines of text; it has no way to learn that nobody reads any more.
func split(text string) <-chan string {
	out := make(chan string)
	go func() {
		for _, ln := range strings.Split(text, "\n") {
			out <- ln
		}
		close(out)
	}()
	return out
}

// Header returns the lines before the first empty one.
func Header(text string) []string {
	var h []string
	for ln := range split(text) { // want "leaving this range over split\\(...\\) early abandons the generator's goroutine"
		if ln == "" {
			break
		}
		h = append(h, ln)
	}
	return h
}
