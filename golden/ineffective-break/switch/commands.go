package commands

type command int

const (
	cmdPing command = iota
	cmdStop
)

// Serve answers pings until it is told to stop.
func Serve(cmds <-chan command, pong func()) {
	go func() {
		for {
			switch cmd := <-cmds; cmd {
			case cmdPing:
				pong()
			case cmdStop:
				break // want "this break on case cmdStop leaves only the switch, not the for loop around it"
			}
		}
	}()
}

// Forward hands on every value of in until in is closed.
func Forward(in <-chan int, out chan<- int) {
	defer close(out)
	for {
		v, ok := <-in
		switch {
		case !ok:
			break // want "this break on a closed in leaves only the switch"
		default:
			out <- v
		}
	}
}
