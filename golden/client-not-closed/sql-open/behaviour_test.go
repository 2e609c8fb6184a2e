package store

import "testing"

func TestOpenKeepsTheHandle(t *testing.T) {
	s, err := Open("fake", "up")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.db.Ping(); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := Open("nodriver", "up"); err == nil {
		t.Errorf("Open succeeded without a driver")
	}
}
