package negative

func generate(out chan<- int, n int) {
	defer close(out)
	for i := 0; i < n; i++ {
		send(out, i)
	}
}

func send(out chan<- int, v int) { out <- v }
