package restore

func split(out chan<- bool, n int) {
	for i := 0; i < n; i++ {
		out <- true
	}
}
