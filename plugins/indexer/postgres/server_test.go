package main

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/jtchain/jtchain/plugins/indexer/postgres/pgtest"
)

// The tests run a real PostgreSQL server (see pgtest) from the Debian
// packages that `make postgres` extracts into the repository's
// .cache/postgres. They fail, never skip, without it: CI runs make unit,
// which installs it first.

// pgServer is a throwaway server, with what these tests do with it.
type pgServer struct{ *pgtest.Server }

// startServer starts a server that the caller closes.
func startServer() (*pgServer, error) {
	s, err := pgtest.StartServer()
	if err != nil {
		return nil, err
	}
	return &pgServer{s}, nil
}

// newServer starts a server for t alone, closed when t ends.
func newServer(t testing.TB) *pgServer {
	t.Helper()
	return &pgServer{pgtest.NewServer(t)}
}

func (s *pgServer) dsn() string                     { return s.DSN() }
func (s *pgServer) start() error                    { return s.Start() }
func (s *pgServer) stop()                           { s.Stop() }
func (s *pgServer) close()                          { s.Close() }
func (s *pgServer) signal(sig syscall.Signal) error { return s.Signal(sig) }
func (s *pgServer) exec(t testing.TB, sql string)   { t.Helper(); s.Exec(t, sql) }

// config is the plugin config for schema on s.
func (s *pgServer) config(schema string) []byte {
	return fmt.Appendf(nil, `{"dsn": %q, "schema": %q}`, s.dsn(), schema)
}
