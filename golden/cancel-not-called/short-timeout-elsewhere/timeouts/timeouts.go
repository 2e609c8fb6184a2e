// Package timeouts holds the module's test timeouts.
package timeouts

import "time"

// Short is for events expected not to happen.
const Short = 10 * time.Millisecond

// Poll is how long one poll waits; nothing writes it.
var Poll = 2 * Short
