package beforego

import "time"

// Report calls tick on each tick until done closes; with no files it starts nothing.
func Report(files []string, tick func(int), done <-chan struct{}) {
	ticker := time.NewTicker(time.Millisecond) // want "ticker ticker .* not stopped on every path"
	if len(files) == 0 {
		return
	}
	go func() {
		for i := 0; ; i++ {
			select {
			case <-ticker.C:
				tick(i)
			case <-done:
				ticker.Stop()
				return
			}
		}
	}()
}

// Walk hashes files in the background and reports progress like syncthing's walker: the
// ticker is made up front, and the outer goroutine can return before it starts the one
// that uses it.
func Walk(files <-chan string, tick func(int), finished chan<- struct{}) {
	ticker := time.NewTicker(time.Millisecond) // want "ticker ticker .* not stopped on every path"
	go func() {
		var todo []string
		for f := range files {
			todo = append(todo, f)
		}
		if len(todo) == 0 {
			close(finished)
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range todo {
				time.Sleep(time.Millisecond)
			}
		}()
		go func() {
			for {
				select {
				case <-done:
					ticker.Stop()
					close(finished)
					return
				case <-ticker.C:
					tick(len(todo))
				}
			}
		}()
	}()
}

// Handed stops the ticker on every path: not reported.
func Handed(files []string, done <-chan struct{}) {
	ticker := time.NewTicker(time.Millisecond)
	if len(files) == 0 {
		ticker.Stop()
		return
	}
	go func() {
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
			case <-done:
				return
			}
		}
	}()
}

// Spawn makes the ticker inside the goroutine it starts the ticking one from.
func Spawn(files []string, tick func(int), done <-chan struct{}) {
	go func() {
		ticker := time.NewTicker(time.Millisecond) // want "ticker ticker .* not stopped on every path"
		if len(files) == 0 {
			return
		}
		go func() {
			defer ticker.Stop()
			for {
				select {
				case <-ticker.C:
					tick(len(files))
				case <-done:
					return
				}
			}
		}()
	}()
}
