package service

// Config is the service's configuration.
type Config struct {
	Workers int
	Addrs   []string
}
