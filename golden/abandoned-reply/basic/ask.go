package lookup

// ask runs resolve and sends the answer.
func ask(name string, resolve func(string) string, out chan<- string) {
	out <- resolve(name)
}
