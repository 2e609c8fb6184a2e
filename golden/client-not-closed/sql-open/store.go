package store

import (
	"database/sql"
	"fmt"
	"log"
)

// Store keeps its database handle until Close.
type Store struct {
	db *sql.DB
}

// Open keeps the handle in the Store it returns, but a failed ping drops it.
func Open(driver, dsn string) (*Store, error) {
	db, err := sql.Open(driver, dsn) // want "db from sql.Open is kept on one path \\(line 26\\) but dropped without db.Close\\(\\) at line 24"
	log.Printf("opened %s", driver)
	if err != nil {
		// no handle: nothing to close
		return nil, err
	}
	// sql.Open connects lazily: the ping is the first connection
	if err := db.Ping(); err != nil {
		return nil, fmt.Errorf("ping %s: %w", dsn, err)
	}
	return &Store{db: db}, nil
}

// Close ends the handle.
func (s *Store) Close() error { return s.db.Close() }
