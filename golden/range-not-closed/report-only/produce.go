package pipeline

func produce(out chan<- int, n int) {
	for i := 0; i < n; i++ {
		out <- i
	}
}
