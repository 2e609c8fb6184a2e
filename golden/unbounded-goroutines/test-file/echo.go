// Package echo answers one line per connection.
package echo

import (
	"bufio"
	"net"
)

// Handle echoes one line back on c and closes it.
func Handle(c net.Conn) {
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil {
		c.Write([]byte(line))
	}
}
