package clients

import "testing"

func TestConnectKeepsTheConnection(t *testing.T) {
	c, err := Connect("up")
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if err := c.api.Ping(); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := Connect(""); err == nil {
		t.Errorf("Connect succeeded without an address")
	}
}
