package first

// Result is a replica's answer.
type Result string

// Search asks one replica.
type Search func(query string) Result

// First asks every replica and returns the first answer.
func First(query string, replicas []Search) Result {
	c := make(chan Result) // want "goroutines sending on unbuffered channel c block forever once its receiver receives fewer values than its goroutines send"
	for _, r := range replicas {
		go func() { c <- r(query) }()
	}
	return <-c
}
