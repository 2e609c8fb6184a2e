package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
)

func init() { sql.Register("fake", fakeDriver{}) }

// fakeDriver connects to any address but "down".
type fakeDriver struct{}

func (fakeDriver) Open(name string) (driver.Conn, error) {
	if name == "down" {
		return nil, errors.New("connection refused")
	}
	return fakeConn{}, nil
}

type fakeConn struct{}

func (fakeConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("not supported") }
func (fakeConn) Close() error                        { return nil }
func (fakeConn) Begin() (driver.Tx, error)           { return nil, errors.New("not supported") }
