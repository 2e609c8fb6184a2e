package group

// Both runs a and b concurrently and returns the first error.
func Both(a, b func() error) error {
	errc := make(chan error, 0) // want "goroutines sending on unbuffered channel errc block forever once its receiver returns before it has received every send"
	go func() { errc <- a() }()
	go func() { errc <- b() }()
	for i := 0; i < 2; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Each runs f for 0..n-1 concurrently and returns the first error.
func Each(n int, f func(int) error) error {
	errc := make(chan error) // want "goroutines sending on unbuffered channel errc block forever once its receiver returns before it has received every send"
	for i := 0; i < n; i++ {
		go func() { errc <- f(i) }()
	}
	for i := 0; i < n; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}
